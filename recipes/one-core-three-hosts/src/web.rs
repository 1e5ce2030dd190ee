//! The browser host: the core behind one `#[wasm_bindgen]` function, for a page's main
//! thread or a dedicated worker (wasm32-unknown-unknown only).
//!
//! There the executor is driven by the JS event loop: [`process`] spawns its workers and
//! returns at once, and the Promise JavaScript gets resolves with the report's text.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use wasm_bindgen::prelude::wasm_bindgen;

use crate::{Limits, process, sample_jobs};

// ANCHOR: web
/// Runs the sample jobs and resolves to the report's text: in JavaScript, `await
/// run_in_browser()` on the main thread or in a worker gives the string the command prints.
#[wasm_bindgen]
pub async fn run_in_browser() -> String {
    process(sample_jobs(), Limits::default()).await.to_string()
}
// ANCHOR_END: web
