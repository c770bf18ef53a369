/* match.c - parse one statement against one form's template (see text.h).
 *
 * The matcher walks the template and the input together. Literal template
 * text must appear in the input, with whitespace allowed anywhere except
 * inside a word; each placeholder reads its operand and stores it in the
 * instruction. A failure records where and why, so the assembler can report
 * the most telling one when no template matches a statement. */
#include "text/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct mstate {
	enum sbpf_form f;
	enum sbpf_dialect d;
	const char *p, *end;
	struct sbpf_parsed *out;
	unsigned set;              /* SET_DST / SET_SRC: register fields already read */
	struct sbpf_fail value;    /* a value error seen on the way (rank 3 if the rest matches) */
};
enum { SET_DST = 1, SET_SRC = 2 };

const char *sbpf_scan_number(const char *s, const char *end, int *neg, uint64_t *mag, int *is_hex,
			     int *overflow)
{
	const char *p = s;
	*neg = 0;
	*mag = 0;
	*is_hex = 0;
	*overflow = 0;
	if (p < end && (*p == '-' || *p == '+')) {
		*neg = *p == '-';
		p++;
	}
	int base = 10;
	if (end - p >= 3 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		*is_hex = 1;
		p += 2;
	}
	const char *digits = p;
	for (; p < end; p++) {
		int c = (unsigned char)*p, v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			break;
		if (*mag > (UINT64_MAX - (uint64_t)v) / (uint64_t)base)
			*overflow = 1;
		*mag = *mag * (uint64_t)base + (uint64_t)v;
	}
	if (p == digits || (p < end && sbpf_is_ident(*p)))
		return NULL;
	return p;
}

static void fail_at(struct sbpf_fail *fail, const char *pos, int rank, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_at(struct sbpf_fail *fail, const char *pos, int rank, const char *fmt, ...)
{
	if (fail->pos && (fail->rank == 3 ? rank < 3 || pos <= fail->pos
			  : rank < 3 && (pos < fail->pos || (pos == fail->pos && rank <= fail->rank))))
		return;
	fail->pos = pos;
	fail->rank = rank;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fail->msg, sizeof(fail->msg), fmt, ap);
	va_end(ap);
}

static void skip_ws(struct mstate *st)
{
	while (st->p < st->end && sbpf_is_space(*st->p))
		st->p++;
}

/* a value that parsed but is wrong: remember it, keep matching */
static void value_error(struct mstate *st, const char *pos, const char *fmt, const char *tok, size_t len)
{
	if (st->value.pos)
		return;
	st->value.pos = pos;
	st->value.rank = 3;
	snprintf(st->value.msg, sizeof(st->value.msg), fmt, (int)len, tok);
}

static int literal(struct mstate *st, const char *lit, size_t n)
{
	if ((size_t)(st->end - st->p) < n || memcmp(st->p, lit, n) != 0)
		return 0;
	st->p += n;
	return 1;
}

/* ------------------------------------------------------------ operands */

static int read_reg(struct mstate *st, int want /* 0 r, 1 w, -1 either */, int *regno,
		    struct sbpf_fail *fail)
{
	skip_ws(st);
	const char *s = st->p;
	if (st->d == D_CONF) {
		if (!literal(st, "%r", 2))
			return fail_at(fail, s, 1, " "), 0;
	} else {
		if (st->p >= st->end || (*st->p != 'r' && *st->p != 'w'))
			return fail_at(fail, s, 1, " "), 0;
		int w = *st->p == 'w';
		if (want >= 0 && w != want)
			return fail_at(fail, s, 1, " "), 0;
		st->p++;
	}
	int n = 0;
	const char *digits = st->p;
	while (st->p < st->end && *st->p >= '0' && *st->p <= '9' && n < 1000)
		n = n * 10 + (*st->p++ - '0');
	if (st->p == digits || (st->p < st->end && sbpf_is_ident(*st->p)))
		return fail_at(fail, s, 1, " "), 0;
	if (n > 10) {
		fail_at(fail, s, 2, "invalid register '%.*s'", (int)(st->p - s), s);
		return 0;
	}
	*regno = n;
	return 1;
}

static int set_reg(struct mstate *st, int which, int regno, const char *pos, struct sbpf_fail *fail)
{
	struct stackbpf_insn *in = &st->out->insn[0];
	unsigned bit = which ? SET_SRC : SET_DST;
	int cur = which ? in->src : in->dst;
	if ((st->set & bit) && cur != regno) {
		fail_at(fail, pos, 2, "operands must name the same register");
		return 0;
	}
	st->set |= bit;
	if (which)
		in->src = (uint8_t)regno;
	else
		in->dst = (uint8_t)regno;
	return 1;
}

/* 32-bit immediates: LLVM and the kernel accept [-2^31, 2^32); bpf_conformance
 * takes signed decimal or unsigned hex only; kernel ALU immediates are decimal
 * (the kernel prints `r1 = 0x..` only for ld_imm64). */
static int read_imm32(struct mstate *st, int decimal_only, int32_t *imm, struct sbpf_fail *fail)
{
	skip_ws(st);
	const char *s = st->p;
	int neg, hex, ovf;
	uint64_t mag;
	const char *e = sbpf_scan_number(s, st->end, &neg, &mag, &hex, &ovf);
	if (!e || (decimal_only && hex))
		return fail_at(fail, s, 1, " "), 0;
	st->p = e;
	uint64_t max_pos = 0xffffffffu;
	if (st->d == D_CONF && !hex)
		max_pos = 0x7fffffff;
	if (ovf || (neg ? mag > 0x80000000u : mag > max_pos))
		value_error(st, s, "immediate '%.*s' does not fit in 32 bits", s, (size_t)(e - s));
	*imm = (int32_t)(uint32_t)(neg ? 0 - mag : mag);
	return 1;
}

static int read_off(struct mstate *st, struct sbpf_fail *fail)
{
	skip_ws(st);
	const char *s = st->p;
	if (st->d == D_CONF && st->p < st->end && *st->p == ']') {
		st->out->insn[0].off = 0;
		return 1;
	}
	if (st->p >= st->end || (*st->p != '+' && *st->p != '-'))
		return fail_at(fail, s, 1, " "), 0;
	int neg = *st->p++ == '-';
	skip_ws(st);
	int n2, hex, ovf;
	uint64_t mag;
	const char *e = st->p < st->end && (*st->p == '+' || *st->p == '-') ? NULL
		: sbpf_scan_number(st->p, st->end, &n2, &mag, &hex, &ovf);
	if (!e)
		return fail_at(fail, st->p, 1, " "), 0;
	st->p = e;
	if (ovf || (neg ? mag > 0x8000 : mag > 0x7fff))
		value_error(st, s, "offset '%.*s' does not fit in 16 bits", s, (size_t)(e - s));
	st->out->insn[0].off = (int16_t)(uint16_t)(neg ? 0 - mag : mag);
	return 1;
}

static size_t ident_len(const char *s, const char *end, int allow_dash)
{
	const char *p = s;
	if (p >= end || !sbpf_is_ident_start(*p))
		return 0;
	while (p < end && (sbpf_is_ident(*p) || (allow_dash && *p == '-')))
		p++;
	return (size_t)(p - s);
}

/* "pc+N", "+N", "-N": a relative target; returns 1 and sets *rel */
static int read_relative(struct mstate *st, int allow_pc, int64_t *rel, int bits, struct sbpf_fail *fail)
{
	const char *s = st->p;
	const char *q = s;
	if (allow_pc && st->end - q >= 3 && q[0] == 'p' && q[1] == 'c' && (q[2] == '+' || q[2] == '-'))
		q += 2;
	if (q >= st->end || (*q != '+' && *q != '-'))
		return 0;
	int neg, hex, ovf;
	uint64_t mag;
	const char *e = sbpf_scan_number(q, st->end, &neg, &mag, &hex, &ovf);
	if (!e) {
		fail_at(fail, q, 1, " ");
		return -1;
	}
	st->p = e;
	uint64_t lim = (uint64_t)1 << (bits - 1);
	if (ovf || (neg ? mag > lim : mag > lim - 1))
		value_error(st, s, "jump offset '%.*s' out of range", s, (size_t)(e - s));
	*rel = neg ? -(int64_t)(mag & (lim * 2 - 1)) : (int64_t)(mag & (lim * 2 - 1));
	return 1;
}

/* label operand: NAME, or GNU local `1f` / `1b` */
static int read_label(struct mstate *st, enum sbpf_fixup_kind kind, struct sbpf_fail *fail)
{
	const char *s = st->p;
	struct sbpf_fixup *fx = &st->out->fx;
	const char *q = s;
	while (q < st->end && *q >= '0' && *q <= '9')
		q++;
	if (q > s && q < st->end && (*q == 'f' || *q == 'b') && (q + 1 >= st->end || !sbpf_is_ident(q[1]))) {
		*fx = (struct sbpf_fixup){ kind, *q, s, (size_t)(q - s), s };
		st->p = q + 1;
		return 1;
	}
	size_t n = ident_len(s, st->end, 0);
	if (!n)
		return fail_at(fail, s, 1, " "), 0;
	*fx = (struct sbpf_fixup){ kind, 0, s, n, s };
	st->p = s + n;
	return 1;
}

static int read_target(struct mstate *st, int in_imm, struct sbpf_fail *fail)
{
	skip_ws(st);
	int64_t rel;
	int r = read_relative(st, 1, &rel, in_imm ? 32 : 16, fail);
	if (r < 0)
		return 0;
	if (r > 0) {
		if (in_imm)
			st->out->insn[0].imm = (int32_t)rel;
		else
			st->out->insn[0].off = (int16_t)rel;
		return 1;
	}
	return read_label(st, in_imm ? FX_IMM : FX_OFF, fail);
}

static int read_call(struct mstate *st, struct sbpf_fail *fail)
{
	skip_ws(st);
	struct stackbpf_insn *in = &st->out->insn[0];
	const char *s = st->p;
	int64_t rel;
	if (st->end - s >= 3 && s[0] == 'p' && s[1] == 'c') {
		int r = read_relative(st, 1, &rel, 32, fail);
		if (r < 0)
			return 0;
		if (r > 0) {
			in->src = SBPF_CALL_LOCAL;
			in->imm = (int32_t)rel;
			return 1;
		}
	}
	if (s < st->end && (*s == '-' || *s == '+' || (*s >= '0' && *s <= '9'))) {
		int32_t imm;
		if (!read_imm32(st, 0, &imm, fail))
			return 0;
		in->src = SBPF_CALL_HELPER;
		in->imm = imm;
		return 1;
	}
	size_t n = ident_len(s, st->end, 1);
	if (n && s + n < st->end && s[n] == '#') {
		/* kernel form NAME#ID: a helper name (or "unknown") is a helper, anything else a kfunc */
		char name[64];
		int32_t imm;
		st->p = s + n + 1;
		if (!read_imm32(st, 0, &imm, fail))
			return 0;
		snprintf(name, sizeof(name), "%.*s", (int)n, s);
		int helper = n < sizeof(name) && (strcmp(name, "unknown") == 0 || sbpf_helper_id(name) >= 0);
		in->src = helper ? SBPF_CALL_HELPER : SBPF_CALL_KFUNC;
		in->imm = imm;
		return 1;
	}
	n = ident_len(s, st->end, 0);
	if (!n)
		return fail_at(fail, s, 1, " "), 0;
	st->out->fx = (struct sbpf_fixup){ FX_CALL, 0, s, n, s };
	st->p = s + n;
	return 1;
}

/* the kernel writes ld_imm64 values in hex only: `r1 = 0x5`, while `r1 = 5`
 * is a mov */
static int read_imm64(struct mstate *st, int hex_only, struct sbpf_fail *fail)
{
	skip_ws(st);
	const char *s = st->p;
	int neg, hex, ovf;
	uint64_t mag;
	const char *e = sbpf_scan_number(s, st->end, &neg, &mag, &hex, &ovf);
	if (!e || (hex_only && !hex))
		return fail_at(fail, s, 1, " "), 0;
	st->p = e;
	if (ovf || (neg && mag > (uint64_t)1 << 63))
		value_error(st, s, "immediate '%.*s' does not fit in 64 bits", s, (size_t)(e - s));
	uint64_t v = neg ? 0 - mag : mag;
	st->out->insn[0].imm = (int32_t)(uint32_t)v;
	st->out->insn[1].imm = (int32_t)(uint32_t)(v >> 32);
	return 1;
}


/* --------------------------------------------------------------- driver */

static int placeholder(struct mstate *st, char ph, struct sbpf_fail *fail)
{
	const struct sbpf_opinfo *o = &sbpf_opinfo[st->f];
	struct stackbpf_insn *in = &st->out->insn[0];
	int is32 = sbpf_form_is32(st->f), is64 = SBPF_SIZE(o->code) == SBPF_DW;
	const char *lit = NULL;
	int reg;
	const char *pos;

	switch (ph) {
	case 'd': case 's': case 'x': case 'y': case 'D': case 'S': {
		int which = ph == 's' || ph == 'y' || ph == 'S';
		int want = (ph == 'd' || ph == 's') ? is32 : (ph == 'D' || ph == 'S') ? 0 : -1;
		skip_ws(st);
		pos = st->p;
		return read_reg(st, want, &reg, fail) && set_reg(st, which, reg, pos, fail);
	}
	case '0':
		skip_ws(st);
		pos = st->p;
		if (!read_reg(st, st->d == D_CONF ? 0 : -1, &reg, fail))
			return 0;
		if (reg != 0)
			return fail_at(fail, pos, 1, " "), 0;
		return 1;
	case 'P': lit = st->d == D_CONF ? "%r11" : "r11"; break;
	case 'T': lit = o->tok; break;
	case 'C':
		skip_ws(st);
		if (st->d == D_CONF) {
			size_t n = sbpf_conf_alias_len(o->conf, st->p, st->end);
			if (n) {
				st->p += n;
				return 1;
			}
		}
		lit = o->conf;
		break;
	case 'z': lit = sbpf_size_name(o->code); break;
	case 'W': lit = is64 ? "64" : ""; break;
	case 'V': lit = is64 ? "_64" : "32_32"; break;
	case 'A': lit = sbpf_atomic_alu_tok(o->tok); break;
	case 'i': return read_imm32(st, st->d == D_KERNEL && o->shape == S_ALU_K, &in->imm, fail);
	case 'h': return read_imm32(st, 0, &in->imm, fail);
	case 'k':
		skip_ws(st);
		if (st->p < st->end && *st->p == '+') {
			st->p++;
			return read_imm32(st, 0, &in->imm, fail);
		}
		return 1;
	case 'o': return read_off(st, fail);
	case 'j': return read_target(st, 0, fail);
	case 'J': return read_target(st, 1, fail);
	case 'q': return read_imm64(st, st->d == D_KERNEL, fail);
	case 'm': {
		int32_t v;
		skip_ws(st);
		pos = st->p;
		if (!read_imm32(st, 0, &v, fail))
			return 0;
		if (v != o->mval)
			return fail_at(fail, pos, 1, " "), 0;
		return 1;
	}
	case 'c': return read_call(st, fail);
	default:
		return fail_at(fail, st->p, 1, " "), 0;
	}
	/* literal placeholders */
	skip_ws(st);
	pos = st->p;
	if (!literal(st, lit, strlen(lit)))
		return fail_at(fail, pos, 1, " "), 0;
	return 1;
}

static void init_insn(enum sbpf_form f, struct sbpf_parsed *out)
{
	memset(out, 0, sizeof(*out));
	sbpf_form_encode(f, &out->insn[0]);
	out->nslots = sbpf_form_is_wide(f) ? 2 : 1;
}

int sbpf_match(enum sbpf_form f, enum sbpf_dialect d, const char *s, const char *end,
	       struct sbpf_parsed *out, struct sbpf_fail *fail)
{
	const char *t = sbpf_template(f, d);
	if (!t)
		return 0;
	struct mstate st = { .f = f, .d = d, .p = s, .end = end, .out = out };
	init_insn(f, out);
	const char *word = s;   /* input position where the current literal word began */
	for (; *t; t++) {
		if (*t == '%') {
			t++;
			const char *before = st.p;
			if (!placeholder(&st, *t, fail))
				return 0;
			/* two words may not run together: "callx" is not "call x" */
			if (st.p > before && st.p < end && sbpf_is_ident(st.p[-1]) && sbpf_is_ident(*st.p) &&
			    t[1] != ' ' && t[1] != '\0' && !sbpf_is_ident(t[1]))
				return fail_at(fail, st.p, 1, " "), 0;
			continue;
		}
		if (*t == ' ') {
			const char *before = st.p;
			skip_ws(&st);
			if (st.p == before && st.p > s && st.p < end && sbpf_is_ident(st.p[-1]) &&
			    sbpf_is_ident(*st.p))
				return fail_at(fail, st.p, 1, " "), 0;
			continue;
		}
		int in_word = sbpf_is_ident(*t) && t > sbpf_template(f, d) && sbpf_is_ident(t[-1]) && t[-1] != ' ';
		if (!in_word) {
			skip_ws(&st);
			word = st.p;
		}
		if (st.p >= end || *st.p != *t)
			return fail_at(fail, sbpf_is_ident(*t) ? word : st.p, 1, " "), 0;
		st.p++;
	}
	skip_ws(&st);
	if (st.p < end)
		return fail_at(fail, st.p, 1, " "), 0;
	/* whole statement matched: a value error is the answer */
	if (st.value.pos) {
		fail_at(fail, st.value.pos, 3, "%s", st.value.msg);
		return 0;
	}
	return 1;
}
