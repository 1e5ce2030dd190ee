//! The reconnect policy, natively: growth, the ceiling, the jitter range and reset, as unit
//! tests and proptests. It is a pure function, so these hold wherever it runs.
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use proptest::prelude::{prop_assert, prop_assert_eq, proptest};
use websocket_reconnect::backoff::{Backoff, delay};

const BASE: Duration = Duration::from_millis(100);
const MAX: Duration = Duration::from_secs(10);

#[test]
fn grows_by_doubling_until_the_ceiling() {
    let ceilings: Vec<u128> = (0..10)
        .map(|a| delay(BASE, MAX, a, 1.0).as_millis())
        .collect();
    assert_eq!(
        ceilings,
        [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]
    );
}

#[test]
fn nan_and_out_of_range_randoms_are_clamped() {
    assert_eq!(delay(BASE, MAX, 0, f64::NAN), Duration::from_millis(50));
    assert_eq!(delay(BASE, MAX, 0, -3.0), Duration::from_millis(50));
    assert_eq!(delay(BASE, MAX, 0, 7.0), Duration::from_millis(100));
}

#[test]
fn a_max_below_base_means_base() {
    let mut b = Backoff::new(BASE, Duration::from_millis(1));
    assert_eq!(b.next_delay(1.0), BASE);
    assert_eq!(b.next_delay(1.0), BASE);
}

proptest! {
    #[test]
    fn always_within_half_ceiling_and_max(attempt in 0u32..200, r in 0.0f64..1.0) {
        let d = delay(BASE, MAX, attempt, r);
        prop_assert!(d <= MAX);
        prop_assert!(d >= BASE / 2);
        let ceiling = delay(BASE, MAX, attempt, 1.0);
        prop_assert!(d >= ceiling / 2 && d <= ceiling);
    }

    #[test]
    fn ceilings_never_shrink(attempt in 0u32..200) {
        prop_assert!(delay(BASE, MAX, attempt + 1, 1.0) >= delay(BASE, MAX, attempt, 1.0));
    }

    #[test]
    fn more_random_waits_longer(attempt in 0u32..40, a in 0.0f64..1.0, b in 0.0f64..1.0) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(delay(BASE, MAX, attempt, lo) <= delay(BASE, MAX, attempt, hi));
    }

    #[test]
    fn reset_after_any_number_of_failures_starts_over(failures in 0usize..100, r in 0.0f64..1.0) {
        let mut b = Backoff::new(BASE, MAX);
        let fresh = b.clone().next_delay(r);
        for _ in 0..failures {
            b.next_delay(r);
        }
        prop_assert_eq!(b.attempt() as usize, failures);
        b.reset();
        prop_assert_eq!(b.next_delay(r), fresh);
    }
}
