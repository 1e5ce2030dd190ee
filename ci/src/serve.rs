//! `cargo xtask serve`: build the book and serve it with cross-origin isolation (or, with
//! `--dir`, serve any folder that way).
//!
//! SharedArrayBuffer (and 5 µs `performance.now()`) only exist in a cross-origin isolated
//! page, which needs `Cross-Origin-Opener-Policy: same-origin` and
//! `Cross-Origin-Embedder-Policy: require-corp` on every response. `.wasm` files are
//! served as `application/wasm` so `WebAssembly.instantiateStreaming` accepts them.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::workspace::Workspace;
use crate::{book, setup};

/// Arguments of `cargo xtask serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Port to listen on.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Address to bind; the default keeps the server private to this machine.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Serve this folder (e.g. a bundler's production output, `dist/`) instead of building
    /// and serving the book; with the same cross-origin isolation headers.
    #[arg(long, value_name = "PATH")]
    dir: Option<std::path::PathBuf>,
}

/// Builds the book, then serves it until Ctrl-C; or serves `--dir` as it is.
pub(crate) fn run(ws: &Workspace, args: &ServeArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(dir) if dir.is_dir() => dir.clone(),
        Some(dir) => bail!("--dir {}: no such folder", dir.display()),
        None => {
            let tools = setup::book_tools(ws)?;
            let check = book::build(ws, &tools.mdbook)?;
            if !check.outcome.problems.is_empty() {
                for p in &check.outcome.problems {
                    eprintln!("{p}");
                }
                bail!("the book did not build cleanly; fix the problems above");
            }
            book::output_dir(ws)
        }
    };
    let addr = SocketAddr::new(args.host, args.port);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
            format!("binding {addr} (is another server using the port? try --port)")
        })?;
        println!(
            "serving {} at http://{}/ (Ctrl-C to stop)",
            dir.display(),
            listener.local_addr()?
        );
        axum::serve(listener, app(dir))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serving")
    })
}

/// The router: static files with the isolation headers on every response.
pub(crate) fn app(dir: std::path::PathBuf) -> Router {
    app_with(dir, Isolation::Headers)
}

/// How a server makes its pages cross-origin isolated, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isolation {
    /// COOP `same-origin` and COEP `require-corp` on every response (and CORP
    /// `same-origin`): what `cargo xtask serve` sends.
    Headers,
    /// No isolation header at all, as on GitHub Pages: the book's service worker
    /// (`coi-sw.js`) must add them.
    None,
    /// Only `Document-Isolation-Policy: isolate-and-require-corp` (Chromium): isolation
    /// without COOP/COEP.
    DocumentPolicy,
}

/// [`app`], with the headers of `isolation`.
pub(crate) fn app_with(dir: std::path::PathBuf, isolation: Isolation) -> Router {
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    let router = Router::new()
        .fallback_service(ServeDir::new(dir).append_index_html_on_directories(true))
        .layer(header("cache-control", "no-cache"));
    match isolation {
        Isolation::Headers => router
            .layer(header("cross-origin-opener-policy", "same-origin"))
            .layer(header("cross-origin-embedder-policy", "require-corp"))
            .layer(header("cross-origin-resource-policy", "same-origin")),
        Isolation::None => router,
        Isolation::DocumentPolicy => router.layer(header(
            "document-isolation-policy",
            "isolate-and-require-corp",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_cross_origin_isolated_and_wasm_is_typed() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.join("m.wasm"), b"\0asm\x01\0\0\0").unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(axum::serve(listener, app(dir.clone())).into_future());
            let get = |path: &'static str| async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                s.write_all(
                    format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await
                .unwrap();
                let mut buf = String::new();
                s.read_to_string(&mut buf).await.unwrap();
                buf.to_ascii_lowercase()
            };
            let page = get("/").await;
            assert!(page.starts_with("http/1.1 200"), "{page}");
            assert!(
                page.contains("cross-origin-opener-policy: same-origin"),
                "{page}"
            );
            assert!(
                page.contains("cross-origin-embedder-policy: require-corp"),
                "{page}"
            );
            let wasm = get("/m.wasm").await;
            assert!(wasm.contains("content-type: application/wasm"), "{wasm}");
            let missing = get("/nope.html").await;
            assert!(missing.starts_with("http/1.1 404"), "{missing}");
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
}
