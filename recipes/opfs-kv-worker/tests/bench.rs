//! Benchmark figures, printed and not timed against a limit (`--features bench`, release):
//!
//! ```text
//! WASM_BINDGEN_USE_DEDICATED_WORKER=1 CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test -p opfs-kv-worker --release --features bench \
//!   --target wasm32-unknown-unknown --test bench -- --nocapture
//! ```
//!
//! The store runs in a dedicated worker on OPFS; `tests/bench_client.rs` times requests
//! from the main thread through the shared channel.
#![cfg(all(target_arch = "wasm32", feature = "bench"))]

use opfs_kv_worker::Store;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_rs_async_executor::Instant;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

// 100,000 records of 100-byte values, as the issue asks.
const RECORDS: u32 = 100_000;
const VALUE: [u8; 100] = [7; 100];

fn unique(name: &str) -> String {
    format!("{name}-{}", js_sys::Math::random().to_bits())
}

fn key(i: u32) -> [u8; 8] {
    // Spread keys over the index like hashed ids.
    u64::from(i.wrapping_mul(2_654_435_761)).to_be_bytes()
}

fn per_second(n: u32, seconds: f64) -> String {
    format!("{:.0}/s", f64::from(n) / seconds)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[wasm_bindgen_test]
async fn bench_store_puts_gets_and_reopen() {
    let name = unique("bench");
    let mut store = Store::open_opfs(&name).await.unwrap();

    // Puts, flushed once per 1,000 (a batch per commit point).
    let start = Instant::now();
    for i in 0..RECORDS {
        store.put(&key(i), &VALUE).unwrap();
        if i % 1000 == 999 {
            store.flush().unwrap();
        }
    }
    store.flush().unwrap();
    let batched = start.elapsed().as_secs_f64();

    // Gets of every key, in a different order than written.
    let start = Instant::now();
    for i in (0..RECORDS).rev() {
        assert_eq!(store.get(&key(i)).unwrap().as_deref(), Some(&VALUE[..]));
    }
    let gets = start.elapsed().as_secs_f64();

    // Puts flushed one by one (what the worker does for every Put request), 3 runs.
    let durable: Vec<f64> = (0..3)
        .map(|run| {
            let start = Instant::now();
            for i in 0..2_000 {
                store.put(&key(i + run * 2_000), &VALUE).unwrap();
                store.flush().unwrap();
            }
            2_000.0 / start.elapsed().as_secs_f64()
        })
        .collect();
    let stats = store.stats();
    drop(store);

    // Reopen: read the file and rebuild the index of 100,000 live keys (+6,000 records).
    let reopen: Vec<f64> = {
        let mut times = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let store = Store::open_opfs(&name).await.unwrap();
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(store.stats(), stats);
        }
        times
    };
    console_log!(
        "opfs-kv-worker in a dedicated worker: puts (flush per 1000) {}; gets {}; puts (flush each) median {:.0}/s; reopen {} records ({} bytes): median {:.1} ms",
        per_second(RECORDS, batched),
        per_second(RECORDS, gets),
        median(durable),
        stats.records,
        stats.file_bytes,
        median(reopen),
    );
    assert_eq!(stats.live_keys, u64::from(RECORDS));
}
