//! Building the bench binaries and running one fresh run of each: natively, in Node, and
//! in a headless Chromium or Firefox that xtask starts itself (no WebDriver, no DevTools
//! connection), with the report POSTed back to a route of the bench server.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use axum::routing::post;
use cargo_metadata::Message;

use crate::serve;

/// The line prefix a native bench prints its report on (`ci/bench-support/report.rs`).
const LINE_PREFIX: &str = "BENCH_JSON ";

/// The page every browser run loads.
const PAGE: &str = include_str!("../../bench-support/page.html");
/// The script every Node run starts.
const NODE_RUNNER: &str = include_str!("../../bench-support/node-runner.cjs");

/// Flags for a Chromium that xtask starts (DESIGN.md), plus the ones that keep a headless
/// page from being throttled as if it were in the background.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--mute-audio",
];

/// Builds one bench target (in release, or with the dev profile when `release` is false)
/// and returns the artifact: a native executable, or with `wasm` the `.wasm` file. `cargo`
/// is the cargo to run (the workspace's, or a nightly recipe's with its flags and target
/// directory); the build arguments are added here.
pub(crate) fn build_bench(
    mut cmd: std::process::Command,
    package: &str,
    bench: &str,
    wasm: bool,
    release: bool,
) -> Result<PathBuf> {
    cmd.arg("build");
    if release {
        cmd.arg("--release");
    }
    cmd.args([
        "-p",
        package,
        "--bench",
        bench,
        "--message-format=json-render-diagnostics",
    ]);
    if wasm {
        cmd.args(["--target", "wasm32-unknown-unknown"]);
    }
    println!(
        "  → cargo build{} -p {package} --bench {bench}{}",
        if release { " --release" } else { "" },
        if wasm {
            " --target wasm32-unknown-unknown"
        } else {
            ""
        }
    );
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting cargo build")?;
    let stdout = child.stdout.take().context("cargo's stdout")?;
    let mut artifact = None;
    for message in Message::parse_stream(std::io::BufReader::new(stdout)) {
        if let Message::CompilerArtifact(a) = message.context("reading cargo's messages")?
            && a.target.name == bench
            && a.target.kind.iter().any(|k| k.to_string() == "bench")
            && let Some(exe) = a.executable
        {
            artifact = Some(exe.into_std_path_buf());
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("building bench `{bench}` of {package} failed; the compiler's errors are above");
    }
    artifact
        .with_context(|| format!("cargo built {package}'s bench `{bench}` but named no artifact"))
}

/// Runs `wasm-bindgen` on a bench module for `target` (`web` or `nodejs`) into `out`, as
/// `bench.js` and `bench_bg.wasm`.
pub(crate) fn bindgen(wasm_bindgen: &Path, wasm: &Path, target: &str, out: &Path) -> Result<()> {
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    let status = std::process::Command::new(wasm_bindgen)
        .args(["--target", target, "--out-name", "bench", "--out-dir"])
        .arg(out)
        .arg(wasm)
        .status()
        .context("starting wasm-bindgen")?;
    if !status.success() {
        bail!(
            "wasm-bindgen --target {target} failed on {}",
            wasm.display()
        );
    }
    Ok(())
}

/// One native run: the bench executable prints its report on a `BENCH_JSON` line.
pub(crate) async fn native(
    exe: &Path,
    quick: bool,
    log: &Path,
    timeout: Duration,
) -> Result<String> {
    let mut cmd = tokio::process::Command::new(exe);
    cmd.arg("--bench")
        .env("WASM_RS_BENCH_QUICK", if quick { "1" } else { "0" })
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(log)?))
        .kill_on_drop(true);
    let child = cmd
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let out = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| anyhow!("{} did not finish within {timeout:?}", exe.display()))??;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "{} failed ({}); stderr is in {}",
            exe.display(),
            out.status,
            log.display()
        );
    }
    text.lines()
        .find_map(|l| l.strip_prefix(LINE_PREFIX))
        .map(str::to_string)
        .with_context(|| format!("{} printed no `{LINE_PREFIX}` line", exe.display()))
}

/// One Node run of the module in `dir` (made by [`bindgen`] with `--target nodejs`).
pub(crate) async fn node(
    node: &Path,
    dir: &Path,
    env: &str,
    quick: bool,
    log: &Path,
    timeout: Duration,
) -> Result<String> {
    let runner = dir.join("node-runner.cjs");
    std::fs::write(&runner, NODE_RUNNER)?;
    let report = dir.join("report.json");
    let _ = std::fs::remove_file(&report);
    let glue = std::path::absolute(dir.join("bench.js"))?;
    let mut cmd = tokio::process::Command::new(node);
    cmd.arg(&runner)
        .arg(&glue)
        .arg(env)
        .arg(if quick { "1" } else { "0" })
        .arg(&report)
        .stdin(Stdio::null())
        // The dbg bench writes to the real console: stdout is where Node's goes.
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(log)?))
        .kill_on_drop(true);
    let mut child = cmd.spawn().context("starting node")?;
    let status = tokio::time::timeout(timeout, child.wait())
        .await
        .map_err(|_| anyhow!("the Node run did not finish within {timeout:?}"))??;
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    if text.is_empty() {
        bail!(
            "the Node run ended ({status}) without a report; its stderr is in {}",
            log.display()
        );
    }
    Ok(text)
}

/// Preferences of the fresh profile each Firefox run starts with: no first-run pages, no
/// update or telemetry traffic, and no throttling of a page that a headless browser may
/// consider hidden.
const FIREFOX_PREFS: &str = r#"user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("startup.homepage_welcome_url", "");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.disabledForTesting", true);
user_pref("dom.min_background_timeout_value", 4);
user_pref("dom.timeout.enable_budget_timer_throttling", false);
"#;

/// The browser a bench page runs in, and its executable.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BrowserKind<'a> {
    Chromium(&'a Path),
    Firefox(&'a Path),
}

impl BrowserKind<'_> {
    fn name(self) -> &'static str {
        match self {
            BrowserKind::Chromium(_) => "Chromium",
            BrowserKind::Firefox(_) => "Firefox",
        }
    }

    /// The command that opens `url` headless with the fresh `profile` directory.
    fn command(self, profile: &Path, url: &str) -> Result<tokio::process::Command> {
        Ok(match self {
            BrowserKind::Chromium(exe) => {
                let mut cmd = tokio::process::Command::new(exe);
                cmd.args(CHROMIUM_FLAGS)
                    .arg(format!("--user-data-dir={}", profile.display()))
                    .arg(url);
                cmd
            }
            BrowserKind::Firefox(exe) => {
                std::fs::write(profile.join("user.js"), FIREFOX_PREFS)?;
                let mut cmd = tokio::process::Command::new(exe);
                cmd.args(["--headless", "--no-remote", "--profile"])
                    .arg(profile)
                    .arg(url);
                cmd
            }
        })
    }
}

/// A browser's process group; dropping it kills the browser and every process it started.
struct Browser {
    pgid: Option<u32>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(pgid) = self.pgid {
            // The browser was started as the leader of its own process group, so this
            // reaches its renderer and utility processes too, and nothing else.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pgid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// One browser run of the module in `dir` (made by [`bindgen`] with `--target web`): the
/// bench server serves `dir` cross-origin isolated and takes the report on
/// `POST /__bench/result`; the browser starts with a fresh profile and is killed on every
/// way out of this function (report, timeout, crash, Ctrl-C, error).
pub(crate) async fn browser(
    kind: BrowserKind<'_>,
    dir: &Path,
    env: &str,
    quick: bool,
    log: &Path,
    timeout: Duration,
) -> Result<String> {
    std::fs::write(dir.join("index.html"), PAGE)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(1);
    let router = serve::app(dir.to_path_buf()).route(
        "/__bench/result",
        post(move |body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body).await;
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the bench server")?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(axum::serve(listener, router).into_future());
    let profile = tempfile::Builder::new()
        .prefix("xtask-bench-browser-")
        .tempdir()?;
    let url = format!(
        "http://{addr}/index.html?env={env}&quick={}",
        u8::from(quick)
    );
    let log_file = std::fs::File::create(log)?;
    let mut cmd = kind.command(profile.path(), &url)?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(log_file.try_clone()?))
        .stderr(Stdio::from(log_file))
        .process_group(0)
        .kill_on_drop(true);
    let name = kind.name();
    let mut child = cmd.spawn().with_context(|| format!("starting {name}"))?;
    let browser = Browser { pgid: child.id() };
    let result = tokio::select! {
        body = rx.recv() => body.context("the bench server stopped"),
        status = child.wait() => Err(anyhow!(
            "{name} exited ({}) before the page reported; its log is {}",
            status.map(|s| s.to_string()).unwrap_or_default(),
            log.display()
        )),
        () = tokio::time::sleep(timeout) => Err(anyhow!(
            "the page reported nothing within {timeout:?}; {name}'s log is {}",
            log.display()
        )),
        _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted")),
    };
    drop(browser);
    let _ = child.wait().await;
    server.abort();
    drop(profile);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::model::parse_run;

    fn node_path() -> PathBuf {
        crate::setup::find_tool("node", &["/usr/bin/node", "/usr/local/bin/node"])
            .expect("Node.js, which `cargo xtask setup` requires")
    }

    async fn node_run(glue: &str) -> Result<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bench.js"), glue).unwrap();
        let log = dir.path().join("log");
        node(
            &node_path(),
            dir.path(),
            "node",
            true,
            &log,
            Duration::from_secs(60),
        )
        .await
    }

    #[test]
    fn a_node_run_returns_the_report_and_a_failing_one_its_error() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let ok = rt
            .block_on(node_run(
                "exports.bench_run = async (env, quick) => JSON.stringify({ suite: 's', env, \
                 figures: [{ id: 'f', label: String(quick), unit: 'ms', better: 'lower', \
                 values: [['ours', 1], ['peer', 2]] }] });",
            ))
            .unwrap();
        let report = parse_run(&ok).unwrap();
        assert_eq!(report.env, "node");
        assert_eq!(report.figures[0].label, "true");

        let text = rt
            .block_on(node_run(
                "exports.bench_run = async () => { globalThis.__benchPanic('panicked at bench.rs:7'); };",
            ))
            .unwrap();
        let e = parse_run(&text).unwrap_err().to_string();
        assert!(e.contains("panicked at bench.rs:7"), "{e}");

        let text = rt
            .block_on(node_run(
                "exports.bench_run = async () => { throw new Error('boom'); };",
            ))
            .unwrap();
        let e = parse_run(&text).unwrap_err().to_string();
        assert!(e.contains("boom"), "{e}");
    }

    #[test]
    fn a_hung_node_run_times_out() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bench.js"),
            "exports.bench_run = () => new Promise(() => setInterval(() => {}, 1000));",
        )
        .unwrap();
        let e = rt
            .block_on(node(
                &node_path(),
                dir.path(),
                "node",
                true,
                &dir.path().join("log"),
                Duration::from_secs(2),
            ))
            .unwrap_err()
            .to_string();
        assert!(e.contains("did not finish"), "{e}");
    }
}
