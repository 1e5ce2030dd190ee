//! The platform parts: timers, outside wakes, how event-loop executors are driven, and
//! how a cell is watched. One module per platform.

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub use native::observe;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::{foreign_value, run_async_executor, run_wasm_rs, spin_watchdog, timer};

#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
pub use wasm::observe;
#[cfg(target_arch = "wasm32")]
pub(crate) use wasm::{foreign_value, run_async_executor, run_wasm_rs, spin_watchdog, timer};
