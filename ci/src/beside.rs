//! Builds that run beside the browser worker suites.
//!
//! The browser suites spend most of their time waiting on WebDriver: their `cpu %` in the
//! timings table is 30–90 % of one core on a 2-core machine. The loom, Miri and fuzz suites
//! each start with a build of a few tens of seconds (cold) in a target directory of their
//! own, so those builds can run while the browsers wait, without taking cargo's lock on the
//! directory the browser suites use. So do the eject suite's dependency builds (in the
//! ejected projects' own target directory; see `eject::warm_builds`) and Trunk's `cargo
//! install` (about 200 CPU seconds, in a directory of cargo's own), which the eject and
//! onramps suites would otherwise wait for on a fresh machine. Each suite waits only for
//! its own builds (`Beside::wait_for`); the later ones keep running beside it.
//!
//! They start with the first worker suite (the worker suites run after every main-thread
//! suite, whose frame-gap tests keep the machine to themselves), at the lowest CPU priority
//! (`nice -n 19`) and with one job, so that a test that measures time (timeouts, full-time
//! parking) still gets the cores when it wants them. Nothing is
//! tested here: a failed build is only reported, and the suite itself then builds again and
//! reports the error the usual way. On a warm target directory the builds find everything
//! fresh and take a second or two.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::setup;
use crate::workspace::{Crate, MiriTarget, Workspace};

/// What a background build needs before it can start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    Nothing,
    Miri,
    CargoFuzz,
}

/// One build command, prepared in the foreground and run in the background.
pub(crate) struct Build {
    pub(crate) label: String,
    pub(crate) needs: Needs,
    pub(crate) cmd: Command,
}

/// The result of one background build.
#[derive(Debug, Clone)]
pub(crate) struct Built {
    pub(crate) label: String,
    pub(crate) seconds: f64,
    /// Seconds cargo reported at `Finished ... in X`.
    pub(crate) build: Option<f64>,
    pub(crate) ok: bool,
    pub(crate) log: PathBuf,
}

/// The builds that run beside the worker suites, once started.
pub(crate) struct Beside {
    handle: JoinHandle<()>,
    /// Each build's result, as it finishes.
    finished: Receiver<Built>,
    /// The labels of the builds not received yet, in order.
    pending: Vec<String>,
    /// The results received so far.
    done: Vec<Built>,
    /// CPU time (ms) of the background builds whose processes have been reaped, so that the
    /// foreground suites' `cpu %` can leave it out.
    cpu_ms: Arc<AtomicU64>,
}

/// What `Beside::join` returns.
pub(crate) struct Report {
    pub(crate) builds: Vec<Built>,
    pub(crate) seconds: f64,
    pub(crate) cpu_seconds: f64,
}

/// Which later suites of this run get their builds beside the worker suites.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Wanted {
    pub(crate) loom: bool,
    pub(crate) miri: bool,
    pub(crate) fuzz: bool,
}

/// The build half of the loom, Miri and fuzz suites' commands, for the crates and suites
/// selected, in the order the suites run. Each build must match its suite's command
/// exactly (flags, features, environment, target directory), or the suite rebuilds. (The
/// eject suite's builds come from [`crate::eject::warm_builds`], Trunk's from
/// [`trunk_build`].)
pub(crate) fn builds(ws: &Workspace, crates: &[&Crate], wanted: Wanted, deep: bool) -> Vec<Build> {
    let Wanted { loom, miri, fuzz } = wanted;
    let mut out = Vec::new();
    for c in crates {
        let Some(m) = &c.meta else { continue };
        if loom && m.loom {
            let mut cmd = cargo_command();
            cmd.args([
                "test",
                "--release",
                "-p",
                &c.name,
                "--test",
                "loom",
                "--no-run",
            ])
            .env("RUSTFLAGS", "--cfg loom")
            .env("CARGO_TARGET_DIR", loom_target_dir(ws));
            out.push(Build {
                label: format!("loom {}", c.name),
                needs: Needs::Nothing,
                cmd,
            });
        }
        if miri && m.miri.is_on() {
            let mut cmd = Command::new("cargo");
            cmd.args(["+nightly", "miri", "test", "-p", &c.name, "--no-run"]);
            if let Some(runs) = m.miri.subset(deep) {
                let mut selected: Vec<String> = Vec::new();
                for run in runs {
                    let args = match &run.target {
                        // Doctests are compiled when they run; nothing to build ahead.
                        MiriTarget::Doc => continue,
                        MiriTarget::Lib => vec!["--lib".to_string()],
                        MiriTarget::Test(name) => vec!["--test".to_string(), name.clone()],
                    };
                    if !selected.windows(args.len()).any(|w| w == args.as_slice()) {
                        selected.extend(args);
                    }
                }
                if selected.is_empty() {
                    continue;
                }
                cmd.args(selected);
            }
            out.push(Build {
                label: format!("miri {}", c.name),
                needs: Needs::Miri,
                cmd,
            });
        }
        if fuzz {
            for target in &m.fuzz {
                let mut cmd = Command::new("cargo");
                cmd.current_dir(c.dir.join("fuzz"))
                    .args(["+nightly", "fuzz", "build", target]);
                out.push(Build {
                    label: format!("fuzz {} {target}", c.name),
                    needs: Needs::CargoFuzz,
                    cmd,
                });
            }
        }
    }
    out
}

/// Trunk's install, when `trunk` on PATH is not the pinned version (for the onramps and
/// bench suites, which run it).
pub(crate) fn trunk_build() -> Option<Build> {
    setup::trunk_missing().map(|_| Build {
        label: "trunk (cargo install)".into(),
        needs: Needs::Nothing,
        cmd: setup::trunk_install_command(),
    })
}

/// The loom suite's target directory (`--cfg loom` changes every crate's build).
pub(crate) fn loom_target_dir(ws: &Workspace) -> PathBuf {
    ws.target_dir.join("loom")
}

fn cargo_command() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

impl Beside {
    /// Starts `builds` one after another on a background thread.
    pub(crate) fn start(root: &Path, log_dir: &Path, builds: Vec<Build>) -> Beside {
        let cpu_ms = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&cpu_ms);
        let root = root.to_path_buf();
        let log_dir = log_dir.to_path_buf();
        let labels: Vec<&str> = builds.iter().map(|b| b.label.as_str()).collect();
        println!(
            "  ⇉ beside the worker suites, at low priority: the builds of {}",
            labels.join(", ")
        );
        let pending = labels.iter().map(|l| l.to_string()).collect();
        let (tx, finished) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(move || {
            for b in builds {
                // The receiver is gone only if xtask is unwinding: stop building.
                if tx.send(run_one(&root, &log_dir, b, &counter)).is_err() {
                    break;
                }
            }
        });
        Beside {
            handle,
            finished,
            pending,
            done: Vec::new(),
            cpu_ms,
        }
    }

    /// Waits until every build whose label starts with `prefix` (`"miri "`, say) is done;
    /// the builds after it keep running.
    pub(crate) fn wait_for(&mut self, prefix: &str) {
        while self.pending.iter().any(|l| l.starts_with(prefix)) {
            if !self.receive() {
                break;
            }
        }
    }

    /// Receives the next finished build; `false` when the builder thread is gone.
    fn receive(&mut self) -> bool {
        match self.finished.recv() {
            Ok(b) => {
                if let Some(i) = self.pending.iter().position(|l| *l == b.label) {
                    self.pending.remove(i);
                }
                self.done.push(b);
                true
            }
            Err(_) => {
                self.pending.clear();
                false
            }
        }
    }

    /// CPU seconds of the background builds reaped so far.
    pub(crate) fn cpu_seconds(&self) -> f64 {
        self.cpu_ms.load(Ordering::Acquire) as f64 / 1000.0
    }

    /// Waits for the remaining builds.
    pub(crate) fn join(mut self) -> Report {
        while !self.pending.is_empty() && self.receive() {}
        let _ = self.handle.join();
        let builds = self.done;
        let cpu_seconds = self.cpu_ms.load(Ordering::Acquire) as f64 / 1000.0;
        for b in builds.iter().filter(|b| !b.ok) {
            println!(
                "  (the build of {} beside the worker suites failed; its suite builds again: {})",
                b.label,
                b.log.display()
            );
        }
        // The builds ran one after another: their wall time is the sum of theirs (the join
        // may come much later).
        let seconds = builds.iter().map(|b| b.seconds).sum::<f64>();
        Report {
            builds,
            seconds,
            cpu_seconds,
        }
    }
}

fn run_one(root: &Path, log_dir: &Path, b: Build, cpu_ms: &AtomicU64) -> Built {
    let log = log_dir.join(format!("beside-{}.log", b.label.replace([' ', '/'], "-")));
    let started = Instant::now();
    let result = (|| -> Result<bool> {
        match b.needs {
            Needs::Nothing => {}
            Needs::Miri => setup::ensure_miri()?,
            Needs::CargoFuzz => setup::ensure_cargo_fuzz()?,
        }
        let mut cmd = niced(&b.cmd, root);
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .with_context(|| format!("starting {cmd:?}"))?;
        // Read the child's CPU time while it is a zombie (exited, not yet reaped): that
        // includes the compilers it waited for. Reaping adds the same amount to this
        // process's children time, which the caller subtracts from the foreground suite.
        let pid = child.id();
        let mut cpu = None;
        loop {
            match process_state(pid) {
                Some(('Z', seconds)) => {
                    cpu = Some(seconds);
                    break;
                }
                Some(_) => std::thread::sleep(Duration::from_millis(50)),
                None => break,
            }
        }
        let status = child.wait()?;
        if let Some(seconds) = cpu {
            cpu_ms.fetch_add((seconds * 1000.0) as u64, Ordering::AcqRel);
        }
        Ok(status.success())
    })();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let ok = match result {
        Ok(ok) => ok,
        Err(e) => {
            let _ = std::fs::write(&log, format!("{text}\n{e:#}\n"));
            false
        }
    };
    Built {
        label: b.label,
        seconds: started.elapsed().as_secs_f64(),
        build: crate::counts::parse_build_seconds(&text),
        ok,
        log,
    }
}

/// `cmd` under `nice -n 19` with one cargo job, in `root` unless it names a directory.
fn niced(cmd: &Command, root: &Path) -> Command {
    let mut wrapped = Command::new("nice");
    wrapped
        .args(["-n", "19"])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .current_dir(cmd.get_current_dir().unwrap_or(root))
        .env("CARGO_BUILD_JOBS", "1");
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => wrapped.env(k, v),
            None => wrapped.env_remove(k),
        };
    }
    wrapped
}

/// The state letter and CPU seconds (user + system, its own and its reaped children's) of
/// process `pid`, from `/proc/<pid>/stat`; `None` once it is gone or off Linux.
fn process_state(pid: u32) -> Option<(char, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_state(&stat)
}

/// Parses `/proc/<pid>/stat`: the state (field 3) and fields 14–17 (utime, stime, cutime,
/// cstime, in clock ticks of 1/100 s). The process name (field 2) may hold spaces and `)`.
pub(crate) fn parse_state(stat: &str) -> Option<(char, f64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3.
    let state = fields.first()?.chars().next()?;
    let ticks: f64 = fields
        .get(11..15)?
        .iter()
        .map(|f| f.parse::<f64>().ok())
        .sum::<Option<f64>>()?;
    Some((state, ticks / 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_and_cpu_are_read_after_the_process_name() {
        let stat = "4242 (cargo (x) 1) Z 1 2 3 4 5 6 7 8 9 10 150 50 200 100 20 0 1 0 99";
        assert_eq!(parse_state(stat), Some(('Z', 5.0)));
        assert_eq!(parse_state("4242 (cut"), None);
    }

    #[test]
    fn a_finished_child_is_seen_as_a_zombie_with_its_cpu_time() {
        let mut child = Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
            .spawn()
            .expect("sh");
        let pid = child.id();
        let state = loop {
            let (state, seconds) = process_state(pid).expect("child is not reaped yet");
            if state == 'Z' {
                break seconds;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(child.wait().expect("wait").success());
        assert!(state > 0.0, "a busy loop used some CPU: {state}");
        assert!(process_state(pid).is_none(), "reaped");
    }

    #[test]
    fn nothing_wanted_nothing_built_and_trunk_only_when_missing() {
        let ws = Workspace::load().unwrap();
        let crates: Vec<&Crate> = ws.crates.iter().collect();
        assert!(builds(&ws, &crates, Wanted::default(), false).is_empty());
        let all = Wanted {
            loom: true,
            miri: true,
            fuzz: true,
        };
        let labels: Vec<String> = builds(&ws, &crates, all, false)
            .into_iter()
            .map(|b| b.label)
            .collect();
        // loom, then Miri, then fuzz: the order the suites run in.
        let first = |p: &str| labels.iter().position(|l| l.starts_with(p)).unwrap();
        assert!(first("loom ") < first("miri ") && first("miri ") < first("fuzz "));
        // Whether Trunk is installed depends on this machine.
        assert_eq!(trunk_build().is_some(), setup::trunk_missing().is_some());
    }

    #[test]
    fn trunk_installs_pinned_and_locked() {
        let cmd = setup::trunk_install_command();
        let args: Vec<_> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args[..2], ["install", "trunk"]);
        let version = format!("={}", setup::TRUNK_VERSION);
        assert!(args.contains(&version), "{args:?}");
        assert!(args.iter().any(|a| a == "--locked"), "{args:?}");
    }

    #[test]
    fn niced_keeps_the_command_and_adds_one_job() {
        let mut cmd = Command::new("cargo");
        cmd.args(["test", "--no-run"])
            .env("RUSTFLAGS", "--cfg loom");
        let w = niced(&cmd, Path::new("/tmp"));
        let args: Vec<_> = w
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(w.get_program(), "nice");
        assert_eq!(args, ["-n", "19", "cargo", "test", "--no-run"]);
        let envs: Vec<_> = w
            .get_envs()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.map(|v| v.to_string_lossy().into_owned()),
                )
            })
            .collect();
        assert!(envs.contains(&("CARGO_BUILD_JOBS".into(), Some("1".into()))));
        assert!(envs.contains(&("RUSTFLAGS".into(), Some("--cfg loom".into()))));
        assert_eq!(w.get_current_dir(), Some(Path::new("/tmp")));
    }
}
