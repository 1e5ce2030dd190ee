//! Yield points, and the time slicing that keeps the event loop turning.

use wasm_rs_async_executor::async_test;

use std::rc::Rc;
use std::time::Duration;

use wasm_rs_async_executor::{
    Environment, environment, set_time_budget, spawn, time_budget, yield_animation_frame,
    yield_idle, yield_now, yield_to_event_loop,
};

async_test! {
    async fn yield_now_lets_other_tasks_run_first() {
        let order = Rc::new(std::cell::RefCell::new(Vec::new()));
        let o = order.clone();
        let other = spawn(async move { o.borrow_mut().push("other") });
        yield_now().await;
        order.borrow_mut().push("me");
        other.await.unwrap();
        assert_eq!(*order.borrow(), ["other", "me"]);
    }
}

async_test! {
    async fn yield_to_event_loop_and_yield_idle_complete() {
        for _ in 0..3 {
            yield_to_event_loop().await.unwrap();
            yield_idle().await.unwrap();
        }
    }
}

async_test! {
    async fn yield_animation_frame_works_only_on_the_browser_main_thread() {
        let result = yield_animation_frame().await;
        if environment() == Environment::BrowserMain {
            let first = result.unwrap();
            let second = yield_animation_frame().await.unwrap();
            assert!(second > first, "frame timestamps must increase: {first} then {second}");
        } else {
            let err = result.unwrap_err();
            assert!(!err.is_full_time_mode());
            assert!(err.to_string().contains("browser main thread"), "{err}");
        }
    }
}

async_test! {
    async fn time_budget_is_configurable() {
        let default = time_budget();
        assert_eq!(default, wasm_rs_async_executor::DEFAULT_TIME_BUDGET);
        set_time_budget(Duration::from_millis(2));
        assert_eq!(time_budget(), Duration::from_millis(2));
        set_time_budget(default);
    }
}

/// A task that only ever awaits ready futures still lets a JS timer callback run:
/// the drain yields to the event loop when its budget is spent.
#[cfg(all(
    target_family = "wasm",
    target_os = "unknown",
    feature = "time-slicing"
))]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn a_busy_task_does_not_starve_the_js_event_loop() {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = setTimeout)]
        fn set_timeout(callback: &js_sys::Function, ms: i32) -> JsValue;
    }

    let fired = Rc::new(std::cell::Cell::new(false));
    let flag = fired.clone();
    let callback = Closure::once_into_js(move || flag.set(true));
    set_timeout(callback.unchecked_ref(), 0);
    let busy = spawn(async move {
        let mut spins = 0u64;
        // Without time slicing this loop never ends: the timer callback could not run.
        while !fired.get() {
            yield_now().await;
            spins += 1;
        }
        spins
    });
    assert!(busy.await.unwrap() > 0);
    // Once the work is done, nothing stays scheduled (no macrotask, no frame watch).
    let later = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, 100);
    });
    wasm_bindgen_futures::JsFuture::from(later).await.unwrap();
    let stats = wasm_rs_async_executor::stats();
    assert!(stats.is_idle(), "{stats:?}");
}

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
#[test]
fn natively_and_on_wasi_yield_points_complete_or_explain() {
    wasm_rs_async_executor::block_on(async {
        yield_to_event_loop().await.unwrap();
        yield_idle().await.unwrap();
        // No animation frames outside a browser: an error naming where we are and where
        // the yield works, not a trap.
        let err = yield_animation_frame().await.unwrap_err();
        let here = if cfg!(target_os = "wasi") {
            "a WASI host"
        } else {
            "native"
        };
        assert_eq!(wasm_rs_async_executor::environment().to_string(), here);
        assert!(err.to_string().contains(here), "{err}");
        assert!(err.to_string().contains("browser main thread"), "{err}");
        let flag = std::cell::Cell::new(true);
        assert!(flag.get());
    })
    .unwrap();
}
