//! The `deno` and `bun` environments: a crate's wasm tests, built for
//! `wasm32-unknown-unknown` as for Node.js, run by wasm-bindgen-test-runner with Deno or
//! Bun as the JavaScript host.
//!
//! Both hosts come from the npm registry, pinned with integrity hashes by
//! `ci/js-hosts/package-lock.json` and installed with `npm ci` into
//! `target/xtask/tools/js-hosts/` (the `deno` and `bun` packages carry the binaries).
//!
//! - **Deno** runs through the runner's own Deno mode (`WASM_BINDGEN_USE_DENO=1`: glue from
//!   `wasm-bindgen --target deno`, run with `deno run --allow-read`). That mode was written
//!   for Deno 1; its script sets `window.__wbg_test_invoke`, and Deno 2 has no `window`.
//!   `ci/js-hosts/deno/deno`, first on `PATH`, preloads a one-line `window.js` and hands
//!   everything else to the real Deno.
//! - **Bun** runs the runner's Node.js mode (glue from `--target nodejs`, the runner's
//!   CommonJS script): `ci/js-hosts/bun/node`, first on `PATH`, is Bun. Bun defines a global
//!   `self`, which wasm-bindgen-test reads as "a browser page", so the shim preloads a line
//!   that deletes it.
//!
//! `--target deno` cannot bind `wasm_bindgen::module()` (wasm-bindgen says so), which
//! `wasm-rs-worker` needs to start a worker on the page's own module: a test binary that
//! links it can't run in the `deno` environment, and its crate says so in
//! `[package.metadata.wasm-rs.not-run]`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Result, bail};

use crate::env::Environment;
use crate::workspace::Workspace;

/// A JavaScript host other than Node.js that runs the wasm tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsHost {
    /// Deno, through the runner's Deno mode.
    Deno,
    /// Bun, running the runner's Node.js script.
    Bun,
}

/// The Deno release of `ci/js-hosts/package.json`.
pub(crate) const DENO_VERSION: &str = "2.9.6";
/// The Bun release of `ci/js-hosts/package.json`.
pub(crate) const BUN_VERSION: &str = "1.4.5";

impl JsHost {
    /// The host an environment runs on, if it is one of these.
    pub(crate) fn of(env: Environment) -> Option<JsHost> {
        match env {
            Environment::Deno => Some(JsHost::Deno),
            Environment::Bun => Some(JsHost::Bun),
            _ => None,
        }
    }

    fn package(self) -> &'static str {
        match self {
            JsHost::Deno => "deno",
            JsHost::Bun => "bun",
        }
    }

    /// The version the lockfile pins, as the binary prints it in `--version`.
    pub(crate) fn version(self) -> &'static str {
        match self {
            JsHost::Deno => DENO_VERSION,
            JsHost::Bun => BUN_VERSION,
        }
    }

    /// The variable the shim reads the real binary's path from.
    fn binary_var(self) -> &'static str {
        match self {
            JsHost::Deno => "WASM_RS_DENO",
            JsHost::Bun => "WASM_RS_BUN",
        }
    }

    /// The committed folder whose shim goes first on `PATH`.
    fn shim_dir(self, root: &Path) -> PathBuf {
        root.join("ci/js-hosts").join(self.package())
    }
}

/// The committed npm project that pins both hosts.
fn project(root: &Path) -> PathBuf {
    root.join("ci/js-hosts")
}

/// Where `npm ci` installs it.
fn install_dir(ws: &Workspace) -> PathBuf {
    ws.target_dir.join("xtask").join("tools").join("js-hosts")
}

/// The host's binary inside the install.
fn binary(ws: &Workspace, host: JsHost) -> PathBuf {
    install_dir(ws)
        .join("node_modules/.bin")
        .join(host.package())
}

/// Whether the installed binary prints the pinned version.
fn reports_version(path: &Path, host: JsHost) -> bool {
    Command::new(path).arg("--version").output().is_ok_and(|o| {
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains(host.version())
    })
}

/// Whether both hosts are installed at the pinned versions.
pub(crate) fn installed(ws: &Workspace) -> bool {
    [JsHost::Deno, JsHost::Bun]
        .into_iter()
        .all(|h| reports_version(&binary(ws, h), h))
}

/// Installs both hosts with `npm ci` unless they are there at the pinned versions; returns
/// the binary of `host`.
pub(crate) fn ensure(ws: &Workspace, host: JsHost) -> Result<PathBuf> {
    let path = binary(ws, host);
    if reports_version(&path, host) {
        return Ok(path);
    }
    let start = Instant::now();
    println!(
        "  {:<14} missing → npm ci in {} (deno {DENO_VERSION}, bun {BUN_VERSION}, prebuilt)",
        host.package(),
        install_dir(ws).display()
    );
    crate::process::npm_ci(&project(&ws.root), &install_dir(ws))?;
    if !reports_version(&path, host) {
        bail!(
            "{} was installed but `{} --version` does not print {}",
            path.display(),
            host.package(),
            host.version()
        );
    }
    println!(
        "  {:<14} installed in {:.1} s",
        host.package(),
        start.elapsed().as_secs_f64()
    );
    Ok(path)
}

/// Points `cmd` (a `cargo test --target wasm32-unknown-unknown`) at `host`: its shim first
/// on `PATH`, the real binary in the variable the shim reads.
pub(crate) fn configure(cmd: &mut Command, root: &Path, host: JsHost, binary: &Path) {
    let mut path = vec![host.shim_dir(root)];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let joined: OsString = std::env::join_paths(path).unwrap_or_default();
    cmd.env("PATH", joined).env(host.binary_var(), binary);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pinned versions in the code are the lockfile's.
    #[test]
    fn the_lockfile_pins_the_versions_the_code_names() {
        for host in [JsHost::Deno, JsHost::Bun] {
            crate::process::assert_npm_lock_pins("ci/js-hosts", host.package(), host.version());
        }
    }

    #[test]
    fn the_shims_are_committed_and_executable() {
        use std::os::unix::fs::PermissionsExt;
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for (host, shim) in [(JsHost::Deno, "deno"), (JsHost::Bun, "node")] {
            let file = host.shim_dir(&root).join(shim);
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert!(mode & 0o111 != 0, "{} is not executable", file.display());
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(text.contains(host.binary_var()), "{}", file.display());
        }
    }

    #[test]
    fn configure_puts_the_shim_first() {
        let root = Path::new("/repo");
        let mut cmd = Command::new("cargo");
        configure(&mut cmd, root, JsHost::Bun, Path::new("/tools/bun"));
        let envs: Vec<(String, String)> = cmd
            .get_envs()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.unwrap().to_string_lossy().into_owned(),
                )
            })
            .collect();
        let path = &envs.iter().find(|(k, _)| k == "PATH").unwrap().1;
        assert!(path.starts_with("/repo/ci/js-hosts/bun:"), "{path}");
        assert!(envs.contains(&("WASM_RS_BUN".into(), "/tools/bun".into())));
    }
}
