#![doc = include_str!("../README.md")]
//!
//! # Which function
//!
//! | you are on | to send | to receive |
//! |---|---|---|
//! | any thread, never wait | [`try_send`](spsc::Sender::try_send) (a full channel gives the message back) | [`try_recv`](spsc::Receiver::try_recv) |
//! | worker, Node, native thread | [`send`](spsc::Sender::send) (blocks while full) | [`recv`](spsc::Receiver::recv), [`recv_timeout`](spsc::Receiver::recv_timeout) |
//! | browser main thread, or inside an executor | [`send_async`](spsc::Sender::send_async) | [`recv_async`](spsc::Receiver::recv_async), the `Stream` impl |
//! | many small messages at once | [`try_send_batch`](spsc::Sender::try_send_batch), [`send_batch`](spsc::Sender::send_batch), [`send_batch_async`](spsc::Sender::send_batch_async) | as above |
//!
//! Typed channels ([`spsc::channel`]) encode messages with [postcard]: a compact, stable,
//! `no_std` serde format (varint integers, no field names, no padding), so a small message is a
//! few bytes and nothing needs a schema. Byte channels ([`spsc::raw_channel`]) carry `&[u8]`
//! in and `Vec<u8>` (or the caller's `Vec`, reused: [`try_recv_into`](spsc::RawReceiver::try_recv_into))
//! out. [`spsc::duplex`] pairs two channels for request/reply.
//!
//! Blocking on the browser main thread is never a trap: [`recv`](spsc::Receiver::recv) returns
//! [`RecvError::MainThread`] and [`send`](spsc::Sender::send) returns
//! [`SendErrorKind::MainThread`] when they would have to wait.
//!
//! [postcard]: https://docs.rs/postcard
//!
//! # Throughput: send in batches
//!
//! On wasm32 the module's own memory is not shared, so every access to the ring is a JS
//! call: a single send loads the reader's position, copies the record, stores the new write
//! position and checks whether the reader sleeps. For a 64-byte message those calls cost far
//! more than the bytes. The receiver already takes everything published in one copy; the
//! sender does the same when you hand it a batch: [`send_batch_async`](spsc::Sender::send_batch_async)
//! (and the raw [`send_batch_async`](spsc::RawSender::send_batch_async)) encode the messages
//! into one buffer on the wasm side and publish up to a ring's worth of them with one copy
//! and one position store. Messages still arrive one by one, in order; a batch that cannot go
//! on (receiver gone, a message that can never fit) reports how many were sent and gives the
//! rest back ([`BatchSendError`]). The figures are in the book's Benchmarks chapter
//! (`cargo xtask bench`).
//!
//! # Handing an end to a worker (once)
//!
//! `into_js()` turns an end into a plain object
//! `{ end: "sender" | "receiver", version: 2, buffer, ticket, type }` whose `buffer` is the
//! channel's one `SharedArrayBuffer` (header and ring). Post it with `postMessage` (or
//! `workerData` in Node); the structured clone *shares* a `SharedArrayBuffer` rather than
//! copying it. The worker rebuilds the end with `Sender::from_js` / `Receiver::from_js`,
//! which checks the object's shape, the end, the magic number, the capacity and the message
//! type, and re-reads its position from the header. Nothing else crosses: no wasm memory, no
//! closures, so the worker may run a different module (or the same module, instantiated
//! again, as the tests do) and the build needs no threads support. A [`spsc::Duplex`]
//! becomes `{ end: "duplex", sender, receiver }`.
//!
//! **Once.** A value turns back into an end once. Posting it to two workers, rebuilding it
//! twice, or keeping it and rebuilding it after the end was handed on would otherwise give
//! one ring two receivers (each would take some of the messages) or two senders (their
//! records would interleave). So `into_js` moves the end's claim word in the header to a
//! new generation (the value's `ticket`) and `from_js` claims that generation with an
//! atomic compare-and-swap: whichever thread comes first gets the end, every other attempt
//! gets [`ChannelError::AlreadyClaimed`]. To pass an end on, call `into_js` again on the
//! rebuilt end and post the new value. A duplex value is claimed whole or not at all.
//!
//! **Typed.** A typed channel's header records a fingerprint of its message type (the
//! type's name and the encoding's version), so an end rebuilt with another type, say a
//! `Sender<String>`'s value rebuilt as a `Sender<u64>`, is refused with
//! [`ChannelError::TypeMismatch`], naming both types, instead of decoding garbage as
//! `Ok(..)`. Both sides must be built from the same source (the fingerprint comes from
//! `core::any::type_name`, whose text the compiler may change between releases). Byte ends
//! (`RawSender::from_js`, `RawReceiver::from_js`) accept any channel. A refused value
//! (wrong type, wrong end, corrupt) is not claimed: the right code can still rebuild it.
//!
//! # When the other side dies
//!
//! A worker holding one end can end without dropping it: terminated by its parent, closed,
//! or (in Node) exited. The survivor learns it by itself, with no call from the application:
//! a blocked or awaiting `recv` returns every message published before the death, then
//! [`RecvError::Disconnected`]; a `send` returns [`SendErrorKind::Disconnected`] with the
//! message once the ring is full (a dead receiver makes no room).
//!
//! How: every end's header records which thread holds it (each thread has a random name),
//! and two things tell a thread that another one ended.
//!
//! - **Announcements.** `wasm-rs-worker` announces each worker it terminates or whose
//!   export panics or traps (in Node, also each worker that exits by itself) to every thread (an
//!   `EventTarget` in this thread, a `BroadcastChannel` for the others). Each thread
//!   remembers the rings it created or claimed an end of, and on an announcement marks dead
//!   every end the ended thread held there, then wakes its peer. A free thread (the one that
//!   created the ring, typically) so wakes a peer blocked in `recv` or `send` in another
//!   worker. A thread keeps a ring it knows until both ends are closed or dead, so a value
//!   from `into_js` that is never claimed keeps its buffer alive in those threads until they
//!   end.
//! - **Web Locks (browsers).** Every thread holding an end holds a Web Lock for as long as
//!   it lives (a worker started by `wasm-rs-worker` takes it before its export runs; any
//!   other thread takes it with its first end). An end about to wait asynchronously
//!   (`recv_async`, `send_async`, the `Stream`) queues a request for its peer's thread
//!   lock; the engine grants it when that thread is gone, and unless the peer end was closed
//!   or handed on meanwhile, the waiter wakes and gets `Disconnected`. This catches the
//!   deaths nobody announces: a worker that closes itself, or one terminated without
//!   `wasm-rs-worker`.
//!
//! Measured here (the tests terminate a worker mid-stream, sending or receiving, let one
//! end itself, and terminate the sender of a receiver blocked in another worker):
//!
//! | host | how long until the survivor knows |
//! |---|---|
//! | Chromium, Firefox: a worker stopped with wasm-rs-worker's `terminate()` | under 1 ms (Chromium 0.29–0.37 ms, Firefox 0.04–0.10 ms, in the tests); `cargo xtask bench --suite channel` measures it in Chromium and Node against the 100 ms target (`peer-death` on the book's Benchmarks page) |
//! | Firefox: a worker terminated otherwise, or closing itself | under 1 ms, with the page's main thread free (a busy one delays `self.close()`) |
//! | Chromium: a worker terminated otherwise, idle or waiting asynchronously, or closing itself | under 10 ms |
//! | Chromium: a worker terminated otherwise while blocked (a blocking `send`/`recv`) or running | 2 s: Chromium lets such a worker go only after a fixed 2-second grace |
//! | Node 20: a worker started by `wasm-rs-worker`, terminated or exiting | when the thread that started it next runs its event loop (Node has no Web Locks; the `Worker`'s `exit` event is the announcement) |
//! | Node 20: any other worker | not told: call `mark_sender_terminated` / `mark_receiver_terminated` from its `exit` event |
//! | WebKit | no `SharedArrayBuffer` in our tests, so no channel |
//!
//! The Chromium and Firefox figures for workers not stopped through wasm-rs-worker come
//! from the probes in the repository's `runtime/channel/design/peer-death`.
//!
//! Limits. A *blocking* wait (`recv`, `send` in a worker) cannot watch a lock while it
//! blocks: it is woken by an announcement heard in a thread that knows the ring (the one that
//! created it, or held an end of it), not by a death nobody announces; wait asynchronously
//! or use `recv_timeout` where that matters. In Node an announcement needs the starting
//! thread's event loop: a Node main thread blocked in `recv` on a worker it started is not
//! woken by that worker's exit. A worker not started by `wasm-rs-worker` takes its lock with
//! its first end, which Chromium grants only once the worker's event loop turns: a worker
//! that blocks at once from then on is not watched. A panic or a trap (a stack overflow,
//! running out of memory, `unreachable`) is a death only for a worker started by
//! `wasm-rs-worker`, which announces it (the instance cannot run again, though the thread and
//! its lock live on); elsewhere it leaves the thread's ends looking alive.
//!
//! # Cross-origin isolation (COOP/COEP)
//!
//! Browsers expose `SharedArrayBuffer` only to cross-origin isolated pages. Serve the page
//! and its workers with
//!
//! ```text
//! Cross-Origin-Opener-Policy: same-origin
//! Cross-Origin-Embedder-Policy: require-corp
//! ```
//!
//! and check `self.crossOriginIsolated` in the console. `cargo xtask serve` sends both; on a
//! static host that cannot set headers, a small service worker can add them (the book ships
//! one). Without them [`spsc::channel`] returns [`ChannelError::SharedArrayBufferUnavailable`]
//! (tested by removing `SharedArrayBuffer` from the global object). Node and native need
//! nothing.
//!
//! # Waiting on the main thread: `Atomics.waitAsync` and its fallback
//!
//! The async side waits with `Atomics.waitAsync` (Chromium, Firefox, Node ≥ 16): no polling,
//! woken by the peer's `Atomics.notify`. Where an engine lacks it, it falls back to polling with
//! `setTimeout`, starting at 1 ms and doubling to 16 ms while nothing changes: latency up to
//! 16 ms after a quiet period and about 60 wake-ups per second per idle waiter. (Safari
//! currently has no `SharedArrayBuffer` in our tests anyway.) When a full-time
//! `wasm-rs-async-executor` runs on the thread, the wait is handed to the executor instead,
//! which sleeps in `Atomics.wait` when it has nothing else to run and wakes on the next
//! message or its next timer.
//!
//! # Buffer layout and invariants
//!
//! One `SharedArrayBuffer` (natively, one allocation): a 192-byte header of 32-bit words in
//! three 64-byte lines, then the ring of `capacity` bytes.
//!
//! | word | name | written by | meaning |
//! |---|---|---|---|
//! | 0 | MAGIC | creator, before sharing | `0x5753_4332` ("WSC2", layout version 2) |
//! | 1 | CAPACITY | creator, before sharing | ring size in bytes |
//! | 2 | TYPE | creator, before sharing | message-type fingerprint; 0 for a byte channel |
//! | 3 | TX_CLAIM | the sender's owner (`into_js`), its claimant (`from_js`, CAS) | `generation << 1 \| claimed` |
//! | 4 | RX_CLAIM | the receiver's owner, its claimant | the same, for the receiver |
//! | 5–6, 7–8 | TX_OWNER, RX_OWNER | the thread that creates or claims that end | its thread's id (the name of the Web Lock it holds for life); 0 natively |
//! | 9, 10 | TX_DEAD, RX_DEAD | the peer's watcher, once | non-zero: that end's thread ended without closing it |
//! | 16 | TAIL | **sender only** | write position; bit 31 = sender closed |
//! | 17 | TX_WAITING | **sender only** | 1 while the sender sleeps for space |
//! | 32 | HEAD | **receiver only** | read position; bit 31 = receiver closed |
//! | 33 | RX_WAITING | **receiver only** | 1 while the receiver sleeps for data |
//!
//! A record is a little-endian `u32` payload length followed by the payload; records are
//! contiguous and may wrap around the end of the ring. Positions count bytes modulo
//! `2 × capacity` (the ring index is `position mod capacity`), so `TAIL − HEAD` (mod
//! `2 × capacity`) is the number of unread bytes, from 0 (empty) to `capacity` (full) without
//! ambiguity.
//!
//! Why nothing is lost, duplicated or reordered:
//!
//! 1. **One writer per word.** The original crate of this name let both ends update the same
//!    fields; with two threads those read-modify-write races lost and reordered messages.
//!    Here each word has exactly one writer, so each side's view of its own position is
//!    always right and the other side only ever reads it.
//! 2. **Publish after write.** The sender copies the whole record into free space, then stores
//!    TAIL (sequentially consistent `Atomics.store`). The receiver loads TAIL, then reads only
//!    bytes before it. So it never sees a partial record, and records appear in TAIL order,
//!    which is send order.
//! 3. **Release after read.** The receiver copies records out, then stores HEAD. The sender
//!    loads HEAD and writes only between TAIL and HEAD + capacity, so it never overwrites an
//!    unread byte.
//! 4. **No lost wake-up.** A side about to sleep stores its WAITING word, then sleeps with
//!    `Atomics.wait(word, seen)`, which returns at once if the peer's position already moved.
//!    The peer stores its position, then loads WAITING and notifies if it is set. With
//!    sequentially consistent operations at least one of them sees the other's store
//!    (Dekker's argument), so either the sleeper does not sleep or it is notified.
//! 5. **Closing is a position bit.** Dropping an end sets bit 31 of its own position word and
//!    notifies, so a sleeper waiting on that word wakes, and the receiver sees "closed" and
//!    the final TAIL in one load: `Disconnected` only once every published record is read.
//! 6. **A killed peer.** A worker terminated mid-message never stored TAIL for that record,
//!    so the half-written bytes are never read. In browsers the survivor is told (see "When
//!    the other side dies"): a watcher sets the peer's DEAD word and wakes it, and it drains
//!    what was published and then reports `Disconnected`. Elsewhere, call
//!    [`mark_sender_terminated`](spsc::Receiver::mark_sender_terminated) (or
//!    [`mark_receiver_terminated`](spsc::Sender::mark_receiver_terminated)) after
//!    terminating it; `recv_timeout` bounds a wait for a peer that may have died unnoticed.
//! 7. **A faulty peer.** Every position and length read from shared memory is checked against
//!    the capacity this end recorded when it attached (`TAIL`, `HEAD` below `2 × capacity`,
//!    unread bytes at most `capacity`, each record length within the published bytes); a
//!    violation is a [`Corruption`] error, never an out-of-bounds access or a panic. All data
//!    copies are bulk (`Uint8Array::set` / `copy_to` on a `subarray`), one or two JS calls per
//!    record, never one per byte; the receiver copies everything published (up to 64 KiB) in
//!    one call and hands the records out from there.
//!
//! The protocol is written once (a private `protocol` module) over a four-operation
//! backend (load/store a word, copy bytes in/out, wait/notify): `js_sys::Atomics` on wasm32,
//! std atomics with a mutex/condvar (and `AtomicWaker`s for async) natively. It is
//! model-checked with loom (`RUSTFLAGS="--cfg loom" cargo test --release --test loom`),
//! property-tested against a `VecDeque` model, run under Miri, and fuzzed on arbitrary buffer
//! states (`fuzz/`).
//!
//! # Platforms
//!
//! | environment | blocking `send`/`recv` | async | tested |
//! |---|---|---|---|
//! | browser main thread | `MainThread` error when it would wait | `Atomics.waitAsync`, else polling | Chromium |
//! | dedicated worker | `Atomics.wait` | yes | Chromium |
//! | Node (main and `worker_threads`) | `Atomics.wait` | `Atomics.waitAsync` | Node 20 |
//! | native | condvar | `AtomicWaker` | `cargo test`, loom, Miri |
//! | WASI (`wasm32-wasip1`, `wasm32-wasip2`) | `SingleThreaded` error when it would wait (one thread: nothing could end the wait) | `AtomicWaker`, between tasks of one executor | wasmtime |
// docs.rs (`--cfg docsrs`, nightly): label the items that exist on some targets only.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_op_in_unsafe_fn)]

mod backend;
mod error;
mod protocol;
pub mod spsc;

pub use error::{BatchSendError, ChannelError, Corruption, RecvError, SendError, SendErrorKind};
pub use spsc::RequestError;

/// Hooks for fuzzing and corruption tests; not part of the supported API.
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
#[doc(hidden)]
pub mod testing {
    use crate::ChannelError;
    use crate::spsc::{RawReceiver, RawSender};

    /// Number of `u32` words in a channel header.
    pub const HEADER_WORDS: usize = crate::protocol::HEADER_WORDS;
    /// Header word indices: magic, capacity, tail, sender-waiting, head, receiver-waiting.
    pub const WORDS: [usize; 6] = [
        crate::protocol::MAGIC,
        crate::protocol::CAPACITY,
        crate::protocol::TAIL,
        crate::protocol::TX_WAITING,
        crate::protocol::HEAD,
        crate::protocol::RX_WAITING,
    ];
    /// The magic number of a valid header.
    pub const MAGIC_VALUE: u32 = crate::protocol::MAGIC_VALUE;
    /// Most bytes a receiver copies out of the ring at once.
    pub const RECV_BATCH_BYTES: usize = crate::protocol::BATCH_BYTES;

    /// The hand-off protocol of one end's CLAIM word, natively, for the loom model: what
    /// `into_js` (offer) and `from_js` (claim) do to the header on wasm32.
    #[derive(Debug, Clone)]
    pub struct Handoff {
        memory: crate::sync::Arc<crate::backend::Backend>,
    }

    impl Handoff {
        /// A fresh channel header; its sender is generation 0, claimed by its creator.
        pub fn new() -> Self {
            let memory = crate::backend::allocate(crate::protocol::MIN_CAPACITY, 0)
                .expect("a native channel allocates");
            Self {
                memory: crate::sync::Arc::new(memory),
            }
        }

        /// Hands the sender off (`into_js`): returns the ticket of the new generation.
        pub fn offer_sender(&self) -> u32 {
            crate::protocol::offer(&*self.memory, crate::protocol::TX_CLAIM)
        }

        /// Claims generation `ticket` of the sender (`from_js`).
        pub fn claim_sender(&self, ticket: u32) -> Result<(), ChannelError> {
            crate::protocol::claim(&*self.memory, crate::protocol::TX_CLAIM, ticket)
                .map_err(|_| ChannelError::AlreadyClaimed { end: "sender" })
        }
    }

    impl Default for Handoff {
        fn default() -> Self {
            Self::new()
        }
    }

    /// The fingerprint a typed channel of `T` records in its header.
    pub fn fingerprint<T: ?Sized>() -> u32 {
        crate::protocol::fingerprint::<T>()
    }

    /// Builds a sender and a receiver over the given header words and ring bytes, each
    /// attached independently (either may fail on a corrupt header).
    pub fn ends_from_image(
        words: &[u32; HEADER_WORDS],
        data: &[u8],
    ) -> (
        Result<RawSender, ChannelError>,
        Result<RawReceiver, ChannelError>,
    ) {
        crate::spsc::ends_from_image(words, data)
    }
}

/// std or loom synchronisation types, so the native backend is model-checked as written.
mod sync {
    #[cfg(loom)]
    pub(crate) use loom::sync::Arc;
    #[cfg(not(loom))]
    pub(crate) use std::sync::Arc;

    #[cfg(all(loom, not(all(target_family = "wasm", target_os = "unknown"))))]
    pub(crate) use loom::{
        cell::UnsafeCell,
        sync::{
            Condvar, Mutex,
            atomic::{AtomicU32, Ordering},
        },
    };
    #[cfg(all(not(loom), not(all(target_family = "wasm", target_os = "unknown"))))]
    pub(crate) use std::{
        cell::UnsafeCell,
        sync::{
            Condvar, Mutex,
            atomic::{AtomicU32, Ordering},
        },
    };
}
