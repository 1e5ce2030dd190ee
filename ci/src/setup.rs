//! `cargo xtask setup`: find every tool the project needs and install what is missing.
//!
//! Idempotent by design: a tool of the right version is never rebuilt (building
//! wasm-bindgen-cli or mdBook takes about ten minutes on two cores). Each step prints
//! what it found and what it did.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::env::Engine;
use crate::workspace::Workspace;

/// The mdBook version the book is built and checked with.
pub(crate) const MDBOOK_VERSION: &str = "0.5.4";

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The geckodriver version installed when none is found.
pub(crate) const GECKODRIVER_VERSION: &str = "0.37.1";

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

/// Finds or installs every tool; returns where they are.
pub(crate) fn run(ws: &Workspace) -> Result<Tools> {
    run_for(ws, &Engine::ALL)
}

/// Like [`run`], with only the browser engines in `engines`.
pub(crate) fn run_for(ws: &Workspace, engines: &[Engine]) -> Result<Tools> {
    let BookTools { mdbook } = book_tools(ws)?;
    let mut drivers = BTreeMap::new();
    for engine in engines {
        let driver = match engine {
            Engine::Chromium => Driver::Chromium {
                chromedriver: ensure_chromium()?.1,
            },
            Engine::Firefox => ensure_firefox()?,
            Engine::Webkit => ensure_webkit()?,
        };
        drivers.insert(*engine, driver);
    }
    ensure_binaryen()?;
    let node = find_tool("node", &["/usr/bin/node", "/usr/local/bin/node"]).context(
        "Node.js was not found on PATH: install Node.js 18 or newer (Debian/Ubuntu: `apt-get install nodejs`), \
         then run `cargo xtask setup` again",
    )?;
    println!("  node           {}", node.display());
    println!("xtask setup: all tools present");
    Ok(Tools { mdbook, drivers })
}

/// The subset `cargo xtask serve` needs: the wasm32 target, wasm-bindgen-cli (demos are
/// built with it) and mdBook. No browser is installed just to serve the book.
pub(crate) fn book_tools(ws: &Workspace) -> Result<BookTools> {
    println!("xtask setup: checking tools");
    ensure_wasm_target()?;
    ensure_wasm_bindgen(&ws.wasm_bindgen_version()?)?;
    let mdbook = ensure_cargo_tool("mdbook", "mdbook", MDBOOK_VERSION, &["--version"])?;
    Ok(BookTools { mdbook })
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output_of(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => {
            println!("  {WASM_TARGET:<14} installed");
        }
        Some(_) => {
            println!("  {WASM_TARGET:<14} missing: rustup target add {WASM_TARGET}");
            run_checked(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
        }
        None => bail!(
            "rustup was not found: install Rust with rustup (https://rustup.rs), which reads \
             rust-toolchain.toml and adds the {WASM_TARGET} target"
        ),
    }
    Ok(())
}

/// wasm-bindgen-cli provides both `wasm-bindgen` and `wasm-bindgen-test-runner`; both must
/// match the library version exactly.
fn ensure_wasm_bindgen(version: &str) -> Result<()> {
    let ok = ["wasm-bindgen", "wasm-bindgen-test-runner"]
        .iter()
        .all(|bin| tool_version(bin, &["--version"]).as_deref() == Some(version));
    if ok {
        println!("  wasm-bindgen   {version} (cli and test runner)");
        return Ok(());
    }
    let found = tool_version("wasm-bindgen", &["--version"]);
    println!(
        "  wasm-bindgen   {} → installing wasm-bindgen-cli {version} (about 10 minutes on 2 cores)",
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
    Ok(())
}

/// Installs `krate` with cargo unless `bin` already reports `version`.
fn ensure_cargo_tool(bin: &str, krate: &str, version: &str, args: &[&str]) -> Result<PathBuf> {
    let found = tool_version(bin, args);
    if found.as_deref() != Some(version) {
        println!(
            "  {bin:<14} {} → cargo install {krate} --version ={version} (several minutes)",
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
    } else {
        println!("  {bin:<14} {version}");
    }
    find_tool(bin, &[]).with_context(|| {
        format!("{bin} was installed but is not on PATH: add ~/.cargo/bin to PATH")
    })
}

/// Chromium and ChromeDriver, from PATH or the usual Debian paths; installed with apt when
/// running as root on Debian/Ubuntu, otherwise a message naming what to install.
pub(crate) fn ensure_chromium() -> Result<(PathBuf, PathBuf)> {
    let browsers = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ];
    let drivers = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];
    let find = || {
        let b = ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .find_map(|n| find_tool(n, &browsers));
        let d = find_tool("chromedriver", &drivers);
        (b, d)
    };
    if let (Some(b), Some(d)) = find() {
        println!("  chromium       {}", b.display());
        println!("  chromedriver   {}", d.display());
        return Ok((b, d));
    }
    apt_install(
        &["chromium", "chromium-driver"],
        "Chromium and ChromeDriver (Debian/Ubuntu: `sudo apt-get install chromium chromium-driver`; \
         elsewhere Chrome or Chromium plus the ChromeDriver of the same major version, both on PATH)",
    )?;
    if let (Some(b), Some(d)) = find() {
        println!("  chromium       {}", b.display());
        println!("  chromedriver   {}", d.display());
        return Ok((b, d));
    }
    bail!("chromium-driver was installed but chromium or chromedriver is still not on PATH")
}

/// binaryen's `wasm-opt`, for the size benchmark (`cargo xtask bench --suite size`): from
/// PATH, else installed with apt (Debian's binaryen 108 is enough, with the `--enable-*`
/// flags the bench passes).
pub(crate) fn ensure_binaryen() -> Result<PathBuf> {
    let find = || find_tool("wasm-opt", &["/usr/bin/wasm-opt"]);
    if let Some(p) = find() {
        println!("  wasm-opt       {}", p.display());
        return Ok(p);
    }
    apt_install(
        &["binaryen"],
        "binaryen's wasm-opt (Debian/Ubuntu: `sudo apt-get install binaryen`; elsewhere a binaryen release on PATH)",
    )?;
    find().context("binaryen was installed but wasm-opt is still not on PATH")
}

/// Firefox and geckodriver: Firefox ESR from apt when root on Debian/Ubuntu, geckodriver
/// with `cargo install` (about 3.5 minutes on two cores, once).
fn ensure_firefox() -> Result<Driver> {
    let browsers = ["/usr/bin/firefox-esr", "/usr/bin/firefox"];
    let find = || {
        ["firefox-esr", "firefox"]
            .iter()
            .find_map(|n| find_tool(n, &browsers))
    };
    let firefox = match find() {
        Some(f) => f,
        None => {
            apt_install(
                &["firefox-esr"],
                "Firefox (Debian/Ubuntu: `sudo apt-get install firefox-esr`)",
            )?;
            find().context("firefox-esr was installed but `firefox-esr` is not on PATH")?
        }
    };
    println!("  firefox        {}", firefox.display());
    let geckodriver = ensure_cargo_tool(
        "geckodriver",
        "geckodriver",
        GECKODRIVER_VERSION,
        &["--version"],
    )?;
    println!("  geckodriver    {}", geckodriver.display());
    Ok(Driver::Firefox { geckodriver })
}

/// WebKitGTK: WebKitWebDriver and MiniBrowser (package webkit2gtk-driver), and Xvfb, since
/// MiniBrowser needs a display even when headless.
fn ensure_webkit() -> Result<Driver> {
    let find = || {
        let driver = find_tool("WebKitWebDriver", &["/usr/bin/WebKitWebDriver"]);
        let minibrowser = minibrowser();
        let xvfb = find_tool("xvfb-run", &["/usr/bin/xvfb-run"]);
        (driver, minibrowser, xvfb)
    };
    if let (Some(driver), Some(minibrowser), Some(xvfb_run)) = find() {
        println!(
            "  webkit         {} (MiniBrowser {})",
            driver.display(),
            minibrowser.display()
        );
        return Ok(Driver::Webkit {
            driver,
            minibrowser,
            xvfb_run,
        });
    }
    apt_install(
        &["webkit2gtk-driver", "xvfb", "xauth"],
        "WebKitGTK's driver and Xvfb (Debian/Ubuntu: `sudo apt-get install webkit2gtk-driver xvfb xauth`)",
    )?;
    match find() {
        (Some(driver), Some(minibrowser), Some(xvfb_run)) => {
            println!(
                "  webkit         {} (MiniBrowser {})",
                driver.display(),
                minibrowser.display()
            );
            Ok(Driver::Webkit {
                driver,
                minibrowser,
                xvfb_run,
            })
        }
        _ => bail!(
            "webkit2gtk-driver was installed but WebKitWebDriver, MiniBrowser or xvfb-run is still missing"
        ),
    }
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

/// Installs Debian packages when running as root with apt; otherwise explains what to install.
fn apt_install(packages: &[&str], what: &str) -> Result<()> {
    if !(is_root() && which::which("apt-get").is_ok()) {
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

/// cargo-fuzz, for the fuzz suite (it runs on the nightly toolchain).
pub(crate) fn ensure_cargo_fuzz() -> Result<()> {
    let ok = Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("  cargo-fuzz     missing → cargo install cargo-fuzz (a few minutes)");
        run_checked(Command::new("cargo").args(["install", "cargo-fuzz", "--version", "=0.13.2"]))?;
    }
    Ok(())
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

fn is_root() -> bool {
    output_of(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

#[cfg(test)]
mod tests {
    use super::extract_version;

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
        assert_eq!(extract_version("no version here"), None);
    }
}
