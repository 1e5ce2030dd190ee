//! Running a command the way every suite does: its output goes into a log file, the end of
//! that log is shown when it fails, and the variables that would pick a test runner's mode
//! or driver for it are cleared first.
//!
//! A leaf module: the suites (`test`, `eject`, `release`, `nightly`) and `setup` use it, and
//! it uses nothing of this crate.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context, Result, bail};

/// The variables through which `wasm-bindgen-test-runner` picks where tests run (a browser,
/// a kind of worker, Deno) and which WebDriver it starts. A command that must run in the
/// runner's default (Node) clears them all, whatever the caller's shell has set.
pub(crate) const RUNNER_SELECTORS: &[&str] = &[
    "WASM_BINDGEN_USE_BROWSER",
    "WASM_BINDGEN_USE_DEDICATED_WORKER",
    "WASM_BINDGEN_USE_SHARED_WORKER",
    "WASM_BINDGEN_USE_SERVICE_WORKER",
    "WASM_BINDGEN_USE_DENO",
    "CHROMEDRIVER",
    "GECKODRIVER",
    "SAFARIDRIVER",
];

/// Clears [`RUNNER_SELECTORS`] from `cmd`'s environment.
pub(crate) fn scrub_runner_env(cmd: &mut Command) -> &mut Command {
    for var in RUNNER_SELECTORS {
        cmd.env_remove(var);
    }
    cmd
}

/// Whether a log starts afresh or keeps what earlier commands wrote to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogMode {
    /// The log holds this command's output only.
    Truncate,
    /// This command's output goes after what the log holds, under a `$ <command>` line.
    Append,
}

/// A finished command: how it ended, what it printed (stdout and stderr, interleaved as
/// written), and the log that holds it.
#[derive(Debug)]
pub(crate) struct Logged {
    pub(crate) status: ExitStatus,
    pub(crate) text: String,
    pub(crate) log: PathBuf,
}

impl Logged {
    /// Whether the command exited with success.
    pub(crate) fn success(&self) -> bool {
        self.status.success()
    }

    /// This outcome, or an error quoting the last `n` lines of the output when the command
    /// failed.
    pub(crate) fn check(self, what: &str, n: usize) -> Result<Logged> {
        if !self.success() {
            bail!(
                "{what} failed with {}; the end of {}:\n{}",
                self.status,
                self.log.display(),
                tail(&self.text, n)
            );
        }
        Ok(self)
    }
}

/// Runs `cmd` with no input and its stdout and stderr written to `log` (one file, so the
/// two stay in the order they were written).
pub(crate) fn run_logged(cmd: &mut Command, log: &Path, mode: LogMode) -> Result<Logged> {
    let mut file = match mode {
        LogMode::Truncate => File::create(log),
        LogMode::Append => OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(log),
    }
    .with_context(|| format!("opening {}", log.display()))?;
    if mode == LogMode::Append {
        writeln!(file, "$ {cmd:?}")?;
    }
    let start = file.seek(SeekFrom::End(0))?;
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(file.try_clone()?))
        .stderr(Stdio::from(file.try_clone()?))
        .status()
        .with_context(|| format!("starting {cmd:?}"))?;
    let mut bytes = Vec::new();
    let mut reader = File::open(log).with_context(|| format!("reading {}", log.display()))?;
    reader.seek(SeekFrom::Start(start))?;
    reader.read_to_end(&mut bytes)?;
    Ok(Logged {
        status,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        log: log.to_path_buf(),
    })
}

/// Installs the committed npm project `project` (its `package.json` and
/// `package-lock.json`, which pins every package with an integrity hash) into `dir` with
/// `npm ci`, replacing whatever `dir` held.
pub(crate) fn npm_ci(project: &Path, dir: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(project.join(file), dir.join(file))
            .with_context(|| format!("copying {}", project.join(file).display()))?;
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .output()
        .context("running npm (it comes with Node.js)")?;
    if !out.status.success() {
        bail!(
            "`npm ci` in {} failed:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The last `n` lines of `text`.
pub(crate) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Prints the last `n` lines of `text`, indented under a title line, as the suites show a
/// failed command.
pub(crate) fn print_tail(title: &str, text: &str, n: usize) {
    let lines = tail(text, n);
    println!("    ---- {title} ----");
    for l in lines.lines() {
        println!("    | {l}");
    }
}

/// The `package-lock.json` entry of `package` in the committed npm project `project`
/// (relative to the repository root), after checking that it is pinned at `version` with
/// an sha512 integrity hash. For the tests that tie a pinned version in the code to its
/// lockfile.
#[cfg(test)]
pub(crate) fn assert_npm_lock_pins(project: &str, package: &str, version: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let lock: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(project).join("package-lock.json")).unwrap(),
    )
    .unwrap();
    let entry = &lock["packages"][format!("node_modules/{package}")];
    assert_eq!(entry["version"], version, "{project}: {package}");
    assert!(
        entry["integrity"]
            .as_str()
            .is_some_and(|i| i.starts_with("sha512-")),
        "{project}: {package} has no sha512 integrity hash"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
        assert_eq!(tail("", 5), "");
    }

    #[test]
    fn output_goes_to_the_log_and_a_failure_quotes_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("run.log");
        let ok = run_logged(&mut sh("echo out; echo err >&2"), &log, LogMode::Truncate).unwrap();
        assert!(ok.success());
        assert_eq!(ok.text, "out\nerr\n");
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "out\nerr\n");

        let failed = run_logged(
            &mut sh("echo one; echo two; exit 3"),
            &log,
            LogMode::Truncate,
        )
        .unwrap();
        assert!(!failed.success());
        assert_eq!(failed.text, "one\ntwo\n", "the log starts afresh");
        let e = failed.check("the script", 1).unwrap_err().to_string();
        assert!(e.contains("the script failed") && e.contains("two"), "{e}");
        assert!(!e.contains("one"), "only the last line: {e}");
    }

    #[test]
    fn appended_output_is_headed_by_its_command_and_returned_alone() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("setup.log");
        run_logged(&mut sh("echo first"), &log, LogMode::Append).unwrap();
        let second = run_logged(&mut sh("echo second"), &log, LogMode::Append).unwrap();
        assert_eq!(second.text, "second\n");
        let all = std::fs::read_to_string(&log).unwrap();
        assert!(all.contains("first\n") && all.contains("second\n"), "{all}");
        assert_eq!(all.matches("$ ").count(), 2, "{all}");
    }

    #[test]
    fn the_runner_selectors_are_cleared() {
        let mut cmd = sh("env");
        cmd.env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("GECKODRIVER", "/x")
            .env("KEPT", "yes");
        scrub_runner_env(&mut cmd);
        let out = cmd.output().unwrap();
        let env = String::from_utf8_lossy(&out.stdout);
        assert!(env.contains("KEPT=yes"));
        for var in RUNNER_SELECTORS {
            assert!(!env.contains(&format!("{var}=")), "{var} is still set");
        }
    }
}
