//! The row of `Executor::LocalPoolRun`: every workload, checked against `EXPECTED`.

#[macro_use]
mod common;

cells!(executor_compatibility::Executor::LocalPoolRun);
