//! Platform layer: everything that differs between the JS event loop
//! (`wasm32-unknown-unknown`) and threads (native, and WASI) lives behind this one
//! module, with the same API on both.
//!
//! - [`Driver`]: schedules drains and the earliest timer on the host's event loop
//!   (wasm32) and parks a blocked thread until a timer or a wake.
//! - [`Unparker`]: wakes a parked thread from another thread.
//! - the yield primitives behind `yield_to_event_loop`, `yield_animation_frame`
//!   and `yield_idle`, and [`environment`].

use std::fmt;
use std::sync::{Mutex, MutexGuard};

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
mod native;
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
pub(crate) use native::*;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub(crate) use web::*;

/// Locks one of the executor's two cross-thread locks (the executor registry and a
/// cross-thread wake queue); each is held for a few instructions only.
///
/// In a wasm threads build (`+atomics`) a contended `Mutex::lock` waits in
/// `memory.atomic.wait32`, which traps on the browser main thread (tokio #7205,
/// wasm-bindgen-rayon #36). There the lock is taken with `try_lock` in a loop instead,
/// which only ever waits for another thread to finish those few instructions.
/// Everywhere else it is a plain `lock`.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(all(
        all(target_family = "wasm", target_os = "unknown"),
        target_feature = "atomics"
    ))]
    loop {
        match mutex.try_lock() {
            Ok(guard) => return guard,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => std::hint::spin_loop(),
        }
    }
    #[cfg(not(all(
        all(target_family = "wasm", target_os = "unknown"),
        target_feature = "atomics"
    )))]
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where this code runs, from [`environment`](crate::environment()).
///
/// ```
/// use wasm_rs_async_executor::{Environment, environment};
///
/// let here = environment();
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(here, Environment::Native);
/// println!("running in {here}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// A native (non-wasm) target: threads, `block_on`, no JS.
    Native,
    /// A browser window's main thread: never blocks, has `requestAnimationFrame`.
    BrowserMain,
    /// A browser worker (`WorkerGlobalScope`): may block with `Atomics.wait`.
    Worker,
    /// Node.js (main thread or `worker_threads`): may block with `Atomics.wait`.
    Node,
    /// Another JS host (Deno, a shell, ...): treated like a worker.
    OtherJs,
    /// A WASI host (wasmtime, wasmer, Node's `node:wasi`...) running a `wasm32-wasip1` or
    /// `wasm32-wasip2` build: no JS, timers on WASI's monotonic clock. Without threads,
    /// blocking can only wait for a timer.
    Wasi,
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Environment::Native => "native",
            Environment::BrowserMain => "the browser main thread",
            Environment::Worker => "a browser worker",
            Environment::Node => "Node.js",
            Environment::OtherJs => "an unrecognised JS host",
            Environment::Wasi => "a WASI host",
        })
    }
}
