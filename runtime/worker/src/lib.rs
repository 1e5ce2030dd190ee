#![doc = include_str!("../README.md")]
//!
//! ## How it works
//!
//! - The JS side is one small ES module shipped inside this crate, `js/wasm-rs-loader.js`,
//!   used on both sides of a worker. This crate binds it with `#[wasm_bindgen(module = ...)]`,
//!   so wasm-bindgen copies it next to the glue it writes (`snippets/wasm-rs-worker-*/js/`),
//!   and the loader starts each worker on its own URL.
//! - [`spawn_worker`] passes the worker `wasm_bindgen::module()`, the compiled
//!   `WebAssembly.Module`, by `postMessage`: modules are cloneable, so the worker
//!   instantiates it without fetching or compiling anything. [`glue_url`] finds the glue
//!   file the worker must import.
//! - In the worker, the loader calls [`worker_start`] (exported as `wasmRsWorkerStart`),
//!   which installs a panic hook that posts the panic message to the main thread before the
//!   wasm traps. [`WorkerHandle::join`] then fails with [`WorkerError::Panic`] and that
//!   message.
//!
//! ## Which function when
//!
//! | you want to | use |
//! |---|---|
//! | run one job in a worker and get its result | [`run_in_worker`] |
//! | a worker that keeps running (a full-time executor, an engine serving requests) | [`spawn_worker`] → [`WorkerHandle`] |
//! | a classic worker, or a thread of a wasm threads build (shared memory) | [`spawn_worker_with`] and [`WorkerOptions`] |
//! | a private two-way line to the worker | [`WorkerHandle::post_message_with_transfer`] a `MessagePort`; in the worker, [`next_message`] |
//! | stop it | [`WorkerHandle::terminate`], or drop the handle |
//! | check before loading a threads build | [`check_shared_memory`] |
//! | add to the panic report (a threads build's join handles) | [`install_panic_hook_with`] |
//!
//! ## Where it runs
//!
//! | host | workers started | tested by |
//! |---|---|---|
//! | Chromium, Firefox, WebKit: main thread | module and classic Web Workers | `tests/workers.rs` in `browser` |
//! | the same, inside a dedicated worker | nested Web Workers | `tests/workers.rs` in `worker` |
//! | Node.js 20.19 or later (`--target nodejs`) | `worker_threads` Workers | `tests/workers.rs` in `node` |
//! | Bun 1.4 (the `--target nodejs` glue) | `worker_threads` Workers | `tests/workers.rs` in `bun` |
//! | Deno 2.9 | not with `--target deno`: wasm-bindgen can't bind [`wasm_bindgen::module()`] for it, and a worker is started on that module, so binding fails with an error naming `wasm_bindgen::module`. Bind with `--target web` in Deno | no CI row (the test runner's Deno mode binds with `--target deno`) |
//! | native, WASI | none: only [`WorkerError`] exists there | `tests/error_messages.rs` natively |
//! | a Vite production build and dev server, Chromium and Firefox | module Web Workers | the `onramps` suite (recipe `vite-app`) |
//! | a webpack 5 production build and webpack-dev-server, Chromium and Firefox | module Web Workers | the `onramps` suite (recipe `webpack-app`) |
//! | a Trunk build and `trunk serve` (plain, and a Leptos app), Chromium and Firefox | module Web Workers | the `onramps` suite (recipes `trunk-app`, `leptos-app`) |
//!
//! ## With a bundler
//!
//! A bundler (Vite, Rollup, Rolldown, webpack) merges the loader into the chunk that holds the
//! wasm-bindgen glue (`--target web`), and the worker imports that chunk. So the chunk must
//! hold the glue and nothing else of the page: make the glue an entry of its own (in Vite,
//! `build.rolldownOptions.input`; in webpack, an `entry` with `library: { type: "module" }`),
//! and import it from the page with a dynamic `import()`, so that the chunk keeps every
//! export under its own name (the worker calls its entry export by name). [`glue_url`] then
//! gives that chunk's URL. webpack also bundles the loader's `new Worker(import.meta.url)` as
//! a worker chunk of its own, which imports the glue's chunk: that works as it is. The book's
//! "Use wasm-rs in your app" chapter has the tested Vite and webpack projects.
//!
//! ## Stopping
//!
//! [`WorkerHandle::terminate`] (or dropping the handle) stops a worker. Chromium lets a
//! worker busy in JS or wasm run on for about 2 s before it enforces that (measured: 2.25 s;
//! Firefox and WebKit stop it within a quarter of a second), so work that must stop promptly
//! checks a flag in shared memory.
//!
//! ## Telling others a worker ended
//!
//! Each worker has a thread name (in browsers, the name of a Web Lock it holds for life,
//! taken before its export runs). The main side announces that name, to its own thread and
//! to every other on the `BroadcastChannel` "wasm-rs.thread-ended", when it terminates the
//! worker, when the worker's export panics or its wasm traps (its instance cannot run
//! again), and in Node when the worker's thread exits. wasm-rs-shared-channel listens: the
//! other end of a channel that worker held gets `Disconnected` instead of waiting for it.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web;

pub use error::WorkerError;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use web::{
    WorkerHandle, WorkerKind, WorkerOptions, check_shared_memory, glue_url, install_panic_hook,
    install_panic_hook_with, next_message, report_panic, run_in_worker, spawn_worker,
    spawn_worker_with, worker_start,
};
