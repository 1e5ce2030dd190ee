//! Native glue: the server (`server-foo` on tokio + axum) and a tokio-tungstenite client.

pub mod client;
pub mod server;
