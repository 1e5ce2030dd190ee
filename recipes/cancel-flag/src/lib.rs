//! Cancel work on another thread with one word of shared memory.
//!
//! # Why
//!
//! Code that runs full-time in a worker (a script engine, a solver, a long import) never
//! returns to its event loop while it works, so a `postMessage("cancel")` waits in its queue
//! until the work ends on its own. Shared memory reaches it at once: the page writes one
//! 32-bit word in a `SharedArrayBuffer`, and the worker reads it between steps, or sleeps on
//! it with `Atomics.wait` and wakes the moment it changes.
//!
//! # How
//!
//! - [`CancelFlag`] is that word. It holds a [`RunId`]: "every run up to this one is
//!   cancelled". Ids only grow, so nobody has to clear the flag, and a cancel can't hit the
//!   run after the one it was meant for.
//! - The side that cancels calls [`CancelFlag::cancel_through`]; the worker checks
//!   [`CancelFlag::is_cancelled`] between steps (one atomic load) and waits with
//!   [`CancelFlag::sleep`], which a cancel cuts short.
//! - On wasm32 the word is an `Int32Array` over a `SharedArrayBuffer`; `CancelFlag::to_js`
//!   and `CancelFlag::from_js` hand it to a worker (shared by the structured clone, not
//!   copied). Natively it is an atomic with a condition variable, shared by cloning.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use cancel_flag::{CancelFlag, RunId, SleepError};
//!
//! let flag = CancelFlag::new()?;
//! let worker_flag = flag.clone(); // on wasm32: CancelFlag::from_js(&flag.to_js()) in the worker
//! let worker = std::thread::spawn(move || {
//!     // Run 1 sleeps for a minute, unless it is cancelled.
//!     worker_flag.sleep(RunId(1), Duration::from_secs(60))
//! });
//! flag.cancel_through(RunId(1));
//! assert!(matches!(worker.join().unwrap(), Err(SleepError::Cancelled)));
//! assert!(!flag.is_cancelled(RunId(2))); // the next run is not affected
//! # Ok::<(), cancel_flag::FlagError>(())
//! ```
//!
//! # When
//!
//! Use it where the cancelled side cannot await a message: a worker busy in synchronous
//! code, or a callback that an engine calls between its steps (the rhai-engine-worker example
//! app reads it from Rhai's progress callback). Where both sides are async, a
//! `futures::channel::oneshot` or an `AbortController` is simpler. It needs
//! `SharedArrayBuffer` on wasm32: a cross-origin isolated page, not WebKit.

use std::fmt;
use std::time::Duration;

use wasm_rs_async_executor::Instant;

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(not(target_arch = "wasm32"))]
use native::SharedWord;
#[cfg(target_arch = "wasm32")]
use web::SharedWord;

/// Names one run of the work, counting up from 1: the [`CancelFlag`] cancels every run up to
/// an id, so ids must grow (and `RunId(0)` can never be cancelled).
///
/// ```
/// let run = cancel_flag::RunId(1);
/// assert!(run < cancel_flag::RunId(2));
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct RunId(pub u32);

/// Why a [`CancelFlag`] could not be made.
///
/// ```
/// let e = cancel_flag::FlagError::NoSharedMemory;
/// assert!(e.to_string().contains("cross-origin isolated"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlagError {
    /// There is no `SharedArrayBuffer` here (a page that is not cross-origin isolated, WebKit).
    NoSharedMemory,
    /// The JS value given to `CancelFlag::from_js` is not a flag's `Int32Array` (the message
    /// says what it was).
    BadInput(String),
}

impl fmt::Display for FlagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagError::NoSharedMemory => f.write_str(
                "SharedArrayBuffer is not available here, and the cancel flag is one: serve the \
                 page cross-origin isolated (COOP: same-origin, COEP: require-corp; `cargo xtask \
                 serve` does). WebKit has no SharedArrayBuffer at all",
            ),
            FlagError::BadInput(m) => write!(
                f,
                "{m}: pass the value `CancelFlag::to_js` returned (an Int32Array over a \
                 SharedArrayBuffer)"
            ),
        }
    }
}

impl std::error::Error for FlagError {}

// ANCHOR: flag
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
/// use cancel_flag::{CancelFlag, RunId};
///
/// let flag = CancelFlag::new()?;
/// assert!(!flag.is_cancelled(RunId(1)));
/// flag.cancel_through(RunId(3));
/// assert!(flag.is_cancelled(RunId(1)) && flag.is_cancelled(RunId(3)));
/// assert!(!flag.is_cancelled(RunId(4)));
/// # Ok::<(), cancel_flag::FlagError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CancelFlag {
    word: SharedWord,
}
// ANCHOR_END: flag

impl CancelFlag {
    // ANCHOR: cancel
    /// A new flag cancelling nothing. Fails with [`FlagError::NoSharedMemory`] where there
    /// is no `SharedArrayBuffer` (a page that is not cross-origin isolated, WebKit).
    ///
    /// ```
    /// let flag = cancel_flag::CancelFlag::new()?;
    /// assert_eq!(flag.cancelled_through(), cancel_flag::RunId(0));
    /// # Ok::<(), cancel_flag::FlagError>(())
    /// ```
    pub fn new() -> Result<Self, FlagError> {
        Ok(CancelFlag {
            word: SharedWord::new()?,
        })
    }

    /// Cancels every run up to and including `run`, and wakes a `sleep` in progress. Never
    /// moves the flag back: a smaller id than the current one changes nothing.
    ///
    /// ```
    /// use cancel_flag::{CancelFlag, RunId};
    /// let flag = CancelFlag::new()?;
    /// flag.cancel_through(RunId(5));
    /// flag.cancel_through(RunId(2));
    /// assert_eq!(flag.cancelled_through(), RunId(5));
    /// # Ok::<(), cancel_flag::FlagError>(())
    /// ```
    pub fn cancel_through(&self, run: RunId) {
        if run.0 > self.word.load() {
            self.word.store_and_notify(run.0);
        }
    }

    /// The largest cancelled run id (0 when nothing was cancelled).
    ///
    /// ```
    /// let flag = cancel_flag::CancelFlag::new()?;
    /// assert_eq!(flag.cancelled_through().0, 0);
    /// # Ok::<(), cancel_flag::FlagError>(())
    /// ```
    pub fn cancelled_through(&self) -> RunId {
        RunId(self.word.load())
    }

    /// Whether `run` is cancelled. One atomic load (on wasm32, one `Atomics.load` call).
    ///
    /// ```
    /// use cancel_flag::{CancelFlag, RunId};
    /// let flag = CancelFlag::new()?;
    /// flag.cancel_through(RunId(1));
    /// assert!(flag.is_cancelled(RunId(1)));
    /// # Ok::<(), cancel_flag::FlagError>(())
    /// ```
    pub fn is_cancelled(&self, run: RunId) -> bool {
        covers(self.word.load(), run)
    }

    // ANCHOR_END: cancel

    // ANCHOR: sleep
    /// Waits `duration`, or until `run` is cancelled: the thread sleeps on the word
    /// (`Atomics.wait` on wasm32) and a [`cancel_through`](Self::cancel_through) wakes it.
    ///
    /// Errors: [`SleepError::Cancelled`] when `run` is (or becomes) cancelled;
    /// [`SleepError::CannotBlock`] where the thread may not block (the browser's main thread:
    /// sleep in a worker).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cancel_flag::{CancelFlag, RunId, SleepError};
    /// let flag = CancelFlag::new()?;
    /// assert!(flag.sleep(RunId(1), Duration::from_millis(1)).is_ok());
    /// flag.cancel_through(RunId(1));
    /// assert!(matches!(flag.sleep(RunId(1), Duration::from_secs(60)), Err(SleepError::Cancelled)));
    /// # Ok::<(), cancel_flag::FlagError>(())
    /// ```
    pub fn sleep(&self, run: RunId, duration: Duration) -> Result<(), SleepError> {
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

    // ANCHOR_END: sleep

    /// The flag as a JS value (its `Int32Array`), to post to a worker: the structured clone
    /// shares the `SharedArrayBuffer` under it, so both sides see one word.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let flag = cancel_flag::CancelFlag::new()?;
    /// let in_worker = cancel_flag::CancelFlag::from_js(&flag.to_js())?;
    /// flag.cancel_through(cancel_flag::RunId(1));
    /// assert!(in_worker.is_cancelled(cancel_flag::RunId(1)));
    /// # }
    /// # Ok::<(), cancel_flag::FlagError>(())
    /// ```
    #[cfg(target_arch = "wasm32")]
    pub fn to_js(&self) -> wasm_bindgen::JsValue {
        self.word.to_js()
    }

    /// The flag behind a value [`to_js`](Self::to_js) made, typically on the worker's side.
    /// Fails with [`FlagError::BadInput`] for anything else.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let bad = cancel_flag::CancelFlag::from_js(&wasm_bindgen::JsValue::from(1));
    /// assert!(matches!(bad, Err(cancel_flag::FlagError::BadInput(_))));
    /// # }
    /// ```
    #[cfg(target_arch = "wasm32")]
    pub fn from_js(value: &wasm_bindgen::JsValue) -> Result<Self, FlagError> {
        Ok(CancelFlag {
            word: SharedWord::from_js(value)?,
        })
    }
}

/// Whether a flag holding `word` cancels `run`. Run 0 is never cancelled (the flag starts
/// at 0, meaning "nothing"), which is why client ids start at 1.
fn covers(word: u32, run: RunId) -> bool {
    run.0 != 0 && word >= run.0
}

/// Why [`CancelFlag::sleep`] ended early.
///
/// ```
/// let e = cancel_flag::SleepError::Cancelled;
/// assert_eq!(e.to_string(), "the run was cancelled");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SleepError {
    /// The run was cancelled.
    Cancelled,
    /// This thread may not block (the browser main thread); the reason.
    CannotBlock(String),
}

impl fmt::Display for SleepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SleepError::Cancelled => f.write_str("the run was cancelled"),
            SleepError::CannotBlock(why) => write!(
                f,
                "this thread may not block ({why}): sleep on the flag in a worker or a native thread"
            ),
        }
    }
}

impl std::error::Error for SleepError {}
