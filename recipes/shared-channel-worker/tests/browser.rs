//! Real workers started from the browser's main thread (Chromium and Firefox), each running
//! this same test module: the worker's entry points are the library's exports.
#![cfg(target_arch = "wasm32")]

use shared_channel_worker::{
    Command, CommandError, PostMessageWorker, Reply, SharedChannelWorker, Store, WorkerFailure,
    round_trips, sample_commands,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_shared_channel::RecvError;
use wasm_rs_shared_channel::spsc::Duplex;
use wasm_rs_worker::{WorkerError, glue_url};

/// What a local [`Store`] answers to `script`: the expected replies, in order.
fn expected(script: &[Command]) -> Vec<Reply> {
    let mut oracle = Store::default();
    script.iter().cloned().map(|c| oracle.handle(c)).collect()
}

#[wasm_bindgen_test]
async fn shared_channel_commands_and_replies_arrive_in_order() {
    let mut worker = SharedChannelWorker::start(&glue_url().unwrap())
        .await
        .unwrap();
    let script = sample_commands(1000);
    // A burst: every command is sent before the first reply is read.
    for command in script.iter().cloned() {
        worker.send(command).await.unwrap();
    }
    let mut replies = Vec::new();
    for _ in 0..script.len() {
        replies.push(worker.recv().await.unwrap());
    }
    assert_eq!(replies, expected(&script));
    assert_eq!(worker.shutdown().await.unwrap(), 1000);
}

#[wasm_bindgen_test]
async fn a_failing_command_comes_back_as_a_value_and_the_worker_goes_on() {
    let mut worker = SharedChannelWorker::start(&glue_url().unwrap())
        .await
        .unwrap();
    let missing = worker
        .request(Command::Get { key: "x".into() })
        .await
        .unwrap();
    assert_eq!(
        missing,
        Reply {
            seq: 0,
            result: Err(CommandError::UnknownKey("x".into()))
        }
    );
    let set = Command::Set {
        key: "x".into(),
        value: 10,
    };
    assert_eq!(worker.request(set).await.unwrap().result, Ok(10));
    let by_zero = Command::Divide {
        key: "x".into(),
        by: 0,
    };
    assert_eq!(
        worker.request(by_zero).await.unwrap().result,
        Err(CommandError::DivisionByZero { key: "x".into() })
    );
    let halve = Command::Divide {
        key: "x".into(),
        by: 2,
    };
    assert_eq!(
        worker.request(halve).await.unwrap(),
        Reply {
            seq: 3,
            result: Ok(5)
        }
    );
    assert_eq!(worker.shutdown().await.unwrap(), 4);
}

#[wasm_bindgen_test]
async fn dropping_the_main_sender_ends_the_worker_loop_and_join_returns() {
    let mut worker = SharedChannelWorker::start(&glue_url().unwrap())
        .await
        .unwrap();
    for i in 0..5 {
        worker.send(Command::Ping(i)).await.unwrap();
    }
    // No reply read: `shutdown` drops the sender; the worker answers the five commands it
    // already has, sees the channel closed, leaves `block_on`, and its export returns 5.
    assert_eq!(worker.shutdown().await.unwrap(), 5);
}

/// A worker entry that answers one command, then panics on the next: a worker that dies
/// while the main thread waits for a reply.
#[wasm_bindgen]
pub fn scw_test_dying_worker(ends: JsValue) -> Result<(), JsValue> {
    let (mut replies, mut commands) = Duplex::<Reply, Command>::from_js(&ends)
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .into_parts();
    let mut store = Store::default();
    let first = commands
        .recv()
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    replies
        .send(store.handle(first))
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let second = commands
        .recv()
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    panic!("the dying worker got {second:?}");
}

/// A worker entry that answers one command, then closes its own thread without dropping
/// its channel ends, and never settles: no panic, no outcome, nothing but the thread's end.
#[wasm_bindgen]
pub async fn scw_test_vanishing_worker(ends: JsValue) -> Result<(), JsValue> {
    let (mut replies, mut commands) = Duplex::<Reply, Command>::from_js(&ends)
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .into_parts();
    let first = commands
        .recv()
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    replies
        .send(Store::default().handle(first))
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    std::mem::forget((replies, commands));
    let global = js_sys::global();
    let close = js_sys::Reflect::get(&global, &"close".into())?.dyn_into::<js_sys::Function>()?;
    close.call0(&global)?;
    // The thread ends once this yields; the export's promise never settles.
    std::future::pending::<()>().await;
    Ok(())
}

/// The channel tells the main thread that a worker which closed itself is gone: the
/// waiting `recv` ends with `Disconnected` (within the guard's 10 s: measured under 10 ms)
/// instead of waiting forever.
#[wasm_bindgen_test]
async fn a_worker_that_closes_itself_is_disconnected_not_a_hang() {
    let mut worker =
        SharedChannelWorker::start_with(&glue_url().unwrap(), "scw_test_vanishing_worker")
            .await
            .unwrap();
    assert_eq!(
        worker.request(Command::Ping(1)).await.unwrap().result,
        Ok(1)
    );
    let next = wasm_rs_async_executor::timeout(
        std::time::Duration::from_secs(10),
        worker.request(Command::Ping(2)),
    )
    .await
    .expect("the channel noticed the worker's end");
    assert!(
        matches!(next, Err(WorkerFailure::Recv(RecvError::Disconnected))),
        "{next:?}"
    );
}

#[wasm_bindgen_test]
async fn a_worker_that_dies_is_an_error_not_a_hang() {
    let mut worker = SharedChannelWorker::start_with(&glue_url().unwrap(), "scw_test_dying_worker")
        .await
        .unwrap();
    assert_eq!(
        worker.request(Command::Ping(1)).await.unwrap().result,
        Ok(1)
    );
    let error = worker.request(Command::Ping(2)).await.unwrap_err();
    match &error {
        WorkerFailure::Worker(WorkerError::Panic(message)) => {
            assert!(
                message.contains("the dying worker got Ping(2)"),
                "{message}"
            )
        }
        other => panic!("expected the worker's panic, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_wrong_glue_url_is_a_clear_start_error() {
    let glue = glue_url().unwrap();
    // The same origin, a file that does not exist.
    let origin_end = glue.find("://").map_or(0, |i| i + 3);
    let path_start = glue[origin_end..]
        .find('/')
        .map_or(glue.len(), |i| origin_end + i);
    let url = format!("{}/no-such-glue.js", &glue[..path_start]);
    let error = SharedChannelWorker::start(&url).await.unwrap_err();
    assert!(
        matches!(error, WorkerFailure::Worker(WorkerError::Init(_))),
        "{error:?}"
    );
}

#[wasm_bindgen_test]
async fn the_post_message_variant_answers_the_same_in_order() {
    let mut worker = PostMessageWorker::start(&glue_url().unwrap())
        .await
        .unwrap();
    let script = sample_commands(300);
    for command in script.iter().cloned() {
        worker.send(command).unwrap();
    }
    let mut replies = Vec::new();
    for _ in 0..script.len() {
        replies.push(worker.recv().await.unwrap());
    }
    assert_eq!(replies, expected(&script));
    worker.terminate();
}

/// A postMessage-variant worker entry that says hello on the transferred port and panics
/// on the first command: a worker that dies while the main thread waits for a reply.
#[wasm_bindgen]
pub async fn scw_test_dying_port_worker() -> Result<(), JsValue> {
    let port: web_sys::MessagePort = wasm_rs_worker::next_message()
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .dyn_into()?;
    let on_command = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|_| {
        panic!("the dying port worker got a command");
    });
    port.set_onmessage(Some(on_command.as_ref().unchecked_ref()));
    port.post_message(&JsValue::NULL)?;
    std::future::pending::<()>().await;
    drop(on_command);
    Ok(())
}

#[wasm_bindgen_test]
async fn a_post_message_worker_that_dies_is_an_error_not_a_hang() {
    let mut worker =
        PostMessageWorker::start_with(&glue_url().unwrap(), "scw_test_dying_port_worker")
            .await
            .unwrap();
    let error = worker.request(Command::Ping(1)).await.unwrap_err();
    match &error {
        WorkerFailure::Worker(WorkerError::Panic(message)) => {
            assert!(
                message.contains("the dying port worker got a command"),
                "{message}"
            )
        }
        other => panic!("expected the worker's panic, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn an_export_that_does_not_serve_on_the_port_is_a_clear_error() {
    // `scw_shared_channel_worker` expects channel ends, not a port: its export fails.
    let error = PostMessageWorker::start_with(&glue_url().unwrap(), "scw_shared_channel_worker")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, WorkerFailure::Worker(WorkerError::Exception(_))),
        "{error:?}"
    );
}

#[wasm_bindgen_test]
async fn both_round_trips_are_measured() {
    let rt = round_trips(&glue_url().unwrap(), 50).await.unwrap();
    assert_eq!(rt.pings, 60, "whole batches of 20");
    // Not a speed assertion: the medians exist and are real durations.
    for us in [rt.shared_channel_us, rt.post_message_us] {
        assert!(us.is_finite() && us > 0.0, "{rt:?}");
    }
}

#[wasm_bindgen_test]
async fn the_demo_runs() {
    // The book's Run button: 1,000 commands checked in order, then both round trips.
    shared_channel_worker::run_demo().await.unwrap();
}
