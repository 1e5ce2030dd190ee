//! wasm-rs-async-executor in a threads build takes wakes from other threads: in the event
//! loop (a main-thread task awaits a `tokio::sync::oneshot` that a worker sends on), in
//! full-time mode (a worker blocked in `block_on` is woken by another worker), and under
//! load (two workers send 20,000 messages to a main-thread task, so the executor's
//! cross-thread queue is contended on the main thread, where a waiting lock would trap).

use std::future::{Future, poll_fn};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_threads::{ThreadError, spawn};

// ANCHOR: watched
/// A worker that waits until `pending_seen` is set (the receiving task was polled and is
/// pending, so the value really arrives through a wake from another thread), then sends
/// `value`. Gives up after 5 s.
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

/// `rx`, recording in `seen` each time it is polled and found pending.
fn watched(
    mut rx: oneshot::Receiver<u32>,
    seen: Arc<AtomicBool>,
) -> impl Future<Output = Result<u32, oneshot::error::RecvError>> {
    poll_fn(move |cx| {
        let polled = std::pin::Pin::new(&mut rx).poll(cx);
        if polled.is_pending() {
            seen.store(true, Ordering::SeqCst);
        }
        polled
    })
}
// ANCHOR_END: watched

// ANCHOR: wakes
#[wasm_bindgen_test]
async fn a_main_thread_task_awaits_a_oneshot_sent_by_a_worker() -> Result<(), ThreadError> {
    let (tx, rx) = oneshot::channel::<u32>();
    let pending_seen = Arc::new(AtomicBool::new(false));
    let task = wasm_rs_async_executor::spawn(watched(rx, Arc::clone(&pending_seen)));
    let worker = sender(tx, &pending_seen, 42).await?;
    assert!(
        worker.join_async().await?,
        "the worker saw the task pending and sent"
    );
    let received = task.await.expect("the executor task finished");
    assert_eq!(received, Ok(42));
    Ok(())
}

#[wasm_bindgen_test]
async fn a_worker_blocked_in_block_on_is_woken_by_another_worker() -> Result<(), ThreadError> {
    let (tx, rx) = oneshot::channel::<u32>();
    let pending_seen = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&pending_seen);
    // Full-time mode: the worker sleeps in `Atomics.wait` on its wake cell, with no timer
    // pending (without threads this would be a `Stalled` error).
    let blocked = spawn(move || {
        let outcome = wasm_rs_async_executor::block_on(async move {
            // Through a task, so the wake goes through the executor's cross-thread queue.
            wasm_rs_async_executor::spawn(watched(rx, seen)).await
        });
        match outcome {
            Ok(Ok(Ok(value))) => Ok(value),
            // block_on, then the task, then the oneshot.
            other => Err(format!("{other:?}")),
        }
    })
    .await?;
    let worker = sender(tx, &pending_seen, 7).await?;
    assert!(worker.join_async().await?);
    let outcome = blocked.join_async().await?;
    assert_eq!(outcome, Ok(7));
    Ok(())
}
// ANCHOR_END: wakes

// ANCHOR: load
#[wasm_bindgen_test]
async fn twenty_thousand_wakes_from_two_workers_arrive_in_order() -> Result<(), ThreadError> {
    const PER_WORKER: u32 = 10_000;
    let (tx, mut rx) = mpsc::unbounded_channel::<(u32, u32)>();
    // The receiving task lives on the main thread; every message may wake it from a worker.
    let receiver = wasm_rs_async_executor::spawn(async move {
        let mut next = [0u32; 2];
        let mut count = 0u32;
        while let Some((worker, n)) = rx.recv().await {
            let slot = &mut next[worker as usize];
            assert_eq!(n, *slot, "worker {worker}'s messages arrive in order");
            *slot += 1;
            count += 1;
        }
        (count, next)
    });
    let mut workers = Vec::new();
    for worker in 0..2u32 {
        let tx = tx.clone();
        workers.push(
            spawn(move || {
                for n in 0..PER_WORKER {
                    tx.send((worker, n)).expect("the receiver is alive");
                    if n % 1000 == 0 {
                        // Let the main thread drain part-way, so wakes keep coming.
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
            })
            .await?,
        );
    }
    drop(tx);
    for worker in workers {
        worker.join_async().await?;
    }
    let (count, next) = receiver.await.expect("the receiving task finished");
    assert_eq!(count, 2 * PER_WORKER);
    assert_eq!(next, [PER_WORKER, PER_WORKER]);
    Ok(())
}

/// wasm-bindgen-futures' `spawn_local`, in a threads build, also takes wakes from any
/// thread (its task waker notifies a cell that the owning thread waits on with
/// `Atomics.waitAsync`: the same mechanism as the executor's).
#[wasm_bindgen_test]
async fn a_spawn_local_task_takes_a_wake_from_a_worker() -> Result<(), ThreadError> {
    let (tx, rx) = oneshot::channel::<u32>();
    let (done_tx, done_rx) = oneshot::channel::<Option<u32>>();
    let pending_seen = Arc::new(AtomicBool::new(false));
    let rx = watched(rx, Arc::clone(&pending_seen));
    wasm_bindgen_futures::spawn_local(async move {
        let _ = done_tx.send(rx.await.ok());
    });
    let worker = sender(tx, &pending_seen, 9).await?;
    assert!(worker.join_async().await?);
    assert_eq!(done_rx.await.ok().flatten(), Some(9));
    Ok(())
}
// ANCHOR_END: load
