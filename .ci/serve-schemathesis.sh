#!/usr/bin/env bash
# Schemathesis (PyPI) against the OpenAPI document `xince serve` serves (issue 16): a real server on an
# ephemeral loopback port over the seed policies, one configured caller, every check schemathesis has except
# positive_data_acceptance (vocabulary values and real calendar dates are checked against each module's
# manifest, which JSON Schema cannot express, so a schema-valid request may rightly get 422). The NDJSON stream
# endpoint is left to tests/serve.rs (schemathesis has no serializer for application/x-ndjson).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v schemathesis >/dev/null 2>&1; then
  echo "== installing schemathesis"
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis>=4,<5"
fi

work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cargo build --quiet --bin xince
./target/debug/xince build policies --out-dir "$work/bundle" 2>/dev/null
token="ci-$(date +%s%N)"
hash=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
cat > "$work/serve.toml" <<TOML
[[callers]]
name = "ci"
token_sha256 = "$hash"
jurisdictions = [""]
scopes = ["evaluate", "read", "compile", "read-log", "admin"]
TOML
./target/debug/xince serve --config "$work/serve.toml" --bundle "$work/bundle" --log-dir "$work/log" \
  --sources policies --listen 127.0.0.1:0 2> "$work/serve.err" &
server=$!
for _ in $(seq 300); do grep -q "http://" "$work/serve.err" && break; sleep 0.1; done
addr=$(grep -o 'http://[0-9.:]*' "$work/serve.err" | head -1)
[ -n "$addr" ] || { cat "$work/serve.err" >&2; exit 1; }

(cd "$work" && schemathesis run "$addr/v1/openapi.json" -H "Authorization: Bearer $token" \
  --checks all --exclude-checks positive_data_acceptance --exclude-path /v1/evaluate/stream \
  --max-examples 50 --workers 1 --seed 16)

# One real decision, as the README's curl sends it, so the log below holds at least one entry.
printf '{"jurisdiction":"重庆市/梁平区","request":%s}' "$(cat examples/requests/梁平区-食品企业.json)" |
  curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data-binary @- \
    "$addr/v1/evaluate" > /dev/null
kill -TERM "$server"
wait "$server"
server=""
# Every decision answered during the run is in a log whose chain verifies.
./target/debug/xince log verify "$work/log"
