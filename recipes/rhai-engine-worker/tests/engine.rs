//! The engine without a worker: hostile scripts, the AST cache, host functions, errors with
//! positions, and the serve loop over a real channel. Runs natively and, on wasm32, on the
//! browser main thread and in a dedicated worker.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use rhai_engine_worker::{
    CancelFlag, Limits, Reply, Request, RunId, ScriptEngine, ScriptError, ScriptId, Value, serve,
};
use wasm_rs_async_executor::{Environment, environment};
use wasm_rs_shared_channel::spsc;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// An engine whose replies are collected.
fn engine(limits: Limits) -> (ScriptEngine, Rc<RefCell<Vec<Reply>>>) {
    let replies = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&replies);
    let cancel = CancelFlag::new().expect("SharedArrayBuffer is available in these tests");
    let engine = ScriptEngine::new(limits, cancel, move |reply| {
        sink.borrow_mut().push(reply);
        Ok(())
    });
    (engine, replies)
}

// ANCHOR: hostile_test
#[test]
fn hostile_scripts_each_end_in_a_clear_error_and_the_engine_keeps_serving() {
    let (mut engine, _replies) = engine(common::test_limits());
    engine.compile(ScriptId(0), common::GOOD_SCRIPT).unwrap();
    let mut failures = Vec::new();
    let hostile = common::hostile_scripts();
    assert!(
        hostile.len() >= 20,
        "the issue asks for at least 20 hostile scripts"
    );
    for (i, (name, source, expect)) in hostile.into_iter().enumerate() {
        let id = ScriptId(i as u32 + 1);
        let run = RunId(i as u32 * 2 + 1);
        let error = match engine.compile(id, &source) {
            Err(error) => error,
            Ok(()) => match engine.run(id, run, Value::Unit) {
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
        let after = engine.run(ScriptId(0), RunId(run.0 + 1), common::good_event());
        if after != Ok(common::GOOD_ANSWER) {
            failures.push(format!("after {name}, the good script gave {after:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
// ANCHOR_END: hostile_test

#[test]
fn a_script_is_compiled_once_and_run_on_many_events() {
    let (mut engine, _) = engine(Limits::default());
    engine
        .compile(ScriptId(1), "let total = event.price * event.count; total")
        .unwrap();
    for n in 1..=50i64 {
        let event = Value::Map(
            [
                ("price".to_string(), Value::Int(n)),
                ("count".to_string(), Value::Int(3)),
            ]
            .into(),
        );
        assert_eq!(
            engine.run(ScriptId(1), RunId(n as u32), event),
            Ok(Value::Int(n * 3))
        );
    }
    assert!(engine.forget(ScriptId(1)));
    assert_eq!(
        engine.run(ScriptId(1), RunId(51), Value::Unit),
        Err(ScriptError::UnknownScript {
            script: ScriptId(1)
        })
    );
}

#[test]
fn emit_and_print_reach_the_sink_in_order_while_the_script_runs() {
    let (mut engine, replies) = engine(Limits::default());
    engine
        .compile(
            ScriptId(1),
            r#"emit(#{step: 1}); print("half way"); emit([event, "two"]); 7"#,
        )
        .unwrap();
    let result = engine.run(ScriptId(1), RunId(4), Value::Int(1));
    assert_eq!(result, Ok(Value::Int(7)));
    let run = RunId(4);
    assert_eq!(
        *replies.borrow(),
        vec![
            Reply::Emitted {
                run,
                value: Value::Map([("step".to_string(), Value::Int(1))].into())
            },
            Reply::Printed {
                run,
                text: "half way".into()
            },
            Reply::Emitted {
                run,
                value: Value::Array(vec![Value::Int(1), Value::Text("two".into())])
            },
        ]
    );
}

#[test]
fn errors_carry_the_line_and_column() {
    let (mut engine, _) = engine(Limits::default());
    let syntax = engine.compile(ScriptId(1), "let a = 1;\nlet b = 2;\nlet c = a +;");
    let Err(ScriptError::Syntax { at, .. }) = syntax else {
        panic!("expected a syntax error, got {syntax:?}");
    };
    assert_eq!((at.line, at.column), (Some(3), Some(12)));

    engine.compile(ScriptId(2), "let a = [1];\n  a[5]").unwrap();
    let runtime = engine.run(ScriptId(2), RunId(1), Value::Unit);
    let Err(ScriptError::Runtime { at, message }) = runtime else {
        panic!("expected a runtime error, got {runtime:?}");
    };
    // Rhai points at the index expression.
    assert_eq!((at.line, at.column), (Some(2), Some(5)), "{message}");

    engine.compile(ScriptId(3), "\n\n   nobody(1)").unwrap();
    let unknown = engine.run(ScriptId(3), RunId(2), Value::Unit);
    let Err(ScriptError::UnknownFunction { at, signature }) = unknown else {
        panic!("expected an unknown function, got {unknown:?}");
    };
    assert_eq!((at.line, at.column), (Some(3), Some(4)));
    assert!(signature.starts_with("nobody"), "{signature}");
}

#[test]
fn a_cancelled_run_does_not_start_and_later_runs_are_unaffected() {
    let cancel = CancelFlag::new().unwrap();
    let mut engine = ScriptEngine::new(Limits::default(), cancel.clone(), |_| Ok(()));
    engine.compile(ScriptId(1), "event + 1").unwrap();
    cancel.cancel_through(RunId(5));
    assert_eq!(
        engine.run(ScriptId(1), RunId(5), Value::Int(1)),
        Err(ScriptError::Cancelled {
            at: Default::default()
        })
    );
    assert_eq!(
        engine.run(ScriptId(1), RunId(6), Value::Int(1)),
        Ok(Value::Int(2))
    );
}

#[test]
fn sleep_waits_where_the_thread_may_block_and_says_why_where_it_may_not() {
    let (mut engine, _) = engine(Limits::default());
    engine.compile(ScriptId(1), "sleep(20); 1").unwrap();
    let start = wasm_rs_async_executor::Instant::now();
    let result = engine.run(ScriptId(1), RunId(1), Value::Unit);
    if environment() == Environment::BrowserMain {
        let Err(ScriptError::Runtime { message, .. }) = &result else {
            panic!("expected a runtime error on the main thread, got {result:?}");
        };
        assert!(message.contains("run the engine in a worker"), "{message}");
    } else {
        assert_eq!(result, Ok(Value::Int(1)));
        assert!(
            start.elapsed().as_millis() >= 19,
            "sleep(20) returned early"
        );
    }
}

#[test]
fn values_nested_too_deep_to_send_are_an_error_not_a_crash() {
    let (mut engine, _) = engine(Limits::default());
    engine
        .compile(ScriptId(1), "let a = 1; for i in 0..100 { a = [a]; } a")
        .unwrap();
    let result = engine.run(ScriptId(1), RunId(1), Value::Unit);
    let Err(ScriptError::Runtime { message, .. }) = &result else {
        panic!("expected a runtime error, got {result:?}");
    };
    assert!(message.contains("nested deeper than"), "{message}");
}

// ANCHOR: serve_test
/// Fills a channel with requests, closes the client's sending side, and returns the serve
/// loop (not started) with the client's receiver.
fn serve_scenario() -> (
    impl std::future::Future<Output = Result<(), rhai_engine_worker::EngineError>>,
    spsc::Receiver<Reply>,
) {
    let (mut client, engine_end) = spsc::duplex::<Request, Reply>(1 << 16).unwrap();
    let requests = [
        Request::SetLimits(common::test_limits()),
        Request::Compile {
            script: ScriptId(1),
            source: "emit(event); event * 2".into(),
        },
        Request::Compile {
            script: ScriptId(2),
            source: "loop {}".into(),
        },
        Request::Run {
            script: ScriptId(1),
            run: RunId(1),
            event: Value::Int(21),
        },
        Request::Run {
            script: ScriptId(2),
            run: RunId(2),
            event: Value::Unit,
        },
        Request::Run {
            script: ScriptId(1),
            run: RunId(3),
            event: Value::Int(5),
        },
    ];
    for request in requests {
        client.sender().try_send(request).unwrap();
    }
    let (tx, rx) = client.into_parts();
    drop(tx);
    (serve(engine_end, CancelFlag::new().unwrap()), rx)
}

fn check_served(mut rx: spsc::Receiver<Reply>) {
    let replies: Vec<Reply> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
    assert!(matches!(
        replies[0],
        Reply::Compiled {
            script: ScriptId(1),
            result: Ok(())
        }
    ));
    assert!(matches!(
        replies[1],
        Reply::Compiled {
            script: ScriptId(2),
            result: Ok(())
        }
    ));
    assert_eq!(
        replies[2],
        Reply::Emitted {
            run: RunId(1),
            value: Value::Int(21)
        }
    );
    assert_eq!(
        replies[3],
        Reply::Finished {
            run: RunId(1),
            result: Ok(Value::Int(42))
        }
    );
    assert!(
        matches!(
            &replies[4],
            Reply::Finished {
                run: RunId(2),
                result: Err(ScriptError::LimitExceeded { .. })
            }
        ),
        "{:?}",
        replies[4]
    );
    assert_eq!(
        replies[5],
        Reply::Emitted {
            run: RunId(3),
            value: Value::Int(5)
        }
    );
    assert_eq!(
        replies[6],
        Reply::Finished {
            run: RunId(3),
            result: Ok(Value::Int(10))
        }
    );
    assert_eq!(replies.len(), 7);
}

/// Natively and in a worker, the serve loop runs under `block_on`: full-time, never
/// returning to the event loop until the channel closes.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn serve_answers_every_request_and_ends_when_the_client_leaves() {
    let (engine, rx) = serve_scenario();
    wasm_rs_async_executor::block_on(engine).unwrap().unwrap();
    check_served(rx);
}

/// On the browser main thread, where blocking is not allowed, it runs as a spawned task.
#[cfg(target_arch = "wasm32")]
#[test]
async fn serve_answers_every_request_and_ends_when_the_client_leaves() {
    let (engine, rx) = serve_scenario();
    if environment() == Environment::BrowserMain {
        wasm_rs_async_executor::spawn(engine)
            .await
            .unwrap()
            .unwrap();
    } else {
        wasm_rs_async_executor::block_on(engine).unwrap().unwrap();
    }
    check_served(rx);
}
// ANCHOR_END: serve_test
