//! Native: the engine runs on a `std` thread under the executor's `block_on`.

use std::thread::JoinHandle;

use wasm_rs_shared_channel::spsc::Duplex;

use crate::{CancelFlag, EngineError, Reply, Request, serve};

/// The engine's thread.
#[derive(Debug)]
pub(crate) struct EngineHandle(Option<JoinHandle<Result<(), EngineError>>>);

impl EngineHandle {
    /// Resolves if the engine ends without closing its channel. Natively it never does: a
    /// panicking engine thread unwinds, dropping its channel end, which the client sees.
    pub(crate) async fn ended(&mut self) -> String {
        std::future::pending().await
    }

    /// Waits for the engine to end (after the client's channel end is dropped).
    pub(crate) async fn finish(mut self) -> Result<(), EngineError> {
        match self.0.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(EngineError::Worker("the engine thread panicked".into())),
            None => Ok(()),
        }
    }
}

/// Starts the engine on a thread with a large stack (deep Rhai recursion in debug builds).
pub(crate) async fn start_engine(
    channel: Duplex<Reply, Request>,
    cancel: CancelFlag,
) -> Result<EngineHandle, EngineError> {
    let thread = std::thread::Builder::new()
        .name("rhai-engine".into())
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            wasm_rs_async_executor::block_on(serve(channel, cancel))
                .map_err(|e| EngineError::Worker(e.to_string()))?
        })
        .map_err(|e| EngineError::Worker(format!("could not start a thread: {e}")))?;
    Ok(EngineHandle(Some(thread)))
}
