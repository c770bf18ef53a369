# arith for Linux (BPF_PROG_TEST_RUN): progs/arith.s made acceptable to the
# kernel verifier. Changes: may_goto at the loop head, and the bound 10^7 read
# from the params map (params[0]) so the verifier does not know it: with a
# constant bound the loop counter becomes precise and the verifier would walk
# all 10^7 iterations ("BPF program is too large"); with an unknown bound
# may_goto widens the counter and the loop converges after two iterations.
# The full 64-bit result goes to params[7] (the test-run retval is 32 bits).
# Maps: 0 = data (4 KiB, unused here), 1 = params. 6 insns per iteration.
	ld_pseudo r9, 2, 1                  # params: the value of map 1
	r5 = *(u64 *)(r9 + 0)               # 10000000
	r2 = 4096                           # x = len
	r0 = 0                              # h
	r3 = 6364136223846793005 ll         # A
	r4 = 0                              # i
loop:
	may_goto out
	r2 *= r3
	r2 += r4
	r0 ^= r2
	r4 += 1
	if r4 != r5 goto loop
out:
	*(u64 *)(r9 + 56) = r0
	r0 = 0
	exit
