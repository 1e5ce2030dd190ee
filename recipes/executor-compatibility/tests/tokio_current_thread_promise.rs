//! tokio's JS promise cell, alone in its module: see `tokio_current_thread.rs` for why.

#[macro_use]
mod common;

cell!(executor_compatibility::Executor::TokioCurrentThread, promise_or_other_thread, ForeignWake);
