//! A parallel computation: the Mandelbrot set, rows split over threads.
//!
//! Each thread computes every `n`-th row (rows interleave, so that the expensive middle of
//! the image is shared fairly) into its own `Vec`, and hands it back through its
//! [`JoinHandle`](crate::JoinHandle): no lock is shared with the main thread.

use crate::{ThreadError, spawn};

/// The part of the complex plane to draw and how finely.
///
/// ```
/// let view = wasm_threads::mandelbrot::View::default();
/// assert_eq!(view.width, 640);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Iterations before a point counts as inside the set.
    pub max_iter: u32,
    /// Real part of the top-left corner.
    pub left: f64,
    /// Imaginary part of the top-left corner.
    pub top: f64,
    /// Width of one pixel in the complex plane.
    pub step: f64,
}

impl View {
    /// The 800×600, 500-iteration view that the book's demo and the speedup bench time:
    /// large enough (about 150 ms on one thread here) for thread start-up to matter but
    /// not dominate.
    ///
    /// ```
    /// let view = wasm_threads::mandelbrot::View::timed();
    /// assert_eq!((view.width, view.height, view.max_iter), (800, 600, 500));
    /// ```
    pub fn timed() -> View {
        View {
            width: 800,
            height: 600,
            max_iter: 500,
            left: -2.0,
            top: 1.125,
            step: 3.0 / 800.0,
        }
    }
}

impl Default for View {
    fn default() -> Self {
        View {
            width: 640,
            height: 480,
            max_iter: 256,
            left: -2.2,
            top: 1.2,
            step: 3.2 / 640.0,
        }
    }
}

// ANCHOR: row
/// The iteration counts of one row (`max_iter` for points inside the set).
///
/// ```
/// use wasm_threads::mandelbrot::{View, row};
///
/// let view = View { width: 4, height: 1, max_iter: 50, left: -0.5, top: 0.0, step: 0.1 };
/// assert_eq!(row(&view, 0)[0], 50); // -0.5 + 0i is inside the set
/// ```
pub fn row(view: &View, y: u32) -> Vec<u32> {
    let ci = view.top - f64::from(y) * view.step;
    (0..view.width)
        .map(|x| {
            let cr = view.left + f64::from(x) * view.step;
            let (mut zr, mut zi, mut n) = (0.0f64, 0.0f64, 0);
            while n < view.max_iter && zr * zr + zi * zi <= 4.0 {
                let t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                n += 1;
            }
            n
        })
        .collect()
}
// ANCHOR_END: row

/// The whole image on this thread, row after row: the one-thread baseline.
///
/// ```
/// use wasm_threads::mandelbrot::{View, render};
///
/// let view = View { width: 8, height: 6, ..View::default() };
/// assert_eq!(render(&view).len(), 48);
/// ```
pub fn render(view: &View) -> Vec<u32> {
    (0..view.height).flat_map(|y| row(view, y)).collect()
}

// ANCHOR: band
/// The rows that thread `first` of `threads` (at least 1) draws: every `threads`-th row,
/// from row `first` on.
///
/// ```
/// use wasm_threads::mandelbrot::{View, band};
///
/// let view = View { width: 8, height: 6, ..View::default() };
/// assert_eq!(band(&view, 1, 2).len(), 3); // rows 1, 3 and 5
/// ```
pub fn band(view: &View, first: usize, threads: usize) -> Vec<Vec<u32>> {
    (first as u32..view.height)
        .step_by(threads)
        .map(|y| row(view, y))
        .collect()
}

/// The image from the bands of [`band`], thread 0's first: the rows back in order.
///
/// ```
/// use wasm_threads::mandelbrot::{View, band, interleave, render};
///
/// let view = View { width: 8, height: 6, ..View::default() };
/// let bands = (0..3).map(|first| band(&view, first, 3)).collect();
/// assert_eq!(interleave(bands), render(&view));
/// ```
pub fn interleave(bands: Vec<Vec<Vec<u32>>>) -> Vec<u32> {
    let threads = bands.len();
    let mut rows = vec![Vec::new(); bands.iter().map(Vec::len).sum()];
    for (first, band) in bands.into_iter().enumerate() {
        for (i, row) in band.into_iter().enumerate() {
            rows[first + i * threads] = row;
        }
    }
    rows.concat()
}
// ANCHOR_END: band

// ANCHOR: parallel
/// The whole image on `threads` new threads (at least one), same result as [`render`].
/// Spawning costs a worker start per thread: worth it for images that take more than a few
/// tens of milliseconds.
///
/// ```no_run
/// # async fn example() -> Result<(), wasm_threads::ThreadError> {
/// use wasm_threads::mandelbrot::{View, render, render_parallel};
///
/// let view = View::default();
/// let image = render_parallel(&view, wasm_threads::hardware_concurrency()).await?;
/// assert_eq!(image, render(&view));
/// # Ok(())
/// # }
/// ```
pub async fn render_parallel(view: &View, threads: usize) -> Result<Vec<u32>, ThreadError> {
    let threads = threads.clamp(1, view.height.max(1) as usize);
    let mut handles = Vec::with_capacity(threads);
    for first in 0..threads {
        let view = *view;
        handles.push(spawn(move || band(&view, first, threads)).await?);
    }
    let mut bands = Vec::with_capacity(threads);
    for handle in handles {
        bands.push(handle.join_async().await?);
    }
    Ok(interleave(bands))
}
// ANCHOR_END: parallel
