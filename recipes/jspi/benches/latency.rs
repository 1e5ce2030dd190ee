//! The round trip from the page's main thread to a worker and back over shared memory,
//! with the worker parked between requests four ways: the recipe's hand-written echo loop
//! parked through JSPI (this recipe's value) against the same loop parked in
//! `Atomics.wait` (the peer), and wasm-rs-async-executor's suspending mode against its
//! plain full-time mode, each serving the same three tasks.
//!
//! Run it with `cargo xtask bench --suite jspi` (a release build, a fresh headless Chromium
//! page per run; the figures land on the jspi page of the book with `--update-book`). The
//! module exports `bench_run(env, quick)`, which measures one run and returns its report as
//! JSON (`ci/bench-support/report.rs`); the workers load this same module and run the
//! recipe's exports (`echo_blocking`, `echo_jspi`, `serve_full_time`, `serve_suspending`).
//!
//! In a run each loop first answers a short untimed series in a worker of its own (the
//! engine's optimizing tier); then the four take turns for a number of rounds, each round a
//! fresh worker per loop answering 2,000 requests, so that load from elsewhere on the
//! machine hits them alike. A worker's start is not timed; a figure is the median of a
//! loop's rounds.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!(
        "the jspi benchmark runs in a browser (wasm32-unknown-unknown): run `cargo xtask bench --suite jspi`"
    );
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(target_arch = "wasm32")]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(target_arch = "wasm32")]
mod web {
    use wasm_bindgen::prelude::*;
    use wasm_rs_async_executor::Instant;
    use wasm_rs_worker::{WorkerError, glue_url, spawn_worker};

    use crate::report::{Better, Report, median, report_panics};

    /// The workers' entries, in the order a round takes them.
    const ENTRIES: [&str; 4] = [
        "echo_blocking",
        "echo_jspi",
        "serve_full_time",
        "serve_suspending",
    ];

    fn js(e: WorkerError) -> JsValue {
        JsValue::from_str(&e.to_string())
    }

    /// Microseconds per round trip over `trips` requests to a fresh worker running `entry`
    /// (its start not timed); checks that the worker answered every one.
    async fn round_trip_us(entry: &str, trips: i32) -> Result<f64, JsValue> {
        let cells = jspi::echo_cells(trips, 0)?;
        let mut worker = spawn_worker(&glue_url().map_err(js)?, entry, cells.clone().into())
            .await
            .map_err(js)?;
        let started = Instant::now();
        jspi::request_echoes(&cells).await?;
        let elapsed = started.elapsed().as_secs_f64();
        let answered = worker.join().await.map_err(js)?;
        let answered = answered
            .as_string()
            .or_else(|| answered.as_f64().map(|n| n.to_string()));
        let expected = if entry.starts_with("serve") {
            format!("echoed {trips}; messages ; ticks 5")
        } else {
            trips.to_string()
        };
        if answered.as_deref() != Some(expected.as_str()) {
            return Err(JsValue::from_str(&format!(
                "{entry} answered {answered:?}, not {expected:?}"
            )));
        }
        Ok(elapsed * 1e6 / f64::from(trips))
    }

    async fn run(env: &str, quick: bool) -> Result<String, JsValue> {
        if !jspi::jspi_supported() {
            return Err(JsValue::from_str(
                "this browser has no JSPI (WebAssembly.Suspending, WebAssembly.promising)",
            ));
        }
        let (rounds, trips, warm_up) = if quick { (1, 100, 20) } else { (5, 2_000, 200) };
        for entry in ENTRIES {
            round_trip_us(entry, warm_up).await?;
        }
        let mut times = vec![Vec::new(); ENTRIES.len()];
        for _ in 0..rounds {
            for (entry, times) in ENTRIES.iter().zip(&mut times) {
                times.push(round_trip_us(entry, trips).await?);
            }
        }
        let us: Vec<f64> = times.iter().map(|t| median(t)).collect();
        let [blocking, by_jspi, full_time, suspending] = [us[0], us[1], us[2], us[3]];
        let per = format!("{trips} round trips per worker, median of {rounds} round(s)");
        let mut r = Report::new("jspi", env);
        r.figure(
            "jspi-by-hand",
            "Round trip to a worker's echo loop, parked through JSPI",
            "µs",
            Better::Lower,
            &[
                ("parked through JSPI", by_jspi),
                ("parked in Atomics.wait", blocking),
            ],
        );
        r.note(format!(
            "{per}; JSPI adds {:.1} µs per round trip",
            by_jspi - blocking
        ));
        r.figure(
            "executor-suspending",
            "Round trip to a worker's executor service, suspending mode",
            "µs",
            Better::Lower,
            &[
                ("suspending (jspi::block_on)", suspending),
                ("full-time (block_on)", full_time),
            ],
        );
        r.note(format!(
            "{per}; the suspending mode adds {:.1} µs per round trip",
            suspending - full_time
        ));
        Ok(r.to_json())
    }

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` times far fewer round trips, once.
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
