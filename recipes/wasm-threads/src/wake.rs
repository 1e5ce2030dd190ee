//! Waking a task from another thread.
//!
//! An event-loop executor (wasm-bindgen-futures, wasm-rs-async-executor) runs its tasks when
//! its own thread's JS event loop says so; a waker called on another thread cannot schedule
//! anything there. [`wake_from_any_thread`] bridges the gap through shared memory: the waker
//! it hands to the inner future is `Send` and only sets a cell in wasm memory and
//! `Atomics.notify`s it; the owning thread has an `Atomics.waitAsync` pending on that
//! cell, whose promise resolves in its own event loop and wakes the task there.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use js_sys::{Atomics, Int32Array, Reflect, WebAssembly};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The cell a remote wake sets; its address is in shared wasm memory.
struct Signal {
    woken: AtomicI32,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(1, Ordering::SeqCst);
        let (view, index) = cell_view(&self.woken);
        // Fails only if the memory is not shared, which a threads build rules out; the
        // owner then finds the flag on its next poll anyway.
        let _ = Atomics::notify(&view, index);
    }
}

// ANCHOR: wake
/// Wraps `future` so that it may be woken from any thread while it runs as a task of an
/// event-loop executor on this thread (the browser main thread, say). The wrapper polls
/// `future` with a `Send` waker that flags shared memory, and waits for the flag with
/// `Atomics.waitAsync` through this thread's event loop.
///
/// ```no_run
/// # async fn example() {
/// let (tx, rx) = tokio::sync::oneshot::channel::<u32>();
/// // ... hand `tx` to another thread, which calls `tx.send(7)` ...
/// # drop(tx);
/// let value = wasm_threads::wake_from_any_thread(rx).await;
/// # let _ = value;
/// # }
/// ```
pub fn wake_from_any_thread<F: Future>(future: F) -> CrossThread<F> {
    let signal = Arc::new(Signal {
        woken: AtomicI32::new(0),
    });
    CrossThread {
        future: Box::pin(future),
        waker: Waker::from(Arc::clone(&signal)),
        signal,
        wait: None,
    }
}

/// The future of [`wake_from_any_thread`].
pub struct CrossThread<F> {
    future: Pin<Box<F>>,
    signal: Arc<Signal>,
    waker: Waker,
    /// The pending `Atomics.waitAsync` on `signal`.
    wait: Option<JsFuture>,
}

impl<F: Future> Future for CrossThread<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        loop {
            // Cleared before polling: a wake from now on is seen by the wait below.
            this.signal.woken.store(0, Ordering::SeqCst);
            if let Poll::Ready(value) = this
                .future
                .as_mut()
                .poll(&mut Context::from_waker(&this.waker))
            {
                this.wait = None;
                return Poll::Ready(value);
            }
            if this.wait.is_none() {
                match wait_async(&this.signal.woken) {
                    Some(promise) => this.wait = Some(promise),
                    // Already woken ("not-equal"), or no waitAsync: poll again.
                    None if this.signal.woken.load(Ordering::SeqCst) != 0 => continue,
                    None => {
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                }
            }
            let Some(wait) = this.wait.as_mut() else {
                continue;
            };
            match Pin::new(wait).poll(cx) {
                Poll::Ready(_) => this.wait = None,
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
// ANCHOR_END: wake

/// `Atomics.waitAsync(memory, address / 4, 0)`: a promise that resolves when the cell is
/// notified, or `None` when it no longer holds 0 (or the engine lacks `waitAsync`, in which
/// case the caller re-polls through the event loop).
fn wait_async(cell: &AtomicI32) -> Option<JsFuture> {
    let (view, index) = cell_view(cell);
    let result = Atomics::wait_async(&view, index, 0).ok()?;
    let is_async = Reflect::get(&result, &"async".into())
        .ok()?
        .as_bool()
        .unwrap_or(false);
    if !is_async {
        return None;
    }
    let promise = Reflect::get(&result, &"value".into()).ok()?;
    Some(JsFuture::from(js_sys::Promise::from(promise)))
}

/// An `Int32Array` on the wasm memory and the index of `cell` in it.
fn cell_view(cell: &AtomicI32) -> (Int32Array, u32) {
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    (Int32Array::new(&memory.buffer()), cell.as_ptr() as u32 / 4)
}

impl<F> std::fmt::Debug for CrossThread<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrossThread")
            .field("waiting", &self.wait.is_some())
            .finish_non_exhaustive()
    }
}
