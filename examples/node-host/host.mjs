#!/usr/bin/env node
// A JavaScript host for xince modules using Node's built-in WebAssembly, calling the documented ABI
// (docs/abi.md) directly. Same output as examples/python-host/host.py:
//
//     node host.mjs [--batch] MODULE.wasm REQUEST.json [REQUEST.json ...]
//
// prints one JSON object per request (lists, measures, incentives, notifications, grade) or {"error": "E_..."}.
// With --batch, all requests go to the module in one `xince_evaluate_batch` call (docs/abi.md §2.1) instead
// of one instance and one `xince_evaluate` call each; the output is the same.
import { readFileSync } from "node:fs";

const NO_DATE = 0x7fffffff;
const NO_CODE = -1;
const INPUT_MAGIC = 0x434e4958; // "XINC"
const OUTPUT_MAGIC = 0x54554f58; // "XOUT"
const ABI_VERSION = 3;
const RECORD_SIZE = 64;
const LIST_STATUS = ["not_listed", "active", "suspended", "expired", "repaired", "overridden", "revoked"];
const MEASURE_STATUS = ["not_applicable", "active", "suspended", "ended", "other_scenario"];
const ERRORS = { 1: "E_BAD_INPUT", 2: "E_NOT_YET_IN_FORCE", 3: "E_NO_LONGER_IN_FORCE", 4: "E_CALENDAR_RANGE",
  5: "E_NO_REGIME", 6: "E_INPUT_TOO_LARGE" };
const MS_PER_DAY = 86400000;

const day = (text) => {
  const [y, m, d] = text.split("-").map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
};
const show = (days) => (days === NO_DATE ? null : new Date(days * MS_PER_DAY).toISOString().slice(0, 10));

function readManifest(module) {
  const sections = WebAssembly.Module.customSections(module, "xince.manifest");
  if (sections.length !== 1) throw new Error("module has no xince.manifest section");
  return JSON.parse(new TextDecoder().decode(sections[0]));
}

class Encoder {
  constructor(manifest) {
    this.vocab = manifest.vocab;
  }
  code(vocab, value) {
    if (value === undefined || value === null) return NO_CODE;
    const i = this.vocab[vocab].indexOf(value);
    if (i < 0) throw new Error(`unknown ${vocab} value ${JSON.stringify(value)}`);
    return i;
  }
  bits(vocab, values = []) {
    let mask = 0n;
    for (const v of values) mask |= 1n << BigInt(this.code(vocab, v));
    return mask;
  }
  encode(request) {
    const subject = request.subject;
    const records = subject.records ?? [];
    const primary = records.filter((r) => r.type !== "异议" && r.type !== "信用修复");
    const slots = new Map(primary.map((r) => [r.id, { filed: NO_DATE, resolved: NO_DATE, upheld: 0, repaired: NO_DATE, conditions: 0n }]));
    for (const r of records) {
      if (r.type === "异议") {
        const s = slots.get(r.of);
        s.filed = day(r.filed);
        if (r.resolved) s.resolved = day(r.resolved);
        s.upheld = r.upheld ? 1 : 0;
      } else if (r.type === "信用修复") {
        const s = slots.get(r.of);
        s.repaired = day(r.date);
        s.conditions = this.bits("修复条件", r.conditions);
      }
    }
    let roles = 0;
    for (const p of subject.related ?? []) roles |= 1 << this.code("角色", p.role);
    const buf = new ArrayBuffer(32 + primary.length * RECORD_SIZE);
    const v = new DataView(buf);
    v.setUint32(0, INPUT_MAGIC, true);
    v.setUint32(4, ABI_VERSION, true);
    v.setInt32(8, day(request.as_of), true);
    v.setInt32(12, this.code("场景", request.scenario), true);
    v.setInt32(16, this.code("主体类型", subject.kind), true);
    v.setInt32(20, this.code("行业", subject.sector), true);
    v.setUint32(24, roles >>> 0, true);
    v.setUint32(28, primary.length, true);
    primary.forEach((r, i) => {
      const b = 32 + i * RECORD_SIZE;
      const s = slots.get(r.id);
      const ints = [this.code("记录类型", r.type), this.code("领域", r.domain), this.code("严重程度", r.severity),
        this.code("等级", r.grade), day(r.date), s.filed, s.resolved, s.upheld, s.repaired, this.code("程序", r.procedure)];
      ints.forEach((x, k) => v.setInt32(b + 4 * k, x, true));
      v.setFloat64(b + 40, r.amount ?? NaN, true);
      v.setBigUint64(b + 48, this.bits("标志", r.flags), true);
      v.setBigUint64(b + 56, s.conditions, true);
    });
    return new Uint8Array(buf);
  }
}

function decode(manifest, raw) {
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (v.getUint32(0, true) !== OUTPUT_MAGIC || v.getUint32(4, true) !== manifest.lists.length) {
    throw new Error("malformed answer");
  }
  const grade = v.getInt32(20, true);
  let pos = 32;
  const lists = {};
  for (const info of manifest.lists) {
    const status = v.getInt32(pos, true);
    if (status !== 0) {
      lists[info.name] = { status: LIST_STATUS[status], entered: show(v.getInt32(pos + 8, true)),
        publication_ends: show(v.getInt32(pos + 12, true)), earliest_repair: show(v.getInt32(pos + 16, true)) };
    }
    pos += 32;
  }
  const measures = {};
  for (const info of manifest.measures) {
    const status = v.getInt32(pos, true);
    if (status !== 0) measures[info.name] = MEASURE_STATUS[status];
    pos += 4; // ABI v3: a measure entry is its status alone
  }
  const incentives = {};
  for (const info of manifest.incentives) {
    incentives[info.name] = v.getInt32(pos, true) === -1; // no failed clause
    pos += 4;
  }
  const notifications = [];
  for (const info of manifest.notifications) {
    if (v.getInt32(pos, true) === 1) notifications.push(info.name);
    pos += 4;
  }
  const level = grade >= 0 && manifest.grading ? manifest.grading.levels[grade].name : null;
  return { lists, measures, incentives, notifications, grade: level };
}

// Keys sorted at every level, so the output compares byte for byte with the Python host's.
const sortKeys = (x) => (Array.isArray(x) ? x.map(sortKeys) : x && typeof x === "object"
  ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys(x[k])])) : x);

// All requests in one `xince_evaluate_batch` call: inputs back to back, then one frame per answer
// (status, size, bytes; the next frame 8-aligned).
async function evaluateBatch(module, manifest, encoder, paths) {
  const { exports } = await WebAssembly.instantiate(module, {});
  if (exports.xince_abi_version.value !== ABI_VERSION) throw new Error("wrong ABI version");
  if (typeof exports.xince_evaluate_batch !== "function") throw new Error("module has no xince_evaluate_batch");
  const inputs = paths.map((path) => encoder.encode(JSON.parse(readFileSync(path, "utf8"))));
  const total = inputs.reduce((n, input) => n + input.length, 0);
  const ptr = exports.xince_alloc(total);
  if (ptr <= 0) throw new Error("xince_alloc refused the inputs");
  let at = ptr;
  for (const input of inputs) {
    new Uint8Array(exports.memory.buffer, at, input.length).set(input);
    at += input.length;
  }
  const [status, outPtr, outLen] = exports.xince_evaluate_batch(ptr, total, inputs.length);
  if (status !== 0) throw new Error(`batch refused: ${ERRORS[status] ?? status}`);
  const v = new DataView(exports.memory.buffer, outPtr, outLen);
  let pos = 0;
  return paths.map((path) => {
    const code = v.getInt32(pos, true);
    const size = v.getInt32(pos + 4, true);
    const result = { request: path };
    if (code !== 0) {
      result.error = ERRORS[code] ?? `E_UNKNOWN_${code}`;
    } else {
      Object.assign(result, decode(manifest, new Uint8Array(exports.memory.buffer, outPtr + pos + 8, size)));
    }
    pos = Math.ceil((pos + 8 + size) / 8) * 8;
    return result;
  });
}

async function main(argv) {
  const batch = argv[0] === "--batch";
  if (batch) argv = argv.slice(1);
  if (argv.length < 2) {
    console.error("usage: node host.mjs [--batch] MODULE.wasm REQUEST.json [REQUEST.json ...]");
    return 2;
  }
  const module = await WebAssembly.compile(readFileSync(argv[0]));
  if (WebAssembly.Module.imports(module).length !== 0) throw new Error("xince modules import nothing");
  const manifest = readManifest(module);
  const encoder = new Encoder(manifest);
  if (batch) {
    for (const result of await evaluateBatch(module, manifest, encoder, argv.slice(1))) {
      console.log(JSON.stringify(sortKeys(result)));
    }
    return 0;
  }
  for (const path of argv.slice(1)) {
    const request = JSON.parse(readFileSync(path, "utf8"));
    const { exports } = await WebAssembly.instantiate(module, {});
    if (exports.xince_abi_version.value !== ABI_VERSION) throw new Error("wrong ABI version");
    const input = encoder.encode(request);
    const ptr = exports.xince_alloc(input.length);
    if (ptr <= 0) throw new Error("xince_alloc refused the input");
    new Uint8Array(exports.memory.buffer, ptr, input.length).set(input);
    // Since ABI v2: one call answers [status, output pointer, output length].
    const [status, outPtr, outLen] = exports.xince_evaluate(ptr, input.length);
    const result = { request: path };
    if (status !== 0) {
      result.error = ERRORS[status] ?? `E_UNKNOWN_${status}`;
    } else {
      const raw = new Uint8Array(exports.memory.buffer, outPtr, outLen);
      Object.assign(result, decode(manifest, raw));
    }
    console.log(JSON.stringify(sortKeys(result)));
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
