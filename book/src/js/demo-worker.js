// wasm-rs cookbook: the worker half of the demo runner (see demo-runner.js), shared by every
// recipe whose demo runs in a worker. Started as a module worker; the page sends
// { module: "<absolute URL of the wasm-bindgen --target web module>" }, and this script
// imports it, calls its default init and then `run_demo()`, and posts back:
//   { kind: "console", level, text, depth }  for each console call (still logged here too),
//   { kind: "done" }                         when run_demo() resolves,
//   { kind: "error", text }                  when anything fails, with a readable message.

const LEVELS = ["log", "info", "warn", "error", "debug", "group", "groupCollapsed"];

function describe(value) {
  if (typeof value === "string") return value;
  if (value instanceof Error) return describeError(value);
  if (value === undefined || value === null || typeof value !== "object") return String(value);
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch (_) {
    return Object.prototype.toString.call(value);
  }
}

function describeError(error) {
  if (error instanceof Error) {
    let text = `${error.name}: ${error.message}`;
    if (error instanceof WebAssembly.RuntimeError && /unreachable/.test(error.message)) {
      text += " (the Rust code panicked; its panic message, if a panic hook is set, is logged above)";
    }
    return text;
  }
  return `uncaught value: ${describe(error)}`;
}

// The console's %s/%d/%i/%f/%o/%O/%c directives, then the other arguments joined by spaces.
function formatArgs(args) {
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

let depth = 0;
for (const level of LEVELS.concat(["groupEnd"])) {
  const original = console[level];
  console[level] = function (...args) {
    if (level === "groupEnd") {
      depth = Math.max(0, depth - 1);
    } else {
      const shown = level.startsWith("group") ? "log" : level;
      self.postMessage({ kind: "console", level: shown, text: formatArgs(args), depth });
      if (level.startsWith("group")) depth += 1;
    }
    return original.apply(console, args);
  };
}

let finished = false;
function finish(message) {
  if (finished) return;
  finished = true;
  self.postMessage(message);
}

// A rejection or exception escaping the demo (e.g. from a spawned task) fails it too.
self.addEventListener("unhandledrejection", (event) => {
  finish({ kind: "error", text: `unhandled rejection: ${describeError(event.reason)}` });
});
self.addEventListener("error", (event) => {
  finish({ kind: "error", text: describeError(event.error || new Error(event.message)) });
});

self.addEventListener(
  "message",
  async (event) => {
    const url = event.data && event.data.module;
    try {
      if (typeof url !== "string") throw new Error("the page sent no module URL");
      const module = await import(url);
      await module.default();
      if (typeof module.run_demo !== "function") {
        throw new Error(`${new URL(url).pathname} does not export run_demo()`);
      }
      await module.run_demo();
      finish({ kind: "done" });
    } catch (error) {
      finish({ kind: "error", text: describeError(error) });
    }
  },
  { once: true }
);
