//! `environment()` names the host the test runs in, checked against signals detection does
//! not read (`DedicatedWorkerGlobalScope`, the global's class name, `process.release.name`,
//! `navigator.userAgent`'s `Deno/` and `Bun/`, the target), and its
//! consequences: which hosts refuse full-time mode, and with which error.

use wasm_rs_async_executor::{Environment, RunError, environment, run_forever};

/// The host, told from signals `environment()` does not look at.
fn expected() -> Environment {
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    {
        use js_sys::{Reflect, global};
        use wasm_bindgen::JsValue;
        let get = |object: &JsValue, key: &str| {
            Reflect::get(object, &key.into())
                .ok()
                .filter(|v| !v.is_undefined() && !v.is_null())
        };
        let global: JsValue = global().into();
        if get(&global, "document").is_some() {
            return Environment::BrowserMain;
        }
        // Deno and Bun say who they are in `navigator.userAgent` ("Deno/2.9.6", "Bun/1.4.5");
        // detection reads their globals instead, and checks them before the worker scopes.
        let agent = get(&global, "navigator")
            .and_then(|n| get(&n, "userAgent"))
            .and_then(|a| a.as_string())
            .unwrap_or_default();
        if agent.starts_with("Deno/") {
            return Environment::Deno;
        }
        if agent.starts_with("Bun/") {
            return Environment::Bun;
        }
        // The global's own class: detection only asks whether the scope constructors exist.
        let scope = js_sys::Object::get_prototype_of(&global)
            .constructor()
            .name();
        if scope == "SharedWorkerGlobalScope" {
            return Environment::SharedWorker;
        }
        if scope == "ServiceWorkerGlobalScope" {
            return Environment::ServiceWorker;
        }
        if get(&global, "DedicatedWorkerGlobalScope").is_some() {
            return Environment::Worker;
        }
        let release = get(&global, "process")
            .and_then(|p| get(&p, "release"))
            .and_then(|r| get(&r, "name"))
            .and_then(|n| n.as_string());
        if release.as_deref() == Some("node") && get(&global, "Deno").is_none() {
            return Environment::Node;
        }
        panic!(
            "this test knows the matrix's hosts only (a browser page, a dedicated, shared or \
             service worker, Node, Deno, Bun)"
        );
    }
    #[cfg(target_os = "wasi")]
    return Environment::Wasi;
    #[cfg(not(target_family = "wasm"))]
    return Environment::Native;
}

#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn environment_names_the_host_the_test_runs_in() {
    let here = environment();
    assert_eq!(here, expected());
    // Detected once per thread: the same answer every time.
    assert_eq!(environment(), here);
    assert!(!here.to_string().is_empty());
}

#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn full_time_mode_is_refused_only_where_the_host_cannot_block() {
    // No task: a host that allows full-time mode returns at once, without sleeping (so
    // without needing SharedArrayBuffer).
    let result = run_forever();
    match environment() {
        Environment::BrowserMain => assert_eq!(result, Err(RunError::MainThread)),
        here @ (Environment::SharedWorker | Environment::ServiceWorker | Environment::Workerd) => {
            assert_eq!(result, Err(RunError::CannotBlock(here)));
        }
        here => assert_eq!(result, Ok(()), "{here}"),
    }
    if let Err(refused) = result {
        assert!(refused.to_string().contains("use spawn()"), "{refused}");
    }
}
