//! The measurement: only a page's main thread has animation frames.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use wasm_rs_async_executor::{Instant, YieldError, spawn, yield_animation_frame};

use crate::{FrameGaps, calibrate, crunch, crunch_per_frame};

// ANCHOR: runner
/// Which way to run the computation.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn example() {
/// use responsive_main_thread::{Runner, measure};
/// let run = measure(Runner::ExecutorPerFrame, 100, 10_000).await.unwrap();
/// assert_eq!(run.runner, Runner::ExecutorPerFrame);
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// [`crunch`] under `wasm_bindgen_futures::spawn_local`: each `yield_now` is a microtask.
    SpawnLocal,
    /// [`crunch`] spawned on the executor: its time budget slices the work.
    ExecutorTimeSlicing,
    /// [`crunch_per_frame`] on the executor: a budget of work per animation frame.
    ExecutorPerFrame,
}

/// The outcome of one run: how long the work took, the frame gaps meanwhile, and the
/// computation's result (the same for every runner).
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn example() {
/// use responsive_main_thread::{Runner, measure};
/// let run = measure(Runner::SpawnLocal, 100, 10_000).await.unwrap();
/// println!("{:.0} ms of work, longest gap {:.0} ms", run.work_ms, run.gaps.longest());
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Measurement {
    /// How it ran.
    pub runner: Runner,
    /// From start to result, in milliseconds.
    pub work_ms: f64,
    /// The gaps between animation frames while it ran.
    pub gaps: FrameGaps,
    /// The computation's result.
    pub result: u64,
}
// ANCHOR_END: runner

// ANCHOR: measure
/// Runs `chunks` chunks of `steps` each with `runner`, while a task on the executor records
/// the timestamp of every animation frame: the page's "animation". Browser main thread
/// only; elsewhere it returns the executor's `YieldError`.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn example() {
/// use responsive_main_thread::{Runner, measure};
/// let run = measure(Runner::ExecutorTimeSlicing, 100, 10_000).await.unwrap();
/// assert!(run.gaps.count() > 0);
/// # }
/// ```
pub async fn measure(runner: Runner, chunks: u32, steps: u32) -> Result<Measurement, YieldError> {
    let stop = Rc::new(Cell::new(false));
    let frames = Rc::new(RefCell::new(Vec::new()));
    let origin = Instant::now();
    let recorder = spawn({
        let (stop, frames) = (stop.clone(), frames.clone());
        async move {
            while !stop.get() {
                yield_animation_frame().await?;
                // When the callback actually ran, not the frame's nominal timestamp (which
                // Chromium may date from before a long block of the main thread).
                frames
                    .borrow_mut()
                    .push(origin.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, YieldError>(())
        }
    });
    // Two frames first, so the recorder runs before the work starts.
    for _ in 0..2 {
        yield_animation_frame().await?;
    }
    // ANCHOR_END: measure
    // ANCHOR: measure_run
    let start = Instant::now();
    let result = match runner {
        Runner::SpawnLocal => {
            let (done, result) = futures_channel::oneshot::channel();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = done.send(crunch(chunks, steps).await);
            });
            result.await.unwrap_or_default()
        }
        Runner::ExecutorTimeSlicing => spawn(crunch(chunks, steps)).await.unwrap_or_default(),
        Runner::ExecutorPerFrame => {
            let budget = Duration::from_millis(8);
            spawn(crunch_per_frame(chunks, steps, budget))
                .await
                .unwrap_or(Ok(0))?
        }
    };
    let work_ms = start.elapsed().as_secs_f64() * 1000.0;
    stop.set(true);
    // The recorder ends at its next frame, which closes the last gap.
    recorder.await.unwrap_or(Ok(()))?;
    let gaps = FrameGaps::from_timestamps(&frames.borrow());
    Ok(Measurement {
        runner,
        work_ms,
        gaps,
        result,
    })
}
// ANCHOR_END: measure_run

// ANCHOR: compare
/// The same work three ways. The work is sized on this machine first: wasm engines
/// compile hot code again with more optimisation after a while, so one calibration is not
/// enough; the `spawn_local` run is repeated with more chunks until it takes `target`.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn example() {
/// let [local, sliced, framed] =
///     responsive_main_thread::compare(std::time::Duration::from_millis(400)).await.unwrap();
/// assert!(framed.gaps.longest() < local.gaps.longest());
/// # let _ = sliced;
/// # }
/// ```
pub async fn compare(target: Duration) -> Result<[Measurement; 3], YieldError> {
    let target_ms = target.as_secs_f64() * 1000.0;
    let steps = calibrate(Duration::from_millis(1));
    let mut chunks = target_ms.max(1.0) as u32;
    let local = loop {
        let run = measure(Runner::SpawnLocal, chunks, steps).await?;
        if run.work_ms >= target_ms || chunks >= 1 << 20 {
            break run;
        }
        let scale = (target_ms / run.work_ms.max(1.0)).min(16.0) * 1.2;
        chunks = (f64::from(chunks) * scale).ceil() as u32;
    };
    let sliced = measure(Runner::ExecutorTimeSlicing, chunks, steps).await?;
    let framed = measure(Runner::ExecutorPerFrame, chunks, steps).await?;
    Ok([local, sliced, framed])
}
// ANCHOR_END: compare
