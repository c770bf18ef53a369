# llvm_syntax.s - LLVM BPF assembly as llvm-objdump prints it and kernel
# selftests write it in inline asm; assembled by llvm-mc-22 and by stackbpf,
# which must produce the same bytes (tests/text/test_llvm_mc.c).
	.text
	.globl	entry
	.p2align	3
	.type	entry,@function
entry:                                  // a function label
	r1 = 0x2a                       /* hex immediate */
	r2 = -42; r3 = 2147483647; w4 = -2147483648
	w5 = 0xffffffff
	r6 = r1
	w7 = w2
	r1 += 1 ; r1 -= 0x10 ; r1 *= -3 ; r1 /= 7 ; r1 |= 8 ; r1 &= 0xff
	r1 <<= 3 ; r1 >>= 2 ; r1 %= 5 ; r1 ^= -1 ; r1 s>>= 63
	w1 += w2 ; w1 -= w3 ; w1 *= w4 ; w1 /= w5 ; w1 |= w6 ; w1 &= w7
	w1 <<= w8 ; w1 >>= w9 ; w1 %= w2 ; w1 ^= w3 ; w1 s>>= w4
	r1 s/= r3 ; r2 s%= r4 ; w1 s/= w3 ; w2 s%= 7 ; r2 s/= -3
	r1 = (s8)r4 ; r1 = (s16)r4 ; r1 = (s32)r4
	w1 = (s8)w3 ; w1 = (s16)w3
	r1 = -r1
	w2 = -w2
	r1 = be16 r1 ; r1 = be32 r1 ; r1 = be64 r1
	r2 = le16 r2 ; r2 = le32 r2 ; r2 = le64 r2
	r3 = bswap16 r3 ; r3 = bswap32 r3 ; r3 = bswap64 r3
	r0 = *(u8 *)(r1 + 0)
	r0 = *(u16 *)(r1 - 2)
	r0 = *(u32 *)(r1 + 0x20)
	w0 = *(u32 *)(r1 + 4)
	w0 = *(u16 *)(r1 + 4)
	w0 = *(u8 *)(r1 + 4)
	r0 = *(u64 *)(r10 - 8)
	r4 = *(s8 *)(r10 - 8)
	r4 = *(s16 *)(r10 - 8)
	r4 = *(s32 *)(r10 - 8)
	*(u8 *)(r10 - 1) = w1
	*(u16 *)(r10 - 2) = w1
	*(u32 *)(r10 - 4) = w1
	*(u64 *)(r10 - 16) = r1
	*(u8 *)(r10 - 1) = 7
	*(u16 *)(r10 - 2) = -7
	*(u32 *)(r10 - 4) = 0x1234
	*(u64 *)(r10 - 8) = -1
	lock *(u64 *)(r1 + 0) += r2
	lock *(u64 *)(r1 + 8) |= r2
	lock *(u64 *)(r1 - 8) &= r2
	lock *(u64 *)(r1 + 0) ^= r2
	lock *(u32 *)(r1 + 0) += w2
	lock *(u32 *)(r1 + 0) |= w2
	lock *(u32 *)(r1 + 0) &= w2
	lock *(u32 *)(r1 + 0) ^= w2
	r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)
	r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)
	r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)
	r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)
	w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)
	w2 = atomic_fetch_or((u32 *)(r1 + 0), w2)
	w2 = atomic_fetch_and((u32 *)(r1 + 0), w2)
	w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)
	r2 = xchg_64(r1 + 16, r2)
	w2 = xchg32_32(r1 - 16, w2)
	r0 = cmpxchg_64(r1 + 0, r0, r3)
	w0 = cmpxchg32_32(r1 + 4, w0, w3)
	r0 = load_acquire((u64 *)(r1 + 0))
	w0 = load_acquire((u32 *)(r1 + 0))
	w0 = load_acquire((u16 *)(r1 + 0))
	w0 = load_acquire((u8 *)(r1 + 0))
	store_release((u64 *)(r1 + 0), r2)
	store_release((u32 *)(r1 + 0), w2)
	store_release((u16 *)(r1 + 0), w2)
	store_release((u8 *)(r1 + 0), w2)
	r0 = *(u8 *)skb[4]
	r0 = *(u16 *)skb[-4]
	r0 = *(u32 *)skb[0x10]
	r0 = *(u8 *)skb[r1]
	r0 = *(u16 *)skb[r2]
	r0 = *(u32 *)skb[r3]
	r1 = 0x1122334455667788 ll
	r2 = -1 ll
	r3 = 0 ll
	ld_pseudo r1, 1, 3
	ld_pseudo r1, 2, 0x10
	ld_pseudo r2, 3, 7
	ld_pseudo r2, 4, 0
	ld_pseudo r3, 5, 1
	ld_pseudo r3, 6, 2
1:
	if r1 == 0 goto 1f
	if r1 != r2 goto 1b
	if r1 > 100 goto +2
	if r1 >= r2 goto -3
	if r1 < 0x64 goto 1f
	if r1 <= r2 goto 1f
	if r1 s> -1 goto 1f
	if r1 s>= r2 goto 1f
	if r1 s< 3 goto 1f
	if r1 s<= r2 goto 1f
	if r1 & 3 goto 1f
	if r1 & r2 goto 1f
	if w1 == 0 goto 1f
	if w1 != w2 goto 1f
	if w1 > 100 goto 1f
	if w1 >= w2 goto 1f
	if w1 < 5 goto 1f
	if w1 <= w2 goto 1f
	if w1 s> -1 goto 1f
	if w1 s>= w2 goto 1f
	if w1 s< 3 goto 1f
	if w1 s<= w2 goto 1f
	if w1 & 3 goto 1f
	if w1 & w2 goto 1f
1:	goto .Lout
	gotol .Lout
	may_goto 1b
	call 1                          # bpf_map_lookup_elem
	call -1
	call sub
	callx r3
	r1 = *(u64 *)(r11 + 8)
	*(u64 *)(r11 - 8) = r1
	*(u64 *)(r11 - 56) = 6
	.8byte 0x0000000000000095
.Lout:
	exit
sub:
	r0 = r1
	exit
	.size	entry, .Lout-entry
