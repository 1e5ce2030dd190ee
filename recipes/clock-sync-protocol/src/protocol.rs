//! The sync protocol: frames, their compact encoding, and [`Peer`], the sans-I/O engine each
//! side runs (the server once per session, the client once).

use std::collections::VecDeque;
use std::fmt;

use serde::{Deserialize, Serialize};

use async_state_machine::{Clocks, Schema};

/// The largest encoded frame either side accepts, in bytes.
///
/// ```
/// let too_big = vec![0u8; clock_sync_protocol::MAX_FRAME_BYTES + 1];
/// assert_eq!(clock_sync_protocol::decode(&too_big).unwrap_err().kind, clock_sync_protocol::ErrorKind::TooLarge);
/// ```
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// One change set from a sender: the clocks that changed since the last clocks the receiver
/// acknowledged, plus any chat messages, under a per-sender sequence number.
///
/// ```
/// let u = clock_sync_protocol::Update { seq: 1, cause: "enter".into(), time_ms: 0,
///     changes: vec![("Msg".into(), 1)], messages: vec!["hi".into()] };
/// let f = clock_sync_protocol::Frame::Update(u.clone());
/// assert_eq!(clock_sync_protocol::decode(&clock_sync_protocol::encode(&f))?, f);
/// # Ok::<(), clock_sync_protocol::ProtocolError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    /// 1, 2, 3, ... per sender and session; the receiver applies each exactly once, in order.
    pub seq: u64,
    /// Why the sender's machine changed.
    pub cause: String,
    /// The sender's clock at send time, in milliseconds (for the timeline only).
    pub time_ms: u64,
    /// Absolute clock values (not deltas), so applying an overlapping diff twice is harmless.
    pub changes: Vec<(String, u64)>,
    /// Messages carried by this update, in the order they were typed.
    pub messages: Vec<String>,
}

/// Everything that goes over the wire, in either direction.
///
/// ```
/// let hello = clock_sync_protocol::Frame::Hello { session: "alice".into(), last_applied: 0 };
/// assert!(clock_sync_protocol::encode(&hello).len() < 10);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frame {
    /// First frame on every connection: who I am and the last of your updates I applied.
    Hello {
        /// Session id chosen by the client; the server keeps one mirror per session.
        session: String,
        /// The highest sequence number of the peer's updates applied so far.
        last_applied: u64,
    },
    /// A change set (see [`Update`]).
    Update(Update),
    /// The full set of the sender's clocks; sent after the replay on every (re)connect.
    Snapshot(Vec<(String, u64)>),
    /// "I applied every update up to `seq`."
    Ack(u64),
    /// The connection is being closed because of bad input.
    Error {
        /// What was wrong.
        kind: ErrorKind,
        /// A sentence for the log.
        message: String,
    },
}

/// The kinds of bad input; each closes the offending connection only.
///
/// ```
/// assert_eq!(clock_sync_protocol::decode(&[0xff]).unwrap_err().kind, clock_sync_protocol::ErrorKind::Malformed);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The bytes are not a frame (or a text frame arrived on this binary protocol).
    Malformed,
    /// A frame longer than [`MAX_FRAME_BYTES`].
    TooLarge,
    /// A state name the schema does not have.
    UnknownState,
    /// A clock lower than one already applied.
    ClockBackwards,
    /// A sequence number that skips ahead, or a frame out of place (no `Hello` first).
    OutOfOrder,
}

/// Bad input from the peer. The connection that sent it must be closed; others are unaffected.
///
/// ```
/// let e = clock_sync_protocol::decode(&[0xff]).unwrap_err();
/// assert!(e.to_string().starts_with("Malformed"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError {
    /// Which rule was broken.
    pub kind: ErrorKind,
    /// Details.
    pub message: String,
}

impl ProtocolError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The frame that tells the peer why it is being disconnected.
    ///
    /// ```
    /// let e = clock_sync_protocol::decode(&[0xff]).unwrap_err();
    /// assert!(matches!(e.to_frame(), clock_sync_protocol::Frame::Error { .. }));
    /// ```
    pub fn to_frame(&self) -> Frame {
        Frame::Error {
            kind: self.kind,
            message: self.message.clone(),
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hint = match self.kind {
            ErrorKind::Malformed => "send binary frames made by clock_sync_protocol::encode",
            ErrorKind::TooLarge => "split the update into several smaller ones",
            ErrorKind::UnknownState => "both sides must build their machines from the same schema",
            ErrorKind::ClockBackwards => "clocks only grow: resend from the current machine",
            ErrorKind::OutOfOrder => "send Hello first, then updates numbered 1, 2, 3, ...",
        };
        write!(f, "{:?}: {} ({hint})", self.kind, self.message)
    }
}

impl std::error::Error for ProtocolError {}

/// Encodes a frame with postcard (varints, no field names: a one-state diff is a few bytes).
///
/// ```
/// let bytes = clock_sync_protocol::encode(&clock_sync_protocol::Frame::Ack(7));
/// assert_eq!(clock_sync_protocol::decode(&bytes)?, clock_sync_protocol::Frame::Ack(7));
/// # Ok::<(), clock_sync_protocol::ProtocolError>(())
/// ```
pub fn encode(frame: &Frame) -> Vec<u8> {
    // Serialising these plain enums into a Vec cannot fail; an empty frame would be rejected
    // by the peer as malformed, which is the right failure if it ever did.
    postcard::to_allocvec(frame).unwrap_or_default()
}

/// Decodes a frame, rejecting oversized or malformed input.
///
/// ```
/// use clock_sync_protocol::{decode, ErrorKind};
/// assert_eq!(decode(&[0xff, 0xff]).unwrap_err().kind, ErrorKind::Malformed);
/// ```
pub fn decode(bytes: &[u8]) -> Result<Frame, ProtocolError> {
    if bytes.len() > MAX_FRAME_BYTES {
        return Err(ProtocolError::new(
            ErrorKind::TooLarge,
            format!("{} bytes, the limit is {MAX_FRAME_BYTES}", bytes.len()),
        ));
    }
    postcard::from_bytes(bytes)
        .map_err(|e| ProtocolError::new(ErrorKind::Malformed, format!("undecodable frame: {e}")))
}

/// What a received frame meant for this side.
///
/// ```
/// use clock_sync_protocol::{Frame, Peer, Received, Schema, StateDef};
/// let s = Schema::new([("A", StateDef::new())])?;
/// let mut p = Peer::new(s.clone(), s);
/// assert_eq!(p.receive(Frame::Snapshot(vec![]))?, Received::Snapshot);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// The peer's `Hello`: send it [`Peer::reconnect_frames`].
    Hello {
        /// The session it named.
        session: String,
    },
    /// A new update was applied to the mirror: acknowledge it with this frame.
    Applied {
        /// The applied update (its messages are new to this side).
        update: Update,
        /// `Frame::Ack(seq)`, to send back.
        ack: Frame,
    },
    /// An update already applied (a replay after reconnect): acknowledge again, apply nothing.
    Duplicate {
        /// `Frame::Ack(seq)`, to send back.
        ack: Frame,
    },
    /// The mirror now holds the peer's full snapshot.
    Snapshot,
    /// The peer acknowledged our updates up to this sequence number.
    Acked(u64),
    /// The peer closed with an error.
    PeerError {
        /// Its kind.
        kind: ErrorKind,
        /// Its message.
        message: String,
    },
}

/// One side of a sync: its outbox of unacknowledged updates and its mirror of the peer.
///
/// ```
/// use clock_sync_protocol::{Machine, Peer, Received, Schema, StateDef};
/// let schema = Schema::new([("Msg", StateDef::new().multi())])?;
/// let mut client = Peer::new(schema.clone(), schema.clone());
/// let mut server = Peer::new(schema.clone(), schema.clone());
/// let mut m = Machine::new(schema);
/// futures::executor::block_on(m.add(&["Msg"], "typed"))?;
/// let frame = client.push(m.clocks(), "typed", 0, vec!["hi".into()]);
/// let got = server.receive(frame)?;
/// assert!(matches!(got, Received::Applied { .. }));
/// assert_eq!(server.mirror(), m.clocks());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Peer {
    local: Schema,
    remote: Schema,
    next_seq: u64,
    outbox: VecDeque<(Update, Clocks)>,
    acked: Clocks,
    mirror: Clocks,
    last_applied: u64,
}

impl Peer {
    /// A new side: `local` is this side's machine schema, `remote` the peer's.
    ///
    /// ```
    /// let s = clock_sync_protocol::Schema::new([("A", clock_sync_protocol::StateDef::new())])?;
    /// let p = clock_sync_protocol::Peer::new(s.clone(), s);
    /// assert_eq!(p.last_applied(), 0);
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    pub fn new(local: Schema, remote: Schema) -> Self {
        Self {
            acked: local.zero_clocks(),
            mirror: remote.zero_clocks(),
            local,
            remote,
            next_seq: 1,
            outbox: VecDeque::new(),
            last_applied: 0,
        }
    }

    /// The peer's clocks as last received.
    ///
    /// ```
    /// let s = clock_sync_protocol::Schema::new([("A", clock_sync_protocol::StateDef::new())])?;
    /// assert_eq!(clock_sync_protocol::Peer::new(s.clone(), s).mirror()["A"], 0);
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    pub fn mirror(&self) -> &Clocks {
        &self.mirror
    }

    /// The highest sequence number of the peer's updates applied here.
    ///
    /// ```
    /// let s = clock_sync_protocol::Schema::new([("A", clock_sync_protocol::StateDef::new())])?;
    /// assert_eq!(clock_sync_protocol::Peer::new(s.clone(), s).last_applied(), 0);
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    pub fn last_applied(&self) -> u64 {
        self.last_applied
    }

    /// Updates sent but not acknowledged yet, oldest first.
    ///
    /// ```
    /// let s = clock_sync_protocol::Schema::new([("A", clock_sync_protocol::StateDef::new())])?;
    /// let mut p = clock_sync_protocol::Peer::new(s.clone(), s.clone());
    /// p.push(&s.zero_clocks(), "nothing", 0, vec!["queued".into()]);
    /// assert_eq!(p.unacked().count(), 1);
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    pub fn unacked(&self) -> impl Iterator<Item = &Update> {
        self.outbox.iter().map(|(u, _)| u)
    }

    /// Records a local change: `clocks` are the local machine's clocks now. Returns the frame
    /// to send if connected; either way it stays in the outbox until acknowledged, so an
    /// offline side just keeps pushing and replays on reconnect.
    ///
    /// ```
    /// let s = clock_sync_protocol::Schema::new([("A", clock_sync_protocol::StateDef::new())])?;
    /// let mut p = clock_sync_protocol::Peer::new(s.clone(), s.clone());
    /// let f = p.push(&[("A".to_string(), 1)].into(), "up", 0, vec![]);
    /// assert!(matches!(f, clock_sync_protocol::Frame::Update(u) if u.changes == [("A".to_string(), 1)]));
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    // ANCHOR: push
    pub fn push(
        &mut self,
        clocks: &Clocks,
        cause: &str,
        time_ms: u64,
        messages: Vec<String>,
    ) -> Frame {
        let changes = diff(&self.acked, clocks);
        let update = Update {
            seq: self.next_seq,
            cause: cause.to_string(),
            time_ms,
            changes,
            messages,
        };
        self.next_seq += 1;
        self.outbox.push_back((update.clone(), clocks.clone()));
        Frame::Update(update)
    }
    // ANCHOR_END: push

    /// The frames to send after a `Hello` (ours or theirs) on a fresh connection: every update
    /// the peer has not applied (`peer_last_applied` is from its `Hello`), in order, then our
    /// full snapshot.
    ///
    /// ```
    /// let s = clock_sync_protocol::Schema::new([("A", clock_sync_protocol::StateDef::new())])?;
    /// let mut p = clock_sync_protocol::Peer::new(s.clone(), s.clone());
    /// p.push(&s.zero_clocks(), "a", 0, vec!["1".into()]);
    /// p.push(&s.zero_clocks(), "b", 0, vec!["2".into()]);
    /// assert_eq!(p.reconnect_frames(1, &s.zero_clocks()).len(), 2); // update 2 + snapshot
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    // ANCHOR: reconnect
    pub fn reconnect_frames(&mut self, peer_last_applied: u64, clocks: &Clocks) -> Vec<Frame> {
        self.ack(peer_last_applied);
        let mut frames: Vec<Frame> = self
            .outbox
            .iter()
            .map(|(u, _)| Frame::Update(u.clone()))
            .collect();
        frames.push(Frame::Snapshot(
            clocks.iter().map(|(n, c)| (n.clone(), *c)).collect(),
        ));
        frames
    }
    // ANCHOR_END: reconnect

    /// The `Hello` to send first on every connection.
    ///
    /// ```
    /// let s = clock_sync_protocol::Schema::new([("A", clock_sync_protocol::StateDef::new())])?;
    /// let p = clock_sync_protocol::Peer::new(s.clone(), s);
    /// assert!(matches!(p.hello("s1"), clock_sync_protocol::Frame::Hello { last_applied: 0, .. }));
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    pub fn hello(&self, session: &str) -> Frame {
        Frame::Hello {
            session: session.to_string(),
            last_applied: self.last_applied,
        }
    }

    fn ack(&mut self, seq: u64) {
        while self.outbox.front().is_some_and(|(u, _)| u.seq <= seq) {
            if let Some((_, clocks)) = self.outbox.pop_front() {
                self.acked = clocks;
            }
        }
    }

    /// Applies one frame from the peer, validating it first: on error nothing changed, and
    /// the caller closes this connection.
    ///
    /// ```
    /// use clock_sync_protocol::{ErrorKind, Frame, Peer, Schema, StateDef, Update};
    /// let s = Schema::new([("A", StateDef::new())])?;
    /// let mut p = Peer::new(s.clone(), s);
    /// let bad = Frame::Update(Update { seq: 1, cause: String::new(), time_ms: 0,
    ///     changes: vec![("Nope".into(), 1)], messages: vec![] });
    /// assert_eq!(p.receive(bad).unwrap_err().kind, ErrorKind::UnknownState);
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    pub fn receive(&mut self, frame: Frame) -> Result<Received, ProtocolError> {
        match frame {
            Frame::Hello {
                session,
                last_applied,
            } => {
                self.ack(last_applied);
                Ok(Received::Hello { session })
            }
            Frame::Ack(seq) => {
                if seq >= self.next_seq {
                    return Err(ProtocolError::new(
                        ErrorKind::OutOfOrder,
                        format!(
                            "ack of {seq}, but only {} updates were sent",
                            self.next_seq - 1
                        ),
                    ));
                }
                self.ack(seq);
                Ok(Received::Acked(seq))
            }
            Frame::Snapshot(clocks) => {
                self.check(&clocks)?;
                self.mirror.extend(clocks);
                Ok(Received::Snapshot)
            }
            Frame::Update(update) => {
                if update.seq <= self.last_applied {
                    // Validate anyway: a replay must still be well-formed.
                    self.check_names(&update.changes)?;
                    return Ok(Received::Duplicate {
                        ack: Frame::Ack(update.seq),
                    });
                }
                if update.seq != self.last_applied + 1 {
                    return Err(ProtocolError::new(
                        ErrorKind::OutOfOrder,
                        format!("update {} after {}", update.seq, self.last_applied),
                    ));
                }
                self.check(&update.changes)?;
                self.mirror.extend(update.changes.iter().cloned());
                self.last_applied = update.seq;
                Ok(Received::Applied {
                    ack: Frame::Ack(update.seq),
                    update,
                })
            }
            Frame::Error { kind, message } => Ok(Received::PeerError { kind, message }),
        }
    }

    fn check_names(&self, clocks: &[(String, u64)]) -> Result<(), ProtocolError> {
        for (name, _) in clocks {
            if !self.remote.contains(name) {
                return Err(ProtocolError::new(
                    ErrorKind::UnknownState,
                    format!("state {name:?} is not in the schema"),
                ));
            }
        }
        Ok(())
    }

    // ANCHOR: validate
    fn check(&self, clocks: &[(String, u64)]) -> Result<(), ProtocolError> {
        self.check_names(clocks)?;
        for (name, clock) in clocks {
            let current = self.mirror.get(name).copied().unwrap_or(0);
            if *clock < current {
                return Err(ProtocolError::new(
                    ErrorKind::ClockBackwards,
                    format!("{name} went from {current} to {clock}"),
                ));
            }
        }
        Ok(())
    }
    // ANCHOR_END: validate

    /// Resumes a side from a log: the peer's clocks and the last of its updates applied.
    ///
    /// ```
    /// let s = clock_sync_protocol::Schema::new([("A", clock_sync_protocol::StateDef::new())])?;
    /// let mut p = clock_sync_protocol::Peer::new(s.clone(), s);
    /// p.restore_mirror([("A".to_string(), 3)].into(), 5);
    /// assert_eq!(p.last_applied(), 5);
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    pub fn restore_mirror(&mut self, mirror: Clocks, last_applied: u64) {
        self.mirror.extend(mirror);
        self.last_applied = last_applied;
    }

    /// Resumes the outbox from a log: updates this side had sent, in order. All stay
    /// unacknowledged until the peer's `Hello` says which it has.
    ///
    /// ```
    /// use clock_sync_protocol::{Peer, Schema, StateDef, Update};
    /// let s = Schema::new([("A", StateDef::new())])?;
    /// let mut p = Peer::new(s.clone(), s.clone());
    /// let u = Update { seq: 1, cause: "x".into(), time_ms: 0, changes: vec![], messages: vec![] };
    /// p.restore_outbox(vec![(u, s.zero_clocks())]);
    /// assert_eq!(p.unacked().count(), 1);
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    pub fn restore_outbox(&mut self, sent: Vec<(Update, Clocks)>) {
        for (u, c) in sent {
            self.next_seq = self.next_seq.max(u.seq + 1);
            self.outbox.push_back((u, c));
        }
    }

    /// The local schema.
    ///
    /// ```
    /// let s = clock_sync_protocol::Schema::new([("A", clock_sync_protocol::StateDef::new())])?;
    /// assert!(clock_sync_protocol::Peer::new(s.clone(), s).local_schema().contains("A"));
    /// # Ok::<(), clock_sync_protocol::MachineError>(())
    /// ```
    pub fn local_schema(&self) -> &Schema {
        &self.local
    }
}

/// The clocks in `now` that differ from `base` (absolute values).
///
/// ```
/// let base = [("A".to_string(), 1), ("B".to_string(), 0)].into();
/// let now = [("A".to_string(), 1), ("B".to_string(), 2)].into();
/// assert_eq!(clock_sync_protocol::diff(&base, &now), [("B".to_string(), 2)]);
/// ```
pub fn diff(base: &Clocks, now: &Clocks) -> Vec<(String, u64)> {
    now.iter()
        .filter(|(n, c)| base.get(*n) != Some(*c))
        .map(|(n, c)| (n.clone(), *c))
        .collect()
}
