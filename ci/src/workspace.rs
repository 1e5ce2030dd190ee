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
    /// Run the crate's native tests under Miri (`cargo +nightly miri test`).
    #[serde(default)]
    pub(crate) miri: bool,
    /// Run the crate's `tests/loom.rs` model checks (`--cfg loom`, release).
    #[serde(default)]
    pub(crate) loom: bool,
    /// cargo-fuzz targets in the crate's `fuzz/` folder, each run for 30 s by `cargo xtask test`.
    #[serde(default)]
    pub(crate) fuzz: Vec<String>,
    /// An integration test that writes generated book files into the folder named by
    /// `WASM_RS_BOOK_GENERATED`; run before every book build.
    #[serde(default)]
    pub(crate) book_generator: Option<String>,
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

    /// The exact wasm-bindgen version pinned in the root `Cargo.toml`
    /// (`[workspace.dependencies] wasm-bindgen = "=X.Y.Z"`): the one place it is written.
    pub(crate) fn wasm_bindgen_version(&self) -> Result<String> {
        wasm_bindgen_version_in(&self.root.join("Cargo.toml"))
    }

    /// The crates under `recipes/`.
    pub(crate) fn recipes(&self) -> impl Iterator<Item = &Crate> {
        self.crates.iter().filter(|c| c.is_recipe(&self.root))
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

fn wasm_bindgen_version_in(manifest: &Path) -> Result<String> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let doc: toml::Table = text.parse().context("parsing the workspace Cargo.toml")?;
    let dep = doc
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.get("wasm-bindgen"))
        .context("the workspace Cargo.toml has no [workspace.dependencies] wasm-bindgen")?;
    let req = match dep {
        toml::Value::String(s) => s.clone(),
        toml::Value::Table(t) => t
            .get("version")
            .and_then(|v| v.as_str())
            .context("[workspace.dependencies] wasm-bindgen has no version")?
            .to_string(),
        _ => bail!("[workspace.dependencies] wasm-bindgen must be a string or a table"),
    };
    parse_exact_version(&req)
}

/// `"=0.2.130"` → `"0.2.130"`. Anything but an exact pin is refused: wasm-bindgen-cli must
/// match the library byte for byte, so a range would let the two drift apart.
fn parse_exact_version(req: &str) -> Result<String> {
    let Some(v) = req.trim().strip_prefix('=') else {
        bail!(
            "wasm-bindgen must be pinned exactly (\"={req}\"), since wasm-bindgen-cli must match it"
        );
    };
    let v = v.trim();
    if v.split('.').count() != 3 || !v.split('.').all(|p| p.parse::<u32>().is_ok()) {
        bail!("wasm-bindgen pin `{req}` is not of the form =X.Y.Z");
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_pins_only() {
        assert_eq!(parse_exact_version("=0.2.130").unwrap(), "0.2.130");
        assert!(parse_exact_version("0.2.130").is_err());
        assert!(parse_exact_version("=0.2").is_err());
    }

    #[test]
    fn reads_this_workspace() {
        let ws = Workspace::load().unwrap();
        let v = ws.wasm_bindgen_version().unwrap();
        assert!(v.starts_with("0.2."), "{v}");
        assert!(ws.crates.iter().any(|c| c.name == "wasm-rs-ci"));
    }
}
