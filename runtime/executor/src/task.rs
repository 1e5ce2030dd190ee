//! Tasks: one allocation per spawned future, its waker, and its [`JoinHandle`].
//!
//! A task is an `Arc<Task<F>>`. Its owners:
//! - the executor's registry (from spawn until the future is dropped), so that the
//!   future can only ever be dropped on the thread that owns the executor;
//! - the [`JoinHandle`], which *shares* the registry's reference count: both live
//!   on the owning thread, so a plain flag tells which of them lets go last, and
//!   spawn-and-complete costs no atomic reference counting beyond the final release;
//! - wakers, each with its own (atomic) count.
//!
//! Run-queue entries hold no count (see `runtime::Entry`).
//!
//! Only the atomic `state` and the plain `executor` id are touched from other threads
//! (by wakers). Everything else — the future, its output, the join waker — is read
//! and written on the owning thread only.

use std::any::Any;
use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::future::Future;
use std::mem::{self, ManuallyDrop};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use crate::runtime;

/// A waker on another thread pushed the task to its executor's cross-thread queue,
/// and the executor has not taken it from there yet. The only state that wakers on
/// other threads touch: a wake on the owner thread (the common case) costs no atomic
/// operation.
const REMOTE_QUEUED: u8 = 1;

/// Owner-thread-only flags.
/// The future is being polled or dropped.
const RUNNING: u8 = 1;
/// `abort` was called during the poll: drop the future when it returns.
const ABORT_REQUESTED: u8 = 2;
/// The `JoinHandle` is gone.
const DETACHED: u8 = 4;
/// The future has been dropped (completed, panicked or aborted).
const DONE: u8 = 8;
/// The registry has let go of the task (the `JoinHandle` holds the count).
const UNREGISTERED: u8 = 16;
/// The task sits in its executor's run queue (or is about to be pushed into it). A task
/// woken twice before it runs is queued once.
const QUEUED: u8 = 32;

/// What a task holds: first the future, then its output until the `JoinHandle` takes it.
enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

/// A spawned future together with its state. Always lives inside an `Arc`.
pub(crate) struct Task<F: Future> {
    state: AtomicU8,
    local: Cell<u8>,
    key: usize,
    executor: u64,
    stage: UnsafeCell<Stage<F>>,
    join_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: a `Task` is shared with other threads only through wakers (and the
// executor's cross-thread wake queue). On those threads only `state` (atomic), the
// immutable `key` and `executor` integers, and the `Arc` reference count are used.
// `local`, `stage` and `join_waker` are read and written only on the thread that
// owns the executor: by its run loop, by `JoinHandle` (which is `!Send`) and by the
// registry. The future and its output are always dropped on that thread before the
// registry lets go of the task (see `finish`), so when the last `Arc` is dropped on
// another thread, `stage` is `Stage::Consumed` and drops nothing of `F`;
// `join_waker` holds at most a `Waker`, which is `Send`.
unsafe impl<F: Future> Send for Task<F> {}
// SAFETY: see the `Send` impl above: shared access from other threads is limited to
// the atomic `state` and immutable integers.
unsafe impl<F: Future> Sync for Task<F> {}

/// The type-erased view of a task that the executor's queue and registry use.
pub(crate) trait Runnable: Send + Sync {
    /// Polls the future once. Returns `true` when the task is finished and must
    /// leave the registry. Owner thread only.
    ///
    /// # Safety
    /// `this` must be `Arc::as_ptr` of an `Arc` that holds `self` (the waker lent to
    /// the future needs a pointer that may touch the `Arc`'s reference counts).
    unsafe fn run(&self, this: *const ()) -> bool;
    /// Drops the future now and records the task as cancelled. Owner thread only.
    fn cancel(&self);
    /// The registry key given at spawn.
    fn key(&self) -> usize;
    /// Whether the future has been dropped.
    fn is_done(&self) -> bool;
    /// The registry let go of this task: hands its count to the `JoinHandle`, or
    /// releases it if the handle is gone. Owner thread only.
    fn unregistered(self: Arc<Self>);
    /// The id of the executor the task belongs to.
    fn executor(&self) -> u64;
    /// Sets `QUEUED`; true when the caller must push the task to the run queue.
    /// Owner thread only.
    fn mark_queued(&self) -> bool;
    /// Sets `REMOTE_QUEUED`; true when the caller (a waker on another thread) must push
    /// the task to the executor's cross-thread queue.
    fn mark_remote(&self) -> bool;
    /// The executor took the task from its cross-thread queue: clears `REMOTE_QUEUED`
    /// (which also makes the waking thread's writes visible to the next poll) and
    /// returns true when the task must be pushed to the run queue. Owner thread only.
    fn take_remote(&self) -> bool;
    /// The future's type name (the `debug` feature).
    #[cfg(feature = "debug")]
    fn type_name(&self) -> &'static str;
}

impl<F: Future + 'static> Task<F> {
    pub(crate) fn new(future: F, key: usize, executor: u64) -> Self {
        Task {
            // A new task starts out queued: the spawner pushes it to the run queue.
            state: AtomicU8::new(0),
            local: Cell::new(QUEUED),
            key,
            executor,
            stage: UnsafeCell::new(Stage::Running(future)),
            join_waker: UnsafeCell::new(None),
        }
    }

    fn raw_waker(this: *const Self) -> RawWaker {
        RawWaker::new(this.cast(), Self::VTABLE)
    }

    const VTABLE: &'static RawWakerVTable = &RawWakerVTable::new(
        Self::waker_clone,
        Self::waker_wake,
        Self::waker_wake_by_ref,
        Self::waker_drop,
    );

    unsafe fn waker_clone(ptr: *const ()) -> RawWaker {
        // SAFETY: every waker of this vtable is built from a pointer obtained from a
        // live `Arc<Task<F>>` and owns one strong count (or borrows one, for the waker
        // lent to `poll`), so the allocation is alive and the count can be raised.
        unsafe { Arc::increment_strong_count(ptr.cast::<Self>()) };
        Self::raw_waker(ptr.cast())
    }

    unsafe fn waker_wake(ptr: *const ()) {
        // SAFETY: `wake` consumes the waker, which owns one strong count (see clone).
        let task = unsafe { Arc::from_raw(ptr.cast::<Self>()) };
        runtime::schedule(&task);
    }

    unsafe fn waker_wake_by_ref(ptr: *const ()) {
        // SAFETY: the waker is alive for this call, so `ptr` points into a live `Arc`;
        // `ManuallyDrop` keeps the borrowed strong count untouched.
        let task = ManuallyDrop::new(unsafe { Arc::from_raw(ptr.cast::<Self>()) });
        runtime::schedule(&task);
    }

    unsafe fn waker_drop(ptr: *const ()) {
        // SAFETY: the waker owns one strong count, released here exactly once.
        unsafe { Arc::decrement_strong_count(ptr.cast::<Self>()) };
    }

    /// Drops the future (owner thread, not while it is being polled), stores the
    /// result for the `JoinHandle` and wakes whoever awaits it.
    fn finish(&self, result: Result<F::Output, JoinError>) {
        // SAFETY: owner thread only (see the `Send` impl), and the future is not being
        // polled (callers check `RUNNING`), so nobody else holds a reference into `stage`.
        let old = mem::replace(unsafe { &mut *self.stage.get() }, Stage::Consumed);
        // Drop the future with no borrow of `stage` alive: its destructor may run any
        // code, including this task's own `JoinHandle::drop` or `abort`, which see
        // `RUNNING` and leave `stage` alone.
        let local = self.local.get();
        self.local.set(local | RUNNING);
        let dropped = catch_unwind(AssertUnwindSafe(move || drop(old)));
        self.local.set(self.local.get() & !RUNNING);
        let result = match (result, dropped) {
            (Ok(_), Err(payload)) => Err(JoinError::panicked(payload)),
            (result, _) => result,
        };
        self.local.set(self.local.get() | DONE);
        if self.local.get() & DETACHED != 0 {
            drop(result);
        } else {
            // SAFETY: owner thread, and no reference into `stage` is alive.
            unsafe { *self.stage.get() = Stage::Finished(result) };
        }
        // SAFETY: owner thread; the waker is taken out before it is called.
        let waker = unsafe { (*self.join_waker.get()).take() };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<F: Future + 'static> Runnable for Task<F> {
    unsafe fn run(&self, this: *const ()) -> bool {
        // Out of the run queue: a wake from now on queues the task again.
        self.local.set(self.local.get() & !QUEUED);
        if self.local.get() & DONE != 0 {
            return false; // aborted while it waited in the queue; already unregistered
        }
        // SAFETY: the caller passes `Arc::as_ptr` of the `Arc<Task<F>>` holding
        // `self`, which is the pointer the vtable expects (with provenance over the
        // whole `Arc` allocation). The waker is lent, not owned: `ManuallyDrop`
        // keeps its count untouched.
        let waker =
            ManuallyDrop::new(unsafe { Waker::from_raw(Self::raw_waker(this.cast::<Self>())) });
        let mut cx = Context::from_waker(&waker);
        self.local.set(self.local.get() | RUNNING);
        let polled = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: owner thread; `RUNNING` keeps `finish` and `JoinHandle` away from
            // `stage` during the poll, so this is the only reference.
            let stage = unsafe { &mut *self.stage.get() };
            match stage {
                // SAFETY: the future stays inside the `Arc` allocation until it is
                // dropped in place by `finish`; it is never moved.
                Stage::Running(future) => unsafe { Pin::new_unchecked(future) }.poll(&mut cx),
                _ => Poll::Pending,
            }
        }));
        let local = self.local.get() & !RUNNING;
        self.local.set(local);
        match polled {
            Ok(Poll::Ready(output)) => self.finish(Ok(output)),
            Ok(Poll::Pending) if local & ABORT_REQUESTED != 0 => {
                self.finish(Err(JoinError::cancelled()))
            }
            Ok(Poll::Pending) => return false,
            Err(payload) => self.finish(Err(JoinError::panicked(payload))),
        }
        true
    }

    fn cancel(&self) {
        if self.local.get() & DONE == 0 {
            self.finish(Err(JoinError::cancelled()));
        }
    }

    fn key(&self) -> usize {
        self.key
    }

    fn is_done(&self) -> bool {
        self.local.get() & DONE != 0
    }

    fn unregistered(self: Arc<Self>) {
        let local = self.local.get();
        self.local.set(local | UNREGISTERED);
        if local & DETACHED == 0 {
            // The `JoinHandle` still points here: it now owns this count and
            // releases it when dropped.
            let _ = Arc::into_raw(self);
        }
    }

    fn executor(&self) -> u64 {
        self.executor
    }

    fn mark_queued(&self) -> bool {
        let local = self.local.get();
        self.local.set(local | QUEUED);
        local & QUEUED == 0
    }

    fn mark_remote(&self) -> bool {
        let prev = self.state.fetch_or(REMOTE_QUEUED, Ordering::AcqRel);
        prev & REMOTE_QUEUED == 0
    }

    fn take_remote(&self) -> bool {
        self.state.fetch_and(!REMOTE_QUEUED, Ordering::AcqRel);
        self.mark_queued()
    }

    #[cfg(feature = "debug")]
    fn type_name(&self) -> &'static str {
        std::any::type_name::<F>()
    }
}

/// What a [`JoinHandle`] needs from its task, without naming the future's type.
trait JoinTarget<T> {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>;
    fn abort(&self);
    fn is_finished(&self) -> bool;
    /// Marks the handle gone; true when the handle must release the count.
    fn detach(&self) -> bool;
}

impl<F: Future + 'static> JoinTarget<F::Output> for Task<F> {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<F::Output, JoinError>> {
        if self.local.get() & DONE == 0 {
            // SAFETY: owner thread (`JoinHandle` is `!Send`); `finish` takes the waker
            // out before calling it, so no other reference exists.
            let slot = unsafe { &mut *self.join_waker.get() };
            match slot {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
            return Poll::Pending;
        }
        // SAFETY: owner thread; the future is gone (`DONE`), so nothing else borrows `stage`.
        match mem::replace(unsafe { &mut *self.stage.get() }, Stage::Consumed) {
            Stage::Finished(result) => Poll::Ready(result),
            // The output was taken by an earlier poll.
            _ => panic!("JoinHandle polled again after it returned Ready"),
        }
    }

    fn abort(&self) {
        if self.local.get() & DONE != 0 {
            return;
        }
        if self.local.get() & RUNNING != 0 {
            // The task aborts itself from inside its own poll: the run loop drops the
            // future as soon as this poll returns.
            self.local.set(self.local.get() | ABORT_REQUESTED);
        } else {
            self.finish(Err(JoinError::cancelled()));
            runtime::unregister(self.key);
        }
    }

    fn is_finished(&self) -> bool {
        self.local.get() & DONE != 0
    }

    fn detach(&self) -> bool {
        self.local.set(self.local.get() | DETACHED);
        if self.local.get() & DONE != 0 && self.local.get() & RUNNING == 0 {
            // Drop an output nobody will read, here on the owner thread.
            // SAFETY: owner thread; the future is gone, nothing borrows `stage`.
            let old = mem::replace(unsafe { &mut *self.stage.get() }, Stage::Consumed);
            drop(old);
        }
        self.local.get() & UNREGISTERED != 0
    }
}

/// Creates a task for `future`; used by the runtime's `spawn`.
pub(crate) fn new_task<F: Future + 'static>(
    future: F,
    key: usize,
    executor: u64,
) -> (Arc<dyn Runnable>, JoinHandle<F::Output>) {
    let task = Arc::new(Task::new(future, key, executor));
    let concrete: *const Task<F> = Arc::as_ptr(&task);
    let target: *const dyn JoinTarget<F::Output> = concrete;
    let handle = JoinHandle {
        // SAFETY: `Arc::as_ptr` is never null.
        task: unsafe { NonNull::new_unchecked(target.cast_mut()) },
    };
    (task, handle)
}

/// An owned permission to await a spawned task's output, returned by [`spawn`](crate::spawn).
///
/// `JoinHandle<T>` is a future of `Result<T, JoinError>`: `Ok` with the task's
/// output, or a [`JoinError`] if the task was aborted or panicked.
///
/// **Dropping a `JoinHandle` detaches the task**: it keeps running to completion and
/// its output is dropped. To stop it, call [`abort`](JoinHandle::abort) first.
/// A `JoinHandle` stays on the thread that spawned the task (it is `!Send`).
///
/// Like any future, it must not be polled again after it returned `Ready`: that
/// panics ("JoinHandle polled again after it returned Ready").
///
/// ```
/// use wasm_rs_async_executor::{block_on, spawn};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let handle = spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// })
/// .unwrap();
/// ```
#[must_use = "dropping a JoinHandle detaches the task; `.await` it or call `abort()`"]
pub struct JoinHandle<T> {
    /// Points into the task's `Arc`. Shares the registry's count (see the module
    /// docs); `NonNull` also makes the handle `!Send`.
    task: NonNull<dyn JoinTarget<T>>,
}

impl<T> JoinHandle<T> {
    fn target(&self) -> &dyn JoinTarget<T> {
        // SAFETY: the task is kept alive by the registry's count, which passes to
        // this handle when the registry lets go (`Runnable::unregistered`) and is
        // only released in `Drop` below.
        unsafe { self.task.as_ref() }
    }
}

impl<T> JoinHandle<T> {
    /// Stops the task: its future is dropped right away (or, if the task aborts
    /// itself from inside its own poll, as soon as that poll returns). Awaiting the
    /// handle then gives [`JoinError`] with [`is_cancelled`](JoinError::is_cancelled).
    /// Aborting a finished task does nothing.
    ///
    /// ```
    /// use wasm_rs_async_executor::{block_on, spawn};
    ///
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// block_on(async {
    ///     let handle = spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.is_finished());
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// })
    /// .unwrap();
    /// ```
    pub fn abort(&self) {
        self.target().abort();
    }

    /// Whether the task's future has been dropped: it completed, panicked or was aborted.
    ///
    /// ```
    /// use wasm_rs_async_executor::{block_on, spawn, yield_now};
    ///
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// block_on(async {
    ///     let handle = spawn(async {});
    ///     assert!(!handle.is_finished()); // spawned, not yet run
    ///     yield_now().await;
    ///     assert!(handle.is_finished());
    /// })
    /// .unwrap();
    /// ```
    pub fn is_finished(&self) -> bool {
        self.target().is_finished()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.target().poll_join(cx)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if self.target().detach() {
            // SAFETY: the registry has handed its count to this handle
            // (`unregistered`); the pointer came from `Arc::as_ptr` of that `Arc`,
            // unsized to `dyn JoinTarget<T>`. Released exactly once, here.
            drop(unsafe { Arc::from_raw(self.task.as_ptr().cast_const()) });
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Why a task produced no output: it was aborted, or it panicked.
///
/// ```
/// use wasm_rs_async_executor::{block_on, spawn};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let handle = spawn(async { panic!("boom") });
///     let err: wasm_rs_async_executor::JoinError = handle.await.unwrap_err();
///     assert!(err.is_panic());
///     assert_eq!(err.to_string(), "task panicked: boom");
/// })
/// .unwrap();
/// ```
pub struct JoinError {
    panic: Option<Box<dyn Any + Send + 'static>>,
}

impl JoinError {
    pub(crate) fn cancelled() -> Self {
        JoinError { panic: None }
    }

    pub(crate) fn panicked(payload: Box<dyn Any + Send + 'static>) -> Self {
        JoinError {
            panic: Some(payload),
        }
    }

    /// True when the task was aborted ([`JoinHandle::abort`], a dropped
    /// [`JoinSet`](crate::JoinSet), or the executor's thread shutting down).
    ///
    /// ```
    /// use wasm_rs_async_executor::{block_on, spawn};
    ///
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// block_on(async {
    ///     let handle = spawn(async {});
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// })
    /// .unwrap();
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.panic.is_none()
    }

    /// True when the task panicked. The panic is caught and the executor goes on with
    /// the other tasks wherever panics unwind: natively, and on wasm32 built with
    /// `-Cpanic=unwind` (nightly, `-Zbuild-std=std,panic_unwind`; the recipe "Panics as
    /// values", <https://wasm-rs.github.io/wasm-rs/recipes/panics-as-values.html>, tests it
    /// in Node.js and Chromium). In a default wasm32 build (`panic = "abort"`) this is
    /// never true: the panic hook runs, then the module traps (`RuntimeError:
    /// unreachable`), and the executor of that thread stops, the panicking task's handle
    /// and every other task's unresolved. See [the crate docs](crate#panics).
    ///
    /// ```
    /// use wasm_rs_async_executor::{block_on, spawn};
    ///
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// block_on(async {
    ///     let err = spawn(async { panic!("oops") }).await.unwrap_err();
    ///     assert!(err.is_panic());
    /// })
    /// .unwrap();
    /// ```
    pub fn is_panic(&self) -> bool {
        self.panic.is_some()
    }

    /// The panic payload, to re-raise with [`std::panic::resume_unwind`]; `Err(self)`
    /// if the task was cancelled instead.
    ///
    /// ```
    /// use wasm_rs_async_executor::{block_on, spawn};
    ///
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// block_on(async {
    ///     let err = spawn(async { panic!("oops") }).await.unwrap_err();
    ///     let payload = err.into_panic().unwrap();
    ///     assert_eq!(payload.downcast_ref::<&str>(), Some(&"oops"));
    /// })
    /// .unwrap();
    /// ```
    pub fn into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.panic {
            Some(payload) => Ok(payload),
            None => Err(self),
        }
    }

    fn panic_message(&self) -> Option<&str> {
        let payload = self.panic.as_ref()?;
        payload
            .downcast_ref::<&'static str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.panic, self.panic_message()) {
            (None, _) => f.write_str(
                "task was aborted before it finished (JoinHandle::abort, a dropped JoinSet, \
                 or its thread's executor shutting down)",
            ),
            (Some(_), Some(msg)) => write!(f, "task panicked: {msg}"),
            (Some(_), None) => f.write_str("task panicked with a non-string payload"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.panic {
            None => f.write_str("JoinError::Cancelled"),
            Some(_) => write!(f, "JoinError::Panic({:?})", self.panic_message()),
        }
    }
}

impl std::error::Error for JoinError {}
