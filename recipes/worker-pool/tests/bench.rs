//! The speedup of a CPU-bound job set: the same 32 prime-counting jobs on a pool of one
//! worker, of two, and of the default size, timed in the same run. A figure to read, not a
//! timed assertion: run it in release, on the browser's main thread, with
//!
//! ```text
//! WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test -p worker-pool --release --features bench --target wasm32-unknown-unknown \
//!   --test bench -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_worker::glue_url;
use worker_pool::{Job, Pool, PoolOptions, default_worker_count, hardware_concurrency, prime_jobs};

/// Milliseconds since the page started.
fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| {
            let now: js_sys::Function = js_sys::Reflect::get(&p, &"now".into()).ok()?.into();
            now.call0(&p).ok()?.as_f64()
        })
        .unwrap_or(f64::NAN)
}

#[wasm_bindgen_test]
async fn speedup_of_a_cpu_bound_job_set() {
    const ROUNDS: usize = 7;
    let jobs = prime_jobs(32, 40_000);
    let default = default_worker_count(hardware_concurrency());
    let mut sizes = vec![1, 2];
    if !sizes.contains(&default) {
        sizes.push(default);
    }
    let mut pools = Vec::new();
    for &workers in &sizes {
        let options = PoolOptions {
            workers: Some(workers),
            ..PoolOptions::default()
        };
        let pool = Pool::<Job, u64>::start(&glue_url().unwrap(), "pool_worker", options)
            .await
            .unwrap();
        pools.push(pool);
    }
    // One untimed run each (the engine's optimizing tier), then the sizes take turns, so a
    // burst of load from elsewhere on the machine hits them alike.
    let reference = pools[0].run(&jobs).await.unwrap();
    for pool in &mut pools[1..] {
        assert_eq!(pool.run(&jobs).await.unwrap(), reference);
    }
    let mut times = vec![Vec::new(); pools.len()];
    for _ in 0..ROUNDS {
        for (pool, times) in pools.iter_mut().zip(&mut times) {
            let start = now_ms();
            let counts = pool.run(&jobs).await.unwrap();
            times.push(now_ms() - start);
            assert_eq!(counts, reference, "the same results in the same order");
        }
    }
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect();
    web_sys::console::log_1(
        &format!(
            "navigator.hardwareConcurrency = {:?}, default pool size {default}; \
             32 jobs counting the primes below {}",
            hardware_concurrency(),
            32 * 40_000
        )
        .into(),
    );
    for (workers, ms) in sizes.iter().zip(&medians) {
        web_sys::console::log_1(
            &format!(
                "{workers} worker(s): median {ms:.0} ms over {ROUNDS} runs; \
                 speedup against 1 worker: {:.2}x",
                medians[0] / ms
            )
            .into(),
        );
    }
}

#[wasm_bindgen_test]
async fn the_demo_runs() {
    // The book's Run button, in a release build: its lines are printed with --nocapture.
    worker_pool::run_demo().await.unwrap();
}
