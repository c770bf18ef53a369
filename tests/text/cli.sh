#!/bin/sh
# cli.sh - `stackbpf asm` / `stackbpf disasm` by hand: files in and out,
# default output name, listings that read back, file:line:col errors, exit codes.
# usage: cli.sh STACKBPF TESTS_TEXT_DIR
SB=$1
DIR=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
check() { # check NAME CONDITION...
	name=$1; shift
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name" >&2; fi
}

cp "$DIR/corpus/llvm_syntax.s" "$T/prog.s"
"$SB" asm "$T/prog.s"; check "asm exit 0" test $? -eq 0
check "default output prog.bin" test -s "$T/prog.bin"
"$SB" disasm "$T/prog.bin" > "$T/k.s"; check "disasm exit 0" test $? -eq 0
check "kernel listing format" grep -q '^0: (b7) r1 = 42$' "$T/k.s"
"$SB" asm "$T/k.s" -o "$T/k.bin"; check "kernel listing assembles" cmp -s "$T/prog.bin" "$T/k.bin"
"$SB" disasm --llvm "$T/prog.bin" > "$T/l.s"
check "llvm listing" grep -q '^	r1 = 42$' "$T/l.s"
"$SB" asm --syntax llvm "$T/l.s" -o "$T/l.bin"; check "llvm listing assembles" cmp -s "$T/prog.bin" "$T/l.bin"
"$SB" disasm --syntax conformance "$T/prog.bin" > "$T/c.s"
"$SB" asm --syntax=conformance "$T/c.s" -o "$T/c.bin"; check "conformance listing assembles" cmp -s "$T/prog.bin" "$T/c.bin"
"$SB" disasm "$T/prog.s" > "$T/k2.s"; check "disasm of a .s file" cmp -s "$T/k.s" "$T/k2.s"

printf 'r0 = 1\nr0 = *(u64 *)(r1 + 8\nexit\n' > "$T/bad.s"
"$SB" asm "$T/bad.s" -o "$T/bad.bin" 2> "$T/err"; rc=$?
check "bad input exits 2" test $rc -eq 2
check "file:line:col message" grep -qx "$T/bad.s:2:21: unexpected end of line" "$T/err"
check "no output on error" test ! -e "$T/bad.bin"
"$SB" asm --syntax nonsense "$T/prog.s" 2>/dev/null; check "bad --syntax exits 2" test $? -eq 2
"$SB" asm 2>/dev/null; check "no input exits 2" test $? -eq 2
"$SB" asm "$T/missing.s" 2>/dev/null; check "missing file exits 2" test $? -eq 2
"$SB" asm --help | grep -q -- '--syntax'; check "asm --help" test $? -eq 0
"$SB" disasm --help | grep -q -- '--llvm'; check "disasm --help" test $? -eq 0
printf 'call sum_args12\nexit\n' | "$SB" asm - -o "$T/h.bin"; check "stdin, host function by name" test $? -eq 0
"$SB" disasm "$T/h.bin" | grep -q '^0: (85) call sum_args12#'; check "host call listing" test $? -eq 0
printf 'abc' > "$T/odd.bin"
"$SB" disasm "$T/odd.bin" 2>/dev/null; check "odd-sized .bin exits 2" test $? -eq 2

echo "$pass passed, $fail failed"
test $fail -eq 0
