//! The store served by a worker, used from the browser's main thread or from another
//! worker (Chromium and Firefox). The workers run this same test module; their entry point
//! is the library's export.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Promise, Reflect};
use opfs_kv_worker::{ClientError, KvWorker, StoreError};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_worker::glue_url;

fn unique(name: &str) -> String {
    format!("{name}-{}", js_sys::Math::random().to_bits())
}

async fn pause(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout: Function = Reflect::get(&global, &"setTimeout".into())
            .unwrap()
            .unchecked_into();
        set_timeout.call2(&global, &resolve, &ms.into()).unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

async fn open(name: &str) -> Result<KvWorker, ClientError> {
    KvWorker::open(&glue_url().unwrap(), name)
        .await
        .map(|(worker, _)| worker)
}

/// Opens `name`, retrying while the lock of a terminated worker has not been released
/// yet (the browser tears the worker down asynchronously). Returns the store and how many
/// attempts were locked.
async fn open_after_terminate(name: &str) -> (KvWorker, u32) {
    for locked in 0..200 {
        match open(name).await {
            Ok(worker) => return (worker, locked),
            Err(ClientError::Store(StoreError::Locked { .. })) => pause(50).await,
            Err(e) => panic!("reopening failed: {e}"),
        }
    }
    panic!("the store stayed locked for 10 s after its worker was terminated");
}

#[wasm_bindgen_test]
async fn requests_are_served_by_the_store_worker() {
    let mut worker = open(&unique("serve")).await.unwrap();
    let client = worker.client();
    client.put(b"note/1", b"milk").await.unwrap();
    client.put(b"note/2", b"eggs").await.unwrap();
    client.put(b"todo/1", b"call").await.unwrap();
    assert_eq!(client.get(b"note/2").await.unwrap(), Some(b"eggs".to_vec()));
    assert!(client.delete(b"note/2").await.unwrap());
    assert_eq!(client.get(b"note/2").await.unwrap(), None);
    let notes = client.scan(b"note/").await.unwrap();
    assert_eq!(notes, vec![(b"note/1".to_vec(), b"milk".to_vec())]);
    let before = client.stats().await.unwrap();
    let after = client.compact().await.unwrap();
    assert_eq!((before.records, after.records), (4, 2));
    assert!(after.file_bytes < before.file_bytes);
    assert_eq!(worker.close().await.unwrap(), 10);
}

#[wasm_bindgen_test]
async fn everything_flushed_is_there_after_the_worker_is_terminated() {
    let name = unique("terminated");
    let mut worker = open(&name).await.unwrap();
    for i in 0..100u32 {
        let key = format!("k{i:03}");
        worker
            .client()
            .put(key.as_bytes(), &i.to_le_bytes())
            .await
            .unwrap();
    }
    worker.client().delete(b"k050").await.unwrap();
    worker.terminate(); // no close: as a crash or a closed tab

    let (mut worker, locked) = open_after_terminate(&name).await;
    wasm_bindgen_test::console_log!("reopened after {locked} locked attempt(s), 50 ms apart");
    let all = worker.client().scan(b"k").await.unwrap();
    assert_eq!(all.len(), 99);
    assert_eq!(
        worker.client().get(b"k099").await.unwrap(),
        Some(99u32.to_le_bytes().to_vec())
    );
    assert_eq!(worker.client().get(b"k050").await.unwrap(), None);
    worker.close().await.unwrap();
}

#[wasm_bindgen_test]
async fn a_second_worker_on_the_same_store_gets_a_locked_error() {
    let name = unique("two-workers");
    let mut first = open(&name).await.unwrap();
    first.client().put(b"owner", b"first").await.unwrap();
    let err = open(&name).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Store(StoreError::Locked { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("locked"), "{err}");
    // The first worker is unaffected, and once it closes the store the next one opens it.
    assert_eq!(
        first.client().get(b"owner").await.unwrap(),
        Some(b"first".to_vec())
    );
    first.close().await.unwrap();
    let mut second = open(&name).await.unwrap();
    assert_eq!(
        second.client().get(b"owner").await.unwrap(),
        Some(b"first".to_vec())
    );
    second.close().await.unwrap();
}

#[wasm_bindgen_test]
async fn sync_handles_open_in_a_worker_and_the_main_thread_is_told_to_use_one() {
    let on_main_thread = js_sys::global().has_type::<web_sys::Window>();
    match opfs_sync_file::open_store(&unique("context")).await {
        Err(StoreError::Unsupported(why)) => {
            assert!(on_main_thread, "a dedicated worker has sync handles: {why}");
            let err = StoreError::Unsupported(why);
            assert!(err.to_string().contains("dedicated worker"));
        }
        Ok(_) => assert!(
            !on_main_thread,
            "the main thread has no sync access handles"
        ),
        Err(e) => panic!("unexpected error: {e}"),
    }
}

#[wasm_bindgen_test]
async fn the_demo_keeps_its_notes_across_runs_and_compacts() {
    opfs_kv_worker::run_demo().await.unwrap();
    opfs_kv_worker::run_demo().await.unwrap();
    let mut worker = open("opfs-kv-demo").await.unwrap();
    let client = worker.client();
    let notes = client.scan(b"note/").await.unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(client.get(b"draft").await.unwrap(), None);
    let stats = client.stats().await.unwrap();
    // Compacted at the end of the last run: one record per live key.
    assert_eq!((stats.records, stats.live_keys), (2, 2));
    worker.close().await.unwrap();
}

#[wasm_bindgen_test]
async fn typed_values_travel_through_the_worker() {
    let mut worker = open(&unique("typed")).await.unwrap();
    let client = worker.client();
    client
        .put_typed(b"settings", &("dark", 14u8))
        .await
        .unwrap();
    let settings: Option<(String, u8)> = client.get_typed(b"settings").await.unwrap();
    assert_eq!(settings, Some(("dark".to_owned(), 14)));
    let wrong = client.get_typed::<(String, u8, u64)>(b"settings").await;
    assert!(
        matches!(wrong, Err(ClientError::Store(StoreError::Codec(_)))),
        "{wrong:?}"
    );
    worker.close().await.unwrap();
}
