//! The book's live demo: the Mandelbrot set on one thread, then on worker threads.

use crate::{hardware_concurrency, mandelbrot};

// ANCHOR: demo
/// The book's live demo: draws the Mandelbrot set once on this thread and once split over
/// worker threads that share this module's memory, prints both times and the speedup
/// (thread start-up included), and checks that both images are identical.
///
/// ```no_run
/// # async fn example() -> Result<(), wasm_bindgen::JsValue> {
/// wasm_threads::run_demo().await?;
/// # Ok(())
/// # }
/// ```
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn run_demo() -> Result<(), wasm_bindgen::JsValue> {
    use wasm_rs_async_executor::Instant;
    let log = |line: String| web_log(&line);
    let view = mandelbrot::View::timed();
    let threads = hardware_concurrency().clamp(2, 4);
    log(format!(
        "Mandelbrot {}x{}, {} iterations; this machine reports {} cores",
        view.width,
        view.height,
        view.max_iter,
        hardware_concurrency()
    ));
    let started = Instant::now();
    let serial = mandelbrot::render(&view);
    let serial_ms = started.elapsed().as_secs_f64() * 1000.0;
    log(format!("1 thread (this one): {serial_ms:.0} ms"));
    let started = Instant::now();
    let parallel = mandelbrot::render_parallel(&view, threads)
        .await
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))?;
    let parallel_ms = started.elapsed().as_secs_f64() * 1000.0;
    log(format!(
        "{threads} worker threads, starting them included: {parallel_ms:.0} ms ({:.2}x)",
        serial_ms / parallel_ms
    ));
    if parallel != serial {
        return Err("the threads drew a different image than one thread".into());
    }
    log("images are identical".to_string());
    Ok(())
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn web_log(line: &str);
}
// ANCHOR_END: demo
