//! The demo: notes kept in OPFS by the store's worker, which survive a reload (wasm32).

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::wasm_bindgen;

use crate::{ClientError, KvWorker, Stats};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console)]
    fn log(line: &str);
}

/// One note of the demo, stored with `put_typed`.
#[derive(Debug, Serialize, Deserialize)]
struct Note {
    text: String,
}

/// The book's Run button: opens the store `opfs-kv-demo` in a worker, lists the notes of
/// earlier runs (they survive a reload), adds one, and prints the file size and record
/// count before and after compaction.
///
/// ```no_run
/// # async fn f() -> Result<(), wasm_bindgen::JsValue> {
/// opfs_kv_worker::run_demo().await?;
/// # Ok(()) }
/// ```
#[wasm_bindgen]
pub async fn run_demo() -> Result<(), wasm_bindgen::JsValue> {
    demo()
        .await
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))
}

fn sizes(stats: &Stats) -> String {
    format!(
        "{} bytes, {} records, {} live keys (generation {})",
        stats.file_bytes, stats.records, stats.live_keys, stats.generation
    )
}

// ANCHOR: demo
/// What `run_demo` runs: opens the store `opfs-kv-demo` in a worker, lists the notes of
/// earlier runs (they survive a reload), adds one, rewrites a draft 50 times, and compacts.
async fn demo() -> Result<(), ClientError> {
    let glue = wasm_rs_worker::glue_url().map_err(|e| ClientError::Worker(e.to_string()))?;
    let (mut worker, _) = KvWorker::open(&glue, "opfs-kv-demo").await?;
    let store = worker.client();
    let earlier = store.scan(b"note/").await?;
    log(&format!(
        "notes from earlier runs: {} (reload the page and run again: they are still there)",
        earlier.len()
    ));
    for (key, _) in earlier.iter().rev().take(3) {
        if let Some(note) = store.get_typed::<Note>(key).await? {
            log(&format!("  {}", note.text));
        }
    }
    let number = earlier.len() + 1;
    let text = format!(
        "note #{number}, written {}",
        String::from(js_sys::Date::new_0().to_iso_string())
    );
    store
        .put_typed(format!("note/{number:06}").as_bytes(), &Note { text })
        .await?;
    // A draft saved 50 times: the log keeps every revision until it is compacted.
    for revision in 1..=50 {
        let draft = format!("draft, revision {revision}");
        store.put(b"draft", draft.as_bytes()).await?;
    }
    store.delete(b"draft").await?;
    let before = store.stats().await?;
    log(&format!("before compaction: {}", sizes(&before)));
    let after = store.compact().await?;
    log(&format!("after compaction: {}", sizes(&after)));
    worker.close().await?;
    Ok(())
}
// ANCHOR_END: demo
