//! wasm32: wakes that come from another thread.
//!
//! A plain wasm build has one thread per module instance: every waker runs on the
//! thread that owns its task, and a wake from elsewhere is a bug (`check_remote_wake`
//! says so). A threads build (`-Ctarget-feature=+atomics`, one shared
//! `WebAssembly.Memory`) has real cross-thread wakes, and this module carries them:
//!
//! - every thread has a **wake cell**, an `AtomicI32` in shared wasm memory. A remote
//!   wake queues the task on the owner's cross-thread queue (in `runtime`), sets the cell
//!   to 1 and `Atomics.notify`s it ([`Unparker::unpark`]);
//! - a blocked owner (full-time mode, in a worker) sleeps in `Atomics.wait` on its cell
//!   ([`wait`]), so the notify wakes it at once;
//! - an owner in the JS event loop (the browser main thread, or a worker between
//!   drains) keeps one `Atomics.waitAsync` on its cell while it has live tasks
//!   ([`RemoteWatch`]); the notify resolves that promise in the owner's own event loop,
//!   which schedules a drain. Where an engine lacks `Atomics.waitAsync` the cell is
//!   checked by a 4 ms `setTimeout` instead, only while tasks are alive.
//!
//! Nothing here blocks the browser main thread, and a single-threaded build compiles
//! none of it (`Unparker` is then a no-op, and `take_wake`/`wait` say there is no cell).

#[cfg(target_feature = "atomics")]
pub(crate) use threads::*;

#[cfg(not(target_feature = "atomics"))]
pub(crate) use single::*;

#[cfg(not(target_feature = "atomics"))]
mod single {
    use wasm_bindgen::JsValue;

    /// Wakers of one executor always run on its own thread in a single-threaded build.
    pub(crate) fn check_remote_wake() {
        panic!(
            "wasm-rs-async-executor: a task was woken from another wasm thread, which a \
             build without `+atomics` cannot have. Send a message to the task's own thread \
             instead, e.g. over wasm-rs-shared-channel, or build with wasm threads."
        );
    }

    /// Unparking another thread is never needed without threads.
    pub(crate) struct Unparker;

    impl Unparker {
        pub(crate) fn current() -> Self {
            Unparker
        }

        pub(crate) fn unpark(&self) {}
    }

    /// Whether a remote wake arrived since the last call: never, without threads.
    pub(crate) fn take_wake() -> bool {
        false
    }

    /// Sleeps on this thread's wake cell: there is none without threads.
    pub(crate) fn wait(_timeout_ms: Option<f64>) -> Option<Result<(), JsValue>> {
        None
    }
}

#[cfg(target_feature = "atomics")]
mod threads {
    use std::cell::{Cell, RefCell};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI32, Ordering};

    use js_sys::{Atomics, Function, Int32Array, Promise, Reflect, WebAssembly};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::{JsCast, JsValue};

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = setTimeout)]
        fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    }

    /// How often the cell is checked where `Atomics.waitAsync` is missing.
    const FALLBACK_POLL_MS: f64 = 4.0;

    thread_local! {
        /// This thread's wake cell (0: no remote wake pending, 1: one is).
        static CELL: Arc<AtomicI32> = Arc::new(AtomicI32::new(0));
        /// This thread's `Int32Array` over the shared wasm memory.
        static VIEW: RefCell<Option<Int32Array>> = const { RefCell::new(None) };
    }

    /// An `Int32Array` over the shared memory that covers `cell`, and the cell's index.
    ///
    /// Growing a shared memory never detaches an old buffer, so a view stays valid; it is
    /// only replaced when it is too short for a cell allocated after a growth.
    fn view_of(cell: &AtomicI32) -> (Int32Array, u32) {
        // wasm32 addresses are 32 bits and an `AtomicI32` is 4-byte aligned.
        let index = (cell.as_ptr() as usize / 4) as u32;
        VIEW.with(|slot| {
            let mut slot = slot.borrow_mut();
            if let Some(view) = slot.as_ref().filter(|v| index < v.length()) {
                return (view.clone(), index);
            }
            let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
            let view = Int32Array::new(&memory.buffer());
            *slot = Some(view.clone());
            (view, index)
        })
    }

    /// Wakes from other threads are what a threads build is for: nothing to check.
    pub(crate) fn check_remote_wake() {}

    /// Wakes the thread that created it: sets its wake cell and notifies it.
    pub(crate) struct Unparker {
        cell: Arc<AtomicI32>,
    }

    impl Unparker {
        pub(crate) fn current() -> Self {
            Unparker {
                cell: CELL.with(Arc::clone),
            }
        }

        pub(crate) fn unpark(&self) {
            if self.cell.swap(1, Ordering::SeqCst) == 0 {
                let (view, index) = view_of(&self.cell);
                // Fails only on unshared memory, which a threads build rules out; the
                // owner then still finds the cell set the next time it looks.
                let _ = Atomics::notify(&view, index);
            }
        }
    }

    /// Whether a remote wake arrived since the last call (and clears it).
    pub(crate) fn take_wake() -> bool {
        CELL.with(|cell| cell.swap(0, Ordering::SeqCst) != 0)
    }

    /// Sleeps in `Atomics.wait` on this thread's wake cell until a remote wake or the
    /// timeout (`None`: no timeout). Returns at once if a wake is already pending.
    pub(crate) fn wait(timeout_ms: Option<f64>) -> Option<Result<(), JsValue>> {
        if take_wake() {
            return Some(Ok(()));
        }
        let cell = CELL.with(Arc::clone);
        let (view, index) = view_of(&cell);
        let waited =
            Atomics::wait_with_timeout(&view, index, 0, timeout_ms.unwrap_or(f64::INFINITY));
        cell.store(0, Ordering::SeqCst);
        Some(waited.map(drop))
    }

    /// The executor's standing `Atomics.waitAsync` on its wake cell while it is in the
    /// event loop with live tasks: at most one at a time.
    #[derive(Default)]
    pub(crate) struct RemoteWatch {
        pending: Cell<bool>,
    }

    impl RemoteWatch {
        /// Makes sure `on_wake` runs, in this thread's event loop, after the next remote
        /// wake (at once, in a microtask, if one is already pending).
        pub(crate) fn watch(&self, on_wake: &Closure<dyn FnMut(JsValue)>) {
            if self.pending.replace(true) {
                return;
            }
            let cell = CELL.with(Arc::clone);
            let (view, index) = view_of(&cell);
            match Atomics::wait_async(&view, index, 0) {
                Ok(result) => {
                    // `{ async: false, value: "not-equal" }` when the cell is already
                    // set, `{ async: true, value: <promise> }` otherwise.
                    let value = Reflect::get(&result, &"value".into()).unwrap_or_default();
                    let promise = match value.dyn_into::<Promise>() {
                        Ok(promise) => promise,
                        Err(_) => Promise::resolve(&JsValue::UNDEFINED),
                    };
                    let _ = promise.then(on_wake);
                }
                Err(_) => {
                    set_timeout(on_wake.as_ref().unchecked_ref(), FALLBACK_POLL_MS);
                }
            }
        }

        /// Called first thing by `on_wake`: whether a remote wake really arrived (the
        /// polling fallback fires without one) and the watch is over.
        pub(crate) fn fired(&self) -> bool {
            self.pending.set(false);
            take_wake()
        }
    }
}
