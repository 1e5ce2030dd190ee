//! WASI without threads (`wasm32-wasip1`, `wasm32-wasip2`): both ends on one thread.
//! Tasks of one executor talk through the async API; a blocking call that could never
//! return is refused with an error that names the fix; a timed wait sleeps in the host.
#![cfg(all(target_os = "wasi", not(target_feature = "atomics")))]

use std::time::Duration;

use wasm_rs_async_executor::{Instant, block_on, spawn};
use wasm_rs_shared_channel::{RecvError, SendErrorKind, spsc};

#[test]
fn tasks_of_one_executor_exchange_every_message_in_order() {
    // 64 bytes hold about ten records: the sender waits for the receiver many times.
    let (mut tx, mut rx) = spsc::channel::<u32>(64).unwrap();
    let producer = spawn(async move {
        for i in 0..1000 {
            tx.send_async(i).await.unwrap();
        }
    });
    let received = block_on(async move {
        let mut got = Vec::new();
        while let Ok(n) = rx.recv_async().await {
            got.push(n);
        }
        producer.await.unwrap();
        got
    })
    .unwrap();
    assert_eq!(received, (0..1000).collect::<Vec<_>>());
}

#[test]
fn a_blocking_recv_on_an_empty_channel_is_refused() {
    let (_tx, mut rx) = spsc::channel::<u8>(64).unwrap();
    let err = rx.recv().unwrap_err();
    assert_eq!(err, RecvError::SingleThreaded);
    let text = err.to_string();
    assert!(
        text.contains("WASI") && text.contains("recv_async()"),
        "{text}"
    );
}

#[test]
fn a_blocking_send_on_a_full_channel_is_refused_and_gives_the_message_back() {
    let (mut tx, mut rx) = spsc::channel::<u32>(8).unwrap();
    tx.send(7).unwrap(); // room: does not wait
    let err = tx.send(8).unwrap_err();
    assert_eq!(err.kind(), &SendErrorKind::SingleThreaded);
    assert!(err.to_string().contains("send_async()"), "{err}");
    assert_eq!(err.into_inner(), 8);
    // Nothing was lost or duplicated: the first message is there, alone.
    assert_eq!(rx.try_recv(), Ok(7));
    assert_eq!(rx.try_recv(), Err(RecvError::Empty));
}

#[test]
fn recv_timeout_sleeps_for_the_timeout_then_reports_it() {
    let (_tx, mut rx) = spsc::channel::<u8>(64).unwrap();
    let start = Instant::now();
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(20)),
        Err(RecvError::Timeout)
    );
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[test]
fn a_blocking_recv_with_a_message_waiting_returns_it() {
    let (mut tx, mut rx) = spsc::channel::<String>(64).unwrap();
    tx.send("ready".to_string()).unwrap();
    assert_eq!(rx.recv().unwrap(), "ready");
}
