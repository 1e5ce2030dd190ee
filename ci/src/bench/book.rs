//! `--update-book`: the Benchmarks page's generated part (how and where the run was taken,
//! the table, the notes) and its chart, and the generated part of each measured recipe's
//! page (its own figures), from one full run.
//!
//! A page keeps its hand-written text; only what lies between the two marker comments is
//! replaced. No figure of a benchmark is typed into a page by hand. The chart is `book/src/benchmarks.svg`, drawn with plotters' SVG backend (no
//! font or system library: text is left to the browser to render).

use std::fmt::Write;

use anyhow::{Context, Result, bail};
use plotters::prelude::*;

use super::model::{self, Row};
use super::{Results, SuiteName};
use crate::workspace::Workspace;

use crate::bench_targets::{END, START};
const CHART: &str = "benchmarks.svg";

/// Whether a row belongs to a recipe's suite (its page), not to a runtime crate's.
fn is_recipe_row(row: &Row) -> bool {
    SuiteName::from_report(&row.suite).is_some_and(|s| s.recipe().is_some())
}

/// The page of a recipe, relative to `book/src`.
pub(crate) fn recipe_page(recipe: &str) -> String {
    format!("recipes/{recipe}.md")
}

/// Rewrites the generated part of `book/src/benchmarks.md` and the chart, and of each
/// measured recipe's page.
pub(crate) fn update(ws: &Workspace, results: &Results) -> Result<()> {
    let src = ws.root.join("book").join("src");
    let mut pages = vec![("benchmarks.md".to_string(), generated(results))];
    for suite in SuiteName::ALL {
        if let Some(recipe) = suite.recipe() {
            let rows: Vec<Row> = results
                .rows
                .iter()
                .filter(|r| r.suite == suite.as_str())
                .cloned()
                .collect();
            pages.push((
                recipe_page(recipe),
                generated_for_recipe(results, suite, &rows),
            ));
        }
    }
    // Every page is read and checked before any is written, so a page without markers
    // leaves the book as it was.
    let mut new = Vec::new();
    for (rel, generated) in &pages {
        let page = src.join(rel);
        let text = std::fs::read_to_string(&page)
            .with_context(|| format!("reading {}", page.display()))?;
        new.push((page, replace_generated(rel, &text, generated)?));
    }
    for (page, text) in new {
        std::fs::write(&page, text)?;
        println!("updated {}", page.display());
    }
    let svg = chart(
        &results
            .rows
            .iter()
            .filter(|r| !is_recipe_row(r))
            .cloned()
            .collect::<Vec<_>>(),
    )?;
    std::fs::write(src.join(CHART), svg)?;
    println!("updated {}", src.join(CHART).display());
    Ok(())
}

/// Replaces what lies between the markers of `page` (named `rel` in errors).
fn replace_generated(rel: &str, page: &str, generated: &str) -> Result<String> {
    let (Some(a), Some(b)) = (page.find(START), page.find(END)) else {
        bail!(
            "book/src/{rel} has no generated section: put the two lines\n{START}\n{END}\nwhere the table goes"
        );
    };
    if b < a {
        bail!("book/src/{rel}: the end marker comes before the start marker");
    }
    Ok(format!("{}{START}\n{generated}{}", &page[..a], &page[b..]))
}

/// The line that says how and where a run was taken.
fn taken(results: &Results, command: &str) -> String {
    let m = &results.machine;
    format!(
        "Taken {} with `{command}`: {} fresh runs per figure, on {} ({} cores); load average {} before and {} after.",
        m.date, results.runs, m.cpu, m.cores, m.load_before, m.load_after
    )
}

/// A recipe page's generated part: its suite's rows and notes.
fn generated_for_recipe(results: &Results, suite: SuiteName, rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{} Reproduce with `cargo xtask bench --suite {}`. The ratio is this column's value ÷ the peer's, taken run by run (see [Benchmarks](../benchmarks.md) for the method).",
        taken(results, &results.command),
        suite.as_str()
    );
    let _ = writeln!(s);
    s.push_str(&model::render_markdown(rows));
    let notes = model::notes(rows);
    if !notes.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Observed in the same runs:");
        let _ = writeln!(s);
        for n in notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    let _ = writeln!(s);
    s
}

/// The Markdown between the markers of the Benchmarks page.
fn generated(results: &Results) -> String {
    let m = &results.machine;
    let (recipe_rows, rows): (Vec<Row>, Vec<Row>) =
        results.rows.iter().cloned().partition(is_recipe_row);
    let mut s = String::new();
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", taken(results, &results.command));
    let tools: Vec<String> = m.tools.iter().map(|(k, v)| format!("{k}: `{v}`")).collect();
    let _ = writeln!(s, "Tools: {}.", tools.join("; "));
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "![How many times better than its peer each crate measured (log scale; a bar's tick is the target)]({CHART})"
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "The chart shows, per figure and peer, how many times better than the peer this project measured (the median of the per-run ratios; log scale, right of 1× is better). Green: target met; red: target missed; blue: no target. A black tick marks a ratio target; the frame-interval p99 target is a difference in milliseconds, and the Rhai page's a size in bytes, so their bars have none."
    );
    let _ = writeln!(s);
    s.push_str(&model::render_markdown(&rows));
    let notes = model::notes(&rows);
    if !notes.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Observed in the same runs:");
        let _ = writeln!(s);
        for n in notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    if !recipe_rows.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "### The recipes' figures");
        let _ = writeln!(s);
        let mut links: Vec<String> = Vec::new();
        for r in &recipe_rows {
            let link = format!("[{}]({})", r.suite, recipe_page(&r.suite));
            if !links.contains(&link) {
                links.push(link);
            }
        }
        let _ = writeln!(
            s,
            "Measured in the same run; each recipe's page shows its own rows with the notes: {}.",
            links.join(", ")
        );
        let _ = writeln!(s);
        s.push_str(&model::render_markdown(&recipe_rows));
    }
    let _ = writeln!(s);
    s
}

/// The chart: per row, how many times better than the peer this project measured
/// (median ratio, log scale), with the target as a tick.
pub(crate) fn chart(rows: &[Row]) -> Result<String> {
    let rows: Vec<&Row> = rows.iter().filter(|r| r.advantage().is_finite()).collect();
    if rows.is_empty() {
        bail!("no figures to chart");
    }
    let labels: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} · {} · {} vs {}",
                r.suite,
                r.env,
                short(&r.id),
                r.peer_name
            )
        })
        .collect();
    let lo = rows
        .iter()
        .flat_map(|r| [Some(r.advantage()), r.target_advantage()])
        .flatten()
        .fold(f64::INFINITY, f64::min)
        .min(0.5)
        / 1.5;
    let hi = rows
        .iter()
        .flat_map(|r| [Some(r.advantage()), r.target_advantage()])
        .flatten()
        .fold(0.0, f64::max)
        .max(2.0)
        * 1.5;
    let height = 80 + 22 * rows.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw)?;
        let n = rows.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "times better than the peer, same run (median; above 1 = better)",
                ("sans-serif", 16),
            )
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(430)
            .build_cartesian_2d((lo..hi).log_scale(), 0.0..n)
            .map_err(draw)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows.len() * 2 + 1)
            .y_label_formatter(&|y| {
                // Labels sit at the middle of each bar (i + 0.5).
                let i = (y - 0.5).round();
                if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[rows.len() - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| format!("{x}×"))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(draw)?;
        for (i, r) in rows.iter().enumerate() {
            let y = (rows.len() - 1 - i) as f64;
            let colour = match r.met {
                Some(true) => RGBColor(46, 139, 87),
                Some(false) => RGBColor(200, 70, 50),
                None => RGBColor(90, 110, 170),
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(lo, y + 0.15), (r.advantage(), y + 0.85)],
                    colour.filled(),
                )))
                .map_err(draw)?;
            if let Some(t) = r.target_advantage() {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(t, y + 0.02), (t, y + 0.98)],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(draw)?;
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(1.0, 0.0), (1.0, n)],
                BLACK.mix(0.4).stroke_width(1),
            )))
            .map_err(draw)?;
        root.present().map_err(draw)?;
    }
    Ok(svg)
}

/// A short name for a figure id in the chart's labels.
fn short(id: &str) -> String {
    id.replace("throughput-", "throughput ")
        .replace("-batched", " batched")
        .replace("-opt", " size")
        .replace("-gz", " gzipped")
}

fn draw<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing the chart: {e:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::model::{RunReport, combine, parse_run};

    fn rows() -> Vec<Row> {
        let run: RunReport = parse_run(
            r#"{"suite":"channel","env":"node","figures":[{"id":"throughput-64","label":"64 B","unit":"msg/s","better":"higher","note":"n","values":[["ours",400000],["postMessage",100000],["MessageChannel",200000]]}]}"#,
        )
        .unwrap();
        combine(&[run]).unwrap()
    }

    #[test]
    fn the_generated_part_is_replaced_and_the_rest_kept() {
        let page = format!("# B\n\nmethod\n\n{START}\nold table\n{END}\n\nafter\n");
        let new = replace_generated("b.md", &page, "\nnew table\n").unwrap();
        assert!(new.starts_with("# B\n\nmethod\n\n"));
        assert!(new.contains("new table") && !new.contains("old table"));
        assert!(new.ends_with(&format!("{END}\n\nafter\n")));
        let e = replace_generated("b.md", "no markers", "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("book/src/b.md"), "{e}");
    }

    #[test]
    fn the_chart_is_an_svg_with_one_bar_per_row_and_its_label() {
        let svg = chart(&rows()).unwrap();
        assert!(svg.starts_with("<svg"), "{svg:.100}");
        assert!(svg.contains("channel · node · throughput 64 vs postMessage"));
        assert!(svg.contains("channel · node · throughput 64 vs MessageChannel"));
        // Two bars: the first misses the 40x target (red), the second has none (blue).
        assert!(svg.contains("#C84632"), "missed target colour");
        assert!(svg.contains("#5A6EAA"), "no-target colour");
    }

    #[test]
    fn every_page_the_bench_writes_has_the_markers() {
        let ws = Workspace::load().unwrap();
        let mut pages = vec!["benchmarks.md".to_string()];
        pages.extend(
            SuiteName::ALL
                .iter()
                .filter_map(|s| s.recipe())
                .map(recipe_page),
        );
        for rel in pages {
            let page = std::fs::read_to_string(ws.root.join("book/src").join(&rel)).unwrap();
            let (a, b) = (page.find(START), page.find(END));
            assert!(
                a.is_some() && b.is_some() && a < b,
                "{rel} lacks the markers"
            );
        }
    }

    #[test]
    fn recipe_rows_go_to_their_page_and_the_recipes_table_not_the_chart() {
        let run: RunReport = parse_run(
            r#"{"suite":"worker-pool","env":"chromium","figures":[{"id":"pool-2","label":"2 workers","unit":"ms","better":"lower","note":"speedup 1.8x","values":[["this pool",100],["1 worker",180]]}]}"#,
        )
        .unwrap();
        let mut all = rows();
        all.extend(combine(&[run]).unwrap());
        let results = Results {
            command: "cargo xtask bench".into(),
            quick: false,
            runs: 5,
            machine: crate::bench::Machine {
                date: "d".into(),
                cpu: "c".into(),
                cores: 2,
                load_before: "0".into(),
                load_after: "0".into(),
                tools: Default::default(),
            },
            rows: all.clone(),
            problems: Vec::new(),
        };
        let main = generated(&results);
        let (runtime_part, recipes_part) = main.split_once("### The recipes' figures").unwrap();
        assert!(runtime_part.contains("64 B") && !runtime_part.contains("2 workers"));
        assert!(
            recipes_part.contains("2 workers") && recipes_part.contains("recipes/worker-pool.md")
        );
        let page = generated_for_recipe(&results, SuiteName::WorkerPool, &all[1..]);
        assert!(page.contains("2 workers") && page.contains("speedup 1.8x"));
        assert!(page.contains("cargo xtask bench --suite worker-pool"));
    }
}
