#!/bin/sh
# cli.sh - `stackbpf asm --elf` by hand: the example object builds and runs,
# the default output name, refused outputs, file:line:col errors, exit codes.
# usage: cli.sh STACKBPF EXAMPLES_DIR
SB=$1
EX=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
check() { # check NAME CONDITION...
	name=$1; shift
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name" >&2; fi
}

"$SB" asm --elf "$EX/sum12_elf.s" -o "$T/sum12.o"; check "asm --elf exit 0" test $? -eq 0
out=$("$SB" run "$T/sum12.o" --prog prog); check "run exit 0" test $? -eq 0
check "run prints 0x28a" test "$out" = "0x28a"
cp "$EX/sum12_elf.s" "$T/s.s"
"$SB" asm --elf "$T/s.s"; check "default output exit 0" test $? -eq 0
check "default output s.o" cmp -s "$T/sum12.o" "$T/s.o"
"$SB" asm --elf "$T/s.s" -o - > /dev/null 2> "$T/err"; check "-o - refused" test $? -eq 2
check "-o - message" grep -qx "stackbpf: asm --elf: cannot write an object to stdout; name a file with -o" "$T/err"
printf '.section xdp\nf:\n\tr0 = 0\n\texit\n.func g(a,)\n' > "$T/bad.s"
"$SB" asm --elf "$T/bad.s" -o "$T/bad.o" 2> "$T/err"; check "bad directive exit 2" test $? -eq 2
check "bad directive message" grep -qx "$T/bad.s:5:11: expected a parameter name" "$T/err"
check "no output on error" test ! -e "$T/bad.o"
"$SB" asm --help | grep -q '^  --elf ' ; check "--help documents --elf" test $? -eq 0
"$SB" asm --help | grep -q '\.func NAME(a, b, \.\.\.)' ; check "--help documents .func" test $? -eq 0

echo "$pass passed, $fail failed"
test "$fail" -eq 0
