//! The error types: [`ScriptError`] for what a script did, [`EngineError`] for the engine and
//! the way to it (channels, the worker).

use std::fmt;

use rhai::{EvalAltResult, ParseError, ParseErrorType, Position};
use serde::{Deserialize, Serialize};

use crate::{Limits, ScriptId};

/// Where in the script an error happened: 1-based line and column, `None` when Rhai has no
/// position (an error raised outside any script expression).
///
/// ```
/// let at = rhai_engine_worker::Location { line: Some(3), column: Some(7) };
/// assert_eq!(at.to_string(), "line 3, column 7");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The line, from 1.
    pub line: Option<u32>,
    /// The column, from 1.
    pub column: Option<u32>,
}

impl From<Position> for Location {
    fn from(pos: Position) -> Self {
        let narrow = |n: usize| u32::try_from(n).ok();
        Location {
            line: pos.line().and_then(narrow),
            column: pos.position().and_then(narrow),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}"),
            (Some(line), None) => write!(f, "line {line}"),
            _ => f.write_str("an unknown position"),
        }
    }
}

/// Which of the [`Limits`] stopped a script, with the bound that applied.
///
/// ```
/// use rhai_engine_worker::Limit;
/// assert_eq!(Limit::Emits(10).to_string(), "more than 10 emit/print calls");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Limit {
    /// [`Limits::max_operations`].
    Operations(u64),
    /// [`Limits::max_string_size`].
    StringSize(u32),
    /// [`Limits::max_array_size`] (also the nesting of values sent to the main thread).
    ArraySize(u32),
    /// [`Limits::max_map_size`].
    MapSize(u32),
    /// [`Limits::max_call_depth`].
    CallDepth(u32),
    /// [`Limits::max_expr_depth`], checked when compiling.
    ExpressionDepth(u32),
    /// [`Limits::max_sleep_ms`]: total milliseconds of `sleep` in one run.
    SleepMs(u64),
    /// [`Limits::max_emits`]: `emit` and `print` calls in one run.
    Emits(u32),
}

impl Limit {
    /// What to do about it: the usual cause, and the [`Limits`] field to raise if the script
    /// is legitimate.
    ///
    /// ```
    /// use rhai_engine_worker::Limit;
    /// assert!(Limit::CallDepth(32).advice().contains("max_call_depth"));
    /// ```
    pub fn advice(&self) -> &'static str {
        match self {
            Limit::Operations(_) => {
                "look for a loop that never ends, or raise `Limits::max_operations`"
            }
            Limit::StringSize(_) => {
                "look for a string that grows in a loop, or raise `Limits::max_string_size`"
            }
            Limit::ArraySize(_) => {
                "look for an array that grows in a loop, or raise `Limits::max_array_size`"
            }
            Limit::MapSize(_) => {
                "look for a map that grows in a loop, or raise `Limits::max_map_size`"
            }
            Limit::CallDepth(_) => {
                "look for recursion without a base case, or raise `Limits::max_call_depth`"
            }
            Limit::ExpressionDepth(_) => {
                "flatten the nesting with variables, or raise `Limits::max_expr_depth`"
            }
            Limit::SleepMs(_) => "sleep less per run, or raise `Limits::max_sleep_ms`",
            Limit::Emits(_) => "emit fewer, larger values (an array), or raise `Limits::max_emits`",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Operations(n) => write!(f, "more than {n} operations"),
            Limit::StringSize(n) => write!(f, "a string longer than {n} bytes"),
            Limit::ArraySize(n) => write!(f, "an array larger than {n} elements"),
            Limit::MapSize(n) => write!(f, "an object map larger than {n} properties"),
            Limit::CallDepth(n) => write!(f, "function calls nested deeper than {n}"),
            Limit::ExpressionDepth(n) => write!(f, "expressions nested deeper than {n}"),
            Limit::SleepMs(n) => write!(f, "more than {n} ms of sleep"),
            Limit::Emits(n) => write!(f, "more than {n} emit/print calls"),
        }
    }
}

/// Everything a script can do wrong, with where it did it. It crosses the channel to the
/// main thread as it is (it is `Serialize`), so the page can point at the line and column.
///
/// ```
/// use rhai_engine_worker::{Limits, ScriptEngine, ScriptError, ScriptId};
///
/// let mut engine = ScriptEngine::standalone(Limits::default())?;
/// match engine.compile(ScriptId(1), "let x = ;") {
///     Err(ScriptError::Syntax { at, .. }) => assert_eq!(at.line, Some(1)),
///     other => panic!("expected a syntax error, got {other:?}"),
/// }
/// # Ok::<(), rhai_engine_worker::EngineError>(())
/// ```
// ANCHOR: script_error
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScriptError {
    /// The script is not valid Rhai; nothing ran.
    Syntax {
        /// Rhai's description of the problem.
        message: String,
        /// Where the parser stopped.
        at: Location,
    },
    /// The script ran into one of the [`Limits`] and was stopped.
    LimitExceeded {
        /// Which limit, with its bound.
        limit: Limit,
        /// Where the script was.
        at: Location,
    },
    /// The main thread cancelled the run (through the shared cancel flag).
    Cancelled {
        /// Where the script was when it noticed.
        at: Location,
    },
    /// The script called a function, method or operator that does not exist for the
    /// argument types it passed.
    UnknownFunction {
        /// The call as Rhai saw it: name and argument types.
        signature: String,
        /// Where the call is.
        at: Location,
    },
    /// Any other runtime error: `throw`, an index out of bounds, division by zero, a host
    /// function's error.
    Runtime {
        /// Rhai's description of the problem.
        message: String,
        /// Where it happened.
        at: Location,
    },
    /// A run named a script the engine does not have: never compiled, failed to compile,
    /// or forgotten.
    UnknownScript {
        /// The id the run named.
        script: ScriptId,
    },
    /// The engine itself died while this run (or compile) was in flight: its worker trapped
    /// (a stack overflow, out of memory, a bug), panicked or was terminated. The client has
    /// already started a fresh engine with the same limits and every compiled script; the
    /// run was not retried.
    EngineCrashed {
        /// How the engine ended, as its worker reported it.
        message: String,
    },
}

// ANCHOR_END: script_error

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptError::Syntax { message, at } => {
                write!(
                    f,
                    "syntax error at {at}: {message}; fix the script there (nothing ran)"
                )
            }
            ScriptError::LimitExceeded { limit, at } => write!(
                f,
                "the script was stopped at {at} for needing {limit}; {}",
                limit.advice()
            ),
            ScriptError::Cancelled { at } => write!(
                f,
                "the run was cancelled at {at}; submit it again to rerun it"
            ),
            ScriptError::UnknownFunction { signature, at } => write!(
                f,
                "unknown function at {at}: {signature}; check its name and argument types \
                 against the host functions (sleep, emit, print) and Rhai's built-ins"
            ),
            ScriptError::Runtime { message, at } => write!(
                f,
                "the script failed at {at}: {message}; fix the script there, or catch the \
                 error in the script with `try {{ ... }} catch (err) {{ ... }}`"
            ),
            ScriptError::UnknownScript { script } => write!(
                f,
                "no compiled script has id {}; compile the script first and run the id that \
                 `compile` returned",
                script.0
            ),
            ScriptError::EngineCrashed { message } => write!(
                f,
                "the engine died during this run ({message}); a fresh engine now has every \
                 compiled script, so submit the run again. If the same run kills it again, \
                 look for deep recursion under a raised `max_call_depth` or deeply nested data"
            ),
        }
    }
}

impl std::error::Error for ScriptError {}

/// Why a host function stopped a script. Carried as the token of Rhai's `ErrorTerminated`,
/// which a script cannot catch with `try`/`catch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Cancelled = 0,
    Sleep = 1,
    Emits = 2,
}

impl Stop {
    pub(crate) fn into_error(self) -> Box<EvalAltResult> {
        EvalAltResult::ErrorTerminated((self as i64).into(), Position::NONE).into()
    }
}

impl ScriptError {
    /// Where in the script the error happened (the default, unknown, location for
    /// [`ScriptError::UnknownScript`]).
    ///
    /// ```
    /// use rhai_engine_worker::{Limits, ScriptEngine, ScriptId};
    ///
    /// let mut engine = ScriptEngine::standalone(Limits::default())?;
    /// let error = engine.compile(ScriptId(1), "1 +\n  +").unwrap_err();
    /// assert_eq!(error.location().line, Some(2));
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn location(&self) -> Location {
        match self {
            ScriptError::Syntax { at, .. }
            | ScriptError::LimitExceeded { at, .. }
            | ScriptError::Cancelled { at }
            | ScriptError::UnknownFunction { at, .. }
            | ScriptError::Runtime { at, .. } => *at,
            ScriptError::UnknownScript { .. } | ScriptError::EngineCrashed { .. } => {
                Location::default()
            }
        }
    }

    pub(crate) fn from_parse(e: ParseError, limits: &Limits) -> Self {
        let at = Location::from(e.position());
        match *e.0 {
            ParseErrorType::ExprTooDeep => ScriptError::LimitExceeded {
                limit: Limit::ExpressionDepth(limits.max_expr_depth),
                at,
            },
            ref kind => ScriptError::Syntax {
                message: kind.to_string(),
                at,
            },
        }
    }

    pub(crate) fn from_eval(e: EvalAltResult, limits: &Limits) -> Self {
        let at = Location::from(e.position());
        match e {
            // Wrapped once per script-function level; the root cause is what matters.
            EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => Self::from_eval(*inner, limits),
            EvalAltResult::ErrorParsing(kind, pos) => {
                Self::from_parse(ParseError(Box::new(kind), pos), limits)
            }
            EvalAltResult::ErrorTooManyOperations(_) => ScriptError::LimitExceeded {
                limit: Limit::Operations(limits.max_operations),
                at,
            },
            EvalAltResult::ErrorStackOverflow(_) => ScriptError::LimitExceeded {
                limit: Limit::CallDepth(limits.max_call_depth),
                at,
            },
            EvalAltResult::ErrorDataTooLarge(what, _) => {
                let what = what.to_lowercase();
                let limit = if what.contains("string") {
                    Limit::StringSize(limits.max_string_size)
                } else if what.contains("map") {
                    Limit::MapSize(limits.max_map_size)
                } else {
                    Limit::ArraySize(limits.max_array_size)
                };
                ScriptError::LimitExceeded { limit, at }
            }
            EvalAltResult::ErrorTerminated(token, _) => match token.as_int() {
                Ok(t) if t == Stop::Sleep as i64 => ScriptError::LimitExceeded {
                    limit: Limit::SleepMs(limits.max_sleep_ms),
                    at,
                },
                Ok(t) if t == Stop::Emits as i64 => ScriptError::LimitExceeded {
                    limit: Limit::Emits(limits.max_emits),
                    at,
                },
                _ => ScriptError::Cancelled { at },
            },
            EvalAltResult::ErrorFunctionNotFound(signature, _) => {
                ScriptError::UnknownFunction { signature, at }
            }
            mut other => {
                // Taken out so that Rhai's message does not repeat what `at` carries.
                let at = Location::from(other.take_position());
                ScriptError::Runtime {
                    message: other.to_string(),
                    at,
                }
            }
        }
    }
}

/// A failure of the engine or of the way to it, as opposed to a script's own error.
///
/// ```
/// use rhai_engine_worker::{EngineError, ScriptError, ScriptId};
///
/// let error = EngineError::Script(ScriptError::UnknownScript { script: ScriptId(9) });
/// assert!(error.to_string().contains("compile the script first"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// The script failed; see [`ScriptError`].
    Script(ScriptError),
    /// This page has no `SharedArrayBuffer`, which the channels and the cancel flag need.
    NoSharedMemory,
    /// A channel operation failed (the message says which and why).
    Channel(String),
    /// The engine's worker (or native thread) failed to start, or ended.
    Worker(String),
    /// The JS value handed to the worker entry is not what [`EngineClient`](crate::EngineClient)
    /// sends.
    BadInput(String),
    /// A reply is larger than the channel carries in one message.
    TooLarge {
        /// Its encoded length.
        len: usize,
        /// The channel's largest message.
        max: usize,
    },
    /// The engine sent a reply that does not fit the request (a bug; please report it).
    Protocol(String),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Script(e) => e.fmt(f),
            EngineError::NoSharedMemory => f.write_str(
                "SharedArrayBuffer is not available here, and the engine's channels and cancel \
                 flag need it: serve the page cross-origin isolated (COOP: same-origin, COEP: \
                 require-corp; `cargo xtask serve` does). WebKit has no SharedArrayBuffer at all",
            ),
            EngineError::Channel(m) => write!(f, "the engine's channel failed: {m}"),
            EngineError::Worker(m) => write!(
                f,
                "the engine's worker failed: {m}; start a new engine with `EngineClient::start`"
            ),
            EngineError::BadInput(m) => write!(
                f,
                "the worker entry got an input it cannot use: {m}; start the engine with \
                 `EngineClient::start`, which builds that input"
            ),
            EngineError::TooLarge { len, max } => write!(
                f,
                "a message of {len} bytes does not fit the channel's {max}-byte messages; \
                 send something smaller"
            ),
            EngineError::Protocol(m) => write!(f, "the engine broke its protocol: {m}"),
        }
    }
}

impl std::error::Error for EngineError {}

impl From<cancel_flag::FlagError> for EngineError {
    fn from(e: cancel_flag::FlagError) -> Self {
        match e {
            cancel_flag::FlagError::NoSharedMemory => EngineError::NoSharedMemory,
            other => EngineError::BadInput(other.to_string()),
        }
    }
}

impl From<ScriptError> for EngineError {
    fn from(e: ScriptError) -> Self {
        EngineError::Script(e)
    }
}

impl From<wasm_rs_shared_channel::ChannelError> for EngineError {
    fn from(e: wasm_rs_shared_channel::ChannelError) -> Self {
        match e {
            wasm_rs_shared_channel::ChannelError::SharedArrayBufferUnavailable => {
                EngineError::NoSharedMemory
            }
            other => EngineError::Channel(other.to_string()),
        }
    }
}

impl From<wasm_rs_shared_channel::RecvError> for EngineError {
    fn from(e: wasm_rs_shared_channel::RecvError) -> Self {
        EngineError::Channel(e.to_string())
    }
}

impl<T> From<wasm_rs_shared_channel::SendError<T>> for EngineError {
    fn from(e: wasm_rs_shared_channel::SendError<T>) -> Self {
        EngineError::Channel(e.to_string())
    }
}
