//! WASI (`wasm32-wasip1`, `wasm32-wasip2`, one thread): timers sleep in the host on its
//! monotonic clock instead of spinning, and a wait that nothing could end is an error.
#![cfg(target_os = "wasi")]

use std::future::pending;
use std::time::Duration;

use wasm_rs_async_executor::{
    Environment, Instant, RunError, block_on, environment, run_forever, sleep, spawn, stats,
    timeout,
};

#[test]
fn the_environment_is_wasi() {
    assert_eq!(environment(), Environment::Wasi);
}

#[test]
fn a_30_ms_sleep_takes_30_ms_in_one_park() {
    let before = stats().drains;
    let start = Instant::now();
    block_on(sleep(Duration::from_millis(30))).unwrap();
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(30), "{elapsed:?}");
    // Spinning until the deadline would take thousands of passes of the run loop; a
    // sleep in the host takes one park, so a handful of passes.
    let drains = stats().drains - before;
    assert!(
        drains <= 4,
        "{drains} run-loop passes for one sleep: the executor spun"
    );
}

#[test]
fn run_forever_runs_timers_in_deadline_order() {
    let order = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    for ms in [25u64, 5, 15] {
        let order = order.clone();
        drop(spawn(async move {
            sleep(Duration::from_millis(ms)).await;
            order.borrow_mut().push(ms);
        }));
    }
    let start = Instant::now();
    run_forever().unwrap();
    assert!(start.elapsed() >= Duration::from_millis(25));
    assert_eq!(*order.borrow(), [5, 15, 25]);
}

#[test]
fn a_timeout_ends_a_future_that_never_completes() {
    let start = Instant::now();
    let out = block_on(timeout(Duration::from_millis(10), pending::<()>())).unwrap();
    assert!(out.is_err(), "pending() cannot complete");
    assert!(start.elapsed() >= Duration::from_millis(10));
}

#[test]
fn waiting_with_nothing_to_wake_is_an_error_naming_wasi() {
    let err = block_on(pending::<()>()).unwrap_err();
    assert!(matches!(err, RunError::Stalled { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("WASI"), "{text}");
    assert!(text.contains("timeout()"), "{text}");
}
