#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (deny.toml): licenses, bans (duplicates, wildcards) and
# sources, then advisories against the RustSec database:
# - the live database when it can be fetched (GitHub reachable);
# - else the snapshot bundle the build machines carry, ../shared/advisory-db.bundle beside the
#   clone (or $MOLAM_ADVISORY_DB_BUNDLE), checked offline;
# - else a SKIPPED line that says so: never a pass that did not happen.
# The database's date is printed with the result. Before trusting a pass, the same database
# must report RUSTSEC-2021-0003 in .ci/advisory-canary (a known-vulnerable smallvec), so an
# empty or unreadable database fails instead of passing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

if ! cargo deny --version >/dev/null 2>&1; then
  echo "== cargo deny: installing cargo-deny"
  cargo install --locked cargo-deny
fi

echo "== cargo deny check licenses bans sources"
cargo deny --all-features check licenses bans sources

echo "== cargo deny check advisories"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# cargo-deny keeps each database in <db-path>/<name derived from its URL>; this is the name
# cargo-deny 0.20 derives for the default RustSec URL.
DB_NAME=advisory-db-3157b0e258782691
DB="$WORK/$DB_NAME"
# A private db-path: this run neither reads nor leaves a copy in $CARGO_HOME.
awk -v path="$WORK" '{ print } /^\[advisories\]/ { print "db-path = \"" path "\"" }' deny.toml >"$WORK/deny.toml"
printf '[advisories]\ndb-path = "%s"\n' "$WORK" >"$WORK/canary.toml"

if timeout 60 cargo deny --config "$WORK/deny.toml" fetch db >/dev/null 2>&1 && [ -d "$DB/.git" ]; then
  SOURCE="live RustSec database"
else
  BUNDLE="${MOLAM_ADVISORY_DB_BUNDLE:-$ROOT/../shared/advisory-db.bundle}"
  if [ ! -f "$BUNDLE" ]; then
    echo "== advisories SKIPPED: the RustSec database (GitHub) is unreachable and no snapshot"
    echo "   bundle was found at $BUNDLE (set MOLAM_ADVISORY_DB_BUNDLE to one)."
    exit 0
  fi
  rm -rf "$DB"
  git clone --quiet "$BUNDLE" "$DB" 2>/dev/null
  SOURCE="offline snapshot $(basename "$BUNDLE")"
fi
DATE="$(git -C "$DB" log -1 --format=%cs)"
COMMIT="$(git -C "$DB" log -1 --format=%h)"
ABOUT="RustSec advisory database of $DATE (commit $COMMIT, $SOURCE)"

# Offline from here: the crates' manifests must be on disk (crates.io is reachable).
cargo fetch --locked --quiet
cargo fetch --locked --quiet --manifest-path .ci/advisory-canary/Cargo.toml
if cargo deny --offline --config "$WORK/canary.toml" --manifest-path .ci/advisory-canary/Cargo.toml \
  check advisories >"$WORK/canary.log" 2>&1 || ! grep -q RUSTSEC-2021-0003 "$WORK/canary.log"; then
  cat "$WORK/canary.log"
  echo "== advisories FAILED: the $ABOUT did not report RUSTSEC-2021-0003 in the canary;"
  echo "   it cannot be trusted to report anything else."
  exit 1
fi
if cargo deny --offline --all-features --config "$WORK/deny.toml" check advisories 2>"$WORK/advisories.log"; then
  echo "advisories ok — $ABOUT"
else
  cat "$WORK/advisories.log"
  echo "== advisories FAILED (see above) against the $ABOUT"
  exit 1
fi
