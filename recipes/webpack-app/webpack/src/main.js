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
// The glue is the entry `glue` (see webpack.config.js), emitted beside this file as
// `glue.js`. It is imported by URL, not bundled into this file: the worker starts on that
// same file, and must not run the page's code.
const glue = await import(/* webpackIgnore: true */ "./glue.js");
await glue.default();

const limit = 1_000_000;
document.getElementById("limit").textContent = limit.toLocaleString("en");
const progress = document.getElementById("progress");
const result = document.getElementById("result");
const ticksAtStart = ticks;
let updates = 0;
try {
  const best = await glue.longestChainInWorker(limit, (done, total) => {
    updates += 1;
    progress.textContent = `${done.toLocaleString("en")} of ${total.toLocaleString("en")}`;
  });
  result.textContent = `${best.start.toLocaleString("en")} (${best.steps} steps)`;
  result.dataset.value = String(best.start);
  result.dataset.updates = String(updates);
  result.dataset.ticksWhileComputing = String(ticks - ticksAtStart);
} catch (error) {
  report(error);
  result.textContent = "failed";
}
// ANCHOR_END: start
