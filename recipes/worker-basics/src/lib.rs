//! Worker basics: run an export of this same wasm module in a dedicated worker, and get its
//! result, or its panic message, back on the main thread.
//!
//! # Why
//!
//! A long computation on the browser's main thread freezes the page, so it belongs in a Web
//! Worker. Without a bundler, three things trip people up: the worker must load the same
//! wasm-bindgen glue and module as the page; compiling the module a second time in the worker
//! wastes time; and a Rust panic in the worker shows up on the main thread, if at all, as
//! `RuntimeError: unreachable`.
//!
//! # How
//!
//! - The JS side is one small ES module, `www/wasm-rs-loader.js`, used on both sides: the
//!   main thread imports it (through `#[wasm_bindgen(module = ...)]`) and starts a module
//!   worker on the same file.
//! - [`run_in_worker`] passes the worker `wasm_bindgen::module()`, the compiled
//!   `WebAssembly.Module`, by `postMessage`: modules are cloneable, so the worker
//!   instantiates it without fetching or compiling anything.
//! - In the worker, the loader calls [`worker_start`] (exported as `wasmRsWorkerStart`),
//!   which installs a panic hook that posts the panic message to the main thread before the
//!   wasm traps. [`run_in_worker`] then fails with [`WorkerError::Panic`] and that message.
//!
//! # When
//!
//! Use it for one-shot jobs: each call starts a worker, runs one export, and terminates the
//! worker. A worker that serves many requests talks over a channel instead (see the other
//! recipes in this section). On native targets this crate is empty: workers exist only in
//! JavaScript hosts.

#[cfg(target_arch = "wasm32")]
mod browser;

#[cfg(target_arch = "wasm32")]
pub use browser::{WorkerError, run_in_worker, worker_start};
