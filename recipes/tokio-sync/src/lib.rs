//! tokio::sync on wasm32: every primitive of `tokio::sync` between tasks of
//! wasm-rs-async-executor, the same code natively and in the browser.
//!
//! tokio's `sync` feature needs no tokio runtime: its channels and locks wake tasks through
//! ordinary `Waker`s, so any executor drives them. Each function below is one idiomatic use,
//! and the tests run each one natively, in Node and in browsers (main thread and worker).
//!
//! What does *not* carry over is covered on the book page and in `tests/pitfalls.rs`: the
//! `blocking_*` methods, tokio's `time` module, and std locks on the main thread of a
//! threads build.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use tokio::sync::{Barrier, Mutex, Notify, RwLock, Semaphore, broadcast, mpsc, oneshot, watch};
use wasm_rs_async_executor::{JoinError, spawn, yield_now};

// ANCHOR: mpsc_bounded
/// A producer task sends `count` numbers through a bounded channel of `capacity`; the
/// caller receives them in order. When the buffer is full, `send().await` waits: the
/// producer never runs more than `capacity` items ahead (backpressure).
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(
///     wasm_rs_async_executor::block_on(tokio_sync::bounded_pipeline(5, 2)).unwrap().unwrap(),
///     [0, 1, 2, 3, 4]
/// );
/// ```
pub async fn bounded_pipeline(count: u32, capacity: usize) -> Result<Vec<u32>, JoinError> {
    let (tx, mut rx) = mpsc::channel(capacity);
    let producer = spawn(async move {
        for i in 0..count {
            // Err only if the receiver was dropped: then stop producing.
            if tx.send(i).await.is_err() {
                break;
            }
        }
    });
    let mut received = Vec::new();
    // `None` once every sender is dropped and the buffer is drained.
    while let Some(i) = rx.recv().await {
        received.push(i);
    }
    producer.await?;
    Ok(received)
}
// ANCHOR_END: mpsc_bounded

// ANCHOR: mpsc_unbounded
/// `producers` tasks each send three tagged events through an unbounded channel (sending
/// never waits: use it when the producer must not be slowed, such as a DOM event handler).
/// Returns every event, in arrival order.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(
///     wasm_rs_async_executor::block_on(tokio_sync::gather_events(2)).unwrap().len(),
///     6
/// );
/// ```
pub async fn gather_events(producers: u32) -> Vec<(u32, u32)> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for producer in 0..producers {
        let tx = tx.clone();
        // Dropping a JoinHandle detaches the task: it runs on, nobody waits for it.
        drop(spawn(async move {
            for event in 0..3 {
                // A plain method, not async: an unbounded channel never waits.
                let _ = tx.send((producer, event));
                yield_now().await;
            }
        }));
    }
    drop(tx); // keep only the producers' senders, so the channel closes when they finish
    let mut events = Vec::new();
    while let Some(event) = rx.recv().await {
        events.push(event);
    }
    events
}
// ANCHOR_END: mpsc_unbounded

// ANCHOR: oneshot
/// A request–response service: a task owns the state (a running total), requests arrive on
/// an mpsc channel, and each carries a `oneshot::Sender` for its reply.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(
///     wasm_rs_async_executor::block_on(tokio_sync::running_totals(&[1, 2, 3])).unwrap(),
///     Some(vec![1, 3, 6])
/// );
/// ```
pub async fn running_totals(amounts: &[u64]) -> Option<Vec<u64>> {
    let (requests, mut inbox) = mpsc::channel::<(u64, oneshot::Sender<u64>)>(8);
    // The service runs detached; it ends when `requests` is dropped.
    drop(spawn(async move {
        let mut total = 0;
        while let Some((amount, reply)) = inbox.recv().await {
            total += amount;
            // The caller may have stopped waiting; that is not the service's problem.
            let _ = reply.send(total);
        }
    }));
    let mut totals = Vec::new();
    for &amount in amounts {
        let (reply, response) = oneshot::channel();
        requests.send((amount, reply)).await.ok()?;
        // Err if the service dropped the reply sender without answering.
        totals.push(response.await.ok()?);
    }
    Some(totals)
}
// ANCHOR_END: oneshot

// ANCHOR: watch
/// A settings value that several tasks follow: `watch` keeps only the latest value, and
/// `changed().await` wakes a follower once per change it has not seen. A follower that is
/// slower than the updates skips intermediate values, which is what settings want.
///
/// Returns the values the follower saw.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// let seen = wasm_rs_async_executor::block_on(tokio_sync::follow_settings(&["dark", "light"])).unwrap();
/// assert_eq!(seen.last().map(String::as_str), Some("light"));
/// ```
pub async fn follow_settings(updates: &[&str]) -> Vec<String> {
    let (settings, mut follower) = watch::channel(String::from("default"));
    let seen = spawn(async move {
        let mut seen = vec![follower.borrow_and_update().clone()];
        // Err once the sender is dropped: no more changes can come.
        while follower.changed().await.is_ok() {
            seen.push(follower.borrow_and_update().clone());
        }
        seen
    });
    for &update in updates {
        settings.send_replace(update.to_owned());
        yield_now().await; // let the follower run between updates
    }
    drop(settings);
    seen.await.unwrap_or_default()
}
// ANCHOR_END: watch

// ANCHOR: broadcast
/// Every subscriber of a `broadcast` channel receives every message, as long as it keeps
/// up. One that falls more than `capacity` messages behind gets `RecvError::Lagged(n)`,
/// telling it how many it missed, and continues with the oldest message still buffered.
///
/// Returns what a subscriber that reads only after `sent` messages receives.
///
/// ```
/// use tokio_sync::Heard;
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(
///     wasm_rs_async_executor::block_on(tokio_sync::late_subscriber(4, 2)).unwrap(),
///     [Heard::Missed(2), Heard::Message(2), Heard::Message(3)]
/// );
/// ```
pub async fn late_subscriber(sent: u32, capacity: usize) -> Vec<Heard> {
    let (tx, mut rx) = broadcast::channel(capacity);
    for i in 0..sent {
        let _ = tx.send(i); // Err only when there is no subscriber
    }
    drop(tx);
    let mut heard = Vec::new();
    loop {
        match rx.recv().await {
            Ok(i) => heard.push(Heard::Message(i)),
            Err(broadcast::error::RecvError::Lagged(n)) => heard.push(Heard::Missed(n)),
            Err(broadcast::error::RecvError::Closed) => return heard,
        }
    }
}

/// What a broadcast subscriber received.
///
/// ```
/// assert_ne!(tokio_sync::Heard::Message(1), tokio_sync::Heard::Missed(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heard {
    /// A message.
    Message(u32),
    /// This many messages were overwritten before the subscriber read them.
    Missed(u64),
}
// ANCHOR_END: broadcast

// ANCHOR: mutex
/// `tasks` tasks each add to a shared total `rounds` times, holding a `tokio::sync::Mutex`
/// guard across an `.await` in between reading and writing. A std `Mutex` guard must not be
/// held across an await; tokio's is designed for it: the other tasks wait asynchronously.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(wasm_rs_async_executor::block_on(tokio_sync::shared_total(3, 4)).unwrap().unwrap(), 12);
/// ```
pub async fn shared_total(tasks: u64, rounds: u64) -> Result<u64, JoinError> {
    let total = Rc::new(Mutex::new(0));
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let total = total.clone();
        handles.push(spawn(async move {
            for _ in 0..rounds {
                let mut guard = total.lock().await;
                let read = *guard;
                yield_now().await; // other tasks run here, and find the lock taken
                *guard = read + 1;
            }
        }));
    }
    for handle in handles {
        handle.await?;
    }
    Ok(*total.lock().await)
}
// ANCHOR_END: mutex

// ANCHOR: rwlock
/// Readers share a `RwLock`, a writer waits for them: returns the most readers that held
/// the lock at the same time, and the final value written.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// let (readers, value) = wasm_rs_async_executor::block_on(tokio_sync::readers_and_writer(3)).unwrap().unwrap();
/// assert_eq!((readers, value), (3, "written"));
/// ```
pub async fn readers_and_writer(readers: usize) -> Result<(usize, &'static str), JoinError> {
    let lock = Rc::new(RwLock::new("initial"));
    let inside = Rc::new(Cell::new(0));
    let most = Rc::new(Cell::new(0));
    let mut handles = Vec::new();
    for _ in 0..readers {
        let (lock, inside, most) = (lock.clone(), inside.clone(), most.clone());
        handles.push(spawn(async move {
            let value = lock.read().await;
            inside.set(inside.get() + 1);
            most.set(most.get().max(inside.get()));
            yield_now().await; // hold the read lock while the others take theirs
            inside.set(inside.get() - 1);
            assert_eq!(*value, "initial", "readers run before the writer");
        }));
    }
    let writer = lock.clone();
    let write = spawn(async move { *writer.write().await = "written" });
    for handle in handles {
        handle.await?;
    }
    write.await?;
    let value = *lock.read().await;
    Ok((most.get(), value))
}
// ANCHOR_END: rwlock

// ANCHOR: notify
/// `Notify` wakes a waiting task without sending data. `notify_one` stores a permit when
/// nobody waits yet, so a notification sent before the `notified().await` is not lost.
///
/// Returns the order in which the two sides ran.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(
///     wasm_rs_async_executor::block_on(tokio_sync::notify_handoff()).unwrap().unwrap(),
///     ["notified early", "woken"]
/// );
/// ```
pub async fn notify_handoff() -> Result<Vec<&'static str>, JoinError> {
    let ready = Rc::new(Notify::new());
    let log = Rc::new(RefCell::new(Vec::new()));
    // Notify first: the permit is stored...
    ready.notify_one();
    log.borrow_mut().push("notified early");
    let (waiter_ready, waiter_log) = (ready.clone(), log.clone());
    let waiter = spawn(async move {
        // ...and consumed here without waiting.
        waiter_ready.notified().await;
        waiter_log.borrow_mut().push("woken");
    });
    waiter.await?;
    Ok(log.take())
}
// ANCHOR_END: notify

// ANCHOR: semaphore
/// `jobs` tasks start at once, but a `Semaphore` with `limit` permits lets at most `limit`
/// of them work at the same time (like limiting concurrent `fetch`es). Returns the most that
/// ran at once.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(wasm_rs_async_executor::block_on(tokio_sync::limited_jobs(8, 3)).unwrap().unwrap(), 3);
/// ```
pub async fn limited_jobs(jobs: usize, limit: usize) -> Result<usize, JoinError> {
    let permits = Rc::new(Semaphore::new(limit));
    let running = Rc::new(Cell::new(0));
    let most = Rc::new(Cell::new(0));
    let mut handles = Vec::new();
    for _ in 0..jobs {
        let (permits, running, most) = (permits.clone(), running.clone(), most.clone());
        handles.push(spawn(async move {
            // Err only if the semaphore is closed, which this code never does.
            let Ok(_permit) = permits.acquire().await else {
                return;
            };
            running.set(running.get() + 1);
            most.set(most.get().max(running.get()));
            for _ in 0..3 {
                yield_now().await; // the work, during which others try to start
            }
            running.set(running.get() - 1);
            // `_permit` is dropped here and lets the next job in.
        }));
    }
    for handle in handles {
        handle.await?;
    }
    Ok(most.get())
}
// ANCHOR_END: semaphore

// ANCHOR: barrier
/// `parties` tasks each do a first phase, wait at a `Barrier` until all have, then do a
/// second phase. Returns the phase log and how many tasks were told they are the leader
/// (exactly one per barrier generation).
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// let (log, leaders) = wasm_rs_async_executor::block_on(tokio_sync::two_phases(3)).unwrap().unwrap();
/// assert_eq!(log, [1, 1, 1, 2, 2, 2]);
/// assert_eq!(leaders, 1);
/// ```
pub async fn two_phases(parties: usize) -> Result<(Vec<u8>, usize), JoinError> {
    let barrier = Rc::new(Barrier::new(parties));
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut handles = Vec::new();
    for _ in 0..parties {
        let (barrier, log) = (barrier.clone(), log.clone());
        handles.push(spawn(async move {
            log.borrow_mut().push(1);
            let leader = barrier.wait().await.is_leader();
            log.borrow_mut().push(2);
            leader
        }));
    }
    let mut leaders = 0;
    for handle in handles {
        leaders += usize::from(handle.await?);
    }
    Ok((log.take(), leaders))
}
// ANCHOR_END: barrier
