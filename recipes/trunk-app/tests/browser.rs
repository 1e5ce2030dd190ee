//! The Rust side in Chromium and Firefox, without Trunk: the page's export starts a real
//! worker on this test module, which streams progress and the result over the shared
//! channel. The Trunk project around it is tested by `cargo xtask test --only onramps`.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

fn number(object: &JsValue, key: &str) -> f64 {
    js_sys::Reflect::get(object, &key.into())
        .unwrap()
        .as_f64()
        .unwrap_or_else(|| panic!("no numeric `{key}` in {object:?}"))
}

#[wasm_bindgen_test]
async fn the_worker_streams_progress_then_what_it_found() {
    let seen = Rc::new(RefCell::new(Vec::<(u32, u32)>::new()));
    let record = Rc::clone(&seen);
    let on_progress = Closure::<dyn FnMut(u32, u32)>::new(move |done, total| {
        record.borrow_mut().push((done, total));
    });
    let found = trunk_app::double_palindromes_in_worker(
        30_000,
        on_progress
            .as_ref()
            .unchecked_ref::<js_sys::Function>()
            .clone(),
    )
    .await
    .unwrap();
    assert_eq!(number(&found, "count"), 13.0);
    assert_eq!(number(&found, "sum"), 33_579.0);
    let seen = seen.borrow();
    assert_eq!(seen.len(), 3, "one update per 10,000 numbers: {seen:?}");
    assert_eq!(seen.last(), Some(&(30_000, 30_000)));
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "in order: {seen:?}"
    );
}

#[wasm_bindgen_test]
async fn a_bad_input_is_an_error_not_a_hang() {
    // A worker whose input has a sender but no limit: the export fails, and the page hears
    // why.
    let (tx, _rx) = wasm_rs_shared_channel::spsc::channel::<trunk_app::Update>(1024).unwrap();
    let input = js_sys::Object::new();
    js_sys::Reflect::set(&input, &"updates".into(), &tx.into_js()).unwrap();
    let glue = wasm_rs_worker::glue_url().unwrap();
    let error = wasm_rs_worker::run_in_worker(&glue, "trunk_app_worker", input.into())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("no numeric `limit`"), "{message}");
}
