//! On wasm32-unknown-unknown (Node, browser main thread, worker): what reaches the JS
//! console, compared line by line with the text std's `dbg!` prints for the same
//! expression at the same place. The expected text is built here with std's own format
//! string, `"[{}:{}:{}] {} = {:#?}"`, from `file!()`, `line!()`, `column!()` and
//! `stringify!`; `std_parity.rs` checks natively that the crate matches real `std::dbg!`.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

mod common;

use common::console::{Call, assert_same_lines, capture, expected_prefix, json, same};
use common::{Shape, Unit, inner, map, outer};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_dbg::{Level, dbg, dbg_group, dbg_js, dbg_serde, dbg_with};

/// `dbg!($e)` and, from the same macro call (so `column!()` is the same), the line std
/// would print for it. `$e` is evaluated once, by `dbg!`.
macro_rules! case {
    ($expected:ident, $e:expr) => {{
        let returned = dbg!($e);
        $expected.push(format!(
            "[{}:{}:{}] {} = {:#?}",
            file!(),
            line!(),
            column!(),
            stringify!($e),
            &returned
        ));
    }};
}

fn assert_log_lines(calls: &[Call], expected: &[String], method: &str) {
    assert_eq!(
        calls.len(),
        expected.len(),
        "one console call per dbg!: {calls:?}"
    );
    let prefix = expected_prefix();
    for (call, want) in calls.iter().zip(expected) {
        assert_eq!(call.method, method, "{call:?}");
        assert_eq!(call.args.len(), 1, "text only: {call:?}");
        assert_same_lines(&call.text(0), &format!("{prefix}{want}"));
    }
}

#[wasm_bindgen_test]
fn values_print_std_text_to_console_log() {
    let mut expected = Vec::new();
    let ((), calls) = capture(|| {
        case!(expected, 42);
        case!(expected, -7i64);
        case!(expected, u128::MAX);
        case!(expected, i64::MIN);
        case!(expected, 1.5f64);
        case!(expected, 1 + 2 * 3);
        case!(expected, "text");
        case!(expected, String::from("quote \" and \\ and\nnewline"));
        case!(expected, "ünïcødé ✓ 🦀");
        case!(expected, '\u{1F980}');
        case!(expected, inner());
        case!(expected, outer());
        case!(expected, Shape::Empty);
        case!(expected, Shape::Circle { radius: 0.5 });
        case!(expected, Shape::Polygon(vec![(0, 0), (1, -1)]));
        case!(expected, (1, "a", [1u8, 2]));
        case!(expected, ());
        case!(expected, Unit);
        case!(expected, Vec::<u8>::new());
        case!(expected, map());
        case!(expected, Some(Ok::<_, ()>(vec![Some(1)])));
    });
    assert_eq!(expected.len(), 21);
    assert!(
        expected.iter().any(|line| line.lines().count() > 10),
        "a multi-line value is among the cases"
    );
    assert_log_lines(&calls, &expected, "log");
}

#[wasm_bindgen_test]
fn no_value_prints_the_location_alone() {
    let mut expected = String::new();
    let ((), calls) = capture(|| {
        macro_rules! empty_case {
            () => {{
                dbg!();
                expected = format!("[{}:{}:{}]", file!(), line!(), column!());
            }};
        }
        empty_case!();
    });
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].method, "log");
    assert_same_lines(
        &calls[0].text(0),
        &format!("{}{expected}", expected_prefix()),
    );
}

#[wasm_bindgen_test]
fn tuple_form_prints_one_line_per_value_at_the_same_location() {
    let mut expected = Vec::new();
    let (returned, calls) = capture(|| {
        macro_rules! pair_case {
            ($a:expr, $b:expr) => {{
                let returned = dbg!($a, $b,);
                for (expr, value) in [
                    (stringify!($a), &returned.0 as &dyn std::fmt::Debug),
                    (stringify!($b), &returned.1),
                ] {
                    expected.push(format!(
                        "[{}:{}:{}] {} = {:#?}",
                        file!(),
                        line!(),
                        column!(),
                        expr,
                        value
                    ));
                }
                returned
            }};
        }
        pair_case!(2 * 21, Shape::Circle { radius: 2.0 })
    });
    assert_eq!(returned, (42, Shape::Circle { radius: 2.0 }));
    assert_log_lines(&calls, &expected, "log");
}

#[wasm_bindgen_test]
fn level_per_call_and_at_run_time() {
    struct ResetLevel;
    impl Drop for ResetLevel {
        fn drop(&mut self) {
            wasm_rs_dbg::set_level(Level::default());
        }
    }
    let _reset = ResetLevel;
    assert_eq!(
        wasm_rs_dbg::level(),
        Level::Log,
        "the default is console.log"
    );

    let (values, calls) = capture(|| {
        (
            dbg_with!(debug, 1),
            dbg_with!(log, 2),
            dbg_with!(info, 3),
            dbg_with!(warn, 4),
            dbg_with!(error, 5),
            dbg_with!(Level::Warn, 6, 7),
        )
    });
    assert_eq!(values, (1, 2, 3, 4, 5, (6, 7)));
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(
        methods,
        ["debug", "log", "info", "warn", "error", "warn", "warn"]
    );
    assert!(calls[3].text(0).ends_with("] 4 = 4"), "{:?}", calls[3]);

    wasm_rs_dbg::set_level(Level::Info);
    let ((), calls) = capture(|| {
        dbg!(1);
        dbg!();
        dbg_group!(2, 3);
        dbg_with!(error, 4);
    });
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(
        methods,
        [
            "info",
            "info",
            "groupCollapsed",
            "info",
            "info",
            "groupEnd",
            "error"
        ]
    );
}

#[wasm_bindgen_test]
fn group_wraps_std_lines_in_one_collapsed_group() {
    let mut expected = Vec::new();
    let mut label = String::new();
    let (returned, calls) = capture(|| {
        macro_rules! group_case {
            ($a:expr, $b:expr) => {{
                let returned = dbg_group!($a, $b);
                label = format!("[{}:{}:{}] ", file!(), line!(), column!());
                expected.push(format!(
                    "[{}:{}:{}] {} = {:#?}",
                    file!(),
                    line!(),
                    column!(),
                    stringify!($a),
                    &returned.0
                ));
                expected.push(format!(
                    "[{}:{}:{}] {} = {:#?}",
                    file!(),
                    line!(),
                    column!(),
                    stringify!($b),
                    &returned.1
                ));
                returned
            }};
        }
        group_case!(outer(), "second")
    });
    assert_eq!(returned, (outer(), "second"));
    assert_eq!(calls.len(), 4, "{calls:?}");
    let prefix = expected_prefix();
    assert_eq!(calls[0].method, "groupCollapsed");
    let group_label = calls[0].text(0);
    assert!(
        group_label.starts_with(&format!("{prefix}{label}")),
        "{group_label}"
    );
    assert!(group_label.contains("outer()"), "{group_label}");
    assert!(group_label.contains("\"second\""), "{group_label}");
    assert_log_lines(&calls[1..3], &expected, "log");
    assert_eq!(calls[3].method, "groupEnd");
    assert!(calls[3].args.is_empty());
}

#[wasm_bindgen_test]
fn group_is_closed_when_a_value_returns_early() {
    fn early() -> Option<(i32, i32)> {
        Some(dbg_group!(Some(1)?, None::<i32>?))
    }
    let (result, calls) = capture(early);
    assert_eq!(result, None);
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods, ["groupCollapsed", "log", "groupEnd"]);
}

#[wasm_bindgen_test]
fn js_values_are_passed_as_live_objects() {
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &"answer".into(), &42.into()).expect("set a property");
    let mut expected = String::new();
    let (returned, calls) = capture(|| {
        macro_rules! js_case {
            ($e:expr) => {{
                let returned = dbg_js!($e);
                expected = format!(
                    "[{}:{}:{}] {} = {:#?}",
                    file!(),
                    line!(),
                    column!(),
                    stringify!($e),
                    &returned
                );
                returned
            }};
        }
        js_case!(object.clone())
    });
    assert!(same(&returned, &object), "the value is returned");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(call.method, "log");
    assert_eq!(call.args.len(), 3, "{call:?}");
    assert_eq!(call.text(0), "%s", "the text is never read as a format");
    assert_same_lines(&call.text(1), &format!("{}{expected}", expected_prefix()));
    assert!(same(&call.args[2], &object), "the very same object");

    let (value, calls) = capture(|| dbg_js!(JsValue::from_str("100%o")));
    assert_eq!(value.as_string().as_deref(), Some("100%o"));
    assert_eq!(calls[0].args.len(), 3);
    assert!(calls[0].text(1).contains("100%o"));
}

#[wasm_bindgen_test]
fn serde_values_are_passed_as_plain_objects() {
    let (returned, calls) = capture(|| dbg_serde!(outer()));
    assert_eq!(returned, outer());
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(call.args.len(), 3, "{call:?}");
    assert!(
        call.text(1).contains("] outer() = Outer {"),
        "{}",
        call.text(1)
    );
    assert_eq!(
        json(&call.args[2]),
        serde_json::to_string(&outer()).expect("serde_json")
    );

    let (returned, calls) = capture(|| dbg_serde!(map(), Shape::Polygon(vec![(1, 2)])));
    assert_eq!(returned, (map(), Shape::Polygon(vec![(1, 2)])));
    assert_eq!(calls.len(), 2);
    assert_eq!(
        json(&calls[0].args[2]),
        serde_json::to_string(&map()).expect("serde_json"),
        "maps become plain objects"
    );
}

#[wasm_bindgen_test]
fn serde_failure_is_reported_in_place_of_the_object() {
    #[derive(Debug)]
    struct Refuses;
    impl serde::Serialize for Refuses {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("this type refuses to serialize"))
        }
    }
    let (_, calls) = capture(|| dbg_serde!(Refuses));
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(calls[0].text(1).ends_with("] Refuses = Refuses"));
    let reason = calls[0].text(2);
    assert!(
        reason.contains("this type refuses to serialize"),
        "{reason}"
    );
    assert!(reason.contains("dbg_js!"), "says what to do next: {reason}");
}
