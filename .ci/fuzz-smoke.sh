#!/usr/bin/env bash
# CI smoke run of the fuzz targets: each for FUZZ_SMOKE_SECONDS (default 10) when a nightly
# toolchain is there; skipped, saying why, when it is not. Installs cargo-fuzz when nightly is
# there without it. Two targets at a time (FUZZ_JOBS). Budget: about 3 minutes with the build.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${FUZZ_SMOKE_SECONDS:-10}"

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "== fuzz smoke: SKIPPED (no nightly toolchain: cargo-fuzz needs one; rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "== fuzz smoke: installing cargo-fuzz"
  if ! cargo install --locked cargo-fuzz; then
    echo "== fuzz smoke: SKIPPED (cargo-fuzz could not be installed)"
    exit 0
  fi
fi
echo "== fuzz smoke: every target for ${SECONDS_PER_TARGET}s"
FUZZ_JOBS="${FUZZ_JOBS:-2}" fuzz/run.sh "$SECONDS_PER_TARGET"
