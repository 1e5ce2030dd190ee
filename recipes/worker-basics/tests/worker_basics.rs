//! Real dedicated workers, started from the browser's main thread (Chromium, Firefox and
//! WebKit), each instantiating this same test module from `wasm_bindgen::module()`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use worker_basics::{WorkerError, run_in_worker};

// Exports the workers call. The test runner's page loads this module through
// `/wasm-bindgen-test.js`, so that is the glue a worker imports too.

/// Squares its input.
#[wasm_bindgen]
pub fn wb_square(x: f64) -> f64 {
    x * x
}

/// Says where it runs: a window has a `document`, a worker doesn't.
#[wasm_bindgen]
pub fn wb_where_am_i() -> String {
    let has_document = js_sys::Reflect::has(&js_sys::global(), &"document".into()).unwrap();
    if has_document { "window" } else { "worker" }.to_string()
}

/// How many `.wasm` files this context has fetched (its performance timeline).
#[wasm_bindgen]
pub fn wb_wasm_fetches() -> u32 {
    let global = js_sys::global();
    let performance = js_sys::Reflect::get(&global, &"performance".into()).unwrap();
    let get: js_sys::Function = js_sys::Reflect::get(&performance, &"getEntriesByType".into())
        .unwrap()
        .into();
    let entries: js_sys::Array = get.call1(&performance, &"resource".into()).unwrap().into();
    entries
        .iter()
        .filter(|e| {
            let name = js_sys::Reflect::get(e, &"name".into()).unwrap();
            name.as_string().is_some_and(|n| n.ends_with(".wasm"))
        })
        .count() as u32
}

/// Panics with `message`.
#[wasm_bindgen]
pub fn wb_panic(message: String) {
    panic!("{message}");
}

/// Fails for negative input, the way an export reports an error: `Err` becomes a JS throw.
#[wasm_bindgen]
pub fn wb_checked_sqrt(x: f64) -> Result<f64, JsValue> {
    if x < 0.0 {
        Err(JsValue::from_str("wb_checked_sqrt: negative input"))
    } else {
        Ok(x.sqrt())
    }
}

fn glue_url() -> String {
    let location = js_sys::Reflect::get(&js_sys::global(), &"location".into()).unwrap();
    let origin = js_sys::Reflect::get(&location, &"origin".into()).unwrap();
    format!("{}/wasm-bindgen-test.js", origin.as_string().unwrap())
}

#[wasm_bindgen_test]
async fn an_export_runs_in_a_real_worker_and_returns_its_value() {
    assert_eq!(
        wb_where_am_i(),
        "window",
        "the test itself runs on the main thread"
    );
    let place = run_in_worker(&glue_url(), "wb_where_am_i", JsValue::UNDEFINED)
        .await
        .unwrap();
    assert_eq!(place.as_string().as_deref(), Some("worker"));
    let square = run_in_worker(&glue_url(), "wb_square", 7.into())
        .await
        .unwrap();
    assert_eq!(square.as_f64(), Some(49.0));
}

#[wasm_bindgen_test]
async fn the_worker_gets_the_compiled_module_and_fetches_no_wasm() {
    assert!(wb_wasm_fetches() >= 1, "the page fetched the module once");
    let fetches = run_in_worker(&glue_url(), "wb_wasm_fetches", JsValue::UNDEFINED)
        .await
        .unwrap();
    assert_eq!(fetches.as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
async fn a_panic_in_the_worker_arrives_with_its_message() {
    let error = run_in_worker(&glue_url(), "wb_panic", "the sky is falling".into())
        .await
        .unwrap_err();
    match &error {
        WorkerError::Panic(message) => {
            assert!(message.contains("the sky is falling"), "{message}");
            assert!(
                message.contains("worker_basics.rs"),
                "with its location: {message}"
            );
        }
        other => panic!("expected a panic, got {other:?}"),
    }
    assert!(
        error.to_string().starts_with("the worker panicked: "),
        "{error}"
    );
    // Each call has its own worker: the next one is unaffected.
    let square = run_in_worker(&glue_url(), "wb_square", 3.into())
        .await
        .unwrap();
    assert_eq!(square.as_f64(), Some(9.0));
}

#[wasm_bindgen_test]
async fn an_err_from_the_export_is_an_exception() {
    let error = run_in_worker(&glue_url(), "wb_checked_sqrt", (-1.0).into())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        WorkerError::Exception("wb_checked_sqrt: negative input".into())
    );
    let root = run_in_worker(&glue_url(), "wb_checked_sqrt", 16.into())
        .await
        .unwrap();
    assert_eq!(root.as_f64(), Some(4.0));
}

#[wasm_bindgen_test]
async fn an_unknown_export_is_a_clear_exception() {
    let error = run_in_worker(&glue_url(), "no_such_export", JsValue::UNDEFINED)
        .await
        .unwrap_err();
    match error {
        WorkerError::Exception(message) => {
            assert!(
                message.contains("exports no function `no_such_export`"),
                "{message}"
            )
        }
        other => panic!("expected an exception, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_wrong_glue_url_is_an_init_error() {
    let missing = glue_url().replace("wasm-bindgen-test.js", "no-such-glue.js");
    let error = run_in_worker(&missing, "wb_square", 2.into())
        .await
        .unwrap_err();
    assert!(matches!(error, WorkerError::Init(_)), "{error:?}");
    assert!(error.to_string().contains("check the glue URL"), "{error}");
}
