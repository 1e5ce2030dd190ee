//! The test environments a crate can declare in `[package.metadata.wasm-rs] environments`.
//!
//! `native`, `node`, `deno`, `bun` and `workerd` name one environment each. A browser environment is an engine and a
//! context, written `<engine>-<context>`: `chromium-main`, `firefox-worker`,
//! `webkit-shared-worker`, `chromium-service-worker`, ... Four shorthands expand to every
//! engine: `browser` (each engine's main thread), `worker` (a dedicated worker in each
//! engine), `shared-worker` and `service-worker` (wasm-bindgen-test-runner's shared and
//! service worker modes, which Chromium, Firefox and WebKitGTK all run). `wasip1` and `wasip2` are WASI builds run under
//! wasmtime; the shorthand `wasi` names both.

use std::fmt;
use std::str::FromStr;

/// A browser engine that wasm-bindgen-test-runner can drive headless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub(crate) enum Engine {
    /// Chromium, through ChromeDriver.
    Chromium,
    /// Firefox, through geckodriver.
    Firefox,
    /// WebKitGTK's MiniBrowser, through WebKitWebDriver under Xvfb.
    Webkit,
}

impl Engine {
    pub(crate) const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::Webkit];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::Webkit => "webkit",
        }
    }

    /// How the book names it.
    pub(crate) fn display(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
            Engine::Webkit => "WebKit",
        }
    }
}

/// Where in a page the tests run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Context {
    /// The page's main thread.
    Main,
    /// A dedicated worker.
    Worker,
    /// A shared worker (`SharedWorkerGlobalScope`).
    SharedWorker,
    /// A service worker (`ServiceWorkerGlobalScope`).
    ServiceWorker,
}

impl Context {
    /// Every context, in the order suites run.
    pub(crate) const ALL: [Context; 4] = [
        Context::Main,
        Context::Worker,
        Context::SharedWorker,
        Context::ServiceWorker,
    ];

    /// The suffix of the environment's name, and the shorthand for every engine's (`worker`
    /// is `worker`'s shorthand; `main`'s is `browser`).
    fn suffix(self) -> &'static str {
        match self {
            Context::Main => "main",
            Context::Worker => "worker",
            Context::SharedWorker => "shared-worker",
            Context::ServiceWorker => "service-worker",
        }
    }

    fn shorthand(self) -> &'static str {
        match self {
            Context::Main => "browser",
            other => other.suffix(),
        }
    }
}

/// A WASI target the tests are built for and run under wasmtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Wasi {
    /// `wasm32-wasip1`: a core module importing `wasi_snapshot_preview1`.
    P1,
    /// `wasm32-wasip2`: a component exporting `wasi:cli/run`.
    P2,
}

impl Wasi {
    pub(crate) const ALL: [Wasi; 2] = [Wasi::P1, Wasi::P2];

    /// The rustc target.
    pub(crate) fn target(self) -> &'static str {
        match self {
            Wasi::P1 => "wasm32-wasip1",
            Wasi::P2 => "wasm32-wasip2",
        }
    }
}

/// One place a crate's tests run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Environment {
    /// `cargo test` on the host.
    Native,
    /// wasm-bindgen-test-runner's default: Node.js.
    Node,
    /// The wasm tests in Deno, through the runner's Deno mode (see `jshosts.rs`).
    Deno,
    /// The wasm tests in Bun, running the runner's Node.js script (see `jshosts.rs`).
    Bun,
    /// A headless browser engine, on the main thread or in a dedicated worker.
    Browser(Engine, Context),
    /// A WASI build run by wasmtime.
    Wasi(Wasi),
    /// The crate's Worker served by workerd and driven over HTTP by its native
    /// `tests/workerd.rs` (built with the `workerd-e2e` feature).
    Workerd,
}

impl Environment {
    /// Every environment, in the order suites run and rows print. The main-thread suites come
    /// before the worker suites, so that the builds that run beside the worker suites (see
    /// `beside.rs`) never share the machine with a main-thread suite's frame-gap tests.
    pub(crate) fn all() -> Vec<Environment> {
        let mut v = vec![
            Environment::Native,
            Environment::Node,
            Environment::Deno,
            Environment::Bun,
        ];
        for context in Context::ALL {
            v.extend(Engine::ALL.map(|e| Environment::Browser(e, context)));
        }
        v.extend(Wasi::ALL.map(Environment::Wasi));
        v.push(Environment::Workerd);
        v
    }

    /// The name used in metadata, in `--only`, and in the summary table.
    pub(crate) fn name(self) -> String {
        match self {
            Environment::Native => "native".into(),
            Environment::Node => "node".into(),
            Environment::Deno => "deno".into(),
            Environment::Bun => "bun".into(),
            Environment::Browser(e, c) => format!("{}-{}", e.name(), c.suffix()),
            Environment::Wasi(Wasi::P1) => "wasip1".into(),
            Environment::Wasi(Wasi::P2) => "wasip2".into(),
            Environment::Workerd => "workerd".into(),
        }
    }

    /// How a book page names it.
    pub(crate) fn display(self) -> String {
        match self {
            Environment::Native => "native".into(),
            Environment::Node => "Node".into(),
            Environment::Deno => "Deno".into(),
            Environment::Bun => "Bun".into(),
            Environment::Browser(e, Context::Main) => format!("{} main thread", e.display()),
            Environment::Browser(e, Context::Worker) => format!("{} worker", e.display()),
            Environment::Browser(e, Context::SharedWorker) => {
                format!("{} shared worker", e.display())
            }
            Environment::Browser(e, Context::ServiceWorker) => {
                format!("{} service worker", e.display())
            }
            Environment::Wasi(Wasi::P1) => "WASI p1".into(),
            Environment::Wasi(Wasi::P2) => "WASI p2".into(),
            Environment::Workerd => "workerd (Cloudflare Workers)".into(),
        }
    }

    /// Whether the tests are compiled for `wasm32-unknown-unknown` and run by
    /// wasm-bindgen-test-runner (`#[wasm_bindgen_test]`). WASI tests are plain `#[test]`s.
    pub(crate) fn is_wasm(self) -> bool {
        matches!(
            self,
            Environment::Node | Environment::Deno | Environment::Bun | Environment::Browser(..)
        )
    }

    /// The `--target` the tests are built for; `None` for the host.
    pub(crate) fn cargo_target(self) -> Option<&'static str> {
        match self {
            Environment::Native | Environment::Workerd => None,
            Environment::Node | Environment::Deno | Environment::Bun | Environment::Browser(..) => {
                Some("wasm32-unknown-unknown")
            }
            Environment::Wasi(w) => Some(w.target()),
        }
    }

    /// The engine, for browser environments.
    pub(crate) fn engine(self) -> Option<Engine> {
        match self {
            Environment::Browser(e, _) => Some(e),
            _ => None,
        }
    }

    /// The variables that make wasm-bindgen-test-runner pick the context (a test crate that
    /// calls `wasm_bindgen_test_configure!` overrides them, which is why tests are written
    /// without it). The engine is picked by which driver variable is set; see `test.rs`.
    pub(crate) fn runner_vars(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Environment::Native
            | Environment::Node
            | Environment::Bun
            | Environment::Wasi(_)
            | Environment::Workerd => &[],
            Environment::Deno => &[("WASM_BINDGEN_USE_DENO", "1")],
            Environment::Browser(_, Context::Main) => &[("WASM_BINDGEN_USE_BROWSER", "1")],
            Environment::Browser(_, Context::Worker) => {
                &[("WASM_BINDGEN_USE_DEDICATED_WORKER", "1")]
            }
            Environment::Browser(_, Context::SharedWorker) => {
                &[("WASM_BINDGEN_USE_SHARED_WORKER", "1")]
            }
            Environment::Browser(_, Context::ServiceWorker) => {
                &[("WASM_BINDGEN_USE_SERVICE_WORKER", "1")]
            }
        }
    }

    /// Parses one entry of `environments`, expanding `browser`, `worker`, `shared-worker`
    /// and `service-worker` to every engine.
    pub(crate) fn parse_declared(s: &str) -> Result<Vec<Environment>, String> {
        if let Some(context) = Context::ALL.into_iter().find(|c| c.shorthand() == s) {
            return Ok(Engine::ALL
                .iter()
                .map(|e| Environment::Browser(*e, context))
                .collect());
        }
        match s {
            "wasi" => Ok(Wasi::ALL.map(Environment::Wasi).to_vec()),
            other => other.parse().map(|e| vec![e]),
        }
    }

    /// Whether `--only <word>` names this environment: its name, or a shorthand that
    /// includes it.
    pub(crate) fn selected_by(self, word: &str) -> bool {
        match self {
            Environment::Browser(_, c) if c.shorthand() == word => true,
            Environment::Wasi(_) if word == "wasi" => true,
            _ => self.name() == word,
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Environment {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Environment::all()
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown environment `{s}`: expected native, node, deno, bun, browser, worker, shared-worker, \
                     service-worker, wasi, wasip1, wasip2, workerd, or \
                     <engine>-<main|worker|shared-worker|service-worker> with engine chromium, \
                     firefox or webkit"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in Environment::all() {
            assert_eq!(e.name().parse::<Environment>(), Ok(e));
        }
        assert_eq!(Environment::all().len(), 19);
        assert!(Environment::Deno.is_wasm() && Environment::Bun.is_wasm());
        assert_eq!(
            Environment::Deno.runner_vars(),
            [("WASM_BINDGEN_USE_DENO", "1")]
        );
        assert!(
            !Environment::Workerd.is_wasm(),
            "workerd tests are native HTTP clients"
        );
        assert_eq!(
            Environment::parse_declared("wasi").unwrap(),
            [Environment::Wasi(Wasi::P1), Environment::Wasi(Wasi::P2)]
        );
        assert_eq!(
            Environment::Wasi(Wasi::P2).cargo_target(),
            Some("wasm32-wasip2")
        );
        assert!(
            !Environment::Wasi(Wasi::P1).is_wasm(),
            "WASI tests are plain #[test]s"
        );
        assert!("chrome-main".parse::<Environment>().is_err());
    }

    #[test]
    fn shorthands_expand_to_every_engine() {
        let b = Environment::parse_declared("browser").unwrap();
        assert_eq!(
            b.iter().map(|e| e.name()).collect::<Vec<_>>(),
            ["chromium-main", "firefox-main", "webkit-main"]
        );
        let w = Environment::parse_declared("worker").unwrap();
        assert_eq!(
            w.iter().map(|e| e.name()).collect::<Vec<_>>(),
            ["chromium-worker", "firefox-worker", "webkit-worker"]
        );
        let s = Environment::parse_declared("shared-worker").unwrap();
        assert_eq!(
            s.iter().map(|e| e.name()).collect::<Vec<_>>(),
            [
                "chromium-shared-worker",
                "firefox-shared-worker",
                "webkit-shared-worker"
            ]
        );
        assert_eq!(
            "webkit-service-worker".parse::<Environment>(),
            Ok(Environment::Browser(Engine::Webkit, Context::ServiceWorker))
        );
        assert_eq!(
            Environment::Browser(Engine::Firefox, Context::ServiceWorker).runner_vars(),
            [("WASM_BINDGEN_USE_SERVICE_WORKER", "1")]
        );
        let sw = Environment::Browser(Engine::Chromium, Context::ServiceWorker);
        assert!(sw.selected_by("service-worker") && sw.selected_by("chromium-service-worker"));
        assert!(!sw.selected_by("worker") && !sw.selected_by("browser"));
        assert!(Environment::Browser(Engine::Webkit, Context::Main).selected_by("browser"));
        assert_eq!(
            Environment::parse_declared("firefox-worker").unwrap(),
            [Environment::Browser(Engine::Firefox, Context::Worker)]
        );
    }
}
