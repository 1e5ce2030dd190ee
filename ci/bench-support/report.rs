//! The one format every benchmark binary reports in, read by `cargo xtask bench`
//! (`ci/src/bench/`). Each runtime crate's benches include this file by path
//! (`#[path = "../../../ci/bench-support/report.rs"] mod report;`), so the format is written
//! once and a bench needs no JSON dependency.
//!
//! One report is one fresh run of one suite in one environment. Each figure lists this
//! project's value first and its peers after it, all measured in that run, so that
//! `cargo xtask bench` can take ratios pair by pair within a run.
// Each bench uses the part of this module it needs.
#![allow(dead_code)]

use std::fmt::Write;

/// Whether a smaller value is better (time, bytes) or a larger one (throughput).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Better {
    Lower,
    Higher,
}

#[derive(Debug)]
struct Figure {
    id: &'static str,
    label: String,
    unit: &'static str,
    better: Better,
    values: Vec<(&'static str, f64)>,
    note: String,
}

/// The figures of one run.
#[derive(Debug)]
pub(crate) struct Report {
    suite: &'static str,
    env: String,
    figures: Vec<Figure>,
}

/// The prefix of the line a native bench prints its report on.
pub(crate) const LINE_PREFIX: &str = "BENCH_JSON ";

impl Report {
    pub(crate) fn new(suite: &'static str, env: &str) -> Self {
        Report {
            suite,
            env: env.to_string(),
            figures: Vec::new(),
        }
    }

    /// Adds a figure; `values[0]` is this project's crate, the others its peers.
    pub(crate) fn figure(
        &mut self,
        id: &'static str,
        label: impl Into<String>,
        unit: &'static str,
        better: Better,
        values: &[(&'static str, f64)],
    ) {
        self.figures.push(Figure {
            id,
            label: label.into(),
            unit,
            better,
            values: values.to_vec(),
            note: String::new(),
        });
    }

    /// Attaches a note to the last figure (what else the run observed).
    pub(crate) fn note(&mut self, note: impl Into<String>) {
        if let Some(f) = self.figures.last_mut() {
            f.note = note.into();
        }
    }

    /// The report as JSON (the shape `ci/src/bench/model.rs` reads).
    pub(crate) fn to_json(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "{{\"suite\":{},\"env\":{},\"figures\":[",
            quote(self.suite),
            quote(&self.env)
        );
        for (i, f) in self.figures.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let better = match f.better {
                Better::Lower => "lower",
                Better::Higher => "higher",
            };
            let _ = write!(
                s,
                "{{\"id\":{},\"label\":{},\"unit\":{},\"better\":\"{better}\",\"note\":{},\"values\":[",
                quote(f.id),
                quote(&f.label),
                quote(f.unit),
                quote(&f.note)
            );
            for (j, (name, v)) in f.values.iter().enumerate() {
                if j > 0 {
                    s.push(',');
                }
                // JSON has no NaN or infinity: a broken measurement becomes null, which
                // xtask reports as a failed benchmark.
                let v = if v.is_finite() {
                    format!("{v}")
                } else {
                    "null".to_string()
                };
                let _ = write!(s, "[{},{v}]", quote(name));
            }
            s.push_str("]}");
        }
        s.push_str("]}");
        s
    }
}

fn quote(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// The median of `values` (the upper one of the two middle values for an even count).
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// On wasm32: sends a panic's message to the harness (`globalThis.__benchPanic`, defined by
/// the page or the Node runner of `cargo xtask bench`), which fails the run with it. A panic
/// inside a spawned future would otherwise leave the run waiting until its timeout.
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub(crate) fn report_panics() {
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        let global = js_sys::global();
        if let Ok(f) = js_sys::Reflect::get(&global, &"__benchPanic".into())
            && let Some(f) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Function>(&f)
        {
            let _ = f.call1(&global, &text.into());
        }
    }));
}
