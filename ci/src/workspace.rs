//! What xtask knows about the repository: its root, the pinned wasm-bindgen version,
//! and each crate's `[package.metadata.wasm-rs]` table.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::env::Environment;

/// The repository as xtask sees it.
#[derive(Debug)]
pub(crate) struct Workspace {
    /// The directory holding the workspace `Cargo.toml`.
    pub(crate) root: PathBuf,
    /// cargo's target directory (`target/` unless overridden).
    pub(crate) target_dir: PathBuf,
    /// Every member crate, in the order cargo lists them.
    pub(crate) crates: Vec<Crate>,
}

/// A workspace member and what it declares.
#[derive(Debug, Clone)]
pub(crate) struct Crate {
    pub(crate) name: String,
    /// The directory holding the crate's `Cargo.toml`.
    pub(crate) dir: PathBuf,
    /// `None` for crates without a `[package.metadata.wasm-rs]` table (such as ci/ itself).
    pub(crate) meta: Option<RecipeMeta>,
}

/// The `[package.metadata.wasm-rs]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RecipeMeta {
    /// A one-line title, shown in the book.
    pub(crate) title: String,
    /// One sentence: what the crate shows.
    pub(crate) summary: String,
    /// Where its tests run: native, node, browser, worker.
    pub(crate) environments: Vec<String>,
    /// Recipes only: the book section (see `recipes::TOPICS`).
    #[serde(default)]
    pub(crate) topic: Option<String>,
    /// Whether the page has a Run button (the crate exports `run_demo`).
    #[serde(default)]
    pub(crate) demo: bool,
    /// Where the demo runs: `main` (default) or `worker`.
    #[serde(default)]
    pub(crate) demo_context: Option<String>,
    /// Lines the demo's output panel must contain (checked by the e2e test).
    #[serde(default)]
    pub(crate) demo_expect: Vec<String>,
    /// Platform features the crate needs, e.g. `SharedArrayBuffer`.
    #[serde(default)]
    pub(crate) requires: Vec<String>,
    /// Run the crate's native tests under Miri (`cargo +nightly miri test`): `true` runs all
    /// of them; a list names the test targets `cargo xtask test` runs by default, and
    /// `cargo xtask test --deep` runs all of them (see [`Miri`]).
    #[serde(default)]
    pub(crate) miri: Miri,
    /// Run the crate's `tests/loom.rs` model checks (`--cfg loom`, release).
    #[serde(default)]
    pub(crate) loom: bool,
    /// cargo-fuzz targets in the crate's `fuzz/` folder, each run for 20 s by `cargo xtask test` (300 s with `--deep`).
    #[serde(default)]
    pub(crate) fuzz: Vec<String>,
    /// An integration test that writes generated book files into the folder named by
    /// `WASM_RS_BOOK_GENERATED`; run before every book build.
    #[serde(default)]
    pub(crate) book_generator: Option<String>,
    /// Test targets that cannot run in a declared environment, and why:
    /// `[package.metadata.wasm-rs.not-run] deno = { tests = ["full_time"], why = "..." }`.
    /// The environment runs the crate's other targets; the book's "Tested in" line names
    /// the ones left out with the reason.
    #[serde(default)]
    pub(crate) not_run: std::collections::BTreeMap<String, NotRun>,
}

/// One entry of `[package.metadata.wasm-rs.not-run]`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct NotRun {
    /// Integration test targets (`tests/<name>.rs`) left out in that environment.
    pub(crate) tests: Vec<String>,
    /// Why they can't run there: a fact about the host or the tools, shown in the book.
    pub(crate) why: String,
}

/// The `miri` key of `[package.metadata.wasm-rs]`: which native tests run under Miri.
///
/// - `miri = false` (or no key): none;
/// - `miri = true`: all of them (`cargo +nightly miri test -p <crate>`), in every run;
/// - `miri = ["executor_tasks", "cross_thread --skip _64kib", ...]`: the default
///   `cargo xtask test` runs only these (see [`MiriRun`]), and `cargo xtask test --deep`
///   runs all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Miri {
    /// No Miri run.
    #[default]
    Off,
    /// Every test target and doctest, in every run.
    All,
    /// These by default; every test target and doctest with `--deep`.
    Subset(Vec<MiriRun>),
}

/// One entry of a `miri = [...]` list: a test target, then optionally libtest arguments
/// narrowing it (test-name filters, `--skip <pattern>`, `--exact`), all in one string:
/// `"cross_thread --skip _64kib"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MiriRun {
    /// The test target.
    pub(crate) target: MiriTarget,
    /// Passed to the test binary after `--`; empty: every test of the target.
    pub(crate) test_args: Vec<String>,
}

/// A test target of a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MiriTarget {
    /// `lib`: the library's unit tests (`--lib`).
    Lib,
    /// `doc`: the doctests (`--doc`).
    Doc,
    /// Any other name: the integration test target of that name (`--test <name>`).
    Test(String),
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'))
}

impl MiriRun {
    /// Parses one list entry.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let mut words = s.split_whitespace();
        let target = match words.next() {
            Some("lib") => MiriTarget::Lib,
            Some("doc") => MiriTarget::Doc,
            Some(name) if is_name(name) && !name.contains(':') => {
                MiriTarget::Test(name.to_string())
            }
            _ => {
                return Err(format!(
                    "miri: `{s}` does not start with a test target: \"lib\", \"doc\" or the name \
                     of a tests/<name>.rs target"
                ));
            }
        };
        let test_args: Vec<String> = words.map(str::to_owned).collect();
        let mut i = 0;
        while i < test_args.len() {
            match test_args[i].as_str() {
                "--exact" => i += 1,
                "--skip" if test_args.get(i + 1).is_some_and(|p| is_name(p)) => i += 2,
                w if is_name(w) => i += 1,
                w => {
                    return Err(format!(
                        "miri: `{s}`: `{w}` is not a test-name filter, `--skip <pattern>` or `--exact`"
                    ));
                }
            }
        }
        Ok(MiriRun { target, test_args })
    }

    /// The cargo arguments selecting this target and, after `--`, its tests.
    pub(crate) fn cargo_args(&self) -> Vec<String> {
        let mut args = match &self.target {
            MiriTarget::Lib => vec!["--lib".to_string()],
            MiriTarget::Doc => vec!["--doc".to_string()],
            MiriTarget::Test(name) => vec!["--test".to_string(), name.clone()],
        };
        if !self.test_args.is_empty() {
            args.push("--".into());
            args.extend(self.test_args.iter().cloned());
        }
        args
    }
}

impl std::fmt::Display for MiriTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MiriTarget::Lib => f.write_str("lib"),
            MiriTarget::Doc => f.write_str("doc"),
            MiriTarget::Test(name) => f.write_str(name),
        }
    }
}

impl std::fmt::Display for MiriRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.target)?;
        for a in &self.test_args {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

impl Miri {
    /// Whether any test runs under Miri.
    pub(crate) fn is_on(&self) -> bool {
        *self != Miri::Off
    }

    /// What to run: `None` means everything (`miri = true`, or any list with `deep`).
    pub(crate) fn subset(&self, deep: bool) -> Option<&[MiriRun]> {
        match self {
            Miri::Subset(runs) if !deep => Some(runs),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Miri {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Miri;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "`true`, `false` or a list of test targets (\"lib\", \"doc\", \"<name> [filters]\")",
                )
            }

            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Miri, E> {
                Ok(if v { Miri::All } else { Miri::Off })
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Miri, A::Error> {
                let mut runs: Vec<MiriRun> = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    let run = MiriRun::parse(&s).map_err(serde::de::Error::custom)?;
                    if runs.iter().any(|r| r.target == run.target) {
                        return Err(serde::de::Error::custom(format!(
                            "miri: the target `{}` is listed twice",
                            run.target
                        )));
                    }
                    runs.push(run);
                }
                if runs.is_empty() {
                    return Err(serde::de::Error::custom(
                        "miri = []: an empty list runs nothing by default; write `miri = false`",
                    ));
                }
                Ok(Miri::Subset(runs))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Crate {
    /// The environments this crate declares; an unknown name is an error naming the crate.
    pub(crate) fn environments(&self) -> Result<Vec<Environment>> {
        let Some(meta) = &self.meta else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for s in &meta.environments {
            let envs = Environment::parse_declared(s)
                .map_err(|e| anyhow::anyhow!("{}: [package.metadata.wasm-rs] {e}", self.name))?;
            for e in envs {
                if !out.contains(&e) {
                    out.push(e);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// The integration test targets cargo builds by default: each `tests/<name>.rs` and
    /// `tests/<name>/main.rs`, sorted, less the `[[test]]` targets that need a feature
    /// (`required-features`), which `--test <name>` would refuse without it.
    pub(crate) fn test_targets(&self) -> Vec<String> {
        let gated: Vec<String> = std::fs::read_to_string(self.dir.join("Cargo.toml"))
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|t| t.get("test").and_then(|v| v.as_array()).cloned())
            .unwrap_or_default()
            .iter()
            .filter(|t| {
                t.get("required-features")
                    .and_then(|f| f.as_array())
                    .is_some_and(|f| !f.is_empty())
            })
            .filter_map(|t| t.get("name")?.as_str().map(str::to_owned))
            .collect();
        let mut tests: Vec<String> = std::fs::read_dir(self.dir.join("tests"))
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let path = e.path();
                if path.is_dir() {
                    path.join("main.rs")
                        .is_file()
                        .then(|| e.file_name().to_string_lossy().into_owned())
                } else {
                    (path.extension().is_some_and(|x| x == "rs"))
                        .then(|| path.file_stem()?.to_str().map(str::to_owned))
                        .flatten()
                }
            })
            .filter(|name| !gated.contains(name))
            .collect();
        tests.sort();
        tests
    }

    /// What `[package.metadata.wasm-rs.not-run]` leaves out in `env`, checked: the
    /// environment must be declared and every test named must be a test target.
    pub(crate) fn not_run_in(&self, env: Environment) -> Result<Option<&NotRun>> {
        let Some(meta) = &self.meta else {
            return Ok(None);
        };
        let declared = self.environments()?;
        for (name, entry) in &meta.not_run {
            let e: Environment = name.parse().map_err(|e| {
                anyhow::anyhow!("{}: [package.metadata.wasm-rs.not-run] {e}", self.name)
            })?;
            if !declared.contains(&e) {
                bail!(
                    "{}: [package.metadata.wasm-rs.not-run] names `{name}`, which the crate does \
                     not declare in `environments`",
                    self.name
                );
            }
            let targets = self.test_targets();
            if let Some(t) = entry.tests.iter().find(|t| !targets.contains(t)) {
                bail!(
                    "{}: [package.metadata.wasm-rs.not-run] {name}: `{t}` is not a test target \
                     (tests/{t}.rs)",
                    self.name
                );
            }
            if entry.why.trim().is_empty() {
                bail!(
                    "{}: [package.metadata.wasm-rs.not-run] {name}: `why` must say why",
                    self.name
                );
            }
        }
        Ok(meta.not_run.get(&env.name()))
    }

    /// One line for the matrix overview: title, environments, requirements.
    pub(crate) fn describe(&self) -> Option<String> {
        let m = self.meta.as_ref()?;
        let requires = if m.requires.is_empty() {
            String::new()
        } else {
            format!("; requires {}", m.requires.join(", "))
        };
        Some(format!(
            "{} ({}{}): {}{}",
            self.name,
            m.title,
            if m.demo { ", demo" } else { "" },
            m.environments.join(", "),
            requires
        ))
    }

    /// Whether the crate lives under `recipes/`.
    pub(crate) fn is_recipe(&self, root: &Path) -> bool {
        self.dir.starts_with(root.join("recipes"))
    }

    /// The crate name as a Rust identifier (`hello-wasm-rs` → `hello_wasm_rs`), which is also
    /// the file stem cargo and wasm-bindgen give its artifacts.
    pub(crate) fn ident(&self) -> String {
        self.name.replace('-', "_")
    }

    /// Whether the crate is compiled for wasm32 in any environment it declares.
    pub(crate) fn has_wasm(&self) -> Result<bool> {
        Ok(self.environments()?.iter().any(|e| e.is_wasm()))
    }
}

impl Workspace {
    /// Reads the workspace through `cargo metadata`.
    pub(crate) fn load() -> Result<Self> {
        Self::load_from(None)
    }

    /// Reads the workspace containing `dir` (the current directory if `None`).
    pub(crate) fn load_from(dir: Option<&Path>) -> Result<Self> {
        let mut cmd = cargo_metadata::MetadataCommand::new();
        if let Some(d) = dir {
            cmd.current_dir(d);
        }
        let md = cmd
            .no_deps()
            .exec()
            .context("running `cargo metadata` (is this the wasm-rs checkout?)")?;
        let root = md.workspace_root.clone().into_std_path_buf();
        let target_dir = md.target_directory.clone().into_std_path_buf();
        let mut crates = Vec::new();
        for id in &md.workspace_members {
            let pkg = &md[id];
            let meta = match pkg.metadata.get("wasm-rs") {
                Some(v) => Some(RecipeMeta::deserialize(v).with_context(|| {
                    format!("{}: invalid [package.metadata.wasm-rs]", pkg.name)
                })?),
                None => None,
            };
            if let Some(m) = &meta
                && (m.title.trim().is_empty() || m.summary.trim().is_empty())
            {
                bail!(
                    "{}: [package.metadata.wasm-rs] needs a non-empty title and summary",
                    pkg.name
                );
            }
            let dir = pkg
                .manifest_path
                .parent()
                .map(|p| p.as_std_path().to_path_buf())
                .unwrap_or_else(|| root.clone());
            crates.push(Crate {
                name: pkg.name.to_string(),
                dir,
                meta,
            });
        }
        Ok(Workspace {
            root,
            target_dir,
            crates,
        })
    }

    /// The exact wasm-bindgen version this workspace builds with: the one in `Cargo.lock`.
    /// Manifests only name a semver range (the runtime crates are libraries); the lock file
    /// decides the version, and wasm-bindgen-cli must be that version.
    pub(crate) fn wasm_bindgen_version(&self) -> Result<String> {
        wasm_bindgen_version_in_lock(&self.root.join("Cargo.lock"))
    }

    /// The crates under `recipes/`.
    pub(crate) fn recipes(&self) -> impl Iterator<Item = &Crate> {
        self.crates.iter().filter(|c| c.is_recipe(&self.root))
    }

    /// The recipes `c` depends on through `path` dependencies (a lesson an example app
    /// composes), in manifest order, each once.
    pub(crate) fn recipe_deps(&self, c: &Crate) -> Result<Vec<&Crate>> {
        let mut out: Vec<&Crate> = Vec::new();
        for dir in path_dependencies(&c.dir)? {
            if let Some(dep) = self.recipes().find(|r| r.dir == dir)
                && !out.iter().any(|o| o.name == dep.name)
            {
                out.push(dep);
            }
        }
        Ok(out)
    }

    /// The recipes that depend on `c` through a `path` dependency.
    pub(crate) fn recipe_dependents(&self, c: &Crate) -> Result<Vec<&Crate>> {
        let mut out = Vec::new();
        for r in self.recipes() {
            if self.recipe_deps(r)?.iter().any(|d| d.name == c.name) {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Crates, optionally narrowed to `only` by name.
    pub(crate) fn tested_crates(&self, only: &[String]) -> Result<Vec<&Crate>> {
        for name in only {
            if !self.crates.iter().any(|c| &c.name == name) {
                bail!("-p {name}: no such crate in the workspace");
            }
        }
        Ok(self
            .crates
            .iter()
            .filter(|c| only.is_empty() || only.contains(&c.name))
            .collect())
    }
}

/// The directories of the `path` dependencies in the manifest of the crate at `dir`: every
/// dependency table, target-specific ones included, resolved against `dir`.
pub(crate) fn path_dependencies(dir: &Path) -> Result<Vec<PathBuf>> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let doc: toml::Table = text
        .parse()
        .with_context(|| format!("parsing {}", manifest.display()))?;
    let mut tables: Vec<&toml::Table> = Vec::new();
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    tables.extend(kinds.iter().filter_map(|k| doc.get(*k)?.as_table()));
    for target in doc
        .get("target")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|t| t.values())
    {
        tables.extend(kinds.iter().filter_map(|k| target.get(*k)?.as_table()));
    }
    let mut out = Vec::new();
    for dep in tables.iter().flat_map(|t| t.values()) {
        if let Some(path) = dep.get("path").and_then(toml::Value::as_str) {
            let mut full = dir.to_path_buf();
            for part in Path::new(path).components() {
                match part {
                    std::path::Component::ParentDir => {
                        full.pop();
                    }
                    std::path::Component::CurDir => {}
                    other => full.push(other),
                }
            }
            out.push(full);
        }
    }
    Ok(out)
}

/// The version of the `wasm-bindgen` package in the lock file at `lock`.
pub(crate) fn wasm_bindgen_version_in_lock(lock: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(lock).with_context(|| format!("reading {}", lock.display()))?;
    locked_version(&text, "wasm-bindgen")
        .with_context(|| format!("reading the wasm-bindgen version from {}", lock.display()))
}

/// The one locked version of `package` in a `Cargo.lock` text. Two versions of wasm-bindgen
/// in one build cannot both match one wasm-bindgen-cli, so more than one is an error.
fn locked_version(lock: &str, package: &str) -> Result<String> {
    let doc: toml::Table = lock.parse().context("parsing Cargo.lock")?;
    let mut versions: Vec<String> = doc
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some(package))
        .filter_map(|p| p.get("version").and_then(|v| v.as_str()).map(str::to_owned))
        .collect();
    versions.dedup();
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no `{package}` package is locked; run `cargo generate-lockfile`"),
        many => bail!(
            "{} versions of `{package}` are locked ({}); wasm-bindgen-cli can match only one: \
             run `cargo update -p {package}` so that one remains",
            many.len(),
            many.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipe_deps_follow_path_dependencies_between_recipes() {
        let ws = Workspace::load().unwrap();
        let get = |name: &str| ws.crates.iter().find(|c| c.name == name).unwrap();
        let names = |v: Vec<&Crate>| v.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        let app = get("opfs-kv-worker");
        assert_eq!(
            names(ws.recipe_deps(app).unwrap()),
            ["crash-safe-store", "opfs-sync-file"]
        );
        // A runtime crate is a path dependency through the workspace, not a recipe.
        assert!(ws.recipe_deps(get("hello-wasm-rs")).unwrap().is_empty());
        assert_eq!(
            names(ws.recipe_dependents(get("crash-safe-store")).unwrap()),
            ["opfs-kv-worker", "opfs-sync-file"]
        );
    }

    #[test]
    fn test_targets_leave_out_feature_gated_ones_and_not_run_is_checked() {
        let ws = Workspace::load().unwrap();
        let get = |name: &str| ws.crates.iter().find(|c| c.name == name).unwrap();
        // cloudflare-worker's `workerd` test needs its `workerd-e2e` feature.
        let worker = get("cloudflare-worker").test_targets();
        assert!(worker.contains(&"routes".to_string()), "{worker:?}");
        assert!(!worker.contains(&"workerd".to_string()), "{worker:?}");
        let executor = get("wasm-rs-async-executor");
        let deno = executor.not_run_in(Environment::Deno).unwrap().unwrap();
        assert_eq!(deno.tests, ["full_time"]);
        assert!(executor.not_run_in(Environment::Node).unwrap().is_none());
        // A name that is no test target, or an environment not declared, is an error.
        let mut broken = executor.clone();
        let meta = broken.meta.as_mut().unwrap();
        meta.not_run.get_mut("deno").unwrap().tests = vec!["no_such_test".into()];
        let e = broken
            .not_run_in(Environment::Deno)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`no_such_test` is not a test target"), "{e}");
        let mut undeclared = executor.clone();
        let meta = undeclared.meta.as_mut().unwrap();
        meta.environments.retain(|e| e != "deno");
        let e = undeclared
            .not_run_in(Environment::Node)
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not declare"), "{e}");
    }

    fn miri_of(value: &str) -> Result<Miri, String> {
        let text = format!("title = \"T\"\nsummary = \"S.\"\nenvironments = []\n{value}");
        toml::from_str::<RecipeMeta>(&text)
            .map(|m| m.miri)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_miri_key_is_a_flag_or_a_list_of_targets() {
        assert_eq!(miri_of(""), Ok(Miri::Off));
        assert_eq!(miri_of("miri = false"), Ok(Miri::Off));
        assert_eq!(miri_of("miri = true"), Ok(Miri::All));
        let subset = miri_of(
            "miri = [\"lib\", \"executor_tasks\", \"doc\", \"cross_thread --skip _64kib\"]",
        )
        .unwrap();
        let run = |target, args: &[&str]| MiriRun {
            target,
            test_args: args.iter().map(|a| a.to_string()).collect(),
        };
        let expected = [
            run(MiriTarget::Lib, &[]),
            run(MiriTarget::Test("executor_tasks".into()), &[]),
            run(MiriTarget::Doc, &[]),
            run(
                MiriTarget::Test("cross_thread".into()),
                &["--skip", "_64kib"],
            ),
        ];
        assert_eq!(subset, Miri::Subset(expected.to_vec()));
        assert_eq!(subset.subset(false), Some(&expected[..]));
        assert_eq!(subset.subset(true), None, "--deep runs everything");
        assert_eq!(Miri::All.subset(false), None);
        assert!(subset.is_on() && Miri::All.is_on() && !Miri::Off.is_on());
        let args: Vec<String> = expected.iter().flat_map(MiriRun::cargo_args).collect();
        assert_eq!(
            args,
            [
                "--lib",
                "--test",
                "executor_tasks",
                "--doc",
                "--test",
                "cross_thread",
                "--",
                "--skip",
                "_64kib"
            ]
        );
        assert_eq!(expected[3].to_string(), "cross_thread --skip _64kib");
        let filtered = MiriRun::parse("behaviour across_threads native::x --exact").unwrap();
        assert_eq!(
            filtered.test_args,
            ["across_threads", "native::x", "--exact"]
        );
        // cargo metadata hands the table over as JSON.
        let json = serde_json::json!({"title": "T", "summary": "S.", "environments": [],
                                      "miri": ["cross_thread"]});
        assert_eq!(
            RecipeMeta::deserialize(&json).unwrap().miri,
            Miri::Subset(vec![run(MiriTarget::Test("cross_thread".into()), &[])])
        );
        for bad in [
            "miri = []",
            "miri = \"yes\"",
            "miri = [\"\"]",
            "miri = [\"a/b\"]",
            "miri = [\"--lib\"]",
            "miri = [\"a --skip\"]",
            "miri = [\"a --nocapture\"]",
            "miri = [\"x\", \"x --exact\"]",
        ] {
            assert!(miri_of(bad).is_err(), "{bad} was accepted");
        }
        assert!(miri_of("miri = []").unwrap_err().contains("miri = false"));
    }

    #[test]
    fn the_locked_version_is_the_one() {
        let one = "version = 4\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\
                   [[package]]\nname = \"js-sys\"\nversion = \"0.3.107\"\n";
        assert_eq!(locked_version(one, "wasm-bindgen").unwrap(), "0.2.130");
        let two = format!("{one}[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.100\"\n");
        let e = format!("{:#}", locked_version(&two, "wasm-bindgen").unwrap_err());
        assert!(e.contains("cargo update -p wasm-bindgen"), "{e}");
        assert!(locked_version("version = 4\n", "wasm-bindgen").is_err());
    }

    #[test]
    fn reads_this_workspace() {
        let ws = Workspace::load().unwrap();
        let v = ws.wasm_bindgen_version().unwrap();
        assert!(v.starts_with("0.2."), "{v}");
        assert!(ws.crates.iter().any(|c| c.name == "wasm-rs-ci"));
    }
}
