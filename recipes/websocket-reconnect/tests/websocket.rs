//! The WebSocket adapter in Node, browsers and workers: a refused connection resolves to an
//! error, never to a future that waits forever. (Talking to a real server is covered by the
//! state-sync example app's e2e suite.)
#![cfg(target_arch = "wasm32")]

use futures::StreamExt;
use wasm_bindgen_test::wasm_bindgen_test;
use websocket_reconnect::web::{WsError, connect};

#[wasm_bindgen_test]
async fn a_refused_websocket_resolves_to_an_error() {
    // Nothing listens on the discard port: the connect must end with an error, not hang
    // (the trap of asyncmachine-go's issue #370). Node.js 20 has no WebSocket at all, which
    // must be the clear `Unsupported` error instead.
    let has_websocket =
        js_sys::Reflect::has(&js_sys::global(), &"WebSocket".into()).unwrap_or(false);
    match connect("ws://127.0.0.1:9/ws").await {
        Err(WsError::Closed { code, .. }) => {
            assert!(has_websocket);
            assert_eq!(code, 1006, "abnormal closure: the connection never opened");
        }
        Err(WsError::Unsupported(why)) => {
            assert!(!has_websocket);
            assert!(WsError::Unsupported(why).to_string().contains("WebSocket"));
        }
        Ok(ws) => {
            let (_sink, mut stream) = ws.split();
            panic!(
                "nothing listens on port 9, yet it opened: {:?}",
                stream.next().await
            );
        }
        Err(other) => panic!("expected a refused connection, got {other}"),
    }
}

#[wasm_bindgen_test]
async fn a_bad_url_is_an_error_that_names_the_fix() {
    let has_websocket =
        js_sys::Reflect::has(&js_sys::global(), &"WebSocket".into()).unwrap_or(false);
    // The constructor throws a SyntaxError for a URL it cannot parse.
    match connect("ws://[not-a-host").await {
        Err(e @ WsError::InvalidUrl { .. }) => {
            assert!(has_websocket);
            assert!(e.to_string().contains("wss://"), "{e}");
        }
        Err(WsError::Unsupported(_)) => assert!(!has_websocket),
        Ok(_) => panic!("an unparseable URL opened"),
        Err(other) => panic!("expected InvalidUrl, got {other}"),
    }
}
