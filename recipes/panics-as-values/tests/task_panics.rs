// ANCHOR: batch
//! A task that panics in a `-Cpanic=unwind` build: its handle gives `Err(JoinError)` with the
//! panic's message, and the executor keeps running every other task, those spawned before
//! it, those spawned after it, and those spawned once the panic is over.
//!
//! Each test fails if the panic is swallowed (the handle returns `Ok`, or an error that is
//! not a panic or has another message) or if other tasks stop (a value is missing, or the
//! batch does not finish within 10 s: the executor's own timer says so, and if the
//! executor were dead, the test would not finish at all and the runner fails it).

use std::time::Duration;

use panics_as_values::{describe, split_all, split_as_they_finish};
use wasm_rs_async_executor::{sleep, spawn, stats, timeout, yield_now};

const DIVIDE_BY_ZERO: &str = "task panicked: attempt to divide by zero";

/// Jobs around one that panics: two before it, two after it.
const JOBS: [(u32, u32); 5] = [(100, 4), (90, 3), (50, 0), (80, 2), (70, 7)];

wasm_rs_async_executor::async_test! {
    async fn the_panicking_task_gives_err_and_the_others_their_values() {
        let tasks_before = stats().tasks;
        let results = timeout(Duration::from_secs(10), split_all(&JOBS))
            .await
            .expect("every task of the batch finished, the panicking one too");
        let err = results[2].as_ref().expect_err("the panic came back as an Err, not Ok");
        assert!(err.is_panic(), "an error for the panic, not a cancellation: {err}");
        assert_eq!(err.to_string(), DIVIDE_BY_ZERO);
        let report: Vec<String> = results.iter().map(describe).collect();
        assert_eq!(
            report,
            [
                "ok: 25".to_string(),
                "ok: 30".to_string(),
                format!("failed: {DIVIDE_BY_ZERO}"),
                "ok: 40".to_string(),
                "ok: 10".to_string(),
            ]
        );
        // The panicked task's future was dropped like the finished ones: none is left over.
        assert_eq!(stats().tasks, tasks_before);
    }
    // ANCHOR_END: batch

    // ANCHOR: after_panic
    async fn tasks_waiting_on_timers_and_tasks_spawned_after_the_panic_still_run() {
        // A task parked on a timer across the panic, started before it.
        let sleeper = spawn(async {
            sleep(Duration::from_millis(20)).await;
            "woke"
        });
        let job = JOBS.len();
        let panicker = spawn(async move {
            yield_now().await;
            panic!("job {job} has no people")
        });
        let err = timeout(Duration::from_secs(10), panicker)
            .await
            .expect("the panicking task finished")
            .expect_err("the panic came back as an Err");
        assert_eq!(err.to_string(), "task panicked: job 5 has no people");
        // A message formatted at run time is a String payload (for a downcast or resume_unwind).
        let payload = err.into_panic().expect("a panic, not a cancellation");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("job 5 has no people")
        );
        // After the panic: the sleeper wakes, and new tasks (a timer among them) run.
        let after = spawn(async {
            sleep(Duration::from_millis(5)).await;
            yield_now().await;
            7
        });
        let (woke, seven) = timeout(Duration::from_secs(10), async {
            (sleeper.await, after.await)
        })
        .await
        .expect("the tasks around the panic finished");
        assert_eq!(woke.ok(), Some("woke"));
        assert_eq!(seven.ok(), Some(7));
        // And a second panic is caught as well as the first.
        let again = split_all(&[(9, 0), (9, 3)]).await;
        assert_eq!(again.iter().map(describe).collect::<Vec<_>>(), [
            format!("failed: {DIVIDE_BY_ZERO}"),
            "ok: 3".to_string(),
        ]);
    }

    async fn a_join_set_yields_the_panic_among_the_values() {
        let (mut values, panics) = timeout(Duration::from_secs(10), split_as_they_finish(&JOBS))
            .await
            .expect("the set emptied");
        values.sort_unstable();
        assert_eq!(values, [10, 25, 30, 40]);
        assert_eq!(panics, [DIVIDE_BY_ZERO]);
    }
}
// ANCHOR_END: after_panic
