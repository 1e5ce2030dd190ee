//! The greetings arrive once each, in order, in every environment the recipe declares.
//! Where the engine has no `SharedArrayBuffer` (WebKitGTK), the recipe must fail with the
//! channel's clear error instead.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

const EXPECTED: [&str; 3] = ["hello #1", "hello #2", "hello #3"];

/// Whether this JS context has `SharedArrayBuffer` (absent in WebKitGTK even when
/// cross-origin isolated, and in any page served without COOP/COEP).
#[cfg(target_arch = "wasm32")]
fn shared_memory_available() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"SharedArrayBuffer".into()).unwrap_or(false)
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test]
async fn greetings_arrive_in_order() {
    match hello_wasm_rs::greetings(3).await {
        Ok(greetings) => {
            assert!(shared_memory_available());
            assert_eq!(greetings, EXPECTED);
        }
        Err(e) => {
            assert!(!shared_memory_available(), "unexpected error: {e}");
            assert!(
                e.to_string().contains("SharedArrayBuffer is not available"),
                "the error should say why: {e}"
            );
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn greetings_arrive_in_order_natively() {
    let greetings = wasm_rs_async_executor::block_on(hello_wasm_rs::greetings(3))
        .expect("block_on works natively")
        .expect("the channel works natively");
    assert_eq!(greetings, EXPECTED);
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn no_greetings_is_an_empty_list() {
    let greetings = wasm_rs_async_executor::block_on(hello_wasm_rs::greetings(0))
        .expect("block_on works natively")
        .expect("the channel works natively");
    assert!(greetings.is_empty());
}
