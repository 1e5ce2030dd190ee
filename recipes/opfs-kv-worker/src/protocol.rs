//! The request/reply protocol between the main thread and the worker that owns the store.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_rs_shared_channel::spsc::Duplex;
use wasm_rs_shared_channel::{RecvError, RequestError, SendErrorKind};

use crate::{Entries, Stats, Storage, Store, StoreError};

// ANCHOR: request
/// What the main thread asks the store's worker.
///
/// ```
/// let request = opfs_kv_worker::Request::Get { key: b"k".to_vec() };
/// # drop(request);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// The value under `key`.
    Get {
        /// The key.
        key: Vec<u8>,
    },
    /// Stores `value` under `key` and flushes: durable when the reply arrives.
    Put {
        /// The key.
        key: Vec<u8>,
        /// The value.
        value: Vec<u8>,
    },
    /// Removes `key` and flushes.
    Delete {
        /// The key.
        key: Vec<u8>,
    },
    /// Every entry whose key starts with `prefix`.
    Scan {
        /// The prefix.
        prefix: Vec<u8>,
    },
    /// Compacts the store into its other file.
    Compact,
    /// The store's sizes.
    Stats,
}
// ANCHOR_END: request

// ANCHOR: response
/// The worker's answer. The first message the worker sends, before any request, is
/// `Ready` (the store opened) or `Failed` (it did not, e.g. [`StoreError::Locked`]).
///
/// ```
/// use opfs_kv_worker::{Response, StoreError};
/// let locked = Response::Failed(StoreError::Locked { file: "x".into() });
/// # drop(locked);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// The store opened; its sizes.
    Ready(Stats),
    /// The answer to `Get`.
    Value(Option<Vec<u8>>),
    /// The answer to `Delete`: whether the key had a value.
    Deleted(bool),
    /// The answer to `Put` and `Compact`.
    Done,
    /// The answer to `Scan`.
    Entries(Entries),
    /// The answer to `Stats`.
    Stats(Stats),
    /// The request failed; the worker goes on serving.
    Failed(StoreError),
}
// ANCHOR_END: response

// ANCHOR: serve
/// The worker's loop: answers requests with blocking receives until the main thread drops
/// its end; returns how many requests it served. Every `Put` and `Delete` is flushed before
/// its reply is sent, so a reply means the write is durable.
///
/// It never returns to the JS event loop while the channel is open: between requests the
/// thread sleeps in `Atomics.wait`.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))] {
/// use opfs_kv_worker::{Client, MemFile, Store, serve};
/// use wasm_rs_shared_channel::spsc;
///
/// let (client_end, mut worker_end) = spsc::duplex(64 * 1024)?;
/// let worker = std::thread::spawn(move || {
///     let mut store = Store::open(MemFile::default(), MemFile::default()).unwrap();
///     serve(&mut store, &mut worker_end)
/// });
/// let mut client = Client::new(client_end);
/// futures::executor::block_on(client.put(b"k", b"v")).unwrap();
/// drop(client); // the loop ends
/// assert_eq!(worker.join().unwrap().unwrap(), 1);
/// # }
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub fn serve<S: Storage>(
    store: &mut Store<S>,
    channel: &mut Duplex<Response, Request>,
) -> Result<u64, ServeError> {
    let mut served = 0;
    loop {
        let request = match channel.receiver().recv() {
            Ok(request) => request,
            Err(RecvError::Disconnected) => return Ok(served),
            Err(e) => return Err(ServeError(e.to_string())),
        };
        let response = answer(store, request).unwrap_or_else(Response::Failed);
        served += 1;
        if let Err(e) = channel.sender().send(response) {
            match e.kind() {
                SendErrorKind::TooLarge { .. } => {
                    let failed = Response::Failed(StoreError::TooLarge {
                        what: "reply".into(),
                        len: 0,
                        max: channel.sender().capacity() as u64,
                    });
                    channel
                        .sender()
                        .send(failed)
                        .map_err(|e| ServeError(e.to_string()))?;
                }
                _ => return Err(ServeError(e.to_string())),
            }
        }
    }
}
// ANCHOR_END: serve

// ANCHOR: run_store
/// The whole life of the store's worker: reports `opened` to the client (`Ready` or
/// `Failed`, see [`Client::connect`]), [`serve`]s until the client is dropped, then closes
/// the store. Returns how many requests it served (0 if the store did not open).
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))] {
/// use opfs_kv_worker::{Client, ClientError, MemFile, Store, StoreError, run_store};
/// let (end, mut worker_end) = wasm_rs_shared_channel::spsc::duplex(4096)?;
/// std::thread::spawn(move || {
///     let opened: Result<Store<MemFile>, _> = Err(StoreError::Locked { file: "a".into() });
///     run_store(opened, &mut worker_end)
/// });
/// let failed = futures::executor::block_on(Client::connect(end)).unwrap_err();
/// assert!(matches!(failed, ClientError::Store(StoreError::Locked { .. })));
/// # }
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
pub fn run_store<S: Storage>(
    opened: Result<Store<S>, StoreError>,
    channel: &mut Duplex<Response, Request>,
) -> Result<u64, ServeError> {
    let mut store = match opened {
        Ok(store) => store,
        Err(e) => {
            channel
                .sender()
                .send(Response::Failed(e))
                .map_err(|e| ServeError(e.to_string()))?;
            return Ok(0);
        }
    };
    channel
        .sender()
        .send(Response::Ready(store.stats()))
        .map_err(|e| ServeError(e.to_string()))?;
    let served = serve(&mut store, channel)?;
    // Every write was flushed before its reply; closing only releases the files.
    store.close().map_err(|e| ServeError(e.to_string()))?;
    Ok(served)
}
// ANCHOR_END: run_store

// ANCHOR: answer
fn answer<S: Storage>(store: &mut Store<S>, request: Request) -> Result<Response, StoreError> {
    Ok(match request {
        Request::Get { key } => Response::Value(store.get(&key)?),
        Request::Put { key, value } => {
            store.put(&key, &value)?;
            store.flush()?;
            Response::Done
        }
        Request::Delete { key } => {
            let existed = store.delete(&key)?;
            store.flush()?;
            Response::Deleted(existed)
        }
        Request::Scan { prefix } => Response::Entries(store.scan(&prefix)?),
        Request::Compact => {
            store.compact()?;
            Response::Done
        }
        Request::Stats => Response::Stats(store.stats()),
    })
}
// ANCHOR_END: answer

/// Why [`serve`] stopped before the main thread dropped its end: the channel failed.
///
/// ```
/// let e = opfs_kv_worker::ServeError("the channel buffer is corrupt".into());
/// assert!(e.to_string().contains("start a new worker"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the worker's channel failed ({0}): drop the client and start a new worker")]
pub struct ServeError(pub String);

/// Why a [`Client`] request failed.
///
/// ```
/// use opfs_kv_worker::{ClientError, StoreError};
/// let e = ClientError::Store(StoreError::Locked { file: "x".into() });
/// assert!(e.to_string().contains("locked"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The store answered with an error.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The channel to the worker failed (the worker stopped, or a message was too large).
    #[error("the request did not reach the worker or got no reply ({0}): start a new worker")]
    Channel(String),
    /// The worker could not be started or stopped with an error.
    #[error("the store's worker failed ({0})")]
    Worker(String),
    /// The worker answered with a reply that does not fit the request.
    #[error("the worker answered {0}: client and worker must be built from the same crate")]
    Unexpected(String),
}

impl<T> From<RequestError<T>> for ClientError {
    fn from(e: RequestError<T>) -> Self {
        Self::Channel(match e {
            RequestError::Send(e) => e.kind().to_string(),
            RequestError::Recv(e) => e.to_string(),
        })
    }
}

// ANCHOR: client
/// The main thread's side: async requests over the shared channel, awaited with
/// `Atomics.waitAsync` so the page never blocks.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))] {
/// use opfs_kv_worker::{Client, MemFile, Store, serve};
/// use wasm_rs_shared_channel::spsc;
///
/// let (client_end, mut worker_end) = spsc::duplex(64 * 1024)?;
/// std::thread::spawn(move || {
///     let mut store = Store::open(MemFile::default(), MemFile::default()).unwrap();
///     serve(&mut store, &mut worker_end)
/// });
/// let mut client = Client::new(client_end);
/// futures::executor::block_on(async {
///     client.put(b"a/1", b"x").await?;
///     assert_eq!(client.get(b"a/1").await?, Some(b"x".to_vec()));
///     assert_eq!(client.scan(b"a/").await?.len(), 1);
///     Ok::<(), opfs_kv_worker::ClientError>(())
/// }).unwrap();
/// # }
/// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
/// ```
#[derive(Debug)]
pub struct Client {
    channel: Duplex<Request, Response>,
}

impl Client {
    /// Wraps the requesting end of a [`duplex`](wasm_rs_shared_channel::spsc::duplex) pair
    /// whose other end a worker [`serve`]s.
    ///
    /// ```
    /// let (end, _worker_end) = wasm_rs_shared_channel::spsc::duplex(4096)?;
    /// let client = opfs_kv_worker::Client::new(end);
    /// # drop(client);
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub fn new(channel: Duplex<Request, Response>) -> Self {
        Self { channel }
    }

    async fn request(&mut self, request: Request) -> Result<Response, ClientError> {
        match self.channel.request_async(request).await? {
            Response::Failed(e) => Err(ClientError::Store(e)),
            response => Ok(response),
        }
    }

    /// The value under `key`.
    ///
    /// ```no_run
    /// # async fn f(client: &mut opfs_kv_worker::Client) -> Result<(), opfs_kv_worker::ClientError> {
    /// let value = client.get(b"k").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, ClientError> {
        match self.request(Request::Get { key: key.to_vec() }).await? {
            Response::Value(value) => Ok(value),
            other => Err(unexpected(other)),
        }
    }

    /// Stores `value` under `key`; durable when this returns `Ok`.
    ///
    /// ```no_run
    /// # async fn f(client: &mut opfs_kv_worker::Client) -> Result<(), opfs_kv_worker::ClientError> {
    /// client.put(b"k", b"v").await?;
    /// # Ok(()) }
    /// ```
    pub async fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), ClientError> {
        let request = Request::Put {
            key: key.to_vec(),
            value: value.to_vec(),
        };
        match self.request(request).await? {
            Response::Done => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Removes `key`; whether it had a value. Durable when this returns `Ok`.
    ///
    /// ```no_run
    /// # async fn f(client: &mut opfs_kv_worker::Client) -> Result<(), opfs_kv_worker::ClientError> {
    /// let existed = client.delete(b"k").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&mut self, key: &[u8]) -> Result<bool, ClientError> {
        match self.request(Request::Delete { key: key.to_vec() }).await? {
            Response::Deleted(existed) => Ok(existed),
            other => Err(unexpected(other)),
        }
    }

    /// Every entry whose key starts with `prefix`, in key order.
    ///
    /// ```no_run
    /// # async fn f(client: &mut opfs_kv_worker::Client) -> Result<(), opfs_kv_worker::ClientError> {
    /// for (key, value) in client.scan(b"note/").await? { /* ... */ }
    /// # Ok(()) }
    /// ```
    pub async fn scan(&mut self, prefix: &[u8]) -> Result<Entries, ClientError> {
        let request = Request::Scan {
            prefix: prefix.to_vec(),
        };
        match self.request(request).await? {
            Response::Entries(entries) => Ok(entries),
            other => Err(unexpected(other)),
        }
    }

    /// Compacts the store; returns its sizes afterwards.
    ///
    /// ```no_run
    /// # async fn f(client: &mut opfs_kv_worker::Client) -> Result<(), opfs_kv_worker::ClientError> {
    /// let after = client.compact().await?;
    /// println!("{} bytes, {} records", after.file_bytes, after.records);
    /// # Ok(()) }
    /// ```
    pub async fn compact(&mut self) -> Result<Stats, ClientError> {
        match self.request(Request::Compact).await? {
            Response::Done => self.stats().await,
            other => Err(unexpected(other)),
        }
    }

    /// The store's sizes.
    ///
    /// ```no_run
    /// # async fn f(client: &mut opfs_kv_worker::Client) -> Result<(), opfs_kv_worker::ClientError> {
    /// let stats = client.stats().await?;
    /// # Ok(()) }
    /// ```
    pub async fn stats(&mut self) -> Result<Stats, ClientError> {
        match self.request(Request::Stats).await? {
            Response::Stats(stats) => Ok(stats),
            other => Err(unexpected(other)),
        }
    }

    /// Stores a serde value under `key`, encoded with postcard (read it back with
    /// [`get_typed`](Self::get_typed), or [`Store::get_typed`] in the worker).
    ///
    /// ```no_run
    /// # async fn f(client: &mut opfs_kv_worker::Client) -> Result<(), opfs_kv_worker::ClientError> {
    /// client.put_typed(b"settings", &("dark", 14u8)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_typed<T: Serialize + ?Sized>(
        &mut self,
        key: &[u8],
        value: &T,
    ) -> Result<(), ClientError> {
        let bytes = postcard::to_allocvec(value).map_err(|e| StoreError::Codec(e.to_string()))?;
        self.put(key, &bytes).await
    }

    /// Reads the value under `key` as a `T` stored with [`put_typed`](Self::put_typed).
    ///
    /// ```no_run
    /// # async fn f(client: &mut opfs_kv_worker::Client) -> Result<(), opfs_kv_worker::ClientError> {
    /// let settings: Option<(String, u8)> = client.get_typed(b"settings").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_typed<T: DeserializeOwned>(
        &mut self,
        key: &[u8],
    ) -> Result<Option<T>, ClientError> {
        match self.get(key).await? {
            None => Ok(None),
            Some(bytes) => postcard::from_bytes(&bytes)
                .map(Some)
                .map_err(|e| ClientError::Store(StoreError::Codec(e.to_string()))),
        }
    }

    /// Wraps the requesting end and waits for the worker's first message: the store's sizes
    /// once [`run_store`] has opened it, or why it could not (e.g. [`StoreError::Locked`]).
    ///
    /// ```
    /// # #[cfg(not(target_arch = "wasm32"))] {
    /// use opfs_kv_worker::{Client, MemFile, Store, run_store};
    /// let (end, mut worker_end) = wasm_rs_shared_channel::spsc::duplex(4096)?;
    /// std::thread::spawn(move || {
    ///     run_store(Store::open(MemFile::default(), MemFile::default()), &mut worker_end)
    /// });
    /// let (client, stats) = futures::executor::block_on(Client::connect(end)).unwrap();
    /// assert_eq!(stats.live_keys, 0);
    /// # drop(client); }
    /// # Ok::<(), wasm_rs_shared_channel::ChannelError>(())
    /// ```
    pub async fn connect(
        mut channel: Duplex<Request, Response>,
    ) -> Result<(Self, Stats), ClientError> {
        match channel.receiver().recv_async().await {
            Ok(Response::Ready(stats)) => Ok((Self { channel }, stats)),
            Ok(Response::Failed(e)) => Err(ClientError::Store(e)),
            Ok(other) => Err(unexpected(other)),
            Err(e) => Err(ClientError::Channel(e.to_string())),
        }
    }
}
// ANCHOR_END: client

fn unexpected(response: Response) -> ClientError {
    let text = format!("{response:?}");
    ClientError::Unexpected(text.chars().take(80).collect())
}
