//! Benchmark (not part of the test suite; needs `--features bench`): 64-byte messages from
//! the main thread to a worker, and main -> worker -> main round trips, over this channel,
//! over `postMessage` and over a `MessageChannel` (structured clone), in the same run.
//!
//! ```text
//! WASM_BINDGEN_TEST_TIMEOUT=600 WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test -p wasm-rs-shared-channel --release --features bench \
//!   --target wasm32-unknown-unknown --test bench_vs_postmessage -- --nocapture
//! ```
//! (without `WASM_BINDGEN_USE_BROWSER` it runs in Node). Two threads on a 2-core machine
//! are oversubscribed by anything else running.
#![cfg(target_arch = "wasm32")]

mod common;

use common::platform::{Task, start_worker};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_shared_channel::spsc;

const MESSAGES: u32 = 200_000;
const ROUND_TRIPS: u32 = 5_000;
const RUNS: usize = 3;
const BATCH: u32 = 50;

fn now_ms() -> f64 {
    let perf = Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let now: Function = Reflect::get(&perf, &"now".into()).unwrap().into();
    now.call0(&perf).unwrap().as_f64().unwrap()
}

fn log(s: &str) {
    web_log(s);
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn web_log(s: &str);
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Messages per second through the channel, main -> worker.
async fn channel_throughput() -> f64 {
    let (mut tx, rx) = spsc::raw_channel(64 * 1024).unwrap();
    let (ack_tx, mut ack) = spsc::raw_channel(64).unwrap();
    let worker = start_worker(Task::DrainBytes(rx, ack_tx, MESSAGES));
    let msg = [7u8; 64];
    tx.send_async(&msg).await.unwrap();
    assert_eq!(ack.recv_async().await.unwrap(), b"ready");
    let t0 = now_ms();
    for _ in 0..MESSAGES {
        tx.send_async(&msg).await.unwrap();
    }
    assert_eq!(ack.recv_async().await.unwrap(), b"done");
    let ms = now_ms() - t0;
    assert_eq!(worker.outcome().await, Ok((MESSAGES, 0)));
    f64::from(MESSAGES) / ms * 1000.0
}

/// Median round trip (µs) main -> worker -> main through two channels.
async fn channel_round_trip() -> f64 {
    let (mut tx, rx) = spsc::raw_channel(4096).unwrap();
    let (back_tx, mut back) = spsc::raw_channel(4096).unwrap();
    let worker = start_worker(Task::EchoBytes(rx, back_tx));
    let msg = [9u8; 64];
    let mut buf = Vec::new();
    for _ in 0..200 {
        tx.send_async(&msg).await.unwrap();
        back.recv_async_into(&mut buf).await.unwrap();
    }
    // performance.now() is coarse (5 µs in a cross-origin isolated Chromium page), so
    // time batches of BATCH round trips and take the median batch mean.
    let mut times = Vec::new();
    for _ in 0..ROUND_TRIPS / BATCH {
        let t = now_ms();
        for _ in 0..BATCH {
            tx.send_async(&msg).await.unwrap();
            back.recv_async_into(&mut buf).await.unwrap();
        }
        times.push((now_ms() - t) * 1000.0 / f64::from(BATCH));
        assert_eq!(buf, msg);
    }
    drop(tx);
    assert_eq!(worker.outcome().await, Ok((ROUND_TRIPS + 200, 0)));
    median(times)
}

const PEER_JS: &str = r#"
const BATCH = 50;
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
const body = `
  let mode = null, count = 0;
  function onMsg(d, reply) {
    if (d && d.cmd) { mode = d.cmd; count = 0; if (d.port) listen(d.port); reply('ready'); return; }
    if (mode === 'sink') { if (++count === N) reply('done'); } else reply(d);
  }`.replace('N', String(n));
let worker;
if (isNode) {
  const { Worker, MessageChannel } = process.mainModule.require('node:worker_threads');
  worker = new Worker(body + `
    const { parentPort } = require('node:worker_threads');
    function listen(p) { p.on('message', (d) => onMsg(d, (m) => p.postMessage(m))); }
    listen(parentPort);`, { eval: true });
  globalThis.__benchMC = MessageChannel;
} else {
  const src = body + `
    function listen(p) { p.onmessage = (e) => onMsg(e.data, (m) => p.postMessage(m)); }
    listen(self);`;
  worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
  globalThis.__benchMC = MessageChannel;
}
const next = (t) => new Promise((r) => isNode ? t.once('message', r)
  : t.addEventListener('message', (e) => r(e.data), { once: true }));
const now = () => performance.now();
async function measure(target, post) {
  post({ cmd: 'sink' }); await next(target);
  const msg = new Uint8Array(64).fill(7);
  let t0 = now();
  for (let i = 0; i < n; i++) post(msg);
  const done = await next(target);
  if (done !== 'done') throw new Error('sink said ' + done);
  const rate = n / (now() - t0) * 1000;
  post({ cmd: 'echo' }); await next(target);
  for (let i = 0; i < 200; i++) { post(msg); await next(target); }
  const times = [];
  for (let b = 0; b < m / BATCH; b++) {
    const t = now();
    for (let i = 0; i < BATCH; i++) { post(msg); await next(target); }
    times.push((now() - t) * 1000 / BATCH);
  }
  times.sort((a, b) => a - b);
  return [rate, times[times.length >> 1]];
}
const pm = await measure(worker, (x) => worker.postMessage(x));
const ch = new globalThis.__benchMC();
if (!isNode) ch.port1.start();
worker.postMessage({ cmd: 'sink', port: ch.port2 }, [ch.port2]);
await next(worker);
const mc = await measure(ch.port1, (x) => ch.port1.postMessage(x));
ch.port1.close();
worker.terminate();
return [pm[0], pm[1], mc[0], mc[1]];
"#;

/// [postMessage msgs/s, postMessage RTT µs, MessageChannel msgs/s, MessageChannel RTT µs].
async fn peers() -> [f64; 4] {
    let ctor: Function = js_sys::eval("(async function(){}).constructor")
        .unwrap()
        .into();
    let f: Function = Reflect::construct(
        &ctor,
        &js_sys::Array::of3(&"n".into(), &"m".into(), &PEER_JS.into()),
    )
    .unwrap()
    .into();
    let p: Promise = f
        .call2(&JsValue::UNDEFINED, &MESSAGES.into(), &ROUND_TRIPS.into())
        .unwrap()
        .into();
    let a: js_sys::Array = JsFuture::from(p).await.unwrap().into();
    [0, 1, 2, 3].map(|i| a.get(i).as_f64().unwrap())
}

#[wasm_bindgen_test]
async fn bench_channel_vs_post_message() {
    let mut rows = Vec::new();
    for run in 0..RUNS {
        let tput = channel_throughput().await;
        let rtt = channel_round_trip().await;
        let [pm_tput, pm_rtt, mc_tput, mc_rtt] = peers().await;
        log(&format!(
            "run {run}: 64 B main->worker: channel {tput:.0} msg/s, postMessage {pm_tput:.0} msg/s, MessageChannel {mc_tput:.0} msg/s | round trip median: channel {rtt:.1} us, postMessage {pm_rtt:.1} us, MessageChannel {mc_rtt:.1} us"
        ));
        assert!(tput > 0.0 && pm_tput > 0.0 && mc_tput > 0.0);
        rows.push((tput, rtt, pm_tput, pm_rtt, mc_tput, mc_rtt));
    }
    type Row = (f64, f64, f64, f64, f64, f64);
    let col = |f: fn(&Row) -> f64| median(rows.iter().map(f).collect());
    let (tput, rtt, pm_tput, pm_rtt, mc_tput, mc_rtt) = (
        col(|r| r.0),
        col(|r| r.1),
        col(|r| r.2),
        col(|r| r.3),
        col(|r| r.4),
        col(|r| r.5),
    );
    log(&format!(
        "median of {RUNS} runs: throughput channel {tput:.0} msg/s = {:.1}x postMessage ({pm_tput:.0}), {:.1}x MessageChannel ({mc_tput:.0}); round trip channel {rtt:.1} us = {:.2} of postMessage ({pm_rtt:.1} us), {:.2} of MessageChannel ({mc_rtt:.1} us)",
        tput / pm_tput,
        tput / mc_tput,
        rtt / pm_rtt,
        rtt / mc_rtt
    ));
}
