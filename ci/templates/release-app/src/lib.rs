//! What a user's app does with the runtime crates: a task, a timer, a shared-memory channel,
//! `dbg!`, and on wasm32 a worker started on the app's own module.

use std::time::Duration;

use wasm_rs_async_executor::{sleep, spawn};
use wasm_rs_dbg::dbg;
use wasm_rs_shared_channel::{RecvError, spsc};

/// Sends `1..=n` from a spawned task through a channel, after a short sleep, and returns the
/// sum of what arrived, in order.
pub async fn pipeline(n: u32) -> Result<u64, String> {
    let (mut tx, mut rx) = spsc::channel::<u32>(256).map_err(|e| e.to_string())?;
    let producer = spawn(async move {
        sleep(Duration::from_millis(5)).await;
        for i in 1..=n {
            tx.send_async(i).await.map_err(|e| e.to_string())?;
        }
        Ok::<_, String>(())
    });
    let (mut sum, mut expected) = (0u64, 1u32);
    loop {
        match rx.recv_async().await {
            Ok(i) if i == expected => {
                sum += u64::from(i);
                expected += 1;
            }
            Ok(i) => return Err(format!("expected {expected}, received {i}")),
            Err(RecvError::Disconnected) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    producer.await.map_err(|e| e.to_string())??;
    Ok(dbg!(sum))
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use web::*;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use wasm_bindgen::prelude::*;
    use wasm_rs_shared_channel::{RecvError, spsc};

    /// Runs in the worker: sums what arrives on the channel until the sender is dropped.
    #[wasm_bindgen]
    pub fn release_sum_job(end: JsValue) -> Result<f64, JsError> {
        let mut rx = spsc::Receiver::<u32>::from_js(&end)?;
        let mut sum = 0u64;
        loop {
            match rx.recv() {
                Ok(i) => sum += u64::from(i),
                Err(RecvError::Disconnected) => return Ok(sum as f64),
                Err(e) => return Err(JsError::new(&e.to_string())),
            }
        }
    }

    /// On the main thread: starts a worker with wasm-rs-worker and streams `1..=n` to it.
    pub async fn sum_in_worker(n: u32) -> Result<u64, String> {
        let (mut tx, rx) = spsc::channel::<u32>(256).map_err(|e| e.to_string())?;
        let glue = wasm_rs_worker::glue_url().map_err(|e| e.to_string())?;
        let mut worker = wasm_rs_worker::spawn_worker(&glue, "release_sum_job", rx.into_js())
            .await
            .map_err(|e| e.to_string())?;
        for i in 1..=n {
            tx.send_async(i).await.map_err(|e| e.to_string())?;
        }
        drop(tx);
        let sum = worker.join().await.map_err(|e| e.to_string())?;
        sum.as_f64().map(|s| s as u64).ok_or_else(|| format!("not a number: {sum:?}"))
    }
}
