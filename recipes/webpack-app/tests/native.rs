//! The work, natively: the same functions the worker runs.

use webpack_app::{Longest, Update, chunks, longest_between, longest_chain, steps};

#[test]
fn walks_known_chains() {
    assert_eq!(steps(0), 0);
    assert_eq!(steps(1), 0);
    assert_eq!(steps(2), 1);
    assert_eq!(steps(27), 111);
    assert_eq!(steps(97), 118);
    // 77,671's chain climbs to 1,570,824,736, and 113,383's past u32::MAX: the walk must not
    // wrap.
    assert_eq!(steps(77_671), 231);
    assert_eq!(steps(113_383), 247);
}

#[test]
fn finds_the_longest_chain_below_a_limit() {
    assert_eq!(longest_chain(0, 10, |_, _| {}), Longest::default());
    assert_eq!(
        longest_chain(2, 10, |_, _| {}),
        Longest { start: 1, steps: 0 }
    );
    assert_eq!(
        longest_chain(100, 7, |_, _| {}),
        Longest {
            start: 97,
            steps: 118
        }
    );
    assert_eq!(
        longest_chain(1_000_000, 10_000, |_, _| {}),
        Longest {
            start: 837_799,
            steps: 524
        }
    );
}

#[test]
fn a_tie_goes_to_the_smaller_start() {
    // 18 and 19 both take 20 steps.
    assert_eq!(steps(18), steps(19));
    assert_eq!(longest_between(18, 20).start, 18);
    assert_eq!(longest_between(19, 20).start, 19);
}

#[test]
fn progress_covers_every_chunk_in_order_and_ends_at_the_limit() {
    let mut seen = Vec::new();
    let best = longest_chain(1_000, 300, |done, so_far| seen.push((done, so_far)));
    assert_eq!(
        seen.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
        [300, 600, 900, 1_000]
    );
    assert_eq!(seen.last(), Some(&(1_000, best)));
    assert!(seen.windows(2).all(|w| w[0].1.steps <= w[1].1.steps));
}

#[test]
fn chunks_cover_the_range_exactly_once() {
    for (limit, chunk) in [(0, 5), (1, 5), (10, 5), (11, 5), (7, 0)] {
        let ranges: Vec<_> = chunks(limit, chunk).collect();
        let covered: u32 = ranges.iter().map(|(s, e)| e - s).sum();
        assert_eq!(covered, limit, "{limit}/{chunk}: {ranges:?}");
        assert!(ranges.windows(2).all(|w| w[0].1 == w[1].0));
        assert_eq!(
            longest_between(0, limit),
            ranges
                .iter()
                .map(|&(s, e)| longest_between(s, e))
                .fold(Longest::default(), Longest::max)
        );
    }
}

#[test]
fn updates_are_distinct_values() {
    assert_ne!(
        Update::Progress { done: 1, total: 2 },
        Update::Done(Longest { start: 1, steps: 0 })
    );
}
