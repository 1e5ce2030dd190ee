# workerd's configuration: one Worker (worker.js, wasm-bindgen's glue and the wasm module)
# behind one HTTP socket. `npm start` serves it on http://localhost:8787; the tests pass
# `--socket-addr http=127.0.0.1:<port>` to pick a free port instead.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "*:8787", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "pkg/cloudflare_worker.js", esModule = embed "pkg/cloudflare_worker.js"),
    (name = "pkg/cloudflare_worker_bg.wasm", wasm = embed "pkg/cloudflare_worker_bg.wasm"),
  ],
  compatibilityDate = "2026-11-01",
);
