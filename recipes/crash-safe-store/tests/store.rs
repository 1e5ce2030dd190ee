//! The store's behaviour on std::fs: reopen, locking, typed values, compaction sizes.
#![cfg(not(target_arch = "wasm32"))]

use crash_safe_store::{MAX_KEY_LEN, Store, StoreError};

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Note {
    title: String,
    body: String,
    pinned: bool,
}

#[test]
fn flushed_data_survives_a_reopen_and_unflushed_data_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path(), "s").unwrap();
    store.put(b"kept", b"1").unwrap();
    store.delete(b"kept-not").unwrap();
    store.flush().unwrap();
    store.put(b"lost", b"2").unwrap();
    drop(store); // no flush: a crash
    let mut store = Store::open_dir(dir.path(), "s").unwrap();
    assert_eq!(store.get(b"kept").unwrap(), Some(b"1".to_vec()));
    assert_eq!(store.get(b"lost").unwrap(), None);
}

#[test]
fn a_second_opener_gets_a_locked_error() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open_dir(dir.path(), "s").unwrap();
    let err = Store::open_dir(dir.path(), "s").unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("open it again"));
    drop(first);
    Store::open_dir(dir.path(), "s").unwrap();
}

#[test]
fn typed_values_round_trip_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let note = Note {
        title: "shopping".into(),
        body: "milk, eggs".into(),
        pinned: true,
    };
    let mut store = Store::open_dir(dir.path(), "t").unwrap();
    store.put_typed(b"note/1", &note).unwrap();
    store.close().unwrap();
    let mut store = Store::open_dir(dir.path(), "t").unwrap();
    assert_eq!(store.get_typed::<Note>(b"note/1").unwrap(), Some(note));
    assert!(matches!(store.get_typed::<Note>(b"nothing"), Ok(None)));
}

#[test]
fn compaction_shrinks_the_file_and_keeps_every_live_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path(), "c").unwrap();
    for round in 0..20u8 {
        for k in 0..10u8 {
            store.put(&[k], &[round; 50]).unwrap();
        }
        store.flush().unwrap();
    }
    store.delete(&[0]).unwrap();
    let before = store.stats();
    assert_eq!((before.records, before.live_keys), (201, 9));
    store.compact().unwrap();
    let after = store.stats();
    assert_eq!((after.records, after.live_keys), (9, 9));
    assert_eq!(after.generation, before.generation + 1);
    assert!(
        after.file_bytes * 10 < before.file_bytes,
        "{before:?} -> {after:?}"
    );
    drop(store);
    let mut store = Store::open_dir(dir.path(), "c").unwrap();
    assert_eq!(store.stats(), after);
    assert_eq!(store.get(&[0]).unwrap(), None);
    for k in 1..10u8 {
        assert_eq!(store.get(&[k]).unwrap(), Some(vec![19; 50]));
    }
}

#[test]
fn oversized_keys_are_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path(), "big").unwrap();
    let err = store.put(&vec![0; MAX_KEY_LEN + 1], b"v").unwrap_err();
    assert!(matches!(err, StoreError::TooLarge { .. }));
    assert!(err.to_string().contains("split it"));
}
