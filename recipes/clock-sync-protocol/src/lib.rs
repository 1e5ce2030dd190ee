//! Keep two state machines in sync by sending clock diffs: sans-I/O, replayed exactly once
//! after a reconnect.
//!
//! # Why
//!
//! Two sides that each hold a machine (a server and a page) must agree on its state over a
//! connection that drops. Sending every transition as it happens loses them while offline;
//! sending the whole state each time costs bandwidth and hides what changed. The
//! [async-state-machine](async_state_machine) recipe's clocks allow a third way: send only the
//! clocks that changed, as absolute values, so a message applied twice changes nothing.
//!
//! # How
//!
//! - A [`Frame`] is a serde enum encoded with postcard ([`encode`], [`decode`]): a one-state
//!   diff is a few bytes, and anything over [`MAX_FRAME_BYTES`] is refused.
//! - Each side runs a [`Peer`]: it numbers its [`Update`]s, and each update carries the
//!   clocks that differ from the last clocks the other side *acknowledged* ([`diff`]).
//! - On every (re)connect each side sends `Hello` with the last update it applied; the other
//!   replays what is missing, in order, then a full snapshot. What was typed offline arrives
//!   once, in order.
//! - Bad input (undecodable, too large, an unknown state, a clock going backwards, a gap in
//!   the sequence) is a [`ProtocolError`] that names the connection's fault; the caller
//!   closes that connection and nothing else.
//! - No I/O: the caller moves bytes (a WebSocket, a `MessagePort`, a test's `Vec`), so the
//!   whole protocol is tested natively with proptest.
//!
//! # Example
//!
//! ```
//! use clock_sync_protocol::{Frame, Machine, Peer, Received, Schema, StateDef, decode, encode};
//!
//! let schema = Schema::new([("Msg", StateDef::new().multi())])?;
//! let (mut client, mut server) = (Peer::new(schema.clone(), schema.clone()), Peer::new(schema.clone(), schema.clone()));
//! let mut bar = Machine::new(schema);
//! futures::executor::block_on(bar.add(&["Msg"], "typed"))?;
//! // The client's machine moved: push its clocks; the frame holds only what changed.
//! let frame = client.push(bar.clocks(), "typed", 0, vec!["hi".into()]);
//! let bytes = encode(&frame); // a few bytes, over any byte stream
//! match server.receive(decode(&bytes)?)? {
//!     // The server's mirror now equals the client's machine; it acknowledges.
//!     Received::Applied { ack, .. } => assert!(matches!(client.receive(ack)?, Received::Acked(1))),
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(server.mirror(), bar.clocks());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # When
//!
//! Between two sides that each keep an async-state-machine, over any ordered byte stream.
//! The state-sync example app runs it over a WebSocket between a tokio server and a page.

mod protocol;

/// The async-state-machine recipe's model, which this protocol's API takes.
pub use async_state_machine::{Clocks, Machine, MachineError, Schema, StateDef};
pub use protocol::{
    ErrorKind, Frame, MAX_FRAME_BYTES, Peer, ProtocolError, Received, Update, decode, diff, encode,
};
