//! The browser side: the pool's workers, the job loop per worker, the worker-side server and
//! the demo.

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::pin::pin;

use futures_channel::mpsc;
use futures_util::StreamExt;
use futures_util::future::{Either, select, try_join_all};
use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_rs_worker::{WorkerHandle, spawn_worker};
use web_sys::{MessageChannel, MessageEvent, MessagePort};

use crate::{
    JobContext, PoolError, PoolOptions, Schedule, decode_result, default_worker_count, encode_job,
    run_encoded_job,
};

/// `navigator.hardwareConcurrency` of this page or worker, if the browser tells.
///
/// ```no_run
/// let n = worker_pool::default_worker_count(worker_pool::hardware_concurrency());
/// assert!(n >= 1);
/// ```
pub fn hardware_concurrency() -> Option<usize> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let count = Reflect::get(&navigator, &"hardwareConcurrency".into()).ok()?;
    count.as_f64().filter(|n| *n >= 1.0).map(|n| n as usize)
}

// ANCHOR: serve_jobs
/// The worker's side: call it first thing in the `#[wasm_bindgen]` export the pool names,
/// with your job function. It waits for the `MessagePort` the pool transfers to the worker,
/// runs `job_fn` on each job that arrives on it and posts the result back. The returned
/// future never resolves: the export stays running, so a panic in a later job is reported
/// to the pool as the worker's death.
///
/// ```no_run
/// use wasm_bindgen::prelude::*;
///
/// #[wasm_bindgen]
/// pub async fn squares_worker() -> Result<(), JsValue> {
///     worker_pool::serve_jobs(|n: u64, _context| n * n).await
/// }
/// ```
pub async fn serve_jobs<J, R, F>(job_fn: F) -> Result<(), JsValue>
where
    J: DeserializeOwned + 'static,
    R: Serialize + 'static,
    F: Fn(J, JobContext) -> R + 'static,
{
    // Before anything else yields: the port must not arrive before anyone listens.
    let port: MessagePort = wasm_rs_worker::next_message()
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .dyn_into()
        .map_err(|other| {
            JsValue::from_str(&format!(
                "serve_jobs expected the pool's MessagePort, got {other:?}: start this export \
                 with worker_pool::Pool"
            ))
        })?;
    let results = port.clone();
    let on_job = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let job = Uint8Array::new(&event.data()).to_vec();
        let result = run_encoded_job(&job, &job_fn);
        // Posting bytes on an open port does not fail.
        let _ = results.post_message(&Uint8Array::from(&result[..]));
    });
    // Setting `onmessage` starts the port: jobs already queued on it are delivered now.
    port.set_onmessage(Some(on_job.as_ref().unchecked_ref()));
    // Hello: the pool knows this side has the port and listens.
    port.post_message(&JsValue::NULL)?;
    std::future::pending::<()>().await;
    // Never reached; keeps the handler alive for as long as the worker runs.
    drop(on_job);
    Ok(())
}
// ANCHOR_END: serve_jobs

// ANCHOR: pool_worker
/// One worker of the pool: its handle, its end of a `MessageChannel` (the other end was
/// transferred to the worker), and the results that arrived on it.
struct PoolWorker {
    number: u32,
    port: MessagePort,
    results: mpsc::UnboundedReceiver<JsValue>,
    _on_result: Closure<dyn FnMut(MessageEvent)>,
    handle: WorkerHandle,
}

impl PoolWorker {
    async fn start(glue_url: &str, entry: &str, number: u32) -> Result<Self, PoolError> {
        let start_error = |e: &dyn std::fmt::Display| PoolError::Start(e.to_string());
        let channel = MessageChannel::new().map_err(|e| start_error(&describe(&e)))?;
        let port = channel.port1();
        let (tx, results) = mpsc::unbounded();
        let on_result = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let _ = tx.unbounded_send(event.data());
        });
        port.set_onmessage(Some(on_result.as_ref().unchecked_ref()));
        let handle = spawn_worker(glue_url, entry, JsValue::UNDEFINED)
            .await
            .map_err(|e| start_error(&e))?;
        // The worker's private line: `serve_jobs` waits for this port.
        let theirs = channel.port2();
        handle
            .post_message_with_transfer(&theirs, &js_sys::Array::of1(&theirs))
            .map_err(|e| start_error(&e))?;
        let mut worker = Self {
            number,
            port,
            results,
            _on_result: on_result,
            handle,
        };
        // The worker's hello (or its death, if the export fails first).
        match worker.next_message().await {
            Ok(hello) if hello.is_null() => Ok(worker),
            Ok(other) => Err(PoolError::Start(format!(
                "the worker's first message was {other:?}, not its hello: does `{entry}` call serve_jobs?"
            ))),
            Err(e) => Err(PoolError::Start(e)),
        }
    }
    // ANCHOR_END: pool_worker

    // ANCHOR: pool_worker_run
    /// The next message from the worker, or how it died (its `join()` failing: wasm-rs-worker
    /// turns a panic into that, with the message).
    async fn next_message(&mut self) -> Result<JsValue, String> {
        let message = pin!(self.results.next());
        let death = pin!(self.handle.join());
        match select(message, death).await {
            Either::Left((Some(data), _)) => Ok(data),
            Either::Left((None, _)) => Err("the worker's channel closed".into()),
            Either::Right((Err(e), _)) => Err(e.to_string()),
            Either::Right((Ok(value), _)) => Err(format!(
                "the worker's export returned ({value:?}) instead of serving jobs"
            )),
        }
    }

    /// Sends one encoded job and waits for its result, or for the worker to die.
    async fn run(&mut self, job: &[u8]) -> Result<Vec<u8>, String> {
        self.port
            .post_message(&Uint8Array::from(job))
            .map_err(|e| describe(&e))?;
        let data = self.next_message().await?;
        Ok(Uint8Array::new(&data).to_vec())
    }
}

impl Drop for PoolWorker {
    fn drop(&mut self) {
        // The handle, dropped next, terminates the worker.
        self.port.close();
    }
}
// ANCHOR_END: pool_worker_run

// ANCHOR: pool
/// A pool of workers running the export `entry` (which calls [`serve_jobs`]) on jobs of type
/// `J` with results of type `R`. Dropping it terminates every worker.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use worker_pool::{Job, Pool, PoolOptions};
///
/// let glue = wasm_rs_worker::glue_url()?;
/// let mut pool = Pool::<Job, u64>::start(&glue, "pool_worker", PoolOptions::default()).await?;
/// let jobs: Vec<Job> = (0..8).map(|i| Job::CountPrimes { start: i * 1000, end: (i + 1) * 1000 }).collect();
/// let counts = pool.run(&jobs).await?;
/// assert_eq!(counts.iter().sum::<u64>(), 1229);
/// # Ok(()) }
/// ```
pub struct Pool<J, R> {
    glue_url: String,
    entry: String,
    size: usize,
    max_attempts: u32,
    workers: Vec<PoolWorker>,
    next_number: Cell<u32>,
    _types: PhantomData<fn(J) -> R>,
}

impl<J: Serialize, R: DeserializeOwned> Pool<J, R> {
    /// Starts the workers (all at once) on this page's own module: `options.workers` of
    /// them, or [`default_worker_count`] of [`hardware_concurrency`].
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
    /// let options = worker_pool::PoolOptions { workers: Some(2), max_attempts: 2 };
    /// let pool = worker_pool::Pool::<worker_pool::Job, u64>::start(
    ///     &wasm_rs_worker::glue_url()?,
    ///     "pool_worker",
    ///     options,
    /// )
    /// .await?;
    /// assert_eq!(pool.size(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn start(
        glue_url: &str,
        entry: &str,
        options: PoolOptions,
    ) -> Result<Self, PoolError> {
        let mut pool = Self {
            glue_url: glue_url.to_owned(),
            entry: entry.to_owned(),
            size: options
                .workers
                .unwrap_or_else(|| default_worker_count(hardware_concurrency()))
                .max(1),
            max_attempts: options.max_attempts.max(1),
            workers: Vec::new(),
            next_number: Cell::new(0),
            _types: PhantomData,
        };
        pool.fill().await?;
        Ok(pool)
    }
    // ANCHOR_END: pool

    // ANCHOR: pool_run
    /// How many workers the pool runs.
    ///
    /// ```no_run
    /// # fn example(pool: &worker_pool::Pool<worker_pool::Job, u64>) {
    /// println!("{} workers", pool.size());
    /// # }
    /// ```
    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs every job, each on the next free worker, and returns the results in input
    /// order. A job whose worker dies (panics) is requeued and runs on a fresh worker, up
    /// to `max_attempts` times; then the run fails with [`PoolError::RetriesExhausted`].
    /// After a failed run the pool restarts its workers before the next one.
    ///
    /// ```no_run
    /// # async fn example(pool: &mut worker_pool::Pool<worker_pool::Job, u64>)
    /// # -> Result<(), worker_pool::PoolError> {
    /// let results = pool.run(&[worker_pool::Job::CountPrimes { start: 0, end: 100 }]).await?;
    /// assert_eq!(results, [25]);
    /// # Ok(()) }
    /// ```
    pub async fn run(&mut self, jobs: &[J]) -> Result<Vec<R>, PoolError> {
        self.fill().await?;
        let schedule = RefCell::new(Schedule::new(jobs.len(), self.max_attempts));
        let (glue_url, entry, next_number) = (&self.glue_url, &self.entry, &self.next_number);
        let outcome = try_join_all(
            self.workers
                .iter_mut()
                .map(|worker| drive(worker, &schedule, jobs, glue_url, entry, next_number)),
        )
        .await;
        if outcome.is_err() {
            // Workers may still be busy with jobs of this run: start afresh next time.
            self.workers.clear();
        }
        outcome?;
        schedule.into_inner().into_results()
    }

    /// Starts workers until there are `size`.
    async fn fill(&mut self) -> Result<(), PoolError> {
        let missing = self.size.saturating_sub(self.workers.len());
        let started = try_join_all((0..missing).map(|_| {
            PoolWorker::start(&self.glue_url, &self.entry, take_number(&self.next_number))
        }))
        .await?;
        self.workers.extend(started);
        Ok(())
    }
}

fn take_number(next: &Cell<u32>) -> u32 {
    let number = next.get();
    next.set(number + 1);
    number
}
// ANCHOR_END: pool_run

// ANCHOR: drive
/// One worker's loop: take the next job, run it, record the result; when the worker dies,
/// requeue the job and carry on with a fresh worker.
async fn drive<J: Serialize, R: DeserializeOwned>(
    worker: &mut PoolWorker,
    schedule: &RefCell<Schedule<R>>,
    jobs: &[J],
    glue_url: &str,
    entry: &str,
    next_number: &Cell<u32>,
) -> Result<(), PoolError> {
    loop {
        let Some((index, attempt)) = schedule.borrow_mut().next_job() else {
            return Ok(());
        };
        let context = JobContext {
            worker: worker.number,
            attempt,
        };
        let job = encode_job(index as u32, context, &jobs[index])?;
        match worker.run(&job).await {
            Ok(bytes) => {
                let (answered, result) = decode_result::<R>(&bytes)?;
                if answered != index {
                    return Err(PoolError::Codec(format!(
                        "job {index}'s result came back as job {answered}'s"
                    )));
                }
                schedule.borrow_mut().complete(index, result);
            }
            Err(death) => {
                schedule.borrow_mut().worker_died(index, death)?;
                // Replacing the worker drops (terminates) the dead one.
                *worker = PoolWorker::start(glue_url, entry, take_number(next_number)).await?;
            }
        }
    }
}
// ANCHOR_END: drive

impl<J, R> std::fmt::Debug for Pool<J, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("entry", &self.entry)
            .field("size", &self.size)
            .field("running", &self.workers.len())
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

fn describe(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            Reflect::get(value, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{value:?}"))
}

// ANCHOR: export
/// The export the demo's pool runs: [`run_job`](crate::run_job) on each [`Job`](crate::Job).
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = worker_pool::Pool::<worker_pool::Job, u64>::start(
///     &wasm_rs_worker::glue_url()?,
///     "pool_worker",
///     worker_pool::PoolOptions::default(),
/// )
/// .await?;
/// # drop(pool); Ok(()) }
/// ```
#[wasm_bindgen]
pub async fn pool_worker() -> Result<(), JsValue> {
    serve_jobs(crate::run_job).await
}
// ANCHOR_END: export
