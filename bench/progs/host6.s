# host6: stack-argument microbench, 10^6 calls of the host function sum_args6
# (stackbpf_host__add_examples: sum of i * a_i for i = 1..6, a native C function).
# Args 6..6 travel in the caller's r11 slots and reach C through the SysV ABI.
# C (bench/native.c): acc = len;
#   for (i = 0; i < 1000000; i++) acc = sum_args6(acc, i, 3, 4, 5, 6);  return acc;
# Entry: r1 = buffer (unused), r2 = its length. 10 insns per call plus the host call.
	r6 = r2                             # acc = len
	r7 = 0                              # i
loop:
	r1 = r6
	r2 = r7
	r3 = 3
	r4 = 4
	r5 = 5
	*(u64 *)(r11 - 8) = 6
	call sum_args6
	r6 = r0
	r7 += 1
	if r7 != 1000000 goto loop
	r0 = r6
	exit
