//! wasm32: the engine runs in a dedicated worker started through `wasm-rs-worker`, where it
//! never returns to the worker's event loop.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_rs_shared_channel::spsc::Duplex;

use crate::{CancelFlag, EngineError, Reply, Request, serve};

/// The name `start_engine` asks the worker to call.
const ENTRY: &str = "rhai_engine_worker_main";

/// The engine's worker: terminated when dropped.
#[derive(Debug)]
pub(crate) struct EngineHandle(wasm_rs_worker::WorkerHandle);

impl EngineHandle {
    /// Resolves when the worker's entry ends, however it ends: a trap (stack overflow, out
    /// of memory, `unreachable`) ends it with an exception but leaves the channel looking
    /// alive, so the client waits on this beside the channel. Says how it ended.
    pub(crate) async fn ended(&mut self) -> String {
        match self.0.join().await {
            Ok(_) => "its worker's entry returned".to_string(),
            Err(e) => e.to_string(),
        }
    }

    /// Waits for the worker's entry to return (after the client's channel end is dropped).
    pub(crate) async fn finish(mut self) -> Result<(), EngineError> {
        self.0
            .join()
            .await
            .map(drop)
            .map_err(|e| EngineError::Worker(e.to_string()))
    }
}

// ANCHOR: start
/// Starts a dedicated worker on this same module and calls [`rhai_engine_worker_main`] there
/// with the engine's channel end and the cancel flag: two `SharedArrayBuffer`s, shared (not
/// copied) by the structured clone.
pub(crate) async fn start_engine(
    channel: Duplex<Reply, Request>,
    cancel: CancelFlag,
) -> Result<EngineHandle, EngineError> {
    let input = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&input, &key.into(), value).map(drop);
    set("channel", &channel.into_js())
        .and_then(|()| set("cancel", &cancel.to_js()))
        .map_err(|e| EngineError::Worker(describe(&e)))?;
    let glue = wasm_rs_worker::glue_url().map_err(|e| EngineError::Worker(e.to_string()))?;
    let worker = wasm_rs_worker::spawn_worker(&glue, ENTRY, input.into())
        .await
        .map_err(|e| EngineError::Worker(e.to_string()))?;
    Ok(EngineHandle(worker))
}

/// The worker's entry: rebuilds the channel end and the cancel flag, then runs [`serve`]
/// under the executor in full-time mode (`block_on` in a worker never returns to the event
/// loop) until the main thread drops its end. [`EngineClient::start`](crate::EngineClient::start)
/// calls it for you; it is public because the worker calls it by name.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// // In a worker, with `input` = { channel: <duplex end>.into_js(), cancel: Int32Array }:
/// # let input = wasm_bindgen::JsValue::UNDEFINED;
/// let result = rhai_engine_worker::rhai_engine_worker_main(input);
/// # drop(result);
/// # }
/// ```
#[wasm_bindgen]
pub fn rhai_engine_worker_main(input: JsValue) -> Result<(), JsError> {
    let field = |key: &str| Reflect::get(&input, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let channel = Duplex::<Reply, Request>::from_js(&field("channel"))
        .map_err(|e| EngineError::BadInput(format!("`channel`: {e}")))?;
    let cancel = CancelFlag::from_js(&field("cancel")).map_err(EngineError::from)?;
    wasm_rs_async_executor::block_on(serve(channel, cancel))
        .map_err(|e| EngineError::Worker(e.to_string()))??;
    Ok(())
}
// ANCHOR_END: start

/// A JS value as text, for error messages.
fn describe(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.to_string());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
