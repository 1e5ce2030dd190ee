//! The store's worker and the main thread's handle on it (wasm32).

use core::pin::pin;

use futures_util::future::{Either, select};
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_rs_shared_channel::spsc::{self, Duplex};
use wasm_rs_worker::{WorkerHandle, spawn_worker};

use crate::{Client, ClientError, Request, Response, Stats, run_store};

/// Ring size of each direction: room for scans of about a megabyte.
const CAPACITY: usize = 1 << 20;

// ANCHOR: worker_main
/// The worker's entry point (a `#[wasm_bindgen]` export that wasm-rs-worker's loader calls in
/// the new worker): opens the OPFS store named in `input.name`, reports it on the channel
/// end `input.channel`, then serves requests with blocking receives, never returning to
/// the event loop, until the main thread drops its end. Returns how many requests it
/// served.
///
/// Not called directly: [`KvWorker::open`] names it.
///
/// ```no_run
/// # async fn f() -> Result<(), opfs_kv_worker::ClientError> {
/// let glue = wasm_rs_worker::glue_url().map_err(|e| opfs_kv_worker::ClientError::Worker(e.to_string()))?;
/// let (worker, _stats) = opfs_kv_worker::KvWorker::open(&glue, "notes").await?;
/// # drop(worker); Ok(()) }
/// ```
#[wasm_bindgen]
pub async fn opfs_kv_worker_main(input: JsValue) -> Result<f64, JsValue> {
    let name = Reflect::get(&input, &"name".into())?
        .as_string()
        .ok_or("opfs_kv_worker_main: `input.name` must be the store's name")?;
    let channel = Reflect::get(&input, &"channel".into())?;
    let mut channel = Duplex::<Response, Request>::from_js(&channel)
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    // The only awaits: opening the OPFS files. From here on the worker blocks in `recv`.
    let opened = opfs_sync_file::open_store(&name).await;
    let served = run_store(opened, &mut channel).map_err(|e| JsValue::from_str(&e.to_string()))?;
    Ok(served as f64)
}
// ANCHOR_END: worker_main

// ANCHOR: kv_worker
/// The main thread's handle on a worker that owns an OPFS store: its [`Client`] and the
/// worker. Dropping it terminates the worker (flushed writes are safe: every `put` and
/// `delete` is flushed before it is answered).
///
/// ```no_run
/// # async fn f() -> Result<(), opfs_kv_worker::ClientError> {
/// use opfs_kv_worker::{ClientError, KvWorker};
/// let glue = wasm_rs_worker::glue_url().map_err(|e| ClientError::Worker(e.to_string()))?;
/// let (mut store, stats) = KvWorker::open(&glue, "notes").await?;
/// store.client().put(b"note/1", b"buy milk").await?;
/// let notes = store.client().scan(b"note/").await?;
/// store.close().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct KvWorker {
    client: Client,
    worker: WorkerHandle,
}

impl KvWorker {
    /// Starts a worker on this page's own module (`glue_url` is wasm-rs-worker's
    /// `glue_url()`), has it open the OPFS store `name`, and waits until it is ready; gives
    /// the store's sizes.
    ///
    /// Errors: [`ClientError::Store`] with [`StoreError::Locked`](crate::StoreError::Locked)
    /// when another worker or tab has the store open; [`ClientError::Channel`] without
    /// `SharedArrayBuffer` (the page must be cross-origin isolated);
    /// [`ClientError::Worker`] when the worker could not start.
    ///
    /// ```no_run
    /// # async fn f(glue: &str) -> Result<(), opfs_kv_worker::ClientError> {
    /// let (worker, stats) = opfs_kv_worker::KvWorker::open(glue, "cache").await?;
    /// println!("{} keys in {} bytes", stats.live_keys, stats.file_bytes);
    /// # drop(worker); Ok(()) }
    /// ```
    pub async fn open(glue_url: &str, name: &str) -> Result<(Self, Stats), ClientError> {
        let (end, worker_end) = spsc::duplex::<Request, Response>(CAPACITY)
            .map_err(|e| ClientError::Channel(e.to_string()))?;
        let input = Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&input, &key.into(), value);
        set("name", &name.into())
            .and_then(|_| set("channel", &worker_end.into_js()))
            .map_err(|e| ClientError::Worker(format!("{e:?}")))?;
        let mut worker = spawn_worker(glue_url, "opfs_kv_worker_main", input.into())
            .await
            .map_err(|e| ClientError::Worker(e.to_string()))?;
        // The worker answers `Ready` or `Failed`, unless it dies first (then `join` ends).
        let opened = match select(pin!(Client::connect(end)), pin!(worker.join())).await {
            Either::Left((connected, _)) => connected,
            Either::Right((stopped, _)) => Err(ClientError::Worker(format!(
                "the worker stopped before opening the store: {stopped:?}"
            ))),
        };
        let (client, stats) = opened?;
        Ok((Self { client, worker }, stats))
    }
    // ANCHOR_END: kv_worker

    // ANCHOR: kv_worker_methods
    /// The requests: get, put, delete, scan, compact, stats.
    ///
    /// ```no_run
    /// # async fn f(worker: &mut opfs_kv_worker::KvWorker) -> Result<(), opfs_kv_worker::ClientError> {
    /// worker.client().put(b"k", b"v").await?;
    /// # Ok(()) }
    /// ```
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Drops the channel, which ends the worker's loop; waits until the worker has closed
    /// the store (releasing its lock) and returns how many requests it served.
    ///
    /// ```no_run
    /// # async fn f(worker: opfs_kv_worker::KvWorker) -> Result<(), opfs_kv_worker::ClientError> {
    /// let served = worker.close().await?;
    /// # Ok(()) }
    /// ```
    pub async fn close(self) -> Result<u64, ClientError> {
        let Self { client, mut worker } = self;
        drop(client);
        let served = worker
            .join()
            .await
            .map_err(|e| ClientError::Worker(e.to_string()))?;
        served
            .as_f64()
            .map(|n| n as u64)
            .ok_or_else(|| ClientError::Worker(format!("the worker returned {served:?}")))
    }

    /// Stops the worker at once, as a crash or a closed tab would: writes that were
    /// answered are in the file; the browser releases the file's lock once the worker is
    /// gone (Chromium may take a moment for a busy worker).
    ///
    /// ```no_run
    /// # fn f(worker: opfs_kv_worker::KvWorker) {
    /// worker.terminate();
    /// # }
    /// ```
    pub fn terminate(self) {
        self.worker.terminate();
    }
}
// ANCHOR_END: kv_worker_methods
