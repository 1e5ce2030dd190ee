//! The whole Worker under workerd, over HTTP: the wasm module, wasm-bindgen's glue and
//! `workerd/worker.js`, exactly as `npm start` in `workerd/` serves them.
//!
//! Each test starts its own workerd on a free loopback port and stops it when it ends. Build
//! the Worker first (`cargo xtask test -p cloudflare-worker` does all of this):
//!
//! ```text
//! cd workerd && npm ci && npm run wasm && cd ..
//! cargo test --features workerd-e2e --test workerd
//! ```

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A running workerd serving the recipe's Worker; killed on drop.
struct Workerd {
    child: Child,
    port: u16,
    /// Everything workerd wrote so far: its log (`console.log` is its standard output).
    log: Arc<Mutex<String>>,
    agent: ureq::Agent,
}

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("workerd")
}

impl Workerd {
    fn start() -> Workerd {
        let dir = project();
        let bin = dir.join("node_modules/.bin/workerd");
        let wasm = dir.join("pkg/cloudflare_worker_bg.wasm");
        for (path, fix) in [(&bin, "npm ci"), (&wasm, "npm run wasm")] {
            assert!(
                path.exists(),
                "{} is missing: run `{fix}` in {} first (or `cargo xtask test -p cloudflare-worker`)",
                path.display(),
                dir.display()
            );
        }
        // A port nobody uses now; workerd binds it a moment later.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut child = Command::new(&bin)
            .current_dir(&dir)
            .env("PWD", &dir)
            .args(["serve", "config.capnp", "--verbose", "--socket-addr"])
            .arg(format!("http=127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let log = Arc::new(Mutex::new(String::new()));
        let out: Box<dyn Read + Send> = Box::new(child.stdout.take().expect("piped"));
        let err: Box<dyn Read + Send> = Box::new(child.stderr.take().expect("piped"));
        for stream in [out, err] {
            let log = log.clone();
            thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut w = Workerd {
            child,
            port,
            log,
            agent,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = w.child.try_wait() {
                panic!("workerd exited ({status}) before listening:\n{}", w.log());
            }
            assert!(
                Instant::now() < deadline,
                "workerd did not listen within 30 s:\n{}",
                w.log()
            );
            thread::sleep(Duration::from_millis(50));
        }
        w
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn get(&self, path: &str) -> (u16, String) {
        let mut r = self
            .agent
            .get(&self.url(path))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}\n{}", self.log()));
        let body = r.body_mut().read_to_string().expect("a UTF-8 body");
        (r.status().as_u16(), body)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) for `text` to appear in workerd's log: a line is written a moment
    /// after the response that caused it can arrive.
    fn wait_for_log(&self, text: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.log().contains(text) {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Workerd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn hello_answers_and_dbg_reaches_the_workers_log() {
    let w = Workerd::start();
    assert_eq!(
        w.get("/hello?name=Ada+Lovelace"),
        (200, "hello, Ada Lovelace\n".into())
    );
    assert!(
        w.wait_for_log(r#"&name = "Ada Lovelace""#),
        "dbg!(&name) should reach workerd's log; it holds:\n{}",
        w.log()
    );
    // dbg! prints its location too, as std's does.
    assert!(w.log().contains("src/lib.rs:"), "{}", w.log());
}

#[test]
fn timers_and_spawned_tasks_run_inside_a_request() {
    let w = Workerd::start();
    let (status, body) = w.get("/sleep?ms=120");
    assert_eq!(status, 200, "{body}");
    let measured: u64 = body
        .strip_prefix("slept 120 ms (measured ")
        .and_then(|s| s.strip_suffix(" ms)\n"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unexpected body {body:?}"));
    assert!(measured >= 120, "the timer fired early: {body}");

    let sum: u32 = (1..=100).sum();
    let (status, body) = w.get("/tasks?n=100");
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("100 tasks returned 1 + 2 + 3 "), "{body}");
    assert!(body.ends_with(&format!(" = {sum}\n")), "{body}");
}

#[test]
fn the_executor_knows_it_runs_in_workerd() {
    let w = Workerd::start();
    let (status, body) = w.get("/where");
    assert_eq!(status, 200);
    assert_eq!(body, "running in Cloudflare Workers (workerd)\n");
}

#[test]
fn concurrent_requests_share_one_executor_and_each_gets_its_own_answer() {
    let w = Arc::new(Workerd::start());
    let clients: Vec<_> = (0..16)
        .map(|i| {
            let w = w.clone();
            thread::spawn(move || {
                let ms = 40 + (i % 4) * 20;
                let slept = w.get(&format!("/sleep?ms={ms}"));
                let hello = w.get(&format!("/hello?name=client{i}"));
                let tasks = w.get(&format!("/tasks?n={}", 10 + i));
                (i, ms, slept, hello, tasks)
            })
        })
        .collect();
    // Every client ends before anything is asserted, so that a failure still stops workerd
    // (the clients hold it too).
    let results: Vec<_> = clients.into_iter().map(|c| c.join()).collect();
    for result in results {
        let (i, ms, (s1, slept), (s2, hello), (s3, tasks)) = result.expect("a client thread");
        assert_eq!(s1, 200, "{slept}\n{}", w.log());
        assert!(
            slept.starts_with(&format!("slept {ms} ms (measured ")),
            "{slept}"
        );
        assert_eq!((s2, hello), (200, format!("hello, client{i}\n")));
        let n = 10 + i;
        assert_eq!(s3, 200, "{tasks}\n{}", w.log());
        assert!(
            tasks.ends_with(&format!(" = {}\n", n * (n + 1) / 2)),
            "{tasks}"
        );
    }
}

#[test]
fn bad_requests_get_a_4xx_with_a_message_and_the_worker_keeps_serving() {
    let w = Workerd::start();
    for (path, status, says) in [
        ("/nope", 404, "no route /nope"),
        ("/hello", 400, "missing `name`"),
        (
            "/sleep?ms=soon",
            400,
            "`ms` must be a whole number of milliseconds",
        ),
        ("/sleep?ms=5000", 400, "`ms` is at most 2000"),
        ("/tasks?n=100000", 400, "`n` is 1 to 100 tasks"),
    ] {
        let (got, body) = w.get(path);
        assert_eq!(got, status, "GET {path}: {body}");
        assert!(
            body.contains(says),
            "GET {path}: {body:?} should say {says:?}"
        );
    }
    let mut r = w
        .agent
        .post(&w.url("/hello?name=Ada"))
        .send_empty()
        .expect("POST /hello");
    assert_eq!(r.status().as_u16(), 405);
    assert!(
        r.body_mut()
            .read_to_string()
            .unwrap()
            .contains("every route is GET")
    );
    // Nothing above took the Worker down.
    assert_eq!(w.get("/hello?name=still"), (200, "hello, still\n".into()));
    assert!(!w.log().contains("Uncaught"), "{}", w.log());
}
