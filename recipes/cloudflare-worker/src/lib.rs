//! wasm-rs in a Cloudflare Worker: a `fetch` handler in Rust, on our executor.
//!
//! A Worker is an ES module whose default export has a `fetch(request)` method returning
//! a `Promise<Response>`. Here that method is one line of JavaScript (`workerd/worker.js`)
//! calling [`fetch`], a plain `#[wasm_bindgen]` export. [`fetch`] reads the method and URL,
//! spawns the handler as a task on `wasm-rs-async-executor`, and resolves the promise with
//! the response when the task ends; the handler sleeps on the executor's timers and fans
//! out to spawned tasks like any other async Rust, and `wasm-rs-dbg`'s `dbg!` prints into
//! the Worker's log (in workerd, `console.log` goes to its standard output).
//!
//! The routing ([`route`]) and the handlers ([`respond`]) know nothing of JS: they are tested
//! natively and in Node, and the whole Worker is tested under workerd over HTTP
//! (`tests/workerd.rs`).
//!
//! Routes, all `GET`:
//! - `/hello?name=Ada`: `hello, Ada`, with `dbg!(name)` in the log;
//! - `/sleep?ms=50`: waits 50 ms on the executor's timer (at most [`MAX_SLEEP_MS`]);
//! - `/tasks?n=10`: spawns `n` tasks (at most [`MAX_TASKS`]), each sleeping a little, and
//!   sums what they return;
//! - `/where`: where the executor thinks it runs ([`wasm_rs_async_executor::environment`]).
//!
//! Anything else is refused with a 4xx status and a message that says what would work.

use std::fmt;
use std::time::Duration;

use wasm_rs_async_executor::{Instant, environment, sleep, spawn};
use wasm_rs_dbg::dbg;

/// The longest `/sleep` accepted, in milliseconds.
pub const MAX_SLEEP_MS: u64 = 2_000;
/// The most tasks `/tasks` spawns for one request.
pub const MAX_TASKS: u32 = 100;
/// The longest `name` `/hello` accepts, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// What a request asks for, decided from its method and URL alone.
///
/// ```
/// use cloudflare_worker::{Route, route};
///
/// let r = route("GET", "https://example.com/hello?name=Ada").unwrap();
/// assert_eq!(r, Route::Hello { name: "Ada".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /`: the list of routes.
    Index,
    /// `GET /hello?name=…`.
    Hello {
        /// Who to greet.
        name: String,
    },
    /// `GET /sleep?ms=…`.
    Sleep {
        /// How long to sleep.
        ms: u64,
    },
    /// `GET /tasks?n=…`.
    Tasks {
        /// How many tasks to spawn.
        n: u32,
    },
    /// `GET /where`.
    Where,
}

/// A refused request: the status to answer with and a message saying what would work.
///
/// ```
/// use cloudflare_worker::route;
///
/// let e = route("GET", "https://example.com/sleep?ms=soon").unwrap_err();
/// assert_eq!(e.status, 400);
/// assert!(e.message.contains("`ms` must be a whole number of milliseconds"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    /// 400, 404 or 405.
    pub status: u16,
    /// One line for the client.
    pub message: String,
}

impl HttpError {
    fn bad_request(message: impl Into<String>) -> Self {
        HttpError {
            status: 400,
            message: message.into(),
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

impl std::error::Error for HttpError {}

/// The text `GET /` answers with.
pub const INDEX: &str = "routes: GET /hello?name=<name>, GET /sleep?ms=<0..=2000>, \
                         GET /tasks?n=<1..=100>, GET /where\n";

// ANCHOR: route
/// Decides what a request asks for, or why it is refused.
///
/// ```
/// use cloudflare_worker::{Route, route};
///
/// assert_eq!(route("GET", "http://localhost/tasks?n=3"), Ok(Route::Tasks { n: 3 }));
/// assert_eq!(route("POST", "http://localhost/hello?name=x").unwrap_err().status, 405);
/// assert_eq!(route("GET", "http://localhost/nope").unwrap_err().status, 404);
/// ```
pub fn route(method: &str, url: &str) -> Result<Route, HttpError> {
    let (path, query) = split_url(url);
    if method != "GET" {
        return Err(HttpError {
            status: 405,
            message: format!("{method} is not served here: every route is GET"),
        });
    }
    match path {
        "/" => Ok(Route::Index),
        "/hello" => {
            let name = param(query, "name")
                .ok_or_else(|| HttpError::bad_request("missing `name`: try /hello?name=Ada"))?;
            if name.is_empty() || name.len() > MAX_NAME_LEN {
                return Err(HttpError::bad_request(format!(
                    "`name` must be 1 to {MAX_NAME_LEN} bytes long"
                )));
            }
            Ok(Route::Hello { name })
        }
        "/sleep" => {
            let ms = number(query, "ms", "a whole number of milliseconds")?;
            if ms > MAX_SLEEP_MS {
                return Err(HttpError::bad_request(format!(
                    "`ms` is at most {MAX_SLEEP_MS}"
                )));
            }
            Ok(Route::Sleep { ms })
        }
        "/tasks" => {
            let n = number(query, "n", "a whole number of tasks")?;
            match u32::try_from(n) {
                Ok(n @ 1..=MAX_TASKS) => Ok(Route::Tasks { n }),
                _ => Err(HttpError::bad_request(format!(
                    "`n` is 1 to {MAX_TASKS} tasks"
                ))),
            }
        }
        "/where" => Ok(Route::Where),
        other => Err(HttpError {
            status: 404,
            message: format!("no route {other}; {INDEX}"),
        }),
    }
}
// ANCHOR_END: route

// ANCHOR: respond
/// Runs a route and returns the response's body. It is ordinary async Rust: the timers and
/// the spawned tasks are the executor's, the log lines `dbg!`'s.
///
/// ```
/// use cloudflare_worker::{Route, respond};
///
/// # #[cfg(not(target_family = "wasm"))]
/// # {
/// let body = wasm_rs_async_executor::block_on(respond(Route::Tasks { n: 4 })).unwrap();
/// assert_eq!(body, "4 tasks returned 1 + 2 + 3 + 4 = 10\n");
/// # }
/// ```
pub async fn respond(route: Route) -> String {
    match route {
        Route::Index => INDEX.to_string(),
        Route::Hello { name } => {
            // Reaches the Worker's log: `[src/lib.rs:…] &name = "Ada"`.
            dbg!(&name);
            format!("hello, {name}\n")
        }
        Route::Sleep { ms } => {
            let started = Instant::now();
            sleep(Duration::from_millis(ms)).await;
            let took = started.elapsed().as_millis();
            format!("slept {ms} ms (measured {took} ms)\n")
        }
        Route::Tasks { n } => {
            let tasks: Vec<_> = (1..=n)
                .map(|i| {
                    spawn(async move {
                        sleep(Duration::from_millis(u64::from(i % 5))).await;
                        u64::from(i)
                    })
                })
                .collect();
            let mut sum = 0;
            for task in tasks {
                // A task only fails if it panicked, and these don't.
                sum += task.await.unwrap_or(0);
            }
            let terms: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
            format!("{n} tasks returned {} = {sum}\n", terms.join(" + "))
        }
        Route::Where => format!("running in {}\n", environment()),
    }
}
// ANCHOR_END: respond

// ANCHOR: fetch
/// The Worker's `fetch` handler: `workerd/worker.js` passes every request's method and
/// URL here, and builds the `Response` from what the promise resolves with, an array
/// `[status, body]`.
///
/// Each request becomes one task on this thread's executor. Why not build the `Response`
/// here: a Worker's I/O objects belong to the request that created them, and one executor
/// serves every request of the isolate, so this task may be polled while another request's
/// event is being handled; plain values cross that line, a `Response` does not. A refused
/// request resolves with its status and message: nothing a client sends makes the promise
/// reject.
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn handle(method: String, url: String) -> js_sys::Promise {
    use wasm_bindgen::JsValue;
    js_sys::Promise::new(&mut move |resolve, _reject| {
        let (method, url) = (method.clone(), url.clone());
        // The handle is dropped: the task runs on, detached, and resolves the promise.
        drop(spawn(async move {
            let (status, body) = match route(&method, &url) {
                Ok(route) => (200, respond(route).await),
                Err(e) => (e.status, format!("{}\n", e.message)),
            };
            let answer = js_sys::Array::of2(&JsValue::from(status), &JsValue::from(body));
            let _ = resolve.call1(&JsValue::UNDEFINED, &answer);
        }));
    })
}
// ANCHOR_END: fetch

/// The path and the query (without `?`) of an absolute URL; the fragment is dropped.
fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let start = after_scheme.find('/').unwrap_or(after_scheme.len());
    let rest = &after_scheme[start..];
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    (if path.is_empty() { "/" } else { path }, query)
}

/// The first value of `key` in a query string, decoded as a form would be (`+` is a
/// space, `%XX` a byte).
fn param(query: &str, key: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn number(query: &str, key: &str, what: &str) -> Result<u64, HttpError> {
    let raw = param(query, key)
        .ok_or_else(|| HttpError::bad_request(format!("missing `{key}`: {INDEX}")))?;
    raw.parse()
        .map_err(|_| HttpError::bad_request(format!("`{key}` must be {what}, not {raw:?}")))
}
