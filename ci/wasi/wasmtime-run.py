#!/usr/bin/env python3
"""Runs one WASI program under wasmtime: the cargo runner of the `wasip1` and `wasip2`
test environments (`cargo xtask test` sets CARGO_TARGET_WASM32_WASIP{1,2}_RUNNER to it).

    python3 ci/wasi/wasmtime-run.py <program.wasm> [arguments...]

A `wasm32-wasip1` build is a core module importing `wasi_snapshot_preview1`; a
`wasm32-wasip2` build is a component exporting `wasi:cli/run`. Both run with the caller's
arguments, environment, standard streams and working directory (preopened as `.`, which
is what std's relative paths resolve against), and the program's exit code becomes this
process's: libtest's 101 for a failed test, 0 when all passed.

One instance per test. With WASM_RS_WASI_TESTS=per-instance (set by `cargo xtask test`),
the program is a libtest binary: it is compiled once, asked for its tests (`--list`), and
each test then runs in a fresh instance of its own, as native libtest does with
panic=abort. A panic aborts the instance (WASI builds are panic=abort, and libtest ignores
`#[should_panic]` there), so this is what lets a test expect one: it first prints

    wasm-rs-wasi: expect panic: <part of the message>

to stderr, and the runner passes it when its instance then aborts with a panic whose
message holds that text; any other abort fails it. The counts are printed as libtest's
`test result:` lines, one per test, so `cargo xtask test` adds them up as usual.

wasmtime comes from the `wasmtime` package on PyPI (the Bytecode Alliance's prebuilt
library and its Python API), installed by `cargo xtask setup` at a pinned version into
target/xtask/tools/wasmtime-py: no 2-core build of wasmtime-cli needed.
"""

import os
import sys
import tempfile

import wasmtime
from wasmtime import component

# A trap (a panic with panic=abort, an out-of-bounds access) exits like a signal would:
# distinct from libtest's 101 and from any exit code a program picks for itself.
TRAP_EXIT = 134

# What a test prints before the panic it expects; see the module's doc.
EXPECT_PANIC = "wasm-rs-wasi: expect panic: "

# What libtest prints for a run whose one test it ignored.
IGNORED_ONLY = "test result: ok. 0 passed; 0 failed; 1 ignored"

# libtest flags that take no value and mean the same for one test as for all.
PER_TEST_FLAGS = {"--show-output", "--ignored", "--include-ignored", "--quiet", "-q"}


def is_component(data: bytes) -> bool:
    # The preamble's version/layer field: 0x0001 0x0000 for a core module, a non-zero
    # layer (0x0001) for a component.
    return len(data) >= 8 and data[:4] == b"\0asm" and data[6:8] != b"\0\0"


class Program:
    """A WASI program compiled once, to be run in as many fresh instances as needed."""

    def __init__(self, path: str):
        self.path = path
        with open(path, "rb") as f:
            data = f.read()
        config = wasmtime.Config()
        # Test binaries are compiled once per run and mostly wait on timers: compile fast
        # rather than optimise, and keep the machine code in wasmtime's cache
        # (~/.cache/wasmtime), so a second run of an unchanged binary skips compilation.
        config.cranelift_opt_level = "none"
        config.cache = True
        self.engine = wasmtime.Engine(config)
        if is_component(data):
            self.component = component.Component(self.engine, data)
            self.linker = component.Linker(self.engine)
            self.linker.add_wasip2()
        else:
            self.component = None
            self.module = wasmtime.Module(self.engine, data)
            self.linker = wasmtime.Linker(self.engine)
            self.linker.define_wasi()

    def run(self, args: list, stdout=None, stderr=None) -> int:
        """Runs one instance with `args`; its output goes to the given files (paths), or
        to this process's streams."""
        wasi = wasmtime.WasiConfig()
        wasi.argv = [os.path.basename(self.path)] + args
        wasi.inherit_env()
        wasi.inherit_stdin()
        if stdout is None:
            wasi.inherit_stdout()
        else:
            wasi.stdout_file = stdout
        if stderr is None:
            wasi.inherit_stderr()
        else:
            wasi.stderr_file = stderr
        wasi.preopen_dir(".", ".")
        store = wasmtime.Store(self.engine)
        store.set_wasi(wasi)
        try:
            if self.component is not None:
                return self._run_component(store)
            instance = self.linker.instantiate(store, self.module)
            instance.exports(store)["_start"](store)
            return 0
        except wasmtime.ExitTrap as e:
            return e.code
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            message = f"wasmtime-run: {self.path} trapped: {e}\n"
            if stderr is None:
                sys.stderr.write(message)
            else:
                with open(stderr, "a") as f:
                    f.write(message)
            return TRAP_EXIT

    def _run_component(self, store) -> int:
        instance = self.linker.instantiate(store, self.component)
        run_index = instance.get_export_index(store, "wasi:cli/run@0.2.0")
        if run_index is None:
            # Newer toolchains export a newer 0.2.x; find whichever is there.
            for minor in range(1, 20):
                run_index = instance.get_export_index(store, f"wasi:cli/run@0.2.{minor}")
                if run_index is not None:
                    break
        if run_index is None:
            print(f"wasmtime-run: {self.path} is a component without a wasi:cli/run export "
                  "(build a binary or a test for wasm32-wasip2)", file=sys.stderr)
            return 2
        func_index = instance.get_export_index(store, "run", run_index)
        result = instance.get_func(store, func_index)(store)
        # `run` returns result<_, _>: an `Err` is exit code 1, as in wasmtime-cli.
        return 0 if result is None or getattr(result, "is_ok", lambda: True)() else 1


def expected_panic_met(stderr: str):
    """The text a test announced it would panic with, and whether the panic after the
    announcement holds it: (None, False) when it announced nothing."""
    at = stderr.rfind(EXPECT_PANIC)
    if at < 0:
        return None, False
    rest = stderr[at + len(EXPECT_PANIC):]
    expected, _, after = rest.partition("\n")
    panic = after.find("panicked at")
    return expected, panic >= 0 and expected in after[panic:]


def run_tests(program: Program, args: list) -> int:
    """Runs each test of a libtest binary in its own instance; see the module's doc."""
    with tempfile.TemporaryDirectory(prefix="wasmtime-run-") as tmp:
        out_path, err_path = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")

        def one(run_args: list):
            for path in (out_path, err_path):
                open(path, "w").close()
            code = program.run(run_args, stdout=out_path, stderr=err_path)
            with open(out_path, errors="replace") as o, open(err_path, errors="replace") as e:
                return code, o.read(), e.read()

        code, out, err = one(args + ["--list", "--format", "terse"])
        if code != 0:
            sys.stdout.write(out)
            sys.stderr.write(err)
            return code
        names = [line[: -len(": test")] for line in out.splitlines() if line.endswith(": test")]
        flags = [a for a in args if a in PER_TEST_FLAGS]
        print(f"\nrunning {len(names)} tests of {os.path.basename(program.path)}, "
              "one wasmtime instance each", flush=True)
        failed = []
        for name in names:
            # --nocapture: libtest's capture buffer is lost when the instance aborts, and
            # with it the announcement and the panic's message.
            code, out, err = one(["--exact", name, "--nocapture"] + flags)
            sys.stdout.write(out)
            sys.stderr.write(err)
            expected, met = expected_panic_met(err)
            ignored = code == 0 and IGNORED_ONLY in out
            if code == 0 and expected is None and not ignored:
                pass  # libtest printed its own `test result: ok` line.
            elif code == TRAP_EXIT and met:
                print(f"test {name} ... ok: its instance aborted with the panic it expects "
                      f"({expected!r})")
                print("test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; "
                      "0 filtered out (judged by wasmtime-run.py)")
            else:
                failed.append(name)
                if ignored:
                    why = ("libtest ignored it, as it does every `#[should_panic]` test on "
                           "WASI: print the panic it expects instead (see ci/wasi/"
                           "wasmtime-run.py), or leave the test out of WASI builds")
                    # libtest's own line counted it as ignored, not failed.
                    print("test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; "
                          "0 filtered out (judged by wasmtime-run.py)")
                elif code == 0:
                    why = f"it announced the panic {expected!r} but finished without it"
                elif expected is not None:
                    why = f"it expected the panic {expected!r} but exited with {code}"
                else:
                    why = f"exit code {code}"
                print(f"test {name} ... FAILED: {why}")
                if code != 101 and not ignored:
                    # libtest printed no result line for an aborted instance, and an
                    # `ok` one for a test that should have panicked.
                    print("test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; "
                          "0 filtered out (judged by wasmtime-run.py)")
            sys.stdout.flush()
        if failed:
            print(f"\nwasmtime-run: {len(failed)} of {len(names)} tests failed: "
                  + ", ".join(failed), file=sys.stderr)
            return 101
        return 0


def run(path: str, args: list) -> int:
    program = Program(path)
    per_test = os.environ.get("WASM_RS_WASI_TESTS") == "per-instance"
    if per_test and "--list" not in args and "--help" not in args:
        return run_tests(program, args)
    return program.run(args)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(run(sys.argv[1], sys.argv[2:]))
