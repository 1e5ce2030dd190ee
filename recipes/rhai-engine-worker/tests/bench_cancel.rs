//! Benchmark: how long from `cancel()` on the main thread to the cancelled run's reply, next
//! to the round trip of a run that does nothing (the peer: the same channel, both ways,
//! with no cancel involved). A figure, not an assertion. Release build only:
//!
//! ```text
//! cargo test -p rhai-engine-worker --release --features bench --test bench_cancel -- --nocapture
//! WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test -p rhai-engine-worker --release --features bench --test bench_cancel \
//!   --target wasm32-unknown-unknown
//! ```
//! (Firefox: `GECKODRIVER=$(which geckodriver)` instead of `CHROMEDRIVER`.)

use std::time::Duration;

use rhai_engine_worker::{EngineClient, Limits, Reply, ScriptError, Value};
use wasm_rs_async_executor::Instant;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const ROUNDS: usize = 30;

#[cfg(target_arch = "wasm32")]
macro_rules! report {
    ($($t:tt)*) => { wasm_bindgen_test::console_log!($($t)*) };
}
#[cfg(not(target_arch = "wasm32"))]
macro_rules! report {
    ($($t:tt)*) => { println!($($t)*) };
}

/// Median, min and max in microseconds.
fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    format!(
        "median {:8.1} µs  min {:8.1} µs  max {:8.1} µs  ({} rounds)",
        us(samples[samples.len() / 2]),
        us(samples[0]),
        us(samples[samples.len() - 1]),
        samples.len()
    )
}

async fn measure() {
    let unlimited = Limits {
        max_operations: 0,
        max_sleep_ms: 600_000,
        ..Limits::default()
    };
    let mut engine = EngineClient::start(unlimited).await.unwrap();
    let busy = engine
        .compile(r#"emit(0); let n = 0; loop { n += 1; }"#)
        .await
        .unwrap();
    let sleepy = engine.compile(r#"emit(0); sleep(600000)"#).await.unwrap();
    let nothing = engine.compile("event").await.unwrap();

    let mut round_trip = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let output = engine.run(nothing, Value::Int(1)).await.unwrap();
        round_trip.push(start.elapsed());
        assert_eq!(output.result, Ok(Value::Int(1)));
    }
    let mut results = Vec::new();
    for script in [busy, sleepy] {
        let mut latencies = Vec::new();
        for _ in 0..ROUNDS {
            let run = engine.submit(script, Value::Unit).await.unwrap();
            let started = engine.next_reply().await.unwrap();
            assert!(matches!(started, Reply::Emitted { .. }));
            wasm_rs_async_executor::sleep(Duration::from_millis(5)).await;
            let start = Instant::now();
            engine.cancel();
            let output = engine.finish(run).await.unwrap();
            latencies.push(start.elapsed());
            assert!(matches!(output.result, Err(ScriptError::Cancelled { .. })));
        }
        results.push(latencies);
    }
    report!("round trip of a run doing nothing: {}", summary(round_trip));
    report!(
        "cancel -> reply, script in a busy loop: {}",
        summary(results.remove(0))
    );
    report!(
        "cancel -> reply, script in sleep():     {}",
        summary(results.remove(0))
    );
    engine.shutdown().await.unwrap();
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn cancel_latency() {
    wasm_rs_async_executor::block_on(measure()).unwrap();
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn cancel_latency() {
    measure().await;
}
