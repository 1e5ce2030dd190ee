//! What a benchmark run reports, how runs combine into figures, and the targets.
//!
//! A bench binary reports one fresh run as JSON (written by `ci/bench-support/report.rs`):
//! per figure, this project's value first and its peers' after it, all from that run. Here
//! the runs of one suite and environment become rows: per (figure, peer), the median, min
//! and max of this project's value and the peer's over the runs, and of the ratio
//! `ours ÷ peer` taken run by run (so a run on a busier machine slows both sides of its
//! own ratio, not one side of another run's).

use std::fmt::Write;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// Whether a smaller or a larger value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Better {
    Lower,
    Higher,
}

/// One fresh run of one suite in one environment, as a bench reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RunReport {
    pub(crate) suite: String,
    pub(crate) env: String,
    pub(crate) figures: Vec<RunFigure>,
}

/// One figure of a run: `values[0]` is this project's, the rest are peers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RunFigure {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) unit: String,
    pub(crate) better: Better,
    #[serde(default)]
    pub(crate) note: String,
    /// `None` is a measurement that came out as NaN or infinity.
    pub(crate) values: Vec<(String, Option<f64>)>,
}

/// Parses a run's JSON; a page or Node runner that failed sends `{"error": "..."}`.
pub(crate) fn parse_run(text: &str) -> Result<RunReport> {
    let value: serde_json::Value = serde_json::from_str(text.trim()).with_context(|| {
        format!("the benchmark reported something that is not JSON: {text:.300}")
    })?;
    if let Some(err) = value.get("error") {
        bail!(
            "the benchmark failed: {}",
            err.as_str().unwrap_or(&err.to_string())
        );
    }
    let report: RunReport = serde_json::from_value(value)
        .context("the benchmark's report does not have the shape of ci/bench-support/report.rs")?;
    for f in &report.figures {
        if f.values.len() < 2 {
            bail!("figure `{}` has no peer to compare with", f.id);
        }
        for (name, v) in &f.values {
            match v {
                Some(v) if v.is_finite() && *v > 0.0 => {}
                _ => bail!(
                    "figure `{}` of {} in {}: `{name}` measured {v:?}; the benchmark is broken",
                    f.id,
                    report.suite,
                    report.env
                ),
            }
        }
    }
    Ok(report)
}

/// Median, min and max of a set of values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Stats {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

impl Stats {
    pub(crate) fn of(values: &[f64]) -> Stats {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n == 0 {
            f64::NAN
        } else if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Stats {
            median,
            min: v.first().copied().unwrap_or(f64::NAN),
            max: v.last().copied().unwrap_or(f64::NAN),
        }
    }
}

/// What a target bounds: the ratio to the peer, or this project's own value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) enum Bound {
    /// `ours ÷ peer` at most this.
    RatioAtMost(f64),
    /// `ours ÷ peer` at least this.
    RatioAtLeast(f64),
    /// This project's value at most this (in the figure's unit).
    ValueAtMost(f64),
    /// `ours − peer` at most this (in the figure's unit).
    DiffAtMost(f64),
}

/// A target from the runtime issues.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Target {
    pub(crate) bound: Bound,
    /// How the issue words it.
    pub(crate) text: &'static str,
}

/// Where a target applies: suite, environment (`None`: every one), figure id, and peer
/// (`None`: every peer).
struct Rule {
    suite: &'static str,
    env: Option<&'static str>,
    figure: &'static str,
    peer: Option<&'static str>,
    target: Target,
}

const fn rule(
    suite: &'static str,
    env: Option<&'static str>,
    figure: &'static str,
    peer: Option<&'static str>,
    bound: Bound,
    text: &'static str,
) -> Rule {
    Rule {
        suite,
        env,
        figure,
        peer,
        target: Target { bound, text },
    }
}

/// The targets of issues #3 (executor), #4 and #22 (channel), #5 (dbg), #10 (size) and #25
/// (the Rhai demo page's size).
const TARGETS: &[Rule] = &[
    rule(
        "channel",
        None,
        "peer-death",
        None,
        Bound::ValueAtMost(100.0),
        "≤ 100 ms",
    ),
    rule(
        "executor",
        Some("chromium"),
        "spawn",
        None,
        Bound::RatioAtMost(1.0),
        "at least par",
    ),
    rule(
        "executor",
        Some("chromium"),
        "ping-pong",
        None,
        Bound::RatioAtMost(0.1),
        "≥ 10× faster",
    ),
    // Issue #25, item 2: under the CPU-bound load, the page's frame intervals match the
    // idle page's, by both clocks (rAF timestamps and performance.now()).
    rule(
        "executor",
        None,
        "frame-p99",
        Some(IDLE_PAGE),
        Bound::DiffAtMost(2.0),
        "≤ idle p99 + 2 ms",
    ),
    rule(
        "executor",
        None,
        "frame-p99-now",
        Some(IDLE_PAGE),
        Bound::DiffAtMost(2.0),
        "≤ idle p99 + 2 ms",
    ),
    rule(
        "executor",
        None,
        "frame-max",
        Some(IDLE_PAGE_P99),
        Bound::RatioAtMost(2.0),
        "≤ 2× idle p99",
    ),
    rule(
        "executor",
        None,
        "frame-max-now",
        Some(IDLE_PAGE_P99),
        Bound::RatioAtMost(2.0),
        "≤ 2× idle p99",
    ),
    rule(
        "executor",
        Some("native"),
        "spawn",
        None,
        Bound::RatioAtMost(0.5),
        "≥ 2× faster",
    ),
    // Issue #25, item 3: 2× every native peer on the wake-heavy and channel workloads too
    // (against the executors; the hand-polled floor is shown beside them, without a target).
    rule(
        "executor",
        Some("native"),
        "ping-pong",
        Some("futures LocalPool"),
        Bound::RatioAtMost(0.5),
        "≥ 2× faster",
    ),
    rule(
        "executor",
        Some("native"),
        "ping-pong",
        Some("async-executor LocalExecutor"),
        Bound::RatioAtMost(0.5),
        "≥ 2× faster",
    ),
    rule(
        "executor",
        Some("native"),
        "ping-pong",
        Some("tokio current_thread LocalSet"),
        Bound::RatioAtMost(0.5),
        "≥ 2× faster",
    ),
    rule(
        "executor",
        Some("native"),
        "self-wake",
        Some("futures LocalPool"),
        Bound::RatioAtMost(0.5),
        "≥ 2× faster",
    ),
    rule(
        "executor",
        Some("native"),
        "self-wake",
        Some("async-executor LocalExecutor"),
        Bound::RatioAtMost(0.5),
        "≥ 2× faster",
    ),
    rule(
        "executor",
        Some("native"),
        "self-wake",
        Some("tokio current_thread LocalSet"),
        Bound::RatioAtMost(0.5),
        "≥ 2× faster",
    ),
    rule(
        "channel",
        None,
        "throughput-64",
        Some("postMessage"),
        Bound::RatioAtLeast(40.0),
        "≥ 40× postMessage",
    ),
    rule(
        "channel",
        None,
        "throughput-64-batched",
        Some("postMessage"),
        Bound::RatioAtLeast(40.0),
        "≥ 40× postMessage",
    ),
    rule(
        "channel",
        None,
        "round-trip",
        Some("postMessage"),
        Bound::RatioAtMost(1.0 / 3.0),
        "≤ 1/3 of postMessage",
    ),
    rule(
        "channel",
        None,
        "recv-ready",
        Some("try_recv"),
        Bound::RatioAtMost(1.1),
        "within 10% of try_recv",
    ),
    rule(
        "channel",
        None,
        "recv-timeout-ready",
        Some("try_recv"),
        Bound::RatioAtMost(1.1),
        "within 10% of try_recv",
    ),
    rule(
        "dbg",
        None,
        "console",
        None,
        Bound::RatioAtMost(1.1),
        "≤ 1.1×",
    ),
    rule("dbg", None, "sink", None, Bound::RatioAtMost(1.1), "≤ 1.1×"),
    // Issue #25, item 1: the default executor ≤ 20 KB after wasm-opt -Oz and ≤ 8 KB gzipped
    // (KB read as 1024 bytes), and a minimal feature set no bigger than spawn_local.
    rule(
        "size",
        None,
        "executor-opt",
        None,
        Bound::ValueAtMost(20_480.0),
        "≤ 20 KB (20,480 B)",
    ),
    rule(
        "size",
        None,
        "executor-gz",
        None,
        Bound::ValueAtMost(8_192.0),
        "≤ 8 KB (8,192 B)",
    ),
    rule(
        "size",
        None,
        "executor-minimal-opt",
        None,
        Bound::RatioAtMost(1.0),
        "adds no more than spawn_local",
    ),
    rule(
        "size",
        None,
        "executor-minimal-gz",
        None,
        Bound::RatioAtMost(1.0),
        "adds no more than spawn_local",
    ),
    // Issue #25: 160 KB read as 160 × 1024 bytes.
    rule(
        "size",
        None,
        "rhai-page-gz",
        None,
        Bound::ValueAtMost(163_840.0),
        "≤ 160 KB (163,840 B)",
    ),
];

/// The peer of the executor's frame-interval p99 figures: the same page with no workload.
const IDLE_PAGE: &str = "idle page";
/// The peer of its longest-interval figures: the idle page's p99 interval.
const IDLE_PAGE_P99: &str = "idle page, p99";

fn target_for(suite: &str, env: &str, figure: &str, peer: &str) -> Option<Target> {
    TARGETS.iter().find_map(|r| {
        (r.suite == suite
            && r.env.is_none_or(|e| e == env)
            && r.figure == figure
            && r.peer.is_none_or(|p| p == peer))
        .then_some(r.target)
    })
}

/// One line of the results: a figure against one peer, over every run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub(crate) suite: String,
    pub(crate) env: String,
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) unit: String,
    pub(crate) better: Better,
    pub(crate) ours_name: String,
    pub(crate) ours: Stats,
    pub(crate) peer_name: String,
    pub(crate) peer: Stats,
    /// `ours ÷ peer`, run by run.
    pub(crate) ratio: Stats,
    pub(crate) runs: usize,
    pub(crate) target: Option<Target>,
    /// Whether the median meets the target (`None`: no target).
    pub(crate) met: Option<bool>,
    pub(crate) notes: Vec<String>,
}

impl Row {
    /// How many times better than the peer this project is (above 1: better), from the
    /// median ratio: what the chart draws.
    pub(crate) fn advantage(&self) -> f64 {
        match self.better {
            Better::Lower => 1.0 / self.ratio.median,
            Better::Higher => self.ratio.median,
        }
    }

    /// The target as an advantage (for the chart), when it bounds the ratio.
    pub(crate) fn target_advantage(&self) -> Option<f64> {
        let bound = match self.target?.bound {
            Bound::RatioAtMost(r) | Bound::RatioAtLeast(r) => r,
            Bound::ValueAtMost(_) | Bound::DiffAtMost(_) => return None,
        };
        Some(match self.better {
            Better::Lower => 1.0 / bound,
            Better::Higher => bound,
        })
    }
}

/// Combines the runs of one suite and environment into rows. Every run must report the
/// same figures with the same names; anything else means a broken benchmark.
pub(crate) fn combine(runs: &[RunReport]) -> Result<Vec<Row>> {
    let Some(first) = runs.first() else {
        bail!("no runs to combine");
    };
    let mut rows = Vec::new();
    for fig in &first.figures {
        let mut per_run: Vec<&RunFigure> = Vec::new();
        for run in runs {
            let f = run
                .figures
                .iter()
                .find(|f| f.id == fig.id)
                .with_context(|| {
                    format!(
                        "{} in {}: a run did not report figure `{}`",
                        first.suite, first.env, fig.id
                    )
                })?;
            let names = |f: &RunFigure| f.values.iter().map(|v| v.0.clone()).collect::<Vec<_>>();
            if names(f) != names(fig) {
                bail!(
                    "{} in {}: figure `{}` names different subjects in different runs",
                    first.suite,
                    first.env,
                    fig.id
                );
            }
            per_run.push(f);
        }
        let value = |f: &RunFigure, i: usize| f.values[i].1.unwrap_or(f64::NAN);
        let ours: Vec<f64> = per_run.iter().map(|f| value(f, 0)).collect();
        let mut notes: Vec<String> = per_run
            .iter()
            .filter(|f| !f.note.is_empty())
            .map(|f| f.note.clone())
            .collect();
        // Runs that all noted the same thing (a size, a fixed fact) note it once.
        if notes.iter().all(|n| *n == notes[0]) {
            notes.truncate(1);
        }
        for (i, (peer_name, _)) in fig.values.iter().enumerate().skip(1) {
            let peer: Vec<f64> = per_run.iter().map(|f| value(f, i)).collect();
            let ratios: Vec<f64> = ours.iter().zip(&peer).map(|(a, b)| a / b).collect();
            // A difference target, like a ratio, is taken run by run.
            let diffs: Vec<f64> = ours.iter().zip(&peer).map(|(a, b)| a - b).collect();
            let diff = Stats::of(&diffs);
            let (ours, peer, ratio) = (Stats::of(&ours), Stats::of(&peer), Stats::of(&ratios));
            let target = target_for(&first.suite, &first.env, &fig.id, peer_name);
            let met = target.map(|t| match t.bound {
                Bound::RatioAtMost(b) => ratio.median <= b,
                Bound::RatioAtLeast(b) => ratio.median >= b,
                Bound::ValueAtMost(b) => ours.median <= b,
                Bound::DiffAtMost(b) => diff.median <= b,
            });
            rows.push(Row {
                suite: first.suite.clone(),
                env: first.env.clone(),
                id: fig.id.clone(),
                label: fig.label.clone(),
                unit: fig.unit.clone(),
                better: fig.better,
                ours_name: fig.values[0].0.clone(),
                ours,
                peer_name: peer_name.clone(),
                peer,
                ratio,
                runs: runs.len(),
                target,
                met,
                notes: notes.clone(),
            });
        }
    }
    Ok(rows)
}

/// A number with three significant digits and thousands separators (`1,234`, `12.3`, `0.0123`).
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let a = v.abs();
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.decimals$}");
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// The cells of one row: figure, median, min, max, peer, ratio, target, met?
pub(crate) fn cells(row: &Row) -> [String; 8] {
    let figure = format!("{} · {} · {}", row.suite, row.env, row.label);
    let peer = format!("{} {} {}", row.peer_name, num(row.peer.median), row.unit);
    let ratio = format!(
        "{}× ({}–{})",
        num(row.ratio.median),
        num(row.ratio.min),
        num(row.ratio.max)
    );
    let met = match row.met {
        Some(true) => "met".to_string(),
        Some(false) => "MISSED".to_string(),
        None => "—".to_string(),
    };
    [
        figure,
        format!("{} {}", num(row.ours.median), row.unit),
        num(row.ours.min),
        num(row.ours.max),
        peer,
        ratio,
        row.target.map_or("—".to_string(), |t| t.text.to_string()),
        met,
    ]
}

pub(crate) const HEADER: [&str; 8] = [
    "figure",
    "median",
    "min",
    "max",
    "peer (median)",
    "ratio ours÷peer (min–max)",
    "target",
    "met?",
];

/// The rows as a plain-text table for stdout.
pub(crate) fn render_text(rows: &[Row]) -> String {
    let table: Vec<[String; 8]> = rows.iter().map(cells).collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for r in &table {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut s = String::new();
    let line = |s: &mut String, cells: &[String]| {
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w - c.chars().count();
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            s.push_str(&" ".repeat(pad));
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
    };
    line(&mut s, &HEADER.map(String::from));
    line(&mut s, &widths.map(|w| "-".repeat(w)));
    for r in &table {
        line(&mut s, r);
    }
    s
}

/// The rows as a Markdown table for the book.
pub(crate) fn render_markdown(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| {} |", HEADER.join(" | "));
    let _ = writeln!(s, "|---|---:|---:|---:|---|---:|---|---|");
    for r in rows {
        let c = cells(r);
        let _ = writeln!(s, "| {} |", c.map(|x| x.replace('|', "\\|")).join(" | "));
    }
    s
}

/// The notes of the rows, one line each: a figure whose runs noted different things gets
/// one line listing them run by run; a note that several figures share (the size suite's
/// baseline) is listed once, after every figure it belongs to.
pub(crate) fn notes(rows: &[Row]) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut shared: Vec<(String, Vec<String>)> = Vec::new();
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for r in rows {
        let key = (r.suite.clone(), r.env.clone(), r.id.clone());
        if r.notes.is_empty() || seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let figure = format!("{} · {} · {}", r.suite, r.env, r.label);
        if r.notes.len() > 1 {
            lines.push(format!("{figure}, run by run: {}", r.notes.join(" | ")));
        } else if let Some((_, figures)) = shared.iter_mut().find(|(n, _)| *n == r.notes[0]) {
            figures.push(figure);
        } else {
            shared.push((r.notes[0].clone(), vec![figure]));
        }
    }
    lines.extend(
        shared
            .into_iter()
            .map(|(note, figures)| format!("{}: {note}", figures.join("; "))),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ours: f64, peer: f64) -> RunReport {
        parse_run(&format!(
            r#"{{"suite":"executor","env":"chromium","figures":[{{"id":"ping-pong","label":"ping-pong","unit":"ns","better":"lower","note":"","values":[["ours",{ours}],["spawn_local",{peer}]]}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn ratios_are_paired_within_each_run() {
        // A slow run slows both sides: its ratio stays 0.1. Pairing medians across runs
        // instead would give 20 / 200 = 0.1 here too, but 10/100, 30/150, 20/400 would not.
        let runs = [run(10.0, 100.0), run(30.0, 150.0), run(20.0, 400.0)];
        let rows = combine(&runs).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.ours.median, 20.0);
        assert_eq!(r.peer.median, 150.0);
        assert_eq!(r.ratio.median, 0.1);
        assert_eq!(r.ratio.min, 0.05);
        assert_eq!(r.ratio.max, 0.2);
        assert_eq!(r.target.unwrap().text, "≥ 10× faster");
        assert_eq!(r.met, Some(true));
        assert!((r.advantage() - 10.0).abs() < 1e-9);
        assert_eq!(r.target_advantage(), Some(10.0));
    }

    #[test]
    fn a_missed_target_is_reported_not_an_error() {
        let rows = combine(&[run(50.0, 100.0)]).unwrap();
        assert_eq!(rows[0].met, Some(false));
        assert!(render_text(&rows).contains("MISSED"));
    }

    #[test]
    fn broken_measurements_and_failures_are_errors() {
        let nan = r#"{"suite":"dbg","env":"node","figures":[{"id":"sink","label":"x","unit":"ns","better":"lower","values":[["ours",null],["by hand",3]]}]}"#;
        let e = parse_run(nan).unwrap_err().to_string();
        assert!(e.contains("broken"), "{e}");
        let e = parse_run(r#"{"error":"panicked at x.rs:1"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("panicked at x.rs:1"), "{e}");
        assert!(parse_run("not json").is_err());
    }

    #[test]
    fn runs_that_disagree_on_figures_are_errors() {
        let mut other = run(1.0, 2.0);
        other.figures[0].id = "spawn".into();
        assert!(combine(&[run(1.0, 2.0), other]).is_err());
    }

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(num(1_234_567.4), "1,234,567");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(0.012_34), "0.012");
        assert_eq!(num(-1500.0), "-1,500");
        assert_eq!(Stats::of(&[3.0, 1.0, 2.0, 10.0]).median, 2.5);
    }

    #[test]
    fn notes_are_listed_run_by_run_or_once_when_shared() {
        let with_note = |id: &str, note: &str| {
            parse_run(&format!(
                r#"{{"suite":"size","env":"wasm32","figures":[{{"id":"{id}","label":"{id}","unit":"B","better":"lower","note":"{note}","values":[["ours",2],["peer",3]]}}]}}"#
            ))
            .unwrap()
        };
        let mut rows =
            combine(&[with_note("a", "idle 17 ms"), with_note("a", "idle 20 ms")]).unwrap();
        rows.extend(combine(&[with_note("b", "baseline 10 B")]).unwrap());
        rows.extend(combine(&[with_note("c", "baseline 10 B")]).unwrap());
        assert_eq!(
            notes(&rows),
            [
                "size · wasm32 · a, run by run: idle 17 ms | idle 20 ms",
                "size · wasm32 · b; size · wasm32 · c: baseline 10 B"
            ]
        );
    }

    #[test]
    fn tables_have_the_issue_columns() {
        let rows = combine(&[run(10.0, 100.0)]).unwrap();
        let md = render_markdown(&rows);
        assert!(
            md.starts_with("| figure | median | min | max | peer"),
            "{md}"
        );
        assert!(md.contains("| ≥ 10× faster | met |"), "{md}");
    }
}
