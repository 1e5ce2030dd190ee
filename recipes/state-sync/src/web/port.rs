//! A `MessagePort` (one end of a `MessageChannel`, the usual way to give a worker its own
//! line to the page) as a futures `Stream` of byte messages and a `Sink` of byte buffers,
//! like [`websocket_reconnect::web`] does for a WebSocket. wasm32 only; works on the main thread, in
//! workers and in Node.js.
//!
//! Each sent `Vec<u8>` travels as a `Uint8Array` whose buffer is *transferred*, not copied;
//! a received `ArrayBuffer` or typed byte array becomes a `Vec<u8>`. Anything else arriving
//! on the port (a string, an object posted by other code) is an error item, not a panic.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::channel::mpsc;
use futures::{Sink, Stream};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, MessagePort};

/// What went wrong on a port.
///
/// ```
/// let e = state_sync::port::PortError::NotBytes("a string".into());
/// assert!(e.to_string().contains("Uint8Array"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortError {
    /// A message that is not bytes arrived (its JS type is named).
    NotBytes(String),
    /// A message could not be deserialised on arrival (`messageerror`).
    Undeserializable,
    /// `postMessage` threw (for example the port was transferred away).
    Post(String),
}

impl fmt::Display for PortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotBytes(what) => write!(
                f,
                "a message on the port is {what}, not bytes: post an ArrayBuffer or Uint8Array"
            ),
            Self::Undeserializable => write!(
                f,
                "a message could not be deserialised (messageerror): post plain bytes"
            ),
            Self::Post(e) => write!(
                f,
                "postMessage failed ({e}): the port may have been transferred or closed"
            ),
        }
    }
}

impl std::error::Error for PortError {}

// ANCHOR: port
/// A `MessagePort` as a `Stream<Item = Result<Vec<u8>, PortError>>` and a
/// `Sink<Vec<u8>>`. Dropping it detaches its handlers and closes the port.
///
/// ```no_run
/// # async fn f() -> Result<(), state_sync::port::PortError> {
/// use futures::{SinkExt, StreamExt};
/// use state_sync::port::PortConnection;
/// let channel = web_sys::MessageChannel::new().unwrap();
/// let mut a = PortConnection::new(channel.port1());
/// let mut b = PortConnection::new(channel.port2());
/// a.send(vec![1, 2, 3]).await?;
/// assert_eq!(b.next().await, Some(Ok(vec![1, 2, 3])));
/// # Ok(()) }
/// ```
pub struct PortConnection {
    port: MessagePort,
    incoming: mpsc::UnboundedReceiver<Result<Vec<u8>, PortError>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(MessageEvent)>,
}

impl PortConnection {
    /// Wraps `port` and starts receiving (setting `onmessage` starts a port's queue).
    ///
    /// ```no_run
    /// let channel = web_sys::MessageChannel::new().unwrap();
    /// let port = state_sync::port::PortConnection::new(channel.port1());
    /// ```
    pub fn new(port: MessagePort) -> Self {
        let (tx, incoming) = mpsc::unbounded();
        let error_tx = tx.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let _ = tx.unbounded_send(bytes_of(&e.data()));
        });
        let on_error = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
            let _ = error_tx.unbounded_send(Err(PortError::Undeserializable));
        });
        port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        port.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
        Self {
            port,
            incoming,
            _on_message: on_message,
            _on_error: on_error,
        }
    }
    // ANCHOR_END: port

    /// The wrapped port.
    ///
    /// ```no_run
    /// # fn f(p: &state_sync::port::PortConnection) {
    /// let raw: &web_sys::MessagePort = p.port();
    /// # }
    /// ```
    pub fn port(&self) -> &MessagePort {
        &self.port
    }
}

fn bytes_of(data: &wasm_bindgen::JsValue) -> Result<Vec<u8>, PortError> {
    if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(js_sys::Uint8Array::new(buf).to_vec())
    } else if let Some(view) = data.dyn_ref::<js_sys::Uint8Array>() {
        Ok(view.to_vec())
    } else {
        Err(PortError::NotBytes(
            data.js_typeof().as_string().unwrap_or_default(),
        ))
    }
}

impl fmt::Debug for PortConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PortConnection").finish_non_exhaustive()
    }
}

impl Stream for PortConnection {
    type Item = Result<Vec<u8>, PortError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.incoming).poll_next(cx)
    }
}

impl Sink<Vec<u8>> for PortConnection {
    type Error = PortError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), PortError>> {
        // postMessage queues without limit; there is no backpressure to wait for.
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, item: Vec<u8>) -> Result<(), PortError> {
        let bytes = js_sys::Uint8Array::from(&item[..]);
        let transfer = js_sys::Array::of1(&bytes.buffer());
        self.port
            .post_message_with_transferable(&bytes, &transfer)
            .map_err(|e| PortError::Post(format!("{e:?}")))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), PortError>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), PortError>> {
        self.port.close();
        Poll::Ready(Ok(()))
    }
}

impl Drop for PortConnection {
    fn drop(&mut self) {
        self.port.set_onmessage(None);
        self.port.set_onmessageerror(None);
        self.port.close();
    }
}
