//! The greetings arrive once each, in order, in every environment the recipe declares.

use wasm_bindgen_test::wasm_bindgen_test;

const EXPECTED: [&str; 3] = ["hello #1", "hello #2", "hello #3"];

#[wasm_bindgen_test]
async fn greetings_arrive_in_order() {
    let greetings = hello_wasm_rs::greetings(3).await.expect("the channel works here");
    assert_eq!(greetings, EXPECTED);
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
