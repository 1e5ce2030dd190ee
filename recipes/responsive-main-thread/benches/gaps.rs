//! The longest gap between animation frames while CPU-heavy work runs on the page's main
//! thread: the executor with time slicing, and the executor with a budget of work per frame,
//! each against the same work under `spawn_local` (the peer), in the same page.
//!
//! Run it with `cargo xtask bench --suite responsive-main-thread` (a release build, a fresh
//! headless Chromium page per run; the figures land on the responsive-main-thread page of
//! the book with `--update-book`). The module exports `bench_run(env, quick)`, which
//! measures one run and returns its report as JSON (`ci/bench-support/report.rs`).
//!
//! A run is one call of the recipe's `compare`, the code the demo and the test run: the work
//! is sized on the page first (chunks of about 1 ms, repeated under `spawn_local` until they
//! take 1.2 s, as in the test; 100 ms in a quick run), then the same work runs under the
//! executor's time slicing and one budget per frame.

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn main() {
    println!(
        "the responsive-main-thread benchmark runs in a browser (wasm32-unknown-unknown): run `cargo xtask bench --suite responsive-main-thread`"
    );
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn main() {}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use std::time::Duration;

    use responsive_main_thread::{Measurement, compare};
    use wasm_bindgen::prelude::*;

    use crate::report::{Better, Report, report_panics};

    /// One run's work and frames, for a note: "1714 ms of work, 1 gap".
    fn observed(m: &Measurement) -> String {
        let gaps = m.gaps.count();
        format!(
            "{:.0} ms of work, {gaps} gap{}",
            m.work_ms,
            if gaps == 1 { "" } else { "s" }
        )
    }

    async fn run(env: &str, quick: bool) -> Result<String, JsValue> {
        let err = |e: &dyn std::fmt::Display| JsValue::from_str(&e.to_string());
        let target_ms = if quick { 100 } else { 1200 };
        let [local, sliced, framed] = compare(Duration::from_millis(target_ms))
            .await
            .map_err(|e| err(&e))?;
        if local.result != sliced.result || sliced.result != framed.result {
            return Err(err(&"the three ways computed different results"));
        }
        let mut r = Report::new("responsive-main-thread", env);
        let what = format!("longest frame gap, ≥ {target_ms} ms of work");
        for (id, way, m) in [
            ("time-slicing", "executor, time slicing", &sliced),
            ("per-frame", "executor, per frame", &framed),
        ] {
            r.figure(
                id,
                format!("{what}: {way}"),
                "ms",
                Better::Lower,
                &[
                    (way, m.gaps.longest()),
                    ("spawn_local", local.gaps.longest()),
                ],
            );
            r.note(format!(
                "{way}: {}, {:.0} per second of work; spawn_local: {}",
                observed(m),
                m.gaps.count() as f64 * 1000.0 / m.work_ms,
                observed(&local)
            ));
        }
        Ok(r.to_json())
    }

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` sizes the work to 100 ms instead of 1.2 s.
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
