#!/usr/bin/env bash
# What wasm-rs-dbg adds to a release wasm, against the same line written by hand.
# Builds size-probe/examples/size_dbg.rs and size_handwritten.rs for wasm32-unknown-unknown
# (release; size-probe is a package of its own, so nothing from this crate's
# dev-dependencies is linked), runs wasm-bindgen (--target web) and wasm-opt -Oz on each,
# and prints the sizes. Run from anywhere: bash runtime/dbg/benches/size.sh
set -euo pipefail
probe="$(cd "$(dirname "$0")/size-probe" && pwd)"
workspace_target="$(cd "$probe/../../../.." && pwd)/target"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$workspace_target/size-probe}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for example in size_handwritten size_dbg; do
    cargo build --quiet --release --target wasm32-unknown-unknown \
        --manifest-path "$probe/Cargo.toml" --example "$example"
    wasm-bindgen --target web --out-dir "$out/$example" \
        "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/examples/$example.wasm"
    wasm-opt -Oz "$out/$example/${example}_bg.wasm" -o "$out/$example.opt.wasm"
    size=$(stat -c %s "$out/$example.opt.wasm")
    gz=$(gzip -9 -c "$out/$example.opt.wasm" | wc -c)
    js=$(stat -c %s "$out/$example/$example.js")
    printf '%-18s wasm-opt -Oz: %6d bytes (gzip -9: %6d), JS glue: %6d bytes\n' \
        "$example" "$size" "$gz" "$js"
done
