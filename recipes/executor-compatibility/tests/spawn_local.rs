//! The row of `Executor::SpawnLocal`: every workload, checked against `EXPECTED`.

#[macro_use]
mod common;

cells!(executor_compatibility::Executor::SpawnLocal);
