//! Shared by the test files: write an async test once.

// The tests declare themselves with `wasm_rs_async_executor::async_test!` (a `use` in each
// test file): natively under `block_on`, in JS hosts spawned on the executor.

/// On WASI a panic aborts the module, and libtest ignores `#[should_panic]` there. A test
/// that expects a panic announces it with this first: `cargo xtask test` runs each WASI
/// test in a wasmtime instance of its own and passes this one only if the instance then
/// aborts with a panic whose message holds `text` (see `ci/wasi/wasmtime-run.py`).
#[cfg(target_os = "wasi")]
#[allow(dead_code)] // Not every test file expects a panic.
pub(crate) fn expect_panic_on_wasi(text: &str) {
    eprintln!("wasm-rs-wasi: expect panic: {text}");
}
