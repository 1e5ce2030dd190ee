//! In a named worker every line starts with `[name] `; elsewhere a global `name` (a page's
//! `window.name`, a global in Node) is not a worker name and adds nothing.
//!
//! The crate reads the worker's name once per thread, at its first line, as a worker's name
//! is fixed at creation. The test runner's worker has no name, so this test gives the global
//! object one before anything is printed; that is why it is alone in its test binary (one
//! wasm instance, nothing printed before it).
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

mod common;

use common::console::{capture, in_worker, with_global_name};
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_dbg::{dbg, dbg_group, dbg_js};

#[wasm_bindgen_test]
fn worker_lines_start_with_the_worker_name() {
    let ((), calls) = with_global_name("dbg-test-worker", || {
        capture(|| {
            dbg!(1);
            dbg!();
            dbg_group!(2, 3);
            dbg_js!(wasm_bindgen::JsValue::from(4));
        })
    });
    let texts: Vec<String> = calls
        .iter()
        .filter(|c| c.method != "groupEnd")
        .map(|c| c.text(if c.args.len() == 3 { 1 } else { 0 }))
        .collect();
    assert_eq!(texts.len(), 6, "{calls:?}");
    let std_start = format!("[{}:", file!());
    for text in &texts {
        if in_worker() {
            assert_eq!(
                text.strip_prefix("[dbg-test-worker] ")
                    .map(|rest| rest.starts_with(&std_start)),
                Some(true),
                "{text}"
            );
        } else {
            assert!(text.starts_with(&std_start), "{text}");
        }
    }
}
