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

pub mod mandelbrot;
mod thread;

pub use thread::{
    JoinHandle, Joiner, ThreadError, hardware_concurrency, is_main_thread, lock_without_waiting,
    spawn, thread_entry,
};

// ANCHOR: demo
/// The book's live demo: draws the Mandelbrot set once on this thread and once split over
/// worker threads that share this module's memory, prints both times and the speedup
/// (thread start-up included), and checks that both images are identical.
///
/// ```no_run
/// # async fn example() -> Result<(), wasm_bindgen::JsValue> {
/// wasm_threads::run_demo().await?;
/// # Ok(())
/// # }
/// ```
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn run_demo() -> Result<(), wasm_bindgen::JsValue> {
    use wasm_rs_async_executor::Instant;
    let log = |line: String| web_log(&line);
    let view = mandelbrot::View::timed();
    let threads = hardware_concurrency().clamp(2, 4);
    log(format!(
        "Mandelbrot {}x{}, {} iterations; this machine reports {} cores",
        view.width,
        view.height,
        view.max_iter,
        hardware_concurrency()
    ));
    let started = Instant::now();
    let serial = mandelbrot::render(&view);
    let serial_ms = started.elapsed().as_secs_f64() * 1000.0;
    log(format!("1 thread (this one): {serial_ms:.0} ms"));
    let started = Instant::now();
    let parallel = mandelbrot::render_parallel(&view, threads)
        .await
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))?;
    let parallel_ms = started.elapsed().as_secs_f64() * 1000.0;
    log(format!(
        "{threads} worker threads, starting them included: {parallel_ms:.0} ms ({:.2}x)",
        serial_ms / parallel_ms
    ));
    if parallel != serial {
        return Err("the threads drew a different image than one thread".into());
    }
    log("images are identical".to_string());
    Ok(())
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn web_log(line: &str);
}
// ANCHOR_END: demo
