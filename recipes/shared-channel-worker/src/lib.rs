//! Commands to a full-time worker over shared channels, and the same service over
//! `postMessage`.
//!
//! # Why
//!
//! A worker that runs an engine full-time (a simulation, a script interpreter, a workflow
//! engine) never returns to its JS event loop, so it has no `onmessage`: a message posted to
//! it waits until it is done. Such a worker runs wasm-rs-async-executor's full-time mode
//! (`block_on` in a worker) and takes its commands from a
//! [wasm-rs-shared-channel](wasm_rs_shared_channel): when it has nothing to do, the executor
//! sleeps in `Atomics.wait` on the channel's position word, and the main thread's next
//! command wakes it with one `Atomics.notify`. Replies flow back on a second channel, which
//! the main thread reads with `recv_async` (`Atomics.waitAsync`, never blocking the page).
//!
//! # How
//!
//! - The protocol is plain serde types: [`Command`] in, [`Reply`] out. A command that fails
//!   (an unknown key, a division by zero) is answered with a [`CommandError`] *value*; the
//!   worker goes on serving.
//! - The service is [`Store`], plain Rust with no JS at all, so it is tested natively.
//! - [`serve`] is the worker's loop: receive a command, answer it, until the main thread
//!   drops its sender; it returns how many commands it served. It is ordinary async code:
//!   natively a test runs it on a std thread.
//! - On wasm32, `SharedChannelWorker` starts a worker (with `spawn_worker` from the
//!   `wasm-rs-worker` crate) whose entry runs [`serve`] under the executor's full-time
//!   `block_on`; `PostMessageWorker` runs the same [`Store`] behind an `onmessage` handler
//!   on a `MessagePort` the main thread transferred to the worker (the other end of a
//!   `MessageChannel`); `round_trips` times both.
//!
//! # When
//!
//! Use shared channels when the worker must stay busy (it never yields to its event loop)
//! or many small messages flow; `postMessage` when messages are rare or large, when you
//! transfer `ArrayBuffer`s, or when the page cannot be cross-origin isolated (shared
//! channels need `SharedArrayBuffer`, which WebKit does not offer at all yet).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use wasm_rs_shared_channel::spsc::{Receiver, Sender};
use wasm_rs_shared_channel::{RecvError, SendError};

#[cfg(target_arch = "wasm32")]
mod demo;
#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub use demo::run_demo;
#[cfg(target_arch = "wasm32")]
pub use web::{
    PostMessageWorker, RoundTrips, SharedChannelWorker, WorkerFailure, round_trips,
    scw_post_message_worker, scw_shared_channel_worker,
};

// ANCHOR: command
/// What the main thread asks the worker to do.
///
/// ```
/// use shared_channel_worker::{Command, Store};
/// let mut store = Store::default();
/// let reply = store.handle(Command::Set { key: "x".into(), value: 6 });
/// assert_eq!(reply.result, Ok(6));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Answered at once with the same number: the round-trip probe.
    Ping(u32),
    /// Stores `value` under `key`; answers the value.
    Set {
        /// The name to store under.
        key: String,
        /// The value.
        value: i64,
    },
    /// Answers the value stored under `key`.
    Get {
        /// The name to look up.
        key: String,
    },
    /// Divides the value stored under `key` by `by`, stores and answers the quotient.
    Divide {
        /// The name of the dividend.
        key: String,
        /// The divisor.
        by: i64,
    },
}
// ANCHOR_END: command

// ANCHOR: reply
/// A command that could not be carried out. It travels back as a value inside [`Reply`];
/// the worker keeps serving.
///
/// ```
/// use shared_channel_worker::CommandError;
/// let e = CommandError::UnknownKey("x".into());
/// assert!(e.to_string().contains("send Set"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CommandError {
    /// Nothing is stored under this key.
    #[error("no value is stored under `{0}`: send Set {{ key: \"{0}\", .. }} first")]
    UnknownKey(String),
    /// `Divide` by zero.
    #[error("`{key}` cannot be divided by zero: send a non-zero divisor")]
    DivisionByZero {
        /// The key whose value was to be divided.
        key: String,
    },
    /// The quotient does not fit (`i64::MIN / -1`).
    #[error("dividing `{key}` overflows i64: send a smaller value or another divisor")]
    Overflow {
        /// The key whose value was to be divided.
        key: String,
    },
    /// The message was not a postcard-encoded [`Command`] (postMessage variant only: a
    /// typed shared channel cannot carry one).
    #[error("the message is not a Command ({0}): post postcard-encoded Command bytes")]
    Malformed(String),
}

/// The worker's answer to one command: `seq` counts the commands it received (from 0), so
/// the main thread sees that nothing was lost or reordered.
///
/// ```
/// use shared_channel_worker::{Command, Store};
/// let mut store = Store::default();
/// assert_eq!(store.handle(Command::Ping(7)).seq, 0);
/// assert_eq!(store.handle(Command::Ping(8)).seq, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Which command this answers: 0 for the first the worker received.
    pub seq: u64,
    /// The command's value, or why it failed.
    pub result: Result<i64, CommandError>,
}
// ANCHOR_END: reply

// ANCHOR: store
/// The service the worker runs: named integers. Plain Rust, the same in every transport.
///
/// ```
/// use shared_channel_worker::{Command, CommandError, Store};
/// let mut store = Store::default();
/// store.handle(Command::Set { key: "n".into(), value: 84 });
/// assert_eq!(store.handle(Command::Divide { key: "n".into(), by: 2 }).result, Ok(42));
/// assert_eq!(
///     store.handle(Command::Get { key: "m".into() }).result,
///     Err(CommandError::UnknownKey("m".into()))
/// );
/// assert_eq!(store.served(), 3);
/// ```
#[derive(Debug, Default)]
pub struct Store {
    values: HashMap<String, i64>,
    served: u64,
}
// ANCHOR_END: store

// ANCHOR: handle
impl Store {
    /// Carries out one command and numbers its reply.
    ///
    /// ```
    /// use shared_channel_worker::{Command, Store};
    /// let reply = Store::default().handle(Command::Ping(3));
    /// assert_eq!((reply.seq, reply.result), (0, Ok(3)));
    /// ```
    pub fn handle(&mut self, command: Command) -> Reply {
        let result = match command {
            Command::Ping(n) => Ok(i64::from(n)),
            Command::Set { key, value } => {
                self.values.insert(key, value);
                Ok(value)
            }
            Command::Get { key } => self
                .values
                .get(&key)
                .copied()
                .ok_or(CommandError::UnknownKey(key)),
            Command::Divide { key, by } => match self.values.get_mut(&key) {
                None => Err(CommandError::UnknownKey(key)),
                Some(_) if by == 0 => Err(CommandError::DivisionByZero { key }),
                Some(value) => match value.checked_div(by) {
                    Some(quotient) => {
                        *value = quotient;
                        Ok(quotient)
                    }
                    None => Err(CommandError::Overflow { key }),
                },
            },
        };
        let seq = self.served;
        self.served += 1;
        Reply { seq, result }
    }

    /// How many commands this store has answered.
    ///
    /// ```
    /// assert_eq!(shared_channel_worker::Store::default().served(), 0);
    /// ```
    pub fn served(&self) -> u64 {
        self.served
    }
}
// ANCHOR_END: handle

// ANCHOR: serve
/// The worker's loop: answers each command from `commands` on `replies`, in order, until
/// the main thread drops its sender; then returns how many commands it served.
///
/// Run it under the executor: in a worker, `wasm_rs_async_executor::block_on(serve(..))`
/// keeps the thread in the executor, asleep in `Atomics.wait` on the command channel
/// whenever no command is waiting. Natively it runs on any thread.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))] {
/// use shared_channel_worker::{Command, serve};
/// use wasm_rs_shared_channel::spsc;
///
/// let (mut commands, command_rx) = spsc::channel::<Command>(4096)?;
/// let (reply_tx, mut replies) = spsc::channel(4096)?;
/// let worker = std::thread::spawn(move || {
///     wasm_rs_async_executor::block_on(serve(command_rx, reply_tx))
/// });
/// commands.send(Command::Ping(1)).unwrap();
/// assert_eq!(replies.recv().unwrap().result, Ok(1));
/// drop(commands); // the worker's loop ends
/// assert_eq!(worker.join().unwrap().unwrap().unwrap(), 1);
/// # }
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub async fn serve(
    mut commands: Receiver<Command>,
    mut replies: Sender<Reply>,
) -> Result<u64, ServeError> {
    let mut store = Store::default();
    loop {
        let command = match commands.recv_async().await {
            Ok(command) => command,
            // The main thread dropped its sender and every command has been read.
            Err(RecvError::Disconnected) => return Ok(store.served()),
            Err(e) => return Err(ServeError::Commands(e)),
        };
        let reply = store.handle(command);
        replies.send_async(reply).await?;
    }
}
// ANCHOR_END: serve

/// Why [`serve`] stopped before the main thread dropped its sender.
///
/// ```
/// use shared_channel_worker::ServeError;
/// let e = ServeError::Replies("the receiver was dropped".into());
/// assert!(e.to_string().contains("keep the reply receiver"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServeError {
    /// Receiving a command failed (a corrupt buffer, or a command of another type).
    #[error("the worker could not read a command: {0}")]
    Commands(RecvError),
    /// Sending a reply failed: the main thread dropped its reply receiver.
    #[error(
        "the worker could not send a reply ({0}): keep the reply receiver until you drop the command sender"
    )]
    Replies(String),
}

impl<T> From<SendError<T>> for ServeError {
    fn from(e: SendError<T>) -> Self {
        ServeError::Replies(e.to_string())
    }
}

/// A deterministic mix of `n` commands, failing ones included (an unknown key, a division
/// by zero), for tests and the demo: the main thread runs them through a local [`Store`] to
/// know every expected reply.
///
/// ```
/// use shared_channel_worker::{Store, sample_commands};
/// let mut store = Store::default();
/// let replies: Vec<_> = sample_commands(8).into_iter().map(|c| store.handle(c)).collect();
/// assert!(replies.iter().any(|r| r.result.is_err()));
/// assert!(replies.iter().any(|r| r.result.is_ok()));
/// ```
pub fn sample_commands(n: usize) -> Vec<Command> {
    (0..n)
        .map(|i| {
            let key = format!("k{}", i % 5);
            let value = i as i64 * 37 - 100;
            match i % 6 {
                0 => Command::Set { key, value },
                1 => Command::Get { key },
                2 => Command::Divide {
                    key,
                    by: (i % 4) as i64,
                },
                3 => Command::Ping(i as u32),
                4 => Command::Get {
                    key: format!("missing{i}"),
                },
                _ => Command::Divide { key, by: -3 },
            }
        })
        .collect()
}

// ANCHOR: median
/// The median of `samples` (the mean of the middle two for an even count); `None` when
/// empty or when a sample is NaN.
///
/// ```
/// use shared_channel_worker::median;
/// assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
/// assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
/// assert_eq!(median(&[]), None);
/// ```
pub fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() || samples.iter().any(|s| s.is_nan()) {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}
// ANCHOR_END: median
