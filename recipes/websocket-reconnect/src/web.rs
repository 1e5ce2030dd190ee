//! A browser `WebSocket` (web-sys) as a futures `Stream` of binary messages and a `Sink` of
//! byte buffers. wasm32 only; works on a page's main thread and in workers.
//!
//! The state-sync example app runs its sync over it. The tests here cover failing to
//! connect; the exchange with a real server is covered by state-sync's e2e suite.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::channel::{mpsc, oneshot};
use futures::{Sink, Stream};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// Why the socket failed.
///
/// ```
/// let e = websocket_reconnect::web::WsError::Closed { code: 1006, reason: String::new() };
/// assert!(e.to_string().contains("1006"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsError {
    /// This JS environment has no `WebSocket` (Node.js before 22, for example).
    Unsupported(String),
    /// The URL is not one a `WebSocket` accepts (the constructor threw a `SyntaxError`).
    InvalidUrl {
        /// The URL given.
        url: String,
        /// The browser's message.
        message: String,
    },
    /// The connection closed (or never opened: a refused connection closes with code 1006).
    Closed {
        /// The close code.
        code: u16,
        /// The reason the peer gave, often empty.
        reason: String,
    },
    /// `send` threw (the socket is not open any more).
    Send(String),
}

impl fmt::Display for WsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported(e) => write!(
                f,
                "this JS environment has no WebSocket ({e}): run in a browser, a worker or Node.js 22+"
            ),
            Self::InvalidUrl { url, message } => write!(
                f,
                "`{url}` is not a WebSocket URL ({message}): use an absolute ws:// or wss:// URL"
            ),
            Self::Closed { code, reason } => write!(
                f,
                "the WebSocket closed (code {code}{}{reason}): reconnect with backoff",
                if reason.is_empty() { "" } else { ", " }
            ),
            Self::Send(e) => write!(f, "send failed ({e}): the socket is closed, reconnect"),
        }
    }
}

impl std::error::Error for WsError {}

/// An open WebSocket: read binary messages as a `Stream`, write them through a `Sink`.
/// Dropping it closes the socket and detaches its handlers.
///
/// ```no_run
/// # async fn f() -> Result<(), websocket_reconnect::web::WsError> {
/// use futures::StreamExt;
/// let ws = websocket_reconnect::web::connect("ws://127.0.0.1:3000/ws").await?;
/// let (_sink, mut stream) = ws.split();
/// while let Some(bytes) = stream.next().await {
///     let _message: Vec<u8> = bytes?; // one binary message
/// }
/// # Ok(()) }
/// ```
pub struct WsConnection {
    ws: WebSocket,
    incoming: mpsc::UnboundedReceiver<Result<Vec<u8>, WsError>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut()>,
}

impl fmt::Debug for WsConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsConnection")
            .field("url", &self.ws.url())
            .finish()
    }
}

/// Opens `url` and resolves once it is open, or with the error that closed it. It never
/// blocks the thread, and a refused connection resolves (to `WsError::Closed`) instead of
/// waiting forever.
///
/// ```no_run
/// # async fn f() -> Result<(), websocket_reconnect::web::WsError> {
/// use futures::{SinkExt, StreamExt};
/// let mut ws = websocket_reconnect::web::connect("ws://127.0.0.1:3000/ws").await?;
/// ws.send(vec![1, 2, 3]).await?;
/// let reply: Option<Result<Vec<u8>, _>> = ws.next().await;
/// # Ok(()) }
/// ```
pub async fn connect(url: &str) -> Result<WsConnection, WsError> {
    let has_websocket =
        js_sys::Reflect::has(&js_sys::global(), &"WebSocket".into()).unwrap_or(false);
    let ws = WebSocket::new(url).map_err(|e| {
        let message = e
            .dyn_ref::<js_sys::Error>()
            .map_or_else(|| format!("{e:?}"), |e| String::from(e.message()));
        if has_websocket {
            WsError::InvalidUrl {
                url: url.to_owned(),
                message,
            }
        } else {
            WsError::Unsupported(message)
        }
    })?;
    ws.set_binary_type(BinaryType::Arraybuffer);
    let (tx, incoming) = mpsc::unbounded();
    let (opened_tx, opened) = oneshot::channel::<Result<(), WsError>>();
    let opened_tx = std::rc::Rc::new(std::cell::RefCell::new(Some(opened_tx)));

    let msg_tx = tx.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = e.data();
        let bytes = if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
            js_sys::Uint8Array::new(buf).to_vec()
        } else {
            data.as_string().unwrap_or_default().into_bytes()
        };
        let _ = msg_tx.unbounded_send(Ok(bytes));
    });
    let open_done = opened_tx.clone();
    let on_open = Closure::<dyn FnMut()>::once(move || {
        if let Some(done) = open_done.borrow_mut().take() {
            let _ = done.send(Ok(()));
        }
    });
    // ANCHOR: settle
    let close_done = opened_tx.clone();
    let error_tx = tx.clone();
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
        let err = WsError::Closed {
            code: e.code(),
            reason: e.reason(),
        };
        match close_done.borrow_mut().take() {
            Some(done) => {
                let _ = done.send(Err(err));
            }
            None => {
                let _ = tx.unbounded_send(Err(err));
                tx.close_channel();
            }
        }
    });
    // WebKit reports a connection that never opened with `error` and no `close` (seen in
    // WebKitGTK 2.50), so `error` ends the wait too, and after opening it ends the stream.
    let error_done = opened_tx;
    let on_error = Closure::<dyn FnMut()>::new(move || {
        let err = WsError::Closed {
            code: 1006,
            reason: "connection failed".into(),
        };
        match error_done.borrow_mut().take() {
            Some(done) => {
                let _ = done.send(Err(err));
            }
            None => {
                let _ = error_tx.unbounded_send(Err(err));
                error_tx.close_channel();
            }
        }
    });
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let result = opened.await.unwrap_or(Err(WsError::Closed {
        code: 1006,
        reason: String::new(),
    }));
    // ANCHOR_END: settle
    ws.set_onopen(None);
    drop(on_open);
    let conn = WsConnection {
        ws,
        incoming,
        _on_message: on_message,
        _on_close: on_close,
        _on_error: on_error,
    };
    result.map(|()| conn)
}

impl Stream for WsConnection {
    type Item = Result<Vec<u8>, WsError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.incoming).poll_next(cx)
    }
}

impl Sink<Vec<u8>> for WsConnection {
    type Error = WsError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        // The browser buffers outgoing frames itself (`bufferedAmount`); there is no
        // backpressure signal to wait on, only whether the socket is still open.
        if self.ws.ready_state() == WebSocket::OPEN {
            Poll::Ready(Ok(()))
        } else {
            Poll::Ready(Err(WsError::Send(format!(
                "readyState is {}",
                self.ws.ready_state()
            ))))
        }
    }

    fn start_send(self: Pin<&mut Self>, item: Vec<u8>) -> Result<(), WsError> {
        self.ws
            .send_with_u8_array(&item)
            .map_err(|e| WsError::Send(format!("{e:?}")))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let _ = self.ws.close();
        Poll::Ready(Ok(()))
    }
}

impl Drop for WsConnection {
    fn drop(&mut self) {
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}
