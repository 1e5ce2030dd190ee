//! The browser side: the page's export and the worker's.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_rs_shared_channel::spsc;

use crate::{Tally, Update, chunks, double_palindromes_between};

/// Numbers checked between two progress updates.
const CHUNK: u32 = 10_000;

fn js_error(e: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

// ANCHOR: page
/// Called by the page: starts a worker on this same module, hands it the sending end of a
/// shared channel and `limit`, and reads the updates as they come (`recv_async` waits with
/// `Atomics.waitAsync`, so the page never blocks). Each progress update is passed to
/// `on_progress(done, total)`; the result is an object `{ count, sum }`: how many numbers
/// below `limit` are palindromes in base 10 and in base 2, and their sum.
///
/// ```no_run
/// # async fn example() -> Result<(), wasm_bindgen::JsValue> {
/// let report = js_sys::Function::new_no_args("");
/// let found = trunk_app::double_palindromes_in_worker(10, report).await?;
/// let count = js_sys::Reflect::get(&found, &"count".into())?;
/// assert_eq!(count.as_f64(), Some(5.0));
/// # Ok(()) }
/// ```
#[wasm_bindgen(js_name = doublePalindromesInWorker)]
pub async fn double_palindromes_in_worker(
    limit: u32,
    on_progress: Function,
) -> Result<JsValue, JsValue> {
    let (tx, mut rx) = spsc::channel::<Update>(64 * 1024).map_err(js_error)?;
    let input = Object::new();
    Reflect::set(&input, &"updates".into(), &tx.into_js())?;
    Reflect::set(&input, &"limit".into(), &limit.into())?;
    let glue = wasm_rs_worker::glue_url().map_err(js_error)?;
    let mut worker = wasm_rs_worker::spawn_worker(&glue, "trunk_app_worker", input.into())
        .await
        .map_err(js_error)?;
    loop {
        match rx.recv_async().await {
            Ok(Update::Progress { done, total }) => {
                on_progress.call2(&JsValue::NULL, &done.into(), &total.into())?;
            }
            Ok(Update::Done(Tally { count, sum })) => {
                worker.join().await.map_err(js_error)?;
                let found = Object::new();
                Reflect::set(&found, &"count".into(), &count.into())?;
                // Exact as a JS number: a sum of the few double palindromes below 2^32 stays far below
                // 2^53.
                Reflect::set(&found, &"sum".into(), &(sum as f64).into())?;
                return Ok(found.into());
            }
            // The worker ended without a result: its own error says why.
            Err(e) => {
                return Err(match worker.join().await {
                    Err(why) => js_error(why),
                    Ok(_) => js_error(e),
                });
            }
        }
    }
}
// ANCHOR_END: page

// ANCHOR: worker
/// Runs in the worker: rebuilds the sender, then runs the executor full-time (`block_on`
/// returns only when the work is done), sending progress after each chunk and the result
/// last.
///
/// ```no_run
/// # fn example(input: wasm_bindgen::JsValue) -> Result<(), wasm_bindgen::JsValue> {
/// trunk_app::trunk_app_worker(input)?;
/// # Ok(()) }
/// ```
#[wasm_bindgen]
pub fn trunk_app_worker(input: JsValue) -> Result<(), JsValue> {
    let updates = Reflect::get(&input, &"updates".into())?;
    let limit = Reflect::get(&input, &"limit".into())?
        .as_f64()
        .ok_or_else(|| js_error("the input has no numeric `limit`"))? as u32;
    let mut tx = spsc::Sender::<Update>::from_js(&updates).map_err(js_error)?;
    wasm_rs_async_executor::block_on(async move {
        let mut tally = Tally::default();
        for (start, end) in chunks(limit, CHUNK) {
            tally = tally + double_palindromes_between(start, end);
            let progress = Update::Progress {
                done: end,
                total: limit,
            };
            tx.send_async(progress).await.map_err(js_error)?;
        }
        tx.send_async(Update::Done(tally)).await.map_err(js_error)
    })
    .map_err(|e| js_error(format!("the executor stopped: {e:?}")))?
}
// ANCHOR_END: worker
