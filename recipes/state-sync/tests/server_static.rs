//! `server-foo --static <dir>`: the page is served at the WebSocket's origin, with the
//! cross-origin isolation headers the worker variant needs, and `/ws` and `/timeline` still
//! win over files of the same name.
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use state_sync::server::{Config, ServerHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A plain HTTP/1.1 GET; returns the status line, the lower-cased headers and the body.
async fn get(
    addr: std::net::SocketAddr,
    path: &str,
) -> Result<(String, String, String), Box<dyn std::error::Error>> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("no header end")?;
    let (status, headers) = head.split_once("\r\n").ok_or("no status line")?;
    Ok((status.to_string(), headers.to_lowercase(), body.to_string()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_served_cross_origin_isolated() -> TestResult {
    let dir = tempfile::tempdir()?;
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg"))?;
    std::fs::write(site.join("index.html"), "<!doctype html><p>the page</p>")?;
    std::fs::write(site.join("pkg/app.js"), "export const x = 1;")?;
    std::fs::write(
        site.join("timeline"),
        "a file that /timeline must not serve",
    )?;
    let server = ServerHandle::start(Config {
        log: dir.path().join("log.jsonl"),
        static_dir: Some(site),
        hello_every: Duration::from_secs(3600),
        ..Config::default()
    })?;
    let addr = server.addr();

    let (status, headers, body) = get(addr, "/").await?;
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("the page"));
    assert!(
        headers.contains("cross-origin-opener-policy: same-origin"),
        "{headers}"
    );
    assert!(
        headers.contains("cross-origin-embedder-policy: require-corp"),
        "{headers}"
    );

    let (status, headers, _) = get(addr, "/pkg/app.js").await?;
    assert!(status.contains("200"), "{status}");
    assert!(headers.contains("javascript"), "{headers}");

    let (status, _, _) = get(addr, "/missing.js").await?;
    assert!(status.contains("404"), "{status}");

    let (status, _, body) = get(addr, "/timeline").await?;
    assert!(status.contains("200"), "{status}");
    assert!(
        body.contains("<table>"),
        "the timeline page, not the file: {body}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_static_there_is_no_page() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = ServerHandle::start(Config {
        log: dir.path().join("log.jsonl"),
        ..Config::default()
    })?;
    let (status, _, _) = get(server.addr(), "/").await?;
    assert!(status.contains("404"), "{status}");
    Ok(())
}
