//! wasm-rs in a Trunk app. The page starts a worker on its own wasm module with
//! `wasm-rs-worker`; the worker runs `wasm-rs-async-executor` full-time and streams
//! [`Update`]s back over a `wasm-rs-shared-channel` channel while the page's own counter keeps
//! ticking. The work itself ([`double_palindromes`]: numbers that read the same both ways in
//! base 10 and in base 2) is plain Rust, tested natively.
//!
//! The Trunk project around it is `index.html`, `Trunk.toml` and `main.js` beside this
//! crate's `Cargo.toml`; the book's "Use wasm-rs in a Trunk app" page walks through it.

use serde::{Deserialize, Serialize};

// ANCHOR: tally
/// How many double palindromes were found, and their sum.
///
/// ```
/// let found = trunk_app::double_palindromes(10, 4, |_, _| {});
/// assert_eq!(found, trunk_app::Tally { count: 5, sum: 25 }); // 1 3 5 7 9
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// How many.
    pub count: u32,
    /// Their sum.
    pub sum: u64,
}

impl std::ops::Add for Tally {
    type Output = Self;

    /// Two tallies of disjoint ranges, added.
    ///
    /// ```
    /// use trunk_app::Tally;
    /// let a = Tally { count: 1, sum: 3 };
    /// assert_eq!(a + Tally { count: 2, sum: 40 }, Tally { count: 3, sum: 43 });
    /// ```
    fn add(self, other: Self) -> Self {
        Self {
            count: self.count + other.count,
            sum: self.sum + other.sum,
        }
    }
}
// ANCHOR_END: tally

// ANCHOR: palindromes
/// Whether `n` reads the same forwards and backwards in `base` (2 or more).
///
/// ```
/// assert!(trunk_app::is_palindrome(585, 10));
/// assert!(trunk_app::is_palindrome(585, 2)); // 1001001001
/// assert!(!trunk_app::is_palindrome(10, 10));
/// ```
pub fn is_palindrome(n: u32, base: u32) -> bool {
    let (mut rest, mut reversed) = (u64::from(n), 0u64);
    let base = u64::from(base.max(2));
    while rest > 0 {
        reversed = reversed * base + rest % base;
        rest /= base;
    }
    reversed == u64::from(n)
}

/// The double palindromes (base 10 and base 2) in `start..end`; 0 is left out.
///
/// ```
/// let found = trunk_app::double_palindromes_between(300, 800);
/// assert_eq!(found, trunk_app::Tally { count: 3, sum: 313 + 585 + 717 });
/// ```
pub fn double_palindromes_between(start: u32, end: u32) -> Tally {
    (start.max(1)..end)
        .filter(|&n| is_palindrome(n, 10) && is_palindrome(n, 2))
        .fold(Tally::default(), |tally, n| {
            tally
                + Tally {
                    count: 1,
                    sum: u64::from(n),
                }
        })
}
// ANCHOR_END: palindromes

// ANCHOR: chunked
/// The double palindromes below `limit`, searched over `chunk`-sized ranges so that progress
/// can be reported between them: `on_chunk(done, tally_so_far)` after each range.
///
/// ```
/// let mut seen = Vec::new();
/// let found = trunk_app::double_palindromes(100, 50, |done, t| seen.push((done, t.count)));
/// assert_eq!(found.count, 7); // 1 3 5 7 9 33 99
/// assert_eq!(seen, [(50, 6), (100, 7)]);
/// ```
pub fn double_palindromes(limit: u32, chunk: u32, mut on_chunk: impl FnMut(u32, Tally)) -> Tally {
    let mut tally = Tally::default();
    for (start, end) in chunks(limit, chunk) {
        tally = tally + double_palindromes_between(start, end);
        on_chunk(end, tally);
    }
    tally
}

/// The ranges `start..end` that cover `0..limit`, `chunk` numbers each (the last one
/// shorter).
///
/// ```
/// let ranges: Vec<_> = trunk_app::chunks(25, 10).collect();
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
/// use trunk_app::{Tally, Update};
/// let update = Update::Progress { done: 10, total: 100 };
/// assert_ne!(update, Update::Done(Tally { count: 5, sum: 25 }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Update {
    /// Numbers below `done` (of `total`) have been checked.
    Progress {
        /// Checked so far.
        done: u32,
        /// Of how many.
        total: u32,
    },
    /// Every number has been checked: this is what was found.
    Done(Tally),
}
// ANCHOR_END: protocol

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use web::{double_palindromes_in_worker, trunk_app_worker};
