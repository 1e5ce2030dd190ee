//! The ring protocol, written once over [`Memory`].
//!
//! See the crate documentation ("Buffer layout and invariants") for the reasoning; the
//! constants below are that layout.

use core::task::{Context, Poll};
use core::time::Duration;

use crate::backend::{Memory, WaitOutcome};
use crate::error::{Corruption, RecvError, SendErrorKind};
use crate::sync::Arc;

/// Header word: the magic number identifying a channel buffer (creator, before sharing).
pub(crate) const MAGIC: usize = 0;
/// Header word: data region size in bytes (creator, before sharing).
pub(crate) const CAPACITY: usize = 1;
/// Header word: write position, with [`CLOSED`] when the sender is gone (sender only).
pub(crate) const TAIL: usize = 16;
/// Header word: non-zero while the sender sleeps waiting for space (sender only).
pub(crate) const TX_WAITING: usize = 17;
/// Header word: read position, with [`CLOSED`] when the receiver is gone (receiver only).
pub(crate) const HEAD: usize = 32;
/// Header word: non-zero while the receiver sleeps waiting for data (receiver only).
pub(crate) const RX_WAITING: usize = 33;
/// Number of `u32` words in the header (three 64-byte lines).
pub(crate) const HEADER_WORDS: usize = 48;
/// Size of the header in bytes; the data region starts here.
#[cfg_attr(
    not(target_arch = "wasm32"),
    allow(dead_code, reason = "only the wasm32 backend addresses bytes")
)]
pub(crate) const HEADER_BYTES: usize = HEADER_WORDS * 4;
/// "WSC1": wasm-rs shared channel, layout version 1.
pub(crate) const MAGIC_VALUE: u32 = 0x5753_4331;
/// Bit 31 of TAIL/HEAD: that end has been dropped.
pub(crate) const CLOSED: u32 = 1 << 31;
/// Every record starts with its payload length as a little-endian `u32`.
pub(crate) const LEN_BYTES: usize = 4;
/// Loads of the peer's position a waiting end makes before it announces itself and
/// sleeps. A sleeper costs the peer an `Atomics.notify` (a system call) per message and
/// itself a wake-up of several microseconds, so a spin that catches an active peer pays
/// off: with both threads on a free core a 64-byte round trip takes about 3 µs instead of
/// 17 µs. Blocking waits (workers, native threads) spin longer than async ones (maybe the
/// browser main thread, which must stay responsive). On an oversubscribed machine the
/// spinner steals its peer's core and a round trip can take 60 µs; 2-core CI machines
/// see both. Zero under loom and Miri, where spinning only multiplies explored states.
const SPIN_BLOCKING: u32 = if cfg!(any(loom, miri)) { 0 } else { 1024 };
const SPIN_ASYNC: u32 = if cfg!(any(loom, miri)) { 0 } else { 256 };

/// Spins until word `index` differs from `seen`, for at most `loads` loads.
fn spin_while_equal<M: Memory>(mem: &M, index: usize, seen: u32, loads: u32) -> bool {
    for _ in 0..loads {
        if mem.load(index) != seen {
            return true;
        }
        core::hint::spin_loop();
    }
    false
}

/// Published bytes up to this size are copied out in one batch.
const BATCH_BYTES: usize = 64 * 1024;
/// Smallest capacity accepted by channel constructors.
pub const MIN_CAPACITY: usize = 8;
/// Largest capacity accepted (positions run modulo `2 * capacity`, below bit 31).
pub const MAX_CAPACITY: usize = 1 << 30;

/// Distance from position `from` to position `to`, both below `2 * cap`.
fn distance(from: u32, to: u32, cap: u32) -> u32 {
    if to >= from {
        to - from
    } else {
        to + 2 * cap - from
    }
}

/// Position `p` moved forward by `n` bytes (`n <= cap`), modulo `2 * cap`.
fn advance(p: u32, n: u32, cap: u32) -> u32 {
    let q = p + n;
    if q >= 2 * cap { q - 2 * cap } else { q }
}

/// Writes the header of a fresh channel (before either end is shared).
pub(crate) fn init<M: Memory>(mem: &M, capacity: u32) {
    for i in 0..HEADER_WORDS {
        mem.store(i, 0);
    }
    mem.store(CAPACITY, capacity);
    mem.store(MAGIC, MAGIC_VALUE);
}

/// Checks the immutable header fields of a buffer received from elsewhere and returns its
/// capacity. `data_len` is the real size of the data region.
pub(crate) fn check_header<M: Memory>(mem: &M, data_len: usize) -> Result<u32, Corruption> {
    let magic = mem.load(MAGIC);
    if magic != MAGIC_VALUE {
        return Err(Corruption::BadMagic { found: magic });
    }
    let cap = mem.load(CAPACITY);
    if cap as usize != data_len || (cap as usize) < MIN_CAPACITY || cap as usize > MAX_CAPACITY {
        return Err(Corruption::BadCapacity {
            header: cap,
            actual: data_len,
        });
    }
    Ok(cap)
}

/// Copies `src` into the ring at position `pos`, splitting at the end of the region.
fn ring_write<M: Memory>(mem: &M, cap: u32, pos: u32, src: &[u8]) {
    let at = (pos % cap) as usize;
    let first = src.len().min(cap as usize - at);
    mem.write(at, &src[..first]);
    if first < src.len() {
        mem.write(0, &src[first..]);
    }
}

/// Copies `out.len()` bytes out of the ring from position `pos`.
fn ring_read<M: Memory>(mem: &M, cap: u32, pos: u32, out: &mut [u8]) {
    let at = (pos % cap) as usize;
    let first = out.len().min(cap as usize - at);
    mem.read(at, &mut out[..first]);
    if first < out.len() {
        mem.read(0, &mut out[first..]);
    }
}

/// Milliseconds left of `timeout` started at `start_ms`, or `None` if it has elapsed.
fn remaining<M: Memory>(mem: &M, start_ms: f64, timeout: Duration) -> Option<Duration> {
    let left = timeout.as_secs_f64() * 1000.0 - (mem.now_ms() - start_ms);
    (left > 0.0).then(|| Duration::from_secs_f64(left / 1000.0))
}

/// The producing end of the protocol. Owns TAIL and TX_WAITING.
#[derive(Debug)]
pub(crate) struct SenderCore<M: Memory> {
    pub(crate) mem: Arc<M>,
    cap: u32,
    tail: u32,
    /// Record being written: length prefix and payload, copied into the ring at once.
    frame: Vec<u8>,
    waiting: bool,
    peer_gone: bool,
    wait: M::AsyncWait,
}

impl<M: Memory> SenderCore<M> {
    /// Takes over the sender side of `mem` (capacity already checked).
    pub(crate) fn attach(mem: Arc<M>, cap: u32) -> Result<Self, Corruption> {
        let word = mem.load(TAIL);
        let tail = word & !CLOSED;
        if word & CLOSED != 0 || tail >= 2 * cap {
            return Err(Corruption::TailOutOfRange {
                tail: word,
                limit: 2 * cap,
            });
        }
        Ok(Self {
            mem,
            cap,
            tail,
            frame: Vec::new(),
            waiting: false,
            peer_gone: false,
            wait: M::AsyncWait::default(),
        })
    }

    /// Capacity of the data region in bytes.
    pub(crate) fn capacity(&self) -> usize {
        self.cap as usize
    }

    /// Largest payload one message can carry.
    pub(crate) fn max_message(&self) -> usize {
        self.cap as usize - LEN_BYTES
    }

    /// Marks the receiver as gone without its cooperation (its thread was terminated).
    pub(crate) fn mark_peer_gone(&mut self) {
        self.peer_gone = true;
    }

    /// Free bytes, or why nothing can be written.
    fn free(&self) -> Result<u32, SendErrorKind> {
        let word = self.mem.load(HEAD);
        if word & CLOSED != 0 || self.peer_gone {
            return Err(SendErrorKind::Disconnected);
        }
        if word >= 2 * self.cap {
            return Err(SendErrorKind::Corrupt(Corruption::HeadOutOfRange {
                head: word,
                limit: 2 * self.cap,
            }));
        }
        let used = distance(word, self.tail, self.cap);
        if used > self.cap {
            return Err(SendErrorKind::Corrupt(Corruption::Overfull {
                used,
                capacity: self.cap,
            }));
        }
        Ok(self.cap - used)
    }

    /// Appends one record, or says why not. Never blocks.
    pub(crate) fn try_send(&mut self, payload: &[u8]) -> Result<(), SendErrorKind> {
        let need = payload.len().saturating_add(LEN_BYTES);
        if need > self.cap as usize {
            return Err(SendErrorKind::TooLarge {
                len: payload.len(),
                max: self.max_message(),
            });
        }
        let need = need as u32;
        if self.free()? < need {
            return Err(SendErrorKind::Full);
        }
        self.frame.clear();
        self.frame
            .extend_from_slice(&(payload.len() as u32).to_le_bytes());
        self.frame.extend_from_slice(payload);
        ring_write(&*self.mem, self.cap, self.tail, &self.frame);
        self.tail = advance(self.tail, need, self.cap);
        // Publication: the receiver sees the record only after this store.
        self.mem.store(TAIL, self.tail);
        if self.mem.load(RX_WAITING) != 0 {
            self.mem.notify(TAIL);
        }
        self.set_waiting(false);
        Ok(())
    }

    fn set_waiting(&mut self, on: bool) {
        if self.waiting != on {
            self.waiting = on;
            self.mem.store(TX_WAITING, u32::from(on));
        }
    }

    /// Appends one record, sleeping while the ring is full.
    pub(crate) fn send_blocking(&mut self, payload: &[u8]) -> Result<(), SendErrorKind> {
        loop {
            let seen = self.mem.load(HEAD);
            match self.try_send(payload) {
                Err(SendErrorKind::Full) => {}
                other => return other,
            }
            if spin_while_equal(&*self.mem, HEAD, seen, SPIN_BLOCKING) {
                continue;
            }
            // Announce, then sleep only if HEAD still holds what we saw (Dekker with the
            // receiver's "store HEAD, then load TX_WAITING").
            self.set_waiting(true);
            let outcome = self.mem.wait(HEAD, seen, None);
            self.set_waiting(false);
            if outcome == WaitOutcome::NotAllowed {
                return Err(SendErrorKind::MainThread);
            }
        }
    }

    /// Appends one record once there is space, registering `cx` while the ring is full.
    pub(crate) fn poll_send(
        &mut self,
        payload: &[u8],
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), SendErrorKind>> {
        loop {
            let seen = self.mem.load(HEAD);
            match self.try_send(payload) {
                Err(SendErrorKind::Full) => {}
                other => return Poll::Ready(other),
            }
            if spin_while_equal(&*self.mem, HEAD, seen, SPIN_ASYNC) {
                continue;
            }
            self.set_waiting(true);
            if self
                .mem
                .poll_wait(HEAD, seen, &mut self.wait, cx)
                .is_pending()
            {
                return Poll::Pending;
            }
        }
    }

    /// Marks the sender gone and wakes the receiver. Records already published stay
    /// readable.
    pub(crate) fn close(&mut self) {
        self.mem.store(TAIL, self.tail | CLOSED);
        self.mem.notify(TAIL);
    }
}

/// The consuming end of the protocol. Owns HEAD and RX_WAITING.
#[derive(Debug)]
pub(crate) struct ReceiverCore<M: Memory> {
    pub(crate) mem: Arc<M>,
    cap: u32,
    head: u32,
    /// Records copied out of the ring in one bulk copy and already released to the
    /// sender, not yet handed to the caller: `batch[batch_pos..]`.
    batch: Vec<u8>,
    batch_pos: usize,
    waiting: bool,
    peer_gone: bool,
    wait: M::AsyncWait,
}

impl<M: Memory> ReceiverCore<M> {
    /// Takes over the receiver side of `mem` (capacity already checked).
    pub(crate) fn attach(mem: Arc<M>, cap: u32) -> Result<Self, Corruption> {
        let word = mem.load(HEAD);
        if word >= 2 * cap {
            return Err(Corruption::HeadOutOfRange {
                head: word,
                limit: 2 * cap,
            });
        }
        Ok(Self {
            mem,
            cap,
            head: word,
            batch: Vec::new(),
            batch_pos: 0,
            waiting: false,
            peer_gone: false,
            wait: M::AsyncWait::default(),
        })
    }

    /// Capacity of the data region in bytes.
    pub(crate) fn capacity(&self) -> usize {
        self.cap as usize
    }

    /// Marks the sender as gone without its cooperation (its thread was terminated):
    /// published records are still delivered, then `Disconnected`.
    pub(crate) fn mark_peer_gone(&mut self) {
        self.peer_gone = true;
    }

    fn set_waiting(&mut self, on: bool) {
        if self.waiting != on {
            self.waiting = on;
            self.mem.store(RX_WAITING, u32::from(on));
        }
    }

    /// Takes the oldest record into `out` (cleared first). Never blocks.
    pub(crate) fn try_recv(&mut self, out: &mut Vec<u8>) -> Result<(), RecvError> {
        self.try_recv_seen(out).map_err(|(e, _)| e)
    }

    /// Hands out the next record of the local batch, if any.
    fn next_from_batch(&mut self, out: &mut Vec<u8>) -> Option<Result<(), Corruption>> {
        let rest = &self.batch[self.batch_pos..];
        if rest.is_empty() {
            return None;
        }
        let Some((len, body)) = rest.split_first_chunk::<LEN_BYTES>() else {
            return Some(Err(Corruption::TruncatedRecord {
                used: rest.len() as u32,
            }));
        };
        let len = u32::from_le_bytes(*len);
        if len as usize > body.len() {
            return Some(Err(Corruption::LengthTooLong {
                len,
                available: body.len() as u32,
            }));
        }
        out.clear();
        out.extend_from_slice(&body[..len as usize]);
        self.batch_pos += LEN_BYTES + len as usize;
        Some(Ok(()))
    }

    /// As `try_recv`, also returning the TAIL word it saw when the ring was empty.
    fn try_recv_seen(&mut self, out: &mut Vec<u8>) -> Result<(), (RecvError, u32)> {
        if let Some(r) = self.next_from_batch(out) {
            return r.map_err(|c| (RecvError::Corrupt(c), 0));
        }
        let cap = self.cap;
        let word = self.mem.load(TAIL);
        let tail = word & !CLOSED;
        let corrupt = |c| Err((RecvError::Corrupt(c), word));
        if tail >= 2 * cap {
            return corrupt(Corruption::TailOutOfRange {
                tail: word,
                limit: 2 * cap,
            });
        }
        let used = distance(self.head, tail, cap);
        if used > cap {
            return corrupt(Corruption::Overfull {
                used,
                capacity: cap,
            });
        }
        if used == 0 {
            let gone = word & CLOSED != 0 || self.peer_gone;
            return Err((
                if gone {
                    RecvError::Disconnected
                } else {
                    RecvError::Empty
                },
                word,
            ));
        }
        if (used as usize) < LEN_BYTES {
            return corrupt(Corruption::TruncatedRecord { used });
        }
        let take = if used as usize <= BATCH_BYTES {
            // Everything published, in one bulk copy: whole records only, since the sender
            // publishes a record with a single TAIL store after writing all of it.
            used
        } else {
            let mut len = [0u8; LEN_BYTES];
            ring_read(&*self.mem, cap, self.head, &mut len);
            let len = u32::from_le_bytes(len);
            if len > used - LEN_BYTES as u32 {
                return corrupt(Corruption::LengthTooLong {
                    len,
                    available: used - LEN_BYTES as u32,
                });
            }
            len + LEN_BYTES as u32
        };
        self.batch.clear();
        self.batch.resize(take as usize, 0);
        self.batch_pos = 0;
        ring_read(&*self.mem, cap, self.head, &mut self.batch);
        // Validate the whole batch before releasing it, so a corrupt record is reported
        // without consuming the ring.
        let mut at = 0usize;
        while at < self.batch.len() {
            let Some((len, body)) = self.batch[at..].split_first_chunk::<LEN_BYTES>() else {
                let used = (self.batch.len() - at) as u32;
                self.batch.clear();
                return corrupt(Corruption::TruncatedRecord { used });
            };
            let len = u32::from_le_bytes(*len);
            if len as usize > body.len() {
                let available = body.len() as u32;
                self.batch.clear();
                return corrupt(Corruption::LengthTooLong { len, available });
            }
            at += LEN_BYTES + len as usize;
        }
        self.head = advance(self.head, take, cap);
        // Release: the sender may reuse these bytes only after this store.
        self.mem.store(HEAD, self.head);
        if self.mem.load(TX_WAITING) != 0 {
            self.mem.notify(HEAD);
        }
        self.set_waiting(false);
        match self.next_from_batch(out) {
            Some(r) => r.map_err(|c| (RecvError::Corrupt(c), word)),
            None => Err((RecvError::Empty, word)),
        }
    }

    /// Takes the oldest record, sleeping until one arrives or `timeout` elapses.
    pub(crate) fn recv_blocking(
        &mut self,
        out: &mut Vec<u8>,
        timeout: Option<Duration>,
    ) -> Result<(), RecvError> {
        let start = self.mem.now_ms();
        loop {
            let seen = match self.try_recv_seen(out) {
                Err((RecvError::Empty, seen)) => seen,
                other => return other.map_err(|(e, _)| e),
            };
            if spin_while_equal(&*self.mem, TAIL, seen, SPIN_BLOCKING) {
                continue;
            }
            let left = match timeout {
                None => None,
                Some(t) => match remaining(&*self.mem, start, t) {
                    Some(left) => Some(left),
                    None => return Err(RecvError::Timeout),
                },
            };
            self.set_waiting(true);
            let outcome = self.mem.wait(TAIL, seen, left);
            self.set_waiting(false);
            match outcome {
                WaitOutcome::NotAllowed => return Err(RecvError::MainThread),
                WaitOutcome::TimedOut => {
                    return match self.try_recv(out) {
                        Err(RecvError::Empty) => Err(RecvError::Timeout),
                        other => other,
                    };
                }
                WaitOutcome::Woken => {}
            }
        }
    }

    /// Takes the oldest record, registering `cx` while the ring is empty.
    pub(crate) fn poll_recv(
        &mut self,
        out: &mut Vec<u8>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), RecvError>> {
        loop {
            let seen = match self.try_recv_seen(out) {
                Err((RecvError::Empty, seen)) => seen,
                other => return Poll::Ready(other.map_err(|(e, _)| e)),
            };
            if spin_while_equal(&*self.mem, TAIL, seen, SPIN_ASYNC) {
                continue;
            }
            self.set_waiting(true);
            if self
                .mem
                .poll_wait(TAIL, seen, &mut self.wait, cx)
                .is_pending()
            {
                return Poll::Pending;
            }
        }
    }

    /// Marks the receiver gone and wakes the sender.
    pub(crate) fn close(&mut self) {
        self.mem.store(HEAD, self.head | CLOSED);
        self.mem.notify(HEAD);
    }
}
