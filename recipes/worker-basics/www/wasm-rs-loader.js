// wasm-rs worker loader: one ES module, used on both sides of a dedicated worker.
//
// Main thread: `runInWorker(glueUrl, module, entry, input)` starts a module worker on this
// same file, hands it the already compiled `WebAssembly.Module` by postMessage (so the wasm
// is neither fetched nor compiled twice), and resolves with what the export `entry`
// returned for `input`. It rejects with `{ kind, message }`, where kind is "load" (this file
// could not start in the worker), "init" (the glue or module failed to load), "panic" (a
// Rust panic, with its message) or "exception" (the export threw).
//
// Worker: says "ready" once it listens (the job is posted only then: a message posted to a
// module worker before its script has run was observed to be lost in Chromium 156), imports
// wasm-bindgen's `--target web` glue from `glueUrl`, initialises it with the module, calls
// `wasmRsWorkerStart()` if the module exports it (it installs the panic hook that posts
// `{ kind: "panic" }` here first), then calls `entry` and posts back the outcome.

export function runInWorker(glueUrl, module, entry, input) {
  const worker = new Worker(import.meta.url, { type: "module" });
  return new Promise((resolve, reject) => {
    let panic = null;
    worker.onmessage = ({ data }) => {
      if (data.kind === "ready") {
        worker.postMessage({ glueUrl, module, entry, input });
        return;
      }
      if (data.kind === "panic") {
        panic = data.message;
        return;
      }
      worker.terminate();
      if (data.kind === "ok") {
        resolve(data.value);
      } else if (panic !== null) {
        reject({ kind: "panic", message: panic });
      } else {
        reject({ kind: data.kind, message: data.message });
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      reject({ kind: "load", message: event.message || "the worker script failed to load" });
    };
  });
}

function describe(error) {
  return String((error && error.message) || error);
}

if (typeof WorkerGlobalScope === "function" && self instanceof WorkerGlobalScope) {
  self.onmessage = async ({ data }) => {
    self.onmessage = null;
    let glue;
    try {
      glue = await import(data.glueUrl);
      await glue.default({ module_or_path: data.module });
      if (typeof glue.wasmRsWorkerStart === "function") glue.wasmRsWorkerStart();
    } catch (error) {
      self.postMessage({ kind: "init", message: describe(error) });
      return;
    }
    try {
      if (typeof glue[data.entry] !== "function") {
        throw new Error(`the module exports no function \`${data.entry}\``);
      }
      self.postMessage({ kind: "ok", value: await glue[data.entry](data.input) });
    } catch (error) {
      self.postMessage({ kind: "exception", message: describe(error) });
    }
  };
  self.postMessage({ kind: "ready" });
}
