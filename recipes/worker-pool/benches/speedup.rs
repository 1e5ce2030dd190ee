//! The speedup of a CPU-bound job set: the same 32 prime-counting jobs on a pool of one
//! worker (the peer), of two, of four, and of the default size, in the same page.
//!
//! Run it with `cargo xtask bench --suite worker-pool` (a release build, a fresh headless
//! Chromium page per run; the figures land on the worker-pool page of the book with
//! `--update-book`). The module exports `bench_run(env, quick)`, which measures one run and
//! returns its report as JSON (`ci/bench-support/report.rs`); the pools' workers load this
//! same module and run its `pool_worker` export.
//!
//! In a run every pool is started first and warmed by one untimed run (the engine's
//! optimizing tier), then the sizes take turns for a number of rounds, so that load from
//! elsewhere on the machine hits them alike; a figure is the median of a size's rounds.

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn main() {
    println!(
        "the worker-pool benchmark runs in a browser (wasm32-unknown-unknown): run `cargo xtask bench --suite worker-pool`"
    );
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn main() {}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use wasm_bindgen::prelude::*;
    use worker_pool::{
        Job, Pool, PoolOptions, default_worker_count, hardware_concurrency, prime_jobs,
    };

    use crate::report::{Better, Report, median, report_panics};

    // The pools' workers call this module's `pool_worker` export: keep it linked.
    #[allow(unused_imports, reason = "linked for the workers, not called here")]
    use worker_pool::pool_worker as _;

    /// Milliseconds on the page's clock.
    fn now_ms() -> f64 {
        js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| {
                let now: js_sys::Function = js_sys::Reflect::get(&p, &"now".into()).ok()?.into();
                now.call0(&p).ok()?.as_f64()
            })
            .unwrap_or(f64::NAN)
    }

    async fn run(env: &str, quick: bool) -> Result<String, JsValue> {
        let err = |e: &dyn std::fmt::Display| JsValue::from_str(&e.to_string());
        let (rounds, chunks, chunk) = if quick {
            (1, 8, 5_000)
        } else {
            (7, 32, 40_000)
        };
        let jobs = prime_jobs(chunks, chunk);
        let cores = hardware_concurrency();
        let default = default_worker_count(cores);
        let sizes = [1, 2, 4, default];
        let glue = wasm_rs_worker::glue_url().map_err(|e| err(&e))?;
        let mut pools = Vec::new();
        for &workers in &sizes {
            let options = PoolOptions {
                workers: Some(workers),
                ..PoolOptions::default()
            };
            let pool = Pool::<Job, u64>::start(&glue, "pool_worker", options)
                .await
                .map_err(|e| err(&e))?;
            pools.push(pool);
        }
        // The untimed run; one worker runs the jobs one after another, so its results are
        // the reference every other size must return, in the same order.
        let reference = pools[0].run(&jobs).await.map_err(|e| err(&e))?;
        for pool in &mut pools[1..] {
            let counts = pool.run(&jobs).await.map_err(|e| err(&e))?;
            if counts != reference {
                return Err(err(&"a pool returned other results than one worker"));
            }
        }
        let mut times = vec![Vec::new(); pools.len()];
        for _ in 0..rounds {
            for (pool, times) in pools.iter_mut().zip(&mut times) {
                let start = now_ms();
                let counts = pool.run(&jobs).await.map_err(|e| err(&e))?;
                times.push(now_ms() - start);
                if counts != reference {
                    return Err(err(&"a pool returned other results than one worker"));
                }
            }
        }
        let ms: Vec<f64> = times.iter().map(|t| median(t)).collect();
        let mut r = Report::new("worker-pool", env);
        let what = format!("{chunks} prime-counting jobs");
        let cores = cores.map_or_else(|| "hidden".to_string(), |c| c.to_string());
        for (i, id, label) in [
            (1, "pool-2", format!("{what}, 2 workers")),
            (2, "pool-4", format!("{what}, 4 workers")),
            (
                3,
                "pool-default",
                format!("{what}, default size ({default}; hardwareConcurrency {cores})"),
            ),
        ] {
            r.figure(
                id,
                label,
                "ms",
                Better::Lower,
                &[("this pool", ms[i]), ("1 worker", ms[0])],
            );
            r.note(format!(
                "speedup against 1 worker: {:.2}× ({} worker(s), median of {rounds} round(s))",
                ms[0] / ms[i],
                sizes[i]
            ));
        }
        Ok(r.to_json())
    }

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` runs a smaller job set once.
    #[wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to JS; it must be pub"
    )]
    pub async fn bench_run(env: String, quick: bool) -> Result<String, JsValue> {
        report_panics();
        run(&env, quick).await
    }
}
