/* elf_write.c - `stackbpf asm --elf`: assemble text into a relocatable BPF
 * ELF object the way clang lays one out (stackbpf_asm__elf).
 *
 * The assembler (src/text) does the instructions; its hooks (text.h) hand us
 * the directives it does not know, every named label and every resolved
 * label reference. From them this file builds, in memory:
 *
 *   sections     one per `.section NAME` (`.text` for static subprograms;
 *                code before any directive is .text), each one contiguous
 *   functions    labels named by `.func`, called, or opening a section:
 *                STT_FUNC symbols, global in program sections, local in .text
 *   calls        in one section: pc-relative as assembled; across sections:
 *                src 1, imm -1 and R_BPF_64_32 on the callee's symbol;
 *                host functions: an undefined global symbol (__ksym extern)
 *   .BTF         u64, then FUNC_PROTO + FUNC per `.func`, FUNC (extern) per
 *                host function with its registered arity, DATASEC .ksyms
 *   license      from `.license "GPL"`
 *
 * and writes it with libelf (ELFCLASS64, ELFDATA2LSB, ET_REL, EM_BPF) and
 * libbpf's BTF writer. Every problem is one "file:line:col: message". */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "isa/insn.h"
#include "text/text.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_32
#define R_BPF_64_32 10
#endif

enum { MAX_PARAMS = 12, MAX_NAME = 128 };

struct span { const char *s; size_t n; };

struct ew_sec {
	struct span name;
	size_t start, end;          /* instructions [start, end) */
	const char *pos;            /* the directive; NULL for the implicit .text */
	size_t shndx;               /* ELF section index once laid out */
	size_t nrel;
	size_t name_off, rel_name_off;   /* in .strtab */
};

struct ew_label { struct span name; size_t insn; bool fn; int func; /* index in funcs, -1 */ };

struct ew_func {                /* a `.func` declaration */
	struct span name;
	const char *pos;
	int nparams;
	struct span param[MAX_PARAMS];
	bool defined;
};

struct ew_ref { size_t insn; int64_t target; struct sbpf_fixup fx; };

struct ew {
	const struct stackbpf_asm_opts *opts;
	const struct stackbpf_host *host;
	const char *path;
	struct ew_sec *secs;
	size_t nsecs;
	struct ew_label *labels;       /* in source order, so by instruction */
	size_t nlabels;
	struct ew_label **byname;      /* the labels sorted by name (layout) */
	struct ew_func *funcs;
	size_t nfuncs;
	struct ew_ref *refs;
	size_t nrefs;
	struct span license;
	const char *license_pos;
};

#define OPT(opts, field, dflt) \
	((opts) && (opts)->sz >= offsetof(struct stackbpf_asm_opts, field) + sizeof((opts)->field) \
	 ? (opts)->field : (dflt))

static int fail_at(struct sbpf_fail *f, const char *pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail_at(struct sbpf_fail *f, const char *pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	f->pos = pos;
	return -EINVAL;
}

static bool span_eq(struct span a, struct span b) { return a.n == b.n && memcmp(a.s, b.s, a.n) == 0; }
static bool span_is(struct span a, const char *s) { return a.n == strlen(s) && memcmp(a.s, s, a.n) == 0; }

static void *push(void *arr, size_t *n, size_t elem)
{
	char *v = realloc(arr, (*n + 1) * elem);
	if (v)
		memset(v + *n * elem, 0, elem);
	return v;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && sbpf_is_space(*p))
		p++;
	return p;
}

static const char *scan_ident(const char *p, const char *end)
{
	if (p >= end || !sbpf_is_ident_start(*p))
		return p;
	while (p < end && sbpf_is_ident(*p))
		p++;
	return p;
}

/* ------------------------------------------------------------ directives */

static int open_section(struct ew *w, struct span name, const char *pos, size_t insn)
{
	if (w->nsecs)
		w->secs[w->nsecs - 1].end = insn;
	if (w->nsecs && w->secs[w->nsecs - 1].start == insn)
		w->nsecs--;                       /* an empty section: drop it */
	for (size_t i = 0; i < w->nsecs; i++)
		if (span_eq(w->secs[i].name, name))
			return -EEXIST;
	struct ew_sec *v = push(w->secs, &w->nsecs, sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->secs = v;
	v[w->nsecs++] = (struct ew_sec){ .name = name, .start = insn, .end = insn, .pos = pos };
	return 0;
}

/* .section NAME[, flags...] / .section "NAME" */
static int dir_section(struct ew *w, const char *s, const char *p, const char *end, size_t insn, struct sbpf_fail *f)
{
	p = skip_space(p, end);
	const char *n0 = p;
	struct span name;
	if (p < end && *p == '"') {
		n0 = ++p;
		while (p < end && *p != '"')
			p++;
		if (p >= end)
			return fail_at(f, n0 - 1, "unterminated section name");
		name = (struct span){ n0, (size_t)(p - n0) };
		p++;
	} else {
		while (p < end && (sbpf_is_ident(*p) || *p == '/' || *p == '-' || *p == '+'))
			p++;
		name = (struct span){ n0, (size_t)(p - n0) };
	}
	if (name.n == 0)
		return fail_at(f, n0, "expected a section name after '.section'");
	if (name.n >= MAX_NAME)
		return fail_at(f, n0, "section name longer than %d characters", MAX_NAME - 1);
	for (size_t i = 0; i < name.n; i++)
		if ((unsigned char)name.s[i] < 0x20 || (unsigned char)name.s[i] >= 0x7f)
			return fail_at(f, name.s + i, "unprintable character in section name");
	p = skip_space(p, end);
	if (p < end && *p != ',')
		return fail_at(f, p, "expected ',' or end of line after the section name");
	if (span_is(name, "license") || span_is(name, ".BTF") || span_is(name, ".symtab") ||
	    span_is(name, ".strtab") || (name.n >= 4 && memcmp(name.s, ".rel", 4) == 0))
		return fail_at(f, n0, "section name '%.*s' is reserved for the object's own sections", (int)name.n,
			       name.s);
	int err = open_section(w, name, s, insn);
	if (err == -EEXIST)
		return fail_at(f, n0, "section '%.*s' was already used: keep a section's code in one place",
			       (int)name.n, name.s);
	return err;
}

/* .func NAME(a, b, ...) */
static int dir_func(struct ew *w, const char *p, const char *end, struct sbpf_fail *f)
{
	p = skip_space(p, end);
	const char *n0 = p;
	p = scan_ident(p, end);
	if (p == n0)
		return fail_at(f, n0, "expected a function name after '.func' (.func NAME(a, b, ...))");
	struct ew_func fn = { .name = { n0, (size_t)(p - n0) }, .pos = n0 };
	if (fn.name.n >= MAX_NAME)
		return fail_at(f, n0, "function name longer than %d characters", MAX_NAME - 1);
	for (size_t i = 0; i < w->nfuncs; i++)
		if (span_eq(w->funcs[i].name, fn.name))
			return fail_at(f, n0, "function '%.*s' is declared twice", (int)fn.name.n, fn.name.s);
	p = skip_space(p, end);
	if (p >= end || *p != '(')
		return fail_at(f, p, "expected '(' after the function name (.func NAME(a, b, ...))");
	p = skip_space(p + 1, end);
	if (p < end && *p == ')') {
		p++;
	} else {
		for (;;) {
			const char *a0 = p;
			p = scan_ident(p, end);
			if (p == a0)
				return fail_at(f, a0, "expected a parameter name");
			struct span a = { a0, (size_t)(p - a0) };
			if (fn.nparams == MAX_PARAMS)
				return fail_at(f, a0, "function '%.*s' has more than %d parameters (r1-r5 and 7 stack "
					       "arguments)", (int)fn.name.n, fn.name.s, MAX_PARAMS);
			for (int i = 0; i < fn.nparams; i++)
				if (span_eq(fn.param[i], a))
					return fail_at(f, a0, "parameter '%.*s' appears twice", (int)a.n, a.s);
			fn.param[fn.nparams++] = a;
			p = skip_space(p, end);
			if (p < end && *p == ')') {
				p++;
				break;
			}
			if (p >= end || *p != ',')
				return fail_at(f, p, "expected ',' or ')' in the parameter list");
			p = skip_space(p + 1, end);
		}
	}
	p = skip_space(p, end);
	if (p < end)
		return fail_at(f, p, "unexpected text after the parameter list");
	struct ew_func *v = push(w->funcs, &w->nfuncs, sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->funcs = v;
	v[w->nfuncs++] = fn;
	return 0;
}

/* .license "GPL" */
static int dir_license(struct ew *w, const char *s, const char *p, const char *end, struct sbpf_fail *f)
{
	if (w->license_pos)
		return fail_at(f, s, "second '.license' (the first is enough)");
	p = skip_space(p, end);
	if (p >= end || *p != '"')
		return fail_at(f, p, "expected a quoted string after '.license' (.license \"GPL\")");
	const char *l0 = ++p;
	while (p < end && *p != '"') {
		if (*p == '\\' || (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return fail_at(f, p, "the license must be plain printable text");
		p++;
	}
	if (p >= end)
		return fail_at(f, l0 - 1, "unterminated string");
	if (p == l0)
		return fail_at(f, l0 - 1, "empty license");
	if (skip_space(p + 1, end) < end)
		return fail_at(f, skip_space(p + 1, end), "unexpected text after the license");
	w->license = (struct span){ l0, (size_t)(p - l0) };
	w->license_pos = s;
	return 0;
}

static int hook_directive(void *ctx, const char *s, size_t nlen, const char *args, const char *end, size_t insn,
			  struct sbpf_fail *f)
{
	struct ew *w = ctx;
	struct span d = { s, nlen };
	int err;
	if (span_is(d, ".section")) {
		err = dir_section(w, s, args, end, insn, f);
	} else if (span_is(d, ".text")) {
		if (skip_space(args, end) < end)
			return fail_at(f, skip_space(args, end), "unexpected text after '.text'");
		err = open_section(w, (struct span){ ".text", 5 }, s, insn);
		if (err == -EEXIST)
			return fail_at(f, s, "section '.text' was already used: keep a section's code in one place");
	} else if (span_is(d, ".func")) {
		err = dir_func(w, args, end, f);
	} else if (span_is(d, ".license")) {
		err = dir_license(w, s, args, end, f);
	} else if (span_is(d, ".data") || span_is(d, ".bss")) {
		return fail_at(f, s, "'%.*s': global data is not supported by asm --elf", (int)nlen, s);
	} else {
		return 0;
	}
	return err ? err : 1;
}

static int hook_label(void *ctx, const char *name, size_t len, size_t insn, struct sbpf_fail *f)
{
	struct ew *w = ctx;
	if (len >= MAX_NAME)
		return fail_at(f, name, "label longer than %d characters", MAX_NAME - 1);
	struct ew_label *v = push(w->labels, &w->nlabels, sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->labels = v;
	v[w->nlabels++] = (struct ew_label){ .name = { name, len }, .insn = insn, .func = -1 };
	return 0;
}

static int hook_ref(void *ctx, size_t insn, const struct sbpf_fixup *fx, int64_t target, struct sbpf_fail *f)
{
	struct ew *w = ctx;
	(void)f;
	struct ew_ref *v = push(w->refs, &w->nrefs, sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->refs = v;
	v[w->nrefs++] = (struct ew_ref){ insn, target, *fx };
	return 0;
}

/* ------------------------------------------------------------ layout */

/* Sections and labels are in instruction order and looked up by binary
 * search, labels by name through w->byname: large inputs stay fast. */
static int sec_of(const struct ew *w, size_t insn)
{
	size_t lo = 0, hi = w->nsecs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (insn < w->secs[mid].start)
			hi = mid;
		else if (insn >= w->secs[mid].end)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

/* the first label at instruction insn */
static struct ew_label *label_at(struct ew *w, size_t insn)
{
	size_t lo = 0, hi = w->nlabels;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->labels[mid].insn < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nlabels && w->labels[lo].insn == insn ? &w->labels[lo] : NULL;
}

static int span_cmp(struct span a, struct span b)
{
	int c = memcmp(a.s, b.s, a.n < b.n ? a.n : b.n);
	return c ? c : a.n < b.n ? -1 : a.n > b.n;
}

static int byname_cmp(const void *a, const void *b)
{
	return span_cmp((*(struct ew_label *const *)a)->name, (*(struct ew_label *const *)b)->name);
}

static struct ew_label *label_named(struct ew *w, struct span name)
{
	size_t lo = 0, hi = w->nlabels;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = span_cmp(w->byname[mid]->name, name);
		if (c == 0)
			return w->byname[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* mark the function labels and check the structure */
static int layout(struct ew *w, size_t cnt, struct sbpf_fail *f)
{
	if (w->nsecs)
		w->secs[w->nsecs - 1].end = cnt;
	if (w->nsecs && w->secs[w->nsecs - 1].start == cnt)
		w->nsecs--;
	w->byname = malloc((w->nlabels ? w->nlabels : 1) * sizeof(*w->byname));
	if (!w->byname)
		return -ENOMEM;
	for (size_t i = 0; i < w->nlabels; i++)
		w->byname[i] = &w->labels[i];
	qsort(w->byname, w->nlabels, sizeof(*w->byname), byname_cmp);
	for (size_t i = 0; i < w->nfuncs; i++) {
		struct ew_label *l = label_named(w, w->funcs[i].name);
		if (!l)
			return fail_at(f, w->funcs[i].pos, "'.func %.*s': no label '%.*s:' in the file",
				       (int)w->funcs[i].name.n, w->funcs[i].name.s, (int)w->funcs[i].name.n,
				       w->funcs[i].name.s);
		l->fn = true;
		l->func = (int)i;
	}
	for (size_t i = 0; i < w->nrefs; i++) {
		const struct ew_ref *r = &w->refs[i];
		if (r->fx.kind != FX_CALL || r->target < 0)
			continue;
		struct ew_label *l = label_named(w, (struct span){ r->fx.name, r->fx.len });
		if (l)
			l->fn = true;
	}
	for (size_t i = 0; i < w->nsecs; i++) {
		struct ew_label *l = label_at(w, w->secs[i].start);
		if (!l) {
			if (w->secs[i].pos)
				return fail_at(f, w->secs[i].pos, "section '%.*s' does not start with a function label",
					       (int)w->secs[i].name.n, w->secs[i].name.s);
			return fail_at(f, NULL, "code before the first label: start with a function label (NAME:)");
		}
		l->fn = true;
	}
	const struct ew_label *prev = NULL;
	for (size_t i = 0; i < w->nlabels; i++) {
		const struct ew_label *l = &w->labels[i];
		if (!l->fn)
			continue;
		if (sec_of(w, l->insn) < 0)
			return fail_at(f, l->name.s, "function '%.*s' has no instructions", (int)l->name.n, l->name.s);
		if (prev && prev->insn == l->insn)
			return fail_at(f, l->name.s, "functions '%.*s' and '%.*s' start at the same instruction",
				       (int)prev->name.n, prev->name.s, (int)l->name.n, l->name.s);
		prev = l;
	}
	/* jumps stay inside their section */
	for (size_t i = 0; i < w->nrefs; i++) {
		const struct ew_ref *r = &w->refs[i];
		if (r->fx.kind == FX_CALL || r->target < 0)
			continue;
		int a = sec_of(w, r->insn), b = sec_of(w, (size_t)r->target);
		if (a != b)
			return fail_at(f, r->fx.pos, "jump to '%.*s' in another section", (int)r->fx.len, r->fx.name);
	}
	return 0;
}

/* ------------------------------------------------------------ writing */

struct strtab { char *buf; size_t len, cap; };

static size_t str_add(struct strtab *t, const char *s, size_t n, int *err)
{
	if (*err)
		return 0;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *b = realloc(t->buf, cap);
		if (!b) {
			*err = -ENOMEM;
			return 0;
		}
		t->buf = b;
		t->cap = cap;
	}
	size_t off = t->len;
	memcpy(t->buf + off, s, n);
	t->buf[off + n] = '\0';
	t->len += n + 1;
	return off;
}

struct extern_fn { struct span name; unsigned nargs; size_t sym; int btf_id; };

/* everything the file holds, built before the file is created */
struct image {
	struct strtab str;
	uint8_t *code;                /* all instructions, little-endian */
	Elf64_Sym *syms;
	size_t nsyms, nlocal;
	Elf64_Rel *rels;              /* per section, in section order */
	size_t nrels;
	struct extern_fn *ext;
	size_t next;
	void *btf_raw;
	uint32_t btf_size;
	struct btf *btf;
	size_t *label_sym;            /* symbol index of each function label */
};

static void image_free(struct image *im)
{
	free(im->str.buf);
	free(im->code);
	free(im->syms);
	free(im->rels);
	free(im->ext);
	free(im->label_sym);
	btf__free(im->btf);
}

static void put_insn(uint8_t *b, const struct stackbpf_insn *in)
{
	b[0] = in->code;
	b[1] = (uint8_t)(in->dst | in->src << 4);
	uint16_t off = (uint16_t)in->off;
	uint32_t imm = (uint32_t)in->imm;
	b[2] = (uint8_t)off, b[3] = (uint8_t)(off >> 8);
	for (int i = 0; i < 4; i++)
		b[4 + i] = (uint8_t)(imm >> (8 * i));
}

static int build_btf(struct ew *w, struct image *im, struct sbpf_fail *f)
{
	if (!w->nfuncs && !im->next)
		return 0;
	im->btf = btf__new_empty();
	if (!im->btf)
		return errno ? -errno : -ENOMEM;
	int u64 = btf__add_int(im->btf, "u64", 8, 0);
	if (u64 < 0)
		return u64;
	for (size_t i = 0; i < w->nfuncs; i++) {
		const struct ew_func *fn = &w->funcs[i];
		char name[MAX_NAME];
		int proto = btf__add_func_proto(im->btf, u64);
		if (proto < 0)
			return proto;
		for (int k = 0; k < fn->nparams; k++) {
			snprintf(name, sizeof(name), "%.*s", (int)fn->param[k].n, fn->param[k].s);
			int e = btf__add_func_param(im->btf, name, u64);
			if (e < 0)
				return e;
		}
		const struct ew_label *l = label_named(w, fn->name);
		int si = l ? sec_of(w, l->insn) : -1;
		bool text = si >= 0 && span_is(w->secs[si].name, ".text");
		snprintf(name, sizeof(name), "%.*s", (int)fn->name.n, fn->name.s);
		int id = btf__add_func(im->btf, name, text ? BTF_FUNC_STATIC : BTF_FUNC_GLOBAL, proto);
		if (id < 0)
			return fail_at(f, fn->pos, "BTF for function '%s': %s", name, strerror(-id));
	}
	for (size_t i = 0; i < im->next; i++) {
		char name[MAX_NAME];
		int proto = btf__add_func_proto(im->btf, u64);
		if (proto < 0)
			return proto;
		for (unsigned k = 0; k < im->ext[i].nargs; k++) {
			int e = btf__add_func_param(im->btf, NULL, u64);
			if (e < 0)
				return e;
		}
		snprintf(name, sizeof(name), "%.*s", (int)im->ext[i].name.n, im->ext[i].name.s);
		im->ext[i].btf_id = btf__add_func(im->btf, name, BTF_FUNC_EXTERN, proto);
		if (im->ext[i].btf_id < 0)
			return im->ext[i].btf_id;
	}
	if (im->next) {
		int ds = btf__add_datasec(im->btf, ".ksyms", 0);
		if (ds < 0)
			return ds;
		for (size_t i = 0; i < im->next; i++) {
			int e = btf__add_datasec_var_info(im->btf, im->ext[i].btf_id, 0, 0);
			if (e < 0)
				return e;
		}
	}
	if (btf__set_endianness(im->btf, BTF_LITTLE_ENDIAN))
		return -EINVAL;
	const void *raw = btf__raw_data(im->btf, &im->btf_size);
	if (!raw)
		return -ENOMEM;
	im->btf_raw = (void *)raw;
	return 0;
}

static int ext_index(struct ew *w, struct image *im, struct span name, const char *pos, struct sbpf_fail *f)
{
	for (size_t i = 0; i < im->next; i++)
		if (span_eq(im->ext[i].name, name))
			return (int)i;
	char buf[MAX_NAME];
	if (name.n >= sizeof(buf))
		return fail_at(f, pos, "host function name too long");
	snprintf(buf, sizeof(buf), "%.*s", (int)name.n, name.s);
	int id = w->host ? stackbpf_host__find(w->host, buf) : -ENOENT;
	const struct stackbpf_fn_desc *d = id >= 0 ? stackbpf_host__fn(w->host, id) : NULL;
	if (!d)
		return fail_at(f, pos, "call to '%s': not a host function", buf);
	struct extern_fn *v = push(im->ext, &im->next, sizeof(*v));
	if (!v)
		return -ENOMEM;
	im->ext = v;
	v[im->next] = (struct extern_fn){ .name = name, .nargs = d->nargs };
	return (int)im->next++;
}

static int build_image(struct ew *w, struct stackbpf_insn *insns, size_t cnt, struct image *im, struct sbpf_fail *f)
{
	int err = 0;
	str_add(&im->str, "", 0, &err);
	/* host calls: externs, in the order of their first call */
	for (size_t i = 0; i < w->nrefs; i++) {
		const struct ew_ref *r = &w->refs[i];
		if (r->fx.kind != FX_CALL || r->target >= 0 || insns[r->insn].src != SBPF_CALL_KFUNC)
			continue;
		int e = ext_index(w, im, (struct span){ r->fx.name, r->fx.len }, r->fx.pos, f);
		if (e < 0)
			return e;
	}
	/* symbols: null, local (.text) functions, then globals (programs, externs) */
	im->syms = calloc(w->nlabels + im->next + 1, sizeof(*im->syms));
	im->label_sym = calloc(w->nlabels + 1, sizeof(*im->label_sym));
	im->rels = calloc(w->nrefs + 1, sizeof(*im->rels));
	im->code = calloc(cnt ? cnt : 1, 8);
	if (!im->syms || !im->label_sym || !im->rels || !im->code)
		return -ENOMEM;
	im->nsyms = 1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < w->nlabels; i++) {
			const struct ew_label *l = &w->labels[i];
			if (!l->fn)
				continue;
			int si = sec_of(w, l->insn);
			const struct ew_sec *s = &w->secs[si];
			bool local = span_is(s->name, ".text");
			if (local != (pass == 0))
				continue;
			size_t end = s->end;              /* up to the next function of its section */
			for (size_t k = i + 1; k < w->nlabels && w->labels[k].insn < end; k++)
				if (w->labels[k].fn)
					end = w->labels[k].insn;
			Elf64_Sym *sym = &im->syms[im->nsyms];
			sym->st_name = (Elf64_Word)str_add(&im->str, l->name.s, l->name.n, &err);
			sym->st_info = ELF64_ST_INFO(local ? STB_LOCAL : STB_GLOBAL, STT_FUNC);
			sym->st_shndx = (Elf64_Half)s->shndx;
			sym->st_value = (l->insn - s->start) * 8;
			sym->st_size = (end - l->insn) * 8;
			im->label_sym[i] = im->nsyms++;
		}
		if (pass == 0)
			im->nlocal = im->nsyms;
	}
	for (size_t i = 0; i < im->next; i++) {
		Elf64_Sym *sym = &im->syms[im->nsyms];
		/* as clang writes a __ksym function: NOTYPE, GLOBAL, UND (libbpf's extern test) */
		sym->st_name = (Elf64_Word)str_add(&im->str, im->ext[i].name.s, im->ext[i].name.n, &err);
		sym->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE);
		sym->st_shndx = SHN_UNDEF;
		im->ext[i].sym = im->nsyms++;
	}
	if (err)
		return err;
	/* calls: relocations; the references come in instruction order, so the
	 * relocations come grouped by section, in section order */
	for (size_t i = 0; i < w->nrefs; i++) {
		const struct ew_ref *r = &w->refs[i];
		int si = sec_of(w, r->insn);
		if (r->fx.kind != FX_CALL || si < 0)
			continue;
		struct ew_sec *s = &w->secs[si];
		size_t symi = 0;
		struct stackbpf_insn *in = &insns[r->insn];
		if (r->target >= 0) {
			if (sec_of(w, (size_t)r->target) == si)
				continue;                         /* pc-relative, as assembled */
			const struct ew_label *l = label_named(w, (struct span){ r->fx.name, r->fx.len });
			symi = l ? im->label_sym[l - w->labels] : 0;
		} else if (in->src == SBPF_CALL_KFUNC) {
			int e = ext_index(w, im, (struct span){ r->fx.name, r->fx.len }, r->fx.pos, f);
			if (e < 0)
				return e;
			symi = im->ext[e].sym;
		} else {
			continue;                                 /* a Linux helper: call N */
		}
		if (!symi)
			return fail_at(f, r->fx.pos, "call to '%.*s': no function symbol", (int)r->fx.len, r->fx.name);
		in->src = SBPF_CALL_LOCAL;
		in->imm = -1;
		im->rels[im->nrels++] = (Elf64_Rel){ .r_offset = (r->insn - s->start) * 8,
						     .r_info = ELF64_R_INFO(symi, R_BPF_64_32) };
		s->nrel++;
	}
	for (size_t i = 0; i < cnt; i++)
		put_insn(im->code + 8 * i, &insns[i]);
	return build_btf(w, im, f);
}

static Elf_Scn *add_scn(Elf *e, size_t name, Elf64_Word type, uint64_t flags, void *buf, size_t size, Elf_Type dt,
			size_t align, Elf64_Word link, Elf64_Word info, size_t entsize)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d = scn ? elf_newdata(scn) : NULL;
	GElf_Shdr sh;
	if (!d || !gelf_getshdr(scn, &sh))
		return NULL;
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = dt;
	d->d_align = align;
	d->d_version = EV_CURRENT;
	sh.sh_name = name;
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_addralign = align;
	sh.sh_link = link;
	sh.sh_info = info;
	sh.sh_entsize = entsize;
	return gelf_update_shdr(scn, &sh) ? scn : NULL;
}

/* section indexes: 1 .strtab, code sections (2.., as hook_finish numbered
 * them), their .rel sections, license, .BTF, .symtab */
static int write_elf(struct ew *w, struct image *im, int fd)
{
	int err = 0;
	size_t ncode = w->nsecs;
	for (size_t i = 0; i < ncode; i++) {
		struct ew_sec *s = &w->secs[i];
		char buf[MAX_NAME + 8];
		int n = snprintf(buf, sizeof(buf), ".rel%.*s", (int)s->name.n, s->name.s);
		s->rel_name_off = str_add(&im->str, buf, (size_t)n, &err);
		s->name_off = s->rel_name_off + 4;        /* the tail of ".relNAME" */
	}
	size_t lic_name = str_add(&im->str, "license", 7, &err);
	size_t btf_name = str_add(&im->str, ".BTF", 4, &err);
	size_t sym_name = str_add(&im->str, ".symtab", 7, &err);
	size_t str_name = str_add(&im->str, ".strtab", 7, &err);
	if (err)
		return err;
	char *lic = NULL;
	if (w->license_pos && !(lic = strndup(w->license.s, w->license.n)))
		return -ENOMEM;

	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	GElf_Ehdr eh;
	if (!e || !gelf_newehdr(e, ELFCLASS64) || !gelf_getehdr(e, &eh))
		goto elf_fail;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	eh.e_shstrndx = 1;
	if (!gelf_update_ehdr(e, &eh))
		goto elf_fail;
	/* sections are numbered in creation order; symtab_idx is the last one */
	size_t nrelsec = 0;
	for (size_t i = 0; i < ncode; i++)
		nrelsec += w->secs[i].nrel != 0;
	Elf64_Word symtab_idx = (Elf64_Word)(2 + ncode + nrelsec + (lic != NULL) + (im->btf_raw != NULL));
	if (!add_scn(e, str_name, SHT_STRTAB, 0, im->str.buf, im->str.len, ELF_T_BYTE, 1, 0, 0, 0))
		goto elf_fail;
	for (size_t i = 0; i < ncode; i++) {
		const struct ew_sec *s = &w->secs[i];
		if (!add_scn(e, s->name_off, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, im->code + 8 * s->start,
			     8 * (s->end - s->start), ELF_T_BYTE, 8, 0, 0, 0))
			goto elf_fail;
	}
	size_t at = 0;
	for (size_t i = 0; i < ncode; i++) {
		const struct ew_sec *s = &w->secs[i];
		if (s->nrel && !add_scn(e, s->rel_name_off, SHT_REL, SHF_INFO_LINK, im->rels + at, s->nrel * sizeof(Elf64_Rel),
					ELF_T_REL, 8, symtab_idx, (Elf64_Word)s->shndx, sizeof(Elf64_Rel)))
			goto elf_fail;
		at += s->nrel;
	}
	if (lic && !add_scn(e, lic_name, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, lic, w->license.n + 1, ELF_T_BYTE, 1, 0,
			    0, 0))
		goto elf_fail;
	if (im->btf_raw && !add_scn(e, btf_name, SHT_PROGBITS, 0, im->btf_raw, im->btf_size, ELF_T_BYTE, 4, 0, 0, 0))
		goto elf_fail;
	if (!add_scn(e, sym_name, SHT_SYMTAB, 0, im->syms, im->nsyms * sizeof(Elf64_Sym), ELF_T_SYM, 8, 1,
		     (Elf64_Word)im->nlocal, sizeof(Elf64_Sym)))
		goto elf_fail;
	if (elf_update(e, ELF_C_WRITE) < 0)
		goto elf_fail;
	elf_end(e);
	free(lic);
	return 0;
elf_fail:
	if (e)
		elf_end(e);
	free(lic);
	return -EIO;
}

static void log_line(const struct ew *w, const char *fmt, const char *a, const char *b)
{
	char line[512];
	snprintf(line, sizeof(line), fmt, a, b);
	stackbpf_log_fn log = OPT(w->opts, log, NULL);
	if (log)
		log(OPT(w->opts, log_ctx, NULL), 0, line);
}

static int hook_finish(void *ctx, struct stackbpf_insn *insns, size_t cnt, struct sbpf_fail *f)
{
	struct ew *w = ctx;
	int err = layout(w, cnt, f);
	if (err)
		return err;
	struct image im = { 0 };
	for (size_t i = 0; i < w->nsecs; i++)
		w->secs[i].shndx = 2 + i;                 /* as write_elf numbers them */
	err = build_image(w, insns, cnt, &im, f);
	if (!err && elf_version(EV_CURRENT) == EV_NONE)
		err = -ENOSYS;
	int fd = -1;
	if (!err) {
		fd = open(w->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			log_line(w, "cannot create '%s': %s", w->path, strerror(errno));
			err = -EINVAL;
		}
	}
	if (!err) {
		err = write_elf(w, &im, fd);
		if (close(fd) && !err)
			err = -EIO;
		if (err) {
			log_line(w, "cannot write '%s': %s", w->path, err == -EIO ? elf_errmsg(-1) : strerror(-err));
			unlink(w->path);
			err = -EINVAL;
		}
	}
	image_free(&im);
	return err;
}

int stackbpf_asm__elf(const char *text, size_t len, const struct stackbpf_asm_opts *opts, const char *out_path)
{
	if (!out_path || (!text && len))
		return -EINVAL;
	struct ew w = { .opts = opts, .host = OPT(opts, host, NULL), .path = out_path };
	int err = open_section(&w, (struct span){ ".text", 5 }, NULL, 0);
	if (!err) {
		struct sbpf_asm_hooks hooks = { &w, hook_directive, hook_label, hook_ref, hook_finish };
		struct stackbpf_insn *insns = NULL;
		size_t cnt = 0;
		err = sbpf_asm_hooked(text, len, opts, &hooks, &insns, &cnt);
		free(insns);
	}
	free(w.secs);
	free(w.labels);
	free(w.byname);
	free(w.funcs);
	free(w.refs);
	return err;
}
