//! `wasm32-unknown-unknown`: std's stderr is a sink there, so lines go to the JavaScript
//! console, which the browser main thread, workers and Node all provide with the same API.
//! The only difference between them lives in [`read_worker_name`].

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

    /// The global object: `window`, a worker's `self`, Node's `global`.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;

    /// `WorkerGlobalScope`; `instanceof` is false (not an exception) where it is undefined.
    type WorkerGlobalScope;
    /// `name` of a dedicated or shared worker; undefined in a service worker.
    #[wasm_bindgen(method, getter, structural)]
    fn name(this: &WorkerGlobalScope) -> Option<String>;
}

/// The name of the worker this code runs in, when it is a named worker: read once per
/// thread, since a worker's `name` is fixed when the worker is created. The main thread and
/// Node get `None`.
fn read_worker_name() -> Option<String> {
    let name = GLOBAL_THIS.with(|global| {
        global
            .dyn_ref::<WorkerGlobalScope>()
            .and_then(WorkerGlobalScope::name)
    })?;
    (!name.is_empty()).then_some(name)
}

/// The line as the console should show it: std's text, after `[worker name] ` in a named
/// worker. Sized for a typical line, so that short values need no reallocation.
fn text(line: &Line<'_>) -> String {
    thread_local! {
        // Outer `None`: not read yet. The name is leaked once per thread, which keeps this
        // thread-local free of destructors (cheaper, and smaller code on wasm).
        static WORKER_NAME: Cell<Option<Option<&'static str>>> = const { Cell::new(None) };
    }
    let name = WORKER_NAME.with(|cell| match cell.get() {
        Some(name) => name,
        None => {
            let name = read_worker_name().map(|name| &*Box::leak(name.into_boxed_str()));
            cell.set(Some(name));
            name
        }
    });
    let mut text = String::with_capacity(128);
    if let Some(name) = name {
        text.push('[');
        text.push_str(name);
        text.push_str("] ");
    }
    // Fails only when a Debug impl returns an error (std's dbg! panics then); the console
    // still gets what was written up to that point.
    let _ = line.write_to(&mut text);
    text
}

pub(crate) fn print(level: Level, line: &Line<'_>) {
    let text = text(line);
    match level {
        Level::Debug => console_debug(&text),
        Level::Log => console_log(&text),
        Level::Info => console_info(&text),
        Level::Warn => console_warn(&text),
        Level::Error => console_error(&text),
    }
}

pub(crate) fn print_with_object(level: Level, line: &Line<'_>, object: &JsValue) {
    let text = text(line);
    match level {
        Level::Debug => console_debug_with("%s", &text, object),
        Level::Log => console_log_with("%s", &text, object),
        Level::Info => console_info_with("%s", &text, object),
        Level::Warn => console_warn_with("%s", &text, object),
        Level::Error => console_error_with("%s", &text, object),
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
             the text beside it is complete; or use dbg_js! with a value you convert yourself)"
        ))
    });
    print_with_object(level, line, &object);
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
