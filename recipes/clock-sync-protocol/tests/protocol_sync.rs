//! The sync protocol: encoding, validation, and diff/apply against full snapshots.
#![cfg(not(target_arch = "wasm32"))]

use clock_sync_protocol::{
    Clocks, ErrorKind, Frame, MAX_FRAME_BYTES, Machine, Peer, Received, Schema, StateDef, Update,
    decode, encode,
};
use futures::executor::block_on;
use proptest::prelude::{Strategy, any, prop, prop_assert_eq, proptest};

fn schema() -> Schema {
    // The relations make random operations interact: removals cascade, adds chain.
    match Schema::new([
        ("A", StateDef::new()),
        ("B", StateDef::new().require(["A"])),
        ("C", StateDef::new().remove(["A"])),
        ("D", StateDef::new().multi().add(["E"])),
        ("E", StateDef::new().multi()),
    ]) {
        Ok(s) => s,
        Err(e) => panic!("test schema: {e}"),
    }
}

fn update(seq: u64, changes: Vec<(&str, u64)>) -> Frame {
    Frame::Update(Update {
        seq,
        cause: "t".into(),
        time_ms: 0,
        changes: changes
            .into_iter()
            .map(|(n, c)| (n.to_string(), c))
            .collect(),
        messages: vec![],
    })
}

#[test]
fn a_one_state_diff_is_a_few_bytes() {
    let bytes = encode(&update(3, vec![("A", 5)]));
    assert!(bytes.len() <= 12, "{} bytes", bytes.len());
}

#[test]
fn each_kind_of_bad_input_is_its_error() {
    let s = schema();
    let mut p = Peer::new(s.clone(), s);
    assert_eq!(
        decode(&[0xff, 0xff, 0xff]).map_err(|e| e.kind),
        Err(ErrorKind::Malformed)
    );
    let big = vec![0u8; MAX_FRAME_BYTES + 1];
    assert_eq!(decode(&big).map_err(|e| e.kind), Err(ErrorKind::TooLarge));
    let r = p.receive(update(1, vec![("Z", 1)]));
    assert_eq!(r.map_err(|e| e.kind), Err(ErrorKind::UnknownState));
    assert!(p.receive(update(1, vec![("A", 3)])).is_ok());
    let r = p.receive(update(2, vec![("A", 1)]));
    assert_eq!(r.map_err(|e| e.kind), Err(ErrorKind::ClockBackwards));
    let r = p.receive(update(5, vec![("A", 3)]));
    assert_eq!(r.map_err(|e| e.kind), Err(ErrorKind::OutOfOrder));
    let r = p.receive(Frame::Snapshot(vec![("A".into(), 2)]));
    assert_eq!(r.map_err(|e| e.kind), Err(ErrorKind::ClockBackwards));
    assert_eq!(p.mirror()["A"], 3, "rejected frames change nothing");
    assert!(matches!(
        p.receive(update(1, vec![("A", 3)])),
        Ok(Received::Duplicate { .. })
    ));
}

#[test]
fn error_messages_say_what_to_do() {
    let e = decode(&[0xff, 0xff]).err();
    let text = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("clock_sync_protocol::encode"), "{text}");
}

#[derive(Clone, Debug)]
enum Op {
    Add(usize),
    Remove(usize),
    /// The receiver acknowledges everything it has applied.
    Deliver,
    /// The connection drops: frames in flight are lost, then both sides reconnect.
    Reconnect,
}

fn op() -> impl Strategy<Value = Op> {
    prop::sample::select(vec![0usize, 1, 2, 3, 4]).prop_flat_map(|i| {
        prop::sample::select(vec![Op::Add(i), Op::Remove(i), Op::Deliver, Op::Reconnect])
    })
}

const NAMES: [&str; 5] = ["A", "B", "C", "D", "E"];

proptest! {
    /// Whatever the order of changes, losses and reconnects, once everything is delivered the
    /// mirror equals the sender's clocks (what a full snapshot would say), and every message
    /// arrived exactly once, in order.
    #[test]
    fn diffs_converge_to_the_full_snapshot(ops in prop::collection::vec(op(), 1..60), seed in any::<u8>()) {
        let s = schema();
        let mut machine = Machine::new(s.clone());
        let mut sender = Peer::new(s.clone(), s.clone());
        let mut receiver = Peer::new(s.clone(), s.clone());
        let mut in_flight: Vec<Frame> = Vec::new();
        let mut sent_msgs = Vec::new();
        let mut got_msgs = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Add(n) | Op::Remove(n) => {
                    let name = [NAMES[*n]];
                    let r = if matches!(op, Op::Add(_)) {
                        block_on(machine.add(&name, "op"))
                    } else {
                        block_on(machine.remove(&name, "op"))
                    };
                    if r.is_ok() {
                        let msg = format!("{seed}-{i}");
                        sent_msgs.push(msg.clone());
                        in_flight.push(sender.push(machine.clocks(), "op", 0, vec![msg]));
                    }
                }
                Op::Deliver => {
                    for f in in_flight.drain(..) {
                        // Frames go through the real encoding.
                        let f = decode(&encode(&f)).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                        match receiver.receive(f).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))? {
                            Received::Applied { update, ack } => {
                                got_msgs.extend(update.messages);
                                sender.receive(ack).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                            }
                            Received::Duplicate { ack } => {
                                sender.receive(ack).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                            }
                            _ => {}
                        }
                    }
                }
                Op::Reconnect => {
                    in_flight.clear();
                    in_flight = sender.reconnect_frames(receiver.last_applied(), machine.clocks());
                }
            }
        }
        in_flight = sender.reconnect_frames(receiver.last_applied(), machine.clocks());
        for f in in_flight.drain(..) {
            if let Received::Applied { update, .. } = receiver.receive(f).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))? {
                got_msgs.extend(update.messages);
            }
        }
        let full: Clocks = machine.clocks().clone();
        prop_assert_eq!(receiver.mirror(), &full);
        prop_assert_eq!(got_msgs, sent_msgs);
    }
}
