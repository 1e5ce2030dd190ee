//! The shared model and protocol on wasm32 (Node, browsers, workers): the browser side will
//! run exactly this code.
#![cfg(target_arch = "wasm32")]

use futures::StreamExt;
use state_sync::{
    Frame, Machine, MachineError, Peer, Received, bar_schema, decode, encode, foo_schema,
};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

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

#[wasm_bindgen_test]
async fn offline_updates_replay_once_then_snapshot() -> Result<(), String> {
    let bar_s = bar_schema().map_err(|e| e.to_string())?;
    let foo_s = foo_schema().map_err(|e| e.to_string())?;
    let mut bar = Machine::new(bar_s.clone());
    let mut client = Peer::new(bar_s.clone(), foo_s.clone());
    let mut server = Peer::new(foo_s, bar_s);
    for text in ["one", "two", "three"] {
        bar.add(&["SubmitMsg"], "enter")
            .await
            .map_err(|e| e.to_string())?;
        // Offline: the frame is dropped, the update stays in the outbox.
        let _lost = client.push(bar.clocks(), "enter", 0, vec![text.into()]);
    }
    let mut got = Vec::new();
    for frame in client.reconnect_frames(server.last_applied(), bar.clocks()) {
        let frame = decode(&encode(&frame)).map_err(|e| e.to_string())?;
        match server.receive(frame).map_err(|e| e.to_string())? {
            Received::Applied { update, ack } => {
                got.extend(update.messages);
                client.receive(ack).map_err(|e| e.to_string())?;
            }
            Received::Snapshot => {}
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    assert_eq!(got, ["one", "two", "three"]);
    assert_eq!(server.mirror(), bar.clocks());
    assert_eq!(client.unacked().count(), 0);
    let stale = Frame::Snapshot(vec![("Msg".into(), 1)]);
    assert!(
        server.receive(stale).is_err(),
        "a clock going backwards is refused"
    );
    Ok(())
}

#[wasm_bindgen_test]
async fn a_refused_websocket_resolves_to_an_error() {
    // Nothing listens on the discard port: the connect must end with an error, not hang
    // (the trap of asyncmachine-go's issue #370). Node.js 20 has no WebSocket at all, which
    // must be the clear `Unsupported` error instead.
    let has_websocket =
        js_sys::Reflect::has(&js_sys::global(), &"WebSocket".into()).unwrap_or(false);
    match state_sync::web::connect("ws://127.0.0.1:9/ws").await {
        Err(state_sync::web::WsError::Closed { code, .. }) => {
            assert!(has_websocket);
            assert_eq!(code, 1006, "abnormal closure: the connection never opened");
        }
        Err(state_sync::web::WsError::Unsupported(_)) => assert!(!has_websocket),
        other => panic!("expected a refused connection, got {other:?}"),
    }
}
