//! std's semantics in every environment (native, WASI, Node, browser, worker): each expression
//! is evaluated exactly once, in order, moved in and returned; several give a tuple; a
//! trailing comma after one does not; temporaries live as long as with std's `dbg!`.

mod common;

use std::cell::Cell;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_dbg::{Level, dbg, dbg_group, dbg_serde, dbg_with};

/// Counts its calls and returns the new count.
struct Counter(Cell<u32>);

impl Counter {
    fn new() -> Counter {
        Counter(Cell::new(0))
    }
    fn bump(&self) -> u32 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
}

#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn each_macro_evaluates_once_and_returns_the_value() {
    let c = Counter::new();
    assert_eq!(dbg!(c.bump()), 1);
    assert_eq!(
        dbg!(c.bump(),),
        2,
        "a trailing comma after one value is not a tuple"
    );
    assert_eq!(dbg!(c.bump(), c.bump()), (3, 4), "left to right");
    assert_eq!(dbg!(c.bump(), c.bump(), c.bump(),), (5, 6, 7));
    assert_eq!(dbg_with!(warn, c.bump()), 8);
    assert_eq!(dbg_with!(Level::Error, c.bump(), c.bump()), (9, 10));
    assert_eq!(dbg_group!(c.bump()), 11);
    assert_eq!(dbg_group!(c.bump(), c.bump()), (12, 13));
    assert_eq!(dbg_serde!(c.bump()), 14);
    assert_eq!(dbg_serde!(c.bump(), c.bump()), (15, 16));
    dbg!();
    dbg_with!(info);
    assert_eq!(c.0.get(), 16);
}

#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn values_are_moved_in_and_returned_unchanged() {
    let text = String::from("owned");
    let address = text.as_ptr();
    let back = dbg!(text);
    assert_eq!(back.as_ptr(), address, "moved, not cloned");
    let value = common::outer();
    assert_eq!(dbg_group!(value.clone(), 1).0, value);
    assert_eq!(dbg!((1,)), (1,), "a 1-tuple stays a 1-tuple");
    let mut n = 1;
    *dbg!(&mut n) += 1;
    assert_eq!(n, 2, "a mutable borrow passes through");
}

#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn temporaries_live_to_the_end_of_the_statement_as_with_std() {
    // `&String::from(..)` is a temporary: borrowing it through dbg! must compile and
    // work until the end of the enclosing statement, as it does with std's dbg!.
    let len = dbg!(&String::from("abc")).len();
    assert_eq!(len, 3);
    let both = dbg_group!(&String::from("de"), &vec![1, 2, 3]).1.len() + 1;
    assert_eq!(both, 4);
}

#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn early_return_inside_dbg_stops_like_std() {
    fn first_none(c: &Counter) -> Option<u32> {
        let (a, b) = dbg!(Some(c.bump())?, None::<u32>?);
        Some(a + b + c.bump())
    }
    let c = Counter::new();
    assert_eq!(first_none(&c), None);
    assert_eq!(c.0.get(), 1, "nothing after the `?` ran");
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[wasm_bindgen_test]
fn js_values_are_evaluated_once_and_returned() {
    let c = Counter::new();
    let value = wasm_rs_dbg::dbg_js!(wasm_bindgen::JsValue::from(c.bump()));
    assert_eq!(value.as_f64(), Some(1.0));
    let (a, b) = wasm_rs_dbg::dbg_js!(
        wasm_bindgen::JsValue::from(c.bump()),
        js_sys::Array::of1(&c.bump().into()),
    );
    assert_eq!(a.as_f64(), Some(2.0));
    assert_eq!(b.get(0).as_f64(), Some(3.0));
    assert_eq!(c.0.get(), 3);
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[wasm_bindgen_test]
fn each_call_prints_exactly_once() {
    let c = Counter::new();
    let (value, calls) = common::console::capture(|| dbg!(c.bump(), c.bump()));
    assert_eq!(value, (1, 2));
    // Strip-release builds print nothing; every other build prints one line per value.
    let expected = if wasm_rs_dbg::ENABLED { 2 } else { 0 };
    assert_eq!(calls.len(), expected, "{calls:?}");
}
