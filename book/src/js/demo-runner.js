// wasm-rs cookbook: the live-demo runner, shared by every recipe page.
//
// A recipe page with a demo contains a placeholder written by `cargo xtask`:
//
//   <div class="wasm-rs-demo" data-recipe="hello-wasm-rs" data-module="hello_wasm_rs"
//        data-context="main"></div>
//
// and xtask builds the recipe with `wasm-bindgen --target web` into
// `<book>/demos/<recipe>/<module>.js` (+ `<module>_bg.wasm`). That module exports an async
// `run_demo()`. This script turns each placeholder into a Run button and an output panel:
//
// - data-context="main": the module is imported into the page and run there; console calls
//   made while it runs are shown in the panel (and still reach the real console).
// - data-context="worker": the module runs in a module worker started by the cookbook's one
//   worker loader, `js/wasm-rs-loader.js` (shipped in the wasm-rs-worker crate; xtask copies it here), which
//   sends console lines and the outcome back by postMessage.
//
// Console lines are formatted by the loader's `formatConsoleArgs` in both contexts.
//
// The container's `data-status` is `running`, then `done` or `error` (the e2e test waits on
// it). An optional `data-requires="SharedArrayBuffer,..."` disables Run when the page cannot
// provide what the demo needs.
//
// Cross-origin isolation: SharedArrayBuffer needs COOP/COEP headers. `cargo xtask serve`
// sends them; static hosts such as GitHub Pages cannot, so the book ships `coi-sw.js`, a
// service worker that adds them. When the page is not isolated this script registers it and,
// on a page with a demo, reloads once (a sessionStorage flag prevents a reload loop). When
// isolation stays unavailable, each demo says so and why.
(function () {
  "use strict";

  // Every URL is resolved against the book's root as this page sees it, so the book works
  // under a sub-path (https://user.github.io/project/). mdBook defines `path_to_root` on every
  // page ("../" on recipes/x.html); as additional-js, this script itself is served from
  // `<root>/src/js/demo-runner-<hash>.js`, which is the fallback.
  const runnerUrl = new URL(
    document.currentScript ? document.currentScript.src : "js/demo-runner.js",
    document.baseURI
  );
  const bookRoot =
    typeof path_to_root === "string" // eslint-disable-line no-undef
      ? new URL(path_to_root, document.baseURI) // eslint-disable-line no-undef
      : new URL(runnerUrl.pathname.replace(/(src\/)?js\/[^/]*$/, ""), runnerUrl);
  const loaderUrl = new URL("js/wasm-rs-loader.js", bookRoot);
  const serviceWorkerUrl = new URL("coi-sw.js", bookRoot);
  const RELOAD_FLAG = "wasm-rs-coi-reloaded";
  const NAME = /^[A-Za-z0-9_-]+$/;
  const LEVELS = ["log", "info", "warn", "error", "debug", "group", "groupCollapsed"];

  // ---- the shared loader -----------------------------------------------------------------

  // Imported on the first Run: it formats console lines and starts worker demos.
  let loader = null;
  function loadLoader() {
    if (loader === null) {
      loader = import(loaderUrl.href).catch((error) => {
        loader = null;
        throw new Error(`could not load the demo loader ${loaderUrl.pathname} (${describeError(error)})`);
      });
    }
    return loader;
  }

  // An error already described by the worker: its message is shown as is.
  class WorkerReport extends Error {}

  function describeError(error) {
    if (error instanceof WorkerReport) return error.message;
    if (error instanceof Error) {
      let text = `${error.name}: ${error.message}`;
      if (error instanceof WebAssembly.RuntimeError && /unreachable/.test(error.message)) {
        text += " (the Rust code panicked; its panic message, if a panic hook is set, is logged above)";
      }
      return text;
    }
    return `uncaught value: ${String(error)}`;
  }

  // ---- the panel ------------------------------------------------------------------------

  function appendLine(panel, level, text, depth) {
    const line = document.createElement("div");
    line.className = `wasm-rs-demo-line wasm-rs-demo-${level}`;
    line.textContent = text;
    if (depth > 0) line.style.paddingLeft = `${depth * 1.5}em`;
    panel.appendChild(line);
    panel.scrollTop = panel.scrollHeight;
  }

  function notice(container, text) {
    let box = container.querySelector(".wasm-rs-demo-notice");
    if (!box) {
      box = document.createElement("p");
      box.className = "wasm-rs-demo-notice";
      container.insertBefore(box, container.firstChild);
    }
    box.textContent = text;
  }

  // ---- running in the page --------------------------------------------------------------

  // While demos run in the page, every console call is also shown in their panels. The console
  // methods are wrapped once, and the wrappers feed whichever demos are running (so two demos
  // run at once cannot restore each other's wrappers out of order).
  const consoleSinks = new Set();
  let consoleWrapped = false;

  function captureConsole(onLine, formatArgs) {
    if (!consoleWrapped) {
      consoleWrapped = true;
      for (const level of LEVELS.concat(["groupEnd"])) {
        const original = console[level];
        console[level] = function (...args) {
          if (consoleSinks.size > 0) {
            const text = level === "groupEnd" ? "" : formatArgs(args);
            for (const sink of consoleSinks) sink(level, text);
          }
          return original.apply(console, args);
        };
      }
    }
    let depth = 0;
    const sink = (level, text) => {
      if (level === "groupEnd") {
        depth = Math.max(0, depth - 1);
        return;
      }
      onLine(level.startsWith("group") ? "log" : level, text, depth);
      if (level.startsWith("group")) depth += 1;
    };
    consoleSinks.add(sink);
    return () => consoleSinks.delete(sink);
  }

  async function runInPage(moduleUrl, onLine) {
    const { formatConsoleArgs } = await loadLoader();
    const restore = captureConsole(onLine, formatConsoleArgs);
    try {
      const module = await import(moduleUrl.href);
      await module.default();
      if (typeof module.run_demo !== "function") {
        throw new Error(`${moduleUrl.pathname} does not export run_demo()`);
      }
      await module.run_demo();
    } finally {
      restore();
    }
  }

  // ---- running in a worker --------------------------------------------------------------

  // The loader starts a module worker, which imports the demo's glue (it fetches its own wasm),
  // calls `run_demo()` and forwards console calls; errors come back as { kind, message }.
  async function runInWorker(moduleUrl, onLine) {
    const { startWorker } = await loadLoader();
    const job = startWorker(moduleUrl.href, undefined, "run_demo", undefined, "module", onLine);
    try {
      await job.whenFinished();
    } catch (report) {
      throw new WorkerReport(
        report.kind === "load"
          ? `the demo worker failed to start: ${report.message}`
          : report.message
      );
    } finally {
      job.terminate();
    }
  }

  // ---- one demo -------------------------------------------------------------------------

  function setUp(container, isolation) {
    const recipe = container.dataset.recipe || "";
    const moduleName = container.dataset.module || "";
    const context = container.dataset.context || "main";

    const button = document.createElement("button");
    button.type = "button";
    button.className = "wasm-rs-demo-run";
    button.textContent = "Run";
    const panel = document.createElement("div");
    panel.className = "wasm-rs-demo-output";
    panel.setAttribute("role", "log");
    panel.setAttribute("aria-live", "polite");
    container.replaceChildren(button, panel);

    let problem = null;
    if (!NAME.test(recipe) || !NAME.test(moduleName)) {
      problem = `this demo's data-recipe ("${recipe}") or data-module ("${moduleName}") is not a plain name`;
    } else if (context !== "main" && context !== "worker") {
      problem = `this demo's data-context is "${context}"; it must be "main" or "worker"`;
    }
    if (problem) {
      button.disabled = true;
      container.dataset.status = "error";
      appendLine(panel, "error", problem, 0);
      return;
    }

    const requires = (container.dataset.requires || "").split(",").map((s) => s.trim());
    const needsSab = requires.includes("SharedArrayBuffer");
    if (isolation.isolated && needsSab && typeof SharedArrayBuffer !== "function") {
      // WebKit: isolated, yet without SharedArrayBuffer. A threads build would not even load.
      notice(
        container,
        "This browser has no SharedArrayBuffer even on this cross-origin isolated page " +
          "(WebKit has none), and this demo needs it, so it is disabled. Try Chromium or Firefox."
      );
      button.disabled = true;
    }
    if (!isolation.isolated) {
      notice(
        container,
        `SharedArrayBuffer demos can't run on this page: ${isolation.reason}` +
          (needsSab ? " This demo needs SharedArrayBuffer, so it is disabled." : "")
      );
      if (needsSab) button.disabled = true;
    }

    const moduleUrl = new URL(`demos/${recipe}/${moduleName}.js`, bookRoot);
    button.addEventListener("click", async () => {
      button.disabled = true;
      panel.replaceChildren();
      container.dataset.status = "running";
      const onLine = (level, text, depth) => appendLine(panel, level, text, depth);
      try {
        if (context === "worker") {
          await runInWorker(moduleUrl, onLine);
        } else {
          await runInPage(moduleUrl, onLine);
        }
        container.dataset.status = "done";
      } catch (error) {
        const text = describeError(error);
        appendLine(panel, "error", text, 0);
        container.dataset.status = "error";
        // Also on the real console, so a failing demo is visible to DevTools and to tests.
        console.error(`wasm-rs demo ${recipe} failed: ${text}`);
      } finally {
        button.disabled = false;
      }
    });
  }

  // ---- cross-origin isolation -----------------------------------------------------------

  function readFlag() {
    try {
      return sessionStorage.getItem(RELOAD_FLAG);
    } catch (_) {
      return "unavailable";
    }
  }

  function writeFlag(value) {
    try {
      if (value === null) sessionStorage.removeItem(RELOAD_FLAG);
      else sessionStorage.setItem(RELOAD_FLAG, value);
      return true;
    } catch (_) {
      return false;
    }
  }

  // Resolves to { isolated, reason }, or never resolves when it is about to reload the page.
  function ensureIsolation(hasDemos) {
    if (self.crossOriginIsolated) {
      writeFlag(null);
      return Promise.resolve({ isolated: true, reason: "" });
    }
    if (!window.isSecureContext) {
      return Promise.resolve({
        isolated: false,
        reason:
          "the page is not a secure context (open the book over https:// or from " +
          "http://127.0.0.1 with `cargo xtask serve`, not from a file).",
      });
    }
    if (!("serviceWorker" in navigator)) {
      return Promise.resolve({
        isolated: false,
        reason:
          "this browser offers no service workers here (a private window often disables " +
          "them), so the book cannot add the cross-origin isolation headers this host " +
          "does not send. Try a normal window, or serve the book with `cargo xtask serve`.",
      });
    }
    if (readFlag() !== null) {
      return Promise.resolve({
        isolated: false,
        reason:
          "the book's service worker (coi-sw.js) was installed and the page reloaded, but " +
          "the page is still not cross-origin isolated. The browser may block service " +
          "workers for this site, or this was a hard reload (Shift+Reload), which bypasses " +
          "them. Open the page in a new tab to try again.",
      });
    }
    return navigator.serviceWorker
      .register(serviceWorkerUrl.href, { scope: bookRoot.pathname })
      .then(async (registration) => {
        if (!hasDemos) {
          // Installing it is enough: the next page with a demo loads already isolated.
          return { isolated: false, reason: "" };
        }
        await navigator.serviceWorker.ready;
        if (!writeFlag("1")) {
          return {
            isolated: false,
            reason:
              "sessionStorage is unavailable, so the page cannot safely reload itself once " +
              "under the book's service worker. Reload the page by hand.",
          };
        }
        if (!navigator.serviceWorker.controller) {
          // The worker claims open pages when it activates; reload once it controls us.
          await new Promise((resolve) => {
            navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true });
            setTimeout(resolve, 3000);
          });
        }
        void registration;
        window.location.reload();
        return new Promise(() => {});
      })
      .catch((error) => ({
        isolated: false,
        reason: `registering the book's service worker (coi-sw.js) failed: ${describeError(error)}.`,
      }));
  }

  function start() {
    const containers = Array.from(document.querySelectorAll(".wasm-rs-demo"));
    ensureIsolation(containers.length > 0).then((isolation) => {
      for (const container of containers) setUp(container, isolation);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();
