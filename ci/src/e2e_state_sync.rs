//! Part of the e2e suite: recipe `state-sync`'s browser page against a real `server-foo`
//! process, in headless Chromium driven through ChromeDriver (the same driver, capabilities
//! and browser-log check as [`crate::e2e`]).
//!
//! The page's wasm is built like a demo (`--profile demo`, `wasm-bindgen --target web`) into
//! a temporary site with the recipe's `www/index.html`; `server-foo --static <site>` serves
//! it at the WebSocket's origin, on 127.0.0.1 port 0 (the port is read from its stdout).
//! Then, for the page on the main thread (and, with `?worker=1`, the worker variant when the
//! page offers it):
//!
//! 1. the page connects; a message typed into the text box (Enter) reaches the server, and
//!    both sides' clocks converge: the page's `bar` equals the server's mirror of it, the
//!    page's mirror of `foo` equals the server's `foo` (the server side is read from its
//!    JSON-lines transition log, which it writes before acknowledging anything);
//! 2. `server-foo` is killed, two messages are typed while it is down (the page must show
//!    them unacknowledged), and it is restarted on the same port with the same log;
//! 3. the page reconnects by itself (backoff with jitter) and, once in sync again, every
//!    message is on both sides exactly once, in order, and the clocks converge.
//!
//! Each passing scenario counts one pass; each failed check is one problem line.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::e2e::{ChromeDriver, browser_log};
use crate::outcome::Outcome;
use crate::workspace::Workspace;

/// How long the page may take to reach a state (connect, converge, reconnect). The
/// reconnect backoff is at most 5 s, so this leaves room for a few attempts.
const CONVERGE: Duration = Duration::from_secs(20);
/// How long `server-foo` may take to print its address.
const SERVER_START: Duration = Duration::from_secs(20);

/// Builds the page and the server, then runs the scenarios. An `Err` means the suite could
/// not run (a build failed, a process did not start); a failed check is a problem.
pub(crate) fn run(ws: &Workspace, chromedriver: &Path) -> Result<Outcome> {
    let scratch = tempfile::Builder::new()
        .prefix("wasm-rs-e2e-state-sync-")
        .tempdir()
        .context("creating a temporary directory")?;
    let site = scratch.path().join("site");
    build_site(ws, &site)?;
    let server_bin = build_server(ws)?;

    let profile = scratch.path().join("chromium");
    std::fs::create_dir_all(&profile)?;
    let driver = ChromeDriver::start(chromedriver, &profile)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let result = rt.block_on(async {
        let client = crate::e2e::connect(&driver, &profile).await?;
        let mut report = Outcome::default();
        let outcome = async {
            for variant in [Variant::Main, Variant::Worker] {
                let dir = scratch.path().join(variant.name());
                std::fs::create_dir_all(&dir)?;
                let before = report.problems.len();
                let ran = scenario(&client, &server_bin, &site, &dir, variant, &mut report)
                    .await
                    .with_context(|| format!("state-sync e2e ({})", variant.name()))?;
                if ran && report.problems.len() == before {
                    report.passed += 1;
                }
            }
            anyhow::Ok(())
        }
        .await;
        let _ = client.close().await;
        outcome.map(|()| report)
    });
    drop(rt);
    drop(driver);
    result
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    /// The connection lives on the page's main thread.
    Main,
    /// `?worker=1`: the connection lives in a dedicated worker, the page only renders.
    Worker,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::Worker => "worker",
        }
    }

    fn query(self) -> &'static str {
        match self {
            Self::Main => "",
            Self::Worker => "&worker=1",
        }
    }
}

/// `cargo build` of the page's wasm (demo profile) and `wasm-bindgen --target web` into
/// `site/pkg`, next to a copy of the recipe's `www/` files.
fn build_site(ws: &Workspace, site: &Path) -> Result<()> {
    println!("  → building the state-sync page for wasm32 (demo profile)");
    crate::demos::build_wasm(ws, &["state-sync"], "the state-sync page")?;
    let wasm = ws
        .target_dir
        .join("wasm32-unknown-unknown/demo/state_sync.wasm");
    crate::demos::bind_for_web(&wasm, &site.join("pkg"))?;
    let www = ws.root.join("recipes/state-sync/www");
    for entry in std::fs::read_dir(&www).with_context(|| format!("reading {}", www.display()))? {
        let path = entry?.path();
        if path.is_file() {
            let name = path.file_name().context("a file has a name")?;
            std::fs::copy(&path, site.join(name))
                .with_context(|| format!("copying {}", path.display()))?;
        }
    }
    Ok(())
}

fn build_server(ws: &Workspace) -> Result<PathBuf> {
    println!("  → building server-foo");
    let status = cargo(ws)
        .args(["build", "-p", "state-sync", "--bin", "server-foo"])
        .status()
        .context("running cargo build for server-foo")?;
    if !status.success() {
        bail!("building server-foo failed ({status})");
    }
    Ok(ws
        .target_dir
        .join("debug")
        .join(format!("server-foo{}", std::env::consts::EXE_SUFFIX)))
}

fn cargo(ws: &Workspace) -> Command {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(&ws.root);
    cargo
}

/// A `server-foo` child process, killed on drop.
#[derive(Debug)]
struct ServerFoo {
    child: Child,
    addr: SocketAddr,
}

impl ServerFoo {
    /// Starts `server-foo` on `addr` (port 0 for a free one) and reads the bound address
    /// from its `listening on <addr>` line.
    fn start(binary: &Path, addr: &str, log: &Path, site: &Path) -> Result<Self> {
        let mut child = Command::new(binary)
            .args(["--addr", addr, "--bored-after", "1", "--hello-every", "0.5"])
            .args(["--max-hellos", "2", "--log"])
            .arg(log)
            .arg("--static")
            .arg(site)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("server-foo's stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.trim().to_owned());
                }
            }
        });
        let mut server = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        match rx.recv_timeout(SERVER_START) {
            Ok(line) => {
                server.addr = line
                    .parse()
                    .with_context(|| format!("server-foo printed `listening on {line}`"))?;
                Ok(server)
            }
            Err(_) => {
                let status = server.child.try_wait()?;
                bail!(
                    "server-foo did not print `listening on <addr>` within {} s (exit status: {status:?})",
                    SERVER_START.as_secs()
                )
            }
        }
    }

    /// Kills the process (SIGKILL: no goodbye to the page) and waits for it.
    fn kill(mut self) -> Result<()> {
        self.child.kill().context("killing server-foo")?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for ServerFoo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server logged for one session (its side of the sync).
#[derive(Debug, Default, PartialEq)]
struct ServerSide {
    /// The server's `foo` clocks (its last `foo` line).
    foo: Value,
    /// The server's mirror of the page's `bar` (its last `bar` line).
    bar: Value,
    /// Messages received from the page, in order.
    from_bar: Vec<String>,
    /// Messages the server sent (greetings), in order.
    from_foo: Vec<String>,
}

fn server_side(log: &Path, session: &str) -> Result<ServerSide> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut side = ServerSide::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let entry: Value = serde_json::from_str(line)
            .with_context(|| format!("server-foo's log line is not JSON: {line}"))?;
        if entry["session"] != session {
            continue;
        }
        let messages = entry["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str().map(str::to_owned));
        if entry["machine"] == "foo" {
            side.foo = entry["clocks"].clone();
            side.from_foo.extend(messages);
        } else {
            side.bar = entry["clocks"].clone();
            side.from_bar.extend(messages);
        }
    }
    Ok(side)
}

/// The page's side, from its devtools export `bar_states()`.
#[derive(Debug, Default)]
struct PageSide {
    status: String,
    foo: Value,
    bar: Value,
    from_bar: Vec<String>,
    from_foo: Vec<String>,
    unacked: u64,
    connections: u64,
}

async fn page_side(client: &Client) -> Result<Option<PageSide>> {
    let view = client
        .execute(
            // `bar_mode()` is "none" until `bar_start()` finished (the worker variant takes a
            // moment to start its worker).
            "return typeof globalThis.bar_mode === 'function' && globalThis.bar_mode() !== 'none' \
             ? globalThis.bar_states() : null;",
            vec![],
        )
        .await?;
    if view.is_null() {
        return Ok(None);
    }
    let lines = |from: &str| -> Vec<String> {
        view["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|l| l["from"] == from)
            .filter_map(|l| l["text"].as_str().map(str::to_owned))
            .collect()
    };
    Ok(Some(PageSide {
        status: view["status"]["state"].as_str().unwrap_or("").to_owned(),
        foo: view["foo"].clone(),
        bar: view["bar"].clone(),
        from_bar: lines("bar"),
        from_foo: lines("foo"),
        unacked: view["unacked"].as_u64().unwrap_or(u64::MAX),
        connections: view["connections"].as_u64().unwrap_or(0),
    }))
}

/// Polls until `done` holds for the page (and the server log), or [`CONVERGE`] passes;
/// returns the last observation either way.
async fn wait_for(
    client: &Client,
    log: &Path,
    session: &str,
    done: impl Fn(&PageSide, &ServerSide) -> bool,
) -> Result<(bool, PageSide, ServerSide)> {
    let started = Instant::now();
    loop {
        let page = page_side(client).await?.unwrap_or_default();
        let server = server_side(log, session)?;
        if done(&page, &server) {
            return Ok((true, page, server));
        }
        if started.elapsed() > CONVERGE {
            return Ok((false, page, server));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// In sync: connected, nothing unacknowledged, both machines equal on both sides, and the
/// same messages on both sides.
fn converged(page: &PageSide, server: &ServerSide) -> bool {
    page.status == "connected"
        && page.unacked == 0
        && page.bar == server.bar
        && page.foo == server.foo
        && page.from_bar == server.from_bar
        && page.from_foo == server.from_foo
}

/// Types `text` and Enter into the page's text box.
async fn type_message(client: &Client, text: &str) -> Result<()> {
    let input = client.find(Locator::Css("#msg")).await?;
    input.send_keys(&format!("{text}\u{e007}")).await?;
    Ok(())
}

/// The whole scenario for one variant. Returns `false` if the page does not offer the
/// variant (the worker variant is skipped only if the page says so, which is reported).
async fn scenario(
    client: &Client,
    server_bin: &Path,
    site: &Path,
    dir: &Path,
    variant: Variant,
    report: &mut Outcome,
) -> Result<bool> {
    let name = format!("e2e: state-sync ({})", variant.name());
    let log = dir.join("transitions.jsonl");
    let session = format!("e2e-{}", variant.name());
    let server = ServerFoo::start(server_bin, "127.0.0.1:0", &log, site)?;
    let addr = server.addr;
    // Anything logged before this page is not its problem.
    browser_log(client).await?;
    client
        .goto(&format!(
            "http://{addr}/?session={session}{}",
            variant.query()
        ))
        .await?;

    let (ok, page, _) = wait_for(client, &log, &session, |p, _| p.status == "connected").await?;
    if !ok {
        report.problem(format!(
            "{name}: the page did not connect within {} s (last status `{}`); console errors: {:?}",
            CONVERGE.as_secs(),
            page.status,
            browser_log(client).await?
        ));
        return Ok(true);
    }
    let mode = client
        .execute(
            "return typeof globalThis.bar_mode === 'function' ? globalThis.bar_mode() : null;",
            vec![],
        )
        .await?;
    if mode != variant.name() {
        report.problem(format!(
            "{name}: the page runs the client in `{}`, expected `{}` (is bar_mode exported?)",
            mode.as_str().unwrap_or("?"),
            variant.name()
        ));
        return Ok(true);
    }

    // 1. A message typed on the page reaches the server; clocks converge.
    type_message(client, "first").await?;
    let (ok, page, srv) = wait_for(client, &log, &session, |p, s| {
        converged(p, s) && s.from_bar == ["first"] && s.from_foo.len() == 2
    })
    .await?;
    if !ok {
        report.problem(format!(
            "{name}: after typing `first`, the sides did not converge within {} s: page {page:?}, server {srv:?}",
            CONVERGE.as_secs()
        ));
        return Ok(true);
    }

    // 2. Kill the server; type while it is down.
    server.kill()?;
    let (ok, page, _) = wait_for(client, &log, &session, |p, _| p.status != "connected").await?;
    if !ok {
        report.problem(format!(
            "{name}: the page still says `{}` after server-foo was killed",
            page.status
        ));
        return Ok(true);
    }
    for text in ["second", "third"] {
        type_message(client, text).await?;
    }
    let (ok, page, _) = wait_for(client, &log, &session, |p, _| {
        p.from_bar == ["first", "second", "third"] && p.unacked == 2
    })
    .await?;
    if !ok {
        report.problem(format!(
            "{name}: messages typed while the server was down are not shown as pending: page {page:?}"
        ));
        return Ok(true);
    }

    // 3. Restart on the same port with the same log: the page reconnects by itself.
    let server = ServerFoo::start(server_bin, &addr.to_string(), &log, site)?;
    let (ok, page, srv) = wait_for(client, &log, &session, |p, s| {
        converged(p, s) && p.connections >= 2 && s.from_bar.len() >= 3
    })
    .await?;
    if !ok {
        report.problem(format!(
            "{name}: after restarting server-foo the sides did not converge within {} s: page {page:?}, server {srv:?}",
            CONVERGE.as_secs()
        ));
    } else if srv.from_bar != ["first", "second", "third"] || srv.from_foo != ["hello", "hello"] {
        report.problem(format!(
            "{name}: a message was lost or duplicated across the restart: server got {:?} from the page and sent {:?}",
            srv.from_bar, srv.from_foo
        ));
    } else {
        println!(
            "    state-sync ({}): converged, reconnected after a restart on port {} ({} connections), messages once each: page {:?} / server {:?}; foo {}",
            variant.name(),
            addr.port(),
            page.connections,
            page.from_bar,
            srv.from_bar,
            page.foo
        );
    }
    drop(server);

    // Refused connections while the server was down are logged by Chromium; anything
    // else (an uncaught exception, a panic message) is a failure.
    for message in browser_log(client).await? {
        if !message.contains("WebSocket connection to") {
            report.problem(format!("{name}: console error: {message}"));
        }
    }
    Ok(true)
}
