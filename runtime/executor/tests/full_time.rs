//! Full-time mode: `run_forever` and `block_on` keep the thread, sleep between
//! tasks, and refuse to block the browser main thread.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wasm_rs_async_executor::{
    Environment, Instant, RunError, block_on, environment, run_forever, sleep, spawn, task_count,
    yield_now,
};

/// The error a blocking run loop must give here, if any: never natively; on the
/// browser main thread `MainThread`; in a shared or service worker or workerd
/// `CannotBlock`; without `SharedArrayBuffer` (a page that is not cross-origin isolated)
/// `NoSharedMemory` as soon as it must sleep.
fn expected_block_error() -> Option<RunError> {
    match environment() {
        Environment::BrowserMain => return Some(RunError::MainThread),
        here @ (Environment::SharedWorker | Environment::ServiceWorker | Environment::Workerd) => {
            return Some(RunError::CannotBlock(here));
        }
        _ => {}
    }
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    if !js_sys::Reflect::has(&js_sys::global(), &"SharedArrayBuffer".into()).unwrap_or(false) {
        return Some(RunError::NoSharedMemory);
    }
    None
}

/// How much to stretch a test's timers where blocking is refused: there the test checks
/// the error the executor gives when it has to park, so no timer may already be due when
/// it first looks (a debug build in WebKit can spend tens of milliseconds on its first
/// polls). The error comes at once, so the longer timers cost nothing.
fn must_park_scale() -> u64 {
    if expected_block_error().is_some() {
        20
    } else {
        1
    }
}

/// A sync test: runs natively and in every wasm environment.
#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn run_forever_runs_timers_and_tasks_until_none_is_left() {
    let done = Rc::new(Cell::new(0));
    let start = Instant::now();
    let scale = must_park_scale();
    for ms in [20u64, 5, 10] {
        let done = done.clone();
        drop(spawn(async move {
            sleep(Duration::from_millis(ms * scale)).await;
            yield_now().await;
            done.set(done.get() + 1);
        }));
    }
    let result = run_forever();
    if let Some(expected) = expected_block_error() {
        assert_eq!(result, Err(expected));
        assert!(result.unwrap_err().to_string().contains("spawn()"));
        // Leave the tasks to the event loop; they finish on their own.
        return;
    }
    result.unwrap();
    assert_eq!(done.get(), 3);
    assert_eq!(task_count(), 0);
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn block_on_returns_the_output_or_refuses_the_main_thread() {
    let result = block_on(async {
        let task = spawn(async {
            sleep(Duration::from_millis(30 * must_park_scale())).await;
            3
        });
        task.await.unwrap() * 2
    });
    match expected_block_error() {
        Some(expected) => assert_eq!(result, Err(expected)),
        None => assert_eq!(result, Ok(6)),
    }
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use super::*;
    use js_sys::{Atomics, Int32Array, SharedArrayBuffer};
    use std::task::Poll;
    use wasm_bindgen_futures::JsFuture;
    use wasm_bindgen_test::wasm_bindgen_test;
    use wasm_rs_async_executor::{park, yield_animation_frame, yield_idle, yield_to_event_loop};

    /// Where blocking is refused, checks that it is refused with the right error.
    fn blocking_allowed() -> bool {
        match expected_block_error() {
            Some(expected) => {
                // Long enough that the executor must park (see `must_park_scale`).
                assert_eq!(block_on(sleep(Duration::from_millis(500))), Err(expected));
                false
            }
            None => true,
        }
    }

    #[wasm_bindgen_test]
    fn event_loop_yields_are_errors_in_full_time_mode() {
        if !blocking_allowed() {
            return;
        }
        let errors = block_on(async {
            [
                yield_to_event_loop().await.unwrap_err(),
                yield_idle().await.unwrap_err(),
                yield_animation_frame().await.unwrap_err(),
            ]
        })
        .unwrap();
        for err in errors {
            assert!(err.is_full_time_mode(), "{err}");
            assert!(err.to_string().contains("full-time mode"), "{err}");
        }
    }

    #[wasm_bindgen_test]
    fn a_js_promise_in_full_time_mode_is_a_stall_error_not_a_hang() {
        if !blocking_allowed() {
            return;
        }
        let never = js_sys::Promise::new(&mut |_, _| {});
        let handle = spawn(async move {
            let _ = JsFuture::from(never).await;
        });
        let result = run_forever();
        assert_eq!(result, Err(RunError::Stalled { tasks: 1 }));
        assert!(result.unwrap_err().to_string().contains("JS promises"));
        handle.abort();
        assert_eq!(task_count(), 0);
    }

    #[wasm_bindgen_test]
    fn wake_on_change_is_refused_outside_full_time_mode() {
        let cell = Int32Array::new(&js_sys::ArrayBuffer::new(4));
        let registered = park::wake_on_change(&cell, 0, 0, std::task::Waker::noop().clone());
        assert!(!registered);
    }

    /// A task waits on a shared-memory cell; a timer task changes it. The executor
    /// sleeps in `Atomics.wait` (bounded by the timer) and wakes the waiter.
    #[wasm_bindgen_test]
    fn wake_on_change_wakes_a_waiting_task_in_full_time_mode() {
        if !blocking_allowed() {
            return;
        }
        let cell = Int32Array::new(&SharedArrayBuffer::new(4));
        let polls = Rc::new(Cell::new(0u32));
        let (watched, counted) = (cell.clone(), polls.clone());
        let waiter = spawn(std::future::poll_fn(move |cx| {
            counted.set(counted.get() + 1);
            let value = Atomics::load(&watched, 0).unwrap();
            if value != 0 {
                return Poll::Ready(value);
            }
            assert!(park::wake_on_change(&watched, 0, 0, cx.waker().clone()));
            Poll::Pending
        }));
        let writer = cell.clone();
        drop(spawn(async move {
            sleep(Duration::from_millis(30)).await;
            Atomics::store(&writer, 0, 7).unwrap();
            Atomics::notify(&writer, 0).unwrap();
        }));
        let value = block_on(waiter).unwrap().unwrap();
        assert_eq!(value, 7);
        // Polled once at start, once after the timer bound the wait (spurious but
        // bounded), once after the change: never spinning.
        assert!(
            polls.get() <= 4,
            "the waiter was polled {} times",
            polls.get()
        );
        assert_eq!(task_count(), 0);
    }

    /// Runs in a second thread (started by [`notify_from_another_thread`]): waits `delay`
    /// ms, then stores `value` into `cell[0]` and notifies it.
    #[wasm_bindgen::prelude::wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to JS; it must be pub"
    )]
    pub fn ft_notify_later(input: wasm_bindgen::JsValue) {
        let get = |k: &str| js_sys::Reflect::get(&input, &k.into()).unwrap();
        let cell: Int32Array = get("cell").into();
        let value = get("value").as_f64().unwrap() as i32;
        let delay = get("delay").as_f64().unwrap();
        // Sleep by waiting on a cell nobody changes (a worker may block).
        let scratch = Int32Array::new(&SharedArrayBuffer::new(4));
        let _ = Atomics::wait_with_timeout(&scratch, 0, 0, delay);
        Atomics::store(&cell, 0, value).unwrap();
        Atomics::notify(&cell, 0).unwrap();
    }

    /// Starts a second thread (a nested Worker in a browser worker, `worker_threads` in
    /// Node, started by wasm-rs-worker on this same test module) that stores `value` into
    /// `cell[0]` and notifies, `delay_ms` after it started. Resolves once that thread runs:
    /// a blocked thread could not start it (Chromium starts a nested worker through its
    /// parent's event loop). Keep the handle until the change has been seen.
    async fn notify_from_another_thread(
        cell: &Int32Array,
        value: i32,
        delay_ms: i32,
    ) -> Result<wasm_rs_worker::WorkerHandle, wasm_rs_worker::WorkerError> {
        let input = js_sys::Object::new();
        for (k, v) in [
            ("cell", cell.clone().into()),
            ("value", value.into()),
            ("delay", delay_ms.into()),
        ] {
            js_sys::Reflect::set(&input, &k.into(), &v).unwrap();
        }
        let glue = wasm_rs_worker::glue_url()?;
        wasm_rs_worker::spawn_worker(&glue, "ft_notify_later", input.into()).await
    }

    /// The shared-channel use case: the wake comes from another thread through
    /// shared memory, with no timer involved; the executor sleeps in `Atomics.wait`
    /// and polls the waiter exactly twice.
    #[wasm_bindgen_test]
    async fn wake_on_change_is_woken_by_another_thread() {
        if !blocking_allowed() {
            return;
        }
        let cell = Int32Array::new(&SharedArrayBuffer::new(4));
        let polls = Rc::new(Cell::new(0u32));
        let (watched, counted) = (cell.clone(), polls.clone());
        let waiter = std::future::poll_fn(move |cx| {
            counted.set(counted.get() + 1);
            let value = Atomics::load(&watched, 0).unwrap();
            if value != 0 {
                return Poll::Ready(value);
            }
            assert!(park::wake_on_change(&watched, 0, 0, cx.waker().clone()));
            Poll::Pending
        });
        let start = Instant::now();
        let _thread = notify_from_another_thread(&cell, 42, 50)
            .await
            .expect("the second JS thread failed to start");
        // The 10 s timeout only bounds the test if the other thread never starts.
        let value = block_on(wasm_rs_async_executor::timeout(
            Duration::from_secs(10),
            waiter,
        ))
        .unwrap()
        .expect("the other thread never changed the cell");
        assert_eq!(value, 42);
        assert_eq!(
            polls.get(),
            2,
            "polled once before and once after the change"
        );
        assert!(start.elapsed() >= Duration::from_millis(40));
    }
}

#[cfg(not(target_family = "wasm"))]
#[test]
fn run_forever_sleeps_until_a_wake_from_another_thread() {
    let (tx, rx) = futures::channel::oneshot::channel::<u32>();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        tx.send(11).unwrap();
    });
    let got = Rc::new(Cell::new(0));
    let slot = got.clone();
    drop(spawn(async move { slot.set(rx.await.unwrap()) }));
    run_forever().unwrap();
    sender.join().unwrap();
    assert_eq!(got.get(), 11);
}
