//! The MessagePort adapter (Node, browsers, workers): a MessageChannel's two ports exchange
//! byte messages in order both ways, foreign messages are error items, and dropping an end
//! detaches its handlers.
#![cfg(target_arch = "wasm32")]

use futures::{SinkExt, StreamExt};
use state_sync::port::{PortConnection, PortError};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::MessageChannel;

fn channel() -> Result<MessageChannel, String> {
    MessageChannel::new().map_err(|e| format!("no MessageChannel here: {e:?}"))
}

#[wasm_bindgen_test]
async fn two_ports_exchange_messages_in_order() -> Result<(), String> {
    let ch = channel()?;
    let mut a = PortConnection::new(ch.port1());
    let mut b = PortConnection::new(ch.port2());
    for i in 0..200u32 {
        a.send(i.to_le_bytes().to_vec())
            .await
            .map_err(|e| e.to_string())?;
    }
    for i in 0..200u32 {
        let got = b.next().await.ok_or("b's stream ended")?;
        assert_eq!(got, Ok(i.to_le_bytes().to_vec()), "message {i}");
    }
    // The other way, with an empty and a large message.
    b.send(Vec::new()).await.map_err(|e| e.to_string())?;
    let big: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
    b.send(big.clone()).await.map_err(|e| e.to_string())?;
    assert_eq!(a.next().await, Some(Ok(Vec::new())));
    assert_eq!(a.next().await, Some(Ok(big)));
    Ok(())
}

#[wasm_bindgen_test]
async fn a_message_that_is_not_bytes_is_an_error_item() -> Result<(), String> {
    let ch = channel()?;
    let mut b = PortConnection::new(ch.port2());
    let raw = ch.port1();
    raw.post_message(&JsValue::from_str("hello"))
        .map_err(|e| format!("{e:?}"))?;
    raw.post_message(&js_sys::Uint8Array::from(&[7u8, 8][..]))
        .map_err(|e| format!("{e:?}"))?;
    assert_eq!(
        b.next().await,
        Some(Err(PortError::NotBytes("string".into())))
    );
    // The stream goes on after a bad message.
    assert_eq!(b.next().await, Some(Ok(vec![7, 8])));
    raw.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn dropping_an_end_detaches_its_handlers() -> Result<(), String> {
    let ch = channel()?;
    let port = ch.port2();
    let b = PortConnection::new(port.clone());
    assert!(port.onmessage().is_some());
    assert!(port.onmessageerror().is_some());
    drop(b);
    assert!(port.onmessage().is_none(), "onmessage still set after drop");
    assert!(port.onmessageerror().is_none());
    ch.port1().close();
    Ok(())
}
