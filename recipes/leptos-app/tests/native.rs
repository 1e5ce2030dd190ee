//! The work, natively: the same functions the worker runs.

use std::collections::HashSet;

use leptos_app::{chunks, digit_square_sum, happy_numbers, happy_numbers_between, is_happy};

/// Happiness the long way: follow the digit-square sums until 1 or a repeat.
fn is_happy_by_cycle(mut n: u32) -> bool {
    let mut seen = HashSet::new();
    while n != 1 && seen.insert(n) {
        n = digit_square_sum(n);
    }
    n == 1
}

#[test]
fn tells_happy_numbers() {
    // The first happy numbers (OEIS A007770).
    let first: Vec<u32> = (0..50).filter(|&n| is_happy(n)).collect();
    assert_eq!(first, [1, 7, 10, 13, 19, 23, 28, 31, 32, 44, 49]);
    for n in [2, 4, 16, 20, 42, 89, 145, 999_999] {
        assert!(!is_happy(n), "{n}");
    }
    assert!(!is_happy(u32::MAX), "no overflow in the digit sums");
}

#[test]
fn agrees_with_following_the_cycle_to_its_end() {
    for n in 0..100_000 {
        assert_eq!(is_happy(n), is_happy_by_cycle(n), "{n}");
    }
}

#[test]
fn counts_the_happy_numbers_below_a_million() {
    let found = happy_numbers(1_000_000, 10_000, |_, _| {});
    // OEIS A068571: 143,071 happy numbers up to and including 10^6, which is happy itself.
    assert_eq!(found.count, 143_070);
    assert!(is_happy(1_000_000));
    assert_eq!(happy_numbers(1_000_001, 10_000, |_, _| {}).count, 143_071);
}

#[test]
fn chunks_cover_the_range_once_and_report_in_order() {
    let ranges: Vec<_> = chunks(1_000_000, 10_000).collect();
    assert_eq!(ranges.len(), 100, "one progress update per 10,000 numbers");
    assert_eq!(ranges.first(), Some(&(0, 10_000)));
    assert!(ranges.windows(2).all(|w| w[0].1 == w[1].0));
    assert_eq!(chunks(5, 0).count(), 5, "a zero chunk is one number");
    let mut seen = Vec::new();
    let whole = happy_numbers(25_000, 10_000, |done, tally| seen.push((done, tally)));
    assert_eq!(
        seen.iter().map(|(done, _)| *done).collect::<Vec<_>>(),
        [10_000, 20_000, 25_000]
    );
    assert_eq!(seen.last().map(|(_, t)| *t), Some(whole));
    assert_eq!(
        whole,
        happy_numbers_between(0, 12_345) + happy_numbers_between(12_345, 25_000)
    );
}
