//! Browser glue (wasm32): the client task, the page, the `MessagePort` adapter and the worker
//! variant.

pub mod browser;
pub mod page;
pub mod port;
pub mod worker;
