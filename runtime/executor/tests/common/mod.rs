//! Shared test helpers: one test body for native and for every wasm environment.

/// Defines a test from one async body. On wasm32 the body runs as a task of this
/// executor (driven by the JS event loop) and the wasm-bindgen-test harness awaits
/// its `JoinHandle`; natively it runs under `block_on`.
#[macro_export]
macro_rules! async_test {
    ($(#[$meta:meta])* async fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[cfg(target_arch = "wasm32")]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            wasm_rs_async_executor::spawn(async move $body)
                .await
                .expect("the test task was aborted or panicked")
        }

        $(#[$meta])*
        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        fn $name() {
            wasm_rs_async_executor::block_on(async move $body).expect("block_on failed")
        }
    };
}
