//! The book's Run button: the comparison, with the histograms in the output panel.

use std::time::Duration;

use crate::{compare, side_by_side};

// ANCHOR: demo
/// The book's Run button: at least 600 ms of work three ways, with the frame-gap histograms
/// side by side in the output panel.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn example() {
/// responsive_main_thread::run_demo().await.unwrap();
/// # }
/// ```
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn run_demo() -> Result<(), wasm_bindgen::JsValue> {
    let log = |line: &str| web_sys::console::log_1(&line.into());
    let [local, sliced, framed] = compare(Duration::from_millis(600))
        .await
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))?;
    log(&side_by_side(
        ("executor, per frame", &framed.gaps),
        ("spawn_local", &local.gaps),
    ));
    log(&side_by_side(
        ("executor, time slicing", &sliced.gaps),
        ("spawn_local", &local.gaps),
    ));
    log(&format!(
        "longest frame gap under spawn_local: {:.0} ms of {:.0} ms of work",
        local.gaps.longest(),
        local.work_ms
    ));
    for m in [&sliced, &framed] {
        log(&format!(
            "longest frame gap under the executor ({:?}): {:.0} ms of {:.0} ms of work",
            m.runner,
            m.gaps.longest(),
            m.work_ms
        ));
    }
    Ok(())
}
// ANCHOR_END: demo
