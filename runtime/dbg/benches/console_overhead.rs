//! `dbg!` against the same line written by hand as `console.log(format!(..))`, in the same
//! run, on wasm32-unknown-unknown (headless Chromium main thread and Node).
//!
//! Run it with `cargo xtask bench --suite dbg` (release build, a fresh page or Node process
//! per run; see `book/src/benchmarks.md` and `benches/README.md`). The module exports
//! `bench_run(env, quick)`, which measures one run and returns its report as JSON
//! (`ci/bench-support/report.rs`). Two consoles:
//! - `console`: the real `console.log` (Node writes to stdout, which xtask discards;
//!   Chromium has no DevTools connection attached), what a user pays;
//! - `sink`: the console's printing methods replaced by an empty JS function, so the figure
//!   is everything the Rust side does (format, worker check, the call into JS) with nothing
//!   to hide behind.
//!
//! Each variant runs in batches of at least 5 ms, alternating which goes first; a run's
//! figure is the median ns per call of each over its rounds.

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn main() {
    println!(
        "the dbg benchmark runs in a JS host only (wasm32-unknown-unknown): run `cargo xtask bench --suite dbg`"
    );
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn main() {}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use std::hint::black_box;
    use wasm_bindgen::prelude::*;

    use crate::report::{Better, Report, median, report_panics};

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance)]
        fn now() -> f64;
        #[wasm_bindgen(js_namespace = console, js_name = log)]
        fn hand_written_log(text: &str);
    }

    /// The console methods `dbg!` and the hand-written line may call (`dbg!` picks one by
    /// its level).
    const METHODS: [&str; 5] = ["debug", "log", "info", "warn", "error"];

    /// Replaces the console's printing methods with an empty function until dropped.
    struct Sink {
        saved: Vec<JsValue>,
    }

    fn console() -> JsValue {
        js_sys::Reflect::get(&js_sys::global(), &"console".into()).unwrap_or_default()
    }

    impl Sink {
        fn start() -> Self {
            let console = console();
            let empty = js_sys::Function::new_no_args("");
            let saved = METHODS
                .iter()
                .map(|m| {
                    let old = js_sys::Reflect::get(&console, &(*m).into()).unwrap_or_default();
                    let _ = js_sys::Reflect::set(&console, &(*m).into(), &empty);
                    old
                })
                .collect();
            Sink { saved }
        }
    }

    impl Drop for Sink {
        fn drop(&mut self) {
            let console = console();
            for (m, old) in METHODS.iter().zip(&self.saved) {
                let _ = js_sys::Reflect::set(&console, &(*m).into(), old);
            }
        }
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

    /// Median ns per call of `dbg!` and of the hand-written line over `rounds` rounds.
    fn compare(rounds: usize) -> (f64, f64) {
        let frame = Frame {
            id: 7,
            label: "tick",
            samples: [1, 2, 3],
        };
        // Warm up (the engine tiers up hot wasm functions), then calibrate: enough calls
        // for a batch of at least 5 ms.
        let warm_up_until = now() + 100.0;
        while now() < warm_up_until {
            batch(16, &frame, with_dbg);
            batch(16, &frame, by_hand);
        }
        let mut n = 16;
        while batch(n, &frame, by_hand) * f64::from(n) < 5e6 {
            n *= 2;
        }
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            // Alternate which goes first, so neither always runs on a warmer machine.
            if round % 2 == 0 {
                ours.push(batch(n, &frame, with_dbg));
                theirs.push(batch(n, &frame, by_hand));
            } else {
                theirs.push(batch(n, &frame, by_hand));
                ours.push(batch(n, &frame, with_dbg));
            }
        }
        (median(&ours), median(&theirs))
    }

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` times fewer rounds.
    #[wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to JS; it must be pub"
    )]
    pub fn bench_run(env: String, quick: bool) -> String {
        report_panics();
        let rounds = if quick { 3 } else { 21 };
        let mut r = Report::new("dbg", &env);
        let (ours, theirs) = compare(rounds);
        r.figure(
            "console",
            "dbg!(value) vs console.log(&format!(..)) of the same line, real console",
            "ns/call",
            Better::Lower,
            &[("wasm_rs_dbg::dbg!", ours), ("by hand", theirs)],
        );
        let sink = Sink::start();
        let (ours, theirs) = compare(rounds * 3);
        drop(sink);
        r.figure(
            "sink",
            "dbg!(value) vs console.log(&format!(..)), console replaced by an empty function",
            "ns/call",
            Better::Lower,
            &[("wasm_rs_dbg::dbg!", ours), ("by hand", theirs)],
        );
        r.to_json()
    }
}
