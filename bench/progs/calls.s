# calls: 10^6 BPF-to-BPF calls of a 5-argument leaf.
# C (bench/native.c): acc = len;
#   for (i = 0; i < 1000000; i++) acc = leaf5(acc, i, 3, 4, 5);  return acc;
#   leaf5(a1..a5) = ((((a1 + a2) ^ a3) + a4) ^ a5)
# Entry: r1 = buffer (unused), r2 = its length. 9 + 6 = 15 insns per call.
	r6 = r2                             # acc = len
	r7 = 0                              # i
loop:
	r1 = r6
	r2 = r7
	r3 = 3
	r4 = 4
	r5 = 5
	call leaf5
	r6 = r0
	r7 += 1
	if r7 != 1000000 goto loop
	r0 = r6
	exit

leaf5:
	r0 = r1
	r0 += r2
	r0 ^= r3
	r0 += r4
	r0 ^= r5
	exit
