//! Synchronous files in a browser worker: OPFS sync access handles.
//!
//! # Why
//!
//! Rust code that runs full-time in a worker (an engine, a store) never returns to the
//! event loop, so it cannot await a promise per read or write. Dedicated workers can open a
//! file in the Origin Private File System (OPFS) through a `FileSystemSyncAccessHandle`,
//! whose `read`, `write`, `truncate`, `getSize` and `flush` are plain synchronous calls.
//! Only opening is async.
//!
//! # How
//!
//! - `OpfsFile::open` awaits `navigator.storage.getDirectory()`, `getFileHandle(name,
//!   { create: true })` and `createSyncAccessHandle()`, then implements the
//!   [crash-safe-store](crash_safe_store) recipe's [`Storage`](crash_safe_store::Storage)
//!   trait with the handle's synchronous calls. That store then runs on OPFS unchanged.
//! - `open_store(name)` opens the store's two files, `<name>-0.kvlog` and
//!   `<name>-1.kvlog`.
//! - A sync access handle locks its file. A second opener (another worker or tab) gets a
//!   `NoModificationAllowedError`, returned as
//!   [`StoreError::Locked`](crash_safe_store::StoreError::Locked); dropping the `OpfsFile`
//!   closes the handle and releases the lock.
//! - On the main thread and in shared or service workers the handles don't exist: opening
//!   gives [`StoreError::Unsupported`](crash_safe_store::StoreError::Unsupported), whose
//!   message says to use a dedicated worker.
//!
//! # Example
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # async fn f() -> Result<(), crash_safe_store::StoreError> {
//! // In a dedicated worker:
//! let mut store = opfs_sync_file::open_store("notes").await?;
//! store.put(b"note/1", b"buy milk")?;
//! store.flush()?; // durable on disk once this returns
//! # Ok(()) }
//! ```
//!
//! # When
//!
//! Use it for data one worker owns and reads synchronously. To reach it from the page, serve
//! it from that worker (the opfs-kv-worker example app does, over a shared channel). On
//! other targets the crate is empty; natively, use crash-safe-store's `FsFile`.

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub use web::{OpfsFile, open_store};
