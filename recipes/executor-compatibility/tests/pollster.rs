//! The row of `Executor::Pollster`: every workload, checked against `EXPECTED`.

#[macro_use]
mod common;

cells!(executor_compatibility::Executor::Pollster);
