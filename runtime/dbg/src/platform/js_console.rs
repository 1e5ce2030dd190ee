//! `wasm32-unknown-unknown`: std's stderr is a sink there, so lines go to the JavaScript
//! console, which the browser main thread, workers and Node all provide with the same API.
//! The only difference between them lives in [`worker_name`].

use crate::{Level, Line};
use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = debug)]
    fn console_debug(text: &str);
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log(text: &str);
    #[wasm_bindgen(js_namespace = console, js_name = info)]
    fn console_info(text: &str);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(text: &str);
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(text: &str);

    // With a live object the first argument is the format "%s", so that a `%o` or `%c`
    // inside the text is printed as written instead of consuming the object.
    #[wasm_bindgen(js_namespace = console, js_name = debug)]
    fn console_debug_with(format: &str, text: &str, object: &JsValue);
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log_with(format: &str, text: &str, object: &JsValue);
    #[wasm_bindgen(js_namespace = console, js_name = info)]
    fn console_info_with(format: &str, text: &str, object: &JsValue);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn_with(format: &str, text: &str, object: &JsValue);
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error_with(format: &str, text: &str, object: &JsValue);

    #[wasm_bindgen(js_namespace = console, js_name = groupCollapsed)]
    fn console_group_collapsed(label: &str);
    #[wasm_bindgen(js_namespace = console, js_name = groupEnd)]
    fn console_group_end();

    /// `WorkerGlobalScope`; `instanceof` is false (not an exception) where it is undefined.
    type WorkerGlobalScope;
    /// `name` of a dedicated or shared worker; undefined in a service worker.
    #[wasm_bindgen(method, getter, structural)]
    fn name(this: &WorkerGlobalScope) -> Option<String>;
}

/// The name this worker was created with, when this code runs in a named worker.
///
/// Whether this is a worker is asked once per thread; the name is read on each call in a
/// worker only (one property read, small next to the console call itself), so the main
/// thread and Node pay nothing.
fn worker_name() -> Option<String> {
    const UNKNOWN: u8 = 0;
    const NOT_A_WORKER: u8 = 1;
    const WORKER: u8 = 2;
    thread_local! {
        static KIND: Cell<u8> = const { Cell::new(UNKNOWN) };
    }
    let kind = KIND.with(|kind| {
        if kind.get() == UNKNOWN {
            let is_worker = js_sys::global().is_instance_of::<WorkerGlobalScope>();
            kind.set(if is_worker { WORKER } else { NOT_A_WORKER });
        }
        kind.get()
    });
    if kind != WORKER {
        return None;
    }
    let name = js_sys::global()
        .unchecked_into::<WorkerGlobalScope>()
        .name()?;
    (!name.is_empty()).then_some(name)
}

/// The line as the console should show it: std's text, after `[worker name] ` in a named
/// worker. Sized for a typical line, so that short values need no reallocation.
fn text(line: &Line<'_>) -> String {
    let mut text = String::with_capacity(128);
    if let Some(name) = worker_name() {
        text.push('[');
        text.push_str(&name);
        text.push_str("] ");
    }
    // Fails only when a Debug impl returns an error (std's dbg! panics then); the console
    // still gets what was written up to that point.
    let _ = line.write_to(&mut text);
    text
}

pub(crate) fn print(level: Level, line: &Line<'_>, object: Option<&JsValue>) {
    let text = text(line);
    match object {
        None => match level {
            Level::Debug => console_debug(&text),
            Level::Log => console_log(&text),
            Level::Info => console_info(&text),
            Level::Warn => console_warn(&text),
            Level::Error => console_error(&text),
        },
        Some(object) => match level {
            Level::Debug => console_debug_with("%s", &text, object),
            Level::Log => console_log_with("%s", &text, object),
            Level::Info => console_info_with("%s", &text, object),
            Level::Warn => console_warn_with("%s", &text, object),
            Level::Error => console_error_with("%s", &text, object),
        },
    }
}

/// The value as a plain JS object (maps as objects, as JSON would have them). When serde
/// cannot convert it, the console gets the reason as a string in its place, and the text
/// line is printed all the same.
#[cfg(feature = "serde")]
pub(crate) fn print_serialized<T: serde::Serialize + ?Sized>(
    level: Level,
    line: &Line<'_>,
    value: &T,
) {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let object = value.serialize(&serializer).unwrap_or_else(|err| {
        JsValue::from_str(&format!(
            "(wasm-rs-dbg: serde could not turn this value into a JS object: {err}; \
             the text above is complete, or use dbg_js! with a value you convert yourself)"
        ))
    });
    print(level, line, Some(&object));
}

pub(crate) fn group_open(label: &str) {
    console_group_collapsed(&text(&Line {
        head: label,
        value: None,
    }));
}

pub(crate) fn group_close() {
    console_group_end();
}
