//! A browser `WebSocket` as a futures `Stream` and `Sink`, and the backoff to reconnect it
//! with.
//!
//! # Why
//!
//! web-sys gives a `WebSocket` with four callbacks (`onopen`, `onmessage`, `onclose`,
//! `onerror`). Async Rust wants a `Stream` to read and a `Sink` to write, and a connect that
//! *resolves*: to a connection, or to an error, never to a future that waits forever because
//! the server refused (the close event comes without an open one). And a page that lost its
//! server must try again without hammering it, and without a thousand pages all coming back
//! in the same millisecond.
//!
//! # How
//!
//! - `web::connect(url)` (wasm32) resolves once the socket opens, or fails with
//!   `WsError::Closed` (code 1006 for a refused connection) or `WsError::Unsupported` where
//!   there is no `WebSocket` (Node.js 20). The `WsConnection` it gives is a
//!   `Stream<Item = Result<Vec<u8>, WsError>>` of binary messages and a `Sink<Vec<u8>>`;
//!   dropping it closes the socket and detaches the callbacks. It works on a page's main
//!   thread and in workers.
//! - [`backoff::Backoff`] is the reconnect policy: exponential growth from `base`, a ceiling
//!   `max`, and "equal jitter" (a wait drawn from the upper half of the ceiling). It is a
//!   pure function of the attempt number and a random number the caller draws, so it is
//!   property-tested natively; the caller only ever *sleeps* for what it returns, with an
//!   async timer.
//!
//! # Example
//!
//! The reconnect loop, as the state-sync example app's browser client runs it:
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # async fn f() {
//! use std::time::Duration;
//! use websocket_reconnect::backoff::Backoff;
//!
//! let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(10));
//! loop {
//!     match websocket_reconnect::web::connect("wss://example.org/ws").await {
//!         Ok(connection) => {
//!             backoff.reset(); // connected: the next failure starts small again
//!             // ... use the connection until it ends ...
//! #           drop(connection);
//!         }
//!         Err(e) => wasm_rs_dbg::dbg!(e.to_string()),
//!     }
//!     let wait = backoff.next_delay(js_sys::Math::random());
//!     wasm_rs_async_executor::sleep(wait).await; // never a blocking wait
//! }
//! # }
//! ```
//!
//! # When
//!
//! For a page or worker that keeps a WebSocket open for a long time. For one request and one
//! answer, `fetch` is simpler.

pub mod backoff;

#[cfg(target_arch = "wasm32")]
pub mod web;
