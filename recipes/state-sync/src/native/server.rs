//! `server-foo`: the native side (tokio + axum WebSocket). Native only.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderName, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio::time::Instant;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::{bar_schema, foo_schema};
use async_state_machine::{Clocks, Machine, MachineError};
use clock_sync_protocol::{
    ErrorKind, Frame, MAX_FRAME_BYTES, Peer, ProtocolError, Received, Update, decode, encode,
};

/// The server's knobs (the `server-foo` flags).
///
/// ```
/// let c = state_sync::server::Config::default();
/// assert_eq!(c.max_hellos, 3);
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen; port 0 picks a free port (the bound address is reported).
    pub addr: SocketAddr,
    /// `foo` becomes `Bored` after this much silence from the client.
    pub bored_after: Duration,
    /// `foo` says "hello" this often...
    pub hello_every: Duration,
    /// ...at most this many times per session.
    pub max_hellos: u32,
    /// The JSON-lines transition log; read back on start, so a restart resumes every session.
    pub log: PathBuf,
    /// A directory served at `/` (the `browser-bar` page and its wasm), so the page and the
    /// WebSocket share one origin and the page finds `/ws` from its own `location`.
    pub static_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            bored_after: Duration::from_secs(10),
            hello_every: Duration::from_secs(5),
            max_hellos: 3,
            log: PathBuf::from("state-sync.jsonl"),
            static_dir: None,
        }
    }
}

/// Why the server could not start.
///
/// ```
/// let e = state_sync::server::ServerError::BadLog { line: 3, message: "EOF".into() };
/// assert!(e.to_string().contains("line 3"));
/// ```
#[derive(Debug)]
pub enum ServerError {
    /// Binding the address or reading/writing the log failed.
    Io(std::io::Error),
    /// A log line is not a [`LogEntry`].
    BadLog {
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// A schema could not be built (a bug in [`crate::app`]).
    Machine(MachineError),
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(
                f,
                "I/O error: {e} (check the address is free and the log path writable)"
            ),
            Self::BadLog { line, message } => write!(
                f,
                "log line {line} is not a transition record ({message}): fix or move the log file away"
            ),
            Self::Machine(e) => write!(f, "schema error: {e}"),
        }
    }
}

impl std::error::Error for ServerError {}

impl From<std::io::Error> for ServerError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<MachineError> for ServerError {
    fn from(e: MachineError) -> Self {
        Self::Machine(e)
    }
}

/// One line of the JSON-lines log: a transition of either machine, as the server saw it.
///
/// ```
/// let line = r#"{"time_ms":1,"session":"s","machine":"bar","seq":1,"cause":"enter",
///     "clocks":{"Msg":1},"changes":[["Msg",1]],"messages":["hi"]}"#;
/// let e: state_sync::server::LogEntry = serde_json::from_str(line)?;
/// assert_eq!(e.messages, ["hi"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Server time, milliseconds since the Unix epoch.
    pub time_ms: u64,
    /// The client session.
    pub session: String,
    /// `"foo"` (the server's machine) or `"bar"` (the client's).
    pub machine: String,
    /// The update's sequence number, 0 for a snapshot.
    pub seq: u64,
    /// The cause given by the machine that changed.
    pub cause: String,
    /// That machine's full clocks after the change.
    pub clocks: Clocks,
    /// The clocks that changed.
    pub changes: Vec<(String, u64)>,
    /// Messages carried.
    pub messages: Vec<String>,
}

/// What the server holds for one session, as tests see it ([`ServerHandle::view`]).
///
/// ```no_run
/// # async fn f(server: &state_sync::server::ServerHandle) {
/// if let Some(view) = server.view("alice").await {
///     println!("{} messages, Msg clock {}", view.messages.len(), view.bar["Msg"]);
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// The server's machine.
    pub foo: Clocks,
    /// The server's mirror of the client's machine.
    pub bar: Clocks,
    /// Every message received from the client, in order.
    pub messages: Vec<String>,
}

struct Session {
    foo: Machine,
    peer: Peer,
    messages: Vec<String>,
    hellos: u32,
    /// Tells the connection currently serving this session that a newer one took over.
    kick: Option<tokio::sync::oneshot::Sender<()>>,
    /// Counts connections; only the newest may push `foo`'s changes.
    generation: u64,
}

impl Session {
    fn new() -> Result<Self, MachineError> {
        Ok(Self {
            foo: Machine::new(foo_schema()?),
            peer: Peer::new(foo_schema()?, bar_schema()?),
            messages: Vec::new(),
            hellos: 0,
            kick: None,
            generation: 0,
        })
    }
}

struct AppState {
    config: Config,
    sessions: StdMutex<HashMap<String, Arc<Mutex<Session>>>>,
    log: StdMutex<File>,
}

impl AppState {
    fn session(&self, id: &str) -> Result<Arc<Mutex<Session>>, MachineError> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = sessions.get(id) {
            return Ok(s.clone());
        }
        let s = Arc::new(Mutex::new(Session::new()?));
        sessions.insert(id.to_string(), s.clone());
        Ok(s)
    }

    fn append(&self, entry: &LogEntry) -> std::io::Result<()> {
        let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.write_all(line.as_bytes())?;
        log.flush()
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Reads a log back into sessions.
fn restore(path: &Path) -> Result<HashMap<String, Arc<Mutex<Session>>>, ServerError> {
    let mut sessions: HashMap<String, Session> = HashMap::new();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(e.into()),
    };
    let mut sent: HashMap<String, Vec<(Update, Clocks)>> = HashMap::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let e: LogEntry = serde_json::from_str(&line).map_err(|err| ServerError::BadLog {
            line: i + 1,
            message: err.to_string(),
        })?;
        let s = match sessions.entry(e.session.clone()) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(Session::new()?),
        };
        if e.machine == "foo" {
            s.foo = Machine::with_clocks(foo_schema()?, e.clocks.clone())?;
            if e.cause == "hello" {
                s.hellos += 1;
            }
            let update = Update {
                seq: e.seq,
                cause: e.cause,
                time_ms: e.time_ms,
                changes: e.changes,
                messages: e.messages,
            };
            sent.entry(e.session).or_default().push((update, e.clocks));
        } else {
            let last = if e.seq > 0 {
                e.seq
            } else {
                s.peer.last_applied()
            };
            s.peer.restore_mirror(e.clocks, last);
            s.messages.extend(e.messages);
        }
    }
    for (id, updates) in sent {
        if let Some(s) = sessions.get_mut(&id) {
            s.peer.restore_outbox(updates);
        }
    }
    Ok(sessions
        .into_iter()
        .map(|(k, v)| (k, Arc::new(Mutex::new(v))))
        .collect())
}

/// A server running on its own tokio runtime (its own threads). Dropping the handle, or
/// [`ServerHandle::kill`], stops it at once, connections included, like killing the process.
///
/// ```no_run
/// let server = state_sync::server::ServerHandle::start(state_sync::server::Config::default())?;
/// println!("ws://{}/ws", server.addr());
/// # Ok::<(), state_sync::server::ServerError>(())
/// ```
pub struct ServerHandle {
    addr: SocketAddr,
    state: Arc<AppState>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .finish()
    }
}

impl ServerHandle {
    /// Reads the log, binds, and starts serving `/ws` (the sync socket), `/timeline`, and
    /// the files of [`Config::static_dir`] if set.
    ///
    /// ```no_run
    /// let server = state_sync::server::ServerHandle::start(Default::default())?;
    /// assert_eq!(server.addr().ip().to_string(), "127.0.0.1");
    /// # Ok::<(), state_sync::server::ServerError>(())
    /// ```
    pub fn start(config: Config) -> Result<Self, ServerError> {
        let sessions = restore(&config.log)?;
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&config.log)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        // Bound with std so that `start` also works from inside another runtime (a test's).
        let std_listener = std::net::TcpListener::bind(config.addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        let state = Arc::new(AppState {
            config,
            sessions: StdMutex::new(sessions),
            log: StdMutex::new(log),
        });
        let app = router(state.clone());
        runtime.spawn(async move {
            // Serving only ends with the runtime; an accept error is logged by axum and retried.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            addr,
            state,
            runtime: Some(runtime),
        })
    }

    /// The bound address.
    ///
    /// ```no_run
    /// let server = state_sync::server::ServerHandle::start(Default::default())?;
    /// assert_ne!(server.addr().port(), 0);
    /// # Ok::<(), state_sync::server::ServerError>(())
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What the server holds for `session`, if it knows it.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), state_sync::server::ServerError> {
    /// let server = state_sync::server::ServerHandle::start(Default::default())?;
    /// assert!(server.view("nobody").await.is_none());
    /// # Ok(()) }
    /// ```
    pub async fn view(&self, session: &str) -> Option<View> {
        let s = {
            let sessions = self
                .state
                .sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            sessions.get(session)?.clone()
        };
        let s = s.lock().await;
        Some(View {
            foo: s.foo.clocks().clone(),
            bar: s.peer.mirror().clone(),
            messages: s.messages.clone(),
        })
    }

    /// Stops the server now: every task and connection is dropped, nothing is flushed beyond
    /// what the log already holds (each line is written before its update is acknowledged).
    ///
    /// ```no_run
    /// let server = state_sync::server::ServerHandle::start(Default::default())?;
    /// server.kill();
    /// # Ok::<(), state_sync::server::ServerError>(())
    /// ```
    pub fn kill(mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }

    /// Blocks the calling thread until the server stops (it does not stop on its own).
    ///
    /// ```no_run
    /// state_sync::server::ServerHandle::start(Default::default())?.wait();
    /// # Ok::<(), state_sync::server::ServerError>(())
    /// ```
    pub fn wait(mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.block_on(std::future::pending::<()>());
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

fn router(state: Arc<AppState>) -> Router {
    let static_dir = state.config.static_dir.clone();
    let router = Router::new()
        .route("/ws", get(ws_upgrade))
        .route("/timeline", get(timeline))
        .with_state(state);
    let router = match static_dir {
        // Everything else is a file of the page (`/` is its index.html).
        Some(dir) => router.fallback_service(tower_http::services::ServeDir::new(dir)),
        None => router,
    };
    // Cross-origin isolation, so the page may use SharedArrayBuffer (the worker variant's
    // shared channel needs it).
    router
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-embedder-policy"),
            HeaderValue::from_static("require-corp"),
        ))
}

async fn ws_upgrade(ws: WebSocketUpgrade, State(state): State<Arc<AppState>>) -> Response {
    // Accept somewhat more than the protocol limit so that an oversized frame reaches our own
    // check and gets a clear error frame instead of a bare transport failure.
    ws.max_message_size(MAX_FRAME_BYTES * 4)
        .on_upgrade(move |socket| async move {
            let _ = connection(socket, state).await;
        })
}

/// Why a connection ended.
enum End {
    Bad(ProtocolError),
    Gone,
    /// A newer connection for the same session took over.
    Superseded,
}

async fn send(socket: &mut WebSocket, frame: &Frame) -> Result<(), End> {
    socket
        .send(Message::Binary(encode(frame).into()))
        .await
        .map_err(|_| End::Gone)
}

async fn recv(socket: &mut WebSocket) -> Result<Frame, End> {
    loop {
        match socket.recv().await {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Err(End::Gone),
            Some(Ok(Message::Binary(b))) => return decode(&b).map_err(End::Bad),
            Some(Ok(Message::Text(_))) => {
                return Err(End::Bad(ProtocolError {
                    kind: ErrorKind::Malformed,
                    message: "a text frame on a binary protocol".into(),
                }));
            }
            Some(Ok(_)) => continue, // ping/pong
        }
    }
}

async fn connection(mut socket: WebSocket, state: Arc<AppState>) -> Result<(), ()> {
    let result = serve_session(&mut socket, &state).await;
    if let Err(End::Superseded) = result {
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code: 4000,
                reason: "a newer connection for this session took over".into(),
            })))
            .await;
    }
    if let Err(End::Bad(e)) = result {
        let code = if e.kind == ErrorKind::TooLarge {
            1009
        } else {
            1008
        };
        let _ = send(&mut socket, &e.to_frame()).await;
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: format!("{:?}", e.kind).into(),
            })))
            .await;
    }
    Ok(())
}

/// Pushes a change of `foo` to the client: logs it first, then sends it if connected.
async fn push_foo(
    state: &AppState,
    id: &str,
    s: &mut Session,
    cause: &str,
    messages: Vec<String>,
    socket: &mut WebSocket,
) -> Result<(), End> {
    let time_ms = now_ms();
    let frame = s.peer.push(s.foo.clocks(), cause, time_ms, messages);
    if let Frame::Update(u) = &frame {
        log_or_gone(
            state,
            &LogEntry {
                time_ms,
                session: id.to_string(),
                machine: "foo".into(),
                seq: u.seq,
                cause: cause.to_string(),
                clocks: s.foo.clocks().clone(),
                changes: u.changes.clone(),
                messages: u.messages.clone(),
            },
        )?;
    }
    send(socket, &frame).await
}

fn log_or_gone(state: &AppState, entry: &LogEntry) -> Result<(), End> {
    // Without the log line the update must not be acknowledged: drop the connection, the
    // client replays on reconnect.
    state.append(entry).map_err(|_| End::Gone)
}

async fn serve_session(socket: &mut WebSocket, state: &AppState) -> Result<(), End> {
    let Frame::Hello {
        session: id,
        last_applied,
    } = recv(socket).await?
    else {
        return Err(End::Bad(ProtocolError {
            kind: ErrorKind::OutOfOrder,
            message: "the first frame must be Hello".into(),
        }));
    };
    let session = state.session(&id).map_err(|_| End::Gone)?;
    let (kick, mut kicked) = tokio::sync::oneshot::channel();
    let generation = {
        let mut s = session.lock().await;
        let s = &mut *s;
        // One connection per session: an older one (say, half-open after a network change)
        // would keep sending pushes the client never sees, so it is closed.
        if let Some(older) = s.kick.replace(kick) {
            let _ = older.send(());
        }
        s.generation += 1;
        let hello = Frame::Hello {
            session: id.clone(),
            last_applied: s.peer.last_applied(),
        };
        send(socket, &hello).await?;
        let clocks = s.foo.clocks().clone();
        for frame in s.peer.reconnect_frames(last_applied, &clocks) {
            send(socket, &frame).await?;
        }
        s.generation
    };
    let config = &state.config;
    let mut silent_since = Instant::now();
    let mut hello_timer =
        tokio::time::interval_at(Instant::now() + config.hello_every, config.hello_every);
    // ANCHOR: session-loop
    loop {
        let bored = session.lock().await.foo.is("Bored").unwrap_or(false);
        let more_hellos = session.lock().await.hellos < config.max_hellos;
        tokio::select! {
            _ = &mut kicked => return Err(End::Superseded),
            frame = recv(socket) => {
                let frame = frame?;
                silent_since = Instant::now();
                let mut s = session.lock().await;
                let s = &mut *s;
                if s.generation != generation {
                    return Err(End::Superseded);
                }
                match s.peer.receive(frame).map_err(End::Bad)? {
                    Received::Applied { update, ack } => {
                        s.messages.extend(update.messages.iter().cloned());
                        log_or_gone(state, &LogEntry {
                            time_ms: now_ms(),
                            session: id.clone(),
                            machine: "bar".into(),
                            seq: update.seq,
                            cause: update.cause.clone(),
                            clocks: s.peer.mirror().clone(),
                            changes: update.changes.clone(),
                            messages: update.messages.clone(),
                        })?;
                        send(socket, &ack).await?;
                    }
                    Received::Duplicate { ack } => send(socket, &ack).await?,
                    Received::Snapshot => {
                        log_or_gone(state, &LogEntry {
                            time_ms: now_ms(),
                            session: id.clone(),
                            machine: "bar".into(),
                            seq: 0,
                            cause: "snapshot".into(),
                            clocks: s.peer.mirror().clone(),
                            changes: Vec::new(),
                            messages: Vec::new(),
                        })?;
                    }
                    Received::Hello { .. } => {
                        return Err(End::Bad(ProtocolError {
                            kind: ErrorKind::OutOfOrder,
                            message: "Hello twice on one connection".into(),
                        }));
                    }
                    Received::Acked(_) => {}
                    Received::PeerError { .. } => return Err(End::Gone),
                }
                // ANCHOR_END: session-loop
                // ANCHOR: session-timers
                if s.foo.is("Bored").unwrap_or(false) {
                    s.foo.remove(&["Bored"], "client spoke").await.map_err(|_| End::Gone)?;
                    push_foo(state, &id, s, "client spoke", Vec::new(), socket).await?;
                }
            }
            _ = tokio::time::sleep_until(silent_since + config.bored_after), if !bored => {
                let mut s = session.lock().await;
                if s.generation != generation {
                    return Err(End::Superseded);
                }
                s.foo.add(&["Bored"], "silence").await.map_err(|_| End::Gone)?;
                push_foo(state, &id, &mut s, "silence", Vec::new(), socket).await?;
            }
            _ = hello_timer.tick(), if more_hellos => {
                let mut s = session.lock().await;
                if s.generation != generation {
                    return Err(End::Superseded);
                }
                s.hellos += 1;
                s.foo.add(&["Hello"], "hello").await.map_err(|_| End::Gone)?;
                push_foo(state, &id, &mut s, "hello", vec!["hello".into()], socket).await?;
            }
        }
    }
    // ANCHOR_END: session-timers
}

#[derive(Deserialize)]
struct TimelineQuery {
    session: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn timeline(
    State(state): State<Arc<AppState>>,
    Query(q): Query<TimelineQuery>,
) -> impl IntoResponse {
    let text = std::fs::read_to_string(&state.config.log).unwrap_or_default();
    let mut html = String::from(
        "<!doctype html><meta charset=utf-8><title>state-sync timeline</title>\
         <style>td{vertical-align:top;font-family:monospace;padding:2px 8px}</style>\
         <table><tr><th>time (ms)</th><th>session</th><th>foo (server)</th><th>bar (client)</th></tr>",
    );
    for line in text.lines() {
        let Ok(e) = serde_json::from_str::<LogEntry>(line) else {
            continue;
        };
        if q.session.as_ref().is_some_and(|s| s != &e.session) {
            continue;
        }
        let mut cell = format!("#{} {}: ", e.seq, escape(&e.cause));
        for (n, c) in &e.changes {
            let _ = write!(cell, "{}={} ", escape(n), c);
        }
        for m in &e.messages {
            let _ = write!(cell, "“{}” ", escape(m));
        }
        let (server_cell, client_cell) = if e.machine == "foo" {
            (cell, String::new())
        } else {
            (String::new(), cell)
        };
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{server_cell}</td><td>{client_cell}</td></tr>",
            e.time_ms,
            escape(&e.session)
        );
    }
    html.push_str("</table>");
    Html(html)
}
