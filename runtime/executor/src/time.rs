//! Timers: `sleep`, `sleep_until`, `timeout`, `interval`.
//!
//! All timers of a thread live in its executor's timer heap. On wasm32 the earliest
//! one is armed as a single JS `setTimeout` (none while no timer is pending); in
//! full-time mode and natively the blocked thread sleeps until the earliest one.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::Instant;
use crate::runtime;

/// Waits for `duration`. Never blocks the thread: other tasks and the JS event loop
/// go on meanwhile.
///
/// The timer lives in this thread's executor. On wasm32 it fires from the JS event
/// loop even if the `Sleep` is polled by another executor; natively it fires while
/// this crate's [`block_on`](crate::block_on), [`run_forever`](crate::run_forever)
/// or [`run_until_stalled`](crate::run_until_stalled) runs on the thread.
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{Instant, block_on, sleep};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let start = Instant::now();
///     sleep(Duration::from_millis(10)).await;
///     assert!(start.elapsed() >= Duration::from_millis(10));
/// })
/// .unwrap();
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    sleep_until(now.checked_add(duration).unwrap_or_else(far_future))
}

/// Waits until `deadline`. A deadline in the past completes on the first poll.
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{Instant, block_on, sleep_until};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(5);
///     sleep_until(deadline).await;
///     assert!(Instant::now() >= deadline);
/// })
/// .unwrap();
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        id: None,
        _thread_bound: PhantomData,
    }
}

fn far_future() -> Instant {
    // About 30 years: "never" for a timer, still representable on every platform.
    Instant::now() + Duration::from_secs(86_400 * 365 * 30)
}

/// The future of [`sleep`] and [`sleep_until`].
///
/// It belongs to the thread that polls it (its timer lives in that thread's
/// executor), so it is `!Send`. Dropping it cancels the timer.
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{Sleep, sleep};
///
/// let s: Sleep = sleep(Duration::from_secs(1));
/// assert!(s.deadline() > wasm_rs_async_executor::Instant::now());
/// ```
#[must_use = "futures do nothing unless you `.await` them"]
pub struct Sleep {
    deadline: Instant,
    id: Option<runtime::TimerId>,
    _thread_bound: PhantomData<*const ()>,
}

impl Sleep {
    /// When this sleep completes.
    ///
    /// ```
    /// use std::time::Duration;
    /// use wasm_rs_async_executor::{Instant, sleep_until};
    ///
    /// let at = Instant::now() + Duration::from_millis(3);
    /// assert_eq!(sleep_until(at).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Moves the deadline (the timer is re-registered on the next poll).
    ///
    /// ```
    /// use std::time::Duration;
    /// use wasm_rs_async_executor::{Instant, sleep};
    ///
    /// let mut s = sleep(Duration::from_secs(60));
    /// let sooner = Instant::now();
    /// s.reset(sooner);
    /// assert_eq!(s.deadline(), sooner);
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.cancel();
        self.deadline = deadline;
    }

    fn cancel(&mut self) {
        if let Some(id) = self.id.take() {
            // Ignored during thread shutdown: the executor and its timers are gone.
            let _ = runtime::try_with(|rt| rt.cancel_timer(id));
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            self.cancel();
            return Poll::Ready(());
        }
        let this = &mut *self;
        runtime::with(|rt| rt.register_timer(this.deadline, &mut this.id, cx.waker()));
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .finish()
    }
}

/// Runs `future` for at most `duration`: `Ok(output)` if it completes in time,
/// `Err(Elapsed)` otherwise (the future is then dropped with the `Timeout`).
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{block_on, sleep, timeout};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     assert_eq!(timeout(Duration::from_secs(5), async { 7 }).await, Ok(7));
///     let slow = sleep(Duration::from_secs(5));
///     assert!(timeout(Duration::from_millis(5), slow).await.is_err());
/// })
/// .unwrap();
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep(duration),
        duration,
    }
}

pin_project! {
    /// The future of [`timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use wasm_rs_async_executor::{Timeout, timeout};
    ///
    /// let t: Timeout<std::future::Ready<u8>> = timeout(Duration::from_secs(1), std::future::ready(1));
    /// # drop(t);
    /// ```
    #[must_use = "futures do nothing unless you `.await` them"]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
        duration: Duration,
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match Pin::new(this.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed {
                duration: *this.duration,
            })),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("duration", &self.duration)
            .finish_non_exhaustive()
    }
}

/// The error of [`timeout`]: the future did not complete in time.
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{block_on, timeout};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let err = timeout(Duration::ZERO, std::future::pending::<()>()).await.unwrap_err();
///     assert!(err.to_string().contains("did not complete"));
/// })
/// .unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed {
    duration: Duration,
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the future did not complete within {:?}: give it a longer timeout, or handle the \
             timeout as a normal outcome",
            self.duration
        )
    }
}

impl std::error::Error for Elapsed {}

/// Ticks every `period`, the first tick at once. If ticks are missed (the task was
/// busy), the next tick comes one `period` after the late one: no burst of catch-up
/// ticks. A zero `period` is raised to 1 ms.
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{Instant, block_on, interval};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let start = Instant::now();
///     let mut every = interval(Duration::from_millis(5));
///     for _ in 0..3 {
///         every.tick().await;
///     }
///     assert!(start.elapsed() >= Duration::from_millis(10));
/// })
/// .unwrap();
/// ```
pub fn interval(period: Duration) -> Interval {
    let period = period.max(Duration::from_millis(1));
    Interval {
        period,
        sleep: sleep_until(Instant::now()),
    }
}

/// The stream of ticks of [`interval`].
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{Interval, interval};
///
/// let every: Interval = interval(Duration::from_millis(16));
/// assert_eq!(every.period(), Duration::from_millis(16));
/// ```
#[derive(Debug)]
pub struct Interval {
    period: Duration,
    sleep: Sleep,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled time.
    ///
    /// ```
    /// use std::time::Duration;
    /// use wasm_rs_async_executor::{block_on, interval};
    ///
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// block_on(async {
    ///     let mut every = interval(Duration::from_millis(2));
    ///     let first = every.tick().await;
    ///     let second = every.tick().await;
    ///     assert!(second >= first + Duration::from_millis(2));
    /// })
    /// .unwrap();
    /// ```
    pub async fn tick(&mut self) -> Instant {
        std::future::poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick (for use in a hand-written `Future` or `Stream`).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use std::time::Duration;
    /// use wasm_rs_async_executor::interval;
    ///
    /// let mut every = interval(Duration::from_secs(1));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(every.poll_tick(&mut cx).is_ready()); // the first tick is immediate
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        match Pin::new(&mut self.sleep).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => {
                let scheduled = self.sleep.deadline();
                let now = Instant::now();
                let mut next = scheduled + self.period;
                if next <= now {
                    next = now + self.period;
                }
                self.sleep.reset(next);
                Poll::Ready(scheduled)
            }
        }
    }

    /// The time between ticks.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(wasm_rs_async_executor::interval(Duration::ZERO).period(), Duration::from_millis(1));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }
}
