//! The server is killed mid-session and restarted on the same log.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::TestResult;
use state_sync::client::Client;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_loses_and_duplicates_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("log.jsonl");
    let every = Duration::from_millis(50);
    let never = Duration::from_secs(3600);
    let first = common::start(&log, never, every, 3)?;
    let mut c = Client::new("carol")?;
    c.connect(&common::url(&first)).await?;
    let mut sent = Vec::new();
    for t in ["one", "two", "three"] {
        c.submit(t).await?;
        sent.push(t.to_string());
    }
    c.settle().await?;
    c.until(|c| !c.received().is_empty()).await?;
    first.kill();

    // Typed while the server is down: the send fails or the connection is found closed later.
    for t in ["four", "five"] {
        c.submit(t).await?;
        sent.push(t.to_string());
    }
    let second = common::start(&log, never, every, 3)?;
    c.connect(&common::url(&second)).await?;
    c.settle().await?;
    c.until(|c| c.received().len() >= 3).await?;

    let view = second.view("carol").await.ok_or("no session")?;
    assert_eq!(view.messages, sent, "every message once, in order");
    assert_eq!(&view.bar, c.clocks());
    assert_eq!(
        c.received(),
        ["hello", "hello", "hello"],
        "K = 3 greetings across the restart"
    );
    assert_eq!(c.server_clocks(), &view.foo);
    assert_eq!(
        view.foo["Hello"], 5,
        "three activations of a multi state: 1, 3, 5"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_makes_foo_bored_and_speaking_ends_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = common::start(
        &dir.path().join("log.jsonl"),
        Duration::from_millis(100),
        Duration::from_secs(3600),
        0,
    )?;
    let mut c = Client::new("dave")?;
    c.connect(&common::url(&server)).await?;
    c.until(|c| c.server_clocks()["Bored"] == 1).await?;
    c.submit("wake up").await?;
    c.until(|c| c.server_clocks()["Bored"] >= 2).await?;
    let view = server.view("dave").await.ok_or("no session")?;
    // The client's mirror trails the server by at most the in-flight updates: Bored may have
    // ticked again since, but never backwards.
    assert!(view.foo["Bored"] >= c.server_clocks()["Bored"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_shows_both_machines() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = common::start(
        &dir.path().join("log.jsonl"),
        Duration::from_secs(3600),
        Duration::from_millis(20),
        1,
    )?;
    let mut c = Client::new("erin")?;
    c.connect(&common::url(&server)).await?;
    c.submit("<b>hi</b>").await?;
    c.settle().await?;
    c.until(|c| c.received().len() == 1).await?;
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await?;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /timeline?session=erin HTTP/1.0\r\nHost: x\r\n\r\n")
        .await?;
    let mut page = String::new();
    stream.read_to_string(&mut page).await?;
    assert!(
        page.contains("&lt;b&gt;hi&lt;/b&gt;"),
        "the client's message, escaped"
    );
    assert!(page.contains("hello"), "the server's greeting");
    Ok(())
}
