//! The flag with the same code natively, in Node and in browsers (main thread and worker).
//! Where there is no SharedArrayBuffer (WebKitGTK), the tests check the clear error instead.

use std::time::Duration;

use cancel_flag::{CancelFlag, FlagError, RunId, SleepError};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Whether this host has SharedArrayBuffer.
fn has_shared_memory() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Reflect::get(&js_sys::global(), &"SharedArrayBuffer".into())
            .is_ok_and(|c| c.is_function())
    }
    #[cfg(not(target_arch = "wasm32"))]
    true
}

/// A new flag, or `None` after checking the error where there is no shared memory.
fn flag() -> Option<CancelFlag> {
    match CancelFlag::new() {
        Ok(flag) => {
            assert!(has_shared_memory());
            Some(flag)
        }
        Err(e) => {
            assert!(!has_shared_memory(), "SharedArrayBuffer exists, yet: {e}");
            assert_eq!(e, FlagError::NoSharedMemory);
            assert!(e.to_string().contains("cross-origin isolated"), "{e}");
            None
        }
    }
}

#[test]
fn a_cancel_covers_every_run_up_to_its_id_and_never_moves_back() {
    let Some(flag) = flag() else { return };
    assert!(!flag.is_cancelled(RunId(1)));
    flag.cancel_through(RunId(3));
    assert!(flag.is_cancelled(RunId(1)) && flag.is_cancelled(RunId(3)));
    assert!(
        !flag.is_cancelled(RunId(4)),
        "the next run starts unaffected"
    );
    flag.cancel_through(RunId(2)); // an older id changes nothing
    assert_eq!(flag.cancelled_through(), RunId(3));
    assert!(!flag.is_cancelled(RunId(0)), "run 0 is never cancelled");
    // Clones share the word.
    let clone = flag.clone();
    flag.cancel_through(RunId(7));
    assert!(clone.is_cancelled(RunId(7)));
}

#[test]
fn sleep_is_cut_short_by_a_cancel_and_refused_where_blocking_is() {
    let Some(flag) = flag() else { return };
    flag.cancel_through(RunId(1));
    // A cancelled run does not sleep at all, even for a minute.
    assert_eq!(
        flag.sleep(RunId(1), Duration::from_secs(60)),
        Err(SleepError::Cancelled)
    );
    match flag.sleep(RunId(2), Duration::from_millis(5)) {
        Ok(()) => {}
        // The browser's main thread may not block in Atomics.wait.
        Err(SleepError::CannotBlock(why)) => {
            #[cfg(target_arch = "wasm32")]
            assert!(
                js_sys::Reflect::has(&js_sys::global(), &"document".into()).unwrap_or(false),
                "only a browser's main thread refuses to block: {why}"
            );
            let e = SleepError::CannotBlock(why);
            assert!(e.to_string().contains("in a worker"), "{e}");
        }
        Err(e) => panic!("run 2 is not cancelled: {e}"),
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_cancel_from_another_thread_wakes_a_long_sleep() {
    let flag = CancelFlag::new().unwrap();
    let sleeper = flag.clone();
    let worker = std::thread::spawn(move || sleeper.sleep(RunId(1), Duration::from_secs(600)));
    // Whether the cancel lands before or during the sleep, the sleep ends Cancelled; a lost
    // wake-up would hang this test (and the runner's timeout would fail it).
    flag.cancel_through(RunId(1));
    assert_eq!(worker.join().unwrap(), Err(SleepError::Cancelled));
}

#[cfg(target_arch = "wasm32")]
#[test]
fn the_flag_crosses_to_js_and_back_as_one_shared_word() {
    let Some(flag) = flag() else { return };
    let other = CancelFlag::from_js(&flag.to_js()).unwrap();
    flag.cancel_through(RunId(5));
    assert!(other.is_cancelled(RunId(5)));
    other.cancel_through(RunId(9));
    assert_eq!(flag.cancelled_through(), RunId(9));
    // Anything else is refused with an error that says what to pass.
    let bad = CancelFlag::from_js(&wasm_bindgen::JsValue::from(4)).unwrap_err();
    assert!(matches!(bad, FlagError::BadInput(_)));
    assert!(bad.to_string().contains("CancelFlag::to_js"), "{bad}");
    let plain = js_sys::Int32Array::new_with_length(1); // not shared memory
    assert!(CancelFlag::from_js(&plain.into()).is_err());
}
