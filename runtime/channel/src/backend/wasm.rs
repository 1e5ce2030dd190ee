//! wasm32 backend: the header and data region live in one `SharedArrayBuffer`, used
//! through JS `Atomics` on an `Int32Array` view (header) and bulk `Uint8Array` copies on a
//! `Uint8Array` view (data). Needs no threads build: the module's own memory is never
//! shared, only this buffer.
//!
//! Everything that differs between the browser main thread, workers and Node is in here:
//! whether `Atomics.wait` may block ([`is_browser_main_thread`]), whether
//! `Atomics.waitAsync` exists, and the executor parking hook ([`park`]).

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use js_sys::{
    Atomics, Function, Int32Array, Object, Promise, Reflect, SharedArrayBuffer, Uint8Array,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use wasm_bindgen::closure::Closure;

use super::{End, Memory, WaitOutcome};
use crate::error::ChannelError;
use crate::protocol::{
    CLOSED, HEAD, HEADER_BYTES, HEADER_WORDS, RX_CLAIM, RX_DEAD, RX_OWNER, TAIL, TX_CLAIM, TX_DEAD,
    TX_OWNER,
};

/// One channel's `SharedArrayBuffer` and the two views the protocol uses.
#[derive(Debug)]
pub(crate) struct WasmMemory {
    buffer: SharedArrayBuffer,
    words: Int32Array,
    data: Uint8Array,
}

fn global_property(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether this is a browser window's main thread, where `Atomics.wait` throws.
/// (Node's main thread and every worker may block.)
pub(crate) fn is_browser_main_thread() -> bool {
    !global_property("document").is_undefined() && !global_property("window").is_undefined()
}

impl WasmMemory {
    /// A new zeroed buffer with a data region of `capacity` bytes.
    pub(crate) fn new(capacity: usize) -> Result<Self, ChannelError> {
        let ctor = global_property("SharedArrayBuffer");
        let Some(ctor) = ctor.dyn_ref::<Function>() else {
            return Err(ChannelError::SharedArrayBufferUnavailable);
        };
        let len = JsValue::from_f64((HEADER_BYTES + capacity) as f64);
        let buffer = Reflect::construct(ctor, &js_sys::Array::of1(&len))
            .map_err(|_| ChannelError::SharedArrayBufferUnavailable)?;
        let buffer = buffer
            .dyn_into::<SharedArrayBuffer>()
            .map_err(|_| ChannelError::SharedArrayBufferUnavailable)?;
        Ok(Self::from_buffer_unchecked(buffer))
    }

    fn from_buffer_unchecked(buffer: SharedArrayBuffer) -> Self {
        let words = Int32Array::new_with_byte_offset_and_length(&buffer, 0, HEADER_WORDS as u32);
        let data = Uint8Array::new_with_byte_offset(&buffer, HEADER_BYTES as u32);
        Self {
            buffer,
            words,
            data,
        }
    }

    /// Views over a buffer received from another thread. Returns the memory and the size of
    /// its data region; the header itself is checked by the protocol.
    pub(crate) fn from_buffer(buffer: &JsValue) -> Result<(Self, usize), ChannelError> {
        let Some(buffer) = buffer.dyn_ref::<SharedArrayBuffer>() else {
            return Err(ChannelError::NotAChannelEnd(
                "its `buffer` is not a SharedArrayBuffer".into(),
            ));
        };
        let len = buffer.byte_length() as usize;
        if len < HEADER_BYTES {
            return Err(ChannelError::NotAChannelEnd(format!(
                "its buffer has {len} bytes, fewer than the {HEADER_BYTES}-byte header"
            )));
        }
        Ok((
            Self::from_buffer_unchecked(buffer.clone()),
            len - HEADER_BYTES,
        ))
    }

    /// The `SharedArrayBuffer` holding header and data: what crosses to another thread.
    pub(crate) fn buffer(&self) -> &SharedArrayBuffer {
        &self.buffer
    }
}

/// State of one end's asynchronous wait.
#[derive(Debug, Default)]
pub(crate) struct AsyncWait {
    /// The watcher queued on the peer's thread, if any.
    watching: Option<Watching>,
    /// The promise being awaited and the (word, value) it watches.
    pending: Option<(usize, u32, JsFuture)>,
    /// Fallback polling delay in ms when `Atomics.waitAsync` is missing.
    backoff_ms: u32,
    /// The (word, value) the fallback last polled, to reset the backoff on change.
    last: Option<(usize, u32)>,
}

/// Shortest and longest fallback polling delays (ms) without `Atomics.waitAsync`.
const BACKOFF_MIN_MS: u32 = 1;
const BACKOFF_MAX_MS: u32 = 16;

/// `Atomics.waitAsync` if this engine has it.
fn wait_async_fn() -> Option<Function> {
    let atomics = global_property("Atomics");
    Reflect::get(&atomics, &JsValue::from_str("waitAsync"))
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

/// A promise resolved by `setTimeout` after `ms` milliseconds.
fn sleep_promise(ms: u32) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        if let Ok(set_timeout) = global_property("setTimeout").dyn_into::<Function>() {
            let _ = set_timeout.call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(ms));
        } else {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    })
}

impl Memory for WasmMemory {
    type AsyncWait = AsyncWait;

    fn load(&self, index: usize) -> u32 {
        js::atomics_load(&self.words, index as u32) as u32
    }

    fn store(&self, index: usize, value: u32) {
        js::atomics_store(&self.words, index as u32, value as i32);
    }

    fn compare_exchange(&self, index: usize, current: u32, new: u32) -> Result<u32, u32> {
        let old =
            js::atomics_compare_exchange(&self.words, index as u32, current as i32, new as i32)
                as u32;
        if old == current { Ok(old) } else { Err(old) }
    }

    fn read(&self, at: usize, out: &mut [u8]) {
        self.data
            .subarray(at as u32, (at + out.len()) as u32)
            .copy_to(out);
    }

    fn write(&self, at: usize, src: &[u8]) {
        // One call into JS: wasm-bindgen hands `src` over as a view of this module's memory,
        // with no JS object for Rust to keep and drop (`Uint8Array::view` then `set` took
        // three calls: make the view, copy, drop it).
        js::set_from_slice(&self.data, src, at as u32);
    }

    fn now_ms(&self) -> f64 {
        let perf = global_property("performance");
        Reflect::get(&perf, &JsValue::from_str("now"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|now| now.call0(&perf).ok())
            .and_then(|t| t.as_f64())
            .unwrap_or_else(js_sys::Date::now)
    }

    fn notify(&self, index: usize) {
        js::atomics_notify(&self.words, index as u32);
    }

    fn wait(&self, index: usize, expected: u32, timeout: Option<Duration>) -> WaitOutcome {
        if is_browser_main_thread() {
            return WaitOutcome::NotAllowed;
        }
        let result = match timeout {
            None => Atomics::wait(&self.words, index as u32, expected as i32),
            Some(t) => Atomics::wait_with_timeout(
                &self.words,
                index as u32,
                expected as i32,
                t.as_secs_f64() * 1000.0,
            ),
        };
        match result {
            Ok(s) if s == "timed-out" => WaitOutcome::TimedOut,
            Ok(_) => WaitOutcome::Woken,
            // Atomics.wait throws only where blocking is forbidden.
            Err(_) => WaitOutcome::NotAllowed,
        }
    }

    fn poll_wait(
        &self,
        index: usize,
        expected: u32,
        state: &mut AsyncWait,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        watch_peer(&self.words, index, state);
        if let Some((i, e, fut)) = &mut state.pending {
            if *i == index && *e == expected {
                return match Pin::new(fut).poll(cx) {
                    Poll::Ready(_) => {
                        state.pending = None;
                        Poll::Ready(())
                    }
                    Poll::Pending => Poll::Pending,
                };
            }
            state.pending = None;
        }
        if park::wake_on_change(
            &self.words,
            index as u32,
            expected as i32,
            cx.waker().clone(),
        ) {
            return Poll::Pending;
        }
        let promise = if let Some(wait_async) = wait_async_fn() {
            let args = js_sys::Array::of3(
                &self.words,
                &JsValue::from(index as u32),
                &JsValue::from(expected as i32),
            );
            let Ok(result) = wait_async.apply(&JsValue::UNDEFINED, &args) else {
                return Poll::Ready(());
            };
            let is_async = Reflect::get(&result, &JsValue::from_str("async"))
                .ok()
                .and_then(|v| v.as_bool());
            if is_async != Some(true) {
                return Poll::Ready(()); // "not-equal": re-check now
            }
            match Reflect::get(&result, &JsValue::from_str("value"))
                .ok()
                .and_then(|v| v.dyn_into::<Promise>().ok())
            {
                Some(p) => p,
                None => return Poll::Ready(()),
            }
        } else {
            // Fallback: poll with exponential backoff, reset whenever the word moved.
            if state.last != Some((index, expected)) {
                state.backoff_ms = BACKOFF_MIN_MS;
                state.last = Some((index, expected));
            } else {
                state.backoff_ms = (state.backoff_ms * 2).clamp(BACKOFF_MIN_MS, BACKOFF_MAX_MS);
            }
            sleep_promise(state.backoff_ms)
        };
        let mut fut = JsFuture::from(promise);
        match Pin::new(&mut fut).poll(cx) {
            Poll::Ready(_) => Poll::Ready(()),
            Poll::Pending => {
                state.pending = Some((index, expected, fut));
                Poll::Pending
            }
        }
    }
}

impl End {
    fn claim_word(self) -> usize {
        match self {
            End::Sender => TX_CLAIM,
            End::Receiver => RX_CLAIM,
        }
    }

    fn dead_word(self) -> usize {
        match self {
            End::Sender => TX_DEAD,
            End::Receiver => RX_DEAD,
        }
    }

    fn owner_word(self) -> usize {
        match self {
            End::Sender => TX_OWNER,
            End::Receiver => RX_OWNER,
        }
    }

    /// The word this end moves and its peer waits on, with [`CLOSED`] when it closes.
    fn position_word(self) -> usize {
        match self {
            End::Sender => TAIL,
            End::Receiver => HEAD,
        }
    }
}

/// Where a thread keeps the name of the Web Lock it holds for as long as it lives: the
/// global `Symbol.for("wasm-rs.thread-lock")`, shared with wasm-rs-worker's loader, which
/// takes the lock in each worker it starts before calling the worker's export.
const THREAD_LOCK_KEY: &str = "wasm-rs.thread-lock";
const THREAD_LOCK_PREFIX: &str = "wasm-rs-thread/";

/// `navigator.locks` (Web Locks), where this thread has it: browser pages and workers in
/// a secure context, which cross-origin isolation (and so `SharedArrayBuffer`) implies.
/// Node 20 has no `navigator`.
fn lock_manager() -> Option<Object> {
    let locks = Reflect::get(&global_property("navigator"), &JsValue::from_str("locks")).ok()?;
    let request = Reflect::get(&locks, &JsValue::from_str("request")).ok()?;
    request.is_function().then(|| locks.unchecked_into())
}

fn call_method(target: &Object, name: &str, args: &[&JsValue]) -> Option<JsValue> {
    let f = Reflect::get(target, &JsValue::from_str(name))
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let args: js_sys::Array = args.iter().copied().collect();
    f.apply(target, &args).ok()
}

fn thread_lock_name(id: [u32; 2]) -> String {
    format!("{THREAD_LOCK_PREFIX}{:08x}{:08x}", id[0], id[1])
}

thread_local! {
    static THREAD_ID: core::cell::Cell<Option<[u32; 2]>> = const { core::cell::Cell::new(None) };
}

/// This thread's id: the one in the name of the lock it holds for life, taking that lock
/// now if no one has (the page's main thread, a worker not started by wasm-rs-worker).
/// A lock requested here is held from when the lock manager grants it, which in Chromium
/// needs this thread's event loop to turn once: a worker that blocks at once should be
/// started with wasm-rs-worker. Without Web Locks (Node 20) the name is only the thread's
/// identity, which wasm-rs-worker announces when the thread exits.
fn thread_id() -> [u32; 2] {
    if let Some(id) = THREAD_ID.with(core::cell::Cell::get) {
        return id;
    }
    let key = js_sys::Symbol::for_(THREAD_LOCK_KEY);
    let global = js_sys::global();
    let existing = Reflect::get(&global, &key).ok().and_then(|n| n.as_string());
    let id = match existing.as_deref().and_then(parse_thread_name) {
        Some(id) => id,
        None => {
            let id = [
                (js_sys::Math::random() * 4_294_967_296.0) as u32,
                (js_sys::Math::random() * 4_294_967_296.0) as u32 | 1,
            ];
            let name = thread_lock_name(id);
            if let Some(locks) = lock_manager() {
                // Held until the thread ends: the callback's promise never settles.
                let hold = Closure::once_into_js(|_lock: JsValue| -> JsValue {
                    Promise::new(&mut |_resolve, _reject| {}).into()
                });
                call_method(&locks, "request", &[&JsValue::from_str(&name), &hold]);
            }
            let _ = Reflect::set(&global, &key, &JsValue::from_str(&name));
            id
        }
    };
    THREAD_ID.with(|t| t.set(Some(id)));
    id
}

/// The id in a thread lock's name, `wasm-rs-thread/` and 16 hex digits.
fn parse_thread_name(name: &str) -> Option<[u32; 2]> {
    let hex = name.strip_prefix(THREAD_LOCK_PREFIX)?;
    let value = u64::from_str_radix(hex, 16).ok()?;
    Some([(value >> 32) as u32, value as u32])
}

/// Records this thread as the one holding `end` (after creating or claiming it) and wakes
/// the peer if it waits, so that it watches this thread from now on. This thread also
/// remembers the ring, to mark its ends dead when it hears that their thread ended.
pub(crate) fn record_owner(memory: &WasmMemory, end: End) {
    let id = thread_id();
    memory.store(end.owner_word(), id[0]);
    memory.store(end.owner_word() + 1, id[1]);
    memory.notify(end.position_word());
    remember(&memory.words);
}

thread_local! {
    /// The header of every ring this thread created or claimed an end of, until both its ends
    /// are closed or dead. Held strongly: a thread that handed both ends away holds nothing
    /// else of the ring (a weak reference would die with the thread's last view of it), and
    /// it is the one free to wake a peer blocked in another worker.
    static KNOWN: core::cell::RefCell<Vec<Int32Array>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Adds `words` to the rings this thread knows (once; finished rings are let go), and makes
/// sure this thread hears of ended threads.
fn remember(words: &Int32Array) {
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        known.retain(|ring| !finished(ring));
        if !known.iter().any(|ring| ***ring == ***words) {
            known.push(words.clone());
        }
    });
    listen_for_ended_threads();
}

/// Whether neither end of the ring can ever be used again: each closed or dead.
fn finished(words: &Int32Array) -> bool {
    let load = |i: usize| js::atomics_load(words, i as u32) as u32;
    [End::Sender, End::Receiver]
        .into_iter()
        .all(|end| load(end.position_word()) & CLOSED != 0 || load(end.dead_word()) != 0)
}

thread_local! {
    static LISTENING: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// Once per thread: on each announcement that a thread ended, marks dead every end of a
/// known ring that the thread held (claimed, not closed, not handed on), and wakes its
/// peer. A thread that is free to run this wakes a peer blocked in another thread.
fn listen_for_ended_threads() {
    if LISTENING.with(|l| l.replace(true)) {
        return;
    }
    let Some(target) = thread_ended_target() else {
        return;
    };
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let detail = Reflect::get(&event, &JsValue::from_str("detail")).ok();
        let Some(id) = detail
            .and_then(|d| d.as_string())
            .as_deref()
            .and_then(parse_thread_name)
        else {
            return;
        };
        let rings: Vec<Int32Array> = KNOWN.with(|known| {
            let mut known = known.borrow_mut();
            known.retain(|ring| !finished(ring));
            known.clone()
        });
        for words in rings {
            for end in [End::Sender, End::Receiver] {
                Ended::of_thread(&words, end, id);
            }
        }
    })
    .into_js_value();
    call_method(
        &target,
        "addEventListener",
        &[&JsValue::from_str("ended"), &listener],
    );
}

/// The peer (its position word), generation and owner thread a liveness watcher was
/// queued for, and what cancels that watcher when this end goes away or watches anew.
#[derive(Debug)]
struct Watching {
    key: (usize, u32, [u32; 2]),
    _cancel: AbortOnDrop,
}

/// Aborts a queued lock request when dropped (the waiting end went away).
#[derive(Debug)]
struct AbortOnDrop(JsValue);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Ok(controller) = self.0.clone().dyn_into::<Object>() {
            call_method(&controller, "abort", &[]);
        }
    }
}

/// Before an async wait on `index` (TAIL: for the sender; HEAD: for the receiver), makes
/// sure a watcher is queued on the lock of the thread that holds the peer, once per peer
/// generation and thread.
fn watch_peer(words: &Int32Array, index: usize, state: &mut AsyncWait) {
    let peer = match index {
        TAIL => End::Sender,
        HEAD => End::Receiver,
        _ => return,
    };
    let load = |i: usize| js::atomics_load(words, i as u32) as u32;
    let claim = load(peer.claim_word());
    if claim & 1 == 0 || load(peer.dead_word()) != 0 {
        return; // in transit between threads, or already known dead
    }
    let owner = [load(peer.owner_word()), load(peer.owner_word() + 1)];
    if owner == [0, 0] {
        return; // an end from before owners were recorded
    }
    let key = (index, claim >> 1, owner);
    if state.watching.as_ref().is_some_and(|w| w.key == key) {
        return;
    }
    let Some(locks) = lock_manager() else {
        return;
    };
    let Some(controller) = global_property("AbortController")
        .dyn_into::<Function>()
        .ok()
        .and_then(|ctor| Reflect::construct(&ctor, &js_sys::Array::new()).ok())
    else {
        return;
    };
    let signal = Reflect::get(&controller, &JsValue::from_str("signal")).unwrap_or_default();
    // Replacing the old watcher aborts it.
    state.watching = Some(Watching {
        key,
        _cancel: AbortOnDrop(controller),
    });
    let watch = Watch {
        locks,
        words: words.clone(),
        signal,
        peer,
        generation: claim >> 1,
        owner,
    };
    watch.queue(WATCH_TRIES);
}

/// What a watcher does once the peer's thread has ended: unless the end closed, or moved
/// to another generation or thread meanwhile, mark it dead and wake the waiter.
#[derive(Clone)]
struct Ended {
    words: Int32Array,
    peer: End,
    generation: u32,
    owner: [u32; 2],
}

impl Ended {
    /// Marks `end` of the ring `words` dead if the thread `id` held it (claimed, not closed).
    fn of_thread(words: &Int32Array, end: End, id: [u32; 2]) {
        let load = |i: usize| js::atomics_load(words, i as u32) as u32;
        let claim = load(end.claim_word());
        if claim & 1 == 1 && [load(end.owner_word()), load(end.owner_word() + 1)] == id {
            Ended {
                words: words.clone(),
                peer: end,
                generation: claim >> 1,
                owner: id,
            }
            .mark();
        }
    }

    fn mark(&self) {
        let load = |i: usize| js::atomics_load(&self.words, i as u32) as u32;
        let peer = self.peer;
        let same_end = load(peer.claim_word()) >> 1 == self.generation
            && [load(peer.owner_word()), load(peer.owner_word() + 1)] == self.owner;
        if same_end && load(peer.position_word()) & CLOSED == 0 {
            js::atomics_store(&self.words, peer.dead_word() as u32, 1);
            js::atomics_notify(&self.words, peer.position_word() as u32);
        }
    }
}

/// Where wasm-rs-worker's loader announces a thread it terminated (in Node, also one that
/// exited by itself): an `EventTarget` under
/// the global `Symbol.for("wasm-rs.thread-ended")`, whose "ended" events carry the
/// thread's lock name. Announcements from other threads arrive on the `BroadcastChannel`
/// "wasm-rs.thread-ended"; this thread relays them to the target (set up once).
const THREAD_ENDED_KEY: &str = "wasm-rs.thread-ended";

thread_local! {
    static RELAY: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

fn thread_ended_target() -> Option<Object> {
    let global = js_sys::global();
    let key = js_sys::Symbol::for_(THREAD_ENDED_KEY);
    let target = match Reflect::get(&global, &key).ok().filter(JsValue::is_object) {
        Some(target) => target,
        None => {
            let ctor = global_property("EventTarget").dyn_into::<Function>().ok()?;
            let target = Reflect::construct(&ctor, &js_sys::Array::new()).ok()?;
            let _ = Reflect::set(&global, &key, &target);
            target
        }
    };
    if !RELAY.with(|r| r.replace(true)) {
        relay_broadcasts(&target);
    }
    Some(target.unchecked_into())
}

/// Re-dispatches the names posted on the `BroadcastChannel` as "ended" events here.
fn relay_broadcasts(target: &JsValue) {
    let Ok(channel_ctor) = global_property("BroadcastChannel").dyn_into::<Function>() else {
        return;
    };
    let Ok(event_ctor) = global_property("CustomEvent").dyn_into::<Function>() else {
        return;
    };
    let args = js_sys::Array::of1(&JsValue::from_str(THREAD_ENDED_KEY));
    let Ok(channel) = Reflect::construct(&channel_ctor, &args) else {
        return;
    };
    let target = target.clone();
    let relay = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
        let name = Reflect::get(&message, &JsValue::from_str("data")).unwrap_or_default();
        let init = Object::new();
        let _ = Reflect::set(&init, &JsValue::from_str("detail"), &name);
        let args = js_sys::Array::of2(&JsValue::from_str("ended"), &init);
        if let (Ok(event), Ok(target)) = (
            Reflect::construct(&event_ctor, &args),
            target.clone().dyn_into::<Object>(),
        ) {
            call_method(&target, "dispatchEvent", &[&event]);
        }
    })
    .into_js_value();
    let _ = Reflect::set(&channel, &JsValue::from_str("onmessage"), &relay);
    // In Node a listening channel would keep the thread (and the process) alive.
    if let Ok(channel) = channel.clone().dyn_into::<Object>() {
        call_method(&channel, "unref", &[]);
    }
    // Kept for the thread's life: a channel nobody references may be collected.
    let _ = Reflect::set(
        &js_sys::global(),
        &js_sys::Symbol::for_("wasm-rs.thread-ended.relay"),
        &channel,
    );
}

/// Tries to queue a watcher this many times, 10 ms apart, while the peer thread's lock is
/// not yet held (a thread that took it lazily, on its first channel end).
const WATCH_TRIES: u32 = 100;

/// A watcher on the lock of the thread holding `peer`.
struct Watch {
    locks: Object,
    words: Int32Array,
    signal: JsValue,
    peer: End,
    generation: u32,
    owner: [u32; 2],
}

impl Watch {
    /// Queues a request for the peer thread's lock once `navigator.locks.query()` shows the
    /// lock held (a request made before would be granted to the watcher itself).
    fn queue(self, tries: u32) {
        let Some(query) = call_method(&self.locks, "query", &[]) else {
            return;
        };
        let on_snapshot = Closure::once_into_js(move |snapshot: JsValue| {
            let aborted = Reflect::get(&self.signal, &JsValue::from_str("aborted"))
                .ok()
                .and_then(|a| a.as_bool())
                .unwrap_or(false);
            if aborted {
                return;
            }
            let name = thread_lock_name(self.owner);
            let held = Reflect::get(&snapshot, &JsValue::from_str("held"))
                .ok()
                .and_then(|h| h.dyn_into::<js_sys::Array>().ok())
                .is_some_and(|held| {
                    held.iter().any(|lock| {
                        Reflect::get(&lock, &JsValue::from_str("name"))
                            .ok()
                            .and_then(|n| n.as_string())
                            .is_some_and(|n| n == name)
                    })
                });
            if held {
                self.request(&name);
            } else if tries > 1 {
                let retry = Closure::once_into_js(move || self.queue(tries - 1));
                if let Ok(set_timeout) = global_property("setTimeout").dyn_into::<Function>() {
                    let _ = set_timeout.call2(&JsValue::UNDEFINED, &retry, &JsValue::from(10));
                }
            }
        });
        if let Ok(query) = query.dyn_into::<Object>() {
            call_method(&query, "then", &[&on_snapshot]);
        }
    }

    /// The request itself: granted once the peer's thread has released its lock, that is,
    /// ended. Unless the end closed, or moved to another generation or thread meanwhile,
    /// marks it dead and wakes the waiter.
    fn request(self, name: &str) {
        let Self {
            locks,
            words,
            signal,
            peer,
            generation,
            owner,
        } = self;
        let ended = Ended {
            words,
            peer,
            generation,
            owner,
        };
        let granted = Closure::once_into_js(move |_lock: JsValue| ended.mark());
        let options = Object::new();
        let _ = Reflect::set(&options, &JsValue::from_str("signal"), &signal);
        let name = JsValue::from_str(name);
        if let Some(request) = call_method(&locks, "request", &[&name, &options, &granted]) {
            // An aborted request rejects: not an error here.
            let ignore = Closure::once_into_js(|_reason: JsValue| {});
            if let Ok(request) = request.dyn_into::<Object>() {
                call_method(&request, "catch", &[&ignore]);
            }
        }
    }
}

/// `Atomics` operations that cannot throw on an in-bounds index of a shared
/// `Int32Array` (the only kind this module passes), bound without js-sys's `catch` wrapper,
/// which costs more than the operation itself on the hot path.
mod js {
    use js_sys::{Int32Array, Uint8Array};
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Atomics, js_name = load)]
        pub(super) fn atomics_load(array: &Int32Array, index: u32) -> i32;
        #[wasm_bindgen(js_namespace = Atomics, js_name = store)]
        pub(super) fn atomics_store(array: &Int32Array, index: u32, value: i32) -> i32;
        #[wasm_bindgen(js_namespace = Atomics, js_name = compareExchange)]
        pub(super) fn atomics_compare_exchange(
            array: &Int32Array,
            index: u32,
            expected: i32,
            replacement: i32,
        ) -> i32;
        #[wasm_bindgen(js_namespace = Atomics, js_name = notify)]
        pub(super) fn atomics_notify(array: &Int32Array, index: u32) -> i32;
        /// `Uint8Array.prototype.set.call(array, src, offset)`, `src` arriving as a view of
        /// the module's memory. The offset is in bounds: the protocol writes only inside the
        /// data region.
        #[wasm_bindgen(js_namespace = ["Uint8Array", "prototype", "set"], js_name = call)]
        pub(super) fn set_from_slice(array: &Uint8Array, src: &[u8], offset: u32);
    }
}

/// The version of the object [`end_to_js`] makes (2: with `ticket` and `type`).
const JS_VERSION: f64 = 2.0;

/// What an end's JS value carries besides its buffer.
#[derive(Debug)]
pub(crate) struct Handoff {
    /// The channel's `SharedArrayBuffer` (header and ring).
    pub(crate) buffer: JsValue,
    /// The generation of the end this value may claim (see `protocol::offer`).
    pub(crate) ticket: u32,
    /// The message type's name as the sending side wrote it, for error messages.
    pub(crate) type_name: Option<String>,
}

/// The plain JS object for a handed-off end:
/// `{ end, version: 2, buffer, ticket, type }`.
pub(crate) fn end_to_js(
    end: &str,
    memory: &WasmMemory,
    ticket: u32,
    type_name: Option<&str>,
) -> JsValue {
    let obj = Object::new();
    let _ = Reflect::set(&obj, &"end".into(), &end.into());
    let _ = Reflect::set(&obj, &"version".into(), &JsValue::from(JS_VERSION));
    let _ = Reflect::set(&obj, &"buffer".into(), memory.buffer());
    let _ = Reflect::set(&obj, &"ticket".into(), &JsValue::from(ticket));
    if let Some(name) = type_name {
        let _ = Reflect::set(&obj, &"type".into(), &name.into());
    }
    obj.into()
}

/// The fields of a value made by [`end_to_js`], after checking its shape and `end`.
pub(crate) fn end_from_js(
    value: &JsValue,
    expected: &'static str,
) -> Result<Handoff, ChannelError> {
    if !value.is_object() {
        return Err(ChannelError::NotAChannelEnd("it is not an object".into()));
    }
    let get = |key: &str| Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let Some(end) = get("end").as_string() else {
        return Err(ChannelError::NotAChannelEnd(
            "it has no `end` string".into(),
        ));
    };
    if end != expected {
        return Err(ChannelError::WrongEnd {
            expected,
            found: end,
        });
    }
    let version = get("version").as_f64();
    if version != Some(JS_VERSION) {
        // Whole numbers are printed as integers: formatting an `f64` would link about 20 KB
        // of float printing into every module that uses the channel.
        let found = match version {
            Some(v) if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) => {
                format!("version {}", v as u32)
            }
            Some(_) => "a version that is not a whole number".to_string(),
            None => "no version".to_string(),
        };
        return Err(ChannelError::NotAChannelEnd(format!(
            "it has {found}, where this release expects version {}: both sides must use the same wasm-rs-shared-channel release",
            JS_VERSION as u32
        )));
    }
    let ticket = get("ticket")
        .as_f64()
        .filter(|t| t.fract() == 0.0 && (0.0..=f64::from(u32::MAX >> 1)).contains(t))
        .ok_or_else(|| ChannelError::NotAChannelEnd("it has no valid `ticket`".into()))?;
    let buffer = get("buffer");
    if buffer.is_undefined() {
        return Err(ChannelError::NotAChannelEnd("it has no `buffer`".into()));
    }
    Ok(Handoff {
        buffer,
        ticket: ticket as u32,
        type_name: get("type").as_string(),
    })
}

/// The executor parking hook, in one place.
pub(crate) mod park {
    use core::task::Waker;
    use js_sys::Int32Array;

    /// Asks a full-time wasm-rs-async-executor on this thread to sleep in `Atomics.wait`
    /// on `array[index] == expected` when idle and then wake `waker`. False when no
    /// full-time executor runs on this thread.
    pub(crate) fn wake_on_change(
        array: &Int32Array,
        index: u32,
        expected: i32,
        waker: Waker,
    ) -> bool {
        wasm_rs_async_executor::park::wake_on_change(array, index, expected, waker)
    }
}
