// 1) Does an unref()'d MessagePort still emit 'close' when the peer worker dies?
// 2) Does holding an (unref'd) port keep the holder worker alive after its work is done?
import { Worker, MessageChannel } from 'node:worker_threads';
const now = () => performance.timeOrigin + performance.now();
const { port1, port2 } = new MessageChannel();
let closedAt = null; port1.on('close', () => { closedAt = now(); }); port1.unref();
const B = new Worker(`const { parentPort } = require('node:worker_threads');
parentPort.once('message', (p) => { globalThis.keep = p; p.unref(); parentPort.postMessage('got'); parentPort.unref(); });`, { eval: true });
const t0 = now(); let exitAt = null;
B.on('exit', () => { exitAt = now(); });
B.postMessage(port2, [port2]);
const keepAlive = setInterval(() => {}, 1000);
setTimeout(() => {
  console.log(JSON.stringify({ holderExitedOnItsOwn: exitAt != null, holderLifetimeMs: exitAt && Math.round(exitAt - t0),
    survivorUnrefdPortGotClose: closedAt != null, closeAfterExitMs: closedAt && exitAt && +(closedAt - exitAt).toFixed(1) }));
  clearInterval(keepAlive);
}, 1500);
