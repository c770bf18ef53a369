/* x86_emit.c - the x86-64 encoder (see x86_emit.h): prefixes, REX, ModRM/SIB,
 * displacements and immediates, and the handful of instructions the JIT uses,
 * each in its shortest form (imm8 ALU forms, 32-bit moves for constants that
 * zero-extend, disp8 addressing). */
#include "jit/x86_emit.h"

#include <stdlib.h>

void x86_byte(struct x86_buf *b, uint8_t v)
{
	if (b->err)
		return;
	if (b->len == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 4096;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->err = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	b->p[b->len++] = v;
}

void x86_imm(struct x86_buf *b, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		x86_byte(b, (uint8_t)(v >> (8 * i)));
}

static bool is_byte_hi(int r) { return r >= 4 && r < 8; }   /* SPL BPL SIL DIL */

static void prefixes(struct x86_buf *b, unsigned flags, int reg, int rm, bool rm_is_reg)
{
	if (flags & X_LOCK)
		x86_byte(b, 0xf0);
	if (flags & X_66)
		x86_byte(b, 0x66);
	uint8_t rex = 0x40 | (flags & X_W ? 8 : 0) | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0);
	bool force = (flags & X_BYTE) && (is_byte_hi(reg) || (rm_is_reg && is_byte_hi(rm)));
	if (rex != 0x40 || force)
		x86_byte(b, rex);
}

static void opcode(struct x86_buf *b, uint32_t op)
{
	if (op > 0xffff)
		x86_byte(b, (uint8_t)(op >> 16));
	if (op > 0xff)
		x86_byte(b, (uint8_t)(op >> 8));
	x86_byte(b, (uint8_t)op);
}

void x86_op_rr(struct x86_buf *b, unsigned flags, uint32_t op, int reg, int rm)
{
	prefixes(b, flags, reg, rm, true);
	opcode(b, op);
	x86_byte(b, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

void x86_op_rm(struct x86_buf *b, unsigned flags, uint32_t op, int reg, int base, int32_t disp)
{
	prefixes(b, flags, reg, base, false);
	opcode(b, op);
	int mod = disp == 0 && (base & 7) != RBP ? 0 : x86_fits8(disp) ? 1 : 2;
	x86_byte(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
	if ((base & 7) == RSP)
		x86_byte(b, 0x24);   /* SIB: no index, base = rsp/r12 */
	if (mod == 1)
		x86_byte(b, (uint8_t)disp);
	else if (mod == 2)
		x86_imm(b, (uint32_t)disp, 4);
}

void x86_mov_rr(struct x86_buf *b, bool w, int dst, int src)
{
	x86_op_rr(b, w ? X_W : 0, 0x89, src, dst);
}

void x86_mov_ri(struct x86_buf *b, int dst, uint64_t v)
{
	if (v == 0) {
		x86_op_rr(b, 0, 0x31, dst, dst);                  /* xor r32, r32 */
	} else if (v <= UINT32_MAX) {
		if (dst >= 8)
			x86_byte(b, 0x41);
		x86_byte(b, (uint8_t)(0xb8 + (dst & 7)));          /* mov r32, imm32 */
		x86_imm(b, v, 4);
	} else if (x86_fits32((int64_t)v)) {
		x86_op_rr(b, X_W, 0xc7, 0, dst);                   /* mov r64, simm32 */
		x86_imm(b, v, 4);
	} else {
		x86_byte(b, (uint8_t)(0x48 | (dst >= 8)));
		x86_byte(b, (uint8_t)(0xb8 + (dst & 7)));          /* movabs r64, imm64 */
		x86_imm(b, v, 8);
	}
}

void x86_movabs(struct x86_buf *b, int dst, uint64_t v)
{
	x86_byte(b, (uint8_t)(0x48 | (dst >= 8)));
	x86_byte(b, (uint8_t)(0xb8 + (dst & 7)));
	x86_imm(b, v, 8);
}

void x86_mov_r32i(struct x86_buf *b, int dst, uint32_t v)
{
	if (dst >= 8)
		x86_byte(b, 0x41);
	x86_byte(b, (uint8_t)(0xb8 + (dst & 7)));
	x86_imm(b, v, 4);
}

void x86_alu_rr(struct x86_buf *b, bool w, enum x86_alu op, int dst, int src)
{
	x86_op_rr(b, w ? X_W : 0, 8u * op + 1, src, dst);
}

void x86_alu_ri(struct x86_buf *b, bool w, enum x86_alu op, int dst, int32_t imm)
{
	unsigned f = w ? X_W : 0;
	if (x86_fits8(imm)) {
		x86_op_rr(b, f, 0x83, op, dst);
		x86_byte(b, (uint8_t)imm);
		return;
	}
	if (dst == RAX) {
		if (w)
			x86_byte(b, 0x48);
		x86_byte(b, (uint8_t)(8 * op + 5));
	} else {
		x86_op_rr(b, f, 0x81, op, dst);
	}
	x86_imm(b, (uint32_t)imm, 4);
}

void x86_test_rr(struct x86_buf *b, bool w, int a, int c)
{
	x86_op_rr(b, w ? X_W : 0, 0x85, c, a);
}

void x86_test_ri(struct x86_buf *b, bool w, int r, int32_t imm)
{
	if (r == RAX) {
		if (w)
			x86_byte(b, 0x48);
		x86_byte(b, 0xa9);
	} else {
		x86_op_rr(b, w ? X_W : 0, 0xf7, 0, r);
	}
	x86_imm(b, (uint32_t)imm, 4);
}

void x86_shift_ri(struct x86_buf *b, bool w, enum x86_shift op, int r, uint8_t n)
{
	if (n == 1) {
		x86_op_rr(b, w ? X_W : 0, 0xd1, op, r);
		return;
	}
	x86_op_rr(b, w ? X_W : 0, 0xc1, op, r);
	x86_byte(b, n);
}

void x86_shift_rcl(struct x86_buf *b, bool w, enum x86_shift op, int r)
{
	x86_op_rr(b, w ? X_W : 0, 0xd3, op, r);
}

void x86_shiftx(struct x86_buf *b, bool w, enum x86_shift op, int dst, int src, int cnt)
{
	uint8_t pp = op == SH_SHL ? 1 : op == SH_SAR ? 2 : 3;   /* 66 / F3 / F2 */
	x86_byte(b, 0xc4);
	x86_byte(b, (uint8_t)((dst >= 8 ? 0 : 0x80) | 0x40 | (src >= 8 ? 0 : 0x20) | 0x02));
	x86_byte(b, (uint8_t)((w ? 0x80 : 0) | (~cnt & 15) << 3 | pp));
	x86_byte(b, 0xf7);
	x86_byte(b, (uint8_t)(0xc0 | (dst & 7) << 3 | (src & 7)));
}

void x86_push(struct x86_buf *b, int r)
{
	if (r >= 8)
		x86_byte(b, 0x41);
	x86_byte(b, (uint8_t)(0x50 + (r & 7)));
}

void x86_pop(struct x86_buf *b, int r)
{
	if (r >= 8)
		x86_byte(b, 0x41);
	x86_byte(b, (uint8_t)(0x58 + (r & 7)));
}

void x86_call_r(struct x86_buf *b, int r)
{
	x86_op_rr(b, 0, 0xff, 2, r);
}

void x86_ret(struct x86_buf *b)
{
	x86_byte(b, 0xc3);
}

void x86_load(struct x86_buf *b, int size, bool sext, int dst, int base, int32_t disp)
{
	static const struct { unsigned flags; uint32_t op; } zx[] = {
		[1] = { 0, 0x0fb6 }, [2] = { 0, 0x0fb7 }, [4] = { 0, 0x8b }, [8] = { X_W, 0x8b },
	}, sx[] = {
		[1] = { X_W, 0x0fbe }, [2] = { X_W, 0x0fbf }, [4] = { X_W, 0x63 }, [8] = { X_W, 0x8b },
	};
	const __typeof__(zx[0]) *e = sext ? &sx[size] : &zx[size];
	x86_op_rm(b, e->flags, e->op, dst, base, disp);
}

void x86_store_r(struct x86_buf *b, int size, int base, int32_t disp, int src)
{
	static const struct { unsigned flags; uint32_t op; } st[] = {
		[1] = { X_BYTE, 0x88 }, [2] = { X_66, 0x89 }, [4] = { 0, 0x89 }, [8] = { X_W, 0x89 },
	};
	x86_op_rm(b, st[size].flags, st[size].op, src, base, disp);
}

void x86_store_i(struct x86_buf *b, int size, int base, int32_t disp, int32_t imm)
{
	static const struct { unsigned flags; uint32_t op; int ibytes; } st[] = {
		[1] = { 0, 0xc6, 1 }, [2] = { X_66, 0xc7, 2 }, [4] = { 0, 0xc7, 4 }, [8] = { X_W, 0xc7, 4 },
	};
	x86_op_rm(b, st[size].flags, st[size].op, 0, base, disp);
	x86_imm(b, (uint32_t)imm, st[size].ibytes);
}

void x86_align(struct x86_buf *b, uint32_t align)
{
	/* the recommended NOPs of 1..9 bytes (Intel SDM, AMD optimization guide) */
	static const uint8_t nops[9][9] = {
		{ 0x90 },
		{ 0x66, 0x90 },
		{ 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	size_t pad = (align - b->len % align) % align;
	while (pad) {
		size_t n = pad < 9 ? pad : 9;
		for (size_t k = 0; k < n; k++)
			x86_byte(b, nops[n - 1][k]);
		pad -= n;
	}
}
