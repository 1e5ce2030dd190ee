//! The machine on wasm32 (Node): an enter handler may await a JS promise, which is not
//! `Send`; natively the same test would not compile, and the native tests run the rest.
#![cfg(target_arch = "wasm32")]

use async_state_machine::{Machine, MachineError, Schema, StateDef};
use futures::StreamExt;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

/// The client's machine of the state-sync example app: `SubmitMsg` (Enter) adds `Msg`.
fn bar_schema() -> Result<Schema, MachineError> {
    Schema::new([
        ("SubmitMsg", StateDef::new().multi().add(["Msg"])),
        ("Msg", StateDef::new().multi()),
    ])
}

// ANCHOR: handler
#[wasm_bindgen_test]
async fn a_handler_can_await_a_js_promise() -> Result<(), String> {
    let mut bar = Machine::new(bar_schema().map_err(|e| e.to_string())?);
    bar.on_enter("SubmitMsg", |t| {
        let empty = t.cause.is_empty();
        Box::pin(async move {
            // A real trip through the JS microtask queue; the future is not Send.
            JsFuture::from(js_sys::Promise::resolve(&wasm_bindgen::JsValue::from_bool(
                empty,
            )))
            .await
            .map_err(|e| format!("{e:?}"))?;
            if empty { Err("say why".into()) } else { Ok(()) }
        })
    })
    .map_err(|e| e.to_string())?;
    let mut changes = bar.subscribe();
    assert!(matches!(
        bar.add(&["SubmitMsg"], "").await,
        Err(MachineError::Vetoed { .. })
    ));
    bar.add(&["SubmitMsg"], "enter")
        .await
        .map_err(|e| e.to_string())?;
    let t = changes.next().await.ok_or("no transition")?;
    assert_eq!(t.activated, ["Msg", "SubmitMsg"]);
    assert_eq!(bar.clock("Msg").map_err(|e| e.to_string())?, 1);
    Ok(())
}
// ANCHOR_END: handler
