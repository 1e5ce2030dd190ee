//! Shared by the test files: write an async test once.

/// Writes an async test once: a `#[wasm_bindgen_test]` in JS hosts (wasm32-unknown-unknown),
/// and natively and on WASI a `#[test]` that drives it with the executor's `block_on`.
macro_rules! async_test {
    ($(#[$attr:meta])* async fn $name:ident() $body:block) => {
        $(#[$attr])*
        #[cfg(all(target_family = "wasm", target_os = "unknown"))]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() $body

        $(#[$attr])*
        #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
        #[test]
        fn $name() {
            wasm_rs_async_executor::block_on(async $body).expect("block_on drives tests natively");
        }
    };
}

/// On WASI a panic aborts the module, and libtest ignores `#[should_panic]` there. A test
/// that expects a panic announces it with this first: `cargo xtask test` runs each WASI
/// test in a wasmtime instance of its own and passes this one only if the instance then
/// aborts with a panic whose message holds `text` (see `ci/wasi/wasmtime-run.py`).
#[cfg(target_os = "wasi")]
#[allow(dead_code)] // Not every test file expects a panic.
pub(crate) fn expect_panic_on_wasi(text: &str) {
    eprintln!("wasm-rs-wasi: expect panic: {text}");
}
