//! wasm-rs-async-executor in a threads build: a task on the main thread awaits a
//! `tokio::sync::oneshot` that a worker thread completes.

use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::oneshot;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_threads::{ThreadError, spawn, wake_from_any_thread};

/// A worker that waits until the main task has seen its receiver pending (so the value
/// really arrives through a wake from another thread), then sends `value`.
async fn sender(
    tx: oneshot::Sender<u32>,
    pending_seen: &Arc<AtomicBool>,
    value: u32,
) -> Result<wasm_threads::JoinHandle<bool>, ThreadError> {
    let seen = Arc::clone(pending_seen);
    spawn(move || {
        for _ in 0..5000 {
            if seen.load(Ordering::SeqCst) {
                return tx.send(value).is_ok();
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    })
    .await
}

#[wasm_bindgen_test]
async fn a_main_thread_task_awaits_a_oneshot_sent_by_a_worker() -> Result<(), ThreadError> {
    let (tx, rx) = oneshot::channel::<u32>();
    let pending_seen = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&pending_seen);
    let mut rx = wake_from_any_thread(rx);
    let task = wasm_rs_async_executor::spawn(poll_fn(move |cx| {
        let polled = std::pin::Pin::new(&mut rx).poll(cx);
        if polled.is_pending() {
            seen.store(true, Ordering::SeqCst);
        }
        polled
    }));
    let worker = sender(tx, &pending_seen, 42).await?;
    assert!(
        worker.join_async().await?,
        "the worker saw the task pending and sent"
    );
    let received = task.await.expect("the executor task finished");
    assert_eq!(received, Ok(42));
    assert!(pending_seen.load(Ordering::SeqCst));
    Ok(())
}

#[wasm_bindgen_test]
async fn without_the_bridge_the_executor_refuses_a_wake_from_another_thread()
-> Result<(), ThreadError> {
    // wasm-rs-async-executor's wakers panic when called from another wasm thread (its docs:
    // "cross-thread wakes are not supported on wasm32"). The worker's panic says so.
    let (tx, rx) = oneshot::channel::<u32>();
    let pending_seen = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&pending_seen);
    let mut rx = rx;
    let _task = wasm_rs_async_executor::spawn(poll_fn(move |cx| {
        let polled = std::pin::Pin::new(&mut rx).poll(cx);
        if polled.is_pending() {
            seen.store(true, Ordering::SeqCst);
        }
        polled
    }));
    let worker = sender(tx, &pending_seen, 7).await?;
    match worker.join_async().await {
        Err(ThreadError::Panicked(message)) => {
            assert!(
                message.contains("woken from another wasm thread"),
                "{message}"
            )
        }
        other => panic!("expected the executor's cross-thread wake panic, got {other:?}"),
    }
    Ok(())
}

/// The model for the executor: wasm-bindgen-futures' `spawn_local`, in a threads build, takes
/// wakes from any thread without a bridge (its task waker notifies a cell that the owning
/// thread waits on with `Atomics.waitAsync`).
#[wasm_bindgen_test]
async fn a_spawn_local_task_takes_a_wake_from_a_worker_without_a_bridge() -> Result<(), ThreadError>
{
    let (tx, rx) = oneshot::channel::<u32>();
    let (done_tx, done_rx) = oneshot::channel::<Option<u32>>();
    let pending_seen = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&pending_seen);
    let mut rx = rx;
    wasm_bindgen_futures::spawn_local(async move {
        let value = poll_fn(|cx| {
            let polled = std::pin::Pin::new(&mut rx).poll(cx);
            if polled.is_pending() {
                seen.store(true, Ordering::SeqCst);
            }
            polled
        })
        .await;
        let _ = done_tx.send(value.ok());
    });
    let worker = sender(tx, &pending_seen, 9).await?;
    assert!(worker.join_async().await?);
    assert_eq!(done_rx.await.ok().flatten(), Some(9));
    Ok(())
}
