//! The platform module: the shared word under the [`CancelFlag`](crate::CancelFlag), and how
//! the engine is started (a dedicated worker on wasm32, a thread natively). Everything else
//! in the crate is the same on every platform.

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::{EngineHandle, SharedWord, start_engine};

#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(target_arch = "wasm32")]
pub use web::rhai_engine_worker_main;
#[cfg(target_arch = "wasm32")]
pub(crate) use web::{EngineHandle, SharedWord, start_engine};
