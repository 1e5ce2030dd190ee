//! The timers recipe, tested with the same code natively (under `block_on`), in Node and in
//! browsers (main thread and worker).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use futures_util::StreamExt;
use wasm_rs_async_executor::{Instant, sleep, spawn};

use wasm_rs_async_executor::async_test;

async_test! {
    async fn sleep_waits_at_least_its_duration() {
        let start = Instant::now();
        sleep(Duration::from_millis(15)).await;
        assert!(start.elapsed() >= Duration::from_millis(15), "woke after {:?}", start.elapsed());
    }
}

async_test! {
    async fn deadline_keeps_fast_work_and_cancels_slow_work() {
        assert_eq!(timers::with_deadline(Duration::from_secs(10), async { "done" }).await, Some("done"));

        // The slow work holds a flag that is cleared when it is dropped: the deadline cancels it.
        let alive = Rc::new(Cell::new(true));
        let guard = DropFlag(alive.clone());
        let slow = async move {
            let _guard = guard;
            sleep(Duration::from_secs(60)).await;
        };
        assert_eq!(timers::with_deadline(Duration::from_millis(5), slow).await, None);
        assert!(!alive.get(), "the timed-out future was dropped");
    }
}

struct DropFlag(Rc<Cell<bool>>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

async_test! {
    async fn interval_ticks_are_a_period_apart() {
        let period = Duration::from_millis(5);
        let samples = timers::sample_every(period, 4, || ()).await;
        assert_eq!(samples.len(), 4);
        assert_eq!(samples[0].0, Duration::ZERO, "the first tick is immediate");
        for pair in samples.windows(2) {
            assert!(pair[1].0 >= pair[0].0 + period, "ticks too close: {samples:?}");
        }
    }
}

async_test! {
    async fn debounce_passes_the_last_item_of_each_burst() {
        let (tx, rx) = futures_channel::mpsc::unbounded::<u32>();
        // The typist waits for each burst's result before typing the next burst, so the
        // test does not depend on how punctually a loaded machine wakes the timers.
        let (ack_tx, mut ack_rx) = futures_channel::mpsc::unbounded::<()>();
        let typist = spawn(async move {
            for burst in [[1, 2, 3], [4, 5, 6]] {
                for key in burst {
                    tx.unbounded_send(key).expect("the debounce is listening");
                }
                ack_rx.next().await.expect("the test acknowledges each burst");
            }
            tx.unbounded_send(7).expect("the debounce is listening");
            // Dropping `tx` ends the stream: the pending 7 is passed on at once.
        });
        let mut debounced = std::pin::pin!(timers::debounce(rx, Duration::from_millis(10)));
        let mut sent = Vec::new();
        while let Some(key) = debounced.next().await {
            sent.push(key);
            let _ = ack_tx.unbounded_send(());
        }
        typist.await.expect("the typist finished");
        assert_eq!(sent, [3, 6, 7]);
    }
}

async_test! {
    async fn retry_succeeds_after_transient_failures() {
        let mut backoff = timers::Backoff::new(Duration::from_millis(1), Duration::from_millis(4), 5, 11);
        let mut calls = 0;
        let result = timers::retry(&mut backoff, || {
            calls += 1;
            let outcome = if calls < 3 { Err(format!("failure #{calls}")) } else { Ok(calls) };
            async move { outcome }
        })
        .await;
        assert_eq!(result, Ok(3));
        assert_eq!(calls, 3);
    }
}

async_test! {
    async fn retry_gives_up_with_the_last_error() {
        let mut backoff = timers::Backoff::new(Duration::from_millis(1), Duration::from_millis(2), 4, 5);
        let mut calls = 0;
        let result: Result<(), _> = timers::retry(&mut backoff, || {
            calls += 1;
            let error = format!("failure #{calls}");
            async move { Err(error) }
        })
        .await;
        let gave_up = result.expect_err("every call fails");
        assert_eq!(gave_up.attempts, 4);
        assert_eq!(gave_up.last, "failure #4");
        assert_eq!(calls, 4);
        assert!(gave_up.to_string().contains("allow more attempts"), "{gave_up}");
    }
}

// Not `wasm_bindgen_test(unsupported = test)`: on WASI that drops the test without a word.
#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn backoff_delays_stay_under_the_doubling_ceiling_and_vary() {
    let first = Duration::from_millis(10);
    let max = Duration::from_millis(500);
    let mut backoff = timers::Backoff::new(first, max, 10, 2026);
    let mut delays = Vec::new();
    for retry in 0..12 {
        let delay = backoff.delay(retry);
        assert!(delay <= backoff.ceiling(retry), "retry {retry}: {delay:?}");
        delays.push(delay);
    }
    assert_eq!(backoff.ceiling(0), first);
    assert_eq!(backoff.ceiling(11), max);
    // Jitter: the delays at the capped retries are not all equal.
    assert!(delays[6..].windows(2).any(|w| w[0] != w[1]), "{delays:?}");
    // The same seed gives the same delays; another seed gives others.
    let mut again = timers::Backoff::new(first, max, 10, 2026);
    assert_eq!((0..12).map(|r| again.delay(r)).collect::<Vec<_>>(), delays);
    let mut other = timers::Backoff::new(first, max, 10, 7);
    assert_ne!((0..12).map(|r| other.delay(r)).collect::<Vec<_>>(), delays);
}
