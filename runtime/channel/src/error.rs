//! Error values. Every message says what happened and what to do next.

use core::fmt;

/// A header or record that a correct peer could never have written.
///
/// Returned inside [`RecvError::Corrupt`], [`SendErrorKind::Corrupt`] and
/// [`ChannelError::Corrupt`]. The channel does not touch memory outside the buffer and does
/// not panic; the only remedy is to drop both ends and build a new channel.
///
/// ```
/// use wasm_rs_shared_channel::Corruption;
/// let c = Corruption::BadMagic { found: 7 };
/// assert!(c.to_string().contains("magic"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Corruption {
    /// The first header word is not the channel's magic number.
    #[error(
        "the buffer does not start with the channel's magic number (found {found:#x}): it is not a wasm-rs-shared-channel buffer"
    )]
    BadMagic {
        /// The word found.
        found: u32,
    },
    /// The capacity word disagrees with the buffer's real size or the allowed range.
    #[error("the header says the capacity is {header} bytes but the data region is {actual} bytes")]
    BadCapacity {
        /// Capacity in the header.
        header: u32,
        /// Real size of the data region.
        actual: usize,
    },
    /// The write position is outside `0..2 * capacity`.
    #[error("the write position word {tail:#x} is outside 0..{limit}")]
    TailOutOfRange {
        /// The TAIL word read.
        tail: u32,
        /// Two times the capacity.
        limit: u32,
    },
    /// The read position is outside `0..2 * capacity`.
    #[error("the read position word {head:#x} is outside 0..{limit}")]
    HeadOutOfRange {
        /// The HEAD word read.
        head: u32,
        /// Two times the capacity.
        limit: u32,
    },
    /// Positions claim more unread bytes than the ring holds.
    #[error("the positions claim {used} unread bytes in a ring of {capacity}")]
    Overfull {
        /// Unread bytes claimed.
        used: u32,
        /// Capacity of the ring.
        capacity: u32,
    },
    /// Fewer unread bytes than a record's length prefix.
    #[error("{used} unread bytes is less than one record's 4-byte length prefix")]
    TruncatedRecord {
        /// Unread bytes.
        used: u32,
    },
    /// A record's length prefix runs past the published bytes.
    #[error("a record claims {len} bytes but only {available} are published")]
    LengthTooLong {
        /// Length in the prefix.
        len: u32,
        /// Bytes actually published after the prefix.
        available: u32,
    },
}

/// Why a channel could not be created or rebuilt from a `JsValue`.
///
/// ```
/// use wasm_rs_shared_channel::{ChannelError, spsc};
/// let err = spsc::channel::<u32>(2).unwrap_err();
/// assert!(matches!(err, ChannelError::InvalidCapacity { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The requested capacity is out of range.
    #[error(
        "capacity {requested} bytes is out of range: choose between {min} and {max} bytes (each message also takes 4 bytes of framing)"
    )]
    InvalidCapacity {
        /// The capacity asked for.
        requested: usize,
        /// Smallest allowed.
        min: usize,
        /// Largest allowed.
        max: usize,
    },
    /// `SharedArrayBuffer` is not available in this JavaScript context.
    #[error(
        "SharedArrayBuffer is not available: serve the page with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` (check `crossOriginIsolated`), or fall back to postMessage"
    )]
    SharedArrayBufferUnavailable,
    /// The `JsValue` is not a channel end produced by `into_js`.
    #[error(
        "the value is not a channel end made by `into_js` ({0}): post the value `into_js` returned, unchanged"
    )]
    NotAChannelEnd(String),
    /// The `JsValue` is the other end (a receiver passed to `Sender::from_js`, or vice versa).
    #[error(
        "the value is a {found} end, expected a {expected} end: call from_js on the type that matches the end you posted"
    )]
    WrongEnd {
        /// The end expected.
        expected: &'static str,
        /// The end found.
        found: String,
    },
    /// The buffer's header is not a valid channel header.
    #[error("the channel buffer is corrupt: {0}")]
    Corrupt(Corruption),
    /// The value was already turned back into an end, in this thread or another (or it
    /// is a value from an earlier hand-off of an end that has been handed on since). Each
    /// value `into_js` returns can be rebuilt once, so one ring never has two senders or
    /// two receivers.
    #[error(
        "this {end} end was already rebuilt from this value (in this thread or another): each value `into_js` returns can be turned back into an end once. Post it to one thread only; to hand the end on, call `into_js` again on the rebuilt end and post that value"
    )]
    AlreadyClaimed {
        /// `"sender"` or `"receiver"`.
        end: &'static str,
    },
    /// The channel was created for another message type than the one this end was
    /// rebuilt with.
    #[error(
        "the channel carries {found} messages but this end was rebuilt for {expected}: rebuild it with the type the channel was created with, or use RawSender/RawReceiver to handle bytes"
    )]
    TypeMismatch {
        /// The message type this end was rebuilt with.
        expected: String,
        /// The message type the channel was created with, as the value named it.
        found: String,
    },
}

/// Why a receive returned no message.
///
/// ```
/// use wasm_rs_shared_channel::{RecvError, spsc};
/// let (_tx, mut rx) = spsc::channel::<u32>(64)?;
/// assert_eq!(rx.try_recv(), Err(RecvError::Empty));
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecvError {
    /// No message now (only from `try_recv`); the sender is still there.
    #[error("the channel is empty: try again later, or use recv_async()/recv() to wait")]
    Empty,
    /// No message arrived within the timeout (only from `recv_timeout`).
    #[error(
        "no message arrived within the timeout (if the sender's thread may have ended unannounced, as a Node worker not started by wasm-rs-worker can, call mark_sender_terminated() from its exit event)"
    )]
    Timeout,
    /// The sender is gone (dropped, or its thread ended) and every message it sent has been
    /// received.
    #[error(
        "the sender was dropped or its thread ended, and every message has been received: stop receiving"
    )]
    Disconnected,
    /// A blocking receive was called on the browser main thread, where `Atomics.wait` is
    /// forbidden.
    #[error(
        "Atomics.wait is not allowed on the browser main thread: use recv_async() or the Stream instead of recv()"
    )]
    MainThread,
    /// A blocking receive on an empty channel in a WASI module without threads: no
    /// sender can run while this thread waits, so it would wait forever.
    #[error(
        "recv() on an empty channel would wait forever: this WASI module has one thread, so no sender can run meanwhile. Use recv_async() on the executor, try_recv(), or recv_timeout()"
    )]
    SingleThreaded,
    /// The buffer holds a state no correct sender writes.
    #[error("the channel buffer is corrupt ({0}): drop both ends and create a new channel")]
    Corrupt(Corruption),
    /// The bytes did not decode as the receiver's message type.
    #[error(
        "a message did not decode as the expected type ({0}): both ends must use the same message type"
    )]
    Decode(String),
}

/// Why a send did not enqueue the message; see [`SendError`].
///
/// ```
/// use wasm_rs_shared_channel::{SendErrorKind, spsc};
/// let (mut tx, _rx) = spsc::channel::<u32>(8)?;
/// tx.try_send(1).unwrap();
/// assert_eq!(tx.try_send(2).unwrap_err().kind(), &SendErrorKind::Full);
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendErrorKind {
    /// No room now (only from `try_send`).
    #[error(
        "the channel is full: try again after the receiver catches up, or use send_async()/send() to wait"
    )]
    Full,
    /// The receiver is gone (dropped, or its thread ended); nothing more will be read.
    #[error("the receiver was dropped or its thread ended: stop sending")]
    Disconnected,
    /// The encoded message can never fit in this channel.
    #[error(
        "the message is {len} bytes but this channel carries at most {max} bytes per message: create the channel with a larger capacity or split the message"
    )]
    TooLarge {
        /// Encoded length of the message.
        len: usize,
        /// Largest payload (capacity minus 4 bytes of framing).
        max: usize,
    },
    /// A blocking send was called on the browser main thread.
    #[error(
        "Atomics.wait is not allowed on the browser main thread: use send_async() or try_send() instead of send()"
    )]
    MainThread,
    /// A blocking send on a full channel in a WASI module without threads: no receiver
    /// can run while this thread waits, so it would wait forever.
    #[error(
        "send() on a full channel would wait forever: this WASI module has one thread, so no receiver can run meanwhile. Use send_async() on the executor, or try_send()"
    )]
    SingleThreaded,
    /// The message could not be encoded.
    #[error("the message could not be encoded with postcard ({0})")]
    Encode(String),
    /// The buffer holds a state no correct receiver writes.
    #[error("the channel buffer is corrupt ({0}): drop both ends and create a new channel")]
    Corrupt(Corruption),
}

/// A message that was not sent, and why. The message is given back: see
/// [`SendError::into_inner`].
///
/// ```
/// use wasm_rs_shared_channel::spsc;
/// let (mut tx, rx) = spsc::channel::<String>(64)?;
/// drop(rx);
/// let err = tx.try_send("hello".to_string()).unwrap_err();
/// assert!(err.is_disconnected());
/// assert_eq!(err.into_inner(), "hello");
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SendError<T> {
    message: T,
    kind: SendErrorKind,
}

impl<T> SendError<T> {
    pub(crate) fn new(message: T, kind: SendErrorKind) -> Self {
        Self { message, kind }
    }

    /// Why the message was not sent.
    ///
    /// ```
    /// use wasm_rs_shared_channel::{SendErrorKind, spsc};
    /// let (mut tx, _rx) = spsc::channel::<Vec<u8>>(16)?;
    /// let err = tx.try_send(vec![0; 100]).unwrap_err();
    /// assert!(matches!(err.kind(), SendErrorKind::TooLarge { max: 12, .. }));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn kind(&self) -> &SendErrorKind {
        &self.kind
    }

    /// The message that was not sent.
    ///
    /// ```
    /// use wasm_rs_shared_channel::spsc;
    /// let (mut tx, _rx) = spsc::channel::<u64>(8)?;
    /// tx.try_send(1).unwrap();
    /// assert_eq!(tx.try_send(2).unwrap_err().into_inner(), 2);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn into_inner(self) -> T {
        self.message
    }

    /// Whether the channel was full (retry later).
    ///
    /// ```
    /// use wasm_rs_shared_channel::spsc;
    /// let (mut tx, _rx) = spsc::channel::<u8>(8)?;
    /// tx.try_send(1).unwrap();
    /// assert!(tx.try_send(2).unwrap_err().is_full());
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn is_full(&self) -> bool {
        self.kind == SendErrorKind::Full
    }

    /// Whether the receiver is gone (stop sending).
    ///
    /// ```
    /// use wasm_rs_shared_channel::spsc;
    /// let (mut tx, rx) = spsc::channel::<u8>(8)?;
    /// drop(rx);
    /// assert!(tx.try_send(1).unwrap_err().is_disconnected());
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn is_disconnected(&self) -> bool {
        self.kind == SendErrorKind::Disconnected
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl<T> std::error::Error for SendError<T> {}

/// A batch that was sent only in part, and why: the first [`sent`](Self::sent) messages
/// were enqueued, in order; the rest are given back by [`into_unsent`](Self::into_unsent),
/// so nothing is lost.
///
/// ```
/// use wasm_rs_shared_channel::spsc;
/// let (mut tx, _rx) = spsc::channel::<u32>(16)?;
/// // Each u32 here takes 1 to 5 bytes plus 4 bytes of framing: three fit in 16 bytes.
/// let err = tx.try_send_batch(vec![1, 2, 3, 4, 5]).unwrap_err();
/// assert!(err.is_full());
/// assert_eq!(err.sent(), 3);
/// assert_eq!(err.into_unsent(), vec![4, 5]);
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BatchSendError<T> {
    sent: usize,
    unsent: T,
    kind: SendErrorKind,
}

impl<T> BatchSendError<T> {
    pub(crate) fn new(sent: usize, unsent: T, kind: SendErrorKind) -> Self {
        Self { sent, unsent, kind }
    }

    /// How many messages, from the start of the batch, were enqueued.
    ///
    /// ```
    /// use wasm_rs_shared_channel::spsc;
    /// let (mut tx, _rx) = spsc::raw_channel(16)?;
    /// let batch: [&[u8]; 3] = [b"abcd", b"efgh", b"ijkl"];
    /// assert_eq!(tx.try_send_batch(&batch).unwrap_err().sent(), 2);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// Why the rest was not sent.
    ///
    /// ```
    /// use wasm_rs_shared_channel::{SendErrorKind, spsc};
    /// let (mut tx, _rx) = spsc::raw_channel(16)?;
    /// let batch: [&[u8]; 2] = [b"ok", &[0; 40]];
    /// let err = tx.send_batch(&batch).unwrap_err();
    /// assert!(matches!(err.kind(), SendErrorKind::TooLarge { len: 40, max: 12 }));
    /// assert_eq!(err.sent(), 1);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn kind(&self) -> &SendErrorKind {
        &self.kind
    }

    /// The messages that were not sent, in order (for a byte batch, the unsent tail of the
    /// slice you passed).
    ///
    /// ```
    /// use wasm_rs_shared_channel::spsc;
    /// let (mut tx, rx) = spsc::channel::<String>(64)?;
    /// drop(rx);
    /// let err = tx.try_send_batch(vec!["a".into(), "b".into()]).unwrap_err();
    /// assert!(err.is_disconnected());
    /// assert_eq!(err.into_unsent(), ["a", "b"]);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn into_unsent(self) -> T {
        self.unsent
    }

    /// Whether the channel was full (only from `try_send_batch`; retry the rest later).
    ///
    /// ```
    /// use wasm_rs_shared_channel::spsc;
    /// let (mut tx, _rx) = spsc::channel::<u8>(8)?;
    /// assert!(tx.try_send_batch(vec![1, 2]).unwrap_err().is_full());
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn is_full(&self) -> bool {
        self.kind == SendErrorKind::Full
    }

    /// Whether the receiver is gone (stop sending).
    ///
    /// ```
    /// use wasm_rs_shared_channel::spsc;
    /// let (mut tx, rx) = spsc::channel::<u8>(64)?;
    /// drop(rx);
    /// assert!(tx.send_batch(vec![1]).unwrap_err().is_disconnected());
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn is_disconnected(&self) -> bool {
        self.kind == SendErrorKind::Disconnected
    }
}

impl<T> fmt::Debug for BatchSendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchSendError")
            .field("sent", &self.sent)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for BatchSendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} message(s) of the batch were sent, then: {}",
            self.sent, self.kind
        )
    }
}

impl<T> std::error::Error for BatchSendError<T> {}
