//! The browser-bar client without a server (Node, browsers, workers): typing while offline
//! queues updates in order, bad commands are error values, the reconnect loop keeps trying
//! with backoff without blocking, and dropping the last handle stops it. The exchange with
//! a real `server-foo` is the e2e suite's (`ci/src/e2e_state_sync.rs`).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use state_sync::MachineError;
use state_sync::backoff::Backoff;
use state_sync::browser::{BarClient, BarError, BarOptions, BarView, Line, Status};
use wasm_bindgen_test::wasm_bindgen_test;

/// Nothing listens on port 9 of this machine: every attempt is refused (in Node 20, which
/// has no WebSocket, every attempt fails with `Unsupported`).
const NOWHERE: &str = "ws://127.0.0.1:9/ws";

fn line(from: &str, text: &str) -> Line {
    Line {
        from: from.into(),
        text: text.into(),
    }
}

/// Sleeps (asynchronously) until `done` held for some published view, for at most 10 s.
async fn until(views: &Rc<RefCell<Vec<BarView>>>, done: impl Fn(&BarView) -> bool) -> bool {
    for _ in 0..1000 {
        if views.borrow().iter().any(&done) {
            return true;
        }
        wasm_rs_async_executor::sleep(Duration::from_millis(10)).await;
    }
    false
}

fn start(session: &str) -> (BarClient, Rc<RefCell<Vec<BarView>>>) {
    let views = Rc::new(RefCell::new(Vec::new()));
    let seen = views.clone();
    let mut options = BarOptions::new(NOWHERE, session);
    options.backoff = Backoff::new(Duration::from_millis(20), Duration::from_millis(80));
    let client = BarClient::start(options, move |v| seen.borrow_mut().push(v.clone()));
    (client, views)
}

#[wasm_bindgen_test]
async fn typing_offline_queues_updates_in_order() -> Result<(), BarError> {
    let (bar, views) = start("offline");
    bar.submit("one").await?;
    bar.submit("two").await?;
    let view = bar.view();
    assert_eq!(view.session, "offline");
    assert_eq!(view.messages, [line("bar", "one"), line("bar", "two")]);
    assert_eq!(view.unacked, 2, "both updates wait for the reconnect");
    assert_eq!(view.bar["Msg"], 3, "a multi state ticks by two: 1, then 3");
    assert_eq!(view.connections, 0);
    assert_ne!(view.status, Some(Status::Connected));
    // The page got a view for each change, the last one equal to `view()`.
    assert_eq!(views.borrow().last(), Some(&view));
    Ok(())
}

#[wasm_bindgen_test]
async fn bad_commands_are_error_values_and_change_nothing() -> Result<(), BarError> {
    let (bar, _) = start("bad");
    assert_eq!(bar.submit("  ").await, Err(BarError::Empty));
    let long = "x".repeat(state_sync::browser::MAX_MESSAGE_BYTES + 1);
    assert_eq!(
        bar.submit(&long).await,
        Err(BarError::TooLong { bytes: long.len() })
    );
    assert_eq!(
        bar.add("Nope").await,
        Err(BarError::Machine(MachineError::UnknownState {
            name: "Nope".into()
        }))
    );
    let view = bar.view();
    assert!(view.messages.is_empty());
    assert_eq!(view.unacked, 0);
    assert!(view.bar.values().all(|c| *c == 0));
    // Manual transitions (the devtools `bar_add` / `bar_remove`) are updates too.
    bar.add("Msg").await?;
    bar.remove("Msg").await?;
    let view = bar.view();
    assert_eq!(view.bar["Msg"], 2);
    assert_eq!(view.unacked, 2);
    Ok(())
}

#[wasm_bindgen_test]
async fn refused_connections_are_retried_with_growing_waits() -> Result<(), String> {
    let (_bar, views) = start("retry");
    // The third attempt started: two refusals, each followed by an async backoff sleep.
    let retried = until(
        &views,
        |v| matches!(v.status, Some(Status::Connecting { attempt }) if attempt >= 2),
    )
    .await;
    let statuses: Vec<Status> = views
        .borrow()
        .iter()
        .filter_map(|v| v.status.clone())
        .collect();
    assert!(
        retried,
        "no third attempt after {} statuses",
        statuses.len()
    );
    let waits: Vec<u64> = statuses
        .iter()
        .filter_map(|s| match s {
            Status::Waiting { retry_in_ms, .. } => Some(*retry_in_ms),
            _ => None,
        })
        .collect();
    // Equal jitter: the first wait is in [10, 20] ms, the second in [20, 40] ms.
    assert!(waits.len() >= 2, "{waits:?}");
    assert!((10..=20).contains(&waits[0]), "{waits:?}");
    assert!((20..=40).contains(&waits[1]), "{waits:?}");
    Ok(())
}

#[wasm_bindgen_test]
async fn dropping_the_last_handle_stops_the_client() -> Result<(), String> {
    let marker = Rc::new(());
    let held = marker.clone();
    let mut options = BarOptions::new(NOWHERE, "drop");
    options.backoff = Backoff::new(Duration::from_millis(5), Duration::from_millis(10));
    let bar = BarClient::start(options, move |_| {
        let _ = &held;
    });
    let copy = bar.clone();
    drop(bar);
    copy.submit("still running")
        .await
        .map_err(|e| e.to_string())?;
    drop(copy);
    for _ in 0..500 {
        if Rc::strong_count(&marker) == 1 {
            return Ok(());
        }
        wasm_rs_async_executor::sleep(Duration::from_millis(10)).await;
    }
    Err("the client task still holds its page callback 5 s after the last handle went".into())
}
