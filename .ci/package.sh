#!/usr/bin/env bash
# Publishability: `cargo package` with verification for every crate meant for crates.io
# (every workspace member without `publish = false`), packaged together so that their path
# dependencies resolve to each other's .crate files. Each .crate is then built on its own, as a
# user's `cargo install` / dependency would build it: a file outside a crate (a migration, a
# README) or a dev-dependency an example needs would fail here.
#
# Verification builds share the workspace's target directory, so dependencies built for the
# rest of CI are reused rather than built once more per crate.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t PUBLISHED < <(cargo metadata --no-deps --format-version 1 --locked \
  | jq -r '.packages[] | select(.publish != []) | .name' | sort)
echo "== cargo package (with verification): ${PUBLISHED[*]}"
# Verification unpacks the packaged crates from a local registry into
# $CARGO_HOME/registry/src/-<hash>/ and reuses a crate of the same version found there: a
# second run (same clone path) would build the previous run's sources. Remove those copies.
for name in "${PUBLISHED[@]}"; do
  rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/"$name"-[0-9]*
done
args=()
for name in "${PUBLISHED[@]}"; do args+=(-p "$name"); done
start=$SECONDS
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}" cargo package --locked "${args[@]}" "$@"
echo "== cargo package: ${#PUBLISHED[@]} crates packaged and verified in $((SECONDS - start)) s"
