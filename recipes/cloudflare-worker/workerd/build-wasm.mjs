// Builds the Rust crate for wasm32 and writes wasm-bindgen's `--target web` glue into
// `pkg/`, which `worker.js` and `config.capnp` name. Run it (`npm run wasm`) before
// `npm start`. Needs `rustup target add wasm32-unknown-unknown` and a wasm-bindgen CLI of
// the same version as the crate's wasm-bindgen.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const crate = path.join(here, "..");
// The cargo profile: release unless CARGO_PROFILE names another (the repository's tests use
// its `demo` profile, shared with the book's demos).
const profile = process.env.CARGO_PROFILE || "release";
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: "inherit" });

run("cargo", ["build", "--lib", "--target", "wasm32-unknown-unknown", "--profile", profile], crate);
const metadata = JSON.parse(
  execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], { cwd: crate })
);
const wasm = path.join(
  metadata.target_directory,
  "wasm32-unknown-unknown",
  profile === "dev" ? "debug" : profile,
  "cloudflare_worker.wasm"
);
run("wasm-bindgen", ["--target", "web", "--out-dir", path.join(here, "pkg"), wasm], here);
