//! The Mandelbrot speedup against one thread: printed, not asserted (timings on a shared
//! machine are noise for a test; run it with `--release -- --nocapture` to read them).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use wasm_bindgen_test::{console_log, wasm_bindgen_test};
use wasm_rs_async_executor::Instant;
use wasm_threads::mandelbrot::{View, render, render_parallel, row};
use wasm_threads::{ThreadError, hardware_concurrency, spawn};

const RUNS: usize = 5;

fn median(mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}

#[wasm_bindgen_test]
async fn mandelbrot_speedup_against_one_thread() -> Result<(), ThreadError> {
    let view = View::timed();
    let mut serial_ms = Vec::new();
    let mut serial = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        serial = render(&view);
        serial_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let serial_ms = median(serial_ms);
    console_log!(
        "mandelbrot {}x{}, {} iterations: 1 thread (main, no worker) {serial_ms:.1} ms \
         (median of {RUNS}); hardwareConcurrency {}",
        view.width,
        view.height,
        view.max_iter,
        hardware_concurrency()
    );
    for threads in [1, 2, 4] {
        let mut ms = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let image = render_parallel(&view, threads).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(image, serial, "{threads} threads drew a different image");
        }
        let parallel_ms = median(ms);
        console_log!(
            "  {threads} worker thread(s), worker starts included: {parallel_ms:.1} ms, \
             speedup {:.2}x",
            serial_ms / parallel_ms
        );
    }
    // The computation alone: threads started first, then released together.
    for threads in [1usize, 2] {
        let mut ms = Vec::new();
        for _ in 0..RUNS {
            let go = Arc::new(AtomicBool::new(false));
            let mut handles = Vec::new();
            for first in 0..threads {
                let go = Arc::clone(&go);
                handles.push(
                    spawn(move || {
                        while !go.load(Ordering::Acquire) {
                            std::hint::spin_loop();
                        }
                        (first as u32..view.height)
                            .step_by(threads)
                            .map(|y| row(&view, y).len())
                            .sum::<usize>()
                    })
                    .await?,
                );
            }
            let t = Instant::now();
            go.store(true, Ordering::Release);
            let mut pixels = 0;
            for handle in handles {
                pixels += handle.join_async().await?;
            }
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(pixels, serial.len());
        }
        let parallel_ms = median(ms);
        console_log!(
            "  {threads} worker thread(s), already started: {parallel_ms:.1} ms, speedup {:.2}x",
            serial_ms / parallel_ms
        );
    }
    Ok(())
}
