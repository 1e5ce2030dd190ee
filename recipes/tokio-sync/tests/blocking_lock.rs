//! Pitfall: `Mutex::blocking_lock` on a lock held by a task. On wasm32 it panics (the thread
//! cannot park); natively on the executor's own thread it would deadlock, since the holder
//! can only run when the blocked thread returns. The fix is `lock().await`.
//!
//! Its own test binary, for the same reason as `blocking_recv.rs`.

#[macro_use]
mod common;

use wasm_rs_async_executor::async_test;

use std::sync::Arc;

use tokio::sync::Mutex;

/// On wasm32 a contended `blocking_lock` panics inside std, and the panic aborts the module.
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[wasm_bindgen_test::wasm_bindgen_test]
#[should_panic(expected = "condvar wait not supported")]
fn contended_blocking_lock_panics_on_wasm32() {
    let lock = Mutex::new(0);
    let _held = lock.try_lock().expect("nobody holds it yet");
    let _ = lock.blocking_lock();
}

/// On WASI (one thread) too.
#[cfg(target_os = "wasi")]
#[test]
fn contended_blocking_lock_panics_on_wasi() {
    common::expect_panic_on_wasi("condvar wait not supported");
    let lock = Mutex::new(0);
    let _held = lock.try_lock().expect("nobody holds it yet");
    let _ = lock.blocking_lock();
}

/// Uncontended, it returns at once everywhere: the failure shows only under contention.
#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn uncontended_blocking_lock_returns_at_once() {
    let lock = Mutex::new(5);
    *lock.blocking_lock() += 1;
    assert_eq!(*lock.blocking_lock(), 6);
}

/// Natively, `blocking_lock` from a plain thread waits for the holder on another thread.
#[cfg(not(target_family = "wasm"))]
#[test]
fn blocking_lock_waits_for_another_thread_natively() {
    let lock = Arc::new(Mutex::new(0));
    let held = lock.clone().try_lock_owned().expect("nobody holds it yet");
    let holder = std::thread::spawn(move || {
        let mut held = held;
        std::thread::sleep(std::time::Duration::from_millis(5));
        *held = 1;
    });
    assert_eq!(*lock.blocking_lock(), 1, "it waited for the holder's write");
    holder.join().expect("the holder thread finished");
}

async_test! {
    /// The fix: `lock().await` waits for the holder without blocking the thread.
    async fn lock_await_waits_for_a_holder_task() {
        let lock = Arc::new(Mutex::new(0));
        let mut held = lock.clone().try_lock_owned().expect("nobody holds it yet");
        let holder = wasm_rs_async_executor::spawn(async move {
            wasm_rs_async_executor::yield_now().await;
            *held = 1;
        });
        assert_eq!(*lock.lock().await, 1, "it waited for the holder's write");
        holder.await.expect("the holder finished");
    }
}
