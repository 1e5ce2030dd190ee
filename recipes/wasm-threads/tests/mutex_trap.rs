//! The contended-`Mutex`-on-the-main-thread trap (tokio #7205, wasm-bindgen-rayon #36), and
//! the way around it. Measured: Chromium traps ("Atomics.wait cannot be called in this
//! context"); Firefox lets the main thread wait, so the page freezes until the worker lets go. A trap leaves the module's shadow stack unbalanced, which is why this
//! lives in its own test binary (its own module instance).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use js_sys::{Function, Reflect, WebAssembly};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_async_executor::{Instant, sleep};
use wasm_threads::{JoinHandle, ThreadError, lock_without_waiting, spawn};

// ANCHOR: holder
const HOLDING: u32 = 1;
const RELEASE: u32 = 2;

/// A worker that takes `lock`, says so in `state`, and keeps it until told to release it
/// (or, with `hold_for`, for that long).
async fn holder(
    lock: &Arc<Mutex<u32>>,
    state: &Arc<AtomicU32>,
    hold_for: Option<Duration>,
) -> Result<JoinHandle<()>, ThreadError> {
    let (lock, state) = (Arc::clone(lock), Arc::clone(state));
    let handle = spawn(move || {
        let mut guard = lock.lock().unwrap_or_else(|p| p.into_inner());
        state.store(HOLDING, Ordering::SeqCst);
        match hold_for {
            Some(time) => std::thread::sleep(time),
            None => {
                while state.load(Ordering::SeqCst) != RELEASE {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        *guard += 1;
    })
    .await?;
    Ok(handle)
}

async fn until_holding(state: &AtomicU32) {
    while state.load(Ordering::SeqCst) != HOLDING {
        sleep(Duration::from_millis(1)).await;
    }
}
// ANCHOR_END: holder

// ANCHOR: trap
/// How long the worker holds the lock in the trap test.
const HOLD: Duration = Duration::from_millis(300);

#[wasm_bindgen_test]
async fn a_contended_std_mutex_traps_or_freezes_the_main_thread() -> Result<(), ThreadError> {
    let lock = Arc::new(Mutex::new(0u32));
    let state = Arc::new(AtomicU32::new(0));
    let worker = holder(&lock, &state, Some(HOLD)).await?;
    until_holding(&state).await;

    // The plain `lock()`, called through JS so that a trap comes back as a JS exception
    // instead of failing the test.
    let ours = Arc::clone(&lock);
    let attempt = Closure::<dyn FnMut()>::new(move || {
        let _guard = ours.lock();
    });
    let function: &Function = attempt.as_ref().unchecked_ref();
    let started = Instant::now();
    let outcome = function.call0(&JsValue::NULL);
    let blocked = started.elapsed();
    match outcome {
        // Chromium: `memory.atomic.wait32` traps on the main thread.
        Err(error) => {
            assert!(
                error.is_instance_of::<WebAssembly::RuntimeError>(),
                "expected a wasm trap, got {error:?}"
            );
            let message = Reflect::get(&error, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_default();
            log(&format!(
                "contended Mutex::lock on the main thread trapped: RuntimeError: {message}"
            ));
            // The closure was left mid-call by the trap; never touch it again.
            std::mem::forget(attempt);
        }
        // Firefox: the wait is allowed, and the page freezes until the worker lets go.
        Ok(_) => {
            assert!(
                blocked >= HOLD / 2,
                "the lock was contended, yet the main thread neither trapped nor blocked \
                 ({blocked:?})"
            );
            log(&format!(
                "contended Mutex::lock on the main thread blocked the page for {blocked:?}"
            ));
        }
    }
    worker.join_async().await?;
    assert_eq!(
        *lock_without_waiting(&lock),
        1,
        "the worker finished its critical section"
    );
    Ok(())
}
// ANCHOR_END: trap

// ANCHOR: spin
#[wasm_bindgen_test]
async fn lock_without_waiting_gets_the_contended_lock_on_the_main_thread() -> Result<(), ThreadError>
{
    let lock = Arc::new(Mutex::new(0u32));
    let state = Arc::new(AtomicU32::new(0));
    let worker = holder(&lock, &state, Some(Duration::from_millis(30))).await?;
    until_holding(&state).await;
    // Contended now: spins (never waits) until the worker's 30 ms are over.
    let value = *lock_without_waiting(&lock);
    assert_eq!(
        value, 1,
        "the lock was taken after the worker's critical section"
    );
    worker.join_async().await?;
    Ok(())
}
// ANCHOR_END: spin

fn log(text: &str) {
    wasm_bindgen_test::console_log!("{text}");
}
