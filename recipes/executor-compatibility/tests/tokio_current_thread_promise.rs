//! tokio's JS promise cell, alone in its module: see `tokio_current_thread.rs` for why.

#[macro_use]
mod common;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test;

cell!(
    executor_compatibility::Executor::TokioCurrentThread,
    promise_or_other_thread,
    ForeignWake
);
