//! The book's Run button: 1,000 commands checked in order, then both round trips.

use wasm_bindgen::prelude::*;

use crate::{SharedChannelWorker, Store, WorkerFailure, round_trips, sample_commands};

/// The book's Run button: its console lines appear in the page's output panel. See the
/// book page for what it prints.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn example() -> Result<(), wasm_bindgen::JsValue> {
/// shared_channel_worker::run_demo().await?;
/// # Ok(()) }
/// ```
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn run_demo() -> Result<(), wasm_bindgen::JsValue> {
    demo()
        .await
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console)]
    fn log(line: &str);
}

// ANCHOR: demo
/// What `run_demo` runs: 1,000 mixed commands checked in order against a local [`Store`],
/// then both median round trips.
pub(crate) async fn demo() -> Result<(), WorkerFailure> {
    let glue = wasm_rs_worker::glue_url()?;
    let script = sample_commands(1000);
    let mut oracle = Store::default();
    let mut worker = SharedChannelWorker::start(&glue).await?;
    for command in script.iter().cloned() {
        worker.send(command).await?;
    }
    let mut in_order = 0;
    let mut errors = 0;
    for command in script {
        let reply = worker.recv().await?;
        errors += usize::from(reply.result.is_err());
        in_order += usize::from(reply == oracle.handle(command));
    }
    let served = worker.shutdown().await?;
    log(&format!(
        "replies in order: {in_order} of 1000 ({errors} of them errors returned as values); \
         the worker served {served} commands and returned when the sender was dropped"
    ));
    let rt = round_trips(&glue, 1000).await?;
    log(&format!(
        "shared channel: median round trip {:.1} µs over {} pings",
        rt.shared_channel_us, rt.pings
    ));
    log(&format!(
        "postMessage: median round trip {:.1} µs over {} pings",
        rt.post_message_us, rt.pings
    ));
    log(&format!(
        "postMessage / shared channel: {:.1}x",
        rt.post_message_us / rt.shared_channel_us
    ));
    Ok(())
}
// ANCHOR_END: demo
