# calls for Linux (BPF_PROG_TEST_RUN): progs/calls.s made acceptable to the
# kernel verifier. Changes: may_goto at the loop head and the bound 10^6 read
# from params[2] (unknown to the verifier, so the counter is widened and the
# loop converges). The 64-bit result goes to params[7].
# 10 + 6 insns per call (one more than progs/calls.s: may_goto).
	ld_pseudo r9, 2, 1                  # params: the value of map 1
	r8 = *(u64 *)(r9 + 16)              # 1000000
	r6 = 4096                           # acc = len
	r7 = 0                              # i
loop:
	may_goto out
	r1 = r6
	r2 = r7
	r3 = 3
	r4 = 4
	r5 = 5
	call leaf5
	r6 = r0
	r7 += 1
	if r7 != r8 goto loop
out:
	*(u64 *)(r9 + 56) = r6
	r0 = 0
	exit

leaf5:
	r0 = r1
	r0 += r2
	r0 ^= r3
	r0 += r4
	r0 ^= r5
	exit
