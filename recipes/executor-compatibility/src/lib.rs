//! Which executor works where: the same six workloads on nine executors, natively, in
//! Node.js and on the main thread and in a dedicated worker of three browsers.
//!
//! - [`run_workload`] is the work, written once against [`Runtime`] (spawn, sleep, yield).
//! - [`start`] runs it on one [`Executor`], the way that executor is meant to be driven.
//! - [`EXPECTED`] is the table: the [`Outcome`] of every executor × workload × [`Place`],
//!   each failing cell with its [`Why`].
//! - [`observe`] runs one cell here and reports what happened ([`Observed`]): a result,
//!   a panic's message (recorded by a panic hook before a wasm32 module aborts), or no
//!   result before the watchdog fired. [`verdict`] compares it with the table; the
//!   tests do that for every cell in every environment.
//! - [`render_table`] turns the table into the book's Markdown.
//!
//! ```
//! use executor_compatibility::{Executor, Outcome, Place, Why, Workload, expected};
//!
//! // A JS promise under pollster in the browser: pollster waits on a Condvar, which
//! // panics on wasm32.
//! assert_eq!(
//!     expected(Executor::Pollster, Workload::ForeignWake, Place::BrowserMain),
//!     Outcome::Panics(Why::CondvarWait),
//! );
//! # #[cfg(not(target_arch = "wasm32"))]
//! assert_eq!(
//!     executor_compatibility::observe(Executor::Pollster, Workload::ForeignWake),
//!     executor_compatibility::Observed::Finished(executor_compatibility::ANSWER),
//! );
//! ```

mod executors;
mod observe;
mod render;
mod spin;
mod table;
mod workloads;

// The platform parts: timers, outside wakes, how event-loop executors are driven, and how a
// cell is watched. One module per platform: native, JS hosts (`wasm32-unknown-unknown`) and
// WASI.
#[cfg(not(target_family = "wasm"))]
mod native;
#[cfg(target_os = "wasi")]
mod wasi;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web;

pub use executors::{Report, start};
pub use observe::{Mismatch, Observed, verdict};
pub use render::render_table;
pub use table::{EXPECTED, Executor, Outcome, Place, Why, Workload, expected};
pub use workloads::{ANSWER, NoSpawn, Runtime, Task, YieldOnce, run_workload};

#[cfg(not(target_family = "wasm"))]
pub use native::observe;
#[cfg(not(target_family = "wasm"))]
pub(crate) use native::{foreign_value, run_async_executor, run_wasm_rs, spin_watchdog, timer};

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use web::observe;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub(crate) use web::{foreign_value, run_async_executor, run_wasm_rs, spin_watchdog, timer};

#[cfg(target_os = "wasi")]
pub use wasi::observe;
#[cfg(target_os = "wasi")]
pub(crate) use wasi::{foreign_value, run_async_executor, run_wasm_rs, spin_watchdog, timer};
