//! The suites of `cargo xtask test`: the rows of its summary table, their names, and which
//! of them `--only` and `--engine` select. `test` runs them; `disk` knows which target
//! directories each one uses.

use anyhow::{Result, bail};

use crate::env::{Engine, Environment};

/// A row of the summary table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SuiteId {
    /// `cargo fmt --check`.
    Fmt,
    /// `cargo xtask lint-recipes` and the new-recipe template check.
    Lint,
    /// clippy with `-D warnings`, natively and for wasm32.
    Clippy,
    /// The crates' tests in one environment.
    Env(Environment),
    /// One recipe per shape ejected as a standalone project, built and tested there (every
    /// recipe ejected and built with `--deep`).
    Eject,
    /// Native tests under Miri, for crates with a `miri` key: the targets a `miri = [...]`
    /// list names, or all of them with `miri = true` or `--deep`.
    Miri,
    /// loom model checks, for crates with `loom = true`.
    Loom,
    /// cargo-fuzz targets, 20 s each (300 s with `--deep`), for crates listing `fuzz = [...]`.
    Fuzz,
    /// The mdBook build and the demos.
    Book,
    /// Every internal link and `#anchor` of the rendered book.
    Links,
    /// The book in headless Chromium: every page loads cleanly, every Run button works.
    E2e,
    /// The bundler projects beside their recipes (Vite), built from a clean state and driven
    /// in Chromium and Firefox (`onramps.rs`).
    Onramps,
    /// `cargo xtask bench --quick`: every benchmark runs once (fails if one breaks, not if a
    /// target is missed).
    Bench,
    /// The out-of-workspace nightly recipes (wasm threads): fmt, clippy, browser tests.
    Threads,
    /// The runtime crates packaged, unpacked, and used by a scratch app that knows nothing
    /// of this repository: natively, in Node and in Chromium (`release.rs`).
    Release,
    /// The same app built with the declared `rust-version` toolchain.
    Msrv,
}

impl SuiteId {
    fn all() -> Vec<SuiteId> {
        let mut v = vec![SuiteId::Fmt, SuiteId::Lint, SuiteId::Clippy];
        v.extend(Environment::all().into_iter().map(SuiteId::Env));
        v.extend([
            SuiteId::Miri,
            SuiteId::Loom,
            SuiteId::Fuzz,
            SuiteId::Eject,
            SuiteId::Book,
            SuiteId::Links,
            SuiteId::E2e,
            SuiteId::Onramps,
            SuiteId::Bench,
            SuiteId::Threads,
            SuiteId::Release,
            SuiteId::Msrv,
        ]);
        v
    }

    pub(crate) fn name(self) -> String {
        match self {
            SuiteId::Fmt => "fmt".into(),
            SuiteId::Lint => "lint".into(),
            SuiteId::Clippy => "clippy".into(),
            SuiteId::Env(e) => e.name(),
            SuiteId::Miri => "miri".into(),
            SuiteId::Loom => "loom".into(),
            SuiteId::Fuzz => "fuzz".into(),
            SuiteId::Eject => "eject".into(),
            SuiteId::Book => "book".into(),
            SuiteId::Links => "links".into(),
            SuiteId::E2e => "e2e".into(),
            SuiteId::Onramps => "onramps".into(),
            SuiteId::Bench => "bench".into(),
            SuiteId::Threads => "threads".into(),
            SuiteId::Release => "release".into(),
            SuiteId::Msrv => "msrv".into(),
        }
    }

    /// Whether `--only <word>` selects this suite.
    fn selected_by(self, word: &str) -> bool {
        match self {
            SuiteId::Env(env) => env.selected_by(word),
            _ => self.name() == word,
        }
    }
}

/// The suites `--only` and `--engine` select, in run order.
pub(crate) fn select(only: &[String], engines: &[Engine]) -> Result<Vec<SuiteId>> {
    let all = SuiteId::all();
    for word in only {
        if !all.iter().any(|s| s.selected_by(word)) {
            bail!(
                "--only {word}: no such suite; choose from fmt, lint, clippy, native, node, deno, bun, \
                 browser, worker, shared-worker, service-worker, \
                 <engine>-<main|worker|shared-worker|service-worker>, wasi, wasip1, wasip2, workerd, miri, loom, eject, book, links, e2e, onramps, bench, threads, release, msrv"
            );
        }
    }
    Ok(all
        .into_iter()
        .filter(|s| only.is_empty() || only.iter().any(|w| s.selected_by(w)))
        .filter(|s| match s {
            SuiteId::Env(e) => e
                .engine()
                .is_none_or(|en| engines.is_empty() || engines.contains(&en)),
            _ => true,
        })
        .collect())
}
