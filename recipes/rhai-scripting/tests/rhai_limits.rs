//! What Rhai 1.27's limits bound and what they don't, pinned (see the crate docs, "What the
//! limits do not bound"): run natively, on WASI, in Node and in browsers.

use rhai_scripting::{Limit, Limits, Sandbox, ScriptError};
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test;

fn sandbox(limits: Limits) -> Sandbox {
    Sandbox::new(limits)
}

/// The array limit counts the elements of nested arrays too, so it bounds how deep a script
/// can nest them: with 100, wrapping a value in a new array stops at depth 100.
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
fn the_array_limit_bounds_how_deep_arrays_nest() {
    let limits = Limits {
        max_array_size: 100,
        ..Limits::default()
    };
    let deepest = sandbox(limits)
        .run_as::<i64>("let a = 0; let depth = 0; loop { a = [a]; depth += 1; if depth > 1000 { break; } } depth")
        .unwrap_err();
    match deepest {
        ScriptError::LimitExceeded {
            limit: Limit::ArraySize(100),
            ..
        } => {}
        other => panic!("expected the array limit, got {other:?}"),
    }
    // Just under the limit, the same nesting is fine.
    let depth = sandbox(limits)
        .run_as::<i64>("let a = 0; let depth = 0; while depth < 99 { a = [a]; depth += 1; } depth")
        .unwrap();
    assert_eq!(depth, 99);
}

/// Rhai 1.27 checks a map's size when the map is passed to a function, not on
/// `m[key] = value`: a map grown only by indexed assignment takes 100 keys past a limit of
/// 10, and the first function call on it is refused.
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen_test)]
fn indexed_assignment_skips_the_map_limit_until_the_next_call() {
    let limits = Limits {
        max_map_size: 10,
        ..Limits::default()
    };
    let grow = "let m = #{}; let n = 0; for i in 0..100 { m[`k${i}`] = i; n += 1; }";
    let grown = sandbox(limits).run_as::<i64>(&format!("{grow} n")).unwrap();
    assert_eq!(grown, 100, "100 keys went in past a limit of 10");
    let refused = sandbox(limits).run(&format!("{grow} m.len()")).unwrap_err();
    match refused {
        ScriptError::LimitExceeded {
            limit: Limit::MapSize(10),
            ..
        } => {}
        other => panic!("expected the map limit at m.len(), got {other:?}"),
    }
}
