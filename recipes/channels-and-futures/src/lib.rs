//! async-channel and the futures combinators on wasm-rs-async-executor: a work queue shared
//! by several tasks, `select!`, `join!`, `FuturesUnordered`, a Stream pipeline, and what
//! cancelling a task or dropping a future drops, in which order.
//!
//! None of these crates knows about the executor, or about the browser: they wake tasks
//! through ordinary `Waker`s. So the same code runs natively, in Node, and on a browser's
//! main thread or in a worker.

use std::cell::RefCell;
use std::future::pending;
use std::rc::Rc;
use std::time::Duration;

use futures_util::stream::{self, FuturesUnordered};
use futures_util::{FutureExt, StreamExt, join, select};
use wasm_rs_async_executor::{JoinError, sleep, spawn, yield_now};

// ANCHOR: work_queue
/// One job done by one worker.
///
/// ```
/// let done = channels_and_futures::Done { worker: 0, job: 3, result: 9 };
/// assert_eq!(done.result, done.job * done.job);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    /// Which worker did it.
    pub worker: usize,
    /// The job.
    pub job: u64,
    /// Its result (the job squared).
    pub result: u64,
}

/// A work queue: `workers` tasks take `jobs` from one bounded async-channel (multi-producer,
/// multi-consumer: each job goes to exactly one worker) and report on another. The queue is
/// bounded, so the producer waits when the workers fall behind.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// let done = wasm_rs_async_executor::block_on(channels_and_futures::work_queue(10, 3)).unwrap().unwrap();
/// assert_eq!(done.len(), 10);
/// ```
pub async fn work_queue(jobs: u64, workers: usize) -> Result<Vec<Done>, JoinError> {
    let (queue, inbox) = async_channel::bounded::<u64>(4);
    let (report, reports) = async_channel::unbounded::<Done>();
    let mut handles = Vec::new();
    for worker in 0..workers {
        let (inbox, report) = (inbox.clone(), report.clone());
        handles.push(spawn(async move {
            // Err once the queue is closed and empty: no more work.
            while let Ok(job) = inbox.recv().await {
                let done = Done {
                    worker,
                    job,
                    result: job * job,
                };
                if report.send(done).await.is_err() {
                    break;
                }
                yield_now().await; // one job at a time: let the other workers take some
            }
        }));
    }
    drop((inbox, report)); // only the workers hold these now
    for job in 0..jobs {
        // Err only if every worker is gone.
        if queue.send(job).await.is_err() {
            break;
        }
    }
    queue.close(); // the workers drain what is queued, then see the channel closed
    for handle in handles {
        handle.await?;
    }
    // Every sender is gone: the reports are all in the channel.
    Ok(std::iter::from_fn(|| reports.try_recv().ok()).collect())
}
// ANCHOR_END: work_queue

// ANCHOR: select
/// Collects messages until a stop signal arrives, whichever comes first at each step:
/// `select!` polls both branches and runs the one that is ready.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     let (tx, messages) = async_channel::unbounded();
///     let (stop_tx, stop) = async_channel::bounded::<()>(1);
///     tx.send(1).await.unwrap();
///     stop_tx.close(); // a closed stop channel stops too
///     let got = channels_and_futures::until_stopped(messages, stop).await;
///     assert!(got.is_empty() || got == [1]);
/// })
/// .unwrap();
/// ```
pub async fn until_stopped(
    messages: async_channel::Receiver<u32>,
    stop: async_channel::Receiver<()>,
) -> Vec<u32> {
    let mut received = Vec::new();
    loop {
        select! {
            message = messages.recv().fuse() => match message {
                Ok(m) => received.push(m),
                Err(_) => break, // every sender is gone
            },
            // A stop message, or the stop channel closing, ends the loop.
            _ = stop.recv().fuse() => break,
        }
    }
    received
}
// ANCHOR_END: select

// ANCHOR: join
/// `join!` runs two futures concurrently on the current task and waits for both. The log
/// shows that the second starts before the first finishes.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// let (sum, _log) = wasm_rs_async_executor::block_on(channels_and_futures::both_at_once()).unwrap();
/// assert_eq!(sum, 5);
/// ```
pub async fn both_at_once() -> (u32, Vec<&'static str>) {
    let log = RefCell::new(Vec::new());
    let step = |what| log.borrow_mut().push(what);
    let first = async {
        step("first starts");
        sleep(Duration::from_millis(10)).await;
        step("first ends");
        2
    };
    let second = async {
        step("second starts");
        sleep(Duration::from_millis(5)).await;
        step("second ends");
        3
    };
    let (a, b) = join!(first, second);
    (a + b, log.take())
}
// ANCHOR_END: join

// ANCHOR: unordered
/// `FuturesUnordered` runs a dynamic set of futures concurrently and yields their outputs
/// in the order they *finish*, not the order they were pushed: here, lookups that take
/// `latencies_ms` each.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(
///     wasm_rs_async_executor::block_on(channels_and_futures::fastest_first(&[20, 0, 10])).unwrap(),
///     [1, 2, 0]
/// );
/// ```
pub async fn fastest_first(latencies_ms: &[u64]) -> Vec<usize> {
    let mut lookups: FuturesUnordered<_> = latencies_ms
        .iter()
        .enumerate()
        .map(|(index, &ms)| async move {
            sleep(Duration::from_millis(ms)).await;
            index
        })
        .collect();
    let mut finished = Vec::new();
    while let Some(index) = lookups.next().await {
        finished.push(index);
    }
    finished
}
// ANCHOR_END: unordered

// ANCHOR: pipeline
/// A Stream pipeline: numbers go through an async step with at most `concurrency` in flight
/// (`buffered` keeps the input order), are filtered, and the first `take` are collected.
/// `take` stops pulling as soon as it has enough: later inputs are never processed.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(
///     wasm_rs_async_executor::block_on(channels_and_futures::pipeline(100, 3, 4)).unwrap(),
///     (vec![0, 6, 12, 18], true)
/// );
/// ```
pub async fn pipeline(inputs: u64, concurrency: usize, take: usize) -> (Vec<u64>, bool) {
    let processed = RefCell::new(0u64);
    let out = stream::iter(0..inputs)
        .map(|n| {
            let processed = &processed;
            async move {
                yield_now().await; // stands for an async step: a fetch, a message round trip
                *processed.borrow_mut() += 1;
                n * 2
            }
        })
        .buffered(concurrency)
        .filter(|n| std::future::ready(n % 3 == 0))
        .take(take)
        .collect::<Vec<_>>()
        .await;
    let stopped_early = processed.into_inner() < inputs;
    (out, stopped_early)
}
// ANCHOR_END: pipeline

// ANCHOR: drop_guard
/// A shared log of what was dropped, in order.
///
/// ```
/// let log = channels_and_futures::DropLog::default();
/// log.borrow_mut().push("first");
/// assert_eq!(*log.borrow(), ["first"]);
/// ```
pub type DropLog = Rc<RefCell<Vec<&'static str>>>;

/// Records its name in the log when dropped: stands for anything with cleanup (a lock
/// guard, an open request, a DOM listener).
///
/// ```
/// use channels_and_futures::{DropLog, Guard};
///
/// let log = DropLog::default();
/// drop(Guard::new("mine", &log));
/// assert_eq!(*log.borrow(), ["mine"]);
/// ```
#[derive(Debug)]
pub struct Guard {
    name: &'static str,
    log: DropLog,
}

impl Guard {
    /// A guard that logs `name` into `log` when dropped.
    ///
    /// ```
    /// let log = channels_and_futures::DropLog::default();
    /// let _guard = channels_and_futures::Guard::new("held", &log);
    /// assert!(log.borrow().is_empty());
    /// ```
    pub fn new(name: &'static str, log: &DropLog) -> Self {
        Guard {
            name,
            log: log.clone(),
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.log.borrow_mut().push(self.name);
    }
}
// ANCHOR_END: drop_guard

// ANCHOR: drop_order
/// Holds two guards, then waits forever inside a nested future that holds a third.
/// Cancelling it (abort or drop) is the only way it ends.
async fn holds_guards(log: DropLog) {
    let _outer = Guard::new("outer", &log);
    let _inner = Guard::new("inner", &log);
    async {
        let _nested = Guard::new("nested", &log);
        pending::<()>().await;
    }
    .await;
}

/// Cancellation by abort: a spawned task is aborted while suspended. Awaiting its handle
/// then gives a cancelled `JoinError`, and the task's future has been dropped: innermost
/// first, then the locals in reverse order of declaration.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// let log = wasm_rs_async_executor::block_on(channels_and_futures::cancel_by_abort()).unwrap();
/// assert_eq!(log, ["nested", "inner", "outer", "join: cancelled"]);
/// ```
pub async fn cancel_by_abort() -> Vec<&'static str> {
    let log = DropLog::default();
    let task = spawn(holds_guards(log.clone()));
    yield_now().await; // let the task start and take its guards
    task.abort();
    let outcome = match task.await {
        Err(e) if e.is_cancelled() => "join: cancelled",
        _ => "join: not cancelled",
    };
    log.borrow_mut().push(outcome);
    log.take()
}

/// Cancellation by drop: a future that loses a `select!` is dropped when the `select!`
/// finishes, before the code after it runs. No task and no handle is involved: dropping a
/// future is how every combinator (timeout, select, take) cancels.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// let log = wasm_rs_async_executor::block_on(channels_and_futures::cancel_by_drop()).unwrap();
/// assert_eq!(log, ["nested", "inner", "outer", "after select!"]);
/// ```
pub async fn cancel_by_drop() -> Vec<&'static str> {
    let log = DropLog::default();
    select! {
        _ = holds_guards(log.clone()).fuse() => {},
        _ = sleep(Duration::from_millis(1)).fuse() => {},
    }
    log.borrow_mut().push("after select!");
    log.take()
}
// ANCHOR_END: drop_order
