# fnv1a for Linux (BPF_PROG_TEST_RUN): progs/fnv1a.s made acceptable to the
# kernel verifier. Changes: the buffer is the value of map 0 (4 KiB) and the
# loop counts its 4096 bytes in r2 against a constant, so the verifier walks
# it byte by byte with the pointer in bounds (no may_goto needed: about 25k
# processed insns). The 64-bit result goes to params[7].
# 6 insns per byte (one more than progs/fnv1a.s: the counter).
	ld_pseudo r1, 2, 0                  # the value of map 0
	ld_pseudo r9, 2, 1                  # params: the value of map 1
	r0 = 0xcbf29ce484222325 ll          # FNV-1a 64 offset basis
	r3 = 0x100000001b3 ll               # FNV 64 prime
	r2 = 0
byte:
	r4 = *(u8 *)(r1 + 0)
	r0 ^= r4
	r0 *= r3
	r1 += 1
	r2 += 1
	if r2 != 4096 goto byte
	*(u64 *)(r9 + 56) = r0
	r0 = 0
	exit
