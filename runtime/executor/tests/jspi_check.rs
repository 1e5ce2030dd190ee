//! `jspi::check` in every JS environment: it must agree with an independent look at
//! `WebAssembly.Suspending`/`promising`, and where JSPI is missing (WebKit, Node 20) say
//! so clearly. This module links nothing JSPI-specific, so it loads everywhere.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use js_sys::Reflect;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_async_executor::jspi;

/// Whether `WebAssembly.<name>` is a function, looked up independently of the executor.
fn has(name: &str) -> bool {
    let wasm = Reflect::get(&js_sys::global(), &"WebAssembly".into()).unwrap_or_default();
    Reflect::get(&wasm, &name.into()).is_ok_and(|f| f.is_function())
}

#[wasm_bindgen_test]
fn the_check_says_clearly_whether_this_engine_has_jspi() {
    let engine_has_jspi = has("Suspending") && has("promising");
    match jspi::check() {
        Ok(()) => assert!(engine_has_jspi, "check() passed but JSPI is missing"),
        Err(why) => {
            assert!(
                !engine_has_jspi,
                "check() refused an engine with JSPI: {why}"
            );
            let text = why.to_string();
            assert!(text.contains("has no JSPI"), "{text}");
            assert!(text.contains("WebAssembly."), "{text}");
            assert!(text.contains("fall back"), "{text}");
        }
    }
    assert_eq!(jspi::is_supported(), engine_has_jspi);
}
