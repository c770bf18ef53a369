# memrw: 64 passes of load/accumulate/store over the first 511 u64 words.
# C (bench/native.c): acc = 0;
#   for (p = 0; p < 64; p++) for (i = 0; i < 511; i++) { acc += w[i]; w[i] = acc; }
#   return acc;
# Entry: r1 = 4 KiB buffer, r2 = 4096. 5 insns per load+store.
	r0 = 0                              # acc
	r3 = 0                              # p
	r4 = r1
	r4 += 4088                          # end = &w[511]
pass:
	r5 = r1                             # q = &w[0]
word:
	r2 = *(u64 *)(r5 + 0)
	r0 += r2
	*(u64 *)(r5 + 0) = r0
	r5 += 8
	if r5 != r4 goto word
	r3 += 1
	if r3 != 64 goto pass
	exit
