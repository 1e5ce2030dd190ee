//! Native threads and WASI: parking with `std::thread::park_timeout`, no event loop.
//!
//! A WASI module built without threads (`wasm32-wasip1`, `wasm32-wasip2`) has one
//! thread and std's `park`/`park_timeout` return at once there (nothing could unpark
//! it). Parking until a timer is then `std::thread::sleep`, which is WASI's
//! `poll_oneoff` on a monotonic-clock subscription (`wasi:io/poll` on p2): the module
//! sleeps in the host, it does not spin. Parking with no timer can never end, so it is
//! reported as [`RunError::Stalled`]. `wasm32-wasip1-threads` (`+atomics`) parks like a
//! native thread.

use std::future::Future;
use std::thread::{self, Thread};

use super::Environment;
use crate::Instant;
use crate::runtime::RunError;
use crate::yields::{YieldError, YieldNow};

/// Whether another thread can exist to wake a parked one: everywhere but a WASI module
/// built without threads.
pub(crate) const HAS_OTHER_THREADS: bool =
    !cfg!(all(target_os = "wasi", not(target_feature = "atomics")));

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

    #[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
    pub(crate) fn arm_macrotask(&self) {}

    #[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
    pub(crate) fn went_idle(&self) {}

    pub(crate) fn watch_remote_wakes(&self) {}

    pub(crate) fn sync_timer(&self, _earliest: Option<Instant>) {}

    pub(crate) fn timer_registered(&self, _deadline: Instant) {}

    pub(crate) fn drain_may_be_stale(&self) -> bool {
        false
    }

    #[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
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
    pub(crate) fn park(&self, deadline: Option<Instant>, tasks: usize) -> Result<(), RunError> {
        if !HAS_OTHER_THREADS {
            return match deadline {
                Some(deadline) => {
                    let now = Instant::now();
                    if deadline > now {
                        thread::sleep(deadline - now);
                    }
                    Ok(())
                }
                None => Err(RunError::Stalled { tasks }),
            };
        }
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
    if cfg!(target_os = "wasi") {
        Environment::Wasi
    } else {
        Environment::Native
    }
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
        environment(),
    ))
}

/// Natively an idle period is a trip to the back of the queue, like `event_loop_turn`.
pub(crate) fn idle_period(_what: &'static str) -> Result<impl Future<Output = ()>, YieldError> {
    Ok(YieldNow::new())
}
