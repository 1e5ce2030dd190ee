//! wasm-rs in a webpack 5 app. The page starts a worker on its own wasm module with
//! `wasm-rs-worker`; the worker runs `wasm-rs-async-executor` full-time and streams
//! [`Update`]s back over a `wasm-rs-shared-channel` channel while the page's own counter keeps
//! ticking. The work itself ([`longest_chain`], the longest Collatz chain) is plain Rust,
//! tested natively.
//!
//! The webpack project around it is in `webpack/` (`package.json`, `webpack.config.js`,
//! `src/index.html`, `src/main.js`); the book's "Use wasm-rs in a webpack 5 app" page walks
//! through it.

use serde::{Deserialize, Serialize};

// ANCHOR: longest
/// The start below some limit whose Collatz chain is the longest, and that chain's length.
///
/// ```
/// let best = webpack_app::longest_chain(10, 3, |_, _| {});
/// assert_eq!(best, webpack_app::Longest { start: 9, steps: 19 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Longest {
    /// Where the chain starts (the smallest such start, if several tie).
    pub start: u32,
    /// How many steps it takes to reach 1.
    pub steps: u32,
}

impl Longest {
    /// The longer of two chains; on a tie, the one with the smaller start. `Longest::default()`
    /// (start 0, which has no chain) stands for "none yet" and loses to any chain.
    ///
    /// ```
    /// use webpack_app::Longest;
    /// let a = Longest { start: 3, steps: 7 };
    /// let b = Longest { start: 6, steps: 8 };
    /// assert_eq!(a.max(b), b);
    /// assert_eq!(a.max(Longest { start: 20, steps: 7 }), a);
    /// assert_eq!(Longest::default().max(Longest { start: 1, steps: 0 }).start, 1);
    /// ```
    pub fn max(self, other: Self) -> Self {
        if self.start == 0 {
            return other;
        }
        if other.start != 0
            && (other.steps, std::cmp::Reverse(other.start))
                > (self.steps, std::cmp::Reverse(self.start))
        {
            other
        } else {
            self
        }
    }
}
// ANCHOR_END: longest

// ANCHOR: steps
/// How many Collatz steps (`n/2` if `n` is even, `3n+1` if odd) take `start` to 1; `0` for
/// 0 and 1.
///
/// ```
/// assert_eq!(webpack_app::steps(1), 0);
/// assert_eq!(webpack_app::steps(6), 8); // 6 3 10 5 16 8 4 2 1
/// ```
pub fn steps(start: u32) -> u32 {
    // Below 2^32 the chain climbs past u32 (e.g. from 77,671 to 1,570,824,736 and beyond), so
    // the walk is in u64, which none of them leaves.
    let mut n = u64::from(start);
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

/// The longest chain among the starts in `start..end` (0, which has no chain, left out;
/// `Longest::default()` if no start is left).
///
/// ```
/// let best = webpack_app::longest_between(20, 30);
/// assert_eq!(best, webpack_app::Longest { start: 27, steps: 111 });
/// ```
pub fn longest_between(start: u32, end: u32) -> Longest {
    (start.max(1)..end)
        .map(|n| Longest {
            start: n,
            steps: steps(n),
        })
        .fold(Longest::default(), Longest::max)
}
// ANCHOR_END: steps

// ANCHOR: chunked
/// The longest chain among the starts below `limit`, searched over `chunk`-sized ranges so
/// that progress can be reported between them: `on_chunk(done, best_so_far)` after each range.
///
/// ```
/// let mut seen = Vec::new();
/// let best = webpack_app::longest_chain(30, 10, |done, best| seen.push((done, best.start)));
/// assert_eq!(best.start, 27);
/// assert_eq!(seen, [(10, 9), (20, 18), (30, 27)]);
/// ```
pub fn longest_chain(limit: u32, chunk: u32, mut on_chunk: impl FnMut(u32, Longest)) -> Longest {
    let mut best = Longest::default();
    for (start, end) in chunks(limit, chunk) {
        best = best.max(longest_between(start, end));
        on_chunk(end, best);
    }
    best
}

/// The ranges `start..end` that cover `0..limit`, `chunk` numbers each (the last one
/// shorter).
///
/// ```
/// let ranges: Vec<_> = webpack_app::chunks(25, 10).collect();
/// assert_eq!(ranges, [(0, 10), (10, 20), (20, 25)]);
/// ```
pub fn chunks(limit: u32, chunk: u32) -> impl Iterator<Item = (u32, u32)> {
    let chunk = chunk.max(1);
    (0..limit)
        .step_by(chunk as usize)
        .map(move |start| (start, start.saturating_add(chunk).min(limit)))
}
// ANCHOR_END: chunked

// ANCHOR: protocol
/// What the worker sends the page, in order: progress after each chunk, then the result.
///
/// ```
/// use webpack_app::{Longest, Update};
/// let update = Update::Progress { done: 10, total: 100 };
/// assert_ne!(update, Update::Done(Longest { start: 9, steps: 19 }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Update {
    /// Starts below `done` (of `total`) have been walked.
    Progress {
        /// Walked so far.
        done: u32,
        /// Of how many.
        total: u32,
    },
    /// Every start has been walked: this one has the longest chain.
    Done(Longest),
}
// ANCHOR_END: protocol

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use web::{longest_chain_in_worker, webpack_app_worker};
