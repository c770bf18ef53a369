/* test_jit_encode.c - exact bytes: the encoder's instruction forms (shortest
 * immediates, REX for byte registers, rbp/r13/rsp/r12 addressing, VEX shlx),
 * and the code the JIT emits for a few BPF instructions (no redundant moves,
 * short and long jumps, division by constants without div). */
#include <stdlib.h>

#include "jit/jit.h"
#include "jit/x86_emit.h"
#include "testlib.h"

#define INSN(c, d, s, o, i) ((struct stackbpf_insn){ .code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) })
#define EXIT() INSN(0x95, 0, 0, 0, 0)

/* "48 83 c7 ff" for the bytes of b */
static const char *hex(const uint8_t *p, size_t n)
{
	static char buf[512];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 4 < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, i ? " %02x" : "%02x", p[i]);
	return buf;
}

static struct x86_buf b;
#define ENC(stmt, want) do { b.len = 0; stmt; T_EQ_STR(hex(b.p, b.len), want, #stmt); } while (0)

static void encoder(void)
{
	ENC(x86_mov_ri(&b, RAX, 0), "31 c0");
	ENC(x86_mov_ri(&b, R9, 1), "41 b9 01 00 00 00");
	ENC(x86_mov_ri(&b, RDI, UINT64_MAX), "48 c7 c7 ff ff ff ff");
	ENC(x86_mov_ri(&b, RAX, 0x1122334455667788ull), "48 b8 88 77 66 55 44 33 22 11");
	ENC(x86_mov_ri(&b, R15, 0x80000000ull), "41 bf 00 00 00 80");
	ENC(x86_mov_rr(&b, true, R13, RDI), "49 89 fd");
	ENC(x86_mov_rr(&b, false, RAX, RAX), "89 c0");
	ENC(x86_alu_ri(&b, true, A_ADD, RDI, -1), "48 83 c7 ff");
	ENC(x86_alu_ri(&b, true, A_SUB, RAX, 1000), "48 2d e8 03 00 00");
	ENC(x86_alu_ri(&b, false, A_CMP, R13, 200), "41 81 fd c8 00 00 00");
	ENC(x86_alu_rr(&b, true, A_XOR, RAX, RDI), "48 31 f8");
	ENC(x86_test_ri(&b, false, RAX, 0x100), "a9 00 01 00 00");
	ENC(x86_shift_ri(&b, true, SH_SAR, RBX, 1), "48 d1 fb");
	ENC(x86_shift_ri(&b, false, SH_SHL, R8, 31), "41 c1 e0 1f");
	ENC(x86_shift_rcl(&b, true, SH_SHR, RSI), "48 d3 ee");
	ENC(x86_shiftx(&b, true, SH_SHL, RAX, RAX, RCX), "c4 e2 f1 f7 c0");
	ENC(x86_shiftx(&b, false, SH_SAR, R13, RDI, R8), "c4 62 3a f7 ef");
	ENC(x86_load(&b, 1, false, RAX, RSI, 0), "0f b6 06");
	ENC(x86_load(&b, 8, false, RBX, RBP, -8), "48 8b 5d f8");
	ENC(x86_load(&b, 8, false, RAX, R13, 0), "49 8b 45 00");
	ENC(x86_load(&b, 8, false, RAX, R12, 0), "49 8b 04 24");
	ENC(x86_load(&b, 4, true, RDX, RDI, 0x1000), "48 63 97 00 10 00 00");
	ENC(x86_load(&b, 2, true, RCX, RSP, 16), "48 0f bf 4c 24 10");
	ENC(x86_store_r(&b, 1, RDI, 0, RSI), "40 88 37");
	ENC(x86_store_r(&b, 8, RSP, 8, R9), "4c 89 4c 24 08");
	ENC(x86_store_i(&b, 2, RBP, -2, 0x1234), "66 c7 45 fe 34 12");
	ENC(x86_store_i(&b, 8, RSP, 0, -5), "48 c7 04 24 fb ff ff ff");
	ENC(x86_op_rm(&b, X_LOCK | X_W, 0x0fc1, RSI, RDI, 8), "f0 48 0f c1 77 08");
	ENC(x86_push(&b, R12), "41 54");
	ENC(x86_pop(&b, RBX), "5b");
	ENC(x86_call_r(&b, R11), "41 ff d3");
	free(b.p);
}

/* the native bytes of BPF instruction `idx` */
static const char *insn_code(const struct stackbpf_insn *insns, size_t cnt, size_t idx)
{
	static char out[512];
	char err[256];
	struct sbpf_jit *jit = sbpf_jit_compile(insns, cnt, NULL, 1000, NULL, err, sizeof(err));
	if (!jit) {
		snprintf(out, sizeof(out), "(%s)", err);
		return out;
	}
	size_t end = idx + 1 < cnt ? jit->block_off[idx + 1] : jit->stubs_off;
	snprintf(out, sizeof(out), "%s", hex(jit->code + jit->insn_off[idx], end - jit->insn_off[idx]));
	sbpf_jit_free(jit);
	return out;
}

#define PROG(...) ((const struct stackbpf_insn[]){ __VA_ARGS__ }), \
	(sizeof((const struct stackbpf_insn[]){ __VA_ARGS__ }) / sizeof(struct stackbpf_insn))

static void translation(void)
{
	/* r0 = r1 ; r0 = r0 (nothing) ; w0 = w0 (zero-extends) ; r0 += 5 */
	T_EQ_STR(insn_code(PROG(INSN(0xbf, 0, 1, 0, 0), EXIT()), 0), "48 89 f8", "mov64 r0, r1");
	T_EQ_STR(insn_code(PROG(INSN(0xbf, 0, 0, 0, 0), EXIT()), 0), "", "r0 = r0 emits nothing");
	T_EQ_STR(insn_code(PROG(INSN(0xbc, 0, 0, 0, 0), EXIT()), 0), "89 c0", "w0 = w0 zero-extends");
	T_EQ_STR(insn_code(PROG(INSN(0x07, 0, 0, 0, 5), EXIT()), 0), "48 83 c0 05", "r0 += 5 imm8");
	/* r6 (rbx) r7 (r13) r8 (r14) r9 (r15) */
	T_EQ_STR(insn_code(PROG(INSN(0x0f, 7, 6, 0, 0), INSN(0xbf, 0, 7, 0, 0), EXIT()), 0), "49 01 dd",
		 "r7 += r6");
	/* unsigned division and modulo by powers of two: shift and mask */
	T_EQ_STR(insn_code(PROG(INSN(0x37, 0, 0, 0, 8), EXIT()), 0), "48 c1 e8 03", "r0 /= 8");
	T_EQ_STR(insn_code(PROG(INSN(0x97, 0, 0, 0, 16), EXIT()), 0), "48 83 e0 0f", "r0 %= 16");
	T_EQ_STR(insn_code(PROG(INSN(0x37, 0, 0, 0, 0), EXIT()), 0), "31 c0", "r0 /= 0 is 0");
	T_EQ_STR(insn_code(PROG(INSN(0x97, 0, 0, 0, 0), EXIT()), 0), "", "r0 %= 0 keeps r0");
	T_EQ_STR(insn_code(PROG(INSN(0x94, 0, 0, 0, 0), EXIT()), 0), "89 c0", "w0 %= 0 zero-extends");
	T_EQ_STR(insn_code(PROG(INSN(0x37, 0, 0, 1, -1), EXIT()), 0), "48 f7 d8", "r0 s/= -1 is neg");
	/* shift by an immediate is masked; 32-bit shift by 0 still zero-extends */
	T_EQ_STR(insn_code(PROG(INSN(0x67, 0, 0, 0, 65), EXIT()), 0), "48 d1 e0", "r0 <<= 65 is << 1");
	T_EQ_STR(insn_code(PROG(INSN(0x64, 0, 0, 0, 32), EXIT()), 0), "89 c0", "w0 <<= 32 is zext");
	/* byte swaps */
	T_EQ_STR(insn_code(PROG(INSN(0xdc, 0, 0, 0, 16), EXIT()), 0), "66 c1 c8 08 0f b7 c0", "be16 r0");
	T_EQ_STR(insn_code(PROG(INSN(0xd7, 7, 0, 0, 64), INSN(0xbf, 0, 7, 0, 0), EXIT()), 0), "49 0f cd",
		 "bswap64 r7");
	/* stack arguments: arg 6 is r9, arg 7 is [rsp] */
	T_EQ_STR(insn_code(PROG(INSN(0x7b, 11, 1, -8, 0), INSN(0x7b, 11, 2, -16, 0), EXIT()), 0), "49 89 f9",
		 "arg6 = r1");
	T_EQ_STR(insn_code(PROG(INSN(0x7b, 11, 1, -8, 0), INSN(0x7b, 11, 2, -16, 0), EXIT()), 1),
		 "48 89 34 24", "arg7 = r2");
	/* a short conditional jump, then one over 40 * 6 bytes: long */
	T_EQ_STR(insn_code(PROG(INSN(0x15, 1, 0, 1, 0), INSN(0xb7, 0, 0, 0, 1), EXIT()), 0), "48 85 ff 74 05",
		 "if r1 == 0 goto +1: test, short je");
	struct stackbpf_insn big[42];
	big[0] = INSN(0x15, 1, 0, 40, 0);
	for (int i = 1; i <= 40; i++)
		big[i] = INSN(0x07, 0, 0, 0, 100000);
	big[41] = EXIT();
	T_EQ_STR(insn_code(big, 42, 0), "48 85 ff 0f 84 f0 00 00 00", "if r1 == 0 goto +40: long je");
	/* may_goto: the budget lives in r12 */
	T_EQ_STR(insn_code(PROG(INSN(0xe5, 0, 0, 1, 0), INSN(0xb7, 0, 0, 0, 1), EXIT()), 0),
		 "4d 85 e4 74 08 49 ff cc", "may_goto +1");
}

int main(void)
{
	encoder();
	translation();
	return t_done();
}
