//! The `workerd` environment: a crate's Worker served by workerd, the open-source runtime of
//! Cloudflare Workers, and driven over HTTP by the crate's own `tests/workerd.rs`.
//!
//! A crate that declares `workerd` has a `workerd/` project beside its sources, shaped like
//! the bundler on-ramps: `package.json` with workerd pinned and its lockfile,
//! `build-wasm.mjs` (the crate for wasm32 and wasm-bindgen's `--target web` glue into
//! `pkg/`), `worker.js` and `config.capnp`. The suite runs, in that folder, what its README
//! tells a user to run: `npm ci` (which also installs workerd), `node build-wasm.mjs` (with
//! the `demo` profile and target directory the book's demos share), and then
//! `cargo test -p <crate> --features workerd-e2e --test workerd`, whose tests start workerd
//! from `node_modules/.bin` on a free loopback port each.
//!
//! This module only names the commands; the test runner runs and logs them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The feature that compiles `tests/workerd.rs` (`required-features` of that test target).
pub(crate) const FEATURE: &str = "workerd-e2e";

/// The Worker project of a crate.
pub(crate) fn project(crate_dir: &Path) -> PathBuf {
    crate_dir.join("workerd")
}

/// What a crate declaring `workerd` must hold, as (path relative to the crate, why).
pub(crate) const REQUIRED_FILES: [(&str, &str); 6] = [
    ("workerd/package.json", "pins workerd for `npm ci`"),
    (
        "workerd/package-lock.json",
        "so that `npm ci` installs the pinned workerd",
    ),
    (
        "workerd/build-wasm.mjs",
        "builds the crate and wasm-bindgen's glue into pkg/",
    ),
    ("workerd/worker.js", "the Worker's module"),
    ("workerd/config.capnp", "workerd's configuration"),
    (
        "tests/workerd.rs",
        "the tests that drive the Worker over HTTP",
    ),
];

/// The commands that build the Worker before its tests run, with a label each.
pub(crate) fn build_steps(crate_dir: &Path, target_dir: &Path) -> Vec<(&'static str, Command)> {
    let dir = project(crate_dir);
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let mut install = Command::new(npm);
    install
        .current_dir(&dir)
        .args(["ci", "--no-audit", "--no-fund"]);
    let mut build = Command::new("node");
    build
        .current_dir(&dir)
        .arg("build-wasm.mjs")
        .env("CARGO_PROFILE", "demo")
        .env("CARGO_TARGET_DIR", target_dir);
    vec![("npm ci", install), ("build-wasm.mjs", build)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recipe_that_declares_workerd_has_every_required_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let recipe = root.join("recipes/cloudflare-worker");
        for (file, why) in REQUIRED_FILES {
            assert!(recipe.join(file).is_file(), "{file} ({why})");
        }
        let steps = build_steps(&recipe, &root.join("target"));
        assert_eq!(
            steps.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            ["npm ci", "build-wasm.mjs"]
        );
        assert!(
            steps
                .iter()
                .all(|(_, c)| c.get_current_dir() == Some(project(&recipe).as_path()))
        );
    }
}
