/* datafile.c - reader of bpf_conformance `.data` test files (see datafile.h).
 *
 * One pass over the lines. Each section kind has a line handler; the asm
 * section is copied into a text of the same shape as the file (other lines
 * left empty) so that the assembler reports the file's own line numbers. */
#include "text/datafile.h"
#include "isa/opcodes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum section { SEC_NONE, SEC_ASM, SEC_RAW, SEC_MEM, SEC_RESULT, SEC_ERROR, SEC_IGNORE };

static const struct {
	const char *name;
	enum section sec;
} section_names[] = {
	{ "asm", SEC_ASM }, { "raw", SEC_RAW }, { "mem", SEC_MEM }, { "result", SEC_RESULT },
	{ "error", SEC_ERROR }, { "c", SEC_IGNORE }, { "no register offset", SEC_IGNORE },
};

struct bytes {
	uint8_t *v;
	size_t n, cap;
};

struct parser {
	const char *path;
	struct sbpf_datafile *df;
	char *err;
	size_t errsz;
	int line;                 /* current line, 1-based */
	enum section sec;
	int have_result, have_error;
	struct bytes raw, mem, text;
};

static int fail(struct parser *p, const char *at, const char *linestart, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "path:line[:col]: message"; col is given when `at` points into the line */
static int fail(struct parser *p, const char *at, const char *linestart, const char *fmt, ...)
{
	int n = at ? snprintf(p->err, p->errsz, "%s:%d:%d: ", p->path, p->line, (int)(at - linestart) + 1)
		   : snprintf(p->err, p->errsz, "%s:%d: ", p->path, p->line);
	if (n >= 0 && (size_t)n < p->errsz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int nomem(struct parser *p)
{
	snprintf(p->err, p->errsz, "%s: out of memory", p->path);
	return -ENOMEM;
}

static int push(struct bytes *b, const void *data, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (b->n + n + 1 > cap)
			cap *= 2;
		uint8_t *v = realloc(b->v, cap);
		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	memcpy(b->v + b->n, data, n);
	b->n += n;
	b->v[b->n] = 0;  /* keeps text buffers terminated */
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Next whitespace-separated token in [*s, end): sets *tok and *len, advances *s. */
static int next_token(const char **s, const char *end, const char **tok, size_t *len)
{
	const char *q = *s;
	while (q < end && is_space(*q))
		q++;
	if (q == end)
		return 0;
	*tok = q;
	while (q < end && !is_space(*q))
		q++;
	*len = (size_t)(q - *tok);
	*s = q;
	return 1;
}

static int count_tokens(const char *s, const char *end)
{
	const char *tok;
	size_t len;
	int n = 0;
	while (next_token(&s, end, &tok, &len))
		n++;
	return n;
}

/* A number: optional '-', then 0x-hex (when `hex` or the token starts with 0x)
 * or decimal; must fit in 64 bits. Negative values wrap modulo 2^64. */
static int parse_u64(const char *tok, size_t len, int hex, uint64_t *out)
{
	int neg = len > 0 && tok[0] == '-';
	const char *s = tok + neg, *end = tok + len;
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		hex = 1;
	}
	if (s == end)
		return -EINVAL;
	uint64_t v = 0;
	for (; s < end; s++) {
		int d = hex ? hexval(*s) : (*s >= '0' && *s <= '9' ? *s - '0' : -1);
		if (d < 0)
			return -EINVAL;
		uint64_t base = hex ? 16 : 10;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	*out = neg ? (uint64_t)0 - v : v;
	return 0;
}

static int is_byte_pair(const char *tok, size_t len)
{
	return len == 2 && hexval(tok[0]) >= 0 && hexval(tok[1]) >= 0;
}

/* one instruction per line: a 64-bit word, or 8 hex byte pairs */
static int raw_line(struct parser *p, const char *s, const char *end)
{
	const char *ls = s, *tok;
	size_t len;
	uint8_t insn[8];
	int ntok = count_tokens(s, end);

	if (ntok == 1) {
		uint64_t v;
		next_token(&s, end, &tok, &len);
		int err = parse_u64(tok, len, 0, &v);
		if (err || tok[0] == '-')
			return fail(p, tok, ls, "%s: '%.*s' (want a 64-bit instruction as 0x-hex or decimal)",
				    err == -ERANGE ? "instruction does not fit in 64 bits" : "bad raw instruction",
				    (int)len, tok);
		for (int i = 0; i < 8; i++)
			insn[i] = (uint8_t)(v >> (8 * i));
	} else {
		if (ntok != 8)
			return fail(p, NULL, NULL, "a raw line holds one 64-bit value or 8 hex byte pairs, found %d items",
				    ntok);
		for (int i = 0; next_token(&s, end, &tok, &len); i++) {
			if (!is_byte_pair(tok, len))
				return fail(p, tok, ls, "expected a hex byte pair, got '%.*s'", (int)len, tok);
			insn[i] = (uint8_t)(hexval(tok[0]) << 4 | hexval(tok[1]));
		}
	}
	return push(&p->raw, insn, sizeof(insn)) ? nomem(p) : 0;
}

static int mem_line(struct parser *p, const char *s, const char *end)
{
	const char *ls = s, *tok;
	size_t len;
	while (next_token(&s, end, &tok, &len)) {
		if (!is_byte_pair(tok, len))
			return fail(p, tok, ls, "expected a hex byte pair in -- mem, got '%.*s'", (int)len, tok);
		uint8_t b = (uint8_t)(hexval(tok[0]) << 4 | hexval(tok[1]));
		if (push(&p->mem, &b, 1))
			return nomem(p);
	}
	return 0;
}

static int result_line(struct parser *p, const char *s, const char *end)
{
	const char *ls = s, *tok;
	size_t len;
	if (p->have_result)
		return fail(p, NULL, NULL, "-- result holds one value; a second one was found");
	next_token(&s, end, &tok, &len);
	int hex = memmem(tok, len, "0x", 2) != NULL;
	int err = parse_u64(tok, len, hex, &p->df->result);
	if (err)
		return fail(p, tok, ls, "%s: '%.*s'", err == -ERANGE ? "result does not fit in 64 bits"
				: "bad result (want 0x-hex or decimal)", (int)len, tok);
	const char *extra;
	if (next_token(&s, end, &extra, &len))
		return fail(p, extra, ls, "unexpected '%.*s' after the result", (int)len, extra);
	p->have_result = 1;
	return 0;
}

static int error_line(struct parser *p, const char *s, const char *end)
{
	while (end > s && is_space(end[-1]))
		end--;
	if (p->have_error)
		return fail(p, NULL, NULL, "-- error holds one line; a second one was found");
	free(p->df->error);
	p->df->error = strndup(s, (size_t)(end - s));
	if (!p->df->error)
		return nomem(p);
	p->have_error = 1;
	return 0;
}

/* `-- name`: open a section. Returns 0 or an error. */
static int header(struct parser *p, const char *s, const char *end)
{
	const char *ls = s;
	while (s < end && is_space(*s))
		s++;
	s = end - s > 2 ? s + 2 : end;  /* "--" */
	while (s < end && is_space(*s))
		s++;
	const char *name = s, *hash = s < end ? memchr(s, '#', (size_t)(end - s)) : NULL;
	const char *nend = hash ? hash : end;
	while (nend > name && is_space(nend[-1]))
		nend--;
	size_t nlen = (size_t)(nend - name);

	for (size_t i = 0; i < sizeof(section_names) / sizeof(section_names[0]); i++) {
		if (strlen(section_names[i].name) != nlen || memcmp(section_names[i].name, name, nlen) != 0)
			continue;
		enum section sec = section_names[i].sec;
		int *where = sec == SEC_ASM ? &p->df->asm_line : sec == SEC_RAW ? &p->df->raw_line
			   : sec == SEC_MEM ? &p->df->mem_line : sec == SEC_RESULT ? &p->df->result_line
			   : sec == SEC_ERROR ? &p->df->error_line : NULL;
		if (where && *where)
			return fail(p, name, ls, "duplicate section '-- %.*s' (first at line %d)", (int)nlen, name,
				    *where);
		if (where)
			*where = p->line;
		if (sec == SEC_ERROR && !p->df->error && !(p->df->error = strdup("")))
			return nomem(p);
		p->sec = sec;
		return 0;
	}
	return fail(p, name, ls, "unknown section '-- %.*s' (want asm, raw, mem, result, error, c or "
		    "no register offset)", (int)nlen, name);
}

static int one_line(struct parser *p, const char *s, const char *end)
{
	const char *q = s;
	while (q < end && is_space(*q))
		q++;
	if (end - q >= 2 && q[0] == '-' && q[1] == '-')
		return header(p, s, end);
	if (p->sec == SEC_IGNORE)
		return 0;
	if (p->sec == SEC_ERROR)
		return q == end ? 0 : error_line(p, s, end);

	const char *hash = memchr(s, '#', (size_t)(end - s));
	if (hash)
		end = hash;
	if (p->sec == SEC_ASM)
		return push(&p->text, s, (size_t)(end - s)) ? nomem(p) : 0;
	if (count_tokens(s, end) == 0)
		return 0;
	switch (p->sec) {
	case SEC_RAW: return raw_line(p, s, end);
	case SEC_MEM: return mem_line(p, s, end);
	case SEC_RESULT: return result_line(p, s, end);
	default: return fail(p, q, s, "text outside any section (a section starts with a line such as '-- asm')");
	}
}

void sbpf_datafile_free(struct sbpf_datafile *df)
{
	if (!df)
		return;
	free(df->path);
	free(df->asm_text);
	free(df->raw);
	free(df->mem);
	free(df->error);
	memset(df, 0, sizeof(*df));
}

int sbpf_datafile_parse(const char *path, const char *text, size_t len, struct sbpf_datafile *df,
			char *err, size_t errsz)
{
	struct parser p = { .path = path ? path : "<input>", .df = df, .err = err, .errsz = errsz };
	int rc = 0;

	memset(df, 0, sizeof(*df));
	if (errsz)
		err[0] = '\0';
	if (!(df->path = strdup(p.path)))
		return nomem(&p);
	for (const char *s = text, *end = text + len; s < end && !rc;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		if (eol > s && eol[-1] == '\r')
			eol--;
		p.line++;
		rc = one_line(&p, s, eol);
		if (!rc && push(&p.text, "\n", 1))
			rc = nomem(&p);
		s = nl ? nl + 1 : end;
	}
	if (!rc && !p.text.v && push(&p.text, "", 0))
		rc = nomem(&p);
	if (rc) {
		free(p.raw.v);
		free(p.mem.v);
		free(p.text.v);
		sbpf_datafile_free(df);
		return rc;
	}
	df->raw = (struct stackbpf_insn *)p.raw.v;
	df->raw_cnt = p.raw.n / 8;
	df->mem = p.mem.v;
	df->mem_len = p.mem.n;
	df->asm_text = (char *)p.text.v;
	df->asm_len = p.text.n;
	return 0;
}

int sbpf_datafile_load(const char *path, struct sbpf_datafile *df, char *err, size_t errsz)
{
	memset(df, 0, sizeof(*df));
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		snprintf(err, errsz, "%s: cannot open: %s", path, strerror(e));
		return -e;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *bigger = realloc(buf, cap * 2);
		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	int bad = !buf || ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(err, errsz, "%s: cannot read", path);
		return buf ? -EIO : -ENOMEM;
	}
	int rc = sbpf_datafile_parse(path, buf, n, df, err, errsz);
	free(buf);
	return rc;
}

struct first_msg {
	char *buf;
	size_t sz;
	int got;
};

static void keep_first(void *ctx, int level, const char *msg)
{
	struct first_msg *m = ctx;
	if (level == 0 && !m->got) {
		snprintf(m->buf, m->sz, "%s", msg);
		m->got = 1;
	}
}

int sbpf_datafile_program(const struct sbpf_datafile *df, const struct stackbpf_host *host,
			  struct stackbpf_insn **insns, size_t *cnt, char *err, size_t errsz)
{
	if (df->raw_cnt) {
		*insns = malloc(df->raw_cnt * sizeof(**insns));
		if (!*insns)
			return -ENOMEM;
		memcpy(*insns, df->raw, df->raw_cnt * sizeof(**insns));
		*cnt = df->raw_cnt;
		return 0;
	}
	if (!df->asm_line) {
		snprintf(err, errsz, "%s: no program (the file has no -- asm or -- raw section)", df->path);
		return -ENOENT;
	}
	if (count_tokens(df->asm_text, df->asm_text + df->asm_len) == 0) {
		snprintf(err, errsz, "%s:%d: no program (the -- asm section is empty)", df->path, df->asm_line);
		return -ENOENT;
	}
	struct first_msg m = { err, errsz, 0 };
	STACKBPF_OPTS(stackbpf_asm_opts, opts, .syntax = STACKBPF_SYNTAX_AUTO, .filename = df->path,
		      .host = host, .log = keep_first, .log_ctx = &m);
	int rc = stackbpf_asm__text(df->asm_text, df->asm_len, &opts, insns, cnt);
	if (rc) {
		if (!m.got)
			snprintf(err, errsz, "%s: the assembler failed (%s)", df->path, strerror(-rc));
		return rc;
	}
	if (*cnt == 0) {
		free(*insns);
		*insns = NULL;
		snprintf(err, errsz, "%s:%d: no program (the -- asm section has no instructions)", df->path,
			 df->asm_line);
		return -ENOENT;
	}
	return 0;
}

void sbpf_datafile_needs(const struct stackbpf_insn *insns, size_t cnt, unsigned *cpu, unsigned *groups)
{
	*cpu = 1;
	*groups = 0;
	for (size_t i = 0; i < cnt; i++) {
		enum sbpf_form f = sbpf_decode(&insns[i]);
		if (f == SBPF_OP_INVALID)
			continue;
		if (sbpf_opinfo[f].cpu > *cpu)
			*cpu = sbpf_opinfo[f].cpu;
		*groups |= sbpf_opinfo[f].group;
		if (sbpf_form_is_wide(f))
			i++;
	}
}
