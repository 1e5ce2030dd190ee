#!/usr/bin/env python3
"""Runs one WASI program under wasmtime: the cargo runner of the `wasip1` and `wasip2`
test environments (`cargo xtask test` sets CARGO_TARGET_WASM32_WASIP{1,2}_RUNNER to it).

    python3 ci/wasi/wasmtime-run.py <program.wasm> [arguments...]

A `wasm32-wasip1` build is a core module importing `wasi_snapshot_preview1`; a
`wasm32-wasip2` build is a component exporting `wasi:cli/run`. Both run with the caller's
arguments, environment, standard streams and working directory (preopened as `.`, which
is what std's relative paths resolve against), and the program's exit code becomes this
process's: libtest's 101 for a failed test, 0 when all passed.

wasmtime comes from the `wasmtime` package on PyPI (the Bytecode Alliance's prebuilt
library and its Python API), installed by `cargo xtask setup` at a pinned version into
target/xtask/tools/wasmtime-py: no 2-core build of wasmtime-cli needed.
"""

import os
import sys

import wasmtime
from wasmtime import component

# A trap (a panic with panic=abort, an out-of-bounds access) exits like a signal would:
# distinct from libtest's 101 and from any exit code a program picks for itself.
TRAP_EXIT = 134


def is_component(data: bytes) -> bool:
    # The preamble's version/layer field: 0x0001 0x0000 for a core module, a non-zero
    # layer (0x0001) for a component.
    return len(data) >= 8 and data[:4] == b"\0asm" and data[6:8] != b"\0\0"


def wasi_config(program: str, args: list) -> wasmtime.WasiConfig:
    wasi = wasmtime.WasiConfig()
    wasi.argv = [program] + args
    wasi.inherit_env()
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    wasi.preopen_dir(".", ".")
    return wasi


def run(path: str, args: list) -> int:
    with open(path, "rb") as f:
        data = f.read()
    config = wasmtime.Config()
    # Test binaries are compiled once per run and mostly wait on timers: compile fast
    # rather than optimise, and keep the machine code in wasmtime's cache
    # (~/.cache/wasmtime), so a second run of an unchanged binary skips compilation.
    config.cranelift_opt_level = "none"
    config.cache = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    store.set_wasi(wasi_config(os.path.basename(path), args))
    try:
        if is_component(data):
            linker = component.Linker(engine)
            linker.add_wasip2()
            instance = linker.instantiate(store, component.Component(engine, data))
            run_index = instance.get_export_index(store, "wasi:cli/run@0.2.0")
            if run_index is None:
                # Newer toolchains export a newer 0.2.x; find whichever is there.
                for minor in range(1, 20):
                    run_index = instance.get_export_index(store, f"wasi:cli/run@0.2.{minor}")
                    if run_index is not None:
                        break
            if run_index is None:
                print(f"wasmtime-run: {path} is a component without a wasi:cli/run export "
                      "(build a binary or a test for wasm32-wasip2)", file=sys.stderr)
                return 2
            func_index = instance.get_export_index(store, "run", run_index)
            result = instance.get_func(store, func_index)(store)
            # `run` returns result<_, _>: an `Err` is exit code 1, as in wasmtime-cli.
            return 0 if result is None or getattr(result, "is_ok", lambda: True)() else 1
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        instance = linker.instantiate(store, wasmtime.Module(engine, data))
        instance.exports(store)["_start"](store)
        return 0
    except wasmtime.ExitTrap as e:
        return e.code
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        print(f"wasmtime-run: {path} trapped: {e}", file=sys.stderr)
        return TRAP_EXIT


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(run(sys.argv[1], sys.argv[2:]))
