//! Load benchmark: the server's throughput and sync latency with 100 concurrent clients,
//! against one client alone (the peer), measured in the same run.
//!
//! Run it with `cargo xtask bench --suite state-sync` (a release build, five fresh runs,
//! with medians and ratios; the figures land on the state-sync page of the book with
//! `--update-book`), or one run by hand: `cargo bench -p state-sync --bench load`
//! (`WASM_RS_BENCH_QUICK=1` for a small one). It prints what it measured, then the run's
//! report as JSON on a `BENCH_JSON` line (`ci/bench-support/report.rs`).
//!
//! Each client submits a transition and waits for the server's acknowledgement (the update
//! was validated, applied to the mirror and written to the log) before the next; latency is
//! submit-to-acknowledgement. One client makes 1,000 transitions alone against a fresh
//! server, then 100 clients make 100 each at once against another (a quick run: 50 alone,
//! 10 clients × 10). Throughput is the transitions over the time from the first connect to
//! the last acknowledgement.

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/common/mod.rs"]
mod common;

#[cfg(not(target_arch = "wasm32"))]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` and `cargo xtask bench` pass `--bench`; there is nothing to choose.
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Duration;

    use crate::common;
    use crate::report::{Better, LINE_PREFIX, Report};

    /// What one load measured.
    struct Load {
        clients: usize,
        transitions: usize,
        elapsed: Duration,
        /// Every transition's submit-to-acknowledgement time, sorted.
        latencies: Vec<Duration>,
    }

    impl Load {
        fn total(&self) -> usize {
            self.latencies.len()
        }

        fn per_second(&self) -> f64 {
            self.total() as f64 / self.elapsed.as_secs_f64()
        }

        /// The latency at `p` (0 to 1), nearest rank, in milliseconds.
        fn percentile_ms(&self, p: f64) -> f64 {
            let i = ((self.total() as f64 - 1.0) * p).round() as usize;
            self.latencies
                .get(i)
                .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
        }

        fn max_ms(&self) -> f64 {
            self.percentile_ms(1.0)
        }
    }

    /// `clients` concurrent clients making `transitions` each against a fresh server.
    async fn load(clients: usize, transitions: usize) -> Result<Load, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let server = common::quiet(&dir.path().join("log.jsonl"))?;
        let (results, elapsed) = common::load(&common::url(&server), clients, transitions).await?;
        let mut latencies: Vec<Duration> = results.into_iter().flat_map(|r| r.latencies).collect();
        latencies.sort();
        if latencies.len() != clients * transitions {
            return Err(format!(
                "{clients} clients × {transitions} transitions measured {} latencies",
                latencies.len()
            )
            .into());
        }
        let load = Load {
            clients,
            transitions,
            elapsed,
            latencies,
        };
        println!(
            "{clients:>3} clients × {transitions} transitions: {} in {:.2} s = {:.0} transitions/s; \
             sync latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            load.total(),
            elapsed.as_secs_f64(),
            load.per_second(),
            load.percentile_ms(0.50),
            load.percentile_ms(0.99),
            load.max_ms(),
        );
        Ok(load)
    }

    pub(crate) fn main() -> Result<(), Box<dyn std::error::Error>> {
        let quick = std::env::var("WASM_RS_BENCH_QUICK").is_ok_and(|v| v == "1");
        let (alone, (clients, transitions)) = if quick {
            (50, (10, 10))
        } else {
            (1000, (100, 100))
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (peer, many) = rt.block_on(async {
            let peer = load(1, alone).await?;
            let many = load(clients, transitions).await?;
            Ok::<_, Box<dyn std::error::Error>>((peer, many))
        })?;

        let what = format!(
            "{} clients × {} transitions at once",
            many.clients, many.transitions
        );
        const PEER: &str = "1 client alone";
        let mut r = Report::new("state-sync", "native");
        r.figure(
            "throughput",
            format!("{what}: server throughput"),
            "transitions/s",
            Better::Higher,
            &[
                ("concurrent clients", many.per_second()),
                (PEER, peer.per_second()),
            ],
        );
        r.note(format!(
            "{} transitions in {:.2} s by {} clients; 1 client alone: {} in {:.2} s",
            many.total(),
            many.elapsed.as_secs_f64(),
            many.clients,
            peer.total(),
            peer.elapsed.as_secs_f64()
        ));
        r.figure(
            "p50",
            format!("{what}: sync latency p50"),
            "ms",
            Better::Lower,
            &[
                ("concurrent clients", many.percentile_ms(0.50)),
                (PEER, peer.percentile_ms(0.50)),
            ],
        );
        r.figure(
            "p99",
            format!("{what}: sync latency p99"),
            "ms",
            Better::Lower,
            &[
                ("concurrent clients", many.percentile_ms(0.99)),
                (PEER, peer.percentile_ms(0.99)),
            ],
        );
        r.note(format!(
            "the slowest acknowledgement: {:.2} ms with {} clients, {:.2} ms alone",
            many.max_ms(),
            many.clients,
            peer.max_ms()
        ));
        println!("{LINE_PREFIX}{}", r.to_json());
        Ok(())
    }
}
