//! wasm32 benchmark (headless Chromium main thread and Node): messages from the main thread
//! to a worker, and main -> worker -> main round trips, over this channel, over the
//! worker's `postMessage` and over a `MessageChannel` (both structured clone), in the same
//! run.
//!
//! Run it with `cargo xtask bench --suite channel` (release build, a fresh page or Node
//! process per run; see `book/src/benchmarks.md`). The module exports `bench_run(env, quick)`,
//! which measures one run and returns its report as JSON (`ci/bench-support/report.rs`), and
//! `bench_worker_entry(task)`, which the workers it starts (with wasm-rs-worker) call after
//! loading this same module.
//!
//! Figures: throughput of 64-byte and 4 KiB messages sent one `send_async` at a time, and
//! sent with `send_batch_async` in batches of `BATCH` (a 4 MiB ring; single 64-byte sends also
//! through 1 KiB and 64 KiB rings); the round trip of a 64-byte message;
//! and the cost of one `recv` and one `recv_timeout` against one `try_recv` when a message
//! is already waiting (one thread); and the floor under one message at a time: a `try_send`
//! alone on one thread, as msg/s against postMessage and in units of one wasm → JS call.
//! The worker drains with one blocking `recv_into` per message in every case. Two busy threads
//! on a 2-core machine are oversubscribed by anything else running.

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn main() {
    println!("the channel benchmark runs on wasm32 only: run `cargo xtask bench --suite channel`");
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn main() {}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use js_sys::{Array, Function, Object, Promise, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use wasm_rs_shared_channel::spsc::{self, RawReceiver, RawSender};

    use crate::report::{Better, Report, median, report_panics};

    /// Messages per throughput batch, by size (quick runs send a quarter).
    const MESSAGES_64: u32 = 200_000;
    const MESSAGES_4K: u32 = 40_000;
    /// Messages per `send_batch_async` call.
    const BATCH: usize = 256;
    /// Channel capacity: room for several batches of 4 KiB messages.
    const CAPACITY: usize = 4 << 20;
    /// Round-trip batches timed per run (each at least 5 ms long).
    const RTT_BATCHES: usize = 9;

    fn now() -> f64 {
        let perf = Reflect::get(&js_sys::global(), &"performance".into()).unwrap_or_default();
        Reflect::get(&perf, &"now".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call0(&perf).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or(f64::NAN)
    }

    /// What a worker does, given to it as a JS object.
    enum Task {
        /// Receives one warm-up message, acks `ready`, receives `n` messages, acks `done`.
        Drain(RawReceiver, RawSender, u32),
        /// Sends every message back until the sender is gone.
        Echo(RawReceiver, RawSender),
    }

    /// Starts a worker on this module (through wasm-rs-worker, which hands it the compiled
    /// module); its `join()` gives the number of messages it handled.
    async fn start_worker(task: Task) -> Result<wasm_rs_worker::WorkerHandle, JsValue> {
        let obj = Object::new();
        let (role, rx, tx, n) = match task {
            Task::Drain(rx, tx, n) => ("drain", rx, tx, n),
            Task::Echo(rx, tx) => ("echo", rx, tx, 0),
        };
        Reflect::set(&obj, &"role".into(), &role.into())?;
        Reflect::set(&obj, &"rx".into(), &rx.into_js())?;
        Reflect::set(&obj, &"tx".into(), &tx.into_js())?;
        Reflect::set(&obj, &"n".into(), &n.into())?;
        // The harness says where the glue is; the worker imports the same file.
        let glue = Reflect::get(&js_sys::global(), &"__benchGlue".into())?
            .as_string()
            .map_or_else(wasm_rs_worker::glue_url, Ok)
            .map_err(js_err)?;
        wasm_rs_worker::spawn_worker(&glue, "bench_worker_entry", obj.into())
            .await
            .map_err(js_err)
    }

    fn js_err(e: impl std::fmt::Display) -> JsValue {
        JsValue::from_str(&e.to_string())
    }

    /// The worker side: runs the task in `task` with blocking calls; returns how many
    /// messages it handled.
    #[wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to JS; it must be pub"
    )]
    pub fn bench_worker_entry(task: JsValue) -> Result<u32, JsValue> {
        let get = |k: &str| Reflect::get(&task, &k.into()).unwrap_or_default();
        let mut rx = RawReceiver::from_js(&get("rx")).map_err(js_err)?;
        let mut tx = RawSender::from_js(&get("tx")).map_err(js_err)?;
        let mut buf = Vec::new();
        match get("role").as_string().as_deref() {
            Some("drain") => {
                let n = get("n").as_f64().unwrap_or(0.0) as u32;
                rx.recv_into(&mut buf).map_err(js_err)?;
                tx.send(b"ready").map_err(js_err)?;
                for _ in 0..n {
                    rx.recv_into(&mut buf).map_err(js_err)?;
                }
                tx.send(b"done").map_err(js_err)?;
                Ok(n)
            }
            Some("echo") => {
                let mut n = 0;
                while rx.recv_into(&mut buf).is_ok() {
                    tx.send(&buf).map_err(js_err)?;
                    n += 1;
                }
                Ok(n)
            }
            other => Err(JsValue::from_str(&format!("unknown role {other:?}"))),
        }
    }

    async fn worker_result(mut worker: wasm_rs_worker::WorkerHandle) -> Result<u32, JsValue> {
        let v = worker.join().await.map_err(js_err)?;
        v.as_f64()
            .map(|n| n as u32)
            .ok_or_else(|| JsValue::from_str("the worker returned no count"))
    }

    /// Messages per second, main -> worker, `n` messages of `size` bytes, sent one at a time
    /// or in batches of `BATCH`, through a ring of `capacity` bytes.
    async fn channel_throughput(
        size: usize,
        n: u32,
        batched: bool,
        capacity: usize,
    ) -> Result<f64, JsValue> {
        let (mut tx, rx) = spsc::raw_channel(capacity).map_err(js_err)?;
        let (ack_tx, mut ack) = spsc::raw_channel(64).map_err(js_err)?;
        let worker = start_worker(Task::Drain(rx, ack_tx, n)).await?;
        let msg = vec![7u8; size];
        let batch = vec![msg.as_slice(); BATCH];
        tx.send_async(&msg).await.map_err(js_err)?;
        if ack.recv_async().await.map_err(js_err)? != b"ready" {
            return Err("the worker did not say ready".into());
        }
        let start = now();
        if batched {
            let mut left = n as usize;
            while left > 0 {
                let k = left.min(BATCH);
                tx.send_batch_async(&batch[..k]).await.map_err(js_err)?;
                left -= k;
            }
        } else {
            for _ in 0..n {
                tx.send_async(&msg).await.map_err(js_err)?;
            }
        }
        if ack.recv_async().await.map_err(js_err)? != b"done" {
            return Err("the worker did not say done".into());
        }
        let ms = now() - start;
        if worker_result(worker).await? != n {
            return Err("the worker received a different number of messages".into());
        }
        Ok(f64::from(n) / ms * 1000.0)
    }

    /// Median round trip (µs) main -> worker -> main of a 64-byte message, timed in batches
    /// of at least 5 ms.
    async fn channel_round_trip(batches: usize) -> Result<f64, JsValue> {
        let (mut tx, rx) = spsc::raw_channel(4096).map_err(js_err)?;
        let (back_tx, mut back) = spsc::raw_channel(4096).map_err(js_err)?;
        let worker = start_worker(Task::Echo(rx, back_tx)).await?;
        let msg = [9u8; 64];
        let mut buf = Vec::new();
        let mut per_batch = 64u32;
        let mut times = Vec::new();
        let mut sent = 0;
        // Calibration rounds (not recorded) double the batch until it takes >= 5 ms.
        while times.len() < batches {
            let start = now();
            for _ in 0..per_batch {
                tx.send_async(&msg).await.map_err(js_err)?;
                back.recv_async_into(&mut buf).await.map_err(js_err)?;
            }
            sent += per_batch;
            let ms = now() - start;
            if buf != msg {
                return Err("the echo differs from the message".into());
            }
            if ms < 5.0 {
                per_batch *= 2;
            } else {
                times.push(ms * 1000.0 / f64::from(per_batch));
            }
        }
        drop(tx);
        if worker_result(worker).await? != sent {
            return Err("the worker echoed a different number of messages".into());
        }
        Ok(median(&times))
    }

    /// Peer death, detected by the runtime (issue #22): milliseconds from wasm-rs-worker's
    /// `terminate()` of a worker blocked in `recv_into` (it holds the sender of the ring the
    /// main thread waits on) until the main thread's `recv_async_into` returns
    /// `Disconnected`, with no `mark_sender_terminated`; next to the round trip of one
    /// 64-byte message to that same worker just before, the cheapest signal the two threads
    /// have. `[death, round trip]`, medians over `trials` fresh workers. A death never
    /// noticed fails the run after 10 s instead of hanging it.
    async fn peer_death(trials: usize) -> Result<[f64; 2], JsValue> {
        let msg = [7u8; 64];
        let mut buf = Vec::new();
        let (mut deaths, mut trips) = (Vec::new(), Vec::new());
        for _ in 0..trials {
            let (mut tx, rx) = spsc::raw_channel(4096).map_err(js_err)?;
            let (back_tx, mut back) = spsc::raw_channel(4096).map_err(js_err)?;
            let worker = start_worker(Task::Echo(rx, back_tx)).await?;
            // One untimed echo: the worker runs and is blocked in `recv_into` again.
            tx.send_async(&msg).await.map_err(js_err)?;
            back.recv_async_into(&mut buf).await.map_err(js_err)?;
            let start = now();
            tx.send_async(&msg).await.map_err(js_err)?;
            back.recv_async_into(&mut buf).await.map_err(js_err)?;
            trips.push(now() - start);
            let start = now();
            worker.terminate();
            let ended = wasm_rs_async_executor::timeout(
                std::time::Duration::from_secs(10),
                back.recv_async_into(&mut buf),
            )
            .await;
            let ms = now() - start;
            match ended {
                Ok(Err(wasm_rs_shared_channel::RecvError::Disconnected)) => deaths.push(ms),
                Ok(other) => {
                    return Err(
                        format!("after terminate() expected Disconnected, got {other:?}").into(),
                    );
                }
                Err(_) => return Err("a terminated worker went unnoticed for 10 s".into()),
            }
            drop(tx);
        }
        Ok([median(&deaths), median(&trips)])
    }

    /// Nanoseconds per receive when a 64-byte message is always waiting, for
    /// `[try_recv, recv, recv_timeout(1 s)]`: what each costs on its fast path. One thread;
    /// each pass fills the ring (not timed), then takes every message with one method. The
    /// methods take turns (each round starting with the next one), and each gets the median
    /// of its passes.
    fn recv_paths(passes: usize) -> Result<[f64; 3], JsValue> {
        const PER_PASS: usize = 20_000;
        let (mut tx, mut rx) = spsc::raw_channel(PER_PASS * 68).map_err(js_err)?;
        let msg = [5u8; 64];
        let mut times: [Vec<f64>; 3] = Default::default();
        // The first round warms the engine up and is not recorded.
        for round in 0..=passes {
            // Each round starts with another method, so none always runs first.
            for turn in 0..3 {
                let method = (round + turn) % 3;
                for _ in 0..PER_PASS {
                    tx.try_send(&msg).map_err(js_err)?;
                }
                let start = now();
                for _ in 0..PER_PASS {
                    let got = match method {
                        0 => rx.try_recv(),
                        1 => rx.recv(),
                        _ => rx.recv_timeout(std::time::Duration::from_secs(1)),
                    }
                    .map_err(js_err)?;
                    if got.len() != msg.len() {
                        return Err("a receive returned another message".into());
                    }
                }
                let ns = (now() - start) * 1e6 / PER_PASS as f64;
                if round > 0 {
                    times[method].push(ns);
                }
            }
        }
        Ok(times.map(|t| median(&t)))
    }

    #[wasm_bindgen]
    extern "C" {
        /// The cheapest call from wasm into JS the channel makes, bound as the crate binds it.
        #[wasm_bindgen(js_namespace = Atomics, js_name = load)]
        fn atomics_load(array: &js_sys::Int32Array, index: u32) -> i32;
    }

    /// The floor under one message at a time, on one thread: nanoseconds per 64-byte
    /// `try_send` with room in the ring and nobody waiting (no wake, no async machinery, no
    /// second thread), and per bare `Atomics.load` call from wasm, the unit a send is made
    /// of (a send is four such calls: load HEAD, copy, store TAIL, load RX_WAITING).
    /// `[try_send, Atomics.load]`, each the median of its passes.
    fn send_floor(passes: usize) -> Result<[f64; 2], JsValue> {
        const PER_PASS: usize = 20_000;
        let (mut tx, mut rx) = spsc::raw_channel(PER_PASS * 68).map_err(js_err)?;
        let msg = [5u8; 64];
        let words = js_sys::Int32Array::new(&js_sys::SharedArrayBuffer::new(64));
        let mut times: [Vec<f64>; 2] = Default::default();
        let mut sink = 0i32;
        for round in 0..=passes {
            let start = now();
            for _ in 0..PER_PASS {
                tx.try_send(&msg).map_err(js_err)?;
            }
            let send_ns = (now() - start) * 1e6 / PER_PASS as f64;
            for _ in 0..PER_PASS {
                rx.try_recv().map_err(js_err)?;
            }
            let start = now();
            for i in 0..PER_PASS {
                sink = sink.wrapping_add(atomics_load(&words, (i & 15) as u32));
            }
            let call_ns = (now() - start) * 1e6 / PER_PASS as f64;
            if round > 0 {
                times[0].push(send_ns);
                times[1].push(call_ns);
            }
        }
        if sink != 0 {
            return Err("a zeroed buffer read as non-zero".into());
        }
        Ok(times.map(|t| median(&t)))
    }

    /// The floor under one `send_async` at a time, on one thread: nanoseconds per 64-byte
    /// `send_async(..).await` with room in the ring and nobody waiting. Against
    /// [`send_floor`]'s `try_send`, what the future and its poll add; against the two-thread
    /// figure, what the second thread adds. The median of `passes` passes.
    async fn send_async_floor(passes: usize) -> Result<f64, JsValue> {
        const PER_PASS: usize = 20_000;
        let (mut tx, mut rx) = spsc::raw_channel(PER_PASS * 68).map_err(js_err)?;
        let msg = [5u8; 64];
        let mut times = Vec::new();
        for round in 0..=passes {
            let start = now();
            for _ in 0..PER_PASS {
                tx.send_async(&msg).await.map_err(js_err)?;
            }
            let ns = (now() - start) * 1e6 / PER_PASS as f64;
            for _ in 0..PER_PASS {
                rx.try_recv().map_err(js_err)?;
            }
            if round > 0 {
                times.push(ns);
            }
        }
        Ok(median(&times))
    }

    /// The peers, measured by the same rules in JS: `[postMessage, MessageChannel]` ×
    /// `[64 B msg/s, 4 KiB msg/s, round trip µs]`.
    const PEER_JS: &str = r#"
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
const body = `
  let mode = null, count = 0, n = 0;
  function onMsg(d, reply) {
    if (d && d.cmd) { mode = d.cmd; n = d.n || 0; count = 0; if (d.port) listen(d.port); reply('ready'); return; }
    if (mode === 'sink') { if (++count === n) reply('done'); } else reply(d);
  }`;
let worker, MC;
if (isNode) {
  const wt = globalThis.__benchRequire('node:worker_threads');
  worker = new wt.Worker(body + `
    const { parentPort } = require('node:worker_threads');
    function listen(p) { p.on('message', (d) => onMsg(d, (m) => p.postMessage(m))); }
    listen(parentPort);`, { eval: true });
  MC = wt.MessageChannel;
} else {
  const src = body + `
    function listen(p) { p.onmessage = (e) => onMsg(e.data, (m) => p.postMessage(m)); }
    listen(self);`;
  worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
  MC = MessageChannel;
}
const next = (t) => new Promise((r) => isNode ? t.once('message', r)
  : t.addEventListener('message', (e) => r(e.data), { once: true }));
const now = () => performance.now();
async function throughput(target, post, size, count) {
  post({ cmd: 'sink', n: count }); await next(target);
  const msg = new Uint8Array(size).fill(7);
  const t0 = now();
  for (let i = 0; i < count; i++) post(msg);
  const done = await next(target);
  if (done !== 'done') throw new Error('sink said ' + done);
  return count / (now() - t0) * 1000;
}
async function roundTrip(target, post) {
  post({ cmd: 'echo' }); await next(target);
  const msg = new Uint8Array(64).fill(9);
  const times = [];
  let per = 64;
  while (times.length < batches) {
    const t = now();
    for (let i = 0; i < per; i++) { post(msg); await next(target); }
    const ms = now() - t;
    if (ms < 5) per *= 2; else times.push(ms * 1000 / per);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}
async function measure(target, post) {
  return [await throughput(target, post, 64, n64), await throughput(target, post, 4096, n4k),
    await roundTrip(target, post)];
}
const pm = await measure(worker, (x) => worker.postMessage(x));
const ch = new MC();
if (!isNode) ch.port1.start();
worker.postMessage({ cmd: 'sink', n: 0, port: ch.port2 }, [ch.port2]);
await next(worker);
const mc = await measure(ch.port1, (x) => ch.port1.postMessage(x));
ch.port1.close();
worker.terminate();
return pm.concat(mc);
"#;

    async fn peers(n64: u32, n4k: u32, batches: usize) -> Result<Vec<f64>, JsValue> {
        let ctor: Function = js_sys::eval("(async function(){}).constructor")?.into();
        let args = Array::of4(
            &"n64".into(),
            &"n4k".into(),
            &"batches".into(),
            &PEER_JS.into(),
        );
        let f: Function = Reflect::construct(&ctor, &args)?.into();
        let p: Promise = f
            .call3(
                &JsValue::UNDEFINED,
                &n64.into(),
                &n4k.into(),
                &(batches as u32).into(),
            )?
            .into();
        let a: Array = JsFuture::from(p).await?.into();
        Ok(a.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
    }

    /// The machine's logical cores, as the engine reports them.
    fn cores() -> u32 {
        js_sys::eval(
            "(globalThis.navigator && navigator.hardwareConcurrency) || \
             globalThis.__benchRequire('node:os').cpus().length",
        )
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(0, |n| n as u32)
    }

    async fn run(env: &str, quick: bool) -> Result<String, JsValue> {
        let scale = if quick { 4 } else { 1 };
        let (n64, n4k) = (MESSAGES_64 / scale, MESSAGES_4K / scale);
        let batches = if quick { 3 } else { RTT_BATCHES };
        // Warm-up (not recorded): the engine tiers up the hot wasm.
        channel_throughput(64, n64 / 4, false, CAPACITY).await?;
        channel_throughput(64, n64 / 4, true, CAPACITY).await?;
        let t64 = channel_throughput(64, n64, false, CAPACITY).await?;
        let t64b = channel_throughput(64, n64, true, CAPACITY).await?;
        let t4k = channel_throughput(4096, n4k, false, CAPACITY).await?;
        let t4kb = channel_throughput(4096, n4k, true, CAPACITY).await?;
        let t64_1k = channel_throughput(64, n64 / 4, false, 1 << 10).await?;
        let t64_64k = channel_throughput(64, n64 / 4, false, 64 << 10).await?;
        let rtt = channel_round_trip(batches).await?;
        let [try_recv, recv, recv_timeout] = recv_paths(if quick { 3 } else { 9 })?;
        let [try_send, js_call] = send_floor(if quick { 3 } else { 9 })?;
        let send_async = send_async_floor(if quick { 3 } else { 9 }).await?;
        let [death, death_rtt] = peer_death(if quick { 2 } else { 7 }).await?;
        let p = peers(n64, n4k, batches).await?;
        let (pm, mc) = (&p[0..3], &p[3..6]);
        let mut r = Report::new("channel", env);
        let ours = "wasm-rs-shared-channel";
        for (id, label, value, i) in [
            (
                "throughput-64",
                "64 B messages main → worker, one send_async each",
                t64,
                0,
            ),
            (
                "throughput-64-batched",
                "64 B messages main → worker, send_batch_async of 256",
                t64b,
                0,
            ),
            (
                "throughput-64-ring-1k",
                "64 B messages main → worker, one send_async each, 1 KiB ring (15 messages)",
                t64_1k,
                0,
            ),
            (
                "throughput-64-ring-64k",
                "64 B messages main → worker, one send_async each, 64 KiB ring",
                t64_64k,
                0,
            ),
            (
                "throughput-4k",
                "4 KiB messages main → worker, one send_async each",
                t4k,
                1,
            ),
            (
                "throughput-4k-batched",
                "4 KiB messages main → worker, send_batch_async of 256",
                t4kb,
                1,
            ),
        ] {
            r.figure(
                id,
                label,
                "msg/s",
                Better::Higher,
                &[
                    (ours, value),
                    ("postMessage", pm[i]),
                    ("MessageChannel", mc[i]),
                ],
            );
        }
        r.figure(
            "round-trip",
            "64 B round trip main → worker → main",
            "µs",
            Better::Lower,
            &[
                (ours, rtt),
                ("postMessage", pm[2]),
                ("MessageChannel", mc[2]),
            ],
        );
        r.note(format!(
            "two busy threads (main and worker) on {} logical cores: oversubscribed whenever anything else runs",
            cores()
        ));
        r.figure(
            "send-ceiling-64",
            "64 B try_send on one thread, ring never full, nobody to wake: the most one message at a time can reach",
            "msg/s",
            Better::Higher,
            &[("try_send", 1e9 / try_send), ("postMessage", pm[0])],
        );
        r.figure(
            "send-ceiling-64-async",
            "64 B send_async on one thread, ring never full, nobody to wake: one message at a time with its future, without a second thread",
            "msg/s",
            Better::Higher,
            &[("send_async", 1e9 / send_async), ("postMessage", pm[0])],
        );
        r.figure(
            "send-calls",
            "64 B try_send per call, against one wasm → JS Atomics.load call (a send makes four)",
            "ns",
            Better::Lower,
            &[("try_send", try_send), ("Atomics.load", js_call)],
        );
        r.figure(
            "peer-death",
            "peer death: a worker blocked in recv_into is terminated, until recv_async_into returns Disconnected (vs one 64 B round trip)",
            "ms",
            Better::Lower,
            &[("Disconnected", death), ("round trip", death_rtt)],
        );
        for (id, label, name, value) in [
            (
                "recv-ready",
                "receive with a 64 B message waiting, per call: recv vs try_recv",
                "recv",
                recv,
            ),
            (
                "recv-timeout-ready",
                "receive with a 64 B message waiting, per call: recv_timeout vs try_recv",
                "recv_timeout",
                recv_timeout,
            ),
        ] {
            r.figure(
                id,
                label,
                "ns",
                Better::Lower,
                &[(name, value), ("try_recv", try_recv)],
            );
        }
        Ok(r.to_json())
    }

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` sends a quarter of the messages and times fewer round-trip batches.
    #[wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to JS; it must be pub"
    )]
    pub async fn bench_run(env: String, quick: bool) -> Result<String, JsValue> {
        report_panics();
        run(&env, quick).await
    }
}
