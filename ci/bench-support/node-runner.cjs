// One benchmark run in Node for `cargo xtask bench` (ci/src/bench/):
//   node node-runner.cjs <absolute path of bench.js> <env> <quick: 0|1> <report.json>
// bench.js is the bench module's glue (wasm-bindgen --target nodejs). The report, or
// {"error": ...}, goes to the file, since a benchmark may write to stdout (console.log).
const fs = require('node:fs');
const [glue, env, quick, out] = process.argv.slice(2);
const finish = (text, code) => {
  fs.writeFileSync(out, text);
  process.exit(code);
};
const fail = (e) => finish(JSON.stringify({ error: String((e && e.stack) || e) }), 1);
globalThis.__benchGlue = glue;
globalThis.__benchRequire = require;
globalThis.__benchPanic = fail;
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
try {
  const m = require(glue);
  Promise.resolve(m.bench_run(env, quick === '1')).then((report) => finish(report, 0), fail);
} catch (e) {
  fail(e);
}
