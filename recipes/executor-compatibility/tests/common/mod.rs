//! One test per cell: `cells!(Executor::X)` makes a test for each workload, which runs
//! the cell here (native, WASI, Node, a browser main thread or worker, whichever this run
//! is) and fails unless the outcome is the one `EXPECTED` has for this place. Each test
//! file imports `wasm_bindgen_test` in JS hosts; the macro's `#[wasm_bindgen_test]` uses it.

/// A test for one executor × workload: async in JS hosts, a plain `#[test]` natively and
/// on WASI.
///
/// On WASI a panic aborts the instance, so a cell expected to panic announces it first;
/// `cargo xtask test` runs each WASI test in an instance of its own and passes it only if
/// the instance aborts with that panic (see `ci/wasi/wasmtime-run.py`).
macro_rules! cell {
    ($executor:expr, $name:ident, $workload:ident) => {
        #[cfg(all(target_family = "wasm", target_os = "unknown"))]
        #[wasm_bindgen_test]
        async fn $name() {
            use executor_compatibility::{Place, Workload, observe, verdict};
            let seen = observe($executor, Workload::$workload).await;
            if let Err(problem) = verdict($executor, Workload::$workload, Place::current(), &seen) {
                panic!("{problem}");
            }
        }

        #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
        #[test]
        fn $name() {
            use executor_compatibility::{Outcome, Place, Workload, expected, observe, verdict};
            let place = Place::current();
            if let (Place::Wasi, Outcome::Panics(why)) =
                (place, expected($executor, Workload::$workload, place))
            {
                eprintln!("wasm-rs-wasi: expect panic: {}", why.panic_message());
            }
            let seen = observe($executor, Workload::$workload);
            if let Err(problem) = verdict($executor, Workload::$workload, place, &seen) {
                panic!("{problem}");
            }
        }
    };
}

/// The six cells of one executor's row.
// Not every test file uses both macros.
#[allow(unused_macros)]
macro_rules! cells {
    ($executor:expr) => {
        cell!($executor, spawn_and_join, SpawnJoin);
        cell!($executor, nested_spawn, NestedSpawn);
        cell!($executor, timer, Timer);
        cell!($executor, channel_ping_pong, PingPong);
        cell!($executor, promise_or_other_thread, ForeignWake);
        cell!($executor, cpu_loop_with_yields, CpuWithYields);
    };
}
