//! Real workers, started from the main thread of each declared host (Chromium, Firefox and
//! WebKit's main thread; Node.js's main thread, where they are `worker_threads`), each
//! instantiating this same test module from `wasm_bindgen::module()`.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_worker::{
    WorkerError, WorkerHandle, WorkerKind, WorkerOptions, glue_url, run_in_worker, spawn_worker,
    spawn_worker_with,
};

// Small host helpers for the tests, in JS because they differ between the browser and Node.
#[wasm_bindgen(inline_js = r#"
const threads = typeof process === "object" && process.versions && process.versions.node
  ? process.getBuiltinModule("node:worker_threads") : null;
export function contextName() {
  if (threads) return threads.isMainThread ? "main thread" : `worker thread ${threads.threadId}`;
  return typeof WorkerGlobalScope === "function" ? `worker "${self.name}"` : "main thread";
}
export function isNode() { return threads !== null; }
export function hasSharedArrayBuffer() { return typeof SharedArrayBuffer === "function"; }
export function userAgent() { return typeof navigator === "object" ? navigator.userAgent : ""; }
export function wasmFetches() {
  return performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm")).length;
}
export function nextMessage() {
  return new Promise((resolve) => {
    if (threads) threads.parentPort.once("message", resolve);
    else self.addEventListener("message", ({ data }) => resolve(data), { once: true });
  });
}
export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
export function never() { return new Promise(() => {}); }
export function throwLater(message) { setTimeout(() => { throw new Error(message); }, 10); }
export function receivedModule() { return globalThis[Symbol.for("wasm-rs.loader.module")]; }
export function countTicks(name) {
  const channel = new BroadcastChannel(name);
  const counter = { ticks: 0, close: () => channel.close() };
  channel.onmessage = () => { counter.ticks += 1; };
  return counter;
}
export function ticker(name) { return new BroadcastChannel(name); }
export function newChannel() { return new MessageChannel(); }
export function echoOn(port, place) {
  port.onmessage = ({ data }) => port.postMessage(`${place} echoes ${data}`);
}
export function nextOn(port) {
  return new Promise((resolve) => {
    port.onmessage = ({ data }) => resolve(data);
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = contextName)]
    fn context_name() -> String;
    #[wasm_bindgen(js_name = isNode)]
    fn is_node() -> bool;
    #[wasm_bindgen(js_name = hasSharedArrayBuffer)]
    fn has_shared_array_buffer() -> bool;
    #[wasm_bindgen(js_name = userAgent)]
    fn user_agent() -> String;
    #[wasm_bindgen(js_name = wasmFetches)]
    fn wasm_fetches() -> u32;
    #[wasm_bindgen(js_name = nextMessage)]
    fn next_message() -> js_sys::Promise;
    fn sleep(ms: u32) -> js_sys::Promise;
    fn never() -> js_sys::Promise;
    #[wasm_bindgen(js_name = throwLater)]
    fn throw_later(message: &str);
    #[wasm_bindgen(js_name = receivedModule)]
    fn received_module() -> JsValue;

    type Counter;
    #[wasm_bindgen(js_name = countTicks)]
    fn count_ticks(name: &str) -> Counter;
    #[wasm_bindgen(method, getter)]
    fn ticks(this: &Counter) -> u32;
    #[wasm_bindgen(method)]
    fn close(this: &Counter);

    type Ticker;
    fn ticker(name: &str) -> Ticker;
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post(this: &Ticker, value: u32);

    type Channel;
    #[wasm_bindgen(js_name = newChannel)]
    fn new_channel() -> Channel;
    #[wasm_bindgen(method, getter)]
    fn port1(this: &Channel) -> Port;
    #[wasm_bindgen(method, getter)]
    fn port2(this: &Channel) -> Port;

    #[wasm_bindgen(extends = js_sys::Object)]
    type Port;
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post(this: &Port, value: &str);
    #[wasm_bindgen(method)]
    fn close(this: &Port);
    #[wasm_bindgen(js_name = echoOn)]
    fn echo_on(port: &JsValue, place: &str);
    #[wasm_bindgen(js_name = nextOn)]
    fn next_on(port: &Port) -> js_sys::Promise;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn web_log(s: &str);
}

// ---- the exports the workers call ------------------------------------------------------

/// Squares its input.
#[wasm_bindgen]
pub fn wb_square(x: f64) -> f64 {
    x * x
}

/// Says where it runs: "main thread", `worker "<name>"` or (Node) "worker thread <id>".
#[wasm_bindgen]
pub fn wb_where_am_i() -> String {
    context_name()
}

/// Asserts that `place` (from `wb_where_am_i`) is a worker the loader started.
fn assert_loader_worker(place: &JsValue) {
    let place = place.as_string().unwrap_or_default();
    assert_ne!(
        place,
        context_name(),
        "the worker is not where the test runs"
    );
    assert!(
        place.starts_with("worker \"wasm-rs worker: ") || place.starts_with("worker thread "),
        "{place}"
    );
}

/// How many `.wasm` files this context has fetched (its performance timeline).
#[wasm_bindgen]
pub fn wb_wasm_fetches() -> u32 {
    wasm_fetches()
}

/// Whether the module running here is the very `WebAssembly.Module` the loader received.
#[wasm_bindgen]
pub fn wb_runs_the_received_module() -> bool {
    let received = received_module();
    !received.is_undefined() && wasm_bindgen::module() == received
}

/// Panics with `message`.
#[wasm_bindgen]
pub fn wb_panic(message: String) {
    panic!("{message}");
}

/// Fails for negative input, the way an export reports an error: `Err` becomes a JS throw.
#[wasm_bindgen]
pub fn wb_checked_sqrt(x: f64) -> Result<f64, JsValue> {
    if x < 0.0 {
        Err(JsValue::from_str("wb_checked_sqrt: negative input"))
    } else {
        Ok(x.sqrt())
    }
}

/// Throws a JS `Error`.
#[wasm_bindgen]
pub fn wb_throw_error(message: String) -> Result<(), JsValue> {
    Err(js_sys::Error::new(&message).into())
}

/// Never finishes by itself; an error thrown by a timer callback 10 ms later escapes it.
#[wasm_bindgen]
pub async fn wb_fail_later(message: String) -> Result<JsValue, JsValue> {
    throw_later(&message);
    JsFuture::from(never()).await
}

/// Blocks its thread (no event loop) until the main thread stores a non-zero value in
/// `flag[0]`, then returns twice that value.
#[wasm_bindgen]
pub fn wb_block_until_flag(flag: js_sys::Int32Array) -> Result<i32, JsValue> {
    loop {
        let value = js_sys::Atomics::load(&flag, 0)?;
        if value != 0 {
            return Ok(value * 2);
        }
        js_sys::Atomics::wait(&flag, 0, 0)?;
    }
}

/// Waits, on the event loop, for one message from the main thread, then returns it doubled.
#[wasm_bindgen]
pub async fn wb_double_next_message() -> Result<f64, JsValue> {
    let message = JsFuture::from(next_message()).await?;
    message
        .as_f64()
        .map(|x| x * 2.0)
        .ok_or_else(|| JsValue::from_str("expected a number"))
}

/// Waits for the `MessagePort` the main thread transfers, echoes every message that arrives
/// on it from then on (from the worker's event loop), and returns where it runs.
#[wasm_bindgen]
pub async fn wb_echo_on_port() -> Result<String, JsValue> {
    let port = wasm_rs_worker::next_message()
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let place = context_name();
    echo_on(&port, &place);
    Ok(place)
}

/// Never returns nor yields: posts a tick on the BroadcastChannel `name` every 5 ms, forever.
#[wasm_bindgen]
pub fn wb_spin_ticking(name: String) {
    let channel = ticker(&name);
    let mut last = js_sys::Date::now();
    let mut count = 0;
    loop {
        let now = js_sys::Date::now();
        if now - last >= 5.0 {
            last = now;
            count += 1;
            channel.post(count);
        }
    }
}

// ---- helpers ---------------------------------------------------------------------------

fn glue() -> String {
    glue_url().unwrap()
}

async fn pause(ms: u32) {
    JsFuture::from(sleep(ms)).await.unwrap();
}

/// Whether this is WebKit (its `SharedArrayBuffer` is absent even when cross-origin isolated).
fn is_webkit() -> bool {
    let agent = user_agent();
    agent.contains("AppleWebKit") && !agent.contains("Chrome")
}

/// Starts `wb_spin_ticking` on a fresh channel, waits for its first tick, runs `stop`, and
/// asserts that the ticks stop (within 6 s: Chromium lets a busy worker run on for up to about
/// 2 s after `terminate()`, which it enforces by then) and stay stopped.
async fn assert_stops_ticking(name: &str, stop: impl FnOnce(WorkerHandle)) {
    let counter = count_ticks(name);
    let worker = spawn_worker(&glue(), "wb_spin_ticking", name.into())
        .await
        .unwrap();
    for _ in 0..400 {
        if counter.ticks() > 0 {
            break;
        }
        pause(5).await;
    }
    assert!(counter.ticks() > 0, "the spinning worker ticks");
    let stopped_at = js_sys::Date::now();
    stop(worker);
    let mut last = counter.ticks();
    loop {
        pause(250).await;
        let now = counter.ticks();
        if now == last {
            break;
        }
        last = now;
        assert!(
            js_sys::Date::now() - stopped_at < 6000.0,
            "the worker still ticks 6 s after it was stopped"
        );
    }
    let quiet_after = js_sys::Date::now() - stopped_at;
    pause(500).await;
    assert_eq!(
        counter.ticks(),
        last,
        "the worker ticked again after going quiet"
    );
    web_log(&format!("{name}: quiet {quiet_after} ms after the stop"));
    counter.close();
}

// ---- the tests ---------------------------------------------------------------------------

#[wasm_bindgen_test]
fn glue_url_finds_the_glue_that_loaded_this_module() {
    // The runner serves it as `/wasm-bindgen-test` in a browser, a `.js` file in Node.
    let url = glue();
    assert!(
        url.trim_end_matches(".js").ends_with("/wasm-bindgen-test"),
        "{url}"
    );
}

#[wasm_bindgen_test]
async fn an_export_runs_in_a_real_worker_and_returns_its_value() {
    let place = run_in_worker(&glue(), "wb_where_am_i", JsValue::UNDEFINED)
        .await
        .unwrap();
    assert_loader_worker(&place);
    let square = run_in_worker(&glue(), "wb_square", 7.into()).await.unwrap();
    assert_eq!(square.as_f64(), Some(49.0));
}

#[wasm_bindgen_test]
async fn the_worker_runs_the_module_it_was_sent_and_fetches_no_wasm() {
    let same = run_in_worker(&glue(), "wb_runs_the_received_module", JsValue::UNDEFINED)
        .await
        .unwrap();
    assert_eq!(same.as_bool(), Some(true));
    if !is_node() {
        assert!(wb_wasm_fetches() >= 1, "the page fetched the module once");
    }
    let fetches = run_in_worker(&glue(), "wb_wasm_fetches", JsValue::UNDEFINED)
        .await
        .unwrap();
    assert_eq!(fetches.as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
async fn a_classic_worker_runs_the_export_too() {
    let mut worker = spawn_worker_with(&classic(), &glue(), "wb_where_am_i", JsValue::NULL)
        .await
        .unwrap();
    assert_loader_worker(&worker.join().await.unwrap());
    let mut worker = spawn_worker_with(&classic(), &glue(), "wb_square", 5.into())
        .await
        .unwrap();
    assert_eq!(worker.join().await.unwrap().as_f64(), Some(25.0));
    let mut worker = spawn_worker_with(&classic(), &glue(), "wb_panic", "classic".into())
        .await
        .unwrap();
    let error = worker.join().await.unwrap_err();
    assert!(
        matches!(&error, WorkerError::Panic(m) if m.contains("classic")),
        "{error:?}"
    );
}

#[wasm_bindgen_test]
async fn a_worker_blocked_in_its_export_returns_when_told_through_shared_memory() {
    if !has_shared_array_buffer() {
        // WebKit has no SharedArrayBuffer, even cross-origin isolated; every other host does.
        assert!(
            is_webkit(),
            "only WebKit lacks SharedArrayBuffer: {}",
            user_agent()
        );
        return;
    }
    let flag = js_sys::Int32Array::new(&js_sys::SharedArrayBuffer::new(4));
    let mut worker = spawn_worker(&glue(), "wb_block_until_flag", flag.clone().into())
        .await
        .unwrap();
    // It is blocked in Atomics.wait: nothing comes back while the flag is 0.
    pause(50).await;
    js_sys::Atomics::store(&flag, 0, 21).unwrap();
    js_sys::Atomics::notify(&flag, 0).unwrap();
    assert_eq!(worker.join().await.unwrap().as_f64(), Some(42.0));
    // join again: the same outcome.
    assert_eq!(worker.join().await.unwrap().as_f64(), Some(42.0));
}

#[wasm_bindgen_test]
async fn a_worker_waiting_in_its_export_returns_when_told_by_a_message() {
    let mut worker = spawn_worker(&glue(), "wb_double_next_message", JsValue::NULL)
        .await
        .unwrap();
    pause(20).await;
    worker.post_message(&21.into()).unwrap();
    assert_eq!(worker.join().await.unwrap().as_f64(), Some(42.0));
    assert!(format!("{worker:?}").starts_with("WorkerHandle"));
}

#[wasm_bindgen_test]
async fn a_transferred_message_port_is_a_private_line_to_the_worker() {
    let channel = new_channel();
    let mut worker = spawn_worker(&glue(), "wb_echo_on_port", JsValue::NULL)
        .await
        .unwrap();
    let theirs = channel.port2();
    worker
        .post_message_with_transfer(&theirs, &js_sys::Array::of1(&theirs))
        .unwrap();
    // The export has the port and returned; the worker keeps echoing on its event loop.
    let place = worker.join().await.unwrap();
    assert_loader_worker(&place);
    let place = place.as_string().unwrap();
    let ours = channel.port1();
    for word in ["one", "two", "three"] {
        let echoed = next_on(&ours);
        ours.post(word);
        let echoed = JsFuture::from(echoed).await.unwrap();
        assert_eq!(echoed.as_string(), Some(format!("{place} echoes {word}")));
    }
    // The port has moved: it cannot be sent again; nor can a value that is not transferable.
    let again = worker
        .post_message_with_transfer(&theirs, &js_sys::Array::of1(&theirs))
        .unwrap_err();
    assert!(
        matches!(&again, WorkerError::Exception(m) if m.starts_with("the message cannot be sent: ")),
        "{again:?}"
    );
    let not_transferable = worker
        .post_message_with_transfer(&1.into(), &js_sys::Array::of1(&1.into()))
        .unwrap_err();
    assert!(
        matches!(&not_transferable, WorkerError::Exception(_)),
        "{not_transferable:?}"
    );
    // The plain form still works next to it.
    worker.post_message(&"plain".into()).unwrap();
    ours.close();
}

#[wasm_bindgen_test]
async fn next_message_outside_a_worker_is_a_clear_error() {
    let place = context_name();
    if place != "main thread" {
        // The `worker` environment: this test binary runs in a worker, where the call would
        // wait for a message from the runner's main thread.
        assert!(place.starts_with("worker"), "{place}");
        return;
    }
    let error = wasm_rs_worker::next_message().await.unwrap_err();
    assert!(matches!(&error, WorkerError::NotAWorker(_)), "{error:?}");
    assert!(error.to_string().contains("not a worker"), "{error}");
}

#[wasm_bindgen_test]
async fn terminate_stops_a_worker_that_never_yields() {
    assert_stops_ticking("wb-terminate", WorkerHandle::terminate).await;
}

#[wasm_bindgen_test]
async fn dropping_the_handle_stops_the_worker() {
    assert_stops_ticking("wb-drop", drop).await;
}

#[wasm_bindgen_test]
async fn join_after_a_panic_gives_the_panic_message() {
    let mut worker = spawn_worker(&glue(), "wb_panic", "the sky is falling".into())
        .await
        .unwrap();
    let error = worker.join().await.unwrap_err();
    match &error {
        WorkerError::Panic(message) => {
            assert!(message.contains("the sky is falling"), "{message}");
            assert!(
                message.contains("workers.rs"),
                "with its location: {message}"
            );
        }
        other => panic!("expected a panic, got {other:?}"),
    }
    assert!(
        error.to_string().starts_with("the worker panicked: "),
        "{error}"
    );
    // Each worker has its own instance: the next one is unaffected.
    let square = run_in_worker(&glue(), "wb_square", 3.into()).await.unwrap();
    assert_eq!(square.as_f64(), Some(9.0));
}

#[wasm_bindgen_test]
async fn an_err_from_the_export_is_an_exception() {
    let error = run_in_worker(&glue(), "wb_checked_sqrt", (-1.0).into())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        WorkerError::Exception("wb_checked_sqrt: negative input".into())
    );
    let root = run_in_worker(&glue(), "wb_checked_sqrt", 16.into())
        .await
        .unwrap();
    assert_eq!(root.as_f64(), Some(4.0));
}

#[wasm_bindgen_test]
async fn a_js_exception_in_the_worker_is_readable() {
    let error = run_in_worker(&glue(), "wb_throw_error", "bad input".into())
        .await
        .unwrap_err();
    assert_eq!(error, WorkerError::Exception("Error: bad input".into()));
    // An error thrown later, outside the export's own call, still ends the job readably.
    let error = run_in_worker(&glue(), "wb_fail_later", "the timer failed".into())
        .await
        .unwrap_err();
    match &error {
        WorkerError::Exception(message) => {
            assert!(message.contains("the timer failed"), "{message}")
        }
        other => panic!("expected an exception, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn an_unknown_export_is_a_clear_exception() {
    let error = spawn_worker(&glue(), "no_such_export", JsValue::UNDEFINED)
        .await
        .unwrap_err();
    match error {
        WorkerError::Exception(message) => {
            assert!(
                message.contains("exports no function `no_such_export`"),
                "{message}"
            )
        }
        other => panic!("expected an exception, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn an_input_that_cannot_be_sent_is_a_clear_exception() {
    let function = js_sys::Function::new_no_args("return 1;");
    let error = spawn_worker(&glue(), "wb_square", function.into())
        .await
        .unwrap_err();
    match error {
        WorkerError::Exception(message) => {
            assert!(
                message.contains("must be structured-cloneable"),
                "{message}"
            )
        }
        other => panic!("expected an exception, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_failed_init_is_an_init_error() {
    let missing = glue().replace("wasm-bindgen-test", "no-such-glue");
    for kind in [WorkerKind::Module, WorkerKind::Classic] {
        let error = spawn_worker_with(
            &WorkerOptions::new().kind(kind),
            &missing,
            "wb_square",
            2.into(),
        )
        .await
        .unwrap_err();
        assert!(matches!(error, WorkerError::Init(_)), "{kind:?}: {error:?}");
        assert!(error.to_string().contains("check the glue URL"), "{error}");
    }
}

/// Runs in every JS environment: agrees with an independent look at the globals, and where
/// a threads build cannot run (WebKit, a page that is not cross-origin isolated) says so
/// with the reason.
#[wasm_bindgen_test]
fn check_shared_memory_says_whether_a_threads_build_can_run_here() {
    let global = js_sys::global();
    let get = |name: &str| js_sys::Reflect::get(&global, &name.into()).unwrap_or_default();
    let shares = get("SharedArrayBuffer").is_function()
        && get("crossOriginIsolated").as_bool() != Some(false);
    match wasm_rs_worker::check_shared_memory() {
        Ok(()) => assert!(shares, "check passed without shared memory"),
        Err(error) => {
            assert!(!shares, "check refused a page with shared memory: {error}");
            assert!(matches!(error, WorkerError::NoSharedMemory(_)), "{error:?}");
            let text = error.to_string();
            assert!(
                text.contains("cannot share memory between workers"),
                "{text}"
            );
            assert!(text.contains("single-threaded build"), "{text}");
        }
    }
}

fn classic() -> WorkerOptions {
    WorkerOptions::new().kind(WorkerKind::Classic)
}
