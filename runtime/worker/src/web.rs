//! The JS host side (browser or Node.js): the binding to the loader, the worker handle and the
//! panic hook.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::WorkerError;

// ANCHOR: binding
// The loader ships in this crate, `js/wasm-rs-loader.js` (the path is relative to the crate's
// root, so it travels with the published crate). wasm-bindgen copies it next to the glue it
// generates. This is the only binding of the loader: everything else starts workers here.
#[wasm_bindgen(module = "/js/wasm-rs-loader.js")]
extern "C" {
    /// The loader's handle on one worker (its `WorkerJob` class).
    type WorkerJob;

    /// Starts a worker on the loader, hands it `module` and calls the export `entry`.
    #[wasm_bindgen(js_name = startWorker, catch)]
    fn start_worker(
        glue_url: &str,
        module: &JsValue,
        entry: &str,
        input: &JsValue,
        kind: &str,
        on_console: &JsValue,
        memory: &JsValue,
    ) -> Result<WorkerJob, JsValue>;

    #[wasm_bindgen(method, js_name = whenStarted)]
    fn when_started(this: &WorkerJob) -> Promise;

    #[wasm_bindgen(method, js_name = whenFinished)]
    fn when_finished(this: &WorkerJob) -> Promise;

    #[wasm_bindgen(method, catch, js_name = postMessage)]
    fn post_message(this: &WorkerJob, value: &JsValue) -> Result<(), JsValue>;

    /// `postMessage(value, transfer)`: the objects in `transfer` move to the worker.
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    fn post_message_with_transfer(
        this: &WorkerJob,
        value: &JsValue,
        transfer: &js_sys::Array,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(method)]
    fn terminate(this: &WorkerJob);

    /// The URL (in Node.js, the path) of the glue that called it, or null.
    #[wasm_bindgen(js_name = glueUrl)]
    fn glue_url_js() -> Option<String>;

    /// Posts a panic message to the main thread (or logs it outside a loader worker).
    #[wasm_bindgen(js_name = reportPanic)]
    fn report_panic_js(message: &str);

    /// In a worker: the next message the main thread posts to it.
    #[wasm_bindgen(js_name = nextMessage)]
    fn next_message_js() -> Promise;
}
// ANCHOR_END: binding

// ANCHOR: kind
/// Which kind of dedicated worker [`spawn_worker_with`] starts (see [`WorkerOptions::kind`]). In Node.js both start a
/// `worker_threads` Worker.
///
/// ```
/// assert_eq!(wasm_rs_worker::WorkerKind::default(), wasm_rs_worker::WorkerKind::Module);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WorkerKind {
    /// `new Worker(loader, { type: "module" })`: the loader runs as an ES module.
    #[default]
    Module,
    /// `new Worker(blob)`, a classic worker whose one-line script `import()`s the loader:
    /// for pages that may not start module workers, or hosts that lack them.
    Classic,
}
// ANCHOR_END: kind

// ANCHOR: spawn
/// Starts a dedicated module worker on this same wasm module and calls its `#[wasm_bindgen]`
/// export `entry` with `input` (anything structured-cloneable, e.g. a channel end's JS
/// value). Resolves once `entry` has been called: the export may run forever (a full-time
/// executor that never returns to the event loop, say). [`WorkerHandle::join`] gives its
/// result; dropping the handle terminates the worker.
///
/// The worker gets `wasm_bindgen::module()`, the module already compiled, so it fetches and
/// compiles nothing. `glue_url` is the wasm-bindgen JS glue this module was loaded by: use
/// [`glue_url`] to find it.
///
/// ```no_run
/// # async fn example() -> Result<(), wasm_rs_worker::WorkerError> {
/// use wasm_bindgen::JsValue;
///
/// let glue = wasm_rs_worker::glue_url()?;
/// let mut worker = wasm_rs_worker::spawn_worker(&glue, "serve_forever", JsValue::NULL).await?;
/// worker.post_message(&"stop".into())?;
/// let value = worker.join().await?;
/// # Ok(())
/// # }
/// ```
pub async fn spawn_worker(
    glue_url: &str,
    entry: &str,
    input: JsValue,
) -> Result<WorkerHandle, WorkerError> {
    spawn_worker_with(&WorkerOptions::new(), glue_url, entry, input).await
}
// ANCHOR_END: spawn

// ANCHOR: spawn_with
/// [`spawn_worker`], with the kind of worker and its memory chosen in [`WorkerOptions`].
///
/// ```no_run
/// # async fn example() -> Result<(), wasm_rs_worker::WorkerError> {
/// use wasm_bindgen::JsValue;
/// use wasm_rs_worker::{WorkerKind, WorkerOptions, glue_url, spawn_worker_with};
///
/// let options = WorkerOptions::new().kind(WorkerKind::Classic);
/// let mut worker = spawn_worker_with(&options, &glue_url()?, "square", JsValue::from(3)).await?;
/// assert_eq!(worker.join().await?.as_f64(), Some(9.0));
/// # Ok(())
/// # }
/// ```
pub async fn spawn_worker_with(
    options: &WorkerOptions,
    glue_url: &str,
    entry: &str,
    input: JsValue,
) -> Result<WorkerHandle, WorkerError> {
    let kind = match options.kind {
        WorkerKind::Module => "module",
        WorkerKind::Classic => "classic",
    };
    let job = start_worker(
        glue_url,
        &wasm_bindgen::module(),
        entry,
        &input,
        kind,
        &JsValue::UNDEFINED,
        &options.memory,
    )
    .map_err(|e| WorkerError::Load(describe(&e)))?;
    // Terminated on every way out from here on.
    let handle = WorkerHandle { job };
    JsFuture::from(handle.job.when_started())
        .await
        .map_err(from_js)?;
    Ok(handle)
}
// ANCHOR_END: spawn_with

// ANCHOR: options
/// How [`spawn_worker_with`] starts a worker: its [`WorkerKind`], and for a wasm threads
/// build, the shared memory it runs on.
///
/// ```no_run
/// use wasm_rs_worker::{WorkerKind, WorkerOptions};
///
/// let classic = WorkerOptions::new().kind(WorkerKind::Classic);
/// // A thread of a threads build (`+atomics`, shared memory): the worker instantiates the
/// // module on this memory, so both share the heap.
/// let thread = WorkerOptions::new().shared_memory(wasm_bindgen::memory());
/// # let _ = (classic, thread);
/// ```
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    kind: WorkerKind,
    memory: JsValue,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl WorkerOptions {
    /// A module worker with a memory of its own: what [`spawn_worker`] starts.
    ///
    /// ```no_run
    /// let options = wasm_rs_worker::WorkerOptions::new();
    /// # let _ = options;
    /// ```
    pub fn new() -> Self {
        Self {
            kind: WorkerKind::Module,
            memory: JsValue::UNDEFINED,
        }
    }

    /// Which kind of worker to start.
    ///
    /// ```no_run
    /// use wasm_rs_worker::{WorkerKind, WorkerOptions};
    /// let options = WorkerOptions::new().kind(WorkerKind::Classic);
    /// # let _ = options;
    /// ```
    pub fn kind(mut self, kind: WorkerKind) -> Self {
        self.kind = kind;
        self
    }
    // ANCHOR_END: options

    // ANCHOR: shared_memory
    /// Runs the worker on `memory`, the shared `WebAssembly.Memory` of a wasm threads build
    /// (`wasm_bindgen::memory()` in a module built with `+atomics` and shared memory): the
    /// worker becomes a thread of this program rather than a second instance of it, and
    /// wasm-bindgen's start function gives it its own stack and thread-local storage.
    /// Browsers only: in Node.js the job fails with [`WorkerError::Init`] saying so.
    ///
    /// ```no_run
    /// let options = wasm_rs_worker::WorkerOptions::new().shared_memory(wasm_bindgen::memory());
    /// # let _ = options;
    /// ```
    pub fn shared_memory(mut self, memory: JsValue) -> Self {
        self.memory = memory;
        self
    }
}
// ANCHOR_END: shared_memory

// ANCHOR: handle
/// A running worker, from [`spawn_worker`]. Dropping it terminates the worker.
///
/// ```no_run
/// # async fn example() -> Result<(), wasm_rs_worker::WorkerError> {
/// use wasm_bindgen::JsValue;
///
/// let worker = wasm_rs_worker::spawn_worker(&wasm_rs_worker::glue_url()?, "spin", JsValue::NULL)
///     .await?;
/// worker.terminate(); // or just drop it
/// # Ok(())
/// # }
/// ```
pub struct WorkerHandle {
    job: WorkerJob,
}

impl WorkerHandle {
    /// Waits for the export to finish: its return value, or its panic (with the message),
    /// its exception, or [`WorkerError::Stopped`] if the worker ended first. May be called
    /// again: it gives the same outcome. The worker keeps running after the export returns
    /// (tasks it spawned keep running) until the handle is dropped.
    ///
    /// ```no_run
    /// # async fn example(mut worker: wasm_rs_worker::WorkerHandle) {
    /// match worker.join().await {
    ///     Ok(value) => web_sys_log(&format!("returned {value:?}")),
    ///     Err(e) => web_sys_log(&e.to_string()),
    /// }
    /// # }
    /// # fn web_sys_log(_: &str) {}
    /// ```
    pub fn join(&mut self) -> impl Future<Output = Result<JsValue, WorkerError>> + '_ {
        let finished = JsFuture::from(self.job.when_finished());
        async move { finished.await.map_err(from_js) }
    }

    /// Sends `value` to the worker's global scope (its `message` event; in Node.js, its
    /// `parentPort`). The export receives it only if it returns to the event loop.
    ///
    /// ```no_run
    /// # fn example(worker: &wasm_rs_worker::WorkerHandle) -> Result<(), wasm_rs_worker::WorkerError> {
    /// worker.post_message(&"stop".into())?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn post_message(&self, value: &JsValue) -> Result<(), WorkerError> {
        self.job.post_message(value).map_err(cannot_send)
    }
    // ANCHOR_END: handle

    // ANCHOR: transfer
    /// [`post_message`](Self::post_message), moving the objects listed in `transfer` to the
    /// worker instead of copying them: a `MessagePort` (the usual way to give a worker a
    /// private line to the main thread, since the worker's own `postMessage` carries the
    /// loader's protocol), an `ArrayBuffer`, an `OffscreenCanvas`. Each must also appear in
    /// `value` for the worker to find it there; after the call this side can no longer use
    /// them. It fails with [`WorkerError::Exception`] if an object cannot be transferred
    /// (one sent already, say).
    ///
    /// The worker's export receives the value with [`next_message`](crate::next_message).
    ///
    /// ```no_run
    /// # fn example(worker: &wasm_rs_worker::WorkerHandle, channel: web_sys::MessageChannel)
    /// # -> Result<(), wasm_rs_worker::WorkerError> {
    /// // `channel` is a new `MessageChannel`: keep `port1`, move `port2` to the worker.
    /// let port2 = channel.port2();
    /// worker.post_message_with_transfer(&port2, &js_sys::Array::of1(&port2))?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn post_message_with_transfer(
        &self,
        value: &JsValue,
        transfer: &js_sys::Array,
    ) -> Result<(), WorkerError> {
        self.job
            .post_message_with_transfer(value, transfer)
            .map_err(cannot_send)
    }
    // ANCHOR_END: transfer

    // ANCHOR: terminate
    /// Stops the worker, wherever it is, even in a loop that never yields. Chromium lets a
    /// worker that is busy in JS or wasm run on for about 2 s before it stops it (Firefox and
    /// WebKit stop it at once); to stop work promptly, have the worker check a shared flag.
    /// The worker's end is announced first, so the other ends of its
    /// wasm-rs-shared-channel channels get `Disconnected` at once rather than after those
    /// 2 s.
    ///
    /// ```no_run
    /// # fn example(worker: wasm_rs_worker::WorkerHandle) {
    /// worker.terminate();
    /// # }
    /// ```
    pub fn terminate(self) {
        drop(self);
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.job.terminate();
    }
}

impl std::fmt::Debug for WorkerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerHandle").finish_non_exhaustive()
    }
}
// ANCHOR_END: terminate

// ANCHOR: run
/// Runs the export `entry` in a new module worker with `input`, and returns what it
/// returned; the worker is terminated when the call finishes, whichever way it finishes.
///
/// ```no_run
/// # async fn example() -> Result<(), wasm_rs_worker::WorkerError> {
/// use wasm_bindgen::JsValue;
///
/// let glue = wasm_rs_worker::glue_url()?;
/// let value = wasm_rs_worker::run_in_worker(&glue, "square", JsValue::from(7)).await?;
/// assert_eq!(value.as_f64(), Some(49.0));
/// # Ok(())
/// # }
/// ```
pub async fn run_in_worker(
    glue_url: &str,
    entry: &str,
    input: JsValue,
) -> Result<JsValue, WorkerError> {
    let mut worker = spawn_worker(glue_url, entry, input).await?;
    worker.join().await
}
// ANCHOR_END: run

/// The URL of the wasm-bindgen glue (the JS file of `--target web`, or in Node.js the path of
/// `--target nodejs`'s) that loaded this module: the worker imports the same file. Under
/// wasm-bindgen-test-runner it is `<origin>/wasm-bindgen-test.js`. In a bundle, where the
/// loader shares the glue's chunk, it is that chunk (see the crate docs, "With a bundler").
///
/// It is read from the JS call stack (the glue's import shims are the frame under the loader),
/// which every engine fills in; it fails with [`WorkerError::NoGlueUrl`] if none is there.
///
/// ```no_run
/// # fn example() -> Result<(), wasm_rs_worker::WorkerError> {
/// let glue = wasm_rs_worker::glue_url()?;
/// assert!(glue.ends_with(".js"));
/// # Ok(())
/// # }
/// ```
pub fn glue_url() -> Result<String, WorkerError> {
    glue_url_js().ok_or(WorkerError::NoGlueUrl)
}

// ANCHOR: threads-check
/// Checks that this page can run a wasm threads build: workers sharing one
/// `WebAssembly.Memory` need `SharedArrayBuffer`, which a browser gives only to a
/// cross-origin isolated page, and WebKit not at all. A threads build does not even
/// instantiate without it, so call this from a single-threaded module (or check the same
/// globals in JS) before loading one, and show the error's message if it fails.
///
/// ```no_run
/// match wasm_rs_worker::check_shared_memory() {
///     Ok(()) => { /* import the threads build */ }
///     Err(why) => { /* show `why` on the page; load the single-threaded build */ }
/// }
/// ```
pub fn check_shared_memory() -> Result<(), WorkerError> {
    let global = js_sys::global();
    let has = |name: &str| Reflect::get(&global, &name.into()).unwrap_or_default();
    if !has("SharedArrayBuffer").is_function() {
        return Err(WorkerError::NoSharedMemory(
            "SharedArrayBuffer is missing".into(),
        ));
    }
    // Browsers say whether the page is isolated; Node.js has no such flag (and shares).
    if has("crossOriginIsolated").as_bool() == Some(false) {
        return Err(WorkerError::NoSharedMemory(
            "the page is not cross-origin isolated".into(),
        ));
    }
    Ok(())
}
// ANCHOR_END: threads-check

// ANCHOR: hook
/// Installs the panic hook that sends a panic's message to the main thread. The loader calls
/// it in the worker right after instantiating the module (it is exported as
/// `wasmRsWorkerStart`); call it yourself only in a worker you start some other way.
/// Outside a loader worker the message goes to `console.error`. It installs nothing if a
/// hook from [`install_panic_hook`] or [`install_panic_hook_with`] is already in place (in a
/// threads build, hooks are shared by every thread).
///
/// ```no_run
/// wasm_rs_worker::worker_start();
/// ```
#[wasm_bindgen(js_name = wasmRsWorkerStart)]
pub fn worker_start() {
    install_panic_hook();
}

/// Whether one of this crate's panic hooks is installed (in a threads build: in any thread).
static HOOK_INSTALLED: AtomicBool = AtomicBool::new(false);

/// Installs the panic hook that reports panics through [`report_panic`], unless one of this
/// crate's hooks is already installed. Idempotent, and cheap to call on every start.
///
/// ```no_run
/// wasm_rs_worker::install_panic_hook();
/// ```
pub fn install_panic_hook() {
    if !HOOK_INSTALLED.swap(true, Ordering::AcqRel) {
        std::panic::set_hook(Box::new(|info| report_panic(&info.to_string())));
    }
}
// ANCHOR_END: hook

// ANCHOR: hook_with
/// Installs a panic hook that first calls `observe` with the panic's message, then reports
/// it as [`install_panic_hook`]'s does, and keeps [`worker_start`] from replacing it. This is
/// the hook a wasm threads build needs: hooks live in the shared memory, so a thread's
/// `JoinHandle` records the message here (a panic aborts that thread; nothing unwinds)
/// and every worker the loader starts keeps this hook instead of installing its own.
///
/// ```no_run
/// wasm_rs_worker::install_panic_hook_with(|message| {
///     // e.g. store `message` where a blocked join() finds it
///     let _ = message;
/// });
/// ```
pub fn install_panic_hook_with(observe: impl Fn(&str) + Send + Sync + 'static) {
    HOOK_INSTALLED.store(true, Ordering::Release);
    std::panic::set_hook(Box::new(move |info| {
        let message = info.to_string();
        observe(&message);
        report_panic(&message);
    }));
}

/// Reports a panic message: in a worker this crate started, it goes to the main thread, where
/// [`WorkerHandle::join`] returns it as [`WorkerError::Panic`]; anywhere else, to
/// `console.error`. The panic hooks of this crate call it.
///
/// ```no_run
/// wasm_rs_worker::report_panic("panicked at src/lib.rs:1:1:\nexplained");
/// ```
pub fn report_panic(message: &str) {
    report_panic_js(message);
}
// ANCHOR_END: hook_with

// ANCHOR: next_message
/// In a worker: waits for the next message the main thread posts to it with
/// [`WorkerHandle::post_message`] or [`WorkerHandle::post_message_with_transfer`] (the
/// worker's `message` event; in Node.js, its `parentPort`), and gives its value.
///
/// A message that arrives while nobody waits is dropped, so call it before the export first
/// returns to the event loop: first thing in an `async` export, or before the export
/// replies to the main thread. Outside a worker it fails with [`WorkerError::NotAWorker`].
///
/// ```no_run
/// use wasm_bindgen::prelude::*;
///
/// /// Runs in a worker: waits for the `MessagePort` the main thread transfers.
/// #[wasm_bindgen]
/// pub async fn serve_on_port() -> Result<JsValue, JsValue> {
///     let port = wasm_rs_worker::next_message()
///         .await
///         .map_err(|e| JsValue::from_str(&e.to_string()))?;
///     Ok(port)
/// }
/// ```
pub async fn next_message() -> Result<JsValue, WorkerError> {
    JsFuture::from(next_message_js())
        .await
        .map_err(|e| WorkerError::NotAWorker(describe(&e)))
}
// ANCHOR_END: next_message

fn cannot_send(error: JsValue) -> WorkerError {
    WorkerError::Exception(format!("the message cannot be sent: {}", describe(&error)))
}

fn describe(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return s;
    }
    Reflect::get(value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

fn from_js(value: JsValue) -> WorkerError {
    let kind = Reflect::get(&value, &"kind".into())
        .ok()
        .and_then(|k| k.as_string())
        .unwrap_or_default();
    WorkerError::from_kind(&kind, describe(&value))
}
