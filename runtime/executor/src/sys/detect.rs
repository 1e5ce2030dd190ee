//! Which JS host this is, and what the executor does there: pure decisions over a few
//! facts read from the JS global ([`Probe`]), so that the decision table is tested
//! natively. `web.rs` fills a `Probe` from the real global (wasm32-unknown-unknown).
//!
//! Detection order matters, because hosts imitate each other (all measured, see the
//! tests below and the crate docs' "Where it runs" table):
//!
//! 1. a `window` with a `document`: the browser main thread;
//! 2. `navigator.userAgent === "Cloudflare-Workers"`: workerd. It also defines
//!    `WorkerGlobalScope`, `ServiceWorkerGlobalScope` and (Node.js compatibility)
//!    `process.versions.node`, so it goes before the worker and Node checks;
//! 3. a `Deno` global: Deno. Deno 2 defines `process.versions.node`, and in its workers
//!    `WorkerGlobalScope`;
//! 4. a `Bun` global or `process.versions.bun`: Bun, which defines `process.versions.node`;
//! 5. `ServiceWorkerGlobalScope`, then `SharedWorkerGlobalScope`, then `WorkerGlobalScope`:
//!    each interface is exposed only in its own kind of worker (HTML standard, Web IDL
//!    `[Exposed=ServiceWorker]` / `[Exposed=SharedWorker]` / `[Exposed=Worker]`);
//! 6. `process.versions.node`: Node.js;
//! 7. anything else: [`Environment::OtherJs`].

// Natively only the tests use this module.
#![cfg_attr(
    not(all(target_family = "wasm", target_os = "unknown")),
    allow(dead_code)
)]

use super::Environment;
use crate::runtime::RunError;

/// The user agent string of Cloudflare Workers and workerd (measured: workerd
/// 2026-11-23, npm `workerd@1.20261123.1`).
pub(crate) const WORKERD_USER_AGENT: &str = "Cloudflare-Workers";

/// The facts detection reads from the JS global.
#[derive(Clone, Debug, Default)]
pub(crate) struct Probe {
    /// `window` and `document` are both defined.
    pub(crate) window_and_document: bool,
    /// `navigator.userAgent`, when it is a string.
    pub(crate) user_agent: Option<String>,
    /// A `Deno` global.
    pub(crate) deno: bool,
    /// A `Bun` global, or `process.versions.bun`.
    pub(crate) bun: bool,
    /// `ServiceWorkerGlobalScope` is defined.
    pub(crate) service_worker_scope: bool,
    /// `SharedWorkerGlobalScope` is defined.
    pub(crate) shared_worker_scope: bool,
    /// `WorkerGlobalScope` is defined.
    pub(crate) worker_scope: bool,
    /// `process.versions.node` is a string.
    pub(crate) node: bool,
}

/// The decision table: see the module docs for the order and why.
pub(crate) fn classify(probe: &Probe) -> Environment {
    if probe.window_and_document {
        Environment::BrowserMain
    } else if probe.user_agent.as_deref() == Some(WORKERD_USER_AGENT) {
        Environment::Workerd
    } else if probe.deno {
        Environment::Deno
    } else if probe.bun {
        Environment::Bun
    } else if probe.service_worker_scope {
        Environment::ServiceWorker
    } else if probe.shared_worker_scope {
        Environment::SharedWorker
    } else if probe.worker_scope {
        Environment::Worker
    } else if probe.node {
        Environment::Node
    } else {
        Environment::OtherJs
    }
}

/// How a host runs a macrotask (a drain that used up its time budget continues there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacrotaskKind {
    /// `setImmediate`.
    Immediate,
    /// A message on the executor's own `MessageChannel`.
    Channel,
    /// `setTimeout(0)`, the last resort (clamped to 4 ms once nested in browsers; about
    /// 1–2 ms a turn measured in Node 20, Deno 2.9 and Bun 1.4).
    Timeout,
}

/// The macrotask of each host, given which of `setImmediate` and `MessageChannel` exist.
///
/// - Node.js, Deno, Bun: `setImmediate`. In Node.js and Deno an open `MessagePort` with a
///   message handler keeps the process alive (measured: Node 20 and Deno 2.9.6 never
///   exit, Bun 1.4.5 does), and the executor keeps its channel for good, so a program
///   would never end. Measured a turn: Node 5.0 µs, Deno 4.0 µs, Bun 1.2 µs.
/// - workerd: `setImmediate`, which belongs to the request that calls it, rather than one
///   long-lived channel shared by every request (the channel is faster, 4–6 µs a turn
///   against 10–14 µs, measured in workerd 2026-11-23).
/// - Browsers (main thread and every kind of worker): the `MessageChannel`, which is not
///   clamped like nested `setTimeout`s.
/// - Anything else: whichever exists, in that order.
pub(crate) fn macrotask_for(here: Environment, immediate: bool, channel: bool) -> MacrotaskKind {
    let preferred = match here {
        Environment::Node | Environment::Deno | Environment::Bun | Environment::Workerd => {
            MacrotaskKind::Immediate
        }
        Environment::BrowserMain
        | Environment::Worker
        | Environment::SharedWorker
        | Environment::ServiceWorker => MacrotaskKind::Channel,
        _ => MacrotaskKind::Immediate,
    };
    match preferred {
        MacrotaskKind::Immediate if immediate => MacrotaskKind::Immediate,
        _ if channel => MacrotaskKind::Channel,
        _ if immediate => MacrotaskKind::Immediate,
        _ => MacrotaskKind::Timeout,
    }
}

/// Why full-time mode (`block_on`, `run_forever`, which park in `Atomics.wait`) cannot run
/// here at all, if so. Elsewhere it may still fail later with
/// [`RunError::NoSharedMemory`] when the thread has to sleep without `SharedArrayBuffer`.
///
/// - Browser main thread: `Atomics.wait` throws there ([`RunError::MainThread`]).
/// - Service worker: the HTML standard creates service worker agents with `[[CanBlock]]`
///   false ("obtain a service worker agent", §8.1.2,
///   <https://html.spec.whatwg.org/multipage/webappapis.html#obtain-a-service-worker-agent>),
///   so `Atomics.wait` throws, and a service worker is never cross-origin isolated.
/// - Shared worker: the standard lets it block, but Firefox does not (its shared workers
///   have `[[CanBlock]]` false: <https://bugzilla.mozilla.org/show_bug.cgi?id=1359745>,
///   open), and it shares no memory with the pages it serves ("A Window object and a
///   shared worker it created" are in different agent clusters, same §8.1.2): nothing
///   but its own dedicated workers could wake it, while every page's `connect` and
///   messages would wait for good.
/// - workerd: `Atomics.wait` throws "TypeError: Atomics.wait cannot be called in this
///   context" (measured, workerd 2026-11-23), although `SharedArrayBuffer` exists.
pub(crate) fn block_refusal(here: Environment) -> Option<RunError> {
    match here {
        Environment::BrowserMain => Some(RunError::MainThread),
        Environment::ServiceWorker | Environment::SharedWorker | Environment::Workerd => {
            Some(RunError::CannotBlock(here))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The globals of each host, as measured (see the crate docs' "Where it runs").
    fn host(name: &str) -> Probe {
        let ua = |s: &str| Some(s.to_owned());
        match name {
            // Chromium 156 / Firefox 153 main thread.
            "browser-main" => Probe {
                window_and_document: true,
                user_agent: ua("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"),
                ..Probe::default()
            },
            "dedicated-worker" => Probe {
                user_agent: ua("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"),
                worker_scope: true,
                ..Probe::default()
            },
            "shared-worker" => Probe {
                user_agent: ua("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"),
                worker_scope: true,
                shared_worker_scope: true,
                ..Probe::default()
            },
            "service-worker" => Probe {
                user_agent: ua("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"),
                worker_scope: true,
                service_worker_scope: true,
                ..Probe::default()
            },
            // workerd 2026-11-23: both worker scopes, and the nodejs compat `process`.
            "workerd" => Probe {
                user_agent: ua("Cloudflare-Workers"),
                worker_scope: true,
                service_worker_scope: true,
                node: true,
                ..Probe::default()
            },
            // Deno 2.9.6: `process.versions.node` is "26.3.0"; in a worker also
            // `WorkerGlobalScope` and `DedicatedWorkerGlobalScope`.
            "deno" => Probe {
                user_agent: ua("Deno/2.9.6"),
                deno: true,
                node: true,
                ..Probe::default()
            },
            "deno-worker" => Probe {
                user_agent: ua("Deno/2.9.6"),
                deno: true,
                node: true,
                worker_scope: true,
                ..Probe::default()
            },
            // Bun 1.4.5: `process.versions.node` is "26.3.0", main thread and worker alike.
            "bun" => Probe {
                user_agent: ua("Bun/1.4.5"),
                bun: true,
                node: true,
                ..Probe::default()
            },
            // Node 20: no `navigator`.
            "node" => Probe {
                node: true,
                ..Probe::default()
            },
            "bare" => Probe::default(),
            other => panic!("no such host {other}"),
        }
    }

    #[test]
    fn each_host_is_told_apart() {
        let table = [
            ("browser-main", Environment::BrowserMain),
            ("dedicated-worker", Environment::Worker),
            ("shared-worker", Environment::SharedWorker),
            ("service-worker", Environment::ServiceWorker),
            ("workerd", Environment::Workerd),
            ("deno", Environment::Deno),
            ("deno-worker", Environment::Deno),
            ("bun", Environment::Bun),
            ("node", Environment::Node),
            ("bare", Environment::OtherJs),
        ];
        for (name, expected) in table {
            assert_eq!(classify(&host(name)), expected, "{name}");
        }
    }

    #[test]
    fn a_user_agent_that_only_mentions_cloudflare_is_not_workerd() {
        let probe = Probe {
            user_agent: Some("Cloudflare-Workers-Lookalike".into()),
            worker_scope: true,
            ..Probe::default()
        };
        assert_eq!(classify(&probe), Environment::Worker);
    }

    #[test]
    fn server_hosts_use_set_immediate_and_browsers_a_channel() {
        use Environment::*;
        for here in [Node, Deno, Bun, Workerd] {
            assert_eq!(
                macrotask_for(here, true, true),
                MacrotaskKind::Immediate,
                "{here}"
            );
        }
        for here in [BrowserMain, Worker, SharedWorker, ServiceWorker] {
            assert_eq!(
                macrotask_for(here, false, true),
                MacrotaskKind::Channel,
                "{here}"
            );
            // A polyfilled `setImmediate` in a page does not change the choice.
            assert_eq!(
                macrotask_for(here, true, true),
                MacrotaskKind::Channel,
                "{here}"
            );
        }
        assert_eq!(macrotask_for(OtherJs, true, true), MacrotaskKind::Immediate);
        assert_eq!(macrotask_for(OtherJs, false, true), MacrotaskKind::Channel);
        // Whatever the host, fall back on what exists.
        assert_eq!(macrotask_for(Node, false, true), MacrotaskKind::Channel);
        assert_eq!(macrotask_for(Worker, true, false), MacrotaskKind::Immediate);
        assert_eq!(macrotask_for(OtherJs, false, false), MacrotaskKind::Timeout);
    }

    #[test]
    fn full_time_mode_is_refused_where_the_host_cannot_block() {
        use Environment::*;
        assert_eq!(block_refusal(BrowserMain), Some(RunError::MainThread));
        for here in [ServiceWorker, SharedWorker, Workerd] {
            let refusal = block_refusal(here).expect("refused");
            assert_eq!(refusal, RunError::CannotBlock(here));
            let message = refusal.to_string();
            assert!(message.contains(&here.to_string()), "{message}");
            assert!(message.contains("use spawn()"), "{message}");
        }
        for here in [Worker, Node, Deno, Bun, OtherJs, Native, Wasi] {
            assert_eq!(block_refusal(here), None, "{here}");
        }
    }
}
