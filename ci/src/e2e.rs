//! The end-to-end suite of `cargo xtask test`: the rendered book in real headless Chromium.
//!
//! The book is served in-process by the same router as `cargo xtask serve`
//! ([`crate::serve::app`], so with COOP/COEP), Chromium is driven through ChromeDriver with
//! the [`fantoccini`] WebDriver client, and:
//!
//! - every page loads with no console error and no uncaught exception (ChromeDriver's
//!   browser log, requested with `goog:loggingPrefs`, records both at level `SEVERE`, as
//!   well as failed resource loads), and is cross-origin isolated;
//! - every demo's Run button (drawn by `book/src/js/demo-runner.js`) ends with
//!   `data-status="done"` and prints each expected line in its output panel.
//!
//! - the shared-channel demo's page, served again with no isolation header at all (as GitHub
//!   Pages serves it) and with only Chromium's `Document-Isolation-Policy`, becomes cross-origin
//!   isolated (through the book's `coi-sw.js`, then by the header) and its demo runs.
//!
//! A screenshot of the first demo page after Run is saved for a person to look at.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::wd::{Capabilities, TimeoutConfiguration, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use url::Url;

use crate::outcome::Outcome;
use crate::serve::Isolation;

/// What one demo must show.
#[derive(Debug, Clone)]
pub(crate) struct DemoExpectation {
    /// The page holding the demo, relative to the book directory (`recipes/hello-wasm-rs.html`).
    pub(crate) page: String,
    /// Lines that must appear in the demo's output panel; each must be contained in some
    /// output line (so a `dbg!` prefix such as `[src/lib.rs:12:5]` may precede it).
    pub(crate) expect: Vec<String>,
}

/// How long a demo may run before it counts as hung.
const DEMO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long after `load` a page may still log errors (module scripts, async imports).
const SETTLE: Duration = Duration::from_millis(300);
/// How long ChromeDriver may take to listen.
const DRIVER_START: Duration = Duration::from_secs(20);

/// Serves `book_dir`, visits every page in headless Chromium through `chromedriver`, runs
/// each of `demos`, and saves a screenshot of the first demo page into `screenshot_dir`.
///
/// An `Err` means the suite could not run (ChromeDriver or Chromium did not start, the book
/// is missing); failures of the book itself are in the [`Outcome`]'s problems.
///
/// With `isolation_demo` (a demo page that needs `SharedArrayBuffer`), that page is also
/// served with no isolation header and with `Document-Isolation-Policy` only, and must become
/// isolated and run its demo (see [`isolated_without_headers`]).
pub(crate) fn run(
    book_dir: &Path,
    chromedriver: &Path,
    screenshot_dir: &Path,
    demos: &[DemoExpectation],
    isolation_demo: Option<&str>,
) -> Result<Outcome> {
    let pages = pages(book_dir)?;
    let profile = tempfile::Builder::new()
        .prefix("wasm-rs-e2e-chromium-")
        .tempdir()
        .context("creating a temporary Chromium profile directory")?;
    let driver = ChromeDriver::start(chromedriver, profile.path())?;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let book_dir = book_dir.to_path_buf();
    let result = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .context("binding a local port for the book server")?;
        let addr = listener.local_addr()?;
        tokio::spawn(axum::serve(listener, crate::serve::app(book_dir.clone())).into_future());
        let base = Url::parse(&format!("http://{addr}/")).expect("a valid URL");

        let client = connect(&driver, profile.path()).await?;
        let mut outcome = drive(&client, &base, &pages, screenshot_dir, demos).await;
        if let (Ok(report), Some(page)) = (&mut outcome, isolation_demo) {
            // The same book from hosts that send no COOP/COEP.
            for isolation in [Isolation::None, Isolation::DocumentPolicy] {
                let checked =
                    isolated_without_headers(&client, &book_dir, demos, page, isolation, report)
                        .await;
                if let Err(e) = checked {
                    report.problem(format!("e2e ({}): {e:#}", isolation_label(isolation)));
                }
            }
        }
        // Close the session even when a step failed, so Chromium exits.
        let _ = client.close().await;
        outcome
    });
    drop(rt);
    drop(driver);
    result
}

/// Visits the pages, then runs the demos.
async fn drive(
    client: &Client,
    base: &Url,
    pages: &[String],
    screenshot_dir: &Path,
    demos: &[DemoExpectation],
) -> Result<Outcome> {
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(DEMO_TIMEOUT + Duration::from_secs(15)),
            Some(Duration::from_secs(30)),
            Some(Duration::ZERO),
        ))
        .await?;
    // Anything logged while Chromium started is not the book's.
    browser_log(client).await?;

    let mut report = Outcome::default();
    for page in pages {
        let before = report.problems.len();
        visit(client, base, page).await?;
        for message in browser_log(client).await? {
            report.problem(format!("e2e: {page}: console error: {message}"));
        }
        let isolated = client
            .execute("return self.crossOriginIsolated === true;", vec![])
            .await?;
        if isolated != Value::Bool(true) {
            report.problem(format!(
                "e2e: {page}: not cross-origin isolated (the server must send COOP/COEP)"
            ));
        }
        if report.problems.len() == before {
            report.passed += 1;
        }
    }

    let mut screenshot_taken = false;
    for demo in demos {
        let before = report.problems.len();
        if !pages.contains(&demo.page) {
            report.problem(format!(
                "e2e: demo page {} is not in the book (expected a rendered page at that path)",
                demo.page
            ));
            continue;
        }
        run_demo(client, base, demo, &mut report).await?;
        for message in browser_log(client).await? {
            report.problem(format!(
                "e2e: {} (demo): console error: {message}",
                demo.page
            ));
        }
        if !screenshot_taken {
            screenshot_taken = true;
            let path = screenshot(client, screenshot_dir, &demo.page).await?;
            println!(
                "    screenshot of {} after Run: {}",
                demo.page,
                path.display()
            );
        }
        if report.problems.len() == before {
            report.passed += 1;
        }
    }
    Ok(report)
}

/// The demo that needs `SharedArrayBuffer`, run where the server sends no COOP/COEP.
pub(crate) const ISOLATION_DEMO: &str = "recipes/shared-channel-worker.html";

fn isolation_label(isolation: Isolation) -> &'static str {
    match isolation {
        Isolation::Headers => "COOP/COEP headers",
        Isolation::None => "no isolation headers, the book's service worker",
        Isolation::DocumentPolicy => "Document-Isolation-Policy only",
    }
}

/// Serves the book with `isolation` (no header at all, as GitHub Pages does, or only
/// Chromium's `Document-Isolation-Policy`) on a port of its own (so an origin of its own),
/// opens the shared-channel demo's page, and checks that the page becomes cross-origin
/// isolated (with no header, through `coi-sw.js`, which registers and reloads the page once)
/// and that the demo runs with its expected output.
async fn isolated_without_headers(
    client: &Client,
    book_dir: &Path,
    demos: &[DemoExpectation],
    page: &str,
    isolation: Isolation,
    report: &mut Outcome,
) -> Result<()> {
    let label = isolation_label(isolation);
    let demo = demos
        .iter()
        .find(|d| d.page == page)
        .with_context(|| format!("no demo on {page}"))?;
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .context("binding a local port")?;
    let addr = listener.local_addr()?;
    let app = crate::serve::app_with(book_dir.to_path_buf(), isolation);
    tokio::spawn(axum::serve(listener, app).into_future());
    let base = Url::parse(&format!("http://{addr}/")).expect("a valid URL");
    println!("  → {page} served with {label}");
    visit(client, &base, &demo.page).await?;
    // With no header, the page registers the service worker and reloads itself once.
    let isolated = client
        .execute_async(
            r#"const [limit, done] = arguments;
               const started = Date.now();
               const poll = () => {
                 if (self.crossOriginIsolated === true || Date.now() - started > limit) {
                   done(self.crossOriginIsolated === true);
                 } else {
                   setTimeout(poll, 50);
                 }
               };
               poll();"#,
            vec![json!(15_000)],
        )
        .await?;
    let before = report.problems.len();
    if isolated != Value::Bool(true) {
        report.problem(format!(
            "e2e ({label}): {page} did not become cross-origin isolated within 15 s"
        ));
        return Ok(());
    }
    run_demo(client, &base, demo, report).await?;
    for problem in &mut report.problems[before..] {
        *problem = format!("{problem} (served with {label})");
    }
    for message in browser_log(client).await? {
        report.problem(format!("e2e ({label}): {page}: console error: {message}"));
    }
    if report.problems.len() == before {
        report.passed += 1;
    }
    Ok(())
}

async fn visit(client: &Client, base: &Url, page: &str) -> Result<()> {
    let url = page_url(base, page);
    client
        .goto(url.as_str())
        .await
        .with_context(|| format!("loading {url}"))?;
    // Errors of module scripts and async imports may land shortly after `load`.
    client
        .execute_async(
            "const done = arguments[arguments.length - 1]; setTimeout(done, arguments[0]);",
            vec![json!(SETTLE.as_millis() as u64)],
        )
        .await?;
    Ok(())
}

/// Clicks each Run button of the demo's page in turn and checks its outcome and output.
async fn run_demo(
    client: &Client,
    base: &Url,
    demo: &DemoExpectation,
    report: &mut Outcome,
) -> Result<()> {
    visit(client, base, &demo.page).await?;
    let buttons = client
        .find_all(Locator::Css(".wasm-rs-demo .wasm-rs-demo-run"))
        .await?;
    if buttons.is_empty() {
        report.problem(format!(
            "e2e: {}: no Run button (is the demo placeholder on the page, and js/demo-runner.js in book.toml's additional-js?)",
            demo.page
        ));
        return Ok(());
    }
    let mut all_lines = Vec::new();
    for (index, button) in buttons.iter().enumerate() {
        button.click().await?;
        let outcome = client
            .execute_async(
                WAIT_FOR_DEMO,
                vec![json!(index), json!(DEMO_TIMEOUT.as_millis() as u64)],
            )
            .await?;
        let status = outcome["status"].as_str().unwrap_or("").to_owned();
        let lines: Vec<String> = outcome["lines"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        match status.as_str() {
            "done" => {}
            "running" | "" => report.problem(format!(
                "e2e: {} demo #{index}: still running after {} s; output so far: {}",
                demo.page,
                DEMO_TIMEOUT.as_secs(),
                show(&lines)
            )),
            other => report.problem(format!(
                "e2e: {} demo #{index}: ended with status `{other}`; output: {}",
                demo.page,
                show(&lines)
            )),
        }
        all_lines.extend(lines);
    }
    let missing = missing_lines(&demo.expect, &all_lines);
    if !missing.is_empty() {
        report.problem(format!(
            "e2e: {}: expected output missing: {}; the panel showed: {}",
            demo.page,
            show(&missing),
            show(&all_lines)
        ));
    }
    Ok(())
}

/// Waits (bounded) until the `arguments[0]`-th demo is no longer running; returns its status
/// and output lines.
const WAIT_FOR_DEMO: &str = r#"
const [index, limit, done] = arguments;
const container = document.querySelectorAll(".wasm-rs-demo")[index];
const started = Date.now();
const report = () => ({
  status: container.dataset.status || "",
  lines: Array.from(container.querySelectorAll(".wasm-rs-demo-output > *"), (l) => l.textContent),
});
const poll = () => {
  const status = container.dataset.status;
  if ((status === "done" || status === "error") || Date.now() - started > limit) {
    done(report());
  } else {
    setTimeout(poll, 50);
  }
};
poll();
"#;

async fn screenshot(client: &Client, dir: &Path, page: &str) -> Result<PathBuf> {
    client
        .execute(
            "const d = document.querySelector('.wasm-rs-demo'); if (d) d.scrollIntoView({block: 'center'});",
            vec![],
        )
        .await?;
    let png = client.screenshot().await?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let stem = Path::new(page)
        .file_stem()
        .map_or_else(|| "demo".into(), |s| s.to_string_lossy().into_owned());
    let path = dir.join(format!("{stem}.png"));
    std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// ChromeDriver's (non-W3C, but long-standing) endpoint returning the browser log entries
/// recorded since the last call.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// The `SEVERE` entries (console errors, uncaught exceptions, failed loads) logged since the
/// last call.
pub(crate) async fn browser_log(client: &Client) -> Result<Vec<String>> {
    let entries = client
        .issue_cmd(BrowserLog)
        .await
        .context("reading Chromium's console log through ChromeDriver")?;
    Ok(severe_messages(&entries))
}

fn severe_messages(entries: &Value) -> Vec<String> {
    entries
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"].as_str() == Some("SEVERE"))
        .map(|e| e["message"].as_str().unwrap_or("(no message)").to_owned())
        .collect()
}

/// The expected lines that no output line contains.
fn missing_lines(expected: &[String], output: &[String]) -> Vec<String> {
    expected
        .iter()
        .filter(|want| !output.iter().any(|line| line.contains(want.trim())))
        .cloned()
        .collect()
}

fn show(lines: &[String]) -> String {
    if lines.is_empty() {
        "(nothing)".into()
    } else {
        lines
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The book's pages, as `/`-separated paths relative to `book_dir`, sorted; mdBook's
/// `print.html`, `404.html` and `toc.html` are not reading pages and are left out.
fn pages(book_dir: &Path) -> Result<Vec<String>> {
    let out = crate::tree::reading_pages(book_dir).with_context(|| {
        format!(
            "reading the rendered book in {} (build it first)",
            book_dir.display()
        )
    })?;
    if out.is_empty() {
        bail!(
            "no pages under {}: build the book first",
            book_dir.display()
        );
    }
    Ok(out)
}

fn page_url(base: &Url, page: &str) -> Url {
    let mut url = base.clone();
    url.path_segments_mut()
        .expect("an http URL has a path")
        .pop_if_empty()
        .extend(page.split('/'));
    url
}

/// A WebDriver session on headless Chromium through `driver`, with [`capabilities`].
pub(crate) async fn connect(driver: &ChromeDriver, profile: &Path) -> Result<Client> {
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities(profile))
        .connect(&driver.url)
        .await
        .map_err(|e| {
            anyhow!(
                "could not start Chromium through ChromeDriver at {}: {e}\n{}",
                driver.url,
                driver.log_tail()
            )
        })
}

pub(crate) fn capabilities(profile: &Path) -> Capabilities {
    let mut options = json!({
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,900",
            format!("--user-data-dir={}", profile.join("profile").display()),
        ],
    });
    if let Some(binary) = crate::setup::find_tool(
        "chromium",
        &[
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ],
    ) {
        options["binary"] = json!(binary);
    }
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": options,
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// A ChromeDriver child process, shut down on drop.
#[derive(Debug)]
pub(crate) struct ChromeDriver {
    child: Child,
    port: u16,
    pub(crate) url: String,
    log: PathBuf,
}

impl ChromeDriver {
    pub(crate) fn start(binary: &Path, scratch: &Path) -> Result<Self> {
        let port = free_port()?;
        let log = scratch.join("chromedriver.log");
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (install Chromium and ChromeDriver with `cargo xtask setup`)",
                    binary.display()
                )
            })?;
        let mut driver = Self {
            child,
            port,
            url: format!("http://127.0.0.1:{port}/"),
            log,
        };
        let started = Instant::now();
        loop {
            if let Some(status) = driver.child.try_wait()? {
                bail!(
                    "{} exited at start ({status})\n{}",
                    binary.display(),
                    driver.log_tail()
                );
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Ok(driver);
            }
            if started.elapsed() > DRIVER_START {
                bail!(
                    "{} did not listen on port {port} within {} s\n{}",
                    binary.display(),
                    DRIVER_START.as_secs(),
                    driver.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(crate) fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<_> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..].join("\n");
        format!("chromedriver output:\n{tail}")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // `/shutdown` makes ChromeDriver quit any browser it still runs; a kill would not.
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.write_all(
                b"GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            );
            let _ = s.read_to_end(&mut Vec::new());
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now (the OS picks it; there is a small window before use).
pub(crate) fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free local port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn expected_lines_match_inside_output_lines() {
        let output = strings(&["[src/lib.rs:3:5] answer = 42", "hello from wasm-rs"]);
        assert!(
            missing_lines(&strings(&["answer = 42", " hello from wasm-rs "]), &output).is_empty()
        );
        assert_eq!(
            missing_lines(&strings(&["answer = 42", "goodbye"]), &output),
            strings(&["goodbye"])
        );
    }

    #[test]
    fn only_severe_log_entries_are_errors() {
        let entries = json!([
            {"level": "INFO", "message": "fine", "source": "console-api"},
            {"level": "SEVERE", "message": "http://x/a.html 3:9 Uncaught Error: boom", "source": "javascript"},
            {"level": "WARNING", "message": "careful", "source": "console-api"},
        ]);
        assert_eq!(
            severe_messages(&entries),
            strings(&["http://x/a.html 3:9 Uncaught Error: boom"])
        );
        assert!(severe_messages(&json!(null)).is_empty());
    }

    #[test]
    fn pages_skip_print_404_and_toc_and_urls_are_escaped() {
        let dir = tempfile::tempdir().unwrap();
        for p in [
            "index.html",
            "print.html",
            "404.html",
            "toc.html",
            "recipes/a b.html",
            "css/x.css",
        ] {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let found = pages(dir.path()).unwrap();
        assert_eq!(found, strings(&["index.html", "recipes/a b.html"]));
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        assert_eq!(
            page_url(&base, &found[1]).as_str(),
            "http://127.0.0.1:9/recipes/a%20b.html"
        );
        let empty = tempfile::tempdir().unwrap();
        assert!(format!("{:#}", pages(empty.path()).unwrap_err()).contains("build the book first"));
    }

    /// Writes `files` under a fresh directory, and the book's real demo runner at
    /// `js/demo-runner.js` / `js/wasm-rs-loader.js`, as mdBook would.
    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut all: Vec<(String, String)> = [
            ("js/demo-runner.js", "book/src/js/demo-runner.js"),
            (crate::book::LOADER_IN_BOOK, crate::book::LOADER_IN_CRATE),
        ]
        .iter()
        .map(|(to, from)| {
            (
                (*to).to_owned(),
                std::fs::read_to_string(root.join(from)).unwrap(),
            )
        })
        .collect();
        all.extend(
            files
                .iter()
                .map(|(p, t)| ((*p).to_owned(), (*t).to_owned())),
        );
        for (path, text) in all {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn page(body: &str) -> String {
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title><link rel=\"icon\" href=\"data:,\"></head><body>{body}\
             <script>const path_to_root = \"\";</script><script src=\"js/demo-runner.js\"></script></body></html>"
        )
    }

    fn demo(module: &str, context: &str) -> String {
        page(&format!(
            r#"<div class="wasm-rs-demo" data-recipe="{module}" data-module="{module}" data-context="{context}"></div>"#
        ))
    }

    /// A demo module shaped like `wasm-bindgen --target web` output: a default init and an
    /// async `run_demo`, here in plain JS so the test needs no wasm build.
    const GOOD_MODULE: &str = r#"
        export default async function init() {}
        export async function run_demo() {
            console.log("hello from %s", "the demo");
            console.info("answer =", 42);
            console.group("a group");
            console.debug("inside the group");
            console.groupEnd();
            await new Promise((r) => setTimeout(r, 20));
            console.log("crossOriginIsolated:", self.crossOriginIsolated);
        }"#;

    /// Completes, but logs an error on the way.
    const NOISY_MODULE: &str = r#"
        export default async function init() {}
        export async function run_demo() {
            console.error("something went wrong inside");
            console.log("finished anyway");
        }"#;

    const FAILING_MODULE: &str = r#"
        export default async function init() {}
        export async function run_demo() {
            console.log("about to fail");
            throw new Error("the demo failed on purpose");
        }"#;

    /// The suite against real Chromium: clean pages and demos (main thread and worker) pass,
    /// and a page script that throws (classic and module), a console.error, a demo that
    /// throws, a worker demo that logs an error, a demo missing its output and a demo page that
    /// does not exist are each reported.
    #[test]
    fn chromium_reports_page_errors_and_checks_demos() {
        let chromedriver = crate::setup::find_tool("chromedriver", &["/usr/bin/chromedriver"])
            .expect("this test drives Chromium: install Chromium and ChromeDriver (`cargo xtask setup`)");
        let dir = site(&[
            ("index.html", &page("<h1>clean</h1>")),
            (
                "throws.html",
                &page("<script>throw new Error('boom from a page script');</script>"),
            ),
            (
                "module-throws.html",
                &page(
                    "<script type=\"module\">await null; throw new TypeError('late module boom');</script>",
                ),
            ),
            (
                "logs.html",
                &page("<script>console.error('an error logged by the page');</script>"),
            ),
            ("main.html", &demo("good", "main")),
            ("worker.html", &demo("good", "worker")),
            ("fails.html", &demo("failing", "worker")),
            ("silent.html", &demo("good", "main")),
            ("noisy.html", &demo("noisy", "worker")),
            ("demos/good/good.js", GOOD_MODULE),
            ("demos/noisy/noisy.js", NOISY_MODULE),
            ("demos/failing/failing.js", FAILING_MODULE),
            (
                "print.html",
                &page("<script>throw new Error('print.html is not visited');</script>"),
            ),
        ]);
        let shots = tempfile::tempdir().unwrap();
        let expect = |page: &str, lines: &[&str]| DemoExpectation {
            page: page.to_owned(),
            expect: strings(lines),
        };
        let started = Instant::now();
        let report = run(
            dir.path(),
            &chromedriver,
            shots.path(),
            &[
                expect(
                    "main.html",
                    &[
                        "hello from the demo",
                        "answer = 42",
                        "inside the group",
                        "crossOriginIsolated: true",
                    ],
                ),
                expect(
                    "worker.html",
                    &[
                        "hello from the demo",
                        "answer = 42",
                        "inside the group",
                        "crossOriginIsolated: true",
                    ],
                ),
                expect("fails.html", &["about to fail"]),
                expect("noisy.html", &["finished anyway"]),
                expect("silent.html", &["a line the demo never prints"]),
                expect("nowhere.html", &[]),
            ],
            None,
        )
        .unwrap();
        eprintln!(
            "e2e self-test took {:?}; problems: {:#?}",
            started.elapsed(),
            report.problems
        );

        let has = |needle: &str| {
            report
                .problems
                .iter()
                .filter(|p| p.contains(needle))
                .count()
        };
        assert_eq!(has("e2e: throws.html: console error"), 1);
        assert_eq!(has("boom from a page script"), 1);
        assert_eq!(has("module-throws.html: console error"), 1);
        assert_eq!(has("late module boom"), 1);
        assert_eq!(has("logs.html: console error"), 1);
        assert_eq!(has("an error logged by the page"), 1);
        assert_eq!(has("fails.html demo #0: ended with status `error`"), 1);
        assert_eq!(
            has("Error: the demo failed on purpose"),
            2,
            "panel line and console error"
        );
        assert_eq!(
            has("silent.html: expected output missing: `a line the demo never prints`"),
            1
        );
        assert_eq!(has("nowhere.html is not in the book"), 1);
        assert_eq!(has("print.html"), 0);
        assert_eq!(has("not cross-origin isolated"), 0);
        assert_eq!(
            has("noisy.html (demo): console error: http://"),
            1,
            "a console.error inside a worker reaches the browser log"
        );
        assert_eq!(has("something went wrong inside"), 1);
        assert_eq!(report.problems.len(), 8, "{:#?}", report.problems);
        // Pages: index, main, worker, fails, silent, noisy; demos: main, worker.
        assert_eq!(report.passed, 8);
        let png = std::fs::read(shots.path().join("main.png")).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    }
}
