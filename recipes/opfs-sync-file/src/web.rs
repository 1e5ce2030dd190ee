//! The OPFS backend: a file behind a `FileSystemSyncAccessHandle` (dedicated workers only).

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetFileOptions,
    FileSystemReadWriteOptions, FileSystemSyncAccessHandle, WorkerGlobalScope,
};

use crash_safe_store::{Storage, Store, StoreError};

// ANCHOR: opfs
/// A file in the Origin Private File System, held through a sync access handle: reads,
/// writes, truncation and flush are synchronous calls, no promises. Only opening is async.
///
/// The handle locks the file: while it is open, a second `createSyncAccessHandle` on it
/// (from another worker or tab of the origin) fails, which [`open`](Self::open) reports as
/// [`StoreError::Locked`]. Dropping the `OpfsFile` closes the handle and releases the lock.
///
/// ```no_run
/// # async fn f() -> Result<(), crash_safe_store::StoreError> {
/// use crash_safe_store::Storage;
/// use opfs_sync_file::OpfsFile;
/// let mut file = OpfsFile::open("scratch.bin").await?; // in a dedicated worker
/// file.write_at(0, b"hello")?;
/// file.flush()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct OpfsFile {
    handle: FileSystemSyncAccessHandle,
    name: String,
}
// ANCHOR_END: opfs

// ANCHOR: opfs_open
impl OpfsFile {
    /// Opens (creating if missing) the file `name` at the root of this origin's OPFS.
    ///
    /// Errors: [`StoreError::Unsupported`] outside a dedicated worker,
    /// [`StoreError::Locked`] when another handle holds the file.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), crash_safe_store::StoreError> {
    /// let file = opfs_sync_file::OpfsFile::open("notes-0.kvlog").await?;
    /// # drop(file); Ok(()) }
    /// ```
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let scope: WorkerGlobalScope = js_sys::global()
            .dyn_into()
            .map_err(|_| unsupported("this is the main thread"))?;
        let root = JsFuture::from(scope.navigator().storage().get_directory())
            .await
            .map_err(|e| error(name, "getDirectory", e))?;
        let root: FileSystemDirectoryHandle = root.unchecked_into();
        let options = FileSystemGetFileOptions::new();
        options.set_create(true);
        let file = JsFuture::from(root.get_file_handle_with_options(name, &options))
            .await
            .map_err(|e| error(name, "getFileHandle", e))?;
        let file: FileSystemFileHandle = file.unchecked_into();
        // Shared and service workers have OPFS but no sync access handles.
        let supported = Reflect::has(&file, &"createSyncAccessHandle".into()).unwrap_or(false);
        if !supported {
            return Err(unsupported(
                "FileSystemFileHandle.createSyncAccessHandle does not exist in this worker",
            ));
        }
        let handle = JsFuture::from(file.create_sync_access_handle())
            .await
            .map_err(|e| error(name, "createSyncAccessHandle", e))?;
        Ok(Self {
            handle: handle.unchecked_into(),
            name: name.to_owned(),
        })
    }
}
// ANCHOR_END: opfs_open

/// [`StoreError::Unsupported`], saying where sync access handles exist.
fn unsupported(here: &str) -> StoreError {
    StoreError::Unsupported(format!(
        "{here}, and OPFS sync access handles exist only in dedicated workers: open the store \
         in a dedicated worker (FileSystemSyncAccessHandle is not exposed on the main thread or \
         in shared and service workers)"
    ))
}

/// Maps a rejected OPFS call to a [`StoreError`]: `NoModificationAllowedError` (another
/// handle holds the file) is [`StoreError::Locked`].
fn error(file: &str, op: &str, e: JsValue) -> StoreError {
    if let Some(dom) = e.dyn_ref::<DomException>() {
        if dom.name() == "NoModificationAllowedError" {
            return StoreError::Locked {
                file: file.to_owned(),
            };
        }
        return StoreError::io(file, op, format!("{}: {}", dom.name(), dom.message()));
    }
    let message = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    StoreError::io(file, op, message)
}

fn at(offset: u64) -> FileSystemReadWriteOptions {
    let options = FileSystemReadWriteOptions::new();
    options.set_at(offset as f64);
    options
}

impl Storage for OpfsFile {
    fn name(&self) -> &str {
        &self.name
    }

    fn len(&mut self) -> Result<u64, StoreError> {
        let size = self
            .handle
            .get_size()
            .map_err(|e| error(&self.name, "getSize", e))?;
        Ok(size as u64)
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), StoreError> {
        if buf.is_empty() {
            return Ok(());
        }
        let read = self
            .handle
            .read_with_u8_array_and_options(buf, &at(offset))
            .map_err(|e| error(&self.name, "read", e))?;
        if (read as usize) < buf.len() {
            return Err(StoreError::io(&self.name, "read", "read past the end"));
        }
        Ok(())
    }

    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), StoreError> {
        let written = self
            .handle
            .write_with_u8_array_and_options(data, &at(offset))
            .map_err(|e| error(&self.name, "write", e))?;
        if (written as usize) < data.len() {
            return Err(StoreError::io(
                &self.name,
                "write",
                "short write (is the storage quota exhausted?)",
            ));
        }
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> Result<(), StoreError> {
        self.handle
            .truncate_with_f64(len as f64)
            .map_err(|e| error(&self.name, "truncate", e))
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        self.handle
            .flush()
            .map_err(|e| error(&self.name, "flush", e))
    }
}

impl Drop for OpfsFile {
    fn drop(&mut self) {
        // Releases the file's lock for the next opener.
        self.handle.close();
    }
}

// ANCHOR: open_store
/// Opens (or creates) the [`Store`] `name` in this origin's OPFS: the files
/// `<name>-0.kvlog` and `<name>-1.kvlog`, each held by a sync access handle while the
/// store is open. Dedicated workers only.
///
/// Errors: [`StoreError::Unsupported`] outside a dedicated worker, [`StoreError::Locked`]
/// while another worker or tab holds the store, and whatever [`Store::open`] finds in the
/// files.
///
/// ```no_run
/// # async fn f() -> Result<(), crash_safe_store::StoreError> {
/// let mut store = opfs_sync_file::open_store("notes").await?;
/// store.put(b"note/1", b"buy milk")?;
/// store.flush()?;
/// # Ok(()) }
/// ```
pub async fn open_store(name: &str) -> Result<Store<OpfsFile>, StoreError> {
    let a = OpfsFile::open(&format!("{name}-0.kvlog")).await?;
    let b = OpfsFile::open(&format!("{name}-1.kvlog")).await?;
    Store::open(a, b)
}
// ANCHOR_END: open_store
