#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (deny.toml): licenses, bans (duplicates, wildcards) and
# sources always; advisories only when the RustSec advisory database can be had. That database
# is a git repository on GitHub: where only crates.io is reachable it cannot be fetched, and
# this script says so instead of pretending the check ran.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo deny --version >/dev/null 2>&1; then
  echo "== cargo deny: installing cargo-deny"
  cargo install --locked cargo-deny
fi

echo "== cargo deny check licenses bans sources"
cargo deny --all-features check licenses bans sources

echo "== cargo deny check advisories"
# An existing local copy (e.g. from an earlier run with network) is used offline; otherwise
# try a fetch, bounded so that an unreachable host costs seconds, not minutes.
DB_DIR="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
if ls "$DB_DIR"/*/advisories >/dev/null 2>&1; then
  cargo deny --all-features check --disable-fetch advisories
elif timeout 60 cargo deny fetch db >/dev/null 2>&1; then
  cargo deny --all-features check advisories
else
  echo "== cargo deny check advisories: SKIPPED — the RustSec advisory database (a git"
  echo "   repository on GitHub) is unreachable from this machine and no local copy exists."
  echo "   Run .ci/deny.sh where GitHub is reachable to check advisories."
fi
