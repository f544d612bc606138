#!/usr/bin/env python3
"""Mutation campaign against the real `xince` binary (docs/reliability.md reports its figures).

    python3 tests/mutation/run.py [--sources 10000] [--requests 2000] [--modules 1000] [--seed 1] [--bin PATH]

1. Sources: the repository's .xince files (policies, stdlib, conformance) mutated at random (byte and token
   edits, deleted/duplicated lines, invalid UTF-8, lone CRs, long 且 chains, deep brackets), written in batches
   of 100 into a temporary directory and run through `xince check DIR` and `xince build DIR --out-dir OUT`.
   A batch whose process dies is rerun file by file to name the culprit.
2. Requests: the example requests and a generated population, mutated (JSON-aware edits and raw byte edits),
   evaluated as one JSON Lines batch (`xince eval --input`), and the first 200 also one by one (`--request`).
3. Modules: a compiled seed module corrupted (bit flips, byte overwrites, insertions, deletions, truncation,
   manifest edits with the JSON kept valid), each run through `xince eval --request` and `xince inspect`.

Failure classes counted: abort (killed by a signal, e.g. a stack overflow), panic ("panicked" on stderr),
hang (over the timeout), an error without a code, an error without a location, and for modules: accepted with
a decision different from the original's, or `inspect` and `eval` disagreeing. The summary is printed as JSON;
the exit status is 1 when any failure was found.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"\b(E\d{4}|E_[A-Z_]+)\b")
TOKENS = ["且", "或", "非", "(", ")", "[", "]", "{", "}", ",", "，", ":", "：", "\"", "==", "属于", "在", "存在",
          "记录(", "记录.", "名单", "措施", "政策", "异议", "分级", "当", "至", "3年", "6个月", "2024-02-30",
          "99999999年", "\r", "\n", "//", "/*", "、", "；", "\u3000", "\ufeff", "𝕏", "0x", "-1", "1e309"]
TIMEOUT = 60


def run(cmd, timeout=TIMEOUT, stdin=None):
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, input=stdin)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return "hang", "", ""


def classify_process(rc, out, err):
    """abort / panic / hang, or None."""
    if rc == "hang":
        return "hang"
    if "panicked" in err or "panicked" in out:
        return "panic"
    if rc < 0 or rc >= 128:
        return "abort"
    return None


# ---------------------------------------------------------------- sources

def mutate_source(rng, text):
    data = text.encode("utf-8")
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(11)
        n = len(data)
        at = rng.randrange(n + 1) if n else 0
        if kind == 0 and n:  # flip a bit
            i = rng.randrange(n)
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
        elif kind == 1 and n:  # delete a range
            j = min(n, at + rng.randint(1, 40))
            data = data[:at] + data[j:]
        elif kind == 2:  # insert a token
            data = data[:at] + rng.choice(TOKENS).encode() + data[at:]
        elif kind == 3 and n:  # duplicate a range
            j = min(n, at + rng.randint(1, 200))
            data = data[:j] + data[at:j] + data[j:]
        elif kind == 4:  # invalid UTF-8
            data = data[:at] + rng.choice([b"\xff", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\x80"]) + data[at:]
        elif kind == 5:  # line edits
            lines = data.split(b"\n")
            i = rng.randrange(len(lines))
            op = rng.randrange(3)
            if op == 0:
                del lines[i]
            elif op == 1:
                lines.insert(i, lines[rng.randrange(len(lines))])
            else:
                j = rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif kind == 6:  # a long 且 chain or deep brackets
            depth = rng.choice([50, 99, 101, 500, 6300])
            if rng.random() < 0.5:
                piece = " 且 ".join(["记录.金额 > 1"] * depth)
            else:
                piece = "(" * depth + "1" + ")" * depth
            data = data[:at] + piece.encode() + data[at:]
        elif kind == 7:  # truncate
            data = data[:at]
        elif kind == 8:  # CR line ends / only CRs
            data = data.replace(b"\n", b"\r") if rng.random() < 0.5 else b"\r" * rng.randint(0, 5)
        elif kind == 9:  # a second 异议 / 分级 or a multi-value misuse
            data += rng.choice([b"\n\xe5\xbc\x82\xe8\xae\xae {\n  \xe6\x97\xb6\xe9\x99\x90: 5\xe5\xb7\xa5\xe4\xbd\x9c\xe6\x97\xa5\n}\n",
                                "\n通报 x { 条件: 在 a\n 对象: \"甲\" 且 \"乙\", \"丙\" }\n".encode()])
        else:  # swap two bytes ranges
            if n > 4:
                i, j = sorted(rng.sample(range(n), 2))
                data = data[:i] + data[j:j + 3] + data[i + 3:j] + data[i:i + 3] + data[j + 3:]
    return data


DIAG_HEADER = re.compile(r"^(error|warning|错误|警告)\[(\w+)\]", re.M)
LOCATION = re.compile(r"┌─ .+:\d+:\d+")


def source_errors_ok(out, err):
    """Every diagnostic has a code and a location; an error outside diagnostics has a code and a place."""
    headers = DIAG_HEADER.findall(out + err)
    locations = LOCATION.findall(out + err)
    problems = []
    if len(locations) < len(headers):
        problems.append("diagnostic without location")
    for line in err.splitlines():
        if line.startswith(("错误:", "error:")):
            if not CODE.search(line):
                problems.append("error without code: " + line[:200])
            elif not re.search(r"\S+\.xince|:\d+:\d+", line):
                problems.append("error without location: " + line[:200])
    return problems


def campaign_sources(args, rng, xince, work):
    seeds = [p for p in ROOT.glob("policies/**/*.xince")] + list(ROOT.glob("stdlib/xince/*.xince")) + \
        list(ROOT.glob("tests/conformance/policies/*.xince"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    stats = {"mutants": 0, "check_exit": {}, "build_exit": {}, "failures": []}
    batch = 100
    for start in range(0, args.sources, batch):
        d = work / f"src{start}"
        d.mkdir()
        files = []
        for k in range(min(batch, args.sources - start)):
            f = d / f"m{start + k}.xince"
            f.write_bytes(mutate_source(rng, rng.choice(texts)))
            files.append(f)
        stats["mutants"] += len(files)
        for mode in ("check", "build"):
            out_dir = work / f"out{start}"
            cmd = [xince, "check", str(d)] if mode == "check" else [xince, "build", str(d), "--out-dir", str(out_dir)]
            rc, out, err = run(cmd)
            bad = classify_process(rc, out, err)
            if bad:  # find the culprit(s) one file at a time
                for f in files:
                    one = [xince, "check", str(f)] if mode == "check" else \
                        [xince, "build", str(f), "-o", str(work / "one.wasm")]
                    rc1, out1, err1 = run(one)
                    bad1 = classify_process(rc1, out1, err1)
                    if bad1:
                        keep = work / "findings"
                        keep.mkdir(exist_ok=True)
                        shutil.copy(f, keep / f.name)
                        stats["failures"].append({"class": bad1, "mode": mode, "file": str(keep / f.name),
                                                  "stderr": err1[-300:]})
                continue
            key = f"{mode}_exit"
            stats[key][str(rc)] = stats[key].get(str(rc), 0) + 1
            for problem in source_errors_ok(out, err):
                stats["failures"].append({"class": "uncoded", "mode": mode, "batch": str(d), "detail": problem})
            shutil.rmtree(out_dir, ignore_errors=True)
        shutil.rmtree(d)
    return stats


# ---------------------------------------------------------------- requests

def mutate_json(rng, value):
    """One structural edit somewhere in a JSON value."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        k = rng.choice(list(value))
        op = rng.randrange(4)
        if op == 0:
            del value[k]
        elif op == 1:
            value[k] = mutate_json(rng, value[k])
        elif op == 2:
            value[k + rng.choice(["", "x", "_"])] = rng.choice([None, 1, "x", [], {}, True, -1.5, "2024-02-30"])
        else:
            value[k] = rng.choice([None, 0, "", [], {}, "严重", "异议", "r1", 1e308, "9999-99-99", ["拒不履行"] * 3])
        return value
    if isinstance(value, list) and value and rng.random() < 0.7:
        i = rng.randrange(len(value))
        op = rng.randrange(3)
        if op == 0:
            del value[i]
        elif op == 1:
            value.append(json.loads(json.dumps(value[i])))
        else:
            value[i] = mutate_json(rng, value[i])
        return value
    return rng.choice([None, 0, -1, 2**40, "", "x" * rng.randint(0, 100), [], {}, True, "2024-13-01", "行政处罚"])


def mutate_request(rng, text):
    if rng.random() < 0.6:
        v = json.loads(text)
        for _ in range(rng.randint(1, 3)):
            v = mutate_json(rng, v)
        data = json.dumps(v, ensure_ascii=False).encode()
    else:
        data = text.encode()
        for _ in range(rng.randint(1, 3)):
            n = len(data)
            at = rng.randrange(n + 1)
            kind = rng.randrange(4)
            if kind == 0 and n:
                i = rng.randrange(n)
                data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
            elif kind == 1:
                data = data[:at] + data[min(n, at + rng.randint(1, 20)):]
            elif kind == 2:
                data = data[:at] + rng.choice([b"\xff", b"{", b"}", b"[", b"\"", b",", b"null", b"\\u0000", b"1e999"]) + data[at:]
            else:
                data = data[:at]
    return data.replace(b"\n", b" ")


def campaign_requests(args, rng, xince, work, module):
    seeds = [p.read_text(encoding="utf-8") for p in ROOT.glob("examples/requests/*.json")]
    rc, out, _ = run([xince, "gen", "--count", "50", "--seed", str(args.seed)])
    seeds += [line for line in out.splitlines() if line.strip()]
    seeds = [json.dumps(json.loads(s), ensure_ascii=False) for s in seeds]
    mutants = [mutate_request(rng, rng.choice(seeds)) for _ in range(args.requests)]
    stats = {"mutants": len(mutants), "decisions": 0, "errors": {}, "failures": []}
    inp, outp = work / "requests.jsonl", work / "decisions.jsonl"
    inp.write_bytes(b"\n".join(mutants) + b"\n")
    rc, out, err = run([xince, "eval", "--policy", str(module), "--input", str(inp), "--output", str(outp)], timeout=600)
    bad = classify_process(rc, out, err)
    if bad:
        stats["failures"].append({"class": bad, "mode": "batch", "stderr": err[-300:]})
    else:
        lines = [l for l in outp.read_text(encoding="utf-8").splitlines()]
        nonblank = sum(1 for m in mutants if m.strip())
        if len(lines) != nonblank:
            stats["failures"].append({"class": "lost", "detail": f"{nonblank} requests, {len(lines)} outputs"})
        for line in lines:
            v = json.loads(line)
            if "error" in v:
                e = v["error"]
                stats["errors"][e.get("code", "?")] = stats["errors"].get(e.get("code", "?"), 0) + 1
                if not e.get("code"):
                    stats["failures"].append({"class": "uncoded", "detail": line[:200]})
                if not e.get("path") and e.get("code") not in ("E_NO_POLICY",):
                    stats["failures"].append({"class": "unlocated", "detail": line[:300]})
            else:
                stats["decisions"] += 1
    # The first 200 also one request per process, through --request (file reading, UTF-8, exit codes).
    single = {"run": 0}
    for k, m in enumerate(mutants[:200]):
        f = work / "one.json"
        f.write_bytes(m)
        rc, out, err = run([xince, "eval", "--policy", str(module), "--request", str(f)])
        single["run"] += 1
        bad = classify_process(rc, out, err)
        if bad:
            stats["failures"].append({"class": bad, "mode": "single", "request": m.decode("utf-8", "replace")[:300]})
        elif rc != 0:
            text = out + err
            if not CODE.search(text):
                stats["failures"].append({"class": "uncoded", "mode": "single", "detail": text[:300]})
            elif '"path"' not in out and not re.search(r"one\.json:\d+:\d+|\$", text):
                stats["failures"].append({"class": "unlocated", "mode": "single", "detail": text[:300]})
    stats["single"] = single
    return stats


# ---------------------------------------------------------------- modules

def corrupt_module(rng, wasm):
    data = bytearray(wasm)
    kind = rng.randrange(7)
    n = len(data)
    if kind == 0:
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(n)
            data[i] ^= 1 << rng.randrange(8)
    elif kind == 1:
        i = rng.randrange(n)
        data[i] = rng.randrange(256)
    elif kind == 2:
        i = rng.randrange(n)
        data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    elif kind == 3:
        i = rng.randrange(n)
        del data[i:i + rng.randint(1, 8)]
    elif kind == 4:
        del data[rng.randrange(n):]
    elif kind == 5:  # edit the manifest JSON, keeping it valid JSON of the same length where possible
        text = bytes(data)
        start = text.find(b'{"abi_version"')
        if start >= 0:
            for a, b in [("严重".encode(), "一般".encode()), (b"true", b"fals"), (b'"3', b'"5'), (b"\xe6\x9c\x88", b"\xe5\xb9\xb4")]:
                i = text.find(a, start + rng.randrange(max(1, len(text) - start)))
                if i >= 0:
                    data[i:i + len(a)] = b
                    break
    else:  # append bytes after the end
        data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(data)


def campaign_modules(args, rng, xince, work, module, request):
    wasm = module.read_bytes()
    rc, want, err = run([xince, "eval", "--policy", str(module), "--request", str(request)])
    assert rc == 0, err
    stats = {"modules": args.modules, "refused": 0, "accepted_same": 0, "codes": {}, "failures": []}
    for k in range(args.modules):
        bad_module = work / "bad.wasm"
        bad_module.write_bytes(corrupt_module(rng, wasm))
        rc, out, err = run([xince, "eval", "--policy", str(bad_module), "--request", str(request)])
        bad = classify_process(rc, out, err)
        rci, _, erri = run([xince, "inspect", str(bad_module)])
        badi = classify_process(rci, "", erri)
        if bad or badi:
            keep = work / "findings"
            keep.mkdir(exist_ok=True)
            shutil.copy(bad_module, keep / f"module{k}.wasm")
            stats["failures"].append({"class": bad or badi, "module": str(keep / f"module{k}.wasm"), "stderr": (err + erri)[-300:]})
            continue
        if rc == 0:
            if out == want:
                stats["accepted_same"] += 1
            else:
                keep = work / "findings"
                keep.mkdir(exist_ok=True)
                shutil.copy(bad_module, keep / f"module{k}.wasm")
                stats["failures"].append({"class": "believed", "module": str(keep / f"module{k}.wasm")})
        else:
            stats["refused"] += 1
            m = CODE.search(err)
            stats["codes"][m.group(1) if m else "?"] = stats["codes"].get(m.group(1) if m else "?", 0) + 1
            if not m:
                stats["failures"].append({"class": "uncoded", "detail": err[:300]})
            elif "bad.wasm" not in err:
                stats["failures"].append({"class": "unlocated", "detail": err[:300]})
        if (rc == 0) != (rci == 0):
            stats["failures"].append({"class": "inspect-disagrees", "eval": rc, "inspect": rci, "detail": (err + erri)[:300]})
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=int, default=10000)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--modules", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=str(ROOT / "target/debug/xince"))
    ap.add_argument("--keep", help="directory to keep findings in")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    xince = args.bin
    work = Path(tempfile.mkdtemp(prefix="xince-mutation-"))
    module = work / "seed.wasm"
    policy = ROOT / "policies/重庆市/梁平区/政策.xince"
    rc, _, err = run([xince, "build", str(policy), "-o", str(module)])
    if rc != 0:
        sys.exit(f"cannot build the seed module: {err}")
    request = ROOT / "examples/requests/梁平区-食品企业.json"
    summary = {"seed": args.seed}
    if args.sources:
        summary["sources"] = campaign_sources(args, rng, xince, work)
    if args.requests:
        summary["requests"] = campaign_requests(args, rng, xince, work, module)
    if args.modules:
        summary["modules"] = campaign_modules(args, rng, xince, work, module, request)
    failures = sum(len(v["failures"]) for v in summary.values() if isinstance(v, dict))
    summary["failures"] = failures
    if args.keep and (work / "findings").exists():
        shutil.copytree(work / "findings", args.keep, dirs_exist_ok=True)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
