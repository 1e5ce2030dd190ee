//! The speedup of a Mandelbrot drawn on two worker threads against one thread: the page's
//! main thread drawing it alone (the peer), two workers started first and released together
//! (the computation alone), and two workers started for the job (`render_parallel`, the
//! threads' starts included).
//!
//! Run it with `cargo xtask bench --suite wasm-threads`: xtask builds it as the threads
//! suite builds this recipe (its nightly, `-Zbuild-std`, the threads flags), in release, and
//! runs it in a fresh headless, cross-origin-isolated Chromium page per run; the figures
//! land on the wasm-threads page of the book with `--update-book`. The module exports
//! `bench_run(env, quick)`, which measures one run and returns its report as JSON
//! (`ci/bench-support/report.rs`); the threads' workers load this same module on its
//! shared memory.
//!
//! In a run each way draws the image once untimed (the engine's optimizing tier), then the
//! three take turns for a number of rounds, so that load from elsewhere on the machine hits
//! them alike; every image is checked against the one thread's, and a figure is the median
//! of a way's rounds.

// A threads build only (the library stops at a `compile_error!` elsewhere): the page calls
// `bench_run`, and `main` does nothing.
fn main() {}

#[path = "../../../ci/bench-support/report.rs"]
mod report;

mod web {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use wasm_bindgen::prelude::*;
    use wasm_rs_async_executor::Instant;
    use wasm_threads::mandelbrot::{View, band, interleave, render, render_parallel};
    use wasm_threads::{ThreadError, hardware_concurrency, spawn};

    use crate::report::{Better, Report, median, report_panics};

    const THREADS: usize = 2;

    fn js(e: ThreadError) -> JsValue {
        JsValue::from_str(&e.to_string())
    }

    fn ms_since(started: Instant) -> f64 {
        started.elapsed().as_secs_f64() * 1000.0
    }

    /// The image on `THREADS` workers that are started first and wait on a flag: only the
    /// computation and the joins are timed.
    async fn released_together(view: &View) -> Result<(f64, Vec<u32>), ThreadError> {
        let go = Arc::new(AtomicBool::new(false));
        let mut handles = Vec::with_capacity(THREADS);
        for first in 0..THREADS {
            let (go, view) = (Arc::clone(&go), *view);
            handles.push(
                spawn(move || {
                    while !go.load(Ordering::Acquire) {
                        std::hint::spin_loop();
                    }
                    band(&view, first, THREADS)
                })
                .await?,
            );
        }
        let started = Instant::now();
        go.store(true, Ordering::Release);
        let mut bands = Vec::with_capacity(THREADS);
        for handle in handles {
            bands.push(handle.join_async().await?);
        }
        Ok((ms_since(started), interleave(bands)))
    }

    async fn run(env: &str, quick: bool) -> Result<String, JsValue> {
        let (rounds, view) = if quick {
            let view = View {
                width: 200,
                height: 150,
                max_iter: 100,
                step: 3.0 / 200.0,
                ..View::timed()
            };
            (1, view)
        } else {
            (5, View::timed())
        };
        let reference = render(&view);
        let check = |image: &[u32], way: &str| {
            if image == reference {
                Ok(())
            } else {
                Err(JsValue::from_str(&format!(
                    "{way} drew a different image than one thread"
                )))
            }
        };
        check(
            &render_parallel(&view, THREADS).await.map_err(js)?,
            "render_parallel",
        )?;
        check(
            &released_together(&view).await.map_err(js)?.1,
            "released together",
        )?;
        let (mut one, mut together, mut with_starts) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let started = Instant::now();
            let image = render(&view);
            one.push(ms_since(started));
            check(&image, "one thread")?;

            let started = Instant::now();
            let image = render_parallel(&view, THREADS).await.map_err(js)?;
            with_starts.push(ms_since(started));
            check(&image, "render_parallel")?;

            let (ms, image) = released_together(&view).await.map_err(js)?;
            together.push(ms);
            check(&image, "released together")?;
        }
        let [one, together, with_starts] = [median(&one), median(&together), median(&with_starts)];
        let what = format!(
            "Mandelbrot {}×{}, {} iterations",
            view.width, view.height, view.max_iter
        );
        let of = format!(
            "median of {rounds} round(s); hardwareConcurrency {}",
            hardware_concurrency()
        );
        let mut r = Report::new("wasm-threads", env);
        r.figure(
            "two-workers",
            format!("{what}: {THREADS} workers, started first and released together"),
            "ms",
            Better::Lower,
            &[("2 workers", together), ("1 thread (main)", one)],
        );
        r.note(format!("speedup {:.2}× ({of})", one / together));
        r.figure(
            "two-workers-with-starts",
            format!("{what}: {THREADS} workers, thread starts included (render_parallel)"),
            "ms",
            Better::Lower,
            &[("2 workers", with_starts), ("1 thread (main)", one)],
        );
        r.note(format!(
            "speedup {:.2}×; starting the threads cost {:.0} ms ({of})",
            one / with_starts,
            with_starts - together
        ));
        Ok(r.to_json())
    }

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` draws a small image, once.
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
