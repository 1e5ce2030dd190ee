//! Browser benchmark (headless Chromium, main thread): this executor against
//! `wasm_bindgen_futures::spawn_local`, measured in the same run.
//!
//! Run (release build, prints figures; it is not a pass/fail test):
//! ```text
//! CHROMEDRIVER=/usr/bin/chromedriver cargo bench -p wasm-rs-async-executor \
//!     --target wasm32-unknown-unknown --bench web -- --nocapture
//! ```
//! - spawn-and-complete of 100,000 trivial tasks;
//! - 100,000 ping-pong round trips between two tasks over `tokio::sync::mpsc`;
//! - the longest gap between `requestAnimationFrame` callbacks while a 2-second
//!   CPU-bound async workload runs (it only ever awaits `yield_now`-style futures).
//!
//! Each figure is the median of `ROUNDS` runs, the executors alternating.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!("the web benchmark runs on wasm32 only: see the command at the top of benches/web.rs");
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(target_arch = "wasm32")]
mod web {
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::hint::black_box;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll};

    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::{JsFuture, spawn_local};
    use wasm_bindgen_test::{
        Criterion, console_log, wasm_bindgen_bench, wasm_bindgen_test_configure,
    };

    wasm_bindgen_test_configure!(run_in_browser);

    const TASKS: usize = 100_000;
    const ROUND_TRIPS: usize = 100_000;
    const ROUNDS: usize = 15;
    const WORKLOAD_MS: f64 = 2000.0;
    const FRAME_ROUNDS: usize = 5;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance, js_name = now)]
        fn now() -> f64;
        #[wasm_bindgen(js_name = requestAnimationFrame)]
        fn request_animation_frame(callback: &js_sys::Function) -> i32;
        #[wasm_bindgen(js_name = setTimeout)]
        fn set_timeout(callback: &js_sys::Function, ms: i32) -> i32;
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    async fn js_sleep(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, ms);
        });
        JsFuture::from(promise).await.unwrap();
    }

    /// A self-wake, so that `spawn_local` can run the same workloads.
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

    async fn ours_spawn() -> f64 {
        let start = now();
        for i in 0..TASKS {
            drop(wasm_rs_async_executor::spawn(async move {
                black_box(i);
            }));
        }
        // FIFO: the last task completes after all the others.
        wasm_rs_async_executor::spawn(async {}).await.unwrap();
        (now() - start) * 1e6 / TASKS as f64
    }

    async fn peer_spawn() -> f64 {
        let start = now();
        for i in 0..TASKS {
            spawn_local(async move {
                black_box(i);
            });
        }
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        spawn_local(async move {
            tx.send(()).unwrap();
        });
        rx.await.unwrap();
        (now() - start) * 1e6 / TASKS as f64
    }

    async fn ping_pong(spawn: impl Fn(Pin<Box<dyn Future<Output = ()>>>)) -> f64 {
        let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u32>(1);
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u32>(1);
        let (done_tx, done_rx) = futures::channel::oneshot::channel::<u32>();
        let start = now();
        spawn(Box::pin(async move {
            while let Some(v) = ping_rx.recv().await {
                pong_tx.send(v + 1).await.unwrap();
            }
        }));
        spawn(Box::pin(async move {
            let mut v = 0;
            for _ in 0..ROUND_TRIPS {
                ping_tx.send(v).await.unwrap();
                v = pong_rx.recv().await.unwrap();
            }
            done_tx.send(v).unwrap();
        }));
        assert_eq!(done_rx.await.unwrap(), ROUND_TRIPS as u32);
        (now() - start) * 1e6 / ROUND_TRIPS as f64
    }

    fn spin(ms: f64) {
        let until = now() + ms;
        while now() < until {
            black_box(());
        }
    }

    /// Runs a 2 s CPU-bound workload (50 µs of work between yields) while
    /// `requestAnimationFrame` records frame times; returns the longest gap (ms)
    /// between frames during the workload.
    type FrameCallback = Closure<dyn FnMut(f64)>;

    #[derive(Clone, Copy, PartialEq)]
    enum Workload {
        Ours,
        Peer,
        /// No CPU work: the page's own frame rhythm, for reference.
        Idle,
    }

    /// Returns (longest gap, frames over 1.5x the median interval, median interval).
    async fn frame_gap(workload: Workload) -> (f64, usize, f64) {
        let frames = Rc::new(RefCell::new(Vec::<f64>::new()));
        let running = Rc::new(Cell::new(true));
        let on_frame: Rc<RefCell<Option<FrameCallback>>> = Rc::default();
        {
            let (frames, running, handle) = (frames.clone(), running.clone(), on_frame.clone());
            *on_frame.borrow_mut() = Some(Closure::new(move |_t: f64| {
                frames.borrow_mut().push(now());
                if running.get() {
                    let cb = handle.borrow();
                    request_animation_frame(cb.as_ref().unwrap().as_ref().unchecked_ref());
                }
            }));
        }
        request_animation_frame(on_frame.borrow().as_ref().unwrap().as_ref().unchecked_ref());
        js_sleep(200).await; // frames settle
        let (done_tx, done_rx) = futures::channel::oneshot::channel::<(f64, f64)>();
        let work = Box::pin(async move {
            let start = now();
            if workload == Workload::Idle {
                js_sleep(WORKLOAD_MS as i32).await;
            }
            while now() - start < WORKLOAD_MS {
                spin(0.05);
                if workload == Workload::Peer {
                    SelfWake(false).await;
                } else {
                    wasm_rs_async_executor::yield_now().await;
                }
            }
            done_tx.send((start, now())).unwrap();
        });
        match workload {
            Workload::Peer | Workload::Idle => peer(work),
            Workload::Ours => ours(work),
        }
        let (start, end) = done_rx.await.unwrap();
        js_sleep(100).await;
        running.set(false);
        js_sleep(50).await;
        let frames = frames.borrow();
        // Gaps that overlap the workload window.
        let gaps: Vec<f64> = frames
            .windows(2)
            .filter(|p| p[1] >= start && p[0] <= end)
            .map(|p| p[1] - p[0])
            .collect();
        drop(on_frame.borrow_mut().take());
        let typical = median(gaps.clone());
        let longest = gaps.iter().copied().fold(0.0, f64::max);
        let missed = gaps.iter().filter(|g| **g > typical * 1.5).count();
        (longest, missed, typical)
    }

    fn ours(f: Pin<Box<dyn Future<Output = ()>>>) {
        drop(wasm_rs_async_executor::spawn(f));
    }

    fn peer(f: Pin<Box<dyn Future<Output = ()>>>) {
        spawn_local(f);
    }

    /// Uses the bench entry point only to be run by `cargo bench`; the figures are
    /// measured here (the workloads do not fit Criterion's iteration model).
    #[wasm_bindgen_bench]
    async fn bench_spawn_ping_pong_and_frames(_c: &mut Criterion) {
        for (label, budget) in [
            (
                "default 8 ms time budget (drains yield to the browser)",
                None,
            ),
            (
                "time slicing off (budget 10 s): executor overhead only",
                Some(10_000u64),
            ),
        ] {
            let default = wasm_rs_async_executor::time_budget();
            if let Some(ms) = budget {
                wasm_rs_async_executor::set_time_budget(std::time::Duration::from_millis(ms));
            }
            console_log!("-- {label}");
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for round in 0..=ROUNDS {
                // Alternate which executor goes first.
                if round % 2 == 0 {
                    a.push(ours_spawn().await);
                    b.push(peer_spawn().await);
                } else {
                    b.push(peer_spawn().await);
                    a.push(ours_spawn().await);
                }
                js_sleep(10).await;
            }
            a.remove(0);
            b.remove(0); // warm-up
            let (sa, sb) = (median(a), median(b));
            console_log!(
                "spawn-and-complete, {TASKS} tasks, median of {ROUNDS}: wasm-rs-async-executor {sa:.1} ns/task, spawn_local {sb:.1} ns/task ({:.2}x)",
                sb / sa
            );

            let (mut a, mut b) = (Vec::new(), Vec::new());
            for round in 0..=ROUNDS {
                if round % 2 == 0 {
                    a.push(ping_pong(ours).await);
                    b.push(ping_pong(peer).await);
                } else {
                    b.push(ping_pong(peer).await);
                    a.push(ping_pong(ours).await);
                }
                js_sleep(10).await;
            }
            a.remove(0);
            b.remove(0);
            let (pa, pb) = (median(a), median(b));
            console_log!(
                "tokio mpsc ping-pong, {ROUND_TRIPS} round trips, median of {ROUNDS}: wasm-rs-async-executor {pa:.1} ns/round trip, spawn_local {pb:.1} ns/round trip ({:.2}x)",
                pb / pa
            );
            wasm_rs_async_executor::set_time_budget(default);
        }

        for (name, workload) in [
            ("wasm-rs-async-executor", Workload::Ours),
            ("spawn_local", Workload::Peer),
            ("idle page (no workload)", Workload::Idle),
        ] {
            let mut runs = Vec::new();
            for _ in 0..FRAME_ROUNDS {
                runs.push(frame_gap(workload).await);
            }
            let longest: Vec<f64> = runs.iter().map(|r| r.0).collect();
            let missed: Vec<usize> = runs.iter().map(|r| r.1).collect();
            console_log!(
                "requestAnimationFrame during {WORKLOAD_MS} ms, {name}: longest gap median {:.1} ms (runs {longest:.1?}), frames over 1.5x the typical interval per run {missed:?}, typical interval {:.1} ms",
                median(longest.clone()),
                runs[0].2
            );
        }
    }
}
