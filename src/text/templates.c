/* templates.c - how each operand shape is written in each dialect.
 *
 * One row per shape of opcodes.def (plus one for ld_imm64 with a pseudo
 * source), one column per dialect: LLVM (llvm-objdump, inline asm), kernel
 * (verifier log, bpftool) and bpf_conformance (uBPF style). The placeholders
 * are documented in text.h; together with each form's TOK and CONF strings
 * they are the whole syntax of every instruction, for printing and parsing. */
#include "text/text.h"

#include <string.h>

enum { S_LD_PSEUDO = SBPF_NSHAPES, NROWS };

static const char *const templates[NROWS][D_NDIALECTS] = {
	/*                 LLVM                                   kernel                                            conformance */
	[S_ALU_K]      = { "%d %T %i",                            "%d %T %i",                                       "%C %d, %i" },
	[S_ALU_X]      = { "%d %T %s",                            "%d %T %s",                                       "%C %d, %s" },
	[S_NEG]        = { "%d = %T%d",                           "%d = %T%d",                                      "%C %d" },
	[S_END]        = { "%D = %T %D",                          "%D = %T %D",                                     "%C %d" },
	[S_MOVSX]      = { "%d = (%T)%s",                         "%d = (%T)%s",                                    "%C %d, %s" },
	[S_LD_IMM64]   = { "%D = %q ll",                          "%D = %q",                                        "%C %d, %q" },
	[S_LD_PSEUDO]  = { "ld_pseudo %D, %m, %q",                "ld_pseudo %D, %m, %q",                           NULL },
	[S_LD_ABS]     = { "r0 = *(%T *)skb[%i]",                 "r0 = *(%T *)skb[%i]",                            "%C %i" },
	[S_LD_IND]     = { "r0 = *(%T *)skb[%S%k]",               "r0 = *(%T *)skb[%S + %i]",                       "%C %S, %i" },
	[S_LDX]        = { "%x = *(%T *)(%S%o)",                  "%D = *(%T *)(%S%o)",                             "%C %d, [%S%o]" },
	[S_ST]         = { "*(%T *)(%D%o) = %i",                  "*(%T *)(%D%o) = %i",                             "%C [%D%o], %i" },
	[S_STX]        = { "*(%T *)(%D%o) = %y",                  "*(%T *)(%D%o) = %S",                             "%C [%D%o], %s" },
	[S_ATOMIC]     = { "lock *(%z *)(%D%o) %A %y",            "lock *(%z *)(%D%o) %A %S",                       "lock %C [%D%o], %s" },
	[S_ATOMIC_FETCH] = { "%y = atomic_fetch_%T((%z *)(%D%o), %y)",
			     "%S = atomic%W_fetch_%T((%z *)(%D%o), %S)",                                            "lock %C [%D%o], %s" },
	[S_XCHG]       = { "%y = xchg%V(%D%o, %y)",               "%S = atomic%W_xchg((%z *)(%D%o), %S)",           "lock %C [%D%o], %s" },
	[S_CMPXCHG]    = { "%0 = cmpxchg%V(%D%o, %0, %y)",        "r0 = atomic%W_cmpxchg((%z *)(%D%o), r0, %S)",    "lock %C [%D%o], %s" },
	[S_LOAD_ACQ]   = { "%x = load_acquire((%T *)(%S%o))",     "%D = load_acquire((%T *)(%S%o))",                "%C %d, [%S%o]" },
	[S_STORE_REL]  = { "store_release((%T *)(%D%o), %y)",     "store_release((%T *)(%D%o), %S)",                "%C [%D%o], %s" },
	[S_JA]         = { "goto %j",                             "goto %j",                                        "%C %j" },
	[S_JA32]       = { "gotol %J",                            "gotol %J",                                       "%C %J" },
	[S_JCC_K]      = { "if %d %T %i goto %j",                 "if %d %T %h goto %j",                            "%C %d, %i, %j" },
	[S_JCC_X]      = { "if %d %T %s goto %j",                 "if %d %T %s goto %j",                            "%C %d, %s, %j" },
	[S_CALL]       = { "call %c",                             "call %c",                                        "%C %c" },
	[S_CALL_LOCAL] = { "call %c",                             "call %c",                                        "%C %J" },
	[S_CALL_KFUNC] = { "call %c",                             "call %c",                                        "%C %i" },
	[S_CALLX]      = { "callx %d",                            "callx %d",                                       "%C %d" },
	[S_EXIT]       = { "exit",                                "exit",                                           "exit" },
	[S_MAY_GOTO]   = { "may_goto %j",                         "may_goto %j",                                    "%C %j" },
	[S_ARG_LDX]    = { "%D = *(%T *)(%P%o)",                  "%D = *(%T *)(%P%o)",                             "%C %d, [%P%o]" },
	[S_ARG_STX]    = { "*(%T *)(%P%o) = %S",                  "*(%T *)(%P%o) = %S",                             "%C [%P%o], %s" },
	[S_ARG_ST]     = { "*(%T *)(%P%o) = %i",                  "*(%T *)(%P%o) = %i",                             "%C [%P%o], %i" },
};

const char *sbpf_template(enum sbpf_form f, enum sbpf_dialect d)
{
	if (f < 0 || f >= SBPF_NFORMS || d >= D_NDIALECTS)
		return NULL;
	const struct sbpf_opinfo *o = &sbpf_opinfo[f];
	int row = o->shape;
	if (row == S_LD_IMM64 && o->mval != SBPF_PSEUDO_NONE)
		row = S_LD_PSEUDO;
	return templates[row][d];
}

/* bpf_conformance spells the unconditional byte swaps both ways */
static const struct { const char *alias, *name; } conf_aliases[] = {
	{ "swap", "bswap" },
};

size_t sbpf_conf_alias_len(const char *conf, const char *s, const char *end)
{
	for (size_t i = 0; i < sizeof(conf_aliases) / sizeof(conf_aliases[0]); i++) {
		size_t nn = strlen(conf_aliases[i].name), na = strlen(conf_aliases[i].alias);
		size_t rest = strlen(conf) - (strlen(conf) >= nn ? nn : 0);
		if (strncmp(conf, conf_aliases[i].name, nn) != 0 || (size_t)(end - s) < na + rest)
			continue;
		if (memcmp(s, conf_aliases[i].alias, na) == 0 && memcmp(s + na, conf + nn, rest) == 0)
			return na + rest;
	}
	return 0;
}

int sbpf_form_is32(enum sbpf_form f)
{
	const struct sbpf_opinfo *o = &sbpf_opinfo[f];
	switch (SBPF_CLASS(o->code)) {
	case SBPF_ALU:
	case SBPF_JMP32:
		return 1;
	case SBPF_LDX:
		return SBPF_MODE(o->code) == SBPF_MEM && SBPF_SIZE(o->code) != SBPF_DW;
	case SBPF_STX:
		return SBPF_SIZE(o->code) != SBPF_DW;
	default:
		return 0;
	}
}

const char *sbpf_atomic_alu_tok(const char *name)
{
	for (int f = 0; f < SBPF_NFORMS; f++) {
		const struct sbpf_opinfo *o = &sbpf_opinfo[f];
		if (o->shape == S_ALU_X && SBPF_CLASS(o->code) == SBPF_ALU64 && strcmp(o->conf, name) == 0)
			return o->tok;
	}
	return "?";
}
