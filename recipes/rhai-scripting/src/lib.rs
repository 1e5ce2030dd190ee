//! Rhai scripting on the main thread: a [`Sandbox`] that lets users' scripts call your Rust
//! types and functions, and that turns every way a script can go wrong into a
//! [`ScriptError`] instead of a hang, a crash or a panic.
//!
//! # Why a sandbox
//!
//! A script is input, and input can be hostile or simply buggy: `loop {}` never returns,
//! unbounded recursion overflows the stack, `s += s` in a loop eats all memory. On the
//! browser's main thread, any of these freezes the page. Rhai can bound all of them without a
//! clock or a second thread: it counts operations, and checks string, array and map sizes,
//! call depth and expression nesting as it goes. [`Limits`] gathers those bounds, and
//! [`Sandbox::new`] applies them to an engine that also knows the host's functions.
//!
//! # When to use which function
//!
//! - [`Sandbox::new`] once, with [`Limits::default`] or your own bounds.
//! - [`Sandbox::run`] for one-off scripts; it compiles and runs.
//! - [`Sandbox::compile`] then [`Sandbox::run_ast`] when the same script runs many times.
//! - [`ScriptError`] tells the caller what went wrong, where (line and column), and what to do.
//!
//! # Platforms
//!
//! The same code runs natively, in Node, and in browsers (main thread and dedicated worker).
//! Rhai is built with `default-features = false, features = ["std", "no_time"]` so that it
//! compiles on wasm32-unknown-unknown without a getrandom backend or a clock (see the crate's
//! Cargo.toml). A script that runs forever on the main thread is stopped by the operations
//! limit; to stop one from outside while it runs, run the engine in a worker instead.
//!
//! # What the limits do not bound (Rhai 1.27)
//!
//! Three gaps in Rhai's own accounting reach a user of this sandbox; choose limits with them
//! in mind. Measured natively in release on the 2-core machine the tests run on:
//!
//! - **Nested data costs the square of its depth.** After every step that changes a value,
//!   Rhai measures the whole value again, recursively, and it clones and drops nested values
//!   recursively too. `let a = 0; loop { a = [a]; }` ran 3.2 s before
//!   [`Limits::max_array_size`] (10,000, which counts the elements of nested arrays too, so it
//!   also bounds the depth) stopped it, where a bare loop uses up the 100,000-operation budget
//!   in 3 ms. Pushing short strings into one array until the array limit stops it took 68 ms
//!   here, and 26 s with a 100,000-element limit.
//! - **Deep data can overflow the stack.** The same recursion with a 100,000-element array
//!   limit overflowed the 8 MiB native stack: the process aborted. A debug wasm build has a
//!   1 MiB stack, so keep the array and map limits (which bound the depth) in the thousands
//!   there, or run scripts in a worker whose death you can survive (the `rhai-engine-worker`
//!   recipe restarts its engine).
//! - **`m[key] = value` skips the map limit.** A map grown by indexed assignment passes
//!   [`Limits::max_map_size`]; it is checked when the map is next passed to a function
//!   (`m.len()`), and the operations limit bounds the growth in the meantime.
//!
//! `tests/rhai_limits.rs` pins the last two behaviours, so a Rhai release that changes them
//! fails a test and this section gets rewritten.

use std::fmt;

use rhai::{AST, Dynamic, Engine, EvalAltResult, ParseError, Position};

// ANCHOR: limits
/// The bounds a script runs under. Every field is checked by Rhai while the script runs (or,
/// for the expression depths, while it is compiled), so a script that passes one gets a
/// [`ScriptError::LimitExceeded`] naming it.
///
/// ```
/// let limits = rhai_scripting::Limits { max_operations: 1_000, ..Default::default() };
/// let sandbox = rhai_scripting::Sandbox::new(limits);
/// assert!(sandbox.run("loop {}").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Operations (expressions evaluated, loop iterations, calls) per run: the bound on time.
    pub max_operations: u64,
    /// Longest string, in bytes.
    pub max_string_size: usize,
    /// Most elements in one array (or bytes in one BLOB).
    pub max_array_size: usize,
    /// Most properties in one object map.
    pub max_map_size: usize,
    /// Deepest chain of script function calls: the bound on recursion.
    pub max_call_depth: usize,
    /// Deepest nesting of expressions at the top level (checked when compiling).
    pub max_expr_depth: usize,
    /// Deepest nesting of expressions inside functions (checked when compiling).
    pub max_function_expr_depth: usize,
}

impl Default for Limits {
    /// Bounds for small scripts: 100 000 operations, 10 000-byte
    /// strings, 10 000-element arrays, 1 000-property maps, 32 nested calls and 32 nested
    /// expressions. The depths stay low because unoptimized (debug) wasm builds use much more
    /// stack per call than release builds.
    ///
    /// ```
    /// assert_eq!(rhai_scripting::Limits::default().max_operations, 100_000);
    /// ```
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_string_size: 10_000,
            max_array_size: 10_000,
            max_map_size: 1_000,
            max_call_depth: 32,
            max_expr_depth: 32,
            max_function_expr_depth: 32,
        }
    }
}
// ANCHOR_END: limits

// ANCHOR: point
/// A Rust type that scripts can create and use: `let p = point(1, 2); p.x += 3; p + p`.
///
/// ```
/// let p = rhai_scripting::Point { x: 3, y: -4 };
/// assert_eq!(p.manhattan(), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// Horizontal coordinate.
    pub x: i64,
    /// Vertical coordinate.
    pub y: i64,
}

impl Point {
    /// The distance from the origin walking along the grid: `|x| + |y|`. Saturates instead of
    /// overflowing, so a script can't make it panic.
    ///
    /// ```
    /// assert_eq!(rhai_scripting::Point { x: -2, y: 5 }.manhattan(), 7);
    /// ```
    pub fn manhattan(&self) -> i64 {
        self.x
            .saturating_abs()
            .saturating_add(self.y.saturating_abs())
    }
}

/// Registers `Point` and the host functions on `engine`: the Rust side of the scripting API.
fn register_host_api(engine: &mut Engine) {
    engine
        .register_type_with_name::<Point>("Point")
        .register_fn("point", |x: i64, y: i64| Point { x, y })
        .register_get_set("x", |p: &mut Point| p.x, |p: &mut Point, v: i64| p.x = v)
        .register_get_set("y", |p: &mut Point| p.y, |p: &mut Point, v: i64| p.y = v)
        .register_fn("manhattan", |p: &mut Point| p.manhattan())
        .register_fn("+", |a: Point, b: Point| Point {
            x: a.x.saturating_add(b.x),
            y: a.y.saturating_add(b.y),
        })
        .register_fn("to_string", |p: &mut Point| format!("({}, {})", p.x, p.y))
        .register_fn("to_debug", |p: &mut Point| {
            format!("point({}, {})", p.x, p.y)
        })
        .register_fn("percent", percent);
}

/// A fallible host function: its `Err` becomes a runtime error at the script's call site.
fn percent(part: i64, whole: i64) -> Result<i64, Box<EvalAltResult>> {
    if whole == 0 {
        Err("percent: the whole is 0; pass a non-zero whole".into())
    } else {
        Ok(part.saturating_mul(100) / whole)
    }
}
// ANCHOR_END: point

// ANCHOR: sandbox
/// A Rhai engine with the host API registered and [`Limits`] applied. Running a script takes
/// `&self`, so one sandbox serves any number of scripts, and a script that fails leaves it
/// unchanged for the next one.
///
/// ```
/// let sandbox = rhai_scripting::Sandbox::new(Default::default());
/// let sum: i64 = sandbox.run_as("let p = point(1, 2) + point(3, 4); p.x + p.y").unwrap();
/// assert_eq!(sum, 10);
/// ```
#[derive(Debug)]
pub struct Sandbox {
    engine: Engine,
    limits: Limits,
}

impl Sandbox {
    /// Builds the engine: Rhai's standard library, the host API, the limits, and `eval`
    /// disabled (a script must not compile new code around the expression-depth checks).
    ///
    /// ```
    /// let sandbox = rhai_scripting::Sandbox::new(rhai_scripting::Limits::default());
    /// assert!(sandbox.run(r#"eval("1")"#).is_err());
    /// ```
    pub fn new(limits: Limits) -> Self {
        let mut engine = Engine::new();
        register_host_api(&mut engine);
        engine
            .set_max_operations(limits.max_operations)
            .set_max_string_size(limits.max_string_size)
            .set_max_array_size(limits.max_array_size)
            .set_max_map_size(limits.max_map_size)
            .set_max_call_levels(limits.max_call_depth)
            .set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth)
            .disable_symbol("eval");
        Sandbox { engine, limits }
    }

    /// The limits this sandbox applies.
    ///
    /// ```
    /// let sandbox = rhai_scripting::Sandbox::new(Default::default());
    /// assert_eq!(sandbox.limits().max_call_depth, 32);
    /// ```
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
    // ANCHOR_END: sandbox

    // ANCHOR: run
    /// Compiles `script` once, for running many times with [`Sandbox::run_ast`].
    ///
    /// ```
    /// let sandbox = rhai_scripting::Sandbox::new(Default::default());
    /// assert!(sandbox.compile("40 + 2").is_ok());
    /// assert!(sandbox.compile("40 +").is_err());
    /// ```
    pub fn compile(&self, script: &str) -> Result<AST, ScriptError> {
        self.engine
            .compile(script)
            .map_err(|e| ScriptError::from_parse(e, &self.limits))
    }

    /// Runs a compiled script and returns its last expression's value.
    ///
    /// ```
    /// let sandbox = rhai_scripting::Sandbox::new(Default::default());
    /// let ast = sandbox.compile("21 * 2").unwrap();
    /// assert_eq!(sandbox.run_ast(&ast).unwrap().as_int(), Ok(42));
    /// ```
    pub fn run_ast(&self, ast: &AST) -> Result<Dynamic, ScriptError> {
        self.engine
            .eval_ast::<Dynamic>(ast)
            .map_err(|e| ScriptError::from_eval(*e, &self.limits))
    }

    /// Compiles and runs `script`, returning its last expression's value.
    ///
    /// ```
    /// let sandbox = rhai_scripting::Sandbox::new(Default::default());
    /// let value = sandbox.run(r#"point(3, -4).manhattan()"#).unwrap();
    /// assert_eq!(value.as_int(), Ok(7));
    /// ```
    pub fn run(&self, script: &str) -> Result<Dynamic, ScriptError> {
        self.run_ast(&self.compile(script)?)
    }

    /// Like [`Sandbox::run`], but converts the result to `T`, with a [`ScriptError::Runtime`]
    /// if the script returned some other type.
    ///
    /// ```
    /// let sandbox = rhai_scripting::Sandbox::new(Default::default());
    /// assert_eq!(sandbox.run_as::<String>(r#""a" + "b""#).unwrap(), "ab");
    /// assert!(sandbox.run_as::<String>("42").is_err());
    /// ```
    pub fn run_as<T: Clone + 'static>(&self, script: &str) -> Result<T, ScriptError> {
        let value = self.run(script)?;
        let found = value.type_name();
        value.try_cast::<T>().ok_or_else(|| ScriptError::Runtime {
            message: format!(
                "the script returned a value of type {found}, not {}; end the script with an \
                 expression of that type",
                std::any::type_name::<T>()
            ),
            at: Location::default(),
        })
    }
}
// ANCHOR_END: run

/// Where in the script an error happened. Both are 1-based; `None` when Rhai doesn't know
/// (for example, an error raised inside a host function with no script position).
///
/// ```
/// let at = rhai_scripting::Location { line: Some(2), column: Some(5) };
/// assert_eq!(at.to_string(), "line 2, column 5");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Location {
    /// The line, from 1.
    pub line: Option<usize>,
    /// The column, from 1.
    pub column: Option<usize>,
}

impl From<Position> for Location {
    fn from(pos: Position) -> Self {
        Location {
            line: pos.line(),
            column: pos.position(),
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

/// Which of the [`Limits`] a script ran into, with the bound that applied.
///
/// ```
/// let limit = rhai_scripting::Limit::Operations(100);
/// assert_eq!(limit.to_string(), "more than 100 operations");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::max_operations`].
    Operations(u64),
    /// [`Limits::max_string_size`].
    StringSize(usize),
    /// [`Limits::max_array_size`].
    ArraySize(usize),
    /// [`Limits::max_map_size`].
    MapSize(usize),
    /// [`Limits::max_call_depth`].
    CallDepth(usize),
    /// [`Limits::max_expr_depth`] or [`Limits::max_function_expr_depth`].
    ExpressionDepth(usize),
}

impl Limit {
    /// What to do about it: the usual cause, and the [`Limits`] field to raise if the script
    /// is legitimate.
    ///
    /// ```
    /// let advice = rhai_scripting::Limit::CallDepth(32).advice();
    /// assert!(advice.contains("max_call_depth"));
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
                "flatten the nesting with variables, or raise `Limits::max_expr_depth` and \
                 `Limits::max_function_expr_depth`"
            }
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
        }
    }
}

// ANCHOR: error
/// Everything that can go wrong with a script, sorted by what the caller should do about it.
///
/// ```
/// use rhai_scripting::{Sandbox, ScriptError};
///
/// let sandbox = Sandbox::new(Default::default());
/// match sandbox.run("launch_missiles()") {
///     Err(ScriptError::UnknownFunction { signature, .. }) => {
///         assert!(signature.starts_with("launch_missiles"))
///     }
///     other => panic!("expected an unknown-function error, got {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptError {
    /// The script is not valid Rhai; nothing ran.
    Syntax {
        /// Rhai's description of the problem.
        message: String,
        /// Where the parser stopped.
        at: Location,
    },
    /// The script ran into one of the sandbox's limits and was stopped.
    LimitExceeded {
        /// Which limit, with its bound.
        limit: Limit,
        /// Where the script was when it was stopped.
        at: Location,
    },
    /// The script called a function (or operator, or method) that doesn't exist for the
    /// argument types it passed.
    UnknownFunction {
        /// The call as Rhai saw it: name and argument types.
        signature: String,
        /// Where the call is.
        at: Location,
    },
    /// Any other error while running: `throw`, an index out of bounds, division by zero, an
    /// `Err` from a host function, a wrong result type.
    Runtime {
        /// Rhai's description of the problem.
        message: String,
        /// Where it happened.
        at: Location,
    },
}
// ANCHOR_END: error

// ANCHOR: error_display
impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptError::Syntax { message, at } => write!(
                f,
                "syntax error at {at}: {message}; fix the script there (nothing ran)"
            ),
            ScriptError::LimitExceeded { limit, at } => write!(
                f,
                "the script was stopped at {at} for needing {limit}; {}",
                limit.advice()
            ),
            ScriptError::UnknownFunction { signature, at } => write!(
                f,
                "unknown function at {at}: {signature}; check its name and argument types \
                 against the functions the host registers"
            ),
            ScriptError::Runtime { message, at } => write!(
                f,
                "the script failed at {at}: {message}; fix the script there, or catch the \
                 error in the script with `try {{ ... }} catch (err) {{ ... }}`"
            ),
        }
    }
}

impl std::error::Error for ScriptError {}
// ANCHOR_END: error_display

impl ScriptError {
    /// Where in the script the error happened.
    ///
    /// ```
    /// let sandbox = rhai_scripting::Sandbox::new(Default::default());
    /// let error = sandbox.run("1 +\n  nobody").unwrap_err();
    /// assert_eq!(error.location().line, Some(2));
    /// ```
    pub fn location(&self) -> Location {
        match self {
            ScriptError::Syntax { at, .. }
            | ScriptError::LimitExceeded { at, .. }
            | ScriptError::UnknownFunction { at, .. }
            | ScriptError::Runtime { at, .. } => *at,
        }
    }

    fn from_parse(e: ParseError, limits: &Limits) -> Self {
        let at = Location::from(e.position());
        match *e.0 {
            rhai::ParseErrorType::ExprTooDeep => ScriptError::LimitExceeded {
                limit: Limit::ExpressionDepth(limits.max_expr_depth),
                at,
            },
            ref kind => ScriptError::Syntax {
                message: kind.to_string(),
                at,
            },
        }
    }

    fn from_eval(e: EvalAltResult, limits: &Limits) -> Self {
        let at = Location::from(e.position());
        match e {
            // An error inside a script function is wrapped once per call level; the root
            // cause is what the caller can act on.
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
                let what_lower = what.to_lowercase();
                let limit = if what_lower.contains("string") {
                    Limit::StringSize(limits.max_string_size)
                } else if what_lower.contains("map") {
                    Limit::MapSize(limits.max_map_size)
                } else {
                    // "Size of array/BLOB" and "Size of BLOB" share the array limit.
                    Limit::ArraySize(limits.max_array_size)
                };
                ScriptError::LimitExceeded { limit, at }
            }
            EvalAltResult::ErrorFunctionNotFound(signature, _) => {
                ScriptError::UnknownFunction { signature, at }
            }
            mut other => {
                // Taken out so that Rhai's message doesn't repeat the position `at` carries.
                let at = Location::from(other.take_position());
                ScriptError::Runtime {
                    message: other.to_string(),
                    at,
                }
            }
        }
    }
}
