//! wasm-rs in a Vite app. The page starts a worker on its own wasm module with
//! `wasm-rs-worker`; the worker runs `wasm-rs-async-executor` full-time and streams
//! [`Update`]s back over a `wasm-rs-shared-channel` channel while the page's own counter keeps
//! ticking. The work itself ([`count_primes`]) is plain Rust, tested natively.
//!
//! The Vite project around it is in `vite/` (`package.json`, `vite.config.js`, `index.html`,
//! `src/main.js`); the book's "Use wasm-rs in a Vite app" page walks through it.

use serde::{Deserialize, Serialize};

// ANCHOR: work
/// How many primes are below `limit`, counted over `chunk`-sized ranges so that progress
/// can be reported between them: `on_chunk(done, primes_so_far)` after each range.
///
/// ```
/// assert_eq!(vite_app::count_primes(100, 10, |_, _| {}), 25);
/// let mut seen = Vec::new();
/// vite_app::count_primes(30, 10, |done, primes| seen.push((done, primes)));
/// assert_eq!(seen, [(10, 4), (20, 8), (30, 10)]);
/// ```
pub fn count_primes(limit: u32, chunk: u32, mut on_chunk: impl FnMut(u32, u32)) -> u32 {
    let mut primes = 0;
    for (start, end) in chunks(limit, chunk) {
        primes += primes_between(start, end);
        on_chunk(end, primes);
    }
    primes
}

/// The ranges `start..end` that cover `0..limit`, `chunk` numbers each (the last one
/// shorter).
///
/// ```
/// let ranges: Vec<_> = vite_app::chunks(25, 10).collect();
/// assert_eq!(ranges, [(0, 10), (10, 20), (20, 25)]);
/// ```
pub fn chunks(limit: u32, chunk: u32) -> impl Iterator<Item = (u32, u32)> {
    let chunk = chunk.max(1);
    (0..limit)
        .step_by(chunk as usize)
        .map(move |start| (start, start.saturating_add(chunk).min(limit)))
}

/// How many primes are in `start..end`.
///
/// ```
/// assert_eq!(vite_app::primes_between(10, 20), 4); // 11, 13, 17, 19
/// ```
pub fn primes_between(start: u32, end: u32) -> u32 {
    (start..end).filter(|&n| is_prime(n)).count() as u32
}

fn is_prime(n: u32) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}
// ANCHOR_END: work

// ANCHOR: protocol
/// What the worker sends the page, in order: progress after each chunk, then the result.
///
/// ```
/// let update = vite_app::Update::Progress { done: 10, total: 100 };
/// assert_ne!(update, vite_app::Update::Done { primes: 4 });
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
    /// Every number has been checked: this many are prime.
    Done {
        /// The count.
        primes: u32,
    },
}
// ANCHOR_END: protocol

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use web::{count_primes_in_worker, vite_app_worker};
