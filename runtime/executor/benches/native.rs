//! Native benchmark: spawn-and-complete of trivial tasks, against futures'
//! `LocalPool`, async-executor's `LocalExecutor` and tokio's current-thread `LocalSet`.
//!
//! Run: `cargo bench -p wasm-rs-async-executor --bench native`
//!
//! Each sample repeats `BATCHES` times: spawn `TASKS` trivial tasks from outside the
//! executor, then run the executor until all of them completed; it reports
//! nanoseconds per task. The four executors are measured in turn within each round;
//! the figure is the median over `ROUNDS` rounds (each sample takes well over 5 ms).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Instant;

    const TASKS: usize = 10_000;
    const BATCHES: usize = 50;
    const ROUNDS: usize = 9;

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
    async fn ping_pong_pair(
        spawn: impl Fn(std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>),
    ) {
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

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    pub(super) fn main() {
        if std::env::var_os("BENCH_ONLY_OURS").is_some() {
            // For profiling: only this crate's executor.
            for _ in 0..ROUNDS {
                println!(
                    "{:.1} ns per task, {:.1} ns per round trip",
                    this_crate(),
                    ping_pong_ours()
                );
            }
            return;
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let names = [
            "wasm-rs-async-executor",
            "futures LocalPool",
            "async-executor LocalExecutor",
            "tokio current_thread LocalSet",
        ];
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        // One warm-up round, not recorded.
        for round in 0..=ROUNDS {
            let figures = [
                this_crate(),
                futures_local_pool(),
                async_executor_local(),
                tokio_local_set(&rt),
            ];
            if round > 0 {
                for (s, f) in samples.iter_mut().zip(figures) {
                    s.push(f);
                }
            }
        }
        let (mut pa, mut pb) = (Vec::new(), Vec::new());
        for _ in 0..=ROUNDS {
            pa.push(ping_pong_ours());
            pb.push(ping_pong_local_pool());
        }
        let ours = median(samples[0].clone());
        println!(
            "spawn-and-complete, {BATCHES} batches of {TASKS} trivial tasks per sample, median of {ROUNDS} rounds (ns per task):"
        );
        for (name, s) in names.iter().zip(samples) {
            let m = median(s);
            println!("  {name:<32} {m:>8.1} ns   ({:.2}x ours)", m / ours);
        }
        // The first run of each is a warm-up.
        let (pa, pb) = (median(pa[1..].to_vec()), median(pb[1..].to_vec()));
        println!(
            "tokio mpsc ping-pong, {ROUND_TRIPS} round trips, median of {ROUNDS} runs (ns per round trip):"
        );
        println!("  {:<32} {pa:>8.1} ns", names[0]);
        println!("  {:<32} {pb:>8.1} ns   ({:.2}x ours)", names[1], pb / pa);
    }
}
