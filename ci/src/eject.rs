//! `cargo xtask eject <recipe> <dir>`: a recipe as a standalone project, the start of the
//! reader's own.
//!
//! Inside this repository a recipe inherits from the workspace: `version.workspace = true`,
//! `wasm-bindgen.workspace = true`, `[lints] workspace = true`, the runtime crates as
//! workspace path dependencies, the toolchain file and the wasm32 test runner in
//! `.cargo/config.toml`. Copying its folder out gives a crate that does not build. `eject`
//! writes one that does:
//!
//! - its `Cargo.toml` with every inherited field, dependency and lint table resolved from the
//!   root `Cargo.toml` (comments and layout of the recipe's own manifest are kept, through
//!   `toml_edit`), the root's `[profile.*]` tables, and an empty `[workspace]` so the project
//!   is its own workspace wherever it is put;
//! - the runtime crates required by version (`wasm-rs-async-executor = "0.10.0"`), as any
//!   app names them, plus a commented `[patch.crates-io]` that finds them in this checkout
//!   (absolute paths) or, with `--git <url>`, in that repository, until they are released;
//! - the recipe's files (sources, tests, `www/`), the book's shared JS (`js/`, with the
//!   sources' `module = "/../../book/src/js/..."` imports pointed at that copy), the
//!   repository's `Cargo.lock` (so it builds with the versions that were tested here),
//!   `.cargo/config.toml` with the wasm32 runner, `rust-toolchain.toml`, and a README with the
//!   commands to build and test it.
//!
//! Any other path dependency points into this checkout (an absolute path), or with `--git`
//! into that repository, except one on another recipe. A recipe may build on others (an
//! example app composed of lesson crates, each a recipe of its own; they are not published,
//! so they cannot be required by version): each recipe it uses, directly or through another,
//! is copied once into `crates/<name>/`, with either source, since a lesson is code the
//! reader owns like the recipe itself. Its files are copied as the recipe's are, less the
//! toolchain file and cargo config; its manifest is resolved the same way, without
//! `[workspace]`, `[profile.*]` or `[patch.crates-io]` tables, which cargo reads from the
//! root only (the root's patch covers the runtime crates of every crate in the project); and
//! each dependency on it becomes a relative path (`crates/<name>` from the root, `../<name>`
//! between two copies). Being path dependencies inside the project's folder, the copies are
//! members of its workspace without being listed; the README names each one and says that
//! `cargo test --workspace` tests them too.
//!
//! [`check_all`] is the `eject` suite of `cargo xtask test`: it ejects one recipe of each
//! shape (plain, worker, server, browser-only, and composed when some recipe builds on
//! another) under `target/xtask/eject/`, builds it and runs its tests from the ejected copy
//! (natively with `--workspace`, so the copied recipes' tests too, and in Node; in Chromium
//! for a browser-only recipe; natively only for a composed one); with `--deep` it also ejects
//! and builds every other recipe.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, Value};

use crate::outcome::Outcome;
use crate::process::{self, LogMode, Logged, tail};
use crate::workspace::{Crate, Workspace};

/// Arguments of `cargo xtask eject`.
#[derive(Debug, clap::Args)]
pub(crate) struct EjectArgs {
    /// The recipe to start from: its crate name, e.g. `hello-wasm-rs`.
    recipe: String,
    /// Where to write the new project; it must not exist yet, or be an empty directory.
    dir: PathBuf,
    /// Depend on the runtime crates through this git repository (e.g. the project's GitHub
    /// URL) instead of through paths into this checkout.
    #[arg(long, value_name = "URL")]
    git: Option<String>,
}

/// Where the ejected project gets the crates that live in this repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// Path dependencies on this checkout, written as absolute paths.
    Path,
    /// Git dependencies on this URL; cargo finds each crate in the repository by name.
    Git(String),
}

/// Runs `cargo xtask eject`.
pub(crate) fn run(ws: &Workspace, args: &EjectArgs) -> Result<()> {
    let recipe = find_recipe(ws, &args.recipe)?;
    let source = match &args.git {
        Some(url) if url.trim().is_empty() => {
            bail!("--git needs the repository's URL, e.g. --git https://example.org/wasm-rs.git")
        }
        Some(url) => Source::Git(url.trim().to_string()),
        None => Source::Path,
    };
    let dir = normalize(&absolute(&args.dir)?);
    eject(ws, recipe, &dir, &source)?;
    println!("ejected {} into {}", recipe.name, dir.display());
    println!("next: cd {} && cargo test", dir.display());
    Ok(())
}

fn find_recipe<'a>(ws: &'a Workspace, name: &str) -> Result<&'a Crate> {
    ws.recipes().find(|c| c.name == name).with_context(|| {
        let names: Vec<&str> = ws.recipes().map(|c| c.name.as_str()).collect();
        format!(
            "`{name}` is not a recipe; choose one of: {}",
            if names.is_empty() {
                "(there are no recipes yet)".to_string()
            } else {
                names.join(", ")
            }
        )
    })
}

fn absolute(p: &Path) -> Result<PathBuf> {
    Ok(if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .context("reading the current directory")?
            .join(p)
    })
}

/// Writes the standalone project for `recipe` into `dir` (which must not exist, or be empty).
pub(crate) fn eject(ws: &Workspace, recipe: &Crate, dir: &Path, source: &Source) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("{} exists and is not a directory", dir.display()))?
            .next()
            .is_none();
        if !empty {
            bail!(
                "{} already exists and is not empty: choose a new directory, or remove it first",
                dir.display()
            );
        }
    }
    // The workspace's member globs (`recipes/*`, `runtime/*`) would pick up a project put
    // there, and its own [workspace] table would then break this workspace.
    if let Some(inside) = ["recipes", "runtime", "ci"]
        .iter()
        .map(|d| ws.root.join(d))
        .find(|d| dir.starts_with(d))
    {
        bail!(
            "{} is inside {}, where cargo would take it for a member of this workspace; \
             choose a directory outside the repository (or under target/)",
            dir.display(),
            inside.display()
        );
    }
    let root_manifest = read(&ws.root.join("Cargo.toml"))?;
    let recipe_manifest = read(&recipe.dir.join("Cargo.toml"))?;
    let recipes: Vec<&Crate> = ws.recipes().collect();
    let manifests = standalone_manifests(
        &recipe_manifest,
        &root_manifest,
        &ws.root,
        &recipe.dir,
        source,
        &recipes,
    )
    .with_context(|| format!("{}: resolving its Cargo.toml", recipe.name))?;

    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    copy_recipe_files(&recipe.dir, dir, Place::Root)?;
    write(&dir.join("Cargo.toml"), &manifests.root)?;
    // The recipes it builds on, as members of its workspace.
    for (c, manifest) in &manifests.nested {
        let to = dir.join(NESTED_DIR).join(&c.name);
        if to.exists() {
            bail!(
                "{} has a folder {NESTED_DIR}/{} of its own, where eject would copy the recipe {} it uses",
                recipe.name,
                c.name,
                c.name
            );
        }
        std::fs::create_dir_all(&to).with_context(|| format!("creating {}", to.display()))?;
        copy_recipe_files(&c.dir, &to, Place::Nested)?;
        write(&to.join("Cargo.toml"), manifest)?;
        rebase_book_imports(&to, BOOK_JS_NESTED)?;
        copy_bench_report(ws, &to)?;
    }

    // The versions tested here; cargo drops the entries this project does not use.
    if let Ok(lock) = std::fs::read(ws.root.join("Cargo.lock")) {
        std::fs::write(dir.join("Cargo.lock"), lock)?;
    }
    // A recipe that pins its own toolchain (a nightly one) keeps it.
    if !dir.join("rust-toolchain.toml").exists() {
        std::fs::copy(
            ws.root.join("rust-toolchain.toml"),
            dir.join("rust-toolchain.toml"),
        )
        .context("copying rust-toolchain.toml")?;
    }
    // Likewise its own cargo config (rustflags for a threads build, say).
    if !dir.join(".cargo/config.toml").exists() {
        std::fs::create_dir_all(dir.join(".cargo"))?;
        write(&dir.join(".cargo/config.toml"), CARGO_CONFIG)?;
    }
    if !dir.join(".gitignore").exists() {
        write(&dir.join(".gitignore"), "/target\n")?;
    }
    let web = copy_web(ws, recipe, &dir.join("web"))?;
    rebase_book_imports(dir, BOOK_JS_EJECTED)?;
    copy_bench_report(ws, dir)?;
    let nested: Vec<&Crate> = manifests.nested.iter().map(|(c, _)| *c).collect();
    let readme = readme(ws, recipe, source, &web, &nested)?;
    write(&dir.join("README.md"), &readme)?;
    Ok(())
}

const CARGO_CONFIG: &str = "\
[target.wasm32-unknown-unknown]
# `cargo test --target wasm32-unknown-unknown` runs the tests through wasm-bindgen's runner:
# in Node by default, in a headless browser with WASM_BINDGEN_USE_BROWSER=1, in a dedicated
# worker with WASM_BINDGEN_USE_DEDICATED_WORKER=1 (see README.md).
runner = \"wasm-bindgen-test-runner\"
";

fn read(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
}

fn write(p: &Path, text: &str) -> Result<()> {
    std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))
}

/// Where a recipe's files go in the ejected project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The ejected recipe, at the project's root.
    Root,
    /// Another recipe it uses, under `crates/<name>/`: a member of the root's workspace,
    /// which holds the one `Cargo.lock`, toolchain file, cargo config and README.
    Nested,
}

/// Copies the recipe's files, except what eject writes itself and build output: cargo's
/// `target/`, and inside a bundler project (`vite/`, say) npm's `node_modules/`, the
/// wasm-bindgen output `pkg/` and the bundle `dist/`. A nested recipe also leaves out its
/// own toolchain file and cargo config, which cargo would not read there.
fn copy_recipe_files(from: &Path, to: &Path, place: Place) -> Result<()> {
    let mut skip = vec!["Cargo.toml", "Cargo.lock", "README.md", "target"];
    if place == Place::Nested {
        skip.extend(["rust-toolchain.toml", "rust-toolchain", ".cargo"]);
    }
    let skip_below = ["node_modules", "pkg", "dist"];
    let named = |e: &walkdir::DirEntry, names: &[&str]| {
        names
            .iter()
            .any(|s| e.file_name() == std::ffi::OsStr::new(s))
    };
    let walker = walkdir::WalkDir::new(from)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| {
            !((e.depth() == 1 && named(e, &skip))
                || (e.depth() == 2 && e.file_type().is_dir() && named(e, &skip_below)))
        });
    for entry in walker {
        let entry = entry.with_context(|| format!("reading {}", from.display()))?;
        let rel = entry
            .path()
            .strip_prefix(from)
            .expect("walkdir yields paths under its root");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// How a recipe's Rust code names a file of the book's shared JS (`book/src/js/`) in
/// `#[wasm_bindgen(module = ...)]`: relative to the recipe's root, which is two folders down.
const BOOK_JS_IN_REPO: &str = "\"/../../book/src/js/";
/// The same files in an ejected project, where [`copy_web`] puts them.
const BOOK_JS_EJECTED: &str = "\"/web/js/";
/// The same files seen from a recipe copied under `crates/<name>/`.
const BOOK_JS_NESTED: &str = "\"/../../web/js/";

/// Points the ejected sources' `module = "/../../book/src/js/x.js"` imports (the worker
/// loader, say) at the copies under the project's `web/js/` (`to` is how the crate in `dir`
/// names that folder: [`BOOK_JS_EJECTED`] or [`BOOK_JS_NESTED`]), so the project builds
/// outside the repository while the repository keeps one copy of each script.
fn rebase_book_imports(dir: &Path, to: &str) -> Result<()> {
    for sub in ["src", "tests", "benches", "examples"] {
        for entry in walkdir::WalkDir::new(dir.join(sub)).into_iter().flatten() {
            let path = entry.path();
            if !entry.file_type().is_file() || path.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let text = read(path)?;
            if text.contains(BOOK_JS_IN_REPO) {
                write(path, &rebase_book_js(&text, to))?;
            }
        }
    }
    Ok(())
}

fn rebase_book_js(text: &str, to: &str) -> String {
    text.replace(BOOK_JS_IN_REPO, to)
}

/// How a bench names the report format it shares with `cargo xtask bench`, from
/// `benches/` in this repository.
const BENCH_REPORT_IN_REPO: &str = "#[path = \"../../../ci/bench-support/report.rs\"]";
/// The same file in an ejected project, copied next to the benches.
const BENCH_REPORT_EJECTED: &str = "#[path = \"support/report.rs\"]";

/// Gives an ejected recipe's benches their copy of `ci/bench-support/report.rs` (under
/// `benches/support/`, where cargo does not take it for a bench of its own), so that
/// `cargo bench` builds outside the repository.
fn copy_bench_report(ws: &Workspace, dir: &Path) -> Result<()> {
    let benches = dir.join("benches");
    let mut uses = false;
    for entry in walkdir::WalkDir::new(&benches)
        .max_depth(1)
        .into_iter()
        .flatten()
    {
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let text = read(path)?;
        if text.contains(BENCH_REPORT_IN_REPO) {
            write(
                path,
                &text.replace(BENCH_REPORT_IN_REPO, BENCH_REPORT_EJECTED),
            )?;
            uses = true;
        }
    }
    if uses {
        std::fs::create_dir_all(benches.join("support"))?;
        std::fs::copy(
            ws.root.join("ci/bench-support/report.rs"),
            benches.join("support/report.rs"),
        )
        .context("copying ci/bench-support/report.rs")?;
    }
    Ok(())
}

/// What [`copy_web`] wrote under `web/`.
#[derive(Debug, Default)]
struct Web {
    /// The shared scripts copied from the book, e.g. `js/demo-runner.js`.
    files: Vec<String>,
    /// Whether `web/index.html` runs the recipe's demo.
    page: bool,
}

/// Copies the book's shared JS (the demo runner, its worker, the cross-origin-isolation
/// service worker and the demo panel's CSS) into `to`, laid out as the runner expects them
/// relative to the page; for a recipe with a demo, also writes `index.html` with its Run
/// button.
fn copy_web(ws: &Workspace, recipe: &Crate, to: &Path) -> Result<Web> {
    let src = ws.root.join("book/src");
    let mut web = Web::default();
    let mut copy = |rel: String| -> Result<()> {
        let dest = to.join(&rel);
        std::fs::create_dir_all(dest.parent().expect("under web/"))?;
        std::fs::copy(src.join(&rel), &dest).with_context(|| format!("copying book/src/{rel}"))?;
        web.files.push(rel);
        Ok(())
    };
    for (dir, ext) in [("js", "js"), ("css", "css")] {
        let Ok(entries) = std::fs::read_dir(src.join(dir)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == ext))
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .collect();
        names.sort();
        for n in names {
            copy(format!("{dir}/{n}"))?;
        }
    }
    if src.join("coi-sw.js").is_file() {
        copy("coi-sw.js".to_string())?;
    }
    // The worker loader the demo runner imports lives in the wasm-rs-worker crate.
    let loader = to.join(crate::book::LOADER_IN_BOOK);
    std::fs::create_dir_all(loader.parent().expect("under web/"))?;
    std::fs::copy(ws.root.join(crate::book::LOADER_IN_CRATE), &loader)
        .with_context(|| format!("copying {}", crate::book::LOADER_IN_CRATE))?;
    web.files.push(crate::book::LOADER_IN_BOOK.to_string());
    web.files.sort();
    let Some(meta) = recipe.meta.as_ref().filter(|m| m.demo) else {
        return Ok(web);
    };
    if !web.files.iter().any(|f| f == "js/demo-runner.js") {
        return Ok(web);
    }
    let context = meta.demo_context.as_deref().unwrap_or("main");
    let css = web
        .files
        .iter()
        .filter(|f| f.ends_with(".css"))
        .map(|f| format!("  <link rel=\"stylesheet\" href=\"{f}\">\n"))
        .collect::<String>();
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
         <title>{title}</title>\n{css}</head>\n<body>\n  <h1>{title}</h1>\n  \
         <div class=\"wasm-rs-demo\" data-recipe=\"{name}\" data-module=\"{ident}\" data-context=\"{context}\"></div>\n  \
         <script src=\"js/demo-runner.js\"></script>\n</body>\n</html>\n",
        title = html_escape(&meta.title),
        name = recipe.name,
        ident = recipe.ident(),
    );
    write(&to.join("index.html"), &html)?;
    web.page = true;
    Ok(web)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// ---------------------------------------------------------------------------------------
// The manifest
// ---------------------------------------------------------------------------------------

const DEPENDENCY_TABLES: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];

/// Where the other recipes of an ejected project go, relative to its root: one folder each,
/// named after the crate.
const NESTED_DIR: &str = "crates";

/// The manifests of an ejected project.
#[derive(Debug)]
pub(crate) struct Manifests<'a> {
    /// The ejected recipe's, at the project's root: the only one with `[workspace]`,
    /// `[profile.*]` and `[patch.crates-io]` tables (cargo reads those from the root only).
    pub(crate) root: String,
    /// Each other recipe it depends on by path, directly or through another, once, in the
    /// order first reached, with its manifest for `crates/<name>/Cargo.toml`.
    pub(crate) nested: Vec<(&'a Crate, String)>,
}

/// The manifests of the project ejected from the recipe in `recipe_dir`, with everything
/// they inherit from the workspace resolved.
///
/// `root` is the repository (paths in `[workspace.dependencies]` are relative to it),
/// `recipe_dir` the recipe's folder (its own relative paths are relative to it). A path
/// dependency on one of `recipes` (any other recipe of the repository) makes that recipe part
/// of the project: its manifest, resolved the same way, is read from its folder, and the
/// dependency's path becomes the relative path to its copy under `crates/`.
pub(crate) fn standalone_manifests<'a>(
    recipe_manifest: &str,
    root_manifest: &str,
    root: &Path,
    recipe_dir: &Path,
    source: &Source,
    recipes: &[&'a Crate],
) -> Result<Manifests<'a>> {
    let root_doc: DocumentMut = root_manifest
        .parse()
        .context("the workspace Cargo.toml is not valid TOML")?;
    let layout = Layout {
        root,
        top: recipe_dir,
        recipes,
        source,
    };
    let mut top = resolve_manifest(recipe_manifest, &root_doc, recipe_dir, &layout)?;
    let mut patches = std::mem::take(&mut top.patches);
    let mut queue: std::collections::VecDeque<PathBuf> = std::mem::take(&mut top.recipes).into();
    let mut seen: Vec<PathBuf> = vec![recipe_dir.to_path_buf()];
    let mut nested = Vec::new();
    while let Some(dir) = queue.pop_front() {
        if seen.contains(&dir) {
            continue; // Reached twice, or a cycle.
        }
        seen.push(dir.clone());
        let c = *recipes
            .iter()
            .find(|c| c.dir == dir)
            .expect("Layout::place found it among the recipes");
        let manifest = read(&c.dir.join("Cargo.toml"))?;
        let mut r = resolve_manifest(&manifest, &root_doc, &c.dir, &layout).with_context(|| {
            format!(
                "{}: resolving its Cargo.toml (the ejected recipe uses it)",
                c.name
            )
        })?;
        patches.append(&mut r.patches);
        queue.extend(std::mem::take(&mut r.recipes));
        nested.push((c, nested_manifest(r)?));
    }
    Ok(Manifests {
        root: root_project_manifest(top, &root_doc, patches, source)?,
        nested,
    })
}

/// Where each crate of an ejected project goes: the ejected recipe at the root, another
/// recipe under `crates/<name>/`.
struct Layout<'a> {
    /// The repository.
    root: &'a Path,
    /// The ejected recipe's folder.
    top: &'a Path,
    /// Every recipe of the repository, any of which a path dependency may name.
    recipes: &'a [&'a Crate],
    source: &'a Source,
}

impl Layout<'_> {
    /// Where the crate in the repository folder `dir` goes, relative to the project's root
    /// (empty for the ejected recipe); `None` when `dir` holds no recipe.
    fn place(&self, dir: &Path) -> Option<PathBuf> {
        if dir == self.top {
            return Some(PathBuf::new());
        }
        self.recipes
            .iter()
            .find(|c| c.dir == dir)
            .map(|c| Path::new(NESTED_DIR).join(&c.name))
    }
}

/// A recipe's manifest with its inheritance resolved, before the tables only the project's
/// root manifest has.
struct Resolved {
    doc: DocumentMut,
    /// `[patch.crates-io]` entries for the runtime crates it requires.
    patches: std::collections::BTreeMap<String, InlineTable>,
    /// The folders of the other recipes it depends on by path, each once, in the order named.
    recipes: Vec<PathBuf>,
    /// Where the next table written after the recipe's own goes (see [`copy_table`]).
    position: isize,
}

/// Resolves the manifest of the recipe in `recipe_dir`, one of the crates `layout` places.
fn resolve_manifest(
    recipe_manifest: &str,
    root_doc: &DocumentMut,
    recipe_dir: &Path,
    layout: &Layout<'_>,
) -> Result<Resolved> {
    let mut doc: DocumentMut = recipe_manifest
        .parse()
        .context("the recipe's Cargo.toml is not valid TOML")?;
    let ws_table = root_doc
        .get("workspace")
        .and_then(Item::as_table_like)
        .context("the root Cargo.toml has no [workspace] table")?;
    let empty = Table::new();
    let ws_package = ws_table
        .get("package")
        .and_then(Item::as_table_like)
        .unwrap_or(&empty);
    let ws_deps = ws_table
        .get("dependencies")
        .and_then(Item::as_table_like)
        .unwrap_or(&empty);

    // [package]: `field.workspace = true` → the value in [workspace.package].
    let package = doc
        .get_mut("package")
        .and_then(Item::as_table_like_mut)
        .context("the recipe's Cargo.toml has no [package] table")?;
    for (mut key, item) in package.iter_mut() {
        if inherits(item) {
            let value = ws_package
                .get(key.get())
                .and_then(Item::as_value)
                .with_context(|| {
                    format!(
                        "package.{k} says `workspace = true` but the root Cargo.toml has no [workspace.package] {k}",
                        k = key.get()
                    )
                })?;
            let comment = dotted_comment(item);
            *item = Item::Value(fresh(value));
            if let Some(c) = comment {
                key.leaf_decor_mut().set_prefix(c);
            }
        }
    }

    // Dependencies, also under [target.'cfg(...)'].
    let ctx = DepContext {
        recipe_dir,
        place: layout.place(recipe_dir).unwrap_or_default(),
        layout,
        ws_deps,
        patches: Default::default(),
        recipes: Default::default(),
    };
    for name in DEPENDENCY_TABLES {
        if let Some(t) = doc.get_mut(name).and_then(Item::as_table_like_mut) {
            resolve_dependencies(t, &ctx).with_context(|| format!("[{name}]"))?;
        }
    }
    if let Some(targets) = doc.get_mut("target").and_then(Item::as_table_like_mut) {
        for (cfg, item) in targets.iter_mut() {
            let Some(t) = item.as_table_like_mut() else {
                continue;
            };
            for name in DEPENDENCY_TABLES {
                if let Some(deps) = t.get_mut(name).and_then(Item::as_table_like_mut) {
                    resolve_dependencies(deps, &ctx)
                        .with_context(|| format!("[target.'{}'.{name}]", cfg.get()))?;
                }
            }
        }
    }

    // Tables written here go after the recipe's own, in the order they are added.
    let mut position = 1_000_000;
    // [lints] workspace = true → a copy of [workspace.lints].
    if doc.get("lints").is_some_and(inherits) {
        let ws_lints = ws_table
            .get("lints")
            .and_then(Item::as_table_like)
            .context(
                "[lints] says `workspace = true` but the root Cargo.toml has no [workspace.lints]",
            )?;
        doc.insert("lints", Item::Table(copy_table(ws_lints, &mut position)));
    }
    Ok(Resolved {
        doc,
        patches: ctx.patches.take(),
        recipes: ctx.recipes.take(),
        position,
    })
}

/// The project's root manifest: the ejected recipe's, with the root's profiles, the
/// `[patch.crates-io]` of every crate in the project, and an empty `[workspace]`.
fn root_project_manifest(
    top: Resolved,
    root_doc: &DocumentMut,
    patches: std::collections::BTreeMap<String, InlineTable>,
    source: &Source,
) -> Result<String> {
    let Resolved {
        mut doc,
        mut position,
        ..
    } = top;
    // The root's profiles applied to the recipe when it was a member; they still should.
    if let Some(profiles) = root_doc.get("profile").and_then(Item::as_table_like)
        && doc.get("profile").is_none()
    {
        doc.insert("profile", Item::Table(copy_table(profiles, &mut position)));
    }

    // The runtime crates by version, found in this checkout (or repository) until released.
    if !patches.is_empty() {
        let mut crates_io = Table::new();
        for (name, patch) in patches {
            crates_io.insert(&name, Item::Value(Value::InlineTable(patch)));
        }
        crates_io.set_position(Some(position));
        position += 1;
        let from = match source {
            Source::Path => "this project's copy of the wasm-rs repository".to_string(),
            Source::Git(url) => format!("the repository {url}"),
        };
        crates_io.decor_mut().set_prefix(format!(
            "\n# The wasm-rs runtime crates above are required by version, as in any app; until\n\
             # those versions are on the crates registry, cargo takes them from {from}.\n\
             # Delete this section once `cargo search wasm-rs-async-executor` lists them.\n"
        ));
        let mut patch = Table::new();
        patch.set_implicit(true);
        patch.insert("crates-io", Item::Table(crates_io));
        doc.insert("patch", Item::Table(patch));
    }

    // Its own workspace, so that cargo does not look for one in the folders above it. The
    // recipes under crates/ are members without being listed: they are path dependencies
    // inside the workspace's folder.
    let mut workspace = Table::new();
    workspace.set_position(Some(position));
    workspace.decor_mut().set_prefix(
        "\n# This project is its own workspace, wherever it is put (written by `cargo xtask eject`).\n",
    );
    doc.insert("workspace", Item::Table(workspace));
    all_resolved(doc.to_string())
}

/// The manifest of a recipe copied under `crates/`: a member of the project's workspace, so
/// without the `[workspace]` and `[profile.*]` tables cargo reads from the root only (the
/// root also holds the `[patch.crates-io]` for its runtime crates).
fn nested_manifest(r: Resolved) -> Result<String> {
    let mut doc = r.doc;
    doc.remove("workspace");
    doc.remove("profile");
    all_resolved(doc.to_string())
}

/// Refuses to write something cargo would reject as inheriting.
fn all_resolved(text: String) -> Result<String> {
    if let Some(line) = text.lines().find(|l| {
        !l.trim_start().starts_with('#')
            && (l.contains("workspace = true") || l.contains(".workspace"))
    }) {
        bail!("an inherited field was left unresolved: `{}`", line.trim());
    }
    Ok(text)
}

/// The folders of the other recipes that the recipe `c` depends on by path (any dependency
/// table; directly, not through another recipe), as eject finds them.
fn recipes_used(ws: &Workspace, c: &Crate) -> Result<Vec<PathBuf>> {
    let root_doc: DocumentMut = read(&ws.root.join("Cargo.toml"))?
        .parse()
        .context("the workspace Cargo.toml is not valid TOML")?;
    let recipes: Vec<&Crate> = ws.recipes().collect();
    let layout = Layout {
        root: &ws.root,
        top: &c.dir,
        recipes: &recipes,
        source: &Source::Path,
    };
    let manifest = read(&c.dir.join("Cargo.toml"))?;
    let r = resolve_manifest(&manifest, &root_doc, &c.dir, &layout)
        .with_context(|| format!("{}: resolving its Cargo.toml", c.name))?;
    Ok(r.recipes)
}

struct DepContext<'a> {
    recipe_dir: &'a Path,
    /// Where the crate goes in the project, relative to its root.
    place: PathBuf,
    layout: &'a Layout<'a>,
    ws_deps: &'a dyn TableLike,
    /// `[patch.crates-io]` entries for the runtime crates, filled while resolving.
    patches: std::cell::RefCell<std::collections::BTreeMap<String, InlineTable>>,
    /// The other recipes depended on by path, each once, filled while resolving.
    recipes: std::cell::RefCell<Vec<PathBuf>>,
}

/// `x.workspace = true`, `x = { workspace = true, ... }` or `[lints] workspace = true`.
fn inherits(item: &Item) -> bool {
    item.as_table_like()
        .and_then(|t| t.get("workspace"))
        .and_then(Item::as_bool)
        == Some(true)
}

/// The comment above a dotted key (`# why\nx.workspace = true`), which toml_edit keeps on
/// the inner key: it must move to the outer key when the item is replaced by a value.
fn dotted_comment(item: &Item) -> Option<String> {
    let t = item.as_table().filter(|t| t.is_dotted())?;
    let (first, _) = t.iter().next()?;
    let prefix = t.key(first)?.leaf_decor().prefix()?.as_str()?;
    Some(prefix.to_string()).filter(|p| !p.trim().is_empty())
}

/// A value without the layout it had in its old place.
fn fresh(v: &Value) -> Value {
    let mut v = v.clone();
    v.decor_mut().clear();
    v
}

/// A new table holding the same values and subtables as `from` (no comments carried over
/// from the other document), its tables numbered from `position` on so that they are
/// written in that order, after the recipe's own tables.
fn copy_table(from: &dyn TableLike, position: &mut isize) -> Table {
    let mut t = Table::new();
    t.set_implicit(true);
    t.set_position(Some(*position));
    *position += 1;
    for (k, item) in from.iter() {
        match item {
            Item::Value(v) => {
                t.insert(k, Item::Value(fresh(v)));
            }
            Item::Table(sub) => {
                t.insert(k, Item::Table(copy_table(sub, position)));
            }
            other => {
                t.insert(k, other.clone());
            }
        }
    }
    t
}

fn resolve_dependencies(deps: &mut dyn TableLike, ctx: &DepContext<'_>) -> Result<()> {
    for (mut key, item) in deps.iter_mut() {
        let name = key.get().to_string();
        let resolved = resolve_dependency(&name, item, ctx).with_context(|| name.clone())?;
        if let Some(t) = resolved {
            let comment = dotted_comment(item);
            // `x = "1"` rather than `x = { version = "1" }`.
            let version = t.get("version").and_then(Value::as_str).map(str::to_string);
            *item = match version {
                Some(v) if t.len() == 1 => Item::Value(v.into()),
                _ => Item::Value(Value::InlineTable(t)),
            };
            if let Some(c) = comment {
                key.leaf_decor_mut().set_prefix(c);
            }
        }
    }
    Ok(())
}

/// The standalone form of one dependency, or `None` when it needs no change.
fn resolve_dependency(
    name: &str,
    item: &Item,
    ctx: &DepContext<'_>,
) -> Result<Option<InlineTable>> {
    let Some(local) = item.as_table_like() else {
        return Ok(None); // `x = "1"`: nothing inherited, no path.
    };
    let mut out = InlineTable::new();
    // Where relative paths in `out` are relative to.
    let mut base = ctx.recipe_dir;
    if inherits(item) {
        let ws = ctx.ws_deps.get(name).with_context(|| {
            "says `workspace = true` but the root Cargo.toml's [workspace.dependencies] does not list it"
        })?;
        if let Some(version) = ws.as_str() {
            out.insert("version", version.into());
        } else if let Some(t) = ws.as_table_like() {
            for (k, v) in t.iter() {
                if let Some(v) = v.as_value() {
                    out.insert(k, fresh(v));
                }
            }
        } else {
            bail!("[workspace.dependencies] {name} is neither a version nor a table");
        }
        base = ctx.layout.root;
        for (k, v) in local.iter() {
            let Some(v) = v.as_value() else { continue };
            match k {
                "workspace" => {}
                // Features add to the workspace's; every other key is the member's own.
                "features" => {
                    let mut all: Array = out
                        .get("features")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    for f in v.as_array().into_iter().flatten() {
                        if !all.iter().any(|x| x.as_str() == f.as_str()) {
                            all.push(fresh(f));
                        }
                    }
                    out.insert("features", Value::Array(all));
                }
                _ => {
                    out.insert(k, fresh(v));
                }
            }
        }
    } else if local.contains_key("path") {
        for (k, v) in local.iter() {
            if let Some(v) = v.as_value() {
                out.insert(k, fresh(v));
            }
        }
    } else {
        return Ok(None);
    }

    if let Some(path) = out.get("path").and_then(Value::as_str).map(PathBuf::from) {
        let target = normalize(&base.join(&path));
        if target.starts_with(ctx.recipe_dir) {
            // Inside the recipe (e.g. `path = "."`): copied along, so the relative path holds.
            let rel = target
                .strip_prefix(ctx.recipe_dir)
                .expect("checked by starts_with");
            let rel = if rel.as_os_str().is_empty() {
                ".".to_string()
            } else {
                rel.to_string_lossy().replace('\\', "/")
            };
            out.insert("path", rel.as_str().into());
        } else if let Some(there) = ctx.layout.place(&target) {
            // Another recipe (a lesson this one builds on): copied into the project as well,
            // whatever the source, since it is code the reader owns like the recipe itself.
            out.insert("path", relative(&ctx.place, &there).as_str().into());
            let mut recipes = ctx.recipes.borrow_mut();
            if target != ctx.layout.top && !recipes.contains(&target) {
                recipes.push(target);
            }
        } else if target.starts_with(ctx.layout.root) && out.contains_key("version") {
            // A runtime crate: required by version, as a user's app names it; found through
            // `[patch.crates-io]` until that version is on the crates registry.
            out.remove("path");
            let mut patch = InlineTable::new();
            match ctx.layout.source {
                Source::Git(url) => patch.insert("git", url.as_str().into()),
                Source::Path => patch.insert("path", target.to_string_lossy().as_ref().into()),
            };
            ctx.patches.borrow_mut().insert(name.to_string(), patch);
        } else if let (Source::Git(url), true) =
            (ctx.layout.source, target.starts_with(ctx.layout.root))
        {
            out.remove("path");
            out.insert("git", url.as_str().into());
        } else {
            out.insert("path", target.to_string_lossy().as_ref().into());
        }
    }
    out.fmt();
    Ok(Some(out))
}

/// The path from the project folder `from` to the project folder `to`, both relative to the
/// project's root, as a manifest writes it: `crates/b` from the root, `../b` from
/// `crates/a`, `../..` from `crates/a` to the root.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// Removes `.` and `..` components without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The README
// ---------------------------------------------------------------------------------------

fn readme(
    ws: &Workspace,
    recipe: &Crate,
    source: &Source,
    web: &Web,
    nested: &[&Crate],
) -> Result<String> {
    let (title, summary) = recipe
        .meta
        .as_ref()
        .map(|m| (m.title.clone(), m.summary.clone()))
        .unwrap_or_else(|| (recipe.name.clone(), String::new()));
    let bindgen = ws.wasm_bindgen_version()?;
    let envs = recipe.environments()?;
    let browser = envs.iter().any(|e| e.engine().is_some());
    let origin = match source {
        Source::Path => format!(
            "The wasm-rs runtime crates are required by version, as in any app. Until those\n\
             versions are on the crates registry, `[patch.crates-io]` in `Cargo.toml` takes them\n\
             from the checkout it came from (`{}`): keep that checkout, or eject again with\n\
             `--git <url>`. Delete that section once the versions are released.",
            ws.root.display()
        ),
        Source::Git(url) => format!(
            "The wasm-rs runtime crates are required by version, as in any app. Until those\n\
             versions are on the crates registry, `[patch.crates-io]` in `Cargo.toml` takes them\n\
             from <{url}>. Delete that section once the versions are released."
        ),
    };
    let mut s = format!(
        "# {title}\n\n{summary}\n\n\
         This project started as the wasm-rs cookbook recipe `{name}` and was written by\n\
         `cargo xtask eject {name} <dir>`. It is a workspace of its own: every version is in\n\
         `Cargo.toml`, and `Cargo.lock` holds the versions the recipe was tested with.\n\
         {origin}\n\n\
         ## Build and test\n\n\
         ```sh\n\
         cargo test                                          # natively\n\
         cargo test --target wasm32-unknown-unknown --tests  # compiled to wasm, run in Node\n\
         ```\n\n\
         The second command runs the tests through `wasm-bindgen-test-runner` (set in\n\
         `.cargo/config.toml`), which must match the wasm-bindgen version in `Cargo.lock`:\n\
         `cargo install wasm-bindgen-cli --version ={bindgen}`. It needs Node.js on the `PATH`.\n",
        name = recipe.name,
    );
    if !nested.is_empty() {
        s.push_str(&format!(
            "\n## The recipes it builds on\n\n\
             `{name}` builds on other recipes of the cookbook, each copied here as a crate of\n\
             this workspace and yours to change like the rest (path dependencies inside this\n\
             folder, they are members without being listed in `Cargo.toml`):\n\n",
            name = recipe.name,
        ));
        for c in nested {
            let title = c
                .meta
                .as_ref()
                .map_or(c.name.as_str(), |m| m.title.as_str());
            s.push_str(&format!("- `{NESTED_DIR}/{}/`: {title}\n", c.name));
        }
        s.push_str(
            "\n`cargo test` tests this crate only; `cargo test --workspace` tests them too (the\n\
             wasm test commands take `--workspace` as well).\n",
        );
    }
    if browser {
        s.push_str(
            "\nThe same wasm tests run in a headless browser, on the page's main thread or in a\n\
             dedicated worker, when you name a WebDriver server:\n\n\
             ```sh\n\
             WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \\\n    \
             cargo test --target wasm32-unknown-unknown --tests\n\
             WASM_BINDGEN_USE_DEDICATED_WORKER=1 CHROMEDRIVER=/usr/bin/chromedriver \\\n    \
             cargo test --target wasm32-unknown-unknown --tests\n\
             ```\n\n\
             (`GECKODRIVER=...` for Firefox; the runner serves the page cross-origin isolated, so\n\
             `SharedArrayBuffer` is available.)\n",
        );
    }
    if web.page {
        s.push_str(&format!(
            "\n## Run the demo in a browser\n\n\
             `web/` holds the page the cookbook shows for this recipe: `index.html` with its Run\n\
             button, and the cookbook's shared loader ({files}). Build the module it loads and\n\
             serve `web/` with `Cross-Origin-Opener-Policy: same-origin` and\n\
             `Cross-Origin-Embedder-Policy: require-corp` (needed for `SharedArrayBuffer`; on a\n\
             host that cannot send them, `coi-sw.js` adds them after one reload):\n\n\
             ```sh\n\
             cargo build --release --lib --target wasm32-unknown-unknown\n\
             wasm-bindgen --target web --no-typescript --out-dir web/demos/{name} \\\n    \
             target/wasm32-unknown-unknown/release/{ident}.wasm\n\
             ```\n",
            files = web
                .files
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
            name = recipe.name,
            ident = recipe.ident()
        ));
    } else if !web.files.is_empty() {
        s.push_str(&format!(
            "\n## The browser loader\n\n\
             `web/` holds the cookbook's shared loader ({}), which runs an exported async\n\
             `run_demo` function of a `wasm-bindgen --target web` module in a page or a worker.\n",
            web.files
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(s)
}

// ---------------------------------------------------------------------------------------
// The `eject` suite of `cargo xtask test`
// ---------------------------------------------------------------------------------------

/// The kinds of recipe an ejected project can be, each exercising a different part of
/// eject and of the reader's first build: a recipe's shape is read from its manifest, its
/// metadata and its folder by [`shape_of`], never from a list of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Shape {
    /// A library tested natively and in Node, starting no worker (`hello-wasm-rs`).
    Plain,
    /// Starts workers with the `wasm-rs-worker` crate and runs in Node too: the loader
    /// script is copied under `web/` (`worker-basics`).
    Worker,
    /// Ships a native binary (`[[bin]]`, `src/main.rs` or `src/bin/`), a server say
    /// (`state-sync`).
    Server,
    /// Its wasm tests run only in browsers (it declares no `node`): the ejected copy is
    /// tested in Chromium (`worker-pool`).
    BrowserOnly,
    /// Depends on other recipes by path (an example app built from lessons, `opfs-kv-worker`):
    /// the ejected copy holds them under `crates/`, and is tested natively only, with
    /// `cargo test --workspace`, so that their native tests run from their copies too. Not
    /// every run has one: the shape is listed only when a recipe has it.
    Composed,
    /// Fits none of the shapes above (it declares no wasm environment, say): every such
    /// recipe is ejected, built and tested until [`shape_of`] is taught its shape.
    Other,
}

impl Shape {
    /// The shapes every run should find a recipe of.
    const EXPECTED: [Shape; 4] = [
        Shape::Plain,
        Shape::Worker,
        Shape::Server,
        Shape::BrowserOnly,
    ];
    /// The shapes listed only when some recipe has them.
    const OPTIONAL: [Shape; 2] = [Shape::Composed, Shape::Other];

    fn name(self) -> &'static str {
        match self {
            Shape::Plain => "plain",
            Shape::Worker => "worker",
            Shape::Server => "server",
            Shape::BrowserOnly => "browser-only",
            Shape::Composed => "composed",
            Shape::Other => "other",
        }
    }

    fn rule(self) -> &'static str {
        match self {
            Shape::Plain => "tested in Node, no wasm-rs-worker dependency, no binary",
            Shape::Worker => "depends on wasm-rs-worker and is tested in Node",
            Shape::Server => "has a native binary: [[bin]], src/main.rs or src/bin/",
            Shape::BrowserOnly => "declares wasm environments, none of them node",
            Shape::Composed => "depends on another recipe by path",
            Shape::Other => "no rule of the known shapes matches it",
        }
    }
}

/// What the shape rule and the choice within a shape look at, read by [`Traits::read`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Traits {
    /// A native binary: a `[[bin]]` table, `src/main.rs` or a `src/bin/` folder.
    native_bin: bool,
    /// `wasm-rs-worker` in any dependency table (normal, dev or build; any target).
    worker_crate: bool,
    /// Declares the `node` environment.
    node: bool,
    /// Declares any wasm environment (node or a browser).
    wasm: bool,
    /// Declares `chromium-main`, `chromium-worker`: where a browser-only copy is tested.
    chromium: Option<crate::env::Environment>,
    /// A demo: eject writes `web/index.html` with its Run button.
    demo: bool,
    /// Ships a `www/` folder of its own.
    www: bool,
    /// How many platform features it `requires`.
    requires: usize,
    /// How many other recipes it depends on by path (directly), which eject copies under
    /// `crates/`.
    recipes_used: usize,
}

impl Traits {
    /// Reads a recipe's manifest, metadata and folder; which of its dependencies are other
    /// recipes of `ws`, eject's own resolution of its manifest says.
    fn read(ws: &Workspace, c: &Crate) -> Result<Self> {
        let manifest = read(&c.dir.join("Cargo.toml"))?;
        let mut t = manifest_traits(&manifest)
            .with_context(|| format!("{}: reading its Cargo.toml", c.name))?;
        t.recipes_used = recipes_used(ws, c)?.len();
        t.native_bin |= c.dir.join("src/main.rs").is_file() || c.dir.join("src/bin").is_dir();
        t.www = c.dir.join("www").is_dir();
        t.add_metadata(c)?;
        Ok(t)
    }

    fn add_metadata(&mut self, c: &Crate) -> Result<()> {
        use crate::env::{Context as PageContext, Engine, Environment};
        let envs = c.environments()?;
        self.node = envs.contains(&Environment::Node);
        self.wasm = envs.iter().any(|e| e.is_wasm());
        self.chromium = [PageContext::Main, PageContext::Worker]
            .into_iter()
            .map(|ctx| Environment::Browser(Engine::Chromium, ctx))
            .find(|e| envs.contains(e));
        if let Some(m) = &c.meta {
            self.demo = m.demo;
            self.requires = m.requires.len();
        }
        Ok(())
    }

    /// How much of eject's own output the recipe's copy exercises: the demo page, its
    /// `www/`, the worker loader in use, each recipe it builds on. The recipe of a shape
    /// scoring highest is tested.
    fn coverage(&self) -> usize {
        usize::from(self.demo)
            + usize::from(self.www)
            + usize::from(self.worker_crate)
            + self.recipes_used
    }
}

/// The manifest's part of [`Traits`]: a `[[bin]]` table and a `wasm-rs-worker` dependency.
fn manifest_traits(manifest: &str) -> Result<Traits> {
    let doc: DocumentMut = manifest.parse().context("not valid TOML")?;
    let native_bin = doc
        .get("bin")
        .and_then(Item::as_array_of_tables)
        .is_some_and(|bins| !bins.is_empty());
    let has_worker = |t: &dyn TableLike| {
        DEPENDENCY_TABLES.iter().any(|d| {
            t.get(d)
                .and_then(Item::as_table_like)
                .is_some_and(|deps| deps.contains_key("wasm-rs-worker"))
        })
    };
    let worker_crate = has_worker(doc.as_table())
        || doc
            .get("target")
            .and_then(Item::as_table_like)
            .is_some_and(|targets| {
                targets
                    .iter()
                    .filter_map(|(_, t)| t.as_table_like())
                    .any(has_worker)
            });
    Ok(Traits {
        native_bin,
        worker_crate,
        ..Traits::default()
    })
}

/// The selection rule, in this order: a native binary makes a [`Shape::Server`]; a path
/// dependency on another recipe a [`Shape::Composed`]; wasm environments without `node` a
/// [`Shape::BrowserOnly`]; no wasm environment at all [`Shape::Other`]; then a
/// `wasm-rs-worker` dependency a [`Shape::Worker`], and the rest [`Shape::Plain`].
///
/// A binary outranks composition because few recipes ship one (`state-sync`), and a server
/// built on lessons would otherwise leave the server shape untested; the recipes it builds on
/// are tested from its copy all the same (see [`test_ejected`]).
fn shape_of(t: &Traits) -> Shape {
    if t.native_bin {
        Shape::Server
    } else if t.recipes_used > 0 {
        Shape::Composed
    } else if t.wasm && !t.node {
        Shape::BrowserOnly
    } else if !t.node {
        Shape::Other
    } else if t.worker_crate {
        Shape::Worker
    } else {
        Shape::Plain
    }
}

/// Every recipe of `ws` with its [`Traits`], in workspace order.
fn recipes_with_traits(ws: &Workspace) -> Result<Vec<(&Crate, Traits)>> {
    ws.recipes()
        .map(|c| Ok((c, Traits::read(ws, c)?)))
        .collect()
}

/// The recipes of one shape and the one tested by default.
#[derive(Debug)]
struct ShapeGroup<'a> {
    shape: Shape,
    /// Every recipe of the shape, in workspace order.
    members: Vec<&'a Crate>,
    /// Tested by default: the member whose copy exercises most of eject (see
    /// [`Traits::coverage`]), then the one requiring the fewest platform features, then the
    /// first; every member for [`Shape::Other`]. Empty when no recipe has the shape.
    picked: Vec<&'a Crate>,
}

/// Groups `recipes` (with their traits, in workspace order) by shape: one group for each
/// expected shape, even an empty one, then one for each optional shape
/// ([`Shape::Composed`], [`Shape::Other`]) that some recipe has.
fn group_by_shape<'a>(recipes: &[(&'a Crate, Traits)]) -> Vec<ShapeGroup<'a>> {
    let mut groups: Vec<ShapeGroup<'a>> = Vec::new();
    for shape in Shape::EXPECTED.into_iter().chain(Shape::OPTIONAL) {
        let members: Vec<(usize, &'a Crate, &Traits)> = recipes
            .iter()
            .enumerate()
            .filter(|(_, (_, t))| shape_of(t) == shape)
            .map(|(i, (c, t))| (i, *c, t))
            .collect();
        if Shape::OPTIONAL.contains(&shape) && members.is_empty() {
            continue;
        }
        let picked = if shape == Shape::Other {
            members.iter().map(|(_, c, _)| *c).collect()
        } else {
            members
                .iter()
                .min_by_key(|(i, _, t)| (std::cmp::Reverse(t.coverage()), t.requires, *i))
                .map(|(_, c, _)| vec![*c])
                .unwrap_or_default()
        };
        groups.push(ShapeGroup {
            shape,
            members: members.iter().map(|(_, c, _)| *c).collect(),
            picked,
        });
    }
    groups
}

/// Prints which recipe stands for each shape, and what `--deep` adds.
fn describe_groups(groups: &[ShapeGroup<'_>], total: usize, deep: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let tested: usize = groups.iter().map(|g| g.picked.len()).sum();
    lines.push(if deep {
        format!(
            "--deep: all {total} recipes are ejected and built; one of each shape is also tested"
        )
    } else {
        format!(
            "one recipe of each shape is ejected, built and tested ({tested} of {total}); \
             `--deep` ejects and builds the other {}",
            total - tested
        )
    });
    for g in groups {
        if g.members.is_empty() {
            lines.push(format!(
                "{:<13} no recipe has this shape ({}): it is not covered",
                g.shape.name(),
                g.shape.rule()
            ));
            continue;
        }
        let others: Vec<&Crate> = g
            .members
            .iter()
            .copied()
            .filter(|c| !g.picked.iter().any(|p| p.name == c.name))
            .collect();
        let mut line = format!("{:<13} {}", g.shape.name(), names(&g.picked));
        if g.shape == Shape::Other {
            line += &format!(
                " (a new shape: {}; each such recipe is tested until `shape_of` in \
                 ci/src/eject.rs names its shape)",
                g.shape.rule()
            );
        } else if !others.is_empty() {
            line += &format!(
                " ({} {})",
                if deep { "also built:" } else { "`--deep` adds" },
                names(&others)
            );
        }
        lines.push(line);
    }
    lines
}

/// Environment variables for [`cargo_in_env`].
type EnvVars = Vec<(&'static str, std::ffi::OsString)>;

/// The crates' names, comma-separated.
fn names(v: &[&Crate]) -> String {
    v.iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The eject suite. Ejects recipes into `target/xtask/eject/<name>` and builds each there
/// (`cargo build --tests --workspace`), then runs the tests of one recipe of each [`Shape`]
/// from its ejected copy: natively (with the copied recipes' tests) and in Node where it
/// declares them, in Chromium when its wasm tests run only in browsers, natively only for
/// one that builds on other recipes. By default only those recipes are ejected; with `deep`,
/// every recipe is ejected and built (and the same ones tested).
pub(crate) fn check_all(ws: &Workspace, deep: bool) -> Result<Outcome> {
    let scratch = ws.target_dir.join("xtask").join("eject");
    // Two `cargo xtask test` runs at once would eject into the same folders: the second waits.
    std::fs::create_dir_all(scratch.parent().expect("under target/xtask"))?;
    let lock_path = ws.target_dir.join("xtask").join("eject.lock");
    let lock = std::fs::File::create(&lock_path)
        .with_context(|| format!("creating {}", lock_path.display()))?;
    if lock.try_lock().is_err() {
        println!(
            "  (waiting for another eject check to finish: {})",
            lock_path.display()
        );
        lock.lock()
            .with_context(|| format!("locking {}", lock_path.display()))?;
    }
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)
            .with_context(|| format!("removing the last run's {}", scratch.display()))?;
    }
    let mut report = Outcome::default();
    let recipes = recipes_with_traits(ws)?;
    let groups = group_by_shape(&recipes);
    for line in describe_groups(&groups, recipes.len(), deep) {
        println!("  {line}");
    }
    let tested: Vec<&Crate> = groups.iter().flat_map(|g| g.picked.clone()).collect();
    let mut chromedriver: Option<std::ffi::OsString> = None;
    for (c, traits) in &recipes {
        let is_tested = tested.iter().any(|t| t.name == c.name);
        if !deep && !is_tested {
            continue;
        }
        let dir = scratch.join(&c.name);
        println!("  → eject {} → {}", c.name, dir.display());
        if let Err(e) = eject(ws, c, &dir, &Source::Path) {
            report.check(false, || format!("{}: eject failed: {e:#}", c.name));
            continue;
        }
        report.passed += 1;
        let log = scratch.join(format!("{}-build.log", c.name));
        // With the recipes it builds on, if it has any.
        let built = cargo_in(ws, &dir, &["build", "--tests", "--workspace"], &log)?;
        report.check(built.success(), || {
            format!(
                "{}: the ejected project does not build (`cargo build --tests --workspace` in {}; log: {})\n{}",
                c.name,
                dir.display(),
                log.display(),
                tail(&built.text, 20)
            )
        });
        if !built.success() || !is_tested {
            continue;
        }
        test_ejected(
            ws,
            c,
            traits,
            &dir,
            &scratch,
            &mut chromedriver,
            &mut report,
        )?;
    }
    let rest: Vec<&Crate> = recipes
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !tested.iter().any(|t| t.name == c.name))
        .collect();
    if deep {
        println!(
            "  tested: {}; also ejected and built: {}",
            names(&tested),
            if rest.is_empty() {
                "none".to_string()
            } else {
                names(&rest)
            }
        );
    } else {
        println!(
            "  ejected, built and tested: {}; `cargo xtask test --deep` also ejects and builds {}",
            names(&tested),
            if rest.is_empty() {
                "nothing more".to_string()
            } else {
                names(&rest)
            }
        );
    }
    Ok(report)
}

/// Runs the tests of recipe `c`, ejected into `dir`, from that copy: natively if it declares
/// `native` (`cargo test --workspace`, so with the recipes it builds on, if any), then in
/// Node, or in Chromium for a recipe whose wasm tests run only in browsers; natively only for
/// a [`Shape::Composed`] recipe.
/// Each run is a check in `report` (it fails when no test ran); logs go to `scratch`.
pub(crate) fn test_ejected_recipe(
    ws: &Workspace,
    c: &Crate,
    dir: &Path,
    scratch: &Path,
    report: &mut Outcome,
) -> Result<()> {
    let traits = Traits::read(ws, c)?;
    test_ejected(ws, c, &traits, dir, scratch, &mut None, report)
}

/// [`test_ejected_recipe`] with the recipe's traits read, and ChromeDriver kept across calls.
fn test_ejected(
    ws: &Workspace,
    c: &Crate,
    traits: &Traits,
    dir: &Path,
    scratch: &Path,
    chromedriver: &mut Option<std::ffi::OsString>,
    report: &mut Outcome,
) -> Result<()> {
    let envs = c.environments()?;
    let wasm_tests = WASM_TESTS;
    // (label, cargo arguments, environment variables) of each test run.
    let mut runs: Vec<(String, &[&str], EnvVars)> = Vec::new();
    // Natively, every crate of the project: the recipes it builds on (if any) run their
    // native tests from their copies under crates/ too.
    let native_tests = &["test", "--workspace"][..];
    let native = envs.contains(&crate::env::Environment::Native);
    if shape_of(traits) == Shape::Composed {
        // Natively only: what composing adds to eject is tested there.
        if native {
            runs.push(("native".into(), native_tests, Vec::new()));
        } else {
            report.check(false, || {
                format!(
                    "{}: it builds on other recipes but declares no `native` environment; the \
                     eject suite tests such copies natively only (`cargo test --workspace`)",
                    c.name
                )
            });
        }
    } else {
        if native {
            runs.push(("native".into(), native_tests, Vec::new()));
        }
        if traits.node {
            runs.push(("node".into(), wasm_tests, Vec::new()));
        } else if let Some(env) = traits.chromium {
            // Its wasm tests run only in a browser: Chromium's, in the ejected copy too.
            let driver = match &chromedriver {
                Some(d) => d.clone(),
                None => {
                    let (_, d) = crate::setup::ensure_chromium()?;
                    chromedriver.insert(d.into_os_string()).clone()
                }
            };
            let mut vars: EnvVars = env
                .runner_vars()
                .iter()
                .map(|(k, v)| (*k, std::ffi::OsString::from(v)))
                .collect();
            vars.push(("CHROMEDRIVER", driver));
            runs.push((env.name(), wasm_tests, vars));
        } else if traits.wasm {
            report.check(false, || {
                format!(
                    "{}: its wasm tests run only in browsers other than Chromium; the eject \
                     suite tests ejected copies in Chromium only",
                    c.name
                )
            });
        }
    }
    for (label, args, vars) in &runs {
        println!("    → {label} tests of the ejected {}", c.name);
        let log = scratch.join(format!("{}-{label}.log", c.name));
        let run = cargo_in_env(ws, dir, args, vars, &log)?;
        let counts = crate::counts::parse_counts(&run.text);
        report.check(
            run.success() && counts.passed > 0 && counts.failed == 0,
            || {
                format!(
                    "{}: the ejected project's tests did not pass in {label} ({} passed, {} failed; log: {})\n{}",
                    c.name,
                    counts.passed,
                    counts.failed,
                    log.display(),
                    tail(&run.text, 20)
                )
            },
        );
        println!("      {} passed, {} failed", counts.passed, counts.failed);
    }
    Ok(())
}

/// Runs cargo in an ejected project. Output goes to `log` as well.
///
/// The ejected projects share one target directory of their own (`target/eject`), apart
/// from the workspace's: they build the runtime crates from the same sources under another
/// workspace, and two such builds of one crate in one directory can confuse rustc's
/// dependency lookup in a later workspace build ("multiple different versions of crate").
/// It costs one more build of the shared dependencies.
fn cargo_in(ws: &Workspace, dir: &Path, args: &[&str], log: &Path) -> Result<Logged> {
    cargo_in_env(ws, dir, args, &[], log)
}

/// [`cargo_in`] with extra environment variables (set after the runner's selectors are
/// cleared: Node is wasm-bindgen-test-runner's default, and nothing else may pick a host).
fn cargo_in_env(
    ws: &Workspace,
    dir: &Path,
    args: &[&str],
    vars: &[(&str, std::ffi::OsString)],
    log: &Path,
) -> Result<Logged> {
    let mut cmd = cargo_command(ws, dir, args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
        cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "300");
    }
    process::run_logged(&mut cmd, log, LogMode::Truncate)
        .with_context(|| format!("running cargo {} in {}", args.join(" "), dir.display()))
}

/// `cargo <args>` in the ejected project `dir`, building into the ejected projects' target
/// directory, with the test runner's selectors cleared.
fn cargo_command(ws: &Workspace, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", ws.target_dir.join("eject"));
    process::scrub_runner_env(&mut cmd);
    cmd
}

/// The cargo arguments of an ejected project's wasm32 test runs.
const WASM_TESTS: &[&str] = &["test", "--target", "wasm32-unknown-unknown", "--tests"];

/// Whether the eject suite runs an ejected copy's tests on wasm32 (in Node or Chromium), as
/// [`test_ejected`] decides.
fn tests_wasm(traits: &Traits) -> bool {
    shape_of(traits) != Shape::Composed && (traits.node || traits.chromium.is_some())
}

/// The builds that warm the ejected projects' target directory beside the worker suites
/// (see `beside.rs`): the recipes the eject suite tests by default, ejected into
/// `target/xtask/eject-warm/` (the suite ejects its own copies again, into
/// `target/xtask/eject/`) and built as the suite builds them, natively and, where the suite
/// runs their wasm tests, for wasm32. The suite then finds every dependency built and
/// compiles only the recipes' own crates. A recipe that fails to eject here is left out: the
/// suite reports it.
pub(crate) fn warm_builds(ws: &Workspace) -> Result<Vec<crate::beside::Build>> {
    let scratch = ws.target_dir.join("xtask").join("eject-warm");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)
            .with_context(|| format!("removing the last run's {}", scratch.display()))?;
    }
    let recipes = recipes_with_traits(ws)?;
    let groups = group_by_shape(&recipes);
    let mut out = Vec::new();
    for c in groups.iter().flat_map(|g| g.picked.iter()) {
        let Some((_, traits)) = recipes.iter().find(|(r, _)| r.name == c.name) else {
            continue;
        };
        let dir = scratch.join(&c.name);
        if eject(ws, c, &dir, &Source::Path).is_err() {
            continue;
        }
        out.push(crate::beside::Build {
            label: format!("eject {}", c.name),
            needs: crate::beside::Needs::Nothing,
            cmd: cargo_command(ws, &dir, &["build", "--tests", "--workspace"]),
        });
        if tests_wasm(traits) {
            let no_run: Vec<&str> = WASM_TESTS.iter().copied().chain(["--no-run"]).collect();
            out.push(crate::beside::Build {
                label: format!("eject {} wasm32", c.name),
                needs: crate::beside::Needs::Nothing,
                cmd: cargo_command(ws, &dir, &no_run),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_js_imports_point_at_web_js_once_ejected() {
        let src = r#"#[wasm_bindgen(module = "/../../book/src/js/wasm-rs-loader.js")]
extern "C" {}
#[wasm_bindgen(module = "/www/own.js")]
extern "C" {}"#;
        let out = rebase_book_js(src, BOOK_JS_EJECTED);
        assert!(
            out.contains(r#"module = "/web/js/wasm-rs-loader.js""#),
            "{out}"
        );
        assert!(out.contains(r#"module = "/www/own.js""#), "{out}");
        assert!(!out.contains("book/src"), "{out}");
    }

    const ROOT: &str = r#"
[workspace]
members = ["recipes/*"]

[workspace.package]
version = "0.3.0"
edition = "2024"
license = "MIT OR Apache-2.0"

[workspace.dependencies]
wasm-bindgen = "0.2.130"
serde = { version = "1", features = ["derive"] }
wasm-rs-dbg = { version = "0.2.0", path = "runtime/dbg" }

[workspace.lints.rust]
missing_docs = "warn"

[workspace.lints.clippy]
undocumented_unsafe_blocks = "warn"

[profile.release]
opt-level = 3
"#;

    const RECIPE: &str = r#"[package]
name = "demo"
version.workspace = true
edition.workspace = true
license = { workspace = true }
publish = false

[dependencies]
# The runtime crate, from the workspace.
wasm-rs-dbg.workspace = true
serde = { workspace = true, features = ["rc", "derive"] }
itoa = "1"
helper = { path = "../../tools/helper" }

[target.'cfg(target_arch = "wasm32")'.dependencies]
wasm-bindgen = { workspace = true, optional = true }

[dev-dependencies]
demo = { path = ".", features = ["x"] }

[lints]
workspace = true
"#;

    /// The root manifest of the project ejected from `recipe_manifest`, with no other recipe
    /// in the repository.
    fn standalone_manifest(
        recipe_manifest: &str,
        root_manifest: &str,
        root: &Path,
        recipe_dir: &Path,
        source: &Source,
    ) -> Result<String> {
        let m = standalone_manifests(
            recipe_manifest,
            root_manifest,
            root,
            recipe_dir,
            source,
            &[],
        )?;
        assert!(m.nested.is_empty());
        Ok(m.root)
    }

    fn resolve(source: &Source) -> Result<DocumentMut> {
        let text = standalone_manifest(
            RECIPE,
            ROOT,
            Path::new("/repo"),
            Path::new("/repo/recipes/demo"),
            source,
        )?;
        Ok(text.parse::<DocumentMut>()?)
    }

    fn dep<'a>(doc: &'a DocumentMut, table: &str, name: &str) -> &'a dyn TableLike {
        doc[table][name]
            .as_table_like()
            .unwrap_or_else(|| panic!("{table}.{name} is a table"))
    }

    #[test]
    fn package_fields_come_from_the_workspace() {
        let doc = resolve(&Source::Path).unwrap();
        assert_eq!(doc["package"]["version"].as_str(), Some("0.3.0"));
        assert_eq!(doc["package"]["edition"].as_str(), Some("2024"));
        assert_eq!(
            doc["package"]["license"].as_str(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(doc["package"]["publish"].as_bool(), Some(false));
        assert!(
            doc["workspace"].is_table(),
            "the project is its own workspace"
        );
    }

    #[test]
    fn dependencies_are_resolved_with_their_features() {
        let doc = resolve(&Source::Path).unwrap();
        let serde = dep(&doc, "dependencies", "serde");
        assert_eq!(serde.get("version").and_then(Item::as_str), Some("1"));
        let features: Vec<&str> = serde
            .get("features")
            .and_then(Item::as_array)
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(features, ["derive", "rc"], "union, without duplicates");
        let wb = doc["target"]["cfg(target_arch = \"wasm32\")"]["dependencies"]["wasm-bindgen"]
            .as_table_like()
            .unwrap();
        assert_eq!(wb.get("version").and_then(Item::as_str), Some("0.2.130"));
        assert_eq!(wb.get("optional").and_then(Item::as_bool), Some(true));
        assert_eq!(doc["dependencies"]["itoa"].as_str(), Some("1"));
    }

    #[test]
    fn runtime_crates_are_required_by_version_and_patched() {
        let text = standalone_manifest(
            RECIPE,
            ROOT,
            Path::new("/repo"),
            Path::new("/repo/recipes/demo"),
            &Source::Path,
        )
        .unwrap();
        let doc: DocumentMut = text.parse().unwrap();
        // A bare version, as an app writes it.
        assert_eq!(
            doc["dependencies"]["wasm-rs-dbg"].as_str(),
            Some("0.2.0"),
            "{text}"
        );
        assert_eq!(
            doc["patch"]["crates-io"]["wasm-rs-dbg"]["path"].as_str(),
            Some("/repo/runtime/dbg")
        );
        assert!(
            text.contains("# Delete this section once"),
            "the patch says when to remove it: {text}"
        );

        let url = "https://example.org/wasm-rs.git";
        let doc = resolve(&Source::Git(url.into())).unwrap();
        assert_eq!(doc["dependencies"]["wasm-rs-dbg"].as_str(), Some("0.2.0"));
        assert_eq!(
            doc["patch"]["crates-io"]["wasm-rs-dbg"]["git"].as_str(),
            Some(url)
        );
    }

    #[test]
    fn paths_become_absolute_or_git() {
        let doc = resolve(&Source::Path).unwrap();
        let helper = dep(&doc, "dependencies", "helper");
        assert_eq!(
            helper.get("path").and_then(Item::as_str),
            Some("/repo/tools/helper")
        );
        let me = dep(&doc, "dev-dependencies", "demo");
        assert_eq!(me.get("path").and_then(Item::as_str), Some("."));

        let url = "https://example.org/wasm-rs.git";
        let doc = resolve(&Source::Git(url.into())).unwrap();
        let helper = dep(&doc, "dependencies", "helper");
        assert_eq!(helper.get("git").and_then(Item::as_str), Some(url));
        assert!(helper.get("path").is_none());
        let me = dep(&doc, "dev-dependencies", "demo");
        assert_eq!(
            me.get("path").and_then(Item::as_str),
            Some("."),
            "the crate itself stays a path"
        );
    }

    #[test]
    fn lints_profiles_and_comments_are_kept() {
        let text = standalone_manifest(
            RECIPE,
            ROOT,
            Path::new("/repo"),
            Path::new("/repo/recipes/demo"),
            &Source::Path,
        )
        .unwrap();
        assert!(
            text.contains("# The runtime crate, from the workspace."),
            "{text}"
        );
        assert!(!text.contains("workspace = true"), "{text}");
        let doc: DocumentMut = text.parse().unwrap();
        assert_eq!(doc["lints"]["rust"]["missing_docs"].as_str(), Some("warn"));
        assert_eq!(
            doc["lints"]["clippy"]["undocumented_unsafe_blocks"].as_str(),
            Some("warn")
        );
        assert_eq!(doc["profile"]["release"]["opt-level"].as_integer(), Some(3));
    }

    #[test]
    fn a_field_the_workspace_lacks_is_a_clear_error() {
        let recipe = RECIPE.replace("publish = false", "rust-version.workspace = true");
        let err = standalone_manifest(
            &recipe,
            ROOT,
            Path::new("/repo"),
            Path::new("/repo/recipes/demo"),
            &Source::Path,
        )
        .unwrap_err();
        assert!(
            format!("{err:#}").contains("no [workspace.package] rust-version"),
            "{err:#}"
        );
        let recipe = RECIPE.replace("itoa = \"1\"", "itoa.workspace = true");
        let err = standalone_manifest(
            &recipe,
            ROOT,
            Path::new("/repo"),
            Path::new("/repo/recipes/demo"),
            &Source::Path,
        )
        .unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("itoa") && msg.contains("[workspace.dependencies]"),
            "{msg}"
        );
    }

    #[test]
    fn an_ejected_bench_gets_its_own_copy_of_the_report_format() {
        let ws = Workspace::load().unwrap();
        let recipe = ws
            .recipes()
            .find(|c| c.name == "worker-pool")
            .expect("the worker-pool recipe, which has a bench");
        let dir = ws
            .target_dir
            .join("xtask")
            .join(format!("eject-bench-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        eject(&ws, recipe, &dir, &Source::Path).unwrap();
        let bench = std::fs::read_to_string(dir.join("benches/speedup.rs")).unwrap();
        assert!(!bench.contains(BENCH_REPORT_IN_REPO), "{bench:.400}");
        assert!(bench.contains(BENCH_REPORT_EJECTED));
        let copy = std::fs::read_to_string(dir.join("benches/support/report.rs")).unwrap();
        let original = std::fs::read_to_string(ws.root.join("ci/bench-support/report.rs")).unwrap();
        assert_eq!(copy, original);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ejecting_writes_a_standalone_project() {
        let ws = Workspace::load().unwrap();
        let recipe = ws.recipes().next().expect("the repository has a recipe");
        let dir = ws
            .target_dir
            .join("xtask")
            .join(format!("eject-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        eject(&ws, recipe, &dir, &Source::Path).unwrap();
        for f in [
            "Cargo.toml",
            "Cargo.lock",
            "README.md",
            "rust-toolchain.toml",
            ".cargo/config.toml",
            "src/lib.rs",
        ] {
            assert!(dir.join(f).is_file(), "{f} is missing");
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(!manifest.contains("workspace = true"), "{manifest}");
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(
            readme.contains("cargo test --target wasm32-unknown-unknown"),
            "{readme}"
        );
        let again = eject(&ws, recipe, &dir, &Source::Path).unwrap_err();
        assert!(again.to_string().contains("not empty"), "{again}");
        let member = ws.root.join("recipes").join("an-ejected-copy");
        let err = eject(&ws, recipe, &member, &Source::Path).unwrap_err();
        assert!(
            err.to_string().contains("member of this workspace"),
            "{err}"
        );
        assert!(!member.exists(), "nothing is written when refused");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Writes `text` to `root/rel`, creating its folder.
    fn put(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// A recipe's manifest in the fixture workspace: inherited fields, its metadata, then
    /// `rest` (its dependency tables).
    fn fixture_manifest(name: &str, title: &str, rest: &str) -> String {
        format!(
            "[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\n\
             publish = false\n\n[package.metadata.wasm-rs]\ntitle = \"{title}\"\nsummary = \"S.\"\n\
             environments = [\"native\"]\n\n{rest}\n[lints]\nworkspace = true\n"
        )
    }

    /// A repository of three recipes in a temporary folder: `app` builds on `lesson-b` (by a
    /// relative path) and `lesson-a` (through `[workspace.dependencies]`), and uses the
    /// non-recipe crate `tools/helper`; `lesson-b` builds on `lesson-a`, whose tests use
    /// `lesson-b` (a cycle through dev-dependencies); `lesson-a` requires a runtime crate;
    /// `lesson-b` has a profile of its own.
    fn fixture() -> (tempfile::TempDir, Workspace) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        put(
            &root,
            "Cargo.toml",
            r#"[workspace]
resolver = "3"
members = ["recipes/*"]

[workspace.package]
version = "0.3.0"
edition = "2024"

[workspace.dependencies]
wasm-rs-dbg = { version = "0.2.0", path = "runtime/dbg" }
lesson-a = { path = "recipes/lesson-a" }

[workspace.lints.rust]
missing_docs = "warn"

[profile.release]
opt-level = 3
"#,
        );
        put(
            &root,
            "Cargo.lock",
            "version = 4\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n",
        );
        let toolchain = Workspace::load()
            .map(|ws| std::fs::read_to_string(ws.root.join("rust-toolchain.toml")).unwrap())
            .unwrap();
        put(&root, "rust-toolchain.toml", &toolchain);
        put(&root, crate::book::LOADER_IN_CRATE, "// the loader\n");
        for (dir, name) in [("runtime/dbg", "wasm-rs-dbg"), ("tools/helper", "helper")] {
            put(
                &root,
                &format!("{dir}/Cargo.toml"),
                &format!("[package]\nname = \"{name}\"\nversion = \"0.2.0\"\nedition = \"2024\"\n"),
            );
            put(&root, &format!("{dir}/src/lib.rs"), "//! A crate.\n");
        }
        let recipes = [
            (
                "app",
                "The App",
                "[dependencies]\n\
                 lesson-b = { path = \"../lesson-b\" }\n\
                 # The first lesson, from the workspace.\n\
                 lesson-a.workspace = true\n\
                 helper = { path = \"../../tools/helper\" }\n",
            ),
            (
                "lesson-a",
                "Lesson A",
                "[dependencies]\nwasm-rs-dbg.workspace = true\n\n\
                 [dev-dependencies]\nlesson-b = { path = \"../lesson-b\" }\n",
            ),
            (
                "lesson-b",
                "Lesson B",
                "[dependencies]\nlesson-a = { path = \"../lesson-a\" }\n\n\
                 [profile.dev]\nopt-level = 1\n",
            ),
        ];
        let mut crates = Vec::new();
        for (name, title, deps) in recipes {
            let dir = root.join("recipes").join(name);
            let manifest = fixture_manifest(name, title, deps);
            put(&dir, "Cargo.toml", &manifest);
            put(
                &dir,
                "src/lib.rs",
                "//! A recipe.\n// module = \"/../../book/src/js/demo-runner.js\"\n",
            );
            put(&dir, "tests/it.rs", "#[test]\nfn works() {}\n");
            put(&dir, "README.md", "Three lines.\n");
            let meta =
                toml::from_str::<toml::Table>(&manifest).unwrap()["package"]["metadata"]["wasm-rs"]
                    .clone();
            crates.push(Crate {
                name: name.into(),
                dir,
                meta: Some(meta.try_into().unwrap()),
            });
        }
        // What a nested copy must not carry: cargo reads these from the project's root only.
        let lesson_a = root.join("recipes/lesson-a");
        put(&lesson_a, "rust-toolchain.toml", &toolchain);
        put(&lesson_a, ".cargo/config.toml", "[build]\n");
        let ws = Workspace {
            target_dir: root.join("target"),
            root,
            crates,
        };
        (tmp, ws)
    }

    fn manifest_at(dir: &Path) -> DocumentMut {
        std::fs::read_to_string(dir.join("Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap()
    }

    #[test]
    fn the_recipes_a_recipe_builds_on_are_copied_into_crates() {
        let (tmp, ws) = fixture();
        let app = &ws.crates[0];
        let out = tmp.path().join("out");
        eject(&ws, app, &out, &Source::Path).unwrap();

        // Each recipe it uses, directly or not, once (lesson-a is reached three ways).
        let mut copied: Vec<String> = std::fs::read_dir(out.join("crates"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        copied.sort();
        assert_eq!(copied, ["lesson-a", "lesson-b"]);

        // The root: paths to the copies, the one patch, profiles and the workspace.
        let root = manifest_at(&out);
        let path = |doc: &DocumentMut, table: &str, name: &str| {
            dep(doc, table, name)
                .get("path")
                .and_then(Item::as_str)
                .map(str::to_string)
        };
        assert_eq!(
            path(&root, "dependencies", "lesson-b").as_deref(),
            Some("crates/lesson-b")
        );
        assert_eq!(
            path(&root, "dependencies", "lesson-a").as_deref(),
            Some("crates/lesson-a"),
            "inherited from [workspace.dependencies]"
        );
        let helper = ws.root.join("tools/helper");
        assert_eq!(
            path(&root, "dependencies", "helper").as_deref(),
            Some(helper.to_str().unwrap()),
            "a path dependency on a crate that is no recipe still points into the checkout"
        );
        assert_eq!(
            root["patch"]["crates-io"]["wasm-rs-dbg"]["path"].as_str(),
            Some(ws.root.join("runtime/dbg").to_str().unwrap()),
            "the runtime crates of the copies are patched at the root"
        );
        assert!(root["workspace"].is_table());
        assert_eq!(
            root["profile"]["release"]["opt-level"].as_integer(),
            Some(3)
        );
        let text = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
        assert!(
            text.contains("# The first lesson, from the workspace."),
            "{text}"
        );

        // A copy: inheritance resolved, paths between copies, no root-only tables.
        let a = manifest_at(&out.join("crates/lesson-a"));
        assert_eq!(a["package"]["version"].as_str(), Some("0.3.0"));
        assert_eq!(a["package"]["edition"].as_str(), Some("2024"));
        assert_eq!(a["dependencies"]["wasm-rs-dbg"].as_str(), Some("0.2.0"));
        assert_eq!(a["lints"]["rust"]["missing_docs"].as_str(), Some("warn"));
        assert_eq!(
            path(&a, "dev-dependencies", "lesson-b").as_deref(),
            Some("../lesson-b")
        );
        for table in ["workspace", "profile", "patch"] {
            assert!(a.get(table).is_none(), "crates/lesson-a has [{table}]");
        }
        let b = manifest_at(&out.join("crates/lesson-b"));
        assert_eq!(
            path(&b, "dependencies", "lesson-a").as_deref(),
            Some("../lesson-a")
        );
        assert!(b.get("workspace").is_none());
        assert!(
            b.get("profile").is_none(),
            "a copy's own profile, which cargo would ignore with a warning, is left out"
        );

        // Its files as the recipe's, less what only the root has; imports of the book's
        // scripts point at the root's web/js/.
        let a_dir = out.join("crates/lesson-a");
        assert!(a_dir.join("tests/it.rs").is_file());
        for f in ["README.md", "Cargo.lock", "rust-toolchain.toml", ".cargo"] {
            assert!(!a_dir.join(f).exists(), "crates/lesson-a/{f} was written");
        }
        let lib = std::fs::read_to_string(a_dir.join("src/lib.rs")).unwrap();
        assert!(lib.contains(r#""/../../web/js/demo-runner.js""#), "{lib}");
        assert!(out.join("web").join(crate::book::LOADER_IN_BOOK).is_file());

        let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
        assert!(
            readme.contains("- `crates/lesson-b/`: Lesson B\n"),
            "{readme}"
        );
        assert!(
            readme.contains("- `crates/lesson-a/`: Lesson A\n"),
            "{readme}"
        );
        assert!(readme.contains("`cargo test --workspace`"), "{readme}");

        // cargo takes the copies for members of the root's workspace, from the root and from
        // a copy's own folder (where a non-member would be refused).
        for dir in [out.clone(), a_dir] {
            let md = cargo_metadata::MetadataCommand::new()
                .current_dir(&dir)
                .no_deps()
                .other_options(vec!["--offline".to_string()])
                .exec()
                .unwrap_or_else(|e| panic!("cargo metadata in {}: {e}", dir.display()));
            assert_eq!(md.workspace_root.as_std_path(), out.as_path());
            let mut members: Vec<String> = md
                .workspace_members
                .iter()
                .map(|id| md[id].name.to_string())
                .collect();
            members.sort();
            assert_eq!(
                members,
                ["app", "lesson-a", "lesson-b"],
                "from {}",
                dir.display()
            );
        }
    }

    #[test]
    fn a_recipe_dependency_is_a_copy_with_git_too_and_a_recipe_without_one_has_none() {
        let (_tmp, ws) = fixture();
        let recipes: Vec<&Crate> = ws.recipes().collect();
        let manifests = |c: &Crate, source: &Source| {
            standalone_manifests(
                &read(&c.dir.join("Cargo.toml")).unwrap(),
                &read(&ws.root.join("Cargo.toml")).unwrap(),
                &ws.root,
                &c.dir,
                source,
                &recipes,
            )
            .unwrap()
        };
        let url = "https://example.org/wasm-rs.git";
        let m = manifests(&ws.crates[0], &Source::Git(url.into()));
        let names: Vec<&str> = m.nested.iter().map(|(c, _)| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["lesson-b", "lesson-a"],
            "in the order first reached"
        );
        let root: DocumentMut = m.root.parse().unwrap();
        let lesson = dep(&root, "dependencies", "lesson-b");
        assert_eq!(
            lesson.get("path").and_then(Item::as_str),
            Some("crates/lesson-b")
        );
        assert!(lesson.get("git").is_none());
        let helper = dep(&root, "dependencies", "helper");
        assert_eq!(helper.get("git").and_then(Item::as_str), Some(url));
        assert_eq!(
            root["patch"]["crates-io"]["wasm-rs-dbg"]["git"].as_str(),
            Some(url)
        );

        // lesson-b ejected on its own takes lesson-a along, which points back at the root.
        let m = manifests(&ws.crates[2], &Source::Path);
        assert_eq!(m.nested.len(), 1);
        let a: DocumentMut = m.nested[0].1.parse().unwrap();
        assert_eq!(
            dep(&a, "dev-dependencies", "lesson-b")
                .get("path")
                .and_then(Item::as_str),
            Some("../.."),
            "the ejected recipe is the project's root"
        );
        assert_eq!(
            recipes_used(&ws, &ws.crates[2]).unwrap(),
            [ws.root.join("recipes/lesson-a")]
        );
        // The shape rule sees the same.
        let traits = |c: &Crate| Traits::read(&ws, c).unwrap();
        assert_eq!(traits(&ws.crates[0]).recipes_used, 2);
        assert_eq!(shape_of(&traits(&ws.crates[0])), Shape::Composed);
        assert_eq!(shape_of(&traits(&ws.crates[1])), Shape::Composed);

        let plain = standalone_manifest(
            RECIPE,
            ROOT,
            Path::new("/repo"),
            Path::new("/repo/recipes/demo"),
            &Source::Path,
        )
        .unwrap();
        assert!(!plain.contains("crates/"), "{plain}");
    }

    #[test]
    fn relative_paths_between_project_folders() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(r("", "crates/a"), "crates/a");
        assert_eq!(r("crates/a", "crates/b"), "../b");
        assert_eq!(r("crates/a", ""), "../..");
        assert_eq!(r("crates/a", "crates/a"), ".");
    }

    /// A recipe with these environments, metadata and manifest, and its traits as
    /// [`Traits::read`] would find them (the folder is not looked at).
    fn recipe(name: &str, envs: &str, meta: &str, manifest: &str) -> (Crate, Traits) {
        let meta: crate::workspace::RecipeMeta = toml::from_str(&format!(
            "title = \"T\"\nsummary = \"S.\"\nenvironments = [{envs}]\n{meta}"
        ))
        .unwrap();
        let c = Crate {
            name: name.into(),
            dir: PathBuf::from("/nonexistent/recipes").join(name),
            meta: Some(meta),
        };
        let mut t = manifest_traits(&format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n{manifest}"
        ))
        .unwrap();
        t.add_metadata(&c).unwrap();
        (c, t)
    }

    const WORKER_DEP: &str = "[dependencies]\nwasm-rs-worker.workspace = true\n";
    const BIN: &str = "[[bin]]\nname = \"server\"\npath = \"src/bin/server.rs\"\n";
    const ALL_ENVS: &str = r#""native", "node", "browser", "worker""#;

    #[test]
    fn the_manifest_says_binary_and_worker_crate_in_any_table() {
        let t = |m: &str| manifest_traits(m).unwrap();
        assert!(t(BIN).native_bin);
        assert!(!t("[lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n").native_bin);
        assert!(t(WORKER_DEP).worker_crate, "dotted `.workspace = true`");
        assert!(t("[dependencies.wasm-rs-worker]\nversion = \"0.1\"\n").worker_crate);
        assert!(
            t(
                "[target.'cfg(target_arch = \"wasm32\")'.dev-dependencies]\n\
               wasm-rs-worker = { workspace = true }\n"
            )
            .worker_crate,
            "a target-specific dev-dependency (the tests start the workers)"
        );
        assert!(!t("[dependencies]\nwasm-rs-async-executor.workspace = true\n").worker_crate);
        assert!(manifest_traits("[package").is_err());
    }

    #[test]
    fn each_recipe_gets_one_shape_by_rule() {
        let shape = |envs: &str, manifest: &str| shape_of(&recipe("r", envs, "", manifest).1);
        assert_eq!(shape(ALL_ENVS, ""), Shape::Plain);
        assert_eq!(shape(r#""node""#, ""), Shape::Plain);
        assert_eq!(shape(ALL_ENVS, WORKER_DEP), Shape::Worker);
        assert_eq!(
            shape(ALL_ENVS, &format!("{BIN}{WORKER_DEP}")),
            Shape::Server,
            "a binary outranks the worker crate"
        );
        assert_eq!(
            shape(r#""native", "browser""#, WORKER_DEP),
            Shape::BrowserOnly
        );
        assert_eq!(
            shape(r#""chromium-main", "firefox-worker""#, ""),
            Shape::BrowserOnly
        );
        assert_eq!(
            shape(r#""native""#, ""),
            Shape::Other,
            "no wasm environment: a shape the suite does not know"
        );
        let (_, t) = recipe(
            "r",
            r#""native", "firefox-main", "chromium-worker""#,
            "",
            "",
        );
        assert_eq!(
            t.chromium,
            Some(crate::env::Environment::Browser(
                crate::env::Engine::Chromium,
                crate::env::Context::Worker
            ))
        );
    }

    #[test]
    fn one_recipe_of_each_shape_is_picked_and_a_missing_shape_is_said() {
        let recipes = [
            recipe("plain-a", ALL_ENVS, "", ""),
            recipe(
                "plain-demo",
                ALL_ENVS,
                "demo = true\nrequires = [\"X\"]",
                "",
            ),
            recipe("plain-b", ALL_ENVS, "", ""),
            recipe("worker-a", ALL_ENVS, "", WORKER_DEP),
            recipe(
                "browser-needy",
                r#""native", "browser""#,
                "demo = true\nrequires = [\"X\", \"Y\"]",
                WORKER_DEP,
            ),
            recipe("browser-plain", r#""chromium-main""#, "demo = true", ""),
            recipe(
                "browser-pool",
                r#""native", "browser""#,
                "demo = true\nrequires = [\"X\"]",
                WORKER_DEP,
            ),
            recipe("native-a", r#""native""#, "", ""),
            recipe("native-b", r#""native""#, "", ""),
        ];
        let refs: Vec<(&Crate, Traits)> = recipes.iter().map(|(c, t)| (c, t.clone())).collect();
        let groups = group_by_shape(&refs);
        let picked = |s: Shape| -> Vec<&str> {
            groups
                .iter()
                .find(|g| g.shape == s)
                .unwrap()
                .picked
                .iter()
                .map(|c| c.name.as_str())
                .collect()
        };
        assert_eq!(
            picked(Shape::Plain),
            ["plain-demo"],
            "the copy exercising most of eject"
        );
        assert_eq!(picked(Shape::Worker), ["worker-a"]);
        assert_eq!(
            picked(Shape::BrowserOnly),
            ["browser-pool"],
            "then the fewest requirements"
        );
        assert!(picked(Shape::Server).is_empty());
        assert_eq!(
            picked(Shape::Other),
            ["native-a", "native-b"],
            "an unknown shape: all"
        );
        let text = describe_groups(&groups, recipes.len(), false).join("\n");
        assert!(text.contains("(5 of 9)"), "{text}");
        assert!(
            text.contains("`--deep` ejects and builds the other 4"),
            "{text}"
        );
        assert!(
            text.contains("server        no recipe has this shape"),
            "{text}"
        );
        assert!(
            text.contains("plain         plain-demo (`--deep` adds plain-a, plain-b)"),
            "{text}"
        );
        assert!(
            text.contains("other         native-a, native-b (a new shape:"),
            "{text}"
        );
        let deep = describe_groups(&groups, recipes.len(), true).join("\n");
        assert!(
            deep.contains("--deep: all 9 recipes are ejected and built"),
            "{deep}"
        );
        assert!(deep.contains("(also built: plain-a, plain-b)"), "{deep}");

        let only_plain = group_by_shape(&refs[..1]);
        assert_eq!(
            only_plain.len(),
            Shape::EXPECTED.len(),
            "every shape is listed"
        );
        assert!(group_by_shape(&[]).iter().all(|g| g.picked.is_empty()));
    }

    #[test]
    fn the_composed_shape_is_listed_only_when_a_recipe_has_it() {
        let plain = recipe("plain-a", ALL_ENVS, "", "");
        let without = group_by_shape(&[(&plain.0, plain.1.clone())]);
        assert!(without.iter().all(|g| g.shape != Shape::Composed));
        let text = describe_groups(&without, 1, false).join("\n");
        assert!(!text.contains("composed"), "no line, not a gap: {text}");

        let uses = |n: usize, (c, mut t): (Crate, Traits)| {
            t.recipes_used = n;
            (c, t)
        };
        let app = uses(
            2,
            recipe(
                "app",
                r#""native", "chromium-worker""#,
                "demo = true",
                &format!("{BIN}{WORKER_DEP}"),
            ),
        );
        assert_eq!(
            shape_of(&app.1),
            Shape::Server,
            "a binary outranks composition"
        );
        let app = uses(
            2,
            recipe(
                "app",
                r#""native", "chromium-worker""#,
                "demo = true",
                WORKER_DEP,
            ),
        );
        assert_eq!(shape_of(&app.1), Shape::Composed, "outranks browser-only");
        let lesson = uses(1, recipe("lesson", ALL_ENVS, "", ""));
        let all = [
            (&plain.0, plain.1.clone()),
            (&lesson.0, lesson.1.clone()),
            (&app.0, app.1.clone()),
        ];
        let groups = group_by_shape(&all);
        let composed = groups
            .iter()
            .find(|g| g.shape == Shape::Composed)
            .expect("listed once a recipe has it");
        let picked: Vec<&str> = composed.picked.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(picked, ["app"], "the copy exercising most of eject");
        let text = describe_groups(&groups, all.len(), false).join("\n");
        assert!(
            text.contains("composed      app (`--deep` adds lesson)"),
            "{text}"
        );
    }

    #[test]
    fn the_repository_has_a_recipe_of_every_shape() {
        let ws = Workspace::load().unwrap();
        let recipes: Vec<(&Crate, Traits)> = ws
            .recipes()
            .map(|c| (c, Traits::read(&ws, c).unwrap()))
            .collect();
        for g in group_by_shape(&recipes) {
            assert!(
                !g.picked.is_empty(),
                "no recipe of the shape `{}`",
                g.shape.name()
            );
            assert_ne!(
                g.shape,
                Shape::Other,
                "recipes of no known shape: {:?}",
                g.members.iter().map(|c| &c.name).collect::<Vec<_>>()
            );
        }
        for (name, want) in [
            ("hello-wasm-rs", Shape::Plain),
            ("worker-basics", Shape::Worker),
            ("state-sync", Shape::Server),
            ("worker-pool", Shape::BrowserOnly),
            ("shared-channel-worker", Shape::BrowserOnly),
            ("opfs-kv-worker", Shape::Composed),
        ] {
            if let Some((_, t)) = recipes.iter().find(|(c, _)| c.name == name) {
                assert_eq!(shape_of(t), want, "{name}");
            }
        }
    }

    #[test]
    fn an_unknown_recipe_lists_the_real_ones() {
        let ws = Workspace::load().unwrap();
        let err = find_recipe(&ws, "no-such-recipe").unwrap_err().to_string();
        assert!(err.contains("is not a recipe"), "{err}");
        if let Some(first) = ws.recipes().next() {
            assert!(err.contains(&first.name), "{err}");
        }
    }
}
