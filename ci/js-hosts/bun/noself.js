// Preloaded by ./node before wasm-bindgen-test-runner's script (see there).
delete globalThis.self;
