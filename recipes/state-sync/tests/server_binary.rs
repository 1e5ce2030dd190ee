//! The real `server-foo` binary: its flags, the address it prints, and a hard kill
//! (SIGKILL) and restart on the same log in the middle of a session.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use state_sync::client::Client;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Kills the child when dropped, so a failing test leaves no process behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(log: &Path) -> Result<(Server, String), Box<dyn std::error::Error>> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server-foo"))
        .args(["--addr", "127.0.0.1:0", "--bored-after", "3600"])
        .args(["--hello-every", "0.05", "--max-hellos", "2", "--log"])
        .arg(log)
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| format!("unexpected first line {line:?}"))?;
    Ok((server, format!("ws://{addr}/ws")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_survives_a_hard_kill() -> TestResult {
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("log.jsonl");
    let (first, url) = spawn(&log)?;
    let mut c = Client::new("frank")?;
    c.connect(&url).await?;
    let mut sent = vec![];
    for t in ["before 1", "before 2"] {
        c.submit(t).await?;
        sent.push(t.to_string());
    }
    c.settle().await?;
    drop(first); // SIGKILL: no chance to flush or say goodbye
    c.submit("while down").await?;
    sent.push("while down".into());

    let (_second, url) = spawn(&log)?;
    c.connect(&url).await?;
    c.settle().await?;
    c.until(|c| c.received().len() >= 2).await?;
    assert_eq!(
        c.received(),
        ["hello", "hello"],
        "K = 2 greetings, once each"
    );
    assert_eq!(c.clocks()["Msg"], 5);

    // What the log holds is exactly what was sent: every client message once, in order.
    let text = std::fs::read_to_string(&log)?;
    let mut logged = vec![];
    for line in text.lines() {
        let e: state_sync::server::LogEntry = serde_json::from_str(line)?;
        if e.machine == "bar" {
            logged.extend(e.messages);
        }
    }
    assert_eq!(logged, sent);
    Ok(())
}
