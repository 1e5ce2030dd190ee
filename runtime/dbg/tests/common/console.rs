//! Captures what the code under test sends to the JS console, by wrapping the console
//! methods the crate uses for the duration of a closure.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
const METHODS = ["debug", "log", "info", "warn", "error", "groupCollapsed", "groupEnd"];
let saved = null;
let calls = [];

export function capture_start() {
    if (saved !== null) throw new Error("console capture is already running");
    saved = {};
    calls = [];
    for (const method of METHODS) {
        saved[method] = console[method];
        console[method] = (...args) => { calls.push([method, ...args]); };
    }
}

export function capture_stop() {
    if (saved === null) return [];
    for (const method of METHODS) console[method] = saved[method];
    saved = null;
    const taken = calls;
    calls = [];
    return taken;
}

// What the crate should put before each line: the worker's name in a named worker.
export function expected_prefix() {
    const inWorker = typeof WorkerGlobalScope !== "undefined" && globalThis instanceof WorkerGlobalScope;
    return inWorker && globalThis.name ? `[${globalThis.name}] ` : "";
}

export function in_worker() {
    return typeof WorkerGlobalScope !== "undefined" && globalThis instanceof WorkerGlobalScope;
}

// Gives the global object a `name` (shadowing a worker's own), returns a function that
// puts back what was there.
export function override_global_name(name) {
    const had = Object.prototype.hasOwnProperty.call(globalThis, "name");
    const before = Object.getOwnPropertyDescriptor(globalThis, "name");
    Object.defineProperty(globalThis, "name", { value: name, configurable: true, writable: true });
    return () => {
        if (had) Object.defineProperty(globalThis, "name", before);
        else delete globalThis.name;
    };
}

export function json(value) {
    return JSON.stringify(value);
}

export function same(a, b) {
    return Object.is(a, b);
}
"#)]
extern "C" {
    fn capture_start();
    fn capture_stop() -> js_sys::Array;
    /// `[name] ` in a named worker, `` elsewhere, computed independently of the crate.
    pub(crate) fn expected_prefix() -> String;
    pub(crate) fn in_worker() -> bool;
    fn override_global_name(name: &str) -> js_sys::Function;
    /// `JSON.stringify(value)`.
    pub(crate) fn json(value: &JsValue) -> String;
    /// `Object.is(a, b)`.
    pub(crate) fn same(a: &JsValue, b: &JsValue) -> bool;
}

/// One console call: the method's name and its arguments.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) method: String,
    pub(crate) args: Vec<JsValue>,
}

impl Call {
    /// The argument at `index` as a string; panics with the call shown when it is not one.
    pub(crate) fn text(&self, index: usize) -> String {
        self.args
            .get(index)
            .and_then(JsValue::as_string)
            .unwrap_or_else(|| panic!("argument {index} of {self:?} is not a string"))
    }
}

struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        capture_stop();
    }
}

/// Runs `f` with the console wrapped; returns its result and the calls it made.
pub(crate) fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<Call>) {
    capture_start();
    let restore = Restore;
    let result = f();
    std::mem::forget(restore);
    let calls = capture_stop()
        .iter()
        .map(|call| {
            let call: js_sys::Array = call.into();
            Call {
                method: call.get(0).as_string().expect("method name"),
                args: call.iter().skip(1).collect(),
            }
        })
        .collect();
    (result, calls)
}

/// Runs `f` while the global object's `name` is `name`.
pub(crate) fn with_global_name<R>(name: &str, f: impl FnOnce() -> R) -> R {
    struct Put(js_sys::Function);
    impl Drop for Put {
        fn drop(&mut self) {
            let _ = self.0.call0(&JsValue::UNDEFINED);
        }
    }
    let _put = Put(override_global_name(name));
    f()
}

/// Compares console text with std's text line by line, so a failure names the line.
pub(crate) fn assert_same_lines(got: &str, expected: &str) {
    let got_lines: Vec<&str> = got.split('\n').collect();
    let expected_lines: Vec<&str> = expected.split('\n').collect();
    for (n, (g, e)) in got_lines.iter().zip(&expected_lines).enumerate() {
        assert_eq!(g, e, "line {n} differs\n got: {got}\nwant: {expected}");
    }
    assert_eq!(
        got_lines.len(),
        expected_lines.len(),
        "line count differs\n got: {got}\nwant: {expected}"
    );
}
