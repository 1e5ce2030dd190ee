//! # JSPI: a synchronous Rust loop that awaits JS promises
//!
//! JS Promise Integration (JSPI) lets wasm code wait for a JS `Promise` without being
//! `async`: the engine suspends the whole wasm stack, runs the JS event loop, and resumes
//! the stack with the promise's value. wasm-bindgen 0.2.130 ships it as an experimental
//! feature:
//!
//! - `#[wasm_bindgen(jspi)]` on an export: JS gets a function that returns a `Promise`,
//!   and the export runs inside a `WebAssembly.promising` frame, so code below it may
//!   suspend;
//! - `js_sys::futures::jspi_block_on_promise(&promise)`: suspends until `promise` settles
//!   (`Ok(value)` or `Err(reason)`). Outside a JSPI frame (a plain call from Rust or JS) the
//!   engine throws a `SuspendError` through the wasm frames: an exception, not an `Err`;
//! - `#[wasm_bindgen(suspending)]` on an import: the import itself suspends.
//!
//! JSPI is off in threads builds: js-sys compiles `jspi_block_on_promise` only without
//! `+atomics`. Check [`jspi_supported`] before relying on it: WebKit has no JSPI, and a
//! module using JSPI does not instantiate there at all.
//!
//! ```no_run
//! // From JS: `const total = await glue.wait_and_sum(5, 10);`
//! // From Rust, inside a JSPI export: `let total = jspi::wait_and_sum(5, 10.0)?;`
//! ```

#![cfg(target_arch = "wasm32")]
// `jspi_block_on_promise` is marked deprecated to flag it as experimental.
#![allow(deprecated)]

use std::cell::RefCell;
use std::collections::VecDeque;

use js_sys::{Atomics, Function, Int32Array, Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = fetch)]
    fn fetch(url: &str) -> Promise;

    #[wasm_bindgen(js_name = addEventListener)]
    fn add_event_listener(kind: &str, listener: &Function);
}

/// Whether this engine has JSPI (`WebAssembly.Suspending` and `WebAssembly.promising`).
///
/// ```no_run
/// if !jspi::jspi_supported() {
///     // fall back to async code
/// }
/// ```
pub fn jspi_supported() -> bool {
    let wasm = Reflect::get(&js_sys::global(), &"WebAssembly".into()).unwrap_or_default();
    ["Suspending", "promising"].iter().all(|k| {
        Reflect::get(&wasm, &(*k).into())
            .map(|f| f.is_function())
            .unwrap_or(false)
    })
}

// ANCHOR: wait
/// A promise that resolves after `ms` milliseconds.
fn timer(ms: f64) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms);
    })
}

/// Sums `0..n` in a plain `for` loop that waits `ms` on a JS timer before each step. The
/// wasm stack is suspended during each wait, and the JS event loop runs meanwhile.
///
/// ```no_run
/// // Inside a JSPI export only:
/// assert_eq!(jspi::wait_and_sum(4, 1.0).unwrap(), 6);
/// ```
#[wasm_bindgen(jspi)]
pub fn wait_and_sum(n: u32, ms: f64) -> Result<u32, JsValue> {
    let mut total = 0;
    for i in 0..n {
        js_sys::futures::jspi_block_on_promise(&timer(ms))?;
        total += i;
    }
    Ok(total)
}
// ANCHOR_END: wait

// ANCHOR: fetch
/// Fetches `url` and returns its text, synchronously from Rust's point of view: two
/// suspensions (the response, then its body).
///
/// ```no_run
/// // Inside a JSPI export only:
/// let text = jspi::fetch_text("/index.html")?;
/// # Ok::<(), wasm_bindgen::JsValue>(())
/// ```
#[wasm_bindgen(jspi)]
pub fn fetch_text(url: &str) -> Result<String, JsValue> {
    let response = js_sys::futures::jspi_block_on_promise(&fetch(url))?;
    let ok = Reflect::get(&response, &"ok".into())?.as_bool() == Some(true);
    if !ok {
        let status = Reflect::get(&response, &"status".into())?;
        return Err(JsValue::from_str(&format!(
            "fetching {url} failed with HTTP status {status:?}"
        )));
    }
    let text: Function = Reflect::get(&response, &"text".into())?.dyn_into()?;
    let body: Promise = text.call0(&response)?.dyn_into()?;
    js_sys::futures::jspi_block_on_promise(&body)?
        .as_string()
        .ok_or_else(|| JsValue::from_str("the response body is not text"))
}
// ANCHOR_END: fetch

// ANCHOR: messages
/// Messages that reached this worker's global scope, and the waiter for the next one.
struct Inbox {
    queue: VecDeque<JsValue>,
    waiter: Option<Function>,
    _listener: Closure<dyn FnMut(JsValue)>,
}

thread_local! {
    static INBOX: RefCell<Option<Inbox>> = const { RefCell::new(None) };
}

/// Starts collecting this worker's `message` events (once).
fn listen() {
    INBOX.with(|inbox| {
        if inbox.borrow().is_some() {
            return;
        }
        let listener = Closure::<dyn FnMut(JsValue)>::new(|event: JsValue| {
            let data = Reflect::get(&event, &"data".into()).unwrap_or_default();
            INBOX.with(|inbox| {
                let mut inbox = inbox.borrow_mut();
                let Some(inbox) = inbox.as_mut() else { return };
                match inbox.waiter.take() {
                    Some(resolve) => {
                        let _ = resolve.call1(&JsValue::NULL, &data);
                    }
                    None => inbox.queue.push_back(data),
                }
            });
        });
        add_event_listener("message", listener.as_ref().unchecked_ref());
        *inbox.borrow_mut() = Some(Inbox {
            queue: VecDeque::new(),
            waiter: None,
            _listener: listener,
        });
    });
}

/// The next message posted to this worker, waited for with JSPI.
fn next_message() -> Result<JsValue, JsValue> {
    listen();
    let queued = INBOX.with(|inbox| inbox.borrow_mut().as_mut()?.queue.pop_front());
    if let Some(data) = queued {
        return Ok(data);
    }
    let next = Promise::new(&mut |resolve, _reject| {
        INBOX.with(|inbox| {
            if let Some(inbox) = inbox.borrow_mut().as_mut() {
                inbox.waiter = Some(resolve);
            }
        });
    });
    js_sys::futures::jspi_block_on_promise(&next)
}

/// A worker's whole job as one synchronous loop: read `count` messages from the main thread
/// (each a string), waiting for each through JSPI while the worker's event loop delivers
/// them, and return them joined with `+`.
///
/// ```no_run
/// // Main thread, with the worker-basics loader:
/// // let worker = spawn_worker(&glue, "collect_messages", 3.into()).await?;
/// // worker.post_message(&"a".into())?; ... worker.join().await? == "a+b+c"
/// ```
#[wasm_bindgen(jspi)]
pub fn collect_messages(count: u32) -> Result<String, JsValue> {
    let mut parts = Vec::new();
    for _ in 0..count {
        let message = next_message()?;
        parts.push(
            message
                .as_string()
                .ok_or_else(|| JsValue::from_str("collect_messages expects string messages"))?,
        );
    }
    Ok(parts.join("+"))
}
// ANCHOR_END: messages

// ANCHOR: echo
/// Waits until `cells[index]` reaches `target`, one way or the other.
fn wait_until(cells: &Int32Array, index: u32, target: i32, park: Park) -> Result<(), JsValue> {
    loop {
        let now = Atomics::load(cells, index)?;
        if now >= target {
            return Ok(());
        }
        match park {
            // The worker's thread sleeps: nothing else runs in it meanwhile.
            Park::Blocking => {
                Atomics::wait(cells, index, now)?;
            }
            // The wasm stack is suspended: the worker's event loop runs meanwhile.
            Park::Jspi => {
                let waiting = Atomics::wait_async(cells, index, now)?;
                if Reflect::get(&waiting, &"async".into())?.as_bool() == Some(true) {
                    let promise: Promise = Reflect::get(&waiting, &"value".into())?.dyn_into()?;
                    js_sys::futures::jspi_block_on_promise(&promise)?;
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Park {
    Blocking,
    Jspi,
}

fn echo(cells: &Int32Array, park: Park) -> Result<u32, JsValue> {
    let rounds = Atomics::load(cells, 2)?;
    for round in 1..=rounds {
        wait_until(cells, 0, round, park)?;
        Atomics::store(cells, 1, round)?;
        Atomics::notify(cells, 1)?;
    }
    Ok(rounds.max(0) as u32)
}

/// A worker's echo loop over shared memory, parked in `Atomics.wait` between requests, as
/// the executor's full-time mode parks: the lowest latency, but the worker's event loop is
/// frozen (no `onmessage`, no promise resolves) while it waits. `cells` views a
/// `SharedArrayBuffer`: `cells[0]` counts requests, `cells[1]` replies, `cells[2]` is the
/// number of rounds. Returns the rounds answered.
///
/// ```no_run
/// // In a worker started with the worker-basics loader, `input` being `cells`:
/// // spawn_worker(&glue, "echo_blocking", cells.into())
/// ```
#[wasm_bindgen]
pub fn echo_blocking(cells: Int32Array) -> Result<u32, JsValue> {
    echo(&cells, Park::Blocking)
}

/// The same loop, parked through JSPI on `Atomics.waitAsync`: the wasm stack is suspended,
/// so the worker's event loop runs between requests (messages arrive, promises resolve).
///
/// ```no_run
/// // spawn_worker(&glue, "echo_jspi", cells.into())
/// ```
#[wasm_bindgen(jspi)]
pub fn echo_jspi(cells: Int32Array) -> Result<u32, JsValue> {
    echo(&cells, Park::Jspi)
}
// ANCHOR_END: echo
