//! WASI (`wasm32-wasip1`, `wasm32-wasip2`): no JS event loop and, without wasi-threads, no
//! other thread. The only timers and outside wakes are an executor's own; here they come
//! from wasm-rs-async-executor's run loop, which no other executor drives.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use futures::channel::oneshot;

use crate::executors::start;
use crate::observe::Observed;
use crate::table::{Executor, Workload};
use crate::workloads::NoSpawn;

/// How long a cell may take before it counts as hanging. Nothing else shares a WASI
/// instance, so a working cell is done in milliseconds.
pub(crate) const WATCHDOG: Duration = Duration::from_millis(1000);

/// A value sent after `delay` by a task on wasm-rs-async-executor: completed only when
/// that executor's run loop runs, the way a JS timer fires only when the event loop runs.
fn from_wasm_rs_loop<T: 'static>(delay: Duration, value: T) -> oneshot::Receiver<T> {
    let (tx, rx) = oneshot::channel();
    drop(wasm_rs_async_executor::spawn(async move {
        wasm_rs_async_executor::sleep(delay).await;
        let _ = tx.send(value);
    }));
    rx
}

/// The timer of executors that have none: WASI offers no callback timer, so it is
/// wasm-rs-async-executor's `sleep`, run as a task of that executor. The waker is called
/// only if wasm-rs's loop runs (it blocks in WASI's `poll_oneoff` until the deadline).
pub(crate) fn timer(duration: Duration) -> impl Future<Output = ()> {
    let rx = from_wasm_rs_loop(duration, ());
    async move {
        let _ = rx.await;
    }
}

/// A value completed from outside the executor: by a task of wasm-rs-async-executor.
pub(crate) async fn foreign_value(value: u64) -> u64 {
    from_wasm_rs_loop(Duration::from_millis(1), value)
        .await
        .unwrap_or(0)
}

pub(crate) fn run_wasm_rs(task: impl Future<Output = ()> + 'static) {
    wasm_rs_async_executor::block_on(task).expect("block_on runs on WASI");
}

/// As natively: `LocalExecutor::run` in `futures::executor::block_on`, watched, because
/// `thread::park` returns at once on single-threaded WASI.
pub(crate) fn run_async_executor(task: impl Future<Output = ()> + 'static) {
    futures::executor::block_on(spin_watchdog(task));
}

/// The cell's future, watched: see [`crate::spin`].
pub(crate) fn spin_watchdog(task: impl Future<Output = ()> + 'static) -> impl Future<Output = ()> {
    crate::spin::spin_watchdog(task, WATCHDOG)
}

/// Runs one cell on this thread and reports what happened.
///
/// A panic aborts a WASI instance (panic=abort, no unwinding), so a cell that panics ends
/// the test there: the tests announce the panic they expect, and `cargo xtask test` runs
/// each in an instance of its own and checks the abort (see `ci/wasi/wasmtime-run.py`).
/// A cell whose executor returns without a result (stalled, or given up on by the
/// watchdog) is [`Observed::NoResult`].
///
/// ```no_run
/// use executor_compatibility::{ANSWER, Executor, Observed, Workload, observe};
/// assert_eq!(observe(Executor::WasmRs, Workload::Timer), Observed::Finished(ANSWER));
/// ```
pub fn observe(executor: Executor, workload: Workload) -> Observed {
    let seen: Rc<RefCell<Option<Observed>>> = Rc::default();
    let slot = Rc::clone(&seen);
    start(
        executor,
        workload,
        Box::new(move |report| {
            *slot.borrow_mut() = Some(match report {
                Ok(value) => Observed::Finished(value),
                Err(NoSpawn) => Observed::NoSpawn,
            });
        }),
    );
    seen.take().unwrap_or(Observed::NoResult)
}
