//! Shared by the server tests and the load benchmark.
#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::time::{Duration, Instant};

use state_sync::client::{Client, ClientError};
use state_sync::server::{Config, ServerError, ServerHandle};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A server on 127.0.0.1, port 0, with short timers.
pub fn start(
    log: &Path,
    bored_after: Duration,
    hello_every: Duration,
    max_hellos: u32,
) -> Result<ServerHandle, ServerError> {
    let server = ServerHandle::start(Config {
        addr: ([127, 0, 0, 1], 0).into(),
        bored_after,
        hello_every,
        max_hellos,
        log: log.to_path_buf(),
        static_dir: None,
    })?;
    println!("server listening on {}", server.addr());
    Ok(server)
}

/// A quiet server: never bored, never greets (for tests about the client's updates).
pub fn quiet(log: &Path) -> Result<ServerHandle, ServerError> {
    start(log, Duration::from_secs(3600), Duration::from_secs(3600), 0)
}

pub fn url(server: &ServerHandle) -> String {
    format!("ws://{}/ws", server.addr())
}

/// What one load client measured.
pub struct LoadResult {
    pub client: Client,
    pub sent: Vec<String>,
    /// Submit-to-acknowledgement time of each transition.
    pub latencies: Vec<Duration>,
}

/// `clients` concurrent clients each make `transitions` transitions, each waiting for the
/// server's acknowledgement before the next.
pub async fn load(
    url: &str,
    clients: usize,
    transitions: usize,
) -> Result<(Vec<LoadResult>, Duration), ClientError> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(&format!("load-{c}"))?;
            client.connect(&url).await?;
            let mut sent = Vec::new();
            let mut latencies = Vec::new();
            for t in 0..transitions {
                let text = format!("{c}:{t}");
                let at = Instant::now();
                client.submit(&text).await?;
                client.settle().await?;
                latencies.push(at.elapsed());
                sent.push(text);
            }
            Ok::<LoadResult, ClientError>(LoadResult {
                client,
                sent,
                latencies,
            })
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.map_err(|_| ClientError::Closed)??);
    }
    Ok((results, started.elapsed()))
}
