//! Disk space during `cargo xtask test`: what the run reports, and what it frees.
//!
//! A full run writes its builds under `target/`: the native and wasm32 test builds, and
//! separate target directories for loom (`--cfg loom` changes every crate), Miri, the WASI
//! targets, the ejected recipes, the packaged release and the nightly recipes. CI machines
//! differ in free space (one CI run of this project stopped at the WASI suites with
//! "No space left on device"), so the run
//! - says at the start how much space the target directory's filesystem has, and warns when
//!   it is less than a fresh run has been measured to need ([`FRESH_RUN_PEAK_GB`]);
//! - reports per suite how much the free space shrank (the summary's `disk GB` column);
//! - on CI (the `CI` variable set, as every CI service does) or with `--prune`, deletes a
//!   suite-private target directory once no suite left in the run uses it. A local run keeps
//!   them, so the next run is warm.

use std::path::{Path, PathBuf};

use crate::env::{Environment, Wasi};
use crate::suite::SuiteId;

/// The most a fresh `CI=true cargo xtask test` has held on disk at once, in GB (decimal),
/// target directory, toolchains and tool installs together: 13.8 GB over the machine's
/// starting use, with `df` sampled every 10 s over a whole run on a new machine (an upper
/// bound: other builds ran beside it; the target directory itself ended at 7.2 GB).
pub(crate) const FRESH_RUN_PEAK_GB: f64 = 14.0;

/// Bytes free for an unprivileged user on the filesystem holding `path`, or `None` when
/// the system can't say.
pub(crate) fn free_bytes(path: &Path) -> Option<u64> {
    // The target directory may not exist yet: ask about the nearest ancestor that does.
    let existing = path.ancestors().find(|p| p.exists())?;
    let st = rustix::fs::statvfs(existing).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

/// Bytes as decimal GB with one decimal.
pub(crate) fn gb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e9)
}

/// The start-of-run line about free space, with a warning when it is short.
pub(crate) fn preflight(free: Option<u64>) -> String {
    match free {
        None => "disk: free space unknown (statvfs failed)".to_string(),
        Some(b) if (b as f64 / 1e9) < FRESH_RUN_PEAK_GB => format!(
            "disk: WARNING: {} GB free where the target directory is; a fresh run has needed \
             up to {FRESH_RUN_PEAK_GB:.0} GB. Free space, point CARGO_TARGET_DIR at a larger \
             disk, or run fewer suites (`--only`); `--prune` deletes each suite's private \
             builds once it is done (on by default when CI is set).",
            gb(b)
        ),
        Some(b) => format!("disk: {} GB free where the target directory is", gb(b)),
    }
}

/// Whether this run prunes: `--prune`, or `CI` set to anything but `false`/`0`/empty.
pub(crate) fn prune_enabled(flag: bool) -> bool {
    flag || std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// The directories under the target directory that only `users` write and read.
fn private_dirs() -> Vec<(&'static [&'static str], Vec<SuiteId>)> {
    vec![
        (&["loom"], vec![SuiteId::Loom]),
        (&["miri"], vec![SuiteId::Miri]),
        (
            &["wasm32-wasip1"],
            vec![SuiteId::Env(Environment::Wasi(Wasi::P1))],
        ),
        (
            &["wasm32-wasip2"],
            vec![SuiteId::Env(Environment::Wasi(Wasi::P2))],
        ),
        // The onramps suite tests its ejected recipes as the eject suite does, in the same
        // target directory, so it finds wasm-bindgen and the runtime crates built.
        (
            &["eject", "xtask/eject", "xtask/eject-warm"],
            vec![SuiteId::Eject, SuiteId::Onramps],
        ),
        // The nightly recipes' demos are built for the book (book, links and e2e build it),
        // and their benches by the bench suite.
        (
            &["nightly"],
            vec![
                SuiteId::Book,
                SuiteId::Links,
                SuiteId::E2e,
                SuiteId::Bench,
                SuiteId::Threads,
            ],
        ),
        (
            &["docsrs", "xtask/release"],
            vec![SuiteId::Release, SuiteId::Msrv],
        ),
    ]
}

/// The private directories to delete after `done` ran, when `left` are the suites still to
/// run: those `done` uses and none of `left` does.
pub(crate) fn done_with(target: &Path, done: SuiteId, left: &[SuiteId]) -> Vec<PathBuf> {
    private_dirs()
        .into_iter()
        .filter(|(_, users)| users.contains(&done) && !left.iter().any(|s| users.contains(s)))
        .flat_map(|(dirs, _)| dirs.iter().map(|d| target.join(d)))
        .filter(|p| p.exists())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dir_goes_only_after_its_last_user() {
        let t = tempfile::tempdir().unwrap();
        for d in ["loom", "docsrs", "xtask/release", "wasm32-wasip1", "eject"] {
            std::fs::create_dir_all(t.path().join(d)).unwrap();
        }
        // Release done, Msrv still to come: the release app stays.
        assert!(done_with(t.path(), SuiteId::Release, &[SuiteId::Msrv]).is_empty());
        // Msrv done: both of its directories go.
        let gone = done_with(t.path(), SuiteId::Msrv, &[]);
        assert_eq!(
            gone,
            vec![t.path().join("docsrs"), t.path().join("xtask/release")]
        );
        // Release alone (`--only release`): they go after it.
        assert_eq!(done_with(t.path(), SuiteId::Release, &[]).len(), 2);
        assert_eq!(
            done_with(t.path(), SuiteId::Loom, &[SuiteId::Fuzz]),
            vec![t.path().join("loom")]
        );
        // The ejected projects' builds stay for the onramps suite, which tests its ejected
        // recipes in the same target directory.
        assert!(done_with(t.path(), SuiteId::Eject, &[SuiteId::Onramps]).is_empty());
        assert_eq!(
            done_with(t.path(), SuiteId::Onramps, &[SuiteId::Bench]),
            vec![t.path().join("eject")]
        );
        // A directory that was never made is not listed.
        assert!(done_with(t.path(), SuiteId::Miri, &[]).is_empty());
        // A suite with no private directory frees nothing.
        assert!(done_with(t.path(), SuiteId::Clippy, &[]).is_empty());
        assert_eq!(
            done_with(t.path(), SuiteId::Env(Environment::Wasi(Wasi::P1)), &[]),
            vec![t.path().join("wasm32-wasip1")]
        );
    }

    #[test]
    fn the_preflight_warns_below_the_measured_peak() {
        assert!(preflight(Some(2_000_000_000)).contains("WARNING: 2.0 GB free"));
        let plenty = preflight(Some(80_000_000_000));
        assert!(!plenty.contains("WARNING"), "{plenty}");
        assert!(plenty.contains("80.0 GB free"));
    }

    #[test]
    fn free_space_is_read_for_a_path_not_yet_made() {
        let t = tempfile::tempdir().unwrap();
        assert!(free_bytes(&t.path().join("not/yet/made")).is_some_and(|b| b > 0));
    }
}
