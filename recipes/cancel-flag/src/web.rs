//! wasm32: the shared word is an `Int32Array` over a `SharedArrayBuffer`, with
//! `Atomics.wait` and `Atomics.notify` for `sleep`.

use std::fmt;
use std::time::Duration;

use js_sys::{Atomics, Int32Array, Reflect, SharedArrayBuffer};
use wasm_bindgen::{JsCast, JsValue};

use crate::FlagError;

/// One shared 32-bit word with wait/notify.
#[derive(Clone)]
pub(crate) struct SharedWord {
    array: Int32Array,
}

impl fmt::Debug for SharedWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedWord").field(&self.load()).finish()
    }
}

// ANCHOR: word
impl SharedWord {
    pub(crate) fn new() -> Result<Self, FlagError> {
        // `new SharedArrayBuffer` would throw where the constructor is missing (WebKit, pages
        // that are not cross-origin isolated): check first.
        let constructor = Reflect::get(&js_sys::global(), &"SharedArrayBuffer".into())
            .map_err(|_| FlagError::NoSharedMemory)?;
        if !constructor.is_function() {
            return Err(FlagError::NoSharedMemory);
        }
        Ok(SharedWord {
            array: Int32Array::new(&SharedArrayBuffer::new(4)),
        })
    }

    pub(crate) fn load(&self) -> u32 {
        // Index 0 of a one-element Int32Array: Atomics.load cannot fail. Bits kept as is.
        Atomics::load(&self.array, 0).map_or(0, |v| v as u32)
    }

    pub(crate) fn store_and_notify(&self, value: u32) {
        let _ = Atomics::store(&self.array, 0, value as i32);
        let _ = Atomics::notify(&self.array, 0);
    }

    /// Waits until the word differs from `seen` or `timeout` passes. Fails where the thread
    /// may not block (the browser main thread), with the browser's reason.
    pub(crate) fn wait_while(&self, seen: u32, timeout: Duration) -> Result<(), String> {
        let ms = timeout.as_secs_f64() * 1000.0;
        Atomics::wait_with_timeout(&self.array, 0, seen as i32, ms)
            .map(drop)
            .map_err(|e| describe(&e))
    }

    // ANCHOR_END: word

    pub(crate) fn to_js(&self) -> JsValue {
        self.array.clone().into()
    }

    pub(crate) fn from_js(value: &JsValue) -> Result<Self, FlagError> {
        let array = value
            .dyn_ref::<Int32Array>()
            .filter(|a| a.length() >= 1 && a.buffer().is_instance_of::<SharedArrayBuffer>())
            .ok_or_else(|| {
                FlagError::BadInput(format!(
                    "a cancel flag is an Int32Array over a SharedArrayBuffer, not {}",
                    describe(value)
                ))
            })?;
        Ok(SharedWord {
            array: array.clone(),
        })
    }
}

/// A JS value as text, for error messages.
fn describe(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.to_string());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
