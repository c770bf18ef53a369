# struct12: the 12-argument call as BPF code must write it without stack
# arguments: BPF has five argument registers, so a1..a4 go in r1..r4 and
# a5..a12 are packed into a struct on the caller's stack whose pointer is r5.
# C (bench/native.c): acc = len;
#   for (i = 0; i < 1000000; i++) {
#     struct args8 s = { 5, 6, 7, 8, 9, 10, 11, 12 };  acc = leaf_s(acc, i, 3, 4, &s);
#   }  return acc;
#   leaf_s computes the same value as leaf12 (call12.s) from a1..a4 and s.
# Entry: r1 = buffer (unused), r2 = its length. 18 + 21 = 39 insns per call.
	r6 = r2                             # acc = len
	r7 = 0                              # i
loop:
	*(u64 *)(r10 - 64) = 5
	*(u64 *)(r10 - 56) = 6
	*(u64 *)(r10 - 48) = 7
	*(u64 *)(r10 - 40) = 8
	*(u64 *)(r10 - 32) = 9
	*(u64 *)(r10 - 24) = 10
	*(u64 *)(r10 - 16) = 11
	*(u64 *)(r10 - 8) = 12
	r1 = r6
	r2 = r7
	r3 = 3
	r4 = 4
	r5 = r10
	r5 += -64                           # &s
	call leaf_s
	r6 = r0
	r7 += 1
	if r7 != 1000000 goto loop
	r0 = r6
	exit

leaf_s:
	r0 = r1
	r0 += r2
	r0 ^= r3
	r0 += r4
	r1 = *(u64 *)(r5 + 0)
	r0 ^= r1
	r1 = *(u64 *)(r5 + 8)
	r0 += r1
	r1 = *(u64 *)(r5 + 16)
	r0 ^= r1
	r1 = *(u64 *)(r5 + 24)
	r0 += r1
	r1 = *(u64 *)(r5 + 32)
	r0 ^= r1
	r1 = *(u64 *)(r5 + 40)
	r0 += r1
	r1 = *(u64 *)(r5 + 48)
	r0 ^= r1
	r1 = *(u64 *)(r5 + 56)
	r0 += r1
	exit
