//! The row of `Executor::LocalPoolRun`: every workload, checked against `EXPECTED`.

#[macro_use]
mod common;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test;

cells!(executor_compatibility::Executor::LocalPoolRun);
