//! Native: the shared word is an atomic with a condition variable for `sleep`, and the
//! engine runs on a `std` thread under the executor's `block_on`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use wasm_rs_shared_channel::spsc::Duplex;

use crate::{CancelFlag, EngineError, Reply, Request, serve};

#[derive(Debug, Default)]
struct Word {
    value: AtomicU32,
    lock: Mutex<()>,
    changed: Condvar,
}

/// One shared 32-bit word with wait/notify.
#[derive(Debug, Clone)]
pub(crate) struct SharedWord(Arc<Word>);

impl SharedWord {
    pub(crate) fn new() -> Result<Self, EngineError> {
        Ok(SharedWord(Arc::default()))
    }

    pub(crate) fn load(&self) -> u32 {
        self.0.value.load(Ordering::SeqCst)
    }

    pub(crate) fn store_and_notify(&self, value: u32) {
        self.0.value.store(value, Ordering::SeqCst);
        // Taking the lock orders this notify after any waiter's check-then-wait.
        let _guard = self.0.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.0.changed.notify_all();
    }

    /// Waits until the word differs from `seen` or `timeout` passes (either may be spurious;
    /// the caller re-checks).
    pub(crate) fn wait_while(&self, seen: u32, timeout: Duration) -> Result<(), String> {
        let guard = self.0.lock.lock().unwrap_or_else(|e| e.into_inner());
        if self.load() == seen {
            let _ = self
                .0
                .changed
                .wait_timeout(guard, timeout)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

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
