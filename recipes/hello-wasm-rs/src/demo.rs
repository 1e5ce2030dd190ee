//! The book's Run button (wasm32).

use crate::greetings;

/// The book's Run button calls this; its `dbg!` lines appear in the page's output panel.
// ANCHOR: demo
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn run_demo() -> Result<(), wasm_bindgen::JsValue> {
    greetings(3)
        .await
        .map(|_| ())
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))
}
// ANCHOR_END: demo
