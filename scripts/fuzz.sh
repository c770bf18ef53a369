#!/usr/bin/env bash
# fuzz.sh BUILD_DIR SECONDS - run every libFuzzer target built in BUILD_DIR
# (tests/fuzz/fuzz_*.c) for SECONDS each, starting from its seed corpus in
# tests/fuzz/corpus/<name>/ (new inputs go to a scratch copy, not the repo).
# Exits non-zero on the first crash, leak or sanitizer report.
set -euo pipefail
build=$(cd "${1:?usage: fuzz.sh BUILD_DIR SECONDS}" && pwd)
secs=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
found=0
for bin in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  found=1
  name=$(basename "$bin"); name=${name#fuzz_}
  work=$(mktemp -d)
  [ -d "$root/tests/fuzz/corpus/$name" ] && cp -r "$root/tests/fuzz/corpus/$name/." "$work/"
  echo "fuzz: $name for ${secs}s"
  log="$work.log"
  if ! (cd "$work" && "$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 "$work" >"$log" 2>&1); then
    tail -n 60 "$log"
    echo "fuzz: $name failed"
    exit 1
  fi
  tail -n 8 "$log"
  rm -rf "$work" "$log"
done
[ "$found" -eq 1 ] || { echo "fuzz: no fuzz targets in $build/tests/fuzz"; exit 1; }
echo "fuzz: all targets ran clean"
