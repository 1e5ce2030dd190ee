//! Shared test workloads: the same code runs on the main thread and on the counterpart
//! thread (a std thread natively, a worker on wasm32).
#![allow(dead_code, unreachable_pub, reason = "each test binary uses a subset")]

pub mod platform;

use wasm_rs_shared_channel::RecvError;
use wasm_rs_shared_channel::spsc::{RawReceiver, RawSender, Receiver, Sender};

/// Divisor of the full counts (1,000,000 u32 and 100,000 byte messages per test):
/// full counts natively and in release wasm builds; a tenth in debug wasm builds (every JS
/// call is unoptimised there: the full Node run takes about 7.5 minutes); tiny under Miri.
const SCALE: u32 = if cfg!(miri) {
    20_000
} else if cfg!(all(
    all(target_family = "wasm", target_os = "unknown"),
    debug_assertions
)) {
    10
} else {
    1
};
pub const U32_MESSAGES: u32 = 1_000_000 / SCALE;
pub const BYTE_MESSAGES: u32 = 100_000 / SCALE;

/// xorshift32: a deterministic stream both sides regenerate.
#[derive(Debug, Clone)]
pub struct Rng(pub u32);

impl Rng {
    pub fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// Pseudo-random bytes the messages are cut from (derived from the seed, so both sides
/// hold the same pool without sharing it).
pub fn pool(seed: u32, cap: usize) -> Vec<u8> {
    let mut rng = Rng(seed ^ 0x5bd1_e995);
    let mut pool = vec![0u8; cap + 64];
    for chunk in pool.chunks_mut(4) {
        chunk.copy_from_slice(&rng.next().to_le_bytes()[..chunk.len()]);
    }
    pool
}

/// The next byte message of the stream: a length in `0..=cap/2` and a window of `pool` at a
/// random offset. Returns the message's checksum (length and offset folded in, so a lost,
/// duplicated or reordered message changes the stream checksum; contents are compared
/// exactly by the receiver).
pub fn next_message(rng: &mut Rng, pool: &[u8], cap: usize, out: &mut Vec<u8>) -> u32 {
    let len = rng.next() as usize % (cap / 2 + 1);
    let off = rng.next() as usize % (pool.len() - len + 1);
    out.clear();
    out.extend_from_slice(&pool[off..off + len]);
    (len as u32).wrapping_mul(0x9e37_79b1) ^ (off as u32).rotate_left(16)
}

/// Folds one message checksum into the stream checksum (order-sensitive).
pub fn checksum(acc: u32, message: u32) -> u32 {
    acc.rotate_left(5) ^ message
}

/// Sum of `0..n`, the checksum of the u32 stream.
pub fn u32_sum(n: u32) -> u32 {
    (0..n).fold(0u32, |a, i| a.wrapping_add(i))
}

/// Expected checksum of `n` byte messages from `seed`.
pub fn bytes_checksum(n: u32, cap: usize, seed: u32) -> u32 {
    let mut rng = Rng(seed);
    let pool = pool(seed, cap);
    let mut buf = Vec::new();
    let mut acc = 0;
    for _ in 0..n {
        acc = checksum(acc, next_message(&mut rng, &pool, cap, &mut buf));
    }
    acc
}

// ---- blocking sides (counterpart thread) ----

pub fn send_u32_blocking(mut tx: Sender<u32>, n: u32) -> Result<(u32, u32), String> {
    for i in 0..n {
        tx.send(i).map_err(|e| format!("send {i}: {e}"))?;
    }
    Ok((n, u32_sum(n)))
}

pub fn recv_u32_blocking(mut rx: Receiver<u32>, n: u32) -> Result<(u32, u32), String> {
    let mut sum = 0u32;
    for i in 0..n {
        let v = rx.recv().map_err(|e| format!("recv {i}: {e}"))?;
        if v != i {
            return Err(format!("message {i} arrived as {v}"));
        }
        sum = sum.wrapping_add(v);
    }
    match rx.recv() {
        Err(RecvError::Disconnected) => Ok((n, sum)),
        other => Err(format!(
            "after {n} messages expected Disconnected, got {other:?}"
        )),
    }
}

pub fn send_bytes_blocking(
    mut tx: RawSender,
    n: u32,
    cap: usize,
    seed: u32,
) -> Result<(u32, u32), String> {
    let mut rng = Rng(seed);
    let pool = pool(seed, cap);
    let mut buf = Vec::new();
    let mut acc = 0;
    for i in 0..n {
        acc = checksum(acc, next_message(&mut rng, &pool, cap, &mut buf));
        tx.send(&buf).map_err(|e| format!("send {i}: {e}"))?;
    }
    Ok((n, acc))
}

pub fn recv_bytes_blocking(
    mut rx: RawReceiver,
    n: u32,
    cap: usize,
    seed: u32,
) -> Result<(u32, u32), String> {
    let mut rng = Rng(seed);
    let pool = pool(seed, cap);
    let (mut want, mut got) = (Vec::new(), Vec::new());
    let mut acc = 0;
    for i in 0..n {
        let sum = next_message(&mut rng, &pool, cap, &mut want);
        rx.recv_into(&mut got)
            .map_err(|e| format!("recv {i}: {e}"))?;
        if got != want {
            return Err(format!(
                "message {i}: got {} bytes, expected {}",
                got.len(),
                want.len()
            ));
        }
        acc = checksum(acc, sum);
    }
    match rx.recv() {
        Err(RecvError::Disconnected) => Ok((n, acc)),
        other => Err(format!(
            "after {n} messages expected Disconnected, got {other:?}"
        )),
    }
}

// ---- async sides (main thread) ----

pub async fn send_u32_async(mut tx: Sender<u32>, n: u32) -> Result<(u32, u32), String> {
    for i in 0..n {
        tx.send_async(i)
            .await
            .map_err(|e| format!("send {i}: {e}"))?;
    }
    Ok((n, u32_sum(n)))
}

pub async fn recv_u32_async(mut rx: Receiver<u32>, n: u32) -> Result<(u32, u32), String> {
    let mut sum = 0u32;
    for i in 0..n {
        let v = rx
            .recv_async()
            .await
            .map_err(|e| format!("recv {i}: {e}"))?;
        if v != i {
            return Err(format!("message {i} arrived as {v}"));
        }
        sum = sum.wrapping_add(v);
    }
    match rx.recv_async().await {
        Err(RecvError::Disconnected) => Ok((n, sum)),
        other => Err(format!(
            "after {n} messages expected Disconnected, got {other:?}"
        )),
    }
}

pub async fn send_bytes_async(
    mut tx: RawSender,
    n: u32,
    cap: usize,
    seed: u32,
) -> Result<(u32, u32), String> {
    let mut rng = Rng(seed);
    let pool = pool(seed, cap);
    let mut buf = Vec::new();
    let mut acc = 0;
    for i in 0..n {
        acc = checksum(acc, next_message(&mut rng, &pool, cap, &mut buf));
        tx.send_async(&buf)
            .await
            .map_err(|e| format!("send {i}: {e}"))?;
    }
    Ok((n, acc))
}

pub async fn recv_bytes_async(
    mut rx: RawReceiver,
    n: u32,
    cap: usize,
    seed: u32,
) -> Result<(u32, u32), String> {
    let mut rng = Rng(seed);
    let pool = pool(seed, cap);
    let (mut want, mut got) = (Vec::new(), Vec::new());
    let mut acc = 0;
    for i in 0..n {
        let sum = next_message(&mut rng, &pool, cap, &mut want);
        rx.recv_async_into(&mut got)
            .await
            .map_err(|e| format!("recv {i}: {e}"))?;
        if got != want {
            return Err(format!(
                "message {i}: got {} bytes, expected {}",
                got.len(),
                want.len()
            ));
        }
        acc = checksum(acc, sum);
    }
    match rx.recv_async().await {
        Err(RecvError::Disconnected) => Ok((n, acc)),
        other => Err(format!(
            "after {n} messages expected Disconnected, got {other:?}"
        )),
    }
}

// ---- batched senders: batches of 1 to 300 messages, sizes drawn from their own stream ----

/// The size of the next batch, from a stream independent of the messages'.
fn next_batch_len(rng: &mut Rng) -> u32 {
    1 + rng.next() % 300
}

/// `send_u32_blocking` through `send_batch`, in batches of varying size.
pub fn send_u32_batched_blocking(mut tx: Sender<u32>, n: u32) -> Result<(u32, u32), String> {
    let mut sizes = Rng(0x2545_f491);
    let mut next = 0;
    while next < n {
        let end = n.min(next + next_batch_len(&mut sizes));
        tx.send_batch((next..end).collect())
            .map_err(|e| format!("batch {next}..{end}: {e}"))?;
        next = end;
    }
    Ok((n, u32_sum(n)))
}

/// `send_bytes_async` through `send_batch_async`, in batches of varying size.
pub async fn send_bytes_batched_async(
    mut tx: RawSender,
    n: u32,
    cap: usize,
    seed: u32,
) -> Result<(u32, u32), String> {
    let mut rng = Rng(seed);
    let mut sizes = Rng(seed ^ 0x2545_f491);
    let pool = pool(seed, cap);
    let mut acc = 0;
    let mut batch: Vec<Vec<u8>> = Vec::new();
    let mut next = 0;
    while next < n {
        let end = n.min(next + next_batch_len(&mut sizes));
        batch.resize_with((end - next) as usize, Vec::new);
        for message in &mut batch {
            acc = checksum(acc, next_message(&mut rng, &pool, cap, message));
        }
        tx.send_batch_async(&batch)
            .await
            .map_err(|e| format!("batch {next}..{end}: {e}"))?;
        next = end;
    }
    Ok((n, acc))
}
