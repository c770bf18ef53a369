/* forms.h - test instances of every instruction form of opcodes.def.
 *
 * gen_form() builds variant v of form f with operand values taken from small
 * tables (registers, negative and extreme offsets and immediates), so the text
 * tests cover every row of the table without listing opcodes again. */
#ifndef TEST_TEXT_FORMS_H
#define TEST_TEXT_FORMS_H

#include <stdint.h>
#include <string.h>
#include "isa/opcodes.h"

enum { GEN_VARIANTS = 7 };

/* llvm != 0 keeps to what LLVM's syntax can say: skb[rS] without an addend,
 * 32-bit ld_pseudo values, local calls whose target is an instruction. */
static int gen_form(enum sbpf_form f, int v, int llvm, struct stackbpf_insn out[2])
{
	static const int regs[] = { 1, 0, 10, 5, 9, 2, 7 };
	static const int16_t offs[] = { 8, -8, 0, 32767, -32768, 0x100, -1 };
	static const int32_t imms[] = { 5, -1, 0, 0x7fffffff, INT32_MIN, 100, -4096 };
	static const uint64_t imm64s[] = { 0x1122334455667788ull, ~0ull, 0, 5, 0x80000000ull,
					   0xffffffff00000000ull, 0x100000000ull };
	const struct sbpf_opinfo *o = &sbpf_opinfo[f];
	unsigned uses = sbpf_shape_uses[o->shape];
	memset(out, 0, 2 * sizeof(*out));
	struct stackbpf_insn *in = &out[0];
	in->code = o->code;
	if (uses & F_DST)
		in->dst = (uint8_t)regs[v % 7];
	if (uses & F_SRC)
		in->src = (uint8_t)regs[(v + 3) % 7];
	if (uses & F_OFF)
		in->off = offs[v % 7];
	if (uses & F_IMM)
		in->imm = imms[v % 7];
	switch (o->shape) {
	case S_ARG_LDX: in->off = (int16_t)(8 * (1 + v % 7)); break;
	case S_ARG_STX: case S_ARG_ST: in->off = (int16_t)(-8 * (1 + v % 7)); break;
	case S_CALL_LOCAL: if (llvm) in->imm = v % 2 ? -1 : 0; break;
	case S_CALL_KFUNC: in->off = 0; in->imm = 1 + v; break;
	case S_LD_IND: if (llvm) in->imm = 0; break;
	case S_LD_IMM64: {
		uint64_t x = imm64s[v % 7];
		if (llvm && o->mval != SBPF_PSEUDO_NONE)
			x &= 0xffffffffu;
		in->imm = (int32_t)(uint32_t)x;
		out[1].imm = (int32_t)(uint32_t)(x >> 32);
		break;
	}
	default: break;
	}
	sbpf_form_encode(f, in);
	return sbpf_form_is_wide(f) ? 2 : 1;
}

static void hex_insns(char *buf, size_t sz, const struct stackbpf_insn *in, size_t n)
{
	const uint8_t *b = (const uint8_t *)in;
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n * 8 && len + 4 < sz; i++)
		len += (size_t)snprintf(buf + len, sz - len, "%02x%s", b[i], i % 8 == 7 ? " | " : " ");
}

#endif
