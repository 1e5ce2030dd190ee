//! One async core, three hosts: a small job processor written once, with no host-specific
//! code in it, and run natively, as a WASI command under wasmtime, and on a browser's main
//! thread or in a dedicated worker.
//!
//! [`process`] feeds jobs through a bounded `tokio::sync::mpsc` channel to a fixed number of
//! worker tasks spawned on wasm-rs-async-executor, so at most [`Limits::workers`] jobs run at
//! once. Each attempt at a job runs under the executor's `timeout`; a job that fails is
//! retried after a doubling backoff (the executor's `sleep`); each result comes back through
//! a second channel. The [`Report`] lists the jobs by id and holds no timings, so every host
//! prints the same bytes for the same jobs.
//!
//! Everything here needs only a `Waker` and the executor's timers: tokio's `sync` feature
//! has no runtime, no clock and no I/O. The hosts only start the core:
//! `examples/command.rs` (native and WASI) calls `block_on` and prints the report, and
//! [`web`] (wasm32-unknown-unknown) hands it to JavaScript as a Promise.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use wasm_rs_async_executor::{sleep, spawn, timeout};

pub mod web;

// ANCHOR: types
/// A unit of work. It "works" for `work` (a timer, standing in for I/O) and fails its first
/// `fails_first` attempts (a transient error, such as a dropped connection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Identifies the job in the [`Report`], which lists jobs by id.
    pub id: u32,
    /// What the report calls the job.
    pub name: String,
    /// How long one attempt takes.
    pub work: Duration,
    /// How many attempts fail before one succeeds.
    pub fails_first: u32,
}

/// How [`process`] runs the jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Worker tasks: at most this many jobs run at once (0 counts as 1).
    pub workers: usize,
    /// How long one attempt may take. A job over it is reported as timed out, not retried.
    pub deadline: Duration,
    /// Attempts per job, the first one included (0 counts as 1).
    pub attempts: u32,
    /// The wait before the first retry; it doubles before each further retry.
    pub backoff: Duration,
}

/// How a job ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An attempt succeeded.
    Done,
    /// An attempt took longer than [`Limits::deadline`].
    TimedOut,
    /// Every allowed attempt failed; holds the last error.
    Failed(String),
}
// ANCHOR_END: types

impl Job {
    /// A job that takes `work` and succeeds at its first attempt.
    ///
    /// ```
    /// use std::time::Duration;
    /// use one_core_three_hosts::Job;
    ///
    /// let job = Job::new(1, "resize", Duration::from_millis(20));
    /// assert_eq!((job.id, job.name.as_str(), job.fails_first), (1, "resize", 0));
    /// ```
    pub fn new(id: u32, name: impl Into<String>, work: Duration) -> Self {
        Job {
            id,
            name: name.into(),
            work,
            fails_first: 0,
        }
    }

    /// The same job, failing its first `attempts` attempts.
    ///
    /// ```
    /// use std::time::Duration;
    /// use one_core_three_hosts::Job;
    ///
    /// let job = Job::new(2, "upload", Duration::from_millis(10)).failing_first(2);
    /// assert_eq!(job.fails_first, 2);
    /// ```
    pub fn failing_first(mut self, attempts: u32) -> Self {
        self.fails_first = attempts;
        self
    }
}

impl Default for Limits {
    /// Two workers, a 50 ms deadline per attempt, three attempts, 5 ms before the first retry.
    ///
    /// ```
    /// let limits = one_core_three_hosts::Limits::default();
    /// assert_eq!((limits.workers, limits.attempts), (2, 3));
    /// ```
    fn default() -> Self {
        Limits {
            workers: 2,
            deadline: Duration::from_millis(50),
            attempts: 3,
            backoff: Duration::from_millis(5),
        }
    }
}

// ANCHOR: process
/// Runs `jobs` on `limits.workers` worker tasks and reports how each one ended, sorted by id.
///
/// ```
/// use std::time::Duration;
/// use one_core_three_hosts::{Job, Limits, Outcome, process};
///
/// let jobs = vec![Job::new(1, "ping", Duration::from_millis(1))];
/// let report = wasm_rs_async_executor::block_on(process(jobs, Limits::default())).unwrap();
/// assert_eq!(report.jobs[0].outcome, Outcome::Done);
/// ```
pub async fn process(jobs: Vec<Job>, limits: Limits) -> Report {
    let workers = limits.workers.max(1);
    // Bounded: feeding waits while the queue is full, so jobs are handed out as workers free up.
    let (queue_tx, queue_rx) = mpsc::channel::<Job>(workers);
    // One receiver for all workers: each takes the lock only to wait for its next job.
    let queue = Rc::new(Mutex::new(queue_rx));
    // Unbounded: a worker never waits to hand in a result.
    let (results_tx, mut results_rx) = mpsc::unbounded_channel();
    let gauge = Rc::new(Gauge::default());
    for _ in 0..workers {
        // Detached: a worker ends by itself once the queue is closed and empty.
        drop(spawn(worker(
            queue.clone(),
            results_tx.clone(),
            limits,
            gauge.clone(),
        )));
    }
    drop(results_tx);

    for job in jobs {
        // Fails only if every worker has ended, which happens only once the queue is closed.
        if queue_tx.send(job).await.is_err() {
            break;
        }
    }
    drop(queue_tx); // closes the queue: each worker ends after the last job

    // `None` once every worker has ended and dropped its sender.
    let mut reports = Vec::new();
    while let Some(report) = results_rx.recv().await {
        reports.push(report);
    }
    reports.sort_by_key(|r| r.id);
    Report {
        jobs: reports,
        peak_in_flight: gauge.peak.get(),
    }
}
// ANCHOR_END: process

// ANCHOR: worker
async fn worker(
    queue: Rc<Mutex<mpsc::Receiver<Job>>>,
    results: mpsc::UnboundedSender<JobReport>,
    limits: Limits,
    gauge: Rc<Gauge>,
) {
    loop {
        // A statement of its own, so the lock is released at its end: held while waiting for
        // a job, not while working on it. (In `while let`, it would be held through the body.)
        let next = queue.lock().await.recv().await;
        let Some(job) = next else { return }; // closed and empty: this worker is done
        gauge.enter();
        let report = run(job, limits).await;
        gauge.leave();
        if results.send(report).is_err() {
            return; // nobody is waiting for results any more
        }
    }
}

/// One job, attempt after attempt: each under the deadline, with a doubling wait between.
async fn run(job: Job, limits: Limits) -> JobReport {
    let attempts = limits.attempts.max(1);
    let mut attempt = 1;
    let outcome = loop {
        match timeout(limits.deadline, job.attempt(attempt)).await {
            Ok(Ok(())) => break Outcome::Done,
            Err(_elapsed) => break Outcome::TimedOut,
            Ok(Err(error)) if attempt >= attempts => break Outcome::Failed(error),
            Ok(Err(_)) => {
                let doubling = 1u32.checked_shl(attempt - 1).unwrap_or(u32::MAX);
                sleep(limits.backoff.saturating_mul(doubling)).await;
                attempt += 1;
            }
        }
    };
    JobReport {
        id: job.id,
        name: job.name,
        outcome,
        attempts: attempt,
    }
}

impl Job {
    /// Attempt number `n` (from 1): works, then fails if `n` is among the first failures.
    async fn attempt(&self, n: u32) -> Result<(), String> {
        sleep(self.work).await;
        if n <= self.fails_first {
            Err(format!("transient failure on attempt {n}"))
        } else {
            Ok(())
        }
    }
}
// ANCHOR_END: worker

/// Counts the jobs running right now and the most that ever ran at once.
#[derive(Debug, Default)]
struct Gauge {
    now: Cell<usize>,
    peak: Cell<usize>,
}

impl Gauge {
    fn enter(&self) {
        self.now.set(self.now.get() + 1);
        self.peak.set(self.peak.get().max(self.now.get()));
    }

    fn leave(&self) {
        self.now.set(self.now.get() - 1);
    }
}

// ANCHOR: report
/// How one job ended, after how many attempts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobReport {
    /// The job's id.
    pub id: u32,
    /// The job's name.
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// How many attempts it took, the first one included.
    pub attempts: u32,
}

/// What [`process`] did: every job, sorted by id. Printed, it holds no timings, so the
/// same jobs print the same text on every host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// One entry per job, sorted by id.
    pub jobs: Vec<JobReport>,
    /// The most jobs that ran at once: never more than [`Limits::workers`]. Not printed: it
    /// depends on scheduling (a single worker, or jobs fewer than workers, lower it).
    pub peak_in_flight: usize,
}
// ANCHOR_END: report

// ANCHOR: report_display
impl Report {
    /// How many jobs ended with an outcome matching `which`.
    ///
    /// ```
    /// use one_core_three_hosts::{Outcome, Report};
    ///
    /// let empty = Report { jobs: Vec::new(), peak_in_flight: 0 };
    /// assert_eq!(empty.count(|o| *o == Outcome::Done), 0);
    /// ```
    pub fn count(&self, which: impl Fn(&Outcome) -> bool) -> usize {
        self.jobs.iter().filter(|j| which(&j.outcome)).count()
    }

    /// Attempts made over all jobs.
    ///
    /// ```
    /// use one_core_three_hosts::Report;
    ///
    /// assert_eq!(Report { jobs: Vec::new(), peak_in_flight: 0 }.attempts(), 0);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.jobs.iter().map(|j| j.attempts).sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for job in &self.jobs {
            let plural = if job.attempts == 1 { "" } else { "s" };
            write!(f, "job {} {}: ", job.id, job.name)?;
            match &job.outcome {
                Outcome::Done => write!(f, "done")?,
                Outcome::TimedOut => write!(f, "timed out")?,
                Outcome::Failed(error) => write!(f, "failed ({error})")?,
            }
            writeln!(f, " after {} attempt{plural}", job.attempts)?;
        }
        let (jobs, attempts) = (self.jobs.len(), self.attempts());
        write!(
            f,
            "{jobs} job{}: {} done, {} timed out, {} failed, {attempts} attempt{}",
            if jobs == 1 { "" } else { "s" },
            self.count(|o| *o == Outcome::Done),
            self.count(|o| *o == Outcome::TimedOut),
            self.count(|o| matches!(o, Outcome::Failed(_))),
            if attempts == 1 { "" } else { "s" },
        )
    }
}
// ANCHOR_END: report_display

// ANCHOR: sample
/// The jobs every host of this recipe runs: three succeed (one after two failures), one
/// runs past the deadline, one fails every attempt.
///
/// ```
/// assert_eq!(one_core_three_hosts::sample_jobs().len(), 5);
/// ```
pub fn sample_jobs() -> Vec<Job> {
    let ms = Duration::from_millis;
    vec![
        Job::new(1, "resize", ms(20)),
        Job::new(2, "upload", ms(10)).failing_first(2),
        // Far over the 50 ms deadline, so that even a stalled machine reports it timed out.
        Job::new(3, "transcode", Duration::from_secs(10)),
        Job::new(4, "notify", ms(5)).failing_first(3),
        Job::new(5, "index", ms(15)),
    ]
}
// ANCHOR_END: sample
