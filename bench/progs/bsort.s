# bsort: bubble sort of the first 256 u32 of the buffer, ascending, in place:
# 255 + 254 + ... + 1 = 32,640 compare/swap steps; then a checksum of the result.
# C (bench/native.c):
#   for (n = 255; n != 0; n--)
#     for (j = 0; j < n; j++)
#       if (a[j] > a[j + 1]) { t = a[j]; a[j] = a[j + 1]; a[j + 1] = t; }
#   h = 0; for (j = 0; j < 256; j++) h = h * 31 + a[j];  return h;
# Entry: r1 = 4 KiB buffer, r2 = 4096. 5 insns per step, 7 when it swaps.
	r3 = 255                            # n
pass:
	r4 = r1                             # p = &a[0]
	r5 = r3
	r5 <<= 2
	r5 += r1                            # end = &a[n]
step:
	r6 = *(u32 *)(r4 + 0)
	r7 = *(u32 *)(r4 + 4)
	if r6 <= r7 goto next
	*(u32 *)(r4 + 0) = r7
	*(u32 *)(r4 + 4) = r6
next:
	r4 += 4
	if r4 != r5 goto step
	r3 += -1
	if r3 != 0 goto pass

	r0 = 0                              # h
	r5 = r1
	r5 += 1024                          # end = &a[256]
sum:
	r6 = *(u32 *)(r1 + 0)
	r0 *= 31
	r0 += r6
	r1 += 4
	if r1 != r5 goto sum
	exit
