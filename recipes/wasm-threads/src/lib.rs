//! # Wasm threads: workers that share the module and its memory
//!
//! A *threads build* compiles std with atomics and links the module against an imported,
//! shared `WebAssembly.Memory`. Every worker that instantiates the same compiled module on
//! that same memory is then a thread of one Rust program: `Arc`, `Mutex`, atomics and
//! `Send` values work across them as they do natively. This crate shows the pieces:
//!
//! - [`spawn`] starts a worker on this module and memory (through `wasm-rs-worker` and its
//!   `WorkerOptions::shared_memory`) and runs a closure there; wasm-bindgen's start
//!   function gives the new thread its own stack and thread-local storage. `spawn` is async
//!   because the new worker receives its job from the spawning thread's event loop.
//! - [`JoinHandle::join`] blocks (in a worker); [`JoinHandle::join_async`] awaits (anywhere,
//!   and the only way on the browser main thread, where `join` returns
//!   [`ThreadError::MainThread`] instead of trapping).
//! - [`lock_without_waiting`]: the browser main thread may not block, and in a threads
//!   build a contended `std::sync::Mutex::lock` *waits* (`memory.atomic.wait32`): Chromium
//!   traps there, Firefox freezes the page until the lock is free. Keep locks shared with
//!   the main thread short, and take them with this function.
//! - [`mandelbrot`]: a computation split over threads, with a serial twin to compare.
//! - wasm-rs-async-executor in a threads build takes wakes from other threads: a
//!   main-thread task can await a `tokio::sync::oneshot` that a worker sends on, and a
//!   worker blocked in `block_on` is woken by another worker (see `tests/executor.rs`).
//!
//! ## Building
//!
//! Only with the nightly of this crate's `rust-toolchain.toml` and the flags of its
//! `.cargo/config.toml` (`-Zbuild-std=std,panic_abort`, `+atomics`, shared imported memory
//! and the TLS exports); anything else stops at a `compile_error!` naming them. Pages must
//! be cross-origin isolated (COOP/COEP headers) for shared memory to exist; WebKit has no
//! `SharedArrayBuffer` and cannot instantiate the module at all.
//!
//! ```no_run
//! # async fn example() -> Result<(), wasm_threads::ThreadError> {
//! let handle = wasm_threads::spawn(|| (1..=10u64).product::<u64>()).await?;
//! assert_eq!(handle.join_async().await?, 3_628_800);
//! # Ok(())
//! # }
//! ```

#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
compile_error!(
    "wasm-threads needs a wasm threads build, which these flags were not given: target \
     wasm32-unknown-unknown; RUSTFLAGS `-C target-feature=+atomics` with link args \
     `--shared-memory --max-memory=1073741824 --import-memory --export=__heap_base \
     --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base`; \
     and `-Zbuild-std=std,panic_abort` on the nightly of its rust-toolchain.toml. Run cargo \
     inside recipes/wasm-threads (its .cargo/config.toml sets them all), or run \
     `cargo xtask test --only threads`."
);

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod demo;
pub mod mandelbrot;
mod thread;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use demo::run_demo;
pub use thread::{
    JoinHandle, Joiner, ThreadError, hardware_concurrency, is_main_thread, lock_without_waiting,
    spawn, thread_entry,
};
