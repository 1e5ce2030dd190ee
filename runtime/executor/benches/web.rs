//! wasm32 benchmark (headless Chromium and Firefox main thread, and Node): this executor against
//! `wasm_bindgen_futures::spawn_local`, measured in the same run.
//!
//! Run it with `cargo xtask bench --suite executor` (release build, a fresh page or Node
//! process per run, results posted back to xtask; see `book/src/benchmarks.md`). The module
//! exports `bench_run(env, quick)`, which measures one run and returns its report as JSON
//! (`ci/bench-support/report.rs`):
//! - spawn-and-complete of 100,000 trivial tasks;
//! - 100,000 ping-pong round trips between two tasks over `tokio::sync::mpsc`;
//! - self-wake re-poll: one task that wakes itself and returns `Pending`, many times;
//! - in the browsers (Chromium, Firefox): the intervals between `requestAnimationFrame`
//!   callbacks while a 2-second CPU-bound async workload runs (it only ever awaits ready
//!   futures), their p99 and the longest, by the frame's timestamp and by
//!   `performance.now()`, against the idle page, spawn_local and a hand-written loop that
//!   awaits `scheduler.yield()`.
//!
//! Within a run each figure is the median of several batches of at least 5 ms (a workload
//! is repeated within its batch until the batch is that long), the executors alternating
//! which goes first.

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn main() {
    println!("the web benchmark runs on wasm32 only: run `cargo xtask bench --suite executor`");
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn main() {}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::hint::black_box;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll};

    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::{JsFuture, spawn_local};

    use crate::report::{Better, Report, median, report_panics};

    const TASKS: usize = 100_000;
    const ROUND_TRIPS: usize = 100_000;
    /// Self-wakes per batch: this executor re-polls in tens of ns, spawn_local pays a
    /// microtask hop (about 2.6 µs) per wake, so each gets a count that makes >= 5 ms.
    const WAKES_OURS: usize = 200_000;
    const WAKES_PEER: usize = 20_000;
    /// The shortest batch that is timed: `performance.now()` ticks every 5 µs at best.
    const MIN_BATCH_MS: f64 = 5.0;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance, js_name = now)]
        fn now() -> f64;
        #[wasm_bindgen(js_name = requestAnimationFrame)]
        fn request_animation_frame(callback: &js_sys::Function) -> i32;
        #[wasm_bindgen(js_name = setTimeout)]
        fn set_timeout(callback: &js_sys::Function, ms: i32) -> i32;
        #[wasm_bindgen(js_namespace = scheduler, js_name = "yield")]
        fn scheduler_yield() -> js_sys::Promise;
    }

    async fn js_sleep(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, ms);
        });
        let _ = JsFuture::from(promise).await;
    }

    /// Wakes itself once, then completes: a task that only ever awaits ready work.
    struct SelfWake(bool);
    impl Future for SelfWake {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                return Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    type Spawn = fn(Pin<Box<dyn Future<Output = ()>>>);

    fn ours(f: Pin<Box<dyn Future<Output = ()>>>) {
        drop(wasm_rs_async_executor::spawn(f));
    }

    fn peer(f: Pin<Box<dyn Future<Output = ()>>>) {
        spawn_local(f);
    }

    /// ns per task: spawn `TASKS` trivial tasks, then wait for one spawned after them
    /// (both executors run tasks in FIFO order); repeated until the batch took >= 5 ms.
    async fn spawn_and_complete(spawn: Spawn) -> f64 {
        let start = now();
        let mut rounds = 0;
        while rounds == 0 || now() - start < MIN_BATCH_MS {
            for i in 0..TASKS {
                spawn(Box::pin(async move {
                    black_box(i);
                }));
            }
            let (tx, rx) = futures::channel::oneshot::channel::<()>();
            spawn(Box::pin(async move {
                let _ = tx.send(());
            }));
            rx.await.expect("the last task ran");
            rounds += 1;
        }
        (now() - start) * 1e6 / (TASKS * rounds) as f64
    }

    /// ns per round trip between two tasks over two `tokio::sync::mpsc` channels.
    async fn ping_pong(spawn: Spawn) -> f64 {
        let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u32>(1);
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u32>(1);
        let (done_tx, done_rx) = futures::channel::oneshot::channel::<u32>();
        let start = now();
        spawn(Box::pin(async move {
            while let Some(v) = ping_rx.recv().await {
                if pong_tx.send(v + 1).await.is_err() {
                    break;
                }
            }
        }));
        spawn(Box::pin(async move {
            let mut v = 0;
            for _ in 0..ROUND_TRIPS {
                ping_tx.send(v).await.expect("ponger alive");
                v = pong_rx.recv().await.expect("ponger alive");
            }
            let _ = done_tx.send(v);
        }));
        assert_eq!(done_rx.await.expect("pinger ran"), ROUND_TRIPS as u32);
        (now() - start) * 1e6 / ROUND_TRIPS as f64
    }

    /// ns per re-poll of one task that wakes itself `wakes` times, repeated until the
    /// batch took >= 5 ms.
    async fn self_wake(spawn: Spawn, wakes: usize) -> f64 {
        let start = now();
        let mut rounds = 0;
        while rounds == 0 || now() - start < MIN_BATCH_MS {
            let (done_tx, done_rx) = futures::channel::oneshot::channel::<()>();
            spawn(Box::pin(async move {
                for _ in 0..wakes {
                    SelfWake(false).await;
                }
                let _ = done_tx.send(());
            }));
            done_rx.await.expect("the task ran");
            rounds += 1;
        }
        (now() - start) * 1e6 / (wakes * rounds) as f64
    }

    /// Measures `a` and `b` `reps` times, alternating which goes first; returns the medians.
    async fn pair<F: Future<Output = f64>>(
        reps: usize,
        mut a: impl FnMut() -> F,
        mut b: impl FnMut() -> F,
    ) -> (f64, f64) {
        let (mut va, mut vb) = (Vec::new(), Vec::new());
        // One warm-up of each (the engine tiers up hot wasm), not recorded.
        a().await;
        b().await;
        for rep in 0..reps {
            if rep % 2 == 0 {
                va.push(a().await);
                vb.push(b().await);
            } else {
                vb.push(b().await);
                va.push(a().await);
            }
            js_sleep(5).await;
        }
        (median(&va), median(&vb))
    }

    fn spin(ms: f64) {
        let until = now() + ms;
        while now() < until {
            black_box(());
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Workload {
        Ours,
        /// spawn_local, re-polled through a self-wake: the page gets no frame until it ends.
        Peer,
        /// What a careful hand-written loop does today: `await scheduler.yield()` after each
        /// slice of work, on spawn_local (Chromium and Firefox have `scheduler.yield`).
        SchedulerYield,
        /// No CPU work: the page's own frame rhythm, for reference.
        Idle,
    }

    /// Frame intervals by one clock, in ms.
    #[derive(Clone, Copy)]
    struct Intervals {
        p99: f64,
        max: f64,
    }

    impl Intervals {
        fn of(mut gaps: Vec<f64>) -> Self {
            gaps.sort_by(f64::total_cmp);
            let n = gaps.len();
            // The nearest-rank p99: the smallest interval that 99% of them do not exceed.
            let rank = ((n as f64) * 0.99).ceil() as usize;
            Intervals {
                p99: gaps
                    .get(rank.saturating_sub(1))
                    .copied()
                    .unwrap_or(f64::NAN),
                max: gaps.last().copied().unwrap_or(f64::NAN),
            }
        }
    }

    /// The frame intervals of one workload by both clocks: the timestamp
    /// `requestAnimationFrame` passes its callback (when the frame began), and
    /// `performance.now()` read as the callback starts (when the page's code got to run).
    struct Frames {
        raf: Intervals,
        now: Intervals,
        count: usize,
    }

    type FrameCallback = Closure<dyn FnMut(f64)>;

    /// Whether this page has `scheduler.yield` (Chromium, Firefox; not Safari).
    fn has_scheduler_yield() -> bool {
        js_sys::Reflect::get(&js_sys::global(), &"scheduler".into())
            .ok()
            .filter(|s| s.is_object())
            .and_then(|s| js_sys::Reflect::get(&s, &"yield".into()).ok())
            .is_some_and(|f| f.is_function())
    }

    /// Runs a CPU-bound workload of `ms` (50 µs of work between yields) while
    /// `requestAnimationFrame` records every frame, and returns the intervals between frames
    /// that overlap the workload.
    async fn frames(workload: Workload, ms: f64) -> Frames {
        let stamps = Rc::new(RefCell::new(Vec::<(f64, f64)>::new()));
        let running = Rc::new(Cell::new(true));
        let on_frame: Rc<RefCell<Option<FrameCallback>>> = Rc::default();
        {
            let (stamps, running, handle) = (stamps.clone(), running.clone(), on_frame.clone());
            *on_frame.borrow_mut() = Some(Closure::new(move |t: f64| {
                stamps.borrow_mut().push((t, now()));
                if running.get()
                    && let Some(cb) = handle.borrow().as_ref()
                {
                    request_animation_frame(cb.as_ref().unchecked_ref());
                }
            }));
        }
        if let Some(cb) = on_frame.borrow().as_ref() {
            request_animation_frame(cb.as_ref().unchecked_ref());
        }
        js_sleep(200).await; // frames settle
        let (done_tx, done_rx) = futures::channel::oneshot::channel::<(f64, f64)>();
        let work = Box::pin(async move {
            let start = now();
            if workload == Workload::Idle {
                js_sleep(ms as i32).await;
            }
            while now() - start < ms {
                spin(0.05);
                match workload {
                    Workload::Peer => SelfWake(false).await,
                    Workload::SchedulerYield => {
                        let _ = JsFuture::from(scheduler_yield()).await;
                    }
                    Workload::Ours | Workload::Idle => wasm_rs_async_executor::yield_now().await,
                }
            }
            let _ = done_tx.send((start, now()));
        });
        match workload {
            Workload::Peer | Workload::Idle | Workload::SchedulerYield => peer(work),
            Workload::Ours => ours(work),
        }
        let (start, end) = done_rx.await.expect("the workload ran");
        js_sleep(100).await;
        running.set(false);
        js_sleep(50).await;
        drop(on_frame.borrow_mut().take());
        let stamps = stamps.borrow();
        // The frames whose interval overlaps the workload, chosen by the page's clock.
        let pairs: Vec<_> = stamps
            .windows(2)
            .filter(|p| p[1].1 >= start && p[0].1 <= end)
            .collect();
        Frames {
            raf: Intervals::of(pairs.iter().map(|p| p[1].0 - p[0].0).collect()),
            now: Intervals::of(pairs.iter().map(|p| p[1].1 - p[0].1).collect()),
            count: pairs.len(),
        }
    }

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` measures each figure once, with a shorter frame-gap workload.
    #[wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to JS; it must be pub"
    )]
    pub async fn bench_run(env: String, quick: bool) -> String {
        report_panics();
        let reps = if quick { 1 } else { 5 };
        let mut r = Report::new("executor", &env);
        let (a, b) = pair(
            reps,
            || spawn_and_complete(ours),
            || spawn_and_complete(peer),
        )
        .await;
        r.figure(
            "spawn",
            "spawn and complete, 100,000 tasks",
            "ns/task",
            Better::Lower,
            &[("wasm-rs-async-executor", a), ("spawn_local", b)],
        );
        let (a, b) = pair(reps, || ping_pong(ours), || ping_pong(peer)).await;
        r.figure(
            "ping-pong",
            "tokio mpsc ping-pong, 100,000 round trips",
            "ns/round trip",
            Better::Lower,
            &[("wasm-rs-async-executor", a), ("spawn_local", b)],
        );
        let (a, b) = pair(
            reps,
            || self_wake(ours, WAKES_OURS),
            || self_wake(peer, WAKES_PEER),
        )
        .await;
        r.figure(
            "self-wake",
            "self-wake re-poll of one task",
            "ns/wake",
            Better::Lower,
            &[("wasm-rs-async-executor", a), ("spawn_local", b)],
        );
        let has_frames = js_sys::Reflect::has(&js_sys::global(), &"requestAnimationFrame".into())
            .unwrap_or(false);
        if has_frames {
            let ms = if quick { 500.0 } else { 2000.0 };
            let ours_f = frames(Workload::Ours, ms).await;
            let idle = frames(Workload::Idle, ms).await;
            let peer_f = frames(Workload::Peer, ms).await;
            let yielding = if has_scheduler_yield() {
                Some(frames(Workload::SchedulerYield, ms).await)
            } else {
                None
            };
            type Clock = fn(&Frames) -> Intervals;
            let clocks: [(&'static str, &'static str, Clock, &str); 2] = [
                (
                    "frame-p99",
                    "frame-max",
                    |f| f.raf,
                    "requestAnimationFrame timestamps",
                ),
                (
                    "frame-p99-now",
                    "frame-max-now",
                    |f| f.now,
                    "performance.now() in the callback",
                ),
            ];
            for (p99_id, max_id, clock, named) in clocks {
                let mut p99 = vec![
                    ("wasm-rs-async-executor", clock(&ours_f).p99),
                    ("idle page", clock(&idle).p99),
                    ("spawn_local", clock(&peer_f).p99),
                ];
                let mut max = vec![
                    ("wasm-rs-async-executor", clock(&ours_f).max),
                    ("idle page, p99", clock(&idle).p99),
                    ("spawn_local", clock(&peer_f).max),
                ];
                if let Some(y) = &yielding {
                    p99.push(("scheduler.yield loop", clock(y).p99));
                    max.push(("scheduler.yield loop", clock(y).max));
                }
                r.figure(
                    p99_id,
                    format!("p99 frame interval during {ms} ms of CPU-bound async work ({named})"),
                    "ms",
                    Better::Lower,
                    &p99,
                );
                r.note(format!(
                    "frame intervals in the window: this executor {}, idle page {}, spawn_local {}{}",
                    ours_f.count,
                    idle.count,
                    peer_f.count,
                    yielding
                        .as_ref()
                        .map(|y| format!(", scheduler.yield loop {}", y.count))
                        .unwrap_or_else(|| "; no scheduler.yield here".into())
                ));
                r.figure(
                    max_id,
                    format!(
                        "longest frame interval during {ms} ms of CPU-bound async work ({named})"
                    ),
                    "ms",
                    Better::Lower,
                    &max,
                );
            }
        }
        r.to_json()
    }
}
