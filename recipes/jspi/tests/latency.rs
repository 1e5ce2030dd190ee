//! Round trips main thread → worker → main thread over shared memory, with the worker parked
//! in `Atomics.wait` or through JSPI: by hand (`echo_*`) and by wasm-rs-async-executor in its
//! full-time and suspending modes (`serve_*`). The test checks
//! every request is answered; the latency is printed, not asserted (run with
//! `--release -- --nocapture` to read it).
#![cfg(target_arch = "wasm32")]

use js_sys::{Atomics, Int32Array, Promise, Reflect, SharedArrayBuffer};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

const ROUNDS: i32 = 2000;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Waits (without blocking: `Atomics.waitAsync`) until `cells[1]` reaches `target`.
async fn reply(cells: &Int32Array, target: i32) -> Result<(), JsValue> {
    loop {
        let now = Atomics::load(cells, 1)?;
        if now >= target {
            return Ok(());
        }
        let waiting = Atomics::wait_async(cells, 1, now)?;
        if Reflect::get(&waiting, &"async".into())?.as_bool() == Some(true) {
            let promise: Promise = Reflect::get(&waiting, &"value".into())?.dyn_into()?;
            JsFuture::from(promise).await?;
        }
    }
}

/// Microseconds per round trip with the worker running `entry`.
async fn round_trip_us(entry: &str) -> Result<f64, JsValue> {
    let js = |e: wasm_rs_worker::WorkerError| JsValue::from_str(&e.to_string());
    // [requests, replies, rounds, messages to read (none here)]
    let cells = Int32Array::new(&SharedArrayBuffer::new(16));
    Atomics::store(&cells, 2, ROUNDS)?;
    let glue = wasm_rs_worker::glue_url().map_err(js)?;
    let mut worker = wasm_rs_worker::spawn_worker(&glue, entry, cells.clone().into())
        .await
        .map_err(js)?;
    let started = performance_now();
    for round in 1..=ROUNDS {
        Atomics::store(&cells, 0, round)?;
        Atomics::notify(&cells, 0)?;
        reply(&cells, round).await?;
    }
    let elapsed_ms = performance_now() - started;
    let answered = worker.join().await.map_err(js)?;
    let expected = if entry.starts_with("serve") {
        format!("echoed {ROUNDS}; messages ; ticks 5")
    } else {
        ROUNDS.to_string()
    };
    let answered = answered
        .as_string()
        .or_else(|| answered.as_f64().map(|n| n.to_string()));
    assert_eq!(answered.as_deref(), Some(expected.as_str()), "{entry}");
    Ok(elapsed_ms * 1000.0 / f64::from(ROUNDS))
}

#[wasm_bindgen_test]
async fn round_trip_latency_blocking_vs_jspi() -> Result<(), JsValue> {
    // (Also links the recipe's exports, which the workers call, into this test module.)
    assert!(jspi::jspi_supported());
    for run in 1..=3 {
        let blocking = round_trip_us("echo_blocking").await?;
        let jspi = round_trip_us("echo_jspi").await?;
        let full_time = round_trip_us("serve_full_time").await?;
        let suspending = round_trip_us("serve_suspending").await?;
        console_log!(
            "run {run}: {ROUNDS} round trips; by hand: Atomics.wait {blocking:.1} µs, \
             JSPI {jspi:.1} µs ({:.2}x); executor: full-time {full_time:.1} µs, \
             suspending {suspending:.1} µs ({:.2}x)",
            jspi / blocking,
            suspending / full_time
        );
    }
    Ok(())
}
