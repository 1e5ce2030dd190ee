//! The book's Run button: the same jobs on pools of 1, 2 and the default number of workers,
//! then a job whose worker dies.

use wasm_bindgen::prelude::*;

use crate::{Pool, PoolOptions, default_worker_count, hardware_concurrency};

/// The book's Run button: its console lines appear in the page's output panel. See the
/// book page for what it prints.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn example() -> Result<(), wasm_bindgen::JsValue> {
/// worker_pool::run_demo().await?;
/// # Ok(()) }
/// ```
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn run_demo() -> Result<(), wasm_bindgen::JsValue> {
    demo()
        .await
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console)]
    fn log(line: &str);
}

// ANCHOR: demo
/// What `run_demo` runs: the same 32 jobs on pools of one worker, two and the default size,
/// then a job that kills its worker on its first attempt.
pub(crate) async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let glue = wasm_rs_worker::glue_url()?;
    let default = default_worker_count(hardware_concurrency());
    log(&format!(
        "navigator.hardwareConcurrency = {:?}: the default pool has {default} worker(s)",
        hardware_concurrency()
    ));
    let jobs = crate::prime_jobs(32, 40_000);
    let mut baseline: Vec<u64> = Vec::new();
    let mut one_worker_ms = f64::NAN;
    for workers in [1, 2, default] {
        let options = PoolOptions {
            workers: Some(workers),
            ..PoolOptions::default()
        };
        let mut pool = Pool::<crate::Job, u64>::start(&glue, "pool_worker", options).await?;
        let start = web_time::Instant::now();
        let counts = pool.run(&jobs).await?;
        let ms = start.elapsed().as_secs_f64() * 1e3;
        drop(pool); // terminates its workers
        if baseline.is_empty() {
            // One worker runs the jobs one after another: its results are the reference.
            baseline = counts.clone();
            one_worker_ms = ms;
        }
        log(&format!(
            "{workers} worker(s): {} primes below {} in {ms:.0} ms; results in input order: {}",
            counts.iter().sum::<u64>(),
            32 * 40_000,
            if counts == baseline { "yes" } else { "NO" }
        ));
        if workers > 1 {
            log(&format!(
                "speedup with {workers} workers against 1: {:.2}x",
                one_worker_ms / ms
            ));
        }
    }
    let mut pool =
        Pool::<crate::Job, u64>::start(&glue, "pool_worker", PoolOptions::default()).await?;
    let flaky = [
        crate::Job::CountPrimes {
            start: 0,
            end: 1000,
        },
        crate::Job::Crash { attempts: 1 },
    ];
    let results = pool.run(&flaky).await?;
    log(&format!(
        "job 1 panicked its worker on attempt 1 and was retried on a fresh worker, #{}; \
         results {results:?}",
        results[1]
    ));
    Ok(())
}
// ANCHOR_END: demo
