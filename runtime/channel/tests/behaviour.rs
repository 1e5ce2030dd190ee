//! Behaviour a user relies on, in every environment: errors, disconnection, timeouts,
//! streams, duplex, and (on wasm32) the JS-specific paths: main-thread blocking, a missing
//! `SharedArrayBuffer`, a missing `Atomics.waitAsync`, a worker terminated mid-stream.

mod common;

use std::time::Duration;

// Used by the tests with a second thread, which a WASI module without threads skips.
#[cfg_attr(
    all(target_os = "wasi", not(target_feature = "atomics")),
    allow(unused_imports)
)]
use common::platform::{Task, spawn};
#[cfg_attr(
    all(target_os = "wasi", not(target_feature = "atomics")),
    allow(unused_imports)
)]
use futures::StreamExt;
use wasm_rs_shared_channel::spsc;
use wasm_rs_shared_channel::{ChannelError, RecvError, SendErrorKind};

/// `n`, or a small fraction of it under Miri (which interprets every step).
const fn count(n: u32) -> u32 {
    if cfg!(miri) { n / 50 + 3 } else { n }
}

macro_rules! tests {
    ($($(#[$meta:meta])* async fn $name:ident() $body:block)*) => {$(
        $(#[$meta])*
        #[cfg(all(target_family = "wasm", target_os = "unknown"))]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            if common::platform::shared_memory_missing_and_error_checked() {
                return;
            }
            $body
        }
        $(#[$meta])*
        #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
        #[test]
        fn $name() {
            common::platform::block_on(async $body)
        }
    )*};
}

tests! {
    async fn capacity_out_of_range_is_an_error() {
        for bad in [0, 7, spsc::MAX_CAPACITY_BYTES + 1] {
            let err = spsc::raw_channel(bad).unwrap_err();
            assert!(matches!(err, ChannelError::InvalidCapacity { requested, .. } if requested == bad));
            assert!(err.to_string().contains("choose between"));
        }
        assert!(spsc::raw_channel(spsc::MIN_CAPACITY_BYTES).is_ok());
    }

    async fn message_larger_than_capacity_is_an_error_not_a_hang() {
        let (mut tx, mut rx) = spsc::raw_channel(64).unwrap();
        let big = vec![7u8; 61];
        for err in [tx.try_send(&big).unwrap_err(), tx.send_async(&big).await.unwrap_err()] {
            assert_eq!(err.kind(), &SendErrorKind::TooLarge { len: 61, max: 60 });
            assert_eq!(err.into_inner(), &big[..]);
        }
        // The largest message that fits goes through, whole.
        tx.try_send(&big[..60]).unwrap();
        assert_eq!(rx.try_recv().unwrap(), &big[..60]);
    }

    async fn full_channel_gives_the_message_back() {
        let (mut tx, mut rx) = spsc::channel::<String>(32).unwrap();
        tx.try_send("0123456789".into()).unwrap();
        tx.try_send("abcdefghij".into()).unwrap();
        let err = tx.try_send("overflow!!".into()).unwrap_err();
        assert!(err.is_full());
        assert_eq!(err.into_inner(), "overflow!!");
        assert_eq!(rx.try_recv().unwrap(), "0123456789");
        tx.try_send("overflow!!".into()).unwrap();
        assert_eq!(rx.try_recv().unwrap(), "abcdefghij");
        assert_eq!(rx.try_recv().unwrap(), "overflow!!");
        assert_eq!(rx.try_recv(), Err(RecvError::Empty));
    }

    async fn a_batch_stops_at_the_first_message_that_cannot_go_and_gives_the_rest_back() {
        // Full: the prefix that fits is sent, the rest comes back, nothing is lost.
        let (mut tx, mut rx) = spsc::channel::<String>(32).unwrap();
        let batch: Vec<String> = ["0123456789", "abcdefghij", "overflow!!"].map(String::from).into();
        let err = tx.try_send_batch(batch).unwrap_err();
        assert!(err.is_full());
        assert_eq!(err.sent(), 2);
        assert!(err.to_string().starts_with("2 message(s) of the batch were sent"));
        let rest = err.into_unsent();
        assert_eq!(rest, ["overflow!!"]);
        assert_eq!(rx.try_recv().unwrap(), "0123456789");
        // The async batch waits for room instead.
        let receiving = async {
            let mut got = Vec::new();
            for _ in 0..2 {
                got.push(rx.recv_async().await.unwrap());
            }
            got
        };
        let (sent, got) = futures::join!(tx.send_batch_async(rest), receiving);
        sent.unwrap();
        assert_eq!(got, ["abcdefghij", "overflow!!"]);

        // TooLarge in the middle: the messages before it are sent, it and the rest come back.
        let (mut tx, mut rx) = spsc::raw_channel(64).unwrap();
        let big = [0u8; 61];
        let batch: [&[u8]; 3] = [b"first", &big, b"last"];
        for err in [tx.try_send_batch(&batch[1..]).unwrap_err(), tx.send_batch_async(&batch[1..]).await.unwrap_err()] {
            assert_eq!(err.kind(), &SendErrorKind::TooLarge { len: 61, max: 60 });
            assert_eq!(err.sent(), 0);
        }
        let err = tx.send_batch_async(&batch).await.unwrap_err();
        assert_eq!(err.sent(), 1);
        assert_eq!(err.into_unsent(), &batch[1..]);
        assert_eq!(rx.try_recv().unwrap(), b"first");
        assert_eq!(rx.try_recv(), Err(RecvError::Empty));

        // Disconnected: nothing is sent.
        drop(rx);
        let err = tx.send_batch_async(&[b"x"]).await.unwrap_err();
        assert!(err.is_disconnected());
        assert_eq!(err.sent(), 0);
    }

    async fn a_batch_larger_than_the_ring_goes_through_in_order() {
        // 10,000 messages through a 64-byte ring: the batch is published a ring's worth
        // at a time while the receiver drains it.
        let (mut tx, mut rx) = spsc::channel::<u32>(64).unwrap();
        let n = count(10_000);
        let receiving = async {
            let mut next = 0;
            while next < n {
                assert_eq!(rx.recv_async().await, Ok(next));
                next += 1;
            }
        };
        let (sent, ()) = futures::join!(tx.send_batch_async((0..n).collect()), receiving);
        sent.unwrap();
        // An empty batch is a no-op.
        tx.try_send_batch(Vec::new()).unwrap();
        assert_eq!(rx.try_recv(), Err(RecvError::Empty));
    }

    async fn a_backlog_larger_than_a_receive_batch_arrives_whole_and_in_order() {
        // The receiver copies at most 64 KiB per batch (1 KiB under Miri): several batches of
        // small records, then one record larger than a batch, then small ones again.
        let batch = if cfg!(miri) { 1024 } else { 64 * 1024 };
        let (mut tx, mut rx) = spsc::raw_channel(8 * batch).unwrap();
        let mut small = Vec::new();
        let mut queued = 0;
        while queued < 4 * batch {
            let len = small.len() % 60;
            queued += len + 4;
            small.push(vec![small.len() as u8; len]);
        }
        tx.try_send_batch(&small).unwrap();
        let big: Vec<u8> = (0..3 * batch / 2).map(|i| (i % 251) as u8).collect();
        tx.try_send(&big).unwrap();
        tx.try_send_batch(&small[..10]).unwrap();
        drop(tx);
        for (i, want) in small.iter().chain([&big]).chain(&small[..10]).enumerate() {
            assert_eq!(&rx.recv_async().await.unwrap(), want, "message {i}");
        }
        assert_eq!(rx.recv_async().await, Err(RecvError::Disconnected));
    }

    async fn dropping_the_sender_is_seen_after_the_queue_drains() {
        let (mut tx, mut rx) = spsc::channel::<u8>(64).unwrap();
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        drop(tx);
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.recv_async().await, Ok(2));
        assert_eq!(rx.recv_async().await, Err(RecvError::Disconnected));
        assert_eq!(rx.try_recv(), Err(RecvError::Disconnected));
    }

    async fn dropping_the_receiver_is_seen_by_the_sender() {
        let (mut tx, rx) = spsc::channel::<u8>(8).unwrap();
        tx.try_send(1).unwrap();
        drop(rx);
        assert!(tx.try_send(2).unwrap_err().is_disconnected());
        // A full channel does not make send_async wait for a receiver that is gone.
        assert!(tx.send_async(3).await.unwrap_err().is_disconnected());
    }

    // A counterpart on a second thread: not in a WASI module without threads.
    #[cfg(not(all(target_os = "wasi", not(target_feature = "atomics"))))]
    async fn dropping_the_receiver_wakes_a_waiting_sender() {
        let (mut tx, rx) = spsc::channel::<u32>(16).unwrap();
        // The counterpart receives 3 messages then drops its end.
        let worker = spawn(Task::RecvU32(rx, 3));
        let mut sent = 0u32;
        let err = loop {
            match tx.send_async(sent).await {
                Ok(()) => sent += 1,
                Err(e) => break e,
            }
        };
        assert!(err.is_disconnected(), "{err}");
        assert!(sent >= 4);
        // The counterpart checked 0, 1, 2, then found message 3 where it expected the end,
        // reported that and dropped its receiver, which ended our send loop.
        let outcome = worker.await.unwrap_err();
        assert!(outcome.contains("after 3 messages expected Disconnected, got Ok(3)"), "{outcome}");
    }

    async fn recv_timeout_times_out_off_the_main_thread() {
        let (_tx, mut rx) = spsc::channel::<u8>(64).unwrap();
        if common::platform::is_browser_main_thread() {
            // Blocking is forbidden there: a clear error instead of a trap.
            let err = rx.recv_timeout(Duration::from_millis(5)).unwrap_err();
            assert_eq!(err, RecvError::MainThread);
            assert!(err.to_string().contains("recv_async"));
            assert_eq!(rx.recv(), Err(RecvError::MainThread));
        } else {
            assert_eq!(rx.recv_timeout(Duration::from_millis(20)), Err(RecvError::Timeout));
        }
    }

    // A counterpart on a second thread: not in a WASI module without threads.
    #[cfg(not(all(target_os = "wasi", not(target_feature = "atomics"))))]
    async fn blocking_send_on_a_full_channel_off_the_main_thread() {
        // 8 bytes hold one record of a small u32 (4-byte length + 1-byte varint).
        let (mut tx, rx) = spsc::channel::<u32>(8).unwrap();
        if common::platform::is_browser_main_thread() {
            tx.send(0).unwrap(); // room: does not wait, allowed everywhere
            let err = tx.send(1).unwrap_err();
            assert_eq!(err.kind(), &SendErrorKind::MainThread);
            assert!(err.to_string().contains("send_async"));
            assert_eq!(err.into_inner(), 1);
            drop(rx);
        } else {
            let n = count(50);
            let worker = spawn(Task::RecvU32(rx, n));
            // Wait asynchronously until the counterpart runs (only one record fits, so the
            // second send completes once it took the first): a nested Web Worker starts
            // through its parent's event loop, which a blocking send would hold up.
            tx.send_async(0).await.unwrap();
            tx.send_async(1).await.unwrap();
            for i in 2..n {
                tx.send(i).unwrap(); // waits for the counterpart each time
            }
            drop(tx);
            assert_eq!(worker.await, Ok((n, (0..n).sum())));
        }
    }

    // A counterpart on a second thread: not in a WASI module without threads.
    #[cfg(not(all(target_os = "wasi", not(target_feature = "atomics"))))]
    async fn stream_yields_every_message_then_ends() {
        let (tx, rx) = spsc::channel::<u32>(64).unwrap();
        let n = count(500);
        let worker = spawn(Task::SendU32(tx, n));
        let got: Vec<u32> = rx.map(Result::unwrap).collect().await;
        assert_eq!(got, (0..n).collect::<Vec<_>>());
        assert_eq!(worker.await, Ok((n, (0..n).sum())));
    }

    // A counterpart on a second thread: not in a WASI module without threads.
    #[cfg(not(all(target_os = "wasi", not(target_feature = "atomics"))))]
    async fn raw_stream_yields_every_message_then_ends() {
        let (tx, rx) = spsc::raw_channel(256).unwrap();
        let seed = 42;
        let n = count(300);
        let worker = spawn(Task::SendBytes(tx, n, 256, seed));
        let got: Vec<Vec<u8>> = rx.map(Result::unwrap).collect().await;
        assert_eq!(got.len(), n as usize);
        let pool = common::pool(seed, 256);
        let mut rng = common::Rng(seed);
        let mut want = Vec::new();
        for m in &got {
            common::next_message(&mut rng, &pool, 256, &mut want);
            assert_eq!(m, &want);
        }
        assert!(worker.await.is_ok());
    }

    // A counterpart on a second thread: not in a WASI module without threads.
    #[cfg(not(all(target_os = "wasi", not(target_feature = "atomics"))))]
    async fn duplex_request_reply_across_threads() {
        let (mut client, server) = spsc::duplex::<u32, u32>(128).unwrap();
        let worker = spawn(Task::Echo(server));
        let n = count(200);
        for i in 0..n {
            assert_eq!(client.request_async(i).await.unwrap(), i.wrapping_mul(3) + 1);
        }
        drop(client);
        assert_eq!(worker.await, Ok((n, 0)));
    }

    // A counterpart on a second thread: not in a WASI module without threads.
    #[cfg(not(all(target_os = "wasi", not(target_feature = "atomics"))))]
    async fn a_full_time_executor_in_the_worker_parks_on_the_channel() {
        // The counterpart runs recv_async inside wasm-rs-async-executor's block_on, which
        // never returns to the event loop: only the park hook can wake it.
        let (tx, rx) = spsc::channel::<u32>(64).unwrap();
        let worker = spawn(Task::ParkedRecvU32(rx, count(20_000)));
        let sent = common::send_u32_async(tx, count(20_000)).await;
        assert_eq!(worker.await, sent);
    }

    async fn decode_error_is_reported_not_a_panic() {
        let (tx, rx) = spsc::channel::<u32>(64).unwrap();
        let (mut raw_tx, mut rx) = (tx.into_raw(), rx);
        raw_tx.try_send(&[0xff; 3]).unwrap(); // a postcard varint cut short
        assert!(matches!(rx.try_recv(), Err(RecvError::Decode(_))));
    }
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod js_only {
    use super::*;
    use js_sys::Reflect;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Removes `object[name]` for the duration of `f`.
    async fn without<F: core::future::Future>(object: &JsValue, name: &str, f: F) -> F::Output {
        let key = JsValue::from_str(name);
        let saved = Reflect::get(object, &key).unwrap();
        assert!(Reflect::delete_property(object.unchecked_ref::<js_sys::Object>(), &key).unwrap());
        let out = f.await;
        Reflect::set(object, &key, &saved).unwrap();
        out
    }

    #[wasm_bindgen_test]
    async fn missing_shared_array_buffer_is_a_clear_error() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let err = without(&js_sys::global(), "SharedArrayBuffer", async {
            spsc::raw_channel(64).unwrap_err()
        })
        .await;
        assert_eq!(err, ChannelError::SharedArrayBufferUnavailable);
        assert!(err.to_string().contains("Cross-Origin-Embedder-Policy"));
        assert!(spsc::raw_channel(64).is_ok());
    }

    #[wasm_bindgen_test]
    // A counterpart on a second thread: not in a WASI module without threads.
    #[cfg(not(all(target_os = "wasi", not(target_feature = "atomics"))))]
    async fn without_wait_async_the_polling_fallback_still_delivers_everything() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let atomics = Reflect::get(&js_sys::global(), &"Atomics".into()).unwrap();
        let result = without(&atomics, "waitAsync", async {
            let (tx, rx) = spsc::channel::<u32>(64).unwrap();
            let worker = spawn(Task::SendU32(tx, 2000));
            let got = common::recv_u32_async(rx, 2000).await;
            (got, worker.await)
        })
        .await;
        assert_eq!(result.0, Ok((2000, common::u32_sum(2000))));
        assert_eq!(result.1, Ok((2000, common::u32_sum(2000))));
    }

    #[wasm_bindgen_test]
    async fn a_terminated_worker_never_wedges_the_receiver() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let (tx, mut rx) = spsc::channel::<u32>(64).unwrap();
        let worker = common::platform::start_worker(Task::SendForever(tx)).await;
        for i in 0..5000u32 {
            assert_eq!(rx.recv_async().await, Ok(i));
        }
        worker.terminate(); // possibly mid-message
        rx.mark_sender_terminated();
        // Whatever was fully published is delivered, in order; then Disconnected.
        let mut next = 5000u32;
        loop {
            match rx.recv_async().await {
                Ok(v) => {
                    assert_eq!(v, next);
                    next += 1;
                }
                Err(e) => {
                    assert_eq!(e, RecvError::Disconnected);
                    break;
                }
            }
        }
    }

    #[wasm_bindgen_test]
    fn from_js_rejects_foreign_values() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        use spsc::{RawReceiver, RawSender};
        assert!(matches!(
            RawSender::from_js(&JsValue::from(3)),
            Err(ChannelError::NotAChannelEnd(_))
        ));
        let (tx, rx) = spsc::raw_channel(64).unwrap();
        let rx_js = rx.into_js();
        assert!(matches!(
            RawSender::from_js(&rx_js),
            Err(ChannelError::WrongEnd {
                expected: "sender",
                ..
            })
        ));
        // An end from another release of the crate: its version is named in the error.
        for (version, says) in [
            (
                JsValue::from(1),
                "it has version 1, where this release expects version 2",
            ),
            (
                JsValue::from(1.5),
                "it has a version that is not a whole number",
            ),
            (JsValue::UNDEFINED, "it has no version"),
        ] {
            let other = spsc::raw_channel(64).unwrap().1.into_js();
            Reflect::set(&other, &"version".into(), &version).unwrap();
            match RawReceiver::from_js(&other) {
                Err(ChannelError::NotAChannelEnd(why)) => assert!(why.contains(says), "{why}"),
                other => panic!("expected NotAChannelEnd, got {:?}", other.map(|_| ())),
            }
        }
        // A buffer with a bad magic number.
        let buffer = Reflect::get(&rx_js, &"buffer".into()).unwrap();
        let words = js_sys::Int32Array::new(&buffer);
        words.set_index(0, 1234);
        assert!(matches!(
            RawReceiver::from_js(&rx_js),
            Err(ChannelError::Corrupt(_))
        ));
        drop(tx);
    }

    #[wasm_bindgen_test]
    fn ends_round_trip_through_js_on_one_thread() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let (tx, rx) = spsc::channel::<String>(128).unwrap();
        let mut tx = spsc::Sender::<String>::from_js(&tx.into_js()).unwrap();
        let mut rx = spsc::Receiver::<String>::from_js(&rx.into_js()).unwrap();
        tx.try_send("through JS".into()).unwrap();
        assert_eq!(rx.try_recv().unwrap(), "through JS");
        drop(tx);
        assert_eq!(rx.try_recv(), Err(RecvError::Disconnected));
    }

    /// The structured clone a `postMessage` makes (the `SharedArrayBuffer` inside is
    /// shared, not copied): what a second worker receives when a value is posted twice.
    fn posted_copy(value: &JsValue) -> JsValue {
        let clone = Reflect::get(&js_sys::global(), &"structuredClone".into())
            .unwrap()
            .unchecked_into::<js_sys::Function>();
        clone.call1(&JsValue::NULL, value).unwrap()
    }

    fn already_claimed<T: core::fmt::Debug>(result: Result<T, ChannelError>, end: &str) {
        match result {
            Err(ChannelError::AlreadyClaimed { end: e }) if e == end => {}
            other => panic!("expected AlreadyClaimed for the {end}, got {other:?}"),
        }
    }

    #[wasm_bindgen_test]
    fn each_value_turns_into_an_end_once() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        use spsc::{RawReceiver, RawSender, Receiver, Sender};
        let (tx, rx) = spsc::raw_channel(64).unwrap();
        let (tx_js, rx_js) = (tx.into_js(), rx.into_js());
        let mut tx = RawSender::from_js(&tx_js).unwrap();
        let mut rx = RawReceiver::from_js(&rx_js).unwrap();
        already_claimed(RawSender::from_js(&tx_js), "sender");
        already_claimed(RawReceiver::from_js(&rx_js), "receiver");
        let err = RawReceiver::from_js(&rx_js).unwrap_err().to_string();
        assert!(err.contains("call `into_js` again"), "{err}");
        tx.try_send(b"still one ring").unwrap();
        assert_eq!(rx.try_recv().unwrap(), b"still one ring");

        let (tx, rx) = spsc::channel::<u32>(64).unwrap();
        let (tx_js, rx_js) = (tx.into_js(), rx.into_js());
        let _tx = Sender::<u32>::from_js(&tx_js).unwrap();
        let _rx = Receiver::<u32>::from_js(&rx_js).unwrap();
        already_claimed(Sender::<u32>::from_js(&tx_js), "sender");
        already_claimed(Receiver::<u32>::from_js(&rx_js), "receiver");
    }

    /// Every way this API offers to get a second receiver on a ring that has one: each is
    /// refused, and the one live receiver still gets every message, in order.
    #[wasm_bindgen_test]
    fn no_way_through_the_api_gives_one_ring_two_receivers() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        use spsc::{Duplex, RawReceiver, Receiver};
        let (mut tx, rx) = spsc::channel::<u32>(256).unwrap();
        let first = rx.into_js();
        let copy = posted_copy(&first);
        let live = Receiver::<u32>::from_js(&first).unwrap();
        // The same value again; its posted copy (a second worker); a byte view of it.
        already_claimed(Receiver::<u32>::from_js(&first), "receiver");
        already_claimed(Receiver::<u32>::from_js(&copy), "receiver");
        already_claimed(RawReceiver::from_js(&copy), "receiver");
        // Handed on: the old value and its copy stay dead; the new one works once.
        let second = live.into_js();
        already_claimed(Receiver::<u32>::from_js(&first), "receiver");
        already_claimed(RawReceiver::from_js(&copy), "receiver");
        let mut live = Receiver::<u32>::from_js(&second).unwrap();
        already_claimed(Receiver::<u32>::from_js(&posted_copy(&second)), "receiver");

        // Duplex ends: twice, a copy, and its inner receiver alone.
        let (mut client, server) = spsc::duplex::<u32, u32>(256).unwrap();
        let server_js = server.into_js();
        let inner_rx = Reflect::get(&server_js, &"receiver".into()).unwrap();
        let mut server = Duplex::<u32, u32>::from_js(&server_js).unwrap();
        already_claimed(Duplex::<u32, u32>::from_js(&server_js), "sender");
        already_claimed(
            Duplex::<u32, u32>::from_js(&posted_copy(&server_js)),
            "sender",
        );
        already_claimed(Receiver::<u32>::from_js(&inner_rx), "receiver");
        client.sender().try_send(7).unwrap();
        assert_eq!(server.receiver().try_recv(), Ok(7));

        for i in 0..10 {
            tx.try_send(i).unwrap();
        }
        for i in 0..10 {
            assert_eq!(live.try_recv(), Ok(i));
        }
    }

    /// A duplex value whose receiver half was taken alone is refused whole, and its sender
    /// half is left unclaimed: the refusal consumes nothing.
    #[wasm_bindgen_test]
    fn a_refused_duplex_leaves_neither_half_claimed() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        use spsc::{Duplex, Receiver, Sender};
        let (_client, server) = spsc::duplex::<u32, u32>(64).unwrap();
        let server_js = server.into_js();
        let inner_tx = Reflect::get(&server_js, &"sender".into()).unwrap();
        let inner_rx = Reflect::get(&server_js, &"receiver".into()).unwrap();
        let _rx = Receiver::<u32>::from_js(&inner_rx).unwrap();
        already_claimed(Duplex::<u32, u32>::from_js(&server_js), "receiver");
        assert!(
            Sender::<u32>::from_js(&inner_tx).is_ok(),
            "the sender half was consumed"
        );
    }

    #[wasm_bindgen_test]
    fn another_message_type_is_refused_naming_both_and_the_value_survives() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        use spsc::{RawReceiver, Receiver, Sender};
        let (tx, rx) = spsc::channel::<String>(128).unwrap();
        let (tx_js, rx_js) = (tx.into_js(), rx.into_js());
        match Receiver::<u64>::from_js(&rx_js) {
            Err(ChannelError::TypeMismatch { expected, found }) => {
                assert_eq!(expected, "u64");
                assert_eq!(found, "alloc::string::String");
            }
            other => panic!("expected TypeMismatch, got {other:?}"),
        }
        let err = Sender::<u64>::from_js(&tx_js).unwrap_err().to_string();
        assert!(
            err.contains("u64") && err.contains("alloc::string::String"),
            "{err}"
        );
        // The refusals claimed nothing: the right type still rebuilds both ends.
        let mut tx = Sender::<String>::from_js(&tx_js).unwrap();
        let mut rx = Receiver::<String>::from_js(&rx_js).unwrap();
        tx.try_send("hello".into()).unwrap();
        assert_eq!(rx.try_recv().unwrap(), "hello");

        // A byte channel is no typed channel; a byte end takes any channel.
        let (tx, rx) = spsc::raw_channel(64).unwrap();
        match Sender::<u32>::from_js(&tx.into_js()) {
            Err(ChannelError::TypeMismatch { found, .. }) => assert_eq!(found, "raw byte"),
            other => panic!("expected TypeMismatch, got {other:?}"),
        }
        let (_, rx_typed) = spsc::channel::<u32>(64).unwrap();
        assert!(RawReceiver::from_js(&rx_typed.into_js()).is_ok());
        assert!(RawReceiver::from_js(&rx.into_js()).is_ok());
    }

    /// How long a death test waits for the survivor to be told: long enough for
    /// Chromium's 2-second grace before it releases a blocked worker's lock.
    fn death_limit() -> Duration {
        Duration::from_secs(10)
    }

    /// A worker sending as fast as it can is terminated mid-stream; the main thread only
    /// keeps receiving. It gets every message the worker published, in order, then
    /// `Disconnected` with no `mark_sender_terminated` (wasm-rs-worker's `terminate()`
    /// announces the end at once; without it Chromium releases a blocked worker's lock only
    /// after 2 s, which the 10 s guard allows; Node has no Web Locks and relies on the
    /// announcement).
    #[wasm_bindgen_test]
    async fn a_terminated_sender_is_noticed_without_help() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let (tx, mut rx) = spsc::channel::<u32>(256).unwrap();
        let worker = common::platform::start_worker(Task::SendForever(tx)).await;
        for i in 0..3000u32 {
            assert_eq!(rx.recv_async().await, Ok(i));
        }
        worker.terminate();
        let mut next = 3000u32;
        let drained = wasm_rs_async_executor::timeout(death_limit(), async {
            loop {
                match rx.recv_async().await {
                    Ok(v) => {
                        assert_eq!(v, next, "a message was lost or reordered");
                        next += 1;
                    }
                    Err(e) => return e,
                }
            }
        })
        .await;
        assert_eq!(drained, Ok(RecvError::Disconnected));
    }

    /// The receiving worker is terminated; the main thread keeps sending until the ring is
    /// full and then gets `Disconnected` instead of waiting forever.
    #[wasm_bindgen_test]
    async fn a_terminated_receiver_is_noticed_without_help() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let (mut tx, rx) = spsc::channel::<u32>(256).unwrap();
        let worker = common::platform::start_worker(Task::RecvU32(rx, u32::MAX)).await;
        for i in 0..3000u32 {
            tx.send_async(i).await.unwrap();
        }
        worker.terminate();
        let mut i = 3000u32;
        let stopped = wasm_rs_async_executor::timeout(death_limit(), async {
            loop {
                if let Err(e) = tx.send_async(i).await {
                    return e;
                }
                i += 1;
            }
        })
        .await;
        let err = stopped.expect("the send noticed the dead receiver");
        assert_eq!(err.kind(), &SendErrorKind::Disconnected);
        assert_eq!(err.into_inner(), i, "the unsent message comes back");
    }

    /// A worker blocked in `recv` cannot run anything while it waits, so it cannot watch
    /// its peer itself. Its sender's worker is terminated: this thread, which created the
    /// ring, hears the announcement, marks the sender dead and wakes the blocked receiver,
    /// which ends with every message in order, then `Disconnected`.
    #[wasm_bindgen_test]
    async fn a_receiver_blocked_in_another_worker_is_woken_when_its_sender_dies() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let (tx, rx) = spsc::channel::<u32>(256).unwrap();
        let receiving = common::platform::spawn(Task::RecvUntilDisconnected(rx));
        let sender = common::platform::start_worker(Task::SendForever(tx)).await;
        wasm_rs_async_executor::sleep(Duration::from_millis(100)).await;
        sender.terminate();
        let outcome = wasm_rs_async_executor::timeout(death_limit(), receiving)
            .await
            .expect("the blocked receiver was woken");
        let (received, _) = outcome.expect("every message in order, then Disconnected");
        assert!(received > 0, "the sender sent before it was terminated");
    }

    /// Handing an end on is not a death: the sender moves to a second worker through
    /// `into_js` (its first holder releases its lock), and the receiver keeps going.
    #[wasm_bindgen_test]
    async fn an_end_handed_on_is_not_taken_for_dead() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let (tx, mut rx) = spsc::channel::<u32>(256).unwrap();
        // Hand the sender out and back in this thread: its lock is released and retaken.
        let tx = spsc::Sender::<u32>::from_js(&tx.into_js()).unwrap();
        let receiving = wasm_rs_async_executor::spawn(async move {
            let mut got = Vec::new();
            while let Ok(v) = rx.recv_async().await {
                got.push(v);
            }
            got
        });
        wasm_rs_async_executor::sleep(Duration::from_millis(50)).await;
        let tx = spsc::Sender::<u32>::from_js(&tx.into_js()).unwrap();
        wasm_rs_async_executor::sleep(Duration::from_millis(50)).await;
        let worker = common::platform::spawn(Task::SendU32(tx, 500));
        assert_eq!(worker.await, Ok((500, common::u32_sum(500))));
        let got = receiving.await.unwrap();
        assert_eq!(got, (0..500).collect::<Vec<u32>>());
    }

    /// A worker whose export panics after sending: its instance can never run again, so
    /// wasm-rs-worker announces it as ended (the thread itself lives on, its Web Lock
    /// too). The main thread gets every message, then `Disconnected`, and the worker's
    /// outcome carries the panic message.
    #[wasm_bindgen_test]
    async fn a_worker_that_panics_is_taken_for_dead() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let (tx, mut rx) = spsc::channel::<u32>(256).unwrap();
        let worker = common::platform::start_worker(Task::SendThenPanic(tx, 500)).await;
        for i in 0..500u32 {
            assert_eq!(rx.recv_async().await, Ok(i));
        }
        let last = wasm_rs_async_executor::timeout(death_limit(), rx.recv_async()).await;
        assert_eq!(last, Ok(Err(RecvError::Disconnected)));
        let failure = worker.outcome().await.unwrap_err();
        assert!(failure.contains("panicked on purpose"), "{failure}");
    }

    /// A worker that traps after sending, with no panic (as a stack overflow or running
    /// out of memory would): wasm-rs-worker tells the trap from an error the export threw
    /// and announces the worker as ended. The main thread gets every message, then
    /// `Disconnected`, and the worker's outcome says it trapped.
    #[wasm_bindgen_test]
    async fn a_worker_that_traps_is_taken_for_dead() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let (tx, mut rx) = spsc::channel::<u32>(256).unwrap();
        let worker = common::platform::start_worker(Task::SendThenTrap(tx, 500)).await;
        for i in 0..500u32 {
            assert_eq!(rx.recv_async().await, Ok(i));
        }
        let last = wasm_rs_async_executor::timeout(death_limit(), rx.recv_async()).await;
        assert_eq!(last, Ok(Err(RecvError::Disconnected)));
        let failure = worker.outcome().await.unwrap_err();
        assert!(failure.contains("wasm trapped: RuntimeError"), "{failure}");
    }

    /// A worker that sends, then ends its own thread without closing the channel: in
    /// browsers it closes itself (`self.close()`), and only the engine releasing the
    /// thread's Web Lock says so; in Node its thread exits once its export returns, and
    /// wasm-rs-worker announces the exit. The main thread gets every message, then
    /// `Disconnected`.
    #[wasm_bindgen_test]
    async fn a_worker_that_ends_itself_is_noticed() {
        if common::platform::shared_memory_missing_and_error_checked() {
            return;
        }
        let (tx, mut rx) = spsc::channel::<u32>(256).unwrap();
        let _worker = common::platform::start_worker(Task::SendThenVanish(tx, 500)).await;
        for i in 0..500u32 {
            assert_eq!(rx.recv_async().await, Ok(i));
        }
        let last = wasm_rs_async_executor::timeout(death_limit(), rx.recv_async()).await;
        assert_eq!(last, Ok(Err(RecvError::Disconnected)));
    }
}
