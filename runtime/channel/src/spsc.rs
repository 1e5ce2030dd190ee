//! Single-producer single-consumer channels: [`channel`] for serde-typed messages,
//! [`raw_channel`] for byte messages, [`duplex`] for a request/reply pair.
//!
//! Each end is owned by one thread at a time and its methods take `&mut self`. Natively an
//! end is `Send` (move it into `std::thread::spawn`); on wasm32 it converts into a
//! `JsValue` with `into_js` that you post to a worker, which rebuilds it with `from_js`.

use core::future::poll_fn;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use futures_core::Stream;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::backend::{self, Backend, End, record_owner};
use crate::error::{BatchSendError, ChannelError, RecvError, SendError, SendErrorKind};
use crate::protocol::{self, MAX_CAPACITY, MIN_CAPACITY, ReceiverCore, SenderCore};
use crate::sync::Arc;

pub use crate::protocol::{MAX_CAPACITY as MAX_CAPACITY_BYTES, MIN_CAPACITY as MIN_CAPACITY_BYTES};

/// Creates a byte channel whose ring holds `capacity_bytes` bytes (each message takes its
/// length plus 4 bytes of framing).
///
/// Errors: [`ChannelError::InvalidCapacity`] outside
/// [`MIN_CAPACITY_BYTES`]`..=`[`MAX_CAPACITY_BYTES`];
/// [`ChannelError::SharedArrayBufferUnavailable`] on wasm32 when the page is not
/// cross-origin isolated.
///
/// Choosing a capacity: every size in range is correct, but a sender that finds the ring
/// full waits for the receiver, so a small ring costs wake-ups. The supported range for
/// throughput is 1 KiB and up: the book's Benchmarks page measures 64-byte messages sent one
/// at a time through 1 KiB, 64 KiB and 4 MiB rings against `postMessage` in the same run
/// (1 KiB, 15 such messages: 4–5× `postMessage` in Node and 10–16× in Chromium in the runs
/// of 6 December 2026, no single run below 2×). Sizes below 1 KiB are not measured.
///
/// ```
/// use wasm_rs_shared_channel::spsc;
/// let (mut tx, mut rx) = spsc::raw_channel(1024)?;
/// tx.try_send(b"ping").unwrap();
/// assert_eq!(rx.try_recv().unwrap(), b"ping");
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub fn raw_channel(capacity_bytes: usize) -> Result<(RawSender, RawReceiver), ChannelError> {
    channel_of(capacity_bytes, protocol::RAW)
}

/// A byte channel whose header records `message_type` (a fingerprint, or `RAW`).
fn channel_of(
    capacity_bytes: usize,
    message_type: u32,
) -> Result<(RawSender, RawReceiver), ChannelError> {
    if !(MIN_CAPACITY..=MAX_CAPACITY).contains(&capacity_bytes) {
        return Err(ChannelError::InvalidCapacity {
            requested: capacity_bytes,
            min: MIN_CAPACITY,
            max: MAX_CAPACITY,
        });
    }
    let memory = Arc::new(backend::allocate(capacity_bytes, message_type)?);
    let cap = capacity_bytes as u32;
    let tx = SenderCore::attach(memory.clone(), cap).map_err(ChannelError::Corrupt)?;
    let rx = ReceiverCore::attach(memory.clone(), cap).map_err(ChannelError::Corrupt)?;
    record_owner(&memory, End::Sender);
    record_owner(&memory, End::Receiver);
    Ok((
        RawSender {
            core: tx,
            close_on_drop: true,
        },
        RawReceiver {
            core: rx,
            close_on_drop: true,
            done: false,
        },
    ))
}

/// Creates a channel of serde messages of type `T`, encoded with postcard, whose ring holds
/// `capacity_bytes` bytes.
///
/// The channel's header records a fingerprint of `T` (its name and the encoding's
/// version), so an end handed to a worker and rebuilt there with another message type is
/// refused with [`ChannelError::TypeMismatch`] instead of decoding garbage.
///
/// Errors, and how to choose the capacity, as for [`raw_channel`].
///
/// ```
/// use wasm_rs_shared_channel::spsc;
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Job { id: u32, name: String }
///
/// let (mut tx, mut rx) = spsc::channel::<Job>(4096)?;
/// let worker = std::thread::spawn(move || rx.recv());
/// tx.send(Job { id: 1, name: "resize".into() }).unwrap();
/// assert_eq!(worker.join().unwrap().unwrap(), Job { id: 1, name: "resize".into() });
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub fn channel<T>(capacity_bytes: usize) -> Result<(Sender<T>, Receiver<T>), ChannelError> {
    let (tx, rx) = channel_of(capacity_bytes, protocol::fingerprint::<T>())?;
    Ok((Sender::from_raw(tx), Receiver::from_raw(rx)))
}

/// Creates two connected [`Duplex`] ends: requests of type `Req` flow from the first to the
/// second, replies of type `Resp` back. Each direction has its own ring of
/// `capacity_bytes`.
///
/// ```
/// use wasm_rs_shared_channel::spsc;
/// let (mut client, mut server) = spsc::duplex::<u32, u64>(256)?;
/// let t = std::thread::spawn(move || {
///     let n = server.receiver().recv().unwrap();
///     server.sender().send(u64::from(n) * 2).unwrap();
/// });
/// assert_eq!(client.request(21).unwrap(), 42);
/// t.join().unwrap();
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub fn duplex<Req, Resp>(capacity_bytes: usize) -> Result<DuplexPair<Req, Resp>, ChannelError> {
    let (req_tx, req_rx) = channel::<Req>(capacity_bytes)?;
    let (resp_tx, resp_rx) = channel::<Resp>(capacity_bytes)?;
    Ok((
        Duplex {
            tx: req_tx,
            rx: resp_rx,
        },
        Duplex {
            tx: resp_tx,
            rx: req_rx,
        },
    ))
}

/// What [`duplex`] returns: the requesting end and the answering end.
///
/// ```
/// let (client, server): wasm_rs_shared_channel::spsc::DuplexPair<u8, u16> =
///     wasm_rs_shared_channel::spsc::duplex(64)?;
/// # drop((client, server));
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub type DuplexPair<Req, Resp> = (Duplex<Req, Resp>, Duplex<Resp, Req>);

/// The payload encoder of a byte batch: message `i` is copied as is.
fn raw_payload<B: AsRef<[u8]>>(
    messages: &[B],
) -> impl FnMut(usize, &mut Vec<u8>) -> Result<(), SendErrorKind> + '_ {
    |i, out| {
        out.extend_from_slice(messages[i].as_ref());
        Ok(())
    }
}

/// The payload encoder of a typed batch: message `i` encoded with postcard.
fn typed_payload<T: Serialize>(
    messages: &[T],
) -> impl FnMut(usize, &mut Vec<u8>) -> Result<(), SendErrorKind> + '_ {
    |i, out| {
        postcard::to_extend(&messages[i], Append(out))
            .map(|_| ())
            .map_err(|e| SendErrorKind::Encode(e.to_string()))
    }
}

/// Lets postcard append to a borrowed buffer, so a failed encode keeps what is already
/// staged.
struct Append<'a>(&'a mut Vec<u8>);

impl Extend<u8> for Append<'_> {
    fn extend<I: IntoIterator<Item = u8>>(&mut self, bytes: I) {
        self.0.extend(bytes);
    }
}

/// The unsent messages of a typed batch after `sent` were enqueued.
fn unsent<T>(mut messages: Vec<T>, sent: usize) -> Vec<T> {
    messages.drain(..sent);
    messages
}

// ---------------------------------------------------------------------------------------
// Raw ends

/// The sending end of a byte channel. See [`raw_channel`].
///
/// ```
/// use wasm_rs_shared_channel::spsc;
/// let (mut tx, _rx) = spsc::raw_channel(64)?;
/// assert_eq!(tx.max_message_len(), 60);
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
#[derive(Debug)]
pub struct RawSender {
    core: SenderCore<Backend>,
    close_on_drop: bool,
}

impl RawSender {
    /// Size of the ring in bytes.
    ///
    /// ```
    /// let (tx, _rx) = wasm_rs_shared_channel::spsc::raw_channel(128)?;
    /// assert_eq!(tx.capacity(), 128);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn capacity(&self) -> usize {
        self.core.capacity()
    }

    /// Largest message this channel carries: capacity minus 4 bytes of framing.
    ///
    /// ```
    /// let (tx, _rx) = wasm_rs_shared_channel::spsc::raw_channel(128)?;
    /// assert_eq!(tx.max_message_len(), 124);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn max_message_len(&self) -> usize {
        self.core.max_message()
    }

    /// Enqueues `bytes` if there is room now. Never blocks.
    ///
    /// Errors ([`SendError::kind`]): `Full`, `Disconnected`, `TooLarge`, `Corrupt`; the
    /// slice is given back.
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(16)?;
    /// tx.try_send(&[1, 2, 3]).unwrap();
    /// assert!(tx.try_send(&[0; 10]).unwrap_err().is_full());
    /// assert_eq!(rx.try_recv().unwrap(), [1, 2, 3]);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn try_send<'a>(&mut self, bytes: &'a [u8]) -> Result<(), SendError<&'a [u8]>> {
        self.core
            .try_send(bytes)
            .map_err(|k| SendError::new(bytes, k))
    }

    /// Enqueues `bytes`, blocking the thread while the channel is full. For workers, Node
    /// and native threads; on the browser main thread a full channel gives
    /// [`SendErrorKind::MainThread`] (use [`send_async`](Self::send_async)).
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(16)?;
    /// let t = std::thread::spawn(move || (0..100u8).map(|_| rx.recv().unwrap()[0]).collect::<Vec<_>>());
    /// for i in 0..100u8 { tx.send(&[i]).unwrap(); }
    /// assert_eq!(t.join().unwrap(), (0..100).collect::<Vec<u8>>());
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn send<'a>(&mut self, bytes: &'a [u8]) -> Result<(), SendError<&'a [u8]>> {
        self.core
            .send_blocking(bytes)
            .map_err(|k| SendError::new(bytes, k))
    }

    /// Enqueues `bytes`, waiting asynchronously while the channel is full. Works on the
    /// browser main thread (`Atomics.waitAsync`, or the polling fallback described in the
    /// crate docs).
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(16)?;
    /// futures::executor::block_on(tx.send_async(b"hi")).unwrap();
    /// assert_eq!(rx.try_recv().unwrap(), b"hi");
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub async fn send_async<'a>(&mut self, bytes: &'a [u8]) -> Result<(), SendError<&'a [u8]>> {
        poll_fn(|cx| self.core.poll_send(bytes, cx))
            .await
            .map_err(|k| SendError::new(bytes, k))
    }

    /// Enqueues as many of `messages`, in order, as fit now, all published at once. Never
    /// blocks. `Ok` when every message was sent; otherwise the error says how many were
    /// ([`BatchSendError::sent`]) and gives back the unsent tail of the slice.
    ///
    /// A batch costs one bulk copy and one position update per ring's worth of messages
    /// instead of one per message, which on wasm32 (where every access to the shared
    /// buffer is a JS call) is what makes small messages cheap: see "Throughput" in the
    /// crate docs.
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(16)?;
    /// let batch: [&[u8]; 3] = [b"one", b"two", b"three"];
    /// let err = tx.try_send_batch(&batch).unwrap_err();
    /// assert!(err.is_full());
    /// assert_eq!(err.into_unsent(), [b"three"]);
    /// assert_eq!(rx.try_recv().unwrap(), b"one");
    /// assert_eq!(rx.try_recv().unwrap(), b"two");
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn try_send_batch<'a, B: AsRef<[u8]>>(
        &mut self,
        messages: &'a [B],
    ) -> Result<(), BatchSendError<&'a [B]>> {
        self.core
            .send_batch(messages.len(), raw_payload(messages), |core, records| {
                core.try_publish(records)
            })
            .map_err(|(sent, kind)| BatchSendError::new(sent, &messages[sent..], kind))
    }

    /// Enqueues every message of `messages`, in order, blocking the thread while the
    /// channel is full (workers, Node, native; on the browser main thread a full channel
    /// gives [`SendErrorKind::MainThread`]). See [`try_send_batch`](Self::try_send_batch).
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(64)?;
    /// let t = std::thread::spawn(move || (0..1000).map(|_| rx.recv().unwrap()[0]).max());
    /// let batch: Vec<[u8; 1]> = (0..1000).map(|i| [(i % 251) as u8]).collect();
    /// tx.send_batch(&batch).unwrap();
    /// assert_eq!(t.join().unwrap(), Some(250));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn send_batch<'a, B: AsRef<[u8]>>(
        &mut self,
        messages: &'a [B],
    ) -> Result<(), BatchSendError<&'a [B]>> {
        self.core
            .send_batch(messages.len(), raw_payload(messages), |core, records| {
                core.publish_blocking(records)
            })
            .map_err(|(sent, kind)| BatchSendError::new(sent, &messages[sent..], kind))
    }

    /// Enqueues every message of `messages`, in order, waiting asynchronously while the
    /// channel is full (works on the browser main thread). If the future is dropped before
    /// it completes, a prefix of the batch may have been sent.
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(64)?;
    /// let batch = [b"a".as_slice(), b"bc"];
    /// futures::executor::block_on(tx.send_batch_async(&batch)).unwrap();
    /// assert_eq!(rx.try_recv().unwrap(), b"a");
    /// assert_eq!(rx.try_recv().unwrap(), b"bc");
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub async fn send_batch_async<'a, B: AsRef<[u8]>>(
        &mut self,
        messages: &'a [B],
    ) -> Result<(), BatchSendError<&'a [B]>> {
        self.core
            .send_batch_async(messages.len(), raw_payload(messages))
            .await
            .map_err(|(sent, kind)| BatchSendError::new(sent, &messages[sent..], kind))
    }

    /// Declares the receiver gone without its cooperation: call it after terminating the
    /// worker that held the receiver (its destructor never ran). Later sends fail with
    /// `Disconnected` instead of waiting forever for space. Needed only where the runtime
    /// is not told of the death by itself (see the crate docs, "When the other side dies"):
    /// a Node worker not started by `wasm-rs-worker`, or a native thread.
    ///
    /// ```
    /// let (mut tx, rx) = wasm_rs_shared_channel::spsc::raw_channel(16)?;
    /// let _killed = rx; // its thread was killed: the end exists but never runs again
    /// tx.mark_receiver_terminated();
    /// assert!(tx.send(b"x").unwrap_err().is_disconnected());
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn mark_receiver_terminated(&mut self) {
        self.core.mark_peer_gone();
    }
}

impl Drop for RawSender {
    fn drop(&mut self) {
        if self.close_on_drop {
            self.core.close();
        }
    }
}

/// The receiving end of a byte channel. See [`raw_channel`].
///
/// It is also a [`Stream`] of `Result<Vec<u8>, RecvError>` that ends once the sender is
/// gone and every message has been delivered.
///
/// ```
/// use futures::StreamExt;
/// let (mut tx, rx) = wasm_rs_shared_channel::spsc::raw_channel(64)?;
/// tx.try_send(b"a").unwrap();
/// drop(tx);
/// let all: Vec<_> = futures::executor::block_on(rx.collect::<Vec<_>>());
/// assert_eq!(all, vec![Ok(b"a".to_vec())]);
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
#[derive(Debug)]
pub struct RawReceiver {
    core: ReceiverCore<Backend>,
    close_on_drop: bool,
    done: bool,
}

impl RawReceiver {
    /// Size of the ring in bytes.
    ///
    /// ```
    /// let (_tx, rx) = wasm_rs_shared_channel::spsc::raw_channel(128)?;
    /// assert_eq!(rx.capacity(), 128);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn capacity(&self) -> usize {
        self.core.capacity()
    }

    /// Takes the oldest message if there is one. Never blocks.
    ///
    /// Errors: `Empty`, `Disconnected` (sender gone, queue drained), `Corrupt`.
    ///
    /// ```
    /// use wasm_rs_shared_channel::{RecvError, spsc};
    /// let (mut tx, mut rx) = spsc::raw_channel(64)?;
    /// assert_eq!(rx.try_recv(), Err(RecvError::Empty));
    /// tx.try_send(b"x").unwrap();
    /// drop(tx);
    /// assert_eq!(rx.try_recv().unwrap(), b"x");
    /// assert_eq!(rx.try_recv(), Err(RecvError::Disconnected));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn try_recv(&mut self) -> Result<Vec<u8>, RecvError> {
        let mut out = Vec::new();
        self.try_recv_into(&mut out).map(|()| out)
    }

    /// Like [`try_recv`](Self::try_recv) but into the caller's buffer (cleared first, then
    /// holding exactly the message), so a loop reuses one allocation.
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(64)?;
    /// let mut buf = Vec::with_capacity(64);
    /// tx.try_send(b"abc").unwrap();
    /// rx.try_recv_into(&mut buf).unwrap();
    /// assert_eq!(buf, b"abc");
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn try_recv_into(&mut self, buf: &mut Vec<u8>) -> Result<(), RecvError> {
        self.core.try_recv(buf)
    }

    /// Takes the oldest message, blocking the thread until one arrives. For workers, Node
    /// and native threads; on the browser main thread it returns [`RecvError::MainThread`]
    /// (never a trap) when it would have to wait.
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(64)?;
    /// std::thread::spawn(move || tx.send(b"late").unwrap());
    /// assert_eq!(rx.recv().unwrap(), b"late");
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn recv(&mut self) -> Result<Vec<u8>, RecvError> {
        let mut out = Vec::new();
        self.recv_into(&mut out).map(|()| out)
    }

    /// Blocking receive into the caller's buffer; see [`recv`](Self::recv).
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(64)?;
    /// let mut buf = Vec::new();
    /// tx.send(b"q").unwrap();
    /// rx.recv_into(&mut buf).unwrap();
    /// assert_eq!(buf, b"q");
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn recv_into(&mut self, buf: &mut Vec<u8>) -> Result<(), RecvError> {
        self.core.recv_blocking(buf, None)
    }

    /// Blocking receive that gives up with [`RecvError::Timeout`] after `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use wasm_rs_shared_channel::{RecvError, spsc};
    /// let (_tx, mut rx) = spsc::raw_channel(64)?;
    /// assert_eq!(rx.recv_timeout(Duration::from_millis(10)), Err(RecvError::Timeout));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Vec<u8>, RecvError> {
        let mut out = Vec::new();
        self.core
            .recv_blocking(&mut out, Some(timeout))
            .map(|()| out)
    }

    /// Takes the oldest message, waiting asynchronously. Works on the browser main thread.
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(64)?;
    /// std::thread::spawn(move || tx.send(b"async").unwrap());
    /// assert_eq!(futures::executor::block_on(rx.recv_async()).unwrap(), b"async");
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub async fn recv_async(&mut self) -> Result<Vec<u8>, RecvError> {
        let mut out = Vec::new();
        self.recv_async_into(&mut out).await.map(|()| out)
    }

    /// Asynchronous receive into the caller's buffer; see [`recv_async`](Self::recv_async).
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::raw_channel(64)?;
    /// let mut buf = Vec::new();
    /// tx.try_send(b"z").unwrap();
    /// futures::executor::block_on(rx.recv_async_into(&mut buf)).unwrap();
    /// assert_eq!(buf, b"z");
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub async fn recv_async_into(&mut self, buf: &mut Vec<u8>) -> Result<(), RecvError> {
        poll_fn(|cx| self.core.poll_recv(buf, cx)).await
    }

    /// Declares the sender gone without its cooperation: call it after terminating the
    /// worker that held the sender. Messages it fully published are still delivered, a
    /// half-written one is never seen, and then receives return `Disconnected` instead of
    /// waiting forever. Needed only where the runtime is not told of the death by itself
    /// (see the crate docs, "When the other side dies"): a Node worker not started by
    /// `wasm-rs-worker`, or a native thread.
    ///
    /// ```
    /// use wasm_rs_shared_channel::{RecvError, spsc};
    /// let (mut tx, mut rx) = spsc::raw_channel(64)?;
    /// tx.try_send(b"last").unwrap();
    /// let _killed = tx; // its thread was killed: the end exists but never runs again
    /// rx.mark_sender_terminated();
    /// assert_eq!(rx.recv().unwrap(), b"last");
    /// assert_eq!(rx.recv(), Err(RecvError::Disconnected));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn mark_sender_terminated(&mut self) {
        self.core.mark_peer_gone();
    }
}

impl Drop for RawReceiver {
    fn drop(&mut self) {
        if self.close_on_drop {
            self.core.close();
        }
    }
}

impl Stream for RawReceiver {
    type Item = Result<Vec<u8>, RecvError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let mut out = Vec::new();
        match this.core.poll_recv(&mut out, cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(Some(Ok(out))),
            Poll::Ready(Err(RecvError::Disconnected)) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Err(e)) => {
                this.done = true;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Typed ends

/// The sending end of a typed channel. See [`channel`].
///
/// Messages are encoded with postcard into a buffer the sender reuses, then copied into the
/// ring in one bulk copy.
///
/// ```
/// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::channel::<(u8, String)>(64)?;
/// tx.try_send((1, "one".into())).unwrap();
/// assert_eq!(rx.try_recv().unwrap(), (1, "one".to_string()));
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub struct Sender<T> {
    raw: RawSender,
    scratch: Vec<u8>,
    _message: PhantomData<fn(T)>,
}

impl<T> core::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sender")
            .field("raw", &self.raw)
            .finish_non_exhaustive()
    }
}

impl<T> Sender<T> {
    fn from_raw(raw: RawSender) -> Self {
        Self {
            raw,
            scratch: Vec::new(),
            _message: PhantomData,
        }
    }

    /// The byte-level end underneath (the receiver must then read bytes too).
    ///
    /// ```
    /// let (tx, _rx) = wasm_rs_shared_channel::spsc::channel::<u32>(64)?;
    /// assert_eq!(tx.into_raw().capacity(), 64);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn into_raw(self) -> RawSender {
        self.raw
    }

    /// Size of the ring in bytes.
    ///
    /// ```
    /// let (tx, _rx) = wasm_rs_shared_channel::spsc::channel::<u32>(64)?;
    /// assert_eq!(tx.capacity(), 64);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn capacity(&self) -> usize {
        self.raw.capacity()
    }

    /// See [`RawSender::mark_receiver_terminated`].
    ///
    /// ```
    /// let (mut tx, rx) = wasm_rs_shared_channel::spsc::channel::<u32>(64)?;
    /// let _killed = rx; // its thread was killed: the end exists but never runs again
    /// tx.mark_receiver_terminated();
    /// assert!(tx.try_send(1).unwrap_err().is_disconnected());
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn mark_receiver_terminated(&mut self) {
        self.raw.mark_receiver_terminated();
    }
}

impl<T: Serialize> Sender<T> {
    fn encode(&mut self, message: &T) -> Result<(), SendErrorKind> {
        self.scratch.clear();
        let buf = core::mem::take(&mut self.scratch);
        match postcard::to_extend(message, buf) {
            Ok(buf) => {
                self.scratch = buf;
                Ok(())
            }
            Err(e) => Err(SendErrorKind::Encode(e.to_string())),
        }
    }

    /// Enqueues `message` if there is room now; a full channel gives it back in the error.
    ///
    /// ```
    /// let (mut tx, _rx) = wasm_rs_shared_channel::spsc::channel::<u32>(8)?;
    /// tx.try_send(7).unwrap();
    /// let err = tx.try_send(8).unwrap_err();
    /// assert!(err.is_full());
    /// assert_eq!(err.into_inner(), 8);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn try_send(&mut self, message: T) -> Result<(), SendError<T>> {
        if let Err(k) = self.encode(&message) {
            return Err(SendError::new(message, k));
        }
        self.raw
            .core
            .try_send(&self.scratch)
            .map_err(|k| SendError::new(message, k))
    }

    /// Enqueues `message`, blocking while the channel is full (workers, Node, native).
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::channel::<u32>(16)?;
    /// let t = std::thread::spawn(move || (0..1000).map(|_| rx.recv().unwrap()).sum::<u32>());
    /// for i in 0..1000 { tx.send(i).unwrap(); }
    /// assert_eq!(t.join().unwrap(), 499_500);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn send(&mut self, message: T) -> Result<(), SendError<T>> {
        if let Err(k) = self.encode(&message) {
            return Err(SendError::new(message, k));
        }
        self.raw
            .core
            .send_blocking(&self.scratch)
            .map_err(|k| SendError::new(message, k))
    }

    /// Enqueues `message`, waiting asynchronously for room (works on the main thread).
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::channel::<String>(64)?;
    /// futures::executor::block_on(tx.send_async("hi".into())).unwrap();
    /// assert_eq!(rx.try_recv().unwrap(), "hi");
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub async fn send_async(&mut self, message: T) -> Result<(), SendError<T>> {
        if let Err(k) = self.encode(&message) {
            return Err(SendError::new(message, k));
        }
        let Self { raw, scratch, .. } = self;
        poll_fn(|cx| raw.core.poll_send(scratch, cx))
            .await
            .map_err(|k| SendError::new(message, k))
    }
}

impl<T: Serialize> Sender<T> {
    /// Enqueues as many of `messages`, in order, as fit now, published at once. Never
    /// blocks. `Ok` when every message was sent; otherwise the error says how many were and
    /// gives back the others ([`BatchSendError::into_unsent`]). A message that fails to
    /// encode or can never fit stops the batch there, with the messages before it sent.
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::channel::<u16>(64)?;
    /// tx.try_send_batch(vec![1, 2, 3]).unwrap();
    /// assert_eq!([rx.try_recv()?, rx.try_recv()?, rx.try_recv()?], [1, 2, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_send_batch(&mut self, messages: Vec<T>) -> Result<(), BatchSendError<Vec<T>>> {
        let result =
            self.raw
                .core
                .send_batch(messages.len(), typed_payload(&messages), |core, records| {
                    core.try_publish(records)
                });
        result.map_err(|(sent, kind)| BatchSendError::new(sent, unsent(messages, sent), kind))
    }

    /// Enqueues every message, in order, blocking while the channel is full (workers, Node,
    /// native). See [`try_send_batch`](Self::try_send_batch).
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::channel::<u32>(64)?;
    /// let t = std::thread::spawn(move || (0..10_000).map(|_| rx.recv().unwrap()).sum::<u32>());
    /// tx.send_batch((0..10_000).collect()).unwrap();
    /// assert_eq!(t.join().unwrap(), 49_995_000);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn send_batch(&mut self, messages: Vec<T>) -> Result<(), BatchSendError<Vec<T>>> {
        let result =
            self.raw
                .core
                .send_batch(messages.len(), typed_payload(&messages), |core, records| {
                    core.publish_blocking(records)
                });
        result.map_err(|(sent, kind)| BatchSendError::new(sent, unsent(messages, sent), kind))
    }

    /// Enqueues every message, in order, waiting asynchronously for room (works on the
    /// browser main thread). If the future is dropped before it completes, a prefix of the
    /// batch may have been sent.
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::channel::<String>(64)?;
    /// futures::executor::block_on(tx.send_batch_async(vec!["a".into(), "b".into()])).unwrap();
    /// assert_eq!(rx.try_recv()?, "a");
    /// assert_eq!(rx.try_recv()?, "b");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn send_batch_async(
        &mut self,
        messages: Vec<T>,
    ) -> Result<(), BatchSendError<Vec<T>>> {
        let result = self
            .raw
            .core
            .send_batch_async(messages.len(), typed_payload(&messages))
            .await;
        result.map_err(|(sent, kind)| BatchSendError::new(sent, unsent(messages, sent), kind))
    }
}

/// The receiving end of a typed channel. See [`channel`].
///
/// Also a [`Stream`] of `Result<T, RecvError>` that ends once the sender is gone and the
/// queue is drained.
///
/// ```
/// use futures::StreamExt;
/// let (mut tx, rx) = wasm_rs_shared_channel::spsc::channel::<u16>(64)?;
/// std::thread::spawn(move || for i in 0..10 { tx.send(i).unwrap() });
/// let got: Vec<u16> = futures::executor::block_on(rx.map(Result::unwrap).collect());
/// assert_eq!(got, (0..10).collect::<Vec<_>>());
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub struct Receiver<T> {
    raw: RawReceiver,
    scratch: Vec<u8>,
    _message: PhantomData<fn() -> T>,
}

impl<T> core::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Receiver")
            .field("raw", &self.raw)
            .finish_non_exhaustive()
    }
}

impl<T> Receiver<T> {
    fn from_raw(raw: RawReceiver) -> Self {
        Self {
            raw,
            scratch: Vec::new(),
            _message: PhantomData,
        }
    }

    /// The byte-level end underneath.
    ///
    /// ```
    /// let (_tx, rx) = wasm_rs_shared_channel::spsc::channel::<u32>(64)?;
    /// assert_eq!(rx.into_raw().capacity(), 64);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn into_raw(self) -> RawReceiver {
        self.raw
    }

    /// Size of the ring in bytes.
    ///
    /// ```
    /// let (_tx, rx) = wasm_rs_shared_channel::spsc::channel::<u32>(64)?;
    /// assert_eq!(rx.capacity(), 64);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn capacity(&self) -> usize {
        self.raw.capacity()
    }

    /// See [`RawReceiver::mark_sender_terminated`].
    ///
    /// ```
    /// use wasm_rs_shared_channel::{RecvError, spsc};
    /// let (tx, mut rx) = spsc::channel::<u32>(64)?;
    /// let _killed = tx; // its thread was killed: the end exists but never runs again
    /// rx.mark_sender_terminated();
    /// assert_eq!(rx.recv(), Err(RecvError::Disconnected));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn mark_sender_terminated(&mut self) {
        self.raw.mark_sender_terminated();
    }
}

impl<T: DeserializeOwned> Receiver<T> {
    fn decode(&self) -> Result<T, RecvError> {
        postcard::from_bytes(&self.scratch).map_err(|e| RecvError::Decode(e.to_string()))
    }

    /// Takes the oldest message if there is one. Never blocks.
    ///
    /// ```
    /// use wasm_rs_shared_channel::{RecvError, spsc};
    /// let (mut tx, mut rx) = spsc::channel::<i64>(64)?;
    /// assert_eq!(rx.try_recv(), Err(RecvError::Empty));
    /// tx.try_send(-5).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(-5));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn try_recv(&mut self) -> Result<T, RecvError> {
        self.raw.core.try_recv(&mut self.scratch)?;
        self.decode()
    }

    /// Takes the oldest message, blocking until one arrives (workers, Node, native); on the
    /// browser main thread [`RecvError::MainThread`].
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::channel::<bool>(64)?;
    /// std::thread::spawn(move || tx.send(true).unwrap());
    /// assert_eq!(rx.recv(), Ok(true));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn recv(&mut self) -> Result<T, RecvError> {
        self.raw.core.recv_blocking(&mut self.scratch, None)?;
        self.decode()
    }

    /// Blocking receive that gives up with [`RecvError::Timeout`] after `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use wasm_rs_shared_channel::{RecvError, spsc};
    /// let (_tx, mut rx) = spsc::channel::<u8>(64)?;
    /// assert_eq!(rx.recv_timeout(Duration::from_millis(5)), Err(RecvError::Timeout));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<T, RecvError> {
        self.raw
            .core
            .recv_blocking(&mut self.scratch, Some(timeout))?;
        self.decode()
    }

    /// Takes the oldest message, waiting asynchronously (works on the main thread).
    ///
    /// ```
    /// let (mut tx, mut rx) = wasm_rs_shared_channel::spsc::channel::<char>(64)?;
    /// std::thread::spawn(move || tx.send('x').unwrap());
    /// assert_eq!(futures::executor::block_on(rx.recv_async()), Ok('x'));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub async fn recv_async(&mut self) -> Result<T, RecvError> {
        let Self { raw, scratch, .. } = self;
        poll_fn(|cx| raw.core.poll_recv(scratch, cx)).await?;
        self.decode()
    }
}

impl<T: DeserializeOwned> Stream for Receiver<T> {
    type Item = Result<T, RecvError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.raw.done {
            return Poll::Ready(None);
        }
        match this.raw.core.poll_recv(&mut this.scratch, cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(Some(this.decode())),
            Poll::Ready(Err(RecvError::Disconnected)) => {
                this.raw.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Err(e)) => {
                this.raw.done = true;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Duplex

/// One side of a request/reply pair: sends `Out`, receives `In`. See [`duplex`].
///
/// ```
/// let (mut a, mut b) = wasm_rs_shared_channel::spsc::duplex::<String, usize>(256)?;
/// a.sender().try_send("four".into()).unwrap();
/// let s = b.receiver().try_recv().unwrap();
/// b.sender().try_send(s.len()).unwrap();
/// assert_eq!(a.receiver().try_recv(), Ok(4));
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub struct Duplex<Out, In> {
    tx: Sender<Out>,
    rx: Receiver<In>,
}

impl<Out, In> core::fmt::Debug for Duplex<Out, In> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Duplex")
            .field("tx", &self.tx)
            .field("rx", &self.rx)
            .finish()
    }
}

/// Why a [`Duplex`] request got no reply.
///
/// ```
/// use wasm_rs_shared_channel::{RequestError, spsc};
/// let (mut client, server) = spsc::duplex::<u8, u8>(64)?;
/// drop(server);
/// assert!(matches!(client.request(1), Err(RequestError::Send(_))));
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
#[derive(Debug, thiserror::Error)]
pub enum RequestError<T> {
    /// The request was not sent.
    #[error("the request was not sent: {0}")]
    Send(SendError<T>),
    /// The request was sent but no reply was received.
    #[error("no reply was received: {0}")]
    Recv(RecvError),
}

impl<Out, In> Duplex<Out, In> {
    /// Builds a duplex end from a sender and a receiver.
    ///
    /// ```
    /// use wasm_rs_shared_channel::spsc::{self, Duplex};
    /// let (tx, _rx) = spsc::channel::<u8>(64)?;
    /// let (_tx2, rx2) = spsc::channel::<u16>(64)?;
    /// let d: Duplex<u8, u16> = Duplex::from_parts(tx, rx2);
    /// # drop(d);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn from_parts(tx: Sender<Out>, rx: Receiver<In>) -> Self {
        Self { tx, rx }
    }

    /// Splits into the sender and the receiver.
    ///
    /// ```
    /// let (a, _b) = wasm_rs_shared_channel::spsc::duplex::<u8, u8>(64)?;
    /// let (tx, rx) = a.into_parts();
    /// assert_eq!((tx.capacity(), rx.capacity()), (64, 64));
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn into_parts(self) -> (Sender<Out>, Receiver<In>) {
        (self.tx, self.rx)
    }

    /// The outgoing half.
    ///
    /// ```
    /// let (mut a, _b) = wasm_rs_shared_channel::spsc::duplex::<u8, u8>(64)?;
    /// assert_eq!(a.sender().capacity(), 64);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn sender(&mut self) -> &mut Sender<Out> {
        &mut self.tx
    }

    /// The incoming half.
    ///
    /// ```
    /// let (mut a, _b) = wasm_rs_shared_channel::spsc::duplex::<u8, u8>(64)?;
    /// assert_eq!(a.receiver().capacity(), 64);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn receiver(&mut self) -> &mut Receiver<In> {
        &mut self.rx
    }
}

impl<Out: Serialize, In: DeserializeOwned> Duplex<Out, In> {
    /// Sends `request` and blocks for the next incoming message (workers, Node, native).
    ///
    /// ```
    /// let (mut client, mut server) = wasm_rs_shared_channel::spsc::duplex::<u8, u8>(64)?;
    /// let t = std::thread::spawn(move || {
    ///     let x = server.receiver().recv().unwrap();
    ///     server.sender().send(x + 1).unwrap();
    /// });
    /// assert_eq!(client.request(1).unwrap(), 2);
    /// t.join().unwrap();
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn request(&mut self, request: Out) -> Result<In, RequestError<Out>> {
        self.tx.send(request).map_err(RequestError::Send)?;
        self.rx.recv().map_err(RequestError::Recv)
    }

    /// Sends `request` and waits asynchronously for the next incoming message (works on the
    /// browser main thread).
    ///
    /// ```
    /// let (mut client, mut server) = wasm_rs_shared_channel::spsc::duplex::<u8, u8>(64)?;
    /// std::thread::spawn(move || {
    ///     let x = server.receiver().recv().unwrap();
    ///     server.sender().send(x * 3).unwrap();
    /// });
    /// assert_eq!(futures::executor::block_on(client.request_async(5)).unwrap(), 15);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub async fn request_async(&mut self, request: Out) -> Result<In, RequestError<Out>> {
        self.tx
            .send_async(request)
            .await
            .map_err(RequestError::Send)?;
        self.rx.recv_async().await.map_err(RequestError::Recv)
    }
}

/// Rebuilds ends over an arbitrary memory image: `words` is the header (48 words), `data`
/// the ring. For fuzzing and corruption tests.
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
pub(crate) fn ends_from_image(
    words: &[u32],
    data: &[u8],
) -> (
    Result<RawSender, ChannelError>,
    Result<RawReceiver, ChannelError>,
) {
    let mem = Arc::new(crate::backend::native::NativeMemory::from_image(
        words, data,
    ));
    let cap = match protocol::check_header(&*mem, data.len()) {
        Ok(cap) => cap,
        Err(c) => return (Err(ChannelError::Corrupt(c)), Err(ChannelError::Corrupt(c))),
    };
    let tx = SenderCore::attach(mem.clone(), cap)
        .map(|core| RawSender {
            core,
            close_on_drop: true,
        })
        .map_err(ChannelError::Corrupt);
    let rx = ReceiverCore::attach(mem, cap)
        .map(|core| RawReceiver {
            core,
            close_on_drop: true,
            done: false,
        })
        .map_err(ChannelError::Corrupt);
    (tx, rx)
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod js {
    //! Converting ends to and from `JsValue` (wasm32 only).
    //!
    //! Handing an end off moves its CLAIM word to a new generation (the value's `ticket`);
    //! rebuilding claims that generation with a compare-and-swap, so a value turns back
    //! into an end once, whichever threads try. Every check that can fail (shape, header,
    //! message type, positions) runs before the claim, so a refused value can still be
    //! rebuilt by the right code.
    use wasm_bindgen::JsValue;

    use super::*;
    use crate::backend::Memory;
    use crate::backend::wasm::{Handoff, WasmMemory, end_from_js, end_to_js};
    use crate::protocol::{RAW, RX_CLAIM, TX_CLAIM, TYPE};

    /// A value whose shape and header passed the checks, not yet claimed.
    struct Received {
        memory: Arc<WasmMemory>,
        cap: u32,
        ticket: u32,
        type_name: Option<String>,
        end: &'static str,
    }

    impl Received {
        fn parse(value: &JsValue, end: &'static str) -> Result<Self, ChannelError> {
            let Handoff {
                buffer,
                ticket,
                type_name,
            } = end_from_js(value, end)?;
            let (memory, data_len) = WasmMemory::from_buffer(&buffer)?;
            let cap = protocol::check_header(&memory, data_len).map_err(ChannelError::Corrupt)?;
            Ok(Self {
                memory: Arc::new(memory),
                cap,
                ticket,
                type_name,
                end,
            })
        }

        fn word(&self) -> usize {
            if self.end == "sender" {
                TX_CLAIM
            } else {
                RX_CLAIM
            }
        }

        /// Refuses a channel created for another message type than `T`.
        fn check_type<T>(&self) -> Result<(), ChannelError> {
            let found = self.memory.load(TYPE);
            if found == protocol::fingerprint::<T>() {
                return Ok(());
            }
            let found = if found == RAW {
                "raw byte".to_string()
            } else {
                self.type_name
                    .clone()
                    .unwrap_or_else(|| format!("another type's (fingerprint {found:#010x})"))
            };
            Err(ChannelError::TypeMismatch {
                expected: core::any::type_name::<T>().into(),
                found,
            })
        }

        fn claim(&self) -> Result<(), ChannelError> {
            protocol::claim(&*self.memory, self.word(), self.ticket)
                .map_err(|_| ChannelError::AlreadyClaimed { end: self.end })
        }

        fn unclaim(&self) {
            protocol::unclaim(&*self.memory, self.word(), self.ticket);
        }

        fn sender_core(&self) -> Result<SenderCore<WasmMemory>, ChannelError> {
            SenderCore::attach(self.memory.clone(), self.cap).map_err(ChannelError::Corrupt)
        }

        fn receiver_core(&self) -> Result<ReceiverCore<WasmMemory>, ChannelError> {
            ReceiverCore::attach(self.memory.clone(), self.cap).map_err(ChannelError::Corrupt)
        }
    }

    /// A claimed sender, recorded as this thread's.
    fn live_sender(core: SenderCore<WasmMemory>) -> RawSender {
        record_owner(&core.mem, End::Sender);
        RawSender {
            core,
            close_on_drop: true,
        }
    }

    /// A claimed receiver, recorded as this thread's.
    fn live_receiver(core: ReceiverCore<WasmMemory>) -> RawReceiver {
        record_owner(&core.mem, End::Receiver);
        RawReceiver {
            core,
            close_on_drop: true,
            done: false,
        }
    }

    impl RawSender {
        /// Converts this end into a plain JS object
        /// `{ end: "sender", version: 2, buffer, ticket }` to `postMessage` to a worker;
        /// `buffer` is the channel's `SharedArrayBuffer` (header and ring), shared, not
        /// copied. This end's destructor does not run: the rebuilt end owns the sending
        /// side. The value can be rebuilt once ([`from_js`](Self::from_js) refuses a second
        /// time with [`ChannelError::AlreadyClaimed`]).
        ///
        /// ```ignore
        /// // wasm32 only (see tests/cross_thread.rs for the full worker setup)
        /// let (tx, rx) = wasm_rs_shared_channel::spsc::raw_channel(4096)?;
        /// worker.post_message(&tx.into_js())?;
        /// ```
        pub fn into_js(self) -> JsValue {
            self.into_js_named(None)
        }

        fn into_js_named(mut self, type_name: Option<&str>) -> JsValue {
            self.close_on_drop = false;
            let ticket = protocol::offer(&*self.core.mem, TX_CLAIM);
            end_to_js("sender", &self.core.mem, ticket, type_name)
        }

        /// Rebuilds a sender from the value [`into_js`](Self::into_js) produced, after it
        /// was posted to this thread. Checks the shape, the end, the magic number and the
        /// capacity, then claims the value: a bad value is an error, never a panic, and a
        /// value already rebuilt (here or in any other thread) is
        /// [`ChannelError::AlreadyClaimed`]. A byte end accepts a typed channel's value.
        ///
        /// ```ignore
        /// // wasm32 only, in the worker's message handler:
        /// let mut tx = wasm_rs_shared_channel::spsc::RawSender::from_js(&event.data())?;
        /// tx.send(b"hello from the worker")?;
        /// ```
        pub fn from_js(value: &JsValue) -> Result<Self, ChannelError> {
            let received = Received::parse(value, "sender")?;
            let core = received.sender_core()?;
            received.claim()?;
            Ok(live_sender(core))
        }
    }

    impl RawReceiver {
        /// Converts this end into `{ end: "receiver", version: 2, buffer, ticket }`; see
        /// [`RawSender::into_js`].
        ///
        /// ```ignore
        /// // wasm32 only
        /// let (tx, rx) = wasm_rs_shared_channel::spsc::raw_channel(4096)?;
        /// worker.post_message(&rx.into_js())?;
        /// ```
        pub fn into_js(self) -> JsValue {
            self.into_js_named(None)
        }

        fn into_js_named(mut self, type_name: Option<&str>) -> JsValue {
            self.close_on_drop = false;
            let ticket = protocol::offer(&*self.core.mem, RX_CLAIM);
            end_to_js("receiver", &self.core.mem, ticket, type_name)
        }

        /// Rebuilds a receiver from the value [`into_js`](Self::into_js) produced, once; see
        /// [`RawSender::from_js`].
        ///
        /// ```ignore
        /// // wasm32 only, in the worker:
        /// let mut rx = wasm_rs_shared_channel::spsc::RawReceiver::from_js(&event.data())?;
        /// let first = rx.recv()?;
        /// ```
        pub fn from_js(value: &JsValue) -> Result<Self, ChannelError> {
            let received = Received::parse(value, "receiver")?;
            let core = received.receiver_core()?;
            received.claim()?;
            Ok(live_receiver(core))
        }
    }

    impl<T> Sender<T> {
        /// Converts into a JS object to post to a worker: [`RawSender::into_js`]'s object,
        /// naming `T` for error messages.
        ///
        /// ```ignore
        /// let (tx, rx) = wasm_rs_shared_channel::spsc::channel::<u32>(4096)?;
        /// worker.post_message(&tx.into_js())?;
        /// ```
        pub fn into_js(self) -> JsValue {
            self.raw.into_js_named(Some(core::any::type_name::<T>()))
        }

        /// Rebuilds a typed sender from [`into_js`](Self::into_js)'s value, once. A channel
        /// created for another message type is [`ChannelError::TypeMismatch`], naming both
        /// types; the value can then still be rebuilt with the right type.
        ///
        /// ```ignore
        /// let mut tx = wasm_rs_shared_channel::spsc::Sender::<u32>::from_js(&event.data())?;
        /// ```
        pub fn from_js(value: &JsValue) -> Result<Self, ChannelError> {
            let received = Received::parse(value, "sender")?;
            received.check_type::<T>()?;
            let core = received.sender_core()?;
            received.claim()?;
            Ok(Self::from_raw(live_sender(core)))
        }
    }

    impl<T> Receiver<T> {
        /// Converts into a JS object to post to a worker; see [`Sender::into_js`].
        ///
        /// ```ignore
        /// let (tx, rx) = wasm_rs_shared_channel::spsc::channel::<u32>(4096)?;
        /// worker.post_message(&rx.into_js())?;
        /// ```
        pub fn into_js(self) -> JsValue {
            self.raw.into_js_named(Some(core::any::type_name::<T>()))
        }

        /// Rebuilds a typed receiver from [`into_js`](Self::into_js)'s value, once; see
        /// [`Sender::from_js`].
        ///
        /// ```ignore
        /// let mut rx = wasm_rs_shared_channel::spsc::Receiver::<u32>::from_js(&event.data())?;
        /// ```
        pub fn from_js(value: &JsValue) -> Result<Self, ChannelError> {
            let received = Received::parse(value, "receiver")?;
            received.check_type::<T>()?;
            let core = received.receiver_core()?;
            received.claim()?;
            Ok(Self::from_raw(live_receiver(core)))
        }
    }

    impl<Out, In> Duplex<Out, In> {
        /// Converts into `{ end: "duplex", sender, receiver }` (two channel objects, two
        /// `SharedArrayBuffer`s) to post to a worker.
        ///
        /// ```ignore
        /// let (client, server) = wasm_rs_shared_channel::spsc::duplex::<Req, Resp>(4096)?;
        /// worker.post_message(&server.into_js())?;
        /// ```
        pub fn into_js(self) -> JsValue {
            let obj = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&obj, &"end".into(), &"duplex".into());
            let _ = js_sys::Reflect::set(&obj, &"sender".into(), &self.tx.into_js());
            let _ = js_sys::Reflect::set(&obj, &"receiver".into(), &self.rx.into_js());
            obj.into()
        }

        /// Rebuilds a duplex end from [`into_js`](Self::into_js)'s value, once: both halves
        /// are checked (shape, header, message types) and claimed together, so a refused
        /// value leaves neither half claimed.
        ///
        /// ```ignore
        /// let mut server = wasm_rs_shared_channel::spsc::Duplex::<Resp, Req>::from_js(&event.data())?;
        /// ```
        pub fn from_js(value: &JsValue) -> Result<Self, ChannelError> {
            let get =
                |k: &str| js_sys::Reflect::get(value, &k.into()).unwrap_or(JsValue::UNDEFINED);
            if get("end").as_string().as_deref() != Some("duplex") {
                return Err(ChannelError::NotAChannelEnd(
                    "it is not a duplex end".into(),
                ));
            }
            let tx = Received::parse(&get("sender"), "sender")?;
            let rx = Received::parse(&get("receiver"), "receiver")?;
            tx.check_type::<Out>()?;
            rx.check_type::<In>()?;
            let (tx_core, rx_core) = (tx.sender_core()?, rx.receiver_core()?);
            tx.claim()?;
            if let Err(e) = rx.claim() {
                tx.unclaim();
                return Err(e);
            }
            Ok(Self {
                tx: Sender::from_raw(live_sender(tx_core)),
                rx: Receiver::from_raw(live_receiver(rx_core)),
            })
        }
    }
}
