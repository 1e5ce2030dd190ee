//! Size probe: one `wasm_rs_dbg::dbg!` of a small struct, exported to JS.
//! Compare with `by_hand.rs`.

use wasm_bindgen::prelude::*;

#[derive(Debug)]
struct Frame {
    id: u32,
    label: &'static str,
}

/// Prints the frame with `dbg!` and returns its id.
#[wasm_bindgen]
pub fn run(id: u32) -> u32 {
    let frame = wasm_rs_dbg::dbg!(Frame { id, label: "tick" });
    frame.id + frame.label.len() as u32
}
