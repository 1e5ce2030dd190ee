//! The browser side: the binding to the JS loader, the panic hook, and the error type.

use std::fmt;

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

// ANCHOR: binding
#[wasm_bindgen(module = "/www/wasm-rs-loader.js")]
extern "C" {
    /// Starts a module worker on the loader, instantiates `module` there with the glue at
    /// `glue_url`, and calls the export `entry` with `input`.
    #[wasm_bindgen(js_name = runInWorker, catch)]
    fn run_in_worker_js(
        glue_url: &str,
        module: &JsValue,
        entry: &str,
        input: &JsValue,
    ) -> Result<Promise, JsValue>;
}
// ANCHOR_END: binding

// ANCHOR: run
/// Runs the `#[wasm_bindgen]` export named `entry` of this same module in a new dedicated
/// worker, with `input` (anything structured-cloneable), and returns what it returned. The
/// worker is terminated when the call finishes, whichever way it finishes.
///
/// `glue_url` is the absolute URL of the wasm-bindgen `--target web` JS glue that the page
/// itself loaded, e.g. `new URL("./pkg/app.js", location.href)`.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn example() -> Result<(), worker_basics::WorkerError> {
/// use wasm_bindgen::JsValue;
///
/// let glue = "https://example.com/pkg/app.js";
/// let value = worker_basics::run_in_worker(glue, "square", JsValue::from(7)).await?;
/// assert_eq!(value.as_f64(), Some(49.0));
/// # Ok(())
/// # }
/// ```
pub async fn run_in_worker(
    glue_url: &str,
    entry: &str,
    input: JsValue,
) -> Result<JsValue, WorkerError> {
    let promise = run_in_worker_js(glue_url, &wasm_bindgen::module(), entry, &input)
        .map_err(|e| WorkerError::Load(describe(&e)))?;
    JsFuture::from(promise).await.map_err(WorkerError::from_js)
}
// ANCHOR_END: run

// ANCHOR: hook
/// Installs the panic hook that forwards a panic's message to the main thread. The loader
/// calls it in the worker right after instantiating the module (it is exported as
/// `wasmRsWorkerStart`); call it yourself only in a worker you start some other way.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// worker_basics::worker_start();
/// ```
#[wasm_bindgen(js_name = wasmRsWorkerStart)]
pub fn worker_start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        let event = js_sys::Object::new();
        // Setting properties on a fresh plain object cannot fail.
        let _ = Reflect::set(&event, &"kind".into(), &"panic".into());
        let _ = Reflect::set(&event, &"message".into(), &message.as_str().into());
        let global = js_sys::global();
        let post = Reflect::get(&global, &"postMessage".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match post {
            Some(post) => {
                let _ = post.call1(&global, &event);
            }
            // Not in a worker: the console is the only place left to say it.
            None => web_log(&message),
        }
    }));
}
// ANCHOR_END: hook

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn web_log(message: &str);
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

// ANCHOR: error
/// How running an export in a worker failed. Each message says what to check next.
///
/// ```
/// # #[cfg(target_arch = "wasm32")]
/// # {
/// let e = worker_basics::WorkerError::Panic("panicked at src/lib.rs:3:5:\nboom".into());
/// assert!(e.to_string().contains("boom"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerError {
    /// The worker could not be started, or the loader script failed to load in it.
    Load(String),
    /// The worker started, but importing the glue or instantiating the module failed.
    Init(String),
    /// The export panicked; this is the panic message, location included.
    Panic(String),
    /// The export threw (returned `Err`), or there is no export by that name.
    Exception(String),
}

impl WorkerError {
    fn from_js(value: JsValue) -> Self {
        let kind = Reflect::get(&value, &"kind".into())
            .ok()
            .and_then(|k| k.as_string())
            .unwrap_or_default();
        let message = Reflect::get(&value, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| describe(&value));
        match kind.as_str() {
            "init" => WorkerError::Init(message),
            "panic" => WorkerError::Panic(message),
            "exception" => WorkerError::Exception(message),
            _ => WorkerError::Load(message),
        }
    }
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Load(m) => write!(
                f,
                "the worker did not start: {m}; check that the page may start module \
                 workers (its Content-Security-Policy, and a browser with module workers)"
            ),
            WorkerError::Init(m) => write!(
                f,
                "the worker could not load the wasm module: {m}; check the glue URL (an \
                 absolute URL of the `--target web` JS file the page loaded)"
            ),
            WorkerError::Panic(m) => write!(f, "the worker panicked: {m}"),
            WorkerError::Exception(m) => write!(
                f,
                "the worker's export failed: {m}; check the export's name and its input"
            ),
        }
    }
}

impl std::error::Error for WorkerError {}
// ANCHOR_END: error
