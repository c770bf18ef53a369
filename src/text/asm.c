/* asm.c - the assembler: statements, labels, directives, dialect detection,
 * and the second pass that resolves jump and call targets.
 *
 * Each statement is matched against the templates of every form (match.c),
 * in the dialects the syntax allows; the first full match wins. When none
 * matches, the most telling failure is reported as "file:line:col: message". */
#include "text/text.h"
#include "text/source.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_INSNS = 1 << 22 };

struct label {
	const char *name;
	size_t len;
	size_t idx;       /* instruction index it names */
	size_t seq;       /* statement number, for 1f / 1b */
	int numeric;
	int implicit;     /* bpf_conformance's `exit` label for the first exit */
	size_t next;      /* 1 + index of the next label with the same name, 0: none */
	size_t last;      /* chain head only: 1 + index of the chain's last label */
};

struct pending {          /* an instruction waiting for a label */
	size_t idx, seq;
	struct sbpf_fixup fx;
};

struct as {
	struct sbpf_source src;
	const struct stackbpf_asm_opts *opts;
	const struct stackbpf_host *host;
	enum sbpf_dialect order[D_NDIALECTS];
	int norder;
	struct stackbpf_insn *insns;
	size_t cnt, cap;
	struct label *labels;
	size_t nlabels, labcap;
	size_t *lab_hash;     /* open addressing: 1 + index of a name's first label */
	size_t lab_hcap;      /* power of two, > 2 * nlabels */
	struct pending *pend;
	size_t npend, pendcap;
	size_t seq;
	int exit_label;
	const struct sbpf_asm_hooks *hooks;   /* NULL: plain assembly */
};

#define OPT(opts, field, dflt) \
	((opts) && (opts)->sz >= offsetof(struct stackbpf_asm_opts, field) + sizeof((opts)->field) \
	 ? (opts)->field : (dflt))

static int error_at(struct as *as, const char *pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int error_at(struct as *as, const char *pos, const char *fmt, ...)
{
	char msg[256], line[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int ln, col;
	sbpf_source_where(&as->src, pos, &ln, &col);
	snprintf(line, sizeof(line), "%s:%d:%d: %s", OPT(as->opts, filename, NULL) ? as->opts->filename
		 : "<input>", ln, col, msg);
	stackbpf_log_fn log = OPT(as->opts, log, NULL);
	if (log)
		log(OPT(as->opts, log_ctx, NULL), 0, line);
	return -EINVAL;
}

/* a hook's result: report its failure */
static int hook_result(struct as *as, int r, const struct sbpf_fail *fail)
{
	if (r == -EINVAL && fail->msg[0])   /* no position: the start of the text */
		return error_at(as, fail->pos ? fail->pos : as->src.text, "%s", fail->msg);
	return r;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 64;
	while (n < need)
		n *= 2;
	void *p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static int emit(struct as *as, const char *pos, const struct stackbpf_insn *in, int n)
{
	if (as->cnt + (size_t)n > MAX_INSNS)
		return error_at(as, pos, "program too large (more than %d instructions)", MAX_INSNS);
	if (grow((void **)&as->insns, &as->cap, as->cnt + (size_t)n, sizeof(*in)))
		return -ENOMEM;
	memcpy(&as->insns[as->cnt], in, (size_t)n * sizeof(*in));
	as->cnt += (size_t)n;
	return 0;
}

/* ------------------------------------------------------------ labels
 *
 * Labels are kept in statement order; a hash of names points at the first
 * label of each name, whose chain (next) lists the others in order. */

static size_t name_hash(const char *name, size_t len)
{
	size_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

/* the hash slot of `name`: empty, or holding its chain head */
static size_t *hash_slot(const struct as *as, const char *name, size_t len)
{
	size_t mask = as->lab_hcap - 1;
	for (size_t i = name_hash(name, len) & mask;; i = (i + 1) & mask) {
		size_t *slot = &as->lab_hash[i];
		const struct label *l = *slot ? &as->labels[*slot - 1] : NULL;
		if (!l || (l->len == len && memcmp(l->name, name, len) == 0))
			return slot;
	}
}

static int rehash(struct as *as)
{
	size_t cap = as->lab_hcap ? as->lab_hcap * 2 : 64;
	size_t *h = calloc(cap, sizeof(*h)), *old = as->lab_hash;
	if (!h)
		return -ENOMEM;
	as->lab_hash = h;
	as->lab_hcap = cap;
	for (size_t i = 0; i < as->nlabels; i++)   /* heads only: a head comes before its chain */
		if (as->labels[i].last) {
			size_t *slot = hash_slot(as, as->labels[i].name, as->labels[i].len);
			if (!*slot)
				*slot = i + 1;
		}
	free(old);
	return 0;
}

/* the first label named `name`, or NULL */
static const struct label *first_label(const struct as *as, const char *name, size_t len)
{
	size_t *slot = as->lab_hcap ? hash_slot(as, name, len) : NULL;
	return slot && *slot ? &as->labels[*slot - 1] : NULL;
}

static int push_label(struct as *as, struct label l)
{
	if ((as->nlabels + 1) * 2 >= as->lab_hcap && rehash(as))
		return -ENOMEM;
	if (grow((void **)&as->labels, &as->labcap, as->nlabels + 1, sizeof(*as->labels)))
		return -ENOMEM;
	size_t *slot = hash_slot(as, l.name, l.len), i = as->nlabels++;
	l.next = l.last = 0;
	as->labels[i] = l;
	if (!*slot) {
		*slot = i + 1;
		as->labels[i].last = i + 1;
	} else {
		struct label *head = &as->labels[*slot - 1];
		as->labels[head->last - 1].next = i + 1;
		head->last = i + 1;
	}
	return 0;
}

static int add_label(struct as *as, const char *name, size_t len)
{
	int numeric = 1;
	for (size_t i = 0; i < len; i++)
		numeric &= name[i] >= '0' && name[i] <= '9';
	for (const struct label *l = numeric ? NULL : first_label(as, name, len); l;
	     l = l->next ? &as->labels[l->next - 1] : NULL)
		if (!l->implicit)
			return error_at(as, name, "duplicate label '%.*s'", (int)len, name);
	if (push_label(as, (struct label){ name, len, as->cnt, as->seq, numeric, 0, 0, 0 }))
		return -ENOMEM;
	if (!numeric && as->hooks && as->hooks->label) {
		struct sbpf_fail fail = { 0 };
		return hook_result(as, as->hooks->label(as->hooks->ctx, name, len, as->cnt, &fail), &fail);
	}
	return 0;
}

/* --------------------------------------------------------- directives */

static const char *const ignored_directives[] = {
	".text", ".globl", ".global", ".section", ".p2align", ".align", ".balign", ".type", ".size",
	".file", ".local", ".weak", ".hidden", ".ident", ".addrsig", ".addrsig_sym", ".previous",
	".loc", ".cfi_sections", ".cfi_startproc", ".cfi_endproc", ".protected", ".data", ".bss",
};

static int directive(struct as *as, const char *s, const char *end)
{
	const char *p = s + 1;
	while (p < end && sbpf_is_ident(*p))
		p++;
	size_t n = (size_t)(p - s);
	if (n == 6 && memcmp(s, ".8byte", 6) == 0) {
		/* .8byte N[, N]...: raw 64-bit words, low byte first (the opcode) */
		for (;;) {
			while (p < end && sbpf_is_space(*p))
				p++;
			int neg, hex, ovf;
			uint64_t v;
			const char *e = sbpf_scan_number(p, end, &neg, &v, &hex, &ovf);
			if (!e)
				return error_at(as, p, p < end ? "expected a number" : "expected a number after '.8byte'");
			if (ovf || (neg && v > (uint64_t)1 << 63))
				return error_at(as, p, "value '%.*s' does not fit in 64 bits", (int)(e - p), p);
			if (neg)
				v = 0 - v;
			uint8_t b[8];
			for (int i = 0; i < 8; i++)
				b[i] = (uint8_t)(v >> (8 * i));
			struct stackbpf_insn in;
			memcpy(&in, b, 8);
			int err = emit(as, p, &in, 1);
			if (err)
				return err;
			p = e;
			while (p < end && sbpf_is_space(*p))
				p++;
			if (p >= end)
				return 0;
			if (*p != ',')
				return error_at(as, p, "expected ',' or end of line");
			p++;
		}
	}
	if (as->hooks && as->hooks->directive) {
		struct sbpf_fail fail = { 0 };
		int r = as->hooks->directive(as->hooks->ctx, s, n, p, end, as->cnt, &fail);
		if (r)
			return r > 0 ? 0 : hook_result(as, r, &fail);
	}
	for (size_t i = 0; i < sizeof(ignored_directives) / sizeof(ignored_directives[0]); i++)
		if (strlen(ignored_directives[i]) == n && memcmp(ignored_directives[i], s, n) == 0)
			return 0;
	return error_at(as, s, "unknown directive '%.*s'", (int)n, s);
}

/* ------------------------------------------------------- instructions */

static size_t token_len(const char *s, const char *end)
{
	const char *p = s;
	if (end - p >= 2 && p[0] == '%' && sbpf_is_ident(p[1]))
		p++;                       /* %r1 */
	while (p < end && sbpf_is_ident(*p))
		p++;
	return p > s ? (size_t)(p - s) : (s < end ? 1 : 0);
}

/* the token at s for a message, with unprintable bytes as \xNN */
static void show_token(char *buf, size_t sz, const char *s, const char *end)
{
	size_t n = token_len(s, end), len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 5 < sz; i++) {
		unsigned char c = (unsigned char)s[i];
		len += (size_t)snprintf(buf + len, sz - len, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
	}
}

static int instruction(struct as *as, const char *s, const char *end, int forced_code)
{
	struct sbpf_fail fail = { 0 };
	struct sbpf_parsed parsed;
	for (int k = 0; k < as->norder; k++) {
		for (int f = 0; f < SBPF_NFORMS; f++) {
			if (forced_code >= 0 && sbpf_opinfo[f].code != forced_code)
				continue;
			if (!sbpf_match((enum sbpf_form)f, as->order[k], s, end, &parsed, &fail))
				continue;
			size_t idx = as->cnt;
			if (as->order[k] == D_CONF && f == SBPF_OP_EXIT && !as->exit_label) {
				/* bpf_conformance: `exit` as a jump target names the first exit */
				if (push_label(as, (struct label){ "exit", 4, idx, as->seq, 0, 1, 0, 0 }))
					return -ENOMEM;
				as->exit_label = 1;
			}
			int err = emit(as, s, parsed.insn, parsed.nslots);
			if (err)
				return err;
			if (parsed.fx.kind != FX_NONE) {
				if (grow((void **)&as->pend, &as->pendcap, as->npend + 1, sizeof(*as->pend)))
					return -ENOMEM;
				as->pend[as->npend++] = (struct pending){ idx, as->seq, parsed.fx };
			}
			return 0;
		}
	}
	if (forced_code >= 0) {
		/* does the text say something else than the opcode in front of it? */
		for (int k = 0; k < as->norder; k++)
			for (int f = 0; f < SBPF_NFORMS; f++)
				if (sbpf_match((enum sbpf_form)f, as->order[k], s, end, &parsed, &(struct sbpf_fail){ 0 }))
					return error_at(as, s, "the instruction has opcode (%02x), not (%02x)",
							parsed.insn[0].code, forced_code);
	}
	if (!fail.pos)
		fail.pos = s;
	if (fail.rank > 1)
		return error_at(as, fail.pos, "%s", fail.msg);
	char tok[48];
	show_token(tok, sizeof(tok), fail.pos, end);
	if (fail.pos == s)
		return error_at(as, s, "unknown instruction '%s'", tok);
	if (!tok[0])
		return error_at(as, fail.pos, "unexpected end of line");
	return error_at(as, fail.pos, "unexpected '%s'", tok);
}

/* "N: (hh) " as the verifier log prints it, or just "(hh) " as
 * stackbpf_disasm__insn does: returns the opcode, or -1 */
static int pc_prefix(const char **sp, const char *end)
{
	const char *p = *sp;
	const char *d = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p > d) {
		if (p >= end || *p != ':')
			return -1;
		p++;
		while (p < end && sbpf_is_space(*p))
			p++;
	}
	if (end - p < 4 || p[0] != '(' || p[3] != ')')
		return -1;
	int v = 0;
	for (int i = 1; i <= 2; i++) {
		int c = p[i];
		v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1000);
	}
	if (v < 0)
		return -1;
	*sp = p + 4;
	return v;
}

static int statement(struct as *as, const char *s, const char *end)
{
	while (s < end && sbpf_is_space(*s))
		s++;
	while (end > s && sbpf_is_space(end[-1]))
		end--;
	if (s == end)
		return 0;
	as->seq++;
	int code = pc_prefix(&s, end);
	/* labels: `name:` and GNU local `1:`, possibly followed by an instruction */
	while (code < 0) {
		const char *p = s;
		if (p < end && (sbpf_is_ident_start(*p) || (*p >= '0' && *p <= '9')))
			while (p < end && sbpf_is_ident(*p))
				p++;
		if (p == s || p >= end || *p != ':')
			break;
		int err = add_label(as, s, (size_t)(p - s));
		if (err)
			return err;
		s = p + 1;
		while (s < end && sbpf_is_space(*s))
			s++;
		if (s == end)
			return 0;
		as->seq++;
	}
	while (s < end && sbpf_is_space(*s))
		s++;
	if (s == end)
		return error_at(as, s, "expected an instruction after the pc prefix");
	if (*s == '.')
		return directive(as, s, end);
	return instruction(as, s, end, code);
}

/* ----------------------------------------------------------- resolving */

static const struct label *find_label(const struct as *as, const struct pending *pd)
{
	const struct sbpf_fixup *fx = &pd->fx;
	const struct label *best = NULL;
	for (const struct label *l = first_label(as, fx->name, fx->len); l;
	     l = l->next ? &as->labels[l->next - 1] : NULL) {
		if (!fx->dir && !l->numeric && !l->implicit)
			return l;
		if (!fx->dir && l->implicit)
			best = l;
		if (fx->dir == 'b' && l->seq <= pd->seq)
			best = l;                       /* the latest one before */
		if (fx->dir == 'f' && l->seq > pd->seq)
			return l;                       /* the first one after */
	}
	return best;
}

static int resolve_one(struct as *as, const struct pending *pd)
{
	const struct sbpf_fixup *fx = &pd->fx;
	struct stackbpf_insn *in = &as->insns[pd->idx];
	const struct label *l = find_label(as, pd);
	int64_t rel = l ? (int64_t)l->idx - (int64_t)pd->idx - 1 : 0;
	if (fx->kind == FX_CALL && !l) {
		char name[128];
		if (fx->len >= sizeof(name))
			return error_at(as, fx->pos, "unknown call target '%.*s'", (int)fx->len, fx->name);
		memcpy(name, fx->name, fx->len);
		name[fx->len] = '\0';
		int32_t id = sbpf_helper_id(name);
		if (id >= 0) {
			in->src = SBPF_CALL_HELPER;
			in->imm = id;
			return 0;
		}
		int hid = as->host ? stackbpf_host__find(as->host, name) : -ENOENT;
		if (hid >= 0) {
			in->src = SBPF_CALL_KFUNC;
			in->imm = hid;
			return 0;
		}
		return error_at(as, fx->pos, "unknown call target '%s'", name);
	}
	if (!l)
		return error_at(as, fx->pos, "unknown label '%.*s%s'", (int)fx->len, fx->name,
				fx->dir == 'f' ? "f" : fx->dir == 'b' ? "b" : "");
	if (fx->kind == FX_OFF) {
		if (rel < INT16_MIN || rel > INT16_MAX)
			return error_at(as, fx->pos, "jump to '%.*s' is out of range (offset %lld)", (int)fx->len,
					fx->name, (long long)rel);
		in->off = (int16_t)rel;
	} else {
		if (rel < INT32_MIN || rel > INT32_MAX)
			return error_at(as, fx->pos, "target '%.*s' is out of range", (int)fx->len, fx->name);
		in->imm = (int32_t)rel;
		if (fx->kind == FX_CALL)
			in->src = SBPF_CALL_LOCAL;
	}
	return 0;
}

static int resolve(struct as *as, const struct pending *pd)
{
	int err = resolve_one(as, pd);
	if (err || !as->hooks || !as->hooks->ref)
		return err;
	const struct label *l = find_label(as, pd);
	struct sbpf_fail fail = { 0 };
	return hook_result(as, as->hooks->ref(as->hooks->ctx, pd->idx, &pd->fx, l ? (int64_t)l->idx : -1, &fail),
			   &fail);
}

/* ----------------------------------------------------------- dialects */

static void choose_dialects(struct as *as, enum stackbpf_syntax syntax)
{
	enum sbpf_dialect first;
	switch (syntax) {
	case STACKBPF_SYNTAX_LLVM:
		as->order[0] = D_LLVM, as->order[1] = D_KERNEL, as->norder = 2;
		return;
	case STACKBPF_SYNTAX_KERNEL:
		as->order[0] = D_KERNEL, as->order[1] = D_LLVM, as->norder = 2;
		return;
	case STACKBPF_SYNTAX_CONFORMANCE:
		as->order[0] = D_CONF, as->norder = 1;
		return;
	default:
		first = sbpf_source_detect(&as->src);
		break;
	}
	as->order[0] = first;
	as->norder = 1;
	if (first != D_CONF)
		as->order[as->norder++] = first == D_LLVM ? D_KERNEL : D_LLVM;
}

int stackbpf_asm__text(const char *text, size_t len, const struct stackbpf_asm_opts *opts,
		       struct stackbpf_insn **insns, size_t *cnt)
{
	return sbpf_asm_hooked(text, len, opts, NULL, insns, cnt);
}

int sbpf_asm_hooked(const char *text, size_t len, const struct stackbpf_asm_opts *opts,
		    const struct sbpf_asm_hooks *hooks, struct stackbpf_insn **insns, size_t *cnt)
{
	if ((!text && len) || !insns || !cnt)
		return -EINVAL;
	struct as as = { .opts = opts, .host = OPT(opts, host, NULL), .hooks = hooks };
	int err = sbpf_source_init(&as.src, text ? text : "", len);
	if (err)
		return err;
	choose_dialects(&as, OPT(opts, syntax, STACKBPF_SYNTAX_AUTO));

	const char *s, *e;
	struct sbpf_cursor cur = { 0 };
	while (!err && sbpf_source_next(&as.src, &cur, &s, &e))
		err = statement(&as, s, e);
	if (!err && as.src.open_comment)
		err = error_at(&as, as.src.open_comment, "unterminated '/*' comment");
	for (size_t i = 0; !err && i < as.npend; i++)
		err = resolve(&as, &as.pend[i]);
	if (!err && hooks && hooks->finish) {
		struct sbpf_fail fail = { 0 };
		err = hook_result(&as, hooks->finish(hooks->ctx, as.insns, as.cnt, &fail), &fail);
	}

	free(as.labels);
	free(as.lab_hash);
	free(as.pend);
	sbpf_source_free(&as.src);
	if (err) {
		free(as.insns);
		return err;
	}
	if (!as.insns && !(as.insns = calloc(1, sizeof(*as.insns))))
		return -ENOMEM;
	*insns = as.insns;
	*cnt = as.cnt;
	return 0;
}
