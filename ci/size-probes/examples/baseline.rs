//! Size probe: the exported function with no runtime crate and no peer; every other probe's
//! size is measured as what it adds to this one.

use wasm_bindgen::prelude::*;

/// Returns a value computed from `id`.
#[wasm_bindgen]
pub fn run(id: u32) -> u32 {
    std::hint::black_box(id).wrapping_mul(3) + 1
}
