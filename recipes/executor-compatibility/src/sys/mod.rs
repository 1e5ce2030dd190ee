//! The platform parts: timers, outside wakes, how event-loop executors are driven, and
//! how a cell is watched. One module per platform: native, JS hosts
//! (`wasm32-unknown-unknown`) and WASI.

#[cfg(not(target_family = "wasm"))]
mod native;
#[cfg(not(target_family = "wasm"))]
pub use native::observe;
#[cfg(not(target_family = "wasm"))]
pub(crate) use native::{foreign_value, run_async_executor, run_wasm_rs, spin_watchdog, timer};

#[cfg(target_family = "wasm")]
mod spin;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod wasm;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use wasm::observe;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub(crate) use wasm::{foreign_value, run_async_executor, run_wasm_rs, spin_watchdog, timer};

#[cfg(target_os = "wasi")]
mod wasi;
#[cfg(target_os = "wasi")]
pub use wasi::observe;
#[cfg(target_os = "wasi")]
pub(crate) use wasi::{foreign_value, run_async_executor, run_wasm_rs, spin_watchdog, timer};
