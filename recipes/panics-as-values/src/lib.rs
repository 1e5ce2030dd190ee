//! # Panics as values
//!
//! Natively, a task on `wasm-rs-async-executor` that panics does not take the program with
//! it: the executor catches the panic, the task's [`JoinHandle`] returns
//! `Err(JoinError)` with the panic's message, and the other tasks go on, as with tokio.
//! On wasm32 the same holds only when the module unwinds. `wasm32-unknown-unknown` builds
//! with `panic = "abort"`, and there a panic traps the whole module. This crate is built
//! with `-Cpanic=unwind` (nightly, std rebuilt by `-Zbuild-std` with `panic_unwind`, see
//! `.cargo/config.toml`), and shows the three things that then work as natively:
//!
//! - [`split_all`]: tasks spawned side by side, one of which hits a bug and panics; its
//!   handle gives `Err(JoinError)` whose [`JoinError::is_panic`] is true and whose message
//!   is the panic's, and every other task finishes with its value;
//! - [`describe`]: a result turned into a line of a report, the panic's message included;
//! - [`split_as_they_finish`]: the same batch in a [`JoinSet`], results taken as the tasks
//!   finish, panics counted apart.
//!
//! [`JoinHandle`]: wasm_rs_async_executor::JoinHandle

use wasm_rs_async_executor::{JoinError, JoinSet, spawn, yield_now};

// ANCHOR: example
/// One job: `total` cents split between `people`. The bug this recipe catches:
/// `people == 0` divides by zero, which panics ("attempt to divide by zero").
pub fn split(total: u32, people: u32) -> u32 {
    total / people
}

/// Runs each `(total, people)` job as a task of its own, and returns every task's result
/// in the jobs' order: the job's value, or the `JoinError` of a task that panicked.
pub async fn split_all(jobs: &[(u32, u32)]) -> Vec<Result<u32, JoinError>> {
    let handles: Vec<_> = jobs
        .iter()
        .map(|&(total, people)| {
            spawn(async move {
                // Give the other tasks a turn first: the panic happens while they are
                // half-way through, not before they start.
                yield_now().await;
                split(total, people)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(handle.await);
    }
    results
}

/// One line of a report: the value, or what went wrong in the task.
pub fn describe(result: &Result<u32, JoinError>) -> String {
    match result {
        Ok(value) => format!("ok: {value}"),
        // Display gives "task panicked: <the panic's message>".
        Err(err) if err.is_panic() => format!("failed: {err}"),
        Err(err) => format!("cancelled: {err}"),
    }
}
// ANCHOR_END: example

// ANCHOR: join_set
/// The same jobs in a [`JoinSet`], taken as they finish: the values of the jobs that
/// finished, and the messages of the ones that panicked.
pub async fn split_as_they_finish(jobs: &[(u32, u32)]) -> (Vec<u32>, Vec<String>) {
    let mut set = JoinSet::new();
    for &(total, people) in jobs {
        set.spawn(async move {
            yield_now().await;
            split(total, people)
        });
    }
    let (mut values, mut panics) = (Vec::new(), Vec::new());
    while let Some(result) = set.join_next().await {
        match result {
            Ok(value) => values.push(value),
            Err(err) => panics.push(err.to_string()),
        }
    }
    (values, panics)
}
// ANCHOR_END: join_set
