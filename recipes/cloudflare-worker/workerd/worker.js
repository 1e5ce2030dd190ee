// The Worker: an ES module whose default export answers `fetch`. The wasm module is
// imported compiled (a `wasm` module in config.capnp; wrangler does the same for `.wasm`
// imports), because a Worker may not compile wasm from bytes at run time.
import module from "./pkg/cloudflare_worker_bg.wasm";
import { initSync, handle } from "./pkg/cloudflare_worker.js";

initSync({ module });

export default {
  // Rust answers with `[status, body]`; the Response is made here, in this request's own
  // context (see `handle` in src/lib.rs for why).
  async fetch(request) {
    const [status, body] = await handle(request.method, request.url);
    return new Response(body, {
      status,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};
