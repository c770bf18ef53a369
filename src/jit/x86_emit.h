/* x86_emit.h - a small x86-64 instruction encoder for the JIT.
 *
 * Everything is appended to a growable byte buffer. Instructions are built
 * from a few primitives (prefixes, REX, opcode, ModRM/SIB/displacement) plus a
 * table of the two-operand ALU group (add/or/and/sub/xor/cmp share one layout:
 * `op r/m, r` = 8*N+1, `op r/m, imm` = 0x81|0x83 /N). Register numbers are the
 * hardware ones (RAX = 0 .. R15 = 15). The encoder never fails: out of memory
 * sets `err` and further bytes are dropped. */
#ifndef SBPF_JIT_X86_EMIT_H
#define SBPF_JIT_X86_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_reg {
	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
	R8, R9, R10, R11, R12, R13, R14, R15,
};

/* the ALU group: the N of `op r/m, imm` = 0x81 /N */
enum x86_alu { A_ADD = 0, A_OR = 1, A_AND = 4, A_SUB = 5, A_XOR = 6, A_CMP = 7 };
/* the shift group: 0xc1 /N */
enum x86_shift { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };
/* condition codes (the low nibble of Jcc / SETcc / CMOVcc) */
enum x86_cc {
	CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5, CC_BE = 0x6, CC_A = 0x7,
	CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe, CC_G = 0xf,
};

/* instruction flags */
enum {
	X_W = 1,      /* REX.W: 64-bit operand */
	X_66 = 2,     /* operand-size prefix: 16-bit operand */
	X_BYTE = 4,   /* byte registers: SPL..DIL need a REX prefix */
	X_LOCK = 8,   /* lock prefix */
};

struct x86_buf {
	uint8_t *p;
	size_t len, cap;
	bool err;
};

static inline bool x86_fits8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool x86_fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

void x86_byte(struct x86_buf *b, uint8_t v);
/* pad with multi-byte NOPs to a multiple of `align` (a power of two <= 64) */
void x86_align(struct x86_buf *b, uint32_t align);
void x86_imm(struct x86_buf *b, uint64_t v, int bytes);

/* opcode `op` (1 to 3 bytes, written big-endian: 0x0fb6 = 0f b6) with a
 * register-direct ModRM (reg, rm), or with a memory operand [base + disp] */
void x86_op_rr(struct x86_buf *b, unsigned flags, uint32_t op, int reg, int rm);
void x86_op_rm(struct x86_buf *b, unsigned flags, uint32_t op, int reg, int base, int32_t disp);

/* common instructions */
void x86_mov_rr(struct x86_buf *b, bool w, int dst, int src);        /* mov dst, src */
void x86_mov_ri(struct x86_buf *b, int dst, uint64_t v);             /* shortest mov dst, v (64-bit result) */
/* fixed-size forms (their size never depends on the value): movabs r64,
 * imm64 (10 bytes) and mov r32, imm32 (5 or 6 bytes, zero-extends) */
void x86_movabs(struct x86_buf *b, int dst, uint64_t v);
void x86_mov_r32i(struct x86_buf *b, int dst, uint32_t v);
void x86_alu_rr(struct x86_buf *b, bool w, enum x86_alu op, int dst, int src);
void x86_alu_ri(struct x86_buf *b, bool w, enum x86_alu op, int dst, int32_t imm);
void x86_test_rr(struct x86_buf *b, bool w, int a, int c);
void x86_test_ri(struct x86_buf *b, bool w, int r, int32_t imm);
void x86_shift_ri(struct x86_buf *b, bool w, enum x86_shift op, int r, uint8_t n);
void x86_shift_rcl(struct x86_buf *b, bool w, enum x86_shift op, int r);            /* op r, cl */
/* BMI2 shlx/shrx/sarx dst, src, cnt (count masked to the width, like BPF) */
void x86_shiftx(struct x86_buf *b, bool w, enum x86_shift op, int dst, int src, int cnt);
void x86_push(struct x86_buf *b, int r);
void x86_pop(struct x86_buf *b, int r);
void x86_call_r(struct x86_buf *b, int r);
void x86_ret(struct x86_buf *b);

/* memory: load with zero/sign extension by size (1, 2, 4, 8); store */
void x86_load(struct x86_buf *b, int size, bool sext, int dst, int base, int32_t disp);
void x86_store_r(struct x86_buf *b, int size, int base, int32_t disp, int src);
void x86_store_i(struct x86_buf *b, int size, int base, int32_t disp, int32_t imm);

#endif
