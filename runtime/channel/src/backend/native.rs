//! Native backend: the header is an array of atomics, the data region a byte buffer, and
//! waiting is a mutex + condition variable (OS parking) plus one `AtomicWaker` per
//! waitable word for async waiters. Under `cfg(loom)` the same code runs on loom's types,
//! so the model checker sees every header access and every data byte.

use core::task::{Context, Poll};
use core::time::Duration;

use futures_util::task::AtomicWaker;

use super::{Memory, WaitOutcome};
use crate::protocol::{HEAD, HEADER_WORDS, TAIL};
use crate::sync::{AtomicU32, Condvar, Mutex, Ordering, UnsafeCell};

/// A WASI module built without threads (`wasm32-wasip1`, `wasm32-wasip2`): both ends live
/// on the one thread, so a blocking wait could never be ended by the other end.
const SINGLE_THREADED: bool = cfg!(all(target_os = "wasi", not(target_feature = "atomics")));

/// One channel's shared memory, owned jointly (through an `Arc`) by both ends.
pub(crate) struct NativeMemory {
    words: Box<[AtomicU32]>,
    data: Box<[UnsafeCell<u8>]>,
    lock: Mutex<()>,
    parked: Condvar,
    tail_waker: AtomicWaker,
    head_waker: AtomicWaker,
}

impl core::fmt::Debug for NativeMemory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NativeMemory")
            .field("data_len", &self.data.len())
            .finish_non_exhaustive()
    }
}

// SAFETY: the data cells are only accessed through `read`/`write`, whose callers (the ring
// protocol) touch disjoint byte ranges from the two ends: the sender writes only bytes the
// receiver has released (between tail and head + capacity), the receiver reads only bytes
// the sender has published (between head and tail); publication and release are
// sequentially consistent stores/loads of TAIL and HEAD, which order the byte copies.
unsafe impl Sync for NativeMemory {}
// SAFETY: all fields are owned data; see the `Sync` impl for the shared cells.
unsafe impl Send for NativeMemory {}

impl NativeMemory {
    /// A zeroed header and data region of `capacity` bytes.
    pub(crate) fn new(capacity: usize) -> Self {
        Self::from_image(&[0; HEADER_WORDS], &vec![0; capacity])
    }

    /// Memory holding exactly the given header words and data bytes.
    pub(crate) fn from_image(words: &[u32], data: &[u8]) -> Self {
        Self {
            words: words.iter().map(|&w| AtomicU32::new(w)).collect(),
            data: data.iter().map(|&b| UnsafeCell::new(b)).collect(),
            lock: Mutex::new(()),
            parked: Condvar::new(),
            tail_waker: AtomicWaker::new(),
            head_waker: AtomicWaker::new(),
        }
    }

    fn waker(&self, index: usize) -> Option<&AtomicWaker> {
        match index {
            TAIL => Some(&self.tail_waker),
            HEAD => Some(&self.head_waker),
            _ => None,
        }
    }
}

impl Memory for NativeMemory {
    type AsyncWait = ();

    fn load(&self, index: usize) -> u32 {
        self.words[index].load(Ordering::SeqCst)
    }

    fn store(&self, index: usize, value: u32) {
        self.words[index].store(value, Ordering::SeqCst);
    }

    fn compare_exchange(&self, index: usize, current: u32, new: u32) -> Result<u32, u32> {
        self.words[index].compare_exchange(current, new, Ordering::SeqCst, Ordering::SeqCst)
    }

    #[cfg(not(loom))]
    fn read(&self, at: usize, out: &mut [u8]) {
        let cells = &self.data[at..at + out.len()];
        // SAFETY: `cells` is in bounds (slicing checked it) and `UnsafeCell<u8>` has the
        // layout of `u8`, so the pointer covers `out.len()` initialised bytes. No other
        // thread writes these bytes now: the protocol only reads published bytes, which
        // the sender will not touch again until this end releases them (see `Sync`).
        unsafe {
            core::ptr::copy_nonoverlapping(
                UnsafeCell::raw_get(cells.as_ptr()).cast_const(),
                out.as_mut_ptr(),
                out.len(),
            );
        }
    }

    #[cfg(not(loom))]
    fn write(&self, at: usize, src: &[u8]) {
        let cells = &self.data[at..at + src.len()];
        // SAFETY: in bounds as above; no other thread reads or writes these bytes now:
        // the sender only writes free space, which the receiver does not read until the
        // next TAIL store publishes it.
        unsafe {
            core::ptr::copy_nonoverlapping(
                src.as_ptr(),
                UnsafeCell::raw_get(cells.as_ptr()),
                src.len(),
            );
        }
    }

    #[cfg(loom)]
    fn read(&self, at: usize, out: &mut [u8]) {
        for (cell, byte) in self.data[at..at + out.len()].iter().zip(out) {
            // SAFETY: loom checks that no write to this byte is concurrent with this read.
            *byte = cell.with(|p| unsafe { *p });
        }
    }

    #[cfg(loom)]
    fn write(&self, at: usize, src: &[u8]) {
        for (cell, byte) in self.data[at..at + src.len()].iter().zip(src) {
            // SAFETY: loom checks that no access to this byte is concurrent with this write.
            cell.with_mut(|p| unsafe { *p = *byte });
        }
    }

    fn now_ms(&self) -> f64 {
        static BASE: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        BASE.get_or_init(std::time::Instant::now)
            .elapsed()
            .as_secs_f64()
            * 1000.0
    }

    fn notify(&self, index: usize) {
        // Taking the lock orders this notify after any waiter's check-then-sleep.
        drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()));
        self.parked.notify_all();
        if let Some(w) = self.waker(index) {
            w.wake();
        }
    }

    fn wait(&self, index: usize, expected: u32, timeout: Option<Duration>) -> WaitOutcome {
        if SINGLE_THREADED {
            // Nothing else runs while this thread waits: the word cannot change. std's
            // condition variable would panic here ("condvar wait not supported") without
            // a timeout, and only sleep with one.
            return match timeout {
                _ if self.load(index) != expected => WaitOutcome::Woken,
                None => WaitOutcome::SingleThreaded,
                Some(d) => {
                    std::thread::sleep(d);
                    WaitOutcome::TimedOut
                }
            };
        }
        let guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if self.load(index) != expected {
            return WaitOutcome::Woken;
        }
        match timeout {
            None => {
                drop(self.parked.wait(guard).unwrap_or_else(|e| e.into_inner()));
                WaitOutcome::Woken
            }
            Some(d) => {
                let (_guard, result) = self
                    .parked
                    .wait_timeout(guard, d)
                    .unwrap_or_else(|e| e.into_inner());
                if result.timed_out() {
                    WaitOutcome::TimedOut
                } else {
                    WaitOutcome::Woken
                }
            }
        }
    }

    fn poll_wait(
        &self,
        index: usize,
        expected: u32,
        _state: &mut (),
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        let Some(w) = self.waker(index) else {
            return Poll::Ready(());
        };
        w.register(cx.waker());
        if self.load(index) != expected {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}
