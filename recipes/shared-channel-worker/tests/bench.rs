//! The two round trips, measured as the demo does but in a release build and several times
//! over. A figure to read, not a timed assertion: run it on the browser's main thread with
//!
//! ```text
//! WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test -p shared-channel-worker --release --features bench \
//!   --target wasm32-unknown-unknown --test bench -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use shared_channel_worker::{median, round_trips};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn round_trips_shared_channel_against_post_message() {
    const RUNS: usize = 5;
    let glue = wasm_rs_worker::glue_url().unwrap();
    let mut shared = Vec::new();
    let mut posted = Vec::new();
    for _ in 0..RUNS {
        let rt = round_trips(&glue, 1000).await.unwrap();
        shared.push(rt.shared_channel_us);
        posted.push(rt.post_message_us);
    }
    let (shared, posted) = (median(&shared).unwrap(), median(&posted).unwrap());
    assert!(shared > 0.0 && posted > 0.0);
    web_sys::console::log_1(
        &format!(
            "median of {RUNS} runs of 1000 pings each: shared channel {shared:.1} µs, \
             postMessage {posted:.1} µs, ratio {:.1}x",
            posted / shared
        )
        .into(),
    );
}
