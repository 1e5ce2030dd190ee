//! The two hand-written echo loops in a worker: parked in `Atomics.wait` and parked through
//! JSPI, each answers every request from the main thread. (`cargo xtask bench --suite jspi`
//! times the same round trips; this test only checks them.)
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_worker::{WorkerError, glue_url, spawn_worker};

const ROUNDS: i32 = 50;

fn js(e: WorkerError) -> JsValue {
    JsValue::from_str(&e.to_string())
}

/// Runs `ROUNDS` echo requests against a worker running `entry`; the rounds it answered.
async fn answered(entry: &str) -> Result<Option<f64>, JsValue> {
    // (Also links the recipe's exports, which the worker calls, into this test module.)
    assert!(jspi::jspi_supported());
    let cells = jspi::echo_cells(ROUNDS, 0)?;
    let mut worker = spawn_worker(&glue_url().map_err(js)?, entry, cells.clone().into())
        .await
        .map_err(js)?;
    jspi::request_echoes(&cells).await?;
    Ok(worker.join().await.map_err(js)?.as_f64())
}

#[wasm_bindgen_test]
async fn a_worker_parked_in_atomics_wait_answers_every_request() -> Result<(), JsValue> {
    assert_eq!(answered("echo_blocking").await?, Some(f64::from(ROUNDS)));
    Ok(())
}

#[wasm_bindgen_test]
async fn a_worker_parked_through_jspi_answers_every_request() -> Result<(), JsValue> {
    assert_eq!(answered("echo_jspi").await?, Some(f64::from(ROUNDS)));
    Ok(())
}
