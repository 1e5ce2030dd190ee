//! # Async state machines kept in sync over a WebSocket
//!
//! A Rust take on asyncmachine-go's wasm example: the server runs a machine `foo`, the client
//! a machine `bar`, and each side mirrors the other's by exchanging only what changed.
//!
//! The parts, in the order to read them:
//!
//! - [`Machine`] (module `machine`): named states that are active or not, relations
//!   (`require`, `remove`, `add`), async enter handlers that may refuse a transition, a
//!   subscription stream, and a **clock per state**. Like asyncmachine-go, a clock ticks on
//!   activation *and* on deactivation, so an odd clock means active: the clocks alone describe
//!   the whole state, and a diff of clocks is all the other side needs. This module has no
//!   I/O and no runtime; it compiles for wasm32 and natively.
//! - [`Peer`] (module `protocol`): the sans-I/O sync engine. [`Frame`]s are serde types
//!   encoded with postcard. Each side numbers its [`Update`]s; an update carries the clocks
//!   that differ from the last clocks the peer *acknowledged*, as absolute values, so a replay
//!   is harmless. On every (re)connect each side sends `Hello` with the last update it
//!   applied, the other replays what is missing, in order, then a full snapshot. Bad input
//!   (undecodable, too large, unknown state, a clock going backwards, a gap in the sequence)
//!   is a [`ProtocolError`] for that connection only.
//! - `server` and `client` (native only): `server-foo` on tokio + axum, with a JSON-lines
//!   transition log it resumes from, a `/timeline` page, and (`--static <dir>`) the browser
//!   page served at the WebSocket's own origin with COOP/COEP headers; a tokio-tungstenite
//!   client.
//! - `backoff` (everywhere): the reconnect policy, exponential with a ceiling and jitter, as
//!   a pure function tested natively.
//! - `browser` (wasm32): `browser-bar`, the browser side of the protocol. One task on
//!   wasm-rs-async-executor owns the `bar` machine, its [`Peer`] and the socket; a
//!   `BarClient` handle sends it commands (submit, add, remove) and reads the published
//!   `BarView`. It reconnects with backoff using only async sleeps, and what is typed
//!   while offline is delivered once, in order, by the protocol's replay.
//! - `page` (wasm32): the page (`www/index.html`): rendering, Enter in the text box, and
//!   the devtools console functions `bar_submit`, `bar_add`, `bar_remove`, `bar_states`,
//!   `bar_mode`.
//! - `web` and `port` (wasm32): a browser `WebSocket` and a `MessagePort` as futures
//!   `Stream + Sink`s of byte messages.
//! - `worker` (wasm32): the worker variant (`?worker=1`). The client runs in a dedicated
//!   worker started with wasm-rs-worker's loader, and the page only renders: views
//!   reach it over a wasm-rs-shared-channel, and commands go to the worker over a
//!   `MessagePort`.
//!
//! The exchange between the page and a real `server-foo` is tested end to end in headless
//! Chromium (`ci/src/e2e_state_sync.rs`, part of `cargo xtask test --only e2e`), including a
//! server killed and restarted mid-session, for both variants. Not built: a worker *pool*
//! (asyncmachine-go's further work lists one), and browser tests against the server in
//! Firefox and WebKit (the e2e suite drives Chromium only).

pub mod app;
pub mod backoff;
pub mod machine;
pub mod platform;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(not(target_arch = "wasm32"))]
pub mod client;
#[cfg(target_arch = "wasm32")]
pub mod page;
#[cfg(target_arch = "wasm32")]
pub mod port;
#[cfg(not(target_arch = "wasm32"))]
pub mod server;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod worker;

pub use app::{bar_schema, foo_schema};
pub use machine::{Clocks, Machine, MachineError, Schema, StateDef, Transition, is_active};
pub use platform::{EnterHandler, HandlerFuture};
pub use protocol::{
    ErrorKind, Frame, MAX_FRAME_BYTES, Peer, ProtocolError, Received, Update, decode, diff, encode,
};
