//! The log-structured store: the index, commit points and compaction.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::record::{self, Read, Record};
use crate::{Storage, StoreError};

/// The largest key, in bytes; a longer one is [`StoreError::TooLarge`].
///
/// ```
/// use crash_safe_store::{MAX_KEY_LEN, MemFile, Store, StoreError};
/// let mut store = Store::open(MemFile::default(), MemFile::default())?;
/// let err = store.put(&vec![0; MAX_KEY_LEN + 1], b"v").unwrap_err();
/// assert!(matches!(err, StoreError::TooLarge { .. }));
/// # Ok::<(), StoreError>(())
/// ```
pub const MAX_KEY_LEN: usize = 64 * 1024;
/// The largest value, in bytes; a longer one is [`StoreError::TooLarge`].
///
/// ```
/// use crash_safe_store::{MAX_VALUE_LEN, MemFile, Store, StoreError};
/// let mut store = Store::open(MemFile::default(), MemFile::default())?;
/// assert!(store.put(b"k", &vec![0; MAX_VALUE_LEN + 1]).is_err());
/// # Ok::<(), StoreError>(())
/// ```
pub const MAX_VALUE_LEN: usize = 16 * 1024 * 1024;

/// Key-value pairs in key order, as [`Store::scan`] returns them.
///
/// ```
/// let entries: crash_safe_store::Entries = vec![(b"k".to_vec(), b"v".to_vec())];
/// # drop(entries);
/// ```
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Where a live value's put record is: in the file (below `durable_len`) or in `pending`.
#[derive(Debug, Clone, Copy)]
struct Location {
    offset: u64,
    len: usize,
}

/// Sizes of a store, for monitoring and to decide when to compact.
///
/// ```
/// use crash_safe_store::{MemFile, Store};
/// let mut store = Store::open(MemFile::default(), MemFile::default())?;
/// store.put(b"a", b"1")?;
/// store.put(b"a", b"2")?;
/// let stats = store.stats();
/// assert_eq!((stats.records, stats.live_keys), (2, 1));
/// # Ok::<(), crash_safe_store::StoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    /// Bumped by every compaction; the file with the higher generation is the current one.
    pub generation: u64,
    /// Bytes in the current file, including records not flushed yet.
    pub file_bytes: u64,
    /// Put and delete records in the current file (live or overwritten).
    pub records: u64,
    /// Keys that have a value.
    pub live_keys: u64,
}

/// What one file holds, as far as its last complete commit.
enum Scanned {
    /// No committed header: empty, or a compaction that never finished.
    Unusable,
    /// A usable file.
    Valid {
        generation: u64,
        committed_len: u64,
        index: BTreeMap<Vec<u8>, Location>,
        records: u64,
    },
}

// ANCHOR: store
/// A durable key-value store: an append-only log of checksummed records in one of two
/// files, with an in-memory index from key to record.
///
/// - Writes ([`put`](Self::put), [`delete`](Self::delete)) are visible to reads at once and
///   staged in memory; [`flush`](Self::flush) appends them with a commit record and makes
///   the file durable. After a crash, [`open`](Self::open) sees exactly the batches whose
///   commit record reached the file.
/// - [`compact`](Self::compact) writes the live entries to the other file and switches to
///   it only once it is complete and flushed.
///
/// ```
/// use crash_safe_store::{MemFile, Store};
/// let mut store = Store::open(MemFile::default(), MemFile::default())?;
/// store.put(b"user/1", b"ada")?;
/// store.put(b"user/2", b"grace")?;
/// store.delete(b"user/1")?;
/// store.flush()?; // a commit point: everything above is durable
/// assert_eq!(store.get(b"user/2")?, Some(b"grace".to_vec()));
/// assert_eq!(store.scan(b"user/")?.len(), 1);
/// # Ok::<(), crash_safe_store::StoreError>(())
/// ```
#[derive(Debug)]
pub struct Store<S> {
    files: [S; 2],
    active: usize,
    generation: u64,
    /// Committed bytes of the active file; new batches are written here.
    durable_len: u64,
    /// Records staged since the last flush (no commit record yet).
    pending: Vec<u8>,
    index: BTreeMap<Vec<u8>, Location>,
    records: u64,
    /// Set when a failed compaction left a file that could not be cleared.
    interrupted: Option<String>,
}

impl<S: Storage> Store<S> {
    /// Opens the store kept in the two files `a` and `b` (creating it when both are empty)
    /// and rebuilds the index from the current one.
    ///
    /// The current file is the one with the higher generation among those that hold a
    /// complete commit; a torn tail after its last commit is cut off. A damaged record
    /// before that is an error ([`StoreError::Corrupt`]), never skipped.
    ///
    /// ```
    /// use crash_safe_store::{MemFile, Store};
    /// let store = Store::open(MemFile::default(), MemFile::default())?;
    /// assert_eq!(store.stats().generation, 1);
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn open(mut a: S, mut b: S) -> Result<Self, StoreError> {
        let scanned = [scan(&mut a)?, scan(&mut b)?];
        let pick = match (&scanned[0], &scanned[1]) {
            (Scanned::Unusable, Scanned::Unusable) => None,
            (Scanned::Valid { .. }, Scanned::Unusable) => Some(0),
            (Scanned::Unusable, Scanned::Valid { .. }) => Some(1),
            (Scanned::Valid { generation: ga, .. }, Scanned::Valid { generation: gb, .. }) => {
                Some(if gb > ga { 1 } else { 0 })
            }
        };
        let files = [a, b];
        let Some(active) = pick else {
            return Self::create(files);
        };
        let [s0, s1] = scanned;
        let Scanned::Valid {
            generation,
            committed_len,
            index,
            records,
        } = (if active == 0 { s0 } else { s1 })
        else {
            unreachable!("the picked file is valid");
        };
        let mut store = Self {
            files,
            active,
            generation,
            durable_len: committed_len,
            pending: Vec::new(),
            index,
            records,
            interrupted: None,
        };
        // Cut off a torn tail (an uncommitted batch) so the file ends at a commit.
        let file = &mut store.files[active];
        if file.len()? != committed_len {
            file.truncate(committed_len)?;
            file.flush()?;
        }
        Ok(store)
    }

    /// Starts an empty store in file 0: a header and a commit, flushed.
    fn create(mut files: [S; 2]) -> Result<Self, StoreError> {
        let mut buf = Vec::new();
        record::header(&mut buf, 1);
        record::commit(&mut buf);
        let file = &mut files[0];
        file.truncate(0)?;
        file.write_at(0, &buf)?;
        file.flush()?;
        Ok(Self {
            files,
            active: 0,
            generation: 1,
            durable_len: buf.len() as u64,
            pending: Vec::new(),
            index: BTreeMap::new(),
            records: 0,
            interrupted: None,
        })
    }

    /// Stores `value` under `key` (visible at once; durable after the next
    /// [`flush`](Self::flush)).
    ///
    /// ```
    /// # let mut store = crash_safe_store::Store::open(crash_safe_store::MemFile::default(), crash_safe_store::MemFile::default())?;
    /// store.put(b"colour", b"teal")?;
    /// assert_eq!(store.get(b"colour")?, Some(b"teal".to_vec()));
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.check_writable()?;
        check_len("key", key.len(), MAX_KEY_LEN)?;
        check_len("value", value.len(), MAX_VALUE_LEN)?;
        let (at, len) = record::put(&mut self.pending, key, value);
        let offset = self.durable_len + at as u64;
        self.index.insert(key.to_vec(), Location { offset, len });
        self.records += 1;
        Ok(())
    }

    /// Removes `key`; returns whether it had a value.
    ///
    /// ```
    /// # let mut store = crash_safe_store::Store::open(crash_safe_store::MemFile::default(), crash_safe_store::MemFile::default())?;
    /// store.put(b"k", b"v")?;
    /// assert!(store.delete(b"k")?);
    /// assert!(!store.delete(b"k")?);
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn delete(&mut self, key: &[u8]) -> Result<bool, StoreError> {
        self.check_writable()?;
        if self.index.remove(key).is_none() {
            return Ok(false);
        }
        record::delete(&mut self.pending, key);
        self.records += 1;
        Ok(true)
    }

    /// The value stored under `key`. Its record's checksum is checked on every read.
    ///
    /// ```
    /// # let mut store = crash_safe_store::Store::open(crash_safe_store::MemFile::default(), crash_safe_store::MemFile::default())?;
    /// assert_eq!(store.get(b"missing")?, None);
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.index.get(key).copied() {
            None => Ok(None),
            Some(location) => self.read_value(location).map(Some),
        }
    }

    /// Every key starting with `prefix`, in key order, with its value.
    ///
    /// ```
    /// # let mut store = crash_safe_store::Store::open(crash_safe_store::MemFile::default(), crash_safe_store::MemFile::default())?;
    /// store.put(b"note/2", b"b")?;
    /// store.put(b"note/1", b"a")?;
    /// store.put(b"other", b"c")?;
    /// let notes = store.scan(b"note/")?;
    /// assert_eq!(notes, vec![(b"note/1".to_vec(), b"a".to_vec()), (b"note/2".to_vec(), b"b".to_vec())]);
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn scan(&mut self, prefix: &[u8]) -> Result<Entries, StoreError> {
        let found: Vec<(Vec<u8>, Location)> = self
            .index
            .range(prefix.to_vec()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, location)| (key.clone(), *location))
            .collect();
        found
            .into_iter()
            .map(|(key, location)| Ok((key, self.read_value(location)?)))
            .collect()
    }

    // ANCHOR: flush
    /// A commit point: appends the staged records and a commit record to the file and
    /// flushes it. When it returns `Ok`, everything written before it survives a crash.
    /// Nothing staged is a no-op.
    ///
    /// ```
    /// # let mut store = crash_safe_store::Store::open(crash_safe_store::MemFile::default(), crash_safe_store::MemFile::default())?;
    /// store.put(b"k", b"v")?;
    /// store.flush()?;
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn flush(&mut self) -> Result<(), StoreError> {
        self.check_writable()?;
        if self.pending.is_empty() {
            return Ok(());
        }
        let staged = self.pending.len();
        record::commit(&mut self.pending);
        let file = &mut self.files[self.active];
        let written = file
            .write_at(self.durable_len, &self.pending)
            .and_then(|()| file.flush());
        if let Err(e) = written {
            // Keep the batch staged: the next flush writes it again at the same offset.
            self.pending.truncate(staged);
            return Err(e);
        }
        self.durable_len += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    // ANCHOR_END: flush

    /// Flushes and closes the store.
    ///
    /// ```
    /// # let store = crash_safe_store::Store::open(crash_safe_store::MemFile::default(), crash_safe_store::MemFile::default())?;
    /// store.close()?;
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn close(mut self) -> Result<(), StoreError> {
        self.flush()
    }

    // ANCHOR: compact
    /// Rewrites the live entries into the other file, then switches to it.
    ///
    /// The new file gets the next generation and ends with a commit record; it counts only
    /// once that commit is flushed. A crash at any point leaves either the old file (the
    /// new one has no commit yet) or the new one current, both complete. Afterwards the
    /// old file is truncated to free its space. Flushes first.
    ///
    /// ```
    /// use crash_safe_store::{MemFile, Store};
    /// let mut store = Store::open(MemFile::default(), MemFile::default())?;
    /// for i in 0..10u8 {
    ///     store.put(b"counter", &[i])?;
    /// }
    /// store.compact()?;
    /// assert_eq!(store.stats().records, 1);
    /// assert_eq!(store.get(b"counter")?, Some(vec![9]));
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn compact(&mut self) -> Result<(), StoreError> {
        self.flush()?;
        let generation = self.generation + 1;
        let mut buf = Vec::new();
        record::header(&mut buf, generation);
        let live: Vec<(Vec<u8>, Location)> = self
            .index
            .iter()
            .map(|(key, location)| (key.clone(), *location))
            .collect();
        let mut index = BTreeMap::new();
        for (key, location) in live {
            let value = self.read_value(location)?;
            let (at, len) = record::put(&mut buf, &key, &value);
            let location = Location {
                offset: at as u64,
                len,
            };
            index.insert(key, location);
        }
        record::commit(&mut buf);
        // ANCHOR_END: compact
        // ANCHOR: compact_switch
        let target = 1 - self.active;
        let file = &mut self.files[target];
        let written = file
            .truncate(0)
            .and_then(|()| file.write_at(0, &buf))
            .and_then(|()| file.flush());
        if let Err(e) = written {
            // The new file may be complete on disk even though the flush failed: it would
            // win the next open and hide the batches written after this. Clear it, or stop
            // writing until the store is reopened.
            let cleared = file.truncate(0).and_then(|()| file.flush());
            if cleared.is_err() {
                self.interrupted = Some(file.name().to_owned());
            }
            return Err(e);
        }
        // The new file is complete and durable: it is the current one from here on.
        let old = std::mem::replace(&mut self.active, target);
        self.generation = generation;
        self.durable_len = buf.len() as u64;
        self.records = index.len() as u64;
        self.index = index;
        let old = &mut self.files[old];
        old.truncate(0)?;
        old.flush()
    }

    // ANCHOR_END: compact_switch

    /// The store's sizes.
    ///
    /// ```
    /// # let store = crash_safe_store::Store::open(crash_safe_store::MemFile::default(), crash_safe_store::MemFile::default())?;
    /// assert_eq!(store.stats().live_keys, 0);
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn stats(&self) -> Stats {
        Stats {
            generation: self.generation,
            file_bytes: self.durable_len + self.pending.len() as u64,
            records: self.records,
            live_keys: self.index.len() as u64,
        }
    }

    /// Gives the two files back (unflushed records are dropped).
    ///
    /// ```
    /// use crash_safe_store::{MemFile, Store};
    /// let store = Store::open(MemFile::default(), MemFile::default())?;
    /// let [a, _b] = store.into_files();
    /// assert!(!a.to_bytes().is_empty());
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn into_files(self) -> [S; 2] {
        self.files
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        match &self.interrupted {
            None => Ok(()),
            Some(file) => Err(StoreError::Interrupted { file: file.clone() }),
        }
    }

    fn read_value(&mut self, location: Location) -> Result<Vec<u8>, StoreError> {
        let mut bytes = vec![0; location.len];
        let file = &mut self.files[self.active];
        if location.offset >= self.durable_len {
            let at = (location.offset - self.durable_len) as usize;
            bytes.copy_from_slice(&self.pending[at..at + location.len]);
        } else {
            file.read_at(location.offset, &mut bytes)?;
        }
        let damaged = |reason: &str| StoreError::Corrupt {
            file: file.name().to_owned(),
            offset: location.offset,
            reason: reason.to_owned(),
        };
        match record::read(&bytes, 0) {
            Read::Record {
                record: Record::Put { value, .. },
                ..
            } => Ok(value.to_vec()),
            Read::Damaged(reason) => Err(damaged(reason)),
            _ => Err(damaged("the index points at a record that is not a put")),
        }
    }
}
// ANCHOR_END: store

// ANCHOR: typed
impl<S: Storage> Store<S> {
    /// Stores a serde value under `key`, encoded with postcard.
    ///
    /// ```
    /// use crash_safe_store::{MemFile, Store};
    /// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    /// struct Note { title: String, pinned: bool }
    ///
    /// let mut store = Store::open(MemFile::default(), MemFile::default())?;
    /// let note = Note { title: "milk".into(), pinned: true };
    /// store.put_typed(b"note/1", &note)?;
    /// assert_eq!(store.get_typed::<Note>(b"note/1")?, Some(note));
    /// # Ok::<(), crash_safe_store::StoreError>(())
    /// ```
    pub fn put_typed<T: Serialize + ?Sized>(
        &mut self,
        key: &[u8],
        value: &T,
    ) -> Result<(), StoreError> {
        let bytes = postcard::to_allocvec(value).map_err(|e| StoreError::Codec(e.to_string()))?;
        self.put(key, &bytes)
    }

    /// Reads the value under `key` as a `T` written by [`put_typed`](Self::put_typed).
    ///
    /// ```
    /// use crash_safe_store::{MemFile, Store, StoreError};
    /// let mut store = Store::open(MemFile::default(), MemFile::default())?;
    /// store.put(b"n", &[])?;
    /// assert!(matches!(store.get_typed::<u64>(b"n"), Err(StoreError::Codec(_))));
    /// # Ok::<(), StoreError>(())
    /// ```
    pub fn get_typed<T: DeserializeOwned>(&mut self, key: &[u8]) -> Result<Option<T>, StoreError> {
        match self.get(key)? {
            None => Ok(None),
            Some(bytes) => postcard::from_bytes(&bytes)
                .map(Some)
                .map_err(|e| StoreError::Codec(e.to_string())),
        }
    }
}
// ANCHOR_END: typed

fn check_len(what: &str, len: usize, max: usize) -> Result<(), StoreError> {
    if len > max {
        return Err(StoreError::TooLarge {
            what: what.to_owned(),
            len: len as u64,
            max: max as u64,
        });
    }
    Ok(())
}

// ANCHOR: scan
/// Reads a whole file and replays it up to its last commit.
fn scan<S: Storage>(file: &mut S) -> Result<Scanned, StoreError> {
    let len = file.len()?;
    let len = usize::try_from(len).map_err(|_| StoreError::io(file.name(), "read", "too large"))?;
    let mut bytes = vec![0; len];
    file.read_at(0, &mut bytes)?;
    let damaged = |offset: usize, reason: &str| StoreError::Corrupt {
        file: file.name().to_owned(),
        offset: offset as u64,
        reason: reason.to_owned(),
    };
    let mut generation = None;
    let mut committed = None;
    let mut index = BTreeMap::new();
    let mut records = 0;
    // Records since the last commit: applied only when the commit record is read.
    let mut staged: Vec<(Vec<u8>, Option<Location>)> = Vec::new();
    let mut offset = 0;
    // ANCHOR_END: scan
    // ANCHOR: scan_loop
    loop {
        let (record, record_len) = match record::read(&bytes, offset) {
            Read::End | Read::Torn => break,
            Read::Damaged(reason) => return Err(damaged(offset, reason)),
            Read::Record { record, len } => (record, len),
        };
        match (record, generation) {
            (
                Record::Header {
                    magic_ok: false, ..
                },
                _,
            ) => {
                return Err(StoreError::NotAStore {
                    file: file.name().to_owned(),
                });
            }
            (Record::Header { generation: g, .. }, None) if offset == 0 => generation = Some(g),
            (_, None) => {
                return Err(StoreError::NotAStore {
                    file: file.name().to_owned(),
                });
            }
            (Record::Header { .. }, Some(_)) => {
                return Err(damaged(offset, "a second header in the middle of the file"));
            }
            (Record::Put { key, .. }, Some(_)) => {
                let location = Location {
                    offset: offset as u64,
                    len: record_len,
                };
                staged.push((key.to_vec(), Some(location)));
            }
            (Record::Delete { key }, Some(_)) => staged.push((key.to_vec(), None)),
            (Record::Commit, Some(_)) => {
                for (key, location) in staged.drain(..) {
                    records += 1;
                    match location {
                        Some(location) => index.insert(key, location),
                        None => index.remove(&key),
                    };
                }
                committed = Some(offset + record_len);
            }
        }
        offset += record_len;
    }
    Ok(match (generation, committed) {
        (Some(generation), Some(committed_len)) => Scanned::Valid {
            generation,
            committed_len: committed_len as u64,
            index,
            records,
        },
        _ => Scanned::Unusable,
    })
}
// ANCHOR_END: scan_loop
