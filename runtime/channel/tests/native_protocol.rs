//! Native-only checks of the ring protocol: a proptest against a `VecDeque` model, and
//! buffers written by a faulty or killed peer (errors, never a panic).
// Natively only: proptest does not build for WASI, and the protocol code is the same there.
#![cfg(not(target_family = "wasm"))]

use std::collections::VecDeque;

use proptest::prelude::*;
use wasm_rs_shared_channel::testing::{
    HEADER_WORDS, MAGIC_VALUE, RECV_BATCH_BYTES, WORDS, ends_from_image,
};
use wasm_rs_shared_channel::{ChannelError, Corruption, RecvError, SendErrorKind, spsc};

const MAGIC: usize = WORDS[0];
const CAPACITY: usize = WORDS[1];
const TAIL: usize = WORDS[2];
const HEAD: usize = WORDS[4];

#[derive(Debug, Clone)]
enum Op {
    Send(usize),
    /// `try_send_batch` of messages of these lengths.
    SendBatch(Vec<usize>),
    Recv,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..140).prop_map(Op::Send),
        prop::collection::vec(0usize..80, 0..12).prop_map(Op::SendBatch),
        Just(Op::Recv)
    ]
}

/// 256 cases; under Miri 4 cases and no failure file (Miri isolates the file system).
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 256 });
    if cfg!(miri) {
        config.failure_persistence = None;
    }
    config
}

proptest! {
    #![proptest_config(config())]

    /// Any sequence of sends, batches and receives behaves like a FIFO queue of bounded
    /// byte size: every message comes out once, in order, intact; "full" only when it
    /// really is; a batch sends exactly the prefix that fits.
    #[test]
    fn matches_a_vecdeque_model(cap in 8usize..200, ops in prop::collection::vec(op(), 1..200)) {
        let (mut tx, mut rx) = spsc::raw_channel(cap).unwrap();
        let mut model: VecDeque<Vec<u8>> = VecDeque::new();
        let mut counter = 0u8;
        for op in ops {
            match op {
                Op::Send(len) => {
                    let msg: Vec<u8> = (0..len).map(|i| counter.wrapping_add(i as u8)).collect();
                    counter = counter.wrapping_add(1);
                    let queued: usize = model.iter().map(|m| m.len() + 4).sum();
                    match tx.try_send(&msg) {
                        Ok(()) => model.push_back(msg),
                        Err(e) => match e.kind() {
                            SendErrorKind::TooLarge { len: l, max } => {
                                prop_assert_eq!(*l, len);
                                prop_assert_eq!(*max, cap - 4);
                                prop_assert!(len + 4 > cap);
                            }
                            SendErrorKind::Full => prop_assert!(queued + len + 4 > cap, "full with {} of {} queued", queued, cap),
                            other => prop_assert!(false, "unexpected {:?}", other),
                        },
                    }
                }
                Op::SendBatch(lens) => {
                    let batch: Vec<Vec<u8>> = lens
                        .iter()
                        .map(|&len| {
                            counter = counter.wrapping_add(1);
                            (0..len).map(|i| counter.wrapping_add(i as u8)).collect()
                        })
                        .collect();
                    // The model: messages go in order while each fits in what is left;
                    // the first that does not stops the batch (Full, or TooLarge if it
                    // could never fit). The real ring may have more room than the model
                    // (the receiver releases a whole published batch at once), never less.
                    let need = |m: &Vec<u8>| m.len() + 4;
                    let free = cap.saturating_sub(model.iter().map(need).sum::<usize>());
                    let (mut fits, mut used) = (0, 0);
                    while fits < batch.len() && used + need(&batch[fits]) <= free {
                        used += need(&batch[fits]);
                        fits += 1;
                    }
                    let sent = match tx.try_send_batch(&batch) {
                        Ok(()) => batch.len(),
                        Err(e) => {
                            let sent = e.sent();
                            let next = &batch[sent];
                            match e.kind() {
                                SendErrorKind::TooLarge { len, .. } => {
                                    prop_assert_eq!(*len, next.len());
                                    prop_assert!(need(next) > cap);
                                }
                                SendErrorKind::Full => {
                                    prop_assert!(need(next) <= cap);
                                    let wanted: usize = batch[..=sent].iter().map(need).sum();
                                    prop_assert!(wanted > free, "full with {} of {} free", wanted, free);
                                }
                                other => prop_assert!(false, "unexpected {:?}", other),
                            }
                            prop_assert_eq!(e.into_unsent(), &batch[sent..]);
                            sent
                        }
                    };
                    prop_assert!(sent >= fits, "sent {} of a batch where {} fit", sent, fits);
                    prop_assert!(batch[..sent].iter().all(|m| need(m) <= cap));
                    model.extend(batch.into_iter().take(sent));
                }
                Op::Recv => match (rx.try_recv(), model.pop_front()) {
                    (Ok(got), Some(want)) => prop_assert_eq!(got, want),
                    (Err(RecvError::Empty), None) => {}
                    (got, want) => prop_assert!(false, "got {:?}, model has {:?}", got, want),
                },
            }
        }
        drop(tx);
        while let Some(want) = model.pop_front() {
            prop_assert_eq!(rx.try_recv().unwrap(), want);
        }
        prop_assert_eq!(rx.try_recv(), Err(RecvError::Disconnected));
    }
}

/// A header for a ring of `cap` bytes with the given positions.
fn header(cap: u32, tail: u32, head: u32) -> [u32; HEADER_WORDS] {
    let mut w = [0; HEADER_WORDS];
    w[MAGIC] = MAGIC_VALUE;
    w[CAPACITY] = cap;
    w[TAIL] = tail;
    w[HEAD] = head;
    w
}

fn record(len: u32, body: &[u8]) -> Vec<u8> {
    let mut r = len.to_le_bytes().to_vec();
    r.extend_from_slice(body);
    r
}

#[test]
fn a_foreign_buffer_is_rejected() {
    let mut w = header(64, 0, 0);
    w[MAGIC] = 0xdead_beef;
    let (tx, rx) = ends_from_image(&w, &[0; 64]);
    assert!(matches!(
        rx.unwrap_err(),
        ChannelError::Corrupt(Corruption::BadMagic { found: 0xdead_beef })
    ));
    assert!(tx.is_err());
    let (_, rx) = ends_from_image(&header(100, 0, 0), &[0; 64]);
    assert!(matches!(
        rx.unwrap_err(),
        ChannelError::Corrupt(Corruption::BadCapacity {
            header: 100,
            actual: 64
        })
    ));
}

#[test]
fn corrupt_positions_are_errors() {
    type Check = fn(&Corruption) -> bool;
    let cases: [(u32, u32, Check); 3] = [
        (128, 0, |c| matches!(c, Corruption::TailOutOfRange { .. })),
        (100, 10, |c| {
            matches!(
                c,
                Corruption::Overfull {
                    used: 90,
                    capacity: 64
                }
            )
        }),
        (2, 0, |c| {
            matches!(c, Corruption::TruncatedRecord { used: 2 })
        }),
    ];
    for (tail, head, check) in cases {
        let (_, rx) = ends_from_image(&header(64, tail, head), &[0; 64]);
        let mut rx = rx.unwrap();
        for _ in 0..2 {
            // Reported every time, nothing consumed, no panic.
            match rx.try_recv() {
                Err(RecvError::Corrupt(c)) => assert!(check(&c), "tail {tail} head {head}: {c}"),
                other => panic!("tail {tail} head {head}: {other:?}"),
            }
        }
    }
    let (tx, rx) = ends_from_image(&header(64, 0, 200), &[0; 64]);
    assert!(matches!(
        rx.unwrap_err(),
        ChannelError::Corrupt(Corruption::HeadOutOfRange { head: 200, .. })
    ));
    let mut tx = tx.unwrap();
    let err = tx.try_send(b"x").unwrap_err();
    assert!(matches!(
        err.kind(),
        SendErrorKind::Corrupt(Corruption::HeadOutOfRange { .. })
    ));
    assert!(err.to_string().contains("create a new channel"));
}

#[test]
fn a_length_past_the_published_bytes_is_an_error() {
    let mut data = record(3, b"abc");
    data.extend(record(1000, b"zz"));
    data.resize(64, 0);
    let (_, rx) = ends_from_image(&header(64, 13, 0), &data);
    let mut rx = rx.unwrap();
    assert_eq!(
        rx.try_recv(),
        Err(RecvError::Corrupt(Corruption::LengthTooLong {
            len: 1000,
            available: 2
        }))
    );
    let mut data = record(u32::MAX, b"");
    data.resize(64, 0);
    let (_, rx) = ends_from_image(&header(64, 40, 0), &data);
    assert!(matches!(
        rx.unwrap().try_recv(),
        Err(RecvError::Corrupt(Corruption::LengthTooLong { .. }))
    ));
}

#[test]
fn a_batch_ending_in_a_partial_length_prefix_is_an_error() {
    // Found by the fuzzer: a valid record followed by 2 stray published bytes.
    let mut data = record(1, b"a");
    data.extend([9, 9]);
    data.resize(64, 0);
    let (_tx, rx) = ends_from_image(&header(64, 7, 0), &data);
    let mut rx = rx.unwrap();
    assert_eq!(
        rx.try_recv(),
        Err(RecvError::Corrupt(Corruption::TruncatedRecord { used: 2 }))
    );
}

#[test]
fn a_half_written_message_from_a_killed_sender_is_never_seen() {
    // One published record, then the first bytes of another the sender never published
    // (TAIL was not advanced past them) before it died.
    let mut data = record(2, b"ok");
    data.extend(record(10, b"parti"));
    data.resize(64, 0);
    let (dead_sender, rx) = ends_from_image(&header(64, 6, 0), &data);
    let mut rx = rx.unwrap();
    assert_eq!(rx.try_recv().unwrap(), b"ok");
    assert_eq!(rx.try_recv(), Err(RecvError::Empty));
    rx.mark_sender_terminated();
    assert_eq!(rx.recv(), Err(RecvError::Disconnected));
    // Its destructor never ran while the receiver decided; dropping it now changes nothing.
    drop(dead_sender);
}

#[test]
fn wrap_around_keeps_records_whole() {
    // Positions near the end of the ring: records straddle the boundary.
    let (mut tx, mut rx) = spsc::raw_channel(13).unwrap();
    for round in 0..500u32 {
        let len = (round % 10) as usize;
        let msg: Vec<u8> = (0..len as u8).map(|b| b ^ round as u8).collect();
        tx.try_send(&msg).unwrap();
        assert_eq!(rx.try_recv().unwrap(), msg);
    }
}

/// A backlog larger than one receive batch is taken a batch of whole records at a time; a
/// first record that claims more than is published is still an error there.
#[test]
fn a_backlog_larger_than_a_batch_is_checked_too() {
    let batch = RECV_BATCH_BYTES as u32;
    let cap = 4 * batch;
    let published = 3 * batch / 2;
    // One record claiming more than is published.
    let mut data = record(3 * batch, &[]);
    data.resize(cap as usize, 0);
    let (_, rx) = ends_from_image(&header(cap, published, 0), &data);
    assert_eq!(
        rx.unwrap().try_recv(),
        Err(RecvError::Corrupt(Corruption::LengthTooLong {
            len: 3 * batch,
            available: published - 4
        }))
    );
    // Good records of 100 bytes, then garbage past the first batch that claims to run past
    // the end. The first batch's good records come out in order; the batch holding the
    // garbage is reported, not handed out.
    let mut data = Vec::new();
    let mut sent = 0;
    while data.len() + 104 <= (batch + batch / 8) as usize {
        data.extend(record(100, &[sent as u8; 100]));
        sent += 1;
    }
    let garbage_at = data.len();
    assert!(garbage_at > batch as usize);
    data.extend(record(u32::MAX / 2, &[]));
    data.resize(cap as usize, 0);
    let (_, rx) = ends_from_image(&header(cap, published, 0), &data);
    let mut rx = rx.unwrap();
    let first_batch = batch as usize / 104;
    for i in 0..first_batch {
        assert_eq!(rx.try_recv().unwrap(), vec![i as u8; 100], "record {i}");
    }
    assert!(first_batch < sent);
    assert!(matches!(
        rx.try_recv(),
        Err(RecvError::Corrupt(Corruption::LengthTooLong { .. }))
    ));
}
