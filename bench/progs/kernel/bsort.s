# bsort for Linux (BPF_PROG_TEST_RUN): progs/bsort.s made acceptable to the
# kernel verifier. A loop index used in pointer arithmetic becomes precise, so
# the verifier would walk the sort step by step and give up ("The sequence of
# 8193 jumps is too complex"). Changes: the array is the value of map 0;
# may_goto at both loop heads; n = 255 comes from params[3] (unknown to the
# verifier); the inner byte offset j*4 goes through memory (params[5]) and a
# bounds check before it is added to the array pointer, so the register
# counter stays imprecise, is widened, and both loops converge. The checksum
# loop counts to the constant 256 and is walked. The result goes to params[7].
# 10 insns per step, 12 when it swaps (progs/bsort.s: 5 and 7).
	ld_pseudo r1, 2, 0                  # a: the value of map 0
	ld_pseudo r9, 2, 1                  # params: the value of map 1
	r3 = *(u64 *)(r9 + 24)              # n = 255
pass:
	may_goto sum
	r5 = r3
	r5 <<= 2                            # end offset = n * 4
	r4 = 0                              # j * 4
step:
	may_goto sum
	*(u64 *)(r9 + 40) = r4              # the offset through memory
	r8 = *(u64 *)(r9 + 40)
	if r8 > 1016 goto sum               # never taken: bounds for the verifier
	r8 += r1                            # p = &a[j]
	r6 = *(u32 *)(r8 + 0)
	r7 = *(u32 *)(r8 + 4)
	if r6 <= r7 goto next
	*(u32 *)(r8 + 0) = r7
	*(u32 *)(r8 + 4) = r6
next:
	r4 += 4
	if r4 != r5 goto step
	r3 += -1
	if r3 != 0 goto pass
sum:
	r0 = 0                              # h
	r2 = 0
sumloop:
	r6 = *(u32 *)(r1 + 0)
	r0 *= 31
	r0 += r6
	r1 += 4
	r2 += 1
	if r2 != 256 goto sumloop
	*(u64 *)(r9 + 56) = r0
	r0 = 0
	exit
