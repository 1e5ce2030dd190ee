//! The protocol on wasm32 (Node): the browser side of an app runs exactly this code. What
//! was pushed while offline replays once, in order, then a snapshot; a clock going backwards
//! is refused.
#![cfg(target_arch = "wasm32")]

use clock_sync_protocol::{
    Frame, Machine, MachineError, Peer, Received, Schema, StateDef, decode, encode,
};
use wasm_bindgen_test::wasm_bindgen_test;

/// The client's machine of the state-sync example app: `SubmitMsg` (Enter) adds `Msg`.
fn bar_schema() -> Result<Schema, MachineError> {
    Schema::new([
        ("SubmitMsg", StateDef::new().multi().add(["Msg"])),
        ("Msg", StateDef::new().multi()),
    ])
}

/// The server's machine: `Bored` after a silence, `Hello` ticks on each greeting.
fn foo_schema() -> Result<Schema, MachineError> {
    Schema::new([
        ("Bored", StateDef::new()),
        ("Hello", StateDef::new().multi().remove(["Bored"])),
    ])
}

#[wasm_bindgen_test]
async fn offline_updates_replay_once_then_snapshot() -> Result<(), String> {
    let bar_s = bar_schema().map_err(|e| e.to_string())?;
    let foo_s = foo_schema().map_err(|e| e.to_string())?;
    let mut bar = Machine::new(bar_s.clone());
    let mut client = Peer::new(bar_s.clone(), foo_s.clone());
    let mut server = Peer::new(foo_s, bar_s);
    for text in ["one", "two", "three"] {
        bar.add(&["SubmitMsg"], "enter")
            .await
            .map_err(|e| e.to_string())?;
        // Offline: the frame is dropped, the update stays in the outbox.
        let _lost = client.push(bar.clocks(), "enter", 0, vec![text.into()]);
    }
    let mut got = Vec::new();
    for frame in client.reconnect_frames(server.last_applied(), bar.clocks()) {
        let frame = decode(&encode(&frame)).map_err(|e| e.to_string())?;
        match server.receive(frame).map_err(|e| e.to_string())? {
            Received::Applied { update, ack } => {
                got.extend(update.messages);
                client.receive(ack).map_err(|e| e.to_string())?;
            }
            Received::Snapshot => {}
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    assert_eq!(got, ["one", "two", "three"]);
    assert_eq!(server.mirror(), bar.clocks());
    assert_eq!(client.unacked().count(), 0);
    let stale = Frame::Snapshot(vec![("Msg".into(), 1)]);
    assert!(
        server.receive(stale).is_err(),
        "a clock going backwards is refused"
    );
    Ok(())
}
