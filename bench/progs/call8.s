# call8: stack-argument microbench, 10^6 BPF-to-BPF calls with 8 arguments
# (args 6..8 travel in the caller's r11 slots: *(u64 *)(r11 - 8*(N-5))).
# C (bench/native.c): acc = len;
#   for (i = 0; i < 1000000; i++) acc = leaf8(acc, i, 3, 4, 5, 6, 7, 8);  return acc;
#   leaf8(a1..a8) = (((((((a1 + a2) ^ a3) + a4) ^ a5) + a6) ^ a7) + a8)
# Entry: r1 = buffer (unused), r2 = its length. 12 + 12 = 24 insns per call.
	r6 = r2                             # acc = len
	r7 = 0                              # i
loop:
	r1 = r6
	r2 = r7
	r3 = 3
	r4 = 4
	r5 = 5
	*(u64 *)(r11 - 8) = 6
	*(u64 *)(r11 - 16) = 7
	*(u64 *)(r11 - 24) = 8
	call leaf8
	r6 = r0
	r7 += 1
	if r7 != 1000000 goto loop
	r0 = r6
	exit

leaf8:
	r0 = r1
	r0 += r2
	r0 ^= r3
	r0 += r4
	r0 ^= r5
	r1 = *(u64 *)(r11 + 8)
	r0 += r1
	r1 = *(u64 *)(r11 + 16)
	r0 ^= r1
	r1 = *(u64 *)(r11 + 24)
	r0 += r1
	exit
