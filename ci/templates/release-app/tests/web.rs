//! Run by `cargo test --target wasm32-unknown-unknown`, in Node and in headless Chromium.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn the_pipeline_runs_on_the_event_loop() {
    assert_eq!(release_check_app::pipeline(1000).await, Ok(500_500));
}

#[wasm_bindgen_test]
async fn a_worker_sums_what_the_main_thread_streams() {
    assert_eq!(release_check_app::sum_in_worker(10_000).await, Ok(50_005_000));
}
