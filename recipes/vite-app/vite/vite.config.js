// ANCHOR: config
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

// SharedArrayBuffer (the shared channel) needs a cross-origin isolated page.
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  server: { headers: isolation },
  preview: { headers: isolation },
  build: {
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL("./index.html", import.meta.url)),
        // The wasm-bindgen glue is an entry of its own: its chunk holds the glue and
        // wasm-rs-worker's loader and nothing else, with every export under its own name.
        // wasm-rs-worker starts the worker on that chunk, and the worker calls the export
        // `vite_app_worker` by name.
        glue: fileURLToPath(new URL("./pkg/vite_app.js", import.meta.url)),
      },
    },
  },
});
// ANCHOR_END: config
