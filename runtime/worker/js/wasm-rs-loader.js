// wasm-rs worker loader: one ES module, used on both sides of a worker. It is the only copy:
// the wasm-rs-worker crate (runtime/worker) binds it with `#[wasm_bindgen(module = ...)]`, every worker recipe
// reaches it through that crate, and the book's demo runner imports it for worker demos.
//
// Main side: `startWorker(glueUrl, module, entry, input, kind, onConsole, memory)` starts a
// worker on this same file and returns a `WorkerJob`:
//   - `whenStarted()`  resolves once the export `entry` has been called (it may never return);
//   - `whenFinished()` resolves with what `entry` returned;
//   - `postMessage(value, transfer)` sends a message to the worker's global scope after the
//     start, transferring the objects listed in `transfer` (a `MessagePort`, an
//     `ArrayBuffer`, ...; optional);
//   - `terminate()` stops the worker.
// Both promises reject with `{ kind, message }`: "load" (the worker or this file did not
// start), "init" (importing the glue or instantiating the module failed), "panic" (a Rust
// panic, with its message), "trap" (the wasm instance trapped: it cannot run again),
// "exception" (the export threw, or no such export), "stopped" (the worker ended on its own)
// or "terminated".
//
// `module` is the compiled `WebAssembly.Module` (from `wasm_bindgen::module()`), sent by
// postMessage so the worker neither fetches nor compiles the wasm again; pass `undefined` to
// let the glue fetch its own. `kind` is "module" (a module worker) or "classic" (a classic
// worker whose one line of script, from a Blob, `import()`s this file). In Node.js the worker
// is a `worker_threads` Worker and `kind` is ignored.
//
// `memory` (optional) is the shared `WebAssembly.Memory` of a threads build (from
// `wasm_bindgen::memory()`): the worker instantiates the module on it, so both threads share
// the heap, and wasm-bindgen's start function gives the new thread its own stack and TLS. It is
// supported in browsers; in Node.js the job fails with an "init" error saying so.
//
// Worker side: the worker says "ready" once it listens (a message posted to a module worker
// before its script has run was observed to be lost in Chromium 156), receives the job, loads
// the glue with the module, calls `wasmRsWorkerStart()` if the module exports it (it installs
// the panic hook, which reports through `reportPanic`), takes the Web Lock it holds for life
// (see `holdThreadLock`), says "started", calls `entry` and posts the outcome. `glueUrl()` finds the URL of the glue that called into this file.
// `nextMessage()` resolves with the next message the main thread posts to the worker (the
// value of `postMessage`, a transferred port included); the worker's export calls it.

const WORKER_NAME = "wasm-rs worker";
const REPORT = Symbol.for("wasm-rs.loader.report");
const SERVING = Symbol.for("wasm-rs.loader.serving");
// In a loader worker: the module the main thread sent (tests check the worker runs it).
const MODULE = Symbol.for("wasm-rs.loader.module");
const IS_NODE =
  typeof process === "object" &&
  process !== null &&
  typeof process.versions === "object" &&
  typeof process.versions.node === "string";

// ---- shared ---------------------------------------------------------------------------

export function describe(error) {
  if (typeof error === "string") return error;
  if (error instanceof Error) {
    let text = `${error.name}: ${error.message}`;
    if (error instanceof WebAssembly.RuntimeError && /unreachable/.test(error.message)) {
      text += " (the Rust code panicked; install a panic hook to see its message)";
    }
    return text;
  }
  if (error === undefined || error === null || typeof error !== "object") return String(error);
  if (typeof error.message === "string") return error.message;
  try {
    const json = JSON.stringify(error);
    return json === undefined ? String(error) : json;
  } catch (_) {
    return Object.prototype.toString.call(error);
  }
}

// The console's %s/%d/%i/%f/%o/%O/%c directives, then the other arguments joined by spaces,
// as a browser console shows them.
export function formatConsoleArgs(args) {
  const rest = Array.from(args);
  let head = "";
  if (typeof rest[0] === "string") {
    const format = rest.shift();
    head = format.replace(/%([sdifoOc%])/g, (match, directive) => {
      if (directive === "%") return "%";
      if (rest.length === 0) return match;
      const arg = rest.shift();
      switch (directive) {
        case "c":
          return "";
        case "d":
        case "i":
          return String(Math.trunc(Number(arg)));
        case "f":
          return String(Number(arg));
        default:
          return describe(arg);
      }
    });
  }
  return [head, ...rest.map(describe)].filter((part, i) => i > 0 || part !== "").join(" ");
}

// Called by the Rust panic hook: in a worker this loader started, the message goes to the
// main thread; anywhere else, to the console.
export function reportPanic(message) {
  const report = globalThis[REPORT];
  if (typeof report === "function") {
    report({ kind: "panic", message: String(message) });
  } else {
    console.error(String(message));
  }
}

// ANCHOR: glue_url
// The URL (in Node.js, the path) of the wasm-bindgen glue whose code called this function:
// the first frame of the call stack that is not in this file. The glue's import shims live in
// the glue file itself, so that frame is the glue. Returns null when no frame has a location.
export function glueUrl() {
  const own = normalize(import.meta.url);
  // Bundled (Vite, Rollup, Rolldown, webpack): this file no longer has its own name, and the
  // glue is in the same chunk, so that chunk is what the worker imports. The app keeps the
  // glue in a chunk of its own (an entry, imported dynamically) so the chunk holds nothing
  // else.
  if (!/\/wasm-rs-loader\.js$/.test(new URL(own, "file:///").pathname)) return import.meta.url;
  const stack = String(new Error().stack || "");
  for (const line of stack.split("\n")) {
    // Chromium/Node: "    at f (URL:1:2)" or "    at URL:1:2"; Firefox/WebKit: "f@URL:1:2".
    const found = /((?:[a-z][a-z0-9+.-]*:\/\/|\/)[^\s()@]*?):\d+(?::\d+)?\)?\s*$/i.exec(line);
    if (!found) continue;
    const location = found[1];
    if (normalize(location) === own || /\.wasm$/.test(location)) continue;
    return location;
  }
  return null;
}
// ANCHOR_END: glue_url

function normalize(location) {
  try {
    return location.startsWith("/") ? `file://${location}` : new URL(location).href;
  } catch (_) {
    return location;
  }
}

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((yes, no) => {
    resolve = yes;
    reject = no;
  });
  // Nobody may be waiting on it (a worker dropped unjoined): no "unhandled rejection" noise.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

// ---- main side ------------------------------------------------------------------------

// ANCHOR: start_worker
export function startWorker(glueUrl, module, entry, input, kind, onConsole, memory) {
  return new WorkerJob(glueUrl, module, entry, input, kind, onConsole, memory);
}

export class WorkerJob {
  constructor(glueUrl, module, entry, input, kind, onConsole, memory) {
    this.started = deferred();
    this.finished = deferred();
    this.hasStarted = false;
    this.isFinished = false;
    this.panic = null;
    const job = {
      glueUrl: String(glueUrl),
      module,
      entry: String(entry),
      input,
      console: typeof onConsole === "function",
    };
    if (memory !== undefined && memory !== null) job.memory = memory;
    const onMessage = (data) => {
      switch (data && data.kind) {
        case "ready":
          try {
            this.port.post(job);
          } catch (error) {
            this.port.terminate();
            this.settle({
              kind: "exception",
              message: `the input cannot be sent to the worker (it must be structured-cloneable): ${describe(error)}`,
            });
          }
          break;
        case "started":
          this.hasStarted = true;
          this.threadLock = typeof data.threadLock === "string" ? data.threadLock : null;
          this.started.resolve();
          break;
        case "panic":
          this.panic = String(data.message);
          break;
        case "console":
          if (job.console) onConsole(data.level, data.text, data.depth || 0);
          break;
        case "ok":
          this.settle(null, data.value);
          break;
        default:
          this.settle({ kind: String(data && data.kind), message: String(data && data.message) });
      }
    };
    // ANCHOR_END: start_worker
    const onFailure = (kind, message) => {
      this.settle({ kind: this.hasStarted && kind === "load" ? "exception" : kind, message });
    };
    try {
      this.port = IS_NODE
        ? startNodeWorker(onMessage, onFailure, () => {
            // However the thread ended (terminated, exited, its export returned and nothing
            // kept it alive): its channel ends are gone.
            if (this.threadLock) announceThreadEnded(this.threadLock);
          })
        : startWebWorker(kind, job.entry, onMessage, onFailure);
    } catch (error) {
      this.port = { post() {}, terminate() {} };
      this.settle({ kind: "load", message: describe(error) });
    }
  }

  whenStarted() {
    return this.started.promise;
  }

  whenFinished() {
    return this.finished.promise;
  }

  postMessage(value, transfer) {
    this.port.post(value, transfer);
  }

  terminate() {
    // Say so before the engine does: Chromium releases a running or blocked worker's lock
    // only after a 2-second grace.
    if (this.threadLock) announceThreadEnded(this.threadLock);
    this.port.terminate();
    this.settle({ kind: "terminated", message: "the worker was terminated" });
  }

  // ANCHOR: settle
  settle(error, value) {
    if (this.isFinished) return;
    this.isFinished = true;
    if (error === null) {
      this.started.resolve();
      this.finished.resolve(value);
      return;
    }
    // A panic posts its message first; the trap that follows arrives as an exception.
    const reason =
      this.panic !== null && error.kind !== "terminated"
        ? { kind: "panic", message: this.panic }
        : error;
    // A panic or a trap leaves the worker's instance unable to run again: its channel ends
    // are as good as gone, though the thread (and its Web Lock) lives on.
    const dead = reason.kind === "panic" || reason.kind === "trap";
    if (dead && this.threadLock) announceThreadEnded(this.threadLock);
    this.started.reject(reason);
    this.finished.reject(reason);
  }
  // ANCHOR_END: settle
}

// ANCHOR: start_web_worker
function startWebWorker(kind, entry, onMessage, onFailure) {
  const name = `${WORKER_NAME}: ${entry}`;
  let worker;
  let blobUrl = null;
  if (kind === "classic") {
    // A classic worker cannot run this file (it has `export`s), but it may `import()` it.
    const source =
      `import(${JSON.stringify(import.meta.url)}).catch((error) => postMessage({ kind: "load", ` +
      `message: "a classic worker could not import() the loader: " + ` +
      `((error && error.message) || error) }));\n`;
    blobUrl = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    worker = new Worker(blobUrl, { name });
  } else {
    worker = new Worker(import.meta.url, { type: "module", name });
  }
  const release = () => {
    if (blobUrl !== null) URL.revokeObjectURL(blobUrl);
    blobUrl = null;
  };
  worker.onmessage = ({ data }) => {
    if (data && data.kind === "ready") release();
    onMessage(data);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    release();
    onFailure("load", event.message || "the worker script failed to load (check its URL and the page's Content-Security-Policy)");
  };
  worker.onmessageerror = () => {
    onFailure("exception", "the worker sent a message that could not be deserialized");
  };
  return {
    post: (message, transfer) => worker.postMessage(message, transfer || []),
    terminate: () => {
      release();
      worker.terminate();
    },
  };
}
// ANCHOR_END: start_web_worker

function startNodeWorker(onMessage, onFailure, onExit) {
  const { Worker } = process.getBuiltinModule("node:worker_threads");
  const { fileURLToPath } = process.getBuiltinModule("node:url");
  // The worker `require`s this file, as the glue does, so both get the same module instance
  // (started on the file itself, the worker's ES-module copy would be a second instance).
  const source = `require(${JSON.stringify(fileURLToPath(import.meta.url))});`;
  const worker = new Worker(source, { eval: true, workerData: { wasmRsLoader: true } });
  let terminated = false;
  worker.on("message", onMessage);
  worker.on("error", (error) => onFailure("load", describe(error)));
  worker.on("messageerror", () =>
    onFailure("exception", "the worker sent a message that could not be deserialized")
  );
  worker.on("exit", (code) => {
    onExit();
    if (!terminated) onFailure("stopped", `the worker thread exited with code ${code}`);
  });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate: () => {
      terminated = true;
      void worker.terminate();
    },
  };
}

// ---- worker side ----------------------------------------------------------------------

// The next message the main thread posts to this worker (in Node.js, to its `parentPort`).
// A message that arrives while nobody listens is dropped, so call it before the export first
// returns to the event loop (the main thread's next message is a task that runs after that).
export function nextMessage() {
  if (IS_NODE) {
    const threads = process.getBuiltinModule("node:worker_threads");
    if (threads.isMainThread) return Promise.reject(new Error(NOT_A_WORKER));
    return new Promise((resolve) => threads.parentPort.once("message", resolve));
  }
  if (!(typeof WorkerGlobalScope === "function" && self instanceof WorkerGlobalScope)) {
    return Promise.reject(new Error(NOT_A_WORKER));
  }
  return new Promise((resolve) =>
    self.addEventListener("message", ({ data }) => resolve(data), { once: true })
  );
}

const NOT_A_WORKER = "there is no main thread to receive a message from: this is not a worker";

// The Web Lock this worker holds for as long as it lives, under the global
// `Symbol.for("wasm-rs.thread-lock")`: the engine releases it when the worker ends (is
// terminated or closes), which is how wasm-rs-shared-channel tells the other end of a
// channel that this thread is gone. It is taken, and granted, before the export runs, so an
// export that blocks at once still holds it. Where there are no Web Locks (Node 20) the
// name is only the thread's identity: the main side announces it when the thread exits.
const THREAD_LOCK = Symbol.for("wasm-rs.thread-lock");

// Where a thread's end is announced: an `EventTarget` under the global
// `Symbol.for("wasm-rs.thread-ended")` gets an "ended" `CustomEvent` whose `detail` is the
// thread's lock name, in this thread at once and, through the `BroadcastChannel`
// "wasm-rs.thread-ended", in every other thread that listens (wasm-rs-shared-channel does).
const THREAD_ENDED = Symbol.for("wasm-rs.thread-ended");

function threadEndedTarget() {
  if (!globalThis[THREAD_ENDED]) globalThis[THREAD_ENDED] = new EventTarget();
  return globalThis[THREAD_ENDED];
}

export function announceThreadEnded(name) {
  threadEndedTarget().dispatchEvent(new CustomEvent("ended", { detail: name }));
  if (typeof BroadcastChannel === "function") {
    const channel = new BroadcastChannel("wasm-rs.thread-ended");
    channel.postMessage(name);
    channel.close();
  }
}

async function holdThreadLock() {
  if (globalThis[THREAD_LOCK]) return;
  const id = new Uint32Array(2);
  crypto.getRandomValues(id);
  id[1] |= 1;
  const name = "wasm-rs-thread/" + Array.from(id, (w) => w.toString(16).padStart(8, "0")).join("");
  const locks = globalThis.navigator && globalThis.navigator.locks;
  if (!locks || typeof locks.request !== "function") {
    globalThis[THREAD_LOCK] = name;
    return;
  }
  await new Promise((granted) => {
    void locks.request(name, () => {
      granted();
      return new Promise(() => {});
    });
  });
  globalThis[THREAD_LOCK] = name;
}

// ANCHOR: serve
async function serve(host) {
  globalThis[SERVING] = true;
  const job = await host.nextMessage();
  globalThis[REPORT] = host.post;
  globalThis[MODULE] = job.module;
  if (job.console) forwardConsole(host.post);
  let glue;
  try {
    glue = await host.load(job.glueUrl, job.module, job.memory);
    if (typeof glue.wasmRsWorkerStart === "function") glue.wasmRsWorkerStart();
    await holdThreadLock();
  } catch (error) {
    host.post({ kind: "init", message: describe(error) });
    return;
  }
  const entry = glue[job.entry];
  if (typeof entry !== "function") {
    host.post({ kind: "exception", message: `the module exports no function \`${job.entry}\`` });
    return;
  }
  host.post({ kind: "started", threadLock: globalThis[THREAD_LOCK] || null });
  let value;
  try {
    value = await entry(job.input);
  } catch (error) {
    host.post({ kind: failureKind(error), message: describe(error) });
    return;
  }
  try {
    host.post({ kind: "ok", value });
  } catch (error) {
    host.post({
      kind: "exception",
      message: `the export's return value cannot be sent to the main thread: ${describe(error)}`,
    });
  }
}
// ANCHOR_END: serve

// "trap" when `error` is the wasm instance trapping (a `WebAssembly.RuntimeError`:
// `unreachable`, an out-of-bounds access, Rust running out of memory; or the engine's stack
// overflow: V8's `RangeError`, SpiderMonkey's `InternalError`), after which the instance
// cannot run again; "exception" for an error the export threw.
function failureKind(error) {
  const trapped =
    (typeof WebAssembly === "object" && error instanceof WebAssembly.RuntimeError) ||
    (error instanceof RangeError && /call stack/i.test(error.message)) ||
    (error instanceof Error && error.name === "InternalError" && /recursion/i.test(error.message));
  return trapped ? "trap" : "exception";
}

function forwardConsole(post) {
  let depth = 0;
  for (const level of ["log", "info", "warn", "error", "debug", "group", "groupCollapsed", "groupEnd"]) {
    const original = console[level];
    console[level] = function (...args) {
      if (level === "groupEnd") {
        depth = Math.max(0, depth - 1);
      } else {
        const shown = level.startsWith("group") ? "log" : level;
        post({ kind: "console", level: shown, text: formatConsoleArgs(args), depth });
        if (level.startsWith("group")) depth += 1;
      }
      return original.apply(console, args);
    };
  }
}

function serveWeb() {
  // Errors that escape the export later (a spawned task that throws or panics) end the job.
  self.addEventListener("error", (event) => {
    event.preventDefault();
    self.postMessage({
      kind: failureKind(event.error),
      message: describe(event.error || event.message),
    });
  });
  self.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    self.postMessage({ kind: "exception", message: `unhandled rejection: ${describe(event.reason)}` });
  });
  void serve({
    post: (message) => self.postMessage(message),
    nextMessage: () =>
      new Promise((resolve) => self.addEventListener("message", ({ data }) => resolve(data), { once: true })),
    load: async (url, module, memory) => {
      // The URL is known only at run time: a bundler must leave this import as it is
      // (webpack reads the first comment, Vite the second).
      const glue = await import(/* webpackIgnore: true */ /* @vite-ignore */ url);
      if (memory !== undefined) {
        await glue.default({ module_or_path: module, memory });
      } else {
        await glue.default(module === undefined ? undefined : { module_or_path: module });
      }
      return glue;
    },
  });
}

// ANCHOR: serve_node
function serveNode(threads) {
  const { createRequire } = process.getBuiltinModule("node:module");
  const port = threads.parentPort;
  void serve({
    post: (message) => port.postMessage(message),
    nextMessage: () => new Promise((resolve) => port.once("message", resolve)),
    // `--target nodejs` glue compiles its `_bg.wasm` when it is required. While it is
    // required, `new WebAssembly.Module(bytes)` hands back the module the main thread sent.
    load: async (path, module, memory) => {
      if (memory !== undefined) {
        throw new Error("this loader does not start shared-memory (threads build) workers in Node.js yet");
      }
      const load = createRequire(import.meta.url);
      if (module === undefined) return load(path);
      const Compile = WebAssembly.Module;
      WebAssembly.Module = function () {
        return module;
      };
      try {
        return load(path);
      } finally {
        WebAssembly.Module = Compile;
      }
    },
  });
}
// ANCHOR_END: serve_node

// ANCHOR: ready
if (!globalThis[SERVING]) {
  if (IS_NODE) {
    const threads = process.getBuiltinModule("node:worker_threads");
    if (!threads.isMainThread && threads.workerData && threads.workerData.wasmRsLoader === true) {
      serveNode(threads);
      threads.parentPort.postMessage({ kind: "ready" });
    }
  } else if (
    typeof WorkerGlobalScope === "function" &&
    self instanceof WorkerGlobalScope &&
    typeof self.name === "string" &&
    self.name.startsWith(WORKER_NAME)
  ) {
    serveWeb();
    self.postMessage({ kind: "ready" });
  }
}
// ANCHOR_END: ready
