//! Native: helper threads stand in for JS timers and promises; each cell runs on its own
//! thread, watched with a timeout.

use std::any::Any;
use std::future::Future;
use std::sync::{Once, mpsc};
use std::thread;
use std::time::Duration;

use futures::channel::oneshot;

use crate::executors::start;
use crate::observe::Observed;
use crate::table::{Executor, Workload};
use crate::workloads::NoSpawn;

/// How long a cell may take before it counts as hanging.
pub(crate) const WATCHDOG: Duration = Duration::from_secs(2);

const CELL_THREAD: &str = "executor-compatibility cell";

pub(crate) fn timer(duration: Duration) -> impl Future<Output = ()> {
    let (tx, rx) = oneshot::channel();
    thread::spawn(move || {
        thread::sleep(duration);
        let _ = tx.send(());
    });
    async move {
        let _ = rx.await;
    }
}

pub(crate) async fn foreign_value(value: u64) -> u64 {
    let (tx, rx) = oneshot::channel();
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(1));
        let _ = tx.send(value);
    });
    rx.await.unwrap_or(0)
}

pub(crate) fn run_wasm_rs(task: impl Future<Output = ()> + 'static) {
    wasm_rs_async_executor::block_on(task).expect("block_on runs natively");
}

pub(crate) fn run_async_executor(task: impl Future<Output = ()> + 'static) {
    futures::executor::block_on(task);
}

/// Natively a blocking executor parks its thread; the cell thread's timeout watches it.
pub(crate) fn spin_watchdog(task: impl Future<Output = ()> + 'static) -> impl Future<Output = ()> {
    task
}

fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs one cell on a fresh thread (so each gets fresh thread-local executors) and
/// reports what happened. A hanging cell's thread is left parked.
///
/// ```
/// use executor_compatibility::{ANSWER, Executor, Observed, Workload, observe};
/// assert_eq!(observe(Executor::LocalPoolRun, Workload::SpawnJoin), Observed::Finished(ANSWER));
/// ```
pub fn observe(executor: Executor, workload: Workload) -> Observed {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        // Expected panics are reported as outcomes; print only the others.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if thread::current().name() != Some(CELL_THREAD) {
                previous(info);
            }
        }));
    });
    let (tx, rx) = mpsc::channel();
    let spawned = thread::Builder::new()
        .name(CELL_THREAD.into())
        .spawn(move || {
            let done_tx = tx.clone();
            let run = std::panic::catch_unwind(move || {
                start(
                    executor,
                    workload,
                    Box::new(move |report| {
                        let _ = done_tx.send(match report {
                            Ok(value) => Observed::Finished(value),
                            Err(NoSpawn) => Observed::NoSpawn,
                        });
                    }),
                );
            });
            if let Err(payload) = run {
                let _ = tx.send(Observed::Panicked(message(payload.as_ref())));
            }
        });
    if let Err(e) = spawned {
        return Observed::Panicked(format!("could not start the cell's thread: {e}"));
    }
    // A closed channel means the executor returned and dropped the task unfinished.
    rx.recv_timeout(WATCHDOG).unwrap_or(Observed::NoResult)
}
