//! Shared test workloads: the same code runs on the main thread and on the counterpart
//! thread (a std thread natively, a worker on wasm32).
#![allow(dead_code, unreachable_pub, reason = "each test binary uses a subset")]

pub mod platform;

use wasm_rs_shared_channel::RecvError;
use wasm_rs_shared_channel::spsc::{RawReceiver, RawSender, Receiver, Sender};

/// Message counts: the full counts, smaller under Miri.
pub const U32_MESSAGES: u32 = if cfg!(miri) { 300 } else { 1_000_000 };
pub const BYTE_MESSAGES: u32 = if cfg!(miri) { 100 } else { 100_000 };

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

/// The `i`-th byte message of the stream: length in `0..=cap/2`, pseudo-random content.
pub fn next_message(rng: &mut Rng, cap: usize, out: &mut Vec<u8>) {
    let len = rng.next() as usize % (cap / 2 + 1);
    out.clear();
    out.extend((0..len).map(|_| rng.next() as u8));
}

/// FNV-1a over a message, folded into a running checksum.
pub fn checksum(acc: u32, bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    acc.rotate_left(5) ^ h
}

/// Sum of `0..n`, the checksum of the u32 stream.
pub fn u32_sum(n: u32) -> u32 {
    (0..n).fold(0u32, |a, i| a.wrapping_add(i))
}

/// Expected checksum of `n` byte messages from `seed`.
pub fn bytes_checksum(n: u32, cap: usize, seed: u32) -> u32 {
    let mut rng = Rng(seed);
    let mut buf = Vec::new();
    let mut acc = 0;
    for _ in 0..n {
        next_message(&mut rng, cap, &mut buf);
        acc = checksum(acc, &buf);
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
        other => Err(format!("after {n} messages expected Disconnected, got {other:?}")),
    }
}

pub fn send_bytes_blocking(mut tx: RawSender, n: u32, cap: usize, seed: u32) -> Result<(u32, u32), String> {
    let mut rng = Rng(seed);
    let mut buf = Vec::new();
    let mut acc = 0;
    for i in 0..n {
        next_message(&mut rng, cap, &mut buf);
        acc = checksum(acc, &buf);
        tx.send(&buf).map_err(|e| format!("send {i}: {e}"))?;
    }
    Ok((n, acc))
}

pub fn recv_bytes_blocking(mut rx: RawReceiver, n: u32, cap: usize, seed: u32) -> Result<(u32, u32), String> {
    let mut rng = Rng(seed);
    let (mut want, mut got) = (Vec::new(), Vec::new());
    let mut acc = 0;
    for i in 0..n {
        next_message(&mut rng, cap, &mut want);
        rx.recv_into(&mut got).map_err(|e| format!("recv {i}: {e}"))?;
        if got != want {
            return Err(format!("message {i}: got {} bytes, expected {}", got.len(), want.len()));
        }
        acc = checksum(acc, &got);
    }
    match rx.recv() {
        Err(RecvError::Disconnected) => Ok((n, acc)),
        other => Err(format!("after {n} messages expected Disconnected, got {other:?}")),
    }
}

// ---- async sides (main thread) ----

pub async fn send_u32_async(mut tx: Sender<u32>, n: u32) -> Result<(u32, u32), String> {
    for i in 0..n {
        tx.send_async(i).await.map_err(|e| format!("send {i}: {e}"))?;
    }
    Ok((n, u32_sum(n)))
}

pub async fn recv_u32_async(mut rx: Receiver<u32>, n: u32) -> Result<(u32, u32), String> {
    let mut sum = 0u32;
    for i in 0..n {
        let v = rx.recv_async().await.map_err(|e| format!("recv {i}: {e}"))?;
        if v != i {
            return Err(format!("message {i} arrived as {v}"));
        }
        sum = sum.wrapping_add(v);
    }
    match rx.recv_async().await {
        Err(RecvError::Disconnected) => Ok((n, sum)),
        other => Err(format!("after {n} messages expected Disconnected, got {other:?}")),
    }
}

pub async fn send_bytes_async(mut tx: RawSender, n: u32, cap: usize, seed: u32) -> Result<(u32, u32), String> {
    let mut rng = Rng(seed);
    let mut buf = Vec::new();
    let mut acc = 0;
    for i in 0..n {
        next_message(&mut rng, cap, &mut buf);
        acc = checksum(acc, &buf);
        tx.send_async(&buf).await.map_err(|e| format!("send {i}: {e}"))?;
    }
    Ok((n, acc))
}

pub async fn recv_bytes_async(mut rx: RawReceiver, n: u32, cap: usize, seed: u32) -> Result<(u32, u32), String> {
    let mut rng = Rng(seed);
    let (mut want, mut got) = (Vec::new(), Vec::new());
    let mut acc = 0;
    for i in 0..n {
        next_message(&mut rng, cap, &mut want);
        rx.recv_async_into(&mut got).await.map_err(|e| format!("recv {i}: {e}"))?;
        if got != want {
            return Err(format!("message {i}: got {} bytes, expected {}", got.len(), want.len()));
        }
        acc = checksum(acc, &got);
    }
    match rx.recv_async().await {
        Err(RecvError::Disconnected) => Ok((n, acc)),
        other => Err(format!("after {n} messages expected Disconnected, got {other:?}")),
    }
}
