//! wasm32: the JS event loop drives the executor.
//!
//! - A drain is scheduled with one `Promise.then` microtask when the run queue goes
//!   from empty to non-empty, and with a macrotask (`setImmediate` in Node.js, Deno, Bun
//!   and workerd, a `MessageChannel` message in browsers, `setTimeout(0)` as a last
//!   resort: `detect::macrotask_for`) when a drain used up its time budget.
//! - The earliest timer of the executor's timer heap is armed as one `setTimeout`.
//! - Full-time mode (`block_on`, `run_forever`) sleeps in `Atomics.wait`: on a
//!   registered shared-memory cell (`park::wake_on_change`) or on a private one,
//!   bounded by the next timer.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::task::Waker;
use std::time::Duration;

use js_sys::{Atomics, Function, Int32Array, Promise, Reflect, SharedArrayBuffer};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::Environment;
use super::detect::{self, MacrotaskKind, Probe};
use crate::Instant;
use crate::runtime::{self, RunError};
use crate::yields::YieldError;

/// A worker on another thread may always exist to wake this one.
pub(crate) const HAS_OTHER_THREADS: bool = true;

#[path = "remote.rs"]
mod remote;
#[cfg(feature = "jspi")]
#[path = "suspend.rs"]
mod suspend;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
    #[wasm_bindgen(js_name = setImmediate)]
    fn set_immediate(callback: &Function);
    #[wasm_bindgen(js_name = requestAnimationFrame)]
    fn request_animation_frame(callback: &Function) -> JsValue;
    #[wasm_bindgen(js_name = cancelAnimationFrame)]
    fn cancel_animation_frame(handle: &JsValue);
    #[wasm_bindgen(js_name = requestIdleCallback)]
    fn request_idle_callback(callback: &Function) -> JsValue;

    type Scheduler;
    #[wasm_bindgen(method, js_name = "yield")]
    fn yield_(this: &Scheduler) -> Promise;

    type MessageChannel;
    #[wasm_bindgen(constructor)]
    fn new() -> MessageChannel;
    #[wasm_bindgen(method, getter)]
    fn port1(this: &MessageChannel) -> MessagePort;
    #[wasm_bindgen(method, getter)]
    fn port2(this: &MessageChannel) -> MessagePort;

    type MessagePort;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &MessagePort, handler: &Function);
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &MessagePort, message: &JsValue);
}

fn global_has(name: &str) -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .map(|v| !v.is_undefined() && !v.is_null())
        .unwrap_or(false)
}

thread_local! {
    static ENVIRONMENT: Environment = detect_environment();
}

fn detect_environment() -> Environment {
    detect::classify(&read_probe())
}

/// Reads what `detect::classify` decides on from the JS global.
fn read_probe() -> Probe {
    let global = js_sys::global();
    let get = |object: &JsValue, key: &str| {
        Reflect::get(object, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    let versions = get(&global, "process").and_then(|p| get(&p, "versions"));
    let version = |name: &str| {
        versions
            .as_ref()
            .and_then(|v| get(v, name))
            .is_some_and(|v| v.is_string())
    };
    Probe {
        window_and_document: global_has("window") && global_has("document"),
        user_agent: get(&global, "navigator")
            .and_then(|n| get(&n, "userAgent"))
            .and_then(|ua| ua.as_string()),
        deno: global_has("Deno"),
        bun: global_has("Bun") || version("bun"),
        service_worker_scope: global_has("ServiceWorkerGlobalScope"),
        shared_worker_scope: global_has("SharedWorkerGlobalScope"),
        worker_scope: global_has("WorkerGlobalScope"),
        node: version("node"),
    }
}

pub(crate) fn environment() -> Environment {
    super::local(&ENVIRONMENT, |e| *e)
}

/// How this host runs a macrotask (chosen by `detect::macrotask_for`).
enum Macrotask {
    /// Node.js, Deno, Bun, workerd: `setImmediate`.
    Immediate,
    /// Browsers: a message on our own `MessageChannel` (not clamped like `setTimeout`).
    Channel {
        _channel: MessageChannel,
        port: MessagePort,
        _on_message: Closure<dyn FnMut(JsValue)>,
        pending: std::rc::Rc<RefCell<VecDeque<Function>>>,
    },
    /// Anything else.
    Timeout,
}

impl Macrotask {
    fn new() -> Self {
        let kind = detect::macrotask_for(
            environment(),
            global_has("setImmediate"),
            global_has("MessageChannel"),
        );
        if kind == MacrotaskKind::Immediate {
            return Macrotask::Immediate;
        }
        if kind == MacrotaskKind::Channel {
            let channel = MessageChannel::new();
            let pending = std::rc::Rc::new(RefCell::new(VecDeque::<Function>::new()));
            // AssertUnwindSafe: with `-Cpanic=unwind`, wasm-bindgen requires closures handed
            // to JS to be `UnwindSafe`, and a `RefCell` is not. No borrow is held while
            // anything that could panic runs (the queue's borrow ends before `call0`).
            let queue = AssertUnwindSafe(pending.clone());
            let on_message = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
                let next = queue.borrow_mut().pop_front();
                if let Some(f) = next {
                    let _ = f.call0(&JsValue::UNDEFINED);
                }
            });
            channel
                .port1()
                .set_onmessage(on_message.as_ref().unchecked_ref());
            return Macrotask::Channel {
                port: channel.port2(),
                _channel: channel,
                _on_message: on_message,
                pending,
            };
        }
        Macrotask::Timeout
    }

    fn post(&self, callback: Function) {
        match self {
            Macrotask::Immediate => set_immediate(&callback),
            Macrotask::Channel { port, pending, .. } => {
                pending.borrow_mut().push_back(callback);
                port.post_message(&JsValue::UNDEFINED);
            }
            Macrotask::Timeout => {
                set_timeout(&callback, 0.0);
            }
        }
    }
}

/// Frame timing on the browser main thread, learned from `requestAnimationFrame`
/// while the executor is busy, so that time slices end just before the next frame.
#[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
struct FrameClock {
    /// Timestamp (ms) of the last animation frame seen.
    last: Cell<f64>,
    /// Estimated frame interval (ms).
    interval: Cell<f64>,
    /// A `requestAnimationFrame` callback is pending.
    watching: Cell<bool>,
    /// The pending `requestAnimationFrame` handle, to cancel it when idle.
    handle: RefCell<Option<JsValue>>,
    callback: OnceCell<Closure<dyn FnMut(f64)>>,
    /// The timer callback that drains if a due frame never came, and its pending timer.
    fallback: OnceCell<Closure<dyn FnMut()>>,
    fallback_timer: RefCell<Option<JsValue>>,
}

/// Never run less than this per drain, so that work always progresses.
#[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
const MIN_SLICE_MS: f64 = 0.5;
/// End a slice this long before the expected frame.
#[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
const FRAME_MARGIN_MS: f64 = 1.0;
/// How long a drain waits for a due frame before it runs anyway (ms).
#[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
const FRAME_FALLBACK_MS: f64 = 100.0;

#[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
impl FrameClock {
    fn new() -> Self {
        FrameClock {
            last: Cell::new(f64::NEG_INFINITY),
            interval: Cell::new(1000.0 / 60.0),
            watching: Cell::new(false),
            handle: RefCell::new(None),
            callback: OnceCell::new(),
            fallback: OnceCell::new(),
            fallback_timer: RefCell::new(None),
        }
    }

    /// The budget of the next slice: up to `budget_ms`, ending before the next
    /// expected frame; minimal while a frame is due. Frame knowledge older than
    /// three frames (hidden tab, throttling) is ignored.
    fn slice_ms(&self, budget_ms: f64) -> f64 {
        if !self.watching.get() {
            return budget_ms;
        }
        let interval = self.interval.get();
        let since = now_ms() - self.last.get();
        if since > 3.0 * interval {
            return budget_ms;
        }
        let until_frame = interval - FRAME_MARGIN_MS - since;
        // Not `f64::clamp`: its "min > max" assertion can never fire here, yet its panic
        // message formats two f64s, which links about 20 KB of float formatting. (A NaN
        // gives the shortest slice.)
        until_frame
            .max(MIN_SLICE_MS)
            .min(budget_ms.max(MIN_SLICE_MS))
    }

    /// Cancels the pending fallback timer, if any.
    fn clear_fallback(&self) {
        if let Some(timer) = self.fallback_timer.borrow_mut().take() {
            clear_timeout(&timer);
        }
    }

    /// Whether the next frame is expected within the margin (from fresh frame knowledge).
    fn frame_due(&self) -> bool {
        if !self.watching.get() {
            return false;
        }
        let interval = self.interval.get();
        let since = now_ms() - self.last.get();
        since <= 3.0 * interval && since >= interval - FRAME_MARGIN_MS
    }

    fn on_frame(&self, timestamp: f64) {
        let delta = timestamp - self.last.get();
        if (5.0..=50.0).contains(&delta) {
            // Smooth towards the observed interval (60 Hz, 120 Hz, ...).
            let smoothed = self.interval.get() * 0.8 + delta * 0.2;
            self.interval.set(smoothed.min(delta.max(smoothed * 0.5)));
        }
        self.last.set(timestamp);
        self.watching.set(false);
        self.handle.borrow_mut().take();
    }
}

#[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
fn now_ms() -> f64 {
    super::local(&TIME_ZERO, Instant::elapsed).as_secs_f64() * 1000.0
}

thread_local! {
    static TIME_ZERO: Instant = Instant::now();
}

#[cfg(feature = "time-slicing")]
fn frame_callback(_timestamp: f64) {
    runtime::with(|rt| {
        let driver = rt.driver();
        let Some(clock) = driver.frames() else {
            return;
        };
        // The rAF timestamp is on the `performance.now()` clock; use ours.
        clock.on_frame(now_ms());
        match driver.armed.get() {
            Armed::Macrotask => driver.watch_frames(),
            Armed::Frame => {
                clock.clear_fallback();
                driver.armed.set(Armed::Nothing);
                driver.arm_macrotask();
            }
            Armed::Nothing | Armed::Microtask => {}
        }
    });
}

/// A drain waited [`FRAME_FALLBACK_MS`] for a due frame that did not come (the page was
/// hidden meanwhile): drain now. A no-op when the frame came first.
#[cfg(feature = "time-slicing")]
fn frame_fallback() {
    runtime::with(|rt| {
        let driver = rt.driver();
        if let Some(clock) = driver.frames() {
            clock.fallback_timer.borrow_mut().take();
        }
        if driver.armed.get() == Armed::Frame {
            driver.armed.set(Armed::Nothing);
            driver.arm_macrotask();
        }
    });
}

impl Hooks {
    fn macrotask(&self) -> &Macrotask {
        self.macrotask.get_or_init(Macrotask::new)
    }
}

/// The JS callbacks, created on first use.
struct Hooks {
    resolved: Promise,
    drain: Closure<dyn FnMut(JsValue)>,
    /// Created on first use: by a drain that used up its budget, or a yield to the event loop.
    macrotask: OnceCell<Macrotask>,
    #[cfg(target_feature = "atomics")]
    remote_wake: Closure<dyn FnMut(JsValue)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
enum Armed {
    Nothing,
    Microtask,
    Macrotask,
    /// A frame is due: the next animation frame's callback posts the macrotask, so the
    /// frame renders before more work runs (see [`Driver::arm_macrotask`]).
    Frame,
}

struct Registration {
    array: Int32Array,
    index: u32,
    expected: i32,
    waker: Waker,
}

/// The executor's link to the JS event loop.
pub(crate) struct Driver {
    hooks: OnceCell<Hooks>,
    /// The `setTimeout` callback, created with the first timer (not in [`Hooks`]: a module
    /// whose tasks never sleep doesn't link it; see `runtime::TimerOps`).
    timer_callback: OnceCell<Closure<dyn FnMut()>>,
    #[cfg(feature = "time-slicing")]
    frames: Option<FrameClock>,
    armed: Cell<Armed>,
    timer: RefCell<Option<(Instant, JsValue)>>,
    /// workerd (Cloudflare Workers): JS timers and macrotasks belong to the request that
    /// scheduled them, and a request whose pending events all belong to other requests is
    /// cancelled as hung (measured with workerd 2026-11-23: 16 concurrent requests sleeping
    /// on one shared `setTimeout` failed that way). So there every executor timer also gets
    /// a `setTimeout` of its own, set from the request that made it, and a wake never waits
    /// on a macrotask another request scheduled.
    per_request: OnceCell<bool>,
    parks: RefCell<Vec<Registration>>,
    sleeper: OnceCell<Option<Int32Array>>,
    #[cfg(target_feature = "atomics")]
    remote: remote::RemoteWatch,
    #[cfg(feature = "jspi")]
    suspend: suspend::Suspend,
}

fn drain_callback() {
    runtime::with(|rt| {
        rt.driver().armed.set(Armed::Nothing);
        rt.event_loop_drain();
    });
}

/// A remote wake arrived while the executor was in the event loop (threads builds).
#[cfg(target_feature = "atomics")]
fn remote_wake_callback() {
    runtime::with(|rt| {
        if rt.driver().remote.fired() {
            rt.driver().request_drain();
        } else if rt.has_tasks() {
            rt.driver().watch_remote_wakes();
        }
    });
}

fn timer_callback() {
    runtime::with(|rt| {
        rt.driver().timer.borrow_mut().take();
        rt.fire_timers(Instant::now());
        rt.sync_timer();
    });
}

impl Driver {
    pub(crate) fn new() -> Self {
        #[cfg(feature = "time-slicing")]
        let on_main_thread =
            environment() == Environment::BrowserMain && global_has("requestAnimationFrame");
        Driver {
            hooks: OnceCell::new(),
            timer_callback: OnceCell::new(),
            #[cfg(feature = "time-slicing")]
            frames: on_main_thread.then(FrameClock::new),
            armed: Cell::new(Armed::Nothing),
            timer: RefCell::new(None),
            per_request: OnceCell::new(),
            parks: RefCell::new(Vec::new()),
            sleeper: OnceCell::new(),
            #[cfg(target_feature = "atomics")]
            remote: remote::RemoteWatch::default(),
            #[cfg(feature = "jspi")]
            suspend: suspend::Suspend::default(),
        }
    }

    fn hooks(&self) -> &Hooks {
        self.hooks.get_or_init(|| Hooks {
            resolved: Promise::resolve(&JsValue::UNDEFINED),
            drain: Closure::new(|_: JsValue| drain_callback()),
            macrotask: OnceCell::new(),
            #[cfg(target_feature = "atomics")]
            remote_wake: Closure::new(|_: JsValue| remote_wake_callback()),
        })
    }

    fn timer_function(&self) -> &Function {
        self.timer_callback
            .get_or_init(|| Closure::new(timer_callback))
            .as_ref()
            .unchecked_ref()
    }

    /// Whether JS events belong to the request that scheduled them (workerd). Detected on
    /// first use, so that a module that needs neither macrotasks nor timers doesn't link the
    /// host detection.
    fn per_request(&self) -> bool {
        *self
            .per_request
            .get_or_init(|| environment() == Environment::Workerd)
    }

    /// Whether every wake must ask for a drain, even when the queue was not empty: in
    /// workerd, where a pending macrotask drain may belong to a request that has ended
    /// ([`request_drain`](Self::request_drain) then adds a microtask). Without time slicing
    /// no drain is ever a macrotask, so the queue's own state is enough.
    pub(crate) fn drain_may_be_stale(&self) -> bool {
        #[cfg(feature = "time-slicing")]
        return self.per_request();
        #[cfg(not(feature = "time-slicing"))]
        false
    }

    /// Frame timing, on a browser main thread with the `time-slicing` feature.
    fn frames(&self) -> Option<&FrameClock> {
        #[cfg(feature = "time-slicing")]
        return self.frames.as_ref();
        #[cfg(not(feature = "time-slicing"))]
        None
    }

    /// The queue went from empty to non-empty outside a run loop: one microtask. In
    /// workerd also when a macrotask is pending: it may belong to a request that ended.
    pub(crate) fn request_drain(&self) {
        match self.armed.get() {
            Armed::Nothing => {}
            #[cfg(feature = "time-slicing")]
            Armed::Macrotask if self.per_request() => {}
            _ => return,
        }
        self.armed.set(Armed::Microtask);
        let hooks = self.hooks();
        let _ = hooks.resolved.then(&hooks.drain);
    }

    /// The budget ran out: continue in a macrotask, after rendering and input. When a
    /// frame is due on the main thread, continue only once its callback ran: some engines
    /// (Firefox) run a stream of `MessageChannel` tasks before a due frame, so the page
    /// would render every few frames only. A timer is the fallback if no frame comes
    /// (the page was hidden meanwhile).
    #[cfg(feature = "time-slicing")]
    pub(crate) fn arm_macrotask(&self) {
        if self.armed.get() != Armed::Nothing {
            return;
        }
        if self.frames().is_some_and(FrameClock::frame_due) {
            self.armed.set(Armed::Frame);
            self.watch_frames();
            if let Some(clock) = self.frames() {
                let fallback = clock.fallback.get_or_init(|| Closure::new(frame_fallback));
                let timer = set_timeout(fallback.as_ref().unchecked_ref(), FRAME_FALLBACK_MS);
                *clock.fallback_timer.borrow_mut() = Some(timer);
            }
            return;
        }
        self.armed.set(Armed::Macrotask);
        let hooks = self.hooks();
        hooks
            .macrotask()
            .post(hooks.drain.as_ref().unchecked_ref::<Function>().clone());
        self.watch_frames();
    }

    /// While busy on the main thread, follow animation frames (one pending
    /// `requestAnimationFrame` at a time, none once the executor is idle).
    #[cfg(feature = "time-slicing")]
    fn watch_frames(&self) {
        let Some(clock) = self.frames() else {
            return;
        };
        if clock.watching.replace(true) {
            return;
        }
        let callback = clock.callback.get_or_init(|| Closure::new(frame_callback));
        let handle = request_animation_frame(callback.as_ref().unchecked_ref());
        *clock.handle.borrow_mut() = Some(handle);
    }

    /// A drain found nothing more to run: stop following frames, so that an idle
    /// executor has nothing scheduled at all.
    #[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
    pub(crate) fn went_idle(&self) {
        let Some(clock) = self.frames() else {
            return;
        };
        if let Some(handle) = clock.handle.borrow_mut().take() {
            cancel_animation_frame(&handle);
        }
        clock.watching.set(false);
    }

    /// Back in the event loop with live tasks: in a threads build, make sure a wake
    /// from another thread schedules a drain here (see `remote.rs`). A no-op otherwise.
    pub(crate) fn watch_remote_wakes(&self) {
        #[cfg(target_feature = "atomics")]
        self.remote.watch(&self.hooks().remote_wake);
    }

    /// The time budget of the next drain (see `FrameClock::slice_ms`).
    #[cfg_attr(not(feature = "time-slicing"), allow(dead_code))]
    pub(crate) fn slice_budget(&self, budget: Duration) -> Duration {
        match self.frames() {
            Some(clock) => {
                let ms = clock.slice_ms(budget.as_secs_f64() * 1000.0);
                // `as` saturates (a negative or NaN slice is 0): `from_secs_f64` would
                // link a panic that formats its error, about 1 KB of wasm.
                Duration::from_micros((ms * 1000.0) as u64)
            }
            None => budget,
        }
    }

    /// Keeps exactly one `setTimeout` for the earliest timer (none when there is none).
    pub(crate) fn sync_timer(&self, earliest: Option<Instant>) {
        let mut armed = self.timer.borrow_mut();
        match (earliest, armed.as_ref()) {
            (None, None) => {}
            (None, Some((_, handle))) => {
                clear_timeout(handle);
                *armed = None;
            }
            // An earlier setTimeout is pending: it re-syncs when it fires.
            (Some(deadline), Some((at, _))) if *at <= deadline => {}
            (Some(deadline), current) => {
                if let Some((_, handle)) = current {
                    clear_timeout(handle);
                }
                let ms = deadline
                    .saturating_duration_since(Instant::now())
                    .as_secs_f64()
                    * 1000.0;
                let handle = set_timeout(self.timer_function(), ms.ceil());
                *armed = Some((deadline, handle));
            }
        }
    }

    /// A timer was registered. In workerd it gets a `setTimeout` of its own, from the
    /// request that registered it (see `per_request`); elsewhere the one `setTimeout` of
    /// [`sync_timer`](Self::sync_timer) serves every timer.
    pub(crate) fn timer_registered(&self, deadline: Instant) {
        if !self.per_request() {
            return;
        }
        let ms = deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
            * 1000.0;
        let _ = set_timeout(self.timer_function(), ms.ceil());
    }

    pub(crate) fn drain_scheduled(&self) -> bool {
        self.armed.get() != Armed::Nothing || self.frames().is_some_and(|f| f.watching.get())
    }

    pub(crate) fn timer_armed(&self) -> bool {
        self.timer.borrow().is_some()
    }

    pub(crate) fn register_park(&self, array: Int32Array, index: u32, expected: i32, waker: Waker) {
        self.parks.borrow_mut().push(Registration {
            array,
            index,
            expected,
            waker,
        });
    }

    fn sleeper(&self) -> Option<&Int32Array> {
        self.sleeper
            .get_or_init(|| {
                has_shared_memory().then(|| Int32Array::new(&SharedArrayBuffer::new(4)))
            })
            .as_ref()
    }

    /// Blocks the thread (full-time mode) until a registered cell changes, the next
    /// timer is due, or — with no registration and no timer — reports a stall.
    ///
    /// Policy with several registrations: first every registration whose cell
    /// already differs from its expected value is woken (no sleep at all). Otherwise
    /// the thread waits on the most recent registration, bounded by the next timer,
    /// and the others stay registered: a change to them is noticed only when the
    /// thread next wakes (that cell changing, a timer, or a ready task).
    pub(crate) fn park(&self, deadline: Option<Instant>, tasks: usize) -> Result<(), RunError> {
        if self.wake_changed() {
            return Ok(());
        }
        if remote::take_wake() {
            // Threads builds: another thread woke a task since the last look.
            return Ok(());
        }
        let timeout_ms =
            deadline.map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64() * 1000.0);
        let newest = self.parks.borrow_mut().pop();
        if let Some(reg) = newest {
            let waited = Atomics::wait_with_timeout(
                &reg.array,
                reg.index,
                reg.expected,
                timeout_ms.unwrap_or(f64::INFINITY),
            );
            reg.waker.wake();
            return waited.map(drop).map_err(wait_error);
        }
        if let Some(waited) = remote::wait(timeout_ms) {
            // Threads builds: any thread may wake a task, so waiting with no timer is
            // not a stall (as natively).
            return waited.map_err(wait_error);
        }
        let Some(ms) = timeout_ms else {
            return Err(RunError::Stalled { tasks });
        };
        let cell = self.sleeper().ok_or(RunError::NoSharedMemory)?;
        Atomics::wait_with_timeout(cell, 0, 0, ms)
            .map(drop)
            .map_err(wait_error)
    }

    /// Wakes (and unregisters) every registration whose cell no longer holds its
    /// expected value. Returns whether there was one.
    fn wake_changed(&self) -> bool {
        let mut ready = Vec::new();
        self.parks.borrow_mut().retain_mut(|reg| {
            let changed = Atomics::load(&reg.array, reg.index)
                .map(|v| v != reg.expected)
                .unwrap_or(true);
            if changed {
                ready.push(reg.waker.clone());
            }
            !changed
        });
        let any = !ready.is_empty();
        ready.into_iter().for_each(Waker::wake);
        any
    }

    /// Parks a suspending loop (feature `jspi`): the wasm stack is suspended through
    /// JSPI until a registration's cell changes (`Atomics.waitAsync`), the next timer
    /// is due, or a JS callback wakes a task of this thread (`resume_suspended`).
    #[cfg(feature = "jspi")]
    pub(crate) fn park_suspending(&self, deadline: Option<Instant>) -> Result<(), RunError> {
        if self.wake_changed() {
            return Ok(());
        }
        let timeout_ms =
            deadline.map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64() * 1000.0);
        // Owned copies: JS callbacks run while the stack is suspended.
        let cells: Vec<_> = self
            .parks
            .borrow()
            .iter()
            .map(|reg| (reg.array.clone(), reg.index, reg.expected))
            .collect();
        self.suspend.suspend(&cells, timeout_ms)
    }

    /// Resumes a suspended loop (a task was woken by a JS callback meanwhile).
    #[cfg(feature = "jspi")]
    pub(crate) fn resume_suspended(&self) {
        self.suspend.resume();
    }
}

fn wait_error(err: JsValue) -> RunError {
    let msg = err
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{err:?}"));
    RunError::WaitFailed(msg)
}

fn has_shared_memory() -> bool {
    global_has("SharedArrayBuffer") && global_has("Atomics")
}

/// The browser main thread, service and shared workers and workerd may never block (see
/// `detect::block_refusal`); elsewhere blocking needs shared memory only when it actually
/// sleeps (checked in `park`).
pub(crate) fn check_can_block() -> Result<(), RunError> {
    match detect::block_refusal(environment()) {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}

pub(crate) use remote::{Unparker, check_remote_wake};

/// Resumes this thread's suspended loop, if any (from `block_on`'s waker).
#[cfg(feature = "jspi")]
pub(crate) fn resume_suspended() {
    let _ = runtime::try_with(|rt| rt.driver().resume_suspended());
}

pub(crate) fn register_park(array: &Int32Array, index: u32, expected: i32, waker: Waker) -> bool {
    runtime::with(|rt| {
        if !rt.can_park() {
            return false;
        }
        rt.driver()
            .register_park(array.clone(), index, expected, waker);
        true
    })
}

fn check_event_loop(what: &'static str) -> Result<(), YieldError> {
    if runtime::with(|rt| rt.is_full_time()) {
        return Err(YieldError::full_time(what));
    }
    Ok(())
}

fn promise_from(register: impl FnOnce(&Function)) -> Promise {
    // Moved into the closure, and AssertUnwindSafe: with `-Cpanic=unwind`, wasm-bindgen
    // requires the callback to be `UnwindSafe`, which a `&mut` capture never is. A panic in
    // `register` leaves nothing behind: the option is already empty.
    let mut register = AssertUnwindSafe(Some(register));
    Promise::new(&mut move |resolve, _reject| {
        if let Some(register) = register.take() {
            register(&resolve);
        }
    })
}

fn macrotask_promise() -> Promise {
    runtime::with(|rt| {
        let hooks = rt.driver().hooks();
        promise_from(|resolve| hooks.macrotask().post(resolve.clone()))
    })
}

pub(crate) fn event_loop_turn(what: &'static str) -> Result<impl Future<Output = ()>, YieldError> {
    check_event_loop(what)?;
    let promise = if global_has("scheduler") {
        let scheduler: Scheduler = Reflect::get(&js_sys::global(), &"scheduler".into())
            .map(JsCast::unchecked_into)
            .map_err(|_| YieldError::full_time(what))?;
        let has_yield = Reflect::get(&scheduler, &"yield".into())
            .map(|f| f.is_function())
            .unwrap_or(false);
        if has_yield {
            scheduler.yield_()
        } else {
            macrotask_promise()
        }
    } else {
        macrotask_promise()
    };
    Ok(async move {
        let _ = JsFuture::from(promise).await;
    })
}

pub(crate) fn idle_period(what: &'static str) -> Result<impl Future<Output = ()>, YieldError> {
    check_event_loop(what)?;
    let promise = if global_has("requestIdleCallback") {
        promise_from(|resolve| {
            request_idle_callback(resolve);
        })
    } else {
        macrotask_promise()
    };
    Ok(async move {
        let _ = JsFuture::from(promise).await;
    })
}

pub(crate) fn animation_frame() -> Result<impl Future<Output = f64>, YieldError> {
    const WHAT: &str = "yield_animation_frame()";
    check_event_loop(WHAT)?;
    let here = environment();
    if here != Environment::BrowserMain || !global_has("requestAnimationFrame") {
        return Err(YieldError::unsupported(
            WHAT,
            "the browser main thread",
            here,
        ));
    }
    let promise = promise_from(|resolve| {
        request_animation_frame(resolve);
    });
    Ok(async move {
        JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_f64())
            .unwrap_or(0.0)
    })
}
