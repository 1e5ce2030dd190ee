//! Shared test helpers: one test body for native and for every wasm environment.

/// Defines a test from one async body. In a JS host the body runs as a task of this
/// executor (driven by the JS event loop) and the wasm-bindgen-test harness awaits
/// its `JoinHandle`; natively and on WASI it runs under `block_on`.
#[macro_export]
macro_rules! async_test {
    ($(#[$meta:meta])* async fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[cfg(all(target_family = "wasm", target_os = "unknown"))]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            wasm_rs_async_executor::spawn(async move $body)
                .await
                .expect("the test task was aborted or panicked")
        }

        $(#[$meta])*
        #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
        #[test]
        fn $name() {
            wasm_rs_async_executor::block_on(async move $body).expect("block_on failed")
        }
    };
}
