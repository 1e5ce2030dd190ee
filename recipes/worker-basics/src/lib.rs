//! Worker basics: run an export of this same wasm module in a worker, and get its result, or
//! its panic message, back.
//!
//! # Why
//!
//! Long-running Rust belongs in a worker, where it cannot freeze the page. Without a bundler,
//! three things trip people up: the worker must load the same wasm-bindgen glue and module
//! as the page; compiling the module a second time in the worker wastes time; and a Rust
//! panic in the worker shows up on the main thread, if at all, as `RuntimeError: unreachable`.
//!
//! # How
//!
//! - The JS side is one small ES module, the cookbook's `book/src/js/wasm-rs-loader.js`,
//!   used on both sides: this crate imports it (through `#[wasm_bindgen(module = ...)]`) and
//!   starts a worker on the same file.
//! - [`spawn_worker`] passes the worker `wasm_bindgen::module()`, the compiled
//!   `WebAssembly.Module`, by `postMessage`: modules are cloneable, so the worker
//!   instantiates it without fetching or compiling anything. [`glue_url`] finds the glue
//!   file the worker must import.
//! - In the worker, the loader calls [`worker_start`] (exported as `wasmRsWorkerStart`),
//!   which installs a panic hook that posts the panic message to the main thread before the
//!   wasm traps. [`WorkerHandle::join`] then fails with [`WorkerError::Panic`] and that
//!   message.
//!
//! # When
//!
//! - [`run_in_worker`]: a one-shot job; the worker is terminated when it returns.
//! - [`spawn_worker`]: a worker that keeps running (a full-time executor, an engine serving
//!   requests over a channel); the [`WorkerHandle`] joins or terminates it, and dropping it
//!   terminates the worker.
//! - [`spawn_worker_with`] and [`WorkerKind::Classic`]: a classic worker instead of a module
//!   worker.
//! - [`WorkerHandle::post_message_with_transfer`] and, in the worker, [`next_message`]: give
//!   a worker that serves on its event loop a `MessagePort` of its own, a private two-way
//!   line to the main thread (the worker's own `postMessage` carries the loader's protocol).
//!
//! In the browser the workers are Web Workers, started from the main thread or from inside a
//! worker; in Node.js 20.19 or later (wasm-bindgen's `--target nodejs`) they are
//! `worker_threads` Workers, with the same API. On native targets only [`WorkerError`]
//! exists: workers are a JavaScript host's.
//!
//! # Stopping
//!
//! [`WorkerHandle::terminate`] (or dropping the handle) stops a worker. Chromium lets a
//! worker busy in JS or wasm run on for about 2 s before it enforces that (measured: 2.25 s;
//! Firefox and WebKit stop it within a quarter of a second), so work that must stop promptly
//! checks a flag in shared memory.

mod error;
#[cfg(target_arch = "wasm32")]
mod host;

pub use error::WorkerError;
#[cfg(target_arch = "wasm32")]
pub use host::{
    WorkerHandle, WorkerKind, check_shared_memory, glue_url, next_message, run_in_worker,
    spawn_worker, spawn_worker_with, worker_start,
};
