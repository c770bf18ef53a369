#!/usr/bin/env bash
# deps.sh - install the Debian packages stackbpf needs, only those missing.
# Used by `make deps` (and so by the README commands) and by .ci/run.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  clang llvm            # clang 14: sanitizer/fuzzer builds, -target bpf
  libclang-rt-14-dev    # libFuzzer and sanitizer runtimes for clang 14
  llvm-22 clang-22      # llvm-mc-22: the oracle for our assembler; clang-22 -mcpu=v4 fixtures
  libelf-dev libbpf-dev libdw-dev libcapstone-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
