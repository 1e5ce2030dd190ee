//! `cargo xtask test`: every check, and the environment matrix.
//!
//! A crate declares where its tests run in `[package.metadata.wasm-rs] environments`.
//! Its tests are written once; this module runs them once per declared environment,
//! choosing the environment with the variables wasm-bindgen-test-runner reads. Each run's
//! output goes to `target/xtask/logs/`; a failing run prints its tail. A declared
//! environment whose tests ran zero tests is a failure: a test matrix that silently
//! runs nothing is worse than none.

use std::fmt::Write as _;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use regex::Regex;

use crate::book;
use crate::env::Environment;
use crate::recipes::{self, EnvResult, TestResults};
use crate::setup::{self, Tools};
use crate::workspace::{Crate, Workspace};

/// Arguments of `cargo xtask test`.
#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    /// Run only these suites (repeatable, or comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Suite>,
    /// Narrow the crate suites (clippy and the environments) to these crates.
    #[arg(short = 'p', long = "package")]
    packages: Vec<String>,
    /// Stream every command's output instead of keeping it in target/xtask/logs/.
    #[arg(short, long)]
    verbose: bool,
}

/// A row of the summary table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Suite {
    /// `cargo fmt --check`.
    Fmt,
    /// `cargo xtask lint-recipes`: recipe files, metadata, pages, includes.
    Lint,
    /// clippy with `-D warnings`, natively and for wasm32.
    Clippy,
    /// `cargo test` on the host.
    Native,
    /// wasm tests in Node.js.
    Node,
    /// wasm tests in headless Chromium, main thread.
    Browser,
    /// wasm tests in a headless Chromium dedicated worker.
    Worker,
    /// The mdBook build.
    Book,
}

impl Suite {
    const ALL: [Suite; 8] = [
        Suite::Fmt,
        Suite::Lint,
        Suite::Clippy,
        Suite::Native,
        Suite::Node,
        Suite::Browser,
        Suite::Worker,
        Suite::Book,
    ];

    fn name(self) -> &'static str {
        match self {
            Suite::Fmt => "fmt",
            Suite::Lint => "lint",
            Suite::Clippy => "clippy",
            Suite::Native => "native",
            Suite::Node => "node",
            Suite::Browser => "browser",
            Suite::Worker => "worker",
            Suite::Book => "book",
        }
    }

    fn environment(self) -> Option<Environment> {
        match self {
            Suite::Native => Some(Environment::Native),
            Suite::Node => Some(Environment::Node),
            Suite::Browser => Some(Environment::Browser),
            Suite::Worker => Some(Environment::Worker),
            _ => None,
        }
    }
}

/// The result of one suite.
#[derive(Debug, Default)]
struct Row {
    name: String,
    passed: u64,
    failed: u64,
    seconds: f64,
    problems: Vec<String>,
}

/// Test counts read from libtest-style output (cargo test and wasm-bindgen-test-runner
/// both print `test result: ok. N passed; M failed; ...`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
}

static RESULT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed").expect("valid regex")
});

pub(crate) fn parse_counts(output: &str) -> Counts {
    let mut c = Counts::default();
    for cap in RESULT_LINE.captures_iter(output) {
        c.passed += cap[1].parse::<u64>().unwrap_or(0);
        c.failed += cap[2].parse::<u64>().unwrap_or(0);
    }
    c
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
}

impl Runner {
    /// Runs `cmd` in the workspace root, its output in `target/xtask/logs/<label>.log`.
    fn run(&self, label: &str, cmd: &mut Command) -> Result<Run> {
        let log = self
            .log_dir
            .join(format!("{}.log", label.replace([' ', '/'], "-")));
        cmd.current_dir(&self.root);
        println!("  → {label}");
        let status = if self.verbose {
            let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
            std::fs::write(&log, "(streamed with --verbose)\n")?;
            status
        } else {
            let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
            let err = out.try_clone()?;
            cmd.stdin(Stdio::null())
                .stdout(Stdio::from(out))
                .stderr(Stdio::from(err))
                .status()
                .with_context(|| format!("starting {cmd:?}"))?
        };
        let text = if self.verbose {
            String::new()
        } else {
            std::fs::read_to_string(&log).unwrap_or_default()
        };
        let run = Run {
            success: status.success(),
            counts: parse_counts(&text),
            log,
        };
        if !run.success && !self.verbose {
            print_tail(&text, 60);
        }
        Ok(run)
    }
}

fn print_tail(text: &str, n: usize) {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    println!("    ---- last {} lines ----", lines.len() - start);
    for l in &lines[start..] {
        println!("    | {l}");
    }
}

/// Runs `cargo xtask test`.
pub(crate) fn run(ws: &Workspace, args: &TestArgs) -> Result<()> {
    let started = Instant::now();
    let crates = ws.tested_crates(&args.packages)?;
    let suites: Vec<Suite> = if args.only.is_empty() {
        Suite::ALL.to_vec()
    } else {
        Suite::ALL
            .into_iter()
            .filter(|s| args.only.contains(s))
            .collect()
    };
    let browser = suites
        .iter()
        .any(|s| s.environment().is_some_and(Environment::needs_browser));
    let tools = setup::run_for(ws, browser)?;
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
    };

    let mut rows = Vec::new();
    for suite in suites {
        println!("\n== {} ==", suite.name());
        let t = Instant::now();
        let mut row = Row {
            name: suite.name().to_string(),
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
                let report = recipes::lint(ws)?;
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
            Suite::Clippy => clippy(&runner, &crates, &args.packages, &mut row)?,
            Suite::Book => {
                let check = book::build(ws, &tools.mdbook)?;
                row.passed += check.passed;
                row.failed += check.problems.len() as u64;
                row.problems.extend(check.problems);
            }
            _ => {
                let env = suite
                    .environment()
                    .expect("crate suites have an environment");
                let with_ci =
                    args.packages.is_empty() || args.packages.iter().any(|p| p == "wasm-rs-ci");
                environment(ws, &runner, &tools, &crates, env, with_ci, &mut row)?;
            }
        }
        row.seconds = t.elapsed().as_secs_f64();
        rows.push(row);
    }

    let table = render_table(&rows);
    println!("\n{table}");
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
    Ok(())
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
    for c in crates {
        if !c.environments()?.contains(&env) {
            continue;
        }
        any = true;
        let mut cmd = cargo();
        cmd.args(["test", "--no-fail-fast", "-p", &c.name]);
        if env.is_wasm() {
            cmd.args(["--target", "wasm32-unknown-unknown", "--tests"]);
        }
        for (k, v) in env.runner_vars() {
            cmd.env(k, v);
        }
        if let (true, Some(driver)) = (env.needs_browser(), &tools.chromedriver) {
            cmd.env("CHROMEDRIVER", driver);
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

fn record(row: &mut Row, c: &Crate, env: Environment, r: &Run) {
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

fn render_table(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| suite    | passed | failed | seconds |");
    let _ = writeln!(s, "|----------|-------:|-------:|--------:|");
    for r in rows {
        let _ = writeln!(
            s,
            "| {:<8} | {:>6} | {:>6} | {:>7.1} |",
            r.name, r.passed, r.failed, r.seconds
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_over_binaries() {
        let out = "running 2 tests\n\
                   test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n\
                   test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(
            parse_counts(out),
            Counts {
                passed: 5,
                failed: 1
            }
        );
        assert_eq!(parse_counts("no tests to run!"), Counts::default());
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
        record(&mut row, &c, Environment::Browser, &run);
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
