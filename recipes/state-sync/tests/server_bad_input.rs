//! Each kind of bad input closes only the connection that sent it.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::TestResult;
use futures::{SinkExt, StreamExt};
use state_sync::client::Client;
use state_sync::{ErrorKind, Frame, MAX_FRAME_BYTES, Update, decode, encode};
use tokio_tungstenite::tungstenite::Message;

fn update(seq: u64, changes: &[(&str, u64)]) -> Message {
    let frame = Frame::Update(Update {
        seq,
        cause: "bad".into(),
        time_ms: 0,
        changes: changes.iter().map(|(n, c)| (n.to_string(), *c)).collect(),
        messages: vec![],
    });
    Message::Binary(encode(&frame).into())
}

fn hello(session: &str) -> Message {
    Message::Binary(
        encode(&Frame::Hello {
            session: session.into(),
            last_applied: 0,
        })
        .into(),
    )
}

/// Sends `messages` on a fresh connection and returns the error kind the server answered
/// with; checks the server closed the connection afterwards.
async fn rejected(
    url: &str,
    messages: Vec<Message>,
) -> Result<ErrorKind, Box<dyn std::error::Error>> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    for m in messages {
        ws.send(m).await?;
    }
    let mut kind = None;
    while let Some(msg) = ws.next().await {
        match msg {
            Ok(Message::Binary(b)) => {
                if let Frame::Error { kind: k, .. } = decode(&b)? {
                    kind = Some(k);
                }
            }
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    // The loop ended: the server closed this connection.
    kind.ok_or_else(|| "the server closed without an Error frame".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_closes_only_that_connection() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = common::quiet(&dir.path().join("log.jsonl"))?;
    let url = common::url(&server);
    let mut good = Client::new("good")?;
    good.connect(&url).await?;

    let cases: Vec<(ErrorKind, Vec<Message>)> = vec![
        (
            ErrorKind::Malformed,
            vec![Message::Binary(vec![0xff, 0xff, 0xff].into())],
        ),
        (
            ErrorKind::Malformed,
            vec![hello("t"), Message::Text("hi".into())],
        ),
        (
            ErrorKind::TooLarge,
            vec![
                hello("big"),
                Message::Binary(vec![0u8; MAX_FRAME_BYTES + 1].into()),
            ],
        ),
        (
            ErrorKind::UnknownState,
            vec![hello("u"), update(1, &[("Nope", 1)])],
        ),
        (
            ErrorKind::ClockBackwards,
            vec![
                hello("c"),
                update(1, &[("Msg", 3)]),
                update(2, &[("Msg", 1)]),
            ],
        ),
        (ErrorKind::OutOfOrder, vec![update(1, &[("Msg", 1)])]),
        (
            ErrorKind::OutOfOrder,
            vec![hello("gap"), update(4, &[("Msg", 1)])],
        ),
    ];
    for (i, (expected, messages)) in cases.into_iter().enumerate() {
        assert_eq!(rejected(&url, messages).await?, expected, "case {i}");
        // The good client is still served after every bad one.
        let text = format!("still here {i}");
        good.submit(&text).await?;
        good.settle().await?;
        let view = server.view("good").await.ok_or("no session")?;
        assert_eq!(view.messages.last(), Some(&text));
        assert_eq!(&view.bar, good.clocks());
    }
    Ok(())
}
