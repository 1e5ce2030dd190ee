//! The row of `Executor::FuturesBlockOn`: every workload, checked against `EXPECTED`.

#[macro_use]
mod common;

cells!(executor_compatibility::Executor::FuturesBlockOn);
