//! wasm32 (JS hosts and WASI): `std::thread::park` returns at once there, so futures'
//! blocking executors would spin without polling, forever. The cell's future is wrapped
//! so that it wakes itself on every poll and gives up after the watchdog's time.
//!
//! Not target-gated, so that both wasm32 platform modules (`web` and `wasi`) share it;
//! natively nothing uses it.
#![cfg_attr(not(target_family = "wasm"), allow(dead_code))]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use wasm_rs_async_executor::Instant;

/// Wakes `task` on every poll and ends it, unfinished, after `limit`: turns the endless
/// `thread::park` spin of a blocking executor into polls that can stop.
pub(crate) fn spin_watchdog(
    task: impl Future<Output = ()> + 'static,
    limit: Duration,
) -> impl Future<Output = ()> {
    SpinWatchdog {
        task: Box::pin(task),
        started: Instant::now(),
        limit,
    }
}

struct SpinWatchdog {
    task: Pin<Box<dyn Future<Output = ()>>>,
    started: Instant,
    limit: Duration,
}

impl Future for SpinWatchdog {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.started.elapsed() > self.limit {
            return Poll::Ready(());
        }
        let poll = self.task.as_mut().poll(cx);
        if poll.is_pending() {
            cx.waker().wake_by_ref();
        }
        poll
    }
}
