//! Benchmark figures for requests from the main thread to the store's worker through the
//! shared channel (`--features bench`, release, printed, never asserted on time):
//!
//! ```text
//! WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test -p opfs-kv-worker --release --features bench \
//!   --target wasm32-unknown-unknown --test bench_client -- --nocapture
//! ```
#![cfg(all(target_arch = "wasm32", feature = "bench"))]

use opfs_kv_worker::KvWorker;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_rs_async_executor::Instant;

wasm_bindgen_test_configure!(run_in_browser);

const REQUESTS: u32 = 2_000;
const VALUE: [u8; 100] = [7; 100];

#[wasm_bindgen_test]
async fn bench_client_puts_and_gets_from_the_main_thread() {
    let glue = wasm_rs_worker::glue_url().unwrap();
    let name = format!("bench-client-{}", js_sys::Math::random().to_bits());
    let (mut worker, _) = KvWorker::open(&glue, &name).await.unwrap();
    let client = worker.client();
    let start = Instant::now();
    for i in 0..REQUESTS {
        client.put(&i.to_be_bytes(), &VALUE).await.unwrap();
    }
    let puts = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for i in 0..REQUESTS {
        let value = client.get(&i.to_be_bytes()).await.unwrap();
        assert_eq!(value.as_deref(), Some(&VALUE[..]));
    }
    let gets = start.elapsed().as_secs_f64();
    console_log!(
        "opfs-kv-worker from the main thread: puts (each flushed before its reply) {:.0}/s; gets {:.0}/s",
        f64::from(REQUESTS) / puts,
        f64::from(REQUESTS) / gets,
    );
    assert_eq!(worker.close().await.unwrap(), u64::from(2 * REQUESTS));
}
