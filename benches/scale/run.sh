#!/usr/bin/env bash
# The scale table of BENCHMARKS.md (issue 19), in one run:
#   benches/scale/run.sh <xince binary> <python with xince, pyarrow, pyspark> [subjects, default 1000000]
# 1M subjects JSONL→JSONL, JSONL→Parquet, Parquet→Parquet through the CLI (wall, CPU, peak RSS from
# /usr/bin/time -v); the Python package over Arrow against the CLI's Parquet→Parquet per subject; Spark local
# mode against the CLI on the same Parquet input. Work files go to ${SCALE_DIR:-/tmp/xince-scale}.
set -euo pipefail
XINCE=$(realpath "$1"); PY=$2; N=${3:-1000000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=${SCALE_DIR:-/tmp/xince-scale}; mkdir -p "$D"; cd "$ROOT"
export XINCE_PROGRESS=0

measure() { # name, command...: prints "name | wall | CPU | user+sys | peak RSS"
  local name=$1; shift
  sync; sleep 2
  /usr/bin/time -v "$@" > /dev/null 2> "$D/time.txt" || true
  local wall cpu user sys rss
  wall=$(grep "Elapsed (wall" "$D/time.txt" | awk '{print $NF}')
  cpu=$(grep "Percent of CPU" "$D/time.txt" | awk '{print $NF}')
  user=$(grep "User time" "$D/time.txt" | awk '{print $NF}')
  sys=$(grep "System time" "$D/time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident" "$D/time.txt" | awk '{print $NF}')
  printf '| %s | %s | %s | %s + %s s | %d MiB |\n' "$name" "$wall" "$cpu" "$user" "$sys" $((rss / 1024))
}

"$XINCE" build policies/重庆市/梁平区/政策.xince -o "$D/lp.wasm" 2>/dev/null
[ -s "$D/s.jsonl" ] || "$XINCE" gen --count "$N" --seed 1 -o "$D/s.jsonl" 2>/dev/null
[ -s "$D/s.parquet" ] || "$XINCE" gen --count "$N" --seed 1 -o "$D/s.parquet" 2>/dev/null
ls -l "$D/s.jsonl" "$D/s.parquet" | awk '{print "# input", $NF, $5, "bytes"}'
echo "| $N subjects, 2 cores | wall | CPU | user + sys | peak RSS |"
echo "|---|---|---|---|---|"
rm -f "$D"/o.*; measure "JSONL → JSONL" "$XINCE" eval --policy "$D/lp.wasm" --input "$D/s.jsonl" --output "$D/o.jsonl"
rm -f "$D"/o.*; measure "JSONL → Parquet" "$XINCE" eval --policy "$D/lp.wasm" --input "$D/s.jsonl" --output "$D/o.parquet"
rm -f "$D"/o.*; measure "Parquet → Parquet" "$XINCE" eval --policy "$D/lp.wasm" --input "$D/s.parquet" --output "$D/o.parquet"
ls -l "$D/o.parquet" | awk '{print "# decisions.parquet", $5, "bytes"}'
rm -f "$D"/o.*; measure "Parquet → Parquet + decision JSON" "$XINCE" eval --policy "$D/lp.wasm" --input "$D/s.parquet" --output "$D/o.parquet" --decision-json
rm -f "$D"/o.*; measure "Python: pq.read_table → policy.evaluate(table) → pq.write_table" "$PY" benches/scale/python_arrow.py "$D/lp.wasm" "$D/s.parquet" "$D/o.parquet"
SUBMIT=$(dirname "$PY")/spark-submit
rm -rf "$D"/o.* "$D/spark-out"; measure "Spark local[2]: integrations/spark/evaluate.py (JVM start included)" \
  "$SUBMIT" --master 'local[2]' --driver-memory 2g --conf spark.ui.enabled=false \
  integrations/spark/evaluate.py --subjects "$D/s.parquet" --bundle "$D/lp.wasm" --output "$D/spark-out"
