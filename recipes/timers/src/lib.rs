//! Timers with wasm-rs-async-executor: `sleep`, `timeout` and `interval`, and two patterns
//! built on them, a debounce and a retry with exponential backoff and jitter.
//!
//! Everything here uses only the executor's timers, so the same code runs natively (tests,
//! CLIs), in Node, and in a browser's main thread or worker. tokio's `time` module is not an
//! option on wasm32-unknown-unknown: it reads `std::time::Instant`, which panics there (the
//! `tokio-sync` recipe shows it). The executor's timers use `performance.now()` and one
//! shared `setTimeout` on wasm32, and a timer heap with thread parking natively.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use wasm_rs_async_executor::{Instant, interval, sleep, timeout};

// ANCHOR: deadline
/// Waits for `work`, but no longer than `limit`: `Some(output)` if it finished in time,
/// `None` if the deadline passed first (then `work` is dropped, which cancels it).
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{block_on, sleep};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let fast = timers::with_deadline(Duration::from_secs(5), async { 7 }).await;
///     assert_eq!(fast, Some(7));
///     let slow = timers::with_deadline(Duration::from_millis(2), sleep(Duration::from_secs(60))).await;
///     assert_eq!(slow, None);
/// })
/// .unwrap();
/// ```
pub async fn with_deadline<F: Future>(limit: Duration, work: F) -> Option<F::Output> {
    // `timeout` returns `Err(Elapsed)` when the limit passes first.
    timeout(limit, work).await.ok()
}
// ANCHOR_END: deadline

// ANCHOR: interval
/// Calls `sample` once per `period`, `count` times, and returns each sample with the time
/// since the first tick. The first tick is immediate; if the thread was busy past a tick,
/// the next one is scheduled a full period later (missed ticks are skipped, not bunched).
///
/// ```
/// use std::time::Duration;
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     let mut n = 0;
///     let samples = timers::sample_every(Duration::from_millis(2), 3, || {
///         n += 1;
///         n
///     })
///     .await;
///     assert_eq!(samples.iter().map(|s| s.1).collect::<Vec<_>>(), [1, 2, 3]);
/// })
/// .unwrap();
/// ```
pub async fn sample_every<T>(
    period: Duration,
    count: usize,
    mut sample: impl FnMut() -> T,
) -> Vec<(Duration, T)> {
    let mut ticks = interval(period);
    let mut first: Option<Instant> = None;
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let scheduled = ticks.tick().await;
        let start = *first.get_or_insert(scheduled);
        samples.push((scheduled - start, sample()));
    }
    samples
}
// ANCHOR_END: interval

// ANCHOR: debounce
/// Passes on an item of `input` only once `quiet` has passed without a newer one: a burst
/// of items becomes its last item. When `input` ends, the pending item is passed on at once.
///
/// Typical use: search-as-you-type, where each keystroke is an item and only the text the
/// user paused on should be sent.
///
/// ```
/// use std::time::Duration;
/// use futures_util::{StreamExt, stream};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     let typed = stream::iter(["r", "ru", "rus", "rust"]);
///     let sent: Vec<_> = timers::debounce(typed, Duration::from_millis(20)).collect().await;
///     assert_eq!(sent, ["rust"]);
/// })
/// .unwrap();
/// ```
pub fn debounce<S>(input: S, quiet: Duration) -> impl Stream<Item = S::Item>
where
    S: Stream + Unpin,
{
    futures_util::stream::unfold(
        (input.fuse(), None),
        move |(mut input, mut pending)| async move {
            loop {
                let Some(latest) = pending.take() else {
                    // Nothing pending: wait as long as it takes for the next item.
                    pending = Some(input.next().await?);
                    continue;
                };
                // Something pending: a newer item within `quiet` replaces it.
                match timeout(quiet, input.next()).await {
                    Ok(Some(newer)) => pending = Some(newer),
                    // The input ended (a fused stream keeps returning `None`) or went quiet.
                    Ok(None) | Err(_) => return Some((latest, (input, None))),
                }
            }
        },
    )
}
// ANCHOR_END: debounce

// ANCHOR: backoff
/// Exponential backoff with "full jitter": before retry `n` (0-based), wait a random
/// duration between zero and `min(max, first × 2ⁿ)`.
///
/// The jitter spreads out clients that failed at the same moment, so they do not all retry
/// in lockstep (the analysis is in the AWS Architecture Blog post "Exponential Backoff And
/// Jitter", 2015). For that, each client needs its own `seed`: a session or client id, or
/// random bits (`js_sys::Math::random()` in a browser, the `getrandom` crate anywhere).
/// A fixed seed gives reproducible delays, which is what tests want.
///
/// ```
/// use std::time::Duration;
///
/// let mut backoff = timers::Backoff::new(Duration::from_millis(10), Duration::from_secs(1), 5, 42);
/// for retry in 0..10 {
///     let ceiling = Duration::from_millis(10 * 2u64.pow(retry)).min(Duration::from_secs(1));
///     assert!(backoff.delay(retry) <= ceiling);
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    attempts: u32,
    rng: fastrand::Rng,
}

impl Backoff {
    /// A policy of at most `attempts` calls (at least one), waiting up to `first` before the
    /// first retry, doubling up to `max`, with jitter drawn from a generator seeded by `seed`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let backoff = timers::Backoff::new(Duration::from_millis(50), Duration::from_secs(5), 4, 7);
    /// assert_eq!(backoff.attempts(), 4);
    /// ```
    pub fn new(first: Duration, max: Duration, attempts: u32, seed: u64) -> Self {
        Backoff {
            first,
            max,
            attempts: attempts.max(1),
            rng: fastrand::Rng::with_seed(seed),
        }
    }
    // ANCHOR_END: backoff

    // ANCHOR: backoff_delay
    /// How many times [`retry`] calls the operation at most.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let backoff = timers::Backoff::new(Duration::ZERO, Duration::ZERO, 0, 1);
    /// assert_eq!(backoff.attempts(), 1, "an operation is always tried once");
    /// ```
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The ceiling for retry `n`: `min(max, first × 2ⁿ)`, without overflow for large `n`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let backoff = timers::Backoff::new(Duration::from_millis(10), Duration::from_millis(50), 9, 1);
    /// assert_eq!(backoff.ceiling(0), Duration::from_millis(10));
    /// assert_eq!(backoff.ceiling(2), Duration::from_millis(40));
    /// assert_eq!(backoff.ceiling(3), Duration::from_millis(50));
    /// assert_eq!(backoff.ceiling(200), Duration::from_millis(50));
    /// ```
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }

    /// The delay before retry `n`: uniformly random in `0..=ceiling(n)`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut backoff = timers::Backoff::new(Duration::from_millis(8), Duration::from_secs(1), 3, 9);
    /// assert!(backoff.delay(1) <= Duration::from_millis(16));
    /// ```
    pub fn delay(&mut self, retry: u32) -> Duration {
        self.ceiling(retry).mul_f64(self.rng.f64())
    }
}
// ANCHOR_END: backoff_delay

// ANCHOR: retry
/// Calls `operation` until it succeeds or `backoff.attempts()` calls have failed, sleeping
/// [`Backoff::delay`] between calls. On failure, returns every attempt's count and the
/// last error.
///
/// ```
/// use std::time::Duration;
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     let mut backoff = timers::Backoff::new(Duration::from_millis(1), Duration::from_millis(4), 5, 3);
///     let mut calls = 0;
///     let answer = timers::retry(&mut backoff, || {
///         calls += 1;
///         let ok = calls == 3;
///         async move { if ok { Ok(42) } else { Err("not yet") } }
///     })
///     .await;
///     assert_eq!(answer, Ok(42));
///     assert_eq!(calls, 3);
/// })
/// .unwrap();
/// ```
pub async fn retry<T, E, F, Op>(backoff: &mut Backoff, mut operation: Op) -> Result<T, GaveUp<E>>
where
    Op: FnMut() -> F,
    F: Future<Output = Result<T, E>>,
{
    let mut retry = 0;
    loop {
        match operation().await {
            Ok(value) => return Ok(value),
            Err(last) if retry + 1 >= backoff.attempts => {
                return Err(GaveUp {
                    attempts: retry + 1,
                    last,
                });
            }
            Err(_) => {
                sleep(backoff.delay(retry)).await;
                retry += 1;
            }
        }
    }
}

/// [`retry`] gave up: every allowed attempt failed. Holds the last error.
///
/// ```
/// let gave_up = timers::GaveUp { attempts: 3, last: "connection refused" };
/// assert!(gave_up.to_string().starts_with("gave up after 3 attempts: connection refused"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaveUp<E> {
    /// How many times the operation was called.
    pub attempts: u32,
    /// The error of the last call.
    pub last: E,
}
// ANCHOR_END: retry

impl<E: fmt::Display> fmt::Display for GaveUp<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gave up after {} attempts: {}; if the failure is transient, allow more attempts \
             or a larger maximum delay in the Backoff",
            self.attempts, self.last
        )
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for GaveUp<E> {}
