//! wasm-rs in a Leptos app (client-side rendering, built by Trunk). The app's component,
//! [`App`], starts a worker on the app's own wasm module with `wasm-rs-worker`; the worker
//! runs `wasm-rs-async-executor` full-time and streams [`Update`]s back over a
//! `wasm-rs-shared-channel` channel, and the component renders them as signals while a
//! main-thread counter keeps ticking. The work itself ([`happy_numbers`]) is plain Rust,
//! tested natively.
//!
//! Two executors, one per thread: on the main thread, Leptos drives its reactive system and
//! the component's `spawn_local` task on wasm-bindgen-futures (microtasks, so the page stays
//! responsive between them); in the worker, `wasm_rs_async_executor::block_on` owns the
//! thread for as long as the work lasts. Neither knows about the other: they meet only at
//! the shared channel, whose receiving end waits with `Atomics.waitAsync` and never blocks
//! the page.
//!
//! The Trunk project around it is `trunk/` beside this crate's `Cargo.toml`; the book's
//! "Use wasm-rs in a Leptos app" page walks through it.

use serde::{Deserialize, Serialize};

// ANCHOR: tally
/// How many happy numbers were found, and their sum.
///
/// ```
/// let found = leptos_app::happy_numbers(11, 5, |_, _| {});
/// assert_eq!(found, leptos_app::Tally { count: 3, sum: 1 + 7 + 10 });
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
    /// use leptos_app::Tally;
    /// let a = Tally { count: 1, sum: 7 };
    /// assert_eq!(a + Tally { count: 2, sum: 23 }, Tally { count: 3, sum: 30 });
    /// ```
    fn add(self, other: Self) -> Self {
        Self {
            count: self.count + other.count,
            sum: self.sum + other.sum,
        }
    }
}
// ANCHOR_END: tally

// ANCHOR: happy
/// The sum of the squares of `n`'s decimal digits.
///
/// ```
/// assert_eq!(leptos_app::digit_square_sum(19), 1 + 81);
/// assert_eq!(leptos_app::digit_square_sum(0), 0);
/// ```
pub fn digit_square_sum(mut n: u32) -> u32 {
    let mut sum = 0;
    while n > 0 {
        let digit = n % 10;
        sum += digit * digit;
        n /= 10;
    }
    sum
}

/// Whether `n` is happy: repeating [`digit_square_sum`] reaches 1. Every other start falls
/// into the one cycle 4 → 16 → 37 → 58 → 89 → 145 → 42 → 20 → 4, so reaching 4 ends the
/// search.
///
/// ```
/// assert!(leptos_app::is_happy(7)); // 7 → 49 → 97 → 130 → 10 → 1
/// assert!(!leptos_app::is_happy(2));
/// assert!(!leptos_app::is_happy(0));
/// ```
pub fn is_happy(n: u32) -> bool {
    let mut n = n;
    while n != 1 && n != 4 && n != 0 {
        n = digit_square_sum(n);
    }
    n == 1
}

/// The happy numbers in `start..end`.
///
/// ```
/// let found = leptos_app::happy_numbers_between(10, 20);
/// assert_eq!(found, leptos_app::Tally { count: 3, sum: 10 + 13 + 19 });
/// ```
pub fn happy_numbers_between(start: u32, end: u32) -> Tally {
    (start..end)
        .filter(|&n| is_happy(n))
        .fold(Tally::default(), |tally, n| {
            tally
                + Tally {
                    count: 1,
                    sum: u64::from(n),
                }
        })
}
// ANCHOR_END: happy

// ANCHOR: work
/// The happy numbers below `limit`, searched over `chunk`-sized ranges so that progress can
/// be reported between them: `on_chunk(done, tally_so_far)` after each range.
///
/// ```
/// let mut seen = Vec::new();
/// let found = leptos_app::happy_numbers(20, 10, |done, t| seen.push((done, t.count)));
/// assert_eq!(found.count, 5); // 1 7 10 13 19
/// assert_eq!(seen, [(10, 2), (20, 5)]);
/// ```
pub fn happy_numbers(limit: u32, chunk: u32, mut on_chunk: impl FnMut(u32, Tally)) -> Tally {
    let mut tally = Tally::default();
    for (start, end) in chunks(limit, chunk) {
        tally = tally + happy_numbers_between(start, end);
        on_chunk(end, tally);
    }
    tally
}

/// The ranges `start..end` that cover `0..limit`, `chunk` numbers each (the last one
/// shorter).
///
/// ```
/// let ranges: Vec<_> = leptos_app::chunks(25, 10).collect();
/// assert_eq!(ranges, [(0, 10), (10, 20), (20, 25)]);
/// ```
pub fn chunks(limit: u32, chunk: u32) -> impl Iterator<Item = (u32, u32)> {
    let chunk = chunk.max(1);
    (0..limit)
        .step_by(chunk as usize)
        .map(move |start| (start, start.saturating_add(chunk).min(limit)))
}
// ANCHOR_END: work

// ANCHOR: protocol
/// What the worker sends the page, in order: progress after each chunk, then the result.
///
/// ```
/// use leptos_app::{Tally, Update};
/// let update = Update::Progress { done: 10, total: 100 };
/// assert_ne!(update, Update::Done(Tally { count: 3, sum: 18 }));
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
pub use web::{App, AppProps, LIMIT, happy_numbers_in_worker, leptos_app_worker, start};
