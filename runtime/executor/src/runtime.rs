//! The per-thread executor: run queue, task registry, timer heap and run loops.
//!
//! Every thread has its own executor, created on first use. Platform specifics
//! (how a drain gets scheduled, how a blocked thread sleeps) are in [`crate::sys`].

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use slab::Slab;

use crate::Instant;
use crate::sys;
use crate::task::{JoinHandle, Runnable, new_task};

/// The default time budget of one drain (see [`set_time_budget`]): 8 ms, half a
/// 60 Hz frame.
///
/// ```
/// assert_eq!(wasm_rs_async_executor::DEFAULT_TIME_BUDGET.as_millis(), 8);
/// ```
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_millis(8);

/// The part of an executor that wakers on other threads may touch.
struct Shared {
    remote: Mutex<Remote>,
    has_remote: AtomicBool,
    unparker: sys::Unparker,
}

#[derive(Default)]
struct Remote {
    queue: Vec<Arc<dyn Runnable>>,
    closed: bool,
}

impl Shared {
    fn push_remote(&self, task: Arc<dyn Runnable>) {
        sys::check_remote_wake();
        let mut remote = sys::lock(&self.remote);
        if remote.closed {
            // The owning thread's executor is gone and cancelled the task already.
            drop(remote);
            drop(task);
            return;
        }
        remote.queue.push(task);
        self.has_remote.store(true, Ordering::Release);
        drop(remote);
        self.unparker.unpark();
    }
}

/// How a run loop ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Outcome {
    /// Nothing is ready.
    Idle,
    /// The time budget ran out with work left.
    Budget,
}

/// A run-queue entry: the task's registry key, and its address to tell it apart
/// from a later task that reuses the key. Holding no reference count keeps wakes
/// cheap; a stale entry (its task finished and the key was reused by a task at
/// the same address) costs at most one spurious poll, which futures tolerate.
#[derive(Clone, Copy)]
struct Entry {
    key: usize,
    ptr: *const (),
}

impl Entry {
    fn of<T: ?Sized>(key: usize, task: &Arc<T>) -> Self {
        Entry {
            key,
            ptr: Arc::as_ptr(task).cast::<()>(),
        }
    }
}

/// A registered timer, as its `Sleep` names it: the slab key of its waker and the sequence
/// number that tells it from a later timer given the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerId {
    key: usize,
    seq: u64,
}

/// A thread's timers: a binary heap of `(deadline, seq, key)` with the earliest deadline on
/// top, and the wakers in a slab, where a `Sleep` finds its own by [`TimerId`].
///
/// Cancelling removes the waker only; the heap entry stays behind, dead, until it comes to
/// the top (where it is dropped unseen) or until dead entries are most of the heap (then
/// the heap keeps only live ones), so a cancel costs O(1) and memory stays bounded however
/// many timeouts are set and cancelled. Equal deadlines fire in registration order.
///
/// A `BTreeMap` did this before: the heap and slab link about 6 KB less wasm (the size
/// benchmark of `cargo xtask bench`), since the slab is already linked for the tasks.
struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64, usize)>>,
    live: Slab<(u64, Waker)>,
    next_seq: u64,
}

impl Timers {
    fn new() -> Self {
        Timers {
            heap: BinaryHeap::new(),
            live: Slab::new(),
            next_seq: 0,
        }
    }

    fn is_live(live: &Slab<(u64, Waker)>, seq: u64, key: usize) -> bool {
        live.get(key).is_some_and(|(s, _)| *s == seq)
    }

    /// Drops dead entries from the top, so that the top (if any) is live.
    fn prune_top(&mut self) {
        while let Some(Reverse((_, seq, key))) = self.heap.peek() {
            if Self::is_live(&self.live, *seq, *key) {
                break;
            }
            self.heap.pop();
        }
    }

    /// The earliest live deadline.
    fn earliest(&mut self) -> Option<Instant> {
        self.prune_top();
        self.heap.peek().map(|Reverse((deadline, _, _))| *deadline)
    }

    /// The waker of `id` while its timer is registered.
    fn waker_mut(&mut self, id: TimerId) -> Option<&mut Waker> {
        self.live
            .get_mut(id.key)
            .filter(|(seq, _)| *seq == id.seq)
            .map(|(_, w)| w)
    }

    fn insert(&mut self, deadline: Instant, waker: Waker) -> TimerId {
        let seq = self.next_seq;
        self.next_seq += 1;
        let key = self.live.insert((seq, waker));
        self.heap.push(Reverse((deadline, seq, key)));
        TimerId { key, seq }
    }

    /// Removes `id`'s waker (a no-op once it fired); returns it, to be dropped outside the
    /// borrow.
    fn remove(&mut self, id: TimerId) -> Option<Waker> {
        if !Self::is_live(&self.live, id.seq, id.key) {
            return None;
        }
        let (_, waker) = self.live.remove(id.key);
        if self.live.is_empty() {
            self.heap.clear();
        } else if self.heap.len() > 2 * self.live.len() + 32 {
            let live = &self.live;
            self.heap
                .retain(|Reverse((_, seq, key))| Self::is_live(live, *seq, *key));
        }
        Some(waker)
    }

    /// Removes and returns the earliest timer's waker if it is due at `now`.
    fn pop_due(&mut self, now: Instant) -> Option<Waker> {
        self.prune_top();
        let Reverse((deadline, _, key)) = *self.heap.peek()?;
        if deadline > now {
            return None;
        }
        self.heap.pop();
        Some(self.live.remove(key).1)
    }

    fn len(&self) -> usize {
        self.live.len()
    }

    fn clear(&mut self) {
        self.heap.clear();
        self.live.clear();
    }
}

/// What the run loops do with timers, reached through a pointer that only
/// [`Runtime::register_timer`] sets: a module whose tasks never sleep calls none of it, so
/// it doesn't link the timer heap's code or (on wasm32) the `setTimeout` callback, about
/// 2 KB of wasm (the size benchmark of `cargo xtask bench`).
struct TimerOps {
    /// Wakes the timers due at the given time.
    fire: fn(&Runtime, Instant),
    /// Wakes the timers due now (reading the clock only where timers are used).
    fire_now: fn(&Runtime),
    /// Tells the platform when the earliest timer is due.
    sync: fn(&Runtime),
    /// The earliest deadline, for a blocking loop's park.
    earliest: fn(&Runtime) -> Option<Instant>,
}

static TIMER_OPS: TimerOps = TimerOps {
    fire: Runtime::fire_due_timers,
    fire_now: |rt| rt.fire_due_timers(Instant::now()),
    sync: Runtime::sync_platform_timer,
    earliest: |rt| rt.timers.borrow_mut().earliest(),
};

/// One thread's executor.
pub(crate) struct Runtime {
    id: u64,
    shared: Arc<Shared>,
    queue: RefCell<VecDeque<Entry>>,
    tasks: RefCell<Slab<Arc<dyn Runnable>>>,
    timers: RefCell<Timers>,
    /// The timer half of the run loops, set by the first timer registration (see
    /// [`TimerOps`]).
    timer_ops: Cell<Option<&'static TimerOps>>,
    /// A run loop (drain, block_on, run_forever, run_until_stalled) is active.
    running: Cell<bool>,
    /// A blocking loop (block_on, run_forever) owns the thread: no JS callback runs
    /// (except while it is suspended through JSPI, see `suspending`).
    full_time: Cell<bool>,
    /// The blocking loop parks by suspending through JSPI (the `jspi` feature): JS
    /// callbacks and promises run while it is parked.
    suspending: Cell<bool>,
    budget: Cell<Duration>,
    polls: Cell<u64>,
    drains: Cell<u64>,
    driver: sys::Driver,
}

/// What the thread-local holds. On targets without threads (wasm32 without the `atomics`
/// target feature, which includes WASI preview 1 and 2) Rust never destroys a thread-local,
/// so `Runtime`'s destructor could never run there, yet it would still be linked (about
/// 2 KB of wasm): `ManuallyDrop` leaves it out. Where threads exist, a thread's executor is
/// dropped when the thread exits, which cancels its tasks.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
type Local = std::mem::ManuallyDrop<Runtime>;
#[cfg(not(all(target_family = "wasm", not(target_feature = "atomics"))))]
type Local = Runtime;

fn new_local() -> Local {
    #[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
    return std::mem::ManuallyDrop::new(Runtime::new());
    #[cfg(not(all(target_family = "wasm", not(target_feature = "atomics"))))]
    Runtime::new()
}

thread_local! {
    static RUNTIME: Local = new_local();
    /// The id of this thread's executor (0: none yet), for wakers to tell "same
    /// thread" apart without touching (or lazily creating) `RUNTIME`.
    static CURRENT: Cell<u64> = const { Cell::new(0) };
}

/// Whether other threads can exist to wake a task: not on wasm without the `atomics` target
/// feature (wasm32-unknown-unknown's default, WASI preview 1 and 2), where the one thread
/// is the executor's. There the registry of executors and the cross-thread queue are never
/// touched, so they are not linked (1.25 KB of wasm after `wasm-opt -Oz`, with std's `Mutex`).
const OTHER_THREADS: bool = !cfg!(all(target_family = "wasm", not(target_feature = "atomics")));

/// Executor ids, never reused.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Every live executor by id, for wakes from other threads.
///
/// A list, not a map: there is one executor per thread that has used one, so a lookup
/// scans a handful of entries, and a `BTreeMap` would cost about 6 KB of wasm (what
/// replacing the timers' one saved, see [`Timers`]).
static EXECUTORS: Mutex<Vec<(u64, Arc<Shared>)>> = Mutex::new(Vec::new());

fn executors() -> std::sync::MutexGuard<'static, Vec<(u64, Arc<Shared>)>> {
    sys::lock(&EXECUTORS)
}

/// Runs `f` with this thread's executor.
pub(crate) fn with<R>(f: impl FnOnce(&Runtime) -> R) -> R {
    crate::sys::local(&RUNTIME, |rt| f(rt))
}

/// Like [`with`], but `Err` during thread shutdown (for destructors).
pub(crate) fn try_with<R>(f: impl FnOnce(&Runtime) -> R) -> Result<R, std::thread::AccessError> {
    RUNTIME.try_with(|rt| f(rt))
}

/// Queues a woken task on its executor (once, however often it is woken before it
/// runs): directly when the wake happens on the executor's own thread, through the
/// cross-thread queue otherwise.
pub(crate) fn schedule<T: Runnable + 'static>(task: &Arc<T>) {
    let id = task.executor();
    if CURRENT.try_with(|c| c.get() == id).unwrap_or(false) {
        // The owner thread: `mark_queued` may touch the task's thread-local flags.
        if task.mark_queued() {
            // If the executor is being torn down (thread exit), it has cancelled every
            // task already and the wake is dropped.
            let _ = RUNTIME.try_with(|rt| rt.enqueue(Entry::of(task.key(), task)));
        }
        return;
    }
    if !OTHER_THREADS || !task.mark_remote() {
        // Single-threaded target: a wake from "another thread" can only be a stale waker of
        // an executor that no longer exists. Or already in the cross-thread queue.
        return;
    }
    let shared = executors()
        .iter()
        .find(|(key, _)| *key == id)
        .map(|(_, shared)| Arc::clone(shared));
    // No entry: the owning thread has exited, and its executor cancelled the task.
    if let Some(shared) = shared {
        shared.push_remote(Arc::clone(task) as Arc<dyn Runnable>);
    }
}

/// Removes a finished task from this thread's registry.
pub(crate) fn unregister(key: usize) {
    let _ = RUNTIME.try_with(|rt| rt.remove(key));
}

/// Restores the run flags when a run loop ends (also by panic).
struct RunGuard<'a> {
    rt: &'a Runtime,
    full_time: bool,
    /// Hand leftover work back to the JS event loop when the loop ends.
    rearm: bool,
}

impl<'a> RunGuard<'a> {
    fn enter(rt: &'a Runtime, full_time: bool) -> Result<Self, RunError> {
        Self::try_enter(rt, full_time).ok_or(RunError::Nested)
    }

    /// [`enter`](Self::enter) for a drain, which only needs to know whether a loop runs
    /// already: no `RunError` (whose `String` variant's drop code a drain would link).
    fn try_enter(rt: &'a Runtime, full_time: bool) -> Option<Self> {
        if rt.running.get() {
            return None;
        }
        rt.running.set(true);
        let was = rt.full_time.replace(full_time);
        Some(RunGuard {
            rt,
            full_time: was,
            rearm: true,
        })
    }
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        self.rt.running.set(false);
        self.rt.full_time.set(self.full_time);
        if self.rearm && !self.rt.queue.borrow().is_empty() {
            self.rt.driver.request_drain();
        }
        if !self.full_time && !self.rt.tasks.borrow().is_empty() {
            // Back in the event loop with tasks that another thread may wake
            // (threads builds only; a no-op otherwise).
            self.rt.driver.watch_remote_wakes();
        }
        self.rt.sync_timer();
    }
}

/// How a blocking loop parks the thread when no task is ready. A type parameter,
/// so that a module that never suspends never links (or imports) the JSPI park.
pub(crate) trait Parking {
    /// Parks through JSPI: JS callbacks run meanwhile.
    const SUSPENDING: bool;
    /// Sleeps until a timer, a registration or a wake.
    fn park(rt: &Runtime, deadline: Option<Instant>, tasks: usize) -> Result<(), RunError>;
}

/// Plain full-time mode: `Atomics.wait` on wasm32, OS parking natively.
pub(crate) struct Blocking;

impl Parking for Blocking {
    const SUSPENDING: bool = false;

    fn park(rt: &Runtime, deadline: Option<Instant>, tasks: usize) -> Result<(), RunError> {
        rt.driver.park(deadline, tasks)
    }
}

/// The suspending mode (feature `jspi`, wasm32): parks on a promise through JSPI.
#[cfg(all(feature = "jspi", all(target_family = "wasm", target_os = "unknown")))]
pub(crate) struct Suspending;

#[cfg(all(feature = "jspi", all(target_family = "wasm", target_os = "unknown")))]
impl Parking for Suspending {
    const SUSPENDING: bool = true;

    fn park(rt: &Runtime, deadline: Option<Instant>, _tasks: usize) -> Result<(), RunError> {
        rt.driver.park_suspending(deadline)
    }
}

/// Sets `Runtime::suspending` for one blocking loop.
struct SuspendGuard<'a> {
    rt: &'a Runtime,
    was: bool,
}

impl<'a> SuspendGuard<'a> {
    fn enter(rt: &'a Runtime, suspending: bool) -> Self {
        SuspendGuard {
            rt,
            was: rt.suspending.replace(suspending),
        }
    }
}

impl Drop for SuspendGuard<'_> {
    fn drop(&mut self) {
        self.rt.suspending.set(self.was);
    }
}

/// The waker of `block_on`'s own future: a flag plus a thread unpark.
struct MainWake {
    woken: AtomicBool,
    unparker: sys::Unparker,
}

impl Wake for MainWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::AcqRel) {
            self.unparker.unpark();
            #[cfg(all(feature = "jspi", all(target_family = "wasm", target_os = "unknown")))]
            sys::resume_suspended();
        }
    }
}

impl Runtime {
    fn new() -> Self {
        let shared = Arc::new(Shared {
            remote: Mutex::new(Remote::default()),
            has_remote: AtomicBool::new(false),
            unparker: sys::Unparker::current(),
        });
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        if OTHER_THREADS {
            executors().push((id, Arc::clone(&shared)));
        }
        crate::sys::local(&CURRENT, |c| c.set(id));
        Runtime {
            id,
            shared,
            queue: RefCell::new(VecDeque::new()),
            tasks: RefCell::new(Slab::new()),
            timers: RefCell::new(Timers::new()),
            timer_ops: Cell::new(None),
            running: Cell::new(false),
            full_time: Cell::new(false),
            suspending: Cell::new(false),
            budget: Cell::new(DEFAULT_TIME_BUDGET),
            polls: Cell::new(0),
            drains: Cell::new(0),
            driver: sys::Driver::new(),
        }
    }

    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let mut tasks = self.tasks.borrow_mut();
        let entry = tasks.vacant_entry();
        let key = entry.key();
        let (task, handle) = new_task(future, key, self.id);
        let queued = Entry::of(key, &task);
        entry.insert(task);
        drop(tasks);
        self.enqueue(queued);
        handle
    }

    fn enqueue(&self, task: Entry) {
        let mut queue = self.queue.borrow_mut();
        let was_empty = queue.is_empty();
        queue.push_back(task);
        drop(queue);
        if (was_empty || self.driver.drain_may_be_stale()) && !self.running.get() {
            self.driver.request_drain();
        }
        #[cfg(all(feature = "jspi", all(target_family = "wasm", target_os = "unknown")))]
        if was_empty && self.suspending.get() {
            // A JS callback woke a task while the loop is suspended: resume it.
            self.driver.resume_suspended();
        }
    }

    /// Removes a task that `run` just reported finished (it is done, and still
    /// registered under `key`: nothing can unregister a task while it runs).
    fn remove_finished(&self, key: usize) {
        let removed = self.tasks.borrow_mut().try_remove(key);
        if let Some(task) = removed {
            task.unregistered();
        }
    }

    fn remove(&self, key: usize) {
        let mut tasks = self.tasks.borrow_mut();
        let removed = match tasks.get(key) {
            Some(task) if task.is_done() => Some(tasks.remove(key)),
            _ => None,
        };
        drop(tasks);
        if let Some(task) = removed {
            task.unregistered();
        }
    }

    /// Moves cross-thread wakes and expired timers into the run queue.
    /// Returns whether the queue has work.
    fn collect(&self) -> bool {
        if OTHER_THREADS && self.shared.has_remote.load(Ordering::Acquire) {
            let mut remote = sys::lock(&self.shared.remote);
            self.shared.has_remote.store(false, Ordering::Release);
            let woken = std::mem::take(&mut remote.queue);
            drop(remote);
            // One `push_back` at a time, like `enqueue`: `extend` would link a second,
            // iterator-specialised copy of the queue's growth code (about 1 KB of wasm).
            let mut queue = self.queue.borrow_mut();
            for task in &woken {
                if task.take_remote() {
                    queue.push_back(Entry::of(task.key(), task));
                }
            }
            drop(queue);
            drop(woken);
        }
        if let Some(ops) = self.timer_ops.get() {
            if self.timers.borrow().len() > 0 {
                (ops.fire_now)(self);
            }
        }
        !self.queue.borrow().is_empty()
    }

    /// Runs ready tasks in one pass until none is ready or `budget` is spent.
    #[inline]
    pub(crate) fn run_ready(&self, budget: Option<Duration>) -> Outcome {
        // Two copies of the loop, so that a module whose drains have no budget (without the
        // `time-slicing` feature) links no clock.
        match budget {
            Some(budget) => self.run_loop::<true>(budget),
            None => self.run_loop::<false>(Duration::ZERO),
        }
    }

    fn run_loop<const TIMED: bool>(&self, budget: Duration) -> Outcome {
        self.drains.set(self.drains.get() + 1);
        let start = TIMED.then(Instant::now);
        let mut last_check = start;
        let mut stride: u32 = 1;
        let mut until_check = stride;
        self.collect();
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(entry) = next else {
                if self.collect() {
                    continue;
                }
                return Outcome::Idle;
            };
            let task: *const dyn Runnable = match self.tasks.borrow().get(entry.key) {
                Some(t) if ptr::addr_eq(Arc::as_ptr(t), entry.ptr) => Arc::as_ptr(t),
                // Finished (aborted) after it was queued.
                _ => continue,
            };
            self.polls.set(self.polls.get() + 1);
            // SAFETY: `task` points into an `Arc` held by the registry. The registry
            // lets go of a task only once it is done (`remove` checks), and a task
            // cannot become done while it is being polled (`abort` from inside the
            // poll only sets a flag), so the pointer stays valid during `run`; it is
            // not used after `run` returns. It is also the `Arc::as_ptr` that `run`
            // needs for its waker.
            if unsafe { (*task).run(task.cast::<()>()) } {
                self.remove_finished(entry.key);
            }
            if let (true, Some(start), Some(last)) = (TIMED, start, last_check) {
                until_check -= 1;
                if until_check == 0 {
                    // Reading the clock costs a JS call on wasm: read it every
                    // `stride` polls, and widen the stride while polls are short.
                    let now = Instant::now();
                    if now.duration_since(start) >= budget {
                        if self.collect() {
                            return Outcome::Budget;
                        }
                        return Outcome::Idle;
                    }
                    stride = if now.duration_since(last) < budget / 64 {
                        (stride * 2).min(64)
                    } else {
                        1
                    };
                    until_check = stride;
                    last_check = Some(now);
                }
            }
        }
    }

    /// One drain from the JS event loop (wasm32): run, then yield or go idle.
    #[cfg_attr(
        not(all(target_family = "wasm", target_os = "unknown")),
        allow(dead_code)
    )]
    pub(crate) fn event_loop_drain(&self) {
        let Some(mut guard) = RunGuard::try_enter(self, false) else {
            return;
        };
        #[cfg(feature = "time-slicing")]
        {
            let outcome = self.run_ready(Some(self.driver.slice_budget(self.budget.get())));
            if outcome == Outcome::Budget {
                // Yield to the event loop (rendering, input) before the next slice.
                guard.rearm = false;
                self.driver.arm_macrotask();
            } else {
                self.driver.went_idle();
            }
        }
        // Without time slicing, a drain runs until no task is ready, as wasm-bindgen-futures'
        // `spawn_local` does: `run_ready(None)` returns only once the queue is empty, so
        // there is nothing to re-arm (and the re-arm check would cost 149 B of wasm).
        #[cfg(not(feature = "time-slicing"))]
        {
            let _ = self.run_ready(None);
            guard.rearm = false;
        }
    }

    /// Fires expired timers (the wasm32 `setTimeout` callback).
    #[cfg_attr(
        not(all(target_family = "wasm", target_os = "unknown")),
        allow(dead_code)
    )]
    pub(crate) fn fire_timers(&self, now: Instant) {
        if let Some(ops) = self.timer_ops.get() {
            (ops.fire)(self, now);
        }
    }

    fn fire_due_timers(&self, now: Instant) {
        let mut expired = Vec::new();
        {
            let mut timers = self.timers.borrow_mut();
            while let Some(waker) = timers.pop_due(now) {
                expired.push(waker);
            }
        }
        for waker in expired {
            waker.wake();
        }
    }

    /// Tells the platform when the earliest timer is due (wasm32: one setTimeout).
    pub(crate) fn sync_timer(&self) {
        if let Some(ops) = self.timer_ops.get() {
            (ops.sync)(self);
        }
    }

    fn sync_platform_timer(&self) {
        if self.full_time.get() {
            return;
        }
        let earliest = self.timers.borrow_mut().earliest();
        self.driver.sync_timer(earliest);
    }

    /// Registers (or refreshes) a timer entry for a `Sleep`.
    pub(crate) fn register_timer(
        &self,
        deadline: Instant,
        id: &mut Option<TimerId>,
        waker: &Waker,
    ) {
        self.timer_ops.set(Some(&TIMER_OPS));
        let mut timers = self.timers.borrow_mut();
        if let Some(w) = id.and_then(|existing| timers.waker_mut(existing)) {
            if !w.will_wake(waker) {
                *w = waker.clone();
            }
            return;
        }
        let new_id = timers.insert(deadline, waker.clone());
        *id = Some(new_id);
        // The new timer is the earliest (or shares the earliest deadline): the platform's
        // one timeout may need moving.
        let earliest = timers.earliest() == Some(deadline);
        drop(timers);
        if !self.full_time.get() {
            self.driver.timer_registered(deadline);
        }
        if earliest {
            self.sync_timer();
        }
    }

    /// Removes a timer entry (a `Sleep` dropped before it fired).
    pub(crate) fn cancel_timer(&self, id: TimerId) {
        let mut timers = self.timers.borrow_mut();
        let removed = timers.remove(id);
        let now_empty = timers.len() == 0;
        drop(timers);
        drop(removed);
        if now_empty {
            self.sync_timer();
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        (self.timer_ops.get()?.earliest)(self)
    }

    /// The blocking loop behind `block_on` and `run_forever`.
    fn drive<P: Parking, R>(
        &self,
        mut poll_main: impl FnMut() -> Option<R>,
        main_pending: impl Fn() -> bool,
    ) -> Result<R, RunError> {
        if !P::SUSPENDING {
            sys::check_can_block()?;
        }
        let _guard = RunGuard::enter(self, true)?;
        let _suspending = SuspendGuard::enter(self, P::SUSPENDING);
        loop {
            if let Some(result) = poll_main() {
                return Ok(result);
            }
            if self.run_ready(Some(self.budget.get())) == Outcome::Budget || main_pending() {
                continue;
            }
            if let Some(result) = poll_main() {
                return Ok(result);
            }
            if main_pending() || self.shared.has_remote.load(Ordering::Acquire) {
                continue;
            }
            let tasks = self.tasks.borrow().len();
            P::park(self, self.next_deadline(), tasks)?;
        }
    }

    /// `block_on`, parking the `P` way.
    pub(crate) fn block_on<P: Parking, F: Future>(&self, future: F) -> Result<F::Output, RunError> {
        let main = Arc::new(MainWake {
            woken: AtomicBool::new(true),
            unparker: sys::Unparker::current(),
        });
        let waker = Waker::from(Arc::clone(&main));
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        self.drive::<P, _>(
            || {
                if !main.woken.swap(false, Ordering::AcqRel) {
                    return None;
                }
                match future.as_mut().poll(&mut cx) {
                    Poll::Ready(output) => Some(output),
                    Poll::Pending => None,
                }
            },
            || main.woken.load(Ordering::Acquire),
        )
    }

    /// `run_forever`, parking the `P` way.
    pub(crate) fn run_forever<P: Parking>(&self) -> Result<(), RunError> {
        self.drive::<P, _>(|| self.tasks.borrow().is_empty().then_some(()), || false)
    }

    pub(crate) fn run_until_stalled(&self) -> Result<usize, RunError> {
        let _guard = RunGuard::enter(self, self.full_time.get())?;
        let before = self.polls.get();
        while self.run_ready(None) == Outcome::Budget {}
        Ok((self.polls.get() - before) as usize)
    }

    /// Whether any task is alive on this executor.
    #[cfg_attr(not(target_feature = "atomics"), allow(dead_code))]
    pub(crate) fn has_tasks(&self) -> bool {
        !self.tasks.borrow().is_empty()
    }

    /// A blocking loop owns the thread and the JS event loop cannot run: event-loop
    /// yields are errors.
    #[cfg_attr(
        not(all(target_family = "wasm", target_os = "unknown")),
        allow(dead_code)
    )]
    pub(crate) fn is_full_time(&self) -> bool {
        self.full_time.get() && !self.suspending.get()
    }

    /// A blocking loop (plain or suspending) parks the thread: `park::wake_on_change`
    /// registrations are honoured.
    #[cfg_attr(
        not(all(target_family = "wasm", target_os = "unknown")),
        allow(dead_code)
    )]
    pub(crate) fn can_park(&self) -> bool {
        self.full_time.get()
    }

    #[cfg_attr(
        not(all(target_family = "wasm", target_os = "unknown")),
        allow(dead_code)
    )]
    pub(crate) fn driver(&self) -> &sys::Driver {
        &self.driver
    }

    pub(crate) fn set_budget(&self, budget: Duration) {
        self.budget.set(budget);
    }

    pub(crate) fn budget(&self) -> Duration {
        self.budget.get()
    }

    pub(crate) fn stats(&self) -> Stats {
        Stats {
            tasks: self.tasks.borrow().len(),
            queued: self.queue.borrow().len(),
            timers: self.timers.borrow().len(),
            drain_scheduled: self.driver.drain_scheduled(),
            timer_armed: self.driver.timer_armed(),
            polls: self.polls.get(),
            drains: self.drains.get(),
        }
    }

    #[cfg(feature = "debug")]
    pub(crate) fn task_names(&self) -> Vec<&'static str> {
        self.tasks
            .borrow()
            .iter()
            .map(|(_, t)| t.type_name())
            .collect()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(0));
        executors().retain(|(key, _)| *key != self.id);
        let stranded = {
            let mut remote = sys::lock(&self.shared.remote);
            remote.closed = true;
            std::mem::take(&mut remote.queue)
        };
        drop(stranded);
        // Drop every future here, on the owning thread (see `Task`'s `Send` impl).
        let tasks: Vec<_> = self.tasks.get_mut().drain().collect();
        for task in &tasks {
            task.cancel();
        }
        for task in tasks {
            task.unregistered();
        }
        self.queue.get_mut().clear();
        self.timers.get_mut().clear();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("stats", &self.stats())
            .finish()
    }
}

/// A snapshot of this thread's executor, from [`stats`].
///
/// ```
/// use wasm_rs_async_executor::stats;
///
/// let s = stats();
/// assert_eq!(s.tasks, 0);
/// assert!(s.is_idle());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Spawned tasks whose future has not been dropped yet.
    pub tasks: usize,
    /// Entries in the run queue (tasks woken and not yet polled).
    pub queued: usize,
    /// Registered timers (pending `sleep`s, `timeout`s and `interval`s).
    pub timers: usize,
    /// wasm32: a drain is scheduled on the JS event loop (a microtask or a
    /// macrotask), or, on the browser main thread while busy, an animation-frame
    /// callback that follows the frame rhythm. Always false natively.
    pub drain_scheduled: bool,
    /// wasm32: a JS `setTimeout` is pending for the earliest timer. Always false natively.
    pub timer_armed: bool,
    /// Polls run since the thread's executor was created.
    pub polls: u64,
    /// Drains (passes of the run loop) since the thread's executor was created.
    pub drains: u64,
}

impl Stats {
    /// True when the executor has scheduled nothing: no queued task, no drain and
    /// no JS timer pending. An idle executor uses no CPU.
    ///
    /// ```
    /// assert!(wasm_rs_async_executor::stats().is_idle());
    /// ```
    pub fn is_idle(&self) -> bool {
        self.queued == 0 && !self.drain_scheduled && !self.timer_armed
    }
}

/// Why [`block_on`](crate::block_on), [`run_forever`](crate::run_forever) or
/// [`run_until_stalled`](crate::run_until_stalled) could not run.
///
/// ```
/// use wasm_rs_async_executor::{RunError, block_on};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     // A run loop cannot be started from inside a task.
///     let nested = block_on(async {});
///     assert_eq!(nested, Err(RunError::Nested));
/// })
/// .unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunError {
    /// Called on the browser main thread, which must never block.
    MainThread,
    /// Called in a host where full-time mode cannot work: a service worker, a shared worker
    /// or Cloudflare Workers / workerd (see [`Environment`](crate::Environment) for why
    /// each). The message names the host and says what to do instead.
    ///
    /// ```
    /// use wasm_rs_async_executor::{Environment, RunError};
    ///
    /// let refused = RunError::CannotBlock(Environment::ServiceWorker);
    /// assert!(refused.to_string().contains("use spawn()"));
    /// ```
    CannotBlock(crate::Environment),
    /// Called from inside a task or another run loop on this thread.
    Nested,
    /// Tasks are pending but nothing can wake them while the thread blocks.
    Stalled {
        /// Tasks still alive.
        tasks: usize,
    },
    /// Blocking needs `SharedArrayBuffer` and `Atomics.wait`, which this context lacks.
    NoSharedMemory,
    /// `Atomics.wait` failed (for example on a non-shared array registered with
    /// `park::wake_on_change`); the JS message is included.
    WaitFailed(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::MainThread => f.write_str(
                "cannot block the browser main thread (Atomics.wait is forbidden there and the \
                 page would freeze): use spawn() and let the JS event loop drive the task",
            ),
            RunError::CannotBlock(here) => {
                let why = match here {
                    crate::Environment::ServiceWorker => {
                        "Atomics.wait is forbidden there: service workers may never block, and \
                         are never cross-origin isolated"
                    }
                    crate::Environment::SharedWorker => {
                        "Firefox forbids Atomics.wait there, and the pages a shared worker serves \
                         share no memory with it: blocking would only stop it answering them"
                    }
                    crate::Environment::Workerd => {
                        "Atomics.wait throws there, and the request must keep its event loop"
                    }
                    _ => "Atomics.wait is not allowed there",
                };
                let then = match here {
                    crate::Environment::Workerd => {
                        "; await the task in the fetch handler, or keep the request alive with \
                         ctx.waitUntil()"
                    }
                    crate::Environment::SharedWorker => "; run blocking work in a dedicated worker",
                    _ => "",
                };
                write!(
                    f,
                    "cannot block in {here} ({why}): use spawn() and let the JS event loop drive \
                     the task{then}"
                )
            }
            RunError::Nested => f.write_str(
                "a run loop is already active on this thread (called from inside a task?): \
                 use .await, or spawn() the future",
            ),
            RunError::Stalled { tasks } if !crate::sys::HAS_OTHER_THREADS => write!(
                f,
                "{tasks} task(s) are pending but nothing can wake them: this WASI module has \
                 one thread and no timer is armed, so whatever they await can never happen \
                 (a channel or lock that only this thread could complete?). Complete it from \
                 another task, or add a timeout()"
            ),
            RunError::Stalled { tasks } => write!(
                f,
                "{tasks} task(s) are pending but nothing can wake this blocked thread: no timer \
                 and no park::wake_on_change registration. JS promises and callbacks cannot run \
                 in full-time mode; use spawn() on the event loop for JS-driven work"
            ),
            RunError::NoSharedMemory => f.write_str(
                "blocking needs SharedArrayBuffer and Atomics.wait, missing here: serve the page \
                 cross-origin isolated (COOP same-origin, COEP require-corp), or use spawn()",
            ),
            RunError::WaitFailed(msg) => write!(
                f,
                "Atomics.wait failed: {msg} (register only Int32Arrays over a SharedArrayBuffer)"
            ),
        }
    }
}

impl std::error::Error for RunError {}

/// Sets the time budget of one drain: after running tasks this long, the executor
/// yields to the JS event loop (a macrotask) so the page can render and handle
/// input. Default [`DEFAULT_TIME_BUDGET`] (8 ms). Natively, and in full-time mode,
/// the budget decides how often timers and cross-thread wakes are looked at. Without the
/// `time-slicing` feature, event-loop drains ignore it and run until no task is ready.
///
/// ```
/// use std::time::Duration;
/// use wasm_rs_async_executor::{set_time_budget, time_budget};
///
/// set_time_budget(Duration::from_millis(4));
/// assert_eq!(time_budget(), Duration::from_millis(4));
/// ```
pub fn set_time_budget(budget: Duration) {
    with(|rt| rt.set_budget(budget));
}

/// The current time budget of one drain on this thread (see [`set_time_budget`]).
///
/// ```
/// use wasm_rs_async_executor::{DEFAULT_TIME_BUDGET, time_budget};
///
/// assert_eq!(time_budget(), DEFAULT_TIME_BUDGET);
/// ```
pub fn time_budget() -> Duration {
    with(|rt| rt.budget())
}

/// A snapshot of this thread's executor: task, queue and timer counts, and whether
/// anything is scheduled on the JS event loop.
///
/// ```
/// use wasm_rs_async_executor::{spawn, stats};
///
/// let before = stats();
/// let handle = spawn(async {});
/// assert_eq!(stats().tasks, before.tasks + 1);
/// handle.abort();
/// assert_eq!(stats().tasks, before.tasks);
/// ```
pub fn stats() -> Stats {
    with(|rt| rt.stats())
}

/// The number of live tasks (spawned, future not yet dropped) on this thread.
///
/// ```
/// assert_eq!(wasm_rs_async_executor::task_count(), 0);
/// ```
pub fn task_count() -> usize {
    with(|rt| rt.tasks.borrow().len())
}

/// The number of run-queue entries (woken, not yet polled) on this thread.
///
/// ```
/// use wasm_rs_async_executor::{queued_count, spawn};
///
/// let handle = spawn(async {});
/// assert_eq!(queued_count(), 1);
/// # handle.abort();
/// ```
pub fn queued_count() -> usize {
    with(|rt| rt.queue.borrow().len())
}

/// The future type names of this thread's live tasks (feature `debug`).
///
/// ```
/// # #[cfg(feature = "debug")] {
/// let handle = wasm_rs_async_executor::spawn(std::future::ready(1u8));
/// let names = wasm_rs_async_executor::task_names();
/// assert!(names.iter().any(|n| n.contains("Ready<u8>")));
/// # handle.abort();
/// # }
/// ```
#[cfg(feature = "debug")]
pub fn task_names() -> Vec<&'static str> {
    with(|rt| rt.task_names())
}

#[cfg(test)]
mod tests {
    use std::task::Waker;
    use std::time::Duration;

    use super::{Instant, Timers};

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    #[test]
    fn timers_fire_by_deadline_then_in_registration_order() {
        let base = Instant::now();
        let mut t = Timers::new();
        let late = t.insert(at(base, 30), Waker::noop().clone());
        let first = t.insert(at(base, 10), Waker::noop().clone());
        let second = t.insert(at(base, 10), Waker::noop().clone());
        assert_eq!(t.earliest(), Some(at(base, 10)));
        assert!(
            t.pop_due(at(base, 9)).is_none(),
            "nothing is due before 10 ms"
        );
        // Both 10 ms timers, the first registered first; their slots are gone after.
        assert!(t.pop_due(at(base, 10)).is_some());
        assert!(t.waker_mut(first).is_none() && t.waker_mut(second).is_some());
        assert!(t.pop_due(at(base, 10)).is_some());
        assert!(t.waker_mut(second).is_none());
        assert!(t.pop_due(at(base, 10)).is_none());
        assert_eq!(t.earliest(), Some(at(base, 30)));
        assert!(t.waker_mut(late).is_some());
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn a_cancelled_timer_never_fires_and_its_stale_id_touches_no_later_timer() {
        let base = Instant::now();
        let mut t = Timers::new();
        let old = t.insert(at(base, 5), Waker::noop().clone());
        assert!(t.remove(old).is_some());
        assert!(t.remove(old).is_none(), "a second cancel is a no-op");
        // The slab reuses the key; the sequence number tells the two apart.
        let new = t.insert(at(base, 50), Waker::noop().clone());
        assert_eq!(new.key, old.key);
        assert!(t.waker_mut(old).is_none());
        assert!(t.remove(old).is_none());
        assert_eq!(t.len(), 1);
        assert_eq!(
            t.earliest(),
            Some(at(base, 50)),
            "the dead 5 ms entry is skipped"
        );
        assert!(t.pop_due(at(base, 49)).is_none());
        assert!(t.pop_due(at(base, 50)).is_some());
    }

    #[test]
    fn cancelled_entries_do_not_pile_up() {
        // A long timeout set and cancelled again and again (a request with a 30 s timeout
        // that always answers in time) must not grow the heap without bound.
        let base = Instant::now();
        let mut t = Timers::new();
        let keep = t.insert(at(base, 60_000), Waker::noop().clone());
        for i in 0..10_000 {
            let id = t.insert(at(base, 30_000 + i), Waker::noop().clone());
            assert!(t.remove(id).is_some());
            assert!(t.heap.len() <= 2 * t.len() + 33, "{} entries", t.heap.len());
        }
        assert_eq!(t.len(), 1);
        assert!(t.waker_mut(keep).is_some());
        assert!(t.remove(keep).is_some());
        assert!(t.heap.is_empty(), "the last cancel empties the heap");
    }
}
