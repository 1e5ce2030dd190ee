//! A durable key-value store in a dedicated worker, on the Origin Private File System.
//!
//! # Why
//!
//! An engine that runs full-time in a worker soon has to remember things across page
//! loads: a cache, a job log, its state. Dedicated workers get synchronous file access on
//! the Origin Private File System (OPFS) through `FileSystemSyncAccessHandle` (read, write,
//! truncate, flush, no promises), which suits Rust code that never returns to the event
//! loop. This crate shows how to keep data there without losing it.
//!
//! # How
//!
//! This is an example app: it composes two lessons and adds what an app needs on top.
//!
//! - The store is the [crash-safe-store](crash_safe_store) recipe's [`Store`]: an
//!   append-only file of checksummed records with commit points and compaction without
//!   rename. Its page explains the file format and the crash tests.
//! - In the worker, the store's files are the [opfs-sync-file](opfs_sync_file) recipe's
//!   OPFS files behind sync access handles (natively, `FsFile` from crash-safe-store).
//! - This crate adds the request/reply protocol: the main thread talks to the worker that
//!   owns the store over a [wasm-rs-shared-channel](wasm_rs_shared_channel) pair,
//!   [`Request`] in, [`Response`] out. The worker runs [`run_store`], blocking in `recv`
//!   between requests (it never returns to its event loop); the main thread's [`Client`]
//!   awaits the replies. On wasm32, `KvWorker::open` starts the worker with
//!   wasm-rs-worker's `spawn_worker`, and the demo is what the page's Run button calls.
//!
//! # Example
//!
//! The protocol natively, with a thread as the store's worker (in a browser,
//! `KvWorker::open(&glue_url, "notes")` starts the worker and gives the same [`Client`]):
//!
//! ```
//! use futures::executor::block_on;
//! use opfs_kv_worker::{Client, MemFile, Store, run_store};
//! use wasm_rs_shared_channel::spsc;
//!
//! let (page, mut worker_end) = spsc::duplex(64 * 1024)?;
//! let worker = std::thread::spawn(move || {
//!     run_store(Store::open(MemFile::default(), MemFile::default()), &mut worker_end)
//! });
//! block_on(async {
//!     let (mut client, _stats) = Client::connect(page).await?;
//!     client.put(b"note/1", b"buy milk").await?; // flushed before the reply
//!     assert_eq!(client.get(b"note/1").await?, Some(b"buy milk".to_vec()));
//!     Ok::<(), opfs_kv_worker::ClientError>(())
//! })?;
//! // Dropping the client ends the worker's loop; it returns how many requests it served.
//! assert_eq!(worker.join().unwrap()?, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # When
//!
//! Use it for small to medium data (the index holds every key in memory; values stay in
//! the file) owned by one worker. A second worker or tab that opens the same store gets
//! [`StoreError::Locked`]: OPFS lets one sync access handle hold a file at a time. For
//! queries, many writers or large data, use IndexedDB or SQLite on OPFS instead.

mod protocol;

#[cfg(target_arch = "wasm32")]
mod demo;
#[cfg(target_arch = "wasm32")]
mod web;

// The lessons' types that appear in this crate's API.
#[cfg(not(target_arch = "wasm32"))]
pub use crash_safe_store::FsFile;
pub use crash_safe_store::{
    Entries, MAX_KEY_LEN, MAX_VALUE_LEN, MemFile, Stats, Storage, Store, StoreError,
};
#[cfg(target_arch = "wasm32")]
pub use opfs_sync_file::OpfsFile;
pub use protocol::{Client, ClientError, Request, Response, ServeError, run_store, serve};
#[cfg(target_arch = "wasm32")]
pub use web::{KvWorker, opfs_kv_worker_main};

/// The book's Run button (src/demo.rs).
#[cfg(target_arch = "wasm32")]
pub use demo::run_demo;
