//! The size suite: what each runtime crate adds to a release wasm, against the peer a user
//! would otherwise use, after `wasm-opt -Oz` and gzipped.
//!
//! The probes are cdylib examples of `ci/size-probes/` (a package of its own, so each links
//! what a user's app links): `baseline` is the bare exported function, and every other
//! probe is the same function doing the work with a runtime crate or its peer. A probe's
//! contribution is its size minus the baseline's. Each is built in release, bound with
//! `wasm-bindgen --target web`, optimised with `wasm-opt -Oz` (binaryen's npm release, pinned:
//! see `setup::ensure_binaryen`) and the [`WASM_OPT_FEATURES`] that Rust's wasm32 target
//! emits, and compressed with gzip level 9. Sizes are deterministic, so the suite runs once.
//!
//! It also measures what a live demo page of the book downloads ([`demo_page_size`]): the
//! Rhai demo's module and JS glue against the smallest demo page's, built as the book builds
//! them (`demos::build_wasm` and `demos::bind_for_web`), for issue #25's "Rhai page ≤ 160 KB
//! gzipped".

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;

use super::model::{Better, RunFigure, RunReport};
use crate::workspace::Workspace;

/// The wasm features Rust 1.95's wasm32-unknown-unknown target enables by default, which
/// binaryen must be told about.
pub(crate) const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
    "--enable-multivalue",
];

/// One comparison: a runtime crate's probe against its peer's.
struct Comparison {
    id: &'static str,
    label: &'static str,
    ours: (&'static str, &'static str),
    peer: (&'static str, &'static str),
}

const COMPARISONS: &[Comparison] = &[
    Comparison {
        id: "executor",
        label: "spawn one task",
        ours: ("wasm-rs-async-executor", "executor"),
        peer: ("spawn_local", "spawn_local"),
    },
    Comparison {
        id: "executor-minimal",
        label: "spawn one task, the executor without default features (no time slicing)",
        ours: (
            "wasm-rs-async-executor, default-features = false",
            "executor_minimal",
        ),
        peer: ("spawn_local", "spawn_local"),
    },
    Comparison {
        id: "executor-debug",
        label: "spawn one task, the executor with its debug feature (task names)",
        ours: (
            "wasm-rs-async-executor, features = [\"debug\"]",
            "executor_debug",
        ),
        peer: ("the default features", "executor"),
    },
    Comparison {
        id: "executor-jspi",
        label: "spawn one task, the executor with its jspi feature, no JSPI function called",
        ours: (
            "wasm-rs-async-executor, features = [\"jspi\"]",
            "executor_jspi",
        ),
        peer: ("the default features", "executor"),
    },
    Comparison {
        id: "channel",
        label: "send bytes to a worker and receive them",
        ours: ("wasm-rs-shared-channel", "channel"),
        peer: ("postMessage by hand", "post_message"),
    },
    Comparison {
        id: "dbg",
        label: "print a struct to the console",
        ours: ("wasm_rs_dbg::dbg!", "dbg"),
        peer: ("console.log(format!(..)) by hand", "by_hand"),
    },
];

/// A probe's sizes in bytes.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    /// After wasm-bindgen.
    bound: u64,
    /// After wasm-opt -Oz, when binaryen could read the module.
    optimised: Option<u64>,
    /// The optimised module gzipped (or the bound one, when there is no optimised one).
    gzipped: u64,
}

/// Builds, binds and measures every probe; returns the sizes as one run. A `quick` run (the
/// `bench` suite of `cargo xtask test`) builds the on-ramp pages with the `demo` profile the
/// `onramps` suite has just built them with, so it reuses that build instead of compiling
/// Leptos and the rest a second time in release (about 90 s on 2 cores); its on-ramp figures
/// then say `demo build`. Every other figure is a release build either way.
pub(crate) fn run(
    ws: &Workspace,
    wasm_bindgen: &Path,
    wasm_opt: &Path,
    out_dir: &Path,
    quick: bool,
) -> Result<RunReport> {
    let probes = ws.root.join("ci").join("size-probes");
    let target_dir = ws.target_dir.join("size-probes");
    // One package per feature set of the executor (Cargo unites the features of one
    // dependency graph; see their Cargo.toml). All put their examples in one directory and
    // share the builds of every other dependency.
    for sub in ["", "minimal", "debug", "jspi"] {
        let package = format!(
            "ci/size-probes{}{sub}",
            if sub.is_empty() { "" } else { "/" }
        );
        let manifest = probes.join(sub).join("Cargo.toml");
        println!(
            "  → cargo build --release --target wasm32-unknown-unknown --examples ({package})"
        );
        let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
                "--examples",
                "--manifest-path",
            ])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target_dir)
            .status()
            .context("starting cargo build for the size probes")?;
        if !status.success() {
            bail!("building the size probes ({package}) failed; the compiler's errors are above");
        }
    }
    let examples = target_dir.join("wasm32-unknown-unknown/release/examples");
    let work = out_dir.join("size");
    let measure = |probe: &str| -> Result<Sizes> {
        let dir = work.join(probe);
        super::run::bindgen(
            wasm_bindgen,
            &examples.join(format!("{probe}.wasm")),
            "web",
            &dir,
        )?;
        let bound_path = dir.join("bench_bg.wasm");
        let bound = std::fs::metadata(&bound_path)?.len();
        let opt_path = dir.join("opt.wasm");
        let out = Command::new(wasm_opt)
            .arg("-Oz")
            .args(WASM_OPT_FEATURES)
            .arg(&bound_path)
            .arg("-o")
            .arg(&opt_path)
            .output()
            .context("starting wasm-opt")?;
        let optimised = out
            .status
            .success()
            .then(|| std::fs::metadata(&opt_path).map(|m| m.len()))
            .transpose()?;
        let bytes = std::fs::read(if optimised.is_some() {
            &opt_path
        } else {
            &bound_path
        })?;
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&bytes)?;
        let gzipped = gz.finish()?.len() as u64;
        Ok(Sizes {
            bound,
            optimised,
            gzipped,
        })
    };
    let baseline = measure("baseline")?;
    let code_of =
        |probe: &str| code_by_crate(&std::fs::read(work.join(probe).join("bench_bg.wasm"))?);
    let baseline_code = code_of("baseline")?;
    let mut figures = Vec::new();
    for c in COMPARISONS {
        let (ours, peer) = (measure(c.ours.1)?, measure(c.peer.1)?);
        let parts = added_by_crate(
            &baseline_code,
            &code_of(c.ours.1)?,
            &code_of(c.peer.1)?,
            c.peer.0,
        );
        let all_optimised = [baseline, ours, peer].iter().all(|s| s.optimised.is_some());
        // Every size of a comparison is taken the same way: after wasm-opt when binaryen
        // read all three modules, else all three as wasm-bindgen wrote them.
        let pick = |s: Sizes| -> f64 {
            if all_optimised {
                s.optimised.unwrap_or(s.bound) as f64
            } else {
                s.bound as f64
            }
        };
        let stage = if all_optimised {
            "after wasm-opt -Oz"
        } else {
            "before wasm-opt"
        };
        let note = if all_optimised {
            format!(
                "baseline module {} B after wasm-opt -Oz ({} B gzipped)",
                pick(baseline),
                baseline.gzipped
            )
        } else {
            format!(
                "binaryen {}'s wasm-opt could not read one of these modules, so all three are measured as wasm-bindgen wrote them, gzipped without wasm-opt; baseline {} B",
                crate::setup::BINARYEN_VERSION,
                baseline.bound
            )
        };
        for (suffix, what, value) in [
            ("opt", stage, &pick as &dyn Fn(Sizes) -> f64),
            ("gz", "gzip -9", &|s: Sizes| s.gzipped as f64),
        ] {
            figures.push(RunFigure {
                id: format!("{}-{suffix}", c.id),
                label: format!("bytes added to a release wasm, {what}: {}", c.label),
                unit: "B".into(),
                better: Better::Lower,
                // The parts once, with the first figure of the comparison.
                note: if suffix == "opt" {
                    format!("{note}; {parts}")
                } else {
                    note.clone()
                },
                values: vec![
                    (c.ours.0.into(), Some(value(ours) - value(baseline))),
                    (c.peer.0.into(), Some(value(peer) - value(baseline))),
                ],
            });
        }
    }
    figures.push(demo_page_size(ws, &work)?);
    let trunk = crate::setup::ensure_trunk()?;
    let profile = if quick { "demo" } else { "release" };
    for onramp in &crate::onramps::ON_RAMPS {
        figures.push(onramp_size(ws, onramp, profile, &trunk)?);
    }
    Ok(RunReport {
        suite: "size".into(),
        env: "wasm32".into(),
        figures,
    })
}

/// The demo page issue #25 bounds (≤ 160 KB gzipped), and its peer: the book's smallest demo
/// page, which shows the floor every wasm-rs demo pays (std, wasm-bindgen's glue, the
/// runtime crates), so the difference is what Rhai and the recipe add.
const RHAI_PAGE: &str = "rhai-engine-worker";
const PEER_PAGE: &str = "hello-wasm-rs";

/// What a demo page downloads, each file gzip -9 as a server would send it: the module, its
/// wasm-bindgen glue and the glue's snippets (the book's `demo-runner.js`, shared by every
/// page, is not counted; a demo's worker loads the same, cached, files).
///
/// Built as the book builds it: `cargo build --profile demo` of every demo package (the same
/// set as the book suite, so after it cargo has nothing to do; alone, it builds the demos),
/// then `wasm-bindgen` with the book's flags into `target/bench/size/demo-pages/`, from the
/// fresh cargo artifact, so the figure never reads a stale book.
fn demo_page_size(ws: &Workspace, work: &Path) -> Result<RunFigure> {
    let started = Instant::now();
    let packages = crate::demos::demo_packages(ws);
    for page in [RHAI_PAGE, PEER_PAGE] {
        if !packages.contains(&page) {
            bail!(
                "recipe {page} is no longer a demo; the size suite's demo-page figure measures it"
            );
        }
    }
    println!("  → the demo pages: cargo build --profile demo (nothing to do after the book suite)");
    crate::demos::build_wasm(ws, &packages, "the demos")?;
    let measure = |recipe: &str| -> Result<PageSize> {
        let wasm = ws
            .target_dir
            .join("wasm32-unknown-unknown/demo")
            .join(format!("{}.wasm", recipe.replace('-', "_")));
        let dir = work.join("demo-pages").join(recipe);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        crate::demos::bind_for_web(&wasm, &dir)?;
        page_size(&dir)
    };
    let (rhai, peer) = (measure(RHAI_PAGE)?, measure(PEER_PAGE)?);
    println!(
        "    demo pages measured in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(RunFigure {
        id: "rhai-page-gz".into(),
        label: format!(
            "what a demo page downloads, wasm + JS glue, each file gzip -9: the Rhai page ({RHAI_PAGE}) vs the {PEER_PAGE} page"
        ),
        unit: "B".into(),
        better: Better::Lower,
        note: format!(
            "demo profile (opt-level z, LTO, 1 codegen unit), wasm-bindgen --target web without the name and producers sections, no wasm-opt (when issue #25 was measured, -Oz made the Rhai module 11% smaller but 4% larger gzipped); {RHAI_PAGE}: {}; {PEER_PAGE}: {}; per-crate breakdown not measured here",
            rhai.describe(),
            peer.describe()
        ),
        values: vec![
            (format!("{RHAI_PAGE} page"), Some(rhai.total() as f64)),
            (format!("{PEER_PAGE} page"), Some(peer.total() as f64)),
        ],
    })
}

/// A demo page's files, as [`demo_page_size`] counts them.
#[derive(Debug, Clone, PartialEq)]
struct PageSize {
    /// The module's bytes, by section.
    wasm: Sections,
    wasm_gz: u64,
    /// How many JS files (the glue and its snippets), and their gzipped sizes summed.
    js_files: usize,
    js_gz: u64,
}

impl PageSize {
    fn total(&self) -> u64 {
        self.wasm_gz + self.js_gz
    }

    fn describe(&self) -> String {
        let w = &self.wasm;
        format!(
            "wasm {} B gzipped ({} B raw: code {}, data {}, name section {}, the rest {}), JS {} B gzipped ({} file(s))",
            self.wasm_gz,
            w.total,
            w.code,
            w.data,
            w.name,
            w.total - w.code - w.data - w.name,
            self.js_gz,
            self.js_files
        )
    }
}

/// Measures the `.wasm` (exactly one) and `.js` files under `dir`.
fn page_size(dir: &Path) -> Result<PageSize> {
    let mut wasm = None;
    let (mut js_files, mut js_gz) = (0, 0);
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        match entry.path().extension().and_then(|e| e.to_str()) {
            Some("wasm") => {
                if wasm.is_some() {
                    bail!("{} holds more than one .wasm file", dir.display());
                }
                let bytes = std::fs::read(entry.path())
                    .with_context(|| format!("reading {}", entry.path().display()))?;
                let sections = sections(&bytes).with_context(|| {
                    format!("reading the sections of {}", entry.path().display())
                })?;
                wasm = Some((sections, gzipped(&bytes)?));
            }
            Some("js") => {
                js_files += 1;
                js_gz += gzipped_file(entry.path())?;
            }
            _ => {}
        }
    }
    let (wasm, wasm_gz) = wasm.with_context(|| format!("no .wasm file in {}", dir.display()))?;
    Ok(PageSize {
        wasm,
        wasm_gz,
        js_files,
        js_gz,
    })
}

/// A wasm module's bytes by section, each with its id and size header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sections {
    total: u64,
    /// The code section: the functions' bodies.
    code: u64,
    /// The data section: static data (strings, tables of constants).
    data: u64,
    /// The `name` custom section: function names, for stack traces.
    name: u64,
}

/// Splits a wasm module into its sections (the binary format's header, then per section an
/// id byte, a LEB128 size and the contents; a custom section's contents start with its name).
fn sections(bytes: &[u8]) -> Result<Sections> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        bail!("not a wasm module");
    }
    let mut out = Sections {
        total: bytes.len() as u64,
        ..Sections::default()
    };
    let mut at = 8;
    while at < bytes.len() {
        let start = at;
        let id = bytes[at];
        let (size, contents) = leb128(bytes, at + 1)?;
        let end = contents
            .checked_add(size)
            .filter(|&e| e <= bytes.len())
            .context("a section runs past the end of the module")?;
        let whole = (end - start) as u64;
        match id {
            10 => out.code += whole,
            11 => out.data += whole,
            0 => {
                let (len, name_at) = leb128(bytes, contents)?;
                if bytes.get(name_at..name_at + len) == Some(b"name".as_slice()) {
                    out.name += whole;
                }
            }
            _ => {}
        }
        at = end;
    }
    Ok(out)
}

/// The bytes of function bodies in a module, by the crate each function comes from (read
/// from the `name` section, which wasm-bindgen keeps; before `wasm-opt`, which drops it).
/// A function's crate is the first path segment of its name, after any `<` of a trait
/// impl: `<alloc::vec::Vec<T> as Drop>::drop` counts for `alloc`, `core::ptr::drop_in_place<X>`
/// for `core`. Functions without a name count as `(unnamed)`.
fn code_by_crate(module: &[u8]) -> Result<std::collections::BTreeMap<String, u64>> {
    use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};
    let mut imported = 0u32;
    let mut bodies: Vec<u64> = Vec::new();
    let mut names: std::collections::HashMap<u32, String> = std::collections::HashMap::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.context("reading the size probe's module")? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len() as u64),
            Payload::CustomSection(custom) => {
                if let KnownCustom::Name(reader) = custom.as_known() {
                    for name in reader {
                        if let Name::Function(map) = name? {
                            for naming in map {
                                let naming = naming?;
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = std::collections::BTreeMap::new();
    for (i, size) in bodies.into_iter().enumerate() {
        let index = imported + u32::try_from(i)?;
        let krate = names
            .get(&index)
            .map_or("(unnamed)", |n| crate_of(n))
            .to_string();
        *out.entry(krate).or_insert(0) += size;
    }
    Ok(out)
}

/// The crate a function name starts with (see [`code_by_crate`]).
fn crate_of(name: &str) -> &str {
    let name = name.trim_start_matches(['<', '&', '*']);
    let name = name.strip_prefix("dyn ").unwrap_or(name);
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    if end == 0 || !name[end..].starts_with("::") && !name[end..].starts_with('[') {
        // Not a path (`memcpy`, `__rust_alloc`, a wasm-bindgen shim): the module's own.
        return "(no crate path)";
    }
    &name[..end]
}

/// What each crate adds to the baseline in `ours` and in `peer`, the largest first, as one
/// line for the figure's note.
fn added_by_crate(
    baseline: &std::collections::BTreeMap<String, u64>,
    ours: &std::collections::BTreeMap<String, u64>,
    peer: &std::collections::BTreeMap<String, u64>,
    peer_name: &str,
) -> String {
    let added = |m: &std::collections::BTreeMap<String, u64>, k: &str| -> i64 {
        let base = baseline.get(k).copied().unwrap_or(0);
        m.get(k).copied().unwrap_or(0) as i64 - base as i64
    };
    let mut crates: Vec<&String> = ours.keys().chain(peer.keys()).collect();
    crates.sort();
    crates.dedup();
    let mut rows: Vec<(&String, i64, i64)> = crates
        .into_iter()
        .map(|k| (k, added(ours, k), added(peer, k)))
        .filter(|(_, a, b)| *a != 0 || *b != 0)
        .collect();
    rows.sort_by_key(|(k, a, b)| (std::cmp::Reverse(*a.max(b)), (*k).clone()));
    let list: Vec<String> = rows
        .iter()
        .map(|(k, a, b)| format!("{k} {a:+} ({b:+})"))
        .collect();
    format!(
        "code bytes each crate adds to the baseline before wasm-opt, this crate's probe (and {peer_name}'s): {}",
        list.join(", ")
    )
}

/// An unsigned LEB128 number at `at`: its value, and where the next byte starts.
fn leb128(bytes: &[u8], mut at: usize) -> Result<(usize, usize)> {
    let mut value: u64 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes
            .get(at)
            .context("a size runs past the end of the module")?;
        at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((usize::try_from(value)?, at));
        }
    }
    bail!("a size longer than 5 bytes")
}

/// What an on-ramp recipe's page ships, wasm and JS, each file gzipped as a server would send
/// it: the bundler's production build (`dist/`) against the plain `--target web` files of
/// the same build (wasm-bindgen's output with its snippets, and the page's own `main.js`),
/// both from the cargo `profile`. Neither runs wasm-opt.
fn onramp_size(
    ws: &Workspace,
    onramp: &crate::onramps::OnRamp,
    profile: &str,
    trunk: &Path,
) -> Result<RunFigure> {
    let project = crate::onramps::build_project(ws, onramp, profile, "bench", trunk)?;
    let bundled = gzipped_total(&project.join("dist"))?;
    let plain = match onramp.tool {
        crate::onramps::Tool::Npm => {
            gzipped_total(&project.join("pkg"))? + gzipped_file(&project.join("src/main.js"))?
        }
        crate::onramps::Tool::Trunk => {
            // Trunk keeps wasm-bindgen's output to itself: bind the same wasm here.
            let wasm = ws
                .target_dir
                .join("wasm32-unknown-unknown")
                .join(profile)
                .join(format!("{}.wasm", onramp.recipe.replace('-', "_")));
            let pkg = project.join("pkg");
            let status = Command::new("wasm-bindgen")
                .args(["--target", "web", "--out-dir"])
                .arg(&pkg)
                .arg(&wasm)
                .status()
                .context("running wasm-bindgen")?;
            if !status.success() {
                bail!("wasm-bindgen {} failed ({status})", wasm.display());
            }
            // The page's own script, if it has one (a Leptos app has none).
            let main_js = project.join("main.js");
            let script = if main_js.is_file() {
                gzipped_file(&main_js)?
            } else {
                0
            };
            gzipped_total(&pkg)? + script
        }
    };
    let build = format!("{} build", onramp.bundler);
    Ok(RunFigure {
        id: format!("onramp-{}-gz", onramp.bundler),
        label: format!(
            "the {} page's wasm + JS, each file gzip -9: {build} vs plain --target web files",
            onramp.recipe
        ),
        unit: "B".into(),
        better: Better::Lower,
        note: format!("{profile} build, no wasm-opt on either side"),
        values: vec![
            (build, Some(bundled as f64)),
            ("--target web".into(), Some(plain as f64)),
        ],
    })
}

/// The sum of the gzipped sizes of every `.wasm` and `.js` file under `dir`.
fn gzipped_total(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let ext = entry.path().extension().and_then(|e| e.to_str());
        if entry.file_type().is_file() && matches!(ext, Some("wasm" | "js")) {
            total += gzipped_file(entry.path())?;
        }
    }
    Ok(total)
}

fn gzipped_file(path: &Path) -> Result<u64> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    gzipped(&bytes)
}

/// The size of `bytes` after gzip -9.
fn gzipped(bytes: &[u8]) -> Result<u64> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(bytes)?;
    Ok(gz.finish()?.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A section: id, LEB128 size, contents.
    fn section(id: u8, contents: &[u8]) -> Vec<u8> {
        let mut s = vec![id];
        let mut n = contents.len();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                s.push(byte);
                break;
            }
            s.push(byte | 0x80);
        }
        s.extend_from_slice(contents);
        s
    }

    fn custom(name: &str, body: &[u8]) -> Vec<u8> {
        let mut c = vec![name.len() as u8];
        c.extend_from_slice(name.as_bytes());
        c.extend_from_slice(body);
        section(0, &c)
    }

    #[test]
    fn a_module_splits_into_code_data_name_and_the_rest() {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend(section(1, &[0x60, 0, 0])); // a type: 5 bytes with its header
        m.extend(section(10, &[0xab; 200])); // 200 bytes: a two-byte size, 203 in all
        m.extend(section(11, &[1; 7])); // 9
        m.extend(custom("name", &[0; 130])); // 1 + 2 + 1 + 4 + 130 = 138
        m.extend(custom("names", &[0; 3])); // another custom section: the rest
        let s = sections(&m).unwrap();
        assert_eq!(
            s,
            Sections {
                total: m.len() as u64,
                code: 203,
                data: 9,
                name: 138,
            }
        );
        assert_eq!(s.total - s.code - s.data - s.name, 8 + 5 + 11);
    }

    #[test]
    fn a_function_counts_for_the_crate_its_name_starts_with() {
        assert_eq!(
            crate_of("wasm_rs_async_executor::sys::web::Driver::hooks::{{closure}}::h1"),
            "wasm_rs_async_executor"
        );
        assert_eq!(
            crate_of("<dlmalloc[e24a]::dlmalloc::Dlmalloc<A>>::malloc"),
            "dlmalloc"
        );
        assert_eq!(
            crate_of("<alloc::vec::Vec<T> as core::ops::Drop>::drop::h2"),
            "alloc"
        );
        assert_eq!(
            crate_of("core::ptr::drop_in_place<wasm_rs_dbg::X>::h3"),
            "core"
        );
        assert_eq!(crate_of("memcpy"), "(no crate path)");
        assert_eq!(crate_of("__wbindgen_malloc"), "(no crate path)");
    }

    #[test]
    fn each_crate_s_part_is_what_it_adds_to_the_baseline() {
        let map = |v: &[(&str, u64)]| -> std::collections::BTreeMap<String, u64> {
            v.iter().map(|(k, n)| (k.to_string(), *n)).collect()
        };
        let line = added_by_crate(
            &map(&[("core", 100)]),
            &map(&[("core", 400), ("wasm_rs", 900)]),
            &map(&[("core", 150), ("js_sys", 50)]),
            "spawn_local",
        );
        assert!(
            line.ends_with("wasm_rs +900 (+0), core +300 (+50), js_sys +0 (+50)"),
            "{line}"
        );
    }

    #[test]
    fn code_is_counted_by_the_name_section() {
        // One imported function (index 0), then two bodies (indices 1 and 2): the name
        // section names the first, the second has no name.
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        // type section: one type, () -> ()
        m.extend(section(1, &[1, 0x60, 0, 0]));
        // import section: one function import "m"."f" of type 0
        m.extend(section(2, &[1, 1, b'm', 1, b'f', 0, 0]));
        // function section: two functions of type 0
        m.extend(section(3, &[2, 0, 0]));
        // code section: bodies of 2 and 4 bytes (no locals, `end`; no locals, 2 `nop`s, `end`)
        m.extend(section(10, &[2, 2, 0, 0x0b, 4, 0, 0x01, 0x01, 0x0b]));
        // name section, subsection 1 (function names): index 1 named `core::x`
        let mut names = vec![1u8];
        let sub = [1u8, 1, 7, b'c', b'o', b'r', b'e', b':', b':', b'x'];
        names.push(sub.len() as u8);
        names.extend(sub);
        m.extend(custom("name", &names));
        let by = code_by_crate(&m).unwrap();
        assert_eq!(by.get("core"), Some(&2), "{by:?}");
        assert_eq!(by.get("(unnamed)"), Some(&4), "{by:?}");
    }

    #[test]
    fn a_truncated_module_is_an_error() {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend(section(10, &[0; 50]));
        assert!(sections(&m[..m.len() - 1]).is_err());
        assert!(sections(b"\0asm").is_err());
        assert!(sections(b"\0elf\x01\0\0\0").is_err());
    }

    #[test]
    fn a_page_counts_its_module_and_every_js_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend(section(10, &[0; 40]));
        std::fs::write(dir.path().join("page_bg.wasm"), &m).unwrap();
        std::fs::write(dir.path().join("page.js"), "export default 1;").unwrap();
        let snippets = dir.path().join("snippets/x/js");
        std::fs::create_dir_all(&snippets).unwrap();
        std::fs::write(snippets.join("loader.js"), "export const a = 2;").unwrap();
        std::fs::write(dir.path().join("README.md"), "not shipped").unwrap();
        let p = page_size(dir.path()).unwrap();
        assert_eq!(p.js_files, 2);
        assert_eq!(p.wasm.code, 42);
        assert_eq!(p.wasm_gz, gzipped(&m).unwrap());
        assert_eq!(
            p.total(),
            p.wasm_gz
                + gzipped(b"export default 1;").unwrap()
                + gzipped(b"export const a = 2;").unwrap()
        );
    }
}
