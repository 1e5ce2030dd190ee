//! The `threads` suite: recipes that live outside the workspace because they need a nightly
//! toolchain to rebuild std (`-Zbuild-std`): wasm threads with shared memory (std with
//! `+atomics`), and panics that unwind (std with `panic_unwind`).
//!
//! Each such recipe carries its own `rust-toolchain.toml` (the pinned nightly, with rust-src)
//! and `.cargo/config.toml`. This suite runs, in the recipe's directory and with that
//! toolchain: `cargo fmt --check`, clippy for wasm32 with `-D warnings`, and the tests in every
//! environment the recipe's `[package.metadata.wasm-rs] environments` declares. Each recipe
//! has its [`Build`]: a threads build ([`THREADS`]: `-Zbuild-std=std,panic_abort`
//! and [`RUSTFLAGS`], the flag set checked in DESIGN.md) or an unwinding one ([`UNWIND`]). Its
//! flags are passed explicitly so that the build does not depend on the recipe's config (a
//! unit test below keeps the two equal). Builds go to `target/nightly/`, apart from the
//! stable builds; a build with other flags than the threads build goes to a subdirectory of
//! its own, so that the two do not rebuild std over each other.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::counts::parse_counts;
use crate::env::{Engine, Environment};
use crate::outcome::Outcome;
use crate::recipes::{EnvResult, TestResults};
use crate::setup::Tools;
use crate::workspace::Workspace;

/// The out-of-workspace recipes, relative to the workspace root. The root `Cargo.toml`
/// excludes each (`recipes/*` would otherwise make it a member).
pub(crate) const RECIPES: &[&str] = &["recipes/wasm-threads", "recipes/panics-as-values"];

/// How each of [`RECIPES`] is built, in the same order (a unit test checks it).
const BUILDS: &[Build] = &[THREADS, UNWIND];

/// How a nightly recipe is built: the `-Zbuild-std` argument, the rustflags, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Build {
    /// The `-Zbuild-std=...` argument.
    pub(crate) build_std: &'static str,
    /// `RUSTFLAGS`, one argument per entry.
    pub(crate) rustflags: &'static [&'static str],
    /// The subdirectory of `target/nightly/` the builds go to (`None`: that directory).
    target_subdir: Option<&'static str>,
    /// Whether the build runs only in browsers (a threads build: Node.js gets no shared
    /// memory from the shared loader, and WebKit has no `SharedArrayBuffer`).
    browsers_only: bool,
    /// Whether clippy runs inside the test build (clippy-driver as the workspace's rustc
    /// wrapper) instead of as a `cargo clippy` of its own. That saves a second build of std
    /// (clippy checks its own copy); it needs every target to be a test target, so a
    /// recipe with benches (wasm-threads) keeps `cargo clippy --all-targets`.
    clippy_in_test_build: bool,
}

/// A threads build: std with atomics, shared memory ([`BUILD_STD`], [`RUSTFLAGS`]).
pub(crate) const THREADS: Build = Build {
    build_std: BUILD_STD,
    rustflags: RUSTFLAGS,
    target_subdir: None,
    browsers_only: true,
    clippy_in_test_build: false,
};

/// An unwinding build: std with the unwinding panic runtime and `-Cpanic=unwind`, with the
/// legacy exception-handling instructions (this nightly's LLVM emits the final, exnref ones
/// by default, which Node.js 20 cannot compile). Its own target subdirectory: its std differs
/// from the threads build's.
pub(crate) const UNWIND: Build = Build {
    build_std: "-Zbuild-std=std,panic_unwind",
    rustflags: &[
        "-C",
        "panic=unwind",
        "-C",
        "llvm-args=-wasm-use-legacy-eh=true",
    ],
    target_subdir: Some("panic-unwind"),
    browsers_only: false,
    clippy_in_test_build: true,
};

/// `-Zbuild-std` of a threads build: std and the panic runtime rebuilt with the atomics
/// feature.
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

/// One out-of-workspace recipe: its directory, crate name, toolchain and environments.
#[derive(Debug)]
pub(crate) struct NightlyRecipe {
    dir: PathBuf,
    pub(crate) name: String,
    toolchain: String,
    environments: Vec<Environment>,
    /// How it is built (its entry of [`BUILDS`]).
    pub(crate) build: Build,
    /// `demo = true`: the book shows a live demo (the crate exports `run_demo`).
    pub(crate) demo: bool,
    /// Lines the demo's output panel must contain (checked by the e2e suite).
    pub(crate) demo_expect: Vec<String>,
}

impl NightlyRecipe {
    pub(crate) fn load(root: &Path, rel: &str) -> Result<Self> {
        let dir = root.join(rel);
        let build = RECIPES
            .iter()
            .position(|r| *r == rel)
            .and_then(|i| BUILDS.get(i).copied())
            .with_context(|| format!("{rel} is not one of nightly::RECIPES"))?;
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
            build,
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
        cmd.env("CARGO_TARGET_DIR", self.target_dir(ws))
            .env("RUSTFLAGS", self.build.rustflags.join(" "))
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            );
        cmd
    }
}

impl NightlyRecipe {
    /// Where its builds go: `target/nightly/`, or a subdirectory of it for a build with
    /// other flags.
    pub(crate) fn target_dir(&self, ws: &Workspace) -> PathBuf {
        let nightly = ws.target_dir.join("nightly");
        match self.build.target_subdir {
            Some(sub) => nightly.join(sub),
            None => nightly,
        }
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

/// The toolchain's `clippy-driver`, for [`Build::clippy_in_test_build`].
fn clippy_driver(recipe: &NightlyRecipe) -> Result<PathBuf> {
    let out = Command::new("rustup")
        .args(["which", "--toolchain"])
        .arg(&recipe.toolchain)
        .arg("clippy-driver")
        .output()
        .context("running rustup which clippy-driver")?;
    if !out.status.success() {
        bail!(
            "{}: no clippy-driver in toolchain {}: {}",
            recipe.name,
            recipe.toolchain,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
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

        // Clippy in the test build: clippy-driver wraps rustc for the recipe's own crates,
        // with `-D warnings` passed the way `cargo clippy` passes it.
        let lint_wrapper = if recipe.build.clippy_in_test_build {
            Some(clippy_driver(&recipe)?)
        } else {
            let clippy = step(
                &mut recipe.cargo(
                    ws,
                    &[
                        "clippy",
                        "--all-targets",
                        "--target",
                        "wasm32-unknown-unknown",
                        recipe.build.build_std,
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
                    "{}: clippy (wasm32, its nightly build) reported warnings or errors",
                    recipe.name
                ),
            );
            None
        };
        let mut clippy_checked = false;

        for env in &recipe.environments {
            let engine = match *env {
                Environment::Browser(engine, _) => Some(engine),
                Environment::Node if !recipe.build.browsers_only => None,
                _ => {
                    outcome.problem(format!(
                        "{}: `{env}` is declared, but {} runs only in {}",
                        recipe.name,
                        if recipe.build.browsers_only {
                            "a threads build"
                        } else {
                            "this suite"
                        },
                        if recipe.build.browsers_only {
                            "browsers"
                        } else {
                            "browsers and Node.js"
                        }
                    ));
                    continue;
                }
            };
            // One test build serves every environment: the same artifacts, another runner.
            let mut cmd = recipe.cargo(
                ws,
                &[
                    "test",
                    "--no-fail-fast",
                    "--tests",
                    "--target",
                    "wasm32-unknown-unknown",
                    recipe.build.build_std,
                ],
            );
            for (k, v) in env.runner_vars() {
                cmd.env(k, v);
            }
            if let Some(driver) = &lint_wrapper {
                cmd.env("RUSTC_WORKSPACE_WRAPPER", driver).env(
                    "CLIPPY_ARGS",
                    "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
                );
            }
            if let Some(engine) = engine {
                // The same driver set-up as the stable browser suites (WebKit through
                // xvfb-run, Firefox on the suite's profile).
                cmd = crate::setup::with_driver(ws, cmd, tools, engine)?;
            }
            if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
                cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "300");
            }
            let r = step(&mut cmd, &log(&env.name()))?;
            if lint_wrapper.is_some() && !clippy_checked {
                // The first environment's run did the build, and with it clippy.
                clippy_checked = true;
                let built = !r.text.contains("could not compile");
                check(
                    &mut outcome,
                    &StepRun {
                        success: built,
                        text: String::new(),
                        log: r.log.clone(),
                    },
                    &format!(
                        "{}: clippy (in the wasm32 test build, -D warnings) reported warnings \
                         or errors, or the build failed",
                        recipe.name
                    ),
                );
            }
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
    outcome.check(r.success, || {
        format!("{problem} (log: {})", r.log.display())
    });
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

    fn dir_of(rel: &str) -> PathBuf {
        root().join(rel)
    }

    fn dir_has_files(dir: &Path) -> bool {
        std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
    }

    #[test]
    fn every_recipe_has_its_build() {
        assert_eq!(
            RECIPES.len(),
            BUILDS.len(),
            "one Build per recipe, in order"
        );
        // Builds with different flags never share a target directory.
        for (i, a) in BUILDS.iter().enumerate() {
            for b in &BUILDS[i + 1..] {
                assert!(
                    a == b || a.target_subdir != b.target_subdir,
                    "{a:?} and {b:?} share a target directory"
                );
            }
        }
    }

    #[test]
    fn recipe_configs_carry_the_suites_flags() {
        for rel in RECIPES {
            let dir = root().join(rel);
            if !dir.exists() {
                continue;
            }
            let recipe = NightlyRecipe::load(&root(), rel).unwrap();
            let config = read_toml(&dir.join(".cargo").join("config.toml")).unwrap();
            let flags: Vec<&str> = config["target"]["wasm32-unknown-unknown"]["rustflags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            assert_eq!(flags, recipe.build.rustflags, "{rel}/.cargo/config.toml");
            let build_std: Vec<&str> = config["unstable"]["build-std"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            assert_eq!(
                format!("-Zbuild-std={}", build_std.join(",")),
                recipe.build.build_std,
                "{rel}/.cargo/config.toml"
            );
            if recipe.build.clippy_in_test_build {
                for dir in ["benches", "examples"] {
                    assert!(
                        !dir_has_files(&dir_of(rel).join(dir)),
                        "{rel}: clippy runs in its test build, which does not build {dir}/"
                    );
                }
            }
            assert!(
                recipe.toolchain.starts_with("nightly-"),
                "{rel}: a pinned nightly"
            );
            assert!(
                recipe.environments.iter().all(|e| match e {
                    Environment::Browser(en, _) => *en != Engine::Webkit,
                    Environment::Node => !recipe.build.browsers_only,
                    _ => false,
                }),
                "{rel}: threads builds run in Chromium and Firefox only, others also in Node.js"
            );
        }
    }

    #[test]
    fn the_unwinding_build_unwinds_with_legacy_exceptions() {
        assert_eq!(UNWIND.build_std, "-Zbuild-std=std,panic_unwind");
        let joined = UNWIND.rustflags.join(" ");
        assert!(joined.contains("panic=unwind"), "{joined}");
        assert!(joined.contains("-wasm-use-legacy-eh=true"), "{joined}");
        assert!(!joined.contains("+atomics"), "{joined}");
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
