//! TODO docs
#![forbid(unsafe_op_in_unsafe_fn)]

mod backend;
mod error;
mod protocol;
pub mod spsc;

pub use error::{ChannelError, Corruption, RecvError, SendError, SendErrorKind};
pub use spsc::RequestError;

/// Hooks for fuzzing and corruption tests; not part of the supported API.
#[cfg(not(target_arch = "wasm32"))]
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

    #[cfg(all(loom, not(target_arch = "wasm32")))]
    pub(crate) use loom::{
        cell::UnsafeCell,
        sync::{
            Condvar, Mutex,
            atomic::{AtomicU32, Ordering},
        },
    };
    #[cfg(all(not(loom), not(target_arch = "wasm32")))]
    pub(crate) use std::{
        cell::UnsafeCell,
        sync::{
            Condvar, Mutex,
            atomic::{AtomicU32, Ordering},
        },
    };
}
