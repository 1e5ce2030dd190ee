//! The row of `Executor::AsyncExecutorTryTick`: every workload, checked against `EXPECTED`.

#[macro_use]
mod common;

cells!(executor_compatibility::Executor::AsyncExecutorTryTick);
