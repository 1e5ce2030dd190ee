//! What each suite of `cargo xtask test` does: the [`Suite`] trait, one implementation per
//! row of the summary table, and the [`Runner`] their commands go through.
//!
//! `test` picks the suites (`--only`, `--engine`), sets up the tools, and calls
//! [`Suite::run`] on each in the run order; what a suite found comes back as one
//! [`Outcome`]. A suite's work lives here when it is a few commands (fmt, clippy, the
//! environment matrix, Miri, loom, fuzz), or in its own module when it is more (eject,
//! book, links, e2e, onramps, bench, threads, release).

use std::cell::RefCell;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};

use crate::book;
use crate::counts::{Counts, parse_build_seconds, parse_counts};
use crate::demos::BuiltDemo;
use crate::env::{Engine, Environment};
use crate::outcome::Outcome;
use crate::process::{self, LogMode};
use crate::recipes::{self, EnvResult, TestResults};
use crate::setup::{self, Driver, Tools};
use crate::suite::SuiteId;
use crate::workspace::{Crate, Miri, MiriRun, MiriTarget, Workspace};
use crate::{bench, e2e, eject, links};

/// One suite of `cargo xtask test`: a row of the summary table.
pub(crate) trait Suite {
    /// Which row it is (its name, its place in the run order, its target directories).
    fn id(&self) -> SuiteId;
    /// Runs it. An `Err` is something that stopped the whole run (a tool that can't be
    /// installed); a check that failed is a problem in the outcome.
    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome>;
}

/// What every suite may use, and what one suite leaves for a later one.
pub(crate) struct Context<'a> {
    pub(crate) ws: &'a Workspace,
    /// The crates selected with `-p` (all tested crates without it).
    pub(crate) crates: &'a [&'a Crate],
    /// The `-p` names as given (empty: the whole workspace).
    pub(crate) packages: &'a [String],
    /// `--deep`.
    pub(crate) deep: bool,
    pub(crate) tools: &'a Tools,
    pub(crate) runner: &'a Runner,
    /// The demos of the last book build: the book suite builds them, links and e2e use
    /// them (and build the book themselves when it did not run first).
    pub(crate) built: Option<Vec<BuiltDemo>>,
}

/// The implementation of the suite `id`.
pub(crate) fn for_id(id: SuiteId) -> Box<dyn Suite> {
    match id {
        SuiteId::Fmt => Box::new(Fmt),
        SuiteId::Lint => Box::new(Lint),
        SuiteId::Clippy => Box::new(Clippy),
        SuiteId::Env(env) => Box::new(Env(env)),
        SuiteId::Miri => Box::new(MiriSuite),
        SuiteId::Loom => Box::new(Loom),
        SuiteId::Fuzz => Box::new(Fuzz),
        SuiteId::Eject => Box::new(Eject),
        SuiteId::Book => Box::new(Book),
        SuiteId::Links => Box::new(Links),
        SuiteId::E2e => Box::new(E2e),
        SuiteId::Onramps => Box::new(Onramps),
        SuiteId::Bench => Box::new(Bench),
        SuiteId::Threads => Box::new(Threads),
        SuiteId::Release => Box::new(Release),
        SuiteId::Msrv => Box::new(Msrv),
    }
}

/// `cargo fmt --check`.
struct Fmt;

impl Suite for Fmt {
    fn id(&self) -> SuiteId {
        SuiteId::Fmt
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let r = cx
            .runner
            .run("fmt", cargo().args(["fmt", "--all", "--check"]))?;
        let mut out = Outcome::default();
        tally_check(
            &mut out,
            &r,
            "rustfmt found unformatted code: run `cargo fmt --all`",
        );
        Ok(out)
    }
}

/// `lint-recipes` and the new-recipe template.
struct Lint;

impl Suite for Lint {
    fn id(&self) -> SuiteId {
        SuiteId::Lint
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = recipes::lint(cx.ws)?;
        println!("  → new-recipe template: scaffold, lint, test natively and in Node");
        out.add(recipes::check_template(cx.ws)?);
        println!(
            "    {} checks, {} problems",
            out.checked(),
            out.problems.len()
        );
        Ok(out.prefixed("lint"))
    }
}

/// clippy natively, for wasm32 and for WASI.
struct Clippy;

impl Suite for Clippy {
    fn id(&self) -> SuiteId {
        SuiteId::Clippy
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = Outcome::default();
        clippy(cx.runner, cx.crates, cx.packages, &mut out)?;
        Ok(out)
    }
}

/// The crates' tests in one environment.
struct Env(Environment);

impl Suite for Env {
    fn id(&self) -> SuiteId {
        SuiteId::Env(self.0)
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let with_ci = cx.packages.is_empty() || cx.packages.iter().any(|p| p == "wasm-rs-ci");
        let mut out = Outcome::default();
        environment(
            cx.ws, cx.runner, cx.tools, cx.crates, self.0, with_ci, &mut out,
        )?;
        Ok(out)
    }
}

/// Miri over the crates with a `miri` key.
struct MiriSuite;

impl Suite for MiriSuite {
    fn id(&self) -> SuiteId {
        SuiteId::Miri
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = Outcome::default();
        miri(cx.runner, cx.crates, cx.deep, &mut out)?;
        Ok(out)
    }
}

/// loom model checks, for crates with `loom = true`.
struct Loom;

impl Suite for Loom {
    fn id(&self) -> SuiteId {
        SuiteId::Loom
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = Outcome::default();
        for c in cx
            .crates
            .iter()
            .filter(|c| c.meta.as_ref().is_some_and(|m| m.loom))
        {
            let mut cmd = cargo();
            // `--cfg loom` changes every crate's build: keep it out of target/.
            cmd.args(["test", "--release", "-p", &c.name, "--test", "loom"])
                .env("RUSTFLAGS", "--cfg loom")
                .env("CARGO_TARGET_DIR", crate::beside::loom_target_dir(cx.ws));
            let r = cx.runner.run(&format!("loom {}", c.name), &mut cmd)?;
            record(&mut out, c, "loom", &r);
        }
        Ok(out)
    }
}

/// cargo-fuzz targets of the crates listing `fuzz = [...]`.
struct Fuzz;

impl Suite for Fuzz {
    fn id(&self) -> SuiteId {
        SuiteId::Fuzz
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = Outcome::default();
        for c in cx.crates {
            let Some(m) = &c.meta else { continue };
            for target in &m.fuzz {
                setup::ensure_cargo_fuzz()?;
                fuzz_target(cx, c, target, &mut out)?;
            }
        }
        Ok(out)
    }
}

/// One recipe per shape ejected, built and tested as a standalone project.
struct Eject;

impl Suite for Eject {
    fn id(&self) -> SuiteId {
        SuiteId::Eject
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let out = eject::check_all(cx.ws, cx.deep)?;
        println!(
            "    {} checks, {} problems",
            out.checked(),
            out.problems.len()
        );
        Ok(out.prefixed("eject"))
    }
}

/// The mdBook build and the demos.
struct Book;

impl Suite for Book {
    fn id(&self) -> SuiteId {
        SuiteId::Book
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let check = book::build(cx.ws, &cx.tools.mdbook)?;
        cx.built = Some(check.demos);
        Ok(check.outcome)
    }
}

/// Every internal link and anchor of the rendered book, and its links into the repository.
struct Links;

impl Suite for Links {
    fn id(&self) -> SuiteId {
        SuiteId::Links
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = Outcome::default();
        if cx.built.is_none() {
            cx.built = Some(build_book_quietly(cx.ws, cx.tools, &mut out)?);
        }
        let repository = crate::captions::repository_url(&cx.ws.root)?;
        let report = links::check(
            &book::output_dir(cx.ws),
            Some((repository.as_str(), &cx.ws.root)),
        )?;
        println!(
            "    {} links checked, {} external not fetched, {} broken",
            report.outcome.checked(),
            report.external,
            report.outcome.failed
        );
        out.add(report.outcome);
        Ok(out)
    }
}

/// The book in headless Chromium, and the state-sync page against its server.
struct E2e;

impl Suite for E2e {
    fn id(&self) -> SuiteId {
        SuiteId::E2e
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = Outcome::default();
        let demos = match cx.built.take() {
            Some(d) => d,
            None => build_book_quietly(cx.ws, cx.tools, &mut out)?,
        };
        let Some(Driver::Chromium { chromedriver }) = cx.tools.drivers.get(&Engine::Chromium)
        else {
            bail!("the e2e suite needs Chromium; `cargo xtask setup` installs it");
        };
        let expectations: Vec<e2e::DemoExpectation> = demos
            .iter()
            .map(|d| e2e::DemoExpectation {
                page: d.page.clone(),
                expect: d.expect.clone(),
            })
            .collect();
        out.add(e2e::run(
            &book::output_dir(cx.ws),
            chromedriver,
            &cx.ws.target_dir.join("xtask").join("screenshots"),
            &expectations,
            Some(e2e::ISOLATION_DEMO),
        )?);
        out.add_result(
            crate::e2e_state_sync::run(cx.ws, chromedriver),
            "e2e: state-sync",
        );
        cx.built = Some(demos);
        Ok(out)
    }
}

/// The bundler projects beside their recipes, in Chromium and Firefox.
struct Onramps;

impl Suite for Onramps {
    fn id(&self) -> SuiteId {
        SuiteId::Onramps
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let Some(Driver::Chromium { chromedriver }) = cx.tools.drivers.get(&Engine::Chromium)
        else {
            bail!("the onramps suite needs Chromium; `cargo xtask setup` installs it");
        };
        let geckodriver = match cx.tools.drivers.get(&Engine::Firefox) {
            Some(Driver::Firefox { geckodriver }) => Some(geckodriver.as_path()),
            _ => None,
        };
        let trunk = setup::ensure_trunk()?;
        let drivers = crate::onramps::Drivers {
            chromedriver,
            geckodriver,
            trunk: &trunk,
        };
        let mut out = Outcome::default();
        out.add_result(crate::onramps::run(cx.ws, &drivers), "onramps");
        Ok(out)
    }
}

/// `cargo xtask bench --quick`: every benchmark runs once.
struct Bench;

impl Suite for Bench {
    fn id(&self) -> SuiteId {
        SuiteId::Bench
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = Outcome::default();
        out.add_result(
            bench::run(cx.ws, &bench::BenchArgs::quick()).map(|o| o.prefixed("bench")),
            "bench",
        );
        Ok(out)
    }
}

/// The out-of-workspace nightly recipes.
struct Threads;

impl Suite for Threads {
    fn id(&self) -> SuiteId {
        SuiteId::Threads
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        crate::nightly::run(cx.ws, cx.tools, &cx.runner.log_dir)
    }
}

/// The runtime crates packaged and used by a scratch app.
struct Release;

impl Suite for Release {
    fn id(&self) -> SuiteId {
        SuiteId::Release
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = Outcome::default();
        out.add_result(
            crate::release::run(
                cx.ws,
                cx.tools.drivers.get(&Engine::Chromium),
                &cx.runner.log_dir,
            ),
            "release",
        );
        Ok(out)
    }
}

/// The scratch app built with the declared `rust-version`.
struct Msrv;

impl Suite for Msrv {
    fn id(&self) -> SuiteId {
        SuiteId::Msrv
    }

    fn run(&self, cx: &mut Context<'_>) -> Result<Outcome> {
        let mut out = Outcome::default();
        out.add_result(crate::release::msrv(cx.ws, &cx.runner.log_dir), "msrv");
        Ok(out)
    }
}

/// Fuzzes one target for 20 s (300 s with `--deep`), from its committed seeds.
fn fuzz_target(cx: &Context<'_>, c: &Crate, target: &str, out: &mut Outcome) -> Result<()> {
    // Seconds per target: short by default, longer with `--deep`.
    let seconds = if cx.deep { 300 } else { 20 };
    // New inputs go to a corpus under target/ (kept between runs); the committed seeds in
    // fuzz/seeds/<target>/ are only read.
    let corpus = cx
        .ws
        .target_dir
        .join("xtask/fuzz")
        .join(&c.name)
        .join(target);
    std::fs::create_dir_all(&corpus)?;
    let seeds = c.dir.join("fuzz/seeds").join(target);
    let mut cmd = Command::new("cargo");
    // The rustup proxy, so that `+nightly` selects the toolchain.
    cmd.current_dir(c.dir.join("fuzz"))
        .args(["+nightly", "fuzz", "run", target])
        .arg(&corpus);
    if seeds.is_dir() {
        cmd.arg(&seeds);
    } else {
        out.problem(format!(
            "{}: fuzz target `{target}` has no committed seed corpus in {}",
            c.name,
            seeds.display()
        ));
    }
    cmd.args(["--", &format!("-max_total_time={seconds}")]);
    let started = Instant::now();
    let r = cx
        .runner
        .run(&format!("fuzz {} {target}", c.name), &mut cmd)?;
    // libFuzzer's last line: `Done 1234567 runs in 21 second(s)`.
    let done = std::fs::read_to_string(&r.log)
        .unwrap_or_default()
        .lines()
        .rfind(|l| l.starts_with("Done ") && l.contains(" runs in "))
        .map(|l| format!(": {}", l.trim_start_matches("Done ")))
        .unwrap_or_default();
    println!(
        "    {target}: fuzzed for {seconds} s {} ({:.1} s with the build){done}",
        if cx.deep {
            "with --deep"
        } else {
            "by default, 300 s with --deep"
        },
        started.elapsed().as_secs_f64()
    );
    tally_check(
        out,
        &r,
        &format!("{}: fuzz target `{target}` found a crash", c.name),
    );
    Ok(())
}

/// How long one command took, and how much of that was cargo building.
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    pub(crate) label: String,
    pub(crate) seconds: f64,
    pub(crate) build: Option<f64>,
}

/// One command's outcome.
pub(crate) struct Run {
    success: bool,
    counts: Counts,
    log: PathBuf,
}

/// Runs a suite's commands: each one's output in its own log, its time recorded.
pub(crate) struct Runner {
    pub(crate) root: PathBuf,
    /// `target/xtask/logs/`.
    pub(crate) log_dir: PathBuf,
    /// `--verbose`: stream the output instead of logging it.
    pub(crate) verbose: bool,
    /// Every command run so far, in order.
    pub(crate) timings: RefCell<Vec<Timing>>,
}

impl Runner {
    /// Runs `cmd` (in the workspace root unless it names a directory), its output in
    /// `target/xtask/logs/<label>.log`.
    pub(crate) fn run(&self, label: &str, cmd: &mut Command) -> Result<Run> {
        let log = self
            .log_dir
            .join(format!("{}.log", label.replace([' ', '/'], "-")));
        if cmd.get_current_dir().is_none() {
            cmd.current_dir(&self.root);
        }
        println!("  → {label}");
        let started = Instant::now();
        let (success, text) = if self.verbose {
            let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
            std::fs::write(&log, "(streamed with --verbose)\n")?;
            (status.success(), String::new())
        } else {
            let run = process::run_logged(cmd, &log, LogMode::Truncate)?;
            (run.success(), run.text)
        };
        self.timings.borrow_mut().push(Timing {
            label: label.to_string(),
            seconds: started.elapsed().as_secs_f64(),
            build: parse_build_seconds(&text),
        });
        let run = Run {
            success,
            counts: parse_counts(&text),
            log,
        };
        if !run.success && !self.verbose {
            process::print_tail(&format!("last lines of {}", run.log.display()), &text, 60);
        }
        Ok(run)
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// A check that passes or fails as a whole (fmt, one clippy run).
fn tally_check(out: &mut Outcome, r: &Run, problem: &str) {
    out.check(r.success, || {
        format!("{problem} (log: {})", r.log.display())
    });
}

fn clippy(runner: &Runner, crates: &[&Crate], only: &[String], out: &mut Outcome) -> Result<()> {
    let mut native = cargo();
    native.args(["clippy", "--all-targets"]);
    if only.is_empty() {
        native.arg("--workspace");
    } else {
        for c in crates {
            native.args(["-p", &c.name]);
        }
    }
    // The workerd tests are compiled only with their feature: lint them too.
    for c in crates {
        if c.environments()
            .is_ok_and(|e| e.contains(&Environment::Workerd))
        {
            native.args([
                "--features",
                &format!("{}/{}", c.name, crate::workerd::FEATURE),
            ]);
        }
    }
    native.args(["--", "-D", "warnings"]);
    let r = runner.run("clippy native", &mut native)?;
    tally_check(out, &r, "clippy (native) reported warnings or errors");

    let wasm: Vec<&&Crate> = crates
        .iter()
        .filter(|c| c.has_wasm().unwrap_or(false))
        .collect();
    if !wasm.is_empty() {
        let mut cmd = cargo();
        cmd.args([
            "clippy",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
        ]);
        for c in &wasm {
            cmd.args(["-p", &c.name]);
        }
        cmd.args(["--", "-D", "warnings"]);
        let r = runner.run("clippy wasm32", &mut cmd)?;
        tally_check(out, &r, "clippy (wasm32) reported warnings or errors");
    }

    // WASI: p1 and p2 share every cfg the crates test, so one lint pass covers both.
    let wasi: Vec<&&Crate> = crates
        .iter()
        .filter(|c| {
            c.environments()
                .is_ok_and(|e| e.iter().any(|e| matches!(e, Environment::Wasi(_))))
        })
        .collect();
    if !wasi.is_empty() {
        let mut cmd = cargo();
        cmd.args(["clippy", "--all-targets", "--target", "wasm32-wasip1"]);
        for c in &wasi {
            cmd.args(["-p", &c.name]);
        }
        cmd.args(["--", "-D", "warnings"]);
        let r = runner.run("clippy wasip1", &mut cmd)?;
        tally_check(out, &r, "clippy (wasip1) reported warnings or errors");
    }
    Ok(())
}

/// Runs Miri over each crate with a `miri` key: one command per target its `miri = [...]`
/// list names, or one for all of them (`miri = true`, or any list with `--deep`).
fn miri(runner: &Runner, crates: &[&Crate], deep: bool, out: &mut Outcome) -> Result<()> {
    for c in crates {
        let Some(m) = c.meta.as_ref().map(|m| &m.miri).filter(|m| m.is_on()) else {
            continue;
        };
        setup::ensure_miri()?;
        // The rustup proxy, not $CARGO (the stable toolchain's own binary), so that
        // `+nightly` selects the toolchain.
        let miri_test = || {
            let mut cmd = Command::new("cargo");
            cmd.args(["+nightly", "miri", "test", "-p", &c.name]);
            cmd
        };
        match m.subset(deep) {
            None => {
                let why = if matches!(m, Miri::Subset(_)) {
                    "--deep"
                } else {
                    "miri = true"
                };
                println!("  {}: every test target and the doctests ({why})", c.name);
                let r = runner.run(&format!("miri {}", c.name), &mut miri_test())?;
                record(out, c, "miri", &r);
            }
            Some(runs) => {
                println!("  {}", describe_subset(c, runs));
                for run in runs {
                    let mut cmd = miri_test();
                    cmd.args(run.cargo_args());
                    let r = runner.run(&format!("miri {} {run}", c.name), &mut cmd)?;
                    record(out, c, format!("miri {run}"), &r);
                }
            }
        }
    }
    Ok(())
}

/// `<crate>: default subset a, b --skip x; --deep also runs lib, doc, c and the rest of b`:
/// what the list leaves out of the test targets cargo finds in the crate (`lib` and `doc`
/// with a `src/lib.rs`, each `tests/<name>.rs` and `tests/<name>/main.rs`).
fn describe_subset(c: &Crate, runs: &[MiriRun]) -> String {
    let mut all = Vec::new();
    if c.dir.join("src").join("lib.rs").is_file() {
        all.extend([MiriTarget::Lib, MiriTarget::Doc]);
    }
    let tests = c.test_targets();
    all.extend(tests.into_iter().map(MiriTarget::Test));
    let mut rest: Vec<String> = all
        .iter()
        .filter(|t| !runs.iter().any(|r| &r.target == *t))
        .map(ToString::to_string)
        .collect();
    rest.extend(
        runs.iter()
            .filter(|r| !r.test_args.is_empty())
            .map(|r| format!("the rest of {}", r.target)),
    );
    let listed: Vec<String> = runs.iter().map(ToString::to_string).collect();
    format!(
        "{}: default subset {}; `--deep` also runs {}",
        c.name,
        listed.join(", "),
        if rest.is_empty() {
            "nothing more".to_string()
        } else {
            rest.join(", ")
        }
    )
}

/// Runs the tests of every crate declaring `env`, one cargo invocation per crate so that a
/// crate whose tests ran zero tests is named.
fn environment(
    ws: &Workspace,
    runner: &Runner,
    tools: &Tools,
    crates: &[&Crate],
    env: Environment,
    include_ci: bool,
    out: &mut Outcome,
) -> Result<()> {
    let mut any = false;
    let mut wasi_site: Option<PathBuf> = None;
    if env.engine() == Some(Engine::Firefox) {
        // Each suite starts from an empty profile; see `with_driver`.
        let _ = std::fs::remove_dir_all(setup::firefox_profile(ws));
    }
    for c in crates {
        if !c.environments()?.contains(&env) {
            continue;
        }
        any = true;
        let mut cmd = cargo();
        cmd.args(["test", "--no-fail-fast", "-p", &c.name]);
        // The runner's precedence between drivers is not ours to rely on: set exactly one.
        for var in ["CHROMEDRIVER", "GECKODRIVER", "SAFARIDRIVER"] {
            cmd.env_remove(var);
        }
        if let Some(target) = env.cargo_target() {
            cmd.args(["--target", target]);
            match c.not_run_in(env)? {
                // Every test target but the ones the crate says can't run here, and why.
                Some(not_run) => {
                    println!(
                        "  {}: not run in {env}: {} ({})",
                        c.name,
                        not_run.tests.join(", "),
                        not_run.why
                    );
                    if c.dir.join("src/lib.rs").is_file() {
                        cmd.arg("--lib");
                    }
                    for t in c.test_targets() {
                        if !not_run.tests.contains(&t) {
                            cmd.args(["--test", &t]);
                        }
                    }
                }
                None => {
                    cmd.arg("--tests");
                }
            }
        }
        if let Some(host) = crate::jshosts::JsHost::of(env) {
            let binary = crate::jshosts::ensure(ws, host)?;
            crate::jshosts::configure(&mut cmd, &ws.root, host, &binary);
        }
        if env == Environment::Workerd {
            // The Worker is built first, as its README says; a failed step fails the crate.
            let mut built = true;
            for (label, mut step) in crate::workerd::build_steps(&c.dir, &ws.target_dir) {
                let r = runner.run(&format!("workerd {} {label}", c.name), &mut step)?;
                if !r.success {
                    built = false;
                    out.failed += 1;
                    out.problems.push(format!(
                        "{}: {label} failed in {} (log: {})",
                        c.name,
                        crate::workerd::project(&c.dir).display(),
                        r.log.display()
                    ));
                    break;
                }
            }
            if !built {
                continue;
            }
            cmd.args(["--features", crate::workerd::FEATURE, "--test", "workerd"]);
        }
        if let Environment::Wasi(w) = env {
            if wasi_site.is_none() {
                wasi_site = Some(crate::wasi::ensure(ws)?);
            }
            let site = wasi_site.as_deref().expect("installed above");
            crate::wasi::configure(&mut cmd, ws, w, site);
        }
        for (k, v) in env.runner_vars() {
            cmd.env(k, v);
        }
        if let Some(engine) = env.engine() {
            cmd = setup::with_driver(ws, cmd, tools, engine)?;
        }
        if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
            // The runner's default (20 s) is too short for the million-task tests in debug builds.
            cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "300");
        }
        let r = runner.run(&format!("{env} {}", c.name), &mut cmd)?;
        record(out, c, env, &r);
        TestResults::record(
            ws,
            &c.name,
            env,
            EnvResult {
                passed: r.counts.passed,
                failed: r.counts.failed,
                ok: r.success && r.counts.passed > 0,
            },
        )?;
    }
    // WASI: programs that must print the same natively and under wasmtime.
    if let (Environment::Wasi(w), Some(site)) = (env, wasi_site.as_deref()) {
        for (package, example) in crate::wasi::PARITY {
            if !crates.iter().any(|c| c.name == *package) {
                continue;
            }
            println!("  → {env} {package}: example {example} prints what it prints natively");
            match crate::wasi::parity(ws, w, site, package, example)? {
                None => out.passed += 1,
                Some(problem) => {
                    out.failed += 1;
                    out.problems.push(format!("{env}: {problem}"));
                }
            }
        }
    }
    // xtask's own unit tests run with the native suite.
    if env == Environment::Native && include_ci {
        any = true;
        let r = runner.run(
            "native wasm-rs-ci",
            cargo().args(["test", "-p", "wasm-rs-ci"]),
        )?;
        out.passed += r.counts.passed;
        out.failed += r.counts.failed;
        if !r.success {
            out.failed += u64::from(r.counts.failed == 0);
            out.problems.push(format!(
                "wasm-rs-ci tests failed (log: {})",
                r.log.display()
            ));
        }
    }
    if !any {
        println!("  (no crate declares `{env}`)");
    }
    Ok(())
}

/// Builds the book for the links or e2e suite when the book suite did not run first.
fn build_book_quietly(
    ws: &Workspace,
    tools: &Tools,
    out: &mut Outcome,
) -> Result<Vec<crate::demos::BuiltDemo>> {
    let check = book::build(ws, &tools.mdbook)?;
    out.failed += check.outcome.failed;
    out.problems.extend(check.outcome.problems);
    Ok(check.demos)
}

fn record(out: &mut Outcome, c: &Crate, env: impl std::fmt::Display, r: &Run) {
    out.passed += r.counts.passed;
    out.failed += r.counts.failed;
    let total = r.counts.passed + r.counts.failed;
    println!(
        "    {} passed, {} failed{}",
        r.counts.passed,
        r.counts.failed,
        if r.success { "" } else { " (command failed)" }
    );
    if !r.success {
        // A build failure or a runner crash has no failed count of its own: count it once.
        out.failed += u64::from(r.counts.failed == 0);
        out.problems.push(format!(
            "{}: tests failed in `{env}` (log: {})",
            c.name,
            r.log.display()
        ));
    } else if total == 0 {
        out.failed += 1;
        out.problems.push(format!(
            "{}: declares `{env}` in [package.metadata.wasm-rs] environments but ran no tests there",
            c.name
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Context as PageContext;

    #[test]
    fn the_miri_subset_names_what_deep_adds() {
        let dir = std::env::temp_dir().join(format!("xtask-miri-subset-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("tests").join("nested")).unwrap();
        std::fs::create_dir_all(dir.join("tests").join("common")).unwrap();
        std::fs::write(dir.join("src").join("lib.rs"), "").unwrap();
        for f in ["a.rs", "b.rs", "c.rs", "nested/main.rs", "common/mod.rs"] {
            std::fs::write(dir.join("tests").join(f), "").unwrap();
        }
        let c = Crate {
            name: "demo".into(),
            dir: dir.clone(),
            meta: None,
        };
        let runs = [
            MiriRun::parse("b --skip slow").unwrap(),
            MiriRun::parse("a").unwrap(),
        ];
        assert_eq!(
            describe_subset(&c, &runs),
            "demo: default subset b --skip slow, a; `--deep` also runs lib, doc, c, nested, \
             the rest of b"
        );
        let everything = [
            MiriRun::parse("lib").unwrap(),
            MiriRun::parse("doc").unwrap(),
            MiriRun::parse("a").unwrap(),
            MiriRun::parse("b").unwrap(),
            MiriRun::parse("c").unwrap(),
            MiriRun::parse("nested").unwrap(),
        ];
        assert!(
            describe_subset(&c, &everything).ends_with("`--deep` also runs nothing more"),
            "{}",
            describe_subset(&c, &everything)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn zero_tests_in_a_declared_environment_fails() {
        let c = Crate {
            name: "demo".into(),
            dir: PathBuf::from("."),
            meta: None,
        };
        let mut out = Outcome::default();
        let run = Run {
            success: true,
            counts: Counts::default(),
            log: PathBuf::from("x.log"),
        };
        record(
            &mut out,
            &c,
            Environment::Browser(Engine::Chromium, PageContext::Main),
            &run,
        );
        assert_eq!(out.failed, 1);
        assert!(
            out.problems[0].contains("ran no tests"),
            "{:?}",
            out.problems
        );
    }

    #[test]
    fn a_failed_build_counts_as_a_failure() {
        let c = Crate {
            name: "demo".into(),
            dir: PathBuf::from("."),
            meta: None,
        };
        let mut out = Outcome::default();
        let run = Run {
            success: false,
            counts: Counts::default(),
            log: PathBuf::from("x.log"),
        };
        record(&mut out, &c, Environment::Node, &run);
        assert_eq!(out.failed, 1);
    }
}
