//! Size probe: one task spawned with `wasm_bindgen_futures::spawn_local`, the peer of
//! `executor.rs`.

use wasm_bindgen::prelude::*;

/// Spawns a task that uses `id`, and returns a value computed from it.
#[wasm_bindgen]
pub fn run(id: u32) -> u32 {
    wasm_bindgen_futures::spawn_local(async move {
        std::hint::black_box(id);
    });
    std::hint::black_box(id).wrapping_mul(3) + 1
}
