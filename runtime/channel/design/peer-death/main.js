// Page-side harness. Every delay is (survivor observes) - (event), in ms, absolute clock
// performance.timeOrigin + performance.now() shared by all agents of the page.
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const uid = (p) => `${p}-${Date.now()}-${seq++}-${Math.random().toString(36).slice(2)}`;
const r1 = (x) => (x == null ? null : Math.round(x * 10) / 10);

function W() {
  const w = new Worker('worker.js');
  w.q = []; w.waiters = []; w.errors = [];
  w.onmessage = (e) => {
    const i = w.waiters.findIndex((x) => x.pred(e.data));
    if (i >= 0) { const [x] = w.waiters.splice(i, 1); x.res(e.data); } else w.q.push(e.data);
  };
  w.onerror = (e) => { w.errors.push({ t: now(), message: e.message }); };
  return w;
}
function next(w, pred, timeout = 3000) {
  const i = w.q.findIndex(pred);
  if (i >= 0) return Promise.resolve(w.q.splice(i, 1)[0]);
  return new Promise((res) => {
    const x = { pred, res }; w.waiters.push(x);
    setTimeout(() => { const j = w.waiters.indexOf(x); if (j >= 0) { w.waiters.splice(j, 1); res(null); } }, timeout);
  });
}
// Survivor = this page's main thread: queue an exclusive request on the peer's lock.
function grantP(name) {
  return new Promise((res) => { navigator.locks.request(name, { mode: 'exclusive' }, () => { res(now()); }); });
}
const race = (p, ms) => Promise.race([p, sleep(ms).then(() => null)]);
const busy = (ms) => { const end = now() + ms; while (now() < end); return end; };

async function tTerminate(state) {
  const name = uid('term'), w = W();
  w.postMessage({ cmd: 'hold', name }); await next(w, (m) => m.held);
  if (state) { w.postMessage({ cmd: state, sab: state === 'blockforever' ? new SharedArrayBuffer(4) : null }); await next(w, (m) => m.spinning); }
  const g = grantP(name); await sleep(20);
  const t0 = now(); w.terminate();
  const t = await race(g, +(new URLSearchParams(location.search).get('termTimeout') || 2000));
  return { released: t != null, delay: r1(t && t - t0) };
}
async function tErr(kind, guard) {
  const name = uid(kind), w = W();
  if (guard) { w.postMessage({ cmd: 'closeOnError' }); await next(w, (m) => m.ok); }
  w.postMessage({ cmd: 'hold', name }); await next(w, (m) => m.held);
  const g = grantP(name); await sleep(20);
  w.postMessage({ cmd: kind });
  const m = await next(w, (m) => m.throwing || m.trapping);
  const t0 = m.t;
  const t = await race(g, 1500);
  const pong = await next((w.postMessage({ cmd: 'ping' }), w), (m) => m.pong, 300);
  const out = { released: t != null, delay: r1(t && t - t0), parentErrorEvent: w.errors.map((e) => e.message),
    parentErrorDelay: r1(w.errors[0] && w.errors[0].t - t0), workerStillAlive: !!pong };
  if (!t) { const t1 = now(); w.terminate(); const t2 = await race(g, 2000); out.releasedAfterTerminate = t2 != null; out.delayAfterTerminate = r1(t2 && t2 - t1); }
  return out;
}
async function tClose() {
  const name = uid('close'), w = W();
  w.postMessage({ cmd: 'hold', name }); await next(w, (m) => m.held);
  const g = grantP(name); await sleep(20);
  w.postMessage({ cmd: 'close' });
  const m = await next(w, (m) => m.closing);
  const t = await race(g, 2000);
  return { released: t != null, delay: r1(t && m && t - m.t) };
}
// Survivor is worker A; peer B dies; main thread busy-loops (cannot help) for 300 ms.
async function tSibling(how, busyMs = 300, guard = null) {
  const name = uid('sib'), A = W(), B = W();
  if (guard) { B.postMessage({ cmd: guard }); await next(B, (m) => m.ok); }
  B.postMessage({ cmd: 'hold', name }); await next(B, (m) => m.held);
  A.postMessage({ cmd: 'watch', name }); await next(A, (m) => m.watching); await sleep(20);
  let t0;
  if (how === 'terminate') { t0 = now(); B.terminate(); }
  else if (how === 'terminate-spinning') { B.postMessage({ cmd: 'spin' }); await next(B, (m) => m.spinning); t0 = now(); B.terminate(); }
  else { B.postMessage({ cmd: how }); }
  const busyEnd = busy(busyMs);
  const g = await next(A, (m) => m.granted, 6000);
  if (!how.startsWith('terminate')) { const c = await next(B, (m) => m.closing || m.trapping, 100); t0 = c && c.t; }
  const out = { released: !!g, delay: r1(g && t0 && g.t - t0), grantedWhileMainBusy: !!g && g.t < busyEnd };
  A.terminate(); B.terminate();
  return out;
}
// Survivor A is blocked in Atomics.wait (sync recv). (a) watcher agent flags+notifies; (b) A's own lock request.
async function tBlocked(via, how = 'terminate', busyMs = 0) {
  const name = uid('blk'), A = W(), B = W(), sab = new SharedArrayBuffer(4);
  B.postMessage({ cmd: 'hold', name }); await next(B, (m) => m.held);
  let V;
  if (via === 'watcher') {
    V = W(); V.postMessage({ cmd: 'watchAndNotify', name, sab }); await next(V, (m) => m.watching);
    A.postMessage({ cmd: 'blockwait', sab });
  } else if (via === 'nested') {
    A.postMessage({ cmd: 'blockwaitNestedSentinel', name, sab }); await next(A, (m) => m.sentinelReady);
  } else A.postMessage({ cmd: 'blockwaitLockSelf', name, sab });
  if (via !== 'nested') await next(A, (m) => m.blocking);
  await sleep(20);
  let t0;
  if (how === 'close') { B.postMessage({ cmd: 'close' }); const c = await next(B, (m) => m.closing); t0 = c.t; }
  else { t0 = now(); B.terminate(); }
  if (busyMs) busy(busyMs);
  const m = await next(A, (m) => 'woke' in m, 6000);
  A.terminate(); if (V) V.terminate();
  return { wokeBy: m && m.woke, delay: r1(m && m.t - t0) };
}
// MessagePort 'close' event (HTML "close" event on MessagePort when the entangled port's owner goes away).
async function tPort(how, sibling) {
  const mc = new MessageChannel(), B = W();
  B.postMessage({ cmd: 'port', port: mc.port2 }, [mc.port2]); await next(B, (m) => 'hasOnclose' in m);
  let closedAt = null, A = null;
  if (sibling) {
    A = W(); A.postMessage({ cmd: 'port', port: mc.port1, listen: true }, [mc.port1]); await next(A, (m) => 'hasOnclose' in m);
  } else { mc.port1.addEventListener('close', () => { closedAt = now(); }); mc.port1.start(); }
  await sleep(20);
  let t0;
  if (how === 'terminate') { t0 = now(); B.terminate(); }
  else { B.postMessage({ cmd: how }); const c = await next(B, (m) => m.closing || m.trapping, 500); t0 = c && c.t; }
  let tc;
  if (sibling) { const m = await next(A, (m) => m.portClose, 1500); tc = m && m.t; A.terminate(); }
  else { await sleep(1500); tc = closedAt; }
  B.terminate();
  return { closeEvent: tc != null, delay: r1(tc && t0 && tc - t0) };
}
// Polling alternative: navigator.locks.query() shows held locks (name, mode, clientId).
async function tQuery() {
  const name = uid('q'), w = W();
  w.postMessage({ cmd: 'hold', name }); await next(w, (m) => m.held);
  const q = await navigator.locks.query();
  const h = q.held.find((l) => l.name === name);
  const t0 = now(); w.terminate();
  let t = null;
  while (now() - t0 < 2000) {
    const q2 = await navigator.locks.query();
    if (!q2.held.some((l) => l.name === name)) { t = now(); break; }
    await sleep(2);
  }
  return { heldVisible: !!h, holderClientIdPresent: !!(h && h.clientId), goneAfterTerminate: t != null, delay: r1(t && t - t0) };
}
async function tPendingMain() {
  const name = uid('pend'), w = W();
  w.postMessage({ cmd: 'hold', name }); await next(w, (m) => m.held);
  const ifAvail = await navigator.locks.request(name, { ifAvailable: true }, (l) => l === null ? 'null-lock' : 'got');
  let granted = false; navigator.locks.request(name, () => { granted = true; });
  const t0 = now(); await sleep(50); const timerLag = now() - t0 - 50;
  w.terminate(); await sleep(100);
  return { ifAvailableWhileHeld: ifAvail, mainThreadTimersStillRun: timerLag < 40, grantedAfterTerminate: granted };
}

async function run() {
  const R = { ua: navigator.userAgent, isSecureContext, crossOriginIsolated, mainLocks: !!navigator.locks,
    mainWaitAsync: typeof Atomics.waitAsync, messagePortOnclose: 'onclose' in MessagePort.prototype };
  const w = W(); w.postMessage({ cmd: 'info' }); R.workerInfo = await next(w, (m) => 'locks' in m); w.terminate();
  const tests = {
    terminate: () => tTerminate(), 'terminate-spinning': () => tTerminate('spin'), 'terminate-blocked-in-Atomics.wait': () => tTerminate('blockforever'),
    close: tClose,
    throw: () => tErr('throw', false), trap: () => tErr('trap', false),
    trapAsync: () => tErr('trapAsync', false),
    'trap+closeOnError': () => tErr('trap', true), 'throw+closeOnError': () => tErr('throw', true),
    'trapAsync+closeOnError': () => tErr('trapAsync', true),
    'sibling:terminate(main busy)': () => tSibling('terminate'), 'sibling:close(main busy)': () => tSibling('close'),
    'sibling:terminate-spinning(main busy 3000)': () => tSibling('terminate-spinning', 3000),
    'sibling:close(main busy 1000)': () => tSibling('close', 1000),
    'sibling:trap+closeOnError(main busy)': () => tSibling('trap', 300, 'closeOnError'),
    'sibling:trap+releaseOnError(main busy)': () => tSibling('trap', 300, 'releaseOnError'),
    'blocked-in-Atomics.wait:watcher-worker': () => tBlocked('watcher'), 'blocked-in-Atomics.wait:own-lock-request': () => tBlocked('self'),
    'blocked-in-Atomics.wait:nested-sentinel': () => tBlocked('nested'),
    'blocked-in-Atomics.wait:nested-sentinel(main busy 500)': () => tBlocked('nested', 'terminate', 500),
    'blocked-in-Atomics.wait:nested-sentinel(peer close)': () => tBlocked('nested', 'close'),
    'blocked-in-Atomics.wait:watcher-worker(main busy 500)': () => tBlocked('watcher', 'terminate', 500),
    'port-close:terminate': () => tPort('terminate', false), 'port-close:close': () => tPort('close', false),
    'port-close:sibling-close': () => tPort('close', true), 'port-close:sibling-terminate': () => tPort('terminate', true),
    query: tQuery, pendingMain: tPendingMain,
  };
  const reps = +(new URLSearchParams(location.search).get('reps') || 3);
  const only = new URLSearchParams(location.search).get('only');
  for (const [k, f] of Object.entries(tests)) {
    if (only && !k.startsWith(only)) continue;
    R[k] = [];
    for (let i = 0; i < (k.startsWith('port') || k === 'pendingMain' || k.endsWith('own-lock-request') ? 1 : reps); i++) {
      try { R[k].push(await f()); } catch (e) { R[k].push({ error: String(e) }); }
    }
    document.getElementById('log').textContent = JSON.stringify(R, null, 1);
  }
  window.__results = R; window.__done = true;
  const who = new URLSearchParams(location.search).get('who') || 'unknown';
  await fetch('/result/' + who, { method: 'POST', body: JSON.stringify(R, null, 1) });
  document.title = 'DONE';
}
run();
