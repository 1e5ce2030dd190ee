//! `cargo xtask test`: every check, and the environment matrix.
//!
//! A crate declares where its tests run in `[package.metadata.wasm-rs] environments`.
//! Its tests are written once; this module runs them once per declared environment,
//! choosing the environment with the variables wasm-bindgen-test-runner reads. Each run's
//! output goes to `target/xtask/logs/`; a failing run prints its tail. A declared
//! environment whose tests ran zero tests is a failure: a test matrix that silently
//! runs nothing is worse than none.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::book;
use crate::counts::{Counts, parse_build_seconds, parse_counts};
use crate::env::{Context as PageContext, Engine, Environment};
use crate::process::{self, LogMode};
use crate::recipes::{self, EnvResult, TestResults};
use crate::setup::{self, Driver, Tools};
use crate::suite::{self, Suite};
use crate::workspace::{Crate, Miri, MiriRun, MiriTarget, Workspace};
use crate::{bench, beside, e2e, eject, links};

/// Arguments of `cargo xtask test`.
#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    /// Run only these suites (repeatable, or comma-separated): fmt, lint, clippy, native, node,
    /// deno, bun, browser (every engine's main thread), worker (every engine's dedicated
    /// worker), shared-worker, service-worker (every engine's),
    /// <engine>-<main|worker|shared-worker|service-worker> (e.g. firefox-worker), miri, loom, eject, book, links, e2e, onramps, bench,
    /// threads (the nightly recipes outside the workspace), release (the runtime crates packaged
    /// and used by a scratch app), msrv (that app on the declared rust-version).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Only these browser engines (repeatable, or comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    engine: Vec<Engine>,
    /// Narrow the crate suites (clippy and the environments) to these crates.
    #[arg(short = 'p', long = "package")]
    packages: Vec<String>,
    /// Stream every command's output instead of keeping it in target/xtask/logs/.
    #[arg(short, long)]
    verbose: bool,
    /// Run the deep checks too: Miri over every test target and doctest of each crate with a
    /// `miri` key (the default run takes only the targets its `miri = [...]` list names), every
    /// recipe ejected and built (the default: one per shape), and fuzzing for 300 s per target
    /// (the default: 20 s).
    #[arg(long)]
    deep: bool,
    /// A one-off run that keeps no caches: builds without incremental data, and each
    /// suite-private target directory (loom, Miri, WASI, eject, release, nightly) deleted
    /// once no suite left in the run uses it. On by default when `CI` is set.
    #[arg(long)]
    pub(crate) prune: bool,
}

/// The result of one suite.
#[derive(Debug, Default)]
struct Row {
    name: String,
    passed: u64,
    failed: u64,
    seconds: f64,
    /// Seconds cargo spent building, summed over the suite's commands (`Finished ... in X`);
    /// `None` when none of them said.
    build: Option<f64>,
    /// CPU seconds (user + system) spent by xtask and its child processes during the
    /// suite; `None` where `/proc/self/stat` cannot be read.
    cpu: Option<f64>,
    /// Ran beside other suites (see `beside.rs`): its seconds overlap theirs.
    beside: bool,
    /// How much the free disk space shrank during the suite, in bytes (negative: grew, as
    /// when the suite's private builds were pruned); `None` where it can't be read.
    disk: Option<i64>,
    problems: Vec<String>,
}

impl Row {
    /// Counts a suite part's report: its passes and problems, or one problem saying why it
    /// could not run (prefixed with `what`).
    fn add(&mut self, outcome: Result<e2e::E2eReport>, what: &str) {
        match outcome {
            Ok(r) => {
                self.passed += r.passed;
                self.failed += r.problems.len() as u64;
                self.problems.extend(r.problems);
            }
            Err(e) => {
                self.failed += 1;
                self.problems.push(format!("{what}: {e:#}"));
            }
        }
    }
}

/// How long one command took, and how much of that was cargo building.
#[derive(Debug, Clone)]
struct Timing {
    label: String,
    seconds: f64,
    build: Option<f64>,
}

/// One command's outcome.
struct Run {
    success: bool,
    counts: Counts,
    log: PathBuf,
}

struct Runner {
    root: PathBuf,
    log_dir: PathBuf,
    verbose: bool,
    /// Every command run so far, in order.
    timings: RefCell<Vec<Timing>>,
}

impl Runner {
    /// Runs `cmd` (in the workspace root unless it names a directory), its output in
    /// `target/xtask/logs/<label>.log`.
    fn run(&self, label: &str, cmd: &mut Command) -> Result<Run> {
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

/// Runs `cargo xtask test`.
pub(crate) fn run(ws: &Workspace, args: &TestArgs) -> Result<()> {
    let started = Instant::now();
    let crates = ws.tested_crates(&args.packages)?;
    let suites = suite::select(&args.only, &args.engine)?;
    // Only the engines of suites that will run a declared environment, plus Chromium for e2e.
    let mut engines: Vec<Engine> = Vec::new();
    for s in &suites {
        let engine = match s {
            Suite::Env(e) => {
                let declared = crates
                    .iter()
                    .any(|c| c.environments().is_ok_and(|envs| envs.contains(e)));
                e.engine().filter(|_| declared)
            }
            Suite::E2e | Suite::Release => Some(Engine::Chromium),
            Suite::Onramps => {
                if !engines.contains(&Engine::Firefox) {
                    engines.push(Engine::Firefox);
                }
                Some(Engine::Chromium)
            }
            _ => None,
        };
        if let Some(en) = engine.filter(|en| !engines.contains(en)) {
            engines.push(en);
        }
        if *s == Suite::Threads {
            for en in crate::nightly::engines(ws)? {
                if !engines.contains(&en) {
                    engines.push(en);
                }
            }
        }
    }
    let prune = crate::disk::prune_enabled(args.prune);
    println!(
        "{}",
        crate::disk::preflight(crate::disk::free_bytes(&ws.target_dir))
    );
    if prune {
        println!(
            "disk: pruning on ({}): no incremental build data; each suite's private builds \
             are deleted when no later suite uses them",
            if args.prune { "--prune" } else { "CI is set" }
        );
    }
    let tools = setup::run_for(ws, &engines)?;
    println!("\nxtask test: the matrix");
    for c in &crates {
        if let Some(line) = c.describe() {
            println!("  {line}");
        }
    }
    let log_dir = ws.target_dir.join("xtask").join("logs");
    std::fs::create_dir_all(&log_dir)?;
    let runner = Runner {
        root: ws.root.clone(),
        log_dir,
        verbose: args.verbose,
        timings: RefCell::default(),
    };

    let mut rows = Vec::new();
    let mut built: Option<Vec<crate::demos::BuiltDemo>> = None;
    // The loom, Miri and fuzz builds run beside the worker suites (see `beside.rs`).
    let has = |want: Suite| suites.contains(&want);
    let mut to_build_beside = suites
        .iter()
        .any(|s| matches!(s, Suite::Env(Environment::Browser(_, PageContext::Worker))))
        .then(|| {
            beside::builds(
                ws,
                &crates,
                has(Suite::Loom),
                has(Suite::Miri),
                has(Suite::Fuzz),
                args.deep,
            )
        })
        .filter(|b| !b.is_empty());
    let mut building: Option<beside::Beside> = None;
    for (index, suite) in suites.iter().copied().enumerate() {
        if matches!(suite, Suite::Loom | Suite::Miri | Suite::Fuzz)
            && let Some(b) = building.take()
        {
            rows.push(beside_row(&runner, b.join()));
        }
        println!("\n== {} ==", suite.name());
        if let Suite::Env(env @ Environment::Browser(_, PageContext::Worker)) = suite {
            let declared = crates
                .iter()
                .any(|c| c.environments().is_ok_and(|e| e.contains(&env)));
            if declared
                && building.is_none()
                && let Some(builds) = to_build_beside.take()
            {
                building = Some(beside::Beside::start(&ws.root, &runner.log_dir, builds));
            }
        }
        let t = Instant::now();
        let free_before = crate::disk::free_bytes(&ws.target_dir);
        let cpu_before = cpu_seconds();
        let beside_cpu_before = building.as_ref().map_or(0.0, beside::Beside::cpu_seconds);
        let first_command = runner.timings.borrow().len();
        let mut row = Row {
            name: suite.name(),
            ..Row::default()
        };
        match suite {
            Suite::Fmt => {
                let r = runner.run("fmt", cargo().args(["fmt", "--all", "--check"]))?;
                tally_check(
                    &mut row,
                    &r,
                    "rustfmt found unformatted code: run `cargo fmt --all`",
                );
            }
            Suite::Lint => {
                let mut report = recipes::lint(ws)?;
                println!("  → new-recipe template: scaffold, lint, test natively and in Node");
                let template = recipes::check_template(ws)?;
                report.checked += template.checked;
                report.problems.extend(template.problems);
                println!(
                    "    {} checks, {} problems",
                    report.checked,
                    report.problems.len()
                );
                row.passed += report.checked - report.problems.len() as u64;
                row.failed += report.problems.len() as u64;
                row.problems
                    .extend(report.problems.into_iter().map(|p| format!("lint: {p}")));
            }
            Suite::Eject => {
                let report = eject::check_all(ws, args.deep)?;
                println!(
                    "    {} checks, {} problems",
                    report.checked,
                    report.problems.len()
                );
                row.passed += report.checked - report.problems.len() as u64;
                row.failed += report.problems.len() as u64;
                row.problems
                    .extend(report.problems.into_iter().map(|p| format!("eject: {p}")));
            }
            Suite::Clippy => clippy(&runner, &crates, &args.packages, &mut row)?,
            Suite::Env(env) => {
                let with_ci =
                    args.packages.is_empty() || args.packages.iter().any(|p| p == "wasm-rs-ci");
                environment(ws, &runner, &tools, &crates, env, with_ci, &mut row)?;
            }
            Suite::Miri => miri(&runner, &crates, args.deep, &mut row)?,
            Suite::Fuzz => {
                for c in &crates {
                    let Some(m) = &c.meta else { continue };
                    for target in &m.fuzz {
                        setup::ensure_cargo_fuzz()?;
                        // Seconds per target: short by default, longer with `--deep`.
                        let seconds = if args.deep { 300 } else { 20 };
                        // New inputs go to a corpus under target/ (kept between runs); the
                        // committed seeds in fuzz/seeds/<target>/ are only read.
                        let corpus = ws.target_dir.join("xtask/fuzz").join(&c.name).join(target);
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
                            row.failed += 1;
                            row.problems.push(format!(
                                "{}: fuzz target `{target}` has no committed seed corpus in {}",
                                c.name,
                                seeds.display()
                            ));
                        }
                        cmd.args(["--", &format!("-max_total_time={seconds}")]);
                        let started = Instant::now();
                        let r = runner.run(&format!("fuzz {} {target}", c.name), &mut cmd)?;
                        // libFuzzer's last line: `Done 1234567 runs in 21 second(s)`.
                        let done = std::fs::read_to_string(&r.log)
                            .unwrap_or_default()
                            .lines()
                            .rfind(|l| l.starts_with("Done ") && l.contains(" runs in "))
                            .map(|l| format!(": {}", l.trim_start_matches("Done ")))
                            .unwrap_or_default();
                        println!(
                            "    {target}: fuzzed for {seconds} s {} ({:.1} s with the build){done}",
                            if args.deep {
                                "with --deep"
                            } else {
                                "by default, 300 s with --deep"
                            },
                            started.elapsed().as_secs_f64()
                        );
                        tally_check(
                            &mut row,
                            &r,
                            &format!("{}: fuzz target `{target}` found a crash", c.name),
                        );
                    }
                }
            }
            Suite::Loom => {
                for c in crates
                    .iter()
                    .filter(|c| c.meta.as_ref().is_some_and(|m| m.loom))
                {
                    let mut cmd = cargo();
                    // `--cfg loom` changes every crate's build: keep it out of target/.
                    cmd.args(["test", "--release", "-p", &c.name, "--test", "loom"])
                        .env("RUSTFLAGS", "--cfg loom")
                        .env("CARGO_TARGET_DIR", beside::loom_target_dir(ws));
                    let r = runner.run(&format!("loom {}", c.name), &mut cmd)?;
                    record(&mut row, c, "loom", &r);
                }
            }
            Suite::Book => {
                let check = book::build(ws, &tools.mdbook)?;
                row.passed += check.passed;
                row.failed += check.problems.len() as u64;
                row.problems.extend(check.problems);
                built = Some(check.demos);
            }
            Suite::Links => {
                if built.is_none() {
                    built = Some(build_book_quietly(ws, &tools, &mut row)?);
                }
                let repository = crate::captions::repository_url(&ws.root)?;
                let report =
                    links::check(&book::output_dir(ws), Some((repository.as_str(), &ws.root)))?;
                println!(
                    "    {} internal links checked, {} external not fetched, {} broken",
                    report.checked,
                    report.external,
                    report.problems.len()
                );
                row.passed += report.checked - report.problems.len() as u64;
                row.failed += report.problems.len() as u64;
                row.problems.extend(report.problems);
            }
            Suite::E2e => {
                let demos = match built.take() {
                    Some(d) => d,
                    None => build_book_quietly(ws, &tools, &mut row)?,
                };
                let Some(Driver::Chromium { chromedriver }) = tools.drivers.get(&Engine::Chromium)
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
                let report = e2e::run(
                    &book::output_dir(ws),
                    chromedriver,
                    &ws.target_dir.join("xtask").join("screenshots"),
                    &expectations,
                    Some(e2e::ISOLATION_DEMO),
                )?;
                row.passed += report.passed;
                row.failed += report.problems.len() as u64;
                row.problems.extend(report.problems);
                row.add(
                    crate::e2e_state_sync::run(ws, chromedriver),
                    "e2e: state-sync",
                );
                built = Some(demos);
            }
            Suite::Onramps => {
                let Some(Driver::Chromium { chromedriver }) = tools.drivers.get(&Engine::Chromium)
                else {
                    bail!("the onramps suite needs Chromium; `cargo xtask setup` installs it");
                };
                let geckodriver = match tools.drivers.get(&Engine::Firefox) {
                    Some(Driver::Firefox { geckodriver }) => Some(geckodriver.as_path()),
                    _ => None,
                };
                let trunk = crate::setup::ensure_trunk()?;
                let drivers = crate::onramps::Drivers {
                    chromedriver,
                    geckodriver,
                    trunk: &trunk,
                };
                row.add(crate::onramps::run(ws, &drivers), "onramps");
            }
            Suite::Threads => {
                let outcome = crate::nightly::run(ws, &tools, &runner.log_dir)?;
                row.passed += outcome.passed;
                row.failed += outcome.failed;
                row.problems.extend(outcome.problems);
            }
            Suite::Release | Suite::Msrv => {
                let report = if suite == Suite::Release {
                    crate::release::run(ws, tools.drivers.get(&Engine::Chromium), &runner.log_dir)
                } else {
                    crate::release::msrv(ws, &runner.log_dir)
                };
                match report {
                    Ok(r) => {
                        row.passed += r.passed;
                        row.failed += r.problems.len() as u64;
                        row.problems.extend(r.problems);
                    }
                    Err(e) => {
                        row.failed += 1;
                        row.problems.push(format!("{}: {e:#}", suite.name()));
                    }
                }
            }
            Suite::Bench => match bench::run(ws, &bench::BenchArgs::quick()) {
                Ok(outcome) => {
                    row.passed += outcome
                        .checked
                        .saturating_sub(outcome.problems.len() as u64);
                    row.failed += outcome.problems.len() as u64;
                    row.problems
                        .extend(outcome.problems.into_iter().map(|p| format!("bench: {p}")));
                }
                Err(e) => {
                    row.failed += 1;
                    row.problems.push(format!("bench: {e:#}"));
                }
            },
        }
        row.seconds = t.elapsed().as_secs_f64();
        // Less the CPU time of the builds running beside it, reaped meanwhile.
        let beside_cpu =
            building.as_ref().map_or(0.0, beside::Beside::cpu_seconds) - beside_cpu_before;
        row.cpu = cpu_before
            .zip(cpu_seconds())
            .map(|(before, after)| (after - before - beside_cpu).max(0.0));
        row.build = runner.timings.borrow()[first_command..]
            .iter()
            .filter_map(|c| c.build)
            .reduce(|a, b| a + b);
        if prune {
            // The beside builds fill loom's and Miri's directories: never prune under them.
            let left = &suites[index + 1..];
            for dir in crate::disk::done_with(&ws.target_dir, suite, left) {
                let before = crate::disk::free_bytes(&ws.target_dir);
                match std::fs::remove_dir_all(&dir) {
                    Ok(()) => println!(
                        "  pruned {} ({} GB freed)",
                        dir.strip_prefix(&ws.root).unwrap_or(&dir).display(),
                        before
                            .zip(crate::disk::free_bytes(&ws.target_dir))
                            .map_or("?".into(), |(b, a)| crate::disk::gb(a.saturating_sub(b)))
                    ),
                    Err(e) => println!("  could not prune {}: {e}", dir.display()),
                }
            }
        }
        row.disk = free_before
            .zip(crate::disk::free_bytes(&ws.target_dir))
            .map(|(before, after)| before as i64 - after as i64);
        rows.push(row);
    }
    if let Some(b) = building.take() {
        rows.push(beside_row(&runner, b.join()));
    }

    let table = render_table(&rows);
    println!("\n{table}");
    let timings = runner.log_dir.join("timings.md");
    std::fs::write(
        &timings,
        render_timings(&rows, &runner.timings.borrow(), args.deep),
    )
    .with_context(|| format!("writing {}", timings.display()))?;
    let failed: u64 = rows.iter().map(|r| r.failed).sum();
    let passed: u64 = rows.iter().map(|r| r.passed).sum();
    let problems: Vec<&String> = rows.iter().flat_map(|r| &r.problems).collect();
    for p in &problems {
        println!("FAILED: {p}");
    }
    println!(
        "total time {:.0} s; logs in {}",
        started.elapsed().as_secs_f64(),
        runner.log_dir.display()
    );
    println!("xtask: {passed} passed, {failed} failed");
    if failed > 0 || !problems.is_empty() {
        bail!(
            "{} problem(s); see above",
            problems.len().max(failed as usize)
        );
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// A check that passes or fails as a whole (fmt, one clippy run).
fn tally_check(row: &mut Row, r: &Run, problem: &str) {
    if r.success {
        row.passed += 1;
    } else {
        row.failed += 1;
        row.problems
            .push(format!("{problem} (log: {})", r.log.display()));
    }
}

fn clippy(runner: &Runner, crates: &[&Crate], only: &[String], row: &mut Row) -> Result<()> {
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
    tally_check(row, &r, "clippy (native) reported warnings or errors");

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
        tally_check(row, &r, "clippy (wasm32) reported warnings or errors");
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
        tally_check(row, &r, "clippy (wasip1) reported warnings or errors");
    }
    Ok(())
}

/// Runs Miri over each crate with a `miri` key: one command per target its `miri = [...]`
/// list names, or one for all of them (`miri = true`, or any list with `--deep`).
fn miri(runner: &Runner, crates: &[&Crate], deep: bool, row: &mut Row) -> Result<()> {
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
                record(row, c, "miri", &r);
            }
            Some(runs) => {
                println!("  {}", describe_subset(c, runs));
                for run in runs {
                    let mut cmd = miri_test();
                    cmd.args(run.cargo_args());
                    let r = runner.run(&format!("miri {} {run}", c.name), &mut cmd)?;
                    record(row, c, format!("miri {run}"), &r);
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
    row: &mut Row,
) -> Result<()> {
    let mut any = false;
    let mut wasi_site: Option<PathBuf> = None;
    if env.engine() == Some(Engine::Firefox) {
        // Each suite starts from an empty profile; see `with_driver`.
        let _ = std::fs::remove_dir_all(firefox_profile(ws));
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
                    row.failed += 1;
                    row.problems.push(format!(
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
            cmd = with_driver(ws, cmd, tools, engine)?;
        }
        if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
            // The runner's default (20 s) is too short for the million-task tests in debug builds.
            cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "300");
        }
        let r = runner.run(&format!("{env} {}", c.name), &mut cmd)?;
        record(row, c, env, &r);
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
                None => row.passed += 1,
                Some(problem) => {
                    row.failed += 1;
                    row.problems.push(format!("{env}: {problem}"));
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
        row.passed += r.counts.passed;
        row.failed += r.counts.failed;
        if !r.success {
            row.failed += u64::from(r.counts.failed == 0);
            row.problems.push(format!(
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

/// Points wasm-bindgen-test-runner at one engine's driver. WebKit also needs capabilities
/// naming MiniBrowser and a display, so its command is wrapped in `xvfb-run -a`.
fn with_driver(ws: &Workspace, cmd: Command, tools: &Tools, engine: Engine) -> Result<Command> {
    let driver = tools
        .drivers
        .get(&engine)
        .with_context(|| format!("no driver was set up for {}", engine.name()))?;
    let mut cmd = cmd;
    match driver {
        Driver::Chromium { chromedriver } => {
            cmd.env("CHROMEDRIVER", chromedriver);
        }
        Driver::Firefox { geckodriver } => {
            // geckodriver makes a new profile for every session, so every test binary paid for
            // a cold Firefox start (about 3 s here). Naming one profile directory, kept for the
            // whole suite, lets Firefox reuse its start-up caches: about 1.9 s per binary.
            // Origins do not share storage (every binary is served from a new port), and the
            // directory is emptied when the suite starts.
            let profile = firefox_profile(ws);
            std::fs::create_dir_all(&profile)?;
            let caps = ws.target_dir.join("xtask").join("webdriver-firefox.json");
            let json = serde_json::json!({
                "moz:firefoxOptions": { "args": ["-profile", profile] }
            });
            std::fs::write(&caps, serde_json::to_string_pretty(&json)?)?;
            cmd.env("GECKODRIVER", geckodriver)
                .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &caps);
        }
        Driver::Webkit {
            driver,
            minibrowser,
            xvfb_run,
        } => {
            let caps = ws.target_dir.join("xtask").join("webdriver-webkit.json");
            std::fs::create_dir_all(caps.parent().expect("under target/xtask"))?;
            let json = serde_json::json!({
                "webkitgtk:browserOptions": {
                    "binary": minibrowser,
                    "args": ["--automation", "--headless"],
                }
            });
            std::fs::write(&caps, serde_json::to_string_pretty(&json)?)?;
            let mut wrapped = Command::new(xvfb_run);
            wrapped
                .arg("-a")
                .arg(cmd.get_program())
                .args(cmd.get_args());
            for (k, v) in cmd.get_envs() {
                match v {
                    Some(v) => wrapped.env(k, v),
                    None => wrapped.env_remove(k),
                };
            }
            wrapped
                .env("SAFARIDRIVER", driver)
                .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &caps);
            cmd = wrapped;
        }
    }
    Ok(cmd)
}

/// The name of the row for the builds that ran beside the browser suites.
const BESIDE_ROW: &str = "builds beside";

/// The row (and the slowest-commands entries) of the builds that ran beside the worker
/// suites. Their seconds overlap those suites', so the total leaves them out.
fn beside_row(runner: &Runner, report: beside::Report) -> Row {
    let mut timings = runner.timings.borrow_mut();
    for b in &report.builds {
        timings.push(Timing {
            label: format!("beside: {}", b.label),
            seconds: b.seconds,
            build: b.build,
        });
    }
    Row {
        name: BESIDE_ROW.to_string(),
        seconds: report.seconds,
        build: report
            .builds
            .iter()
            .filter_map(|b| b.build)
            .reduce(|a, b| a + b),
        cpu: Some(report.cpu_seconds),
        beside: true,
        ..Row::default()
    }
}

/// The Firefox profile the browser suites share between test binaries.
fn firefox_profile(ws: &Workspace) -> PathBuf {
    ws.target_dir.join("xtask").join("firefox-profile")
}

/// Builds the book for the links or e2e suite when the book suite did not run first.
fn build_book_quietly(
    ws: &Workspace,
    tools: &Tools,
    row: &mut Row,
) -> Result<Vec<crate::demos::BuiltDemo>> {
    let check = book::build(ws, &tools.mdbook)?;
    row.failed += check.problems.len() as u64;
    row.problems.extend(check.problems);
    Ok(check.demos)
}

fn record(row: &mut Row, c: &Crate, env: impl std::fmt::Display, r: &Run) {
    row.passed += r.counts.passed;
    row.failed += r.counts.failed;
    let total = r.counts.passed + r.counts.failed;
    println!(
        "    {} passed, {} failed{}",
        r.counts.passed,
        r.counts.failed,
        if r.success { "" } else { " (command failed)" }
    );
    if !r.success {
        // A build failure or a runner crash has no failed count of its own: count it once.
        row.failed += u64::from(r.counts.failed == 0);
        row.problems.push(format!(
            "{}: tests failed in `{env}` (log: {})",
            c.name,
            r.log.display()
        ));
    } else if total == 0 {
        row.failed += 1;
        row.problems.push(format!(
            "{}: declares `{env}` in [package.metadata.wasm-rs] environments but ran no tests there",
            c.name
        ));
    }
}

/// CPU seconds (user + system) used so far by this process and every child process it
/// has waited for, from `/proc/self/stat`; `None` off Linux.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_cpu_seconds(&stat)
}

/// utime + stime + cutime + cstime (fields 14 to 17 of `/proc/<pid>/stat`), in seconds.
/// The process name (field 2) may hold spaces and parentheses: fields are counted after
/// its last `)`. Linux reports them in USER_HZ ticks, 100 per second on every platform
/// CI uses.
fn parse_cpu_seconds(stat: &str) -> Option<f64> {
    beside::parse_state(stat).map(|(_, seconds)| seconds)
}

/// CPU time over wall time, in percent of one core (200 % is both cores of a 2-core
/// machine busy): a suite far below 100 % mostly waits, one near 200 % is CPU-bound.
fn cpu_percent(cpu: Option<f64>, seconds: f64) -> String {
    match cpu {
        Some(c) if seconds > 0.0 => format!("{:.0}", 100.0 * c / seconds),
        _ => "–".to_string(),
    }
}

/// Seconds with one decimal, or `–` when unknown.
fn secs(s: Option<f64>) -> String {
    s.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"))
}

/// The summary table: one row per suite, with its build and run seconds where the suite's
/// commands said when cargo finished building (run = the rest of the suite's time).
fn render_table(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| suite                   | passed | failed | seconds | build s |   run s | cpu % | disk GB |"
    );
    let _ = writeln!(
        s,
        "|-------------------------|-------:|-------:|--------:|--------:|--------:|------:|--------:|"
    );
    for r in rows {
        let run = r.build.map(|b| (r.seconds - b).max(0.0));
        let _ = writeln!(
            s,
            "| {:<23} | {:>6} | {:>6} | {:>7.1} | {:>7} | {:>7} | {:>5} | {:>7} |",
            r.name,
            r.passed,
            r.failed,
            r.seconds,
            secs(r.build),
            secs(run),
            cpu_percent(r.cpu, r.seconds),
            r.disk
                .map_or("–".to_string(), |d| format!("{:+.1}", d as f64 / 1e9))
        );
    }
    s
}

/// `target/xtask/logs/timings.md`: the summary table and the slowest commands of the run.
fn render_timings(rows: &[Row], commands: &[Timing], deep: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# `cargo xtask test{}` timings\n",
        if deep { " --deep" } else { "" }
    );
    let _ = writeln!(
        s,
        "Build is the time cargo reported at `Finished ... in X s`; run is the rest. \
         `–`: the suite's commands did not say. cpu % is the CPU time of xtask and its \
         child processes over the suite's wall time, in percent of one core. disk GB is how \
         much the free space on the target directory's filesystem shrank during the suite \
         (builds running beside it included; negative where pruning freed more).\n"
    );
    s.push_str(&render_table(rows));
    let total: f64 = rows.iter().filter(|r| !r.beside).map(|r| r.seconds).sum();
    let _ = writeln!(
        s,
        "\nAll suites: {total:.1} s (not counting `{BESIDE_ROW}`, which ran beside the worker \
         suites).\n"
    );
    let mut slowest: Vec<&Timing> = commands.iter().collect();
    slowest.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    slowest.truncate(10);
    let _ = writeln!(s, "## The {} slowest commands\n", slowest.len());
    let _ = writeln!(s, "| command | seconds | build s | run s |");
    let _ = writeln!(s, "|---|--:|--:|--:|");
    for c in slowest {
        let run = c.build.map(|b| (c.seconds - b).max(0.0));
        let _ = writeln!(
            s,
            "| {} | {:.1} | {} | {} |",
            c.label,
            c.seconds,
            secs(c.build),
            secs(run)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_and_timings_split_build_from_run() {
        let rows = [
            Row {
                name: "native".into(),
                passed: 3,
                seconds: 100.0,
                build: Some(60.0),
                cpu: Some(150.0),
                ..Row::default()
            },
            Row {
                name: "e2e".into(),
                seconds: 20.0,
                ..Row::default()
            },
        ];
        let table = render_table(&rows);
        assert!(
            table.contains(
                "| native                  |      3 |      0 |   100.0 |    60.0 |    40.0 |   150 |       – |"
            ),
            "{table}"
        );
        assert!(
            table.contains(
                "| e2e                     |      0 |      0 |    20.0 |       – |       – |     – |       – |"
            ),
            "{table}"
        );
        let commands: Vec<Timing> = (0..12)
            .map(|i| Timing {
                label: format!("cmd {i}"),
                seconds: f64::from(i),
                build: (i % 2 == 0).then_some(0.5),
            })
            .collect();
        let md = render_timings(&rows, &commands, true);
        assert!(
            md.starts_with("# `cargo xtask test --deep` timings"),
            "{md}"
        );
        assert!(md.contains(&table), "{md}");
        assert!(md.contains("## The 10 slowest commands"), "{md}");
        assert!(md.contains("| cmd 11 | 11.0 | – | – |"), "{md}");
        assert!(md.contains("| cmd 10 | 10.0 | 0.5 | 9.5 |"), "{md}");
        assert!(md.contains("| cmd 2 |"), "{md}");
        assert!(!md.contains("| cmd 1 |"), "only the 10 slowest: {md}");
        let order: Vec<usize> = ["cmd 11 ", "cmd 10 ", "cmd 9 "]
            .iter()
            .map(|l| md.find(l).unwrap())
            .collect();
        assert!(order.is_sorted(), "slowest first: {md}");
    }

    #[test]
    fn cpu_time_is_read_after_the_process_name() {
        // A name with spaces and a `)` must not shift the fields; utime 250, stime 50,
        // cutime 1000, cstime 200 ticks: 15 s.
        let stat = "4242 (x) y (z)) S 1 4242 4242 0 -1 4194560 100 0 0 0 \
                    250 50 1000 200 20 0 1 0 123 456 789";
        assert_eq!(parse_cpu_seconds(stat), Some(15.0));
        assert_eq!(parse_cpu_seconds("4242 (x) S 1 2"), None, "too few fields");
        assert_eq!(parse_cpu_seconds("no parenthesis"), None);
        #[cfg(target_os = "linux")]
        {
            let before = cpu_seconds().expect("/proc/self/stat on Linux");
            let mut x = 0u64;
            for i in 0..50_000_000u64 {
                x = x.wrapping_add(std::hint::black_box(i));
            }
            std::hint::black_box(x);
            assert!(cpu_seconds().unwrap() >= before, "CPU time only grows");
        }
        assert_eq!(cpu_percent(Some(30.0), 20.0), "150");
        assert_eq!(cpu_percent(None, 20.0), "–");
        assert_eq!(cpu_percent(Some(1.0), 0.0), "–");
    }

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
        let mut row = Row::default();
        let run = Run {
            success: true,
            counts: Counts::default(),
            log: PathBuf::from("x.log"),
        };
        record(
            &mut row,
            &c,
            Environment::Browser(Engine::Chromium, PageContext::Main),
            &run,
        );
        assert_eq!(row.failed, 1);
        assert!(
            row.problems[0].contains("ran no tests"),
            "{:?}",
            row.problems
        );
    }

    #[test]
    fn a_failed_build_counts_as_a_failure() {
        let c = Crate {
            name: "demo".into(),
            dir: PathBuf::from("."),
            meta: None,
        };
        let mut row = Row::default();
        let run = Run {
            success: false,
            counts: Counts::default(),
            log: PathBuf::from("x.log"),
        };
        record(&mut row, &c, Environment::Node, &run);
        assert_eq!(row.failed, 1);
    }
}
