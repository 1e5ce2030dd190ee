//! How each executor in the table is started, and its [`Runtime`].

use std::rc::Rc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::LocalBoxFuture;
use futures::task::LocalSpawnExt;

use crate::table::{Executor, Workload};
use crate::workloads::{NoSpawn, Runtime, Task, YieldOnce, run_workload};

/// How a started cell ends: the workload's result, or [`NoSpawn`] when the workload
/// needs a spawn API the executor lacks.
///
/// ```
/// let report: executor_compatibility::Report = Err(executor_compatibility::NoSpawn);
/// assert!(report.is_err());
/// ```
pub type Report = Result<u64, NoSpawn>;

struct WasmRs;
impl Runtime for WasmRs {
    fn spawn(&self, task: Task) -> Result<Task, Task> {
        let handle = wasm_rs_async_executor::spawn(task);
        Ok(Box::pin(async move {
            handle.await.expect("the task ran to completion")
        }))
    }
    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()> {
        Box::pin(wasm_rs_async_executor::sleep(duration))
    }
    fn yield_now(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(wasm_rs_async_executor::yield_now())
    }
}

struct SpawnLocal;
impl Runtime for SpawnLocal {
    fn spawn(&self, task: Task) -> Result<Task, Task> {
        let (task, handle) = task.remote_handle();
        wasm_bindgen_futures::spawn_local(task);
        Ok(handle.boxed_local())
    }
    fn yield_now(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(YieldOnce::default())
    }
}

struct Pool(futures::executor::LocalSpawner);
impl Runtime for Pool {
    fn spawn(&self, task: Task) -> Result<Task, Task> {
        let handle = self
            .0
            .spawn_local_with_handle(task)
            .expect("the pool is alive");
        Ok(handle.boxed_local())
    }
    fn yield_now(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(YieldOnce::default())
    }
}

/// `futures::executor::block_on` and `pollster::block_on`: one future, nothing to spawn on.
struct BlockOnly;
impl Runtime for BlockOnly {
    fn spawn(&self, task: Task) -> Result<Task, Task> {
        Err(task)
    }
    fn yield_now(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(YieldOnce::default())
    }
}

struct AsyncExecutor(Rc<async_executor::LocalExecutor<'static>>);
impl Runtime for AsyncExecutor {
    fn spawn(&self, task: Task) -> Result<Task, Task> {
        Ok(Box::pin(self.0.spawn(task)))
    }
    fn yield_now(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(YieldOnce::default())
    }
}

struct Tokio;
impl Runtime for Tokio {
    fn spawn(&self, task: Task) -> Result<Task, Task> {
        // `tokio::spawn` needs a `Send` future; `!Send` ones (Rc, JsFuture) go on a LocalSet.
        let handle = tokio::task::spawn_local(task);
        Ok(Box::pin(async move {
            handle.await.expect("the task ran to completion")
        }))
    }
    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
    fn yield_now(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(tokio::task::yield_now())
    }
}

// ANCHOR: start
/// Starts `workload` on `executor` the way that executor is meant to be used, and calls
/// `done` with the result if the workload finishes. Returns when the executor returns:
/// at once for the event-loop-driven ones on wasm32, when the work is done (or given up
/// on, see below) for the blocking ones.
///
/// On wasm32, `futures`' blocking executors wait with `std::thread::park`, which does
/// nothing there: they spin forever without polling anything, and no JS timer can stop
/// them. So there the cell's future wakes itself on every poll and gives up after the
/// watchdog's time without a result: the outcome (a hang) is the same, but it ends.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use executor_compatibility::{ANSWER, Executor, Workload, start};
///
/// # #[cfg(not(target_arch = "wasm32"))] {
/// let result = Rc::new(Cell::new(None));
/// let slot = Rc::clone(&result);
/// start(Executor::Pollster, Workload::Timer, Box::new(move |r| slot.set(Some(r))));
/// assert_eq!(result.get(), Some(Ok(ANSWER)));
/// # }
/// ```
pub fn start(executor: Executor, workload: Workload, done: Box<dyn FnOnce(Report)>) {
    let cell = move |rt: Rc<dyn Runtime>| async move {
        done(run_workload(workload, rt).await);
    };
    // ANCHOR_END: start
    // ANCHOR: executors
    match executor {
        Executor::WasmRs => crate::run_wasm_rs(cell(Rc::new(WasmRs))),
        Executor::SpawnLocal => wasm_bindgen_futures::spawn_local(cell(Rc::new(SpawnLocal))),
        Executor::LocalPoolRunUntilStalled => {
            let mut pool = futures::executor::LocalPool::new();
            let task = cell(Rc::new(Pool(pool.spawner())));
            pool.spawner().spawn_local(task).expect("the pool is alive");
            pool.run_until_stalled();
        }
        Executor::LocalPoolRun => {
            let mut pool = futures::executor::LocalPool::new();
            let task = cell(Rc::new(Pool(pool.spawner())));
            pool.spawner()
                .spawn_local(crate::spin_watchdog(task))
                .expect("the pool is alive");
            pool.run();
        }
        Executor::FuturesBlockOn => {
            futures::executor::block_on(crate::spin_watchdog(cell(Rc::new(BlockOnly))));
        }
        Executor::AsyncExecutorTryTick => {
            let ex = Rc::new(async_executor::LocalExecutor::new());
            ex.spawn(cell(Rc::new(AsyncExecutor(Rc::clone(&ex)))))
                .detach();
            while ex.try_tick() {}
        }
        Executor::AsyncExecutorRun => {
            let ex = Rc::new(async_executor::LocalExecutor::new());
            let task = cell(Rc::new(AsyncExecutor(Rc::clone(&ex))));
            crate::run_async_executor(async move { ex.run(task).await });
        }
        Executor::TokioCurrentThread => {
            let mut builder = tokio::runtime::Builder::new_current_thread();
            if workload == Workload::Timer {
                builder.enable_time();
            }
            let runtime = builder.build().expect("a current-thread runtime builds");
            let local = tokio::task::LocalSet::new();
            runtime.block_on(local.run_until(cell(Rc::new(Tokio))));
        }
        Executor::Pollster => pollster::block_on(cell(Rc::new(BlockOnly))),
    }
}
// ANCHOR_END: executors
