#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after another, at the lowest priority, starting from
# the committed corpus (fuzz/corpus/<target>, read only) and keeping what it finds in fuzz/work/<target>
# (not committed: `cargo fuzz cmin` it and copy the interesting inputs into fuzz/corpus to keep them). Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`). Crashes land in fuzz/artifacts/<target>/; replay one with
# `cargo +nightly fuzz run <target> <file>`, then add it to fuzz/corpus/<target>/ so `cargo test` replays it.
#   fuzz/run.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}; shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(parse_check compile request module_load answer_decode batch_lines verify_signature)
cargo +nightly fuzz build -s none
for t in "${targets[@]}"; do
  mkdir -p work/$t artifacts/$t
  echo "== $t ($secs s)"
  nice -n 19 cargo +nightly fuzz run -s none "$t" work/$t corpus/$t -- -max_total_time="$secs" -rss_limit_mb=4096 \
    -timeout=30 -print_final_stats=1 2>&1 | grep -E "DONE|stat::|ERROR|panicked|Test unit written|SUMMARY" | tail -14
done
