//! The `release` and `msrv` suites of `cargo xtask test`: the runtime crates as a user who is
//! not us gets them.
//!
//! `release` packages the four runtime crates with `cargo package` (one command, so that the
//! crates that depend on each other resolve against each other's tarballs before they are
//! published), unpacks the tarballs under `target/xtask/release/crates/`, and writes a scratch
//! app (`ci/templates/release-app/`) that depends on the crates by version and finds them
//! only in those unpacked tarballs (`[patch.crates-io]`, its own `[workspace]`, nothing that
//! points into the repository). It then runs the app natively, and its wasm tests in Node
//! and in headless Chromium, where the main thread streams numbers over the shared channel to
//! a worker started with `wasm-rs-worker`. A second app (`ci/templates/release-app-minimal/`)
//! depends on the executor alone with `default-features = false`, and its tests in Node and
//! Chromium check that a drain then runs to the end (they fail if time slicing is on). A
//! crate that reads a file outside its own directory (an `include_str!` or a
//! `module = "/../.."` binding) fails here, since the tarball does not carry that file. It also checks the manifests: no `=` requirement in a runtime crate, and
//! no crate but `wasm-rs-worker` binds the worker loader.
//!
//! `msrv` builds the same app, resolved afresh for the declared `rust-version` (Cargo's
//! MSRV-aware resolver), with that exact toolchain: natively and for wasm32.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::outcome::Outcome;
use crate::process::{self, LogMode, Logged, tail};
use crate::setup::Driver;
use crate::workspace::Workspace;

/// The runtime crates, each with a short name.
pub(crate) const RUNTIME: [(&str, &str); 4] = [
    ("wasm-rs-async-executor", "executor"),
    ("wasm-rs-shared-channel", "channel"),
    ("wasm-rs-dbg", "dbg"),
    ("wasm-rs-worker", "worker"),
];

/// One runtime crate, packaged and unpacked.
#[derive(Debug)]
struct Unpacked {
    name: String,
    version: String,
    dir: PathBuf,
}

fn work_dir(ws: &Workspace) -> PathBuf {
    ws.target_dir.join("xtask").join("release")
}

/// Runs the `release` suite. `chromium` is the Chromium driver, when set up.
pub(crate) fn run(ws: &Workspace, chromium: Option<&Driver>, log_dir: &Path) -> Result<Outcome> {
    let mut report = Outcome::default();
    static_checks(ws, &mut report)?;

    docs_rs(ws, log_dir, &mut report)?;

    let work = work_dir(ws);
    let unpacked = match package_and_unpack(ws, &work, log_dir) {
        Ok(u) => u,
        Err(e) => {
            report.problem(format!("release: {e:#}"));
            return Ok(report);
        }
    };
    report.passed += unpacked.len() as u64;
    let app = work.join("app");
    write_app(ws, APP, &app, &unpacked, true)?;
    let minimal = work.join("app-minimal");
    write_app(ws, MINIMAL_APP, &minimal, &unpacked, true)?;
    let target = work.join("target");

    println!("  → the app, natively");
    let native = cargo(&app, &target, None)
        .args(["run", "--quiet"])
        .output_logged(&log_dir.join("release-native.log"))?;
    report.check(
        native.success() && native.text.contains("native pipeline sum = 500500"),
        || {
            format!(
                "release: the app failed natively (log: {})",
                native.log.display()
            )
        },
    );

    let mut envs: Vec<(&str, Vec<(&str, std::ffi::OsString)>)> = vec![("node", Vec::new())];
    match chromium {
        Some(Driver::Chromium { chromedriver }) => envs.push((
            "chromium",
            vec![
                ("WASM_BINDGEN_USE_BROWSER", "1".into()),
                ("CHROMEDRIVER", chromedriver.into()),
            ],
        )),
        _ => report.problem("release: Chromium is not set up; `cargo xtask setup` installs it"),
    }
    for (name, vars) in envs {
        for (which, dir, log) in [
            ("the app", &app, format!("release-{name}.log")),
            (
                "the minimal app (executor without default features)",
                &minimal,
                format!("release-minimal-{name}.log"),
            ),
        ] {
            println!("  → {which}: wasm tests in {name}");
            let mut cmd = cargo(dir, &target, None);
            cmd.args(["test", "--target", "wasm32-unknown-unknown"]);
            for (k, v) in &vars {
                cmd.env(k, v);
            }
            let run = cmd.output_logged(&log_dir.join(log))?;
            let counts = crate::counts::parse_counts(&run.text);
            println!("    {} passed, {} failed", counts.passed, counts.failed);
            report.passed += counts.passed;
            if !run.success() || counts.failed > 0 || counts.passed < 2 {
                report.problem(format!(
                    "release: {which}'s wasm tests failed in {name} ({} passed, {} failed; log: {})",
                    counts.passed,
                    counts.failed,
                    run.log.display()
                ));
            }
        }
    }
    Ok(report)
}

/// The docs as docs.rs builds them (`[package.metadata.docs.rs]`: wasm32 first, nightly,
/// `--cfg docsrs` so that target-only items carry their `doc(cfg)` label): no warning allowed.
fn docs_rs(ws: &Workspace, log_dir: &Path, report: &mut Outcome) -> Result<()> {
    println!("  → rustdoc for wasm32 as docs.rs runs it (nightly, --cfg docsrs)");
    crate::setup::ensure_toolchain("nightly", &["wasm32-unknown-unknown"])?;
    let mut cmd = Command::new("cargo");
    cmd.current_dir(&ws.root)
        .args([
            "+nightly",
            "doc",
            "--no-deps",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env("RUSTDOCFLAGS", "--cfg docsrs -D warnings")
        .env("CARGO_TARGET_DIR", ws.target_dir.join("docsrs"))
        .env_remove("RUSTFLAGS");
    for (name, _) in RUNTIME {
        cmd.args(["-p", name]);
    }
    let run = cmd.output_logged(&log_dir.join("release-docs-rs.log"))?;
    report.check(run.success(), || {
        format!(
            "release: rustdoc (wasm32, --cfg docsrs) failed or warned (log: {})",
            run.log.display()
        )
    });
    Ok(())
}

/// Runs the `msrv` suite: the app, resolved for and built with the declared `rust-version`.
pub(crate) fn msrv(ws: &Workspace, log_dir: &Path) -> Result<Outcome> {
    let mut report = Outcome::default();
    let version = runtime_rust_version(ws)?;
    crate::setup::ensure_toolchain(&version, &["wasm32-unknown-unknown"])?;
    let work = work_dir(ws);
    let unpacked = match package_and_unpack(ws, &work, log_dir) {
        Ok(u) => u,
        Err(e) => {
            report.problem(format!("msrv: {e:#}"));
            return Ok(report);
        }
    };
    let app = work.join("app-msrv");
    write_app(ws, APP, &app, &unpacked, false)?;
    // Resolved afresh with `rust-version` set: Cargo then prefers dependency versions that
    // support it, as it would in a user's app on that toolchain.
    let manifest = app.join("Cargo.toml");
    // Only the library is built here: the test harness (whose versions follow wasm-bindgen's
    // exactly) stays out of the resolution.
    let text = std::fs::read_to_string(&manifest)?
        .replace(
            "edition = \"2024\"\n",
            &format!("edition = \"2024\"\nrust-version = \"{version}\"\n"),
        )
        .replace("[dev-dependencies]\nwasm-bindgen-test = \"0.3\"\n", "");
    std::fs::write(&manifest, text)?;
    std::fs::remove_dir_all(app.join("tests"))?;
    let target = work.join("target-msrv");
    for (name, extra) in [
        ("native", &[][..]),
        ("wasm32", &["--target", "wasm32-unknown-unknown"][..]),
    ] {
        println!("  → Rust {version}: cargo build, {name}");
        let mut cmd = cargo(&app, &target, Some(&version));
        cmd.args(["build", "--lib"]).args(extra);
        let run = cmd.output_logged(&log_dir.join(format!("msrv-{name}.log")))?;
        report.check(run.success(), || {
            format!(
                "msrv: the runtime crates do not build with Rust {version} ({name}; log: {}); \
                 raise their `rust-version`, or avoid the newer feature",
                run.log.display()
            )
        });
    }

    // The lowest versions the manifests accept: downgrade to exactly those and build again.
    let lowest = lowest_wasm_bindgen(ws)?;
    let names: Vec<String> = lowest.iter().map(|(n, v)| format!("{n} {v}")).collect();
    println!(
        "  → Rust {version}: the lowest accepted versions ({})",
        names.join(", ")
    );
    let log = log_dir.join("msrv-lowest.log");
    let mut text = String::new();
    // The family pins each other exactly, so one `--precise` may refuse until another has
    // moved: try each, then check what the lock file holds.
    for (name, v) in &lowest {
        let run = cargo(&app, &target, Some(&version))
            .args(["update", "-p", name, "--precise", v])
            .output_logged(&log)?;
        text.push_str(&run.text);
    }
    let locked = std::fs::read_to_string(app.join("Cargo.lock"))?;
    let mut ok = true;
    for (name, v) in &lowest {
        let have = locked_versions(&locked, name);
        if have != [v.clone()] {
            text.push_str(&format!("\nxtask: {name} is locked at {have:?}, not {v}\n"));
            ok = false;
        }
    }
    if ok {
        let run = cargo(&app, &target, Some(&version))
            .args(["build", "--lib", "--target", "wasm32-unknown-unknown"])
            .output_logged(&log)?;
        text.push_str(&run.text);
        ok = run.success();
    }
    std::fs::write(&log, &text)?;
    report.check(ok, || {
        format!(
            "msrv: the runtime crates do not build with the lowest versions their manifests \
             accept ({}; log: {}); raise those lower bounds in [workspace.dependencies]",
            names.join(", "),
            log.display()
        )
    });
    Ok(report)
}

/// The lower bounds of `[workspace.dependencies]` for the wasm-bindgen family.
fn lowest_wasm_bindgen(ws: &Workspace) -> Result<Vec<(String, String)>> {
    let doc: toml::Table = std::fs::read_to_string(ws.root.join("Cargo.toml"))?.parse()?;
    let deps = doc
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .context("the root Cargo.toml has no [workspace.dependencies]")?;
    ["wasm-bindgen-futures", "js-sys", "wasm-bindgen"]
        .into_iter()
        .map(|name| {
            let req = deps
                .get(name)
                .and_then(|d| d.as_str().or_else(|| d.get("version")?.as_str()))
                .with_context(|| format!("[workspace.dependencies] has no version of {name}"))?;
            let v = req.trim().trim_start_matches('^');
            if v.split('.').count() != 3 {
                bail!("[workspace.dependencies] {name} = \"{req}\": write the lower bound in full (X.Y.Z)");
            }
            Ok((name.to_owned(), v.to_owned()))
        })
        .collect()
}

/// The versions of `package` in a `Cargo.lock` text.
fn locked_versions(lock: &str, package: &str) -> Vec<String> {
    let Ok(doc) = lock.parse::<toml::Table>() else {
        return Vec::new();
    };
    doc.get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some(package))
        .filter_map(|p| p.get("version").and_then(|v| v.as_str()).map(str::to_owned))
        .collect()
}

/// The `rust-version` the runtime crates declare (they must agree: one MSRV for the set).
fn runtime_rust_version(ws: &Workspace) -> Result<String> {
    let mut versions = Vec::new();
    for (name, _) in RUNTIME {
        let c = ws
            .crates
            .iter()
            .find(|c| c.name == name)
            .with_context(|| format!("the runtime crate {name} is missing"))?;
        let doc: toml::Table = std::fs::read_to_string(c.dir.join("Cargo.toml"))?.parse()?;
        let v = doc
            .get("package")
            .and_then(|p| p.get("rust-version"))
            .and_then(|v| v.as_str())
            .with_context(|| format!("{name}: a runtime crate states its own rust-version"))?;
        versions.push(v.to_owned());
    }
    versions.dedup();
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        many => bail!(
            "the runtime crates declare different rust-versions ({}): they are used together, \
             so give them one",
            many.join(", ")
        ),
    }
}

/// No `=` requirement in a runtime crate's manifest, and the worker loader bound only by
/// `wasm-rs-worker`.
fn static_checks(ws: &Workspace, report: &mut Outcome) -> Result<()> {
    for (name, _) in RUNTIME {
        let c = ws
            .crates
            .iter()
            .find(|c| c.name == name)
            .with_context(|| format!("the runtime crate {name} is missing"))?;
        let text = std::fs::read_to_string(c.dir.join("Cargo.toml"))?;
        let pins = exact_requirements(&text)?;
        report.check(pins.is_empty(), || {
            format!(
                "release: {name} pins {} with `=`: a library must name a semver range, or \
                 it cannot unify with the app's own version",
                pins.join(", ")
            )
        });
    }
    let root_deps = exact_requirements(&std::fs::read_to_string(ws.root.join("Cargo.toml"))?)?;
    report.check(root_deps.is_empty(), || {
        format!(
            "release: [workspace.dependencies] pins {} with `=`; the runtime crates inherit it",
            root_deps.join(", ")
        )
    });
    let binders = loader_bindings(ws)?;
    report.check(binders.is_empty(), || {
        format!(
            "release: only runtime/worker may bind a JS file through a path outside its crate or \
             bind the worker loader; found: {}",
            binders.join(", ")
        )
    });
    Ok(())
}

/// The dependencies a manifest requires with `=`.
fn exact_requirements(manifest: &str) -> Result<Vec<String>> {
    let doc: toml::Table = manifest.parse().context("parsing a manifest")?;
    let mut found = Vec::new();
    let mut tables: Vec<(&str, &toml::Table)> = Vec::new();
    for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(t) = doc.get(key).and_then(|v| v.as_table()) {
            tables.push((key, t));
        }
        if let Some(t) = doc
            .get("workspace")
            .and_then(|w| w.get(key))
            .and_then(|v| v.as_table())
        {
            tables.push((key, t));
        }
    }
    if let Some(targets) = doc.get("target").and_then(|v| v.as_table()) {
        for platform in targets.values().filter_map(|v| v.as_table()) {
            for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
                if let Some(t) = platform.get(key).and_then(|v| v.as_table()) {
                    tables.push((key, t));
                }
            }
        }
    }
    for (_, table) in tables {
        for (dep, spec) in table {
            let req = match spec {
                toml::Value::String(s) => Some(s.as_str()),
                toml::Value::Table(t) => t.get("version").and_then(|v| v.as_str()),
                _ => None,
            };
            if req.is_some_and(|r| r.trim_start().starts_with('=')) {
                found.push(dep.clone());
            }
        }
    }
    Ok(found)
}

/// Sources outside `runtime/worker` that bind the worker loader, or bind any JS through a
/// path that leaves their crate (`module = "/../..."`).
fn loader_bindings(ws: &Workspace) -> Result<Vec<String>> {
    let worker = ws.root.join("runtime").join("worker");
    let mut found = Vec::new();
    for top in ["runtime", "recipes"] {
        for entry in walkdir::WalkDir::new(ws.root.join(top))
            .into_iter()
            .filter_entry(|e| e.file_name() != "target" && e.file_name() != "node_modules")
            .flatten()
        {
            let path = entry.path();
            if !entry.file_type().is_file() || path.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(path)?;
            let outside = text.contains("module = \"/..");
            let loader = !path.starts_with(&worker)
                && text
                    .lines()
                    .any(|l| l.contains("module =") && l.contains("wasm-rs-loader.js"));
            if outside || loader {
                found.push(
                    path.strip_prefix(&ws.root)
                        .unwrap_or(path)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    Ok(found)
}

/// `cargo package` for the four crates at once (the tarballs go to `target/package/`), then
/// each tarball unpacked into `work/crates/`. Packaging alone (`--no-verify`): the app built
/// from the unpacked crates, natively and for wasm32, is the verification.
fn package_and_unpack(ws: &Workspace, work: &Path, log_dir: &Path) -> Result<Vec<Unpacked>> {
    println!("  → cargo package, the four runtime crates");
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(&ws.root)
        .args(["package", "--no-verify", "--allow-dirty"]);
    for (name, _) in RUNTIME {
        cmd.args(["-p", name]);
    }
    let run = cmd.output_logged(&log_dir.join("release-package.log"))?;
    if !run.success() {
        bail!(
            "cargo package failed (log: {}):\n{}",
            run.log.display(),
            tail(&run.text, 20)
        );
    }
    let crates_dir = work.join("crates");
    if crates_dir.exists() {
        std::fs::remove_dir_all(&crates_dir)?;
    }
    std::fs::create_dir_all(&crates_dir)?;
    let mut out = Vec::new();
    for (name, _) in RUNTIME {
        let c = ws
            .crates
            .iter()
            .find(|c| c.name == name)
            .with_context(|| format!("the runtime crate {name} is missing"))?;
        let version = crate_version(&c.dir.join("Cargo.toml"))?;
        let tarball = ws
            .target_dir
            .join("package")
            .join(format!("{name}-{version}.crate"));
        // `--touch`: cargo packages every file with one fixed, old mtime; kept, it would let
        // cargo take a previous build of these crates as up to date, and test stale code.
        let status = Command::new("tar")
            .arg("--touch")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&crates_dir)
            .status()
            .with_context(|| format!("unpacking {}", tarball.display()))?;
        if !status.success() {
            bail!("could not unpack {}", tarball.display());
        }
        out.push(Unpacked {
            name: name.to_string(),
            dir: crates_dir.join(format!("{name}-{version}")),
            version,
        });
    }
    Ok(out)
}

/// A crate's own `package.version` (runtime crates set theirs; they do not inherit it).
fn crate_version(manifest: &Path) -> Result<String> {
    let doc: toml::Table = std::fs::read_to_string(manifest)?
        .parse()
        .with_context(|| format!("parsing {}", manifest.display()))?;
    doc.get("package")
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .with_context(|| {
            format!(
                "{}: a runtime crate states its own version (`version = \"X.Y.Z\"`)",
                manifest.display()
            )
        })
}

/// The main scratch app: every runtime crate with its default features.
const APP: &str = "release-app";
/// The executor alone without its default features (no time slicing): a second app, since
/// Cargo unites the features of one build.
const MINIMAL_APP: &str = "release-app-minimal";

/// Writes the scratch app of `ci/templates/<template>/` into `app` (replacing what was
/// there), patched to the unpacked crates it depends on. With `lock`, it starts from the
/// workspace's `Cargo.lock`, so that it builds with the wasm-bindgen that wasm-bindgen-cli
/// matches, as an app that already uses wasm-bindgen would.
fn write_app(
    ws: &Workspace,
    template: &str,
    app: &Path,
    crates: &[Unpacked],
    lock: bool,
) -> Result<()> {
    if app.exists() {
        std::fs::remove_dir_all(app)?;
    }
    let template = ws.root.join("ci").join("templates").join(template);
    for entry in walkdir::WalkDir::new(&template).into_iter().flatten() {
        let rel = entry.path().strip_prefix(&template)?;
        let dest = app.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else if rel == Path::new("Cargo.toml.tmpl") {
            let mut text = std::fs::read_to_string(entry.path())?;
            let mut patches = String::new();
            for c in crates.iter().filter(|c| requires(&text, &c.name)) {
                check_requirement(&text, c)?;
                patches.push_str(&format!(
                    "{} = {{ path = {:?} }}\n",
                    c.name,
                    c.dir.display().to_string()
                ));
            }
            text = text.replace(
                "# {patches}: the unpacked crates, written by the release suite\n",
                &patches,
            );
            std::fs::write(app.join("Cargo.toml"), text)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    if lock {
        std::fs::copy(ws.root.join("Cargo.lock"), app.join("Cargo.lock"))?;
    }
    Ok(())
}

/// The app's requirement on `c` (as the book shows it) must accept the version being
/// packaged; otherwise the book would tell readers to ask for a version that is not there.
fn check_requirement(manifest: &str, c: &Unpacked) -> Result<()> {
    let doc: toml::Table = manifest
        .parse()
        .context("parsing the app's Cargo.toml template")?;
    let mut reqs = Vec::new();
    let mut tables = vec![doc.get("dependencies")];
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
        tables.extend(targets.values().map(|t| t.get("dependencies")));
    }
    for table in tables.into_iter().flatten() {
        let dep = table.get(&c.name);
        // `name = "0.10"`, or `name = { version = "0.10", ... }`.
        let req = dep
            .and_then(|v| v.as_str())
            .or_else(|| dep.and_then(|v| v.get("version")).and_then(|v| v.as_str()));
        if let Some(req) = req {
            reqs.push(req.to_owned());
        }
    }
    let [req] = reqs.as_slice() else {
        bail!(
            "the release app's Cargo.toml should require {} exactly once",
            c.name
        );
    };
    let parsed = cargo_metadata::semver::VersionReq::parse(req)
        .with_context(|| format!("{}: `{req}` is not a version requirement", c.name))?;
    let version = cargo_metadata::semver::Version::parse(&c.version)?;
    if !parsed.matches(&version) {
        bail!(
            "ci/templates/release-app/Cargo.toml.tmpl requires {} = \"{req}\", which does not \
             accept the version being released ({}); update it (the book shows these lines)",
            c.name,
            c.version
        );
    }
    Ok(())
}

/// Whether the app's manifest depends on the crate `name` (a `name = ` line).
fn requires(manifest: &str, name: &str) -> bool {
    manifest
        .lines()
        .any(|l| l.trim_start().starts_with(&format!("{name} =")))
}

/// A cargo command for the app, in its own target directory, with nothing of this
/// workspace's environment (browser selection, drivers, flags) leaking in.
fn cargo(app: &Path, target: &Path, toolchain: Option<&str>) -> Command {
    let mut cmd = match toolchain {
        // The rustup proxy, so that `+<version>` selects the toolchain.
        Some(v) => {
            let mut c = Command::new("cargo");
            c.arg(format!("+{v}"));
            c
        }
        None => Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())),
    };
    cmd.current_dir(app).env("CARGO_TARGET_DIR", target);
    process::scrub_runner_env(&mut cmd);
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTUP_TOOLCHAIN",
        "CARGO",
    ] {
        cmd.env_remove(var);
    }
    if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
        cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "300");
    }
    cmd
}

/// Runs a command into its log ([`process::run_logged`]); a failure prints the log's end.
trait OutputLogged {
    fn output_logged(&mut self, log: &Path) -> Result<Logged>;
}

impl OutputLogged for Command {
    fn output_logged(&mut self, log: &Path) -> Result<Logged> {
        let run = process::run_logged(self, log, LogMode::Truncate)?;
        if !run.success() {
            process::print_tail(&format!("last lines of {}", log.display()), &run.text, 30);
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_requirements_are_found_everywhere() {
        let manifest = r#"
[dependencies]
a = "1"
b = "=0.2.130"
c = { version = "= 1.0", path = "x" }
[target.'cfg(unix)'.dev-dependencies]
d = { version = "=3" }
[workspace.dependencies]
e = "=4.0.0"
f = { path = "y" }
"#;
        let mut found = exact_requirements(manifest).unwrap();
        found.sort();
        assert_eq!(found, ["b", "c", "d", "e"]);
    }

    #[test]
    fn the_app_must_ask_for_the_version_being_released() {
        let manifest = "[dependencies]\nwasm-rs-dbg = \"0.2\"\n\
                        [target.'cfg(unix)'.dependencies]\nwasm-rs-worker = \"0.1\"\n";
        let c = |name: &str, version: &str| Unpacked {
            name: name.into(),
            version: version.into(),
            dir: PathBuf::new(),
        };
        assert!(check_requirement(manifest, &c("wasm-rs-dbg", "0.2.0")).is_ok());
        assert!(check_requirement(manifest, &c("wasm-rs-worker", "0.1.3")).is_ok());
        let e = format!(
            "{:#}",
            check_requirement(manifest, &c("wasm-rs-dbg", "0.3.0")).unwrap_err()
        );
        assert!(
            e.contains("does not accept the version being released"),
            "{e}"
        );
        assert!(check_requirement(manifest, &c("wasm-rs-async-executor", "0.10.0")).is_err());
    }

    #[test]
    fn a_requirement_with_features_is_read_and_only_required_crates_are_patched() {
        let manifest = "[dependencies]
                        wasm-rs-async-executor = { version = \"0.10\", default-features = false }
";
        let c = |version: &str| Unpacked {
            name: "wasm-rs-async-executor".into(),
            version: version.into(),
            dir: PathBuf::new(),
        };
        assert!(check_requirement(manifest, &c("0.10.2")).is_ok());
        assert!(check_requirement(manifest, &c("0.11.0")).is_err());
        assert!(requires(manifest, "wasm-rs-async-executor"));
        assert!(!requires(manifest, "wasm-rs-shared-channel"));
    }

    #[test]
    fn this_workspace_has_no_pins_and_one_loader_binding() {
        let ws = Workspace::load().unwrap();
        let mut report = Outcome::default();
        static_checks(&ws, &mut report).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.passed, RUNTIME.len() as u64 + 2);
    }
}
