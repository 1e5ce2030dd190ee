//! Shared by the test files: write an async test once.

/// Writes an async test once: a `#[wasm_bindgen_test]` on wasm32, and natively a `#[test]`
/// that drives it with the executor's `block_on`.
macro_rules! async_test {
    ($(#[$attr:meta])* async fn $name:ident() $body:block) => {
        $(#[$attr])*
        #[cfg(target_arch = "wasm32")]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() $body

        $(#[$attr])*
        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        fn $name() {
            wasm_rs_async_executor::block_on(async $body).expect("block_on drives tests natively");
        }
    };
}
