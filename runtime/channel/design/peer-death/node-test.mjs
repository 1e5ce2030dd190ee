// Node worker_threads peer-death probes. Run: node node-test.mjs
import { Worker, MessageChannel } from 'node:worker_threads';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r1 = (x) => (x == null ? null : Math.round(x * 10) / 10);
const busy = (ms) => { const end = now() + ms; while (now() < end); return end; };

const WORKER = `
const { parentPort } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
const TRAP = new Uint8Array([0,0x61,0x73,0x6d,1,0,0,0,1,4,1,0x60,0,0,3,2,1,0,7,8,1,4,0x74,0x72,0x61,0x70,0,0,10,5,1,3,0,0,0x0b]);
let port;
process.on('exit', (c) => { try { parentPort.postMessage({ procExit: c, t: now() }); } catch {} });
parentPort.on('message', (m) => {
  switch (m.cmd) {
    case 'info': parentPort.postMessage({ navigator: typeof navigator, locks: typeof globalThis.navigator?.locks,
      waitAsync: typeof Atomics.waitAsync, BroadcastChannel: typeof BroadcastChannel }); break;
    case 'port': port = m.port;
      if (m.listen) { port.on('close', () => parentPort.postMessage({ portClose: true, t: now() })); }
      else port.ref?.();
      parentPort.postMessage({ gotPort: true }); break;
    case 'watchAndNotify': { // watcher: port 'close' -> flag SAB + Atomics.notify the blocked survivor
      const i32 = new Int32Array(m.sab);
      m.port.on('close', () => { Atomics.store(i32, 0, 1); Atomics.notify(i32, 0); });
      parentPort.postMessage({ gotPort: true }); break; }
    case 'blockwait': { const i32 = new Int32Array(m.sab); parentPort.postMessage({ blocking: true });
      const r = Atomics.wait(i32, 0, 0, m.timeout ?? 5000); parentPort.postMessage({ woke: r, t: now() }); break; }
    case 'blockwaitPortSelf': { const i32 = new Int32Array(m.sab); // own 'close' listener can't run while blocked
      m.port.on('close', () => Atomics.store(i32, 0, 1)); parentPort.postMessage({ blocking: true });
      const r = Atomics.wait(i32, 0, 0, 1500); parentPort.postMessage({ woke: r, t: now() }); break; }
    case 'throw': parentPort.postMessage({ ev: 1, t: now() }); throw new Error('boom');
    case 'trap': parentPort.postMessage({ ev: 1, t: now() }); new WebAssembly.Instance(new WebAssembly.Module(TRAP)).exports.trap(); break;
    case 'trapAsync': parentPort.postMessage({ ev: 1, t: now() }); Promise.resolve().then(() => new WebAssembly.Instance(new WebAssembly.Module(TRAP)).exports.trap()); break;
    case 'exit': parentPort.postMessage({ ev: 1, t: now() }); process.exit(3);
    case 'spin': parentPort.postMessage({ spinning: true }); for (;;) {}
    case 'blockforever': { parentPort.postMessage({ blocking: true }); Atomics.wait(new Int32Array(m.sab), 0, 0); break; }
  }
});`;
function W() {
  const w = new Worker(WORKER, { eval: true });
  w.q = []; w.waiters = []; w.exitAt = null; w.errorAt = null;
  w.on('message', (d) => { const i = w.waiters.findIndex((x) => x.pred(d)); if (i >= 0) w.waiters.splice(i, 1)[0].res(d); else w.q.push(d); });
  w.on('exit', (c) => { w.exitAt = now(); w.exitCode = c; });
  w.on('error', (e) => { w.errorAt = now(); w.errorMsg = String(e); });
  return w;
}
function next(w, pred, timeout = 3000) {
  const i = w.q.findIndex(pred); if (i >= 0) return Promise.resolve(w.q.splice(i, 1)[0]);
  return new Promise((res) => { const x = { pred, res }; w.waiters.push(x);
    setTimeout(() => { const j = w.waiters.indexOf(x); if (j >= 0) { w.waiters.splice(j, 1); res(null); } }, timeout); });
}
// Kill peer B by `how`; return t0 (event time).
async function kill(B, how) {
  if (how === 'terminate') { const t0 = now(); B.terminate(); return t0; }
  if (how === 'terminate-spinning' || how === 'terminate-blocked') {
    B.postMessage({ cmd: how === 'terminate-spinning' ? 'spin' : 'blockforever', sab: new SharedArrayBuffer(4) });
    await next(B, (m) => m.spinning || m.blocking); await sleep(20); const t0 = now(); B.terminate(); return t0;
  }
  B.postMessage({ cmd: how }); const m = await next(B, (m) => m.ev); return m.t;
}
const HOWS = ['terminate', 'terminate-spinning', 'terminate-blocked', 'exit', 'throw', 'trap', 'trapAsync'];

// Survivor = main thread: 'exit' event on the Worker object + MessagePort 'close'.
async function tParent(how) {
  const B = W(); const { port1, port2 } = new MessageChannel();
  let closeAt = null; port1.on('close', () => { closeAt = now(); });
  B.postMessage({ cmd: 'port', port: port2 }, [port2]); await next(B, (m) => m.gotPort);
  const t0 = await kill(B, how); await sleep(500);
  const pe = B.q.find((m) => 'procExit' in m);
  return { exitEvent: B.exitAt != null, exitDelay: r1(B.exitAt && B.exitAt - t0), exitCode: B.exitCode,
    errorEvent: B.errorMsg ?? null, portClose: closeAt != null, portCloseDelay: r1(closeAt && closeAt - t0),
    workerProcessExitHandlerRan: !!pe };
}
// Survivor = sibling worker A (ports entangled A<->B); main busy-loops 300 ms after the kill.
async function tSibling(how) {
  const A = W(), B = W(); const { port1, port2 } = new MessageChannel();
  A.postMessage({ cmd: 'port', port: port1, listen: true }, [port1]); await next(A, (m) => m.gotPort);
  B.postMessage({ cmd: 'port', port: port2 }, [port2]); await next(B, (m) => m.gotPort);
  const t0p = kill(B, how);
  let t0;
  if (how.startsWith('terminate')) { t0 = await t0p; busy(300); } else { t0 = await t0p; busy(300); }
  const busyEnd = now();
  const m = await next(A, (m) => m.portClose, 2000); A.terminate();
  return { portClose: !!m, delay: r1(m && m.t - t0), whileMainBusy: !!m && m.t < busyEnd };
}
// Survivor A blocked in Atomics.wait; watcher V gets port 'close' and notifies.
async function tBlocked(via) {
  const A = W(), B = W(), sab = new SharedArrayBuffer(4); const { port1, port2 } = new MessageChannel();
  B.postMessage({ cmd: 'port', port: port2 }, [port2]); await next(B, (m) => m.gotPort);
  let V;
  if (via === 'watcher') { V = W(); V.postMessage({ cmd: 'watchAndNotify', port: port1, sab }, [port1]); await next(V, (m) => m.gotPort);
    A.postMessage({ cmd: 'blockwait', sab }); }
  else A.postMessage({ cmd: 'blockwaitPortSelf', port: port1, sab }, [port1]);
  await next(A, (m) => m.blocking); await sleep(20);
  const t0 = now(); B.terminate();
  const m = await next(A, (m) => 'woke' in m, 6000); A.terminate(); V?.terminate();
  return { wokeBy: m?.woke, delay: r1(m && m.t - t0) };
}
const R = { node: process.version, main: { navigator: typeof navigator, locks: typeof globalThis.navigator?.locks, waitAsync: typeof Atomics.waitAsync } };
{ const w = W(); w.postMessage({ cmd: 'info' }); R.worker = await next(w, (m) => 'navigator' in m); w.terminate(); }
const reps = +(process.argv[2] || 5);
for (const how of HOWS) { R['parent:' + how] = []; for (let i = 0; i < reps; i++) R['parent:' + how].push(await tParent(how)); }
for (const how of HOWS) { R['sibling:' + how] = []; for (let i = 0; i < reps; i++) R['sibling:' + how].push(await tSibling(how)); }
R['blocked:watcher'] = [await tBlocked('watcher')];
R['blocked:own-listener'] = [await tBlocked('self')];
R.ua = 'node ' + process.version;
(await import('node:fs')).writeFileSync(new URL('./results/result_node.json', import.meta.url), JSON.stringify(R, null, 1));
console.log('done');
