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
//! - [`Store`] is a log-structured store: an append-only file of length-prefixed,
//!   checksummed records (put, delete, commit), with an in-memory index from key to
//!   record, rebuilt on [`Store::open`]. [`Store::flush`] is a commit point: after a crash
//!   the store holds exactly the batches whose commit record reached the file; a torn tail
//!   is cut off, a damaged record is reported as [`StoreError::Corrupt`] and never returned.
//! - [`Store::compact`] rewrites the live entries into the store's second file and switches
//!   to it only once it is complete: the file with the higher generation and a complete
//!   commit wins on open, so no rename is needed (OPFS offers `move()` only as a promise).
//! - The store is written against the small [`Storage`] trait: `FsFile` natively
//!   (`std::fs`, so the crash tests run under `cargo test`), `OpfsFile` in a browser
//!   worker, [`MemFile`] in tests. [`Store::put_typed`] and [`Store::get_typed`] add serde
//!   values on top of the bytes.
//! - The main thread talks to the worker that owns the store over a
//!   [wasm-rs-shared-channel](wasm_rs_shared_channel) request/reply pair: [`Request`] in,
//!   [`Response`] out. The worker runs [`run_store`], blocking in `recv` between requests
//!   (it never returns to its event loop); the main thread's [`Client`] awaits the replies.
//!   On wasm32, `KvWorker::open` starts the worker with wasm-rs-worker's `spawn_worker`.
//!
//! # Example
//!
//! ```
//! use opfs_kv_worker::{MemFile, Store};
//! // In a browser worker: `Store::open_opfs("notes").await?`; natively:
//! // `Store::open_dir(dir, "notes")?`.
//! let (a, b) = (MemFile::default(), MemFile::default());
//! let mut store = Store::open(a.clone(), b.clone())?;
//! store.put(b"note/1", b"buy milk")?;
//! store.put_typed(b"note/2", &("call Ada", 3u8))?;
//! store.flush()?; // commit point
//! store.put(b"note/3", b"not flushed")?;
//! drop(store); // a crash: note/3 was never committed
//!
//! let mut store = Store::open(a, b)?;
//! assert_eq!(store.get(b"note/1")?, Some(b"buy milk".to_vec()));
//! assert_eq!(store.get_typed::<(String, u8)>(b"note/2")?, Some(("call Ada".into(), 3)));
//! assert_eq!(store.get(b"note/3")?, None);
//! # Ok::<(), opfs_kv_worker::StoreError>(())
//! ```
//!
//! # When
//!
//! Use it for small to medium data (the index holds every key in memory; values stay in
//! the file) owned by one worker. A second worker or tab that opens the same store gets
//! [`StoreError::Locked`]: OPFS lets one sync access handle hold a file at a time. For
//! queries, many writers or large data, use IndexedDB or SQLite on OPFS instead.

mod error;
mod protocol;
mod record;
mod storage;
mod store;

#[cfg(target_arch = "wasm32")]
mod demo;
#[cfg(not(target_arch = "wasm32"))]
mod fs;
#[cfg(target_arch = "wasm32")]
mod opfs;
#[cfg(target_arch = "wasm32")]
mod worker;

pub use error::StoreError;
#[cfg(not(target_arch = "wasm32"))]
pub use fs::FsFile;
#[cfg(target_arch = "wasm32")]
pub use opfs::OpfsFile;
pub use protocol::{Client, ClientError, Request, Response, ServeError, run_store, serve};
pub use storage::{MemFile, Storage};
pub use store::{Entries, MAX_KEY_LEN, MAX_VALUE_LEN, Stats, Store};
#[cfg(target_arch = "wasm32")]
pub use worker::{KvWorker, opfs_kv_worker_main};

/// The book's Run button (src/demo.rs).
#[cfg(target_arch = "wasm32")]
pub use demo::run_demo;
