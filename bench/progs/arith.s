# arith: 10^7 iterations of a multiply/add/xor recurrence held in registers.
# C (bench/native.c): x = len; h = 0;
#   for (i = 0; i < 10000000; i++) { x = x * A + i; h ^= x; }  return h;
# Entry: r1 = buffer (unused), r2 = its length. 5 insns per iteration.
	r0 = 0                              # h
	r3 = 6364136223846793005 ll         # A (Knuth's MMIX LCG multiplier)
	r4 = 0                              # i
loop:
	r2 *= r3                            # x = x * A
	r2 += r4                            #     + i
	r0 ^= r2                            # h ^= x
	r4 += 1
	if r4 != 10000000 goto loop
	exit
