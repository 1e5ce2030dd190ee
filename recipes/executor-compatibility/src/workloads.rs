//! The six workloads, written once against [`Runtime`]: the few things a workload needs
//! from an executor (spawn, sleep, yield).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::channel::mpsc;
use futures::future::LocalBoxFuture;
use futures::{SinkExt, StreamExt};

use crate::table::Workload;

/// What every workload returns when it ran as intended.
///
/// ```
/// assert_eq!(executor_compatibility::ANSWER, 42);
/// ```
pub const ANSWER: u64 = 42;

/// The executor-specific parts a workload uses. Each executor in the table has one
/// implementation (see [`start`](crate::start)).
///
/// ```
/// use std::rc::Rc;
/// use executor_compatibility::{ANSWER, Runtime, Workload, run_workload};
///
/// // An executor without a spawn API gives the task back.
/// struct JustBlockOn;
/// impl Runtime for JustBlockOn {
///     fn spawn(&self, task: executor_compatibility::Task) -> Result<executor_compatibility::Task, executor_compatibility::Task> {
///         Err(task)
///     }
///     fn yield_now(&self) -> futures::future::LocalBoxFuture<'static, ()> {
///         Box::pin(futures::future::ready(()))
///     }
/// }
/// # #[cfg(not(target_arch = "wasm32"))] {
/// let out = futures::executor::block_on(run_workload(Workload::PingPong, Rc::new(JustBlockOn)));
/// assert_eq!(out, Ok(ANSWER));
/// # }
/// ```
pub trait Runtime {
    /// Spawns `task` and returns a future of its output, or gives `task` back as the
    /// error if this executor has no way to spawn (`block_on`-only executors).
    fn spawn(&self, task: Task) -> Result<Task, Task>;

    /// The timer this executor's users would reach for. The default is a plain
    /// `setTimeout` on wasm32 and a helper thread natively, which need no executor.
    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()> {
        Box::pin(crate::timer(duration))
    }

    /// Lets other tasks run once.
    fn yield_now(&self) -> LocalBoxFuture<'static, ()>;
}

/// A boxed task, as [`Runtime::spawn`] takes and returns it.
///
/// ```
/// let task: executor_compatibility::Task = Box::pin(async { 42 });
/// # drop(task);
/// ```
pub type Task = LocalBoxFuture<'static, u64>;

/// A workload needed [`Runtime::spawn`] and the executor has no spawn API.
///
/// ```
/// use executor_compatibility::{Executor, Observed, Workload};
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(
///     executor_compatibility::observe(Executor::Pollster, Workload::SpawnJoin),
///     Observed::NoSpawn
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoSpawn;

/// A yield that works on any executor: wakes itself and returns `Pending` once.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// futures::executor::block_on(executor_compatibility::YieldOnce::default());
/// ```
#[derive(Debug, Default)]
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

// ANCHOR: workloads
/// Runs one workload on whatever executor polls this future; `Ok(ANSWER)` when it did
/// what it should.
///
/// ```
/// # use std::rc::Rc;
/// # use executor_compatibility::{ANSWER, Runtime, Workload, YieldOnce, run_workload};
/// # struct Pool(futures::executor::LocalSpawner);
/// # impl Runtime for Pool {
/// #     fn spawn(&self, task: executor_compatibility::Task) -> Result<executor_compatibility::Task, executor_compatibility::Task> {
/// #         use futures::{FutureExt, task::LocalSpawnExt};
/// #         Ok(self.0.spawn_local_with_handle(task).unwrap().boxed_local())
/// #     }
/// #     fn yield_now(&self) -> futures::future::LocalBoxFuture<'static, ()> {
/// #         Box::pin(YieldOnce::default())
/// #     }
/// # }
/// # #[cfg(not(target_arch = "wasm32"))] {
/// let mut pool = futures::executor::LocalPool::new();
/// let rt = Rc::new(Pool(pool.spawner()));
/// assert_eq!(pool.run_until(run_workload(Workload::NestedSpawn, rt)), Ok(ANSWER));
/// # }
/// ```
pub async fn run_workload(workload: Workload, rt: Rc<dyn Runtime>) -> Result<u64, NoSpawn> {
    match workload {
        Workload::SpawnJoin => {
            let task = rt.spawn(Box::pin(async { 6 * 7 })).map_err(|_| NoSpawn)?;
            Ok(task.await)
        }
        Workload::NestedSpawn => {
            let inner_rt = Rc::clone(&rt);
            let outer = rt.spawn(Box::pin(async move {
                match inner_rt.spawn(Box::pin(async { 40 })) {
                    Ok(inner) => inner.await + 2,
                    Err(_) => 0,
                }
            }));
            Ok(outer.map_err(|_| NoSpawn)?.await)
        }
        Workload::Timer => {
            let start = wasm_rs_async_executor::Instant::now();
            rt.sleep(Duration::from_millis(10)).await;
            // Timers may round: 9 ms is "about 10 ms"; 0 ms would mean it never waited.
            let waited = start.elapsed().as_secs_f64() * 1000.0;
            Ok(if waited >= 9.0 { ANSWER } else { waited as u64 })
        }
        Workload::PingPong => ping_pong(rt).await,
        Workload::ForeignWake => Ok(crate::foreign_value(ANSWER).await),
        Workload::CpuWithYields => cpu_with_yields(rt).await,
    }
}
// ANCHOR_END: workloads

// ANCHOR: ping_pong
/// 21 round trips between two tasks (or two joined futures where nothing can be
/// spawned), each adding 2.
async fn ping_pong(rt: Rc<dyn Runtime>) -> Result<u64, NoSpawn> {
    let (mut to_pong, mut pings) = mpsc::channel::<u64>(1);
    let (mut to_ping, mut pongs) = mpsc::channel::<u64>(1);
    let pong = async move {
        while let Some(n) = pings.next().await {
            if to_ping.send(n + 1).await.is_err() {
                break;
            }
        }
        0
    };
    let ping = async move {
        let mut n = 0;
        for _ in 0..21 {
            to_pong.send(n + 1).await.ok()?;
            n = pongs.next().await?;
        }
        Some(n)
    };
    let n = match rt.spawn(Box::pin(pong)) {
        Ok(pong) => {
            let n = ping.await;
            pong.await;
            n
        }
        Err(pong) => futures::future::join(ping, pong).await.0,
    };
    Ok(n.unwrap_or(0))
}
// ANCHOR_END: ping_pong

// ANCHOR: cpu_with_yields
/// 20 slices of busy work with a yield after each, while a second task counts how often
/// it got to run in between.
async fn cpu_with_yields(rt: Rc<dyn Runtime>) -> Result<u64, NoSpawn> {
    let done = Rc::new(Cell::new(false));
    let ticks = Rc::new(Cell::new(0_u64));
    let ticker = {
        let (rt, done, ticks) = (Rc::clone(&rt), Rc::clone(&done), Rc::clone(&ticks));
        async move {
            while !done.get() {
                ticks.set(ticks.get() + 1);
                rt.yield_now().await;
            }
            0
        }
    };
    let work = {
        let rt = Rc::clone(&rt);
        async move {
            let mut x = 1_u64;
            for _ in 0..20 {
                for i in 0..20_000_u64 {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i);
                }
                rt.yield_now().await;
            }
            done.set(true);
            std::hint::black_box(x);
        }
    };
    match rt.spawn(Box::pin(ticker)) {
        Ok(ticker) => {
            work.await;
            ticker.await;
        }
        Err(ticker) => {
            futures::future::join(work, ticker).await;
        }
    }
    // The other task ran between (almost) every slice: the yields worked.
    Ok(if ticks.get() >= 10 {
        ANSWER
    } else {
        ticks.get()
    })
}
// ANCHOR_END: cpu_with_yields
