//! Building the mdBook cookbook in `book/` into `target/book/`.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::demos::{self, BuiltDemo};
use crate::outcome::Outcome;
use crate::recipes;
use crate::workspace::Workspace;

/// What a book build found.
#[derive(Debug, Default)]
pub(crate) struct BookCheck {
    /// The build itself, one pass per page rendered and per demo built, and each problem.
    pub(crate) outcome: Outcome,
    /// The demos built into the book.
    pub(crate) demos: Vec<BuiltDemo>,
}

/// The worker loader, in the crate that binds it (its one copy in the repository).
pub(crate) const LOADER_IN_CRATE: &str = "runtime/worker/js/wasm-rs-loader.js";
/// Where the demo runner finds the loader, relative to the book's root (and to an ejected
/// project's `web/`).
pub(crate) const LOADER_IN_BOOK: &str = "js/wasm-rs-loader.js";

/// Where the rendered book goes (set in `book/book.toml` as `build-dir`).
pub(crate) fn output_dir(ws: &Workspace) -> PathBuf {
    ws.target_dir.join("book")
}

/// Builds the book with mdBook, then its demos. Any warning or error mdBook prints is a
/// problem: a book that builds "with warnings" has a broken include or a missing page.
pub(crate) fn build(ws: &Workspace, mdbook: &std::path::Path) -> Result<BookCheck> {
    let out = output_dir(ws);
    recipes::generate(ws)?;
    println!("  → mdbook build book → {}", out.display());
    let output = Command::new(mdbook)
        .args(["build", "--dest-dir"])
        .arg(&out)
        .arg(ws.root.join("book"))
        .output()
        .context("running mdbook")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut check = BookCheck::default();
    for line in text.lines() {
        if line.contains("WARN") || line.contains("ERROR") {
            check.outcome.problem(format!("book: {}", line.trim()));
        }
    }
    if !output.status.success() {
        check
            .outcome
            .problem(format!("book: mdbook build failed ({})", output.status));
        for l in text.lines().rev().take(20) {
            println!("    | {l}");
        }
    } else {
        // The worker loader ships in the wasm-rs-worker crate; the demo runner imports it from
        // the book's `js/`, beside itself.
        let loader = out.join(LOADER_IN_BOOK);
        std::fs::create_dir_all(loader.parent().expect("under the book"))?;
        std::fs::copy(ws.root.join(LOADER_IN_CRATE), &loader)
            .with_context(|| format!("copying {LOADER_IN_CRATE} into the book"))?;
        check.outcome.passed += 1;
        check.outcome.passed += crate::tree::reading_pages(&out)?.len() as u64;
        println!("    {} pages rendered", check.outcome.passed - 1);
        match demos::build(ws, &out) {
            Ok(d) => {
                check.outcome.passed += d.len() as u64;
                check.demos = d;
            }
            Err(e) => check.outcome.problem(format!("book: {e:#}")),
        }
    }
    Ok(check)
}
