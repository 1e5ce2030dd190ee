//! The cancel flag: one word of shared memory that the main thread writes and the engine's
//! progress callback reads.

use std::time::Duration;

use wasm_rs_async_executor::Instant;

use crate::sys::SharedWord;
use crate::{EngineError, RunId};

// ANCHOR: cancel
/// "Every run with an id up to N is cancelled", as one shared 32-bit word holding N.
///
/// Writing a run id rather than a yes/no flag means nobody has to clear it: a cancel stops
/// the run in progress and the ones queued behind it, and the next run, with a larger id,
/// starts unaffected. So a cancel cannot race with the end of the run it was meant for and
/// hit the next one. Only the client writes the word (ids only grow); the engine only reads
/// it. On wasm32 the word is an `Int32Array` over a `SharedArrayBuffer` handed to the
/// worker; natively it is an atomic behind an `Arc`. Clones share the word.
///
/// ```
/// use rhai_engine_worker::{CancelFlag, RunId};
///
/// let flag = CancelFlag::new()?;
/// assert!(!flag.is_cancelled(RunId(1)));
/// flag.cancel_through(RunId(3));
/// assert!(flag.is_cancelled(RunId(1)) && flag.is_cancelled(RunId(3)));
/// assert!(!flag.is_cancelled(RunId(4)));
/// # Ok::<(), rhai_engine_worker::EngineError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CancelFlag {
    word: SharedWord,
}

impl CancelFlag {
    /// A new flag cancelling nothing. Fails with [`EngineError::NoSharedMemory`] where there
    /// is no `SharedArrayBuffer` (a page that is not cross-origin isolated, WebKit).
    ///
    /// ```
    /// let flag = rhai_engine_worker::CancelFlag::new()?;
    /// assert_eq!(flag.cancelled_through(), rhai_engine_worker::RunId(0));
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn new() -> Result<Self, EngineError> {
        Ok(CancelFlag {
            word: SharedWord::new()?,
        })
    }

    /// Cancels every run up to and including `run`, and wakes a `sleep` in progress. Never
    /// moves the flag back: a smaller id than the current one changes nothing.
    ///
    /// ```
    /// use rhai_engine_worker::{CancelFlag, RunId};
    /// let flag = CancelFlag::new()?;
    /// flag.cancel_through(RunId(5));
    /// flag.cancel_through(RunId(2));
    /// assert_eq!(flag.cancelled_through(), RunId(5));
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn cancel_through(&self, run: RunId) {
        if run.0 > self.word.load() {
            self.word.store_and_notify(run.0);
        }
    }

    /// The largest cancelled run id (0 when nothing was cancelled).
    ///
    /// ```
    /// let flag = rhai_engine_worker::CancelFlag::new()?;
    /// assert_eq!(flag.cancelled_through().0, 0);
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn cancelled_through(&self) -> RunId {
        RunId(self.word.load())
    }

    /// Whether `run` is cancelled. One atomic load (on wasm32, one `Atomics.load` call).
    ///
    /// ```
    /// use rhai_engine_worker::{CancelFlag, RunId};
    /// let flag = CancelFlag::new()?;
    /// flag.cancel_through(RunId(1));
    /// assert!(flag.is_cancelled(RunId(1)));
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn is_cancelled(&self, run: RunId) -> bool {
        covers(self.word.load(), run)
    }

    /// Waits `duration`, or until `run` is cancelled.
    pub(crate) fn sleep(&self, run: RunId, duration: Duration) -> Result<(), SleepError> {
        let deadline = Instant::now() + duration;
        loop {
            let seen = self.word.load();
            if covers(seen, run) {
                return Err(SleepError::Cancelled);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            self.word
                .wait_while(seen, deadline - now)
                .map_err(SleepError::CannotBlock)?;
        }
    }

    #[cfg(target_arch = "wasm32")]
    pub(crate) fn word(&self) -> &SharedWord {
        &self.word
    }

    #[cfg(target_arch = "wasm32")]
    pub(crate) fn from_word(word: SharedWord) -> Self {
        CancelFlag { word }
    }
}
// ANCHOR_END: cancel

/// Whether a flag holding `word` cancels `run`. Run 0 is never cancelled (the flag starts
/// at 0, meaning "nothing"), which is why client ids start at 1.
fn covers(word: u32, run: RunId) -> bool {
    run.0 != 0 && word >= run.0
}

/// Why [`CancelFlag::sleep`] ended early.
#[derive(Debug)]
pub(crate) enum SleepError {
    /// The run was cancelled.
    Cancelled,
    /// This thread may not block (the browser main thread); the reason.
    CannotBlock(String),
}
