//! Building the live demos: every recipe with `demo = true` is compiled to wasm32 with the
//! workspace's `demo` profile (release, optimised for size, with LTO) and run through `wasm-bindgen --target web` into `<book>/demos/<recipe>/`, where the
//! book's demo runner (`book/src/js/demo-runner.js`) loads it when the reader presses Run.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::nightly;
use crate::workspace::Workspace;

/// A demo that was built, and what its output must contain.
#[derive(Debug, Clone)]
pub(crate) struct BuiltDemo {
    /// The page that shows it, relative to the book's output directory.
    pub(crate) page: String,
    /// Lines its output panel must contain.
    pub(crate) expect: Vec<String>,
}

/// Builds every demo into `book_dir/demos/`.
pub(crate) fn build(ws: &Workspace, book_dir: &Path) -> Result<Vec<BuiltDemo>> {
    let demos: Vec<_> = ws
        .recipes()
        .filter(|c| c.meta.as_ref().is_some_and(|m| m.demo))
        .collect();
    let mut built = Vec::new();
    if demos.is_empty() {
        built.extend(build_nightly(ws, book_dir)?);
        return Ok(built);
    }
    println!(
        "  → building {} demo(s) for wasm32 (demo profile)",
        demos.len()
    );
    build_wasm(ws, &demo_packages(ws), "the demos")?;
    for c in demos {
        let wasm = ws
            .target_dir
            .join("wasm32-unknown-unknown/demo")
            .join(format!("{}.wasm", c.ident()));
        bind_for_web(&wasm, &book_dir.join("demos").join(&c.name))?;
        built.push(BuiltDemo {
            page: format!("recipes/{}.html", c.name),
            expect: c
                .meta
                .as_ref()
                .map(|m| m.demo_expect.clone())
                .unwrap_or_default(),
        });
    }
    // The demos of the nightly recipes outside the workspace (a threads build, say).
    built.extend(build_nightly(ws, book_dir)?);
    Ok(built)
}

/// The workspace's recipes with a live demo (`demo = true`), by package name: the packages
/// [`build`] builds in one `cargo build`. Build the same set elsewhere (the size bench) so
/// that cargo resolves the same features and finds the book's build fresh.
pub(crate) fn demo_packages(ws: &Workspace) -> Vec<&str> {
    ws.recipes()
        .filter(|c| c.meta.as_ref().is_some_and(|m| m.demo))
        .map(|c| c.name.as_str())
        .collect()
}

/// `cargo build --profile demo --lib --target wasm32-unknown-unknown -p <each package>`:
/// release, optimised for size, with LTO (the workspace's `demo` profile).
pub(crate) fn build_wasm(ws: &Workspace, packages: &[&str], what: &str) -> Result<()> {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(&ws.root).args([
        "build",
        "--profile",
        "demo",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    for p in packages {
        cargo.args(["-p", p]);
    }
    let status = cargo
        .status()
        .with_context(|| format!("running cargo build for {what}"))?;
    if !status.success() {
        bail!("building {what} failed ({status})");
    }
    Ok(())
}

/// `wasm-bindgen --target web` of `wasm` into `out`: the glue a page imports.
///
/// The module ships without its `name` section (function names, for stack traces and
/// profilers) and its `producers` section: a page's reader never sees them, and the name
/// section alone was 30% of the Rhai demo (436 KB of 1.44 MB; 427 KB gzipped before, 319 KB
/// after). A panic still reports its message; a stack trace shows `wasm-function[N]`.
pub(crate) fn bind_for_web(wasm: &Path, out: &Path) -> Result<()> {
    let status = Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
        ])
        .arg(out)
        .arg(wasm)
        .status()
        .context("running wasm-bindgen (run `cargo xtask setup`)")?;
    if !status.success() {
        bail!("wasm-bindgen failed for {} ({status})", wasm.display());
    }
    Ok(())
}

/// Builds the live demos of the out-of-workspace recipes (`demo = true`) into
/// `book_dir/demos/<recipe>/`: a release threads build of the library, then
/// `wasm-bindgen --target web`, as [`build`] does for the workspace's demos. The
/// recipe's page holds the demo's placeholder itself (these recipes have no generated part).
fn build_nightly(ws: &Workspace, book_dir: &Path) -> Result<Vec<BuiltDemo>> {
    let mut built = Vec::new();
    for rel in nightly::RECIPES {
        let recipe = nightly::NightlyRecipe::load(&ws.root, rel)?;
        if !recipe.demo {
            continue;
        }
        nightly::ensure_toolchain(&recipe)?;
        println!(
            "  → building the {} demo (threads build, release)",
            recipe.name
        );
        let status = recipe
            .cargo(
                ws,
                &[
                    "build",
                    "--release",
                    "--lib",
                    "--target",
                    "wasm32-unknown-unknown",
                    nightly::BUILD_STD,
                ],
            )
            .status()
            .with_context(|| format!("building the {} demo", recipe.name))?;
        if !status.success() {
            bail!("building the {} demo failed ({status})", recipe.name);
        }
        let wasm = ws
            .target_dir
            .join("nightly/wasm32-unknown-unknown/release")
            .join(format!("{}.wasm", recipe.name.replace('-', "_")));
        bind_for_web(&wasm, &book_dir.join("demos").join(&recipe.name))?;
        built.push(BuiltDemo {
            page: format!("recipes/{}.html", recipe.name),
            expect: recipe.demo_expect,
        });
    }
    Ok(built)
}
