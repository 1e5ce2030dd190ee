//! Crash safety, natively: torn writes at every byte, damaged bytes, interrupted
//! compaction.
#![cfg(not(target_arch = "wasm32"))]

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crash_safe_store::{MemFile, Storage, Store, StoreError};
use proptest::prelude::{Just, ProptestConfig, Strategy, prop_assert, prop_assert_eq, prop_oneof};
use proptest::{collection, proptest};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

#[derive(Debug, Clone)]
enum Op {
    Put(u8, Vec<u8>),
    Delete(u8),
    Flush,
    Compact,
}

fn op(compact: bool) -> impl Strategy<Value = Op> {
    let compact_weight = if compact { 1 } else { 0 };
    prop_oneof![
        4 => (0u8..6, collection::vec(proptest::num::u8::ANY, 0..12)).prop_map(|(k, v)| Op::Put(k, v)),
        2 => (0u8..6).prop_map(Op::Delete),
        2 => Just(Op::Flush),
        compact_weight => Just(Op::Compact),
    ]
}

fn key(k: u8) -> Vec<u8> {
    vec![b'k', k]
}

/// Everything in the store, read through its public API.
fn contents<S: Storage>(store: &mut Store<S>) -> Model {
    store.scan(b"").unwrap().into_iter().collect()
}

/// Applies `ops` to `store` and a model; returns, for each completed flush, the file length
/// after it and the model it committed (the first entry is the fresh store).
fn run<S: Storage>(store: &mut Store<S>, ops: &[Op]) -> Vec<(u64, Model)> {
    let mut model = Model::new();
    let mut flushed = vec![(store.stats().file_bytes, Model::new())];
    for op in ops {
        match op {
            Op::Put(k, v) => {
                store.put(&key(*k), v).unwrap();
                model.insert(key(*k), v.clone());
            }
            Op::Delete(k) => {
                let existed = store.delete(&key(*k)).unwrap();
                assert_eq!(existed, model.remove(&key(*k)).is_some());
            }
            Op::Flush => {
                store.flush().unwrap();
                flushed.push((store.stats().file_bytes, model.clone()));
            }
            Op::Compact => {
                store.compact().unwrap();
                flushed.push((store.stats().file_bytes, model.clone()));
            }
        }
        assert_eq!(contents(store), model, "reads see every write at once");
    }
    flushed
}

/// The model committed by the last flush whose bytes all lie below `cut`.
fn committed_at(flushed: &[(u64, Model)], cut: u64) -> Model {
    flushed
        .iter()
        .rev()
        .find(|(len, _)| *len <= cut)
        .map(|(_, model)| model.clone())
        .unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A torn write: the file cut at every byte offset reopens as the last completed flush.
    #[test]
    fn a_file_cut_at_any_byte_reopens_as_of_the_last_completed_flush(
        ops in collection::vec(op(false), 0..40)
    ) {
        let file = MemFile::default();
        let mut store = Store::open(file.clone(), MemFile::default()).unwrap();
        let flushed = run(&mut store, &ops);
        drop(store); // unflushed writes are lost, as in a crash
        let bytes = file.to_bytes();
        for cut in 0..=bytes.len() {
            let torn = MemFile::from_bytes(bytes[..cut].to_vec());
            let mut reopened = Store::open(torn, MemFile::default()).unwrap();
            prop_assert_eq!(contents(&mut reopened), committed_at(&flushed, cut as u64), "cut at {}", cut);
            // The torn tail is gone: the next batch lands after the last commit.
            reopened.put(b"after", b"crash").unwrap();
            reopened.flush().unwrap();
            let [a, b] = reopened.into_files();
            let mut again = Store::open(a, b).unwrap();
            prop_assert_eq!(again.get(b"after").unwrap(), Some(b"crash".to_vec()));
        }
    }

    /// Any changed byte of a committed file is reported as damage, never returned.
    #[test]
    fn a_damaged_byte_anywhere_is_reported(
        ops in collection::vec(op(true), 1..30),
        flip in 1u8..=255,
    ) {
        let (a, b) = (MemFile::default(), MemFile::default());
        let mut store = Store::open(a.clone(), b.clone()).unwrap();
        run(&mut store, &ops);
        store.flush().unwrap();
        let active = store.stats().generation;
        drop(store);
        // After a compaction the current file may be either one; the other is empty.
        let (current, other) = if a.to_bytes().is_empty() { (b, a) } else { (a, b) };
        let bytes = current.to_bytes();
        prop_assert!(other.to_bytes().is_empty());
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= flip;
            let opened = Store::open(MemFile::from_bytes(damaged), MemFile::default());
            match opened {
                Err(StoreError::Corrupt { offset, .. }) => prop_assert!(offset <= at as u64),
                Err(StoreError::NotAStore { .. }) => prop_assert!(at < 30, "only the header says which format"),
                other => prop_assert!(false, "byte {} of generation {} damaged: {:?}", at, active, other.map(|s| s.stats())),
            }
        }
    }

    /// Compaction stopped after any byte written (a crash) leaves the old or the new file
    /// current, and either holds exactly the committed data.
    #[test]
    fn compaction_interrupted_anywhere_leaves_a_complete_file(
        ops in collection::vec(op(true), 0..30)
    ) {
        let (a, b) = (MemFile::default(), MemFile::default());
        let mut store = Store::open(a.clone(), b.clone()).unwrap();
        run(&mut store, &ops);
        store.flush().unwrap();
        let model = contents(&mut store);
        let old_generation = store.stats().generation;
        drop(store);
        let images = (a.to_bytes(), b.to_bytes());

        // How many steps a whole compaction takes.
        let steps = {
            let budget = Rc::new(Cell::new(u64::MAX));
            let mut store = faulty_store(&images, &budget).unwrap();
            store.compact().unwrap();
            u64::MAX - budget.get()
        };
        let mut switched = false;
        for crash_after in 0..=steps {
            let budget = Rc::new(Cell::new(u64::MAX));
            let mut store = faulty_store(&images, &budget).unwrap();
            budget.set(crash_after);
            let finished = store.compact().is_ok();
            let [a, b] = store.into_files();
            let mut reopened = Store::open(a.inner, b.inner).unwrap();
            prop_assert_eq!(contents(&mut reopened), model.clone(), "crash after {} steps", crash_after);
            let generation = reopened.stats().generation;
            prop_assert!(generation == old_generation || generation == old_generation + 1);
            // Once the new file is current it stays current for every later crash point.
            prop_assert!(!switched || generation == old_generation + 1);
            switched = generation == old_generation + 1;
            prop_assert!(!finished || switched);
        }
        prop_assert!(switched);
    }
}

proptest! {
    // Each reopen flushes a real file (fsync): few cases keep the suite fast.
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// The same torn writes through `std::fs`: the cut file written to disk and reopened.
    #[test]
    fn a_cut_file_on_disk_reopens_as_of_the_last_completed_flush(
        ops in collection::vec(op(false), 0..20)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_dir(dir.path(), "full").unwrap();
        let flushed = run(&mut store, &ops);
        drop(store);
        let bytes = std::fs::read(dir.path().join("full-0.kvlog")).unwrap();
        for cut in 0..=bytes.len() {
            std::fs::write(dir.path().join("cut-0.kvlog"), &bytes[..cut]).unwrap();
            std::fs::write(dir.path().join("cut-1.kvlog"), b"").unwrap();
            let mut reopened = Store::open_dir(dir.path(), "cut").unwrap();
            prop_assert_eq!(contents(&mut reopened), committed_at(&flushed, cut as u64), "cut at {}", cut);
        }
    }
}

/// A file that crashes when its budget of steps runs out: each written byte, truncate and
/// flush is a step; a write cut short keeps its first bytes. Reads are free.
struct Faulty {
    inner: MemFile,
    budget: Rc<Cell<u64>>,
}

impl Faulty {
    fn spend(&mut self, steps: u64) -> u64 {
        let granted = self.budget.get().min(steps);
        self.budget.set(self.budget.get() - granted);
        granted
    }
}

fn crash() -> StoreError {
    StoreError::Io {
        file: "faulty".into(),
        op: "write".into(),
        message: "crashed".into(),
    }
}

impl Storage for Faulty {
    fn name(&self) -> &str {
        "faulty"
    }
    fn len(&mut self) -> Result<u64, StoreError> {
        self.inner.len()
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), StoreError> {
        self.inner.read_at(offset, buf)
    }
    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), StoreError> {
        let granted = self.spend(data.len() as u64) as usize;
        self.inner.write_at(offset, &data[..granted])?;
        if granted < data.len() {
            Err(crash())
        } else {
            Ok(())
        }
    }
    fn truncate(&mut self, len: u64) -> Result<(), StoreError> {
        if self.spend(1) == 0 {
            return Err(crash());
        }
        self.inner.truncate(len)
    }
    fn flush(&mut self) -> Result<(), StoreError> {
        if self.spend(1) == 0 {
            return Err(crash());
        }
        Ok(())
    }
}

fn faulty_store(
    images: &(Vec<u8>, Vec<u8>),
    budget: &Rc<Cell<u64>>,
) -> Result<Store<Faulty>, StoreError> {
    let file = |bytes: &Vec<u8>| Faulty {
        inner: MemFile::from_bytes(bytes.clone()),
        budget: budget.clone(),
    };
    Store::open(file(&images.0), file(&images.1))
}

#[test]
fn a_damaged_value_read_after_open_is_an_error_not_data() {
    let file = MemFile::default();
    let mut store = Store::open(file.clone(), MemFile::default()).unwrap();
    store.put(b"k", b"precious").unwrap();
    store.flush().unwrap();
    // Damage the value's last byte under the open store.
    let mut bytes = file.to_bytes();
    let at = bytes.windows(8).position(|w| w == b"precious").unwrap() + 7;
    bytes[at] ^= 1;
    MemFile::clone(&file).write_at(0, &bytes).unwrap();
    let err = store.get(b"k").unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("Restore the store's files from a backup")
    );
}

#[test]
fn a_foreign_file_is_refused_not_overwritten() {
    let foreign = MemFile::from_bytes(b"just some text, not a store".to_vec());
    let err = Store::open(foreign.clone(), MemFile::default()).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Corrupt { offset: 0, .. } | StoreError::NotAStore { .. }
        ),
        "{err:?}"
    );
    assert_eq!(foreign.to_bytes(), b"just some text, not a store");
}

/// A file whose next `fail` flushes fail (the write before them went through).
struct FlushFails {
    inner: MemFile,
    fail: Rc<Cell<u32>>,
}

impl Storage for FlushFails {
    fn name(&self) -> &str {
        "flush-fails"
    }
    fn len(&mut self) -> Result<u64, StoreError> {
        self.inner.len()
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), StoreError> {
        self.inner.read_at(offset, buf)
    }
    fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<(), StoreError> {
        self.inner.write_at(offset, data)
    }
    fn truncate(&mut self, len: u64) -> Result<(), StoreError> {
        self.inner.truncate(len)
    }
    fn flush(&mut self) -> Result<(), StoreError> {
        if self.fail.get() == 0 {
            return Ok(());
        }
        self.fail.set(self.fail.get() - 1);
        Err(crash())
    }
}

#[test]
fn writes_after_a_failed_compaction_are_not_hidden_by_its_file() {
    let fail = Rc::new(Cell::new(0));
    let (a, b) = (MemFile::default(), MemFile::default());
    let file = |m: &MemFile| FlushFails {
        inner: m.clone(),
        fail: fail.clone(),
    };
    let mut store = Store::open(file(&a), file(&b)).unwrap();
    store.put(b"before", b"1").unwrap();
    store.flush().unwrap();
    // The new file is written completely, but its flush reports an error.
    fail.set(1);
    assert!(store.compact().is_err());
    store.put(b"after", b"2").unwrap();
    store.flush().unwrap();
    drop(store);
    let mut reopened = Store::open(a.clone(), b.clone()).unwrap();
    assert_eq!(reopened.get(b"after").unwrap(), Some(b"2".to_vec()));
    assert_eq!(reopened.get(b"before").unwrap(), Some(b"1".to_vec()));
    drop(reopened);

    // When the unfinished file cannot even be cleared, writes stop until a reopen.
    let mut store = Store::open(file(&a), file(&b)).unwrap();
    fail.set(2);
    assert!(store.compact().is_err());
    let err = store.put(b"lost?", b"3").unwrap_err();
    assert!(matches!(err, StoreError::Interrupted { .. }), "{err:?}");
    assert!(err.to_string().contains("open it again"));
    drop(store);
    let mut reopened = Store::open(a, b).unwrap();
    assert_eq!(reopened.get(b"after").unwrap(), Some(b"2".to_vec()));
}
