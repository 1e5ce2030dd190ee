//! The three bugs of the original 2021 crate, each pinned by a test:
//! 1. a non-zero yield/sleep hung the thread forever;
//! 2. an idle executor spun at 100% CPU, re-polling every task;
//! 3. a task awaiting a promise resumed only if something else re-entered the executor.

use wasm_rs_async_executor::async_test;

use std::time::Duration;

use wasm_rs_async_executor::{Instant, sleep, spawn, yield_idle, yield_now, yield_to_event_loop};

async_test! {
    async fn non_zero_sleeps_and_yields_complete() {
        let start = Instant::now();
        sleep(Duration::from_millis(30)).await;
        assert!(start.elapsed() >= Duration::from_millis(30));
        yield_now().await;
        yield_to_event_loop().await.unwrap();
        yield_idle().await.unwrap();
        // A sleeping task in the background does not stop others from finishing.
        let background = spawn(sleep(Duration::from_millis(20)));
        sleep(Duration::from_millis(1)).await;
        background.await.unwrap();
    }
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use super::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use wasm_bindgen_test::wasm_bindgen_test;
    use wasm_rs_async_executor::stats;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = setTimeout)]
        fn set_timeout(callback: &js_sys::Function, ms: i32) -> JsValue;
    }

    /// A promise resolved by a plain JS `setTimeout`, outside this executor.
    fn js_delay(ms: i32) -> js_sys::Promise {
        js_sys::Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, ms);
        })
    }

    #[wasm_bindgen_test]
    async fn an_idle_executor_schedules_nothing() {
        // Work with timers, yields and nested tasks, then nothing.
        let handle = spawn(async {
            let inner = spawn(async {
                sleep(Duration::from_millis(5)).await;
                yield_to_event_loop().await.unwrap();
            });
            // A timer that is dropped before it fires must not stay armed.
            let _ = wasm_rs_async_executor::timeout(
                Duration::from_millis(1),
                sleep(Duration::from_secs(60)),
            )
            .await;
            inner.await.unwrap();
        });
        handle.await.unwrap();
        let idle = stats();
        assert_eq!(idle.tasks, 0);
        assert_eq!(idle.timers, 0);
        assert!(
            idle.is_idle(),
            "no microtask, macrotask or setTimeout may be pending: {idle:?}"
        );
        // Let the JS event loop run for a while: the executor must not run at all.
        JsFuture::from(js_delay(100)).await.unwrap();
        let later = stats();
        assert_eq!(later.drains, idle.drains, "an idle executor ran a drain");
        assert_eq!(later.polls, idle.polls, "an idle executor polled a task");
        assert!(later.is_idle());
    }

    #[wasm_bindgen_test]
    async fn a_task_awaiting_a_promise_resumes_with_no_other_activity() {
        let before = stats();
        let handle = spawn(async {
            let start = Instant::now();
            JsFuture::from(js_delay(50)).await.unwrap();
            start.elapsed()
        });
        let waited = handle.await.unwrap();
        assert!(
            waited >= Duration::from_millis(45),
            "resumed after {waited:?}"
        );
        let after = stats();
        // Two polls: the first (pending on the promise) and the one after it resolved.
        assert_eq!(after.polls - before.polls, 2);
    }
}

#[cfg(not(target_family = "wasm"))]
mod native {
    use super::*;
    use wasm_rs_async_executor::{block_on, stats};

    /// Natively "idle" means parked: while a task waits 100 ms for another thread,
    /// the executor must sleep, not re-poll.
    #[test]
    fn an_idle_executor_parks_instead_of_spinning() {
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let waker_thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            tx.send(()).unwrap();
        });
        let before = stats();
        block_on(async move {
            spawn(async move { rx.await.unwrap() }).await.unwrap();
        })
        .unwrap();
        let after = stats();
        waker_thread.join().unwrap();
        assert_eq!(
            after.polls - before.polls,
            2,
            "the waiting task was re-polled while idle"
        );
        assert!(
            after.drains - before.drains <= 4,
            "the executor spun: {before:?} -> {after:?}"
        );
        assert!(after.is_idle());
    }

    /// The native counterpart of "a promise resolved 50 ms later": a wake from
    /// another thread resumes the task with nothing else going on.
    #[test]
    fn a_task_woken_50ms_later_from_another_thread_resumes() {
        let (tx, rx) = futures::channel::oneshot::channel::<Instant>();
        let start = Instant::now();
        let resolver = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            tx.send(Instant::now()).unwrap();
        });
        let sent_at = block_on(spawn(async move { rx.await.unwrap() }))
            .unwrap()
            .unwrap();
        resolver.join().unwrap();
        assert!(sent_at.duration_since(start) >= Duration::from_millis(50));
    }
}
