//! The worker variant (`?worker=1`): the WebSocket, the `bar` machine and its sync live in a
//! dedicated worker; the page's main thread only renders. wasm32 only, and it needs
//! `SharedArrayBuffer` (a cross-origin isolated page: `server-foo` sends COOP/COEP).
//!
//! - **State, worker → page:** every new [`BarView`] goes over a
//!   [wasm-rs-shared-channel](wasm_rs_shared_channel) as JSON text (`spsc::channel::<String>`:
//!   the view's `status` is an internally tagged enum, which the channel's compact binary
//!   encoding cannot carry); the page waits with `recv_async` (`Atomics.waitAsync`), so it
//!   never blocks. When views come faster than the page takes them, the worker sends only
//!   the latest.
//! - **Commands, page → worker:** over a `MessageChannel` whose second port is transferred
//!   to the worker, both ends wrapped in [`crate::port::PortConnection`]; a command is a
//!   postcard-encoded `Op`, its answer a postcard `Result<(), String>`, in order.
//! - The worker is started with wasm-rs-worker's `spawn_worker` (the shared JS loader), on the
//!   page's own wasm module, entry [`bar_worker`].
//!
//! The page-side handle is an ordinary [`BarClient`], so the page code does not care where
//! the client runs.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::future::{Either, select};
use futures::{SinkExt, StreamExt};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{JsValue, wasm_bindgen};
use wasm_rs_shared_channel::RecvError;
use wasm_rs_shared_channel::spsc::{self, Sender};
use web_sys::{MessageChannel, MessagePort};

use crate::browser::{BarClient, BarError, BarOptions, BarView, Command, Op};
use crate::port::PortConnection;

/// Bytes of the view channel's ring: room for many views of a long chat.
const VIEW_CAPACITY: usize = 1 << 20;

/// Why the worker variant could not start.
///
/// ```
/// let e = state_sync::worker::WorkerStartError("no SharedArrayBuffer".into());
/// assert!(e.to_string().contains("cross-origin"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerStartError(pub String);

impl fmt::Display for WorkerStartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the worker variant could not start ({}): it needs a cross-origin isolated page \
             (server-foo sends COOP/COEP) and an engine with SharedArrayBuffer; without \
             `?worker=1` the client runs on the main thread",
            self.0
        )
    }
}

impl std::error::Error for WorkerStartError {}

fn failed(e: impl fmt::Display) -> WorkerStartError {
    WorkerStartError(e.to_string())
}

fn js_failed(e: JsValue) -> WorkerStartError {
    WorkerStartError(format!("{e:?}"))
}

// ANCHOR: start
/// Starts the client in a dedicated worker and returns the page's handle on it; `on_change`
/// runs on the page for every view the worker sends.
///
/// ```no_run
/// # async fn f() -> Result<(), state_sync::worker::WorkerStartError> {
/// let options = state_sync::browser::BarOptions::new("ws://127.0.0.1:3000/ws", "alice");
/// let bar = state_sync::worker::start_in_worker(options, |_view| {}).await?;
/// # drop(bar); Ok(()) }
/// ```
pub async fn start_in_worker(
    options: BarOptions,
    mut on_change: impl FnMut(&BarView) + 'static,
) -> Result<BarClient, WorkerStartError> {
    let glue = wasm_rs_worker::glue_url().map_err(failed)?;
    let (view_tx, mut view_rx) = spsc::channel::<String>(VIEW_CAPACITY).map_err(failed)?;
    let input = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        js_sys::Reflect::set(&input, &key.into(), value).map_err(js_failed)
    };
    set("view", &view_tx.into_js())?;
    set("url", &options.url.as_str().into())?;
    set("session", &options.session.as_str().into())?;
    let worker = wasm_rs_worker::spawn_worker(&glue, "bar_worker", input.into())
        .await
        .map_err(failed)?;
    let channel = MessageChannel::new().map_err(js_failed)?;
    let theirs = channel.port2();
    worker
        .post_message_with_transfer(&theirs, &js_sys::Array::of1(&theirs))
        .map_err(failed)?;
    let port = PortConnection::new(channel.port1());
    // ANCHOR_END: start

    // ANCHOR: start_views
    let view = Rc::new(RefCell::new(BarView {
        session: options.session.clone(),
        ..BarView::default()
    }));
    let (commands, receiver) = mpsc::unbounded();
    // The forwarding task owns the worker: when the last handle goes, it ends and the
    // worker is terminated.
    drop(wasm_rs_async_executor::spawn(async move {
        forward_commands(port, receiver).await;
        drop(worker);
    }));
    let shown = view.clone();
    drop(wasm_rs_async_executor::spawn(async move {
        // Ends when the worker goes (its sender is dropped with it).
        loop {
            let view = match view_rx.recv_async().await {
                Ok(json) => serde_json::from_str::<BarView>(&json).map_err(|e| e.to_string()),
                Err(RecvError::Disconnected) => return,
                Err(e) => Err(e.to_string()),
            };
            match view {
                Ok(v) => {
                    *shown.borrow_mut() = v.clone();
                    on_change(&v);
                }
                Err(e) => {
                    web_sys::console::error_1(&format!("browser-bar worker view: {e}").into());
                    return;
                }
            }
        }
    }));
    Ok(BarClient::from_parts(commands, view))
}
// ANCHOR_END: start_views

/// The page side of the command port: sends each command, answers each reply in order.
async fn forward_commands(
    mut port: PortConnection,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut waiting: VecDeque<futures::channel::oneshot::Sender<Result<(), BarError>>> =
        VecDeque::new();
    loop {
        let event = match select(commands.next(), port.next()).await {
            Either::Left((command, _)) => Either::Left(command),
            Either::Right((reply, _)) => Either::Right(reply),
        };
        match event {
            Either::Left(None) => return,
            Either::Left(Some(Command { op, reply })) => {
                let bytes = postcard::to_allocvec(&op).unwrap_or_default();
                if port.send(bytes).await.is_err() {
                    let _ = reply.send(Err(BarError::Stopped));
                } else {
                    waiting.push_back(reply);
                }
            }
            Either::Right(Some(Ok(bytes))) => {
                let answer = postcard::from_bytes::<Result<(), String>>(&bytes)
                    .unwrap_or_else(|e| Err(format!("an unreadable answer from the worker: {e}")))
                    .map_err(BarError::Worker);
                if let Some(reply) = waiting.pop_front() {
                    let _ = reply.send(answer);
                }
            }
            // Only this side posts on the port: a foreign message is ignored.
            Either::Right(Some(Err(_))) => {}
            // The worker is gone; the handles' next commands fail with `Stopped`.
            Either::Right(None) => {
                for reply in waiting.drain(..) {
                    let _ = reply.send(Err(BarError::Stopped));
                }
                return;
            }
        }
    }
}

// ANCHOR: worker
/// The worker's entry (called by the loader in the worker, not by you): takes the command
/// port the page transfers, runs a [`BarClient`] here, sends every view to the page over the
/// shared channel, and answers commands until the page closes the port.
///
/// ```no_run
/// # async fn f(glue: &str, input: wasm_bindgen::JsValue) -> Result<(), wasm_rs_worker::WorkerError> {
/// // What `start_in_worker` does: the loader calls `bar_worker(input)` in the new worker.
/// let worker = wasm_rs_worker::spawn_worker(glue, "bar_worker", input).await?;
/// # drop(worker); Ok(()) }
/// ```
#[wasm_bindgen]
pub async fn bar_worker(input: JsValue) -> Result<JsValue, JsValue> {
    let error = |e: String| JsValue::from_str(&e);
    // First: the page posts the port right after this export is called.
    let port: MessagePort = wasm_rs_worker::next_message()
        .await
        .map_err(|e| error(e.to_string()))?
        .dyn_into()
        .map_err(|_| error("the first message to bar_worker must be a MessagePort".into()))?;
    let get = |key: &str| js_sys::Reflect::get(&input, &key.into());
    let views = Sender::<String>::from_js(&get("view")?).map_err(|e| error(e.to_string()))?;
    let url = get("url")?
        .as_string()
        .ok_or_else(|| error("no url".into()))?;
    let session = get("session")?
        .as_string()
        .ok_or_else(|| error("no session".into()))?;

    let (latest_tx, latest) = mpsc::unbounded::<BarView>();
    let bar = BarClient::start(BarOptions::new(&url, &session), move |v| {
        let _ = latest_tx.unbounded_send(v.clone());
    });
    drop(wasm_rs_async_executor::spawn(send_views(latest, views)));

    let mut port = PortConnection::new(port);
    while let Some(message) = port.next().await {
        let answer = match message
            .map_err(|e| e.to_string())
            .and_then(|bytes| postcard::from_bytes::<Op>(&bytes).map_err(|e| e.to_string()))
        {
            Ok(op) => bar.command(op).await.map_err(|e| e.to_string()),
            Err(e) => Err(format!("an unreadable command: {e}")),
        };
        let bytes = postcard::to_allocvec(&answer).unwrap_or_default();
        if port.send(bytes).await.is_err() {
            break;
        }
    }
    Ok(JsValue::UNDEFINED)
}

/// Sends views to the page, skipping to the latest when several are waiting.
async fn send_views(mut latest: mpsc::UnboundedReceiver<BarView>, mut views: Sender<String>) {
    while let Some(mut view) = latest.next().await {
        while let Ok(newer) = latest.try_recv() {
            view = newer;
        }
        let Ok(json) = serde_json::to_string(&view) else {
            continue;
        };
        if views.send_async(json).await.is_err() {
            return;
        }
    }
}
// ANCHOR_END: worker
