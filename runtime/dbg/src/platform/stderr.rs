//! Native, WASI and every other target with a working stderr: print exactly what
//! `std::dbg!` prints, through the same `eprintln!`. Levels, groups and JS objects have no
//! meaning on a byte stream, so they are dropped and the text stays std's.

use crate::{Level, Line};
use wasm_bindgen::JsValue;

pub(crate) fn print(_level: Level, line: &Line<'_>) {
    eprintln!("{line}");
}

pub(crate) fn print_with_object(level: Level, line: &Line<'_>, _object: &JsValue) {
    print(level, line);
}

#[cfg(feature = "serde")]
pub(crate) fn print_serialized<T: serde::Serialize + ?Sized>(
    level: Level,
    line: &Line<'_>,
    _value: &T,
) {
    print(level, line);
}

pub(crate) fn group_open(_label: &str) {}

pub(crate) fn group_close() {}
