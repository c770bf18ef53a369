/* test_jit_harden.c - constant blinding (stackbpf_vm_opts.harden): a program
 * using distinctive immediates in every immediate form (ALU64/ALU32 ops, mov,
 * mul, div, mod, shifts, conditional jumps, stores, a stack argument, a
 * 64-bit constant, a packet load) compiles to native code that contains none
 * of them as 4 bytes, while the unhardened code does; both give the
 * interpreter's result, and two hardened compilations use different keys. */
#include <inttypes.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

#define INSN(c, d, s, o, i) ((struct stackbpf_insn){ .code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) })

static const int32_t imms[] = {
	0x13572468, 0x2468ace0, 0x11223344, 0x0badcafe, 0x1c2d3e4f, 0x7a6b5c4d, 0x1f2e3d4c, 0x35353535,
	0x5eadbeef, 0x6c6c6c6c, 0x0f0e0d0c, 0x55667788, 0x11112222,
};

static const struct stackbpf_insn prog[] = {
	INSN(0xb7, 0, 0, 0, 0x13572468),      /* r0 = imm */
	INSN(0x07, 0, 0, 0, 0x2468ace0),      /* r0 += imm */
	INSN(0x04, 0, 0, 0, 0x11223344),      /* w0 += imm */
	INSN(0xa7, 0, 0, 0, 0x0badcafe),      /* r0 ^= imm */
	INSN(0x27, 0, 0, 0, 0x1c2d3e4f),      /* r0 *= imm */
	INSN(0x37, 0, 0, 0, 0x7a6b5c4d),      /* r0 /= imm */
	INSN(0x97, 0, 0, 0, 0x1f2e3d4c),      /* r0 %= imm */
	INSN(0x67, 0, 0, 0, 7),               /* r0 <<= 7 */
	INSN(0x55, 0, 0, 1, 0x35353535),      /* if r0 != imm goto +1 */
	INSN(0xb7, 0, 0, 0, 1),
	INSN(0x7a, 10, 0, -8, 0x5eadbeef),    /* *(u64 *)(r10 - 8) = imm */
	INSN(0x79, 1, 10, -8, 0),
	INSN(0x0f, 0, 1, 0, 0),               /* r0 += r1 */
	INSN(0x18, 2, 0, 0, 0x0f0e0d0c), INSN(0, 0, 0, 0, 0x55667788),   /* r2 = 0x556677880f0e0d0c */
	INSN(0x0f, 0, 2, 0, 0),
	INSN(0x16, 0, 0, 1, 0x6c6c6c6c),      /* if w0 == imm goto +1 */
	INSN(0x07, 0, 0, 0, 0x11112222),
	INSN(0xbf, 6, 0, 0, 0),               /* r6 = r0 */
	INSN(0xb7, 1, 0, 0, 5),
	INSN(0x7a, 11, 0, -8, 0x6c6c6c6c),    /* stack argument 6 = imm */
	INSN(0x85, 0, 1, 0, 2),               /* call sub */
	INSN(0x0f, 0, 6, 0, 0),               /* r0 += r6 */
	INSN(0x95, 0, 0, 0, 0),
	INSN(0x79, 0, 11, 8, 0),              /* sub: r0 = argument 6 */
	INSN(0x95, 0, 0, 0, 0),
};
#define NPROG (sizeof(prog) / sizeof(prog[0]))

static int contains(const uint8_t *code, size_t size, int32_t imm)
{
	for (size_t k = 0; k + 4 <= size; k++)
		if (memcmp(code + k, &imm, 4) == 0)
			return 1;
	return 0;
}

static struct stackbpf_vm *make(struct stackbpf_prog *p, enum stackbpf_engine engine, bool harden)
{
	STACKBPF_OPTS(stackbpf_vm_opts, o, .engine = engine, .harden = harden);
	return stackbpf_vm__new(p, &o);
}

int main(void)
{
	struct stackbpf_prog *p = stackbpf_prog__from_insns(prog, NPROG);
	struct stackbpf_vm *interp = make(p, STACKBPF_ENGINE_INTERP, false);
	struct stackbpf_vm *plain = make(p, STACKBPF_ENGINE_JIT, false);
	struct stackbpf_vm *hard = make(p, STACKBPF_ENGINE_JIT, true);
	struct stackbpf_vm *hard2 = make(p, STACKBPF_ENGINE_JIT, true);
	if (!p || !interp || !plain || !hard || !hard2)
		return 2;
	size_t psize, hsize, h2size;
	const uint8_t *pcode = stackbpf_vm__jit_code(plain, &psize);
	const uint8_t *hcode = stackbpf_vm__jit_code(hard, &hsize);
	const uint8_t *h2code = stackbpf_vm__jit_code(hard2, &h2size);
	T_OK(pcode && hcode && h2code, "compiled");
	if (!pcode || !hcode || !h2code)
		return t_done();
	for (size_t k = 0; k < sizeof(imms) / sizeof(imms[0]); k++) {
		T_OK(contains(pcode, psize, imms[k]), "plain code holds 0x%08" PRIx32, (uint32_t)imms[k]);
		T_OK(!contains(hcode, hsize, imms[k]), "hardened code hides 0x%08" PRIx32, (uint32_t)imms[k]);
	}
	T_OK(hsize == h2size && memcmp(hcode, h2code, hsize) != 0, "two hardened compilations differ (keys)");
	uint64_t want = 0, got = 0, got2 = 0, got3 = 0;
	T_EQ_U64(stackbpf_vm__run(interp, NULL, 0, &want), 0, "interpreter");
	T_EQ_U64(stackbpf_vm__run(plain, NULL, 0, &got), 0, "plain jit");
	T_EQ_U64(stackbpf_vm__run(hard, NULL, 0, &got2), 0, "hardened jit");
	T_EQ_U64(stackbpf_vm__run(hard2, NULL, 0, &got3), 0, "hardened jit 2");
	T_EQ_U64(got, want, "plain = interpreter");
	T_EQ_U64(got2, want, "hardened = interpreter");
	T_EQ_U64(got3, want, "hardened (other key) = interpreter");
	stackbpf_vm__free(interp);
	stackbpf_vm__free(plain);
	stackbpf_vm__free(hard);
	stackbpf_vm__free(hard2);
	stackbpf_prog__free(p);
	return t_done();
}
