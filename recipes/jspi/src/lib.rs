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
use std::task::Poll;
use std::time::Duration;

use js_sys::{Atomics, Function, Int32Array, Promise, Reflect, SharedArrayBuffer};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_rs_async_executor::{self as executor, park};

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

// ANCHOR: inbox
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
// ANCHOR_END: inbox

// ANCHOR: messages
/// A promise of the next message posted to this worker.
fn next_message_promise() -> Promise {
    listen();
    let queued = INBOX.with(|inbox| inbox.borrow_mut().as_mut()?.queue.pop_front());
    if let Some(data) = queued {
        return Promise::resolve(&data);
    }
    Promise::new(&mut |resolve, _reject| {
        INBOX.with(|inbox| {
            if let Some(inbox) = inbox.borrow_mut().as_mut() {
                inbox.waiter = Some(resolve);
            }
        });
    })
}

/// The next message posted to this worker, waited for with JSPI.
fn next_message() -> Result<JsValue, JsValue> {
    js_sys::futures::jspi_block_on_promise(&next_message_promise())
}

/// A worker's whole job as one synchronous loop: read `count` messages from the main thread
/// (each a string), waiting for each through JSPI while the worker's event loop delivers
/// them, and return them joined with `+`.
///
/// ```no_run
/// // Main thread, with the wasm-rs-worker loader:
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
// ANCHOR_END: echo

// ANCHOR: echo_exports
/// A worker's echo loop over shared memory, parked in `Atomics.wait` between requests, as
/// the executor's full-time mode parks: the lowest latency, but the worker's event loop is
/// frozen (no `onmessage`, no promise resolves) while it waits. `cells` views a
/// `SharedArrayBuffer`: `cells[0]` counts requests, `cells[1]` replies, `cells[2]` is the
/// number of rounds. Returns the rounds answered.
///
/// ```no_run
/// // In a worker started with the wasm-rs-worker loader, `input` being `cells`:
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
// ANCHOR_END: echo_exports

// ANCHOR: echo_main_thread
/// Fresh cells for an echo worker (this one, or a `serve_*` one below) on a new
/// `SharedArrayBuffer`: `rounds` requests to answer, and `messages` posted messages for a
/// `serve_*` worker to read.
///
/// ```no_run
/// let cells = jspi::echo_cells(100, 0)?;
/// # Ok::<(), wasm_bindgen::JsValue>(())
/// ```
pub fn echo_cells(rounds: i32, messages: i32) -> Result<Int32Array, JsValue> {
    let cells = Int32Array::new(&SharedArrayBuffer::new(16));
    Atomics::store(&cells, 2, rounds)?;
    Atomics::store(&cells, 3, messages)?;
    Ok(cells)
}

/// The main thread's side: sends each of the `cells[2]` requests (bumps `cells[0]` and
/// wakes the worker) and awaits its reply in `cells[1]` on an `Atomics.waitAsync` promise,
/// since the browser main thread may not block in `Atomics.wait`.
///
/// ```no_run
/// # async fn example(cells: js_sys::Int32Array) -> Result<(), wasm_bindgen::JsValue> {
/// // With a worker started on `cells` (`echo_blocking`, `echo_jspi` or `serve_*`):
/// jspi::request_echoes(&cells).await?;
/// # Ok(())
/// # }
/// ```
pub async fn request_echoes(cells: &Int32Array) -> Result<(), JsValue> {
    let rounds = Atomics::load(cells, 2)?;
    for round in 1..=rounds {
        Atomics::store(cells, 0, round)?;
        Atomics::notify(cells, 0)?;
        loop {
            let now = Atomics::load(cells, 1)?;
            if now >= round {
                break;
            }
            let waiting = Atomics::wait_async(cells, 1, now)?;
            if Reflect::get(&waiting, &"async".into())?.as_bool() == Some(true) {
                let promise: Promise = Reflect::get(&waiting, &"value".into())?.dyn_into()?;
                JsFuture::from(promise).await?;
            }
        }
    }
    Ok(())
}
// ANCHOR_END: echo_main_thread

// ANCHOR: service_tasks
/// Waits until `cells[index]` no longer holds `from`, through the executor's park (a
/// full-time loop sleeps in `Atomics.wait`; a suspending loop suspends on
/// `Atomics.waitAsync`). This is how wasm-rs-shared-channel waits for a message.
async fn changed(cells: &Int32Array, index: u32, from: i32) -> Result<(), JsValue> {
    std::future::poll_fn(|cx| {
        if Atomics::load(cells, index)? != from {
            return Poll::Ready(Ok(()));
        }
        if park::wake_on_change(cells, index, from, cx.waker().clone()) {
            Poll::Pending
        } else {
            Poll::Ready(Err(JsValue::from_str(
                "no full-time executor runs on this thread",
            )))
        }
    })
    .await
}

/// Answers `cells[2]` echo requests: waits for `cells[0]` to reach each round and
/// publishes the round in `cells[1]`.
async fn echo_requests(cells: Int32Array) -> Result<u32, JsValue> {
    let rounds = Atomics::load(&cells, 2)?;
    for round in 1..=rounds {
        loop {
            let now = Atomics::load(&cells, 0)?;
            if now >= round {
                break;
            }
            changed(&cells, 0, now).await?;
        }
        Atomics::store(&cells, 1, round)?;
        Atomics::notify(&cells, 1)?;
    }
    Ok(rounds.max(0) as u32)
}

/// Reads `count` messages posted to this worker: through `onmessage`, so only while the
/// worker's event loop runs.
async fn read_messages(count: u32) -> Result<Vec<String>, JsValue> {
    let mut messages = Vec::new();
    for _ in 0..count {
        let message = JsFuture::from(next_message_promise()).await?;
        messages.push(message.as_string().unwrap_or_default());
    }
    Ok(messages)
}
// ANCHOR_END: service_tasks

// ANCHOR: service
/// One worker service on wasm-rs-async-executor: a task answers echo requests over shared
/// memory, another reads `cells[3]` posted messages, a third sleeps five times 1 ms.
/// Returns `"echoed N; messages a+b; ticks 5"`.
fn serve(cells: Int32Array, suspending: bool) -> Result<String, JsValue> {
    let messages = Atomics::load(&cells, 3)?.max(0) as u32;
    let echo = executor::spawn(echo_requests(cells));
    let inbox = executor::spawn(read_messages(messages));
    let ticker = executor::spawn(async {
        let mut ticks = 0u32;
        while ticks < 5 {
            executor::sleep(Duration::from_millis(1)).await;
            ticks += 1;
        }
        ticks
    });
    let joined = |e: executor::JoinError| JsValue::from_str(&e.to_string());
    let service = async move {
        let echoed = echo.await.map_err(joined)??;
        let messages = inbox.await.map_err(joined)??;
        let ticks = ticker.await.map_err(joined)?;
        Ok::<_, JsValue>(format!(
            "echoed {echoed}; messages {}; ticks {ticks}",
            messages.join("+")
        ))
    };
    let outcome = if suspending {
        executor::jspi::block_on(service)
    } else {
        executor::block_on(service)
    };
    outcome.map_err(|e| JsValue::from_str(&e.to_string()))?
}

/// [`serve`] in plain full-time mode: the worker sleeps in `Atomics.wait` between
/// requests. Echo requests are answered; posted messages never arrive (the event loop
/// is frozen), so with `cells[3] > 0` it ends with the executor's `Stalled` error.
///
/// ```no_run
/// // spawn_worker(&glue, "serve_full_time", cells.into())
/// ```
#[wasm_bindgen]
pub fn serve_full_time(cells: Int32Array) -> Result<String, JsValue> {
    serve(cells, false)
}

/// [`serve`] in the executor's suspending mode (`jspi::block_on`): between requests the
/// wasm stack is suspended on a promise, the worker's event loop runs, and posted
/// messages arrive.
///
/// ```no_run
/// // spawn_worker(&glue, "serve_suspending", cells.into())
/// ```
#[wasm_bindgen(jspi)]
pub fn serve_suspending(cells: Int32Array) -> Result<String, JsValue> {
    serve(cells, true)
}
// ANCHOR_END: service

// ANCHOR: suspending_steps
/// The suspending loop on the thread that calls it, the browser main thread included (it
/// never blocks the thread): a sleep on the executor's timer, a JS `setTimeout` promise and
/// a yield to the event loop, each `ms` long or shorter. Returns the steps completed (3).
///
/// ```no_run
/// // From JS: `await glue.suspending_steps(10)` resolves to 3.
/// ```
#[wasm_bindgen(jspi)]
pub fn suspending_steps(ms: f64) -> Result<u32, JsValue> {
    let text = |e: &dyn std::fmt::Display| JsValue::from_str(&e.to_string());
    let steps = executor::jspi::block_on(async move {
        executor::sleep(Duration::from_secs_f64(ms.max(0.0) / 1000.0)).await;
        JsFuture::from(timer(ms)).await?;
        executor::yield_to_event_loop()
            .await
            .map_err(|e| text(&e))?;
        Ok::<u32, JsValue>(3)
    });
    steps.map_err(|e| text(&e))?
}
// ANCHOR_END: suspending_steps
