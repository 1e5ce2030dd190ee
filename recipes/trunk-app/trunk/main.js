// ANCHOR: errors
// Anything that goes wrong is listed on the page (and in the console), where a person and
// the onramps test both see it.
const errors = document.getElementById("errors");
const report = (what) => {
  const item = document.createElement("li");
  item.textContent = String(what);
  errors.append(item);
};
addEventListener("error", (event) => report(event.message));
addEventListener("unhandledrejection", (event) => report(event.reason));
// ANCHOR_END: errors

// ANCHOR: counter
// The main thread's own work: a counter that must keep ticking while the worker computes.
let ticks = 0;
const ticker = document.getElementById("ticks");
setInterval(() => {
  ticks += 1;
  ticker.textContent = String(ticks);
}, 10);
// ANCHOR_END: counter

// ANCHOR: start
// Trunk's own script loads the module and calls its init, then puts the exports on
// `window.wasmBindings` and fires `TrunkApplicationStarted`; whichever comes first here.
const glue =
  window.wasmBindings ??
  (await new Promise((resolve) =>
    addEventListener("TrunkApplicationStarted", () => resolve(window.wasmBindings), { once: true })
  ));

const limit = 1_000_000;
document.getElementById("limit").textContent = limit.toLocaleString("en");
const progress = document.getElementById("progress");
const result = document.getElementById("result");
const ticksAtStart = ticks;
let updates = 0;
try {
  const found = await glue.doublePalindromesInWorker(limit, (done, total) => {
    updates += 1;
    progress.textContent = `${done.toLocaleString("en")} of ${total.toLocaleString("en")}`;
  });
  result.textContent = `${found.count} numbers, summing to ${found.sum.toLocaleString("en")}`;
  result.dataset.value = String(found.sum);
  result.dataset.updates = String(updates);
  result.dataset.ticksWhileComputing = String(ticks - ticksAtStart);
} catch (error) {
  report(error);
  result.textContent = "failed";
}
// ANCHOR_END: start
