/* disasm.c - the disassembler: renders instructions through the templates of
 * templates.c, in kernel (verifier log), LLVM or bpf_conformance syntax.
 *
 * Encodings that no template can reproduce exactly (unknown opcodes, reserved
 * fields set, a truncated ld_imm64) print as `.8byte 0x...`, which the
 * assembler reads back, so asm(disasm(x)) == x holds for every input. */
#include "text/text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *buf;
	size_t size, len;   /* len may exceed size: then the output was truncated */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static uint64_t raw_word(const struct stackbpf_insn *in)
{
	uint8_t b[8];
	memcpy(b, in, 8);
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

int sbpf_insn_is_raw(const struct stackbpf_insn *insns, size_t cnt, size_t idx)
{
	const struct stackbpf_insn *in = &insns[idx];
	enum sbpf_form f = sbpf_decode(in);
	if (f == SBPF_OP_INVALID)
		return 1;
	const struct sbpf_opinfo *o = &sbpf_opinfo[f];
	unsigned uses = sbpf_shape_uses[o->shape];
	/* the MATCH field holds the form's value, not an operand */
	unsigned matched = o->match == M_IMM ? F_IMM : o->match == M_OFF ? F_OFF
		: o->match == M_SRC ? F_SRC : 0;
	/* registers past r10 only where the form itself names r11 */
	if (((uses & F_DST) && in->dst > 10 && o->match != M_DST11) ||
	    ((uses & F_SRC) && in->src > 10 && o->match != M_SRC11))
		return 1;
	uses |= matched;
	if ((!(uses & F_DST) && in->dst) || (!(uses & F_SRC) && in->src) ||
	    (!(uses & F_OFF) && in->off) || (!(uses & F_IMM) && in->imm))
		return 1;
	/* no syntax carries the BTF fd index of a kfunc call */
	if (o->shape == S_CALL_KFUNC && in->off)
		return 1;
	if (sbpf_form_is_wide(f)) {
		if (idx + 1 >= cnt)
			return 1;
		const struct stackbpf_insn *hi = &insns[idx + 1];
		if (hi->code || hi->dst || hi->src || hi->off)
			return 1;
	}
	return 0;
}


static void put_reg(struct out *o, enum sbpf_dialect d, int w, int n)
{
	if (d == D_CONF)
		put(o, "%%r%d", n);
	else
		put(o, "%c%d", w ? 'w' : 'r', n);
}

/* jump target: a label when printing a program, else relative */
static void put_target(struct out *o, const struct sbpf_print_ctx *ctx, size_t cnt, size_t idx, int64_t rel)
{
	int64_t t = (int64_t)idx + 1 + rel;
	if (ctx->labels && ctx->dialect != D_KERNEL && t >= 0 && (uint64_t)t < cnt && ctx->labels[t])
		put(o, "L%" PRId64, t);
	else if (ctx->dialect == D_KERNEL)
		put(o, "pc%+" PRId64, rel);
	else
		put(o, "%+" PRId64, rel);
}

static const char *kfunc_name(const struct sbpf_print_ctx *ctx, int32_t id)
{
	const struct stackbpf_fn_desc *fd = ctx->host ? stackbpf_host__fn(ctx->host, id) : NULL;
	/* a host name that is also a helper name would read back as the helper */
	if (fd && fd->name && sbpf_helper_id(fd->name) < 0 && strcmp(fd->name, "unknown") != 0)
		return fd->name;
	return NULL;
}

static void put_call(struct out *o, const struct sbpf_print_ctx *ctx, const struct stackbpf_insn *in,
		     size_t cnt, size_t idx)
{
	int kernel = ctx->dialect == D_KERNEL;
	if (in->src == SBPF_CALL_LOCAL) {
		int64_t t = (int64_t)idx + 1 + in->imm;
		if (!kernel && ctx->labels && t >= 0 && (uint64_t)t < cnt && ctx->labels[t])
			put_target(o, ctx, cnt, idx, in->imm);
		else
			put(o, "pc%+d", in->imm);   /* `call +N` would be helper N */
	} else if (in->src == SBPF_CALL_KFUNC) {
		const char *name = kfunc_name(ctx, in->imm);
		if (name && !kernel)
			put(o, "%s", name);
		else
			put(o, "%s#%d", name ? name : "kernel-function", in->imm);
	} else if (kernel) {
		const char *name = sbpf_helper_name(in->imm);
		put(o, "%s#%d", name ? name : "unknown", in->imm);
	} else {
		put(o, "%d", in->imm);
	}
}

static void render(struct out *o, const char *t, enum sbpf_form f, const struct stackbpf_insn *insns,
		   size_t cnt, size_t idx, const struct sbpf_print_ctx *ctx)
{
	const struct sbpf_opinfo *op = &sbpf_opinfo[f];
	const struct stackbpf_insn *in = &insns[idx];
	enum sbpf_dialect d = ctx->dialect;
	int is32 = sbpf_form_is32(f), is64 = SBPF_SIZE(op->code) == SBPF_DW;
	for (; *t; t++) {
		if (*t != '%') {
			put(o, "%c", *t);
			continue;
		}
		switch (*++t) {
		case 'd': case 'x': put_reg(o, d, is32, in->dst); break;
		case 's': case 'y': put_reg(o, d, is32, in->src); break;
		case 'D': put_reg(o, d, 0, in->dst); break;
		case 'S': put_reg(o, d, 0, in->src); break;
		case '0': put_reg(o, d, is32, 0); break;
		case 'P': put_reg(o, d, 0, SBPF_REG_PARAMS); break;
		case 'T': put(o, "%s", op->tok); break;
		case 'C': put(o, "%s", op->conf); break;
		case 'z': put(o, "%s", sbpf_size_name(op->code)); break;
		case 'W': put(o, "%s", is64 ? "64" : ""); break;
		case 'V': put(o, "%s", is64 ? "_64" : "32_32"); break;
		case 'A': put(o, "%s", sbpf_atomic_alu_tok(op->tok)); break;
		case 'i': put(o, "%d", in->imm); break;
		case 'h': put(o, "0x%x", (uint32_t)in->imm); break;
		case 'k':
			if (in->imm)
				put(o, " + %d", in->imm);
			break;
		case 'o':
			if (d == D_LLVM)
				put(o, " %c %d", in->off < 0 ? '-' : '+', in->off < 0 ? -(int)in->off : in->off);
			else if (d == D_KERNEL)
				put(o, " %+d", in->off);
			else
				put(o, "%+d", in->off);
			break;
		case 'j': put_target(o, ctx, cnt, idx, in->off); break;
		case 'J': put_target(o, ctx, cnt, idx, in->imm); break;
		case 'q': {
			uint64_t v = (uint64_t)(uint32_t)insns[idx + 1].imm << 32 | (uint32_t)in->imm;
			put(o, "0x%" PRIx64, v);
			break;
		}
		case 'm': put(o, "%d", op->mval); break;
		case 'c': put_call(o, ctx, in, cnt, idx); break;
		default: break;
		}
	}
}

int sbpf_format(const struct stackbpf_insn *insns, size_t cnt, size_t idx,
		const struct sbpf_print_ctx *ctx, char *buf, size_t bufsz)
{
	struct out o = { buf, bufsz, 0 };
	if (bufsz)
		buf[0] = '\0';
	enum sbpf_form f = sbpf_decode(&insns[idx]);
	const char *t = f == SBPF_OP_INVALID ? NULL : sbpf_template(f, ctx->dialect);
	int slots = 1;
	if (sbpf_insn_is_raw(insns, cnt, idx)) {
		put(&o, ".8byte 0x%016" PRIx64, raw_word(&insns[idx]));
	} else if (!t) {
		/* a valid form this dialect has no words for: both slots raw */
		slots = sbpf_form_is_wide(f) ? 2 : 1;
		put(&o, ".8byte 0x%016" PRIx64, raw_word(&insns[idx]));
		if (slots == 2)
			put(&o, ", 0x%016" PRIx64, raw_word(&insns[idx + 1]));
	} else {
		render(&o, t, f, insns, cnt, idx, ctx);
		slots = sbpf_form_is_wide(f) ? 2 : 1;
	}
	if (o.len >= bufsz)
		return -ENOSPC;
	return slots;
}

static enum sbpf_dialect dialect_of(const struct stackbpf_disasm_opts *opts)
{
	enum stackbpf_syntax s = opts && opts->sz >= offsetof(struct stackbpf_disasm_opts, syntax) +
		sizeof(opts->syntax) ? opts->syntax : STACKBPF_SYNTAX_KERNEL;
	return s == STACKBPF_SYNTAX_LLVM ? D_LLVM : s == STACKBPF_SYNTAX_CONFORMANCE ? D_CONF : D_KERNEL;
}

static const struct stackbpf_host *host_of(const struct stackbpf_disasm_opts *opts)
{
	return opts && opts->sz >= offsetof(struct stackbpf_disasm_opts, host) + sizeof(opts->host)
		? opts->host : NULL;
}

int stackbpf_disasm__insn(const struct stackbpf_insn *insns, size_t cnt, size_t idx,
			  const struct stackbpf_disasm_opts *opts, char *buf, size_t bufsz)
{
	if (!insns || idx >= cnt || !buf || !bufsz)
		return -EINVAL;
	struct sbpf_print_ctx ctx = { dialect_of(opts), host_of(opts), NULL };
	size_t pre = 0;
	if (ctx.dialect == D_KERNEL) {
		int n = snprintf(buf, bufsz, "(%02x) ", insns[idx].code);
		if (n < 0 || (size_t)n >= bufsz)
			return -ENOSPC;
		pre = (size_t)n;
	}
	return sbpf_format(insns, cnt, idx, &ctx, buf + pre, bufsz - pre);
}

int stackbpf_disasm__prog(FILE *out, const struct stackbpf_insn *insns, size_t cnt,
			  const struct stackbpf_disasm_opts *opts)
{
	if (!out || (!insns && cnt))
		return -EINVAL;
	struct sbpf_print_ctx ctx = { dialect_of(opts), host_of(opts), NULL };
	uint8_t *labels = NULL;
	if (ctx.dialect != D_KERNEL && cnt) {
		/* label every instruction start that a jump or call lands on */
		uint8_t *start = calloc(cnt, 1);
		labels = calloc(cnt, 1);
		if (!start || !labels) {
			free(start);
			free(labels);
			return -ENOMEM;
		}
		for (size_t i = 0; i < cnt; i++) {
			start[i] = 1;
			enum sbpf_form f = sbpf_decode(&insns[i]);
			if (f != SBPF_OP_INVALID && sbpf_form_is_wide(f) && !sbpf_insn_is_raw(insns, cnt, i))
				i++;
		}
		for (size_t i = 0; i < cnt; i++) {
			if (!start[i] || sbpf_insn_is_raw(insns, cnt, i))
				continue;
			enum sbpf_form f = sbpf_decode(&insns[i]);
			int64_t rel;
			switch (sbpf_opinfo[f].shape) {
			case S_JA: case S_JCC_K: case S_JCC_X: case S_MAY_GOTO: rel = insns[i].off; break;
			case S_JA32: case S_CALL_LOCAL: rel = insns[i].imm; break;
			default: continue;
			}
			int64_t t = (int64_t)i + 1 + rel;
			if (t >= 0 && (uint64_t)t < cnt && start[t])
				labels[t] = 1;
		}
		free(start);
		ctx.labels = labels;
	}
	char line[256];
	for (size_t i = 0; i < cnt;) {
		int n = sbpf_format(insns, cnt, i, &ctx, line, sizeof(line));
		if (n < 0) {
			free(labels);
			return n;
		}
		if (ctx.dialect == D_KERNEL) {
			fprintf(out, "%zu: (%02x) %s\n", i, insns[i].code, line);
		} else {
			if (labels[i])
				fprintf(out, "L%zu:\n", i);
			fprintf(out, "\t%s\n", line);
		}
		i += (size_t)n;
	}
	free(labels);
	return ferror(out) ? -EIO : 0;
}
