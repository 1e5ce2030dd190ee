//! The routing and the handlers, without a Worker around them: natively and in Node, on
//! wasm-rs-async-executor. The whole Worker is tested under workerd in `tests/workerd.rs`.

use cloudflare_worker::{MAX_NAME_LEN, MAX_SLEEP_MS, MAX_TASKS, Route, respond, route};

const BASE: &str = "https://worker.example";

fn get(path: &str) -> Result<Route, cloudflare_worker::HttpError> {
    route("GET", &format!("{BASE}{path}"))
}

fn refused(method: &str, path: &str) -> (u16, String) {
    let e = route(method, &format!("{BASE}{path}")).expect_err("refused");
    (e.status, e.message)
}

#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn each_route_is_read_from_the_path_and_query() {
    assert_eq!(get("/"), Ok(Route::Index));
    assert_eq!(get(""), Ok(Route::Index));
    assert_eq!(get("/where"), Ok(Route::Where));
    assert_eq!(
        get("/hello?name=Ada"),
        Ok(Route::Hello { name: "Ada".into() })
    );
    // Decoded as a browser encodes a form: `+` is a space, `%XX` a UTF-8 byte.
    assert_eq!(
        get("/hello?x=1&name=Ada+Lovelace%20%C3%A9#top"),
        Ok(Route::Hello {
            name: "Ada Lovelace é".into()
        })
    );
    assert_eq!(get("/sleep?ms=0"), Ok(Route::Sleep { ms: 0 }));
    assert_eq!(
        get(&format!("/sleep?ms={MAX_SLEEP_MS}")),
        Ok(Route::Sleep { ms: MAX_SLEEP_MS })
    );
    assert_eq!(
        get(&format!("/tasks?n={MAX_TASKS}")),
        Ok(Route::Tasks { n: MAX_TASKS })
    );
}

#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn bad_requests_get_a_4xx_that_says_what_would_work() {
    let cases: &[(&str, &str, u16, &str)] = &[
        ("POST", "/hello?name=Ada", 405, "every route is GET"),
        ("DELETE", "/", 405, "DELETE is not served here"),
        ("GET", "/nope", 404, "no route /nope; routes: GET /hello"),
        ("GET", "/hello", 400, "missing `name`: try /hello?name=Ada"),
        (
            "GET",
            "/hello?name=",
            400,
            "`name` must be 1 to 64 bytes long",
        ),
        ("GET", "/sleep", 400, "missing `ms`"),
        (
            "GET",
            "/sleep?ms=soon",
            400,
            "`ms` must be a whole number of milliseconds, not \"soon\"",
        ),
        ("GET", "/sleep?ms=-1", 400, "not \"-1\""),
        ("GET", "/sleep?ms=2001", 400, "`ms` is at most 2000"),
        (
            "GET",
            "/sleep?ms=99999999999999999999999",
            400,
            "whole number",
        ),
        ("GET", "/tasks?n=0", 400, "`n` is 1 to 100 tasks"),
        ("GET", "/tasks?n=101", 400, "`n` is 1 to 100 tasks"),
    ];
    for (method, path, status, says) in cases {
        let (got, message) = refused(method, path);
        assert_eq!(got, *status, "{method} {path}: {message}");
        assert!(
            message.contains(says),
            "{method} {path}: {message:?} should say {says:?}"
        );
    }
    let long = "x".repeat(MAX_NAME_LEN + 1);
    assert_eq!(refused("GET", &format!("/hello?name={long}")).0, 400);
    assert_eq!(
        get(&format!("/hello?name={}", &long[1..])),
        Ok(Route::Hello {
            name: long[1..].into()
        })
    );
}

wasm_rs_async_executor::async_test! {
    async fn each_handler_answers_on_the_executor() {
        assert_eq!(respond(Route::Hello { name: "Ada".into() }).await, "hello, Ada\n");
        assert!(respond(Route::Index).await.starts_with("routes: GET /hello"));

        let slept = respond(Route::Sleep { ms: 20 }).await;
        let measured: u64 = slept
            .strip_prefix("slept 20 ms (measured ")
            .and_then(|s| s.strip_suffix(" ms)\n"))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("unexpected body {slept:?}"));
        // A timer never fires early; how late it fires is the host's business.
        assert!(measured >= 20, "{slept}");

        assert_eq!(
            respond(Route::Tasks { n: 5 }).await,
            "5 tasks returned 1 + 2 + 3 + 4 + 5 = 15\n"
        );
        let sum: u32 = (1..=MAX_TASKS).sum();
        assert!(respond(Route::Tasks { n: MAX_TASKS }).await.ends_with(&format!(" = {sum}\n")));

        let here = respond(Route::Where).await;
        assert_eq!(here, format!("running in {}\n", wasm_rs_async_executor::environment()));
    }
}
