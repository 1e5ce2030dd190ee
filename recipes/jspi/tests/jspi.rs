//! JSPI exports called the way JS calls them: through the wasm-bindgen glue, which wraps
//! them in `WebAssembly.promising` and so returns a `Promise`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(inline_js = "export function importModule(url) { return import(url); }")]
extern "C" {
    #[wasm_bindgen(js_name = importModule)]
    fn import_module(url: &str) -> Promise;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64);
}

/// Calls the glue's export `name` with `args` and awaits the promise it returns.
async fn call_export(name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let url = wasm_rs_worker::glue_url().map_err(|e| JsValue::from_str(&e.to_string()))?;
    let glue = JsFuture::from(import_module(&url)).await?;
    let export: Function = Reflect::get(&glue, &name.into())?.dyn_into()?;
    let args: Array = args.iter().collect();
    let promise: Promise = export.apply(&JsValue::NULL, &args)?.dyn_into()?;
    JsFuture::from(promise).await
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
fn this_engine_has_jspi() {
    assert!(
        jspi::jspi_supported(),
        "WebAssembly.Suspending/promising are missing"
    );
}

#[wasm_bindgen_test]
async fn a_sync_loop_waits_for_timers_and_the_event_loop_runs_meanwhile() -> Result<(), JsValue> {
    // A JS timer that fires while the Rust loop is suspended proves the event loop ran.
    let fired = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, 5.0);
    });
    let started = now_ms();
    let total = call_export("wait_and_sum", &[JsValue::from(5), JsValue::from(20)]).await?;
    let elapsed = now_ms() - started;
    assert_eq!(total.as_f64(), Some(10.0));
    assert!(elapsed >= 90.0, "five 20 ms waits took only {elapsed} ms");
    // Settled long ago, during the suspensions: resolves at once.
    JsFuture::from(fired).await?;
    Ok(())
}

#[wasm_bindgen_test]
async fn a_sync_function_fetches_a_file() -> Result<(), JsValue> {
    // The runner serves the glue itself: fetch it and check it is the glue.
    let url = wasm_rs_worker::glue_url().map_err(|e| JsValue::from_str(&e.to_string()))?;
    let text = call_export("fetch_text", &[JsValue::from_str(&url)]).await?;
    let text = text.as_string().expect("a string");
    assert!(
        text.contains("wait_and_sum"),
        "the glue exports wait_and_sum"
    );
    // A 404 is an Err with the status, not a panic.
    let missing = format!("{url}-does-not-exist");
    let err = call_export("fetch_text", &[JsValue::from_str(&missing)])
        .await
        .expect_err("a missing file");
    assert!(format!("{err:?}").contains("404"), "{err:?}");
    Ok(())
}

#[wasm_bindgen_test]
fn waiting_outside_a_jspi_frame_throws_a_suspend_error() {
    // A plain call (no `WebAssembly.promising` frame below it), made through JS so that the
    // engine's exception comes back as an `Err` here.
    let direct = Closure::<dyn FnMut() -> Result<u32, JsValue>>::new(|| jspi::wait_and_sum(1, 0.0));
    let function: &Function = direct.as_ref().unchecked_ref();
    let error = function
        .call0(&JsValue::NULL)
        .expect_err("suspending needs a JSPI frame");
    let name = Reflect::get(&error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    let message = Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default();
    wasm_bindgen_test::console_log!("outside a JSPI frame: {name}: {message}");
    assert_eq!(name, "SuspendError", "{error:?}");
    // The closure was left mid-call by the exception; never touch it again.
    std::mem::forget(direct);
}

#[wasm_bindgen_test]
async fn a_worker_loop_waits_for_messages_from_the_main_thread() -> Result<(), JsValue> {
    let js = |e: wasm_rs_worker::WorkerError| JsValue::from_str(&e.to_string());
    let glue = wasm_rs_worker::glue_url().map_err(js)?;
    // The loader awaits the export's promise: the JSPI export is the worker's whole job.
    let mut worker = wasm_rs_worker::spawn_worker(&glue, "collect_messages", JsValue::from(3))
        .await
        .map_err(js)?;
    for part in ["one", "two", "three"] {
        worker.post_message(&JsValue::from_str(part)).map_err(js)?;
    }
    let joined = worker.join().await.map_err(js)?;
    assert_eq!(joined.as_string().as_deref(), Some("one+two+three"));
    Ok(())
}

#[wasm_bindgen_test]
async fn the_executor_suspending_loop_runs_on_the_calling_thread() -> Result<(), JsValue> {
    // On the main thread too: the loop suspends instead of blocking, so JS promises, the
    // executor's timers and event-loop yields all complete inside one synchronous call.
    let started = now_ms();
    let steps = call_export("suspending_steps", &[JsValue::from(15)]).await?;
    let elapsed = now_ms() - started;
    assert_eq!(steps.as_f64(), Some(3.0));
    assert!(elapsed >= 29.0, "two 15 ms waits took only {elapsed} ms");
    Ok(())
}
