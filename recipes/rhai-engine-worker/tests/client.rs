//! The engine behind its channel, on its own thread: natively a `std` thread, on wasm32 a
//! real dedicated worker spawned from the browser main thread (through wasm-rs-worker), with
//! the engine running full-time in it. Hostile scripts, events, emits, and cancel.

mod common;

use std::time::Duration;

use rhai_engine_worker::{EngineClient, EngineError, Limits, Reply, ScriptError, Value};
use wasm_rs_async_executor::Instant;

// On wasm32 the main-thread rows start the engine's worker from the page, the worker rows
// from a dedicated worker (a nested worker, which wasm-rs-worker starts the same way).
use wasm_rs_async_executor::async_test;

async_test! {
    /// The must-hold list, through the real worker: every hostile script ends in the error
    /// it should, and the good script still gives the right answer after each one.
    async fn hostile_scripts_through_the_engine_thread() {
        let mut engine = EngineClient::start(common::test_limits()).await.unwrap();
        let good = engine.compile(common::GOOD_SCRIPT).await.unwrap();
        let mut hostile = common::hostile_scripts();
        // Blocking in `sleep` works here (the engine has its own thread), so a loop of short
        // sleeps reaches the sleep limit too.
        hostile.push(("sleepy loop", "loop { sleep(10); }".into(), common::Expect::SleepMs));
        let mut failures = Vec::new();
        for (name, source, expect) in hostile {
            let error = match engine.compile(&source).await {
                Err(EngineError::Script(error)) => error,
                Err(other) => panic!("{name}: the engine failed: {other}"),
                Ok(script) => match engine.run(script, Value::Unit).await.unwrap().result {
                    Err(error) => error,
                    Ok(value) => {
                        failures.push(format!("{name}: ran to the end with {value}"));
                        continue;
                    }
                },
            };
            if let Err(failure) = common::check(name, &error, expect) {
                failures.push(failure);
            }
            let after = engine.run(good, common::good_event()).await.unwrap().result;
            if after != Ok(common::GOOD_ANSWER) {
                failures.push(format!("after {name}, the good script gave {after:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        engine.shutdown().await.unwrap();
    }
}

async_test! {
    /// One compile, many events; emits stream back before the run ends.
    async fn events_stream_to_a_compiled_script_and_emits_come_back() {
        let mut engine = EngineClient::start(Limits::default()).await.unwrap();
        let script = engine
            .compile(r#"emit(event * 10); print(`event ${event}`); event + 1"#)
            .await
            .unwrap();
        let mut runs = Vec::new();
        for n in 0..20 {
            runs.push(engine.submit(script, Value::Int(n)).await.unwrap());
        }
        for (n, run) in (0..20).zip(runs) {
            let output = engine.finish(run).await.unwrap();
            assert_eq!(output.result, Ok(Value::Int(n + 1)));
            assert_eq!(output.emitted, vec![Value::Int(n * 10)]);
            assert_eq!(output.printed, vec![format!("event {n}")]);
        }
        engine.shutdown().await.unwrap();
    }
}

/// Waits on the main thread without blocking it.
async fn pause(ms: u64) {
    wasm_rs_async_executor::sleep(Duration::from_millis(ms)).await;
}

// ANCHOR: cancel_test
async_test! {
    /// A script that would run forever (no operations limit) is stopped by the cancel flag;
    /// so is one in `sleep`, and one queued behind it; a run submitted after the cancel
    /// runs normally.
    async fn cancel_stops_a_runaway_script_a_sleep_and_the_queue() {
        let unlimited = Limits { max_operations: 0, max_sleep_ms: 600_000, ..Limits::default() };
        let mut engine = EngineClient::start(unlimited).await.unwrap();
        let forever = engine.compile(r#"emit("started"); let n = 0; loop { n += 1; }"#).await.unwrap();
        let sleepy = engine.compile(r#"emit("started"); sleep(600000)"#).await.unwrap();
        let answer = engine.compile("event * 2").await.unwrap();

        for script in [forever, sleepy] {
            let run = engine.submit(script, Value::Unit).await.unwrap();
            let queued = engine.submit(forever, Value::Unit).await.unwrap();
            // Wait until the script runs, and a little more.
            let started = engine.next_reply().await.unwrap();
            assert_eq!(started, Reply::Emitted { run, value: Value::Text("started".into()) });
            pause(30).await;
            let cancelled_at = Instant::now();
            engine.cancel();
            let output = engine.finish(run).await.unwrap();
            let latency = cancelled_at.elapsed();
            assert!(
                matches!(output.result, Err(ScriptError::Cancelled { .. })),
                "{:?}",
                output.result
            );
            // A figure for the book, not an assertion: see the benchmark.
            println!("cancel to reply: {latency:?}");
            let output = engine.finish(queued).await.unwrap();
            assert!(matches!(output.result, Err(ScriptError::Cancelled { .. })));
            assert!(output.emitted.is_empty(), "a cancelled queued run must not start");

            let after = engine.run(answer, Value::Int(21)).await.unwrap();
            assert_eq!(after.result, Ok(Value::Int(42)));
        }
        engine.shutdown().await.unwrap();
    }
}
// ANCHOR_END: cancel_test

/// Where `SharedArrayBuffer` is missing (WebKit; a page that is not cross-origin isolated),
/// starting the engine fails with an error that says why and what to do. Simulated by
/// removing the constructor from the global object for the duration of the call.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn without_shared_array_buffer_start_says_what_to_do() {
    use js_sys::Reflect;
    let global = js_sys::global();
    let key = wasm_bindgen::JsValue::from_str("SharedArrayBuffer");
    let saved = Reflect::get(&global, &key).unwrap();
    assert!(Reflect::delete_property(&global, &key).unwrap());
    // `start` fails before its first `.await`, so no other code runs while the global is gone.
    let result = EngineClient::start(Limits::default()).await;
    Reflect::set(&global, &key, &saved).unwrap();
    let error = result.unwrap_err();
    assert_eq!(error, EngineError::NoSharedMemory);
    assert!(
        error.to_string().contains("cross-origin isolated"),
        "{error}"
    );
}

/// The engine's worker dies mid-run: recursion that a raised `max_call_depth` lets run until
/// the wasm stack overflows, which traps the worker (no panic, no announcement: only the
/// worker's end says so). The client fails the runs in flight, starts a fresh worker with
/// the same limits and scripts, and the next run succeeds.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn a_worker_killed_mid_run_is_replaced_and_the_next_run_succeeds() {
    let mut engine = EngineClient::start(Limits::default()).await.unwrap();
    let double = engine.compile("emit(event); event * 2").await.unwrap();
    let down = engine
        .compile("fn down(n) { down(n + 1) } down(0)")
        .await
        .unwrap();
    let raised = Limits {
        max_call_depth: 100_000_000,
        max_operations: 0,
        ..Limits::default()
    };
    engine.set_limits(raised).await.unwrap();
    assert_eq!(engine.restarts(), 0);

    let fatal = engine.submit(down, Value::Unit).await.unwrap();
    let queued = engine.submit(double, Value::Int(1)).await.unwrap();
    for run in [fatal, queued] {
        let output = engine.finish(run).await.unwrap();
        match output.result {
            Err(ScriptError::EngineCrashed { message }) => assert!(!message.is_empty()),
            other => panic!("{run:?} should have failed with the engine, got {other:?}"),
        }
    }
    assert_eq!(engine.restarts(), 1);

    // The fresh engine has the scripts under their ids, and the raised limits: a 40-deep
    // recursion would stop at the default 32 levels.
    let output = engine.run(double, Value::Int(21)).await.unwrap();
    assert_eq!(output.result, Ok(Value::Int(42)));
    assert_eq!(output.emitted, vec![Value::Int(21)]);
    let countdown = engine
        .compile("fn down(n) { if n == 0 { 0 } else { down(n - 1) } } down(40)")
        .await
        .unwrap();
    let output = engine.run(countdown, Value::Unit).await.unwrap();
    assert_eq!(output.result, Ok(Value::Int(0)));

    // And it can die and come back again.
    let output = engine.run(down, Value::Unit).await.unwrap();
    assert!(matches!(
        output.result,
        Err(ScriptError::EngineCrashed { .. })
    ));
    assert_eq!(engine.restarts(), 2);
    let output = engine.run(double, Value::Int(2)).await.unwrap();
    assert_eq!(output.result, Ok(Value::Int(4)));
    engine.shutdown().await.unwrap();
}
