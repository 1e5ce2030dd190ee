//! Full-time mode that parks through JSPI (JS Promise Integration): the loop keeps the
//! thread, as [`run_forever`](crate::run_forever) does, but while no task is ready the
//! wasm stack is *suspended* instead of blocked, so the thread's JS event loop runs.
//!
//! # Why
//!
//! Plain full-time mode sleeps in `Atomics.wait`. It wakes fastest, but nothing of
//! JS runs meanwhile: promises never settle, `onmessage` never fires, and
//! `fetch` cannot be awaited. The suspending loop parks on a promise instead (the next
//! timer, a `park::wake_on_change` cell through `Atomics.waitAsync`, or a task woken by
//! a JS callback) and resumes exactly where it stopped. So a worker can run one
//! long-lived Rust loop that serves a shared channel *and* awaits `JsFuture`s, takes
//! `postMessage`s and uses event-loop yields.
//!
//! | | [`run_forever`](crate::run_forever) / [`block_on`](crate::block_on) | `jspi::run_forever` / `jspi::block_on` (feature `jspi`) |
//! |---|---|---|
//! | parks in | `Atomics.wait` (thread blocked) | a suspended promise (event loop runs) |
//! | JS promises, `onmessage`, `fetch` | never run | work |
//! | `yield_to_event_loop` and friends | errors | work |
//! | where | workers, Node (not the browser main thread) | inside a `#[wasm_bindgen(jspi)]` export, main thread or worker |
//! | needs | `SharedArrayBuffer` | JSPI (Chromium 137+, Firefox with JSPI; not WebKit), no threads build |
//! | with no timer and no registration | `RunError::Stalled` | waits for a JS callback |
//!
//! The cost is wake-up latency: a resume goes through the event loop (a promise
//! reaction), where `Atomics.wait` returns directly. The jspi recipe measures both.
//!
//! # How
//!
//! [`check`] tells whether this engine has JSPI, with a message to show when it does not
//! (it needs no feature, and links nothing JSPI-specific). For the loops, enable the
//! `jspi` feature (it needs js-sys 0.3.107 or later in your `Cargo.lock`), and call `jspi::run_forever` or `jspi::block_on` from a
//! `#[wasm_bindgen(jspi)]` export (JS receives a function that returns a promise), or
//! from code it calls. Called outside such a frame, the first park makes the engine
//! throw a `SuspendError` through the wasm frames (a JS exception, not an `Err`: JSPI
//! gives no way to ask first). A module that never calls them carries no JSPI imports (and keeps running in
//! engines without JSPI). JSPI is experimental in wasm-bindgen 0.2.130, and not
//! available in threads builds (`+atomics`).
//!
//! ```no_run
//! use wasm_bindgen::prelude::*;
//!
//! #[wasm_bindgen(jspi)]
//! pub fn serve() -> Result<(), JsError> {
//!     wasm_rs_async_executor::spawn(async {
//!         // ... await a shared channel, a JsFuture and a timer, in any order ...
//!     });
//!     wasm_rs_async_executor::jspi::run_forever()?;
//!     Ok(())
//! }
//! ```

#[cfg(feature = "jspi")]
use std::future::Future;

#[cfg(feature = "jspi")]
use crate::runtime::{self, RunError};

/// Why the suspending mode cannot run in this engine, from [`check`].
///
/// ```no_run
/// if let Err(unsupported) = wasm_rs_async_executor::jspi::check() {
///     // Show it, and fall back to plain full-time mode or the event loop.
///     web_sys_console_log(&unsupported.to_string());
/// }
/// # fn web_sys_console_log(_: &str) {}
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    missing: &'static str,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "this engine has no JSPI ({} is missing): the executor's suspending mode needs \
             JS Promise Integration (Chromium 137+, Firefox 153); WebKit has none. A module \
             that uses it does not even instantiate here, so check before loading it, and \
             fall back to plain full-time mode (run_forever) or the event loop (spawn)",
            self.missing
        )
    }
}

impl std::error::Error for Unsupported {}

/// Checks that this engine has JSPI (`WebAssembly.Suspending` and
/// `WebAssembly.promising`). Call it from a module that does not use JSPI itself (a
/// module that does fails to instantiate where JSPI is missing).
///
/// ```no_run
/// match wasm_rs_async_executor::jspi::check() {
///     Ok(()) => { /* load the module that calls jspi::run_forever */ }
///     Err(why) => panic!("{why}"),
/// }
/// ```
pub fn check() -> Result<(), Unsupported> {
    let wasm = js_sys::Reflect::get(&js_sys::global(), &"WebAssembly".into()).unwrap_or_default();
    for missing in ["Suspending", "promising"] {
        let present = js_sys::Reflect::get(&wasm, &missing.into()).is_ok_and(|f| f.is_function());
        if !present {
            return Err(Unsupported {
                missing: if missing == "Suspending" {
                    "WebAssembly.Suspending"
                } else {
                    "WebAssembly.promising"
                },
            });
        }
    }
    Ok(())
}

/// Whether this engine has JSPI: [`check`] without the reason.
///
/// ```no_run
/// if !wasm_rs_async_executor::jspi::is_supported() {
///     // Fall back to plain full-time mode, or to the event loop.
/// }
/// ```
pub fn is_supported() -> bool {
    check().is_ok()
}

/// Runs `future` (and every other task of this thread) until `future` completes,
/// suspending through JSPI while nothing is ready. Call it inside a
/// `#[wasm_bindgen(jspi)]` export; it works on the browser main thread too, since it
/// never blocks the thread.
///
/// ```no_run
/// use wasm_bindgen::prelude::*;
/// use wasm_bindgen_futures::JsFuture;
///
/// #[wasm_bindgen(jspi)]
/// pub fn wait_for(promise: js_sys::Promise) -> Result<JsValue, JsValue> {
///     wasm_rs_async_executor::jspi::block_on(JsFuture::from(promise))
///         .map_err(|e| JsError::new(&e.to_string()))?
/// }
/// ```
#[cfg(feature = "jspi")]
pub fn block_on<F: Future>(future: F) -> Result<F::Output, RunError> {
    runtime::with(|rt| rt.block_on::<runtime::Suspending, _>(future))
}

/// Runs this thread's tasks until none is left, suspending through JSPI while nothing
/// is ready. Call it inside a `#[wasm_bindgen(jspi)]` export.
///
/// ```no_run
/// use wasm_bindgen::prelude::*;
///
/// #[wasm_bindgen(jspi)]
/// pub fn serve_forever() -> Result<(), JsError> {
///     wasm_rs_async_executor::spawn(async { /* the worker's service */ });
///     wasm_rs_async_executor::jspi::run_forever()?;
///     Ok(())
/// }
/// ```
#[cfg(feature = "jspi")]
pub fn run_forever() -> Result<(), RunError> {
    runtime::with(|rt| rt.run_forever::<runtime::Suspending>())
}
