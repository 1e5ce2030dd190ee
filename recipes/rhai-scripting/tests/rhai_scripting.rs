//! Tests of the rhai-scripting recipe, written once and run natively, on WASI, in Node, and in
//! browsers (main thread and worker). The insta snapshots of results and error messages are
//! native only (insta reads and writes files); every environment checks the error kinds.

use rhai_scripting::{Limit, Limits, Location, Sandbox, ScriptError};
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test;

/// What a hostile script must end in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Syntax,
    Operations,
    StringSize,
    ArraySize,
    MapSize,
    CallDepth,
    ExpressionDepth,
    UnknownFunction,
    Runtime,
}

fn kind(e: &ScriptError) -> Expect {
    match e {
        ScriptError::Syntax { .. } => Expect::Syntax,
        ScriptError::LimitExceeded { limit, .. } => match limit {
            Limit::Operations(_) => Expect::Operations,
            Limit::StringSize(_) => Expect::StringSize,
            Limit::ArraySize(_) => Expect::ArraySize,
            Limit::MapSize(_) => Expect::MapSize,
            Limit::CallDepth(_) => Expect::CallDepth,
            Limit::ExpressionDepth(_) => Expect::ExpressionDepth,
        },
        ScriptError::UnknownFunction { .. } => Expect::UnknownFunction,
        ScriptError::Runtime { .. } => Expect::Runtime,
    }
}

/// The "bad input" set: (name, script, the error it must end in).
fn hostile_scripts() -> Vec<(&'static str, String, Expect)> {
    let nested_parens = format!("{}1{}", "(".repeat(500), ")".repeat(500));
    let nested_blocks = format!("{}1{}", "{".repeat(500), "}".repeat(500));
    let nested_in_fn = format!("fn f() {{ {}1{} }} f()", "[".repeat(200), "]".repeat(200));
    let s = |text: &str| text.to_string();
    vec![
        // Infinite and very long loops.
        ("loop", s("loop {}"), Expect::Operations),
        ("while true", s("while true {}"), Expect::Operations),
        (
            "do while",
            s("do { let x = 1; } while true"),
            Expect::Operations,
        ),
        (
            "counting forever",
            s("let i = 0; while i >= 0 { i += 1; }"),
            Expect::Operations,
        ),
        (
            "a billion iterations",
            s("let sum = 0; for i in 0..1_000_000_000 { sum += i; } sum"),
            Expect::Operations,
        ),
        // Deep recursion.
        (
            "recursion",
            s("fn f(n) { f(n + 1) } f(0)"),
            Expect::CallDepth,
        ),
        (
            "factorial without a base case",
            s("fn fact(n) { n * fact(n - 1) } fact(10)"),
            Expect::CallDepth,
        ),
        (
            "mutual recursion",
            s("fn a(n) { b(n) } fn b(n) { a(n) } a(1)"),
            Expect::CallDepth,
        ),
        ("nested parentheses", nested_parens, Expect::ExpressionDepth),
        ("nested blocks", nested_blocks, Expect::ExpressionDepth),
        (
            "nested arrays in a function",
            nested_in_fn,
            Expect::ExpressionDepth,
        ),
        // Huge strings.
        (
            "doubling a string",
            s(r#"let s = "x"; loop { s += s; }"#),
            Expect::StringSize,
        ),
        (
            "string in a for loop",
            s(r#"let s = "ab"; for i in 0..40 { s = s + s; } s.len()"#),
            Expect::StringSize,
        ),
        (
            "padding a string",
            s(r#"let s = ""; s.pad(1_000_000, 'y'); s.len()"#),
            Expect::StringSize,
        ),
        // Huge arrays and maps.
        (
            "pushing forever",
            s("let a = []; loop { a.push(1); }"),
            Expect::ArraySize,
        ),
        (
            "doubling an array",
            s("let a = [1]; loop { a += a; }"),
            Expect::ArraySize,
        ),
        (
            "padding an array",
            s("let a = [0]; a.pad(10_000_000, 0); a.len()"),
            Expect::ArraySize,
        ),
        (
            "nesting arrays",
            s("let a = [1]; loop { a = [a, a]; }"),
            Expect::ArraySize,
        ),
        (
            "growing a map",
            s(r#"let m = #{}; let i = 0; loop { m.set("k" + i, i); i += 1; }"#),
            Expect::MapSize,
        ),
        (
            "merging maps",
            s(r#"let m = #{}; let i = 0; loop { let n = #{}; n["k" + i] = i; m += n; i += 1; }"#),
            Expect::MapSize,
        ),
        // Every way to grow a value, each stopped by the limit that bounds it.
        (
            "+= on a string",
            s(r#"let s = "x"; loop { s += "yyyyyyyy"; }"#),
            Expect::StringSize,
        ),
        (
            "appending to a string",
            s(r#"let s = ""; loop { s.append("yyyyyyyy"); }"#),
            Expect::StringSize,
        ),
        (
            "a string inside an array",
            s(r#"let a = [""]; loop { a[0] += "yyyyyyyy"; }"#),
            Expect::StringSize,
        ),
        (
            "a string in a map property",
            s(r#"let m = #{ s: "" }; loop { m.s += "yyyyyyyy"; }"#),
            Expect::StringSize,
        ),
        (
            "a function returning a huge string",
            s("let a = []; a.pad(5_000, 1_234_567); a.to_string()"),
            Expect::StringSize,
        ),
        (
            "inserting into an array",
            s("let a = []; loop { a.insert(0, 1); }"),
            Expect::ArraySize,
        ),
        (
            "appending arrays",
            s("let a = []; loop { a.append([1, 2, 3, 4, 5, 6, 7, 8]); }"),
            Expect::ArraySize,
        ),
        (
            "adding arrays",
            s("let a = []; loop { a = a + [1, 2, 3, 4, 5, 6, 7, 8]; }"),
            Expect::ArraySize,
        ),
        (
            "an array in a map property",
            s("let m = #{ a: [] }; loop { m.a.append([1, 2, 3, 4, 5, 6, 7, 8]); }"),
            Expect::ArraySize,
        ),
        (
            "an array inside an array",
            s("let a = [[]]; loop { a[0].append([1, 2, 3, 4, 5, 6, 7, 8]); }"),
            Expect::ArraySize,
        ),
        (
            "growing a BLOB",
            s("let b = blob(); loop { b.append(blob(64, 0)); }"),
            Expect::ArraySize,
        ),
        (
            "padding a BLOB",
            s("let b = blob(); b.pad(10_000_000, 0); b.len()"),
            Expect::ArraySize,
        ),
        (
            "mixing maps in",
            s(
                r#"let m = #{}; let i = 0; loop { let n = #{}; n.set(`k${i}`, i); m.mixin(n); i += 1; }"#,
            ),
            Expect::MapSize,
        ),
        (
            "nesting maps",
            s("let m = #{}; loop { m = #{ inner: m, x: 1 }; }"),
            Expect::MapSize,
        ),
        // Rhai 1.27 does not size-check `m[key] = value` on a new key; the operations limit
        // still stops the loop, long before memory runs out.
        (
            "growing a map by index",
            s(r#"let m = #{}; let i = 0; loop { m["k" + i] = i; i += 1; }"#),
            Expect::Operations,
        ),
        // Syntax garbage.
        ("missing value", s("let x = ;"), Expect::Syntax),
        ("brackets inside out", s("}{)("), Expect::Syntax),
        ("unfinished function", s("fn ("), Expect::Syntax),
        ("unterminated string", s(r#""unterminated"#), Expect::Syntax),
        ("no variable name", s("let = 5;"), Expect::Syntax),
        ("line noise", s("@#$% ^&*"), Expect::Syntax),
        ("eval is disabled", s(r#"eval("loop {}")"#), Expect::Syntax),
        // Calls to unknown functions.
        (
            "unknown function",
            s("launch_missiles()"),
            Expect::UnknownFunction,
        ),
        (
            "unknown method",
            s("point(1, 2).teleport()"),
            Expect::UnknownFunction,
        ),
        (
            "unknown operator",
            s("point(1, 2) * 3"),
            Expect::UnknownFunction,
        ),
        (
            "wrong argument types",
            s(r#"point("a", "b")"#),
            Expect::UnknownFunction,
        ),
        ("wrong arity", s("percent(1)"), Expect::UnknownFunction),
        // Other runtime errors.
        ("throw", s(r#"throw "boom""#), Expect::Runtime),
        (
            "division by zero",
            s("let zero = 0; 1 / zero"),
            Expect::Runtime,
        ),
        ("index out of bounds", s("[1, 2, 3][10]"), Expect::Runtime),
        ("failing host function", s("percent(1, 0)"), Expect::Runtime),
        ("undefined variable", s("nobody + 1"), Expect::Runtime),
    ]
}

/// The script run after the hostile ones: 1..=10 summed as points, then a host function.
const GOOD_SCRIPT: &str = "
    let total = point(0, 0);
    for i in 1..=10 { total += point(i, -i); }
    total.manhattan() + percent(1, 4)
";
const GOOD_ANSWER: i64 = 110 + 25;

// ANCHOR: hostile
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn hostile_scripts_each_get_a_clear_error_and_a_good_script_still_runs() {
    let sandbox = Sandbox::new(Limits::default());
    let hostile = hostile_scripts();
    assert!(
        hostile.len() >= 20,
        "the bad-input set has at least 20 scripts"
    );
    for (name, script, expected) in &hostile {
        let error = match sandbox.run(script) {
            Ok(value) => panic!("{name}: expected {expected:?}, but it returned {value:?}"),
            Err(e) => e,
        };
        assert_eq!(kind(&error), *expected, "{name}: {error}");
        let message = error.to_string();
        assert!(
            message.contains("; ") && message.len() > 40,
            "{name}: the message says what happened and what to do: {message}"
        );
    }
    // The same sandbox, after every failure above, still gives the right answer.
    assert_eq!(sandbox.run_as::<i64>(GOOD_SCRIPT), Ok(GOOD_ANSWER));
}
// ANCHOR_END: hostile

#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn registered_type_and_functions_work_from_scripts() {
    let sandbox = Sandbox::new(Limits::default());
    let p: rhai_scripting::Point = sandbox
        .run_as("let p = point(1, 2); p.x += 10; p.y = -p.y; p + point(1, 1)")
        .unwrap();
    assert_eq!(p, rhai_scripting::Point { x: 12, y: -1 });
    assert_eq!(
        sandbox.run_as::<String>("`${point(3, 4)}`").unwrap(),
        "(3, 4)"
    );
    assert_eq!(sandbox.run_as::<i64>("percent(3, 12)"), Ok(25));
}

#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn a_compiled_script_runs_many_times() {
    let sandbox = Sandbox::new(Limits::default());
    let ast = sandbox
        .compile("let s = 0; for i in 0..100 { s += i; } s")
        .unwrap();
    for _ in 0..3 {
        assert_eq!(sandbox.run_ast(&ast).unwrap().as_int(), Ok(4950));
    }
}

#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn errors_carry_the_line_and_column() {
    let sandbox = Sandbox::new(Limits::default());
    let error = sandbox
        .run("let x = 1;\nlet y = 2;\n  throw \"boom\";")
        .unwrap_err();
    assert!(
        matches!(
            error,
            ScriptError::Runtime {
                at: Location {
                    line: Some(3),
                    column: Some(3)
                },
                ..
            }
        ),
        "{error:?}"
    );
    let error = sandbox.run("let x = 1;\nlet y = ;").unwrap_err();
    assert!(
        matches!(
            error,
            ScriptError::Syntax {
                at: Location { line: Some(2), .. },
                ..
            }
        ),
        "{error:?}"
    );
}

#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn limits_are_the_ones_given() {
    let script = "let s = 0; for i in 0..1000 { s += i; } s";
    assert_eq!(
        Sandbox::new(Limits::default()).run_as::<i64>(script),
        Ok(499_500)
    );
    let tight = Sandbox::new(Limits {
        max_operations: 500,
        ..Limits::default()
    });
    assert_eq!(
        tight.run(script).unwrap_err(),
        ScriptError::LimitExceeded {
            limit: Limit::Operations(500),
            at: tight.run(script).unwrap_err().location(),
        }
    );
    let short = Sandbox::new(Limits {
        max_string_size: 3,
        ..Limits::default()
    });
    assert!(short.run_as::<String>(r#""abc""#).is_ok());
    assert!(matches!(
        short.run(r#""abc" + "d""#),
        Err(ScriptError::LimitExceeded {
            limit: Limit::StringSize(3),
            ..
        })
    ));
}

#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn a_wrong_result_type_is_a_clear_error() {
    let sandbox = Sandbox::new(Limits::default());
    let error = sandbox.run_as::<String>("42").unwrap_err();
    assert!(
        error.to_string().contains("returned a value of type i64"),
        "{error}"
    );
}

/// Natively, the results and messages are pinned by insta snapshots (tests/snapshots/).
#[cfg(not(target_arch = "wasm32"))]
mod snapshots {
    use super::*;

    #[test]
    fn hostile_script_errors_match_the_snapshot() {
        let sandbox = Sandbox::new(Limits::default());
        let report: String = hostile_scripts()
            .iter()
            .map(|(name, script, _)| {
                let error = sandbox.run(script).expect_err("hostile scripts fail");
                format!("{name}:\n  {error}\n")
            })
            .collect();
        insta::assert_snapshot!("hostile_script_errors", report);
    }

    #[test]
    fn good_script_results_match_the_snapshot() {
        let sandbox = Sandbox::new(Limits::default());
        let scripts = [
            GOOD_SCRIPT,
            "point(1, 2) + point(3, 4)",
            "let p = point(-5, 7); [p.x, p.y, p.manhattan()]",
            r#"let m = #{ name: "origin", at: point(0, 0) }; m"#,
            r#"`${point(1, 1)} is ${percent(1, 3)}% of the way`"#,
            "fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } } fib(15)",
        ];
        let report: String = scripts
            .iter()
            .map(|script| {
                let value = sandbox.run(script).expect("good scripts run");
                // A custom type's `Debug` in a `Dynamic` shows only its type name.
                let shown = match value.clone().try_cast::<rhai_scripting::Point>() {
                    Some(p) => format!("{p:?}"),
                    None => format!("{value:?}"),
                };
                format!("{}\n  => {shown}\n", script.trim())
            })
            .collect();
        insta::assert_snapshot!("good_script_results", report);
    }
}
