//! Load benchmark: the server's throughput and p99 sync latency with 100 concurrent clients.
//!
//! Run with `cargo bench -p state-sync --bench load`. Each client submits a transition and
//! waits for the server's acknowledgement (the update was validated, applied to the mirror
//! and written to the log) before the next; latency is submit-to-acknowledgement. One client
//! alone is measured in the same run as the peer to compare against.
#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/common/mod.rs"]
mod common;

#[cfg(not(target_arch = "wasm32"))]
use std::time::Duration;

#[cfg(not(target_arch = "wasm32"))]
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
async fn run(clients: usize, transitions: usize) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let server = common::quiet(&dir.path().join("log.jsonl"))?;
    let (results, elapsed) = common::load(&common::url(&server), clients, transitions).await?;
    let mut all: Vec<Duration> = results.iter().flat_map(|r| r.latencies.clone()).collect();
    all.sort();
    let total = all.len();
    println!(
        "{clients:>3} clients x {transitions} transitions: {total} in {:.2} s = {:.0} transitions/s; \
         sync latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        percentile(&all, 0.50).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        for _ in 0..3 {
            run(1, 1000).await?;
            run(100, 100).await?;
        }
        Ok(())
    })
}

#[cfg(target_arch = "wasm32")]
fn main() {}
