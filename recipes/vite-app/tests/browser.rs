//! The Rust side in Chromium and Firefox, without Vite: the page's export starts a real
//! worker on this test module, which streams progress and the result over the shared
//! channel. The Vite project around it is tested by `cargo xtask test --only onramps`.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn the_worker_streams_progress_then_the_count() {
    let seen = Rc::new(RefCell::new(Vec::<(u32, u32)>::new()));
    let record = Rc::clone(&seen);
    let on_progress = Closure::<dyn FnMut(u32, u32)>::new(move |done, total| {
        record.borrow_mut().push((done, total));
    });
    let primes = vite_app::count_primes_in_worker(
        200_000,
        on_progress
            .as_ref()
            .unchecked_ref::<js_sys::Function>()
            .clone(),
    )
    .await
    .unwrap();
    assert_eq!(primes, 17_984);
    let seen = seen.borrow();
    assert_eq!(seen.len(), 4, "one update per 50,000 numbers: {seen:?}");
    assert_eq!(seen.last(), Some(&(200_000, 200_000)));
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "in order: {seen:?}"
    );
}

#[wasm_bindgen_test]
async fn a_bad_input_is_an_error_not_a_hang() {
    // A worker whose input has a limit but no sender: the export fails, and the page hears
    // why.
    let input = js_sys::Object::new();
    js_sys::Reflect::set(&input, &"limit".into(), &JsValue::from(10)).unwrap();
    let glue = wasm_rs_worker::glue_url().unwrap();
    let error = wasm_rs_worker::run_in_worker(&glue, "vite_app_worker", input.into())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("not a channel end made by `into_js`"),
        "{message}"
    );
}
