// Generic test worker, driven by postMessage commands from main.js.
const now = () => performance.timeOrigin + performance.now(); // absolute ms, comparable across agents
const TRAP_WASM = new Uint8Array([0,0x61,0x73,0x6d,1,0,0,0, 1,4,1,0x60,0,0, 3,2,1,0,
  7,8,1,4,0x74,0x72,0x61,0x70,0,0, 10,5,1,3,0,0,0x0b]); // (func (export "trap") unreachable)
let keepPort = null, releaseHeld = null;
self.onmessage = (ev) => { // sync handler: a throw here is an uncaught *error* event
  const m = ev.data;
  switch (m.cmd) {
    case 'info':
      postMessage({ locks: !!(self.navigator && navigator.locks), waitAsync: typeof Atomics.waitAsync,
        isSecureContext: self.isSecureContext, crossOriginIsolated: self.crossOriginIsolated });
      break;
    case 'hold': // (a) hold a Web Lock for the life of this agent
      navigator.locks.request(m.name, () => { postMessage({ held: m.name, t: now() }); return new Promise((r) => { releaseHeld = r; }); });
      break;
    case 'closeOnError': { // recommended guard: an uncaught error/trap (sync or in a promise) ends the agent
      const die = () => { postMessage({ closing: true, t: now() }); self.close(); };
      self.addEventListener('error', die); self.addEventListener('unhandledrejection', die);
      postMessage({ ok: 1 });
      break;
    }
    case 'releaseOnError': { // alternative guard: on uncaught error, release the lock but keep the agent
      const rel = () => { postMessage({ released: true, t: now() }); releaseHeld && releaseHeld(); };
      self.addEventListener('error', rel); self.addEventListener('unhandledrejection', rel);
      postMessage({ ok: 1 });
      break;
    }
    case 'throw':
      postMessage({ throwing: true, t: now() });
      throw new Error('boom');
    case 'trap':
      postMessage({ trapping: true, t: now() });
      new WebAssembly.Instance(new WebAssembly.Module(TRAP_WASM)).exports.trap(); // uncaught RuntimeError
      break;
    case 'trapAsync': // trap inside a promise job (like a wasm-bindgen-futures task) -> unhandledrejection
      postMessage({ trapping: true, t: now() });
      Promise.resolve().then(() => new WebAssembly.Instance(new WebAssembly.Module(TRAP_WASM)).exports.trap());
      break;
    case 'close':
      postMessage({ closing: true, t: now() });
      self.close();
      break;
    case 'spin': // peer stuck in a busy loop (e.g. wasm infinite loop)
      postMessage({ spinning: true });
      for (;;) {}
    case 'blockforever': // peer blocked in a sync recv
      postMessage({ spinning: true });
      Atomics.wait(new Int32Array(m.sab), 0, 0);
      break;
    case 'blockwaitNestedSentinel': { // survivor spawns its own nested sentinel, then blocks in Atomics.wait
      const i32 = new Int32Array(m.sab);
      const s = new Worker('sentinel.js');
      s.onmessage = () => {
        postMessage({ sentinelReady: true });
        // now block; the sentinel's grant must arrive while this thread never yields
        const r = Atomics.wait(i32, 0, 0, 5000);
        postMessage({ woke: r, t: now() });
      };
      s.postMessage({ name: m.name, sab: m.sab });
      break;
    }
    case 'ping':
      postMessage({ pong: true });
      break;
    case 'watch': // survivor (a worker) waits for the peer's lock
      navigator.locks.request(m.name, () => { postMessage({ granted: m.name, t: now() }); });
      postMessage({ watching: m.name });
      break;
    case 'watchAndNotify': { // watcher agent: on grant, flag SAB + Atomics.notify a blocked waiter
      const i32 = new Int32Array(m.sab);
      navigator.locks.request(m.name, () => { Atomics.store(i32, 0, 1); Atomics.notify(i32, 0); });
      postMessage({ watching: m.name });
      break;
    }
    case 'blockwait': { // survivor blocked synchronously (like a sync recv) in Atomics.wait
      const i32 = new Int32Array(m.sab);
      postMessage({ blocking: true });
      const r = Atomics.wait(i32, 0, 0, 5000);
      postMessage({ woke: r, t: now() });
      break;
    }
    case 'blockwaitLockSelf': { // survivor requests the lock itself, then blocks: grant callback cannot run
      const i32 = new Int32Array(m.sab);
      navigator.locks.request(m.name, () => { Atomics.store(i32, 0, 1); });
      postMessage({ blocking: true });
      const r = Atomics.wait(i32, 0, 0, 1500);
      postMessage({ woke: r, t: now() });
      break;
    }
    case 'port': // MessagePort close-event probe
      keepPort = m.port;
      if (m.listen) {
        keepPort.addEventListener('close', () => postMessage({ portClose: true, t: now() }));
        keepPort.start();
      }
      postMessage({ hasOnclose: 'onclose' in keepPort });
      break;
  }
};
