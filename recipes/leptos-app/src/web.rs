//! The worker and the page's side of the channel; the Leptos side is in `app`.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_rs_shared_channel::spsc;

use crate::{Tally, Update, chunks, happy_numbers_between};

mod app;

pub use app::{App, AppProps, LIMIT, start};

/// Numbers checked between two progress updates.
const CHUNK: u32 = 10_000;

fn js_error(e: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

// ANCHOR: page
/// Called on the page (by the component): starts a worker on this same module, hands it the
/// sending end of a shared channel and `limit`, and reads the updates as they come
/// (`recv_async` waits with `Atomics.waitAsync`, so the page never blocks). Each update is
/// passed to `on_update`, the last one being [`Update::Done`]; the result is what the worker
/// found, or why it found nothing.
///
/// ```no_run
/// # async fn example() {
/// let mut updates = 0;
/// let found = leptos_app::happy_numbers_in_worker(20, |_| updates += 1).await;
/// assert_eq!(found.map(|tally| tally.count), Ok(5));
/// # }
/// ```
pub async fn happy_numbers_in_worker(
    limit: u32,
    mut on_update: impl FnMut(&Update),
) -> Result<Tally, String> {
    let (tx, mut rx) = spsc::channel::<Update>(64 * 1024).map_err(|e| e.to_string())?;
    let input = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&input, &key.into(), value);
    set("updates", &tx.into_js()).map_err(|e| format!("{e:?}"))?;
    set("limit", &limit.into()).map_err(|e| format!("{e:?}"))?;
    let glue = wasm_rs_worker::glue_url().map_err(|e| e.to_string())?;
    let mut worker = wasm_rs_worker::spawn_worker(&glue, "leptos_app_worker", input.into())
        .await
        .map_err(|e| e.to_string())?;
    loop {
        match rx.recv_async().await {
            Ok(update) => {
                on_update(&update);
                if let Update::Done(tally) = update {
                    worker.join().await.map_err(|e| e.to_string())?;
                    return Ok(tally);
                }
            }
            // The worker ended without a result: its own error says why.
            Err(e) => {
                return Err(match worker.join().await {
                    Err(why) => why.to_string(),
                    Ok(_) => e.to_string(),
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
/// leptos_app::leptos_app_worker(input)?;
/// # Ok(()) }
/// ```
#[wasm_bindgen]
pub fn leptos_app_worker(input: JsValue) -> Result<(), JsValue> {
    let updates = Reflect::get(&input, &"updates".into())?;
    let limit = Reflect::get(&input, &"limit".into())?
        .as_f64()
        .ok_or_else(|| js_error("the input has no numeric `limit`"))? as u32;
    let mut tx = spsc::Sender::<Update>::from_js(&updates).map_err(js_error)?;
    wasm_rs_async_executor::block_on(async move {
        let mut tally = Tally::default();
        for (start, end) in chunks(limit, CHUNK) {
            tally = tally + happy_numbers_between(start, end);
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
