//! How long to wait before the next reconnect attempt: exponential growth, a ceiling, and
//! jitter, as a pure function of the attempt number and a random number the caller draws
//! (`Math.random()` in the browser). No I/O and no clock here, so it is unit- and
//! property-tested natively; the browser client only ever *sleeps* for what it returns
//! (an async timer, never a blocking wait).

use std::time::Duration;

// ANCHOR: backoff
/// A reconnect policy: the first retry waits about `base`, each failure doubles the ceiling
/// up to `max`, and the actual wait is drawn from the upper half of the ceiling ("equal
/// jitter"), so a thousand pages that lost the same server do not all come back in the same
/// millisecond, yet none retries sooner than half the ceiling.
///
/// ```
/// use std::time::Duration;
/// use websocket_reconnect::backoff::Backoff;
/// let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
/// let first = b.next_delay(0.5);
/// assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
/// b.next_delay(0.5);
/// b.reset(); // connected: the next failure starts small again
/// assert_eq!(b.attempt(), 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    attempt: u32,
}
// ANCHOR_END: backoff

impl Backoff {
    /// A policy starting at `base` and never exceeding `max` (if `max < base`, `base` is
    /// used as both).
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = websocket_reconnect::backoff::Backoff::new(Duration::from_millis(100), Duration::from_secs(10));
    /// assert_eq!(b.max(), Duration::from_secs(10));
    /// ```
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max: max.max(base),
            attempt: 0,
        }
    }

    /// Failed attempts since the last [`Backoff::reset`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut b = websocket_reconnect::backoff::Backoff::new(Duration::from_millis(1), Duration::from_secs(1));
    /// b.next_delay(0.0);
    /// assert_eq!(b.attempt(), 1);
    /// ```
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The longest wait this policy ever returns.
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = websocket_reconnect::backoff::Backoff::new(Duration::from_secs(2), Duration::from_secs(1));
    /// assert_eq!(b.max(), Duration::from_secs(2));
    /// ```
    pub fn max(&self) -> Duration {
        self.max
    }

    // ANCHOR: next_delay
    /// The wait before the next attempt, after one more failure. `random` is a uniform
    /// number in `[0, 1)` (values outside are clamped); 0 gives the shortest wait, 1 the
    /// ceiling.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut b = websocket_reconnect::backoff::Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
    /// assert_eq!(b.next_delay(1.0), Duration::from_millis(100));
    /// assert_eq!(b.next_delay(1.0), Duration::from_millis(200));
    /// assert_eq!(b.next_delay(0.0), Duration::from_millis(200)); // half of 400 ms
    /// ```
    pub fn next_delay(&mut self, random: f64) -> Duration {
        let delay = delay(self.base, self.max, self.attempt, random);
        self.attempt = self.attempt.saturating_add(1);
        delay
    }

    /// Forgets the failures: call it once a connection is established (the peer answered
    /// `Hello`), so the next outage starts with a short wait again.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut b = websocket_reconnect::backoff::Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
    /// b.next_delay(1.0);
    /// b.next_delay(1.0);
    /// b.reset();
    /// assert_eq!(b.next_delay(1.0), Duration::from_millis(100));
    /// ```
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
    // ANCHOR_END: next_delay
}

// ANCHOR: delay
/// The wait before retry number `attempt` (0 for the first): the ceiling is
/// `min(max, base · 2^attempt)`, and the wait lies in `[ceiling / 2, ceiling]`, placed by
/// `random` (clamped to `[0, 1]`).
///
/// ```
/// use std::time::Duration;
/// use websocket_reconnect::backoff::delay;
/// let (base, max) = (Duration::from_millis(100), Duration::from_secs(5));
/// assert_eq!(delay(base, max, 3, 1.0), Duration::from_millis(800));
/// assert_eq!(delay(base, max, 30, 1.0), max);
/// assert_eq!(delay(base, max, 30, 0.0), max / 2);
/// ```
pub fn delay(base: Duration, max: Duration, attempt: u32, random: f64) -> Duration {
    let max = max.max(base);
    let ceiling = base
        .checked_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
        .map_or(max, |d| d.min(max));
    let half = ceiling / 2;
    let random = if random.is_nan() {
        0.0
    } else {
        random.clamp(0.0, 1.0)
    };
    half + (ceiling - half).mul_f64(random)
}
// ANCHOR_END: delay
