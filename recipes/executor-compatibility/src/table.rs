//! The data: executors, workloads, places, and the expected outcome of every cell.

use std::fmt;

/// One way of running futures; a row of the table.
///
/// ```
/// use executor_compatibility::Executor;
/// assert_eq!(Executor::ALL.len(), 9);
/// assert_eq!(Executor::Pollster.to_string(), "`pollster::block_on`");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Executor {
    /// `wasm_rs_async_executor::spawn` (natively driven by its `block_on`).
    WasmRs,
    /// `wasm_bindgen_futures::spawn_local`.
    SpawnLocal,
    /// `futures::executor::LocalPool`, driven by one `run_until_stalled()`.
    LocalPoolRunUntilStalled,
    /// `futures::executor::LocalPool`, driven by `run()`.
    LocalPoolRun,
    /// `futures::executor::block_on`.
    FuturesBlockOn,
    /// `async_executor::LocalExecutor`, driven by `while ex.try_tick() {}`.
    AsyncExecutorTryTick,
    /// `async_executor::LocalExecutor::run`, awaited in `spawn_local` (natively in
    /// `futures::executor::block_on`).
    AsyncExecutorRun,
    /// A tokio `current_thread` runtime with a `LocalSet`.
    TokioCurrentThread,
    /// `pollster::block_on`.
    Pollster,
}

impl Executor {
    /// Every executor, in the table's order.
    ///
    /// ```
    /// # use executor_compatibility::Executor;
    /// assert_eq!(Executor::ALL[0], Executor::WasmRs);
    /// ```
    pub const ALL: [Executor; 9] = [
        Executor::WasmRs,
        Executor::SpawnLocal,
        Executor::LocalPoolRunUntilStalled,
        Executor::LocalPoolRun,
        Executor::FuturesBlockOn,
        Executor::AsyncExecutorTryTick,
        Executor::AsyncExecutorRun,
        Executor::TokioCurrentThread,
        Executor::Pollster,
    ];
}

impl fmt::Display for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Executor::WasmRs => "wasm-rs-async-executor `spawn`",
            Executor::SpawnLocal => "`wasm_bindgen_futures::spawn_local`",
            Executor::LocalPoolRunUntilStalled => "`LocalPool::run_until_stalled`",
            Executor::LocalPoolRun => "`LocalPool::run`",
            Executor::FuturesBlockOn => "`futures::executor::block_on`",
            Executor::AsyncExecutorTryTick => "async-executor `LocalExecutor::try_tick`",
            Executor::AsyncExecutorRun => {
                "async-executor `LocalExecutor::run` in `spawn_local` (natively in `block_on`)"
            }
            Executor::TokioCurrentThread => "tokio `current_thread` + `LocalSet`",
            Executor::Pollster => "`pollster::block_on`",
        })
    }
}

/// What a cell runs; a column of the table. See [`run_workload`](crate::run_workload).
///
/// ```
/// use executor_compatibility::Workload;
/// assert_eq!(Workload::ALL.len(), 6);
/// assert_eq!(Workload::Timer.to_string(), "timer");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Workload {
    /// Spawn a task and await its output.
    SpawnJoin,
    /// A task spawns a task and awaits it.
    NestedSpawn,
    /// Sleep 10 ms with the executor's timer (or `setTimeout` / a helper thread).
    Timer,
    /// 21 round trips over two `futures::channel::mpsc` channels between two tasks.
    PingPong,
    /// Await a value completed from outside the executor: a JS promise on wasm32, a
    /// oneshot sent by another thread natively.
    ForeignWake,
    /// 20 slices of CPU work with a yield after each, while another task runs between.
    CpuWithYields,
}

impl Workload {
    /// Every workload, in the table's order.
    ///
    /// ```
    /// # use executor_compatibility::Workload;
    /// assert_eq!(Workload::ALL[0], Workload::SpawnJoin);
    /// ```
    pub const ALL: [Workload; 6] = [
        Workload::SpawnJoin,
        Workload::NestedSpawn,
        Workload::Timer,
        Workload::PingPong,
        Workload::ForeignWake,
        Workload::CpuWithYields,
    ];
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Workload::SpawnJoin => "spawn + join",
            Workload::NestedSpawn => "nested spawn",
            Workload::Timer => "timer",
            Workload::PingPong => "channel ping-pong",
            Workload::ForeignWake => "JS promise / other thread",
            Workload::CpuWithYields => "CPU loop + yields",
        })
    }
}

/// Where a cell runs. The browser places stand for all three engines (Chromium, Firefox,
/// WebKit), and [`Place::Wasi`] for both WASI targets (`wasm32-wasip1` and
/// `wasm32-wasip2` under wasmtime): `cargo xtask test` runs each.
///
/// ```
/// use executor_compatibility::Place;
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(Place::current(), Place::Native);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// A native target: `cargo test`.
    Native,
    /// A WASI command under wasmtime (`wasm32-wasip1` and `wasm32-wasip2`): no JS, one
    /// thread.
    Wasi,
    /// Node.js.
    Node,
    /// Deno 2 (the runner's Deno mode, `wasm-bindgen --target deno`).
    Deno,
    /// Bun (the Node.js glue and test script, run by Bun).
    Bun,
    /// A browser page's main thread.
    BrowserMain,
    /// A browser dedicated worker.
    BrowserWorker,
    /// A browser shared worker.
    SharedWorker,
    /// A browser service worker.
    ServiceWorker,
}

impl Place {
    /// Every place, in the table's order.
    ///
    /// ```
    /// # use executor_compatibility::Place;
    /// assert_eq!(Place::ALL.len(), 9);
    /// ```
    pub const ALL: [Place; 9] = [
        Place::Native,
        Place::Wasi,
        Place::Node,
        Place::Deno,
        Place::Bun,
        Place::BrowserMain,
        Place::BrowserWorker,
        Place::SharedWorker,
        Place::ServiceWorker,
    ];

    /// Where this code runs now.
    ///
    /// ```
    /// # use executor_compatibility::Place;
    /// println!("these cells run in {}", Place::current());
    /// ```
    pub fn current() -> Place {
        use wasm_rs_async_executor::Environment;
        match wasm_rs_async_executor::environment() {
            Environment::Native => Place::Native,
            Environment::Wasi => Place::Wasi,
            Environment::Node => Place::Node,
            Environment::Deno => Place::Deno,
            Environment::Bun => Place::Bun,
            Environment::BrowserMain => Place::BrowserMain,
            Environment::SharedWorker => Place::SharedWorker,
            Environment::ServiceWorker => Place::ServiceWorker,
            _ => Place::BrowserWorker,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Place::Native => "native",
            Place::Wasi => "WASI",
            Place::Node => "Node.js",
            Place::Deno => "Deno",
            Place::Bun => "Bun",
            Place::BrowserMain => "browser main thread",
            Place::BrowserWorker => "browser dedicated worker",
            Place::SharedWorker => "browser shared worker",
            Place::ServiceWorker => "browser service worker",
        })
    }
}

/// Why a cell does not work; each has a section on the book page with the fix.
///
/// ```
/// use executor_compatibility::Why;
/// assert_eq!(Why::CondvarWait.anchor(), "why-condvar-wait");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Why {
    /// `futures::executor::block_on` and `pollster::block_on` run one future: there is
    /// no spawn function to write the workload with.
    ///
    /// ```compile_fail
    /// // There is no spawn next to block_on: the workload cannot be written.
    /// futures::executor::block_on(async {
    ///     let task = futures::executor::spawn(async { 42 });
    ///     task.await
    /// });
    /// ```
    ///
    /// ```compile_fail
    /// let answer = pollster::block_on(async { pollster::spawn(async { 42 }).await });
    /// ```
    NoSpawn,
    /// Natively and on WASI, `wasm_bindgen_futures::spawn_local` calls JS imports that do
    /// not exist there.
    JsOnNative,
    /// One `run_until_stalled()` / `try_tick()` loop returns while the task waits for a
    /// timer or a wake from outside, and nothing polls the executor again.
    Stalled,
    /// `std::thread::park` does nothing on wasm32 (JS hosts and single-threaded WASI):
    /// futures' blocking executors spin forever on the only thread, so the timer or wake
    /// they wait for, which needs that thread, can never fire.
    BlockingSpin,
    /// A blocking executor on wasm32 (JS hosts and WASI) waits on a `Condvar`, which
    /// panics there.
    CondvarWait,
    /// tokio's timer reads `std::time::Instant`, which panics on wasm32-unknown-unknown.
    TokioTime,
}

impl Why {
    /// Every reason, in the page's order.
    ///
    /// ```
    /// # use executor_compatibility::Why;
    /// assert!(Why::ALL.contains(&Why::Stalled));
    /// ```
    pub const ALL: [Why; 6] = [
        Why::NoSpawn,
        Why::JsOnNative,
        Why::Stalled,
        Why::BlockingSpin,
        Why::CondvarWait,
        Why::TokioTime,
    ];

    /// The id of its section on the book page.
    ///
    /// ```
    /// # use executor_compatibility::Why;
    /// assert_eq!(Why::Stalled.anchor(), "why-stalled");
    /// ```
    pub fn anchor(self) -> &'static str {
        match self {
            Why::NoSpawn => "why-no-spawn",
            Why::JsOnNative => "why-js-on-native",
            Why::Stalled => "why-stalled",
            Why::BlockingSpin => "why-blocking-spin",
            Why::CondvarWait => "why-condvar-wait",
            Why::TokioTime => "why-tokio-time",
        }
    }

    /// What a panic for this reason says (a part of its message); empty for reasons
    /// that are not panics.
    ///
    /// ```
    /// # use executor_compatibility::Why;
    /// assert_eq!(Why::CondvarWait.panic_message(), "condvar wait not supported");
    /// assert_eq!(Why::Stalled.panic_message(), "");
    /// ```
    pub fn panic_message(self) -> &'static str {
        match self {
            Why::JsOnNative => "cannot call wasm-bindgen imported functions on non-wasm targets",
            Why::CondvarWait => "condvar wait not supported",
            Why::TokioTime => "time not implemented on this platform",
            Why::NoSpawn | Why::Stalled | Why::BlockingSpin => "",
        }
    }
}

/// The outcome of one cell.
///
/// ```
/// use executor_compatibility::{Outcome, Why};
/// assert!(Outcome::Works.is_works());
/// assert!(!Outcome::Hangs(Why::Stalled).is_works());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The workload finished with the right result.
    Works,
    /// It panicked with [`Why::panic_message`] (on wasm32, the module aborts).
    Panics(Why),
    /// No result within the watchdog's time.
    Hangs(Why),
    /// The workload cannot be written with this executor's API.
    DoesNotCompile(Why),
}

impl Outcome {
    /// Whether it is [`Outcome::Works`].
    ///
    /// ```
    /// # use executor_compatibility::Outcome;
    /// assert!(Outcome::Works.is_works());
    /// ```
    pub fn is_works(self) -> bool {
        self == Outcome::Works
    }

    /// The reason, unless it works.
    ///
    /// ```
    /// # use executor_compatibility::{Outcome, Why};
    /// assert_eq!(Outcome::Hangs(Why::Stalled).why(), Some(Why::Stalled));
    /// assert_eq!(Outcome::Works.why(), None);
    /// ```
    pub fn why(self) -> Option<Why> {
        match self {
            Outcome::Works => None,
            Outcome::Panics(w) | Outcome::Hangs(w) | Outcome::DoesNotCompile(w) => Some(w),
        }
    }
}

use Outcome::{DoesNotCompile as Nc, Hangs as H, Panics as P, Works as W};
use Why::*;

// ANCHOR: expected
/// The expected outcome of every cell: executor, workload, then the outcome in
/// [native, WASI, Node, Deno, Bun, browser main thread, dedicated worker, shared worker,
/// service worker]: `W` works, `P(why)` panics,
/// `H(why)` hangs, `Nc(why)` does not compile. The tests check each cell
/// against this table; the book's table is rendered from it.
///
/// ```
/// # use executor_compatibility::EXPECTED;
/// assert_eq!(EXPECTED.len(), 9 * 6);
/// ```
#[rustfmt::skip]
pub const EXPECTED: [(Executor, Workload, [Outcome; 9]); 54] = {
    use Executor as E;
    use Workload as L;
    [
        //  executor                    workload          native            WASI              Node              Deno              Bun               browser main      dedicated worker  shared worker     service worker
        (E::WasmRs,                    L::SpawnJoin,     [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::WasmRs,                    L::NestedSpawn,   [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::WasmRs,                    L::Timer,         [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::WasmRs,                    L::PingPong,      [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::WasmRs,                    L::ForeignWake,   [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::WasmRs,                    L::CpuWithYields, [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::SpawnLocal,                L::SpawnJoin,     [P(JsOnNative),    P(JsOnNative),    W,                W,                W,                W,                W,                W,                W]),
        (E::SpawnLocal,                L::NestedSpawn,   [P(JsOnNative),    P(JsOnNative),    W,                W,                W,                W,                W,                W,                W]),
        (E::SpawnLocal,                L::Timer,         [P(JsOnNative),    P(JsOnNative),    W,                W,                W,                W,                W,                W,                W]),
        (E::SpawnLocal,                L::PingPong,      [P(JsOnNative),    P(JsOnNative),    W,                W,                W,                W,                W,                W,                W]),
        (E::SpawnLocal,                L::ForeignWake,   [P(JsOnNative),    P(JsOnNative),    W,                W,                W,                W,                W,                W,                W]),
        (E::SpawnLocal,                L::CpuWithYields, [P(JsOnNative),    P(JsOnNative),    W,                W,                W,                W,                W,                W,                W]),
        (E::LocalPoolRunUntilStalled,  L::SpawnJoin,     [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::LocalPoolRunUntilStalled,  L::NestedSpawn,   [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::LocalPoolRunUntilStalled,  L::Timer,         [H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled)]),
        (E::LocalPoolRunUntilStalled,  L::PingPong,      [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::LocalPoolRunUntilStalled,  L::ForeignWake,   [H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled)]),
        (E::LocalPoolRunUntilStalled,  L::CpuWithYields, [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::LocalPoolRun,              L::SpawnJoin,     [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::LocalPoolRun,              L::NestedSpawn,   [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::LocalPoolRun,              L::Timer,         [W,                H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin)]),
        (E::LocalPoolRun,              L::PingPong,      [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::LocalPoolRun,              L::ForeignWake,   [W,                H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin)]),
        (E::LocalPoolRun,              L::CpuWithYields, [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::FuturesBlockOn,            L::SpawnJoin,     [Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn)]),
        (E::FuturesBlockOn,            L::NestedSpawn,   [Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn)]),
        (E::FuturesBlockOn,            L::Timer,         [W,                H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin)]),
        (E::FuturesBlockOn,            L::PingPong,      [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::FuturesBlockOn,            L::ForeignWake,   [W,                H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin),  H(BlockingSpin)]),
        (E::FuturesBlockOn,            L::CpuWithYields, [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        // ANCHOR_END: expected
        // ANCHOR: expected_rest
        (E::AsyncExecutorTryTick,      L::SpawnJoin,     [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::AsyncExecutorTryTick,      L::NestedSpawn,   [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::AsyncExecutorTryTick,      L::Timer,         [H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled)]),
        (E::AsyncExecutorTryTick,      L::PingPong,      [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::AsyncExecutorTryTick,      L::ForeignWake,   [H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled),       H(Stalled)]),
        (E::AsyncExecutorTryTick,      L::CpuWithYields, [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::AsyncExecutorRun,          L::SpawnJoin,     [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::AsyncExecutorRun,          L::NestedSpawn,   [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::AsyncExecutorRun,          L::Timer,         [W,                H(BlockingSpin),  W,                W,                W,                W,                W,                W,                W]),
        (E::AsyncExecutorRun,          L::PingPong,      [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::AsyncExecutorRun,          L::ForeignWake,   [W,                H(BlockingSpin),  W,                W,                W,                W,                W,                W,                W]),
        (E::AsyncExecutorRun,          L::CpuWithYields, [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::TokioCurrentThread,        L::SpawnJoin,     [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::TokioCurrentThread,        L::NestedSpawn,   [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::TokioCurrentThread,        L::Timer,         [W,                W,                P(TokioTime),     P(TokioTime),     P(TokioTime),     P(TokioTime),     P(TokioTime),     P(TokioTime),     P(TokioTime)]),
        (E::TokioCurrentThread,        L::PingPong,      [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::TokioCurrentThread,        L::ForeignWake,   [W,                P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait)]),
        (E::TokioCurrentThread,        L::CpuWithYields, [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::Pollster,                  L::SpawnJoin,     [Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn)]),
        (E::Pollster,                  L::NestedSpawn,   [Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn),      Nc(NoSpawn)]),
        (E::Pollster,                  L::Timer,         [W,                P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait)]),
        (E::Pollster,                  L::PingPong,      [W,                W,                W,                W,                W,                W,                W,                W,                W]),
        (E::Pollster,                  L::ForeignWake,   [W,                P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait),   P(CondvarWait)]),
        (E::Pollster,                  L::CpuWithYields, [W,                W,                W,                W,                W,                W,                W,                W,                W]),
    ]
};
// ANCHOR_END: expected_rest

/// The expected outcome of one cell, from [`EXPECTED`].
///
/// ```
/// use executor_compatibility::{Executor, Outcome, Place, Why, Workload, expected};
/// assert_eq!(
///     expected(Executor::Pollster, Workload::Timer, Place::BrowserMain),
///     Outcome::Panics(Why::CondvarWait)
/// );
/// ```
pub fn expected(executor: Executor, workload: Workload, place: Place) -> Outcome {
    EXPECTED
        .iter()
        .find(|(e, w, _)| *e == executor && *w == workload)
        .map(|(_, _, outcomes)| outcomes[place.index()])
        .expect("EXPECTED has a row for every executor and workload")
}
