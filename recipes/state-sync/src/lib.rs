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
//!   transition log it resumes from and a `/timeline` page; a tokio-tungstenite client.
//! - `web` (wasm32 only): a browser WebSocket as a futures `Stream + Sink`. Its tests cover
//!   opening and failing to open; no browser test exchanges messages with `server-foo` yet.
//!
//! Not built yet: the `browser-bar` client and its page, the worker variant, the MessagePort
//! adapter, reconnect backoff with jitter, and the devtools exports.

pub mod app;
pub mod machine;
pub mod platform;
pub mod protocol;

#[cfg(not(target_arch = "wasm32"))]
pub mod client;
#[cfg(not(target_arch = "wasm32"))]
pub mod server;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use app::{bar_schema, foo_schema};
pub use machine::{Clocks, Machine, MachineError, Schema, StateDef, Transition, is_active};
pub use platform::{EnterHandler, HandlerFuture};
pub use protocol::{
    ErrorKind, Frame, MAX_FRAME_BYTES, Peer, ProtocolError, Received, Update, decode, diff, encode,
};
