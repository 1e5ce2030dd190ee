//! The row of `Executor::AsyncExecutorRun`: every workload, checked against `EXPECTED`.

#[macro_use]
mod common;

cells!(executor_compatibility::Executor::AsyncExecutorRun);
