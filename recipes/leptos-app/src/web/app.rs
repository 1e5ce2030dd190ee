//! The Leptos side: the component and the module's start function.

use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

use crate::{Tally, happy_numbers_in_worker};

/// How far the app counts: the happy numbers below one million.
///
/// ```
/// # #[cfg(all(target_family = "wasm", target_os = "unknown"))]
/// assert_eq!(leptos_app::LIMIT, 1_000_000);
/// ```
pub const LIMIT: u32 = 1_000_000;

/// `n` with thousands separators: `143,070`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// What the component's task ends with: the tally and the main-thread ticks counted while
/// the worker computed, or why there is no tally.
type Outcome = Result<(Tally, u32), String>;

// ANCHOR: component
/// The app: counts the happy numbers below `limit` in a worker and renders the progress and
/// the result as they stream in, under a counter that ticks every 10 ms on the main thread.
/// `#result` carries `data-value` (the count), `data-updates` and
/// `data-ticks-while-computing` once the worker is done; `#errors` lists anything that went
/// wrong, on the page or in the worker.
///
/// ```no_run
/// use leptos::prelude::*;
/// leptos::mount::mount_to_body(|| view! { <leptos_app::App limit=20_000 /> });
/// ```
// The macro also writes a props builder type that this crate doesn't re-export.
#[allow(unreachable_pub)]
#[component]
pub fn App(
    /// Count the happy numbers below this.
    #[prop(default = LIMIT)]
    limit: u32,
) -> impl IntoView {
    // The main thread's own work: a counter that must keep ticking while the worker computes.
    let (ticks, set_ticks) = signal(0u32);
    if let Ok(interval) = set_interval_with_handle(
        move || set_ticks.update(|t| *t += 1),
        Duration::from_millis(10),
    ) {
        on_cleanup(move || interval.clear());
    }

    // Anything that goes wrong is listed on the page, where a person and the tests see it.
    let (errors, set_errors) = signal(Vec::<String>::new());
    let report = move |what: String| set_errors.update(|all| all.push(what));
    let on_error = window_event_listener(ev::error, move |e| report(e.message()));
    let on_rejection = window_event_listener(ev::unhandledrejection, move |e| {
        report(format!("unhandled rejection: {:?}", e.reason()))
    });
    on_cleanup(move || {
        on_error.remove();
        on_rejection.remove();
    });
    // ANCHOR_END: component

    // ANCHOR: component_task
    let (progress, set_progress) = signal(None::<(u32, u32)>);
    let (updates, set_updates) = signal(0u32);
    let (outcome, set_outcome) = signal(None::<Outcome>);

    // Leptos's executor (wasm-bindgen-futures) runs this task on the main thread; each await
    // on the channel lets the page paint and the counter tick. The worker runs ours.
    let ticks_at_start = ticks.get_untracked();
    spawn_local(async move {
        let found = happy_numbers_in_worker(limit, move |update| {
            if let crate::Update::Progress { done, total } = *update {
                set_updates.update(|n| *n += 1);
                set_progress.set(Some((done, total)));
            }
        })
        .await;
        if let Err(why) = &found {
            report(format!("the worker failed: {why}"));
        }
        let while_computing = ticks.get_untracked() - ticks_at_start;
        set_outcome.set(Some(found.map(|tally| (tally, while_computing))));
    });
    // ANCHOR_END: component_task

    // ANCHOR: component_view
    let done = move || outcome.with(|o| o.as_ref().and_then(|o| o.as_ref().ok()).copied());
    view! {
        <h1>"Happy numbers below " {grouped(limit.into())} ", counted in a worker"</h1>
        <p>
            "Main-thread counter (ticks every 10 ms while the worker computes): "
            <b id="ticks">{ticks}</b>
        </p>
        <p>
            "Progress: "
            <span id="progress">
                {move || match progress.get() {
                    None => "starting…".to_string(),
                    Some((done, total)) => {
                        format!("{} of {}", grouped(done.into()), grouped(total.into()))
                    }
                }}
            </span>
        </p>
        <p>
            "Result: "
            <b
                id="result"
                data-value=move || done().map(|(tally, _)| tally.count.to_string())
                data-updates=move || done().map(|_| updates.get().to_string())
                data-ticks-while-computing=move || done().map(|(_, ticks)| ticks.to_string())
            >
                {move || match outcome.get() {
                    None => "…".to_string(),
                    Some(Ok((tally, _))) => {
                        format!(
                            "{} happy numbers, summing to {}",
                            grouped(tally.count.into()),
                            grouped(tally.sum),
                        )
                    }
                    Some(Err(_)) => "failed".to_string(),
                }}
            </b>
        </p>
        <ul id="errors">
            {move || errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
        </ul>
    }
}
// ANCHOR_END: component_view

// ANCHOR: start
/// The module's start function. wasm-bindgen calls it whenever this module is instantiated:
/// on the page, and also in every worker that `wasm-rs-worker` starts on the same module. So
/// it mounts the app only where there is a page with a `<main id="app">` to mount it in, and
/// does nothing in a worker (or in a test page without one).
///
/// ```no_run
/// leptos_app::start(); // wasm-bindgen does this on instantiation
/// ```
#[wasm_bindgen(start)]
pub fn start() {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("app"));
    let Some(root) = root else { return };
    // Panics go to console.error, with their message.
    wasm_rs_worker::install_panic_hook();
    leptos::mount::mount_to(root.unchecked_into(), || view! { <App /> }).forget();
}
// ANCHOR_END: start
