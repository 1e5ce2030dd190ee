//! Size probe: bytes sent over a `wasm_rs_shared_channel` raw channel and received on the
//! other end; compare with `post_message.rs`.

use wasm_bindgen::prelude::*;
use wasm_rs_shared_channel::spsc::{RawReceiver, raw_channel};

fn js(e: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&e.to_string())
}

/// Creates a channel, sends `id` as four bytes, and returns the receiving end for a worker.
#[wasm_bindgen]
pub fn send(id: u32) -> Result<JsValue, JsValue> {
    let (mut tx, rx) = raw_channel(1024).map_err(js)?;
    tx.try_send(&id.to_le_bytes()).map_err(js)?;
    Ok(rx.into_js())
}

/// Receives the four bytes on the end `send` returned.
#[wasm_bindgen]
pub fn recv(end: &JsValue) -> Result<u32, JsValue> {
    let mut rx = RawReceiver::from_js(end).map_err(js)?;
    let bytes: [u8; 4] = rx
        .recv()
        .map_err(js)?
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| JsValue::from_str("expected four bytes"))?;
    Ok(u32::from_le_bytes(bytes))
}
