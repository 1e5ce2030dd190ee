//! The OPFS backend, in a dedicated worker of Chromium and Firefox (where sync access handles
//! exist): reopen, locking, compaction and a torn tail, on real OPFS files.
#![cfg(target_arch = "wasm32")]

use crash_safe_store::{Storage, StoreError};
use opfs_sync_file::{OpfsFile, open_store};
use wasm_bindgen_test::wasm_bindgen_test;

/// A store name no other test (or earlier run in the same profile) uses.
fn unique(name: &str) -> String {
    format!("{name}-{}", js_sys::Math::random().to_bits())
}

#[wasm_bindgen_test]
async fn flushed_data_is_there_after_close_and_reopen() {
    let name = unique("reopen");
    let mut store = open_store(&name).await.unwrap();
    store.put(b"note/1", b"milk").unwrap();
    store.put(b"note/2", b"eggs").unwrap();
    store.delete(b"note/1").unwrap();
    store.flush().unwrap();
    store.put(b"note/3", b"never flushed").unwrap();
    drop(store); // closes both handles; the unflushed put is gone
    let mut store = open_store(&name).await.unwrap();
    assert_eq!(store.get(b"note/1").unwrap(), None);
    assert_eq!(store.get(b"note/2").unwrap(), Some(b"eggs".to_vec()));
    assert_eq!(store.get(b"note/3").unwrap(), None);
    assert_eq!(store.stats().live_keys, 1);
}

#[wasm_bindgen_test]
async fn a_second_sync_handle_on_the_same_store_is_a_locked_error() {
    let name = unique("locked");
    let first = open_store(&name).await.unwrap();
    let err = open_store(&name).await.unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("open it again"), "{err}");
    drop(first);
    // Closing the handles releases the lock.
    open_store(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn compaction_on_opfs_switches_files_and_survives_a_reopen() {
    let name = unique("compact");
    let mut store = open_store(&name).await.unwrap();
    for round in 0..10u8 {
        for k in 0..20u8 {
            store.put(&[k], &[round; 100]).unwrap();
        }
        store.flush().unwrap();
    }
    let before = store.stats();
    store.compact().unwrap();
    let after = store.stats();
    assert_eq!((before.records, after.records), (200, 20));
    assert!(
        after.file_bytes * 5 < before.file_bytes,
        "{before:?} -> {after:?}"
    );
    drop(store);
    let mut store = open_store(&name).await.unwrap();
    assert_eq!(store.stats(), after);
    assert_eq!(store.get(&[7]).unwrap(), Some(vec![9; 100]));
    // The old file was truncated once the new one was complete.
    drop(store);
    let mut zero = OpfsFile::open(&format!("{name}-0.kvlog")).await.unwrap();
    let mut one = OpfsFile::open(&format!("{name}-1.kvlog")).await.unwrap();
    assert_eq!(zero.len().unwrap(), 0);
    assert_eq!(one.len().unwrap(), after.file_bytes);
}

#[wasm_bindgen_test]
async fn the_opfs_file_reads_back_what_it_wrote() {
    let mut file = OpfsFile::open(&unique("raw")).await.unwrap();
    file.write_at(0, b"hello, world").unwrap();
    file.write_at(7, b"OPFS!").unwrap();
    file.flush().unwrap();
    let mut buf = [0; 12];
    file.read_at(0, &mut buf).unwrap();
    assert_eq!(&buf, b"hello, OPFS!");
    assert!(
        file.read_at(10, &mut buf).is_err(),
        "reading past the end is an error"
    );
    file.truncate(5).unwrap();
    assert_eq!(file.len().unwrap(), 5);
}

#[wasm_bindgen_test]
async fn a_torn_tail_on_opfs_is_cut_off_on_open() {
    let name = unique("torn");
    let mut store = open_store(&name).await.unwrap();
    store.put(b"a", b"committed").unwrap();
    store.flush().unwrap();
    let committed = store.stats().file_bytes;
    drop(store);
    // Half a record after the last commit, as a crash in the middle of a write leaves it.
    let mut file = OpfsFile::open(&format!("{name}-0.kvlog")).await.unwrap();
    file.write_at(committed, &[9, 0, 0, 0, 1]).unwrap();
    file.flush().unwrap();
    drop(file);
    let mut store = open_store(&name).await.unwrap();
    assert_eq!(store.get(b"a").unwrap(), Some(b"committed".to_vec()));
    assert_eq!(store.stats().file_bytes, committed);
}
