//! Pitfall: tokio's `time` module on wasm32. It reads `std::time::Instant`, which panics on
//! wasm32-unknown-unknown, and its timers need a tokio runtime with a time driver. The fix
//! is the executor's `sleep`/`timeout`/`interval` (`performance.now()` and `setTimeout`).

#[macro_use]
mod common;

use wasm_rs_async_executor::async_test;

use std::time::Duration;

use tokio::sync::mpsc;
use wasm_rs_async_executor::{Elapsed, timeout};

// ANCHOR: tokio_time_panics
/// On wasm32-unknown-unknown, tokio's clock panics: `std::time::Instant::now()` has no
/// implementation there.
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[wasm_bindgen_test::wasm_bindgen_test]
#[should_panic(expected = "time not implemented on this platform")]
fn tokio_sleep_panics_on_wasm32() {
    drop(tokio::time::sleep(Duration::from_millis(1)));
}
// ANCHOR_END: tokio_time_panics

/// Natively the clock works, but the timer still needs tokio's own runtime: on any other
/// executor, the first poll panics.
#[cfg(not(target_family = "wasm"))]
#[test]
#[should_panic(expected = "Tokio 1.x runtime")]
fn tokio_sleep_needs_a_tokio_runtime_natively() {
    let _ = wasm_rs_async_executor::block_on(tokio::time::sleep(Duration::from_millis(1)));
}

/// On WASI the clock works too (WASI has one), and the timer still needs tokio's runtime.
#[cfg(target_os = "wasi")]
#[test]
fn tokio_sleep_needs_a_tokio_runtime_on_wasi() {
    common::expect_panic_on_wasi("Tokio 1.x runtime");
    let _ = wasm_rs_async_executor::block_on(tokio::time::sleep(Duration::from_millis(1)));
}

// ANCHOR: timeout_fix
async_test! {
    /// The fix: bound a tokio::sync wait with the executor's `timeout`.
    async fn executor_timeout_bounds_a_tokio_receive() {
        let (tx, mut rx) = mpsc::channel::<&str>(1);
        let waited = timeout(Duration::from_millis(5), rx.recv()).await;
        let elapsed: Elapsed = waited.expect_err("nothing was sent");
        assert!(elapsed.to_string().contains("did not complete"), "{elapsed}");
        tx.send("late").await.expect("the receiver is alive");
        assert_eq!(timeout(Duration::from_secs(5), rx.recv()).await, Ok(Some("late")));
    }
}
// ANCHOR_END: timeout_fix
