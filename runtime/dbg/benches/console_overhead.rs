//! `dbg!` against the same line written by hand as `console.log(format!(..))`, in the same
//! run, on wasm32-unknown-unknown. Commands and results: `benches/README.md`.
//!
//! Two consoles:
//! - `sink`: `console.log` replaced by an empty JS function, so the figure is everything the
//!   Rust side does (format, worker check, the call into JS) with nothing to hide behind;
//! - `console` (Node only): the real `console.log`, writing to stdout (under
//!   wasm-bindgen-test-runner, which wraps it; the same wrapper for both variants).
//!
//! Each variant runs in batches of at least 5 ms, alternating which goes first, for many
//! rounds; the report is the median time per call of each and the median of the per-round
//! ratios (a round whose batches were preempted moves the median little).
#![cfg(target_family = "wasm")]

use std::hint::black_box;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(inline_js = r#"
let saved = null;
export function now() { return performance.now(); }
export function sink_start() { saved = console.log; console.log = function () {}; }
export function sink_stop() { if (saved !== null) { console.log = saved; saved = null; } }
export function in_node() { return typeof process === "object" && typeof window === "undefined" && typeof WorkerGlobalScope === "undefined"; }
export function report(text) { (saved ?? console.log).call(console, text); }
"#)]
extern "C" {
    fn now() -> f64;
    fn sink_start();
    fn sink_stop();
    fn report(text: &str);
    fn in_node() -> bool;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn hand_written_log(text: &str);
}

#[derive(Debug)]
struct Frame {
    id: u32,
    label: &'static str,
    samples: [u16; 3],
}

impl Frame {
    fn checksum(&self) -> u32 {
        self.id + self.label.len() as u32 + u32::from(self.samples[2])
    }
}

#[inline(never)]
fn with_dbg(frame: &Frame) -> u32 {
    wasm_rs_dbg::dbg!(frame).checksum()
}

#[inline(never)]
fn by_hand(frame: &Frame) -> u32 {
    hand_written_log(&format!(
        "[{}:{}:{}] {} = {:#?}",
        file!(),
        line!(),
        column!(),
        "frame",
        &frame
    ));
    frame.checksum()
}

/// Nanoseconds per call of `f` over a batch of `n` calls.
fn batch(n: u32, frame: &Frame, f: fn(&Frame) -> u32) -> f64 {
    let start = now();
    for _ in 0..n {
        black_box(f(black_box(frame)));
    }
    (now() - start) * 1e6 / f64::from(n)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn compare(console: &str, rounds: usize) {
    let frame = Frame {
        id: 7,
        label: "tick",
        samples: [1, 2, 3],
    };
    // Warm up (the engine tiers up hot wasm functions), then calibrate: enough calls for a
    // batch of at least 10 ms.
    let warm_up_until = now() + 200.0;
    while now() < warm_up_until {
        batch(16, &frame, with_dbg);
        batch(16, &frame, by_hand);
    }
    let mut n = 16;
    while batch(n, &frame, by_hand) * f64::from(n) < 5e6 {
        n *= 2;
    }
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which goes first, so neither always runs on a warmer machine.
        let (a, b) = if round % 2 == 0 {
            let a = batch(n, &frame, with_dbg);
            (a, batch(n, &frame, by_hand))
        } else {
            let b = batch(n, &frame, by_hand);
            (batch(n, &frame, with_dbg), b)
        };
        ours.push(a);
        theirs.push(b);
        ratios.push(a / b);
    }
    report(&format!(
        "BENCH console={console} calls_per_batch={n} rounds={rounds} dbg_ns={:.0} by_hand_ns={:.0} ratio_median={:.3}",
        median(&mut ours),
        median(&mut theirs),
        median(&mut ratios),
    ));
}

#[wasm_bindgen_test]
fn dbg_vs_console_log_format() {
    sink_start();
    compare("sink", 61);
    sink_stop();
    // Under the test runner a browser's console.log appends every line to the page, which
    // is neither what a user's console costs nor something the runner survives at this
    // volume; Node's goes to stdout as in real use.
    if in_node() {
        compare("console", 15);
    }
}
