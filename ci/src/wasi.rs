//! The `wasip1` and `wasip2` environments: tests built for `wasm32-wasip1` and
//! `wasm32-wasip2` and run by wasmtime.
//!
//! wasmtime is the Bytecode Alliance's `wasmtime` package from PyPI: its prebuilt
//! library and Python API, pinned by version and wheel hash and installed into
//! `target/xtask/tools/`. cargo runs each test binary through `ci/wasi/wasmtime-run.py`,
//! which runs a core module (p1) or a `wasi:cli/run` component (p2) with the caller's
//! arguments, environment, stdio and working directory, and exits with the program's
//! code. Why not the `wasmtime` CLI: it is not on any registry this project may use
//! except crates.io, where `cargo install wasmtime-cli` is a build of many minutes on two
//! cores, against a 9.5 MB download here.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::env::Wasi;
use crate::workspace::Workspace;

/// The wasmtime release the WASI environments run on.
pub(crate) const WASMTIME_VERSION: &str = "51.0.0";
/// sha256 of `wasmtime-51.0.0-py3-none-manylinux1_x86_64.whl` on PyPI.
const WASMTIME_WHEEL_SHA256: &str =
    "cb4a48bae3de3c0ca99a67e05debbe4bfe48bea7f25ac71ee42fb3fd681ef93c";

/// The runner script, relative to the workspace root.
const RUNNER: &str = "ci/wasi/wasmtime-run.py";

/// Where the pinned wasmtime package is installed.
fn site_dir(ws: &Workspace) -> PathBuf {
    ws.target_dir
        .join("xtask")
        .join("tools")
        .join(format!("wasmtime-py-{WASMTIME_VERSION}"))
}

/// Installs the pinned wasmtime package unless it is already there; returns its
/// directory (for `PYTHONPATH`).
pub(crate) fn ensure(ws: &Workspace) -> Result<PathBuf> {
    let site = site_dir(ws);
    if reports_version(&site) {
        println!(
            "  wasmtime       {WASMTIME_VERSION} (PyPI `wasmtime`, {})",
            site.display()
        );
        return Ok(site);
    }
    if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
        bail!(
            "the pinned wasmtime wheel is for x86_64 Linux; elsewhere run \
             `pip install wasmtime=={WASMTIME_VERSION} --target {}`",
            site.display()
        );
    }
    let start = Instant::now();
    println!("  wasmtime       missing → PyPI wasmtime=={WASMTIME_VERSION} (prebuilt, 9.5 MB)");
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    let requirements = scratch.path().join("requirements.txt");
    std::fs::write(
        &requirements,
        format!("wasmtime=={WASMTIME_VERSION} --hash=sha256:{WASMTIME_WHEEL_SHA256}\n"),
    )?;
    // Into a scratch directory first, then renamed: a half-done install never has the
    // real name.
    let partial = site.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    let out = Command::new("python3")
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
        .arg(&partial)
        .arg("--requirement")
        .arg(&requirements)
        .stdin(Stdio::null())
        .output()
        .context("starting python3 -m pip (WASI tests need Python 3 and pip)")?;
    if !out.status.success() {
        bail!(
            "pip install wasmtime=={WASMTIME_VERSION} failed with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let _ = std::fs::remove_dir_all(&site);
    std::fs::rename(&partial, &site)
        .with_context(|| format!("moving the install into {}", site.display()))?;
    if !reports_version(&site) {
        bail!(
            "wasmtime installed into {} does not import as version {WASMTIME_VERSION}",
            site.display()
        );
    }
    println!(
        "  wasmtime       installed in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(site)
}

/// Whether the pinned wasmtime package is installed.
pub(crate) fn installed(ws: &Workspace) -> bool {
    reports_version(&site_dir(ws))
}

/// Whether `site` holds an importable wasmtime of the pinned version.
fn reports_version(site: &Path) -> bool {
    if !site.join("wasmtime").join("__init__.py").is_file() {
        return false;
    }
    Command::new("python3")
        .args([
            "-c",
            "import wasmtime, importlib.metadata as m; print(m.version('wasmtime'))",
        ])
        .env("PYTHONPATH", site)
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == WASMTIME_VERSION
        })
}

/// Makes `cargo test --target <wasi target>` run its binaries under wasmtime: the runner
/// is set with `--config` (an array, so a workspace path with spaces works), the
/// wasmtime package is put on `PYTHONPATH`, and the runner is told to run each test in an
/// instance of its own.
pub(crate) fn configure(cmd: &mut Command, ws: &Workspace, target: Wasi, site: &Path) {
    cmd.arg("--config")
        .arg(runner_config(target, &ws.root.join(RUNNER)));
    let mut path = OsString::from(site);
    if let Some(old) = std::env::var_os("PYTHONPATH") {
        path.push(":");
        path.push(old);
    }
    cmd.env("PYTHONPATH", path);
    // Each test in its own instance, so a test can expect a panic (see the runner's doc).
    cmd.env("WASM_RS_WASI_TESTS", "per-instance");
}

/// `target.<triple>.runner = ["python3", "<script>"]`, as a `--config` value.
fn runner_config(target: Wasi, script: &Path) -> String {
    let script = toml_edit::Value::from(script.to_string_lossy().as_ref());
    format!(
        "target.{}.runner = [\"python3\", {}]",
        target.target(),
        script.to_string().trim()
    )
}

/// Programs that must print the same natively and on WASI: (package, example).
pub(crate) const PARITY: &[(&str, &str)] = &[
    ("wasm-rs-shared-channel", "wasi_tour"),
    ("one-core-three-hosts", "command"),
];

/// What a program printed.
#[derive(Debug, PartialEq, Eq)]
struct Printed {
    stdout: String,
    stderr: String,
}

/// Builds `example` of `package` natively and for `target`, runs both (the wasm one under
/// wasmtime) and compares what they print, stdout and stderr, byte for byte. `Ok(None)`
/// when they agree; `Ok(Some(problem))` names the difference.
pub(crate) fn parity(
    ws: &Workspace,
    target: Wasi,
    site: &Path,
    package: &str,
    example: &str,
) -> Result<Option<String>> {
    let cargo = || Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for t in [None, Some(target.target())] {
        let mut build = cargo();
        build
            .current_dir(&ws.root)
            .args(["build", "--quiet", "-p", package, "--example", example]);
        if let Some(t) = t {
            build.args(["--target", t]);
        }
        let out = build.stdin(Stdio::null()).output()?;
        if !out.status.success() {
            return Ok(Some(format!(
                "building example {example} of {package}{}: {}",
                t.map(|t| format!(" for {t}")).unwrap_or_default(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
    }
    let native_bin = ws.target_dir.join("debug/examples").join(example);
    let wasm = ws
        .target_dir
        .join(target.target())
        .join("debug/examples")
        .join(format!("{example}.wasm"));
    let printed = |cmd: &mut Command| -> Result<(bool, Printed)> {
        let out = cmd.current_dir(&ws.root).stdin(Stdio::null()).output()?;
        Ok((
            out.status.success(),
            Printed {
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            },
        ))
    };
    let (native_ok, native) = printed(&mut Command::new(&native_bin))
        .with_context(|| format!("running {}", native_bin.display()))?;
    let (wasi_ok, wasi) = printed(
        Command::new("python3")
            .arg(ws.root.join(RUNNER))
            .arg(&wasm)
            .env("PYTHONPATH", site),
    )
    .with_context(|| format!("running {} under wasmtime", wasm.display()))?;
    Ok(compare(
        example,
        target,
        (native_ok, &native),
        (wasi_ok, &wasi),
    ))
}

fn compare(
    example: &str,
    target: Wasi,
    (native_ok, native): (bool, &Printed),
    (wasi_ok, wasi): (bool, &Printed),
) -> Option<String> {
    if !native_ok || !wasi_ok {
        return Some(format!(
            "example {example}: exited with an error (native ok: {native_ok}, {} ok: {wasi_ok}); \
             native stderr: {:?}; {} stderr: {:?}",
            target.target(),
            native.stderr,
            target.target(),
            wasi.stderr
        ));
    }
    if native.stdout.trim().is_empty() {
        return Some(format!("example {example}: printed nothing natively"));
    }
    (native != wasi).then(|| {
        format!(
            "example {example} printed differently natively and on {}:\n  native: {:?}\n  wasi:   {:?}",
            target.target(),
            native,
            wasi
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_names_every_difference() {
        let p = |o: &str, e: &str| Printed {
            stdout: o.into(),
            stderr: e.into(),
        };
        let same = p("sum 5050\n", "[x.rs:1:1] n = 1\n");
        assert_eq!(compare("t", Wasi::P1, (true, &same), (true, &same)), None);
        let other_stderr = p("sum 5050\n", "[x.rs:1:1] n = 2\n");
        let problem = compare("t", Wasi::P2, (true, &same), (true, &other_stderr)).unwrap();
        assert!(
            problem.contains("wasm32-wasip2") && problem.contains("n = 2"),
            "{problem}"
        );
        let failed = compare("t", Wasi::P1, (true, &same), (false, &same)).unwrap();
        assert!(failed.contains("exited with an error"), "{failed}");
        let silent = p("", "");
        assert!(compare("t", Wasi::P1, (true, &silent), (true, &silent)).is_some());
    }

    #[test]
    fn the_runner_config_is_a_toml_array_even_with_spaces() {
        let c = runner_config(Wasi::P2, Path::new("/a b/ci/wasi/wasmtime-run.py"));
        assert_eq!(
            c,
            r#"target.wasm32-wasip2.runner = ["python3", "/a b/ci/wasi/wasmtime-run.py"]"#
        );
        let parsed: toml::Table = c.parse().unwrap();
        let runner = &parsed["target"]["wasm32-wasip2"]["runner"];
        assert_eq!(runner.as_array().unwrap().len(), 2);
    }

    /// The runner's rule for a test that expects a panic, run with a stand-in for the
    /// wasmtime package (only the rule is under test, not wasmtime).
    #[test]
    fn the_runner_passes_an_announced_panic_and_nothing_else() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("wasi/wasmtime-run.py");
        let check = r#"
import sys, types
sys.modules["wasmtime"] = types.ModuleType("wasmtime")
sys.modules["wasmtime.component"] = types.ModuleType("wasmtime.component")
sys.modules["wasmtime"].component = sys.modules["wasmtime.component"]
ns = {"__name__": "runner"}
exec(open(sys.argv[1]).read(), ns)
met = ns["expected_panic_met"]
said = "wasm-rs-wasi: expect panic: condvar wait not supported\n"
assert met("") == (None, False)
assert met(said + "thread 'main' panicked at x.rs:1:1:\ncondvar wait not supported\n") == ("condvar wait not supported", True)
# Another panic, or the text before the panic only: not met.
assert met(said + "thread 'main' panicked at x.rs:1:1:\nindex out of bounds\n")[1] is False
assert met("condvar wait not supported\n" + said)[1] is False
print("ok")
"#;
        let out = Command::new("python3")
            .args(["-c", check])
            .arg(&script)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "ok",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn the_pinned_wheel_hash_is_well_formed() {
        assert_eq!(WASMTIME_WHEEL_SHA256.len(), 64);
        assert!(WASMTIME_WHEEL_SHA256.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
