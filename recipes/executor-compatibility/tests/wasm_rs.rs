//! The row of `Executor::WasmRs`: every workload, checked against `EXPECTED`.

#[macro_use]
mod common;

cells!(executor_compatibility::Executor::WasmRs);
