#![doc = include_str!("../README.md")]
//!
//! ## Where it runs
//!
//! [`environment`] tells which host this is ([`Environment`] says how it is detected).
//! "Full-time" is [`block_on`] and [`run_forever`] on wasm32, which park the thread in
//! `Atomics.wait` (see [Full-time mode](#full-time-mode-workers-node)); "macrotask" is how a
//! drain that used up its [`time_budget`] continues after the host's other work.
//!
//! | host ([`Environment`]) | [`spawn`], timers, [`yield_to_event_loop`], [`yield_idle`] | full-time mode | [`yield_animation_frame`] | macrotask | proved by |
//! |---|---|---|---|---|---|
//! | browser main thread ([`BrowserMain`](Environment::BrowserMain)) | yes | no: [`RunError::MainThread`] | yes | `MessageChannel` | Chromium, Firefox, WebKit main rows: `tests/environment.rs`, `tests/full_time.rs`, `tests/yields.rs` |
//! | dedicated worker ([`Worker`](Environment::Worker)) | yes | yes, with `SharedArrayBuffer` (else [`RunError::NoSharedMemory`]) | no | `MessageChannel` | Chromium, Firefox, WebKit worker rows: same tests |
//! | shared worker ([`SharedWorker`](Environment::SharedWorker)) | yes | no: [`RunError::CannotBlock`] | no | `MessageChannel` | Chromium, Firefox, WebKit shared-worker rows: `tests/environment.rs` (the variant and the refusal), every other test |
//! | service worker ([`ServiceWorker`](Environment::ServiceWorker)) | yes | no: [`RunError::CannotBlock`] | no | `MessageChannel` | Chromium, Firefox, WebKit service-worker rows: the same tests |
//! | Node.js, main thread or `worker_threads` ([`Node`](Environment::Node)) | yes | yes | no | `setImmediate` | the Node row: same tests |
//! | Deno 2.9, main thread or `Worker` ([`Deno`](Environment::Deno)) | yes | yes, on the main thread too | no | `setImmediate` | the `deno` row (Deno 2.9.6, `wasm-bindgen --target deno`): every test but `tests/full_time.rs`, which starts a worker with wasm-rs-worker and so can't be bound for Deno; full-time mode and workers by hand |
//! | Bun 1.4, main thread or `Worker` ([`Bun`](Environment::Bun)) | yes | yes, on the main thread too | no | `setImmediate` | the `bun` row (Bun 1.4.5 running the Node.js glue): every test, `tests/full_time.rs` included |
//! | Cloudflare Workers / workerd ([`Workerd`](Environment::Workerd)) | yes, within a request (see below) | no: [`RunError::CannotBlock`] | no | `setImmediate` | the `workerd` row: `recipes/cloudflare-worker/tests/workerd.rs` (timers, 100 spawned tasks and 16 concurrent requests in workerd 2026-11-23) |
//! | another JS host ([`OtherJs`](Environment::OtherJs)) | yes | yes, if `Atomics.wait` works there | no | `setImmediate`, else `MessageChannel`, else `setTimeout` | the decision table's unit tests |
//! | native ([`Native`](Environment::Native)) | yes, once driven (below) | [`block_on`], [`run_forever`] park the thread | no | none: the run loop is the event loop | the native row: every test |
//! | WASI ([`Wasi`](Environment::Wasi)) | yes, once driven | parks in the host until the next timer | no | none | the WASI rows (wasmtime): `tests/wasi.rs` |
//!
//! "Checked by hand" means: a small cdylib using this crate, built for
//! `wasm32-unknown-unknown` and bound with `wasm-bindgen --target web`, reported the
//! variant, slept on a timer, ran `yield_to_event_loop` and `yield_idle`, spread a 30 ms
//! busy task over several drains, got the expected error from [`yield_animation_frame`],
//! and ran (or was refused) [`run_forever`], on the main thread and in a worker of each host.
//!
//! - **Browser main thread**: event-loop driven only. `spawn` and go; [`block_on`] and
//!   [`run_forever`] return [`RunError::MainThread`] instead of freezing the page. All yield
//!   points work.
//! - **Dedicated worker**: event-loop driven by default, like the main thread (no animation
//!   frames, and `yield_idle` falls back to a macrotask). Or full-time, see below.
//! - **Shared and service workers**: event-loop driven only; full-time mode returns
//!   [`RunError::CannotBlock`] (a service worker may never block; a shared worker may not in
//!   Firefox, and shares no memory with its pages). A browser may stop an idle service
//!   worker, tasks and timers with it: keep the event alive with `event.waitUntil`.
//! - **Node.js, Deno, Bun**: like a worker, full-time mode included (they allow
//!   `Atomics.wait` on the main thread); macrotasks use `setImmediate`, which never keeps
//!   the process alive once the executor is idle.
//! - **Cloudflare Workers / workerd**: event-loop driven only (`Atomics.wait` throws).
//!   Timers and macrotasks belong to the request that armed them: await a task's
//!   [`JoinHandle`] before returning the `Response`, or keep the request alive with
//!   `ctx.waitUntil`, or the task waits until some later request runs. Every timer gets
//!   a `setTimeout` of its own from the request that registered it, since workerd cancels
//!   a request whose pending events all belong to other requests as hung. A task may be
//!   polled while another request's event is handled, so build the `Response` (an I/O
//!   object of its request) in the request's own JS, as the `cloudflare-worker` recipe does.
//! - **Native**: nothing runs until you call [`block_on`],
//!   [`run_until_stalled`] or [`run_forever`]. Wakers are `Send + Sync`: a task
//!   woken from another thread is queued on its own thread, and a parked
//!   `block_on`/`run_forever` thread is unparked. A panicking task is caught and
//!   reported through its [`JoinHandle`] ([`JoinError::is_panic`]); the executor
//!   goes on. On wasm32 that depends on the build: see [Panics](#panics).
//! - **WASI** (`wasm32-wasip1` and `wasm32-wasip2` under wasmtime,
//!   wasmer, Node's `node:wasi`...): as natively, with timers on WASI's monotonic clock.
//!   The module has one thread, so a parked [`block_on`] or [`run_forever`] sleeps in the
//!   host until the next timer (`std::thread::sleep`: `poll_oneoff`, `wasi:io/poll` on
//!   p2; it does not spin), and returns [`RunError::Stalled`] when tasks wait with no
//!   timer armed (nothing else could wake them). [`yield_animation_frame`] returns an
//!   error naming the platform; the other yields are a trip to the back of the queue.
//!   A panic aborts the module (WASI builds do not unwind). On `wasm32-wasip1-threads`
//!   it behaves like native threads.
//! - **wasm threads** (`+atomics` builds, one shared memory): each thread has its
//!   own executor, and wakers work from any thread, as natively. A wake from another
//!   thread queues the task on its owner's cross-thread queue, sets the owner's wake
//!   cell (an atomic in shared memory) and `Atomics.notify`s it. An owner parked in
//!   full-time mode sleeps on that cell, so it wakes at once; an owner in the JS
//!   event loop (the browser main thread, say) keeps one `Atomics.waitAsync` on it
//!   while it has live tasks, which schedules a drain in its own event loop (engines
//!   without `Atomics.waitAsync`: a 4 ms `setTimeout` check while tasks are alive).
//!   The cross-thread queue's lock is never waited on with `Atomics.wait` on the
//!   main thread, where that traps. In a single-threaded build no wake can come from
//!   another thread (each worker has its own memory); one that did would panic.
//!
//! ## Panics
//!
//! Every poll of a task, and the drop of its future, runs inside
//! [`std::panic::catch_unwind`]. Where panics unwind (natively, and on wasm32 built with
//! `-Cpanic=unwind`), a panicking task is a value: its [`JoinHandle`] (or
//! [`JoinSet::join_next`]) gives `Err(JoinError)`, with [`JoinError::is_panic`] true and the
//! panic's message in its `Display` (`task panicked: <message>`), its future is dropped,
//! and the executor goes on with the other tasks, as tokio does.
//!
//! - **wasm32 without unwinding** (the default: Rust's wasm32 std is built with
//!   `panic = "abort"`): the panic hook runs (it prints the message), then the module traps
//!   (`RuntimeError: unreachable`), out of the executor's drain and into the JS event
//!   loop. No `JoinError` is made. The executor of that thread stops with it: the panicking
//!   task's handle never resolves, and neither does any other task's, even one that only
//!   waits for a timer (checked in Node.js 20 and Chromium). In Node.js the uncaught
//!   `RuntimeError` ends the process; a page has to load the module again. Return errors as
//!   values from tasks there, and keep panics for bugs. WASI builds do not unwind either:
//!   a panic aborts the module.
//! - **wasm32 with `-Cpanic=unwind`** (nightly: `-Zbuild-std=std,panic_unwind`): as
//!   natively. The recipe "Panics as values"
//!   (<https://wasm-rs.github.io/wasm-rs/recipes/panics-as-values.html>) shows the build
//!   (with `-Cllvm-args=-wasm-use-legacy-eh=true` for Node.js 20) and tests it in Node.js,
//!   Chromium and Firefox (WebKitGTK 2.50 does not catch the panic: the test hangs): the panicking task gives `Err(JoinError)` with the message, and tasks
//!   spawned before and after it, waiting on timers across it, or spawned once it is
//!   over all finish.
//!
//! ## Full-time mode (workers, Node)
//!
//! [`run_forever`] (and [`block_on`] on wasm32) keep the thread inside the executor
//! and never return to the JS event loop until they finish. When no task is ready
//! the thread sleeps in `Atomics.wait` until the next timer is due, or until a
//! shared-memory cell registered with `park::wake_on_change` (wasm32 only) changes (this is how
//! `wasm-rs-shared-channel` waits for messages without spinning). This gives a
//! worker the lowest wake-up latency from another thread (one `Atomics.notify`)
//! and no event-loop overhead. What it gives up:
//!
//! - **Works:** [`spawn`], [`JoinHandle`], [`JoinSet`], [`yield_now`], [`sleep`],
//!   [`sleep_until`], [`timeout`], [`interval`] (timers live in the executor's own
//!   heap), any waker-based channel between tasks of this thread (tokio::sync,
//!   async-channel, futures), and shared-memory waits through `park`.
//! - **Does not work:** anything that needs the JS event loop: JS promises
//!   (`JsFuture`) never resolve, `postMessage`/`onmessage`, `fetch`, DOM events,
//!   `setTimeout` callbacks of other code. [`yield_to_event_loop`],
//!   [`yield_animation_frame`] and [`yield_idle`] return
//!   [`YieldError::is_full_time_mode`] errors. When tasks remain but neither a timer
//!   nor a shared-memory registration can wake the thread, the loop returns
//!   [`RunError::Stalled`] instead of hanging (in a threads build it waits instead,
//!   since another thread may wake a task, as natively).
//! - It needs `SharedArrayBuffer` to sleep (always in Node, Deno and Bun; in browsers only
//!   on cross-origin isolated pages), otherwise [`RunError::NoSharedMemory`].
//! - It is refused outright where the host never lets a thread block:
//!   [`RunError::MainThread`] on the browser main thread, [`RunError::CannotBlock`] in a
//!   shared or service worker and in Cloudflare Workers / workerd.
//!
//! ## How the event-loop mode schedules (wasm32)
//!
//! Spawning or waking a task pushes it to the run queue. Only when the queue goes
//! from empty to non-empty is one drain scheduled, as a `Promise.then` microtask.
//! A drain polls ready tasks in one pass (tasks woken during the pass run in the
//! same pass) until the queue is empty, or (with the default `time-slicing` feature)
//! until the [`time_budget`] is spent; then
//! it continues in a macrotask (`MessageChannel` in browsers; `setImmediate` in Node.js,
//! Deno, Bun and workerd), after the
//! browser has rendered and handled input. On the browser main thread, while the
//! executor stays busy, it also follows `requestAnimationFrame` and ends each slice
//! just before the next expected frame, so frames are not delayed by a slice that
//! started just before them; when a frame is due, the next slice starts from that
//! frame's callback, so the frame renders first (some engines run message tasks ahead
//! of a due frame). All timers share one `setTimeout` for
//! the earliest deadline. With no ready task and no timer, nothing is scheduled:
//! [`Stats::is_idle`] checks exactly that. Wakers are deduplicated (a task woken
//! twice before it runs is polled once), cost one reference count to clone, and can
//! be called from any JS callback.
//!
//! ## Features: what each costs
//!
//! | feature | default | what it gives | wasm it adds (`cargo xtask bench --suite size`) |
//! |---|---|---|---|
//! | `time-slicing` | on | drains end after the [`time_budget`] (before the next frame on a main thread) and continue in a macrotask: the page keeps rendering and handling input under any async load | about 9.6 KB after `wasm-opt -Oz`, 4.4 KB gzipped (30.8 KB against 21.2 KB for spawning one task) |
//! | `debug` | off | `task_names()` lists each task's future type | its type name per spawned future type: 63 B after `wasm-opt -Oz` for the size probe's one task |
//! | `jspi` | off | `jspi::run_forever` / `jspi::block_on` (wasm32): full-time mode that parks by suspending through JS Promise Integration, so the JS event loop runs meanwhile | 263 B after `wasm-opt -Oz` with no JSPI function called; the JSPI park itself when called |
//!
//! Without `time-slicing` (`default-features = false`), a drain runs until no task is
//! ready, as wasm-bindgen-futures' `spawn_local` does: work that stays ready (a loop of
//! [`yield_now`], tasks that keep waking each other) holds the thread until it is done, and
//! a browser page freezes meanwhile. Everything else stays: [`JoinHandle`]s, abort,
//! [`JoinSet`], timers, the yields ([`yield_to_event_loop`] and a timer still hand the
//! thread back), full-time mode (which keeps using [`time_budget`] to look at timers and
//! cross-thread wakes). The host is then detected only when something needs it: the first
//! timer (timers behave differently in workerd), a yield to the event loop, full-time mode,
//! [`environment`]. Natively and on WASI the feature changes nothing.
//!
//! ```toml
//! [dependencies]
//! # The smallest build: no time slicing.
//! wasm-rs-async-executor = { version = "0.10", default-features = false }
//! ```
//!
//! Cargo unites features across a build: if any crate in the graph asks for the default
//! features (or `time-slicing`), every user of the executor gets time slicing.
// docs.rs (`--cfg docsrs`, nightly): label the items that exist on some targets only.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(all(feature = "jspi", target_feature = "atomics"))]
compile_error!(
    "wasm-rs-async-executor's `jspi` feature needs a build without `+atomics`: wasm-bindgen \
     0.2.130 offers JSPI (`jspi_block_on_promise`) only in single-threaded builds"
);

mod join_set;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub mod jspi;
mod runtime;
mod sys;
mod task;
mod time;
mod yields;

use std::future::Future;

pub use join_set::JoinSet;
#[cfg(feature = "debug")]
pub use runtime::task_names;
pub use runtime::{
    DEFAULT_TIME_BUDGET, RunError, Stats, queued_count, set_time_budget, stats, task_count,
    time_budget,
};
pub use sys::Environment;
pub use task::{JoinError, JoinHandle};
pub use time::{Elapsed, Interval, Sleep, Timeout, interval, sleep, sleep_until, timeout};
/// The clock of the timers: `std::time::Instant` natively, `performance.now()`
/// on wasm32 (re-exported from the `web-time` crate).
///
/// ```
/// let start = wasm_rs_async_executor::Instant::now();
/// assert!(start.elapsed() >= std::time::Duration::ZERO);
/// ```
pub use web_time::Instant;
pub use yields::{
    YieldError, YieldNow, yield_animation_frame, yield_idle, yield_now, yield_to_event_loop,
};

/// Spawns `future` as a task on this thread's executor and returns its
/// [`JoinHandle`]. Works anywhere, also from inside another task.
///
/// On wasm32 the task starts running from the JS event loop (a microtask) once the
/// current JS call returns. Natively it runs when this thread next drives the
/// executor ([`block_on`], [`run_until_stalled`], [`run_forever`]).
///
/// ```
/// use wasm_rs_async_executor::{block_on, spawn};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let outer = spawn(async {
///         let inner = spawn(async { "nested" });
///         inner.await.unwrap()
///     });
///     assert_eq!(outer.await.unwrap(), "nested");
/// })
/// .unwrap();
/// ```
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    runtime::with(|rt| rt.spawn(future))
}

/// Runs `future` to completion on this thread, driving every spawned task of the
/// thread meanwhile, and returns its output.
///
/// - Natively: parks the thread while nothing is ready (until a timer or a wake
///   from another thread).
/// - wasm32 dedicated worker, Node.js, Deno, Bun: full-time mode until the future
///   completes (see the crate docs for what works there).
/// - Browser main thread: returns [`RunError::MainThread`] at once; use [`spawn`].
/// - Shared or service worker, Cloudflare Workers / workerd: returns
///   [`RunError::CannotBlock`] at once; use [`spawn`].
/// - Inside a task or another run loop: [`RunError::Nested`]; use `.await`.
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{block_on, sleep, spawn};
///
/// # #[cfg(not(target_arch = "wasm32"))] {
/// let value = block_on(async {
///     let task = spawn(async { 5 });
///     sleep(Duration::from_millis(1)).await;
///     task.await.unwrap() * 2
/// })
/// .unwrap();
/// assert_eq!(value, 10);
/// # }
/// ```
pub fn block_on<F: Future>(future: F) -> Result<F::Output, RunError> {
    runtime::with(|rt| rt.block_on::<runtime::Blocking, _>(future))
}

/// Full-time mode: runs this thread's tasks until none is left, sleeping
/// (`Atomics.wait` on wasm32, thread parking natively) whenever none is ready.
/// The thread does not return to its JS event loop meanwhile: see the crate docs
/// for what works in this mode. Meant for a worker that does nothing but run tasks.
///
/// Returns `Ok(())` when every task has finished; [`RunError::Stalled`] on wasm32
/// when tasks remain that nothing can wake; [`RunError::MainThread`] on the
/// browser main thread; [`RunError::CannotBlock`] in a shared or service worker and in
/// workerd; [`RunError::Nested`] inside a task.
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{run_forever, sleep, spawn, task_count};
///
/// # #[cfg(not(target_arch = "wasm32"))] {
/// for i in 0..3u64 {
///     spawn(async move { sleep(Duration::from_millis(i)).await });
/// }
/// run_forever().unwrap();
/// assert_eq!(task_count(), 0);
/// # }
/// ```
pub fn run_forever() -> Result<(), RunError> {
    runtime::with(|rt| rt.run_forever::<runtime::Blocking>())
}

/// Runs every task that is ready (and every timer that is due) until none is,
/// without waiting, and returns how many polls ran. Useful in native tests to step
/// the executor. [`RunError::Nested`] inside a task.
///
/// ```
/// use wasm_rs_async_executor::{run_until_stalled, spawn};
///
/// let handle = spawn(async { 3 });
/// assert!(!handle.is_finished());
/// assert_eq!(run_until_stalled(), Ok(1));
/// assert!(handle.is_finished());
/// ```
pub fn run_until_stalled() -> Result<usize, RunError> {
    runtime::with(|rt| rt.run_until_stalled())
}

/// Detects where this code runs: native, WASI, the browser main thread, a dedicated,
/// shared or service worker, Node.js, Deno, Bun, Cloudflare Workers (workerd), or another
/// JS host. Detected once per thread (see [`Environment`] for how).
///
/// ```
/// use wasm_rs_async_executor::{Environment, environment};
///
/// if environment() == Environment::BrowserMain {
///     // never block here: spawn instead
/// }
/// ```
pub fn environment() -> Environment {
    sys::environment()
}

/// Declares async tests that run on this executor on every target, written once:
///
/// - natively and on WASI, each becomes a `#[test]` whose body runs under [`block_on`];
/// - on `wasm32-unknown-unknown`, a `#[wasm_bindgen_test]` whose body is [`spawn`]ed on this
///   executor and awaited, so the code under test runs on the executor it will run on in
///   production, not on wasm-bindgen-futures (which only awaits the result). The test crate
///   needs `wasm-bindgen-test` as a dev-dependency for wasm32, as any wasm-bindgen test does.
///
/// Any number of functions per invocation; attributes and doc comments carry over.
///
/// ```no_run
/// use std::time::Duration;
///
/// wasm_rs_async_executor::async_test! {
///     /// A timer on this executor, natively and in every JS host.
///     async fn sleep_takes_at_least_its_duration() {
///         let start = wasm_rs_async_executor::Instant::now();
///         wasm_rs_async_executor::sleep(Duration::from_millis(5)).await;
///         assert!(start.elapsed() >= Duration::from_millis(5));
///     }
///
///     async fn a_spawned_task_returns_its_value() {
///         let answer = wasm_rs_async_executor::spawn(async { 6 * 7 }).await;
///         assert_eq!(answer, Ok(42));
///     }
/// }
/// ```
#[macro_export]
macro_rules! async_test {
    ($($(#[$attr:meta])* async fn $name:ident() $body:block)*) => {$(
        $(#[$attr])*
        #[cfg(all(target_family = "wasm", target_os = "unknown"))]
        #[::wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            $crate::spawn(async move $body)
                .await
                .expect("the test's task ran to its end on wasm-rs-async-executor");
        }

        $(#[$attr])*
        #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
        #[test]
        fn $name() {
            $crate::block_on(async move $body)
                .expect("wasm-rs-async-executor's block_on drives the test");
        }
    )*};
}

/// Shared-memory waits for full-time mode (wasm32 only).
///
/// Natively no such hook is needed: wakers are `Send + Sync`, and waking a task from
/// another thread unparks its executor.
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub mod park {
    use std::task::Waker;

    /// If a full-time executor ([`run_forever`](crate::run_forever) or
    /// [`block_on`](crate::block_on)) is running on this thread, registers a
    /// shared-memory wait: when the executor next has no ready task, it sleeps in
    /// `Atomics.wait(array, index, expected)` (bounded by the next timer deadline),
    /// and on return wakes `waker`. Registrations are one-shot: register again
    /// after each wake if still needed. A suspending loop (`jspi::run_forever`,
    /// feature `jspi`) honours registrations too, and waits on all of them at once
    /// with `Atomics.waitAsync`.
    ///
    /// Returns `false` when no full-time executor runs on this thread; the caller
    /// then waits with `Atomics.waitAsync` (or another event-loop mechanism).
    ///
    /// **Several registrations.** When the executor parks, every registration whose
    /// cell already differs from `expected` is woken without sleeping. Otherwise it
    /// sleeps on the *most recent* registration only (one thread can wait on one
    /// address); the others stay registered and are re-checked whenever the thread
    /// wakes (that cell changing, a timer, a ready task). So a change to an older
    /// registration may go unnoticed until then: a worker that waits on several
    /// cells should have its writers notify one shared cell. In a wasm threads build the
    /// same holds for wakes from other threads: while the thread sleeps on a
    /// registration, such a wake is seen when that cell changes or the next timer is due.
    ///
    /// The array must view a `SharedArrayBuffer`; otherwise `Atomics.wait` fails and
    /// the run loop returns [`RunError::WaitFailed`](crate::RunError::WaitFailed).
    ///
    /// ```no_run
    /// use js_sys::{Int32Array, SharedArrayBuffer};
    /// use std::task::Poll;
    /// use wasm_rs_async_executor::{park, run_forever, spawn};
    ///
    /// let cell = Int32Array::new(&SharedArrayBuffer::new(4));
    /// let watched = cell.clone();
    /// spawn(std::future::poll_fn(move |cx| {
    ///     if js_sys::Atomics::load(&watched, 0).unwrap() != 0 {
    ///         return Poll::Ready(());
    ///     }
    ///     // Another thread will `Atomics.store` + `Atomics.notify` index 0.
    ///     assert!(park::wake_on_change(&watched, 0, 0, cx.waker().clone()));
    ///     Poll::Pending
    /// }));
    /// run_forever().unwrap();
    /// ```
    pub fn wake_on_change(
        array: &js_sys::Int32Array,
        index: u32,
        expected: i32,
        waker: Waker,
    ) -> bool {
        crate::sys::register_park(array, index, expected, waker)
    }
}
