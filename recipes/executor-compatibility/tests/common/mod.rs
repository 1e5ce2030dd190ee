//! One test per cell: `cells!(Executor::X)` makes a test for each workload, which runs
//! the cell here (native, Node, a browser main thread or worker, whichever this run is)
//! and fails unless the outcome is the one `EXPECTED` has for this place. Each test file
//! imports `wasm_bindgen_test` on wasm32; the macro's `#[wasm_bindgen_test]` uses it.

/// A test for one executor × workload, on wasm32 and natively.
macro_rules! cell {
    ($executor:expr, $name:ident, $workload:ident) => {
        #[cfg(target_arch = "wasm32")]
        #[wasm_bindgen_test]
        async fn $name() {
            use executor_compatibility::{Place, Workload, observe, verdict};
            let seen = observe($executor, Workload::$workload).await;
            if let Err(problem) = verdict($executor, Workload::$workload, Place::current(), &seen) {
                panic!("{problem}");
            }
        }

        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        fn $name() {
            use executor_compatibility::{Place, Workload, observe, verdict};
            let seen = observe($executor, Workload::$workload);
            if let Err(problem) = verdict($executor, Workload::$workload, Place::current(), &seen) {
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
