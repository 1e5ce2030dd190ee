//! The one error type of the store. It is `Serialize`, so an app that serves the store from
//! a worker can send it to the main thread unchanged.

use serde::{Deserialize, Serialize};

/// Why a store operation failed. Every message says what to do next.
///
/// It is `Serialize`: an app that serves the store from a worker (the opfs-kv-worker
/// example app) sends it to the main thread as a value.
///
/// ```
/// use crash_safe_store::StoreError;
/// let e = StoreError::Locked { file: "notes-0.kvlog".into() };
/// assert!(e.to_string().contains("open in another worker"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another handle holds the file: a second worker, another tab, or (natively) another
    /// process. OPFS reports this as `NoModificationAllowedError`.
    #[error(
        "the store file `{file}` is locked: it is open in another worker, tab or process. Close the store there (or wait until a terminated worker is gone) and open it again"
    )]
    Locked {
        /// The file that could not be opened.
        file: String,
    },
    /// A record's checksum does not match: the bytes were changed after they were written.
    /// Nothing from the damaged record is returned.
    #[error(
        "`{file}` is damaged at byte {offset} ({reason}): nothing from it was returned. Restore the store's files from a backup, or delete them to start empty"
    )]
    Corrupt {
        /// The damaged file.
        file: String,
        /// Where the damaged record starts.
        offset: u64,
        /// What did not match.
        reason: String,
    },
    /// The file exists but was not written by this store (or by another format version).
    #[error(
        "`{file}` is not a store file of this format: open the store under another name, or delete the file"
    )]
    NotAStore {
        /// The foreign file.
        file: String,
    },
    /// A compaction failed half-way and its unfinished file could not be cleared; the
    /// store refuses writes until it is reopened (opening picks the complete file).
    #[error(
        "a compaction failed half-way and `{file}` could not be cleared: drop the store and open it again (nothing committed is lost)"
    )]
    Interrupted {
        /// The unfinished file.
        file: String,
    },
    /// The storage backend failed (disk full, quota exceeded, the handle was closed).
    #[error("{op} on `{file}` failed: {message}")]
    Io {
        /// The file.
        file: String,
        /// The operation (`read`, `write`, `flush`, `truncate`, `open`).
        op: String,
        /// The platform's message.
        message: String,
    },
    /// A key or value is larger than a record may be.
    #[error("the {what} is {len} bytes but at most {max} bytes are allowed: split it")]
    TooLarge {
        /// `key` or `value`.
        what: String,
        /// Its length.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// The storage backend does not exist in this context. The backend's message says where
    /// it does (OPFS sync access handles: only in dedicated workers).
    #[error("this storage is not available here: {0}")]
    Unsupported(String),
    /// A typed value did not encode or decode with postcard.
    #[error(
        "the value did not encode or decode as the requested type ({0}): read it with the type it was written with"
    )]
    Codec(String),
}

impl StoreError {
    /// An [`Io`](Self::Io) error for `op` on `file`: what a [`Storage`](crate::Storage)
    /// backend returns when the platform call fails.
    ///
    /// ```
    /// let e = crash_safe_store::StoreError::io("notes-0.kvlog", "flush", "disk full");
    /// assert_eq!(e.to_string(), "flush on `notes-0.kvlog` failed: disk full");
    /// ```
    pub fn io(file: &str, op: &str, message: impl ToString) -> Self {
        Self::Io {
            file: file.to_owned(),
            op: op.to_owned(),
            message: message.to_string(),
        }
    }
}
