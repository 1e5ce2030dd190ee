//! wasm-rs-async-executor's two full-time modes in a worker, side by side: the same
//! service (echo requests over shared memory, messages posted to the worker, a timer)
//! under plain full-time mode, which parks in `Atomics.wait`, and under the suspending
//! mode (`jspi::block_on`), which parks by suspending through JSPI.
#![cfg(target_arch = "wasm32")]

use js_sys::Int32Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_worker::{WorkerError, WorkerHandle, glue_url, spawn_worker};

const ROUNDS: i32 = 50;

fn js(e: WorkerError) -> JsValue {
    JsValue::from_str(&e.to_string())
}

/// Starts `entry` in a worker on fresh cells: `ROUNDS` requests, `messages` messages.
async fn start(entry: &str, messages: i32) -> Result<(WorkerHandle, Int32Array), JsValue> {
    // (Also links the recipe's exports, which the worker calls, into this test module.)
    assert!(jspi::jspi_supported());
    let cells = jspi::echo_cells(ROUNDS, messages)?;
    let worker = spawn_worker(&glue_url().map_err(js)?, entry, cells.clone().into())
        .await
        .map_err(js)?;
    Ok((worker, cells))
}

#[wasm_bindgen_test]
async fn the_suspending_mode_serves_shared_memory_messages_and_timers() -> Result<(), JsValue> {
    let (mut worker, cells) = start("serve_suspending", 2).await?;
    // Posted while the worker's loop runs (and is suspended between requests).
    worker.post_message(&"a".into()).map_err(js)?;
    jspi::request_echoes(&cells).await?;
    worker.post_message(&"b".into()).map_err(js)?;
    let result = worker.join().await.map_err(js)?;
    assert_eq!(
        result.as_string().as_deref(),
        Some("echoed 50; messages a+b; ticks 5")
    );
    Ok(())
}

#[wasm_bindgen_test]
async fn plain_full_time_mode_serves_shared_memory_but_never_sees_a_message() -> Result<(), JsValue>
{
    let (mut worker, cells) = start("serve_full_time", 1).await?;
    worker.post_message(&"a".into()).map_err(js)?;
    // Shared memory and timers work while the thread is blocked...
    jspi::request_echoes(&cells).await?;
    // ...but the message waits for an event loop that never runs: the executor reports
    // the stall instead of hanging.
    let err = worker
        .join()
        .await
        .expect_err("a posted message cannot reach a blocked worker");
    let text = err.to_string();
    assert!(text.contains("nothing can wake"), "{text}");
    Ok(())
}
