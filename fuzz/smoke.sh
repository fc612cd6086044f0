#!/usr/bin/env bash
# Runs every fuzz target briefly from its committed seeds (fuzz/seeds/<target>); fails on any crash.
# Usage: fuzz/smoke.sh [SECONDS_PER_TARGET]   (default 15). Needs a nightly toolchain and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-15}
targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^airlock-fuzz$')
cargo +nightly fuzz build --release >/dev/null
for t in $targets; do
  mkdir -p "corpus/$t"
  cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  printf 'fuzz %-20s ' "$t"
  out=$(cargo +nightly fuzz run --release "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=65536 2>&1) || {
    echo "FAILED"; echo "$out" | tail -40; exit 1; }
  echo "$out" | grep -Eo 'Done [0-9]+ runs' | tail -1
done
