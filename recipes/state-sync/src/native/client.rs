//! A native client (tokio-tungstenite): the `bar` machine, its sync [`Peer`], and an outbox
//! that survives disconnects. Native only; the browser's client is the `browser` module (wasm32).

use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::app::{bar_schema, foo_schema};
use async_state_machine::{Clocks, Machine, MachineError};
use clock_sync_protocol::{ErrorKind, Frame, Peer, ProtocolError, Received, decode, encode};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a client operation failed.
///
/// ```
/// let e = state_sync::client::ClientError::Closed;
/// assert!(e.to_string().contains("reconnect"));
/// ```
#[derive(Debug)]
pub enum ClientError {
    /// Connecting or the socket failed; the outbox is kept, call [`Client::connect`] again.
    Socket(tokio_tungstenite::tungstenite::Error),
    /// The connection closed; the outbox is kept, call [`Client::connect`] again.
    Closed,
    /// The server sent bad input, or rejected ours with this error.
    Protocol(ProtocolError),
    /// A local transition failed.
    Machine(MachineError),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Socket(e) => write!(f, "socket error: {e} (unsent updates are kept: reconnect)"),
            Self::Closed => write!(
                f,
                "the connection closed (unsent updates are kept: reconnect)"
            ),
            Self::Protocol(e) => write!(f, "protocol error: {e}"),
            Self::Machine(e) => write!(f, "transition failed: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<MachineError> for ClientError {
    fn from(e: MachineError) -> Self {
        Self::Machine(e)
    }
}

/// The client side of one session.
///
/// ```no_run
/// # async fn f() -> Result<(), state_sync::client::ClientError> {
/// let mut client = state_sync::client::Client::new("alice")?;
/// client.submit("typed while offline").await?; // queued
/// client.connect("ws://127.0.0.1:3000/ws").await?; // delivered now
/// client.settle().await?; // until the server acknowledged everything
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Client {
    session: String,
    bar: Machine,
    peer: Peer,
    socket: Option<Socket>,
    received: Vec<String>,
}

impl Client {
    /// A disconnected client for `session`.
    ///
    /// ```
    /// let c = state_sync::client::Client::new("s")?;
    /// assert!(!c.is_connected());
    /// # Ok::<(), state_sync::client::ClientError>(())
    /// ```
    pub fn new(session: &str) -> Result<Self, ClientError> {
        Ok(Self {
            session: session.to_string(),
            bar: Machine::new(bar_schema()?),
            peer: Peer::new(bar_schema()?, foo_schema()?),
            socket: None,
            received: Vec::new(),
        })
    }

    /// Whether a connection is open.
    ///
    /// ```
    /// assert!(!state_sync::client::Client::new("s")?.is_connected());
    /// # Ok::<(), state_sync::client::ClientError>(())
    /// ```
    pub fn is_connected(&self) -> bool {
        self.socket.is_some()
    }

    /// The local `bar` machine's clocks.
    ///
    /// ```
    /// assert_eq!(state_sync::client::Client::new("s")?.clocks()["Msg"], 0);
    /// # Ok::<(), state_sync::client::ClientError>(())
    /// ```
    pub fn clocks(&self) -> &Clocks {
        self.bar.clocks()
    }

    /// The mirror of the server's `foo` machine.
    ///
    /// ```
    /// assert_eq!(state_sync::client::Client::new("s")?.server_clocks()["Bored"], 0);
    /// # Ok::<(), state_sync::client::ClientError>(())
    /// ```
    pub fn server_clocks(&self) -> &Clocks {
        self.peer.mirror()
    }

    /// Messages received from the server, in order, each once.
    ///
    /// ```
    /// assert!(state_sync::client::Client::new("s")?.received().is_empty());
    /// # Ok::<(), state_sync::client::ClientError>(())
    /// ```
    pub fn received(&self) -> &[String] {
        &self.received
    }

    /// Opens a connection: `Hello`, the server's replay and snapshot arrive, then ours go out
    /// (every unacknowledged update, in order, then the snapshot).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), state_sync::client::ClientError> {
    /// let mut c = state_sync::client::Client::new("s")?;
    /// c.connect("ws://127.0.0.1:3000/ws").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(&mut self, url: &str) -> Result<(), ClientError> {
        self.socket = None;
        let (mut socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(ClientError::Socket)?;
        send(&mut socket, &self.peer.hello(&self.session)).await?;
        self.socket = Some(socket);
        // Handle frames until the server's Hello, which says what it already has of ours.
        loop {
            if let Some(last) = self.step().await? {
                let frames = self.peer.reconnect_frames(last, self.bar.clocks());
                let socket = self.socket.as_mut().ok_or(ClientError::Closed)?;
                for f in &frames {
                    send(socket, f).await?;
                }
                return Ok(());
            }
        }
    }

    /// Drops the connection (the outbox is kept).
    ///
    /// ```
    /// let mut c = state_sync::client::Client::new("s")?;
    /// c.disconnect();
    /// # Ok::<(), state_sync::client::ClientError>(())
    /// ```
    pub fn disconnect(&mut self) {
        self.socket = None;
    }

    /// Enter in the text box: activates `SubmitMsg` (which adds `Msg`) and pushes the change
    /// with the message. Offline, it is queued and delivered on the next [`Client::connect`].
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), state_sync::client::ClientError> {
    /// let mut c = state_sync::client::Client::new("s")?;
    /// c.submit("hi").await?;
    /// assert_eq!(c.clocks()["Msg"], 1);
    /// # Ok(()) }
    /// ```
    pub async fn submit(&mut self, text: &str) -> Result<(), ClientError> {
        self.bar.add(&["SubmitMsg"], "enter").await?;
        let frame = self
            .peer
            .push(self.bar.clocks(), "enter", 0, vec![text.to_string()]);
        if let Some(socket) = self.socket.as_mut()
            && send(socket, &frame).await.is_err()
        {
            self.socket = None;
        }
        Ok(())
    }

    /// Handles incoming frames until every update of ours is acknowledged.
    ///
    /// ```no_run
    /// # async fn f(c: &mut state_sync::client::Client) -> Result<(), state_sync::client::ClientError> {
    /// c.settle().await?;
    /// # Ok(()) }
    /// ```
    pub async fn settle(&mut self) -> Result<(), ClientError> {
        while self.peer.unacked().next().is_some() {
            self.step().await?;
        }
        Ok(())
    }

    /// Handles incoming frames until `done` holds for this client.
    ///
    /// ```no_run
    /// # async fn f(c: &mut state_sync::client::Client) -> Result<(), state_sync::client::ClientError> {
    /// c.until(|c| c.received().len() >= 2).await?;
    /// # Ok(()) }
    /// ```
    pub async fn until(&mut self, done: impl Fn(&Self) -> bool) -> Result<(), ClientError> {
        while !done(self) {
            self.step().await?;
        }
        Ok(())
    }

    /// Handles one frame; returns the server's `last_applied` if it was its `Hello`.
    async fn step(&mut self) -> Result<Option<u64>, ClientError> {
        let socket = self.socket.as_mut().ok_or(ClientError::Closed)?;
        let frame = loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => {
                    self.socket = None;
                    return Err(ClientError::Closed);
                }
                Some(Ok(Message::Binary(b))) => break decode(&b).map_err(ClientError::Protocol)?,
                Some(Ok(_)) => continue,
            }
        };
        let last = match &frame {
            Frame::Hello { last_applied, .. } => Some(*last_applied),
            _ => None,
        };
        match self.peer.receive(frame).map_err(ClientError::Protocol)? {
            Received::Applied { update, ack } => {
                self.received.extend(update.messages);
                send(socket, &ack).await?;
            }
            Received::Duplicate { ack } => send(socket, &ack).await?,
            Received::PeerError { kind, message } => {
                self.socket = None;
                return Err(ClientError::Protocol(ProtocolError { kind, message }));
            }
            Received::Hello { .. } | Received::Snapshot | Received::Acked(_) => {}
        }
        Ok(last)
    }
}

async fn send(socket: &mut Socket, frame: &Frame) -> Result<(), ClientError> {
    socket
        .send(Message::Binary(encode(frame).into()))
        .await
        .map_err(ClientError::Socket)
}

/// The error kind a server's `Error` frame carried, if `e` is one.
///
/// ```
/// use state_sync::client::{ClientError, rejected_kind};
/// assert_eq!(rejected_kind(&ClientError::Closed), None);
/// ```
pub fn rejected_kind(e: &ClientError) -> Option<ErrorKind> {
    match e {
        ClientError::Protocol(p) => Some(p.kind),
        _ => None,
    }
}
