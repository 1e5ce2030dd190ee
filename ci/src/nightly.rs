//! The `threads` suite: recipes that live outside the workspace because they need a nightly
//! toolchain (wasm threads with shared memory: std rebuilt with `+atomics`).
//!
//! Each such recipe carries its own `rust-toolchain.toml` (the pinned nightly, with rust-src)
//! and `.cargo/config.toml`. This suite runs, in the recipe's directory and with that
//! toolchain: `cargo fmt --check`, clippy for wasm32 with `-D warnings`, and the tests in every
//! browser environment the recipe's `[package.metadata.wasm-rs] environments` declares, each a
//! threads build: `-Zbuild-std=std,panic_abort` and [`RUSTFLAGS`] (the flag set checked in
//! DESIGN.md), passed explicitly so that the build does not depend on the recipe's config (a
//! unit test below keeps the two equal). Builds go to `target/nightly/`, apart from the
//! stable builds.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::counts::parse_counts;
use crate::env::{Engine, Environment};
use crate::recipes::{EnvResult, TestResults};
use crate::setup::{Driver, Tools};
use crate::workspace::Workspace;

/// The out-of-workspace recipes, relative to the workspace root. The root `Cargo.toml`
/// excludes each (`recipes/*` would otherwise make it a member).
pub(crate) const RECIPES: &[&str] = &["recipes/wasm-threads"];

/// `-Zbuild-std`: std and the panic runtime rebuilt with the atomics feature.
pub(crate) const BUILD_STD: &str = "-Zbuild-std=std,panic_abort";

/// The rustflags of a threads build: atomics, and a shared, imported memory with the TLS
/// exports that wasm-bindgen's thread start-up needs.
pub(crate) const RUSTFLAGS: &[&str] = &[
    "-C",
    "target-feature=+atomics",
    "-C",
    "link-arg=--shared-memory",
    "-C",
    "link-arg=--max-memory=1073741824",
    "-C",
    "link-arg=--import-memory",
    "-C",
    "link-arg=--export=__heap_base",
    "-C",
    "link-arg=--export=__wasm_init_tls",
    "-C",
    "link-arg=--export=__tls_size",
    "-C",
    "link-arg=--export=__tls_align",
    "-C",
    "link-arg=--export=__tls_base",
];

/// What the suite found: counts to add to its summary row, and problems to print.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) problems: Vec<String>,
}

/// One out-of-workspace recipe: its directory, crate name, toolchain and environments.
#[derive(Debug)]
pub(crate) struct NightlyRecipe {
    dir: PathBuf,
    pub(crate) name: String,
    toolchain: String,
    environments: Vec<Environment>,
    /// `demo = true`: the book shows a live demo (the crate exports `run_demo`).
    pub(crate) demo: bool,
    /// Lines the demo's output panel must contain (checked by the e2e suite).
    pub(crate) demo_expect: Vec<String>,
}

impl NightlyRecipe {
    pub(crate) fn load(root: &Path, rel: &str) -> Result<Self> {
        let dir = root.join(rel);
        let manifest = read_toml(&dir.join("Cargo.toml"))?;
        let name = manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .with_context(|| format!("{rel}/Cargo.toml has no package.name"))?
            .to_string();
        let declared = manifest
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("wasm-rs"))
            .and_then(|w| w.get("environments"))
            .and_then(|e| e.as_array())
            .with_context(|| {
                format!("{rel}/Cargo.toml has no [package.metadata.wasm-rs] environments")
            })?;
        let mut environments = Vec::new();
        for e in declared {
            let e = e
                .as_str()
                .with_context(|| format!("{rel}: environments must be strings"))?;
            environments
                .extend(Environment::parse_declared(e).map_err(|m| anyhow::anyhow!("{rel}: {m}"))?);
        }
        let meta = manifest
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("wasm-rs"));
        let demo = meta
            .and_then(|m| m.get("demo"))
            .and_then(|d| d.as_bool())
            .unwrap_or(false);
        let demo_expect = meta
            .and_then(|m| m.get("demo-expect"))
            .and_then(|d| d.as_array())
            .map(|lines| {
                lines
                    .iter()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let toolchain = read_toml(&dir.join("rust-toolchain.toml"))?
            .get("toolchain")
            .and_then(|t| t.get("channel"))
            .and_then(|c| c.as_str())
            .with_context(|| format!("{rel}/rust-toolchain.toml has no toolchain.channel"))?
            .to_string();
        Ok(NightlyRecipe {
            dir,
            name,
            toolchain,
            environments,
            demo,
            demo_expect,
        })
    }

    /// `cargo +<toolchain> <args>` in the recipe's directory, with nothing inherited from the
    /// stable cargo that runs xtask (its toolchain, its `CARGO`, its rustflags).
    pub(crate) fn cargo(&self, ws: &Workspace, args: &[&str]) -> Command {
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&self.dir)
            .arg(format!("+{}", self.toolchain))
            .args(args);
        for var in [
            "RUSTUP_TOOLCHAIN",
            "CARGO",
            "RUSTC",
            "RUSTDOC",
            "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER",
            "CARGO_ENCODED_RUSTFLAGS",
        ] {
            cmd.env_remove(var);
        }
        crate::process::scrub_runner_env(&mut cmd);
        cmd.env("CARGO_TARGET_DIR", ws.target_dir.join("nightly"))
            .env("RUSTFLAGS", RUSTFLAGS.join(" "))
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            );
        cmd
    }
}

/// Installs the recipe's pinned toolchain with the components a threads build needs, unless
/// it is there already (a fresh machine has only stable; this is about 80 MB once).
pub(crate) fn ensure_toolchain(recipe: &NightlyRecipe) -> Result<()> {
    let installed = Command::new("rustup")
        .args(["component", "list", "--installed", "--toolchain"])
        .arg(&recipe.toolchain)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let has = |component: &str| installed.lines().any(|l| l.starts_with(component));
    if has("rust-src") && has("rustfmt") && has("clippy") {
        return Ok(());
    }
    println!(
        "  {}: toolchain {} missing → rustup toolchain install (minimal, rust-src, rustfmt, clippy)",
        recipe.name, recipe.toolchain
    );
    let status = Command::new("rustup")
        .args(["toolchain", "install", "--profile", "minimal"])
        .arg(&recipe.toolchain)
        .args([
            "--component",
            "rust-src",
            "--component",
            "rustfmt",
            "--component",
            "clippy",
        ])
        .status()
        .context("running rustup")?;
    if !status.success() {
        bail!(
            "installing toolchain {} for {} failed ({status})",
            recipe.toolchain,
            recipe.name
        );
    }
    Ok(())
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// The engines whose drivers the suite needs (for `setup::run_for`).
pub(crate) fn engines(ws: &Workspace) -> Result<Vec<Engine>> {
    let mut engines = Vec::new();
    for rel in RECIPES {
        for e in NightlyRecipe::load(&ws.root, rel)?.environments {
            if let Some(engine) = e.engine().filter(|en| !engines.contains(en)) {
                engines.push(engine);
            }
        }
    }
    Ok(engines)
}

/// Runs the suite: for each recipe of [`RECIPES`], fmt, clippy and the tests of each declared
/// browser environment. Logs go to `log_dir/threads-<crate>-<step>.log`.
pub(crate) fn run(ws: &Workspace, tools: &Tools, log_dir: &Path) -> Result<Outcome> {
    std::fs::create_dir_all(log_dir)?;
    let mut outcome = Outcome::default();
    for rel in RECIPES {
        let recipe = NightlyRecipe::load(&ws.root, rel)?;
        ensure_toolchain(&recipe)?;
        let log = |step: &str| log_dir.join(format!("threads-{}-{step}.log", recipe.name));

        let fmt = step(&mut recipe.cargo(ws, &["fmt", "--check"]), &log("fmt"))?;
        check(
            &mut outcome,
            &fmt,
            &format!(
                "{}: rustfmt found unformatted code: run `cargo fmt` in {rel}",
                recipe.name
            ),
        );

        let clippy = step(
            &mut recipe.cargo(
                ws,
                &[
                    "clippy",
                    "--all-targets",
                    "--target",
                    "wasm32-unknown-unknown",
                    BUILD_STD,
                    "--",
                    "-D",
                    "warnings",
                ],
            ),
            &log("clippy"),
        )?;
        check(
            &mut outcome,
            &clippy,
            &format!(
                "{}: clippy (wasm32, threads build) reported warnings or errors",
                recipe.name
            ),
        );

        for env in &recipe.environments {
            let Environment::Browser(engine, context) = *env else {
                outcome.failed += 1;
                outcome.problems.push(format!(
                    "{}: `{env}` is declared, but a threads build runs only in browsers",
                    recipe.name
                ));
                continue;
            };
            let mut cmd = recipe.cargo(
                ws,
                &[
                    "test",
                    "--no-fail-fast",
                    "--tests",
                    "--target",
                    "wasm32-unknown-unknown",
                    BUILD_STD,
                ],
            );
            for (k, v) in Environment::Browser(engine, context).runner_vars() {
                cmd.env(k, v);
            }
            match tools.drivers.get(&engine) {
                Some(Driver::Chromium { chromedriver }) => cmd.env("CHROMEDRIVER", chromedriver),
                Some(Driver::Firefox { geckodriver }) => cmd.env("GECKODRIVER", geckodriver),
                _ => bail!(
                    "{}: no {} driver was set up for the threads suite (WebKit has no \
                     SharedArrayBuffer, so a threads build cannot run there)",
                    recipe.name,
                    engine.display()
                ),
            };
            if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
                cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "300");
            }
            let r = step(&mut cmd, &log(&env.name()))?;
            let counts = parse_counts(&r.text);
            println!(
                "    {} {env}: {} passed, {} failed",
                recipe.name, counts.passed, counts.failed
            );
            outcome.passed += counts.passed;
            outcome.failed += counts.failed;
            let ok = r.success && counts.passed > 0;
            if !ok {
                outcome.failed += u64::from(counts.failed == 0);
                outcome.problems.push(format!(
                    "{} in {env}: {} (log: {})",
                    recipe.name,
                    if counts.passed == 0 && r.success {
                        "no test ran"
                    } else {
                        "tests failed"
                    },
                    r.log.display()
                ));
            }
            TestResults::record(
                ws,
                &recipe.name,
                *env,
                EnvResult {
                    passed: counts.passed,
                    failed: counts.failed,
                    ok,
                },
            )?;
        }
    }
    Ok(outcome)
}

struct StepRun {
    success: bool,
    text: String,
    log: PathBuf,
}

fn step(cmd: &mut Command, log: &Path) -> Result<StepRun> {
    println!(
        "  → {}",
        log.file_stem().unwrap_or_default().to_string_lossy()
    );
    let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let err = out.try_clone()?;
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .status()
        .with_context(|| format!("starting {cmd:?}"))?;
    Ok(StepRun {
        success: status.success(),
        text: std::fs::read_to_string(log).unwrap_or_default(),
        log: log.to_path_buf(),
    })
}

fn check(outcome: &mut Outcome, r: &StepRun, problem: &str) {
    if r.success {
        outcome.passed += 1;
    } else {
        outcome.failed += 1;
        outcome
            .problems
            .push(format!("{problem} (log: {})", r.log.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("ci/ is in the workspace root")
            .to_path_buf()
    }

    #[test]
    fn recipe_configs_carry_the_suites_flags() {
        for rel in RECIPES {
            let dir = root().join(rel);
            if !dir.exists() {
                continue;
            }
            let config = read_toml(&dir.join(".cargo").join("config.toml")).unwrap();
            let flags: Vec<&str> = config["target"]["wasm32-unknown-unknown"]["rustflags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            assert_eq!(flags, RUSTFLAGS, "{rel}/.cargo/config.toml");
            let build_std: Vec<&str> = config["unstable"]["build-std"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            assert_eq!(format!("-Zbuild-std={}", build_std.join(",")), BUILD_STD);
            let recipe = NightlyRecipe::load(&root(), rel).unwrap();
            assert!(
                recipe.toolchain.starts_with("nightly-"),
                "{rel}: a pinned nightly"
            );
            assert!(
                recipe
                    .environments
                    .iter()
                    .all(|e| matches!(e, Environment::Browser(en, _) if *en != Engine::Webkit)),
                "{rel}: threads builds run in Chromium and Firefox only"
            );
        }
    }

    #[test]
    fn the_flag_set_is_the_checked_one() {
        let joined = RUSTFLAGS.join(" ");
        for needed in [
            "+atomics",
            "--shared-memory",
            "--import-memory",
            "--export=__wasm_init_tls",
            "--export=__tls_base",
        ] {
            assert!(joined.contains(needed), "{needed}");
        }
    }
}
