//! Native threads: parking with `std::thread::park_timeout`, no event loop.

use std::future::Future;
use std::thread::{self, Thread};

use super::Environment;
use crate::Instant;
use crate::runtime::RunError;
use crate::yields::{YieldError, YieldNow};

/// Wakes the thread that owns an executor.
pub(crate) struct Unparker(Thread);

impl Unparker {
    pub(crate) fn current() -> Self {
        Unparker(thread::current())
    }

    pub(crate) fn unpark(&self) {
        self.0.unpark();
    }
}

/// Natively nothing is scheduled behind the caller's back: tasks run inside
/// `block_on`, `run_forever` or `run_until_stalled`.
pub(crate) struct Driver;

impl Driver {
    pub(crate) fn new() -> Self {
        Driver
    }

    pub(crate) fn request_drain(&self) {}

    pub(crate) fn arm_macrotask(&self) {}

    pub(crate) fn went_idle(&self) {}

    pub(crate) fn watch_remote_wakes(&self) {}

    pub(crate) fn sync_timer(&self, _earliest: Option<Instant>) {}

    pub(crate) fn slice_budget(&self, budget: std::time::Duration) -> std::time::Duration {
        budget
    }

    pub(crate) fn drain_scheduled(&self) -> bool {
        false
    }

    pub(crate) fn timer_armed(&self) -> bool {
        false
    }

    /// Sleeps until `deadline` or an unpark. Std's park token makes an unpark that
    /// raced ahead of this call return at once.
    pub(crate) fn park(&self, deadline: Option<Instant>, _tasks: usize) -> Result<(), RunError> {
        match deadline {
            Some(deadline) => {
                let now = Instant::now();
                if deadline > now {
                    thread::park_timeout(deadline - now);
                }
            }
            None => thread::park(),
        }
        Ok(())
    }
}

pub(crate) fn check_can_block() -> Result<(), RunError> {
    Ok(())
}

/// Cross-thread wakes are supported natively.
pub(crate) fn check_remote_wake() {}

pub(crate) fn environment() -> Environment {
    Environment::Native
}

/// Natively the run loop is the event loop: a turn is a trip to the back of the queue
/// (timers and cross-thread wakes are collected in between).
pub(crate) fn event_loop_turn(_what: &'static str) -> Result<impl Future<Output = ()>, YieldError> {
    Ok(YieldNow::new())
}

pub(crate) fn animation_frame() -> Result<std::future::Ready<f64>, YieldError> {
    Err(YieldError::unsupported(
        "yield_animation_frame()",
        "the browser main thread",
        Environment::Native,
    ))
}

/// Natively an idle period is a trip to the back of the queue, like `event_loop_turn`.
pub(crate) fn idle_period(_what: &'static str) -> Result<impl Future<Output = ()>, YieldError> {
    Ok(YieldNow::new())
}
