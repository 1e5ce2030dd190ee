//! `spawn` and `JoinHandle`: one worker per thread, on the same module and shared memory.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, PoisonError, TryLockError};

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_rs_async_executor::{Environment, environment};

// ANCHOR: binding
// Workers are started by wasm-rs-worker, which owns the one worker loader. Its
// `WorkerOptions::shared_memory` is what makes the worker a thread of this program rather than
// a second instance of it, and `install_panic_hook_with` lets every thread share the hook
// below (hooks live in the shared memory) instead of each new worker installing its own.
use wasm_rs_worker::{WorkerError, WorkerHandle, WorkerOptions, install_panic_hook_with};
// ANCHOR_END: binding

/// Why a thread could not be started or joined. Each message says what to do next.
///
/// ```
/// let e = wasm_threads::ThreadError::MainThread;
/// assert!(e.to_string().contains("join_async"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThreadError {
    /// [`JoinHandle::join`] was called on the browser main thread, which may not block.
    MainThread,
    /// The URL of the wasm-bindgen glue could not be found on the JS call stack.
    NoGlueUrl,
    /// The worker did not start: loading the loader, the glue or the module failed.
    Start(String),
    /// The thread's closure panicked; the panic message.
    Panicked(String),
    /// The worker ended without a result (it was terminated, or threw a JS exception).
    Lost(String),
}

impl fmt::Display for ThreadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreadError::MainThread => f.write_str(
                "JoinHandle::join blocks, and the browser main thread may never block (it would \
                 trap); use `handle.join_async().await` there",
            ),
            ThreadError::NoGlueUrl => f.write_str(
                "the URL of the wasm-bindgen glue was not found on the JS call stack; load the \
                 module through its wasm-bindgen glue (`--target web`)",
            ),
            ThreadError::Start(m) => write!(
                f,
                "the thread's worker did not start: {m}; the page must be cross-origin isolated \
                 (COOP/COEP headers) and the module built with the flags of recipes/wasm-threads"
            ),
            ThreadError::Panicked(m) => write!(f, "the thread panicked: {m}"),
            ThreadError::Lost(m) => write!(
                f,
                "the thread's worker ended without a result: {m}; keep the JoinHandle until it \
                 has joined"
            ),
        }
    }
}

impl std::error::Error for ThreadError {}

/// Whether this code runs on the browser main thread, which must never block.
///
/// ```no_run
/// if wasm_threads::is_main_thread() {
///     // await instead of blocking
/// }
/// ```
pub fn is_main_thread() -> bool {
    environment() == Environment::BrowserMain
}

/// `navigator.hardwareConcurrency` (at least 1): how many threads can run at once.
/// `std::thread::available_parallelism` has no answer on wasm32.
///
/// ```no_run
/// let threads = wasm_threads::hardware_concurrency();
/// assert!(threads >= 1);
/// ```
pub fn hardware_concurrency() -> usize {
    Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|nav| Reflect::get(&nav, &"hardwareConcurrency".into()))
        .ok()
        .and_then(|n| n.as_f64())
        .map_or(1, |n| (n as usize).max(1))
}

// ANCHOR: lock
/// Locks `mutex` without ever waiting in `memory.atomic.wait32`: on the browser main thread
/// it spins on `try_lock` until the holder (a worker) releases it; elsewhere it is
/// `mutex.lock()`. A poisoned mutex is taken as is (this build aborts on panic).
///
/// A contended `Mutex::lock` on the main thread waits in `memory.atomic.wait32`: Chromium
/// traps ("Atomics.wait cannot be called in this context"; tokio #7205 and
/// wasm-bindgen-rayon #36 are this), Firefox lets it wait and the page freezes meanwhile. Spinning is only fine for
/// locks that workers hold briefly; for long work, hand results over by message or by
/// [`JoinHandle::join_async`] instead of sharing a lock with the main thread.
///
/// ```no_run
/// use std::sync::Mutex;
///
/// let counter = Mutex::new(0);
/// *wasm_threads::lock_without_waiting(&counter) += 1;
/// ```
pub fn lock_without_waiting<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    if !is_main_thread() {
        return mutex.lock().unwrap_or_else(PoisonError::into_inner);
    }
    loop {
        match mutex.try_lock() {
            Ok(guard) => return guard,
            Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => std::hint::spin_loop(),
        }
    }
}
// ANCHOR_END: lock

/// Where a thread's result lands: written once by the thread, taken once by a joiner.
struct Packet<T> {
    result: Mutex<Slot<T>>,
    ready: Condvar,
}

enum Slot<T> {
    Running,
    Done(Result<T, String>),
    Taken,
}

impl<T> Packet<T> {
    fn put(&self, value: Result<T, String>) {
        let mut slot = lock_without_waiting(&self.result);
        if matches!(*slot, Slot::Running) {
            *slot = Slot::Done(value);
        }
        drop(slot);
        self.ready.notify_all();
    }

    /// The result if it is there (`None` while running or once taken).
    fn take_now(&self) -> Option<Result<T, String>> {
        take_done(&mut lock_without_waiting(&self.result))
    }
}

fn take_done<T>(slot: &mut Slot<T>) -> Option<Result<T, String>> {
    match std::mem::replace(slot, Slot::Taken) {
        Slot::Done(result) => Some(result),
        Slot::Running => {
            *slot = Slot::Running;
            None
        }
        Slot::Taken => None,
    }
}

/// The part of a packet the panic hook needs, whatever `T` is.
trait RecordPanic: Send + Sync {
    fn panicked(&self, message: String);
}

impl<T: Send> RecordPanic for Packet<T> {
    fn panicked(&self, message: String) {
        self.put(Err(message));
    }
}

thread_local! {
    /// The packet of the closure this thread runs, for the panic hook.
    static CURRENT: RefCell<Option<Arc<dyn RecordPanic>>> = const { RefCell::new(None) };
}

/// One panic hook for every thread (hooks live in shared memory): it records the message in
/// the panicking thread's packet, so that a blocked `join` returns instead of waiting forever
/// (this build aborts on panic, nothing unwinds), and reports it through the loader.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        install_panic_hook_with(|message| {
            if let Some(packet) = CURRENT.with(|c| c.borrow_mut().take()) {
                packet.panicked(message.to_owned());
            }
        });
    });
}

type Work = Box<dyn FnOnce() + Send>;

/// Jobs handed to workers by number (the worker's entry takes it out); no raw pointer crosses
/// JS, so a bogus number from JS is an error, not undefined behaviour.
static JOBS: Mutex<Option<HashMap<u32, Work>>> = Mutex::new(None);
static NEXT_JOB: AtomicU32 = AtomicU32::new(1);

fn put_job(work: Work) -> u32 {
    let id = NEXT_JOB.fetch_add(1, Ordering::Relaxed);
    lock_without_waiting(&JOBS)
        .get_or_insert_with(HashMap::new)
        .insert(id, work);
    id
}

fn take_job(id: u32) -> Option<Work> {
    lock_without_waiting(&JOBS).as_mut()?.remove(&id)
}

/// The export each thread's worker calls (the loader calls it with the job number that
/// [`spawn`] handed over): runs that job once. Not for your code; a number with no job
/// waiting is a JS error, never undefined behaviour.
///
/// ```no_run
/// // In a worker started by `spawn`, the loader does the equivalent of:
/// let _ = wasm_threads::thread_entry(1);
/// ```
#[wasm_bindgen(js_name = wasmThreadsEntry)]
pub fn thread_entry(job: u32) -> Result<(), JsError> {
    let work = take_job(job).ok_or_else(|| {
        JsError::new(&format!(
            "wasm-threads: no job {job} is waiting (each job runs once, on the worker `spawn` started)"
        ))
    })?;
    work();
    Ok(())
}

// ANCHOR: spawn
/// Starts a thread: a dedicated module worker that instantiates this module on this
/// memory, and runs `f` there. Resolves once the worker runs `f`; its result comes back
/// through the [`JoinHandle`].
///
/// It is async because the new worker gets its job from this thread's JS event loop: a
/// thread that spawns must let its event loop run until `spawn` resolves (after that it may
/// block in [`JoinHandle::join`]). Each thread costs a worker start (tens of ms: spawn
/// threads once, for a whole computation) and, in this recipe, its 2 MiB stack stays
/// allocated after it ends.
///
/// ```no_run
/// # async fn example() -> Result<(), wasm_threads::ThreadError> {
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU32, Ordering};
///
/// let hits = Arc::new(AtomicU32::new(0));
/// let theirs = Arc::clone(&hits);
/// let handle = wasm_threads::spawn(move || theirs.fetch_add(1, Ordering::SeqCst)).await?;
/// handle.join_async().await?;
/// assert_eq!(hits.load(Ordering::SeqCst), 1);
/// # Ok(())
/// # }
/// ```
pub async fn spawn<F, T>(f: F) -> Result<JoinHandle<T>, ThreadError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    install_panic_hook();
    let glue = wasm_rs_worker::glue_url().map_err(|_| ThreadError::NoGlueUrl)?;
    let packet = Arc::new(Packet {
        result: Mutex::new(Slot::Running),
        ready: Condvar::new(),
    });
    let theirs = Arc::clone(&packet);
    let id = put_job(Box::new(move || {
        CURRENT.with(|c| *c.borrow_mut() = Some(theirs.clone()));
        let value = f();
        CURRENT.with(|c| c.borrow_mut().take());
        theirs.put(Ok(value));
    }));
    let options = WorkerOptions::new().shared_memory(wasm_bindgen::memory());
    // Dropping the worker handle (from here on, the JoinHandle's) terminates the worker.
    let worker =
        wasm_rs_worker::spawn_worker_with(&options, &glue, "wasmThreadsEntry", JsValue::from(id))
            .await
            .map_err(|e| {
                take_job(id);
                from_worker(e)
            })?;
    Ok(JoinHandle { packet, worker })
}
// ANCHOR_END: spawn

// ANCHOR: handle
/// A running thread, from [`spawn`]. Dropping it terminates the worker (joined or not).
pub struct JoinHandle<T> {
    packet: Arc<Packet<T>>,
    worker: WorkerHandle,
}

impl<T> JoinHandle<T> {
    /// Blocks until the thread's closure returns, and gives its value (or
    /// [`ThreadError::Panicked`] with the message). On the browser main thread it returns
    /// [`ThreadError::MainThread`] at once: use [`join_async`](Self::join_async) there.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), wasm_threads::ThreadError> {
    /// // in a worker:
    /// let handle = wasm_threads::spawn(|| 6 * 7).await?;
    /// assert_eq!(handle.join()?, 42);
    /// # Ok(())
    /// # }
    /// ```
    pub fn join(self) -> Result<T, ThreadError> {
        self.joiner().join()
    }

    /// A `Send` handle on the thread's result, for another thread to wait on with
    /// [`Joiner::join`] (a worker may block; the main thread may not). The value goes to
    /// whoever joins first; the worker stays alive until this `JoinHandle` is dropped.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), wasm_threads::ThreadError> {
    /// let producer = wasm_threads::spawn(|| 21).await?;
    /// let joiner = producer.joiner();
    /// let consumer = wasm_threads::spawn(move || joiner.join().map(|v| v * 2)).await?;
    /// assert_eq!(consumer.join_async().await?, Ok(42));
    /// # drop(producer);
    /// # Ok(())
    /// # }
    /// ```
    pub fn joiner(&self) -> Joiner<T> {
        Joiner {
            packet: Arc::clone(&self.packet),
        }
    }
    // ANCHOR_END: handle

    // ANCHOR: join_async
    /// Waits without blocking (the worker's "finished" message arrives through the event
    /// loop) and gives the closure's value. Works on every thread.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), wasm_threads::ThreadError> {
    /// let handle = wasm_threads::spawn(|| "done").await?;
    /// assert_eq!(handle.join_async().await?, "done");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn join_async(mut self) -> Result<T, ThreadError> {
        let outcome = self.worker.join().await;
        // The closure's value (or panic message) is in the packet whatever the loader says.
        match (self.packet.take_now(), outcome) {
            (Some(result), _) => result.map_err(ThreadError::Panicked),
            (None, Err(e)) => Err(from_worker(e)),
            (None, Ok(_)) => Err(ThreadError::Lost(
                "the worker finished but left no result".into(),
            )),
        }
    }

    /// Whether the closure has returned (or panicked): `join` would not block.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), wasm_threads::ThreadError> {
    /// let handle = wasm_threads::spawn(|| ()).await?;
    /// let _ = handle.is_finished();
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_finished(&self) -> bool {
        !matches!(*lock_without_waiting(&self.packet.result), Slot::Running)
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}
// ANCHOR_END: join_async

// ANCHOR: joiner
/// The blocking side of a [`JoinHandle`], which can be sent to another thread.
pub struct Joiner<T> {
    packet: Arc<Packet<T>>,
}

impl<T> Joiner<T> {
    /// Blocks until the thread's closure returns and takes its value (or
    /// [`ThreadError::Panicked`]). [`ThreadError::MainThread`] on the browser main thread;
    /// [`ThreadError::Lost`] if another joiner took the value first.
    ///
    /// ```no_run
    /// # fn example(joiner: wasm_threads::Joiner<u32>) -> Result<(), wasm_threads::ThreadError> {
    /// let value = joiner.join()?;
    /// # let _ = value;
    /// # Ok(())
    /// # }
    /// ```
    pub fn join(self) -> Result<T, ThreadError> {
        if is_main_thread() {
            return Err(ThreadError::MainThread);
        }
        let mut slot = self
            .packet
            .result
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(result) = take_done(&mut slot) {
                return result.map_err(ThreadError::Panicked);
            }
            if matches!(*slot, Slot::Taken) {
                return Err(ThreadError::Lost(
                    "another joiner took the thread's result".into(),
                ));
            }
            slot = self
                .packet
                .ready
                .wait(slot)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl<T> fmt::Debug for Joiner<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Joiner").finish_non_exhaustive()
    }
}
// ANCHOR_END: joiner

/// A worker's failure, as a thread's.
fn from_worker(error: WorkerError) -> ThreadError {
    match error {
        WorkerError::Panic(message) => ThreadError::Panicked(message),
        WorkerError::Exception(message) | WorkerError::Stopped(message) => {
            ThreadError::Lost(message)
        }
        WorkerError::NoGlueUrl => ThreadError::NoGlueUrl,
        WorkerError::Load(message) | WorkerError::Init(message) => ThreadError::Start(message),
        other => ThreadError::Start(other.to_string()),
    }
}
