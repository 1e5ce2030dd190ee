//! The error type natively: every message names the failure and what to check next.
#![cfg(not(all(target_family = "wasm", target_os = "unknown")))]

use wasm_rs_worker::WorkerError;

#[test]
fn each_error_says_what_failed_and_what_to_check() {
    let cases = [
        (
            WorkerError::Load("blocked".into()),
            "did not start: blocked; check",
        ),
        (
            WorkerError::Init("404".into()),
            "could not load the wasm module: 404; check the glue URL",
        ),
        (
            WorkerError::Panic("at a.rs:1:2:\nboom".into()),
            "the worker panicked: at a.rs:1:2:\nboom",
        ),
        (
            WorkerError::Exception("Error: no".into()),
            "export failed: Error: no; check the export's name",
        ),
        (
            WorkerError::Exception("RuntimeError: memory access out of bounds".into()),
            "wasm trapped: RuntimeError: memory access out of bounds; its instance cannot run again",
        ),
        (
            WorkerError::Exception("InternalError: too much recursion".into()),
            "wasm trapped: InternalError: too much recursion;",
        ),
        (
            WorkerError::Exception("RangeError: Maximum call stack size exceeded".into()),
            "start a new worker",
        ),
        (
            WorkerError::Stopped("exit code 3".into()),
            "stopped before its export finished: exit code 3",
        ),
        (WorkerError::NoGlueUrl, "pass it yourself"),
        (
            WorkerError::NotAWorker("not a worker".into()),
            "not a worker; call next_message() from the export a worker runs",
        ),
        (
            WorkerError::NoSharedMemory("SharedArrayBuffer is missing".into()),
            "(SharedArrayBuffer is missing): a wasm threads build needs SharedArrayBuffer",
        ),
    ];
    for (error, expected) in cases {
        assert!(error.to_string().contains(expected), "{error:?}: {error}");
    }
}

#[test]
fn errors_compare_and_are_std_errors() {
    let a = WorkerError::Panic("x".into());
    assert_eq!(a.clone(), a);
    assert_ne!(a, WorkerError::Exception("x".into()));
    let boxed: Box<dyn std::error::Error> = Box::new(a);
    assert!(boxed.to_string().contains("x"));
}
