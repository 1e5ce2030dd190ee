//! Run by `cargo test --target wasm32-unknown-unknown`, in Node and in headless Chromium: the
//! executor without time slicing does what its "Features" section says.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_async_executor::{JoinSet, sleep, spawn, yield_now, yield_to_event_loop};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32) -> JsValue;
}

/// A flag that a `setTimeout(0)` callback sets.
fn timeout_flag() -> Rc<Cell<bool>> {
    let fired = Rc::new(Cell::new(false));
    let flag = fired.clone();
    set_timeout(Closure::once_into_js(move || flag.set(true)).unchecked_ref(), 0);
    fired
}

#[wasm_bindgen_test]
async fn tasks_join_abort_and_sleep() {
    let mut set = JoinSet::new();
    for i in 0..10u64 {
        set.spawn(async move {
            sleep(Duration::from_millis(i)).await;
            i
        });
    }
    let mut sum = 0;
    while let Some(result) = set.join_next().await {
        sum += result.unwrap();
    }
    assert_eq!(sum, 45);

    let never = spawn(sleep(Duration::from_secs(3600)));
    never.abort();
    assert!(never.await.unwrap_err().is_cancelled());
}

/// 50 ms of work in `yield_now` steps runs in one drain: the `setTimeout(0)` set before it
/// runs only afterwards. With time slicing (an 8 ms budget) it would run in between, so this
/// test fails if the feature is on. A task that sleeps hands the thread back.
#[wasm_bindgen_test]
async fn a_busy_drain_runs_to_the_end_and_a_sleep_lets_the_host_in() {
    let fired = timeout_flag();
    let seen = fired.clone();
    let busy = spawn(async move {
        let start = js_sys::Date::now();
        let mut steps = 0u32;
        while js_sys::Date::now() - start < 50.0 {
            yield_now().await;
            steps += 1;
        }
        (steps, seen.get())
    });
    let (steps, fired_meanwhile) = busy.await.unwrap();
    assert!(steps > 1, "{steps} steps");
    assert!(
        !fired_meanwhile,
        "the timer ran during the drain: the executor sliced its work"
    );

    // Awaiting a timer hands the thread back: the earlier `setTimeout(0)` runs first.
    let after = spawn(async move {
        yield_to_event_loop().await.unwrap();
        sleep(Duration::from_millis(1)).await;
    });
    after.await.unwrap();
    assert!(fired.get(), "the timer had not run after the task slept");
}
