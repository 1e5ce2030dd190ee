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
/// Header word: the message type's [`fingerprint`], [`RAW`] for a byte channel (creator,
/// before sharing).
pub(crate) const TYPE: usize = 2;
/// Header word: the sender's hand-off state, `generation << 1 | claimed` (see [`offer`]).
pub(crate) const TX_CLAIM: usize = 3;
/// Header word: the receiver's hand-off state, as [`TX_CLAIM`].
pub(crate) const RX_CLAIM: usize = 4;
/// Header words: the id of the thread holding the sender (two words; zero when unknown),
/// written by that thread when it creates or claims the end. On wasm32 it names the Web
/// Lock the thread holds for as long as it lives.
#[cfg_attr(
    not(all(target_family = "wasm", target_os = "unknown")),
    allow(dead_code, reason = "only the JS backend knows threads by their locks")
)]
pub(crate) const TX_OWNER: usize = 5;
/// Header words: the same for the receiver.
#[cfg_attr(
    not(all(target_family = "wasm", target_os = "unknown")),
    allow(dead_code, reason = "only the JS backend knows threads by their locks")
)]
pub(crate) const RX_OWNER: usize = 7;
/// Header word: non-zero once a watcher saw the sender's thread end without closing it
/// (written by the receiver's thread, once).
pub(crate) const TX_DEAD: usize = 9;
/// Header word: non-zero once a watcher saw the receiver's thread end without closing it.
pub(crate) const RX_DEAD: usize = 10;
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
    not(all(target_family = "wasm", target_os = "unknown")),
    allow(dead_code, reason = "only the wasm32 backend addresses bytes")
)]
pub(crate) const HEADER_BYTES: usize = HEADER_WORDS * 4;
/// "WSC2": wasm-rs shared channel, layout version 2 (version 1 had no TYPE and CLAIM words).
pub(crate) const MAGIC_VALUE: u32 = 0x5753_4332;
/// The [`TYPE`] of a byte channel.
pub(crate) const RAW: u32 = 0;
/// Bit 0 of a CLAIM word: this generation of the end has been claimed (is live).
const CLAIMED: u32 = 1;
/// What typed messages are encoded with; part of every type fingerprint, so a change of
/// encoding reads as a different type.
const ENCODING: &str = "postcard 1;";
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

/// Published bytes up to this size are copied out in one batch. 1 KiB under Miri, where
/// every byte copied is interpreted, so that its tests reach the multi-batch paths cheaply.
pub(crate) const BATCH_BYTES: usize = if cfg!(miri) { 1024 } else { 64 * 1024 };
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

/// Writes the header of a fresh channel (before either end is shared): both ends are
/// generation 0, claimed by the creator.
pub(crate) fn init<M: Memory>(mem: &M, capacity: u32, message_type: u32) {
    for i in 0..HEADER_WORDS {
        mem.store(i, 0);
    }
    mem.store(CAPACITY, capacity);
    mem.store(TYPE, message_type);
    mem.store(TX_CLAIM, CLAIMED);
    mem.store(RX_CLAIM, CLAIMED);
    mem.store(MAGIC, MAGIC_VALUE);
}

/// The fingerprint of message type `T` in a typed channel's header: 32-bit FNV-1a of the
/// encoding's name and version and of `T`'s name. Never [`RAW`].
pub(crate) fn fingerprint<T: ?Sized>() -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in ENCODING.bytes().chain(core::any::type_name::<T>().bytes()) {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    if hash == RAW { 1 } else { hash }
}

/// Hands an end off: moves its CLAIM word (`TX_CLAIM` or `RX_CLAIM`) to the next
/// generation, unclaimed, and returns that generation: the ticket the JS value carries.
/// Only the live end's owner calls it, so nothing else writes the word meanwhile.
pub(crate) fn offer<M: Memory>(mem: &M, word: usize) -> u32 {
    let ticket = ((mem.load(word) >> 1) + 1) & (u32::MAX >> 1);
    mem.store(word, ticket << 1);
    ticket
}

/// Claims generation `ticket` of an end. Of any number of claims of one ticket, in any
/// threads, exactly one succeeds; a ticket older than the word's generation (a value kept
/// from an earlier hand-off) never does. `Err` carries the word found.
pub(crate) fn claim<M: Memory>(mem: &M, word: usize, ticket: u32) -> Result<(), u32> {
    let offered = ticket << 1;
    mem.compare_exchange(word, offered, offered | CLAIMED)
        .map(|_| ())
}

/// Takes back a claim that just succeeded (a duplex whose other half could not be
/// claimed), so the value can still be claimed once.
#[cfg_attr(
    not(all(target_family = "wasm", target_os = "unknown")),
    allow(dead_code, reason = "only the JS hand-off rebuilds duplex ends")
)]
pub(crate) fn unclaim<M: Memory>(mem: &M, word: usize, ticket: u32) {
    mem.store(word, ticket << 1);
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

/// Appends the record for `payload` (its length as a little-endian `u32`, then the
/// payload) to `out`. The caller has checked the length against the capacity.
pub(crate) fn push_record(out: &mut Vec<u8>, payload: &[u8]) {
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
}

/// The longest prefix of whole records of `records` (built by [`push_record`]) that is at
/// most `limit` bytes long: `(bytes, records)`.
pub(crate) fn whole_records_within(records: &[u8], limit: usize) -> (usize, usize) {
    let (mut bytes, mut count) = (0usize, 0usize);
    while let Some((len, _)) = records[bytes..].split_first_chunk::<LEN_BYTES>() {
        let next = bytes + LEN_BYTES + u32::from_le_bytes(*len) as usize;
        if next > limit || next > records.len() {
            break;
        }
        bytes = next;
        count += 1;
    }
    (bytes, count)
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
    /// Records of a batch staged for publication (at most one ring's worth at a time).
    staging: Vec<u8>,
    /// The HEAD word the last [`free`](Self::free) loaded: what a waiting sender sleeps on,
    /// so a full ring costs one load of HEAD, not two.
    head_seen: u32,
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
            staging: Vec::new(),
            head_seen: 0,
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
    fn free(&mut self) -> Result<u32, SendErrorKind> {
        let word = self.mem.load(HEAD);
        self.head_seen = word;
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
        self.check_len(payload.len())?;
        let frame = self.framed(payload);
        let result = self.try_publish(&frame).map(|_| ());
        self.frame = frame;
        result
    }

    /// `TooLarge` unless a payload of `len` bytes fits in an empty ring.
    pub(crate) fn check_len(&self, len: usize) -> Result<(), SendErrorKind> {
        if len.saturating_add(LEN_BYTES) > self.cap as usize {
            return Err(SendErrorKind::TooLarge {
                len,
                max: self.max_message(),
            });
        }
        Ok(())
    }

    /// The record for `payload` (length prefix, then payload) in the reused frame buffer,
    /// taken out of `self`; put it back after use.
    fn framed(&mut self, payload: &[u8]) -> Vec<u8> {
        let mut frame = core::mem::take(&mut self.frame);
        frame.clear();
        push_record(&mut frame, payload);
        frame
    }

    /// Publishes the longest prefix of whole records of `records` that fits now, with one
    /// bulk copy and one TAIL store, and returns `(bytes, records)` published: at least
    /// one record, or `Full` when not even the first fits. `records` is a sequence of
    /// records built by [`push_record`], each no larger than the capacity.
    pub(crate) fn try_publish(&mut self, records: &[u8]) -> Result<(usize, usize), SendErrorKind> {
        let free = self.free()? as usize;
        let (bytes, count) = whole_records_within(records, free);
        if count == 0 {
            // Full: a receiver whose thread ended will never make room.
            if self.mem.load(RX_DEAD) != 0 {
                return Err(SendErrorKind::Disconnected);
            }
            return Err(SendErrorKind::Full);
        }
        ring_write(&*self.mem, self.cap, self.tail, &records[..bytes]);
        self.tail = advance(self.tail, bytes as u32, self.cap);
        // Publication: the receiver sees the records only after this store.
        self.mem.store(TAIL, self.tail);
        if self.mem.load(RX_WAITING) != 0 {
            self.mem.notify(TAIL);
        }
        self.set_waiting(false);
        Ok((bytes, count))
    }

    fn set_waiting(&mut self, on: bool) {
        if self.waiting != on {
            self.waiting = on;
            self.mem.store(TX_WAITING, u32::from(on));
        }
    }

    /// Appends one record, sleeping while the ring is full.
    pub(crate) fn send_blocking(&mut self, payload: &[u8]) -> Result<(), SendErrorKind> {
        self.check_len(payload.len())?;
        let frame = self.framed(payload);
        let result = self.publish_blocking(&frame).map(|_| ());
        self.frame = frame;
        result
    }

    /// As [`try_publish`](Self::try_publish), sleeping while not even the first record fits.
    pub(crate) fn publish_blocking(
        &mut self,
        records: &[u8],
    ) -> Result<(usize, usize), SendErrorKind> {
        loop {
            match self.try_publish(records) {
                // Full as of the HEAD word `free` loaded: sleep only while it still holds.
                Err(SendErrorKind::Full) => {}
                other => return other,
            }
            let seen = self.head_seen;
            if spin_while_equal(&*self.mem, HEAD, seen, SPIN_BLOCKING) {
                continue;
            }
            // Announce, then sleep only if HEAD still holds what we saw (Dekker with the
            // receiver's "store HEAD, then load TX_WAITING").
            self.set_waiting(true);
            let outcome = self.mem.wait(HEAD, seen, None);
            self.set_waiting(false);
            match outcome {
                WaitOutcome::NotAllowed => return Err(SendErrorKind::MainThread),
                WaitOutcome::SingleThreaded => return Err(SendErrorKind::SingleThreaded),
                WaitOutcome::Woken | WaitOutcome::TimedOut => {}
            }
        }
    }

    /// Appends one record once there is space, registering `cx` while the ring is full.
    pub(crate) fn poll_send(
        &mut self,
        payload: &[u8],
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), SendErrorKind>> {
        if let Err(e) = self.check_len(payload.len()) {
            return Poll::Ready(Err(e));
        }
        let frame = self.framed(payload);
        let result = self.poll_publish(&frame, cx).map_ok(|_| ());
        self.frame = frame;
        result
    }

    /// As [`try_publish`](Self::try_publish), registering `cx` while not even the first
    /// record fits.
    pub(crate) fn poll_publish(
        &mut self,
        records: &[u8],
        cx: &mut Context<'_>,
    ) -> Poll<Result<(usize, usize), SendErrorKind>> {
        loop {
            match self.try_publish(records) {
                // Full as of the HEAD word `free` loaded: sleep only while it still holds.
                Err(SendErrorKind::Full) => {}
                other => return Poll::Ready(other),
            }
            let seen = self.head_seen;
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

    /// Stages the records of messages `from..total` into `staging` (cleared first), stopping
    /// before the record that would take it past one ring's worth of bytes. `encode(i, out)`
    /// appends message `i`'s payload to `out`. Returns the index after the last staged
    /// message and, when message `end` cannot be sent at all, why.
    fn stage(
        &self,
        staging: &mut Vec<u8>,
        from: usize,
        total: usize,
        encode: &mut impl FnMut(usize, &mut Vec<u8>) -> Result<(), SendErrorKind>,
    ) -> (usize, Option<SendErrorKind>) {
        staging.clear();
        let limit = self.cap as usize;
        for i in from..total {
            let start = staging.len();
            staging.extend_from_slice(&[0; LEN_BYTES]);
            let checked = encode(i, staging).and_then(|()| {
                let len = staging.len() - start - LEN_BYTES;
                self.check_len(len).map(|()| len)
            });
            match checked {
                Ok(_) if staging.len() > limit => {
                    staging.truncate(start);
                    return (i, None);
                }
                Ok(len) => {
                    staging[start..start + LEN_BYTES].copy_from_slice(&(len as u32).to_le_bytes());
                }
                Err(kind) => {
                    staging.truncate(start);
                    return (i, Some(kind));
                }
            }
        }
        (total, None)
    }

    /// Sends messages `0..total` in order (payloads appended by `encode`), a ring's worth
    /// of records per bulk copy and TAIL store, through `publish` (`try_publish` or
    /// `publish_blocking`). On error, returns how many were sent and why.
    pub(crate) fn send_batch(
        &mut self,
        total: usize,
        mut encode: impl FnMut(usize, &mut Vec<u8>) -> Result<(), SendErrorKind>,
        mut publish: impl FnMut(&mut Self, &[u8]) -> Result<(usize, usize), SendErrorKind>,
    ) -> Result<(), (usize, SendErrorKind)> {
        let mut staging = core::mem::take(&mut self.staging);
        let mut sent = 0;
        let result = 'batch: loop {
            if sent == total {
                break Ok(());
            }
            let (_, stop) = self.stage(&mut staging, sent, total, &mut encode);
            let mut at = 0;
            while at < staging.len() {
                match publish(self, &staging[at..]) {
                    Ok((bytes, records)) => {
                        at += bytes;
                        sent += records;
                    }
                    Err(kind) => break 'batch Err((sent, kind)),
                }
            }
            if let Some(kind) = stop {
                break Err((sent, kind));
            }
        };
        self.staging = staging;
        result
    }

    /// As [`send_batch`](Self::send_batch), waiting asynchronously while the ring is full.
    pub(crate) async fn send_batch_async(
        &mut self,
        total: usize,
        mut encode: impl FnMut(usize, &mut Vec<u8>) -> Result<(), SendErrorKind>,
    ) -> Result<(), (usize, SendErrorKind)> {
        let mut staging = core::mem::take(&mut self.staging);
        let mut sent = 0;
        let result = 'batch: loop {
            if sent == total {
                break Ok(());
            }
            let (_, stop) = self.stage(&mut staging, sent, total, &mut encode);
            let mut at = 0;
            while at < staging.len() {
                let records = &staging[at..];
                match core::future::poll_fn(|cx| self.poll_publish(records, cx)).await {
                    Ok((bytes, count)) => {
                        at += bytes;
                        sent += count;
                    }
                    Err(kind) => break 'batch Err((sent, kind)),
                }
            }
            if let Some(kind) = stop {
                break Err((sent, kind));
            }
        };
        self.staging = staging;
        result
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
            // Empty: a sender whose thread ended will never publish more.
            let gone = word & CLOSED != 0 || self.peer_gone || self.mem.load(TX_DEAD) != 0;
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
        self.batch.clear();
        self.batch_pos = 0;
        if used as usize <= BATCH_BYTES {
            // Everything published, in one bulk copy: whole records only, since the sender
            // publishes a record with a single TAIL store after writing all of it.
            self.batch.resize(used as usize, 0);
            ring_read(&*self.mem, cap, self.head, &mut self.batch);
        } else {
            // More than one batch is waiting (the sender got ahead): copy one batch's worth
            // and keep its whole records, so a backlog is still drained a batch per copy
            // rather than a record per copy.
            self.batch.resize(BATCH_BYTES, 0);
            ring_read(&*self.mem, cap, self.head, &mut self.batch);
            let (bytes, records) = whole_records_within(&self.batch, BATCH_BYTES);
            if records > 0 {
                self.batch.truncate(bytes);
            } else {
                // The first record alone is larger than a batch: take just it.
                let len = match self.batch.first_chunk::<LEN_BYTES>() {
                    Some(len) => u32::from_le_bytes(*len),
                    None => u32::MAX, // BATCH_BYTES is larger than a prefix; never taken
                };
                if len > used - LEN_BYTES as u32 {
                    self.batch.clear();
                    return corrupt(Corruption::LengthTooLong {
                        len,
                        available: used - LEN_BYTES as u32,
                    });
                }
                self.batch.resize((len + LEN_BYTES as u32) as usize, 0);
                ring_read(&*self.mem, cap, self.head, &mut self.batch);
            }
        }
        let take = self.batch.len() as u32;
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

    /// Takes the oldest record, sleeping until one arrives or `timeout` elapses. A record
    /// already there costs what [`try_recv`](Self::try_recv) costs: the waiting code is
    /// out of line, entered only when the ring is empty.
    #[inline]
    pub(crate) fn recv_blocking(
        &mut self,
        out: &mut Vec<u8>,
        timeout: Option<Duration>,
    ) -> Result<(), RecvError> {
        match self.try_recv(out) {
            Err(RecvError::Empty) => self.recv_waiting(out, timeout),
            other => other,
        }
    }

    #[inline(never)]
    fn recv_waiting(
        &mut self,
        out: &mut Vec<u8>,
        timeout: Option<Duration>,
    ) -> Result<(), RecvError> {
        // The clock is read only once the ring turns out empty: on wasm32 that is several
        // JS calls, which a message already there must not pay for.
        let mut start: Option<f64> = None;
        loop {
            let seen = match self.try_recv_seen(out) {
                Err((RecvError::Empty, seen)) => seen,
                other => return other.map_err(|(e, _)| e),
            };
            if spin_while_equal(&*self.mem, TAIL, seen, SPIN_BLOCKING) {
                continue;
            }
            let left = match timeout {
                Some(t) => {
                    let start = *start.get_or_insert_with(|| self.mem.now_ms());
                    match remaining(&*self.mem, start, t) {
                        Some(left) => Some(left),
                        None => return Err(RecvError::Timeout),
                    }
                }
                None => None,
            };
            self.set_waiting(true);
            let outcome = self.mem.wait(TAIL, seen, left);
            self.set_waiting(false);
            match outcome {
                WaitOutcome::NotAllowed => return Err(RecvError::MainThread),
                WaitOutcome::SingleThreaded => return Err(RecvError::SingleThreaded),
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
