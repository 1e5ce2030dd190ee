//! What both test files share: the hostile scripts, the good script, and how an error is
//! checked.

#![allow(dead_code, unreachable_pub)]

use rhai_engine_worker::{Limit, Limits, ScriptError, Value};

/// Small limits so that each hostile script ends quickly even in a debug wasm build.
pub fn test_limits() -> Limits {
    Limits {
        max_operations: 200_000,
        max_sleep_ms: 50,
        max_emits: 100,
        ..Limits::default()
    }
}

/// The kind of error a hostile script must end in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Operations,
    CallDepth,
    StringSize,
    ArraySize,
    MapSize,
    ExpressionDepth,
    SleepMs,
    Emits,
    Syntax,
    UnknownFunction,
    Runtime,
}

/// A hostile script: a name for the failure message, the source, and the error it must get.
pub type Hostile = (&'static str, String, Expect);

// ANCHOR: hostile
/// Scripts that run forever, recurse without end, grow strings, arrays and maps without
/// bound, are not Rhai at all, or call what does not exist.
pub fn hostile_scripts() -> Vec<Hostile> {
    use Expect::*;
    let s = |text: &str| text.to_string();
    vec![
        ("empty loop", s("loop {}"), Operations),
        (
            "while true",
            s("let x = 0; while true { x += 1; }"),
            Operations,
        ),
        (
            "huge range",
            s("let n = 0; for i in 0..1000000000000 { n += i; } n"),
            Operations,
        ),
        (
            "catch the stop",
            s("loop { try { loop {} } catch (e) { } }"),
            Operations,
        ),
        (
            "recursion",
            s("fn down(n) { down(n + 1) } down(0)"),
            CallDepth,
        ),
        (
            "recursion in an expression",
            s("fn f(n) { 1 + f(n) } f(1)"),
            CallDepth,
        ),
        (
            "mutual recursion",
            s("fn a(n) { b(n) } fn b(n) { a(n) } a(1)"),
            CallDepth,
        ),
        (
            "doubling string",
            s(r#"let s = "x"; loop { s += s; }"#),
            StringSize,
        ),
        (
            "padded string",
            s(r#"let s = "ab"; s.pad(100000000, "!"); s"#),
            StringSize,
        ),
        (
            "growing array",
            s("let a = []; loop { a.push(1); }"),
            ArraySize,
        ),
        (
            "doubling array",
            s("let a = [1]; loop { a += a; }"),
            ArraySize,
        ),
        // ANCHOR_END: hostile
        // ANCHOR: hostile_more
        (
            "nested arrays",
            s("let a = []; loop { a = [a]; }"),
            ArraySize,
        ),
        // Rhai 1.27 checks a map's size when it is passed to a function, not on index
        // assignment: a map growing by `m[k] = v` alone is stopped by the operations limit.
        (
            "growing map",
            s(r#"let m = #{}; let i = 0; loop { m["k" + i] = i; i += 1; }"#),
            Operations,
        ),
        (
            "growing map, measured",
            s(r#"let m = #{}; let i = 0; loop { m["k" + i] = i; i += 1; let n = m.len(); }"#),
            MapSize,
        ),
        (
            "deep parentheses",
            format!("{}1{}", "(".repeat(200), ")".repeat(200)),
            ExpressionDepth,
        ),
        ("long sleep", s("sleep(60000)"), SleepMs),
        ("endless emits", s("loop { emit(1); }"), Emits),
        ("dangling operator", s("let x = 1 +\n  ;"), Syntax),
        ("no name", s("let = 5;"), Syntax),
        ("bad fn", s("fn (x) { x }"), Syntax),
        ("garbage", s("}}}{{{ ]]] @@@"), Syntax),
        ("unterminated string", s("let s = \"never closed;"), Syntax),
        ("eval is off", s(r#"eval("1 + 1")"#), Syntax),
        ("unknown function", s("launch_missiles(3)"), UnknownFunction),
        (
            "unknown method",
            s(r#""text".no_such_method()"#),
            UnknownFunction,
        ),
        ("unknown operator", s(r#""a" * true"#), UnknownFunction),
        ("throw", s(r#"throw "boom""#), Runtime),
        ("index out of bounds", s("let a = [1, 2]; a[10]"), Runtime),
        ("division by zero", s("let z = 0; 1 / z"), Runtime),
        ("negative sleep", s("sleep(-5)"), Runtime),
        // ANCHOR_END: hostile_more
    ]
}

/// The script run after each hostile one, and what it must return for `good_event()`.
pub const GOOD_SCRIPT: &str = r#"
fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }
let total = 0;
for x in event { total += x; }
fib(10) + total
"#;

/// The event for [`GOOD_SCRIPT`]: `[1, 2, 3]`.
pub fn good_event() -> Value {
    Value::Array(vec![Value::Int(1), Value::Int(2), Value::Int(3)])
}

/// `fib(10) + 1 + 2 + 3`.
pub const GOOD_ANSWER: Value = Value::Int(61);

/// Checks that `error` is the kind `expect` names, that its message is readable and says
/// what to do, and that it has a line (every kind here happens at a place in the script).
pub fn check(name: &str, error: &ScriptError, expect: Expect) -> Result<(), String> {
    let kind = match error {
        ScriptError::LimitExceeded { limit, .. } => match limit {
            Limit::Operations(_) => Some(Expect::Operations),
            Limit::CallDepth(_) => Some(Expect::CallDepth),
            Limit::StringSize(_) => Some(Expect::StringSize),
            Limit::ArraySize(_) => Some(Expect::ArraySize),
            Limit::MapSize(_) => Some(Expect::MapSize),
            Limit::ExpressionDepth(_) => Some(Expect::ExpressionDepth),
            Limit::SleepMs(_) => Some(Expect::SleepMs),
            Limit::Emits(_) => Some(Expect::Emits),
        },
        ScriptError::Syntax { .. } => Some(Expect::Syntax),
        ScriptError::UnknownFunction { .. } => Some(Expect::UnknownFunction),
        ScriptError::Runtime { .. } => Some(Expect::Runtime),
        ScriptError::Cancelled { .. }
        | ScriptError::UnknownScript { .. }
        | ScriptError::EngineCrashed { .. } => None,
    };
    let kind_ok = kind == Some(expect);
    if !kind_ok {
        return Err(format!("{name}: expected {expect:?}, got {error:?}"));
    }
    if error.location().line.is_none() {
        return Err(format!("{name}: the error has no line: {error:?}"));
    }
    let message = error.to_string();
    if !(message.contains("; ") && message.len() > 40) {
        return Err(format!(
            "{name}: the message does not say what to do: {message}"
        ));
    }
    Ok(())
}
