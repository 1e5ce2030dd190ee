//! The size suite: what each runtime crate adds to a release wasm, against the peer a user
//! would otherwise use, after `wasm-opt -Oz` and gzipped.
//!
//! The probes are cdylib examples of `ci/size-probes/` (a package of its own, so each links
//! what a user's app links): `baseline` is the bare exported function, and every other
//! probe is the same function doing the work with a runtime crate or its peer. A probe's
//! contribution is its size minus the baseline's. Each is built in release, bound with
//! `wasm-bindgen --target web`, optimised with `wasm-opt -Oz` and the [`WASM_OPT_FEATURES`]
//! that Rust's wasm32 target emits, and compressed with gzip level 9. Sizes are
//! deterministic, so the suite runs once.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;

use super::model::{Better, RunFigure, RunReport};
use crate::workspace::Workspace;

/// The wasm features Rust 1.95's wasm32-unknown-unknown target enables by default, which
/// binaryen must be told about (Debian's binaryen 108 enables none of them by itself).
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

/// Builds, binds and measures every probe; returns the sizes as one run.
pub(crate) fn run(
    ws: &Workspace,
    wasm_bindgen: &Path,
    wasm_opt: &Path,
    out_dir: &Path,
) -> Result<RunReport> {
    let manifest = ws.root.join("ci").join("size-probes").join("Cargo.toml");
    let target_dir = ws.target_dir.join("size-probes");
    println!(
        "  → cargo build --release --target wasm32-unknown-unknown --examples (ci/size-probes)"
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
        bail!("building the size probes failed; the compiler's errors are above");
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
    let mut figures = Vec::new();
    for c in COMPARISONS {
        let (ours, peer) = (measure(c.ours.1)?, measure(c.peer.1)?);
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
                "this binaryen cannot read one of these modules (wasm-bindgen's externref table code uses table.fill, which binaryen 108 does not parse), so all three are measured as wasm-bindgen wrote them, gzipped without wasm-opt; baseline {} B",
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
                note: note.clone(),
                values: vec![
                    (c.ours.0.into(), Some(value(ours) - value(baseline))),
                    (c.peer.0.into(), Some(value(peer) - value(baseline))),
                ],
            });
        }
    }
    let trunk = crate::setup::ensure_trunk()?;
    for onramp in &crate::onramps::ON_RAMPS {
        figures.push(onramp_size(ws, onramp, &trunk)?);
    }
    Ok(RunReport {
        suite: "size".into(),
        env: "wasm32".into(),
        figures,
    })
}

/// What an on-ramp recipe's page ships, wasm and JS, each file gzipped as a server would send
/// it: the bundler's production build (`dist/`) against the plain `--target web` files of
/// the same release build (wasm-bindgen's output with its snippets, and the page's own
/// `main.js`). Neither runs wasm-opt.
fn onramp_size(ws: &Workspace, onramp: &crate::onramps::OnRamp, trunk: &Path) -> Result<RunFigure> {
    let project = crate::onramps::build_project(ws, onramp, "release", "bench", trunk)?;
    let bundled = gzipped_total(&project.join("dist"))?;
    let plain = match onramp.tool {
        crate::onramps::Tool::Npm => {
            gzipped_total(&project.join("pkg"))? + gzipped_file(&project.join("src/main.js"))?
        }
        crate::onramps::Tool::Trunk => {
            // Trunk keeps wasm-bindgen's output to itself: bind the same release wasm here.
            let wasm = ws
                .target_dir
                .join("wasm32-unknown-unknown/release")
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
        note: "release build, no wasm-opt on either side".into(),
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
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&bytes)?;
    Ok(gz.finish()?.len() as u64)
}
