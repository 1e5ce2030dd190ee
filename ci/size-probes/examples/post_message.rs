//! Size probe: bytes sent with `postMessage` and read back from the event's data, the peer of
//! `channel.rs`.

use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

/// Posts `id` as four bytes to `port` (a worker or a `MessagePort`).
#[wasm_bindgen]
pub fn send(port: &JsValue, id: u32) -> Result<(), JsValue> {
    let bytes = Uint8Array::from(&id.to_le_bytes()[..]);
    let post: Function = Reflect::get(port, &"postMessage".into())?.dyn_into()?;
    post.call1(port, &bytes)?;
    Ok(())
}

/// Reads the four bytes back from a message event's data.
#[wasm_bindgen]
pub fn recv(data: &Uint8Array) -> Result<u32, JsValue> {
    let bytes: [u8; 4] = data
        .to_vec()
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| JsValue::from_str("expected four bytes"))?;
    Ok(u32::from_le_bytes(bytes))
}
