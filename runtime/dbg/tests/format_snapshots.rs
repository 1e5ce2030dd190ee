//! Snapshots of the one formatting function, `format_line`, on the kinds of value the
//! crate must print as std does. Native only: insta does not run on wasm32.
#![cfg(not(target_family = "wasm"))]

mod common;

use common::{Shape, Unit, inner, map, outer};
use std::fmt::Debug;
use wasm_rs_dbg::{Location, format_line};

const HERE: Location = Location::new("src/main.rs", 12, 5);

/// Each `(expr, value)` as `format_line` prints it, one after the other.
fn lines(cases: &[(&str, &dyn Debug)]) -> String {
    cases
        .iter()
        .map(|(expr, value)| format_line(HERE, expr, *value))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn integers_and_floats() {
    insta::assert_snapshot!(lines(&[
        ("42", &42),
        ("-7i64", &-7i64),
        ("u128::MAX", &u128::MAX),
        ("i64::MIN", &i64::MIN),
        ("1.5f64", &1.5f64),
        ("f64::NAN", &f64::NAN),
        ("1 + 2 * 3", &(1 + 2 * 3)),
    ]));
}

#[test]
fn strings_chars_and_unicode() {
    insta::assert_snapshot!(lines(&[
        ("\"text\"", &"text"),
        ("s", &"quote \" and \\ and\nnewline\ttab"),
        ("\"ünïcødé ✓ 🦀\"", &"ünïcødé ✓ 🦀"),
        ("'\\u{1F980}'", &'\u{1F980}'),
        ("'\\0'", &'\0'),
        ("String::new()", &String::new()),
    ]));
}

#[test]
fn nested_structs_multi_line() {
    insta::assert_snapshot!(lines(&[("inner()", &inner()), ("outer()", &outer())]));
}

#[test]
fn enums_and_options() {
    insta::assert_snapshot!(lines(&[
        ("Shape::Empty", &Shape::Empty),
        (
            "Shape::Circle { radius: 0.5 }",
            &Shape::Circle { radius: 0.5 }
        ),
        ("Shape::Polygon(..)", &Shape::Polygon(vec![(0, 0), (1, -1)])),
        ("Some(Ok(..))", &Some(Ok::<_, ()>(vec![Some(1)]))),
        ("None::<u8>", &None::<u8>),
    ]));
}

#[test]
fn tuples_unit_and_collections() {
    insta::assert_snapshot!(lines(&[
        ("(1, \"a\", [1u8, 2])", &(1, "a", [1u8, 2])),
        ("(1,)", &(1,)),
        ("()", &()),
        ("Unit", &Unit),
        ("Vec::<u8>::new()", &Vec::<u8>::new()),
        ("map()", &map()),
    ]));
}

#[test]
fn location_alone_is_std_empty_dbg() {
    // `dbg!()` prints `[file:line:col]`: the location's Display between brackets.
    assert_eq!(format!("[{HERE}]"), "[src/main.rs:12:5]");
    let text = format_line(HERE, "x", &1);
    assert!(text.starts_with("[src/main.rs:12:5] "), "{text}");
}
