//! The recipe system: the generated parts of recipe pages, `lint-recipes`, and `new-recipe`.
//!
//! A recipe is a crate under `recipes/<name>/` with a book page at
//! `book/src/recipes/<name>.md`. The page's code comes only through `{{#include}}` from the
//! crate, and its "tested in" line and demo container are generated into
//! `book/src/generated/<name>.md` (not committed) from the crate's metadata and the results of
//! the last `cargo xtask test` on this machine.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use anyhow::{Context, Result, bail};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::env::Environment;
use crate::outcome::Outcome;
use crate::workspace::{Crate, Workspace};

/// The book's recipe sections: `topic` in metadata, and the title of its part of SUMMARY.md.
pub(crate) const TOPICS: &[(&str, &str)] = &[
    ("executors", "Executors and scheduling"),
    ("channels", "tokio::sync and channels"),
    ("workers", "Workers"),
    ("storage", "Storage"),
    ("apps", "Use wasm-rs in your app"),
    ("scripting", "Scripting"),
    ("networking", "Networking"),
    ("hosts", "Servers and edge hosts"),
    ("threads", "Threads"),
];

fn topic_title(topic: &str) -> Option<&'static str> {
    TOPICS
        .iter()
        .find(|(t, _)| *t == topic)
        .map(|(_, title)| *title)
}

// ---------------------------------------------------------------------------------------
// Results of the last test run
// ---------------------------------------------------------------------------------------

/// Outcome of one crate in one environment, as recorded by `cargo xtask test`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct EnvResult {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) ok: bool,
}

/// crate → environment → outcome; stored in `target/xtask/results.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct TestResults(pub(crate) BTreeMap<String, BTreeMap<String, EnvResult>>);

impl TestResults {
    fn path(ws: &Workspace) -> PathBuf {
        ws.target_dir.join("xtask").join("results.json")
    }

    /// The stored results, or none if no test ran on this machine yet.
    pub(crate) fn load(ws: &Workspace) -> Self {
        std::fs::read_to_string(Self::path(ws))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    /// Records one outcome and saves the file at once, so an interrupted run keeps what it did.
    pub(crate) fn record(
        ws: &Workspace,
        krate: &str,
        env: Environment,
        result: EnvResult,
    ) -> Result<()> {
        let mut all = Self::load(ws);
        all.0
            .entry(krate.to_string())
            .or_default()
            .insert(env.name(), result);
        let path = Self::path(ws);
        std::fs::create_dir_all(path.parent().expect("results live in target/xtask"))?;
        std::fs::write(&path, serde_json::to_string_pretty(&all)?)?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Generated page parts
// ---------------------------------------------------------------------------------------

fn generated_dir(ws: &Workspace) -> PathBuf {
    ws.root.join("book").join("src").join("generated")
}

/// The "tested in" line for a crate: each declared environment, marked with the outcome of
/// the last run, or said to be not yet run.
pub(crate) fn tested_line(c: &Crate, results: &TestResults) -> Result<String> {
    let envs = c.environments()?;
    let mine = results.0.get(&c.name);
    let mut parts = Vec::new();
    let mut missing = Vec::new();
    for env in &envs {
        match mine.and_then(|m| m.get(&env.name())) {
            Some(r) if r.ok => parts.push(format!(
                "{} ✓ ({} test{}{})",
                env.display(),
                r.passed,
                if r.passed == 1 { "" } else { "s" },
                c.not_run_in(*env)?.map_or(String::new(), |n| format!(
                    "; not run there: `{}`, because it {}",
                    n.tests.join("`, `"),
                    n.why
                ))
            )),
            Some(r) => parts.push(format!("{} ✗ ({} failed)", env.display(), r.failed.max(1))),
            None => {
                parts.push(format!("{} (not run yet)", env.display()));
                missing.push(*env);
            }
        }
    }
    let mut line = format!("**Tested in:** {}", parts.join(" · "));
    if missing.len() == envs.len() {
        line = format!(
            "**Declared environments:** {}. Run `cargo xtask test -p {}` to test them on this machine.",
            envs.iter()
                .map(|e| e.display())
                .collect::<Vec<_>>()
                .join(", "),
            c.name
        );
    } else {
        line.push_str(" — results of the last `cargo xtask test` that built this book.");
    }
    if let Some(m) = c.meta.as_ref().filter(|m| !m.requires.is_empty()) {
        let _ = write!(line, " Requires: {}.", m.requires.join(", "));
    }
    Ok(line)
}

/// The book's "Where it runs" table: one row per environment of the matrix, one column per
/// runtime crate (the last run's count, or why nothing ran), and how many recipes run there.
pub(crate) fn where_it_runs(ws: &Workspace, results: &TestResults) -> Result<String> {
    let runtime: Vec<&Crate> = ws
        .crates
        .iter()
        .filter(|c| c.meta.is_some() && c.dir.starts_with(ws.root.join("runtime")))
        .collect();
    let mut out = String::from(
        "<!-- generated by `cargo xtask` from the crates' metadata and the last test run; do not edit -->\n\n",
    );
    out.push_str("| host | run it |");
    for c in &runtime {
        let _ = write!(out, " `{}` |", c.name);
    }
    out.push_str(" recipes |\n|---|---|");
    out.push_str(&"---|".repeat(runtime.len() + 1));
    out.push('\n');
    for env in Environment::all() {
        let _ = write!(
            out,
            "| {} | `cargo xtask test --only {}` |",
            env.display(),
            env.name()
        );
        for c in &runtime {
            let cell = if !c.environments()?.contains(&env) {
                "—".to_string()
            } else {
                let mut cell = match results.0.get(&c.name).and_then(|m| m.get(&env.name())) {
                    Some(r) if r.ok => format!("✓ {} tests", r.passed),
                    Some(r) => format!("✗ {} failed", r.failed.max(1)),
                    None => "declared, not run yet".to_string(),
                };
                if let Some(n) = c.not_run_in(env)? {
                    let _ = write!(cell, " (not `{}`)", n.tests.join("`, `"));
                }
                cell
            };
            let _ = write!(out, " {cell} |");
        }
        let recipes = ws
            .recipes()
            .filter(|c| c.environments().is_ok_and(|e| e.contains(&env)))
            .count();
        let _ = writeln!(out, " {recipes} |");
    }
    Ok(out)
}

static INTRA_DOC_SHORTCUT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[(`[^`\]]+`)\]([^(\[:]|$)").expect("valid regex"));
static INTRA_DOC_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[([^\]]+)\]\(([A-Za-z_][A-Za-z0-9_:@!]*(?:\(\))?(?:#[A-Za-z0-9_.-]+)?)\)")
        .expect("valid regex")
});

/// A runtime crate's guide for the book: its crate docs (the README they include, then the
/// `//!` text of `src/lib.rs`), as rustdoc would show them. Rustdoc's intra-doc links
/// (`` [`spawn`] ``, `[text](crate::Item)`) have no target in the book, so they become plain
/// code or text; doctest lines hidden with `# ` are dropped. The code blocks stay: they are
/// the crate's doctests, compiled and run by `cargo test`.
pub(crate) fn crate_guide(dir: &Path) -> Result<String> {
    let lib = std::fs::read_to_string(dir.join("src/lib.rs"))?;
    let mut md = String::new();
    for line in lib.lines() {
        let t = line.trim_start();
        if t.starts_with("#![doc = include_str!(\"../README.md\")]") {
            md.push_str(&std::fs::read_to_string(dir.join("README.md"))?);
        } else if let Some(rest) = t.strip_prefix("//!") {
            md.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            md.push('\n');
        } else if !(t.is_empty() || t.starts_with("#![")) {
            break;
        }
    }
    let mut out = String::new();
    let mut in_code = false;
    let mut rust_code = false;
    for line in md.lines() {
        let t = line.trim_start();
        if let Some(info) = t.strip_prefix("```") {
            if in_code {
                in_code = false;
            } else {
                in_code = true;
                let lang = info.split(',').next().unwrap_or("").trim();
                rust_code =
                    lang.is_empty() || lang == "rust" || lang == "no_run" || lang == "ignore";
                if rust_code {
                    out.push_str("```rust\n");
                    continue;
                }
            }
            out.push_str(line);
        } else if in_code && rust_code && (t == "#" || t.starts_with("# ")) {
            continue;
        } else if in_code {
            out.push_str(line);
        } else {
            let l = INTRA_DOC_INLINE.replace_all(line, "$1");
            out.push_str(&INTRA_DOC_SHORTCUT.replace_all(&l, "$1$2"));
        }
        out.push('\n');
    }
    Ok(out)
}

/// Writes `book/src/generated/<crate>.md` for every crate with metadata, and
/// `<crate>-guide.md` for every runtime crate.
pub(crate) fn generate(ws: &Workspace) -> Result<()> {
    crate::community::generate(&ws.root.join("book"))?;
    let dir = generated_dir(ws);
    std::fs::create_dir_all(&dir)?;
    for c in &ws.crates {
        if c.dir.starts_with(ws.root.join("runtime")) {
            std::fs::write(
                dir.join(format!("{}-guide.md", c.name)),
                crate_guide(&c.dir)?,
            )?;
        }
    }
    for c in &ws.crates {
        let Some(test) = c.meta.as_ref().and_then(|m| m.book_generator.as_deref()) else {
            continue;
        };
        let out =
            std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .current_dir(&ws.root)
                .args(["test", "-q", "-p", &c.name, "--test", test])
                .env("WASM_RS_BOOK_GENERATED", &dir)
                .output()
                .with_context(|| format!("running {}'s book generator", c.name))?;
        if !out.status.success() {
            bail!(
                "{}: its book generator `cargo test -p {} --test {test}` failed:\n{}{}",
                c.name,
                c.name,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let results = TestResults::load(ws);
    let repository = crate::captions::repository_url(&ws.root)?;
    for c in &ws.crates {
        let Some(meta) = &c.meta else { continue };
        let mut text = String::from(
            "<!-- generated by `cargo xtask` from the crate's metadata and the last test run; do not edit -->\n\n",
        );
        text.push_str(&tested_line(c, &results)?);
        text.push('\n');
        // One click from the page to the code and its tests (the link check resolves both).
        let folder = c
            .dir
            .strip_prefix(&ws.root)
            .unwrap_or(&c.dir)
            .to_string_lossy()
            .replace('\\', "/");
        let _ = write!(
            text,
            "\nThe code: [`{folder}/`]({repository}/tree/main/{folder})"
        );
        if c.dir.join("tests").is_dir() {
            let _ = write!(
                text,
                " · its tests: [`{folder}/tests/`]({repository}/tree/main/{folder}/tests)"
            );
        }
        let _ = writeln!(text, " · run them: `cargo xtask test -p {}`", c.name);
        // Lessons and the example apps that compose them, linked both ways.
        let page = |r: &Crate| {
            let title = r
                .meta
                .as_ref()
                .map_or(r.name.as_str(), |m| m.title.as_str());
            format!("[{title}]({}.md)", r.name)
        };
        let deps = ws.recipe_deps(c)?;
        if !deps.is_empty() {
            let list: Vec<String> = deps.iter().map(|r| page(r)).collect();
            let _ = writeln!(
                text,
                "\nAn example app built on {} recipe{}: {}.",
                if deps.len() == 1 { "one" } else { "these" },
                if deps.len() == 1 { "" } else { "s" },
                list.join(" · ")
            );
        }
        let users = ws.recipe_dependents(c)?;
        if !users.is_empty() {
            let list: Vec<String> = users.iter().map(|r| page(r)).collect();
            let _ = writeln!(text, "\nUsed by: {}.", list.join(" · "));
        }
        if c.is_recipe(&ws.root) {
            let _ = write!(
                text,
                "\nStart your own project from this recipe: `cargo xtask eject {} <dir>` writes it as a \
                 standalone project that builds outside this repository, with a README saying how \
                 to build and test it.\n",
                c.name
            );
        }
        if meta.demo {
            let context = meta.demo_context.as_deref().unwrap_or("main");
            let _ = write!(
                text,
                "\n<div class=\"wasm-rs-demo\" data-recipe=\"{}\" data-module=\"{}\" data-context=\"{}\"></div>\n",
                c.name,
                c.ident(),
                context
            );
        }
        std::fs::write(dir.join(format!("{}.md", c.name)), text)?;
    }
    std::fs::write(dir.join("where-it-runs.md"), where_it_runs(ws, &results)?)?;
    for (topic, _) in TOPICS {
        let mut list = String::from(
            "<!-- generated by `cargo xtask` from the recipes' metadata; do not edit -->\n\n",
        );
        let mine: Vec<&Crate> = ws
            .recipes()
            .filter(|c| c.meta.as_ref().and_then(|m| m.topic.as_deref()) == Some(topic))
            .collect();
        if mine.is_empty() {
            list.push_str(
                "No recipe in this section yet. Propose one: see [Contributing a recipe](../contributing.md).\n",
            );
        }
        for c in mine {
            let m = c.meta.as_ref().expect("recipes were filtered on metadata");
            let _ = writeln!(list, "- [{}]({}.md): {}", m.title, c.name, m.summary);
        }
        std::fs::write(dir.join(format!("topic-{topic}.md")), list)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// lint-recipes
// ---------------------------------------------------------------------------------------

static INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{#(include|rustdoc_include)\s+([^}\s]+)\s*\}\}").expect("valid regex")
});

/// Checks every recipe and every page of the book. Generates the page parts first, so that
/// includes of generated files resolve.
pub(crate) fn lint(ws: &Workspace) -> Result<Outcome> {
    generate(ws)?;
    let mut report = Outcome::default();
    let summary_path = ws.root.join("book/src/SUMMARY.md");
    let summary = std::fs::read_to_string(&summary_path).context("reading book/src/SUMMARY.md")?;
    for c in ws.recipes() {
        lint_recipe(ws, c, &summary, &mut report)?;
    }
    lint_book(&ws.root.join("book/src"), &mut report)?;
    // Every recipe page, the nightly recipes' too: no measured figures typed by hand.
    let pages = crate::tree::files(&ws.root.join("book/src/recipes"), "md")?;
    for page in pages {
        let text = std::fs::read_to_string(&page)?;
        let rel = page
            .strip_prefix(&ws.root)
            .unwrap_or(&page)
            .display()
            .to_string();
        let typed = typed_figures(&text);
        report.check(typed.is_empty(), || {
            let lines: Vec<String> = typed
                .iter()
                .map(|(line, figures)| format!("line {line} ({figures})"))
                .collect();
            format!(
                "{rel} types measured figures by hand, {}: measure them with a bench in `cargo xtask bench` and let `--update-book` write the table (CONTRIBUTING.md, Benchmarks)",
                lines.join("; ")
            )
        });
    }
    for c in ws.tested_crates(&[])? {
        lint_wasi_tests(c, &mut report)?;
        let invalid = c.not_run_in(Environment::Native).err();
        report.check(invalid.is_none(), || {
            format!("{:#}", invalid.expect("checked above"))
        });
    }
    Ok(report)
}

/// A crate that declares a WASI environment must not write `#[wasm_bindgen_test(unsupported =
/// test)]`: wasm-bindgen-test takes every wasm32 target for its own, so on `wasm32-wasip1/2`
/// such a test compiles to a JS-harness test that the WASI run never sees. It is dropped
/// there without a word, while the crate claims WASI.
fn lint_wasi_tests(c: &Crate, r: &mut Outcome) -> Result<()> {
    let declares_wasi = c
        .environments()
        .is_ok_and(|envs| envs.iter().any(|e| matches!(e, Environment::Wasi(_))));
    if !declares_wasi {
        return Ok(());
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["tests", "src"] {
        files.extend(
            walkdir::WalkDir::new(c.dir.join(dir))
                .into_iter()
                .flatten()
                .map(|e| e.into_path())
                .filter(|p| p.extension().is_some_and(|x| x == "rs")),
        );
    }
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let rel = file
            .strip_prefix(&c.dir)
            .unwrap_or(&file)
            .display()
            .to_string();
        r.check(!uses_unsupported_test(&text), || {
            format!(
                "{}: {rel} uses `wasm_bindgen_test(unsupported = test)`, which WASI builds drop \
                 silently, and the crate declares `wasi`: write \
                 `#[cfg_attr(all(target_family = \"wasm\", target_os = \"unknown\"), wasm_bindgen_test)]` \
                 and `#[cfg_attr(not(all(target_family = \"wasm\", target_os = \"unknown\")), test)]` instead",
                c.name
            )
        });
    }
    Ok(())
}

/// Whether Rust source text has a `wasm_bindgen_test(unsupported = test)` attribute (comments
/// aside).
fn uses_unsupported_test(text: &str) -> bool {
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"wasm_bindgen_test\s*\(\s*unsupported\s*=\s*test\s*\)").expect("valid regex")
    });
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .any(|l| ATTR.is_match(l))
}

fn lint_recipe(ws: &Workspace, c: &Crate, summary: &str, r: &mut Outcome) -> Result<()> {
    let name = &c.name;
    for file in ["Cargo.toml", "src/lib.rs", "README.md"] {
        r.check(c.dir.join(file).is_file(), || {
            format!("{name}: missing {file}")
        });
    }
    let tests: Vec<PathBuf> = std::fs::read_dir(c.dir.join("tests"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "rs"))
                .collect()
        })
        .unwrap_or_default();
    r.check(!tests.is_empty(), || {
        format!("{name}: no test file in tests/")
    });
    let Some(meta) = &c.meta else {
        r.check(false, || {
            format!("{name}: Cargo.toml has no [package.metadata.wasm-rs] table")
        });
        return Ok(());
    };
    let envs = match c.environments() {
        Ok(e) => e,
        Err(e) => {
            r.check(false, || e.to_string());
            return Ok(());
        }
    };
    r.check(!envs.is_empty(), || {
        format!("{name}: [package.metadata.wasm-rs] environments is empty")
    });
    let topic = meta.topic.as_deref().unwrap_or("");
    r.check(topic_title(topic).is_some(), || {
        format!(
            "{name}: [package.metadata.wasm-rs] topic = \"{topic}\" is not one of {}",
            TOPICS
                .iter()
                .map(|(t, _)| *t)
                .collect::<Vec<_>>()
                .join(", ")
        )
    });

    // At least one test per declared environment.
    let test_text: String = tests
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    // `wasm_rs_async_executor::async_test!` writes a test for every target at once.
    let everywhere = test_text.contains("async_test!");
    for env in &envs {
        let has = everywhere
            || if env.is_wasm() {
                test_text.contains("wasm_bindgen_test")
            } else {
                [
                    "#[test]",
                    "#[tokio::test",
                    "proptest!",
                    "unsupported = test",
                ]
                .iter()
                .any(|marker| test_text.contains(marker))
            };
        r.check(has, || {
            format!(
                "{name}: declares `{env}` but tests/ has no {} test",
                if env.is_wasm() {
                    "#[wasm_bindgen_test] (or async_test!)"
                } else {
                    "native (#[test], #[tokio::test], proptest!, unsupported = test or async_test!)"
                }
            )
        });
    }

    // A Worker for workerd: the project its README and the suite run.
    if envs.contains(&Environment::Workerd) {
        for (file, why) in crate::workerd::REQUIRED_FILES {
            r.check(c.dir.join(file).is_file(), || {
                format!("{name}: declares `workerd` but has no {file} ({why})")
            });
        }
    }

    // Demos (`run_demo` in src/demo.rs is checked with the file roles below).
    if meta.demo {
        r.check(!meta.demo_expect.is_empty(), || {
            format!("{name}: demo = true needs demo-expect = [\"a line the demo prints\", ...]")
        });
        let ctx = meta.demo_context.as_deref().unwrap_or("main");
        r.check(ctx == "main" || ctx == "worker", || {
            format!("{name}: demo-context must be \"main\" or \"worker\", not \"{ctx}\"")
        });
    }

    lint_roles(c, meta.demo, r)?;
    lint_benches(ws, c, r)?;

    // README: what it shows, the book page, how to run its tests.
    let readme = std::fs::read_to_string(c.dir.join("README.md")).unwrap_or_default();
    r.check(
        readme.contains(&format!("book/src/recipes/{name}.md")),
        || format!("{name}: README.md does not link its book page book/src/recipes/{name}.md"),
    );
    r.check(
        readme.contains(&format!("cargo xtask test -p {name}")),
        || {
            format!(
                "{name}: README.md does not say how to run its tests (`cargo xtask test -p {name}`)"
            )
        },
    );

    // The book page.
    let page_rel = format!("recipes/{name}.md");
    let page = ws.root.join("book/src").join(&page_rel);
    let text = std::fs::read_to_string(&page).unwrap_or_default();
    r.check(page.is_file(), || {
        format!("{name}: no book page at book/src/{page_rel}")
    });
    r.check(summary.contains(&format!("({page_rel})")), || {
        format!("{name}: book/src/SUMMARY.md does not list {page_rel}")
    });
    r.check(text.contains(&format!("{{{{#include ../generated/{name}.md}}}}")), || {
        format!("{name}: the page does not include its generated part {{{{#include ../generated/{name}.md}}}}")
    });
    r.check(text.contains(&format!("../../../recipes/{name}/")), || {
        format!("{name}: the page includes no code from recipes/{name}/")
    });
    Ok(())
}

/// The modules a recipe may declare under a target `#[cfg(...)]`: the platform glue and the
/// demo (CONTRIBUTING.md, "The shape of a recipe").
const ROLE_MODULES: &[(&str, &str)] = &[
    ("web", "glue for JS hosts (wasm32-unknown-unknown)"),
    ("native", "native glue"),
    ("wasi", "WASI glue"),
    ("demo", "`run_demo`, what the page's Run button calls"),
];

/// The file roles: `src/lib.rs` opens with the idea's narrative (`//!`); a target-gated
/// module is `web`, `native`, `wasi` or `demo`, never a `sys/` folder; `run_demo` lives in
/// `src/demo.rs`, which exists exactly when `demo = true`; shared test helpers are in
/// `tests/common/` (insta's snapshots in `tests/snapshots/`); no file configures wasm-bindgen-test's environment (xtask chooses it).
fn lint_roles(c: &Crate, demo: bool, r: &mut Outcome) -> Result<()> {
    let name = &c.name;
    let lib = std::fs::read_to_string(c.dir.join("src/lib.rs")).unwrap_or_default();
    r.check(lib.trim_start().starts_with("//!"), || {
        format!(
            "{name}: src/lib.rs does not open with the recipe's narrative: start it with `//!` \
             lines saying what the recipe shows and why (CONTRIBUTING.md, \"The shape of a recipe\")"
        )
    });
    for (module, cfg) in target_gated_modules(&lib) {
        r.check(ROLE_MODULES.iter().any(|(m, _)| *m == module), || {
            format!(
                "{name}: src/lib.rs declares `mod {module}` under `#[cfg({cfg})]`: target-gated \
                 code goes in one of the role modules ({}); put `{module}` inside the one \
                 it serves (src/<role>/{module}.rs) or drop the cfg if it compiles everywhere",
                ROLE_MODULES
                    .iter()
                    .map(|(m, why)| format!("{m}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        });
    }
    r.check(!c.dir.join("src/sys").exists(), || {
        format!(
            "{name}: src/sys/ holds platform glue: split it into src/native.rs, src/web.rs \
             and src/wasi.rs"
        )
    });
    let sources = crate::tree::files(&c.dir.join("src"), "rs")?;
    let demo_file = c.dir.join("src/demo.rs");
    r.check(demo == demo_file.is_file(), || {
        if demo {
            format!("{name}: demo = true but there is no src/demo.rs with `run_demo`")
        } else {
            format!("{name}: src/demo.rs exists but Cargo.toml does not say demo = true")
        }
    });
    for file in &sources {
        let text = std::fs::read_to_string(file)?;
        let rel = file
            .strip_prefix(&c.dir)
            .unwrap_or(file)
            .display()
            .to_string();
        let defines = text.lines().any(|l| {
            l.trim_start().starts_with("pub async fn run_demo") || l.contains(" fn run_demo(")
        });
        r.check(!defines || *file == demo_file, || {
            format!("{name}: {rel} defines `run_demo`: it belongs in src/demo.rs")
        });
    }
    if let Ok(entries) = std::fs::read_dir(c.dir.join("tests")) {
        for dir in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
            let sub = dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            // `snapshots/` is insta's.
            let known = sub == "common" || sub == "snapshots" || dir.join("main.rs").is_file();
            r.check(known, || {
                format!(
                    "{name}: tests/{sub}/ is neither a test target (tests/{sub}/main.rs), \
                     tests/common/ nor insta's tests/snapshots/: shared test helpers go in \
                     tests/common/mod.rs"
                )
            });
        }
    }
    for dir in ["src", "tests", "benches", "examples"] {
        for file in crate::tree::files(&c.dir.join(dir), "rs")? {
            let text = std::fs::read_to_string(&file)?;
            let rel = file
                .strip_prefix(&c.dir)
                .unwrap_or(&file)
                .display()
                .to_string();
            r.check(!configures_test_environment(&text), || {
                format!(
                    "{name}: {rel} calls `wasm_bindgen_test_configure!`: delete it; \
                     `cargo xtask test` picks the environment for each declared one"
                )
            });
        }
    }
    Ok(())
}

/// The modules `lib` declares under an attribute naming a target (`target_arch`,
/// `target_family`, `target_os`), with that attribute's condition.
fn target_gated_modules(lib: &str) -> Vec<(String, String)> {
    static MOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;")
            .expect("valid regex")
    });
    static CFG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*#\[cfg\((.*)\)\]\s*$").expect("valid regex"));
    let mut out = Vec::new();
    let mut cfg: Option<String> = None;
    for line in lib.lines() {
        if let Some(m) = CFG.captures(line) {
            cfg = Some(m[1].to_string());
        } else if let Some(m) = MOD.captures(line) {
            if let Some(c) = cfg.take().filter(|c| c.contains("target_")) {
                out.push((m[1].to_string(), c));
            }
        } else if !line.trim_start().starts_with("#[") && !line.trim_start().starts_with("//") {
            cfg = None;
        }
    }
    out
}

/// Whether Rust source text calls `wasm_bindgen_test_configure!` (comments aside).
fn configures_test_environment(text: &str) -> bool {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .any(|l| l.contains("wasm_bindgen_test_configure!"))
}

/// A recipe measures with `cargo xtask bench` only: its benches are the bench targets that
/// xtask runs (`benches/<name>.rs`, listed in `ci/src/bench/mod.rs`), no test or feature
/// holds a second benchmark, and its page carries the generated figures, never typed ones.
fn lint_benches(ws: &Workspace, c: &Crate, r: &mut Outcome) -> Result<()> {
    let name = &c.name;
    let mut expected: Vec<&str> = crate::bench_targets::recipe_benches(name).collect();
    expected.sort_unstable();
    let stems = |dir: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(c.dir.join(dir))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "rs"))
                    .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let benches = stems("benches");
    r.check(benches == expected, || {
        format!(
            "{name}: benches/ holds {benches:?} but `cargo xtask bench` runs {expected:?}: add the bench to TARGETS in ci/src/bench/mod.rs (with its suite), or remove it"
        )
    });
    for test in stems("tests") {
        r.check(!test.starts_with("bench"), || {
            format!(
                "{name}: tests/{test}.rs looks like a benchmark: measurements go in benches/ and run with `cargo xtask bench` (see CONTRIBUTING.md, Benchmarks)"
            )
        });
    }
    let manifest = std::fs::read_to_string(c.dir.join("Cargo.toml"))?;
    let doc: toml_edit::DocumentMut = manifest
        .parse()
        .with_context(|| format!("{name}: parsing Cargo.toml"))?;
    let bench_feature = doc
        .get("features")
        .and_then(|f| f.as_table_like())
        .is_some_and(|f| f.contains_key("bench"));
    r.check(!bench_feature, || {
        format!(
            "{name}: a `bench` feature gates a benchmark that `cargo xtask test` never compiles: move it to benches/ and into `cargo xtask bench`"
        )
    });
    if !expected.is_empty() {
        let page = ws.root.join("book/src/recipes").join(format!("{name}.md"));
        let text = std::fs::read_to_string(&page).unwrap_or_default();
        r.check(
            text.contains(crate::bench_targets::START) && text.contains(crate::bench_targets::END),
            || {
                format!(
                    "{name}: the page has no generated figures: put the bench markers of ci/src/bench_targets.rs where its table goes and run `cargo xtask bench --update-book`"
                )
            },
        );
    }
    Ok(())
}

/// A figure with a unit of time or rate, or a ratio: `12.5 µs`, `1,550 puts/s`, `1.91×`.
static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d[\d,.]*\s?(?:ms|µs|us|ns|[a-z]*/s|×)(?:\W|$)").expect("a valid regex")
});

/// The lines of a page that hold measurements typed by hand: a table row or a line of a
/// `text` block with two figures or more ([`FIGURE`]), outside the part `cargo xtask
/// bench --update-book` writes. Prose may quote a figure; a table of them is a benchmark's
/// result and belongs to the bench. Returns (line number, the figures).
pub(crate) fn typed_figures(markdown: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut generated = false;
    let mut block: Option<bool> = None; // Some(is a text block) inside a fence
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(crate::bench_targets::START) {
            generated = true;
            continue;
        }
        if trimmed.starts_with(crate::bench_targets::END) {
            generated = false;
            continue;
        }
        if let Some(info) = trimmed.strip_prefix("```") {
            block = match block {
                Some(_) => None,
                None => Some(matches!(info.trim(), "" | "text")),
            };
            continue;
        }
        let tabular = match block {
            Some(is_text) => is_text,
            None => trimmed.starts_with('|'),
        };
        if generated || !tabular {
            continue;
        }
        let figures: Vec<&str> = FIGURE
            .find_iter(line)
            .map(|m| {
                m.as_str()
                    .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '×' && c != '/')
            })
            .collect();
        if figures.len() >= 2 {
            found.push((i + 1, figures.join(", ")));
        }
    }
    found
}

/// Every code block in the book is an include, and every include resolves.
/// The most lines one included code block may show: a screen (CONTRIBUTING.md, "Short
/// code").
pub(crate) const MAX_BLOCK_LINES: usize = 60;

/// Checks every page: no hand-written code, every include resolves, and every included
/// block fits on a screen.
fn lint_book(src: &Path, r: &mut Outcome) -> Result<()> {
    let pages = crate::tree::files(src, "md")?;
    for page in pages {
        let text = std::fs::read_to_string(&page)?;
        let rel = page
            .strip_prefix(src)
            .unwrap_or(&page)
            .display()
            .to_string();
        // Generated pages hold the runtime crates' docs, whose code blocks are their doctests.
        let generated = page.starts_with(src.join("generated"));
        for problem in hand_written_code_blocks(&text)
            .into_iter()
            .filter(|_| !generated)
        {
            r.check(false, || format!("book/src/{rel}: {problem}"));
        }
        for cap in INCLUDE.captures_iter(&text) {
            let target = &cap[2];
            match check_include(&page, target) {
                Err(e) => r.problem(format!(
                    "book/src/{rel}: {{{{#{} {target}}}}}: {e}",
                    &cap[1]
                )),
                // Generated parts (headers, tables, crate guides) and included Markdown
                // (CONTRIBUTING.md, a table of fixes) are prose, not code blocks.
                Ok(_)
                    if target.contains("generated/")
                        || target.split(':').next().is_some_and(|f| f.ends_with(".md")) =>
                {
                    r.check(true, String::new)
                }
                Ok(shown) => r.check(shown <= MAX_BLOCK_LINES, || {
                    format!(
                        "book/src/{rel}: {{{{#{} {target}}}}} shows {shown} lines, more than a \
                         screen ({MAX_BLOCK_LINES}): split it into smaller anchors with a \
                         sentence between them, or leave what is not the point outside the \
                         anchor (CONTRIBUTING.md, \"Short code\")",
                        &cap[1]
                    )
                }),
            }
        }
    }
    Ok(())
}

/// Fenced or indented code blocks whose content is not only `{{#include}}` lines.
/// Blocks tagged `text` (commands to type, output to expect) are prose, not code.
pub(crate) fn hand_written_code_blocks(markdown: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut current: Option<(String, String)> = None;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([',', ' ']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                let line = markdown[..range.start].lines().count() + 1;
                current = Some((format!("{lang}@{line}"), String::new()));
            }
            Event::Text(t) => {
                if let Some((_, body)) = &mut current {
                    body.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((tag, body)) = current.take() {
                    let (lang, line) = tag.split_once('@').unwrap_or((&tag, "?"));
                    if lang == "text" {
                        continue;
                    }
                    let only_includes = body.lines().all(|l| {
                        let l = l.trim();
                        l.is_empty() || (l.starts_with("{{#") && l.ends_with("}}"))
                    }) && !body.trim().is_empty();
                    if !only_includes {
                        problems.push(format!(
                            "line {line}: a `{}` code block is written by hand; include it from a tested crate with {{{{#include path:ANCHOR}}}}",
                            if lang.is_empty() { "(untagged)" } else { lang }
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    problems
}

/// `path`, `path:anchor`, `path:N`, `path:N:M`, `path::M` relative to the page: checks that
/// it resolves and returns how many lines mdBook shows for it (anchor lines left out).
fn check_include(page: &Path, target: &str) -> Result<usize> {
    let (file, selector) = match target.split_once(':') {
        Some((f, s)) => (f, Some(s)),
        None => (target, None),
    };
    let path = page.parent().unwrap_or(Path::new(".")).join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|_| anyhow::anyhow!("file {} does not exist", path.display()))?;
    // mdBook drops every line that marks an anchor from what it includes.
    let marker = |l: &str| l.contains("ANCHOR:") || l.contains("ANCHOR_END:");
    let Some(sel) = selector else {
        return Ok(text.lines().filter(|l| !marker(l)).count());
    };
    let is_range = sel
        .split(':')
        .all(|p| p.is_empty() || p.parse::<usize>().is_ok());
    if is_range {
        let mut bounds = sel.split(':').map(|p| p.parse::<usize>().ok());
        let first = bounds.next().flatten().unwrap_or(1);
        let total = text.lines().count();
        if first > total {
            bail!("line {first} is past the end of {}", path.display());
        }
        let last = bounds.next().flatten().unwrap_or(total).min(total);
        let shown = text
            .lines()
            .skip(first - 1)
            .take((last + 1).saturating_sub(first))
            .filter(|l| !marker(l))
            .count();
        return Ok(shown);
    }
    let start = format!("ANCHOR: {sel}");
    let end = format!("ANCHOR_END: {sel}");
    let is = |l: &str, needle: &str| {
        l.split_once(needle)
            .is_some_and(|(_, rest)| rest.trim().is_empty() || rest.trim_start().starts_with("-->"))
    };
    let (mut inside, mut found, mut shown) = (false, (false, false), 0);
    for l in text.lines() {
        if is(l, &start) {
            (inside, found.0) = (true, true);
        } else if is(l, &end) {
            (inside, found.1) = (false, true);
        } else if inside && !marker(l) {
            shown += 1;
        }
    }
    if found != (true, true) {
        bail!(
            "anchor `{sel}` (ANCHOR: {sel} … ANCHOR_END: {sel}) is not in {}",
            path.display()
        );
    }
    Ok(shown)
}

// ---------------------------------------------------------------------------------------
// new-recipe
// ---------------------------------------------------------------------------------------

/// Arguments of `cargo xtask new-recipe`.
#[derive(Debug, clap::Args)]
pub(crate) struct NewRecipeArgs {
    /// The recipe's name, in kebab-case (`my-recipe`): the crate, folder and page name.
    name: String,
    /// The book section it belongs to.
    #[arg(long, default_value = "executors", value_parser = clap::builder::PossibleValuesParser::new(TOPICS.iter().map(|(t, _)| *t)))]
    topic: String,
    /// The page title.
    #[arg(long)]
    title: Option<String>,
    /// With a live demo: `src/demo.rs` with the `run_demo` the page's Run button calls, and
    /// `demo = true` with its `demo-expect` lines in Cargo.toml.
    #[arg(long)]
    demo: bool,
}

/// `{{demo_mod}}` in the template's lib.rs with `--demo`: the demo module, for JS hosts.
const DEMO_MOD: &str = "
/// The page's Run button (src/demo.rs).
#[cfg(all(target_family = \"wasm\", target_os = \"unknown\"))]
mod demo;
";

/// `{{demo_deps}}` in the template's Cargo.toml with `--demo`: an `async` export becomes a
/// JS promise through wasm-bindgen-futures.
const DEMO_DEPS: &str = "wasm-bindgen-futures.workspace = true\n";

/// `{{demo_meta}}` in the template's Cargo.toml, without and with `--demo`.
const DEMO_META: [&str; 2] = [
    "demo = false",
    "demo = true\ndemo-context = \"main\"\ndemo-expect = [\"Hello, reader, from {{name}}!\"]",
];

/// The template, kept in ci/templates/recipe; `{{name}}`, `{{ident}}`, `{{title}}` and
/// `{{topic}}` are replaced.
const TEMPLATE: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../templates/recipe/Cargo.toml.tmpl"),
    ),
    (
        "README.md",
        include_str!("../templates/recipe/README.md.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("../templates/recipe/src/lib.rs.tmpl"),
    ),
    (
        "src/demo.rs",
        include_str!("../templates/recipe/src/demo.rs.tmpl"),
    ),
    (
        "tests/{{ident}}.rs",
        include_str!("../templates/recipe/tests/recipe.rs.tmpl"),
    ),
];
const PAGE_TEMPLATE: &str = include_str!("../templates/recipe/page.md.tmpl");

/// Validates a recipe name: lowercase ASCII words joined by single hyphens.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// Writes a new recipe crate, its page, and its SUMMARY.md entry. The workspace lists
/// `recipes/*` as members, so the crate is part of the workspace as soon as it exists.
pub(crate) fn new_recipe(ws: &Workspace, args: &NewRecipeArgs) -> Result<()> {
    let name = &args.name;
    if !valid_name(name) {
        bail!(
            "`{name}` is not a valid recipe name: use lowercase words joined by hyphens, e.g. `timers-and-backoff`"
        );
    }
    let dir = ws.root.join("recipes").join(name);
    if dir.exists() {
        bail!("recipes/{name} already exists");
    }
    let title = args.title.clone().unwrap_or_else(|| {
        let mut t = name.replace('-', " ");
        if let Some(first) = t.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        t
    });
    let fill = |s: &str| {
        s.replace("{{demo_mod}}", if args.demo { DEMO_MOD } else { "" })
            .replace("{{demo_meta}}", DEMO_META[usize::from(args.demo)])
            .replace("{{demo_deps}}", if args.demo { DEMO_DEPS } else { "" })
            .replace("{{name}}", name)
            .replace("{{ident}}", &name.replace('-', "_"))
            .replace("{{title}}", &title)
            .replace("{{topic}}", &args.topic)
    };
    for (path, body) in TEMPLATE {
        if *path == "src/demo.rs" && !args.demo {
            continue;
        }
        let p = dir.join(fill(path));
        std::fs::create_dir_all(p.parent().expect("template paths have a parent"))?;
        std::fs::write(&p, fill(body))?;
        println!(
            "  created {}",
            p.strip_prefix(&ws.root).unwrap_or(&p).display()
        );
    }
    let page = ws.root.join("book/src/recipes").join(format!("{name}.md"));
    std::fs::create_dir_all(page.parent().expect("pages live in book/src/recipes"))?;
    std::fs::write(&page, fill(PAGE_TEMPLATE))?;
    println!("  created book/src/recipes/{name}.md");
    let summary_path = ws.root.join("book/src/SUMMARY.md");
    let summary = std::fs::read_to_string(&summary_path)?;
    let updated = add_to_summary(&summary, &args.topic, &title, name)?;
    std::fs::write(&summary_path, updated)?;
    println!(
        "  added it to book/src/SUMMARY.md under {}",
        topic_title(&args.topic).unwrap_or("")
    );
    println!(
        "next: write the recipe in recipes/{name}/src/lib.rs, then `cargo xtask test -p {name}`"
    );
    Ok(())
}

/// Proves the template: scaffolds a recipe with `new-recipe` into a scratch copy of the
/// workspace's skeleton (root manifest, toolchain, cargo config, SUMMARY.md), lints it, and
/// runs its tests natively and in Node. A template that stops compiling fails `cargo xtask test`.
pub(crate) fn check_template(ws: &Workspace) -> Result<Outcome> {
    let scratch = ws.target_dir.join("xtask").join("template-check");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("book/src/recipes"))?;
    std::fs::create_dir_all(scratch.join(".cargo"))?;
    let manifest = std::fs::read_to_string(ws.root.join("Cargo.toml"))?;
    // Only the recipe is a member; runtime path dependencies point back at this checkout.
    let manifest = manifest
        .replace(
            r#"members = ["ci", "runtime/*", "recipes/*"]"#,
            r#"members = ["recipes/*"]"#,
        )
        .replace(
            r#"path = "runtime/"#,
            &format!(r#"path = "{}/runtime/"#, ws.root.display()),
        );
    std::fs::write(scratch.join("Cargo.toml"), manifest)?;
    for f in [
        "rust-toolchain.toml",
        ".cargo/config.toml",
        "book/src/SUMMARY.md",
        "book/book.toml",
    ] {
        std::fs::copy(ws.root.join(f), scratch.join(f)).with_context(|| format!("copying {f}"))?;
    }
    if let Ok(lock) = std::fs::read(ws.root.join("Cargo.lock")) {
        std::fs::write(scratch.join("Cargo.lock"), lock)?;
    }
    // The plain shape and the shape with a demo, both scaffolded, linted and tested.
    let names = [("template-check", false), ("template-demo", true)];
    let mut scratch_ws = Workspace {
        root: scratch.clone(),
        target_dir: ws.target_dir.clone(),
        crates: Vec::new(),
    };
    for (name, demo) in names {
        new_recipe(
            &scratch_ws,
            &NewRecipeArgs {
                name: name.to_string(),
                topic: "executors".to_string(),
                title: None,
                demo,
            },
        )?;
    }
    let loaded = Workspace::load_from(Some(&scratch))?;
    scratch_ws.crates = loaded.crates;
    let mut report = Outcome::default();
    let summary = std::fs::read_to_string(scratch.join("book/src/SUMMARY.md"))?;
    generate(&scratch_ws)?;
    let recipes: Vec<Crate> = scratch_ws.recipes().cloned().collect();
    report.check(recipes.len() == names.len(), || {
        format!(
            "new-recipe's template: {} scaffolded recipes are workspace members, not {}",
            recipes.len(),
            names.len()
        )
    });
    for recipe in &recipes {
        lint_recipe(&scratch_ws, recipe, &summary, &mut report)?;
    }
    for (label, wasm) in [("native", false), ("node", true)] {
        let mut cmd =
            std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(&scratch)
            .env("CARGO_TARGET_DIR", &ws.target_dir)
            .arg("test");
        for (name, _) in names {
            cmd.args(["-p", name]);
        }
        if wasm {
            cmd.args(["--target", "wasm32-unknown-unknown", "--tests"]);
        }
        let out = cmd
            .output()
            .context("running cargo test on the scaffolded recipes")?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let counts = crate::counts::parse_counts(&text);
        report.check(out.status.success() && counts.passed > 0 && counts.failed == 0, || {
            format!(
                "new-recipe's template: its tests did not pass in {label} ({} passed, {} failed):\n{}",
                counts.passed,
                counts.failed,
                text.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
            )
        });
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(report)
}

/// Inserts `  - [title](recipes/name.md)` as the last entry of the topic's list.
pub(crate) fn add_to_summary(
    summary: &str,
    topic: &str,
    title: &str,
    name: &str,
) -> Result<String> {
    let header = format!("(recipes/{topic}.md)");
    let mut lines: Vec<String> = summary.lines().map(str::to_string).collect();
    let Some(pos) = lines
        .iter()
        .position(|l| l.trim_start().starts_with("- [") && l.contains(&header))
    else {
        bail!("book/src/SUMMARY.md has no entry for the topic page recipes/{topic}.md");
    };
    let mut insert = pos + 1;
    while insert < lines.len()
        && lines[insert].starts_with("  ")
        && lines[insert].trim_start().starts_with("- ")
    {
        insert += 1;
    }
    lines.insert(insert, format!("  - [{title}](recipes/{name}.md)"));
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn target_gated_modules_are_found_with_their_cfg() {
        let lib = "//! x\n\
            mod part;\n\
            #[cfg(target_arch = \"wasm32\")]\n\
            mod browser;\n\
            #[cfg(all(target_family = \"wasm\", target_os = \"unknown\"))]\n\
            #[allow(dead_code)]\n\
            pub(crate) mod web;\n\
            #[cfg(feature = \"x\")]\n\
            mod featured;\n\
            #[cfg(not(target_arch = \"wasm32\"))]\n\
            use std::fs;\n\
            mod after_use;\n";
        let found = super::target_gated_modules(lib);
        let names: Vec<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(names, ["browser", "web"]);
        assert_eq!(found[0].1, "target_arch = \"wasm32\"");
    }

    #[test]
    fn configuring_the_test_environment_is_found_outside_comments() {
        assert!(super::configures_test_environment(
            "wasm_bindgen_test_configure!(run_in_browser);"
        ));
        assert!(!super::configures_test_environment(
            "// no wasm_bindgen_test_configure!(run_in_browser) here"
        ));
    }

    use super::*;

    #[test]
    fn the_hosts_table_has_a_row_per_environment_and_says_what_ran() {
        let ws = Workspace::load().unwrap();
        let mut results = TestResults::default();
        results
            .0
            .entry("wasm-rs-async-executor".into())
            .or_default()
            .insert(
                "deno".into(),
                EnvResult {
                    passed: 37,
                    failed: 0,
                    ok: true,
                },
            );
        results.0.entry("wasm-rs-dbg".into()).or_default().insert(
            "bun".into(),
            EnvResult {
                passed: 10,
                failed: 2,
                ok: false,
            },
        );
        let table = where_it_runs(&ws, &results).unwrap();
        let row = |name: &str| {
            table
                .lines()
                .find(|l| l.contains(&format!("`cargo xtask test --only {name}`")))
                .unwrap_or_else(|| panic!("no row for {name} in\n{table}"))
                .to_string()
        };
        for env in Environment::all() {
            row(&env.name());
        }
        let header = table.lines().find(|l| l.starts_with("| host")).unwrap();
        let col = |name: &str| {
            header
                .split('|')
                .position(|c| c.trim() == format!("`{name}`"))
                .unwrap()
        };
        let cell =
            |row: &str, krate: &str| row.split('|').nth(col(krate)).unwrap().trim().to_string();
        let deno = row("deno");
        assert_eq!(
            cell(&deno, "wasm-rs-async-executor"),
            "✓ 37 tests (not `full_time`)"
        );
        // The channel does not declare Deno.
        assert_eq!(cell(&deno, "wasm-rs-shared-channel"), "—");
        assert_eq!(cell(&row("bun"), "wasm-rs-dbg"), "✗ 2 failed");
        assert_eq!(cell(&row("node"), "wasm-rs-dbg"), "declared, not run yet");
    }

    #[test]
    fn unsupported_test_attributes_are_found_outside_comments() {
        assert!(uses_unsupported_test(
            "#[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]\nfn a() {}"
        ));
        assert!(uses_unsupported_test(
            "#[wasm_bindgen_test( unsupported=test )]"
        ));
        assert!(!uses_unsupported_test(
            "// `#[wasm_bindgen_test(unsupported = test)]` is what WASI drops\n#[test]"
        ));
        assert!(!uses_unsupported_test(
            "#[cfg_attr(not(all(target_family = \"wasm\", target_os = \"unknown\")), test)]"
        ));
    }

    #[test]
    fn typed_figure_tables_are_found_outside_the_generated_part() {
        let page = format!(
            "Prose may say a cancel took 0.2 ms against 0.1 ms.\n\n\
             | engine | wait | jspi |\n|---|---:|---:|\n| Chromium | 18.0 µs | 64.3 µs (3.6×) |\n\n\
             ```text\n1 worker 266 ms, 2 workers 146 ms\n```\n\n\
             ```rust\nlet d = 5; // 5 ms, 10 ms\n```\n\n\
             | setting | default |\n|---|---|\n| deadline | 50 ms |\n\n\
             {}\n| figure | median |\n|---|---:|\n| a | 3 ms | 4 ms |\n{}\n",
            crate::bench_targets::START,
            crate::bench_targets::END
        );
        let found = typed_figures(&page);
        let lines: Vec<usize> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [5, 8], "{found:?}");
        assert_eq!(found[0].1, "18.0 µs, 64.3 µs, 3.6×");
    }

    #[test]
    fn code_blocks_must_be_includes() {
        let md = "# Page\n\n```rust\n{{#include ../../../recipes/x/src/lib.rs:main}}\n```\n\n```text\ncargo xtask test\n```\n";
        assert!(hand_written_code_blocks(md).is_empty());
        let bad = "text\n\n```rust\nfn main() {}\n```\n";
        let p = hand_written_code_blocks(bad);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("line 3"), "{p:?}");
        assert_eq!(
            hand_written_code_blocks("para\n\n    indented code\n").len(),
            1
        );
    }

    #[test]
    fn a_block_longer_than_a_screen_is_a_problem() {
        let dir = std::env::temp_dir().join(format!("xtask-screen-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src/recipes")).unwrap();
        let body: String = (0..MAX_BLOCK_LINES)
            .map(|i| format!("let x{i} = {i};\n"))
            .collect();
        std::fs::write(
            dir.join("code.rs"),
            format!(
                "// ANCHOR: long\n// ANCHOR: short\nfn a() {{}}\n// ANCHOR_END: short\n{body}// ANCHOR_END: long\n"
            ),
        )
        .unwrap();
        let page =
            |anchor: &str| format!("```rust\n{{{{#include ../../code.rs:{anchor}}}}}\n```\n");
        std::fs::write(dir.join("src/recipes/short.md"), page("short")).unwrap();
        let mut r = Outcome::default();
        lint_book(&dir.join("src"), &mut r).unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        // One line over a screen (the nested anchor's lines are not shown).
        std::fs::write(dir.join("src/recipes/long.md"), page("long")).unwrap();
        let mut r = Outcome::default();
        lint_book(&dir.join("src"), &mut r).unwrap();
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert!(r.problems[0].contains("shows 61 lines"), "{:?}", r.problems);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn includes_resolve_files_and_anchors() {
        let dir = std::env::temp_dir().join(format!("xtask-include-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pages")).unwrap();
        std::fs::write(
            dir.join("code.rs"),
            "// ANCHOR: a\nfn a() {}\n// ANCHOR_END: a\n",
        )
        .unwrap();
        let page = dir.join("pages/p.md");
        // The anchor lines are not shown.
        assert_eq!(check_include(&page, "../code.rs").unwrap(), 1);
        assert_eq!(check_include(&page, "../code.rs:a").unwrap(), 1);
        assert_eq!(check_include(&page, "../code.rs:2:3").unwrap(), 1);
        assert_eq!(check_include(&page, "../code.rs:2").unwrap(), 1);
        assert!(
            check_include(&page, "../code.rs:b")
                .unwrap_err()
                .to_string()
                .contains("anchor `b`")
        );
        assert!(
            check_include(&page, "../nope.rs")
                .unwrap_err()
                .to_string()
                .contains("does not exist")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn crate_guides_read_as_rustdoc_shows_them() {
        let dir = std::env::temp_dir().join(format!("xtask-guide-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("README.md"),
            "# demo\n\nUse [`spawn`] or [the fn](crate::spawn), [`m!`](m!) or [f](Self::f()); see [docs](https://example.org/a) and [c](c.md).\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("src/lib.rs"),
            "#![doc = include_str!(\"../README.md\")]\n//!\n//! ## More\n//!\n//! ```\n//! # use demo::spawn;\n//! spawn();\n//! ```\n\nmod x;\n//! not docs\n",
        )
        .unwrap();
        let g = crate_guide(&dir).unwrap();
        assert!(
            g.contains(
                "Use `spawn` or the fn, `m!` or f; see [docs](https://example.org/a) and [c](c.md)."
            ),
            "{g}"
        );
        assert!(g.contains("```rust\nspawn();\n```"), "{g}");
        assert!(!g.contains("# use demo"), "{g}");
        assert!(!g.contains("not docs"), "{g}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn names_are_kebab_case() {
        assert!(valid_name("hello-wasm-rs"));
        assert!(valid_name("timers2"));
        assert!(!valid_name("Hello"));
        assert!(!valid_name("a--b"));
        assert!(!valid_name("-a"));
        assert!(!valid_name("2fast"));
        assert!(!valid_name("a_b"));
    }

    #[test]
    fn summary_entries_go_under_their_topic() {
        let s = "# Recipes\n\n- [Executors and scheduling](recipes/executors.md)\n  - [Hello](recipes/hello.md)\n- [Workers](recipes/workers.md)\n";
        let out = add_to_summary(s, "executors", "Timers", "timers").unwrap();
        assert_eq!(
            out,
            "# Recipes\n\n- [Executors and scheduling](recipes/executors.md)\n  - [Hello](recipes/hello.md)\n  - [Timers](recipes/timers.md)\n- [Workers](recipes/workers.md)\n"
        );
        let out = add_to_summary(s, "workers", "Pool", "pool").unwrap();
        assert!(
            out.ends_with("- [Workers](recipes/workers.md)\n  - [Pool](recipes/pool.md)\n"),
            "{out}"
        );
        assert!(add_to_summary(s, "threads", "T", "t").is_err());
    }
}
