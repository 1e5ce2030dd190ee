//! The work, natively: the same functions the worker runs.

use trunk_app::{
    Tally, Update, chunks, double_palindromes, double_palindromes_between, is_palindrome,
};

#[test]
fn tells_palindromes_in_any_base() {
    for n in [1, 7, 11, 121, 585, 9_009, 585_585] {
        assert!(is_palindrome(n, 10), "{n}");
    }
    for n in [10, 12, 100, 123, 585_586] {
        assert!(!is_palindrome(n, 10), "{n}");
    }
    assert!(is_palindrome(0b1011_1101, 2));
    assert!(!is_palindrome(0b1011_1100, 2));
    assert!(
        is_palindrome(u32::MAX, 2),
        "all ones, with no wrap in the reversal"
    );
    assert!(!is_palindrome(u32::MAX, 10));
}

#[test]
fn finds_every_double_palindrome_below_a_million() {
    let found = double_palindromes(1_000_000, 10_000, |_, _| {});
    assert_eq!(
        found,
        Tally {
            count: 19,
            sum: 872_187
        }
    );
    assert_eq!(
        double_palindromes(30_000, 7, |_, _| {}),
        Tally {
            count: 13,
            sum: 33_579
        }
    );
    assert_eq!(double_palindromes(0, 10, |_, _| {}), Tally::default());
    assert_eq!(double_palindromes(1, 10, |_, _| {}), Tally::default());
}

#[test]
fn progress_covers_every_chunk_in_order_and_ends_at_the_limit() {
    let mut seen = Vec::new();
    let found = double_palindromes(1_000, 300, |done, so_far| seen.push((done, so_far)));
    assert_eq!(
        seen.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
        [300, 600, 900, 1_000]
    );
    assert_eq!(seen.last(), Some(&(1_000, found)));
    assert!(seen.windows(2).all(|w| w[0].1.count <= w[1].1.count));
}

#[test]
fn chunks_cover_the_range_exactly_once() {
    for (limit, chunk) in [(0, 5), (1, 5), (10, 5), (11, 5), (7, 0), (1_000, 33)] {
        let ranges: Vec<_> = chunks(limit, chunk).collect();
        let covered: u32 = ranges.iter().map(|(s, e)| e - s).sum();
        assert_eq!(covered, limit, "{limit}/{chunk}: {ranges:?}");
        assert!(ranges.windows(2).all(|w| w[0].1 == w[1].0));
        assert_eq!(
            double_palindromes_between(0, limit),
            ranges
                .iter()
                .map(|&(s, e)| double_palindromes_between(s, e))
                .fold(Tally::default(), |a, b| a + b)
        );
    }
}

#[test]
fn updates_are_distinct_values() {
    assert_ne!(
        Update::Progress { done: 1, total: 2 },
        Update::Done(Tally { count: 1, sum: 1 })
    );
}
