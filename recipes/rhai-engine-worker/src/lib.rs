//! A long-running Rhai engine in a dedicated worker: the main thread submits scripts over a
//! shared channel, each script is compiled once and then run on the events streamed to it,
//! and a script that runs away is stopped, by a limit or by the main thread, within
//! milliseconds.
//!
//! # Why a worker, and why full-time
//!
//! A script that loops forever on the main thread freezes the page; in a worker it only keeps
//! the worker busy. But a worker busy in a Rhai loop never returns to its JS event loop, so a
//! `postMessage("cancel")` would wait in its queue until the script ends on its own. This
//! engine therefore does not use the event loop at all:
//!
//! - It runs under [`wasm_rs_async_executor::block_on`] in *full-time* mode: the worker's
//!   thread stays inside the executor, and while no request is waiting it sleeps in
//!   `Atomics.wait` on the request channel (a `wasm-rs-shared-channel` duplex).
//! - The main thread cancels by writing one word of shared memory, the [`CancelFlag`] of
//!   the [cancel-flag](cancel_flag) recipe, which this example app builds on. Rhai
//!   calls the engine's progress callback on every operation; every
//!   [`CANCEL_CHECK_INTERVAL`] operations it reads the word, and a cancelled run ends with
//!   [`ScriptError::Cancelled`]. `sleep` waits on the same word, so it is cut short too.
//! - The operation, size and depth [`Limits`] stop a runaway script nobody cancels.
//!
//! # Which type
//!
//! - [`EngineClient`] on the main thread (or any native thread): [`EngineClient::start`]
//!   starts the engine (a dedicated worker on wasm32, a thread natively),
//!   [`compile`](EngineClient::compile) a script once, [`run`](EngineClient::run) it on
//!   events, [`cancel`](EngineClient::cancel) what runs.
//! - [`serve`]: the engine's loop, what the worker runs. [`ScriptEngine`]: the engine itself,
//!   with no channel, for tests or for embedding it elsewhere.
//! - [`Request`] and [`Reply`]: the messages on the channel. [`Value`]: what crosses it.
//! - [`ScriptError`]: what a script did wrong, with line and column. [`EngineError`]: what
//!   went wrong on the way to the engine.
//!
//! # Host functions
//!
//! Scripts call `sleep(ms)` (waits, cut short by a cancel), `emit(value)` (sends
//! [`Reply::Emitted`] to the main thread at once, while the script goes on) and `print(text)`
//! ([`Reply::Printed`]); the event a run was started for is the variable `event`. Rhai
//! evaluates a script synchronously, so these are blocking calls inside the worker: that is
//! what the worker is for, and nothing else waits on its thread meanwhile.
//!
//! # Platforms
//!
//! wasm32 in Chromium and Firefox, on cross-origin isolated pages (the channels and the cancel
//! flag are `SharedArrayBuffer`s; WebKit has none, and [`EngineClient::start`] says so with
//! [`EngineError::NoSharedMemory`]). Natively the same engine runs on a `std` thread, which is
//! how its logic is tested.

mod client;
mod error;

#[cfg(target_arch = "wasm32")]
mod demo;
#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(not(target_arch = "wasm32"))]
use native::{EngineHandle, start_engine};
#[cfg(target_arch = "wasm32")]
use web::{EngineHandle, start_engine};

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, CorePackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{AST, Dynamic, Engine, EvalAltResult, Scope};
use serde::{Deserialize, Serialize};
use wasm_rs_shared_channel::spsc::Duplex;
use wasm_rs_shared_channel::{RecvError, SendErrorKind};

/// The cancel-flag recipe's flag and run ids, which this engine's API uses.
pub use cancel_flag::{CancelFlag, FlagError, RunId};
pub use client::{EngineClient, RunOutput};
pub use error::{EngineError, Limit, Location, ScriptError};
#[cfg(target_arch = "wasm32")]
pub use web::rhai_engine_worker_main;

/// How many Rhai operations run between two reads of the cancel flag. Reading it is a call
/// into JS (`Atomics.load`) on wasm32, so it is not done on every operation; 128 operations
/// take microseconds, so a cancel is still seen at once (the benchmark `benches/cancel.rs`,
/// `cargo xtask bench --suite rhai-engine-worker`, measures the whole way, page to worker
/// and back).
///
/// ```
/// assert_eq!(rhai_engine_worker::CANCEL_CHECK_INTERVAL, 128);
/// ```
pub const CANCEL_CHECK_INTERVAL: u64 = 128;

/// Values nested deeper than this cannot cross the channel (a script could otherwise build
/// a nesting deep enough to overflow the stack while it is converted).
///
/// ```
/// assert_eq!(rhai_engine_worker::MAX_VALUE_DEPTH, 32);
/// ```
pub const MAX_VALUE_DEPTH: usize = 32;

// ANCHOR: limits
/// The bounds each run is held to. Rhai checks the first six as the script runs (or, for
/// the expression depth, as it compiles); the engine's host functions check the last two.
///
/// ```
/// let limits = rhai_engine_worker::Limits { max_operations: 1_000, ..Default::default() };
/// assert_eq!(limits.max_call_depth, 32);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Operations (expressions, loop iterations, calls) per run; 0 means no limit, leaving
    /// the cancel flag as the only stop.
    pub max_operations: u64,
    /// Longest string, in bytes.
    pub max_string_size: u32,
    /// Most elements in one array, counting the elements of nested arrays. This also bounds
    /// how deep arrays nest, which matters: Rhai walks nested arrays recursively (to check
    /// sizes, to clone, to drop), so a script nesting arrays 10 000 deep overflows the stack
    /// of a debug build.
    pub max_array_size: u32,
    /// Most properties in one object map. Rhai 1.27 checks it when a map is passed to a
    /// function, not on `m[key] = value`; a map grown only that way is bounded by
    /// `max_operations`.
    pub max_map_size: u32,
    /// Deepest chain of script function calls: the bound on recursion.
    pub max_call_depth: u32,
    /// Deepest nesting of expressions, checked when compiling.
    pub max_expr_depth: u32,
    /// Total milliseconds a run may spend in `sleep`.
    pub max_sleep_ms: u64,
    /// Most `emit` and `print` calls per run (further `print`s are dropped, a further `emit`
    /// stops the run).
    pub max_emits: u32,
}

impl Default for Limits {
    /// Ten million operations, 16 KiB strings, 1 000-element arrays, 1 000-property maps,
    /// 32 nested calls and expressions, 10 s of sleep and 1 000 emits per run. The depths stay
    /// low because debug wasm builds use much more stack per call than release builds.
    ///
    /// ```
    /// assert_eq!(rhai_engine_worker::Limits::default().max_emits, 1_000);
    /// ```
    fn default() -> Self {
        Limits {
            max_operations: 10_000_000,
            max_string_size: 16 * 1024,
            max_array_size: 1_000,
            max_map_size: 1_000,
            max_call_depth: 32,
            max_expr_depth: 32,
            max_sleep_ms: 10_000,
            max_emits: 1_000,
        }
    }
}
// ANCHOR_END: limits

/// Names a compiled script; chosen by the client, unique per engine.
///
/// ```
/// let id = rhai_engine_worker::ScriptId(7);
/// assert_eq!(id.0, 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScriptId(pub u32);

// ANCHOR: value
/// A value that crosses the channel: an event going to a script, or what a script returns
/// or emits. Rhai's other types (characters, function pointers) arrive as their text.
///
/// ```
/// use rhai_engine_worker::Value;
///
/// let v = Value::Array(vec![Value::Int(1), Value::Text("two".into())]);
/// assert_eq!(v.to_string(), r#"[1, "two"]"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    /// `()`.
    Unit,
    /// `true` or `false`.
    Bool(bool),
    /// An integer (the engine is built with `only_i64` and `no_float`).
    Int(i64),
    /// A string.
    Text(String),
    /// An array.
    Array(Vec<Value>),
    /// An object map, keys in order.
    Map(BTreeMap<String, Value>),
}
// ANCHOR_END: value

impl Value {
    /// Converts a script's value, or fails on a nesting deeper than [`MAX_VALUE_DEPTH`].
    fn from_dynamic(value: Dynamic, depth: usize) -> Result<Value, ScriptError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(ScriptError::Runtime {
                message: format!(
                    "the value is nested deeper than {MAX_VALUE_DEPTH} levels, too deep to send \
                     to the main thread; flatten it"
                ),
                at: Location::default(),
            });
        }
        if value.is_unit() {
            return Ok(Value::Unit);
        }
        if let Ok(b) = value.as_bool() {
            return Ok(Value::Bool(b));
        }
        if let Ok(i) = value.as_int() {
            return Ok(Value::Int(i));
        }
        if value.is_string() {
            return Ok(Value::Text(value.into_string().unwrap_or_default()));
        }
        if value.is_array() {
            let items = value.into_array().unwrap_or_default();
            return items
                .into_iter()
                .map(|item| Value::from_dynamic(item, depth + 1))
                .collect::<Result<_, _>>()
                .map(Value::Array);
        }
        if value.is_map() {
            let map = value.try_cast::<rhai::Map>().unwrap_or_default();
            return map
                .into_iter()
                .map(|(k, v)| Ok((k.to_string(), Value::from_dynamic(v, depth + 1)?)))
                .collect::<Result<_, _>>()
                .map(Value::Map);
        }
        Ok(Value::Text(value.to_string()))
    }

    /// Converts to a Rhai value, for binding an event to a script's `event` variable.
    fn into_dynamic(self) -> Dynamic {
        match self {
            Value::Unit => Dynamic::UNIT,
            Value::Bool(b) => b.into(),
            Value::Int(i) => i.into(),
            Value::Text(s) => s.into(),
            Value::Array(items) => {
                Dynamic::from_array(items.into_iter().map(Value::into_dynamic).collect())
            }
            Value::Map(map) => Dynamic::from_map(
                map.into_iter()
                    .map(|(k, v)| (k.into(), v.into_dynamic()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Value {
    /// Rhai's own notation: `()`, `true`, `42`, `"text"`, `[1, 2]`, `#{a: 1}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unit => f.write_str("()"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Text(s) => write!(f, "{s:?}"),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("#{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

// ANCHOR: request
/// What the main thread asks of the engine.
///
/// ```
/// use rhai_engine_worker::{Request, RunId, ScriptId, Value};
///
/// let compile = Request::Compile { script: ScriptId(1), source: "event * 2".into() };
/// let run = Request::Run { script: ScriptId(1), run: RunId(1), event: Value::Int(21) };
/// # drop((compile, run));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Replace the limits for every later run (no reply).
    SetLimits(Limits),
    /// Compile `source` and keep its AST under `script`; replies [`Reply::Compiled`].
    Compile {
        /// The id later runs name.
        script: ScriptId,
        /// The Rhai source.
        source: String,
    },
    /// Run a compiled script with `event` bound to the variable `event`; replies any number
    /// of [`Reply::Emitted`] and [`Reply::Printed`], then one [`Reply::Finished`].
    Run {
        /// Which compiled script.
        script: ScriptId,
        /// This run's id (growing; see [`RunId`]).
        run: RunId,
        /// The event the script handles.
        event: Value,
    },
    /// Drop a compiled script (no reply).
    Forget {
        /// Which one.
        script: ScriptId,
    },
}
// ANCHOR_END: request

// ANCHOR: reply
/// What the engine sends back.
///
/// ```
/// use rhai_engine_worker::{Reply, RunId, Value};
///
/// let reply = Reply::Finished { run: RunId(1), result: Ok(Value::Int(42)) };
/// assert!(matches!(reply, Reply::Finished { result: Ok(Value::Int(42)), .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// A [`Request::Compile`] is done: the script is ready, or why not.
    Compiled {
        /// The script's id.
        script: ScriptId,
        /// `Ok` once its AST is cached.
        result: Result<(), ScriptError>,
    },
    /// A running script called `emit(value)`.
    Emitted {
        /// The run that emitted it.
        run: RunId,
        /// The value.
        value: Value,
    },
    /// A running script called `print(text)`.
    Printed {
        /// The run that printed it.
        run: RunId,
        /// The text.
        text: String,
    },
    /// A run ended: the script's last value, or its error.
    Finished {
        /// The run.
        run: RunId,
        /// The value or the error.
        result: Result<Value, ScriptError>,
    },
}
// ANCHOR_END: reply

/// Where a [`ScriptEngine`] sends its replies: the reply channel in [`serve`], anything in
/// tests.
type Sink = Box<dyn FnMut(Reply) -> Result<(), EngineError>>;

/// The state host functions and the progress callback share with the engine.
struct RunState {
    cancel: CancelFlag,
    limits: Cell<Limits>,
    run: Cell<RunId>,
    emits: Cell<u32>,
    slept_ms: Cell<u64>,
    sink: RefCell<Sink>,
}

impl RunState {
    // ANCHOR: host
    /// `sleep(ms)`: waits on the cancel flag, so a cancel ends the wait (and the run) at once.
    fn sleep(&self, ms: i64) -> Result<(), Box<EvalAltResult>> {
        let ms = u64::try_from(ms)
            .map_err(|_| format!("sleep({ms}): the time is negative; pass milliseconds >= 0"))?;
        let total = self.slept_ms.get().saturating_add(ms);
        if total > self.limits.get().max_sleep_ms {
            return Err(error::Stop::Sleep.into_error());
        }
        self.slept_ms.set(total);
        match self.cancel.sleep(self.run.get(), Duration::from_millis(ms)) {
            Ok(()) => Ok(()),
            Err(cancel_flag::SleepError::Cancelled) => Err(error::Stop::Cancelled.into_error()),
            Err(cancel_flag::SleepError::CannotBlock(why)) => Err(format!(
                "sleep({ms}) has to block this thread, and it cannot ({why}); run the engine \
                 in a worker (EngineClient::start)"
            )
            .into()),
        }
    }

    /// `emit(value)`: sends the value to the main thread now, while the script goes on.
    fn emit(&self, value: Dynamic) -> Result<(), Box<EvalAltResult>> {
        if !self.count_emit() {
            return Err(error::Stop::Emits.into_error());
        }
        let value = Value::from_dynamic(value, 0).map_err(|e| e.to_string())?;
        let reply = Reply::Emitted {
            run: self.run.get(),
            value,
        };
        (self.sink.borrow_mut())(reply)
            .map_err(|e| format!("emit: the value could not be sent ({e})").into())
    }

    /// `print(text)`: like `emit`, for text; past the limit the text is dropped.
    fn print(&self, text: &str) {
        if self.count_emit() {
            let reply = Reply::Printed {
                run: self.run.get(),
                text: text.to_owned(),
            };
            // A print that cannot be delivered is dropped, like a closed console's output.
            let _ = (self.sink.borrow_mut())(reply);
        }
    }

    /// Counts one `emit`/`print`; `false` once the run has used up `max_emits`.
    fn count_emit(&self) -> bool {
        let n = self.emits.get().saturating_add(1);
        self.emits.set(n);
        n <= self.limits.get().max_emits
    }
    // ANCHOR_END: host
}

// ANCHOR: engine
/// A Rhai engine with the host functions, the limits and the cancel check installed, and a
/// cache of compiled scripts. It sends every reply through the sink it was built with.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use rhai_engine_worker::{CancelFlag, Limits, Reply, RunId, ScriptEngine, ScriptId, Value};
///
/// let replies = Rc::new(RefCell::new(Vec::new()));
/// let sink = Rc::clone(&replies);
/// let mut engine = ScriptEngine::new(Limits::default(), CancelFlag::new()?, move |reply| {
///     sink.borrow_mut().push(reply);
///     Ok(())
/// });
/// engine.compile(ScriptId(1), "emit(event + 1); event * 2")?;
/// let value = engine.run(ScriptId(1), RunId(1), Value::Int(20))?;
/// assert_eq!(value, Value::Int(40));
/// assert_eq!(replies.borrow()[0], Reply::Emitted { run: RunId(1), value: Value::Int(21) });
/// # Ok::<(), rhai_engine_worker::EngineError>(())
/// ```
pub struct ScriptEngine {
    engine: Engine,
    scripts: HashMap<ScriptId, AST>,
    state: Rc<RunState>,
}
// ANCHOR_END: engine

impl fmt::Debug for ScriptEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptEngine")
            .field("scripts", &self.scripts.len())
            .field("limits", &self.state.limits.get())
            .field("cancel", &self.state.cancel)
            .finish_non_exhaustive()
    }
}

impl ScriptEngine {
    // ANCHOR: engine_new
    /// Builds the engine: a trimmed standard library, the host functions, `limits`, and a
    /// progress callback that reads `cancel` every [`CANCEL_CHECK_INTERVAL`] operations.
    /// Replies go to `sink`.
    ///
    /// ```
    /// use rhai_engine_worker::{CancelFlag, Limits, ScriptEngine};
    /// let engine = ScriptEngine::new(Limits::default(), CancelFlag::new()?, |_reply| Ok(()));
    /// # drop(engine);
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn new(
        limits: Limits,
        cancel: CancelFlag,
        sink: impl FnMut(Reply) -> Result<(), EngineError> + 'static,
    ) -> Self {
        let state = Rc::new(RunState {
            cancel,
            limits: Cell::new(limits),
            run: Cell::new(RunId(0)),
            emits: Cell::new(0),
            slept_ms: Cell::new(0),
            sink: RefCell::new(Box::new(sink)),
        });
        let mut engine = Engine::new_raw();
        // Only the packages scripts need; the linker drops the rest of Rhai's library.
        for package in [
            CorePackage::new().as_shared_module(),
            LogicPackage::new().as_shared_module(),
            BasicArrayPackage::new().as_shared_module(),
            BasicMapPackage::new().as_shared_module(),
            MoreStringPackage::new().as_shared_module(),
        ] {
            engine.register_global_module(package);
        }
        let s = Rc::clone(&state);
        engine.on_progress(move |operations| {
            let check = operations % CANCEL_CHECK_INTERVAL == 0;
            (check && s.cancel.is_cancelled(s.run.get()))
                .then(|| Dynamic::from(error::Stop::Cancelled as i64))
        });
        let s = Rc::clone(&state);
        engine.register_fn("sleep", move |ms: i64| s.sleep(ms));
        let s = Rc::clone(&state);
        engine.register_fn("emit", move |value: Dynamic| s.emit(value));
        let s = Rc::clone(&state);
        engine.on_print(move |text| s.print(text));
        // A script must not compile new code around the expression-depth check.
        engine.disable_symbol("eval");
        let mut this = ScriptEngine {
            engine,
            scripts: HashMap::new(),
            state,
        };
        this.set_limits(limits);
        this
    }

    // ANCHOR_END: engine_new

    /// A standalone engine with its own cancel flag whose replies (emits, prints) are
    /// dropped: for trying scripts out.
    ///
    /// ```
    /// use rhai_engine_worker::{Limits, RunId, ScriptEngine, ScriptId, Value};
    /// let mut engine = ScriptEngine::standalone(Limits::default())?;
    /// engine.compile(ScriptId(1), "40 + 2")?;
    /// assert_eq!(engine.run(ScriptId(1), RunId(1), Value::Unit)?, Value::Int(42));
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn standalone(limits: Limits) -> Result<Self, EngineError> {
        Ok(ScriptEngine::new(limits, CancelFlag::new()?, |_| Ok(())))
    }

    /// Applies new limits to every later compile and run.
    ///
    /// ```
    /// use rhai_engine_worker::{Limits, ScriptEngine};
    /// let mut engine = ScriptEngine::standalone(Limits::default())?;
    /// engine.set_limits(Limits { max_operations: 500, ..Limits::default() });
    /// assert_eq!(engine.limits().max_operations, 500);
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn set_limits(&mut self, limits: Limits) {
        let size = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
        self.engine
            .set_max_operations(limits.max_operations)
            .set_max_string_size(size(limits.max_string_size))
            .set_max_array_size(size(limits.max_array_size))
            .set_max_map_size(size(limits.max_map_size))
            .set_max_call_levels(size(limits.max_call_depth))
            .set_max_expr_depths(size(limits.max_expr_depth), size(limits.max_expr_depth));
        self.state.limits.set(limits);
    }

    /// The limits in force.
    ///
    /// ```
    /// use rhai_engine_worker::{Limits, ScriptEngine};
    /// let engine = ScriptEngine::standalone(Limits::default())?;
    /// assert_eq!(engine.limits(), Limits::default());
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn limits(&self) -> Limits {
        self.state.limits.get()
    }

    /// Compiles `source` once and caches its AST under `script` (replacing any script with
    /// that id). On a syntax error nothing is cached.
    ///
    /// ```
    /// use rhai_engine_worker::{Limits, ScriptEngine, ScriptId};
    /// let mut engine = ScriptEngine::standalone(Limits::default())?;
    /// assert!(engine.compile(ScriptId(1), "event + 1").is_ok());
    /// assert!(engine.compile(ScriptId(2), "event +").is_err());
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn compile(&mut self, script: ScriptId, source: &str) -> Result<(), ScriptError> {
        self.scripts.remove(&script);
        let ast = self
            .engine
            .compile(source)
            .map_err(|e| ScriptError::from_parse(e, &self.limits()))?;
        self.scripts.insert(script, ast);
        Ok(())
    }

    // ANCHOR: engine_run
    /// Runs a compiled script with `event` bound to the variable `event`, and returns its
    /// last value. A run whose id the [`CancelFlag`] already covers does not start.
    ///
    /// ```
    /// use rhai_engine_worker::{Limits, RunId, ScriptEngine, ScriptError, ScriptId, Value};
    /// let mut engine = ScriptEngine::standalone(Limits::default())?;
    /// engine.compile(ScriptId(1), r#"event.name + "!""#)?;
    /// let event = Value::Map([("name".to_string(), Value::Text("hi".into()))].into());
    /// assert_eq!(engine.run(ScriptId(1), RunId(1), event)?, Value::Text("hi!".into()));
    /// let missing = engine.run(ScriptId(9), RunId(2), Value::Unit);
    /// assert_eq!(missing, Err(ScriptError::UnknownScript { script: ScriptId(9) }));
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn run(
        &mut self,
        script: ScriptId,
        run: RunId,
        event: Value,
    ) -> Result<Value, ScriptError> {
        let ast = self
            .scripts
            .get(&script)
            .ok_or(ScriptError::UnknownScript { script })?;
        if self.state.cancel.is_cancelled(run) {
            return Err(ScriptError::Cancelled {
                at: Location::default(),
            });
        }
        self.state.run.set(run);
        self.state.emits.set(0);
        self.state.slept_ms.set(0);
        let mut scope = Scope::new();
        scope.push("event", event.into_dynamic());
        let limits = self.limits();
        let value = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, ast)
            .map_err(|e| ScriptError::from_eval(*e, &limits))?;
        Value::from_dynamic(value, 0)
    }

    // ANCHOR_END: engine_run

    /// Drops a compiled script; `false` if there was none with that id.
    ///
    /// ```
    /// use rhai_engine_worker::{Limits, ScriptEngine, ScriptId};
    /// let mut engine = ScriptEngine::standalone(Limits::default())?;
    /// engine.compile(ScriptId(1), "1")?;
    /// assert!(engine.forget(ScriptId(1)));
    /// assert!(!engine.forget(ScriptId(1)));
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn forget(&mut self, script: ScriptId) -> bool {
        self.scripts.remove(&script).is_some()
    }

    // ANCHOR: engine_handle
    /// Carries out one request and sends its replies through the sink. Fails only when the
    /// sink fails (the main thread is gone); a script's failure is a reply.
    ///
    /// ```
    /// use rhai_engine_worker::{Limits, Request, ScriptEngine, ScriptId};
    /// let mut engine = ScriptEngine::standalone(Limits::default())?;
    /// engine.handle(Request::Compile { script: ScriptId(1), source: "1 +".into() })?;
    /// # Ok::<(), rhai_engine_worker::EngineError>(())
    /// ```
    pub fn handle(&mut self, request: Request) -> Result<(), EngineError> {
        let reply = match request {
            Request::SetLimits(limits) => {
                self.set_limits(limits);
                return Ok(());
            }
            Request::Forget { script } => {
                self.forget(script);
                return Ok(());
            }
            Request::Compile { script, source } => Reply::Compiled {
                script,
                result: self.compile(script, &source),
            },
            Request::Run { script, run, event } => Reply::Finished {
                run,
                result: self.run(script, run, event),
            },
        };
        self.send(reply)
    }

    /// Sends a reply; one too large for the channel is replaced by an error saying so, so
    /// that a script returning a huge value cannot stop the engine.
    fn send(&mut self, reply: Reply) -> Result<(), EngineError> {
        let mut sink = self.state.sink.borrow_mut();
        match sink(reply.clone()) {
            Err(EngineError::TooLarge { len, max }) => {
                let error = ScriptError::Runtime {
                    message: format!(
                        "the result is {len} bytes encoded, more than the channel's {max}; \
                         return something smaller"
                    ),
                    at: Location::default(),
                };
                sink(match reply {
                    Reply::Compiled { script, .. } => Reply::Compiled {
                        script,
                        result: Err(error),
                    },
                    Reply::Emitted { run, .. }
                    | Reply::Printed { run, .. }
                    | Reply::Finished { run, .. } => Reply::Finished {
                        run,
                        result: Err(error),
                    },
                })
            }
            other => other,
        }
    }
    // ANCHOR_END: engine_handle
}

// ANCHOR: serve
/// The engine's loop, run by the worker under the executor in full-time mode: waits for a
/// request (sleeping in `Atomics.wait` on the channel meanwhile), carries it out, sends the
/// replies, and starts over. Returns `Ok(())` when the client's end of `channel` is dropped.
///
/// ```
/// use rhai_engine_worker::{CancelFlag, Reply, Request, RunId, ScriptId, Value, serve};
/// use wasm_rs_shared_channel::spsc;
///
/// let (mut client, engine_end) = spsc::duplex::<Request, Reply>(4096)?;
/// client.sender().try_send(Request::Compile { script: ScriptId(1), source: "event * 2".into() })?;
/// client.sender().try_send(Request::Run { script: ScriptId(1), run: RunId(1), event: Value::Int(21) })?;
/// let (tx, mut rx) = client.into_parts();
/// drop(tx); // the engine stops once it has read everything
/// wasm_rs_async_executor::block_on(serve(engine_end, CancelFlag::new()?))??;
/// assert!(matches!(rx.try_recv()?, Reply::Compiled { result: Ok(()), .. }));
/// assert_eq!(rx.try_recv()?, Reply::Finished { run: RunId(1), result: Ok(Value::Int(42)) });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn serve(channel: Duplex<Reply, Request>, cancel: CancelFlag) -> Result<(), EngineError> {
    let (mut replies, mut requests) = channel.into_parts();
    let mut engine = ScriptEngine::new(Limits::default(), cancel, move |reply| {
        // Blocking is fine in the worker: it waits only while the main thread is a whole
        // channel's worth of replies behind.
        replies.send(reply).map_err(|e| match e.kind() {
            SendErrorKind::TooLarge { len, max } => EngineError::TooLarge {
                len: *len,
                max: *max,
            },
            _ => EngineError::from(e),
        })
    });
    loop {
        match requests.recv_async().await {
            Ok(request) => engine.handle(request)?,
            Err(RecvError::Disconnected) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
}
// ANCHOR_END: serve

/// The book's Run button (src/demo.rs).
#[cfg(target_arch = "wasm32")]
pub use demo::run_demo;
