# host5: stack-argument microbench, 10^6 calls of the host function sum_args5
# (stackbpf_host__add_examples: sum of i * a_i for i = 1..5, a native C function).
# C (bench/native.c): acc = len;
#   for (i = 0; i < 1000000; i++) acc = sum_args5(acc, i, 3, 4, 5);  return acc;
# Entry: r1 = buffer (unused), r2 = its length. 9 insns per call plus the host call.
	r6 = r2                             # acc = len
	r7 = 0                              # i
loop:
	r1 = r6
	r2 = r7
	r3 = 3
	r4 = 4
	r5 = 5
	call sum_args5
	r6 = r0
	r7 += 1
	if r7 != 1000000 goto loop
	r0 = r6
	exit
