#!/bin/sh
# llvm_mc_check.sh - every `-- asm` section of tests/data/*.data must assemble
# with llvm-mc-22 (-triple bpfel -mcpu=v4) too, and, when it calls no host
# function by name, to exactly the bytes `stackbpf asm --syntax llvm` produces.
# Host-function names (sum_argsN, mem_sum) are not known to llvm-mc: those
# lines are checked with `call 1` in their place, and the bytes are not compared.
#
#   llvm_mc_check.sh STACKBPF_CLI DATA_DIR      (exit 77 without llvm-mc-22)
set -u
cli=$1
dir=$2
mc=$(command -v llvm-mc-22) || { echo "llvm-mc-22 not found: skipped"; exit 77; }
objcopy=$(command -v llvm-objcopy-22) || { echo "llvm-objcopy-22 not found: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

pass=0 fail=0 checked=0
for f in "$dir"/*.data; do
	name=$(basename "$f")
	# the asm section, comments dropped (as the .data reader does)
	awk '/^[ \t]*--/ { sec = $2; next } sec == "asm" { sub(/#.*/, ""); print }' "$f" > "$tmp/ours.s"
	grep -q '[^[:space:]]' "$tmp/ours.s" || continue     # raw-only file
	checked=$((checked + 1))
	sed -E 's/call (sum_args[0-9]+|mem_sum)[[:space:]]*$/call 1/' "$tmp/ours.s" > "$tmp/mc.s"
	if ! "$mc" -triple bpfel -mcpu=v4 -filetype=obj -o "$tmp/mc.o" "$tmp/mc.s" 2> "$tmp/err"; then
		echo "FAIL: $name: llvm-mc-22 rejects it:"; cat "$tmp/err"
		fail=$((fail + 1)); continue
	fi
	pass=$((pass + 1))
	cmp -s "$tmp/ours.s" "$tmp/mc.s" || continue           # calls host functions by name
	"$objcopy" -O binary --only-section=.text "$tmp/mc.o" "$tmp/mc.bin"
	if ! "$cli" asm --syntax llvm "$tmp/ours.s" -o "$tmp/ours.bin" 2> "$tmp/err"; then
		echo "FAIL: $name: stackbpf asm rejects it:"; cat "$tmp/err"
		fail=$((fail + 1)); continue
	fi
	if cmp -s "$tmp/mc.bin" "$tmp/ours.bin"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $name: bytes differ from llvm-mc-22:"; cmp "$tmp/mc.bin" "$tmp/ours.bin"
		fail=$((fail + 1))
	fi
done
[ "$checked" -ge 50 ] || { echo "FAIL: only $checked asm files in $dir"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
