#!/usr/bin/env bash
# The Python table of BENCHMARKS.md: builds the extension in release into a virtual
# environment (target/python-bench-venv) with requests and aiohttp, then runs bench.py.
set -euo pipefail
cd "$(dirname "$0")/../../.."
VENV=target/python-bench-venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.9.4,<2" requests aiohttp
(cd shells/python && VIRTUAL_ENV="$PWD/../../$VENV" PATH="$PWD/../../$VENV/bin:$PATH" \
  CARGO_TARGET_DIR="$PWD/../../target/python" maturin develop --release --quiet)
"$VENV/bin/python" shells/python/bench/bench.py
