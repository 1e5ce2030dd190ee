//! The error type, the same on every target (so it can be matched and tested natively).

use std::fmt;

// ANCHOR: error
/// How starting a worker, or running an export in it, failed. Each message says what to
/// check next.
///
/// ```
/// let e = wasm_rs_worker::WorkerError::Panic("panicked at src/lib.rs:3:5:\nboom".into());
/// assert!(e.to_string().starts_with("the worker panicked: "));
/// assert!(e.to_string().contains("boom"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerError {
    /// The worker could not be started, or the loader script failed to load in it.
    Load(String),
    /// The worker started, but importing the glue or instantiating the module failed.
    Init(String),
    /// The export panicked; this is the panic message, location included.
    Panic(String),
    /// The export threw (returned `Err`), there is no export by that name, or an error
    /// escaped it later (a task it spawned threw).
    Exception(String),
    /// The worker ended by itself before its export finished (a Node.js worker thread that
    /// called `process.exit`, say).
    Stopped(String),
    /// [`glue_url`](crate::glue_url) found no script URL on the call stack.
    NoGlueUrl,
    /// [`next_message`](crate::next_message) was called outside a worker, where no main
    /// thread posts to it.
    NotAWorker(String),
    /// [`check_shared_memory`](crate::check_shared_memory): this page cannot share a
    /// `WebAssembly.Memory` between workers, so a wasm threads build cannot run here.
    NoSharedMemory(String),
}
// ANCHOR_END: error

impl WorkerError {
    /// Maps the loader's `{ kind, message }` to a variant; an unknown kind is a load error.
    #[cfg_attr(
        not(all(target_family = "wasm", target_os = "unknown")),
        allow(dead_code, reason = "used by the JS host side")
    )]
    pub(crate) fn from_kind(kind: &str, message: String) -> Self {
        match kind {
            "init" => WorkerError::Init(message),
            "panic" => WorkerError::Panic(message),
            // A trap is an exception whose message says it trapped (see `Display`).
            "exception" | "trap" => WorkerError::Exception(message),
            "stopped" | "terminated" => WorkerError::Stopped(message),
            // "load", and any kind a newer loader might add.
            _ => WorkerError::Load(message),
        }
    }
}

/// Whether an exception's message is a trap of the wasm instance (a `WebAssembly.RuntimeError`,
/// or the engine's stack overflow: V8's `RangeError`, SpiderMonkey's `InternalError`), which
/// leaves the instance unusable, rather than an error the export threw.
fn is_trap(message: &str) -> bool {
    message.starts_with("RuntimeError")
        || message.contains("Maximum call stack size exceeded")
        || message.contains("too much recursion")
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Load(m) => write!(
                f,
                "the worker did not start: {m}; check that this host may start workers (the \
                 page's Content-Security-Policy, module-worker support, or Node.js 20.19 or \
                 later for worker_threads)"
            ),
            WorkerError::Init(m) => write!(
                f,
                "the worker could not load the wasm module: {m}; check the glue URL (the \
                 wasm-bindgen JS file this module was loaded by; `glue_url()` finds it)"
            ),
            WorkerError::Panic(m) => write!(f, "the worker panicked: {m}"),
            WorkerError::Exception(m) if is_trap(m) => write!(
                f,
                "the worker's wasm trapped: {m}; its instance cannot run again (a stack \
                 overflow, memory running out, or `unreachable`): start a new worker, and look \
                 for deep recursion or runaway allocation in what it ran"
            ),
            WorkerError::Exception(m) => write!(
                f,
                "the worker's export failed: {m}; check the export's name and its input"
            ),
            WorkerError::Stopped(m) => {
                write!(f, "the worker stopped before its export finished: {m}")
            }
            WorkerError::NoGlueUrl => write!(
                f,
                "could not find the URL of the wasm-bindgen glue on the call stack; pass it \
                 yourself (e.g. `new URL(\"./pkg/app.js\", location.href)`)"
            ),
            WorkerError::NotAWorker(m) => write!(
                f,
                "{m}; call next_message() from the export a worker runs, and on the main \
                 thread post to that worker with WorkerHandle::post_message"
            ),
            WorkerError::NoSharedMemory(m) => write!(
                f,
                "this page cannot share memory between workers ({m}): a wasm threads build \
                 needs SharedArrayBuffer, which browsers give only to cross-origin isolated \
                 pages (COOP same-origin, COEP require-corp) and WebKit not at all; load a \
                 single-threaded build here instead"
            ),
        }
    }
}

impl std::error::Error for WorkerError {}
