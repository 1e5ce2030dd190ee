//! Native: the shared word is an atomic with a condition variable for `sleep`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::FlagError;

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
    pub(crate) fn new() -> Result<Self, FlagError> {
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
