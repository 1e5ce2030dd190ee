//! `browser-bar`: the browser side of the sync, over [`websocket_reconnect::web`]'s WebSocket, as a task
//! on wasm-rs-async-executor. wasm32 only.
//!
//! One task (the *driver*) owns the `bar` machine, its [`Peer`] and the socket; everything
//! else talks to it through a [`BarClient`] handle (commands over a channel, answers over
//! oneshots) and reads the published [`BarView`]. So there is no shared mutable state to
//! borrow across an `.await`, and a command typed while the connection is down is handled
//! exactly like one typed while it is up: it changes the machine and lands in the outbox;
//! the protocol's replay delivers it after the reconnect.
//!
//! The driver never blocks: connecting, waiting for frames and waiting out the reconnect
//! backoff are all `.await`s, and commands are served during each of them.

use std::cell::RefCell;
use std::fmt;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use futures::channel::{mpsc, oneshot};
use futures::future::{Either, select};
use futures::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};

use crate::app::{bar_schema, foo_schema};
use async_state_machine::{Clocks, Machine, MachineError};
use clock_sync_protocol::{Frame, Peer, Received, decode, encode};
use websocket_reconnect::backoff::Backoff;
use websocket_reconnect::web::{self, WsConnection};

/// The longest message [`BarClient::submit`] accepts, in bytes: well under the protocol's
/// frame limit, so one message can never make a frame the server must reject (which would
/// be replayed, and rejected, after every reconnect).
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024;

/// Why a command failed.
///
/// ```
/// let e = state_sync::browser::BarError::TooLong { bytes: 5000 };
/// assert!(e.to_string().contains("4096"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BarError {
    /// The transition failed (an unknown state name, a refused relation).
    Machine(MachineError),
    /// An empty (or all-blank) message.
    Empty,
    /// A message over [`MAX_MESSAGE_BYTES`].
    TooLong {
        /// Its length in bytes.
        bytes: usize,
    },
    /// The client's task has stopped (every handle was dropped, or the page is unloading).
    Stopped,
    /// The client in the worker (`?worker=1`) refused the command, for this reason.
    Worker(String),
}

impl fmt::Display for BarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Machine(e) => write!(f, "{e}"),
            Self::Empty => write!(f, "the message is empty: type some text first"),
            Self::TooLong { bytes } => write!(
                f,
                "the message is {bytes} bytes, the limit is {MAX_MESSAGE_BYTES}: split it"
            ),
            Self::Stopped => write!(
                f,
                "the browser-bar client has stopped: reload the page to start a new one"
            ),
            Self::Worker(reason) => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for BarError {}

impl From<MachineError> for BarError {
    fn from(e: MachineError) -> Self {
        Self::Machine(e)
    }
}

/// Where the connection stands.
///
/// ```
/// let s = state_sync::browser::Status::Connected;
/// assert_eq!(s.to_string(), "connected");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// Opening the socket (attempt `attempt` since the last successful connection).
    Connecting {
        /// Failed attempts before this one.
        attempt: u32,
    },
    /// Open, `Hello` sent, waiting for the server's `Hello` and replay.
    Syncing,
    /// In sync: local changes go out as they happen.
    Connected,
    /// Disconnected; the next attempt starts after `retry_in_ms`.
    Waiting {
        /// The backoff wait, jitter included.
        retry_in_ms: u64,
        /// Why the last connection ended or failed.
        reason: String,
    },
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connecting { attempt: 0 } => write!(f, "connecting"),
            Self::Connecting { attempt } => write!(f, "connecting (retry {attempt})"),
            Self::Syncing => write!(f, "syncing"),
            Self::Connected => write!(f, "connected"),
            Self::Waiting {
                retry_in_ms,
                reason,
            } => write!(f, "offline ({reason}); retrying in {retry_in_ms} ms"),
        }
    }
}

/// One line of the message list.
///
/// ```
/// let l = state_sync::browser::Line { from: "bar".into(), text: "hi".into() };
/// assert_eq!(l.from, "bar");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// `"bar"` (typed on this page) or `"foo"` (sent by the server).
    pub from: String,
    /// The message.
    pub text: String,
}

/// Everything the page shows, published by the driver after each change.
///
/// ```
/// let v = state_sync::browser::BarView::default();
/// assert!(v.messages.is_empty() && v.unacked == 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarView {
    /// The session id this page syncs as.
    pub session: String,
    /// The connection's status (`None` before the driver first ran).
    pub status: Option<Status>,
    /// This page's `bar` machine.
    pub bar: Clocks,
    /// The mirror of the server's `foo` machine.
    pub foo: Clocks,
    /// Every message from either side, each once, in the order this page learnt of it.
    pub messages: Vec<Line>,
    /// Local updates the server has not acknowledged yet (typed while offline, or in flight).
    pub unacked: usize,
    /// Connections that reached `Connected` so far (1 after the first, 2 after a reconnect…).
    pub connections: u32,
}

/// How to start a [`BarClient`].
///
/// ```
/// let o = state_sync::browser::BarOptions::new("ws://127.0.0.1:3000/ws", "alice");
/// assert_eq!(o.session, "alice");
/// ```
#[derive(Clone, Debug)]
pub struct BarOptions {
    /// The server's WebSocket URL (the page derives it from `location`).
    pub url: String,
    /// The session id; the server keeps one mirror per session.
    pub session: String,
    /// The reconnect policy.
    pub backoff: Backoff,
}

impl BarOptions {
    /// Options with the default backoff: 100 ms first, at most 5 s.
    ///
    /// ```
    /// let o = state_sync::browser::BarOptions::new("ws://h/ws", "s");
    /// assert_eq!(o.backoff.max(), std::time::Duration::from_secs(5));
    /// ```
    pub fn new(url: &str, session: &str) -> Self {
        Self {
            url: url.to_string(),
            session: session.to_string(),
            backoff: Backoff::new(Duration::from_millis(100), Duration::from_secs(5)),
        }
    }
}

/// A command to the driver; it also travels to the worker variant's driver (postcard).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Op {
    Submit(String),
    Add(String),
    Remove(String),
}

pub(crate) struct Command {
    pub(crate) op: Op,
    pub(crate) reply: oneshot::Sender<Result<(), BarError>>,
}

/// A handle on the running client; clones share it. When the last handle is dropped the
/// driver finishes its current wait and stops, closing the socket.
///
/// ```no_run
/// # async fn f() -> Result<(), state_sync::browser::BarError> {
/// use state_sync::browser::{BarClient, BarOptions};
/// let bar = BarClient::start(BarOptions::new("ws://127.0.0.1:3000/ws", "alice"), |view| {
///     web_sys::console::log_1(&format!("{}", view.messages.len()).into());
/// });
/// bar.submit("hello").await?; // queued if offline, delivered once after the reconnect
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct BarClient {
    commands: mpsc::UnboundedSender<Command>,
    view: Rc<RefCell<BarView>>,
}

impl fmt::Debug for BarClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarClient")
            .field("view", &self.view.borrow())
            .finish()
    }
}

impl BarClient {
    /// Spawns the driver on wasm-rs-async-executor and returns at once; `on_change` is called
    /// with the new view after every change (connection status, either machine, a message).
    ///
    /// ```no_run
    /// use state_sync::browser::{BarClient, BarOptions};
    /// let bar = BarClient::start(BarOptions::new("ws://127.0.0.1:3000/ws", "s"), |_| {});
    /// assert_eq!(bar.view().session, "s");
    /// ```
    pub fn start(options: BarOptions, on_change: impl FnMut(&BarView) + 'static) -> Self {
        let (commands, receiver) = mpsc::unbounded();
        // The schemas are constants of this crate: a failure is a bug, reported by every
        // command (see `Driver::fail`) instead of a panic.
        let schemas = bar_schema().and_then(|b| Ok((b, foo_schema()?)));
        let view = Rc::new(RefCell::new(BarView {
            session: options.session.clone(),
            ..BarView::default()
        }));
        let driver = Driver {
            state: schemas
                .map(|(local, remote)| (Machine::new(local.clone()), Peer::new(local, remote))),
            options,
            commands: receiver,
            messages: Vec::new(),
            connections: 0,
            status: None,
            view: view.clone(),
            on_change: Box::new(on_change),
        };
        drop(wasm_rs_async_executor::spawn(driver.run()));
        Self { commands, view }
    }

    /// Enter in the text box: activates `SubmitMsg` (which adds `Msg`) and pushes the change
    /// with `text`. Resolves once the local machine changed; the server gets it now if
    /// connected, else after the reconnect.
    ///
    /// ```no_run
    /// # async fn f(bar: state_sync::browser::BarClient) -> Result<(), state_sync::browser::BarError> {
    /// bar.submit("hi").await?;
    /// assert_eq!(bar.view().messages.last().map(|l| l.text.as_str()), Some("hi"));
    /// # Ok(()) }
    /// ```
    pub async fn submit(&self, text: &str) -> Result<(), BarError> {
        self.command(Op::Submit(text.to_string())).await
    }

    /// Activates `state` of `bar` by hand (the devtools console's `bar_add`).
    ///
    /// ```no_run
    /// # async fn f(bar: state_sync::browser::BarClient) -> Result<(), state_sync::browser::BarError> {
    /// bar.add("Msg").await?;
    /// # Ok(()) }
    /// ```
    pub async fn add(&self, state: &str) -> Result<(), BarError> {
        self.command(Op::Add(state.to_string())).await
    }

    /// Deactivates `state` of `bar` by hand (the devtools console's `bar_remove`).
    ///
    /// ```no_run
    /// # async fn f(bar: state_sync::browser::BarClient) -> Result<(), state_sync::browser::BarError> {
    /// bar.remove("Msg").await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove(&self, state: &str) -> Result<(), BarError> {
        self.command(Op::Remove(state.to_string())).await
    }

    /// A handle whose commands go to `commands` and whose view is `view`: the worker
    /// variant's main-thread side forwards them to the driver in the worker.
    pub(crate) fn from_parts(
        commands: mpsc::UnboundedSender<Command>,
        view: Rc<RefCell<BarView>>,
    ) -> Self {
        Self { commands, view }
    }

    /// The latest published view.
    ///
    /// ```no_run
    /// # fn f(bar: state_sync::browser::BarClient) {
    /// println!("{:?}", bar.view().status);
    /// # }
    /// ```
    pub fn view(&self) -> BarView {
        self.view.borrow().clone()
    }

    pub(crate) async fn command(&self, op: Op) -> Result<(), BarError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .unbounded_send(Command { op, reply })
            .map_err(|_| BarError::Stopped)?;
        answer.await.unwrap_or(Err(BarError::Stopped))
    }
}

/// How a connection ended.
enum Ended {
    /// The socket closed or failed, or the server sent bad input; reconnect.
    Lost(String),
    /// Every handle is gone; stop.
    Stopped,
}

struct Driver {
    state: Result<(Machine, Peer), MachineError>,
    options: BarOptions,
    commands: mpsc::UnboundedReceiver<Command>,
    messages: Vec<Line>,
    connections: u32,
    status: Option<Status>,
    view: Rc<RefCell<BarView>>,
    on_change: Box<dyn FnMut(&BarView)>,
}

/// What one frame from the server calls for.
struct Answer {
    /// Frames to send back (acks; after the server's `Hello`, our replay and snapshot).
    frames: Vec<Frame>,
    /// It was the server's `Hello`: from now on local updates go out at once.
    synced: bool,
}

/// Bad input from the server: the connection ends.
struct Fatal {
    /// The error frame to tell the server why, if the fault is theirs.
    reply: Option<Frame>,
    /// For the status line.
    reason: String,
}

enum Event<T> {
    Done(T),
    Command(Command),
    Stopped,
}

impl Driver {
    // ANCHOR: driver
    async fn run(mut self) {
        self.publish();
        loop {
            let attempt = self.options.backoff.attempt();
            self.set_status(Status::Connecting { attempt });
            let url = self.options.url.clone();
            let reason = match self.serving_commands(web::connect(&url)).await {
                None => return,
                Some(Err(e)) => e.to_string(),
                Some(Ok(ws)) => match self.connected(ws).await {
                    Ended::Stopped => return,
                    Ended::Lost(reason) => reason,
                },
            };
            // Only async sleeps: the page keeps rendering and typing goes on meanwhile.
            let wait = self.options.backoff.next_delay(js_sys::Math::random());
            // A JS error's text may carry its whole stack: the first line says enough.
            let reason = reason.lines().next().unwrap_or_default().to_string();
            self.set_status(Status::Waiting {
                retry_in_ms: wait.as_millis() as u64,
                reason,
            });
            if self
                .serving_commands(wasm_rs_async_executor::sleep(wait))
                .await
                .is_none()
            {
                return;
            }
        }
    }
    // ANCHOR_END: driver

    // ANCHOR: connected
    /// One connection: `Hello`, then frames and commands until it ends.
    async fn connected(&mut self, mut ws: WsConnection) -> Ended {
        let Ok((_, peer)) = &self.state else {
            return Ended::Stopped;
        };
        let hello = peer.hello(&self.options.session);
        if let Err(e) = ws.send(encode(&hello)).await {
            return Ended::Lost(e.to_string());
        }
        self.set_status(Status::Syncing);
        // Until the server's Hello says what it has, local updates wait in the outbox: sent
        // now, they could overtake the replay and arrive out of order.
        let mut synced = false;
        loop {
            let event = match select(ws.next(), self.commands.next()).await {
                Either::Left((frame, _)) => Event::Done(frame),
                Either::Right((Some(c), _)) => Event::Command(c),
                Either::Right((None, _)) => Event::Stopped,
            };
            let outgoing = match event {
                Event::Stopped => return Ended::Stopped,
                Event::Command(c) => match self.apply(c).await {
                    Some(frame) if synced => vec![frame],
                    _ => Vec::new(),
                },
                Event::Done(None) => return Ended::Lost("the server closed the socket".into()),
                Event::Done(Some(Err(e))) => return Ended::Lost(e.to_string()),
                Event::Done(Some(Ok(bytes))) => match self.receive(&bytes) {
                    Ok(answer) => {
                        synced |= answer.synced;
                        answer.frames
                    }
                    Err(fatal) => {
                        if let Some(reply) = fatal.reply {
                            let _ = ws.send(encode(&reply)).await;
                        }
                        return Ended::Lost(fatal.reason);
                    }
                },
            };
            for frame in &outgoing {
                if let Err(e) = ws.send(encode(frame)).await {
                    return Ended::Lost(e.to_string());
                }
            }
            self.publish();
        }
    }
    // ANCHOR_END: connected

    /// Handles one frame from the server.
    fn receive(&mut self, bytes: &[u8]) -> Result<Answer, Fatal> {
        let Ok((bar, peer)) = &mut self.state else {
            return Err(Fatal {
                reply: None,
                reason: "no schema".into(),
            });
        };
        let bad = |e: crate::ProtocolError| Fatal {
            reply: Some(e.to_frame()),
            reason: e.to_string(),
        };
        let frame = decode(bytes).map_err(bad)?;
        let last = match &frame {
            Frame::Hello { last_applied, .. } => Some(*last_applied),
            _ => None,
        };
        let answer = |frames, synced| Ok(Answer { frames, synced });
        match peer.receive(frame).map_err(bad)? {
            Received::Hello { .. } => {
                let frames = peer.reconnect_frames(last.unwrap_or(0), bar.clocks());
                self.options.backoff.reset();
                self.connections += 1;
                self.status = Some(Status::Connected);
                answer(frames, true)
            }
            Received::Applied { update, ack } => {
                self.messages
                    .extend(update.messages.into_iter().map(|text| Line {
                        from: "foo".into(),
                        text,
                    }));
                answer(vec![ack], false)
            }
            Received::Duplicate { ack } => answer(vec![ack], false),
            Received::PeerError { kind, message } => Err(Fatal {
                reply: None,
                reason: format!("the server rejected us: {kind:?}: {message}"),
            }),
            Received::Snapshot | Received::Acked(_) => answer(Vec::new(), false),
        }
    }

    /// Runs `fut` to completion while serving commands; `None` if every handle was dropped.
    async fn serving_commands<F: Future>(&mut self, fut: F) -> Option<F::Output> {
        let mut fut = pin!(fut);
        loop {
            let event = match select(fut.as_mut(), self.commands.next()).await {
                Either::Left((out, _)) => Event::Done(out),
                Either::Right((Some(c), _)) => Event::Command(c),
                Either::Right((None, _)) => Event::Stopped,
            };
            match event {
                Event::Done(out) => return Some(out),
                // Offline: the update stays in the outbox for the replay.
                Event::Command(c) => drop(self.apply(c).await),
                Event::Stopped => return None,
            }
            self.publish();
        }
    }

    /// Applies a command to the machine, answers it, and returns the update to send.
    async fn apply(&mut self, command: Command) -> Option<Frame> {
        let result = self.transition(command.op).await;
        let (answer, frame) = match result {
            Ok(frame) => (Ok(()), Some(frame)),
            Err(e) => (Err(e), None),
        };
        let _ = command.reply.send(answer);
        frame
    }

    async fn transition(&mut self, op: Op) -> Result<Frame, BarError> {
        let (bar, peer) = self.state.as_mut().map_err(|e| e.clone())?;
        let now = js_sys::Date::now() as u64;
        // ANCHOR: submit
        match op {
            Op::Submit(text) => {
                if text.trim().is_empty() {
                    return Err(BarError::Empty);
                }
                if text.len() > MAX_MESSAGE_BYTES {
                    return Err(BarError::TooLong { bytes: text.len() });
                }
                bar.add(&["SubmitMsg"], "enter").await?;
                self.messages.push(Line {
                    from: "bar".into(),
                    text: text.clone(),
                });
                Ok(peer.push(bar.clocks(), "enter", now, vec![text]))
            }
            // ANCHOR_END: submit
            Op::Add(state) => {
                bar.add(&[&state], "devtools").await?;
                Ok(peer.push(bar.clocks(), "devtools add", now, Vec::new()))
            }
            Op::Remove(state) => {
                bar.remove(&[&state], "devtools").await?;
                Ok(peer.push(bar.clocks(), "devtools remove", now, Vec::new()))
            }
        }
    }

    fn set_status(&mut self, status: Status) {
        self.status = Some(status);
        self.publish();
    }

    fn publish(&mut self) {
        let (bar, mirror, unacked) = match &self.state {
            Ok((bar, peer)) => (
                bar.clocks().clone(),
                peer.mirror().clone(),
                peer.unacked().count(),
            ),
            Err(_) => Default::default(),
        };
        let view = BarView {
            session: self.options.session.clone(),
            status: self.status.clone(),
            bar,
            foo: mirror,
            messages: self.messages.clone(),
            unacked,
            connections: self.connections,
        };
        if *self.view.borrow() == view {
            return;
        }
        *self.view.borrow_mut() = view;
        let view = self.view.borrow().clone();
        (self.on_change)(&view);
    }
}
