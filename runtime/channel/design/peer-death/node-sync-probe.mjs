// Can a survivor that never yields to its event loop learn of the peer's death synchronously
// (receiveMessageOnPort on a port entangled with the dead peer)?
import { Worker, MessageChannel } from 'node:worker_threads';
const A = new Worker(`
const { parentPort, receiveMessageOnPort } = require('node:worker_threads');
parentPort.once('message', ({ port, sab }) => {
  const i32 = new Int32Array(sab); const now = () => performance.timeOrigin + performance.now();
  parentPort.postMessage({ ready: true });
  const log = [];
  for (let k = 0; k < 100; k++) {           // 100 x 10 ms slices, never returning to the event loop
    Atomics.wait(i32, 0, 0, 10);
    let r, err = null;
    try { r = receiveMessageOnPort(port); } catch (e) { err = String(e); }
    if (r !== undefined || err) log.push({ k, t: now(), r, err });
    if (log.length > 3) break;
  }
  parentPort.postMessage({ log, t: now() });
});`, { eval: true });
const B = new Worker(`require('node:worker_threads').parentPort.once('message', (p) => { globalThis.p = p; p.postMessage('hi'); });`, { eval: true });
const { port1, port2 } = new MessageChannel(); const sab = new SharedArrayBuffer(4);
A.postMessage({ port: port1, sab }, [port1]); B.postMessage(port2, [port2]);
A.on('message', (m) => {
  if (m.ready) setTimeout(() => { globalThis.t0 = performance.timeOrigin + performance.now(); B.terminate(); }, 100);
  else { console.log(JSON.stringify({ t0: globalThis.t0, ...m }, null, 1)); A.terminate(); }
});
