/* opcodes.c - the form table (from opcodes.def) and instruction decoding. */
#include "opcodes.h"

#include <pthread.h>
#include <string.h>

const struct sbpf_opinfo sbpf_opinfo[SBPF_NFORMS] = {
#define X(ID, CODE, MATCH, MVAL, SHAPE, CPU, GROUP, TOK, CONF) \
	{ #ID, CODE, MATCH, MVAL, SHAPE, CPU, GROUP, TOK, CONF },
#include "opcodes.def"
#undef X
};

const uint8_t sbpf_shape_uses[SBPF_NSHAPES] = {
	[S_ALU_K] = F_DST | F_IMM,
	[S_ALU_X] = F_DST | F_SRC,
	[S_NEG] = F_DST,
	[S_END] = F_DST,
	[S_MOVSX] = F_DST | F_SRC,
	[S_LD_IMM64] = F_DST | F_IMM,
	[S_LD_ABS] = F_IMM,
	[S_LD_IND] = F_SRC | F_IMM,
	[S_LDX] = F_DST | F_SRC | F_OFF,
	[S_ST] = F_DST | F_OFF | F_IMM,
	[S_STX] = F_DST | F_SRC | F_OFF,
	[S_ATOMIC] = F_DST | F_SRC | F_OFF,
	[S_ATOMIC_FETCH] = F_DST | F_SRC | F_OFF,
	[S_XCHG] = F_DST | F_SRC | F_OFF,
	[S_CMPXCHG] = F_DST | F_SRC | F_OFF,
	[S_LOAD_ACQ] = F_DST | F_SRC | F_OFF,
	[S_STORE_REL] = F_DST | F_SRC | F_OFF,
	[S_JA] = F_OFF,
	[S_JA32] = F_IMM,
	[S_JCC_K] = F_DST | F_OFF | F_IMM,
	[S_JCC_X] = F_DST | F_SRC | F_OFF,
	[S_CALL] = F_IMM,
	[S_CALL_LOCAL] = F_IMM,
	[S_CALL_KFUNC] = F_IMM | F_OFF,   /* off: BTF fd index, as Linux */
	[S_CALLX] = F_DST,
	[S_EXIT] = 0,
	[S_MAY_GOTO] = F_OFF,
	[S_ARG_LDX] = F_DST | F_SRC | F_OFF,
	[S_ARG_STX] = F_DST | F_SRC | F_OFF,
	[S_ARG_ST] = F_DST | F_OFF | F_IMM,
};

static int form_matches(const struct sbpf_opinfo *o, const struct stackbpf_insn *in)
{
	switch (o->match) {
	case M_IMM: return in->imm == o->mval;
	case M_OFF: return in->off == o->mval;
	case M_SRC: return in->src == o->mval;
	case M_SRC11: return in->src == SBPF_REG_PARAMS;
	case M_DST11: return in->dst == SBPF_REG_PARAMS;
	default: return 1;
	}
}

void sbpf_form_encode(enum sbpf_form f, struct stackbpf_insn *in)
{
	const struct sbpf_opinfo *o = &sbpf_opinfo[f];
	in->code = o->code;
	switch (o->match) {
	case M_IMM: in->imm = o->mval; break;
	case M_OFF: in->off = (int16_t)o->mval; break;
	case M_SRC: in->src = (uint8_t)o->mval; break;
	case M_SRC11: in->src = SBPF_REG_PARAMS; break;
	case M_DST11: in->dst = SBPF_REG_PARAMS; break;
	default: break;
	}
}

/* Decode index, built once: the forms sharing each opcode byte, chained in
 * table order, so the first match is the same as a scan of the whole table. */
static int16_t dec_head[256];
static int16_t dec_next[SBPF_NFORMS];
static pthread_once_t dec_once = PTHREAD_ONCE_INIT;

static void dec_build(void)
{
	int16_t tail[256];
	for (int c = 0; c < 256; c++)
		dec_head[c] = tail[c] = -1;
	for (int f = 0; f < SBPF_NFORMS; f++) {
		uint8_t c = sbpf_opinfo[f].code;
		dec_next[f] = -1;
		if (tail[c] < 0)
			dec_head[c] = (int16_t)f;
		else
			dec_next[tail[c]] = (int16_t)f;
		tail[c] = (int16_t)f;
	}
}

enum sbpf_form sbpf_decode(const struct stackbpf_insn *insn)
{
	pthread_once(&dec_once, dec_build);
	for (int f = dec_head[insn->code]; f >= 0; f = dec_next[f])
		if (form_matches(&sbpf_opinfo[f], insn))
			return (enum sbpf_form)f;
	return SBPF_OP_INVALID;
}

const struct sbpf_helper_name sbpf_helper_names[] = {
#define H(ID, NAME, NARGS) { ID, #NAME, NARGS },
#include "helpers.def"
#undef H
};
const size_t sbpf_helper_name_cnt = sizeof(sbpf_helper_names) / sizeof(sbpf_helper_names[0]);

const char *sbpf_helper_name(int32_t id)
{
	for (size_t i = 0; i < sbpf_helper_name_cnt; i++)
		if (sbpf_helper_names[i].id == id)
			return sbpf_helper_names[i].name;
	return NULL;
}

int32_t sbpf_helper_id(const char *name)
{
	for (size_t i = 0; i < sbpf_helper_name_cnt; i++) {
		const char *n = sbpf_helper_names[i].name;
		if (strcmp(n, name) == 0 || strcmp(n + 4, name) == 0)
			return sbpf_helper_names[i].id;
	}
	return -1;
}
