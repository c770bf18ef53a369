/* opcodes.h - the instruction-form table generated from opcodes.def, and the decoder.
 *
 * A "form" is one row of opcodes.def: an opcode byte plus, where several forms
 * share a byte, the value of the field that tells them apart. */
#ifndef SBPF_OPCODES_H
#define SBPF_OPCODES_H

#include "insn.h"

enum sbpf_form {
#define X(ID, CODE, MATCH, MVAL, SHAPE, CPU, GROUP, TOK, CONF) SBPF_OP_##ID,
#include "opcodes.def"
#undef X
	SBPF_NFORMS,
	SBPF_OP_INVALID = -1,
};

/* which field distinguishes forms sharing an opcode byte */
enum sbpf_match { M_NONE, M_IMM, M_OFF, M_SRC, M_SRC11, M_DST11 };

/* operand shapes: how a form is written, and which fields it uses */
enum sbpf_shape {
	S_ALU_K, S_ALU_X, S_NEG, S_END, S_MOVSX,
	S_LD_IMM64, S_LD_ABS, S_LD_IND,
	S_LDX, S_ST, S_STX,
	S_ATOMIC, S_ATOMIC_FETCH, S_XCHG, S_CMPXCHG, S_LOAD_ACQ, S_STORE_REL,
	S_JA, S_JA32, S_JCC_K, S_JCC_X,
	S_CALL, S_CALL_LOCAL, S_CALL_KFUNC, S_CALLX, S_EXIT, S_MAY_GOTO,
	S_ARG_LDX, S_ARG_STX, S_ARG_ST,
	SBPF_NSHAPES,
};

/* bpf_conformance groups (bit flags, so a program's needs can be or-ed) */
enum sbpf_group {
	G_BASE32 = 1 << 0, G_BASE64 = 1 << 1, G_ATOMIC32 = 1 << 2, G_ATOMIC64 = 1 << 3,
	G_DIVMUL32 = 1 << 4, G_DIVMUL64 = 1 << 5, G_CALLX = 1 << 6, G_PACKET = 1 << 7,
};

/* operand fields a shape uses; every other field is reserved and must be zero
 * (except the form's MATCH field, which must hold MVAL) */
enum { F_DST = 1, F_SRC = 2, F_OFF = 4, F_IMM = 8 };

struct sbpf_opinfo {
	const char *name;      /* "ADD64_K" */
	uint8_t code;
	uint8_t match;         /* enum sbpf_match */
	int32_t mval;
	uint8_t shape;         /* enum sbpf_shape */
	uint8_t cpu;           /* 1..4 */
	uint16_t group;        /* enum sbpf_group */
	const char *tok;       /* LLVM/kernel operator token */
	const char *conf;      /* bpf_conformance mnemonic */
};

extern const struct sbpf_opinfo sbpf_opinfo[SBPF_NFORMS];
extern const uint8_t sbpf_shape_uses[SBPF_NSHAPES];

/* The form of an instruction, or SBPF_OP_INVALID when its opcode byte (plus the
 * distinguishing field) names no form. Reserved fields are not checked here:
 * that is the validator's job (validate.h). */
enum sbpf_form sbpf_decode(const struct stackbpf_insn *insn);

/* Write form f's fixed fields into *in: the opcode byte and the value of its
 * MATCH field; the operand fields are left as they are. */
void sbpf_form_encode(enum sbpf_form f, struct stackbpf_insn *in);

/* True for forms that occupy two instruction slots (ld_imm64). */
static inline int sbpf_form_is_wide(enum sbpf_form f)
{
	return f >= 0 && sbpf_opinfo[f].shape == S_LD_IMM64;
}

/* 64-bit ALU/JMP class (as opposed to 32-bit ALU/JMP32)? */
static inline int sbpf_code_is64(uint8_t code)
{
	return SBPF_CLASS(code) == SBPF_ALU64 || SBPF_CLASS(code) == SBPF_JMP;
}

/* Linux helpers known by id (helpers.def). */
struct sbpf_helper_name {
	int32_t id;
	const char *name;   /* "bpf_map_lookup_elem" */
	uint8_t nargs;
};
extern const struct sbpf_helper_name sbpf_helper_names[];
extern const size_t sbpf_helper_name_cnt;
/* name of helper `id`, or NULL */
const char *sbpf_helper_name(int32_t id);
/* id of helper `name` (with or without the "bpf_" prefix), or -1 */
int32_t sbpf_helper_id(const char *name);

#endif
