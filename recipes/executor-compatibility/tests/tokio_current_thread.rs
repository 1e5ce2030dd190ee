//! The row of `Executor::TokioCurrentThread`, checked against `EXPECTED`, except the JS
//! promise cell: on wasm32 it panics inside `block_on`, and the aborted `block_on` never
//! leaves tokio's runtime context, so every later `block_on` in the same module would
//! panic with "Cannot start a runtime from within a runtime". That cell has its own test
//! binary (a fresh module): `tokio_current_thread_promise.rs`.

#[macro_use]
mod common;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test;

use executor_compatibility::Executor;

cell!(Executor::TokioCurrentThread, spawn_and_join, SpawnJoin);
cell!(Executor::TokioCurrentThread, nested_spawn, NestedSpawn);
cell!(Executor::TokioCurrentThread, timer, Timer);
cell!(Executor::TokioCurrentThread, channel_ping_pong, PingPong);
cell!(
    Executor::TokioCurrentThread,
    cpu_loop_with_yields,
    CpuWithYields
);
