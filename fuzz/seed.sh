#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the repository: policies, stdlib and conformance sources; the conformance
# requests and examples; compiled (and signed) seed modules; answers and batches. Idempotent (files are named by
# content). Needs the debug CLI: cargo build -p xince.
set -euo pipefail
cd "$(dirname "$0")/.."
X=${XINCE:-target/debug/xince}
C=fuzz/corpus
mkdir -p $C/{parse_check,compile,request,module_load,answer_decode,batch_lines,verify_signature}
put() { # put TARGET FILE
  local h; h=$(sha1sum "$2" | cut -c1-16); cp "$2" "$1/seed-$h"
}
for f in policies/*/*/政策.xince policies/*/*/*/政策.xince stdlib/xince/*.xince tests/conformance/policies/*.xince; do
  [ -f "$f" ] || continue
  put $C/parse_check "$f"; put $C/compile "$f"
done
tmp=$(mktemp -d)
for f in tests/conformance/cases/*.json; do
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["request"], ensure_ascii=False))' "$f" > "$tmp/r.json"
  put $C/request "$tmp/r.json"
done
for f in examples/requests/*.json; do put $C/request "$f"; done
$X gen --count 20 --seed 3 -o "$tmp/pop.jsonl" 2>/dev/null
head -c 20000 "$tmp/pop.jsonl" > "$tmp/b1"; put $C/batch_lines "$tmp/b1"
cat "$tmp/pop.jsonl" | head -5 > "$tmp/b2"; printf 'not json\n\n{"as_of":1}\n\xff\n' >> "$tmp/b2"; put $C/batch_lines "$tmp/b2"
$X build tests/conformance/policies/语义.xince -o "$tmp/seed.wasm" 2>/dev/null
$X build policies/重庆市/梁平区/政策.xince -o "$tmp/lp.wasm" 2>/dev/null
# module_load: byte 0 odd = reseal the rest; even = as is.
{ printf '\x00'; cat "$tmp/seed.wasm"; } > "$tmp/m0"; put $C/module_load "$tmp/m0"
{ printf '\x01'; cat "$tmp/lp.wasm"; } > "$tmp/m1"; put $C/module_load "$tmp/m1"
put $C/verify_signature "$tmp/seed.wasm"
$X sign keygen --issuer 模糊测试 --out "$tmp/k" >/dev/null 2>&1 || true
[ -f "$tmp/k.secret" ] && $X sign "$tmp/seed.wasm" --key "$tmp/k.secret" -o "$tmp/signed.wasm" >/dev/null 2>&1 && put $C/verify_signature "$tmp/signed.wasm" || true
# answer_decode: byte 0 = record count; then an answer. A minimal all-zero-count answer header: magic XOUT.
python3 - "$tmp/a" <<'PY'
import struct, sys
hdr = b"XOUT" + struct.pack("<7i", 0, 0, 0, 0, 0, -1, -1)
open(sys.argv[1], "wb").write(b"\x00" + hdr)
PY
put $C/answer_decode "$tmp/a"
rm -rf "$tmp"
for d in $C/*; do echo "$(basename $d): $(ls $d | wc -l) seeds"; done
