//! The native and WASI host: the same program natively and as a WASI command.
//!
//! ```text
//! cargo run -p one-core-three-hosts --example command
//! cargo build -p one-core-three-hosts --example command --target wasm32-wasip1
//! wasmtime target/wasm32-wasip1/debug/examples/command.wasm
//! ```
//!
//! Both print the same bytes: the report holds no timings.

// ANCHOR: command
use one_core_three_hosts::{Limits, process, sample_jobs};

fn main() -> Result<(), wasm_rs_async_executor::RunError> {
    // Natively and on WASI, `block_on` drives the executor on this thread until the core ends.
    let report = wasm_rs_async_executor::block_on(process(sample_jobs(), Limits::default()))?;
    println!("{report}");
    Ok(())
}
// ANCHOR_END: command
