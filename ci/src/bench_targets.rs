//! What `cargo xtask bench` measures: its suites, the environments they run in, and the bench
//! target behind each (package, bench name). A leaf module, so that the recipe linter can
//! check a recipe's benches and page against it without depending on the bench runner.

use serde::Serialize;

/// The marker line before a page's generated figures (`cargo xtask bench --update-book`
/// replaces what lies between the markers).
pub(crate) const START: &str = "<!-- bench:generated:start (written by `cargo xtask bench --update-book`; edit outside the markers) -->";
/// The marker line after a page's generated figures.
pub(crate) const END: &str = "<!-- bench:generated:end -->";

/// A benchmark suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SuiteName {
    /// wasm-rs-async-executor against spawn_local (wasm) and three native executors.
    Executor,
    /// wasm-rs-shared-channel against postMessage and MessageChannel.
    Channel,
    /// wasm-rs-dbg against a hand-written console.log(format!(..)).
    Dbg,
    /// What each runtime crate adds to a release wasm, against a baseline.
    Size,
    /// Recipe worker-pool: a CPU-bound job set on 1, 2, 4 and the default number of workers.
    WorkerPool,
    /// Recipe shared-channel-worker: the round trip to a worker, against postMessage.
    SharedChannelWorker,
    /// Recipe state-sync: the server's throughput and sync latency under 100 clients.
    StateSync,
    /// Recipe rhai-engine-worker: from cancel() to the cancelled run's reply.
    RhaiEngineWorker,
    /// Recipe opfs-kv-worker: the store on OPFS in its worker, and requests from the page.
    OpfsKvWorker,
    /// Recipe responsive-main-thread: the longest frame gap during CPU-heavy work on the
    /// page's main thread under the executor (time slicing, per frame), against spawn_local.
    ResponsiveMainThread,
    /// Recipe jspi: the round trip to a worker parked through JSPI, against one parked in
    /// Atomics.wait (by hand, and the executor's suspending and full-time modes).
    Jspi,
    /// Recipe wasm-threads (a nightly threads build): a Mandelbrot on 2 worker threads,
    /// against 1 thread on the page's main thread.
    WasmThreads,
}

impl SuiteName {
    /// Every suite, in the order a full run takes them.
    pub(crate) const ALL: [SuiteName; 12] = [
        SuiteName::Executor,
        SuiteName::Channel,
        SuiteName::Dbg,
        SuiteName::Size,
        SuiteName::WorkerPool,
        SuiteName::SharedChannelWorker,
        SuiteName::StateSync,
        SuiteName::RhaiEngineWorker,
        SuiteName::OpfsKvWorker,
        SuiteName::ResponsiveMainThread,
        SuiteName::Jspi,
        SuiteName::WasmThreads,
    ];

    /// The name a report carries (`suite` in its JSON) and `--suite` takes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SuiteName::Executor => "executor",
            SuiteName::Channel => "channel",
            SuiteName::Dbg => "dbg",
            SuiteName::Size => "size",
            SuiteName::WorkerPool => "worker-pool",
            SuiteName::SharedChannelWorker => "shared-channel-worker",
            SuiteName::StateSync => "state-sync",
            SuiteName::RhaiEngineWorker => "rhai-engine-worker",
            SuiteName::OpfsKvWorker => "opfs-kv-worker",
            SuiteName::ResponsiveMainThread => "responsive-main-thread",
            SuiteName::Jspi => "jspi",
            SuiteName::WasmThreads => "wasm-threads",
        }
    }

    /// The recipe a suite measures (its figures go on that recipe's page), or `None` for the
    /// runtime crates' suites (the Benchmarks page).
    pub(crate) fn recipe(self) -> Option<&'static str> {
        match self {
            SuiteName::Executor | SuiteName::Channel | SuiteName::Dbg | SuiteName::Size => None,
            other => Some(other.as_str()),
        }
    }

    /// The suite whose reports carry this name.
    pub(crate) fn from_report(name: &str) -> Option<SuiteName> {
        SuiteName::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Where a suite runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum EnvName {
    /// The host: the executor's native bench binary.
    Native,
    /// Node, the module bound with `wasm-bindgen --target nodejs`.
    Node,
    /// Headless Chromium's main thread, started by xtask, cross-origin isolated.
    Chromium,
    /// Headless Firefox's main thread, started by xtask with a fresh profile, cross-origin
    /// isolated.
    Firefox,
}

impl EnvName {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EnvName::Native => "native",
            EnvName::Node => "node",
            EnvName::Chromium => "chromium",
            EnvName::Firefox => "firefox",
        }
    }

    /// Whether the environment is a browser page (the module bound with `--target web`).
    pub(crate) fn is_browser(self) -> bool {
        matches!(self, EnvName::Chromium | EnvName::Firefox)
    }
}

/// A wasm or native bench target of a runtime crate.
pub(crate) struct BenchTarget {
    pub(crate) suite: SuiteName,
    pub(crate) package: &'static str,
    pub(crate) bench: &'static str,
    pub(crate) envs: &'static [EnvName],
}

pub(crate) const TARGETS: &[BenchTarget] = &[
    BenchTarget {
        suite: SuiteName::Executor,
        package: "wasm-rs-async-executor",
        bench: "native",
        envs: &[EnvName::Native],
    },
    BenchTarget {
        suite: SuiteName::Executor,
        package: "wasm-rs-async-executor",
        bench: "web",
        envs: &[EnvName::Node, EnvName::Chromium, EnvName::Firefox],
    },
    BenchTarget {
        suite: SuiteName::Channel,
        package: "wasm-rs-shared-channel",
        bench: "throughput",
        envs: &[EnvName::Node, EnvName::Chromium],
    },
    BenchTarget {
        suite: SuiteName::Dbg,
        package: "wasm-rs-dbg",
        bench: "console_overhead",
        envs: &[EnvName::Node, EnvName::Chromium],
    },
    BenchTarget {
        suite: SuiteName::WorkerPool,
        package: "worker-pool",
        bench: "speedup",
        envs: &[EnvName::Chromium],
    },
    BenchTarget {
        suite: SuiteName::SharedChannelWorker,
        package: "shared-channel-worker",
        bench: "round_trip",
        envs: &[EnvName::Chromium],
    },
    BenchTarget {
        suite: SuiteName::StateSync,
        package: "state-sync",
        bench: "load",
        envs: &[EnvName::Native],
    },
    BenchTarget {
        suite: SuiteName::RhaiEngineWorker,
        package: "rhai-engine-worker",
        bench: "cancel",
        envs: &[EnvName::Native, EnvName::Chromium],
    },
    BenchTarget {
        suite: SuiteName::OpfsKvWorker,
        package: "opfs-kv-worker",
        bench: "store",
        envs: &[EnvName::Chromium],
    },
    BenchTarget {
        suite: SuiteName::ResponsiveMainThread,
        package: "responsive-main-thread",
        bench: "gaps",
        envs: &[EnvName::Chromium],
    },
    BenchTarget {
        suite: SuiteName::Jspi,
        package: "jspi",
        bench: "latency",
        envs: &[EnvName::Chromium],
    },
    BenchTarget {
        suite: SuiteName::WasmThreads,
        package: "wasm-threads",
        bench: "speedup",
        envs: &[EnvName::Chromium],
    },
];

/// The bench targets of a recipe (`cargo xtask lint-recipes` checks that a recipe has no
/// other benches, so none is left out of `cargo xtask bench`).
pub(crate) fn recipe_benches(recipe: &str) -> impl Iterator<Item = &'static str> + '_ {
    TARGETS
        .iter()
        .filter(move |t| t.suite.recipe() == Some(recipe))
        .map(|t| t.bench)
}
