//! A crash-safe key-value store: checksummed records, commit points, compaction without
//! rename.
//!
//! # Why
//!
//! A program that keeps its own data (a cache, a job log, an engine's state) has to survive
//! being stopped mid-write: a crash, a closed tab, a full disk. This crate shows the smallest
//! design that does: a log-structured store whose every rule can be tested by cutting and
//! damaging its file at every byte.
//!
//! # How
//!
//! - [`Store`] appends length-prefixed, checksummed records (put, delete, commit) to a file
//!   and keeps an in-memory index from key to record, rebuilt on [`Store::open`].
//! - [`Store::flush`] is a commit point: after a crash the store holds exactly the batches
//!   whose commit record reached the file. A torn tail is cut off; a damaged record is
//!   reported as [`StoreError::Corrupt`] and never returned.
//! - [`Store::compact`] rewrites the live entries into the store's second file and switches
//!   to it only once it is complete: the file with the higher generation and a complete
//!   commit wins on open, so no rename is needed.
//! - The store is written against the six-method [`Storage`] trait: `FsFile` natively
//!   (`std::fs`, locked against a second opener), [`MemFile`] in tests. The opfs-sync-file
//!   recipe adds an OPFS backend for browser workers. [`Store::put_typed`] and
//!   [`Store::get_typed`] add serde values on top of the bytes.
//!
//! # Example
//!
//! ```
//! use crash_safe_store::{MemFile, Store};
//! // Natively: `Store::open_dir(dir, "notes")?`.
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
//! # Ok::<(), crash_safe_store::StoreError>(())
//! ```
//!
//! # When
//!
//! Use it for small to medium data (the index holds every key in memory; values stay in
//! the file) owned by one thread. A second opener gets [`StoreError::Locked`]. For queries,
//! many writers or large data, use SQLite (or IndexedDB in a browser) instead.

mod error;
mod record;
mod storage;
mod store;

#[cfg(not(target_arch = "wasm32"))]
mod native;

pub use error::StoreError;
#[cfg(not(target_arch = "wasm32"))]
pub use native::FsFile;
pub use storage::{MemFile, Storage};
pub use store::{Entries, MAX_KEY_LEN, MAX_VALUE_LEN, Stats, Store};
