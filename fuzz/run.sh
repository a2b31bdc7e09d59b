#!/usr/bin/env bash
# Builds and runs every fuzz target for N seconds each (default 60); fails on any crash.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET…]
#
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`). Seeds from fuzz/seeds/<target>/
# (written by make_seeds.py) and raw inputs that once failed, fuzz/regressions/<target>/, are
# copied into the (gitignored) corpus fuzz/corpus/<target>/ first. Crashing inputs land in
# fuzz/artifacts/<target>/. Environment:
#   FUZZ_JOBS=2        run this many targets at once (default 1)
#   FUZZ_SANITIZER=…   cargo-fuzz sanitizer (default none: the code is safe Rust, and speed
#                      is what a shared 2-core machine lacks; `address` for a deeper run)
#   FUZZ_NICE=10       niceness of the fuzzers (default 10)
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_TARGET="${1:-60}"
shift || true
JOBS="${FUZZ_JOBS:-1}"
SANITIZER="${FUZZ_SANITIZER:-none}"
NICE="${FUZZ_NICE:-10}"

if [ "$#" -gt 0 ]; then
  TARGETS=("$@")
else
  mapfile -t TARGETS < <(cargo +nightly fuzz list)
fi

echo "== building ${#TARGETS[@]} fuzz targets (sanitizer: $SANITIZER)"
nice -n "$NICE" cargo +nightly fuzz build -O -a -s "$SANITIZER"

LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT

run_one() {
  local target="$1"
  mkdir -p "corpus/$target" "artifacts/$target"
  for dir in seeds regressions; do
    if [ -d "$dir/$target" ]; then cp -n "$dir/$target"/* "corpus/$target/" 2>/dev/null || true; fi
  done
  # -timeout: an input running 10 s is a hang, reported as a crash.
  if nice -n "$NICE" cargo +nightly fuzz run -O -a -s "$SANITIZER" "$target" "corpus/$target" -- \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -print_final_stats=1 \
      -artifact_prefix="artifacts/$target/" >"$LOGS/$target.log" 2>&1; then
    echo ok >"$LOGS/$target.status"
  else
    echo CRASH >"$LOGS/$target.status"
  fi
}

running=0
for target in "${TARGETS[@]}"; do
  run_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

failed=0
printf '%-26s %8s %14s %10s\n' target status executions corpus
for target in "${TARGETS[@]}"; do
  status="$(cat "$LOGS/$target.status" 2>/dev/null || echo missing)"
  execs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$LOGS/$target.log" | tail -1 | grep -o '[0-9]*$' || echo '?')"
  corpus="$(find "corpus/$target" -type f | wc -l)"
  printf '%-26s %8s %14s %10s\n' "$target" "$status" "$execs" "$corpus"
  if [ "$status" != ok ]; then
    failed=1
    echo "---- $target log (tail) ----"
    tail -40 "$LOGS/$target.log"
    ls -1 "artifacts/$target" 2>/dev/null | sed 's/^/artifact: /'
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "fuzzing found a crash" >&2
  exit 1
fi
echo "no crash in ${#TARGETS[@]} targets × ${SECONDS_PER_TARGET}s"
