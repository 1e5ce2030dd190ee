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

mod detect;
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

/// `key.with(f)`, without `LocalKey::with`'s panic: that one formats the `AccessError` with
/// `Debug`, which links about 250 B of formatting into every wasm module. A thread-local is
/// only inaccessible while its thread is being torn down, which a wasm module without
/// threads never is.
pub(crate) fn local<T: 'static, R>(
    key: &'static std::thread::LocalKey<T>,
    f: impl FnOnce(&T) -> R,
) -> R {
    match key.try_with(f) {
        Ok(value) => value,
        // Unreachable without threads: no panic message or location to link.
        #[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
        Err(_) => std::process::abort(),
        #[cfg(not(all(target_family = "wasm", not(target_feature = "atomics"))))]
        Err(_) => panic!("wasm-rs-async-executor: used while its thread was exiting"),
    }
}

/// Where this code runs, from [`environment`](crate::environment()): which host, and so
/// what the executor does there. The crate docs' "Where it runs" table sums it up.
///
/// On `wasm32-unknown-unknown` it is detected once per thread from the JS global, in
/// this order (hosts imitate each other): a `window` with a `document`
/// ([`BrowserMain`](Self::BrowserMain)), `navigator.userAgent` `"Cloudflare-Workers"`
/// ([`Workerd`](Self::Workerd)), a `Deno` global ([`Deno`](Self::Deno)), a `Bun` global or
/// `process.versions.bun` ([`Bun`](Self::Bun)), `ServiceWorkerGlobalScope`
/// ([`ServiceWorker`](Self::ServiceWorker)), `SharedWorkerGlobalScope`
/// ([`SharedWorker`](Self::SharedWorker)), `WorkerGlobalScope` ([`Worker`](Self::Worker)),
/// `process.versions.node` ([`Node`](Self::Node)), else [`OtherJs`](Self::OtherJs).
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
    /// Macrotasks are `MessageChannel` messages; `block_on` and `run_forever` return
    /// [`RunError::MainThread`](crate::RunError::MainThread).
    BrowserMain,
    /// A dedicated browser worker (`WorkerGlobalScope`, and none of the shared or service
    /// worker scopes): may block with `Atomics.wait` (full-time mode) when the page is
    /// cross-origin isolated. Macrotasks are `MessageChannel` messages.
    Worker,
    /// A shared worker (`SharedWorkerGlobalScope`): event-loop mode only. `block_on` and
    /// `run_forever` return [`RunError::CannotBlock`](crate::RunError::CannotBlock):
    /// Firefox forbids `Atomics.wait` there, and a shared worker shares no memory with the
    /// pages it serves, so blocking would only stop it answering them. Macrotasks are
    /// `MessageChannel` messages.
    SharedWorker,
    /// A service worker (`ServiceWorkerGlobalScope`): event-loop mode only, since the HTML
    /// standard never lets a service worker block (`Atomics.wait` throws) and it is never
    /// cross-origin isolated. `block_on` and `run_forever` return
    /// [`RunError::CannotBlock`](crate::RunError::CannotBlock). Macrotasks are
    /// `MessageChannel` messages. The browser may stop an idle service worker, pending
    /// tasks and timers with it: keep an event alive with `event.waitUntil(promise)`.
    ServiceWorker,
    /// Node.js (main thread or `worker_threads`): may block with `Atomics.wait`.
    /// Macrotasks use `setImmediate`.
    Node,
    /// Deno (main thread or a `Worker`; Deno 2.9 measured): may block with `Atomics.wait`,
    /// on the main thread too. Macrotasks use `setImmediate` (an open `MessageChannel`
    /// would keep a Deno process from exiting).
    Deno,
    /// Bun (main thread or a `Worker`; Bun 1.4 measured): may block with `Atomics.wait`, on
    /// the main thread too. Macrotasks use `setImmediate`.
    Bun,
    /// Cloudflare Workers, or workerd run locally (`navigator.userAgent` is
    /// `"Cloudflare-Workers"`): event-loop mode only, since `Atomics.wait` throws there;
    /// `block_on` and `run_forever` return
    /// [`RunError::CannotBlock`](crate::RunError::CannotBlock). Macrotasks use
    /// `setImmediate`. Timers and macrotasks belong to the request that arms them: once its
    /// response has gone out they wait (measured in workerd 2026-11-23: a task's 50 ms timer
    /// ran only when the next request came in). Await your tasks inside the handler, or pass
    /// a promise that waits for them to `ctx.waitUntil` (then it ran on time).
    Workerd,
    /// A JS host none of the above matches (a JS shell, an embedding...): treated like a
    /// worker. Macrotasks use `setImmediate`, else a `MessageChannel`, else `setTimeout`.
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
            Environment::SharedWorker => "a shared worker",
            Environment::ServiceWorker => "a service worker",
            Environment::Node => "Node.js",
            Environment::Deno => "Deno",
            Environment::Bun => "Bun",
            Environment::Workerd => "Cloudflare Workers (workerd)",
            Environment::OtherJs => "an unrecognised JS host",
            Environment::Wasi => "a WASI host",
        })
    }
}
