#!/usr/bin/env python3
"""Attributes perf samples in wasmtime's JIT code to the module's functions.

`examples/jitprof.rs` writes the compiled module as an ELF (/tmp/module.elf) and the address it was loaded at
(/tmp/module.base). Then:

    perf record -o /tmp/jit.data target/release/examples/jitprof
    perf report -i /tmp/jit.data --no-children --sort dso,symbol | python3 jitmap.py

prints each function's share of all samples (wasm[0]::function[N] in the order of compiler/src/codegen.rs:
alloc, evaluate, evaluate_batch, the evaluation itself, add_months, add_workdays; then trampolines).
"""
import subprocess
import sys

base = int(open("/tmp/module.base").read())
text_offset = None
for line in subprocess.run(["readelf", "-SW", "/tmp/module.elf"], capture_output=True, text=True).stdout.splitlines():
    fields = line.split()
    if ".text" in fields:
        text_offset = int(fields[fields.index(".text") + 3], 16)  # Name Type Address Off

if text_offset is None:
    sys.exit("no .text section in /tmp/module.elf")
symbols = []
for line in subprocess.run(["nm", "/tmp/module.elf"], capture_output=True, text=True).stdout.splitlines():
    address, _, name = line.split(" ", 2)
    symbols.append((int(address, 16), name))
symbols.sort()

shares = {}
for line in sys.stdin:
    if "[JIT]" not in line:
        continue
    parts = line.split()
    percent = float(parts[0].rstrip("%"))
    address = int(next(p for p in parts if p.startswith("0x")), 16)
    offset = address - base - text_offset
    name = next((n for a, n in reversed(symbols) if a <= offset), "?")
    shares[name] = shares.get(name, 0.0) + percent
try:
    for name, percent in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"{percent:6.2f}%  {name}")
except BrokenPipeError:
    pass
