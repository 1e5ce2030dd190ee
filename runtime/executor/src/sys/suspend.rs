//! wasm32, feature `jspi`: parking a blocking loop by suspending the wasm stack through
//! JS Promise Integration instead of blocking the thread in `Atomics.wait`.
//!
//! The park builds one promise that settles on the first of:
//! - a change of any `park::wake_on_change` registration (`Atomics.waitAsync` on its
//!   cell; an earlier park's pending wait on the same cell and value is reused, so an
//!   idle cell does not collect one waiter per park);
//! - the next timer (`setTimeout`, cleared on resume);
//! - a wake of one of this thread's tasks by a JS callback (a promise resolving, a
//!   message event): `resume` resolves it.
//!
//! and suspends on it with `js_sys::futures::jspi_block_on_promise`. While suspended,
//! the thread's JS event loop runs: promises settle, `onmessage` fires, timers of other
//! code run.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;

use js_sys::{Array, Atomics, Function, Int32Array, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::{clear_timeout, set_timeout};
use crate::runtime::RunError;

/// How often registrations are checked where `Atomics.waitAsync` is missing.
const FALLBACK_POLL_MS: f64 = 4.0;

/// A pending `Atomics.waitAsync` on one cell for one expected value.
struct Waiter {
    array: Int32Array,
    index: u32,
    expected: i32,
    promise: Promise,
}

/// The suspending park's state on one thread.
#[derive(Default)]
pub(super) struct Suspend {
    /// Resolves the promise the stack is suspended on (while suspended).
    resume: RefCell<Option<Function>>,
    waiters: RefCell<Vec<Waiter>>,
}

impl Suspend {
    /// Resumes the suspended stack, if it is suspended.
    pub(super) fn resume(&self) {
        let resolve = self.resume.borrow_mut().take();
        if let Some(resolve) = resolve {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }

    /// A promise that settles when `array[index]` stops holding `expected`.
    fn change_of(&self, array: &Int32Array, index: u32, expected: i32) -> Promise {
        let mut waiters = self.waiters.borrow_mut();
        // Waits whose value changed have settled: forget them.
        waiters.retain(|w| Atomics::load(&w.array, w.index).is_ok_and(|v| v == w.expected));
        let same = waiters.iter().find(|w| {
            w.index == index
                && w.expected == expected
                && AsRef::<JsValue>::as_ref(&w.array) == AsRef::<JsValue>::as_ref(array)
        });
        if let Some(waiter) = same {
            return waiter.promise.clone();
        }
        let promise: Promise = match Atomics::wait_async(array, index, expected) {
            // `{ async: true, value: <promise> }`, or `{ async: false, value: "not-equal" }`
            // when the cell changed already.
            Ok(result) => {
                match Reflect::get(&result, &"value".into()).map(JsCast::dyn_into::<Promise>) {
                    Ok(Ok(promise)) => promise,
                    _ => return Promise::resolve(&JsValue::UNDEFINED),
                }
            }
            // No `Atomics.waitAsync`: look again shortly.
            Err(_) => return delay(FALLBACK_POLL_MS),
        };
        waiters.push(Waiter {
            array: array.clone(),
            index,
            expected,
            promise: promise.clone(),
        });
        promise
    }

    /// Suspends until a cell of `cells` changes, `timeout_ms` passes (`None`: no
    /// timeout) or [`resume`](Self::resume) is called.
    pub(super) fn suspend(
        &self,
        cells: &[(Int32Array, u32, i32)],
        timeout_ms: Option<f64>,
    ) -> Result<(), RunError> {
        let mut resolve_slot = None;
        // AssertUnwindSafe: with `-Cpanic=unwind`, wasm-bindgen requires the callback to be
        // `UnwindSafe`, which a `&mut` capture never is; storing a `Function` cannot panic.
        let mut slot = AssertUnwindSafe(&mut resolve_slot);
        let woken = Promise::new(&mut move |resolve, _reject| **slot = Some(resolve));
        let Some(resolve) = resolve_slot else {
            return Err(RunError::WaitFailed(
                "a Promise did not run its executor".into(),
            ));
        };
        let sources = Array::new();
        sources.push(&woken);
        for (array, index, expected) in cells {
            sources.push(&self.change_of(array, *index, *expected));
        }
        let timer = timeout_ms.map(|ms| set_timeout(&resolve, ms.max(0.0).ceil()));
        *self.resume.borrow_mut() = Some(resolve);
        #[allow(deprecated)] // The experimental marker of wasm-bindgen's JSPI surface.
        let suspended = js_sys::futures::jspi_block_on_promise(&Promise::race(&sources));
        self.resume.borrow_mut().take();
        if let Some(handle) = timer {
            clear_timeout(&handle);
        }
        // Only a rejected wait gets here (outside a JSPI frame the engine throws
        // instead of returning).
        suspended.map(drop).map_err(super::wait_error)
    }
}

/// A promise resolved after `ms`.
fn delay(ms: f64) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms);
    })
}
