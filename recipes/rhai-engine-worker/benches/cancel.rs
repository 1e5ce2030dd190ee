//! The cancel latency: from `cancel()` to the cancelled run's `Reply::Finished`, for a
//! script in a busy loop and for one in `sleep`, next to the round trip of a run that does
//! nothing (the peer: the same two channels, there and back, with no cancel involved).
//!
//! Run it with `cargo xtask bench --suite rhai-engine-worker` (a release build, fresh runs
//! natively and in headless Chromium; the figures land on the rhai-engine-worker page of the
//! book with `--update-book`). Natively the executable starts the engine on a thread and
//! prints its report on a `BENCH_JSON` line (`ci/bench-support/report.rs`); on wasm32 the
//! module exports `bench_run(env, quick)`, called on the page's main thread, and the engine's
//! worker loads this same module and runs its `rhai_engine_worker_main` export.
//!
//! One engine per run, with no operations limit (only the cancel flag stops the busy loop).
//! After one untimed round, the three measurements take turns for a number of rounds, so
//! that load from elsewhere on the machine hits them alike; a figure is the median of the
//! run's rounds. A cancelled script has emitted once and then run 5 ms more before the
//! clock starts.

#[path = "../../../ci/bench-support/report.rs"]
mod report;

use std::time::Duration;

use rhai_engine_worker::{EngineClient, EngineError, Limits, Reply, ScriptError, Value};
use wasm_rs_async_executor::Instant;

use crate::report::{Better, Report, median};

/// The suite's name in its report.
const SUITE: &str = "rhai-engine-worker";

/// Timed rounds per run (`quick`: enough to see that every path works).
fn rounds(quick: bool) -> usize {
    if quick { 3 } else { 30 }
}

/// Milliseconds since `start`.
fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Starts `script` (which emits once, then runs until cancelled), waits for its emit and
/// 5 ms more, cancels, and times the way from `cancel()` to the run's final reply.
async fn cancel_to_reply(
    engine: &mut EngineClient,
    script: rhai_engine_worker::ScriptId,
) -> Result<f64, String> {
    let run = engine.submit(script, Value::Unit).await.map_err(text)?;
    let started = engine.next_reply().await.map_err(text)?;
    if !matches!(started, Reply::Emitted { .. }) {
        return Err(format!("expected the script's emit, got {started:?}"));
    }
    wasm_rs_async_executor::sleep(Duration::from_millis(5)).await;
    let start = Instant::now();
    engine.cancel();
    let output = engine.finish(run).await.map_err(text)?;
    let ms = ms_since(start);
    if !matches!(output.result, Err(ScriptError::Cancelled { .. })) {
        return Err(format!("the run was not cancelled: {:?}", output.result));
    }
    Ok(ms)
}

/// The round trip of a run that returns its event.
async fn no_op_round_trip(
    engine: &mut EngineClient,
    script: rhai_engine_worker::ScriptId,
) -> Result<f64, String> {
    let start = Instant::now();
    let output = engine.run(script, Value::Int(1)).await.map_err(text)?;
    let ms = ms_since(start);
    if output.result != Ok(Value::Int(1)) {
        return Err(format!("the no-op run returned {:?}", output.result));
    }
    Ok(ms)
}

fn text(e: EngineError) -> String {
    e.to_string()
}

/// Measures one run in the environment `env` and returns its report.
async fn measure(env: &str, quick: bool) -> Result<Report, String> {
    let unlimited = Limits {
        max_operations: 0,
        max_sleep_ms: 600_000,
        ..Limits::default()
    };
    let mut engine = EngineClient::start(unlimited).await.map_err(text)?;
    let busy = engine
        .compile("emit(0); let n = 0; loop { n += 1; }")
        .await
        .map_err(text)?;
    let sleepy = engine
        .compile("emit(0); sleep(600000)")
        .await
        .map_err(text)?;
    let nothing = engine.compile("event").await.map_err(text)?;

    let rounds = rounds(quick);
    let (mut round_trip, mut busy_ms, mut sleepy_ms) = (Vec::new(), Vec::new(), Vec::new());
    // Round 0 is the untimed warm-up.
    for round in 0..=rounds {
        let trip = no_op_round_trip(&mut engine, nothing).await?;
        let b = cancel_to_reply(&mut engine, busy).await?;
        let s = cancel_to_reply(&mut engine, sleepy).await?;
        if round > 0 {
            round_trip.push(trip);
            busy_ms.push(b);
            sleepy_ms.push(s);
        }
    }
    engine.shutdown().await.map_err(text)?;

    let peer = ("no-op run, round trip", median(&round_trip));
    let mut r = Report::new(SUITE, env);
    r.figure(
        "cancel-busy",
        "cancel() to the reply, script in a busy loop",
        "ms",
        Better::Lower,
        &[("cancel to reply", median(&busy_ms)), peer],
    );
    r.note(format!("median of {rounds} rounds"));
    r.figure(
        "cancel-sleep",
        "cancel() to the reply, script in sleep()",
        "ms",
        Better::Lower,
        &[("cancel to reply", median(&sleepy_ms)), peer],
    );
    r.note(format!("median of {rounds} rounds"));
    Ok(r)
}

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn main() -> Result<(), String> {
    let quick = std::env::var("WASM_RS_BENCH_QUICK").is_ok_and(|v| v == "1");
    let report =
        wasm_rs_async_executor::block_on(measure("native", quick)).map_err(|e| e.to_string())??;
    println!("{}{}", report::LINE_PREFIX, report.to_json());
    Ok(())
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn main() {}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use wasm_bindgen::prelude::*;

    // The engine's worker calls this module's `rhai_engine_worker_main` export: keep it
    // linked.
    #[allow(unused_imports, reason = "linked for the worker, not called here")]
    use rhai_engine_worker::rhai_engine_worker_main as _;

    use crate::report::report_panics;

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` takes a few rounds only.
    #[wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to JS; it must be pub"
    )]
    pub async fn bench_run(env: String, quick: bool) -> Result<String, JsValue> {
        report_panics();
        let report = crate::measure(&env, quick)
            .await
            .map_err(|e| JsValue::from_str(&e))?;
        Ok(report.to_json())
    }
}
