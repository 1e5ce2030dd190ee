//! Size probe: `executor.rs` with the executor's `debug` feature on; compare with `executor.rs`.

use wasm_bindgen::prelude::*;

/// Spawns a task that uses `id`, and returns a value computed from it.
#[wasm_bindgen]
pub fn run(id: u32) -> u32 {
    drop(wasm_rs_async_executor::spawn(async move {
        std::hint::black_box(id);
    }));
    std::hint::black_box(id).wrapping_mul(3) + 1
}
