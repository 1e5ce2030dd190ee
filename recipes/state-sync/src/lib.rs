//! # Async state machines kept in sync over a WebSocket
//!
//! A Rust take on asyncmachine-go's wasm example: the server runs a machine `foo`, the client
//! a machine `bar`, and each side mirrors the other's by exchanging only what changed.
//!
//! This is an example app. It composes three lessons, each a recipe with its own page:
//!
//! - [async-state-machine](async_state_machine): [`Machine`], named states with relations,
//!   async enter handlers, a change stream, and a **clock per state** that ticks on
//!   activation *and* deactivation, so an odd clock means active and the clocks alone
//!   describe the whole state.
//! - [clock-sync-protocol](clock_sync_protocol): [`Peer`], the sans-I/O sync engine. Each
//!   side numbers its [`Update`]s, sends the clocks that differ from what the peer
//!   acknowledged, and on every (re)connect replays what is missing, then a snapshot. Bad
//!   input is a [`ProtocolError`] for that connection only.
//! - [websocket-reconnect](websocket_reconnect): a browser `WebSocket` as a `Stream` and
//!   `Sink`, and the [`backoff`] policy the client reconnects with.
//!
//! What this crate adds, in the order to read it:
//!
//! - [`app`]: the two machines, `foo` on the server and `bar` in the client.
//! - `server` and `client` (native, in `src/native/`): `server-foo` on tokio + axum, with a
//!   JSON-lines transition log it resumes from, a `/timeline` page, and (`--static <dir>`)
//!   the browser page served at the WebSocket's own origin with COOP/COEP headers; a
//!   tokio-tungstenite client.
//! - `browser` (wasm32, in `src/web/`): `browser-bar`, the browser side. One task on
//!   wasm-rs-async-executor owns the `bar` machine, its [`Peer`] and the socket; a
//!   `BarClient` handle sends it commands (submit, add, remove) and reads the published
//!   `BarView`. It reconnects with backoff using only async sleeps, and what is typed
//!   while offline is delivered once, in order, by the protocol's replay.
//! - `page` (wasm32): the page (`www/index.html`): rendering, Enter in the text box, and
//!   the devtools console functions `bar_submit`, `bar_add`, `bar_remove`, `bar_states`,
//!   `bar_mode`.
//! - `port` and `worker` (wasm32): the worker variant (`?worker=1`). The client runs in a
//!   dedicated worker started with wasm-rs-worker's loader, and the page only renders:
//!   views reach it over a wasm-rs-shared-channel, and commands go to the worker over a
//!   `MessagePort` (`port` makes one a `Stream` and `Sink` of byte messages).
//!
//! The exchange between the page and a real `server-foo` is tested end to end in headless
//! Chromium (`ci/src/e2e_state_sync.rs`, part of `cargo xtask test --only e2e`), including a
//! server killed and restarted mid-session, for both variants. Not built: a worker *pool*
//! (asyncmachine-go's further work lists one), and browser tests against the server in
//! Firefox and WebKit (the e2e suite drives Chromium only).

pub mod app;

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(not(target_arch = "wasm32"))]
pub use native::{client, server};
#[cfg(target_arch = "wasm32")]
pub use web::{browser, page, port, worker};

pub use app::{bar_schema, foo_schema};
// The lessons this app composes: their types appear in its API.
pub use async_state_machine::{
    Clocks, EnterHandler, HandlerFuture, Machine, MachineError, Schema, StateDef, Transition,
    is_active,
};
pub use clock_sync_protocol::{
    ErrorKind, Frame, MAX_FRAME_BYTES, Peer, ProtocolError, Received, Update, decode, diff, encode,
};
pub use websocket_reconnect::backoff;
