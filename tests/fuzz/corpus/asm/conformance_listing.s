	mov %r1, 42
	mov %r2, -42
	mov %r3, 2147483647
	mov32 %r4, -2147483648
	mov32 %r5, -1
	mov %r6, %r1
	mov32 %r7, %r2
	add %r1, 1
	sub %r1, 16
	mul %r1, -3
	div %r1, 7
	or %r1, 8
	and %r1, 255
	lsh %r1, 3
	rsh %r1, 2
	mod %r1, 5
	xor %r1, -1
	arsh %r1, 63
	add32 %r1, %r2
	sub32 %r1, %r3
	mul32 %r1, %r4
	div32 %r1, %r5
	or32 %r1, %r6
	and32 %r1, %r7
	lsh32 %r1, %r8
	rsh32 %r1, %r9
	mod32 %r1, %r2
	xor32 %r1, %r3
	arsh32 %r1, %r4
	sdiv %r1, %r3
	smod %r2, %r4
	sdiv32 %r1, %r3
	smod32 %r2, 7
	sdiv %r2, -3
	movsx864 %r1, %r4
	movsx1664 %r1, %r4
	movsx3264 %r1, %r4
	movsx832 %r1, %r3
	movsx1632 %r1, %r3
	neg %r1
	neg32 %r2
	be16 %r1
	be32 %r1
	be64 %r1
	le16 %r2
	le32 %r2
	le64 %r2
	bswap16 %r3
	bswap32 %r3
	bswap64 %r3
	ldxb %r0, [%r1+0]
	ldxh %r0, [%r1-2]
	ldxw %r0, [%r1+32]
	ldxw %r0, [%r1+4]
	ldxh %r0, [%r1+4]
	ldxb %r0, [%r1+4]
	ldxdw %r0, [%r10-8]
	ldxsb %r4, [%r10-8]
	ldxsh %r4, [%r10-8]
	ldxsw %r4, [%r10-8]
	stxb [%r10-1], %r1
	stxh [%r10-2], %r1
	stxw [%r10-4], %r1
	stxdw [%r10-16], %r1
	stb [%r10-1], 7
	sth [%r10-2], -7
	stw [%r10-4], 4660
	stdw [%r10-8], -1
	lock add [%r1+0], %r2
	lock or [%r1+8], %r2
	lock and [%r1-8], %r2
	lock xor [%r1+0], %r2
	lock add32 [%r1+0], %r2
	lock or32 [%r1+0], %r2
	lock and32 [%r1+0], %r2
	lock xor32 [%r1+0], %r2
	lock fetch add [%r1+0], %r2
	lock fetch or [%r1+0], %r2
	lock fetch and [%r1+0], %r2
	lock fetch xor [%r1+0], %r2
	lock fetch add32 [%r1+0], %r2
	lock fetch or32 [%r1+0], %r2
	lock fetch and32 [%r1+0], %r2
	lock fetch xor32 [%r1+0], %r2
	lock xchg [%r1+16], %r2
	lock xchg32 [%r1-16], %r2
	lock cmpxchg [%r1+0], %r3
	lock cmpxchg32 [%r1+4], %r3
	load_acquire64 %r0, [%r1+0]
	load_acquire32 %r0, [%r1+0]
	load_acquire16 %r0, [%r1+0]
	load_acquire8 %r0, [%r1+0]
	store_release64 [%r1+0], %r2
	store_release32 [%r1+0], %r2
	store_release16 [%r1+0], %r2
	store_release8 [%r1+0], %r2
	ldabsb 4
	ldabsh -4
	ldabsw 16
	ldindb %r1, 0
	ldindh %r2, 0
	ldindw %r3, 0
	lddw %r1, 0x1122334455667788
	lddw %r2, 0xffffffffffffffff
	lddw %r3, 0x0
	.8byte 0x0000000300001118, 0x0000000000000000
	.8byte 0x0000001000002118, 0x0000000000000000
	.8byte 0x0000000700003218, 0x0000000000000000
	.8byte 0x0000000000004218, 0x0000000000000000
	.8byte 0x0000000100005318, 0x0000000000000000
	.8byte 0x0000000200006318, 0x0000000000000000
L120:
	jeq %r1, 0, L144
L121:
	jne %r1, %r2, L120
	jgt %r1, 100, L125
	jge %r1, %r2, L121
	jlt %r1, 100, L144
L125:
	jle %r1, %r2, L144
	jsgt %r1, -1, L144
	jsge %r1, %r2, L144
	jslt %r1, 3, L144
	jsle %r1, %r2, L144
	jset %r1, 3, L144
	jset %r1, %r2, L144
	jeq32 %r1, 0, L144
	jne32 %r1, %r2, L144
	jgt32 %r1, 100, L144
	jge32 %r1, %r2, L144
	jlt32 %r1, 5, L144
	jle32 %r1, %r2, L144
	jsgt32 %r1, -1, L144
	jsge32 %r1, %r2, L144
	jslt32 %r1, 3, L144
	jsle32 %r1, %r2, L144
	jset32 %r1, 3, L144
	jset32 %r1, %r2, L144
L144:
	ja L155
	ja32 L155
	may_goto L144
	call 1
	call -1
	call local L156
	call %r3
	ldxdw %r1, [%r11+8]
	stxdw [%r11-8], %r1
	stdw [%r11-56], 6
	exit
L155:
	exit
L156:
	mov %r0, %r1
	exit
