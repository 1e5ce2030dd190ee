//! The work, natively: the same functions the worker runs.

use vite_app::{Update, chunks, count_primes, primes_between};

#[test]
fn counts_the_primes_below_a_limit() {
    assert_eq!(count_primes(0, 10, |_, _| {}), 0);
    assert_eq!(count_primes(2, 10, |_, _| {}), 0);
    assert_eq!(count_primes(3, 10, |_, _| {}), 1);
    assert_eq!(count_primes(1_000, 7, |_, _| {}), 168);
    assert_eq!(count_primes(100_000, 5_000, |_, _| {}), 9_592);
}

#[test]
fn progress_covers_every_chunk_in_order_and_ends_at_the_limit() {
    let mut seen = Vec::new();
    let primes = count_primes(1_000, 300, |done, so_far| seen.push((done, so_far)));
    assert_eq!(
        seen.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
        [300, 600, 900, 1_000]
    );
    assert_eq!(seen.last(), Some(&(1_000, primes)));
    assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1));
}

#[test]
fn chunks_cover_the_range_exactly_once() {
    for (limit, chunk) in [(0, 5), (1, 5), (10, 5), (11, 5), (7, 0)] {
        let ranges: Vec<_> = chunks(limit, chunk).collect();
        let covered: u32 = ranges.iter().map(|(s, e)| e - s).sum();
        assert_eq!(covered, limit, "{limit}/{chunk}: {ranges:?}");
        assert!(ranges.windows(2).all(|w| w[0].1 == w[1].0));
        assert_eq!(
            primes_between(0, limit),
            ranges
                .iter()
                .map(|&(s, e)| primes_between(s, e))
                .sum::<u32>()
        );
    }
}

#[test]
fn updates_are_distinct_values() {
    assert_ne!(
        Update::Progress { done: 1, total: 2 },
        Update::Progress { done: 2, total: 2 }
    );
}
