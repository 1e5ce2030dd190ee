//! Native benchmark: this executor against futures' `LocalPool`, async-executor's
//! `LocalExecutor` and tokio's current-thread `LocalSet`, in the same run.
//!
//! Run: `cargo xtask bench --suite executor --env native` (five fresh runs, with medians and
//! ratios), or one run by hand: `cargo bench -p wasm-rs-async-executor --bench native`
//! (`WASM_RS_BENCH_QUICK=1` for one round). It prints its figures, then the run's report as
//! JSON on a `BENCH_JSON` line (`ci/bench-support/report.rs`).
//!
//! - spawn-and-complete: each sample repeats `BATCHES` times: spawn `TASKS` trivial tasks
//!   from outside the executor, then run the executor until all of them completed
//!   (nanoseconds per task);
//! - ping-pong: `ROUND_TRIPS` round trips between two tasks over `tokio::sync::mpsc`;
//! - self-wake: one task that wakes itself and returns `Pending`, `WAKES` times.
//!
//! The last two also measure their floor: the same futures polled by hand in a loop with
//! a waker that does nothing, no executor at all. No executor can go below it; what an
//! executor adds is its figure minus the floor.
//!
//! Each sample takes well over 5 ms; within a run the executors take turns, and each
//! figure is the median of the run's rounds after one warm-up round.

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn main() {
    native::main();
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn main() {}

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
mod native {
    use std::future::Future;
    use std::hint::black_box;
    use std::time::Instant;

    use crate::report::{Better, LINE_PREFIX, Report, median};

    const TASKS: usize = 10_000;
    const BATCHES: usize = 50;
    const WAKES: usize = 1_000_000;

    fn this_crate() -> f64 {
        let start = Instant::now();
        for _ in 0..BATCHES {
            this_crate_batch();
        }
        per_task(start)
    }

    fn this_crate_batch() {
        for i in 0..TASKS {
            drop(wasm_rs_async_executor::spawn(async move {
                black_box(i);
            }));
        }
        let polls = wasm_rs_async_executor::run_until_stalled().unwrap();
        assert_eq!(polls, TASKS);
    }

    fn futures_local_pool() -> f64 {
        let mut pool = futures::executor::LocalPool::new();
        let start = Instant::now();
        for _ in 0..BATCHES {
            futures_local_pool_batch(&mut pool);
        }
        per_task(start)
    }

    fn futures_local_pool_batch(pool: &mut futures::executor::LocalPool) {
        use futures::task::LocalSpawnExt;
        let spawner = pool.spawner();
        for i in 0..TASKS {
            spawner
                .spawn_local(async move {
                    black_box(i);
                })
                .unwrap();
        }
        pool.run_until_stalled();
    }

    fn async_executor_local() -> f64 {
        let ex = async_executor::LocalExecutor::new();
        let start = Instant::now();
        for _ in 0..BATCHES {
            async_executor_batch(&ex);
        }
        per_task(start)
    }

    fn async_executor_batch(ex: &async_executor::LocalExecutor<'_>) {
        for i in 0..TASKS {
            ex.spawn(async move {
                black_box(i);
            })
            .detach();
        }
        while ex.try_tick() {}
        assert!(ex.is_empty());
    }

    fn tokio_local_set(rt: &tokio::runtime::Runtime) -> f64 {
        let start = Instant::now();
        for _ in 0..BATCHES {
            tokio_local_set_batch(rt);
        }
        per_task(start)
    }

    fn tokio_local_set_batch(rt: &tokio::runtime::Runtime) {
        let local = tokio::task::LocalSet::new();
        for i in 0..TASKS {
            drop(local.spawn_local(async move {
                black_box(i);
            }));
        }
        // A LocalSet used as a future completes when all its tasks have.
        rt.block_on(local);
    }

    fn per_task(start: Instant) -> f64 {
        start.elapsed().as_nanos() as f64 / (TASKS * BATCHES) as f64
    }

    const ROUND_TRIPS: usize = 100_000;

    /// Two tasks bouncing a counter over two `tokio::sync::mpsc` channels.
    async fn ping_pong_pair(spawn: impl Fn(std::pin::Pin<Box<dyn Future<Output = ()>>>)) {
        let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u32>(1);
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u32>(1);
        spawn(Box::pin(async move {
            while let Some(v) = ping_rx.recv().await {
                pong_tx.send(v + 1).await.unwrap();
            }
        }));
        let mut v = 0;
        for _ in 0..ROUND_TRIPS {
            ping_tx.send(v).await.unwrap();
            v = pong_rx.recv().await.unwrap();
        }
        assert_eq!(v as usize, ROUND_TRIPS);
    }

    fn ping_pong_ours() -> f64 {
        let start = Instant::now();
        wasm_rs_async_executor::block_on(wasm_rs_async_executor::spawn(ping_pong_pair(|f| {
            drop(wasm_rs_async_executor::spawn(f));
        })))
        .unwrap()
        .unwrap();
        start.elapsed().as_nanos() as f64 / ROUND_TRIPS as f64
    }

    /// The floor under ping-pong: the two futures polled by hand in turn with a no-op
    /// waker (what tokio's channel and the futures' own polls cost, with no queue).
    fn ping_pong_by_hand() -> f64 {
        type Boxed = std::pin::Pin<Box<dyn Future<Output = ()>>>;
        let server: std::cell::RefCell<Option<Boxed>> = std::cell::RefCell::new(None);
        let mut client = Box::pin(ping_pong_pair(|f| *server.borrow_mut() = Some(f)));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let start = Instant::now();
        while client.as_mut().poll(&mut cx).is_pending() {
            if let Some(server) = server.borrow_mut().as_mut() {
                let _ = server.as_mut().poll(&mut cx);
            }
        }
        per(start, ROUND_TRIPS)
    }

    fn ping_pong_local_pool() -> f64 {
        use futures::task::LocalSpawnExt;
        let mut pool = futures::executor::LocalPool::new();
        let spawner = pool.spawner();
        let start = Instant::now();
        let inner = spawner.clone();
        let main = spawner
            .spawn_local_with_handle(ping_pong_pair(move |f| inner.spawn_local(f).unwrap()))
            .unwrap();
        pool.run_until(main);
        start.elapsed().as_nanos() as f64 / ROUND_TRIPS as f64
    }

    /// Wakes itself once, then completes.
    struct SelfWake(bool);
    impl Future for SelfWake {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                return std::task::Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }

    async fn self_wakes() {
        for _ in 0..WAKES {
            SelfWake(false).await;
        }
    }

    fn per(start: Instant, n: usize) -> f64 {
        start.elapsed().as_nanos() as f64 / n as f64
    }

    fn ping_pong_async_executor() -> f64 {
        let ex = async_executor::LocalExecutor::new();
        let start = Instant::now();
        futures::executor::block_on(ex.run(ping_pong_pair(|f| ex.spawn(f).detach())));
        per(start, ROUND_TRIPS)
    }

    fn ping_pong_tokio(rt: &tokio::runtime::Runtime) -> f64 {
        let local = tokio::task::LocalSet::new();
        let start = Instant::now();
        local.block_on(rt, ping_pong_pair(|f| drop(tokio::task::spawn_local(f))));
        per(start, ROUND_TRIPS)
    }

    fn self_wake_ours() -> f64 {
        let start = Instant::now();
        wasm_rs_async_executor::block_on(wasm_rs_async_executor::spawn(self_wakes()))
            .unwrap()
            .unwrap();
        per(start, WAKES)
    }

    /// The floor under self-wake: the task's future re-polled by hand in a loop with a
    /// no-op waker (two polls of the future per wake, with no queue).
    fn self_wake_by_hand() -> f64 {
        // Boxed and behind `black_box`, as an executor holds it: otherwise the compiler
        // folds the whole loop away.
        let mut task: std::pin::Pin<Box<dyn Future<Output = ()>>> = Box::pin(self_wakes());
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let start = Instant::now();
        while black_box(&mut task)
            .as_mut()
            .poll(black_box(&mut cx))
            .is_pending()
        {}
        per(start, WAKES)
    }

    fn self_wake_local_pool() -> f64 {
        let mut pool = futures::executor::LocalPool::new();
        let start = Instant::now();
        pool.run_until(self_wakes());
        per(start, WAKES)
    }

    fn self_wake_async_executor() -> f64 {
        let ex = async_executor::LocalExecutor::new();
        let start = Instant::now();
        futures::executor::block_on(ex.run(ex.spawn(self_wakes())));
        per(start, WAKES)
    }

    fn self_wake_tokio(rt: &tokio::runtime::Runtime) -> f64 {
        let local = tokio::task::LocalSet::new();
        let start = Instant::now();
        local.block_on(rt, async {
            tokio::task::spawn_local(self_wakes()).await.unwrap();
        });
        per(start, WAKES)
    }

    /// One executor's measurement of one figure (one sample).
    type Measure<'a> = Box<dyn Fn() -> f64 + 'a>;

    const NAMES: [&str; 5] = [
        "wasm-rs-async-executor",
        "futures LocalPool",
        "async-executor LocalExecutor",
        "tokio current_thread LocalSet",
        "no executor (polled by hand)",
    ];

    pub(super) fn main() {
        let quick = std::env::var("WASM_RS_BENCH_QUICK").is_ok_and(|v| v == "1");
        let rounds = if quick { 1 } else { 5 };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let figures: [(&str, &str, &str, Vec<Measure<'_>>); 3] = [
            (
                "spawn",
                "spawn and complete, 50 batches of 10,000 tasks",
                "ns/task",
                vec![
                    Box::new(this_crate),
                    Box::new(futures_local_pool),
                    Box::new(async_executor_local),
                    Box::new(|| tokio_local_set(&rt)),
                ],
            ),
            (
                "ping-pong",
                "tokio mpsc ping-pong, 100,000 round trips",
                "ns/round trip",
                vec![
                    Box::new(ping_pong_ours),
                    Box::new(ping_pong_local_pool),
                    Box::new(ping_pong_async_executor),
                    Box::new(|| ping_pong_tokio(&rt)),
                    Box::new(ping_pong_by_hand),
                ],
            ),
            (
                "self-wake",
                "self-wake re-poll of one task, 1,000,000 wakes",
                "ns/wake",
                vec![
                    Box::new(self_wake_ours),
                    Box::new(self_wake_local_pool),
                    Box::new(self_wake_async_executor),
                    Box::new(|| self_wake_tokio(&rt)),
                    Box::new(self_wake_by_hand),
                ],
            ),
        ];
        let mut report = Report::new("executor", "native");
        for (id, label, unit, runs) in &figures {
            let mut samples: Vec<Vec<f64>> = vec![Vec::new(); runs.len()];
            // One warm-up round, not recorded; then the executors take turns, the first
            // one rotating from round to round.
            for round in 0..=rounds {
                for k in 0..runs.len() {
                    let i = (k + round) % runs.len();
                    let v = runs[i]();
                    if round > 0 {
                        samples[i].push(v);
                    }
                }
            }
            let medians: Vec<f64> = samples.iter().map(|s| median(s)).collect();
            println!("{label}, median of {rounds} rounds ({unit}):");
            for (name, m) in NAMES.iter().zip(&medians) {
                println!("  {name:<32} {m:>8.1}   ({:.2}x ours)", m / medians[0]);
            }
            let values: Vec<(&'static str, f64)> = NAMES.iter().copied().zip(medians).collect();
            report.figure(id, *label, unit, Better::Lower, &values);
        }
        println!("{LINE_PREFIX}{}", report.to_json());
    }
}
