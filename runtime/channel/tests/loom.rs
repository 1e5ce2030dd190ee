//! Model checking of the ring protocol with loom: every interleaving of the two ends'
//! header accesses, with each data byte tracked for data races.
//!
//! `RUSTFLAGS="--cfg loom" cargo test -p wasm-rs-shared-channel --release --test loom`
#![cfg(loom)]

use loom::model::Builder;
use loom::thread;

/// Explores interleavings with at most `bound` preemptions (loom's recommended bound for
/// tests whose full state space is too large; bugs needing more are rare).
fn model_bounded(bound: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = Builder::new();
    builder.preemption_bound = Some(bound);
    builder.check(f);
}
use wasm_rs_shared_channel::{RecvError, spsc};

/// Non-blocking ends spinning with `yield_now`: records straddle the ring's end and the
/// receiver sees each exactly once, in order, then `Disconnected`.
#[test]
fn try_send_try_recv_deliver_in_order() {
    loom::model(|| {
        let (mut tx, mut rx) = spsc::raw_channel(12).unwrap();
        let producer = thread::spawn(move || {
            for msg in [&b"a"[..], b"bcdef", b"gh"] {
                loop {
                    match tx.try_send(msg) {
                        Ok(()) => break,
                        Err(e) if e.is_full() => thread::yield_now(),
                        Err(e) => panic!("{e}"),
                    }
                }
            }
        });
        let mut got = Vec::new();
        loop {
            match rx.try_recv() {
                Ok(m) => got.push(m),
                Err(RecvError::Empty) => thread::yield_now(),
                Err(RecvError::Disconnected) => break,
                Err(e) => panic!("{e}"),
            }
        }
        producer.join().unwrap();
        assert_eq!(got, [&b"a"[..], b"bcdef", b"gh"]);
    });
}

/// Blocking ends: the sender sleeps on a full ring and the receiver sleeps on an empty
/// one; no interleaving loses a wake-up (loom reports a deadlock if one does).
#[test]
fn blocking_send_recv_never_lose_a_wakeup() {
    model_bounded(6, || {
        // 8 bytes: one 1-byte record (5 bytes) at a time.
        let (mut tx, mut rx) = spsc::raw_channel(8).unwrap();
        let producer = thread::spawn(move || {
            tx.send(&[1]).unwrap();
            tx.send(&[2]).unwrap();
        });
        assert_eq!(rx.recv().unwrap(), [1]);
        assert_eq!(rx.recv().unwrap(), [2]);
        assert_eq!(rx.recv(), Err(RecvError::Disconnected));
        producer.join().unwrap();
    });
}

/// Dropping the receiver wakes a sender blocked on a full ring.
#[test]
fn dropping_the_receiver_wakes_a_blocked_sender() {
    loom::model(|| {
        let (mut tx, rx) = spsc::raw_channel(8).unwrap();
        tx.send(&[1]).unwrap();
        let dropper = thread::spawn(move || drop(rx));
        assert!(tx.send(&[2]).unwrap_err().is_disconnected());
        dropper.join().unwrap();
    });
}

/// A blocking batch larger than the ring: published in parts as the receiver frees room,
/// every record whole and in order, no lost wake-up.
#[test]
fn a_blocking_batch_is_delivered_whole_and_in_order() {
    model_bounded(4, || {
        // 12 bytes: two 1-byte records (5 bytes each) at a time; the batch has three.
        let (mut tx, mut rx) = spsc::raw_channel(12).unwrap();
        let producer = thread::spawn(move || {
            let batch: [&[u8]; 3] = [&[1], &[2], &[3]];
            tx.send_batch(&batch).unwrap();
        });
        for want in 1..=3u8 {
            assert_eq!(rx.recv().unwrap(), [want]);
        }
        assert_eq!(rx.recv(), Err(RecvError::Disconnected));
        producer.join().unwrap();
    });
}

/// Claim once: two threads rebuild the same handed-off value at the same time (the value
/// posted to two workers); in every interleaving exactly one gets the end.
#[test]
fn a_handed_off_end_is_claimed_exactly_once() {
    loom::model(|| {
        let handoff = wasm_rs_shared_channel::testing::Handoff::new();
        let ticket = handoff.offer_sender();
        let other = handoff.clone();
        let racer = thread::spawn(move || other.claim_sender(ticket).is_ok());
        let here = handoff.claim_sender(ticket).is_ok();
        let there = racer.join().unwrap();
        assert!(here ^ there, "claims won: here {here}, there {there}");
    });
}

/// A value kept from an earlier hand-off never claims a later one: the end is rebuilt,
/// handed on again (a new ticket) while the stale value's holder tries to rebuild it too.
#[test]
fn a_stale_value_never_claims_a_later_handoff() {
    loom::model(|| {
        let handoff = wasm_rs_shared_channel::testing::Handoff::new();
        let first = handoff.offer_sender();
        handoff.claim_sender(first).unwrap();
        let stale = handoff.clone();
        let racer = thread::spawn(move || stale.claim_sender(first).is_ok());
        let second = handoff.offer_sender();
        assert!(!racer.join().unwrap(), "the stale value claimed the end");
        handoff.claim_sender(second).unwrap();
        assert!(handoff.claim_sender(second).is_err());
    });
}
