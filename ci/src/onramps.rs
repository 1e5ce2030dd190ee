//! The onramps suite of `cargo xtask test`: each bundler project a recipe keeps beside its
//! crate, built from a clean state the way its README says and driven in real browsers.
//!
//! Vite (recipe `vite-app`, its project in `vite/`), as a reader would start from it:
//!
//! 1. `cargo xtask eject vite-app` into `target/xtask/onramps/vite-app` (so the project is
//!    built outside the repository, from a clean copy);
//! 2. in its `vite/`: `npm ci` with the committed lockfile, then `node build-wasm.mjs` (the
//!    crate for wasm32 with the `demo` profile, in the workspace's target directory so the
//!    dependencies built for the book's demos are reused, and wasm-bindgen's `--target web`
//!    glue into `pkg/`);
//! 3. `vite build`, then `vite preview` of the production output, checked in headless
//!    Chromium (ChromeDriver) and Firefox (geckodriver); then the dev server (`vite`),
//!    checked in Chromium.
//!
//! A check passes when the page shows the worker's result (the primes below 5,000,000), has
//! received every progress update, counted main-thread ticks while the worker computed, is
//! cross-origin isolated, and listed no error; in Chromium, the browser log also has no
//! `SEVERE` entry (Firefox's WebDriver has no log to read: the page lists its own errors).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::ClientBuilder;
use serde_json::{Value, json};

use crate::e2e::{E2eReport, browser_log, free_port};
use crate::workspace::Workspace;

/// What the Vite page must show: π(5,000,000), and one progress update per 50,000 numbers.
const PRIMES: &str = "348513";
const UPDATES: &str = "100";
/// How long a page may take to show its result (the worker's work is about a second).
const RESULT_WITHIN: Duration = Duration::from_secs(60);
/// How long a server or driver may take to listen.
const LISTEN_WITHIN: Duration = Duration::from_secs(30);

/// The browsers a check runs in, with their WebDriver binaries.
pub(crate) struct Drivers<'a> {
    /// ChromeDriver.
    pub(crate) chromedriver: &'a Path,
    /// geckodriver, if Firefox is installed.
    pub(crate) geckodriver: Option<&'a Path>,
}

/// Builds and checks every on-ramp. An `Err` means the suite could not run; a failed check
/// is a problem in the report.
pub(crate) fn run(ws: &Workspace, drivers: &Drivers<'_>) -> Result<E2eReport> {
    let web = build_vite_project(ws, "demo", "onramps")?;
    let scratch = tempfile::Builder::new()
        .prefix("wasm-rs-onramps-")
        .tempdir()
        .context("creating a temporary directory")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let mut report = E2eReport::default();
    let checks: [(&str, &[&str]); 2] = [("preview", &["preview"]), ("dev server", &[])];
    for (what, args) in checks {
        let server = Listening::vite(&web, args, &scratch.path().join(format!("{what}.log")))?;
        let mut engines = vec![Engine::Chromium];
        if what == "preview" && drivers.geckodriver.is_some() {
            engines.push(Engine::Firefox);
        }
        for engine in engines {
            let label = format!("vite {what}, {}", engine.name());
            println!("  → {label}");
            let outcome = rt.block_on(check(engine, drivers, &server.url, scratch.path()));
            match outcome {
                Ok(problems) if problems.is_empty() => report.passed += 1,
                Ok(problems) => report
                    .problems
                    .extend(problems.into_iter().map(|p| format!("{label}: {p}"))),
                Err(e) => report.problems.push(format!("{label}: {e:#}")),
            }
        }
    }
    Ok(report)
}

/// Ejects the recipe `vite-app` into `target/xtask/<purpose>/vite-app`, then in its `vite/`
/// runs `npm ci`, the wasm build with the cargo `profile` and `vite build`; returns that
/// `vite/` folder (with `pkg/`, wasm-bindgen's files, and `dist/`, Vite's).
pub(crate) fn build_vite_project(ws: &Workspace, profile: &str, purpose: &str) -> Result<PathBuf> {
    let recipe = ws
        .recipes()
        .find(|c| c.name == "vite-app")
        .context("the recipe vite-app is missing")?;
    let ejected = ws.target_dir.join("xtask").join(purpose).join("vite-app");
    if ejected.exists() {
        std::fs::remove_dir_all(&ejected)
            .with_context(|| format!("removing the last run's {}", ejected.display()))?;
    }
    println!("  → vite: eject vite-app, npm ci, the wasm build ({profile}), vite build");
    crate::eject::eject(ws, recipe, &ejected, &crate::eject::Source::Path)?;
    let web = ejected.join("vite");
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    run_in(&web, npm, &["ci", "--no-audit", "--no-fund"], &[])?;
    let target = ws.target_dir.display().to_string();
    run_in(
        &web,
        "node",
        &["build-wasm.mjs"],
        &[
            ("CARGO_PROFILE", profile),
            ("CARGO_TARGET_DIR", target.as_str()),
        ],
    )?;
    run_in(&web, npm, &["run", "build"], &[])?;
    Ok(web)
}

fn run_in(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .status()
        .with_context(|| format!("running {program} {} in {}", args.join(" "), dir.display()))?;
    if !status.success() {
        bail!(
            "{program} {} failed in {} ({status})",
            args.join(" "),
            dir.display()
        );
    }
    Ok(())
}

/// A child process listening on a local port (a Vite server, a WebDriver server), killed on
/// drop.
struct Listening {
    child: Child,
    url: String,
}

impl Listening {
    /// Starts `command` with its output in `log`, and waits until `port` accepts connections.
    fn start(mut command: Command, port: u16, log: &Path, what: &str) -> Result<Self> {
        let out = std::fs::File::create(log)?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("starting {what}"))?;
        let mut listening = Self {
            child,
            url: format!("http://127.0.0.1:{port}/"),
        };
        wait_for_port(port, &mut listening.child, || {
            std::fs::read_to_string(log).unwrap_or_default()
        })?;
        Ok(listening)
    }

    /// A Vite server (`vite preview`, or the dev server with no `args`) in `web`.
    fn vite(web: &Path, args: &[&str], log: &Path) -> Result<Self> {
        let port = free_port()?;
        let mut command = Command::new("node");
        command
            .arg("node_modules/vite/bin/vite.js")
            .args(args)
            .args([
                "--port",
                &port.to_string(),
                "--strictPort",
                "--host",
                "127.0.0.1",
            ])
            .current_dir(web);
        Self::start(command, port, log, "vite")
    }

    /// A WebDriver server (ChromeDriver or geckodriver).
    fn driver(binary: &Path, log: &Path) -> Result<Self> {
        let port = free_port()?;
        let mut command = Command::new(binary);
        command.arg(format!("--port={port}"));
        let what = format!("{} (`cargo xtask setup` installs it)", binary.display());
        Self::start(command, port, log, &what)
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Engine {
    Chromium,
    Firefox,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Self::Chromium => "Chromium",
            Self::Firefox => "Firefox",
        }
    }
}

fn capabilities(engine: Engine, profile: &Path) -> serde_json::Map<String, Value> {
    if engine == Engine::Chromium {
        // The same headless Chromium as the e2e suite, console log included.
        return crate::e2e::capabilities(profile);
    }
    let mut options = json!({ "args": ["-headless"] });
    if let Some(binary) =
        crate::setup::find_tool("firefox", &["/usr/bin/firefox-esr", "/usr/bin/firefox"])
    {
        options["binary"] = json!(binary);
    }
    match json!({ "browserName": "firefox", "moz:firefoxOptions": options }) {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// What the page shows, read in one script.
const STATE: &str = r##"
const r = document.getElementById("result");
return {
  primes: r.dataset.primes ?? null,
  updates: r.dataset.updates ?? null,
  ticks: Number(r.dataset.ticksWhileComputing ?? "0"),
  errors: Array.from(document.querySelectorAll("#errors li"), (li) => li.textContent),
  isolated: self.crossOriginIsolated === true,
};
"##;

/// Opens `url` in `engine`, waits for the result or an error, and says what is wrong.
async fn check(
    engine: Engine,
    drivers: &Drivers<'_>,
    url: &str,
    scratch: &Path,
) -> Result<Vec<String>> {
    let binary: PathBuf = match engine {
        Engine::Chromium => drivers.chromedriver.to_path_buf(),
        Engine::Firefox => drivers
            .geckodriver
            .context("geckodriver is missing (`cargo xtask setup`)")?
            .to_path_buf(),
    };
    let profile = scratch.join(format!("profile-{}", engine.name()));
    std::fs::create_dir_all(&profile)?;
    let driver = Listening::driver(
        &binary,
        &scratch.join(format!("{}-driver.log", engine.name())),
    )?;
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities(engine, &profile))
        .connect(&driver.url)
        .await
        .with_context(|| format!("starting {} through WebDriver", engine.name()))?;
    let outcome = async {
        client.goto(url).await?;
        let started = Instant::now();
        let state = loop {
            let state = client.execute(STATE, vec![]).await?;
            let done = state["primes"].is_string()
                || state["errors"].as_array().is_some_and(|e| !e.is_empty());
            if done || started.elapsed() > RESULT_WITHIN {
                break state;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let mut problems = judge(&state);
        if engine == Engine::Chromium {
            problems.extend(
                browser_log(&client)
                    .await?
                    .into_iter()
                    .map(|m| format!("console: {m}")),
            );
        }
        anyhow::Ok(problems)
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    outcome
}

/// The problems with a page state read by [`STATE`].
fn judge(state: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for error in state["errors"].as_array().into_iter().flatten() {
        problems.push(format!(
            "the page listed an error: {}",
            error.as_str().unwrap_or("?")
        ));
    }
    if !state["isolated"].as_bool().unwrap_or(false) {
        problems.push("the page is not cross-origin isolated (COOP/COEP headers missing)".into());
    }
    match state["primes"].as_str() {
        Some(PRIMES) => {}
        Some(other) => problems.push(format!("the worker's result is {other}, expected {PRIMES}")),
        None if problems.is_empty() => {
            problems.push(format!("no result within {} s", RESULT_WITHIN.as_secs()));
        }
        None => {}
    }
    if state["primes"].is_string() {
        if state["updates"].as_str() != Some(UPDATES) {
            problems.push(format!(
                "{} progress updates arrived, expected {UPDATES}",
                state["updates"]
            ));
        }
        if state["ticks"].as_f64().unwrap_or(0.0) < 2.0 {
            problems.push(format!(
                "the main-thread counter ticked {} times while the worker computed: the page was not responsive",
                state["ticks"]
            ));
        }
    }
    problems
}

fn wait_for_port(port: u16, child: &mut Child, log: impl Fn() -> String) -> Result<()> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            bail!("the process exited at start ({status}):\n{}", log());
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if started.elapsed() > LISTEN_WITHIN {
            bail!(
                "nothing listened on port {port} within {} s:\n{}",
                LISTEN_WITHIN.as_secs(),
                log()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(primes: Option<&str>, updates: &str, ticks: u32, errors: &[&str]) -> Value {
        json!({
            "primes": primes, "updates": updates, "ticks": ticks,
            "errors": errors, "isolated": true,
        })
    }

    #[test]
    fn a_good_page_has_no_problem() {
        assert!(judge(&state(Some(PRIMES), UPDATES, 50, &[])).is_empty());
    }

    #[test]
    fn each_failure_is_named() {
        let p = judge(&state(Some("1"), "3", 0, &["boom"]));
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].contains("boom"));
        assert!(p.iter().any(|m| m.contains("not responsive")));
        let p = judge(&state(None, "", 0, &[]));
        assert_eq!(p, ["no result within 60 s"]);
        // An error the page listed is the reason: no second line for the missing result.
        let p = judge(&state(None, "", 0, &["the worker did not start"]));
        assert_eq!(p.len(), 1, "{p:?}");
        let mut s = state(Some(PRIMES), UPDATES, 9, &[]);
        s["isolated"] = json!(false);
        assert!(judge(&s)[0].contains("cross-origin isolated"));
    }
}
