/* text.h - internals shared by the assembler and the disassembler.
 *
 * Both are driven by one set of templates (templates.c): for every operand
 * shape of opcodes.def and every dialect, a small pattern such as
 * "if %d %T %i goto %j". The printer renders a template with an instruction's
 * fields; the matcher (match.c) parses text against the same template,
 * whitespace-insensitively, and fills the fields back in. */
#ifndef SBPF_TEXT_H
#define SBPF_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "isa/opcodes.h"

/* dialects; the order is the order of enum stackbpf_syntax minus AUTO */
enum sbpf_dialect { D_LLVM, D_KERNEL, D_CONF, D_NDIALECTS };

/* The template of form `f` in dialect `d`, or NULL when the dialect cannot
 * write that form. Placeholders (everything else is literal text; a space
 * means "optional whitespace" when parsing):
 *   %d %s   dst / src register, natural width (w for 32-bit forms)
 *   %x %y   dst / src register, natural width printed, r or w accepted
 *   %D %S   dst / src register, always r
 *   %0      r0 (w0 for 32-bit forms); no field
 *   %P      the stack-argument register r11; no field
 *   %T %C   the form's TOK / CONF string from opcodes.def
 *   %z      access size as a C type (u8 .. u64), from the opcode
 *   %W %V   "64" or "" / "_64" or "32_32" by access size (atomic names)
 *   %A      ALU operator of an atomic op ("add" -> "+=", found in the table)
 *   %i %h   imm, printed signed decimal / as 32-bit hex
 *   %k      optional " + imm" (LLVM's skb[rS] form)
 *   %o      signed memory offset
 *   %j %J   jump target held in off / in imm (relative to the next insn)
 *   %q      64-bit immediate of ld_imm64 (two slots)
 *   %m      the form's MATCH value (ld_pseudo source)
 *   %c      call target (sets src_reg and imm) */
const char *sbpf_template(enum sbpf_form f, enum sbpf_dialect d);

/* bpf_conformance accepts a few mnemonics under two names ("swap16" for
 * "bswap16"). Length of an alias spelling of mnemonic `conf` at [s, end), or 0. */
size_t sbpf_conf_alias_len(const char *conf, const char *s, const char *end);

/* Register width of a form: 1 when its natural register name is wN. */
int sbpf_form_is32(enum sbpf_form f);

/* ALU operator token for an atomic op name ("add" -> "+="), from the table. */
const char *sbpf_atomic_alu_tok(const char *name);

/* ------------------------------------------------------------ printing */

struct stackbpf_host;

/* Labels for printing whole programs: label[i] != 0 when insn i is a target. */
struct sbpf_print_ctx {
	enum sbpf_dialect dialect;
	const struct stackbpf_host *host;
	const uint8_t *labels;     /* NULL: print relative targets */
};

/* Render insn idx into buf (always NUL-terminated); returns slots used (1 or
 * 2), or -ENOSPC when buf was too small. Invalid encodings print as .8byte. */
int sbpf_format(const struct stackbpf_insn *insns, size_t cnt, size_t idx,
		const struct sbpf_print_ctx *ctx, char *buf, size_t bufsz);

/* Does insn idx have reserved fields set (or an unknown opcode)? */
int sbpf_insn_is_raw(const struct stackbpf_insn *insns, size_t cnt, size_t idx);

/* --------------------------------------------------------------- parsing */

/* a symbolic operand to resolve once every label is known */
enum sbpf_fixup_kind { FX_NONE, FX_OFF, FX_IMM, FX_CALL };
struct sbpf_fixup {
	uint8_t kind;          /* enum sbpf_fixup_kind */
	char dir;              /* 'f' / 'b' for GNU local labels, else 0 */
	const char *name;      /* points into the source text */
	size_t len;
	const char *pos;       /* for messages */
};

struct sbpf_parsed {
	struct stackbpf_insn insn[2];
	int nslots;
	struct sbpf_fixup fx;
};

/* Why a template failed; the caller keeps the most telling failure. */
struct sbpf_fail {
	const char *pos;       /* where, in the source text (NULL: none yet) */
	int rank;              /* 1 syntax, 2 bad operand, 3 whole line matched but a value is wrong */
	char msg[128];
};

/* Match the statement [s, end) against form f's template in dialect d.
 * Returns 1 on a match (out filled), else 0 and *fail updated if this failure
 * is more telling than the one already there. */
int sbpf_match(enum sbpf_form f, enum sbpf_dialect d, const char *s, const char *end,
	       struct sbpf_parsed *out, struct sbpf_fail *fail);

/* --------------------------------------------------------- lexical bits */

static inline int sbpf_is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '$';
}
static inline int sbpf_is_ident(int c)
{
	return sbpf_is_ident_start(c) || (c >= '0' && c <= '9');
}
static inline int sbpf_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parse an integer: optional sign, then decimal or 0x-hex digits, not followed
 * by an identifier character. Returns the end, or NULL if there is no number
 * at s. *overflow is set when the magnitude does not fit 64 bits. */
const char *sbpf_scan_number(const char *s, const char *end, int *neg, uint64_t *mag, int *is_hex,
			     int *overflow);

/* ------------------------------------------- hooks for object writers */

/* Optional callbacks of sbpf_asm_hooked, for `stackbpf asm --elf`
 * (src/obj/elf_write.c). Without hooks the assembler behaves exactly as
 * stackbpf_asm__text. Names and positions point into the assembler's copy of
 * the text and live until `finish` returns. A callback returns 0, or
 * -EINVAL with fail->pos and fail->msg set (reported as file:line:col), or
 * another negative errno. */
struct sbpf_asm_hooks {
	void *ctx;
	/* a directive other than .8byte: name [s, s+nlen), arguments up to end,
	 * insn = instructions so far. Return 1 when handled, 0 to let the
	 * assembler handle (or ignore) it as usual. */
	int (*directive)(void *ctx, const char *s, size_t nlen, const char *args, const char *end, size_t insn,
			 struct sbpf_fail *fail);
	/* every named (non-numeric) label, in source order */
	int (*label)(void *ctx, const char *name, size_t len, size_t insn, struct sbpf_fail *fail);
	/* every resolved symbolic operand: the instruction, its fixup, and the
	 * label's instruction index, or -1 for helper / host-function calls */
	int (*ref)(void *ctx, size_t insn, const struct sbpf_fixup *fx, int64_t target, struct sbpf_fail *fail);
	/* after every operand resolved, before the text is released */
	int (*finish)(void *ctx, struct stackbpf_insn *insns, size_t cnt, struct sbpf_fail *fail);
};

/* stackbpf_asm__text with hooks (NULL: none). */
struct stackbpf_asm_opts;
int sbpf_asm_hooked(const char *text, size_t len, const struct stackbpf_asm_opts *opts,
		    const struct sbpf_asm_hooks *hooks, struct stackbpf_insn **insns, size_t *cnt);

#endif
