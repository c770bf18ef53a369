/* test_alu.c - exact ALU, jump, load/store and atomic semantics (RFC 9669 and
 * Linux), each case run in the fast and the checked engine. */
#include "vmtest.h"

/* ops (high nibble of the opcode) */
enum { ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
       NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0 };
enum { JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60, JSGE = 0x70,
       JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0 };

struct alu_case {
	const char *what;
	struct stackbpf_insn op;   /* acts on r1 (dst) and r2 (src) */
	uint64_t dst, src, want;
};

#define K64(op, i) ALU64_K(op, 1, i)
#define X64(op) ALU64_X(op, 1, 2)
#define K32(op, i) ALU32_K(op, 1, i)
#define X32(op) ALU32_X(op, 1, 2)
/* forms told apart by off (sdiv/smod: 1, movsx: 8/16/32) */
#define SX64(op, o) INSN(0x0f | (op), 1, 2, o, 0)
#define SK64(op, i, o) INSN(0x07 | (op), 1, 0, o, i)
#define SX32(op, o) INSN(0x0c | (op), 1, 2, o, 0)
#define SK32(op, i, o) INSN(0x04 | (op), 1, 0, o, i)

static const struct alu_case alu_cases[] = {
	/* immediates are sign-extended to 64 bits; 32-bit results zero-extend */
	{ "mov64 imm -1", K64(MOV, -1), 0, 0, 0xffffffffffffffff },
	{ "mov32 imm -1", K32(MOV, -1), 0, 0, 0xffffffff },
	{ "mov32 reg drops high half", X32(MOV), 0, 0xffffffff12345678, 0x12345678 },
	{ "add64 imm -1", K64(ADD, -1), 0, 0, 0xffffffffffffffff },
	{ "add32 wraps and zero-extends", K32(ADD, 1), 0x1ffffffff, 0, 0 },
	{ "add32 reg", X32(ADD), 0xaaaaaaaa00000001, 0xbbbbbbbb00000002, 3 },
	{ "sub64 reg", X64(SUB), 1, 2, 0xffffffffffffffff },
	{ "sub32 imm", K32(SUB, 2), 1, 0, 0xffffffff },
	{ "and64 imm 0x80000000 sign-extends", K64(AND, (int32_t)0x80000000), 0xffffffffffffffff, 0,
	  0xffffffff80000000 },
	{ "and32 imm", K32(AND, -1), 0xffffffffffffffff, 0, 0xffffffff },
	{ "or64 imm", K64(OR, -2), 1, 0, 0xffffffffffffffff },
	{ "xor32 reg", X32(XOR), 0xffffffff0000ffff, 0x00000000ffffffff, 0xffff0000 },
	{ "mul32 overflow", K32(MUL, 2), 0x80000000, 0, 0 },
	{ "mul64 imm negative", K64(MUL, -2), 3, 0, (uint64_t)-6 },
	{ "mul64 reg", X64(MUL), 0x100000000, 0x100000000, 0 },
	/* shifts mask the amount: 63 for 64-bit, 31 for 32-bit */
	{ "lsh64 reg by 65", X64(LSH), 1, 65, 2 },
	{ "lsh64 imm by 67", K64(LSH, 67), 1, 0, 8 },
	{ "lsh32 reg by 33", X32(LSH), 1, 33, 2 },
	{ "lsh32 imm by 31", K32(LSH, 31), 3, 0, 0x80000000 },
	{ "rsh64 reg by 64", X64(RSH), 0x8000000000000000, 64, 0x8000000000000000 },
	{ "rsh32 uses the low half only", K32(RSH, 1), 0xffffffff80000000, 0, 0x40000000 },
	{ "rsh32 reg by 32", X32(RSH), 0xffffffff, 32, 0xffffffff },
	{ "arsh64 by 63", X64(ARSH), 0x8000000000000000, 63, 0xffffffffffffffff },
	{ "arsh64 imm by 68", K64(ARSH, 68), 0x8000000000000000, 0, 0xf800000000000000 },
	{ "arsh32 imm by 4", K32(ARSH, 4), 0x80000000, 0, 0xf8000000 },
	{ "arsh32 reg by 36", X32(ARSH), 0x1280000000, 36, 0xf8000000 },
	/* division by zero gives 0; modulo by zero keeps dst */
	{ "div64 reg by 0", X64(DIV), 12345, 0, 0 },
	{ "div64 imm by 0", K64(DIV, 0), 12345, 0, 0 },
	{ "div32 reg by 0", X32(DIV), 12345, 0, 0 },
	{ "div32 reg by 2^32 is by 0", X32(DIV), 12345, 0x100000000, 0 },
	{ "div64 imm -1 is by 2^64-1", K64(DIV, -1), 10, 0, 0 },
	{ "div64 imm -1 of all ones", K64(DIV, -1), 0xffffffffffffffff, 0, 1 },
	{ "div32 imm -1", K32(DIV, -1), 0xffffffff, 0, 1 },
	{ "div64 reg", X64(DIV), 0xffffffffffffffff, 3, 0x5555555555555555 },
	{ "mod64 reg by 0 keeps dst", X64(MOD), 0x1234567890, 0, 0x1234567890 },
	{ "mod64 imm by 0 keeps dst", K64(MOD, 0), 0x1234567890, 0, 0x1234567890 },
	{ "mod32 reg by 0 zero-extends dst", X32(MOD), 0x100000005, 0, 5 },
	{ "mod32 imm by 0 zero-extends dst", K32(MOD, 0), 0xffffffff00000007, 0, 7 },
	{ "mod32 reg", X32(MOD), 0x10000000b, 0xffffffff00000004, 3 },
	{ "mod64 imm -1", K64(MOD, -1), 0xffffffffffffffff, 0, 0 },
	/* signed division: INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0 */
	{ "sdiv64 INT64_MIN/-1", SX64(DIV, 1), 0x8000000000000000, (uint64_t)-1, 0x8000000000000000 },
	{ "smod64 INT64_MIN%-1", SX64(MOD, 1), 0x8000000000000000, (uint64_t)-1, 0 },
	{ "sdiv32 INT32_MIN/-1", SX32(DIV, 1), 0x80000000, 0xffffffff, 0x80000000 },
	{ "smod32 INT32_MIN%-1", SX32(MOD, 1), 0x80000000, 0xffffffff, 0 },
	{ "sdiv64 imm -1 of INT64_MIN", SK64(DIV, -1, 1), 0x8000000000000000, 0, 0x8000000000000000 },
	{ "sdiv64 -7/2", SX64(DIV, 1), (uint64_t)-7, 2, (uint64_t)-3 },
	{ "smod64 -7%2", SX64(MOD, 1), (uint64_t)-7, 2, (uint64_t)-1 },
	{ "smod64 7%-2", SX64(MOD, 1), 7, (uint64_t)-2, 1 },
	{ "sdiv32 -7/2 zero-extends", SX32(DIV, 1), 0xfffffff9, 2, 0xfffffffd },
	{ "smod32 -7%2 zero-extends", SX32(MOD, 1), 0xfffffff9, 2, 0xffffffff },
	{ "sdiv64 imm -2", SK64(DIV, -2, 1), 10, 0, (uint64_t)-5 },
	{ "sdiv32 imm -2", SK32(DIV, -2, 1), 10, 0, 0xfffffffb },
	{ "sdiv64 by 0", SX64(DIV, 1), 77, 0, 0 },
	{ "smod64 by 0 keeps dst", SX64(MOD, 1), (uint64_t)-77, 0, (uint64_t)-77 },
	{ "smod32 by 0 keeps low half", SX32(MOD, 1), 0xfffffffffffffff9, 0, 0xfffffff9 },
	{ "smod32 imm by 0", SK32(MOD, 0, 1), 0x1fffffff9, 0, 0xfffffff9 },
	{ "sdiv32 uses low halves", SX32(DIV, 1), 0x7700000010, 0x88fffffffe, 0xfffffff8 },
	/* negation */
	{ "neg64", INSN(0x87, 1, 0, 0, 0), 1, 0, 0xffffffffffffffff },
	{ "neg32", INSN(0x84, 1, 0, 0, 0), 1, 0, 0xffffffff },
	{ "neg32 INT32_MIN", INSN(0x84, 1, 0, 0, 0), 0x80000000, 0, 0x80000000 },
	{ "neg64 INT64_MIN", INSN(0x87, 1, 0, 0, 0), 0x8000000000000000, 0, 0x8000000000000000 },
	/* sign-extending moves (cpu v4) */
	{ "movsx64 s8", SX64(MOV, 8), 0, 0x1280, 0xffffffffffffff80 },
	{ "movsx64 s16", SX64(MOV, 16), 0, 0x128000, 0xffffffffffff8000 },
	{ "movsx64 s32", SX64(MOV, 32), 0, 0x80000000, 0xffffffff80000000 },
	{ "movsx64 s8 positive", SX64(MOV, 8), 0, 0xff7f, 0x7f },
	{ "movsx32 s8", SX32(MOV, 8), 0xffffffff00000000, 0x80, 0xffffff80 },
	{ "movsx32 s16", SX32(MOV, 16), 0, 0x8000, 0xffff8000 },
	/* byte order */
	{ "be16", INSN(0xdc, 1, 0, 0, 16), 0x1122334455667788, 0, 0x8877 },
	{ "be32", INSN(0xdc, 1, 0, 0, 32), 0x1122334455667788, 0, 0x88776655 },
	{ "be64", INSN(0xdc, 1, 0, 0, 64), 0x1122334455667788, 0, 0x8877665544332211 },
	{ "le16", INSN(0xd4, 1, 0, 0, 16), 0x1122334455667788, 0, 0x7788 },
	{ "le32", INSN(0xd4, 1, 0, 0, 32), 0x1122334455667788, 0, 0x55667788 },
	{ "le64", INSN(0xd4, 1, 0, 0, 64), 0x1122334455667788, 0, 0x1122334455667788 },
	{ "bswap16", INSN(0xd7, 1, 0, 0, 16), 0x1122334455667788, 0, 0x8877 },
	{ "bswap32", INSN(0xd7, 1, 0, 0, 32), 0x1122334455667788, 0, 0x88776655 },
	{ "bswap64", INSN(0xd7, 1, 0, 0, 64), 0x1122334455667788, 0, 0x8877665544332211 },
};

static void test_alu(void)
{
	for (size_t i = 0; i < sizeof(alu_cases) / sizeof(alu_cases[0]); i++) {
		const struct alu_case *c = &alu_cases[i];
		uint64_t r0 = exec(PROG(LD64(1, c->dst), LD64(2, c->src), c->op, MOV64_X(0, 1), EXIT()));
		T_EQ_U64(r0, c->want, c->what);
	}
}

struct jmp_case {
	const char *what;
	struct stackbpf_insn op;   /* compares r1 with r2 or imm, jumps +1 */
	uint64_t a, b;
	int taken;
};

static const struct jmp_case jmp_cases[] = {
	{ "jgt unsigned", JMP_X(JGT, 1, 2, 1), 0xffffffffffffffff, 1, 1 },
	{ "jsgt signed", JMP_X(JSGT, 1, 2, 1), 0xffffffffffffffff, 1, 0 },
	{ "jgt32 low halves", INSN(0x2e, 1, 2, 1, 0), 0x100000000, 1, 0 },
	{ "jgt64 full", JMP_X(JGT, 1, 2, 1), 0x100000000, 1, 1 },
	{ "jslt32 imm -1", INSN(0xc6, 1, 0, 1, -1), 0xfffffffe, 0, 1 },
	{ "jslt imm -1 (64-bit: 0xfffffffe is positive)", JMP_K(JSLT, 1, -1, 1), 0xfffffffe, 0, 0 },
	{ "jset imm sign-extended", JMP_K(JSET, 1, (int32_t)0x80000000, 1), 0x8000000000000000, 0, 1 },
	{ "jset32 imm", INSN(0x46, 1, 0, 1, (int32_t)0x80000000), 0x8000000000000000, 0, 0 },
	{ "jeq imm -1 vs all ones", JMP_K(JEQ, 1, -1, 1), 0xffffffffffffffff, 0, 1 },
	{ "jeq imm -1 vs 0xffffffff", JMP_K(JEQ, 1, -1, 1), 0xffffffff, 0, 0 },
	{ "jeq32 imm -1 vs 0xffffffff", INSN(0x16, 1, 0, 1, -1), 0x12ffffffff, 0, 1 },
	{ "jne", JMP_X(JNE, 1, 2, 1), 3, 3, 0 },
	{ "jge equal", JMP_X(JGE, 1, 2, 1), 3, 3, 1 },
	{ "jle", JMP_K(JLE, 1, 2, 1), 3, 0, 0 },
	{ "jlt", JMP_K(JLT, 1, 4, 1), 3, 0, 1 },
	{ "jsge negative", JMP_K(JSGE, 1, -5, 1), (uint64_t)-5, 0, 1 },
	{ "jsle", JMP_X(JSLE, 1, 2, 1), (uint64_t)-6, (uint64_t)-5, 1 },
	{ "jsgt32 reg", INSN(0x6e, 1, 2, 1, 0), 0x7fffffff, 0x80000000, 1 },
	{ "jsge32 reg", INSN(0x7e, 1, 2, 1, 0), 0x80000000, 0x7fffffff, 0 },
	{ "jlt32 reg", INSN(0xae, 1, 2, 1, 0), 0x500000001, 0x2, 1 },
	{ "jle32 imm", INSN(0xb6, 1, 0, 1, 1), 0x500000001, 0, 1 },
	{ "jne32 imm", INSN(0x56, 1, 0, 1, 1), 0x500000001, 0, 0 },
	{ "jsle32 imm", INSN(0xd6, 1, 0, 1, -1), 0x80000000, 0, 1 },
	{ "jge32 reg", INSN(0x3e, 1, 2, 1, 0), 1, 0x100000002, 0 },
	{ "jset32 reg", INSN(0x4e, 1, 2, 1, 0), 0x100000000, 0x100000000, 0 },
	{ "jeq32 reg", INSN(0x1e, 1, 2, 1, 0), 0x100000007, 0x200000007, 1 },
};

static void test_jumps(void)
{
	for (size_t i = 0; i < sizeof(jmp_cases) / sizeof(jmp_cases[0]); i++) {
		const struct jmp_case *c = &jmp_cases[i];
		uint64_t r0 = exec(PROG(MOV64_K(0, 0), LD64(1, c->a), LD64(2, c->b), c->op, EXIT(),
					MOV64_K(0, 1), EXIT()));
		T_EQ_U64(r0, c->taken, c->what);
	}
	/* the same after `r1 += 5`: add + jump run as one loop-latch
	 * superinstruction in both engines */
	for (size_t i = 0; i < sizeof(jmp_cases) / sizeof(jmp_cases[0]); i++) {
		const struct jmp_case *c = &jmp_cases[i];
		uint64_t r0 = exec(PROG(MOV64_K(0, 0), LD64(1, c->a - 5), LD64(2, c->b), ALU64_K(0x00, 1, 5), c->op,
					EXIT(), MOV64_K(0, 1), EXIT()));
		char what[96];
		snprintf(what, sizeof(what), "%s after an add", c->what);
		T_EQ_U64(r0, c->taken, what);
	}
	/* a jump straight to the jump of a latch pair */
	T_EQ_U64(exec(PROG(MOV64_K(1, 0), JA(1), ALU64_K(0x00, 1, 1), JMP_K(0x50, 1, 5, -2), MOV64_X(0, 1), EXIT())),
		 5, "jump into a loop latch");
	T_EQ_U64(exec(PROG(MOV64_K(0, 0), MOV64_K(1, 0), ALU64_K(0x00, 0, 3), ALU64_K(0x00, 1, 1),
			   JMP_K(0x50, 1, 10, -3), EXIT())),
		 30, "counted loop");
	/* gotol (JA32) with a 32-bit offset, and ja backwards */
	T_EQ_U64(exec(PROG(MOV64_K(0, 1), INSN(0x06, 0, 0, 0, 2), MOV64_K(0, 2), EXIT(), JA(-3))), 2,
		 "gotol forward, ja back");
}

static void test_memory(void)
{
	/* sizes, zero and sign extension, unaligned stack access */
	T_EQ_U64(exec(PROG(LD64(1, 0x8899aabbccddeeff), STXDW(10, 1, -8), INSN(0x71, 0, 10, -8, 0), EXIT())),
		 0xff, "ldxb");
	T_EQ_U64(exec(PROG(LD64(1, 0x8899aabbccddeeff), STXDW(10, 1, -8), INSN(0x91, 0, 10, -8, 0), EXIT())),
		 0xffffffffffffffff, "ldxsb sign-extends");
	T_EQ_U64(exec(PROG(LD64(1, 0x8899aabbccddeeff), STXDW(10, 1, -8), INSN(0x89, 0, 10, -6, 0), EXIT())),
		 0xffffffffffffccdd, "ldxsh at -6");
	T_EQ_U64(exec(PROG(LD64(1, 0x8899aabbccddeeff), STXDW(10, 1, -8), INSN(0x81, 0, 10, -4, 0), EXIT())),
		 0xffffffff8899aabb, "ldxsw");
	T_EQ_U64(exec(PROG(LD64(1, 0x8899aabbccddeeff), STXDW(10, 1, -8), INSN(0x61, 0, 10, -4, 0), EXIT())),
		 0x8899aabb, "ldxw zero-extends");
	T_EQ_U64(exec(PROG(LD64(1, 0x8899aabbccddeeff), STXDW(10, 1, -8), INSN(0x69, 0, 10, -7, 0), EXIT())),
		 0xddee, "ldxh unaligned");
	T_EQ_U64(exec(PROG(STDW(10, -8, -2), LDXDW(0, 10, -8), EXIT())), 0xfffffffffffffffe,
		 "stdw imm sign-extends");
	T_EQ_U64(exec(PROG(STDW(10, -8, 0), INSN(0x62, 10, 0, -8, -2), LDXDW(0, 10, -8), EXIT())), 0xfffffffe,
		 "stw");
	T_EQ_U64(exec(PROG(STDW(10, -8, 0), INSN(0x6a, 10, 0, -7, 0x12345), LDXDW(0, 10, -8), EXIT())),
		 0x234500, "sth truncates, unaligned");
	T_EQ_U64(exec(PROG(STDW(10, -8, -1), MOV64_K(1, 0x1234), INSN(0x73, 10, 1, -8, 0), LDXDW(0, 10, -8),
			   EXIT())), 0xffffffffffffff34, "stxb");
	T_EQ_U64(exec(PROG(STDW(10, -8, -1), MOV64_K(1, 0x1234), INSN(0x6b, 10, 1, -2, 0), LDXDW(0, 10, -8),
			   EXIT())), 0x1234ffffffffffff, "stxh");
	T_EQ_U64(exec(PROG(STDW(10, -8, -1), MOV64_K(1, 0), INSN(0x63, 10, 1, -8, 0), LDXDW(0, 10, -8),
			   EXIT())), 0xffffffff00000000, "stxw");
	T_EQ_U64(exec(PROG(LD64(0, 0x123456789abcdef0), EXIT())), 0x123456789abcdef0, "ld_imm64");
	T_EQ_U64(exec(PROG(LD64(0, 0xffffffff80000000), EXIT())), 0xffffffff80000000, "ld_imm64 halves");

	/* the input memory: r1 = pointer, r2 = length */
	uint8_t mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct run_result r = run_both(PROG(INSN(0x61, 0, 1, 4, 0), ALU64_X(0x00, 0, 2), STXDW(1, 0, 0), EXIT()),
				       mem, sizeof(mem));
	T_EQ_U64(r.r0, 0x0807060d, "input load + length");
	T_EQ_U64(mem[0], 0x0d, "input store");
	T_EQ_U64(exec(PROG(MOV64_X(0, 1), EXIT())), 0, "r1 = NULL without memory");
}

/* run an atomic on a stack u64 initialised to `init` with r1 = src value and
 * r0 = r0init; returns mem, and the registers through *src_out / *r0_out */
static uint64_t atomic_run(struct stackbpf_insn op, uint64_t init, uint64_t src, uint64_t r0init, uint64_t *src_out,
			   uint64_t *r0_out)
{
	/* r6 collects: [r10-8] after the op; r7 = r1 after; r8 = r0 after */
	uint64_t mem_after = exec(PROG(LD64(2, init), STXDW(10, 2, -8), LD64(1, src), LD64(0, r0init), op,
				       MOV64_X(7, 1), MOV64_X(8, 0), LDXDW(0, 10, -8), EXIT()));
	*src_out = exec(PROG(LD64(2, init), STXDW(10, 2, -8), LD64(1, src), LD64(0, r0init), op,
			     MOV64_X(0, 1), EXIT()));
	*r0_out = exec(PROG(LD64(2, init), STXDW(10, 2, -8), LD64(1, src), LD64(0, r0init), op, EXIT()));
	return mem_after;
}

struct atomic_case {
	const char *what;
	uint8_t code;
	int32_t imm;
	int16_t off;
	uint64_t init, src, r0;
	uint64_t want_mem, want_src, want_r0;
};

static const struct atomic_case atomic_cases[] = {
	{ "add64", 0xdb, 0x00, -8, 10, 5, 0, 15, 5, 0 },
	{ "fetch add64", 0xdb, 0x01, -8, 10, 5, 0, 15, 10, 0 },
	{ "add32 leaves high half", 0xc3, 0x00, -8, 0x11111111ffffffff, 1, 0, 0x1111111100000000, 1, 0 },
	{ "fetch add32 zero-extends", 0xc3, 0x01, -8, 0xffffffff, 0xff00000001, 0, 0, 0xffffffff, 0 },
	{ "or64", 0xdb, 0x40, -8, 0xf0, 0x0f, 0, 0xff, 0x0f, 0 },
	{ "fetch or64", 0xdb, 0x41, -8, 0xf0, 0x0f, 0, 0xff, 0xf0, 0 },
	{ "and64", 0xdb, 0x50, -8, 0xff, 0x0f, 0, 0x0f, 0x0f, 0 },
	{ "fetch and32", 0xc3, 0x51, -8, 0xffff0000000000ff, 0x0f, 0, 0xffff00000000000f, 0xff, 0 },
	{ "xor64", 0xdb, 0xa0, -8, 0xff, 0x0f, 0, 0xf0, 0x0f, 0 },
	{ "fetch xor64", 0xdb, 0xa1, -8, 0xff, 0x0f, 0, 0xf0, 0xff, 0 },
	{ "fetch or32 at +4", 0xc3, 0x41, -4, 0x00000001ffffffff, 2, 0, 0x00000003ffffffff, 1, 0 },
	{ "xchg64", 0xdb, 0xe1, -8, 7, 9, 0, 9, 7, 0 },
	{ "xchg32", 0xc3, 0xe1, -8, 0xaaaaaaaa00000007, 0xbb00000009, 0, 0xaaaaaaaa00000009, 7, 0 },
	{ "cmpxchg64 equal", 0xdb, 0xf1, -8, 5, 9, 5, 9, 9, 5 },
	{ "cmpxchg64 differ", 0xdb, 0xf1, -8, 5, 9, 6, 5, 9, 5 },
	{ "cmpxchg32 compares low halves", 0xc3, 0xf1, -8, 0xcc00000005, 9, 0xffffffff00000005, 0xcc00000009, 9, 5 },
	{ "cmpxchg32 differ", 0xc3, 0xf1, -8, 0xcc00000005, 9, 6, 0xcc00000005, 9, 5 },
	{ "store_release64", 0xdb, 0x110, -8, 0, 0x1122334455667788, 0, 0x1122334455667788,
	  0x1122334455667788, 0 },
	{ "store_release8", 0xd3, 0x110, -8, 0xffffffffffffffff, 0x1234, 0, 0xffffffffffffff34, 0x1234, 0 },
	{ "store_release16", 0xcb, 0x110, -8, 0, 0xabcdef, 0, 0xcdef, 0xabcdef, 0 },
};

static void test_atomics(void)
{
	for (size_t i = 0; i < sizeof(atomic_cases) / sizeof(atomic_cases[0]); i++) {
		const struct atomic_case *c = &atomic_cases[i];
		uint64_t src, r0;
		uint64_t m = atomic_run(INSN(c->code, 10, 1, c->off, c->imm), c->init, c->src, c->r0, &src, &r0);
		char what[96];
		snprintf(what, sizeof(what), "%s: memory", c->what);
		T_EQ_U64(m, c->want_mem, what);
		snprintf(what, sizeof(what), "%s: src register", c->what);
		T_EQ_U64(src, c->want_src, what);
		snprintf(what, sizeof(what), "%s: r0", c->what);
		T_EQ_U64(r0, c->want_r0, what);
	}
	/* load-acquire: dst = *(src + off), zero-extended */
	T_EQ_U64(exec(PROG(STDW(10, -8, -2), INSN(0xdb, 0, 10, -8, 0x100), EXIT())), 0xfffffffffffffffe,
		 "load_acquire64");
	T_EQ_U64(exec(PROG(STDW(10, -8, -2), INSN(0xc3, 0, 10, -8, 0x100), EXIT())), 0xfffffffe,
		 "load_acquire32");
	T_EQ_U64(exec(PROG(STDW(10, -8, -2), INSN(0xcb, 0, 10, -8, 0x100), EXIT())), 0xfffe, "load_acquire16");
	T_EQ_U64(exec(PROG(STDW(10, -8, -2), INSN(0xd3, 0, 10, -7, 0x100), EXIT())), 0xff, "load_acquire8");
}

int main(void)
{
	test_alu();
	test_jumps();
	test_memory();
	test_atomics();
	stackbpf_host__free(t_host);
	return t_done();
}
