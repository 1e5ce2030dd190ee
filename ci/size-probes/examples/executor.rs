//! Size probe: one task spawned with `wasm_rs_async_executor::spawn`; compare with
//! `spawn_local.rs`. The packages in `minimal/`, `debug/` and `jspi/` build this same file
//! with other features of the executor.

use wasm_bindgen::prelude::*;

/// Spawns a task that uses `id`, and returns a value computed from it.
#[wasm_bindgen]
pub fn run(id: u32) -> u32 {
    drop(wasm_rs_async_executor::spawn(async move {
        std::hint::black_box(id);
    }));
    std::hint::black_box(id).wrapping_mul(3) + 1
}
