# call6: stack-argument microbench, 10^6 BPF-to-BPF calls with 6 arguments
# (args 6..6 travel in the caller's r11 slots: *(u64 *)(r11 - 8*(N-5))).
# C (bench/native.c): acc = len;
#   for (i = 0; i < 1000000; i++) acc = leaf6(acc, i, 3, 4, 5, 6);  return acc;
#   leaf6(a1..a6) = (((((a1 + a2) ^ a3) + a4) ^ a5) + a6)
# Entry: r1 = buffer (unused), r2 = its length. 10 + 8 = 18 insns per call.
	r6 = r2                             # acc = len
	r7 = 0                              # i
loop:
	r1 = r6
	r2 = r7
	r3 = 3
	r4 = 4
	r5 = 5
	*(u64 *)(r11 - 8) = 6
	call leaf6
	r6 = r0
	r7 += 1
	if r7 != 1000000 goto loop
	r0 = r6
	exit

leaf6:
	r0 = r1
	r0 += r2
	r0 ^= r3
	r0 += r4
	r0 ^= r5
	r1 = *(u64 *)(r11 + 8)
	r0 += r1
	exit
