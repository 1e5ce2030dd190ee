//! The runtime on one thread, the same on every host: a spawned task sleeps 30 ms and
//! then sends 100 messages through a channel to the main future, which sums them; `dbg!`
//! shows the result. Built natively, for `wasm32-wasip1` and for `wasm32-wasip2`, it
//! prints the same lines everywhere (`cargo xtask test --only wasi` checks that):
//!
//! ```text
//! cargo run -p wasm-rs-shared-channel --example wasi_tour
//! cargo build -p wasm-rs-shared-channel --example wasi_tour --target wasm32-wasip1
//! wasmtime target/wasm32-wasip1/debug/examples/wasi_tour.wasm
//! ```

use std::time::Duration;

use wasm_rs_async_executor::{Instant, block_on, sleep, spawn};
use wasm_rs_dbg::dbg;
use wasm_rs_shared_channel::spsc;

fn main() {
    let (mut tx, mut rx) = spsc::channel::<u32>(256).expect("a 256-byte channel");
    let started = Instant::now();
    let producer = spawn(async move {
        sleep(Duration::from_millis(30)).await;
        for i in 1..=100 {
            tx.send_async(i).await.expect("the receiver is alive");
        }
        Instant::now() - started
    });
    let (sum, count, slept) = block_on(async move {
        let (mut sum, mut count) = (0u32, 0u32);
        while let Ok(n) = rx.recv_async().await {
            sum += n;
            count += 1;
        }
        let slept = producer.await.expect("the producer finished");
        (sum, count, slept)
    })
    .expect("nothing blocks forever here");
    dbg!(count, sum);
    // The 30 ms are host time: a real clock, on every host.
    println!(
        "slept at least 30 ms: {}",
        slept >= Duration::from_millis(30)
    );
}
