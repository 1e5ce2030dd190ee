//! The onramps suite of `cargo xtask test`: each bundler project a recipe keeps beside its
//! crate, built from a clean state the way its README says and driven in real browsers.
//!
//! The on-ramps ([`ON_RAMPS`]): Vite (recipe `vite-app`, its project in `vite/`), webpack 5
//! (`webpack-app`, in `webpack/`), Trunk (`trunk-app`, in `trunk/`) and a Leptos app built by
//! Trunk (`leptos-app`, in `trunk/`). For each, as a reader would start from it:
//!
//! 1. `cargo xtask eject <recipe>` into `target/xtask/onramps/<recipe>` (so the project is
//!    built outside the repository, from a clean copy);
//! 2. the production build, with the `demo` cargo profile and the workspace's target
//!    directory, so the dependencies built for the book's demos are reused. For npm
//!    projects: `npm ci` with the committed lockfile, `node build-wasm.mjs` (the crate for
//!    wasm32, and wasm-bindgen's `--target web` glue into `pkg/`), `npm run build`. For
//!    Trunk (installed by [`crate::setup::ensure_trunk`] when missing): `trunk build
//!    --release`. No file the build writes may hold the build machine's path;
//! 3. the recipe's own tests, run from the ejected copy (natively, and in Chromium: see
//!    [`crate::eject::test_ejected_recipe`]);
//! 4. the production output served and checked in headless Chromium (ChromeDriver) and
//!    Firefox (geckodriver): by `vite preview` for Vite, and as static files (the server of
//!    `cargo xtask serve --dir`) for webpack and Trunk, which have no preview server; then
//!    the bundler's dev server (`vite`, `webpack serve`, `trunk serve`), checked in Chromium.
//!
//! A check passes when the page shows the worker's result, has received every progress
//! update, counted main-thread ticks while the worker computed, is cross-origin isolated, and
//! listed no error; in Chromium, the browser log also has no `SEVERE` entry (Firefox's
//! WebDriver has no log to read: the page lists its own errors).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::ClientBuilder;
use serde_json::{Value, json};

use crate::e2e::{browser_log, free_port};
use crate::outcome::Outcome;
use crate::workspace::Workspace;

/// An on-ramp: a recipe whose bundler project the suite builds and checks.
#[derive(Debug)]
pub(crate) struct OnRamp {
    /// The recipe crate.
    pub(crate) recipe: &'static str,
    /// Its project folder, beside `Cargo.toml`.
    pub(crate) project: &'static str,
    /// The bundler (or for a framework app, the framework), for messages and figure names.
    pub(crate) bundler: &'static str,
    /// How the project is built, and its servers started.
    pub(crate) tool: Tool,
    /// What the page's `#result` must hold in `data-value` when the worker is done.
    value: &'static str,
    /// How many progress updates the page must have received.
    updates: &'static str,
    /// How the production output is served.
    production: Serve,
    /// The dev server's arguments (see [`Tool`]; the port and address are added).
    dev: &'static [&'static str],
}

/// What builds an on-ramp's project and runs its servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    /// npm: `npm ci`, `node build-wasm.mjs` (the crate, and wasm-bindgen's glue into `pkg/`),
    /// `npm run build`; a server is `node <script in node_modules> <args…>`.
    Npm,
    /// Trunk (installed by the onramps suite when missing): `trunk build --release`; a server
    /// is `trunk <args…>`. The cargo profile goes to Trunk as `TRUNK_BUILD_CARGO_PROFILE`.
    Trunk,
}

/// How an on-ramp's production output is served.
#[derive(Debug, Clone, Copy)]
enum Serve {
    /// By the bundler's own preview server: its arguments (see [`Tool`]).
    Bundler(&'static [&'static str]),
    /// As static files from this folder (of the project), with the isolation headers.
    Static(&'static str),
}

/// Every on-ramp the suite checks.
pub(crate) const ON_RAMPS: [OnRamp; 4] = [
    // π(5,000,000), one progress update per 50,000 numbers.
    OnRamp {
        recipe: "vite-app",
        project: "vite",
        bundler: "vite",
        tool: Tool::Npm,
        value: "348513",
        updates: "100",
        production: Serve::Bundler(&["node_modules/vite/bin/vite.js", "preview"]),
        dev: &["node_modules/vite/bin/vite.js"],
    },
    // The longest Collatz chain below 1,000,000 starts at 837,799; one update per 10,000.
    OnRamp {
        recipe: "webpack-app",
        project: "webpack",
        bundler: "webpack",
        tool: Tool::Npm,
        value: "837799",
        updates: "100",
        production: Serve::Static("dist"),
        dev: &[
            "node_modules/webpack-cli/bin/cli.js",
            "serve",
            "--mode",
            "development",
        ],
    },
    // 19 numbers below 1,000,000 read the same both ways in base 10 and base 2; their sum is
    // 872,187. One update per 10,000 numbers.
    OnRamp {
        recipe: "trunk-app",
        project: "trunk",
        bundler: "trunk",
        tool: Tool::Trunk,
        value: "872187",
        updates: "100",
        production: Serve::Static("dist"),
        // With the same cargo profile and target directory as the build, which it reuses.
        dev: &["serve"],
    },
    // 143,070 happy numbers below 1,000,000 (OEIS A068571 counts 143,071 up to and
    // including 10^6, itself happy). One update per 10,000 numbers.
    OnRamp {
        recipe: "leptos-app",
        project: "trunk",
        bundler: "leptos",
        tool: Tool::Trunk,
        value: "143070",
        updates: "100",
        production: Serve::Static("dist"),
        dev: &["serve"],
    },
];

/// How long a page may take to show its result (the worker's work is about a second).
const RESULT_WITHIN: Duration = Duration::from_secs(60);
/// How long a server or driver may take to listen.
const LISTEN_WITHIN: Duration = Duration::from_secs(30);

/// The browsers a check runs in, with their WebDriver binaries, and the bundlers that are
/// not npm packages.
pub(crate) struct Drivers<'a> {
    /// ChromeDriver.
    pub(crate) chromedriver: &'a Path,
    /// geckodriver, if Firefox is installed.
    pub(crate) geckodriver: Option<&'a Path>,
    /// Trunk.
    pub(crate) trunk: &'a Path,
}

/// Builds and checks every on-ramp. An `Err` means the suite could not run; a failed check
/// is a problem in the report.
pub(crate) fn run(ws: &Workspace, drivers: &Drivers<'_>) -> Result<Outcome> {
    let scratch = tempfile::Builder::new()
        .prefix("wasm-rs-onramps-")
        .tempdir()
        .context("creating a temporary directory")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let mut report = Outcome::default();
    for onramp in &ON_RAMPS {
        let project = match build_project(ws, onramp, "demo", "onramps", drivers.trunk) {
            Ok(project) => project,
            Err(e) => {
                report.problem(format!("{}: {e:#}", onramp.bundler));
                continue;
            }
        };
        // The recipe's own tests, from the ejected copy: outside the repository, as a
        // reader who started from it would run them.
        let recipe = ws.recipes().find(|c| c.name == onramp.recipe);
        let ejected = project
            .parent()
            .context("the project is inside the ejected copy")?;
        let mut tests = Outcome::default();
        crate::eject::test_ejected_recipe(
            ws,
            recipe.context("the recipe is missing")?,
            ejected,
            scratch.path(),
            &mut tests,
        )?;
        report.add(tests.prefixed(&format!("{} (ejected)", onramp.bundler)));
        for file in build_paths_in(&project.join("dist"), &project)? {
            report.problem(format!(
                "{}: {file} holds the build machine's path {} (a bundler wrote in `import.meta.url`)",
                onramp.bundler,
                project.display()
            ));
        }
        let production = match onramp.production {
            Serve::Bundler(_) => "preview",
            Serve::Static(_) => "production build",
        };
        for (what, dev) in [(production, false), ("dev server", true)] {
            let label = format!("{} {what}", onramp.bundler);
            let log = scratch.path().join(format!("{label}.log"));
            let bundler = |args| {
                let target = ws.target_dir.as_path();
                Listening::bundler(&project, onramp.tool, drivers.trunk, target, args, &log)
            };
            let server = match (dev, onramp.production) {
                (true, _) => Server::Process(bundler(onramp.dev)?),
                (false, Serve::Bundler(args)) => Server::Process(bundler(args)?),
                (false, Serve::Static(dir)) => Server::files(&rt, project.join(dir))?,
            };
            let mut engines = vec![Engine::Chromium];
            if !dev && drivers.geckodriver.is_some() {
                engines.push(Engine::Firefox);
            }
            for engine in engines {
                let label = format!("{label}, {}", engine.name());
                println!("  → {label}");
                let outcome =
                    rt.block_on(check(engine, drivers, server.url(), onramp, scratch.path()));
                match outcome {
                    Ok(problems) if problems.is_empty() => report.passed += 1,
                    Ok(problems) => {
                        for p in problems {
                            report.problem(format!("{label}: {p}"));
                        }
                    }
                    Err(e) => report.problem(format!("{label}: {e:#}")),
                }
            }
        }
    }
    Ok(report)
}

/// Ejects the on-ramp's recipe into `target/xtask/<purpose>/<recipe>`, then builds its
/// project folder as its README says, with the cargo `profile`: for npm, `npm ci`, the wasm
/// build and `npm run build`; for Trunk, `trunk build --release`. Returns that project folder
/// (with `dist/`, the bundler's output; for npm also `pkg/`, wasm-bindgen's files).
pub(crate) fn build_project(
    ws: &Workspace,
    onramp: &OnRamp,
    profile: &str,
    purpose: &str,
    trunk: &Path,
) -> Result<PathBuf> {
    let recipe = ws
        .recipes()
        .find(|c| c.name == onramp.recipe)
        .with_context(|| format!("the recipe {} is missing", onramp.recipe))?;
    let ejected = ws
        .target_dir
        .join("xtask")
        .join(purpose)
        .join(onramp.recipe);
    if ejected.exists() {
        std::fs::remove_dir_all(&ejected)
            .with_context(|| format!("removing the last run's {}", ejected.display()))?;
    }
    let steps = match onramp.tool {
        Tool::Npm => "npm ci, the wasm build, npm run build",
        Tool::Trunk => "trunk build --release",
    };
    println!(
        "  → {}: eject {}, {steps} ({profile})",
        onramp.bundler, onramp.recipe
    );
    crate::eject::eject(ws, recipe, &ejected, &crate::eject::Source::Path)?;
    let project = ejected.join(onramp.project);
    let target = ws.target_dir.display().to_string();
    match onramp.tool {
        Tool::Npm => {
            let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
            run_in(&project, npm, &["ci", "--no-audit", "--no-fund"], &[])?;
            run_in(
                &project,
                "node",
                &["build-wasm.mjs"],
                &[
                    ("CARGO_PROFILE", profile),
                    ("CARGO_TARGET_DIR", target.as_str()),
                ],
            )?;
            run_in(&project, npm, &["run", "build"], &[])?;
        }
        Tool::Trunk => {
            let trunk = trunk.display().to_string();
            let env = trunk_env(profile, &target);
            run_in(&project, &trunk, &["build", "--release"], &env)?;
        }
    }
    Ok(project)
}

/// What Trunk is run with: the cargo `profile`, the workspace's `target` directory, and no
/// call to crates.io to look for a newer Trunk.
fn trunk_env<'a>(profile: &'a str, target: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("TRUNK_BUILD_CARGO_PROFILE", profile),
        ("CARGO_TARGET_DIR", target),
        ("TRUNK_SKIP_VERSION_CHECK", "true"),
    ]
}

/// The `.js` files under `dist` that hold the path of `project` on this machine: a bundle
/// that does would load from `file://` URLs that exist only where it was built.
fn build_paths_in(dist: &Path, project: &Path) -> Result<Vec<String>> {
    let needle = project.display().to_string();
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dist) {
        let entry = entry.with_context(|| format!("reading {}", dist.display()))?;
        if entry.path().extension().is_some_and(|e| e == "js") {
            let text = std::fs::read_to_string(entry.path())?;
            if text.contains(&needle) {
                found.push(entry.path().display().to_string());
            }
        }
    }
    Ok(found)
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

    /// A bundler's server in `project`, started by `tool` with `args` on a free port of
    /// 127.0.0.1 (Trunk with the `demo` profile and the workspace's `target` directory).
    fn bundler(
        project: &Path,
        tool: Tool,
        trunk: &Path,
        target: &Path,
        args: &[&str],
        log: &Path,
    ) -> Result<Self> {
        let port = free_port()?.to_string();
        let target = target.display().to_string();
        let mut command = match tool {
            Tool::Npm => {
                let mut command = Command::new("node");
                command
                    .args(args)
                    .args(["--port", &port, "--host", "127.0.0.1"]);
                command
            }
            Tool::Trunk => {
                let mut command = Command::new(trunk);
                command
                    .args(args)
                    .args(["--port", &port, "--address", "127.0.0.1"])
                    .envs(trunk_env("demo", &target));
                command
            }
        };
        command.current_dir(project);
        Self::start(command, port.parse()?, log, args.join(" ").as_str())
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

/// A server a check opens pages from.
enum Server {
    /// A bundler's own server.
    Process(Listening),
    /// Static files, served in this process (as `cargo xtask serve --dir` does), until drop.
    Files {
        url: String,
        task: tokio::task::JoinHandle<()>,
    },
}

impl Server {
    /// Serves `dir` with the isolation headers on a free local port.
    fn files(rt: &tokio::runtime::Runtime, dir: PathBuf) -> Result<Self> {
        if !dir.is_dir() {
            bail!("the build wrote no {}", dir.display());
        }
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
            .context("binding a local port")?;
        let url = format!("http://{}/", listener.local_addr()?);
        let task = rt.spawn(async move {
            let _ = axum::serve(listener, crate::serve::app(dir)).await;
        });
        Ok(Self::Files { url, task })
    }

    fn url(&self) -> &str {
        match self {
            Self::Process(listening) => &listening.url,
            Self::Files { url, .. } => url,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Self::Files { task, .. } = self {
            task.abort();
        }
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
// A framework renders #result once its app has started: until then, no result.
const r = document.getElementById("result")?.dataset ?? {};
return {
  value: r.value ?? null,
  updates: r.updates ?? null,
  ticks: Number(r.ticksWhileComputing ?? "0"),
  errors: Array.from(document.querySelectorAll("#errors li"), (li) => li.textContent),
  isolated: self.crossOriginIsolated === true,
};
"##;

/// Opens `url` in `engine`, waits for the result or an error, and says what is wrong.
async fn check(
    engine: Engine,
    drivers: &Drivers<'_>,
    url: &str,
    onramp: &OnRamp,
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
            let done = state["value"].is_string()
                || state["errors"].as_array().is_some_and(|e| !e.is_empty());
            if done || started.elapsed() > RESULT_WITHIN {
                break state;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let mut problems = judge(&state, onramp);
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

/// The problems with a page state read by [`STATE`], for `onramp`'s page.
fn judge(state: &Value, onramp: &OnRamp) -> Vec<String> {
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
    match state["value"].as_str() {
        Some(value) if value == onramp.value => {}
        Some(other) => problems.push(format!(
            "the worker's result is {other}, expected {}",
            onramp.value
        )),
        None if problems.is_empty() => {
            problems.push(format!("no result within {} s", RESULT_WITHIN.as_secs()));
        }
        None => {}
    }
    if state["value"].is_string() {
        if state["updates"].as_str() != Some(onramp.updates) {
            problems.push(format!(
                "{} progress updates arrived, expected {}",
                state["updates"], onramp.updates
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

    fn onramp(recipe: &str) -> Option<&'static OnRamp> {
        ON_RAMPS.iter().find(|o| o.recipe == recipe)
    }

    fn state(value: Option<&str>, updates: &str, ticks: u32, errors: &[&str]) -> Value {
        json!({
            "value": value, "updates": updates, "ticks": ticks,
            "errors": errors, "isolated": true,
        })
    }

    #[test]
    fn a_good_page_has_no_problem() {
        for onramp in &ON_RAMPS {
            assert!(judge(&state(Some(onramp.value), onramp.updates, 50, &[]), onramp).is_empty());
        }
    }

    #[test]
    fn each_failure_is_named() {
        let vite = onramp("vite-app").unwrap();
        let p = judge(&state(Some("1"), "3", 0, &["boom"]), vite);
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].contains("boom"));
        assert!(p.iter().any(|m| m.contains("not responsive")));
        let p = judge(&state(None, "", 0, &[]), vite);
        assert_eq!(p, ["no result within 60 s"]);
        // An error the page listed is the reason: no second line for the missing result.
        let p = judge(&state(None, "", 0, &["the worker did not start"]), vite);
        assert_eq!(p.len(), 1, "{p:?}");
        let mut s = state(Some(vite.value), vite.updates, 9, &[]);
        s["isolated"] = json!(false);
        assert!(judge(&s, vite)[0].contains("cross-origin isolated"));
        // One on-ramp's result is not another's.
        let webpack = onramp("webpack-app").unwrap();
        let p = judge(&state(Some(vite.value), "100", 9, &[]), webpack);
        assert_eq!(p, ["the worker's result is 348513, expected 837799"]);
    }

    #[test]
    fn a_bundle_holding_the_build_path_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("webpack");
        let dist = project.join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("ok.js"), "new URL('a.wasm', import.meta.url)").unwrap();
        std::fs::write(dist.join("x.wasm"), project.display().to_string()).unwrap();
        assert!(build_paths_in(&dist, &project).unwrap().is_empty());
        let leak = format!("const u = \"file://{}/pkg/x.js\";", project.display());
        std::fs::write(dist.join("leak.js"), leak).unwrap();
        let found = build_paths_in(&dist, &project).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].ends_with("leak.js"), "{found:?}");
    }

    #[test]
    fn every_onramp_is_a_recipe_with_its_project() {
        let ws = Workspace::load().unwrap();
        for onramp in &ON_RAMPS {
            let recipe = ws.recipes().find(|c| c.name == onramp.recipe);
            let recipe = recipe.unwrap_or_else(|| panic!("{} is not a recipe", onramp.recipe));
            let project = recipe.dir.join(onramp.project);
            let files: &[&str] = match onramp.tool {
                Tool::Npm => &[
                    "package.json",
                    "package-lock.json",
                    "build-wasm.mjs",
                    "README.md",
                ],
                Tool::Trunk => &["Trunk.toml", "index.html", "README.md"],
            };
            for file in files {
                assert!(
                    project.join(file).is_file(),
                    "{} has no {file}",
                    project.display()
                );
            }
        }
    }
}
