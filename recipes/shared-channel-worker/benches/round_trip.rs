//! The round trip to a worker: a `Ping` over the shared channels (the worker asleep in
//! `Atomics.wait` under the executor's full-time `block_on`) against the same `Ping` over
//! `postMessage` on a `MessagePort` (the peer), from the main thread, in the same page.
//!
//! Run it with `cargo xtask bench --suite shared-channel-worker` (a release build, a fresh
//! headless Chromium page per run; the figures land on the shared-channel-worker page of
//! the book with `--update-book`). The module exports `bench_run(env, quick)`, which
//! measures one run and returns its report as JSON (`ci/bench-support/report.rs`); the
//! workers load this same module and run the recipe's worker exports.
//!
//! A run is one call of the recipe's `round_trips`, the code the demo runs: a fresh worker
//! per transport, 1,000 sequential pings each (100 in a quick run) after one untimed batch,
//! timed in batches of 20; each value is the median over the batches of the mean round trip.

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn main() {
    println!(
        "the shared-channel-worker benchmark runs in a browser (wasm32-unknown-unknown): run `cargo xtask bench --suite shared-channel-worker`"
    );
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn main() {}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use shared_channel_worker::round_trips;
    use wasm_bindgen::prelude::*;

    use crate::report::{Better, Report, report_panics};

    // The workers call these exports of this module: keep them linked.
    #[allow(unused_imports, reason = "linked for the workers, not called here")]
    use shared_channel_worker::{scw_post_message_worker as _, scw_shared_channel_worker as _};

    async fn run(env: &str, quick: bool) -> Result<String, JsValue> {
        let err = |e: &dyn std::fmt::Display| JsValue::from_str(&e.to_string());
        let pings = if quick { 100 } else { 1000 };
        let glue = wasm_rs_worker::glue_url().map_err(|e| err(&e))?;
        let rt = round_trips(&glue, pings).await.map_err(|e| err(&e))?;
        let mut r = Report::new("shared-channel-worker", env);
        r.figure(
            "round-trip",
            "Ping round trip from the main thread to a worker and back",
            "µs",
            Better::Lower,
            &[
                ("shared channel", rt.shared_channel_us),
                ("postMessage (MessagePort)", rt.post_message_us),
            ],
        );
        r.note(format!(
            "{} pings per transport in batches of 20, a fresh worker each; postMessage / shared channel: {:.1}×",
            rt.pings,
            rt.post_message_us / rt.shared_channel_us
        ));
        Ok(r.to_json())
    }

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` sends a tenth of the pings.
    #[wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to JS; it must be pub"
    )]
    pub async fn bench_run(env: String, quick: bool) -> Result<String, JsValue> {
        report_panics();
        run(&env, quick).await
    }
}
