//! Size probe: the same line as `dbg.rs`, written by hand as
//! `console.log(format!(..))`, the baseline the crate is measured against.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console)]
    fn log(text: &str);
}

#[derive(Debug)]
struct Frame {
    id: u32,
    label: &'static str,
}

/// Prints the frame with `console.log(format!(..))` and returns its id.
#[wasm_bindgen]
pub fn run(id: u32) -> u32 {
    let frame = Frame { id, label: "tick" };
    log(&format!(
        "[{}:{}:{}] {} = {:#?}",
        file!(),
        line!(),
        column!(),
        "Frame { id, label: \"tick\" }",
        &frame
    ));
    frame.id + frame.label.len() as u32
}
