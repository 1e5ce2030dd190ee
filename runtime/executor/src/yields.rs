//! Yield points: give way to other tasks, to the JS event loop, to rendering, or to idle time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::sys::{self, Environment};

/// Lets every other ready task run, then resumes: the task goes to the back of
/// the run queue. Costs no JS call; works everywhere, including full-time mode.
///
/// Use it inside long loops so that other tasks make progress. It does not let
/// the browser render (the drain goes on until its time budget is spent, then
/// yields anyway): for that use [`yield_to_event_loop`] or [`yield_animation_frame`].
///
/// ```
/// use wasm_rs_async_executor::{block_on, spawn, yield_now};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let other = spawn(async { 1 });
///     yield_now().await; // `other` runs here
///     assert!(other.is_finished());
/// })
/// .unwrap();
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow::new()
}

/// The future of [`yield_now`]: pending once, ready on the next poll.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     let y: wasm_rs_async_executor::YieldNow = wasm_rs_async_executor::yield_now();
///     y.await;
/// })
/// .unwrap();
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` them"]
pub struct YieldNow {
    yielded: bool,
}

impl YieldNow {
    pub(crate) fn new() -> Self {
        YieldNow { yielded: false }
    }
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Returns to the JS event loop and resumes in a later macrotask, after pending
/// rendering, input and other events had their turn. Uses `scheduler.yield()`
/// where the host has it (Chromium, Firefox: the task keeps its priority), otherwise a
/// macrotask (`MessageChannel`, or `setImmediate` in Node).
///
/// A `scheduler.yield()` continuation runs ahead of other tasks, so a loop that only
/// yields this way can keep timers and even rendering waiting. Measured in Chromium: a
/// `setTimeout(0)` had not run after 50 ms of back-to-back yields, and a page whose work
/// yielded this way every 50 µs rendered about every 100 ms (the Benchmarks page's
/// "scheduler.yield loop"). This executor's time slicing does not depend on it; to let a timer run, await
/// one ([`sleep`](crate::sleep)).
///
/// Errors in full-time mode ([`run_forever`](crate::run_forever) or
/// [`block_on`](crate::block_on) on wasm32), where the thread never returns to its
/// event loop. Natively, where there is no JS event loop, it behaves like
/// [`yield_now`] (timers and cross-thread wakes are collected first).
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     wasm_rs_async_executor::yield_to_event_loop().await.unwrap();
/// })
/// .unwrap();
/// ```
pub async fn yield_to_event_loop() -> Result<(), YieldError> {
    sys::event_loop_turn("yield_to_event_loop()")?.await;
    Ok(())
}

/// Waits for the next animation frame (`requestAnimationFrame`) and returns its
/// timestamp in milliseconds. Only the browser main thread has animation frames:
/// elsewhere (workers, Node, native, full-time mode) it returns an error at once.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     let err = wasm_rs_async_executor::yield_animation_frame().await.unwrap_err();
///     assert!(err.to_string().contains("browser main thread"));
/// })
/// .unwrap();
/// ```
pub async fn yield_animation_frame() -> Result<f64, YieldError> {
    Ok(sys::animation_frame()?.await)
}

/// Waits until the host is idle: `requestIdleCallback` where it exists (browser
/// main thread), otherwise falls back to one macrotask (workers, Node). Natively it
/// behaves like [`yield_now`]. Errors in full-time mode on wasm32.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     wasm_rs_async_executor::yield_idle().await.unwrap();
/// })
/// .unwrap();
/// ```
pub async fn yield_idle() -> Result<(), YieldError> {
    sys::idle_period("yield_idle()")?.await;
    Ok(())
}

/// A yield point that cannot work here, with the environments where it does.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     let err: wasm_rs_async_executor::YieldError =
///         wasm_rs_async_executor::yield_animation_frame().await.unwrap_err();
///     println!("{err}");
/// })
/// .unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YieldError {
    what: &'static str,
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Unsupported {
        works_in: &'static str,
        here: Environment,
    },
    FullTime,
}

impl YieldError {
    #[cfg_attr(all(target_family = "wasm", target_os = "unknown"), allow(dead_code))]
    pub(crate) fn unsupported(
        what: &'static str,
        works_in: &'static str,
        here: Environment,
    ) -> Self {
        YieldError {
            what,
            kind: Kind::Unsupported { works_in, here },
        }
    }

    #[cfg_attr(
        not(all(target_family = "wasm", target_os = "unknown")),
        allow(dead_code)
    )]
    pub(crate) fn full_time(what: &'static str) -> Self {
        YieldError {
            what,
            kind: Kind::FullTime,
        }
    }

    /// True when the failure comes from full-time mode (the thread is blocked in
    /// `block_on`/`run_forever` and never reaches its JS event loop).
    ///
    /// ```
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// wasm_rs_async_executor::block_on(async {
    ///     let err = wasm_rs_async_executor::yield_animation_frame().await.unwrap_err();
    ///     assert!(!err.is_full_time_mode());
    /// })
    /// .unwrap();
    /// ```
    pub fn is_full_time_mode(&self) -> bool {
        self.kind == Kind::FullTime
    }
}

impl fmt::Display for YieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Unsupported { works_in, here } => write!(
                f,
                "{} is not available in {here}; it works only on {works_in}. \
                 Use yield_to_event_loop() or yield_now() instead",
                self.what
            ),
            Kind::FullTime => write!(
                f,
                "{} cannot work in full-time mode (block_on/run_forever on wasm32): the thread \
                 never returns to the JS event loop, so no JS callback runs. Use yield_now() \
                 or sleep() instead, or spawn() the task on the event loop",
                self.what
            ),
        }
    }
}

impl std::error::Error for YieldError {}
