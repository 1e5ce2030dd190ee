//! Hello, wasm-rs: the three runtime crates in one small program.
//!
//! A task spawned on `wasm-rs-async-executor` sends greetings on a timer through a
//! `wasm-rs-shared-channel` channel, and `wasm-rs-dbg`'s `dbg!` prints each one as it arrives:
//! to the terminal natively, to the JS console in a browser, a worker or Node.

use std::error::Error;
use std::time::Duration;

use wasm_rs_async_executor::{sleep, spawn};
use wasm_rs_dbg::dbg;
use wasm_rs_shared_channel::RecvError;
use wasm_rs_shared_channel::spsc;

#[cfg(target_arch = "wasm32")]
mod demo;
#[cfg(target_arch = "wasm32")]
pub use demo::run_demo;

/// Spawns a task that sends `count` greetings, one every 5 ms, through a shared-memory
/// channel, and returns them in the order they arrived.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// # {
/// let greetings = wasm_rs_async_executor::block_on(hello_wasm_rs::greetings(2))
///     .unwrap()
///     .unwrap();
/// assert_eq!(greetings, ["hello #1", "hello #2"]);
/// # }
/// ```
// ANCHOR: greetings
pub async fn greetings(count: u32) -> Result<Vec<String>, Box<dyn Error>> {
    // 1 KiB of ring buffer: small messages, so it never fills.
    let (mut tx, mut rx) = spsc::channel::<String>(1024)?;

    let producer = spawn(async move {
        for i in 1..=count {
            sleep(Duration::from_millis(5)).await;
            tx.send_async(format!("hello #{i}")).await?;
        }
        // Dropping `tx` here disconnects the channel once the receiver has drained it.
        Ok::<_, Box<dyn Error>>(())
    });

    let mut greetings = Vec::new();
    loop {
        match rx.recv_async().await {
            Ok(received) => greetings.push(dbg!(received)),
            Err(RecvError::Disconnected) => break,
            Err(e) => return Err(e.into()),
        }
    }
    producer.await??;
    dbg!(greetings.len());
    Ok(greetings)
}
// ANCHOR_END: greetings
