//! `cargo xtask bench`: every performance claim of the runtime crates, measured against its
//! peers in the same run, as one command.
//!
//! Why a command of its own: numbers from a shared machine are noisy, and only a ratio to
//! a peer measured in the same run means anything. So every suite runs this project and its
//! peers side by side, `--runs` fresh times (a new process, a new browser profile), and
//! reports per figure the median, min and max over the runs and the ratio taken run by run
//! ([`model`]).
//!
//! - Suites: `executor` (natively, in Node, in Chromium), `channel` and `dbg` (Node,
//!   Chromium), `size` (release wasm after `wasm-opt -Oz`, and gzipped) ([`size`]).
//! - Builds are release builds; the wasm benches are `[[bench]]` targets of the runtime
//!   crates that export `bench_run(env, quick)` and are bound with wasm-bindgen for the web
//!   and for Node ([`run`]).
//! - Chromium is started directly, headless with a fresh profile, no DevTools connection;
//!   the page POSTs its report to the bench server (the `serve` router plus one route).
//! - Output: a table on stdout, `target/bench/results.json` (and each run's report in
//!   `target/bench/runs/`), and with `--update-book` the Benchmarks page's generated part and
//!   its chart ([`book`]).
//! - `--quick` runs each suite once, to check the benchmarks still work; it is the `bench`
//!   suite of `cargo xtask test`, which fails when a benchmark breaks, never when a target
//!   is missed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Serialize;

pub(crate) use crate::bench_targets::{BenchTarget, EnvName, SuiteName, TARGETS};
use crate::outcome::Outcome;
use crate::setup;
use crate::workspace::Workspace;

mod book;
pub(crate) mod model;
mod run;
mod size;

use model::{Row, RunReport};

/// Arguments of `cargo xtask bench`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct BenchArgs {
    /// One run of each suite with smaller workloads, to check that every benchmark still
    /// works (about a minute after the builds). Fails if a benchmark breaks, not if a target
    /// is missed.
    #[arg(long)]
    pub(crate) quick: bool,
    /// Only these suites (repeatable, or comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub(crate) suite: Vec<SuiteName>,
    /// Only these environments (repeatable, or comma-separated); `size` has none.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub(crate) env: Vec<EnvName>,
    /// Fresh runs per suite and environment; each figure is the median over them (at least
    /// 5 unless --quick, which makes it 1).
    #[arg(long, default_value_t = 5)]
    pub(crate) runs: usize,
    /// Rewrite the generated part of book/src/benchmarks.md (machine, table, notes) and its
    /// chart, book/src/benchmarks.svg, from this run.
    #[arg(long)]
    pub(crate) update_book: bool,
}

impl BenchArgs {
    /// What `cargo xtask test` runs: every suite, once.
    pub(crate) fn quick() -> Self {
        BenchArgs {
            quick: true,
            suite: Vec::new(),
            env: Vec::new(),
            runs: 1,
            update_book: false,
        }
    }
}

/// The cargo that builds a package's benches: a recipe outside the workspace that needs
/// nightly (a threads build, `nightly::RECIPES`) gets its own toolchain, flags, `-Zbuild-std`
/// and target directory, as in the `threads` suite; everything else the workspace's cargo.
fn bench_cargo(ws: &Workspace, package: &str) -> Result<std::process::Command> {
    let rel = format!("recipes/{package}");
    if crate::nightly::RECIPES.contains(&rel.as_str()) {
        let recipe = crate::nightly::NightlyRecipe::load(&ws.root, &rel)?;
        crate::nightly::ensure_toolchain(&recipe)?;
        return Ok(recipe.cargo(ws, &[crate::nightly::BUILD_STD]));
    }
    let mut cmd =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(&ws.root);
    Ok(cmd)
}

/// The longest one run may take before it counts as hung.
fn run_timeout(quick: bool) -> Duration {
    Duration::from_secs(if quick { 120 } else { 300 })
}

/// The machine and tools a run was taken with.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Machine {
    pub(crate) date: String,
    pub(crate) cpu: String,
    pub(crate) cores: usize,
    pub(crate) load_before: String,
    pub(crate) load_after: String,
    pub(crate) tools: BTreeMap<String, String>,
}

/// What `target/bench/results.json` holds.
#[derive(Debug, Serialize)]
pub(crate) struct Results {
    pub(crate) command: String,
    pub(crate) quick: bool,
    pub(crate) runs: usize,
    pub(crate) machine: Machine,
    pub(crate) rows: Vec<Row>,
    pub(crate) problems: Vec<String>,
}

/// `cargo xtask bench`: fails when a benchmark broke (never because a target was missed).
pub(crate) fn run_command(ws: &Workspace, args: &BenchArgs) -> Result<()> {
    let outcome = run(ws, args)?;
    if !outcome.problems.is_empty() {
        for p in &outcome.problems {
            eprintln!("FAILED: {p}");
        }
        bail!(
            "{} benchmark(s) broke; see above and target/bench/logs/",
            outcome.problems.len()
        );
    }
    Ok(())
}

/// Runs the selected suites; prints the table; writes the JSON (and the book's page with
/// `--update-book`).
/// Runs the benchmarks `args` selects: a pass per suite and environment pair that ran, a
/// problem per benchmark that broke.
pub(crate) fn run(ws: &Workspace, args: &BenchArgs) -> Result<Outcome> {
    let started = Instant::now();
    let runs = if args.quick { 1 } else { args.runs };
    if args.update_book && (args.quick || !args.suite.is_empty() || !args.env.is_empty()) {
        bail!(
            "--update-book rewrites the whole results table: run it without --quick, --suite or --env"
        );
    }
    if !args.quick && runs < 5 {
        bail!(
            "--runs {runs}: each figure is the median of at least 5 fresh runs; pass --runs 5 or more"
        );
    }
    let suites: Vec<SuiteName> = if args.suite.is_empty() {
        SuiteName::ALL.to_vec()
    } else {
        args.suite.clone()
    };
    let envs: Vec<EnvName> = if args.env.is_empty() {
        vec![
            EnvName::Native,
            EnvName::Node,
            EnvName::Chromium,
            EnvName::Firefox,
        ]
    } else {
        args.env.clone()
    };
    let out_dir = ws.target_dir.join("bench");
    let logs = out_dir.join("logs");
    let runs_dir = out_dir.join("runs");
    std::fs::create_dir_all(&logs)?;
    if runs_dir.exists() {
        std::fs::remove_dir_all(&runs_dir)?;
    }
    std::fs::create_dir_all(&runs_dir)?;

    let tools = Tools::find(ws, &suites, &envs)?;
    let machine_before = load_average();
    let mut rows: Vec<Row> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut checked = 0;
    let rt = tokio::runtime::Runtime::new()?;

    for target in TARGETS.iter().filter(|t| suites.contains(&t.suite)) {
        let target_envs: Vec<EnvName> = target
            .envs
            .iter()
            .copied()
            .filter(|e| envs.contains(e))
            .collect();
        if target_envs.is_empty() {
            continue;
        }
        println!("\n== bench {}: {} ==", target.suite.as_str(), target.bench);
        // A quick run only checks that a benchmark still works: a recipe's bench is then a
        // dev build, which shares its dependencies with the test suites' builds (a recipe's
        // release build would add minutes to `cargo xtask test`). The runtime crates' benches
        // stay release builds: some of their workloads need the optimizer to finish in time.
        let release = !(args.quick && target.suite.recipe().is_some());
        // One build per kind the environments need: the native executable, the wasm module.
        let mut artifacts: Vec<(bool, Result<PathBuf, String>)> = Vec::new();
        for wasm in [false, true] {
            if target_envs.iter().any(|e| (*e != EnvName::Native) == wasm) {
                let built = bench_cargo(ws, target.package)
                    .and_then(|cargo| {
                        run::build_bench(cargo, target.package, target.bench, wasm, release)
                    })
                    .map_err(|e| format!("{e:#}"));
                artifacts.push((wasm, built));
            }
        }
        for env in target_envs {
            checked += 1;
            let wasm = env != EnvName::Native;
            let artifact = match artifacts.iter().find(|(w, _)| *w == wasm) {
                Some((_, Ok(a))) => a.clone(),
                Some((_, Err(e))) => {
                    problems.push(format!(
                        "{} in {}: {e}",
                        target.suite.as_str(),
                        env.as_str()
                    ));
                    continue;
                }
                None => unreachable!("a build for each kind of environment was made above"),
            };
            let label = format!(
                "{}-{}-{}",
                target.suite.as_str(),
                target.bench,
                env.as_str()
            );
            match rt.block_on(run_env(
                &tools, target, env, &artifact, &out_dir, runs, args.quick,
            )) {
                Ok(reports) => {
                    for (i, r) in reports.iter().enumerate() {
                        std::fs::write(
                            runs_dir.join(format!("{label}-{i}.json")),
                            serde_json::to_string_pretty(r)?,
                        )?;
                    }
                    match model::combine(&reports) {
                        Ok(mut r) => {
                            print!("{}", model::render_text(&r));
                            rows.append(&mut r);
                        }
                        Err(e) => problems.push(format!("{label}: {e:#}")),
                    }
                }
                Err(e) => {
                    println!("    FAILED: {e:#}");
                    problems.push(format!(
                        "{} in {}: {e:#}",
                        target.suite.as_str(),
                        env.as_str()
                    ));
                }
            }
        }
    }

    if suites.contains(&SuiteName::Size) {
        println!("\n== bench size ==");
        checked += 1;
        match tools
            .wasm_opt
            .as_deref()
            .context("wasm-opt is missing")
            .and_then(|wasm_opt| size::run(ws, &tools.wasm_bindgen, wasm_opt, &out_dir, args.quick))
        {
            Ok(report) => match model::combine(&[report]) {
                Ok(mut r) => {
                    print!("{}", model::render_text(&r));
                    rows.append(&mut r);
                }
                Err(e) => problems.push(format!("size: {e:#}")),
            },
            Err(e) => {
                println!("    FAILED: {e:#}");
                problems.push(format!("size: {e:#}"));
            }
        }
    }

    let machine = Machine {
        date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        cpu: cpu_model(),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before: machine_before,
        load_after: load_average(),
        tools: tools.versions.clone(),
    };
    let mut command = String::from("cargo xtask bench");
    if args.quick {
        command.push_str(" --quick");
    } else if runs != 5 {
        command.push_str(&format!(" --runs {runs}"));
    }
    let results = Results {
        command,
        quick: args.quick,
        runs,
        machine,
        rows,
        problems: problems.clone(),
    };
    println!(
        "\n== results: {} runs per figure; ratio = ours ÷ peer, taken run by run ==\n{}",
        runs,
        model::render_text(&results.rows)
    );
    let json = out_dir.join("results.json");
    std::fs::write(&json, serde_json::to_string_pretty(&results)?)?;
    let met = results.rows.iter().filter(|r| r.met == Some(true)).count();
    let missed = results.rows.iter().filter(|r| r.met == Some(false)).count();
    println!(
        "bench: {} figures, targets met {met}, missed {missed}; {} benchmark(s) broke; {:.0} s; results in {}",
        results.rows.len(),
        problems.len(),
        started.elapsed().as_secs_f64(),
        json.display()
    );
    if args.update_book {
        if !problems.is_empty() {
            bail!(
                "--update-book needs a run in which every benchmark worked; the book was not changed"
            );
        }
        book::update(ws, &results)?;
    }
    // A pass per suite and environment pair that ran; a failure per benchmark that broke.
    let failed = problems.len() as u64;
    Ok(Outcome {
        passed: u64::saturating_sub(checked, failed),
        failed,
        problems,
    })
}

/// Runs `runs` fresh runs of one bench target in one environment.
async fn run_env(
    tools: &Tools,
    target: &BenchTarget,
    env: EnvName,
    artifact: &Path,
    out_dir: &Path,
    runs: usize,
    quick: bool,
) -> Result<Vec<RunReport>> {
    let timeout = run_timeout(quick);
    let dir =
        out_dir
            .join(env.as_str())
            .join(format!("{}-{}", target.suite.as_str(), target.bench));
    if env != EnvName::Native {
        std::fs::create_dir_all(&dir)?;
        let bindgen_target = if env.is_browser() { "web" } else { "nodejs" };
        run::bindgen(&tools.wasm_bindgen, artifact, bindgen_target, &dir)?;
    }
    let mut reports = Vec::new();
    for i in 0..runs {
        let log = out_dir.join("logs").join(format!(
            "{}-{}-{}-{i}.log",
            target.suite.as_str(),
            target.bench,
            env.as_str()
        ));
        let t = Instant::now();
        let text = match env {
            EnvName::Native => run::native(artifact, quick, &log, timeout).await?,
            EnvName::Node => {
                let node = tools.node.as_deref().context("node is missing")?;
                run::node(node, &dir, env.as_str(), quick, &log, timeout).await?
            }
            EnvName::Chromium => {
                let chromium = tools.chromium.as_deref().context("chromium is missing")?;
                let browser = run::BrowserKind::Chromium(chromium);
                run::browser(browser, &dir, env.as_str(), quick, &log, timeout).await?
            }
            EnvName::Firefox => {
                let firefox = tools.firefox.as_deref().context("firefox is missing")?;
                let browser = run::BrowserKind::Firefox(firefox);
                run::browser(browser, &dir, env.as_str(), quick, &log, timeout).await?
            }
        };
        let report = model::parse_run(&text)?;
        if report.env != env.as_str() {
            bail!("the run reported environment `{}`", report.env);
        }
        if report.suite != target.suite.as_str() {
            bail!(
                "bench `{}` of {} reported suite `{}`, not `{}`",
                target.bench,
                target.package,
                report.suite,
                target.suite.as_str()
            );
        }
        println!(
            "    {} run {}/{runs}: {:.1} s",
            env.as_str(),
            i + 1,
            t.elapsed().as_secs_f64()
        );
        reports.push(report);
    }
    Ok(reports)
}

/// The tools the selected suites need.
struct Tools {
    wasm_bindgen: PathBuf,
    node: Option<PathBuf>,
    chromium: Option<PathBuf>,
    firefox: Option<PathBuf>,
    wasm_opt: Option<PathBuf>,
    versions: BTreeMap<String, String>,
}

impl Tools {
    fn find(ws: &Workspace, suites: &[SuiteName], envs: &[EnvName]) -> Result<Tools> {
        setup::book_tools(ws)?;
        let wasm_bindgen = setup::find_tool("wasm-bindgen", &[])
            .context("wasm-bindgen is not on PATH: run `cargo xtask setup`")?;
        let wasm_envs = suites.iter().any(|s| *s != SuiteName::Size);
        let node = if wasm_envs && envs.contains(&EnvName::Node) {
            Some(
                setup::find_tool("node", &["/usr/bin/node", "/usr/local/bin/node"]).context(
                    "Node.js is not on PATH: install Node.js 18 or newer, then run the bench again",
                )?,
            )
        } else {
            None
        };
        let chromium = if wasm_envs && envs.contains(&EnvName::Chromium) {
            Some(setup::ensure_chromium()?.0)
        } else {
            None
        };
        // Only the suites with a Firefox target need it.
        let firefox_envs = TARGETS
            .iter()
            .any(|t| suites.contains(&t.suite) && t.envs.contains(&EnvName::Firefox));
        let firefox = if firefox_envs && envs.contains(&EnvName::Firefox) {
            Some(setup::ensure_firefox()?)
        } else {
            None
        };
        let wasm_opt = if suites.contains(&SuiteName::Size) {
            Some(setup::ensure_binaryen(ws)?)
        } else {
            None
        };
        let mut versions = BTreeMap::new();
        versions.insert("rustc".into(), command_line("rustc", &["--version"]));
        versions.insert(
            "wasm-bindgen".into(),
            command_line(&wasm_bindgen.to_string_lossy(), &["--version"]),
        );
        for (name, path) in [
            ("node", &node),
            ("chromium", &chromium),
            ("firefox", &firefox),
            ("wasm-opt", &wasm_opt),
        ] {
            if let Some(p) = path {
                versions.insert(
                    name.into(),
                    command_line(&p.to_string_lossy(), &["--version"]),
                );
            }
        }
        Ok(Tools {
            wasm_bindgen,
            node,
            chromium,
            firefox,
            wasm_opt,
            versions,
        })
    }
}

/// The first line of a command's output, or `unknown`.
fn command_line(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .map(|l| l.trim().to_string())
        })
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_but_size_has_a_bench_target_in_each_environment_it_names() {
        for suite in [SuiteName::Executor, SuiteName::Channel, SuiteName::Dbg] {
            let envs: Vec<EnvName> = TARGETS
                .iter()
                .filter(|t| t.suite == suite)
                .flat_map(|t| t.envs.iter().copied())
                .collect();
            assert!(envs.contains(&EnvName::Node), "{suite:?}");
            assert!(envs.contains(&EnvName::Chromium), "{suite:?}");
        }
        assert!(
            TARGETS
                .iter()
                .any(|t| t.suite == SuiteName::Executor && t.envs == [EnvName::Native])
        );
    }

    #[test]
    fn the_book_is_only_updated_from_a_full_run_of_everything() {
        let ws = Workspace::load().unwrap();
        for args in [
            BenchArgs {
                update_book: true,
                ..BenchArgs::quick()
            },
            BenchArgs {
                quick: false,
                runs: 5,
                update_book: true,
                suite: vec![SuiteName::Dbg],
                ..BenchArgs::quick()
            },
        ] {
            let e = run(&ws, &args).unwrap_err().to_string();
            assert!(e.contains("--update-book"), "{e}");
        }
    }

    #[test]
    fn fewer_than_five_runs_is_refused() {
        let ws = Workspace::load().unwrap();
        let args = BenchArgs {
            quick: false,
            runs: 3,
            ..BenchArgs::quick()
        };
        let e = run(&ws, &args).unwrap_err().to_string();
        assert!(e.contains("at least 5"), "{e}");
    }
}
