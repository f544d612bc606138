#!/usr/bin/env python3
"""A Python host for xince modules, calling the documented ABI (docs/abi.md) directly with the `wasmtime`
package from PyPI. It reads the manifest from the module's custom section, encodes each request itself,
calls `xince_evaluate`, and decodes the raw answer into a summary of the decision:

    python3 host.py [--batch] MODULE.wasm REQUEST.json [REQUEST.json ...]

With --batch, all requests go to the module in one `xince_evaluate_batch` call (docs/abi.md §2.1) instead of
one instance and one `xince_evaluate` call each; the output is the same. Prints one JSON object per request: {"request": path, "lists": {name: {status, entered, publication_ends,
earliest_repair}}, "measures": {name: status}, "incentives": {name: eligible}, "notifications": [...],
"grade": level | null} or {"request": path, "error": "E_..."}.
"""
import json
import math
import struct
import sys
from datetime import date

import wasmtime

NO_DATE = 0x7FFFFFFF
NO_CODE = -1
INPUT_MAGIC = struct.unpack("<I", b"XINC")[0]
OUTPUT_MAGIC = struct.unpack("<I", b"XOUT")[0]
ABI_VERSION = 3
RECORD_SIZE = 64
LIST_STATUS = ["not_listed", "active", "suspended", "expired", "repaired", "overridden", "revoked"]
MEASURE_STATUS = ["not_applicable", "active", "suspended", "ended", "other_scenario"]
ERRORS = {1: "E_BAD_INPUT", 2: "E_NOT_YET_IN_FORCE", 3: "E_NO_LONGER_IN_FORCE", 4: "E_CALENDAR_RANGE",
          5: "E_NO_REGIME", 6: "E_INPUT_TOO_LARGE"}
EPOCH = date(1970, 1, 1).toordinal()


def read_leb128(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def read_manifest(module_bytes):
    """Walks the wasm sections and returns the JSON of the `xince.manifest` custom section."""
    if module_bytes[:4] != b"\0asm":
        raise ValueError("not a wasm module")
    pos = 8
    while pos < len(module_bytes):
        section_id = module_bytes[pos]
        size, pos = read_leb128(module_bytes, pos + 1)
        end = pos + size
        if section_id == 0:
            name_len, name_pos = read_leb128(module_bytes, pos)
            name = module_bytes[name_pos:name_pos + name_len].decode("utf-8")
            if name == "xince.manifest":
                return json.loads(module_bytes[name_pos + name_len:end])
        pos = end
    raise ValueError("module has no xince.manifest section")


def day(text):
    return date.fromisoformat(text).toordinal() - EPOCH


def show(days):
    return None if days == NO_DATE else date.fromordinal(days + EPOCH).isoformat()


class Encoder:
    def __init__(self, manifest):
        self.vocab = manifest["vocab"]

    def code(self, vocab, value):
        if value is None:
            return NO_CODE
        try:
            return self.vocab[vocab].index(value)
        except ValueError:
            raise ValueError(f"unknown {vocab} value {value!r}")

    def bits(self, vocab, values):
        mask = 0
        for v in values:
            mask |= 1 << self.code(vocab, v)
        return mask

    def encode(self, request):
        subject = request["subject"]
        primary, acting = [], []
        for rec in subject.get("records", []):
            (acting if rec["type"] in ("异议", "信用修复") else primary).append(rec)
        slots = {}
        for rec in primary:
            slots[rec["id"]] = {
                "objection_filed": NO_DATE, "objection_resolved": NO_DATE, "upheld": 0,
                "repair_date": NO_DATE, "repair_conditions": 0,
            }
        for rec in acting:
            slot = slots[rec["of"]]
            if rec["type"] == "异议":
                slot["objection_filed"] = day(rec["filed"])
                if rec.get("resolved"):
                    slot["objection_resolved"] = day(rec["resolved"])
                slot["upheld"] = 1 if rec.get("upheld") else 0
            else:
                slot["repair_date"] = day(rec["date"])
                slot["repair_conditions"] = self.bits("修复条件", rec.get("conditions", []))
        roles = 0
        for person in subject.get("related", []):
            roles |= 1 << self.code("角色", person["role"])
        out = bytearray(struct.pack(
            "<IIiiiiII", INPUT_MAGIC, ABI_VERSION, day(request["as_of"]),
            self.code("场景", request.get("scenario")), self.code("主体类型", subject["kind"]),
            self.code("行业", subject.get("sector")), roles, len(primary)))
        for rec in primary:
            slot = slots[rec["id"]]
            amount = rec.get("amount")
            out += struct.pack(
                "<iiiiiiiiiidQQ",
                self.code("记录类型", rec["type"]), self.code("领域", rec.get("domain")),
                self.code("严重程度", rec.get("severity")), self.code("等级", rec.get("grade")),
                day(rec["date"]), slot["objection_filed"], slot["objection_resolved"], slot["upheld"],
                slot["repair_date"], self.code("程序", rec.get("procedure")),
                math.nan if amount is None else float(amount),
                self.bits("标志", rec.get("flags", [])), slot["repair_conditions"])
        return bytes(out)


class Host:
    def __init__(self, module_path):
        with open(module_path, "rb") as f:
            module_bytes = f.read()
        self.manifest = read_manifest(module_bytes)
        config = wasmtime.Config()
        config.consume_fuel = True
        self.engine = wasmtime.Engine(config)
        self.module = wasmtime.Module(self.engine, module_bytes)
        if self.module.imports:
            raise ValueError("module imports something; xince modules import nothing")
        self.encoder = Encoder(self.manifest)

    def evaluate(self, request):
        store = wasmtime.Store(self.engine)
        store.set_fuel(1_000_000_000)
        instance = wasmtime.Instance(store, self.module, [])
        exports = instance.exports(store)
        if exports["xince_abi_version"].value(store) != ABI_VERSION:
            raise ValueError("wrong ABI version")
        memory = exports["memory"]
        data = self.encoder.encode(request)
        ptr = exports["xince_alloc"](store, len(data))
        if ptr <= 0:
            raise ValueError("xince_alloc refused the input")
        memory.write(store, data, ptr)
        # Since ABI v2: one call answers (status, output pointer, output length).
        status, out_ptr, out_len = exports["xince_evaluate"](store, ptr, len(data))
        if status != 0:
            return {"error": ERRORS.get(status, f"E_UNKNOWN_{status}")}
        raw = memory.read(store, out_ptr, out_ptr + out_len)
        return self.decode(bytes(raw))

    def evaluate_batch(self, requests):
        """All requests in one `xince_evaluate_batch` call: inputs back to back, then one frame per answer
        (status, size, bytes; the next frame 8-aligned)."""
        store = wasmtime.Store(self.engine)
        store.set_fuel(1_000_000_000 * max(1, len(requests)))
        exports = wasmtime.Instance(store, self.module, []).exports(store)
        if exports["xince_abi_version"].value(store) != ABI_VERSION:
            raise ValueError("wrong ABI version")
        if "xince_evaluate_batch" not in exports:
            raise ValueError("module has no xince_evaluate_batch")
        memory = exports["memory"]
        data = b"".join(self.encoder.encode(r) for r in requests)
        ptr = exports["xince_alloc"](store, len(data))
        if ptr <= 0:
            raise ValueError("xince_alloc refused the inputs")
        memory.write(store, data, ptr)
        status, out_ptr, out_len = exports["xince_evaluate_batch"](store, ptr, len(data), len(requests))
        if status != 0:
            raise ValueError(f"batch refused: {ERRORS.get(status, status)}")
        region = bytes(memory.read(store, out_ptr, out_ptr + out_len))
        answers, pos = [], 0
        for _ in requests:
            code, size = struct.unpack_from("<ii", region, pos)
            if code != 0:
                answers.append({"error": ERRORS.get(code, f"E_UNKNOWN_{code}")})
            else:
                answers.append(self.decode(region[pos + 8:pos + 8 + size]))
            pos = (pos + 8 + size + 7) // 8 * 8
        return answers

    def decode(self, raw):
        m = self.manifest
        magic, n_lists, n_measures, n_incentives, n_notes, grade, n_objections, _ = struct.unpack_from("<IIIIIiIi", raw, 0)
        if magic != OUTPUT_MAGIC or n_lists != len(m["lists"]) or n_measures != len(m["measures"]):
            raise ValueError("malformed answer")
        pos = 32
        lists = {}
        for info in m["lists"]:
            status, _rec, entered, last_day, earliest, _ended, _regime, _over = struct.unpack_from("<8i", raw, pos)
            pos += 32
            if status != 0:
                lists[info["name"]] = {"status": LIST_STATUS[status], "entered": show(entered),
                                       "publication_ends": show(last_day), "earliest_repair": show(earliest)}
        measures = {}
        for info in m["measures"]:
            status = struct.unpack_from("<i", raw, pos)[0]  # ABI v3: a measure entry is its status alone
            pos += 4
            if status != 0:
                measures[info["name"]] = MEASURE_STATUS[status]
        incentives = {}
        for info in m["incentives"]:
            incentives[info["name"]] = struct.unpack_from("<i", raw, pos)[0] == -1  # no failed clause
            pos += 4
        notifications = []
        for info in m["notifications"]:
            if struct.unpack_from("<i", raw, pos)[0] == 1:
                notifications.append(info["name"])
            pos += 4
        level = None
        if grade >= 0 and m.get("grading"):
            level = m["grading"]["levels"][grade]["name"]
        return {"lists": lists, "measures": measures, "incentives": incentives,
                "notifications": notifications, "grade": level}


def main(argv):
    batch = len(argv) > 1 and argv[1] == "--batch"
    if batch:
        argv = argv[:1] + argv[2:]
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    host = Host(argv[1])
    paths = argv[2:]
    requests = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            requests.append(json.load(f))
    answers = host.evaluate_batch(requests) if batch else [host.evaluate(r) for r in requests]
    for path, answer in zip(paths, answers):
        result = {"request": path}
        result.update(answer)
        print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
