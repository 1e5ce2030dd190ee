//! Pitfall: `blocking_recv` (and every other `blocking_*` method of tokio::sync) parks the
//! thread until the value arrives. wasm32-unknown-unknown and single-threaded WASI cannot
//! park a thread: std's `Condvar::wait` there panics, and a panic aborts the wasm module.
//! The fix is to await.
//!
//! This file is its own test binary (its own wasm module): after the expected panic, the
//! parker tokio keeps per thread is left locked, and a later blocking call would fail with
//! a different message.

#[macro_use]
mod common;

use wasm_rs_async_executor::async_test;

use tokio::sync::mpsc;

// ANCHOR: blocking_recv_panics
/// On wasm32 (every JS context: browser main thread, worker, Node), a `blocking_recv` that
/// has to wait panics inside std, and the panic aborts the module.
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[wasm_bindgen_test::wasm_bindgen_test]
#[should_panic(expected = "condvar wait not supported")]
fn blocking_recv_that_must_wait_panics_on_wasm32() {
    let (_tx, mut rx) = mpsc::channel::<u32>(1);
    let _ = rx.blocking_recv();
}
// ANCHOR_END: blocking_recv_panics

// ANCHOR: blocking_recv_panics_wasi
/// On WASI (wasm32-wasip1 and wasm32-wasip2, one thread) the same call panics the same way.
#[cfg(target_os = "wasi")]
#[test]
fn blocking_recv_that_must_wait_panics_on_wasi() {
    common::expect_panic_on_wasi("condvar wait not supported");
    let (_tx, mut rx) = mpsc::channel::<u32>(1);
    let _ = rx.blocking_recv();
}
// ANCHOR_END: blocking_recv_panics_wasi

/// The same call that finds its message already there returns it without parking: this is
/// why code that "worked in testing" can start failing under another timing.
#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn blocking_recv_that_need_not_wait_returns_at_once() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(7).expect("the buffer has room");
    assert_eq!(rx.blocking_recv(), Some(7));
}

/// Natively, `blocking_recv` is what it is for: plain synchronous code (here the test's own
/// thread) waiting for async code on another thread.
#[cfg(not(target_family = "wasm"))]
#[test]
fn blocking_recv_waits_for_another_thread_natively() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    let producer = std::thread::spawn(move || {
        wasm_rs_async_executor::block_on(async move {
            wasm_rs_async_executor::sleep(std::time::Duration::from_millis(5)).await;
            tx.send(42).await.expect("the receiver waits");
        })
        .expect("a native thread may block");
    });
    assert_eq!(rx.blocking_recv(), Some(42));
    producer.join().expect("the producer thread finished");
}

// ANCHOR: recv_fix
async_test! {
    /// The fix: receive with `.await` inside a task, which suspends the task, not the thread.
    /// Code that cannot be async (a JS callback) uses `try_recv` and never waits.
    async fn await_in_a_task_and_try_recv_in_callbacks() {
        let (tx, mut rx) = mpsc::channel::<u32>(4);
        assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Empty));
        let consumer = wasm_rs_async_executor::spawn(async move { rx.recv().await });
        wasm_rs_async_executor::sleep(std::time::Duration::from_millis(2)).await;
        tx.send(9).await.expect("the consumer waits");
        assert_eq!(consumer.await.expect("the consumer finished"), Some(9));
    }
}
// ANCHOR_END: recv_fix

// ANCHOR: block_on_main
/// The executor's own blocking entry point says what to do instead of freezing the page:
/// on the browser main thread `block_on` returns `RunError::MainThread` at once, and in a
/// shared or service worker `RunError::CannotBlock`.
#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn block_on_explains_itself_on_the_main_thread() {
    use wasm_rs_async_executor::{Environment, RunError, block_on, environment};

    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(1).expect("the buffer has room");
    match (environment(), block_on(rx.recv())) {
        (Environment::BrowserMain, Err(e)) => {
            assert_eq!(e, RunError::MainThread);
            assert!(e.to_string().contains("use spawn()"), "{e}");
        }
        // Shared and service workers may not block at all: refused the same way.
        (here @ (Environment::SharedWorker | Environment::ServiceWorker), Err(e)) => {
            assert_eq!(e, RunError::CannotBlock(here));
            assert!(e.to_string().contains("use spawn()"), "{e}");
        }
        // A worker or Node runs it in full-time mode, which needs SharedArrayBuffer to
        // sleep; natively it parks the thread. The value is ready, so it returns at once.
        (_, Ok(value)) => assert_eq!(value, Some(1)),
        (_, Err(RunError::NoSharedMemory)) => {}
        (env, other) => panic!("unexpected in {env:?}: {other:?}"),
    }
}
// ANCHOR_END: block_on_main
