//! 100 concurrent clients, 100 transitions each: everyone ends with the server's view.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::TestResult;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_clients_converge() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = common::quiet(&dir.path().join("log.jsonl"))?;
    let (results, _) = common::load(&common::url(&server), 100, 100).await?;
    assert_eq!(results.len(), 100);
    for (i, r) in results.iter().enumerate() {
        let view = server
            .view(&format!("load-{i}"))
            .await
            .ok_or("no session")?;
        assert_eq!(&view.bar, r.client.clocks());
        assert_eq!(view.bar["Msg"], 199);
        assert_eq!(view.messages, r.sent);
        assert_eq!(r.client.server_clocks(), &view.foo);
    }
    Ok(())
}
