// Preloaded by ./deno before wasm-bindgen-test-runner's script: Deno 2 removed `window`.
globalThis.window = globalThis;
