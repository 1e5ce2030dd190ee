//! `cargo xtask test`: the orchestrator. It picks the suites (`--only`, `--engine`), sets up
//! the tools they need, runs each [`Suite`] in the run order (the loom, Miri and fuzz
//! builds beside the worker suites), prunes what no later suite uses, and prints the
//! summary table with each suite's outcome, seconds, build seconds, CPU and disk.
//!
//! What a suite does is in `suites` (and the modules it calls); every command's output
//! goes to `target/xtask/logs/`, and a failing command prints its tail.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};

use crate::beside;
use crate::env::{Context as PageContext, Engine, Environment};
use crate::outcome::Outcome;
use crate::setup;
use crate::suite::{self, SuiteId};
use crate::suites::{self, Context, Runner, Suite, Timing};
use crate::workspace::Workspace;

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
    /// What the suite found.
    outcome: Outcome,
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
}

/// Runs `cargo xtask test`.
pub(crate) fn run(ws: &Workspace, args: &TestArgs) -> Result<()> {
    let started = Instant::now();
    let crates = ws.tested_crates(&args.packages)?;
    let ids = suite::select(&args.only, &args.engine)?;
    // Only the engines of suites that will run a declared environment, plus Chromium for e2e.
    let mut engines: Vec<Engine> = Vec::new();
    for s in &ids {
        let engine = match s {
            SuiteId::Env(e) => {
                let declared = crates
                    .iter()
                    .any(|c| c.environments().is_ok_and(|envs| envs.contains(e)));
                e.engine().filter(|_| declared)
            }
            SuiteId::E2e | SuiteId::Release => Some(Engine::Chromium),
            SuiteId::Onramps => {
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
        if *s == SuiteId::Threads {
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
    let mut cx = Context {
        ws,
        crates: &crates,
        packages: &args.packages,
        deep: args.deep,
        tools: &tools,
        runner: &runner,
        built: None,
    };
    let to_run: Vec<Box<dyn Suite>> = ids.iter().copied().map(suites::for_id).collect();
    // The loom, Miri and fuzz builds, the eject suite's and Trunk's install run beside the
    // worker suites (see `beside.rs`), in the order the suites run.
    let has = |want: SuiteId| ids.contains(&want);
    let mut to_build_beside = None;
    if ids.iter().any(|s| {
        matches!(
            s,
            SuiteId::Env(Environment::Browser(_, PageContext::Worker))
        )
    }) {
        let wanted = beside::Wanted {
            loom: has(SuiteId::Loom),
            miri: has(SuiteId::Miri),
            fuzz: has(SuiteId::Fuzz),
        };
        let mut builds = beside::builds(ws, &crates, wanted, args.deep);
        if has(SuiteId::Eject) {
            builds.extend(crate::eject::warm_builds(ws)?);
        }
        if has(SuiteId::Onramps) || has(SuiteId::Bench) {
            builds.extend(beside::trunk_build());
        }
        to_build_beside = Some(builds).filter(|b| !b.is_empty());
    }
    let mut building: Option<beside::Beside> = None;
    for (index, suite) in to_run.iter().enumerate() {
        let id = suite.id();
        // A suite with builds beside waits for them (the later ones keep running).
        if let Some(b) = building.as_mut() {
            match id {
                SuiteId::Loom => b.wait_for("loom "),
                SuiteId::Miri => b.wait_for("miri "),
                SuiteId::Fuzz => b.wait_for("fuzz "),
                SuiteId::Eject => b.wait_for("eject "),
                SuiteId::Onramps | SuiteId::Bench => b.wait_for("trunk "),
                _ => {}
            }
        }
        println!("\n== {} ==", id.name());
        if let SuiteId::Env(env @ Environment::Browser(_, PageContext::Worker)) = id {
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
        let outcome = suite.run(&mut cx)?;
        let mut row = Row {
            name: id.name(),
            outcome,
            ..Row::default()
        };
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
            let left = &ids[index + 1..];
            for dir in crate::disk::done_with(&ws.target_dir, id, left) {
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
    let failed: u64 = rows.iter().map(|r| r.outcome.failed).sum();
    let passed: u64 = rows.iter().map(|r| r.outcome.passed).sum();
    let problems: Vec<&String> = rows.iter().flat_map(|r| &r.outcome.problems).collect();
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
            r.outcome.passed,
            r.outcome.failed,
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
                outcome: Outcome {
                    passed: 3,
                    ..Outcome::default()
                },
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
}
