//! The two small backends the ring protocol runs over.
//!
//! [`crate::protocol`] is written once against [`Memory`]; a backend only knows how to
//! load/store one header word with sequentially consistent ordering, copy bytes in and out
//! of the data region, and sleep or wake on a header word. Everything else (positions,
//! validation, the waiting flags) lives in the protocol.

use core::task::{Context, Poll};
use core::time::Duration;

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
pub(crate) mod native;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub(crate) mod wasm;

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
pub(crate) use native::NativeMemory as Backend;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub(crate) use wasm::WasmMemory as Backend;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub(crate) use wasm::record_owner;

/// Records which thread holds `end` (natively nothing: a thread's death is not detected
/// there; `mark_*_terminated` is the way).
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
pub(crate) fn record_owner(_memory: &Backend, _end: End) {}

/// One end of a channel, for the words that belong to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    Sender,
    Receiver,
}

/// A fresh, initialised channel memory with a data region of `capacity` bytes, carrying
/// messages of type `message_type` (a fingerprint, or `protocol::RAW`).
pub(crate) fn allocate(capacity: usize, message_type: u32) -> Result<Backend, crate::ChannelError> {
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    let memory = Backend::new(capacity);
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    let memory = Backend::new(capacity)?;
    crate::protocol::init(&memory, capacity as u32, message_type);
    Ok(memory)
}

/// How a blocking wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitOutcome {
    /// Woken, or the word already differed: re-check the state.
    Woken,
    /// The timeout elapsed.
    TimedOut,
    /// This thread may not block (the browser main thread).
    #[cfg_attr(
        not(all(target_family = "wasm", target_os = "unknown")),
        allow(dead_code, reason = "only the JS backend refuses to block")
    )]
    NotAllowed,
    /// Blocking could never end: a WASI module without threads has no other thread to
    /// change the word.
    #[cfg_attr(
        all(target_family = "wasm", target_os = "unknown"),
        allow(dead_code, reason = "only the native backend, on WASI, reports it")
    )]
    SingleThreaded,
}

/// Shared memory holding one channel: a header of `u32` words and a data region.
pub(crate) trait Memory {
    /// Per-end state of an asynchronous wait (a pending promise on wasm32).
    type AsyncWait: Default + core::fmt::Debug;

    /// Loads header word `index` (sequentially consistent).
    fn load(&self, index: usize) -> u32;
    /// Stores header word `index` (sequentially consistent).
    fn store(&self, index: usize, value: u32);
    /// Stores `new` in header word `index` if it holds `current` (sequentially consistent);
    /// `Ok` with the old value if it did, `Err` with the value found if not.
    fn compare_exchange(&self, index: usize, current: u32, new: u32) -> Result<u32, u32>;
    /// Copies `out.len()` bytes of the data region starting at `at` into `out`.
    /// The caller guarantees `at + out.len() <= capacity`.
    fn read(&self, at: usize, out: &mut [u8]);
    /// Copies `src` into the data region at `at`.
    /// The caller guarantees `at + src.len() <= capacity`.
    fn write(&self, at: usize, src: &[u8]);
    /// A monotonic clock in milliseconds, for computing what is left of a timeout.
    fn now_ms(&self) -> f64;
    /// Wakes every thread or task waiting on header word `index`.
    fn notify(&self, index: usize);
    /// Blocks while word `index` equals `expected`, until notified or `timeout` elapses.
    fn wait(&self, index: usize, expected: u32, timeout: Option<Duration>) -> WaitOutcome;
    /// Arranges for `cx`'s waker to be woken once word `index` may no longer equal
    /// `expected`. `Ready` means "re-check now" (the word already changed, or an earlier
    /// wait completed); `Pending` means a wake-up is registered.
    fn poll_wait(
        &self,
        index: usize,
        expected: u32,
        state: &mut Self::AsyncWait,
        cx: &mut Context<'_>,
    ) -> Poll<()>;
}
