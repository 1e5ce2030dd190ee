//! Values shared by the test files: the kinds of value the issue names (integers,
//! strings, nested structs, enums, tuples, multi-line values, unicode), and on wasm the
//! console capture.
#![allow(dead_code)] // each test binary uses a different part

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub(crate) mod console;

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct Inner {
    pub(crate) name: String,
    pub(crate) tags: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct Outer {
    pub(crate) id: u64,
    pub(crate) inner: Inner,
    pub(crate) pair: (i8, char),
    pub(crate) child: Option<Box<Outer>>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) enum Shape {
    Empty,
    Circle { radius: f64 },
    Polygon(Vec<(i32, i32)>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Unit;

pub(crate) fn inner() -> Inner {
    Inner {
        name: "ünïcødé ✓ 🦀".to_owned(),
        tags: vec!["a", "b\tc"],
    }
}

pub(crate) fn outer() -> Outer {
    Outer {
        id: 7,
        inner: inner(),
        pair: (-3, 'λ'),
        child: Some(Box::new(Outer {
            id: 8,
            inner: Inner {
                name: String::new(),
                tags: vec![],
            },
            pair: (0, '\n'),
            child: None,
        })),
    }
}

pub(crate) fn map() -> BTreeMap<&'static str, Vec<u8>> {
    BTreeMap::from([("one", vec![1]), ("two", vec![2, 2])])
}
