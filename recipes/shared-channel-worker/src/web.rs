//! The browser side: the two workers (shared channels, postMessage), their main-thread
//! clients, the round-trip measurement and the demo.

use std::pin::pin;
use std::time::Duration;

use futures_channel::mpsc;
use futures_util::StreamExt;
use futures_util::future::{Either, select};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_rs_async_executor::Instant;
use wasm_rs_shared_channel::spsc::{self, Duplex, Receiver, Sender};
use wasm_rs_shared_channel::{ChannelError, RecvError};
use wasm_rs_worker::{WorkerError, WorkerHandle, spawn_worker};
use web_sys::{MessageChannel, MessageEvent, MessagePort};

use crate::{Command, CommandError, Reply, Store, median, serve};

/// How long [`SharedChannelWorker::recv`] waits for a dead worker's reason (its panic
/// message) once the channel has said it is gone: the reason is already on its way then.
const REASON_WAIT: Duration = Duration::from_secs(1);

/// Ring size of each channel: room for thousands of small commands in flight.
const CAPACITY: usize = 64 * 1024;

// ANCHOR: worker_entry
/// The worker's entry point (a `#[wasm_bindgen]` export the loader calls in the worker with
/// the posted channel ends): runs [`serve`] under the executor's full-time `block_on` and
/// returns how many commands it served once the main thread drops its sender.
///
/// Not called directly: [`SharedChannelWorker::start`] names it.
///
/// ```no_run
/// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
/// let glue = wasm_rs_worker::glue_url()?;
/// let worker = shared_channel_worker::SharedChannelWorker::start(&glue).await?;
/// # drop(worker); Ok(()) }
/// ```
#[wasm_bindgen]
pub fn scw_shared_channel_worker(ends: JsValue) -> Result<f64, JsValue> {
    let (replies, commands) = Duplex::<Reply, Command>::from_js(&ends)
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .into_parts();
    // Full-time mode: this call returns only when `serve` does. Meanwhile the thread sleeps
    // in `Atomics.wait` on the command channel whenever no command is waiting.
    let served = wasm_rs_async_executor::block_on(serve(commands, replies))
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    Ok(served as f64)
}
// ANCHOR_END: worker_entry

// ANCHOR: client
/// The main thread's side of a worker that runs [`serve`] full-time: a command sender, a
/// reply receiver and the worker.
///
/// ```no_run
/// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
/// use shared_channel_worker::{Command, SharedChannelWorker};
///
/// let mut worker = SharedChannelWorker::start(&wasm_rs_worker::glue_url()?).await?;
/// let reply = worker.request(Command::Ping(1)).await?;
/// assert_eq!(reply.result, Ok(1));
/// assert_eq!(worker.shutdown().await?, 1);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SharedChannelWorker {
    commands: Sender<Command>,
    replies: Receiver<Reply>,
    worker: WorkerHandle,
}

impl SharedChannelWorker {
    /// Creates the two channels, starts a worker on this page's own module and hands it the
    /// worker's ends (one `SharedArrayBuffer` each, shared, not copied).
    ///
    /// `glue_url` is the absolute URL of the page's wasm-bindgen glue
    /// (`wasm_rs_worker::glue_url()`).
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
    /// let worker = shared_channel_worker::SharedChannelWorker::start(
    ///     &wasm_rs_worker::glue_url()?,
    /// )
    /// .await?;
    /// # drop(worker); Ok(()) }
    /// ```
    pub async fn start(glue_url: &str) -> Result<Self, WorkerFailure> {
        Self::start_with(glue_url, "scw_shared_channel_worker").await
    }
    // ANCHOR_END: client

    // ANCHOR: client_start_with
    /// [`start`](Self::start) with another export as the worker's entry point: one that
    /// takes the same `Duplex<Reply, Command>` value and serves the same protocol.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
    /// let worker = shared_channel_worker::SharedChannelWorker::start_with(
    ///     &wasm_rs_worker::glue_url()?,
    ///     "my_serve_export",
    /// )
    /// .await?;
    /// # drop(worker); Ok(()) }
    /// ```
    pub async fn start_with(glue_url: &str, entry: &str) -> Result<Self, WorkerFailure> {
        let (commands, command_rx) = spsc::channel::<Command>(CAPACITY)?;
        let (reply_tx, replies) = spsc::channel::<Reply>(CAPACITY)?;
        let worker_ends = Duplex::from_parts(reply_tx, command_rx).into_js();
        let worker = spawn_worker(glue_url, entry, worker_ends).await?;
        Ok(Self {
            commands,
            replies,
            worker,
        })
    }

    /// Sends one command without waiting for its reply (replies come in command order).
    ///
    /// ```no_run
    /// # async fn example(worker: &mut shared_channel_worker::SharedChannelWorker)
    /// # -> Result<(), shared_channel_worker::WorkerFailure> {
    /// worker.send(shared_channel_worker::Command::Ping(1)).await?;
    /// let reply = worker.recv().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(&mut self, command: Command) -> Result<(), WorkerFailure> {
        self.commands
            .send_async(command)
            .await
            .map_err(|e| WorkerFailure::Send(e.to_string()))
    }
    // ANCHOR_END: client_start_with

    // ANCHOR: client_recv
    /// Waits for the next reply, without blocking the page (`Atomics.waitAsync`).
    ///
    /// ```no_run
    /// # async fn example(worker: &mut shared_channel_worker::SharedChannelWorker)
    /// # -> Result<(), shared_channel_worker::WorkerFailure> {
    /// let reply = worker.recv().await?;
    /// println!("command #{} answered {:?}", reply.seq, reply.result);
    /// # Ok(()) }
    /// ```
    ///
    /// If the worker dies first (it panics, is terminated, or closes itself), the channel
    /// itself says so: the reply receiver returns `Disconnected` once every reply the worker
    /// sent has been read, with no watchdog here. Then this returns the worker's `join()`
    /// error, panic message included, which says why; a worker that closed itself gives no
    /// reason, and this returns `WorkerFailure::Recv(Disconnected)`.
    pub async fn recv(&mut self) -> Result<Reply, WorkerFailure> {
        match self.replies.recv_async().await {
            Ok(reply) => Ok(reply),
            Err(RecvError::Disconnected) => {
                // Why, if the worker says (a worker that closed itself never reports).
                match wasm_rs_async_executor::timeout(REASON_WAIT, self.worker.join()).await {
                    Ok(Err(e)) => Err(WorkerFailure::Worker(e)),
                    Ok(Ok(value)) => Err(WorkerFailure::Unexpected(format!(
                        "the worker's loop returned ({value:?}) while the command sender was open"
                    ))),
                    Err(_) => Err(WorkerFailure::Recv(RecvError::Disconnected)),
                }
            }
            Err(e) => Err(WorkerFailure::Recv(e)),
        }
    }
    // ANCHOR_END: client_recv

    // ANCHOR: client_shutdown
    /// Sends `command` and waits for its reply.
    ///
    /// ```no_run
    /// # async fn example(worker: &mut shared_channel_worker::SharedChannelWorker)
    /// # -> Result<(), shared_channel_worker::WorkerFailure> {
    /// use shared_channel_worker::Command;
    /// let reply = worker.request(Command::Get { key: "x".into() }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn request(&mut self, command: Command) -> Result<Reply, WorkerFailure> {
        self.send(command).await?;
        self.recv().await
    }

    /// Drops the command sender, which ends the worker's loop once it has answered every
    /// command, and waits for the worker's export to return: how many commands it served.
    ///
    /// ```no_run
    /// # async fn example(worker: shared_channel_worker::SharedChannelWorker)
    /// # -> Result<(), shared_channel_worker::WorkerFailure> {
    /// let served = worker.shutdown().await?;
    /// # Ok(()) }
    /// ```
    pub async fn shutdown(self) -> Result<u64, WorkerFailure> {
        let Self {
            commands,
            replies,
            mut worker,
        } = self;
        drop(commands);
        let served = worker.join().await?;
        // Only now: the worker's last replies may still be in flight until it returns.
        drop(replies);
        served
            .as_f64()
            .map(|n| n as u64)
            .ok_or_else(|| WorkerFailure::Unexpected(format!("the worker returned {served:?}")))
    }
}
// ANCHOR_END: client_shutdown

// ANCHOR: post_message_worker
/// The worker's entry point for the postMessage variant: the same [`Store`], answering
/// commands that arrive as `message` events on the `MessagePort` the main thread transfers
/// to it (see [`PostMessageWorker`]). It says hello on the port once it listens and then
/// never returns, so a panic while it serves ends the job and reaches the main thread.
///
/// Not called directly: [`PostMessageWorker::start`] names it.
///
/// ```no_run
/// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
/// let worker =
///     shared_channel_worker::PostMessageWorker::start(&wasm_rs_worker::glue_url()?).await?;
/// # drop(worker); Ok(()) }
/// ```
#[wasm_bindgen]
pub async fn scw_post_message_worker() -> Result<(), JsValue> {
    // The first thing the export does, so the port cannot arrive before anyone listens.
    let port: MessagePort = wasm_rs_worker::next_message()
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .dyn_into()?;
    let replies = port.clone();
    let mut store = Store::default();
    let on_command = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let bytes = Uint8Array::new(&event.data()).to_vec();
        let reply = match postcard::from_bytes::<Command>(&bytes) {
            Ok(command) => store.handle(command),
            Err(e) => Reply {
                seq: store.served(),
                result: Err(CommandError::Malformed(e.to_string())),
            },
        };
        // A `Reply` always encodes; posting bytes on an open port does not fail.
        if let Ok(encoded) = postcard::to_allocvec(&reply) {
            let _ = replies.post_message(&Uint8Array::from(&encoded[..]));
        }
    });
    // Setting `onmessage` starts the port: commands queued on it are delivered from now on.
    port.set_onmessage(Some(on_command.as_ref().unchecked_ref()));
    // Hello: the main thread knows this side has the port and listens.
    port.post_message(&JsValue::NULL)?;
    // The worker now serves from its event loop; this future never resolves.
    std::future::pending::<()>().await;
    drop(on_command);
    Ok(())
}
// ANCHOR_END: post_message_worker

// ANCHOR: post_message_client
/// The main thread's side of the postMessage variant: one end of a `MessageChannel` whose
/// other end was transferred to the worker. Both sides post postcard bytes (a structured
/// clone of a `Uint8Array`), each delivered as a `message` event through the receiver's
/// event loop.
///
/// ```no_run
/// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
/// use shared_channel_worker::{Command, PostMessageWorker};
///
/// let mut worker = PostMessageWorker::start(&wasm_rs_worker::glue_url()?).await?;
/// assert_eq!(worker.request(Command::Ping(2)).await?.result, Ok(2));
/// worker.terminate();
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct PostMessageWorker {
    port: MessagePort,
    replies: mpsc::UnboundedReceiver<JsValue>,
    _on_reply: Closure<dyn FnMut(MessageEvent)>,
    /// Dropped with this value, which terminates the worker.
    worker: WorkerHandle,
}

impl PostMessageWorker {
    /// Creates a `MessageChannel`, starts the worker, transfers the channel's `port2` to it
    /// (`WorkerHandle::post_message_with_transfer`), and waits for the worker's hello on
    /// `port1`.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
    /// let worker =
    ///     shared_channel_worker::PostMessageWorker::start(&wasm_rs_worker::glue_url()?).await?;
    /// # drop(worker); Ok(()) }
    /// ```
    pub async fn start(glue_url: &str) -> Result<Self, WorkerFailure> {
        Self::start_with(glue_url, "scw_post_message_worker").await
    }
    // ANCHOR_END: post_message_client

    // ANCHOR: post_message_start_with
    /// [`start`](Self::start) with another export as the worker's entry point: one that
    /// takes the transferred port with `wasm_rs_worker::next_message`, says hello on it (a
    /// `null`) and serves the same protocol.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
    /// let worker = shared_channel_worker::PostMessageWorker::start_with(
    ///     &wasm_rs_worker::glue_url()?,
    ///     "my_port_export",
    /// )
    /// .await?;
    /// # drop(worker); Ok(()) }
    /// ```
    pub async fn start_with(glue_url: &str, entry: &str) -> Result<Self, WorkerFailure> {
        let channel = MessageChannel::new().map_err(|e| {
            WorkerError::Load(format!(
                "a MessageChannel could not be created: {}",
                describe(&e)
            ))
        })?;
        let port = channel.port1();
        let (tx, replies) = mpsc::unbounded();
        let on_reply = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let _ = tx.unbounded_send(event.data());
        });
        port.set_onmessage(Some(on_reply.as_ref().unchecked_ref()));
        let worker = spawn_worker(glue_url, entry, JsValue::UNDEFINED).await?;
        let theirs = channel.port2();
        worker.post_message_with_transfer(&theirs, &Array::of1(&theirs))?;
        let mut this = Self {
            port,
            replies,
            _on_reply: on_reply,
            worker,
        };
        let hello = this.next_message().await?;
        if !hello.is_null() {
            return Err(WorkerFailure::Unexpected(format!(
                "the worker's first message was {hello:?}, not its hello"
            )));
        }
        Ok(this)
    }
    // ANCHOR_END: post_message_start_with

    // ANCHOR: post_message_send
    /// Posts one command (a structured clone of its postcard bytes).
    ///
    /// ```no_run
    /// # async fn example(worker: &mut shared_channel_worker::PostMessageWorker)
    /// # -> Result<(), shared_channel_worker::WorkerFailure> {
    /// worker.send(shared_channel_worker::Command::Ping(1))?;
    /// let reply = worker.recv().await?;
    /// # Ok(()) }
    /// ```
    pub fn send(&mut self, command: Command) -> Result<(), WorkerFailure> {
        let bytes =
            postcard::to_allocvec(&command).map_err(|e| WorkerFailure::Send(e.to_string()))?;
        self.port
            .post_message(&Uint8Array::from(&bytes[..]))
            .map_err(|e| WorkerFailure::Send(describe(&e)))
    }

    /// Waits for the next reply (a `message` event on the port). If the worker dies first
    /// (a panic in a command), this returns its `join()` error, panic message included.
    ///
    /// ```no_run
    /// # async fn example(worker: &mut shared_channel_worker::PostMessageWorker)
    /// # -> Result<(), shared_channel_worker::WorkerFailure> {
    /// let reply = worker.recv().await?;
    /// # Ok(()) }
    /// ```
    pub async fn recv(&mut self) -> Result<Reply, WorkerFailure> {
        let data = self.next_message().await?;
        let bytes = Uint8Array::new(&data).to_vec();
        postcard::from_bytes(&bytes)
            .map_err(|e| WorkerFailure::Recv(RecvError::Decode(e.to_string())))
    }

    /// Sends `command` and waits for its reply.
    ///
    /// ```no_run
    /// # async fn example(worker: &mut shared_channel_worker::PostMessageWorker)
    /// # -> Result<(), shared_channel_worker::WorkerFailure> {
    /// let reply = worker.request(shared_channel_worker::Command::Ping(1)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn request(&mut self, command: Command) -> Result<Reply, WorkerFailure> {
        self.send(command)?;
        self.recv().await
    }

    /// Stops the worker and closes the port (dropping it does too).
    ///
    /// ```no_run
    /// # fn example(worker: shared_channel_worker::PostMessageWorker) {
    /// worker.terminate();
    /// # }
    /// ```
    pub fn terminate(self) {
        drop(self);
    }
    // ANCHOR_END: post_message_send

    // ANCHOR: post_message_next
    /// The next message on the port, or how the worker died.
    async fn next_message(&mut self) -> Result<JsValue, WorkerFailure> {
        let message = pin!(self.replies.next());
        let death = pin!(self.worker.join());
        match select(message, death).await {
            Either::Left((Some(data), _)) => Ok(data),
            Either::Left((None, _)) => Err(WorkerFailure::Recv(RecvError::Disconnected)),
            Either::Right((Err(e), _)) => Err(WorkerFailure::Worker(e)),
            Either::Right((Ok(value), _)) => Err(WorkerFailure::Unexpected(format!(
                "the worker's export returned ({value:?}) instead of serving"
            ))),
        }
    }
}

impl Drop for PostMessageWorker {
    fn drop(&mut self) {
        // The handle, dropped next, terminates the worker.
        self.port.close();
    }
}
// ANCHOR_END: post_message_next

fn describe(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            js_sys::Reflect::get(value, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{value:?}"))
}

/// What went wrong talking to a worker. Each message says what to check next.
///
/// ```
/// use shared_channel_worker::WorkerFailure;
/// let e = WorkerFailure::Recv(wasm_rs_shared_channel::RecvError::Disconnected);
/// assert!(e.to_string().contains("reply"));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkerFailure {
    /// The channels could not be created (no `SharedArrayBuffer`: the page is not
    /// cross-origin isolated, or the engine has none, like WebKit).
    #[error("the shared channels could not be created: {0}")]
    Channel(#[from] ChannelError),
    /// The worker could not start, or it failed (panicked, threw) while serving.
    #[error("{0}")]
    Worker(#[from] WorkerError),
    /// A command could not be sent: the worker's loop has ended.
    #[error("the command was not sent ({0}): the worker has stopped; start a new one")]
    Send(String),
    /// A reply could not be received.
    #[error("no reply was received ({0}): the worker has stopped; check its join result")]
    Recv(RecvError),
    /// The worker answered something this side does not expect: both sides must be built
    /// from the same code.
    #[error("the worker's answer was unexpected ({0}): rebuild both sides from the same code")]
    Unexpected(String),
}

/// The two median round trips measured by [`round_trips`], in microseconds.
///
/// ```no_run
/// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
/// let rt = shared_channel_worker::round_trips(&wasm_rs_worker::glue_url()?, 1000).await?;
/// println!("{:.1} µs vs {:.1} µs", rt.shared_channel_us, rt.post_message_us);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundTrips {
    /// Median `Ping` round trip over the shared channels.
    pub shared_channel_us: f64,
    /// Median `Ping` round trip over `postMessage`.
    pub post_message_us: f64,
    /// Pings timed per transport.
    pub pings: usize,
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Pings per timed batch: `performance.now()` ticks in steps of 5 µs, or coarser depending
/// on the engine, even on a cross-origin isolated page: too coarse for one round trip.
const BATCH: usize = 20;

// ANCHOR: measure
/// Starts one worker of each kind and times `pings` sequential `Ping` round trips on each
/// (after 50 untimed ones to warm up), in batches of 20; returns the median over the
/// batches of the mean round trip.
///
/// ```no_run
/// # async fn example() -> Result<(), shared_channel_worker::WorkerFailure> {
/// let rt = shared_channel_worker::round_trips(&wasm_rs_worker::glue_url()?, 1000).await?;
/// assert_eq!(rt.pings, 1000);
/// # Ok(()) }
/// ```
pub async fn round_trips(glue_url: &str, pings: usize) -> Result<RoundTrips, WorkerFailure> {
    let batches = pings.div_ceil(BATCH).max(1);

    let mut shared = SharedChannelWorker::start(glue_url).await?;
    let mut batch_means = Vec::with_capacity(batches);
    for batch in 0..=batches {
        let start = Instant::now();
        for i in 0..BATCH as u32 {
            check_pong(&shared.request(Command::Ping(i)).await?, i)?;
        }
        // Batch 0 warms up (JIT tiers, the worker's first wake-ups) and is not counted.
        if batch > 0 {
            batch_means.push(micros(start.elapsed()) / BATCH as f64);
        }
    }
    shared.shutdown().await?;
    let shared_channel_us = median(&batch_means).unwrap_or(f64::NAN);

    let mut posted = PostMessageWorker::start(glue_url).await?;
    batch_means.clear();
    for batch in 0..=batches {
        let start = Instant::now();
        for i in 0..BATCH as u32 {
            check_pong(&posted.request(Command::Ping(i)).await?, i)?;
        }
        if batch > 0 {
            batch_means.push(micros(start.elapsed()) / BATCH as f64);
        }
    }
    posted.terminate();
    let post_message_us = median(&batch_means).unwrap_or(f64::NAN);
    Ok(RoundTrips {
        shared_channel_us,
        post_message_us,
        pings: batches * BATCH,
    })
}
// ANCHOR_END: measure

fn check_pong(reply: &Reply, i: u32) -> Result<(), WorkerFailure> {
    if reply.result == Ok(i64::from(i)) {
        Ok(())
    } else {
        Err(WorkerFailure::Unexpected(format!(
            "ping {i} was answered {reply:?}"
        )))
    }
}
