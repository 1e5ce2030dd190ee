//! The book's table, rendered from [`EXPECTED`](crate::EXPECTED).

use std::fmt::Write as _;

use crate::table::{Executor, Outcome, Place, Workload, expected};

fn cell(outcome: Outcome) -> String {
    match outcome {
        Outcome::Works => "✅ works".into(),
        Outcome::Panics(why) => format!("💥 [panics](#{})", why.anchor()),
        Outcome::Hangs(why) => format!("⏳ [hangs](#{})", why.anchor()),
        Outcome::DoesNotCompile(why) => format!("⛔ [no API](#{})", why.anchor()),
    }
}

fn place_heading(place: Place) -> &'static str {
    match place {
        Place::Native => "Native (`cargo test`)",
        Place::Wasi => "WASI (`wasm32-wasip1` and `wasm32-wasip2` under wasmtime)",
        Place::Node => "Node.js",
        Place::Deno => "Deno 2 (`wasm-bindgen --target deno`)",
        Place::Bun => "Bun (the Node.js glue)",
        Place::BrowserMain => "Browser main thread (Chromium, Firefox, WebKit)",
        Place::BrowserWorker => "Browser dedicated worker (Chromium, Firefox, WebKit)",
        Place::SharedWorker => "Browser shared worker (Chromium, Firefox, WebKit)",
        Place::ServiceWorker => "Browser service worker (Chromium, Firefox, WebKit)",
    }
}

/// Renders the compatibility table as Markdown: one table of executors × workloads per
/// place, every cell from [`expected`], every failing cell linked to its explanation.
///
/// ```
/// let page = executor_compatibility::render_table();
/// assert!(page.contains("| `pollster::block_on` |"));
/// assert!(page.contains("(#why-condvar-wait)"));
/// ```
pub fn render_table() -> String {
    let mut out = String::from(
        "<!-- generated from EXPECTED in recipes/executor-compatibility/src/table.rs by \
         `cargo test -p executor-compatibility --test table`; do not edit -->\n",
    );
    for place in Place::ALL {
        let works = Executor::ALL
            .iter()
            .flat_map(|e| Workload::ALL.map(|w| expected(*e, w, place)))
            .filter(|o| o.is_works())
            .count();
        let _ = write!(
            out,
            "\n#### {}\n\n{works} of {} cells work.\n\n| executor |",
            place_heading(place),
            Executor::ALL.len() * Workload::ALL.len()
        );
        for workload in Workload::ALL {
            let _ = write!(out, " {workload} |");
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(Workload::ALL.len()));
        out.push('\n');
        for executor in Executor::ALL {
            let _ = write!(out, "| {executor} |");
            for workload in Workload::ALL {
                let _ = write!(out, " {} |", cell(expected(executor, workload, place)));
            }
            out.push('\n');
        }
    }
    out
}
