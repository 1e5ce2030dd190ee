//! A worker pool: `hardwareConcurrency - 1` workers (two at least on two cores), one job
//! queue, results in input order, and a job whose worker dies retried on a fresh worker.
//!
//! # Why
//!
//! One worker keeps the page responsive; several use the machine's other cores. What a pool
//! adds over "start n workers" is the bookkeeping people get wrong: handing the next job to
//! whichever worker is free, putting results back in input order, noticing that a worker
//! died (a panic aborts its whole wasm instance) and running its job again elsewhere without
//! retrying a poisoned job forever, and terminating the workers when the pool goes away.
//!
//! # How
//!
//! - [`Schedule`] is that bookkeeping, plain Rust, tested natively: the queue of job
//!   indices, the attempts per job, the results by index.
//! - On wasm32, `Pool` starts the workers with wasm-rs-worker's `spawn_worker`, each on an
//!   export of your module that calls `serve_jobs` with your job function. Jobs and results
//!   travel as postcard bytes over `postMessage`, on a `MessageChannel` per worker whose
//!   second port the pool transfers to the worker. A worker's
//!   death is its `join()` failing (wasm-rs-worker forwards the panic message); the pool
//!   drops that worker, starts a fresh one and requeues the job, up to
//!   [`PoolOptions::max_attempts`] attempts per job.
//! - [`default_worker_count`]: `navigator.hardwareConcurrency - 1`, but at least two on a
//!   machine with two or more cores: a page running a pool mostly waits for its results.
//!
//! # Why postMessage, not shared channels
//!
//! Pool jobs are coarse (milliseconds of CPU each), so a 30 µs `postMessage` hop is noise;
//! a pool worker has nothing to do between jobs, so it can sit in its event loop like any
//! worker; and `postMessage` needs no `SharedArrayBuffer`, so the pool runs on pages that
//! are not cross-origin isolated and in WebKit. Shared channels pay off for many small
//! messages or a worker that never returns to its event loop: see the shared-channel-worker
//! recipe.

use std::collections::VecDeque;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[cfg(target_arch = "wasm32")]
mod demo;
#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub use demo::run_demo;
#[cfg(target_arch = "wasm32")]
pub use web::{Pool, hardware_concurrency, pool_worker, serve_jobs};

// ANCHOR: options
/// How many workers, and how often a job may be tried.
///
/// ```
/// let options = worker_pool::PoolOptions { workers: Some(2), ..Default::default() };
/// assert_eq!(options.max_attempts, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// The number of workers; `None` for [`default_worker_count`].
    pub workers: Option<usize>,
    /// How many times one job may be started before the pool gives up on it (1 = no retry).
    pub max_attempts: u32,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            workers: None,
            max_attempts: 3,
        }
    }
}

/// `hardware_concurrency - 1`, but at least 2 on a machine with two or more cores, and 1 on
/// a single core. `None` (a browser that hides the count) gives 2.
///
/// Why not simply one worker per core, minus one for the main thread: on a 2-core machine,
/// common among laptops and CI runners, that is one worker, which gives no parallelism at
/// all. A page that runs a pool is mostly waiting for its results, so its main thread needs
/// little of a core, and two workers can use both cores (the Speedup section of the
/// worker-pool page shows what they measured, `cargo xtask bench --suite worker-pool`).
/// A single core gets one worker, since a second would only add memory and switching.
///
/// ```
/// use worker_pool::default_worker_count;
/// assert_eq!(default_worker_count(Some(8)), 7);
/// assert_eq!(default_worker_count(Some(3)), 2);
/// assert_eq!(default_worker_count(Some(2)), 2);
/// assert_eq!(default_worker_count(Some(1)), 1);
/// assert_eq!(default_worker_count(None), 2);
/// ```
pub fn default_worker_count(hardware_concurrency: Option<usize>) -> usize {
    match hardware_concurrency {
        Some(0 | 1) => 1,
        Some(cores) => (cores - 1).max(2),
        None => 2,
    }
}
// ANCHOR_END: options

/// What a job function learns about where it runs: which worker (numbered from 0 in start
/// order; a replacement worker gets the next number) and which attempt (from 1).
///
/// ```
/// let context = worker_pool::JobContext { worker: 0, attempt: 1 };
/// assert!(!context.is_retry());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobContext {
    /// The worker's number.
    pub worker: u32,
    /// 1 for the first try, 2 for the first retry, ...
    pub attempt: u32,
}

impl JobContext {
    /// Whether an earlier attempt of this job killed its worker.
    ///
    /// ```
    /// assert!(worker_pool::JobContext { worker: 3, attempt: 2 }.is_retry());
    /// ```
    pub fn is_retry(&self) -> bool {
        self.attempt > 1
    }
}

// ANCHOR: schedule
/// The pool's bookkeeping: which jobs wait, how often each was tried, and the results by
/// input index.
///
/// ```
/// use worker_pool::Schedule;
/// let mut schedule = Schedule::<u32>::new(2, 2);
/// let (first, attempt) = schedule.next_job().unwrap();
/// assert_eq!((first, attempt), (0, 1));
/// // Its worker died: the job goes back to the front of the queue.
/// schedule.worker_died(first, "panicked".into()).unwrap();
/// assert_eq!(schedule.next_job(), Some((0, 2)));
/// schedule.complete(0, 10);
/// assert_eq!(schedule.next_job(), Some((1, 1)));
/// schedule.complete(1, 11);
/// assert_eq!(schedule.into_results().unwrap(), [10, 11]);
/// ```
#[derive(Debug)]
pub struct Schedule<R> {
    waiting: VecDeque<usize>,
    attempts: Vec<u32>,
    results: Vec<Option<R>>,
    max_attempts: u32,
}

impl<R> Schedule<R> {
    /// A schedule of `jobs` jobs, each tried at most `max_attempts` times (at least once).
    ///
    /// ```
    /// let schedule = worker_pool::Schedule::<()>::new(3, 1);
    /// assert_eq!(schedule.remaining(), 3);
    /// ```
    pub fn new(jobs: usize, max_attempts: u32) -> Self {
        Self {
            waiting: (0..jobs).collect(),
            attempts: vec![0; jobs],
            results: (0..jobs).map(|_| None).collect(),
            max_attempts: max_attempts.max(1),
        }
    }

    /// The next job to start and its attempt number, or `None` when none waits (others may
    /// still be running, and may come back through [`worker_died`](Self::worker_died)).
    ///
    /// ```
    /// let mut schedule = worker_pool::Schedule::<()>::new(1, 1);
    /// assert_eq!(schedule.next_job(), Some((0, 1)));
    /// assert_eq!(schedule.next_job(), None);
    /// ```
    pub fn next_job(&mut self) -> Option<(usize, u32)> {
        let index = self.waiting.pop_front()?;
        self.attempts[index] += 1;
        Some((index, self.attempts[index]))
    }
    // ANCHOR_END: schedule

    // ANCHOR: schedule_results
    /// Records job `index`'s result.
    ///
    /// ```
    /// let mut schedule = worker_pool::Schedule::new(1, 1);
    /// schedule.next_job();
    /// schedule.complete(0, "done");
    /// assert_eq!(schedule.remaining(), 0);
    /// ```
    pub fn complete(&mut self, index: usize, result: R) {
        self.results[index] = Some(result);
    }

    /// Job `index` was running on a worker that died with `error`: it goes back to the front
    /// of the queue, or, if it has had all its attempts, the run fails with
    /// [`PoolError::RetriesExhausted`].
    ///
    /// ```
    /// use worker_pool::{PoolError, Schedule};
    /// let mut schedule = Schedule::<()>::new(1, 1);
    /// schedule.next_job();
    /// let error = schedule.worker_died(0, "boom".into()).unwrap_err();
    /// assert!(matches!(error, PoolError::RetriesExhausted { job: 0, attempts: 1, .. }));
    /// ```
    pub fn worker_died(&mut self, index: usize, error: String) -> Result<(), PoolError> {
        if self.attempts[index] >= self.max_attempts {
            return Err(PoolError::RetriesExhausted {
                job: index,
                attempts: self.attempts[index],
                last_error: error,
            });
        }
        self.waiting.push_front(index);
        Ok(())
    }

    /// How many jobs have no result yet (waiting or running).
    ///
    /// ```
    /// assert_eq!(worker_pool::Schedule::<u8>::new(4, 1).remaining(), 4);
    /// ```
    pub fn remaining(&self) -> usize {
        self.results.iter().filter(|r| r.is_none()).count()
    }

    /// The results in input order, once every job has one; otherwise the first job without
    /// a result, as [`PoolError::Unfinished`].
    ///
    /// ```
    /// let schedule = worker_pool::Schedule::<u8>::new(1, 1);
    /// assert!(schedule.into_results().is_err());
    /// ```
    pub fn into_results(self) -> Result<Vec<R>, PoolError> {
        self.results
            .into_iter()
            .enumerate()
            .map(|(job, r)| r.ok_or(PoolError::Unfinished { job }))
            .collect()
    }
}
// ANCHOR_END: schedule_results

// ANCHOR: error
/// Why a pool could not run a job set. Each message says what to do next.
///
/// ```
/// let e = worker_pool::PoolError::RetriesExhausted {
///     job: 4,
///     attempts: 3,
///     last_error: "the worker panicked: index out of bounds".into(),
/// };
/// assert!(e.to_string().contains("job 4"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// A worker could not be started (the first ones, or a replacement).
    #[error("a pool worker could not be started: {0}")]
    Start(String),
    /// Every attempt of a job killed its worker.
    #[error(
        "job {job} killed its worker on each of its {attempts} attempts (last: {last_error}); \
         fix the job (its panic message is above) or raise PoolOptions::max_attempts"
    )]
    RetriesExhausted {
        /// The job's index in the input.
        job: usize,
        /// How many times it was started.
        attempts: u32,
        /// How its last worker died.
        last_error: String,
    },
    /// A job or a result did not encode or decode: both sides must use the same types.
    #[error(
        "a job or its result could not be (de)serialized ({0}): the pool and the worker's \
         serve_jobs must use the same job and result types"
    )]
    Codec(String),
    /// The run ended with a job that has no result (a bug in the pool).
    #[error("job {job} finished without a result: please report this")]
    Unfinished {
        /// The job's index in the input.
        job: usize,
    },
}
// ANCHOR_END: error

// ANCHOR: wire
/// A job as it travels to a worker.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct JobMessage<J> {
    pub(crate) index: u32,
    pub(crate) context: JobContext,
    pub(crate) job: J,
}

/// A result as it travels back: the job's output, or why the job could not be read.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ResultMessage<R> {
    pub(crate) index: u32,
    pub(crate) output: Result<R, String>,
}

/// The worker's side of one job: decodes it, runs `job_fn`, encodes the result. A job
/// that does not decode is answered with an error, not a panic.
///
/// ```
/// use worker_pool::{JobContext, run_encoded_job};
/// let job = worker_pool::encode_job(7, JobContext { worker: 0, attempt: 1 }, &6u64).unwrap();
/// let result = run_encoded_job(&job, |n: u64, _| n * 7);
/// assert_eq!(worker_pool::decode_result::<u64>(&result).unwrap(), (7, 42));
/// ```
pub fn run_encoded_job<J, R>(bytes: &[u8], job_fn: impl FnOnce(J, JobContext) -> R) -> Vec<u8>
where
    J: DeserializeOwned,
    R: Serialize,
{
    let message = match postcard::from_bytes::<JobMessage<J>>(bytes) {
        Ok(message) => ResultMessage {
            index: message.index,
            output: Ok(job_fn(message.job, message.context)),
        },
        Err(e) => ResultMessage::<R> {
            // The index is the message's first field: read it on its own if it is there.
            index: postcard::take_from_bytes::<u32>(bytes).map_or(u32::MAX, |(i, _)| i),
            output: Err(e.to_string()),
        },
    };
    // Encoding into a Vec fails only for types serde cannot represent in postcard.
    postcard::to_allocvec(&message).unwrap_or_default()
}
// ANCHOR_END: wire

// ANCHOR: codec
/// Encodes job `index` for a worker (the pool does this).
///
/// ```
/// let bytes = worker_pool::encode_job(0, worker_pool::JobContext { worker: 0, attempt: 1 }, &1u8);
/// assert!(bytes.is_ok());
/// ```
pub fn encode_job<J: Serialize>(
    index: u32,
    context: JobContext,
    job: &J,
) -> Result<Vec<u8>, PoolError> {
    postcard::to_allocvec(&JobMessage {
        index,
        context,
        job,
    })
    .map_err(|e| PoolError::Codec(e.to_string()))
}

/// Decodes a worker's result into `(index, output)` (the pool does this).
///
/// ```
/// use worker_pool::{JobContext, decode_result, encode_job, run_encoded_job};
/// let job = encode_job(2, JobContext { worker: 0, attempt: 1 }, &"hi".to_string()).unwrap();
/// let result = run_encoded_job(&job, |s: String, _| s.len());
/// assert_eq!(decode_result::<usize>(&result).unwrap(), (2, 2));
/// ```
pub fn decode_result<R: DeserializeOwned>(bytes: &[u8]) -> Result<(usize, R), PoolError> {
    let message: ResultMessage<R> =
        postcard::from_bytes(bytes).map_err(|e| PoolError::Codec(e.to_string()))?;
    let output = message.output.map_err(PoolError::Codec)?;
    Ok((message.index as usize, output))
}
// ANCHOR_END: codec

// ANCHOR: jobs
/// The CPU-bound job of the tests and the benchmark: counts the primes in `range` by trial
/// division (deliberately slow: about a millisecond per few thousand numbers).
///
/// ```
/// assert_eq!(worker_pool::count_primes(0..30), 10);
/// assert_eq!(worker_pool::count_primes(100..110), 4);
/// ```
pub fn count_primes(range: std::ops::Range<u64>) -> u64 {
    range
        .filter(|&n| n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
        .count() as u64
}

/// The jobs of the demo's pool.
///
/// ```
/// use worker_pool::{Job, JobContext, run_job};
/// let first = JobContext { worker: 0, attempt: 1 };
/// assert_eq!(run_job(Job::CountPrimes { start: 0, end: 30 }, first), 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Job {
    /// Count the primes in `start..end` with [`count_primes`].
    CountPrimes {
        /// First number tested.
        start: u64,
        /// One past the last number tested.
        end: u64,
    },
    /// Panic, killing the worker, on attempts `1..=attempts`; on a later attempt answer the
    /// number of the worker it ran on. Shows (and tests) the pool's retries.
    Crash {
        /// How many attempts panic.
        attempts: u32,
    },
}
// ANCHOR_END: jobs

// ANCHOR: run_job
/// The worker's job function for [`Job`].
///
/// ```
/// use worker_pool::{Job, JobContext, run_job};
/// let retry = JobContext { worker: 5, attempt: 2 };
/// assert_eq!(run_job(Job::Crash { attempts: 1 }, retry), 5);
/// ```
pub fn run_job(job: Job, context: JobContext) -> u64 {
    match job {
        Job::CountPrimes { start, end } => count_primes(start..end),
        Job::Crash { attempts } if context.attempt <= attempts => panic!(
            "Job::Crash on attempt {} of worker #{} (it panics on attempts 1..={attempts})",
            context.attempt, context.worker
        ),
        Job::Crash { .. } => u64::from(context.worker),
    }
}

/// `chunks` [`Job::CountPrimes`] jobs of `chunk` numbers each, covering `0..chunks * chunk`.
///
/// ```
/// let jobs = worker_pool::prime_jobs(2, 10);
/// assert_eq!(jobs[1], worker_pool::Job::CountPrimes { start: 10, end: 20 });
/// ```
pub fn prime_jobs(chunks: u64, chunk: u64) -> Vec<Job> {
    (0..chunks)
        .map(|i| Job::CountPrimes {
            start: i * chunk,
            end: (i + 1) * chunk,
        })
        .collect()
}
// ANCHOR_END: run_job
