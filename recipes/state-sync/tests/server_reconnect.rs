//! Messages typed while disconnected arrive once, in order; replays are deduplicated.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::TestResult;
use futures::{SinkExt, StreamExt};
use state_sync::client::Client;
use state_sync::{Frame, Update, decode, encode};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_messages_arrive_once_in_order() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = common::quiet(&dir.path().join("log.jsonl"))?;
    let url = common::url(&server);
    let mut c = Client::new("alice")?;
    let mut sent = Vec::new();
    for t in ["typed before the first connect", "a", "b"] {
        c.submit(t).await?;
        sent.push(t.to_string());
    }
    c.connect(&url).await?;
    c.settle().await?;
    // Submitted, then the connection drops before the acknowledgement can arrive.
    c.submit("c").await?;
    sent.push("c".into());
    c.disconnect();
    for t in ["offline 1", "offline 2", "offline 3"] {
        c.submit(t).await?;
        sent.push(t.to_string());
    }
    c.connect(&url).await?;
    c.settle().await?;
    let view = server.view("alice").await.ok_or("no session")?;
    assert_eq!(view.messages, sent);
    assert_eq!(&view.bar, c.clocks());
    assert_eq!(c.clocks()["Msg"], 2 * sent.len() as u64 - 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_update_is_applied_once() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = common::quiet(&dir.path().join("log.jsonl"))?;
    let (mut ws, _) = tokio_tungstenite::connect_async(common::url(&server)).await?;
    let hello = Frame::Hello {
        session: "bob".into(),
        last_applied: 0,
    };
    let update = Frame::Update(Update {
        seq: 1,
        cause: "enter".into(),
        time_ms: 0,
        changes: vec![("Msg".into(), 1), ("SubmitMsg".into(), 1)],
        messages: vec!["once".into()],
    });
    for f in [&hello, &update, &update] {
        ws.send(Message::Binary(encode(f).into())).await?;
    }
    let mut acks = Vec::new();
    while acks.len() < 2 {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await?
            .ok_or("closed")??;
        if let Message::Binary(b) = msg
            && let Frame::Ack(seq) = decode(&b)?
        {
            acks.push(seq);
        }
    }
    assert_eq!(acks, [1, 1], "both copies are acknowledged");
    let view = server.view("bob").await.ok_or("no session")?;
    assert_eq!(view.messages, ["once"], "but applied once");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_connection_takes_over_the_session() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = common::start(
        &dir.path().join("log.jsonl"),
        Duration::from_secs(3600),
        Duration::from_millis(20),
        2,
    )?;
    // An old connection that never closed (as after a network change), then the client
    // comes back on a new one.
    let (mut old, _) = tokio_tungstenite::connect_async(common::url(&server)).await?;
    let hello = Frame::Hello {
        session: "gina".into(),
        last_applied: 0,
    };
    old.send(Message::Binary(encode(&hello).into())).await?;
    // Wait for the server's Hello so the old connection is registered first.
    loop {
        let msg = old.next().await.ok_or("closed early")??;
        if let Message::Binary(b) = msg
            && let Frame::Hello { .. } = decode(&b)?
        {
            break;
        }
    }
    let mut c = Client::new("gina")?;
    c.connect(&common::url(&server)).await?;
    let mut close_code = None;
    while let Some(msg) = old.next().await {
        if let Ok(Message::Close(Some(frame))) = msg {
            close_code = Some(u16::from(frame.code));
            break;
        }
    }
    assert_eq!(close_code, Some(4000), "the old connection is closed");
    // Every greeting reaches the new connection, each once.
    c.until(|c| c.received().len() >= 2).await?;
    assert_eq!(c.received(), ["hello", "hello"]);
    Ok(())
}
