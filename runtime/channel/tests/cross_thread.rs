//! Lossless ordering across a real second thread, both directions, three capacities, one
//! message at a time and in batches (`send_batch`, `send_batch_async`).
//!
//! The main side uses the async API (it is the browser main thread on wasm32, where
//! blocking is forbidden); the counterpart (std thread / worker) uses the blocking API.
//! Natively `cargo test`; on wasm32 the counterpart is a Node worker_threads Worker or a
//! dedicated Web Worker running this same module. Not on WASI without threads
//! (`wasm32-wasip1`, `wasm32-wasip2`), which has no second thread.
#![cfg(not(all(target_os = "wasi", not(target_feature = "atomics"))))]

mod common;

use common::platform::{Task, spawn};
use common::*;
use wasm_rs_shared_channel::spsc;

async fn u32_main_to_worker(cap: usize) {
    let (tx, rx) = spsc::channel::<u32>(cap).unwrap();
    let worker = spawn(Task::RecvU32(rx, U32_MESSAGES));
    let sent = send_u32_async(tx, U32_MESSAGES).await.unwrap();
    let received = worker.await.unwrap();
    assert_eq!(received, sent);
    assert_eq!(received, (U32_MESSAGES, u32_sum(U32_MESSAGES)));
}

async fn u32_worker_to_main(cap: usize) {
    let (tx, rx) = spsc::channel::<u32>(cap).unwrap();
    let worker = spawn(Task::SendU32(tx, U32_MESSAGES));
    let received = recv_u32_async(rx, U32_MESSAGES).await.unwrap();
    let sent = worker.await.unwrap();
    assert_eq!(received, sent);
    assert_eq!(received, (U32_MESSAGES, u32_sum(U32_MESSAGES)));
}

async fn bytes_main_to_worker(cap: usize) {
    let seed = 0x9e37_79b9 ^ cap as u32;
    let (tx, rx) = spsc::raw_channel(cap).unwrap();
    let worker = spawn(Task::RecvBytes(rx, BYTE_MESSAGES, cap, seed));
    let sent = send_bytes_async(tx, BYTE_MESSAGES, cap, seed)
        .await
        .unwrap();
    let received = worker.await.unwrap();
    assert_eq!(received, sent);
    assert_eq!(
        received,
        (BYTE_MESSAGES, bytes_checksum(BYTE_MESSAGES, cap, seed))
    );
}

async fn bytes_worker_to_main(cap: usize) {
    let seed = 0x85eb_ca6b ^ cap as u32;
    let (tx, rx) = spsc::raw_channel(cap).unwrap();
    let worker = spawn(Task::SendBytes(tx, BYTE_MESSAGES, cap, seed));
    let received = recv_bytes_async(rx, BYTE_MESSAGES, cap, seed)
        .await
        .unwrap();
    let sent = worker.await.unwrap();
    assert_eq!(received, sent);
    assert_eq!(
        received,
        (BYTE_MESSAGES, bytes_checksum(BYTE_MESSAGES, cap, seed))
    );
}

async fn u32_worker_to_main_batched(cap: usize) {
    let (tx, rx) = spsc::channel::<u32>(cap).unwrap();
    let worker = spawn(Task::SendU32Batched(tx, U32_MESSAGES));
    let received = recv_u32_async(rx, U32_MESSAGES).await.unwrap();
    let sent = worker.await.unwrap();
    assert_eq!(received, sent);
    assert_eq!(received, (U32_MESSAGES, u32_sum(U32_MESSAGES)));
}

async fn bytes_main_to_worker_batched(cap: usize) {
    let seed = 0xc2b2_ae35 ^ cap as u32;
    let (tx, rx) = spsc::raw_channel(cap).unwrap();
    let worker = spawn(Task::RecvBytes(rx, BYTE_MESSAGES, cap, seed));
    let sent = send_bytes_batched_async(tx, BYTE_MESSAGES, cap, seed)
        .await
        .unwrap();
    let received = worker.await.unwrap();
    assert_eq!(received, sent);
    assert_eq!(
        received,
        (BYTE_MESSAGES, bytes_checksum(BYTE_MESSAGES, cap, seed))
    );
}

macro_rules! cross_thread_tests {
    ($($name:ident => $body:expr;)*) => {$(
        #[cfg(all(target_family = "wasm", target_os = "unknown"))]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            if common::platform::shared_memory_missing_and_error_checked() {
                return;
            }
            $body.await
        }
        #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
        #[test]
        fn $name() {
            common::platform::block_on($body)
        }
    )*};
}

cross_thread_tests! {
    u32_main_to_worker_64b => u32_main_to_worker(64);
    u32_main_to_worker_1kib => u32_main_to_worker(1024);
    u32_main_to_worker_64kib => u32_main_to_worker(64 * 1024);
    u32_worker_to_main_64b => u32_worker_to_main(64);
    u32_worker_to_main_1kib => u32_worker_to_main(1024);
    u32_worker_to_main_64kib => u32_worker_to_main(64 * 1024);
    bytes_main_to_worker_64b => bytes_main_to_worker(64);
    bytes_main_to_worker_1kib => bytes_main_to_worker(1024);
    bytes_main_to_worker_64kib => bytes_main_to_worker(64 * 1024);
    bytes_worker_to_main_64b => bytes_worker_to_main(64);
    bytes_worker_to_main_1kib => bytes_worker_to_main(1024);
    bytes_worker_to_main_64kib => bytes_worker_to_main(64 * 1024);
    u32_worker_to_main_batched_64b => u32_worker_to_main_batched(64);
    u32_worker_to_main_batched_1kib => u32_worker_to_main_batched(1024);
    u32_worker_to_main_batched_64kib => u32_worker_to_main_batched(64 * 1024);
    bytes_main_to_worker_batched_64b => bytes_main_to_worker_batched(64);
    bytes_main_to_worker_batched_1kib => bytes_main_to_worker_batched(1024);
    bytes_main_to_worker_batched_64kib => bytes_main_to_worker_batched(64 * 1024);
}
