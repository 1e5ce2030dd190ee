//! The request/reply protocol natively: the worker is a std thread serving the store.
#![cfg(not(target_arch = "wasm32"))]

use futures::executor::block_on;
use opfs_kv_worker::{Client, ClientError, Store, StoreError, run_store};
use wasm_rs_shared_channel::spsc;

#[test]
fn requests_are_answered_and_writes_are_durable_when_answered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let (end, mut worker_end) = spsc::duplex(64 * 1024).unwrap();
    let worker =
        std::thread::spawn(move || run_store(Store::open_dir(&path, "p"), &mut worker_end));
    block_on(async {
        let (mut client, stats) = Client::connect(end).await?;
        assert_eq!(stats.live_keys, 0);
        client.put(b"note/1", b"one").await?;
        client.put(b"note/2", b"two").await?;
        client.put(b"other", b"x").await?;
        assert!(client.delete(b"other").await?);
        assert!(!client.delete(b"other").await?);
        assert_eq!(client.get(b"note/1").await?, Some(b"one".to_vec()));
        let notes = client.scan(b"note/").await?;
        assert_eq!(notes.len(), 2);
        let before = client.stats().await?;
        let after = client.compact().await?;
        assert_eq!((before.records, after.records), (4, 2));
        // The store was not closed: only flushed (answered) writes can be relied on, and
        // reading the files from another handle would be locked. Drop to end the loop.
        drop(client);
        Ok::<(), ClientError>(())
    })
    .unwrap();
    assert_eq!(worker.join().unwrap().unwrap(), 10);
    let mut store = Store::open_dir(dir.path(), "p").unwrap();
    assert_eq!(store.get(b"note/2").unwrap(), Some(b"two".to_vec()));
}

#[test]
fn a_second_worker_on_the_same_store_reports_locked() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open_dir(dir.path(), "l").unwrap();
    let path = dir.path().to_owned();
    let (end, mut worker_end) = spsc::duplex(4096).unwrap();
    let worker =
        std::thread::spawn(move || run_store(Store::open_dir(&path, "l"), &mut worker_end));
    let err = block_on(Client::connect(end)).unwrap_err();
    assert!(
        matches!(err, ClientError::Store(StoreError::Locked { .. })),
        "{err:?}"
    );
    assert_eq!(worker.join().unwrap().unwrap(), 0);
}

#[test]
fn a_failed_request_comes_back_as_an_error_and_the_worker_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let (end, mut worker_end) = spsc::duplex(4096).unwrap();
    std::thread::spawn(move || run_store(Store::open_dir(&path, "e"), &mut worker_end));
    block_on(async {
        let (mut client, _) = Client::connect(end).await?;
        let big = vec![0; opfs_kv_worker::MAX_KEY_LEN + 1];
        let err = client.get(b"k").await.map(|_| ());
        assert!(err.is_ok());
        // Too large for the 4 KiB channel: refused before it is sent.
        assert!(matches!(
            client.put(&big, b"v").await,
            Err(ClientError::Channel(_))
        ));
        // A reply too large for the channel comes back as an error value.
        for i in 0..3u8 {
            client.put(&[b'v', i], &[i; 1500]).await?;
        }
        let err = client.scan(b"v").await.unwrap_err();
        assert!(
            matches!(err, ClientError::Store(StoreError::TooLarge { .. })),
            "{err:?}"
        );
        assert_eq!(client.get(&[b'v', 2]).await?, Some(vec![2; 1500]));
        Ok::<(), ClientError>(())
    })
    .unwrap();
}
