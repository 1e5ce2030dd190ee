//! wasm-rs-async-executor's two full-time modes in a worker, side by side: the same
//! service (echo requests over shared memory, messages posted to the worker, a timer)
//! under plain full-time mode, which parks in `Atomics.wait`, and under the suspending
//! mode (`jspi::block_on`), which parks by suspending through JSPI.
#![cfg(target_arch = "wasm32")]

use js_sys::{Atomics, Int32Array, Promise, Reflect, SharedArrayBuffer};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_worker::{WorkerError, WorkerHandle, glue_url, spawn_worker};

const ROUNDS: i32 = 50;

fn js(e: WorkerError) -> JsValue {
    JsValue::from_str(&e.to_string())
}

/// Starts `entry` in a worker on fresh cells: `[requests, replies, ROUNDS, messages]`.
async fn start(entry: &str, messages: i32) -> Result<(WorkerHandle, Int32Array), JsValue> {
    // (Also links the recipe's exports, which the worker calls, into this test module.)
    assert!(jspi::jspi_supported());
    let cells = Int32Array::new(&SharedArrayBuffer::new(16));
    Atomics::store(&cells, 2, ROUNDS)?;
    Atomics::store(&cells, 3, messages)?;
    let worker = spawn_worker(&glue_url().map_err(js)?, entry, cells.clone().into())
        .await
        .map_err(js)?;
    Ok((worker, cells))
}

/// Sends every echo request and waits (`Atomics.waitAsync`) for each reply.
async fn echo_all(cells: &Int32Array) -> Result<(), JsValue> {
    for round in 1..=ROUNDS {
        Atomics::store(cells, 0, round)?;
        Atomics::notify(cells, 0)?;
        loop {
            let now = Atomics::load(cells, 1)?;
            if now >= round {
                break;
            }
            let waiting = Atomics::wait_async(cells, 1, now)?;
            if Reflect::get(&waiting, &"async".into())?.as_bool() == Some(true) {
                let promise: Promise = Reflect::get(&waiting, &"value".into())?.dyn_into()?;
                JsFuture::from(promise).await?;
            }
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
async fn the_suspending_mode_serves_shared_memory_messages_and_timers() -> Result<(), JsValue> {
    let (mut worker, cells) = start("serve_suspending", 2).await?;
    // Posted while the worker's loop runs (and is suspended between requests).
    worker.post_message(&"a".into()).map_err(js)?;
    echo_all(&cells).await?;
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
    echo_all(&cells).await?;
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
