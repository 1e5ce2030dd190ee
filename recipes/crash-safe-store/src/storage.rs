//! The storage trait the store is written against, and the in-memory backend.

use std::cell::RefCell;
use std::rc::Rc;

use crate::StoreError;

// ANCHOR: storage
/// One file the store writes to: random-access reads and writes, truncation, and a flush
/// that makes every earlier write durable.
///
/// The store needs nothing else (no rename, no directory listing), so a backend is a thin
/// wrapper: `FsFile` natively, [`MemFile`] in tests, and in a browser worker the
/// opfs-sync-file recipe's `OpfsFile` over an OPFS `FileSystemSyncAccessHandle`.
///
/// ```
/// use crash_safe_store::{MemFile, Storage};
/// let mut file = MemFile::default();
/// file.write_at(0, b"hello")?;
/// let mut buf = [0; 3];
/// file.read_at(2, &mut buf)?;
/// assert_eq!(&buf, b"llo");
/// assert_eq!(file.len()?, 5);
/// # Ok::<(), crash_safe_store::StoreError>(())
/// ```
pub trait Storage {
    /// The file's name, for error messages.
    fn name(&self) -> &str;
    /// The file's length in bytes.
    fn len(&mut self) -> Result<u64, StoreError>;
    /// Fills `buf` from `offset`; reading past the end is an error.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), StoreError>;
    /// Writes all of `data` at `offset`, growing the file if needed.
    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), StoreError>;
    /// Cuts (or zero-extends) the file to `len` bytes.
    fn truncate(&mut self, len: u64) -> Result<(), StoreError>;
    /// Makes every earlier write durable.
    fn flush(&mut self) -> Result<(), StoreError>;

    /// Whether the file is empty.
    fn is_empty(&mut self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }
}
// ANCHOR_END: storage

/// An in-memory file: for tests and examples. Clones share the same bytes, so a test can
/// keep one clone, drop the store, and look at (or damage) what it wrote.
///
/// ```
/// use crash_safe_store::{MemFile, Store};
/// let (a, b) = (MemFile::default(), MemFile::default());
/// let mut store = Store::open(a.clone(), b.clone())?;
/// store.put(b"k", b"v")?;
/// store.flush()?;
/// drop(store);
/// let mut again = Store::open(a, b)?;
/// assert_eq!(again.get(b"k")?, Some(b"v".to_vec()));
/// # Ok::<(), crash_safe_store::StoreError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemFile {
    bytes: Rc<RefCell<Vec<u8>>>,
}

impl MemFile {
    /// A file holding `bytes`.
    ///
    /// ```
    /// let file = crash_safe_store::MemFile::from_bytes(vec![1, 2, 3]);
    /// assert_eq!(file.to_bytes(), [1, 2, 3]);
    /// ```
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self {
            bytes: Rc::new(RefCell::new(bytes)),
        }
    }

    /// A copy of the file's bytes.
    ///
    /// ```
    /// assert!(crash_safe_store::MemFile::default().to_bytes().is_empty());
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.borrow().clone()
    }
}

fn usize_at(offset: u64) -> Result<usize, StoreError> {
    usize::try_from(offset).map_err(|_| StoreError::io("memory", "seek", "offset too large"))
}

impl Storage for MemFile {
    fn name(&self) -> &str {
        "memory"
    }

    fn len(&mut self) -> Result<u64, StoreError> {
        Ok(self.bytes.borrow().len() as u64)
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), StoreError> {
        let start = usize_at(offset)?;
        let bytes = self.bytes.borrow();
        let src = bytes
            .get(start..start + buf.len())
            .ok_or_else(|| StoreError::io("memory", "read", "read past the end"))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), StoreError> {
        let start = usize_at(offset)?;
        let mut bytes = self.bytes.borrow_mut();
        if bytes.len() < start + data.len() {
            bytes.resize(start + data.len(), 0);
        }
        bytes[start..start + data.len()].copy_from_slice(data);
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> Result<(), StoreError> {
        let len = usize_at(len)?;
        self.bytes.borrow_mut().resize(len, 0);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}
