//! The native backend: a `std::fs::File`, locked against a second opener.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::{Storage, Store, StoreError};

/// A store file on the native file system. Opening takes an exclusive lock
/// (`File::try_lock`), so a second opener gets [`StoreError::Locked`], as with OPFS.
///
/// ```
/// use crash_safe_store::{FsFile, StoreError};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("data.kvlog");
/// let first = FsFile::open(&path)?;
/// assert!(matches!(FsFile::open(&path), Err(StoreError::Locked { .. })));
/// drop(first);
/// FsFile::open(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FsFile {
    file: File,
    name: String,
}

impl FsFile {
    /// Opens (creating if missing) the file at `path` for reading and writing, and locks it.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let file = crash_safe_store::FsFile::open(dir.path().join("x.kvlog"))?;
    /// # drop(file);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| StoreError::io(&name, "open", e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { file, name }),
            Err(TryLockError::WouldBlock) => Err(StoreError::Locked { file: name }),
            Err(TryLockError::Error(e)) => Err(StoreError::io(&name, "lock", e)),
        }
    }
}

impl Storage for FsFile {
    fn name(&self) -> &str {
        &self.name
    }

    fn len(&mut self) -> Result<u64, StoreError> {
        let meta = self
            .file
            .metadata()
            .map_err(|e| StoreError::io(&self.name, "stat", e))?;
        Ok(meta.len())
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), StoreError> {
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.read_exact(buf))
            .map_err(|e| StoreError::io(&self.name, "read", e))
    }

    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), StoreError> {
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.write_all(data))
            .map_err(|e| StoreError::io(&self.name, "write", e))
    }

    fn truncate(&mut self, len: u64) -> Result<(), StoreError> {
        self.file
            .set_len(len)
            .map_err(|e| StoreError::io(&self.name, "truncate", e))
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        self.file
            .sync_data()
            .map_err(|e| StoreError::io(&self.name, "flush", e))
    }
}

impl Store<FsFile> {
    /// Opens (or creates) the store `name` in the directory `dir`: the files
    /// `<name>-0.kvlog` and `<name>-1.kvlog`, both locked while the store is open.
    ///
    /// ```
    /// use crash_safe_store::Store;
    /// let dir = tempfile::tempdir()?;
    /// let mut store = Store::open_dir(dir.path(), "notes")?;
    /// store.put(b"k", b"v")?;
    /// store.close()?;
    /// assert_eq!(Store::open_dir(dir.path(), "notes")?.get(b"k")?, Some(b"v".to_vec()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_dir(dir: impl AsRef<std::path::Path>, name: &str) -> Result<Self, StoreError> {
        let dir = dir.as_ref();
        let a = FsFile::open(dir.join(format!("{name}-0.kvlog")))?;
        let b = FsFile::open(dir.join(format!("{name}-1.kvlog")))?;
        Store::open(a, b)
    }
}
