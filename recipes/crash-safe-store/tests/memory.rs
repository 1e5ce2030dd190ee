//! The store on in-memory files, with the same code natively and on wasm32 (Node): commit
//! points, a torn tail, a damaged byte, compaction and typed values. The exhaustive versions
//! (every cut, every byte) are the native proptests in `crash.rs`.

use crash_safe_store::{MemFile, Store, StoreError};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// A store on two fresh in-memory files, and clones of the files to reopen it from.
fn fresh() -> (Store<MemFile>, MemFile, MemFile) {
    let (a, b) = (MemFile::default(), MemFile::default());
    let store = Store::open(a.clone(), b.clone()).unwrap();
    (store, a, b)
}

#[test]
fn only_flushed_batches_survive_a_reopen() {
    let (mut store, a, b) = fresh();
    store.put(b"kept", b"1").unwrap();
    store.put(b"gone", b"x").unwrap();
    store.delete(b"gone").unwrap();
    store.flush().unwrap();
    store.put(b"lost", b"2").unwrap(); // staged, never committed
    assert_eq!(
        store.get(b"lost").unwrap(),
        Some(b"2".to_vec()),
        "visible before the crash"
    );
    drop(store);
    let mut store = Store::open(a, b).unwrap();
    assert_eq!(store.get(b"kept").unwrap(), Some(b"1".to_vec()));
    assert_eq!(store.get(b"gone").unwrap(), None);
    assert_eq!(store.get(b"lost").unwrap(), None);
    assert_eq!(store.stats().live_keys, 1);
}

#[test]
fn a_torn_last_batch_is_cut_off_and_the_store_goes_on() {
    let (mut store, a, b) = fresh();
    store.put(b"first", b"1").unwrap();
    store.flush().unwrap();
    let committed = a.to_bytes().len();
    store.put(b"second", b"2").unwrap();
    store.flush().unwrap();
    drop(store);
    // The second batch was being written when the power went: cut it one byte short.
    let full = a.to_bytes();
    let torn = MemFile::from_bytes(full[..full.len() - 1].to_vec());
    let mut store = Store::open(torn.clone(), b).unwrap();
    assert_eq!(store.get(b"first").unwrap(), Some(b"1".to_vec()));
    assert_eq!(store.get(b"second").unwrap(), None);
    // The torn tail is gone from the file, and new writes land after the first batch.
    assert_eq!(torn.to_bytes().len(), committed);
    store.put(b"third", b"3").unwrap();
    store.flush().unwrap();
    assert_eq!(store.get(b"third").unwrap(), Some(b"3".to_vec()));
}

#[test]
fn a_damaged_committed_byte_is_reported_with_its_offset_never_returned() {
    let (mut store, a, _) = fresh();
    store.put(b"key", b"a value worth keeping").unwrap();
    store.flush().unwrap();
    drop(store);
    let mut bytes = a.to_bytes();
    let at = bytes.len() - 12; // inside the put record's body
    bytes[at] ^= 0x40;
    match Store::open(MemFile::from_bytes(bytes), MemFile::default()) {
        Err(StoreError::Corrupt { offset, .. }) => assert!(offset <= at as u64),
        Err(e) => panic!("expected Corrupt, got {e}"),
        Ok(_) => panic!("a damaged file opened as if it were whole"),
    }
}

#[test]
fn compaction_switches_files_by_generation_and_keeps_the_live_values() {
    let (mut store, a, b) = fresh();
    for round in 0..20u8 {
        store.put(b"draft", &[round; 40]).unwrap();
    }
    store.put(b"note", b"keep me").unwrap();
    store.flush().unwrap();
    let before = store.stats();
    store.compact().unwrap();
    let after = store.stats();
    assert_eq!((before.records, after.records), (21, 2));
    assert_eq!(after.generation, before.generation + 1);
    assert!(
        after.file_bytes < before.file_bytes / 5,
        "{before:?} -> {after:?}"
    );
    drop(store);
    // The new file won: the old one was truncated, and both values are there.
    assert!(a.to_bytes().is_empty() || b.to_bytes().is_empty());
    let mut store = Store::open(a, b).unwrap();
    assert_eq!(store.stats().generation, after.generation);
    assert_eq!(store.get(b"draft").unwrap(), Some(vec![19; 40]));
    assert_eq!(store.get(b"note").unwrap(), Some(b"keep me".to_vec()));
}

#[test]
fn typed_values_round_trip_and_a_wrong_type_is_a_codec_error() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Note {
        title: String,
        pinned: bool,
    }
    let (mut store, _, _) = fresh();
    let note = Note {
        title: "buy milk".into(),
        pinned: true,
    };
    store.put_typed(b"note/1", &note).unwrap();
    assert_eq!(store.get_typed::<Note>(b"note/1").unwrap(), Some(note));
    assert_eq!(store.get_typed::<Note>(b"note/2").unwrap(), None);
    let wrong = store.get_typed::<Vec<bool>>(b"note/1"); // the title's bytes are no bools
    assert!(matches!(wrong, Err(StoreError::Codec(_))), "{wrong:?}");
}
