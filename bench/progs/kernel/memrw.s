# memrw for Linux (BPF_PROG_TEST_RUN): progs/memrw.s made acceptable to the
# kernel verifier. Changes: the buffer is the value of map 0 (4 KiB); the
# outer loop has may_goto at its head and reads its bound 64 from params[1]
# (unknown to the verifier, so the pass counter is widened and the outer loop
# converges); the inner loop counts its 511 words in r2 against the constant
# 511, which the verifier walks word by word (its pointer must stay in bounds),
# so it needs no may_goto. The 64-bit result goes to params[7].
# 6 insns per load+store (one more than progs/memrw.s: the counter).
	ld_pseudo r1, 2, 0                  # w: the value of map 0
	ld_pseudo r9, 2, 1                  # params: the value of map 1
	r8 = *(u64 *)(r9 + 8)               # 64 passes
	r0 = 0                              # acc
	r3 = 0                              # p
pass:
	may_goto out
	r5 = r1                             # q = &w[0]
	r2 = 0                              # words done in this pass
word:
	r4 = *(u64 *)(r5 + 0)
	r0 += r4
	*(u64 *)(r5 + 0) = r0
	r5 += 8
	r2 += 1
	if r2 != 511 goto word
	r3 += 1
	if r3 != r8 goto pass
out:
	*(u64 *)(r9 + 56) = r0
	r0 = 0
	exit
