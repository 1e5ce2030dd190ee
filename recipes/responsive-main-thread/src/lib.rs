//! A responsive main thread under CPU-heavy work.
//!
//! A long computation on the browser main thread freezes the page unless it gives the
//! thread back often enough for the browser to render. Splitting it into chunks with an
//! `.await` in between is necessary but not enough: *where* the task resumes decides
//! whether a frame can be drawn in between.
//!
//! - Under `wasm_bindgen_futures::spawn_local`, a task that wakes itself resumes in a
//!   microtask, and the browser renders only once the microtask queue is empty: the whole
//!   computation runs as one long block, however finely it is chunked.
//! - Under wasm-rs-async-executor, the same `yield_now()` resumes in the executor's queue,
//!   which hands the thread back to the browser every time budget (8 ms by default), and
//!   [`yield_animation_frame`] lines the work up with the frames: a budget of work per
//!   frame, then wait for the next one.
//!
//! The pure parts (the work, the frame-gap statistics) are plain Rust and tested natively;
//! the measurement needs animation frames, which only a page's main thread has.

use std::fmt::Write as _;
use std::time::Duration;

use wasm_rs_async_executor::{Instant, YieldError, yield_animation_frame, yield_now};

#[cfg(target_arch = "wasm32")]
mod demo;
#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(target_arch = "wasm32")]
pub use demo::run_demo;
#[cfg(target_arch = "wasm32")]
pub use web::{Measurement, Runner, compare, measure};

// ANCHOR: work
/// One chunk of the CPU-heavy work: `steps` rounds of a xorshift generator, folded into
/// `state`. Deterministic, so every way of running it must give the same answer.
///
/// ```
/// assert_eq!(responsive_main_thread::crunch_chunk(1, 0), 1);
/// assert_ne!(responsive_main_thread::crunch_chunk(1, 10), 1);
/// ```
pub fn crunch_chunk(mut state: u64, steps: u32) -> u64 {
    for _ in 0..steps {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
    }
    state
}

/// The whole computation, `chunks` chunks with a `yield_now().await` after each. Which
/// executor runs this future decides whether the page can render in between.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(
///     wasm_rs_async_executor::block_on(responsive_main_thread::crunch(4, 100)).unwrap(),
///     responsive_main_thread::crunch_chunk(1, 400)
/// );
/// ```
pub async fn crunch(chunks: u32, steps_per_chunk: u32) -> u64 {
    let mut state = 1;
    for _ in 0..chunks {
        state = crunch_chunk(state, steps_per_chunk);
        yield_now().await;
    }
    state
}
// ANCHOR_END: work

// ANCHOR: per_frame
/// The same computation lined up with the frames: chunks until `budget` is spent, then wait
/// for the next animation frame. Each frame gets about `budget` of work, and the rest of
/// the frame is the browser's. Only a page's main thread has animation frames; elsewhere
/// this returns the executor's error at once.
///
/// ```
/// use std::time::Duration;
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     let err = responsive_main_thread::crunch_per_frame(4, 100, Duration::ZERO).await.unwrap_err();
///     assert!(err.to_string().contains("browser main thread"));
/// })
/// .unwrap();
/// ```
pub async fn crunch_per_frame(
    chunks: u32,
    steps_per_chunk: u32,
    budget: Duration,
) -> Result<u64, YieldError> {
    let mut state = 1;
    let mut slice_start = Instant::now();
    for _ in 0..chunks {
        state = crunch_chunk(state, steps_per_chunk);
        if slice_start.elapsed() >= budget {
            yield_animation_frame().await?;
            slice_start = Instant::now();
        }
    }
    Ok(state)
}
// ANCHOR_END: per_frame

/// How many [`crunch_chunk`] steps take about `chunk` on this machine, so that the
/// comparison does the same amount of *time* of work everywhere (fast or slow machine,
/// debug or release build).
///
/// ```
/// use std::time::Duration;
/// let steps = responsive_main_thread::calibrate(Duration::from_micros(500));
/// assert!(steps >= 1);
/// ```
pub fn calibrate(chunk: Duration) -> u32 {
    let mut steps: u32 = 1_000;
    loop {
        let start = Instant::now();
        std::hint::black_box(crunch_chunk(std::hint::black_box(1), steps));
        let took = start.elapsed();
        if took >= Duration::from_millis(5) || steps >= 1 << 30 {
            let per_step = took.as_secs_f64() / f64::from(steps);
            return (chunk.as_secs_f64() / per_step.max(1e-12)).clamp(1.0, f64::from(u32::MAX))
                as u32;
        }
        steps *= 2;
    }
}

// ANCHOR: gaps
/// The upper bounds of the histogram's buckets, in milliseconds; the last bucket is
/// everything longer. 16.7 ms is one frame at 60 Hz.
///
/// ```
/// assert_eq!(responsive_main_thread::BUCKETS_MS[0], 17.0);
/// ```
pub const BUCKETS_MS: [f64; 5] = [17.0, 34.0, 50.0, 100.0, 250.0];

/// The gaps between consecutive animation frames, in milliseconds.
///
/// ```
/// let gaps = responsive_main_thread::FrameGaps::from_timestamps(&[0.0, 16.0, 33.0, 200.0]);
/// assert_eq!(gaps.longest(), 167.0);
/// assert_eq!(gaps.histogram(), [2, 0, 0, 0, 1, 0]);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameGaps {
    gaps_ms: Vec<f64>,
}
// ANCHOR_END: gaps

// ANCHOR: frame_gaps
impl FrameGaps {
    /// Gaps between consecutive timestamps (as `requestAnimationFrame` passes them).
    ///
    /// ```
    /// let gaps = responsive_main_thread::FrameGaps::from_timestamps(&[5.0]);
    /// assert_eq!(gaps.count(), 0);
    /// ```
    pub fn from_timestamps(timestamps_ms: &[f64]) -> Self {
        FrameGaps {
            gaps_ms: timestamps_ms.windows(2).map(|w| w[1] - w[0]).collect(),
        }
    }

    /// How many gaps there are (frames drawn minus one).
    ///
    /// ```
    /// let gaps = responsive_main_thread::FrameGaps::from_timestamps(&[0.0, 16.0, 32.0]);
    /// assert_eq!(gaps.count(), 2);
    /// ```
    pub fn count(&self) -> usize {
        self.gaps_ms.len()
    }

    /// The longest gap: the longest the page was frozen. Zero without gaps.
    ///
    /// ```
    /// let gaps = responsive_main_thread::FrameGaps::from_timestamps(&[0.0, 16.0, 80.0]);
    /// assert_eq!(gaps.longest(), 64.0);
    /// ```
    pub fn longest(&self) -> f64 {
        self.gaps_ms.iter().copied().fold(0.0, f64::max)
    }

    /// How many gaps fall into each bucket of [`BUCKETS_MS`], plus one for longer gaps.
    ///
    /// ```
    /// let gaps = responsive_main_thread::FrameGaps::from_timestamps(&[0.0, 400.0]);
    /// assert_eq!(gaps.histogram(), [0, 0, 0, 0, 0, 1]);
    /// ```
    pub fn histogram(&self) -> [usize; BUCKETS_MS.len() + 1] {
        let mut counts = [0; BUCKETS_MS.len() + 1];
        for &gap in &self.gaps_ms {
            let bucket = BUCKETS_MS
                .iter()
                .position(|&bound| gap <= bound)
                .unwrap_or(BUCKETS_MS.len());
            counts[bucket] += 1;
        }
        counts
    }
}
// ANCHOR_END: frame_gaps

// ANCHOR: side_by_side
/// Two histograms side by side as text, one row per bucket, with a bar of `#` per gap
/// (capped at 40).
///
/// ```
/// use responsive_main_thread::{FrameGaps, side_by_side};
///
/// let smooth = FrameGaps::from_timestamps(&[0.0, 16.0, 32.0]);
/// let frozen = FrameGaps::from_timestamps(&[0.0, 300.0]);
/// let table = side_by_side(("executor", &smooth), ("spawn_local", &frozen));
/// assert!(table.lines().nth(1).unwrap().starts_with("    <= 17"));
/// assert!(table.contains("> 250"));
/// ```
pub fn side_by_side(left: (&str, &FrameGaps), right: (&str, &FrameGaps)) -> String {
    let (l, r) = (left.1.histogram(), right.1.histogram());
    let bar = |n: usize| "#".repeat(n.min(40));
    let mut table = format!("frame gaps (ms) | {:<42} | {}\n", left.0, right.0);
    for (i, (a, b)) in l.iter().zip(r).enumerate() {
        let label = match BUCKETS_MS.get(i) {
            Some(bound) => format!("<= {bound}"),
            None => format!("> {}", BUCKETS_MS[BUCKETS_MS.len() - 1]),
        };
        let _ = writeln!(
            table,
            "{label:>9}       | {:>3} {:<38} | {b:>3} {}",
            a,
            bar(*a),
            bar(b)
        );
    }
    table
}
// ANCHOR_END: side_by_side
