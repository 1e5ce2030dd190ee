//! The row of `Executor::LocalPoolRunUntilStalled`: every workload, checked against `EXPECTED`.

#[macro_use]
mod common;

cells!(executor_compatibility::Executor::LocalPoolRunUntilStalled);
