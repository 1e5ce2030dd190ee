//! wasm32: JS timers and promises; a panic hook that records the message before the
//! module aborts; a `setTimeout` watchdog.

use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

use futures::channel::oneshot;
use futures::future::{Either, select};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::executors::start;
use crate::observe::Observed;
use crate::table::{Executor, Workload};
use crate::workloads::NoSpawn;

/// How long a cell may take before it counts as hanging.
pub(crate) const WATCHDOG: Duration = Duration::from_millis(1500);

#[wasm_bindgen]
extern "C" {
    // The global `setTimeout` of windows, workers and Node; Node returns an object.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
}

/// A `setTimeout` wrapped in a promise. The JS timer starts now, not at the first poll.
pub(crate) fn timer(duration: Duration) -> impl Future<Output = ()> {
    let ms = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
    let promise = Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms);
    });
    async move {
        let _ = JsFuture::from(promise).await;
    }
}

pub(crate) async fn foreign_value(value: u64) -> u64 {
    let promise = Promise::resolve(&JsValue::from(value as f64));
    match JsFuture::from(promise).await {
        Ok(v) => v.as_f64().map_or(0, |v| v as u64),
        Err(_) => 0,
    }
}

pub(crate) fn run_wasm_rs(task: impl Future<Output = ()> + 'static) {
    // Dropping the handle detaches the task; the JS event loop drives it.
    drop(wasm_rs_async_executor::spawn(task));
}

pub(crate) fn run_async_executor(task: impl Future<Output = ()> + 'static) {
    wasm_bindgen_futures::spawn_local(task);
}

/// The cell's future, watched: see [`crate::spin`].
pub(crate) fn spin_watchdog(task: impl Future<Output = ()> + 'static) -> impl Future<Output = ()> {
    crate::spin::spin_watchdog(task, WATCHDOG)
}

thread_local! {
    /// `Some` while a cell runs: its panic's message goes here instead of the console.
    static PANIC: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

fn install_panic_hook() {
    thread_local!(static INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let recorded = PANIC.with(|p| match p.try_borrow_mut() {
            Ok(mut slot) if slot.is_some() => {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| info.to_string());
                *slot = Some(Some(message));
                true
            }
            _ => false,
        });
        if !recorded {
            previous(info);
        }
    }));
}

/// Runs one cell and reports what happened, within [`WATCHDOG`] plus the time a
/// blocking executor holds the thread.
///
/// The executor is started inside `Function::call`, which catches the JS exception a
/// wasm32 panic becomes (`unreachable`), so the test goes on; the panic hook has kept
/// the message. A cell that does not report in time is a hang.
///
/// ```no_run
/// # async fn f() {
/// use executor_compatibility::{Executor, Observed, Workload, observe};
/// let seen = observe(Executor::SpawnLocal, Workload::Timer).await;
/// assert_eq!(seen, Observed::Finished(executor_compatibility::ANSWER));
/// # }
/// ```
pub async fn observe(executor: Executor, workload: Workload) -> Observed {
    install_panic_hook();
    // The watchdog's JS timer starts before the cell, which may hold the thread.
    let watchdog = timer(WATCHDOG);
    let (tx, rx) = oneshot::channel();
    PANIC.with(|p| *p.borrow_mut() = Some(None));
    let starter = Closure::once_into_js(move || {
        start(
            executor,
            workload,
            Box::new(move |report| {
                let _ = tx.send(match report {
                    Ok(value) => Observed::Finished(value),
                    Err(NoSpawn) => Observed::NoSpawn,
                });
            }),
        );
    });
    let started = starter.unchecked_ref::<Function>().call0(&JsValue::NULL);
    let panicked = || PANIC.with(|p| p.borrow_mut().take().flatten());
    if let Err(exception) = started {
        let message = panicked().unwrap_or_else(|| format!("{exception:?}"));
        return Observed::Panicked(message);
    }
    let seen = match select(rx, Box::pin(watchdog)).await {
        Either::Left((Ok(seen), _)) => seen,
        // The task was dropped without finishing, or the time ran out.
        Either::Left((Err(_), _)) | Either::Right(_) => Observed::NoResult,
    };
    // A panic in a later event-loop turn (a task of an event-loop executor).
    match panicked() {
        Some(message) => Observed::Panicked(message),
        None => seen,
    }
}
