//! The state machine model: relations, clocks, handlers, subscriptions.
#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_state_machine::{Machine, MachineError, Schema, StateDef, Transition, is_active};
use futures::StreamExt;
use futures::executor::block_on;

fn schema() -> Result<Schema, MachineError> {
    Schema::new([
        ("Ready", StateDef::new()),
        (
            "Connected",
            StateDef::new().require(["Ready"]).remove(["Offline"]),
        ),
        ("Offline", StateDef::new().remove(["Connected"])),
        ("SubmitMsg", StateDef::new().multi().add(["Msg"])),
        ("Msg", StateDef::new().multi()),
    ])
}

fn line(t: &Transition) -> String {
    let mut s = format!("{:<10} +{:?} -{:?}", t.cause, t.activated, t.deactivated);
    for (n, c) in &t.ticked {
        let _ = write!(s, " {n}={c}");
    }
    s
}

#[test]
fn clocks_are_odd_exactly_while_active() -> Result<(), MachineError> {
    let mut m = Machine::new(schema()?);
    block_on(async {
        m.add(&["Ready"], "a").await?;
        m.remove(&["Ready"], "b").await?;
        m.add(&["Ready"], "c").await
    })?;
    assert_eq!(m.clock("Ready")?, 3);
    for (name, clock) in m.clocks() {
        assert_eq!(is_active(*clock), m.is(name)?);
    }
    Ok(())
}

#[test]
fn require_is_checked_and_removal_cascades() -> Result<(), MachineError> {
    let mut m = Machine::new(schema()?);
    let err = block_on(m.add(&["Connected"], "too early"));
    assert_eq!(
        err,
        Err(MachineError::Requires {
            state: "Connected".into(),
            missing: "Ready".into()
        })
    );
    assert_eq!(
        m.clock("Connected")?,
        0,
        "a refused transition changes nothing"
    );
    block_on(m.add(&["Ready", "Connected"], "up"))?;
    let t = block_on(m.remove(&["Ready"], "down"))?;
    assert_eq!(t.deactivated, ["Connected", "Ready"]);
    Ok(())
}

#[test]
fn unknown_names_and_conflicts_are_errors() -> Result<(), MachineError> {
    let mut m = Machine::new(schema()?);
    assert!(matches!(
        block_on(m.add(&["Nope"], "x")),
        Err(MachineError::UnknownState { .. })
    ));
    assert!(matches!(
        block_on(m.add(&["Ready", "Connected", "Offline"], "x")),
        Err(MachineError::Conflict { .. })
    ));
    assert!(m.clocks().values().all(|c| *c == 0));
    Ok(())
}

#[test]
fn async_handler_runs_before_commit_and_can_veto() -> Result<(), MachineError> {
    let mut m = Machine::new(schema()?);
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    m.on_enter("Ready", move |t| {
        let seen = seen.clone();
        let first = t.cause == "first";
        Box::pin(async move {
            // A real suspension point: the handler yields to the executor once.
            futures::future::ready(()).await;
            seen.fetch_add(1, Ordering::SeqCst);
            if first {
                Err("not yet".to_string())
            } else {
                Ok(())
            }
        })
    })?;
    let mut changes = m.subscribe();
    let refused = block_on(m.add(&["Ready"], "first"));
    assert!(matches!(refused, Err(MachineError::Vetoed { .. })));
    assert!(!m.is("Ready")?);
    block_on(m.add(&["Ready"], "second"))?;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let got = block_on(changes.next()).map(|t| t.cause);
    assert_eq!(
        got.as_deref(),
        Some("second"),
        "a vetoed transition is not published"
    );
    Ok(())
}

#[test]
fn dropped_subscribers_are_forgotten() -> Result<(), MachineError> {
    let mut m = Machine::new(schema()?);
    let gone = m.subscribe();
    drop(gone);
    let mut kept = m.subscribe();
    block_on(m.add(&["Ready"], "x"))?;
    assert!(format!("{m:?}").contains("subscribers: 1"));
    assert!(block_on(kept.next()).is_some());
    Ok(())
}

#[test]
fn snapshot_connect_disconnect_cycle() -> Result<(), MachineError> {
    let mut m = Machine::new(schema()?);
    let mut out = String::new();
    block_on(async {
        for t in [
            m.add(&["Ready"], "boot").await?,
            m.add(&["Connected"], "open").await?,
            m.add(&["Offline"], "lost").await?,
            m.add(&["Connected"], "reopen").await?,
            m.remove(&["Ready"], "shutdown").await?,
        ] {
            let _ = writeln!(out, "{}", line(&t));
        }
        Ok::<(), MachineError>(())
    })?;
    insta::assert_snapshot!(out);
    Ok(())
}

#[test]
fn snapshot_multi_states_count_events() -> Result<(), MachineError> {
    let mut m = Machine::new(schema()?);
    let mut out = String::new();
    block_on(async {
        for _ in 0..3 {
            let t = m.add(&["SubmitMsg"], "enter").await?;
            let _ = writeln!(out, "{}", line(&t));
        }
        let t = m.remove(&["Msg"], "clear").await?;
        let _ = writeln!(out, "{}", line(&t));
        Ok::<(), MachineError>(())
    })?;
    insta::assert_snapshot!(out);
    Ok(())
}
