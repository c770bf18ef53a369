/* link.c - building the programs of an object (libbpf's bpf_object__relocate):
 * every function of a program section is an entry program; the functions it
 * calls (static subprograms in .text or functions of its own section) are
 * appended after it, each once, and the call offsets are rewritten for the
 * new layout. Relocations are applied on the way:
 *
 *   R_BPF_64_64 on ld_imm64 to a .maps symbol     src 1 (map), imm = map index
 *   R_BPF_64_64 on ld_imm64 to global data        src 2 (map value), imm = map index,
 *                                                 2nd imm = sym offset + imm
 *   R_BPF_64_32 on call (src 1) to a function     target = sym/8 + imm + 1 in its section
 *   R_BPF_64_32 on call to an undefined symbol    extern kfunc: src 2, imm = host id
 *
 * Calls inside one section carry no relocation: target = insn + imm + 1 there.
 * .BTF.ext func_info and line_info follow each function to its new place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "isa/insn.h"
#include "isa/validate.h"
#include "obj/obj_int.h"

#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif
#ifndef R_BPF_64_32
#define R_BPF_64_32 10
#endif

struct linker {
	struct stackbpf_object *o;
	struct stackbpf_program *p;
	struct stackbpf_insn *out;
	size_t n, cap;
	size_t *app;          /* appended functions (indexes in o->fns) */
	uint32_t *app_off;    /* their first instruction in out */
	size_t napp, capapp;
};

void obj_program_free(struct stackbpf_program *p)
{
	stackbpf_prog__free(p->prog);
	free(p->funcs);
	free(p->lines);
	free(p->kfuncs);
}

static int build_rel_index(struct stackbpf_object *o, struct obj_sec *s)
{
	size_t n = s->size / 8;
	s->rel_at = calloc(n ? n : 1, sizeof(*s->rel_at));
	if (!s->rel_at)
		return -ENOMEM;
	for (size_t i = 0; i < s->nrel; i++) {
		GElf_Rel r;
		if (!gelf_getrel(s->rel, (int)i, &r))
			return obj_err(o, "section %s: relocation %zu: unreadable", s->name, i);
		uint32_t type = (uint32_t)GELF_R_TYPE(r.r_info);
		size_t sym = GELF_R_SYM(r.r_info);
		if (r.r_offset % 8 || r.r_offset >= s->size)
			return obj_err(o, "section %s: relocation %zu: offset %lu is not an instruction of the section",
				       s->name, i, (unsigned long)r.r_offset);
		if (type != R_BPF_64_64 && type != R_BPF_64_32)
			return obj_err(o, "section %s: relocation %zu: unsupported type %u", s->name, i, type);
		if (sym == 0 || sym >= o->nsyms)
			return obj_err(o, "section %s: relocation %zu: bad symbol index %zu", s->name, i, sym);
		if (s->rel_at[r.r_offset / 8])
			return obj_err(o, "section %s: two relocations at insn %lu", s->name,
				       (unsigned long)(r.r_offset / 8));
		s->rel_at[r.r_offset / 8] = (uint32_t)i + 1;
	}
	return 0;
}

static int find_fn(const struct stackbpf_object *o, size_t sec, uint64_t off)
{
	for (size_t i = 0; i < o->nfns; i++)
		if (o->fns[i].sec == sec && o->fns[i].off == off)
			return (int)i;
	return -1;
}

/* append function f; returns its index in l->app or a negative errno */
static int append_fn(struct linker *l, size_t f)
{
	for (size_t k = 0; k < l->napp; k++)
		if (l->app[k] == f)
			return (int)k;
	const struct obj_fn *fn = &l->o->fns[f];
	const struct obj_sec *s = &l->o->secs[fn->sec];
	if (l->n + fn->cnt > SBPF_MAX_INSNS)
		return obj_err(l->o, "program %s: more than %d instructions after linking", l->p->name, SBPF_MAX_INSNS);
	if (l->n + fn->cnt > l->cap) {
		size_t cap = (l->n + fn->cnt) * 2;
		struct stackbpf_insn *v = realloc(l->out, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->out = v;
		l->cap = cap;
	}
	if (l->napp == l->capapp) {
		size_t cap = l->capapp ? l->capapp * 2 : 8;
		size_t *a = realloc(l->app, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		l->app = a;
		uint32_t *b = realloc(l->app_off, cap * sizeof(*b));
		if (!b)
			return -ENOMEM;
		l->app_off = b;
		l->capapp = cap;
	}
	memcpy(l->out + l->n, s->data + (size_t)fn->off * 8, (size_t)fn->cnt * 8);
	l->app[l->napp] = f;
	l->app_off[l->napp] = (uint32_t)l->n;
	l->n += fn->cnt;
	return (int)l->napp++;
}

static int add_kfunc(struct linker *l, const char *name, size_t at_sec, uint32_t at, int32_t *imm)
{
	struct stackbpf_object *o = l->o;
	struct stackbpf_program *p = l->p;
	const char *sn = o->secs[at_sec].name;
	for (size_t i = 0; i < p->nkfuncs; i++)
		if (strcmp(p->kfuncs[i].name, name) == 0) {
			*imm = p->kfuncs[i].host_id;
			return 0;
		}
	if (!o->host)
		return obj_err(o, "section %s: insn %u: extern function %s: no host functions to bind it to", sn, at,
			       name);
	int id = stackbpf_host__find(o->host, name);
	if (id < 0)
		return obj_err(o, "section %s: insn %u: extern function %s (__ksym): no host function of that name",
			       sn, at, name);
	const struct stackbpf_fn_desc *d = stackbpf_host__fn(o->host, id);
	struct stackbpf_func bf = { 0 };
	uint32_t btf_id = 0;
	if (o->btf) {
		int bid = btf__find_by_name_kind(o->btf, name, BTF_KIND_FUNC);
		btf_id = bid > 0 ? (uint32_t)bid : 0;
	}
	obj_btf_func_proto(o, btf_id, &bf);
	if (bf.nparams >= 0 && (unsigned)bf.nparams != d->nargs)
		return obj_err(o, "section %s: insn %u: extern function %s: BTF prototype has %d parameters, the host "
			       "function takes %u", sn, at, name, bf.nparams, d->nargs);
	struct stackbpf_kfunc *v = realloc(p->kfuncs, (p->nkfuncs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->kfuncs = v;
	v[p->nkfuncs++] = (struct stackbpf_kfunc){ .name = name, .host_id = id, .btf_id = bf.btf_id,
						   .nparams = bf.nparams };
	*imm = id;
	return 0;
}

/* a map reference as Linux after libbpf's relocation: src = which kind,
 * imm = index into the object's maps (the prog's map table), second imm =
 * offset into the value (global data) */
static void set_map_ref(struct stackbpf_insn *in, uint8_t src, uint32_t map, uint32_t off)
{
	in[0].src = src;
	in[0].imm = (int32_t)map;
	in[1].imm = (int32_t)off;
}

/* an ld_imm64 with a relocation */
static int reloc_ld(struct linker *l, size_t sec, uint32_t idx, size_t pos, const GElf_Sym *sym, const char *sname)
{
	struct stackbpf_object *o = l->o;
	const char *sn = o->secs[sec].name;
	struct stackbpf_insn *in = &l->out[pos];
	if (sym->st_shndx == SHN_UNDEF)
		return obj_err(o, "section %s: insn %u: extern variable %s is not supported (only __ksym functions)",
			       sn, idx, sname);
	int ts = sym->st_shndx < SHN_LORESERVE ? obj_sec_of_shndx(o, sym->st_shndx) : -1;
	if (ts < 0)
		return obj_err(o, "section %s: insn %u: symbol %s is in no section", sn, idx, sname);
	const struct obj_sec *t = &o->secs[ts];
	if (t->kind == SEC_MAPS) {
		for (size_t m = 0; m < o->nmaps; m++)
			if (o->maps[m].sec == (size_t)ts && o->maps[m].sec_off == sym->st_value) {
				set_map_ref(in, SBPF_PSEUDO_MAP_FD, (uint32_t)m, 0);
				return 0;
			}
		return obj_err(o, "section %s: insn %u: no map at offset %lu of .maps (symbol %s)", sn, idx,
			       (unsigned long)sym->st_value, sname);
	}
	if (t->kind == SEC_DATA) {
		int64_t off = (int64_t)sym->st_value + in->imm;
		if (t->map < 0 || off < 0 || (uint64_t)off > t->size)
			return obj_err(o, "section %s: insn %u: offset %lld is outside section %s", sn, idx,
				       (long long)off, t->name);
		set_map_ref(in, SBPF_PSEUDO_MAP_VALUE, (uint32_t)t->map, (uint32_t)off);
		return 0;
	}
	if (t->kind == SEC_PROG)
		return obj_err(o, "section %s: insn %u: function pointers (callbacks to %s) are not supported yet", sn,
			       idx, sname);
	return obj_err(o, "section %s: insn %u: ld_imm64 refers to section %s, which is neither .maps nor global data",
		       sn, idx, t->name);
}

/* apply relocations and link calls in appended function k */
static int process_fn(struct linker *l, size_t k)
{
	struct stackbpf_object *o = l->o;
	const struct obj_fn fn = o->fns[l->app[k]];
	const struct obj_sec *s = &o->secs[fn.sec];
	uint32_t base = l->app_off[k];
	for (uint32_t i = 0; i < fn.cnt; i++) {
		uint32_t idx = fn.off + i;
		size_t pos = base + i;
		struct stackbpf_insn in = l->out[pos];
		uint32_t r = s->rel_at ? s->rel_at[idx] : 0;
		bool is_ld = in.code == (SBPF_LD | SBPF_DW | SBPF_IMM);
		bool is_call = in.code == (SBPF_JMP | 0x80);
		GElf_Sym sym = { 0 };
		const char *sname = "";
		int64_t target = -1;
		size_t tsec = fn.sec;
		if (r) {
			GElf_Rel rel;
			if (!gelf_getrel(s->rel, (int)(r - 1), &rel) || obj_sym(o, GELF_R_SYM(rel.r_info), &sym, &sname))
				return obj_err(o, "section %s: insn %u: bad relocation symbol", s->name, idx);
			uint32_t type = (uint32_t)GELF_R_TYPE(rel.r_info);
			if (is_ld && i + 1 < fn.cnt) {
				if (type != R_BPF_64_64)
					return obj_err(o, "section %s: insn %u: relocation type %u on ld_imm64 (want %u)",
						       s->name, idx, type, R_BPF_64_64);
				int err = reloc_ld(l, fn.sec, idx, pos, &sym, sname);
				if (err)
					return err;
				i++;
				continue;
			}
			if (!is_call || in.src != SBPF_CALL_LOCAL)
				return obj_err(o, "section %s: insn %u: relocation %s on an instruction that is neither "
					       "ld_imm64 nor a call", s->name, idx, sname);
			if (type != R_BPF_64_32)
				return obj_err(o, "section %s: insn %u: relocation type %u on a call (want %u)", s->name,
					       idx, type, R_BPF_64_32);
			if (sym.st_shndx == SHN_UNDEF) {
				int32_t id = 0;
				int err = add_kfunc(l, sname, fn.sec, idx, &id);
				if (err)
					return err;
				l->out[pos].src = SBPF_CALL_KFUNC;
				l->out[pos].imm = id;
				continue;
			}
			int ts = sym.st_shndx < SHN_LORESERVE ? obj_sec_of_shndx(o, sym.st_shndx) : -1;
			if (ts < 0 || o->secs[ts].kind != SEC_PROG || sym.st_value % 8)
				return obj_err(o, "section %s: insn %u: call to %s, which is not code", s->name, idx, sname);
			tsec = (size_t)ts;
			target = (int64_t)(sym.st_value / 8) + in.imm + 1;
		} else if (is_call && in.src == SBPF_CALL_LOCAL) {
			target = (int64_t)idx + in.imm + 1;
		} else {
			if (is_ld)
				i++;
			continue;
		}
		int f = target >= 0 ? find_fn(o, tsec, (uint64_t)target) : -1;
		if (f < 0)
			return obj_err(o, "section %s: insn %u: call to insn %lld of section %s, which is not the start of "
				       "a function", s->name, idx, (long long)target, o->secs[tsec].name);
		int kk = append_fn(l, (size_t)f);
		if (kk < 0)
			return kk;
		l->out[pos].imm = (int32_t)((int64_t)l->app_off[kk] - (int64_t)(pos + 1));
	}
	return 0;
}

static int line_cmp(const void *a, const void *b)
{
	const struct stackbpf_line *x = a, *y = b;
	return x->insn_off < y->insn_off ? -1 : x->insn_off > y->insn_off;
}

/* func and line info of the appended functions */
static int fill_info(struct linker *l)
{
	struct stackbpf_object *o = l->o;
	struct stackbpf_program *p = l->p;
	p->funcs = calloc(l->napp, sizeof(*p->funcs));
	if (!p->funcs)
		return -ENOMEM;
	p->nfuncs = l->napp;
	size_t nlines = 0;
	for (size_t k = 0; k < l->napp; k++) {
		const struct obj_fn *fn = &o->fns[l->app[k]];
		const struct obj_sec *s = &o->secs[fn->sec];
		struct stackbpf_func *f = &p->funcs[k];
		uint32_t id = 0;
		for (size_t r = 0; r < s->nfinfo; r++)
			if (s->finfo[r].insn_off == fn->off)
				id = s->finfo[r].type_id;
		if (!id)
			id = obj_btf_func_by_name(o, fn->name);
		f->global = fn->global;
		obj_btf_func_proto(o, id, f);
		f->name = fn->name;
		f->insn_off = l->app_off[k];
		f->insn_cnt = fn->cnt;
		for (size_t r = 0; r < s->nlinfo; r++)
			nlines += s->linfo[r].insn_off >= fn->off && s->linfo[r].insn_off - fn->off < fn->cnt;
	}
	p->lines = calloc(nlines ? nlines : 1, sizeof(*p->lines));
	if (!p->lines)
		return -ENOMEM;
	for (size_t k = 0; k < l->napp; k++) {
		const struct obj_fn *fn = &o->fns[l->app[k]];
		const struct obj_sec *s = &o->secs[fn->sec];
		for (size_t r = 0; r < s->nlinfo; r++) {
			const struct ext_line *e = &s->linfo[r];
			if (e->insn_off < fn->off || e->insn_off - fn->off >= fn->cnt)
				continue;
			p->lines[p->nlines++] = (struct stackbpf_line){
				.insn_off = l->app_off[k] + (e->insn_off - fn->off),
				.file = obj_btf_str(o, e->file_off), .src = obj_btf_str(o, e->line_off),
				.line = e->line_col >> 10, .col = e->line_col & 0x3ff,
			};
		}
	}
	qsort(p->lines, p->nlines, sizeof(*p->lines), line_cmp);
	return 0;
}

static int set_prog_tables(struct stackbpf_object *o, struct stackbpf_program *p)
{
	struct stackbpf_map **maps = calloc(o->nmaps ? o->nmaps : 1, sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	for (size_t m = 0; m < o->nmaps; m++)
		maps[m] = o->maps[m].map;
	int err = stackbpf_prog__set_maps(p->prog, maps, o->nmaps);
	free(maps);
	return err ? err : stackbpf_prog__set_funcs(p->prog, p->funcs, p->nfuncs);
}

static int link_one(struct stackbpf_object *o, struct stackbpf_program *p, size_t entry)
{
	struct linker l = { .o = o, .p = p };
	int err = append_fn(&l, entry);
	for (size_t k = 0; err >= 0 && k < l.napp; k++)
		err = process_fn(&l, k);
	if (err >= 0)
		err = fill_info(&l);
	if (err >= 0) {
		p->prog = stackbpf_prog__from_insns(l.out, l.n);
		err = p->prog ? 0 : -ENOMEM;
	}
	if (err >= 0)
		err = set_prog_tables(o, p);
	free(l.out);
	free(l.app);
	free(l.app_off);
	return err < 0 ? err : 0;
}

int obj_link_programs(struct stackbpf_object *o)
{
	size_t n = 0;
	for (size_t i = 0; i < o->nsecs; i++) {
		struct obj_sec *s = &o->secs[i];
		if (s->kind != SEC_PROG)
			continue;
		int err = build_rel_index(o, s);
		if (err)
			return err;
		if (strcmp(s->name, ".text") == 0 || s->size == 0)
			continue;
		size_t nf = 0;
		for (size_t f = 0; f < o->nfns; f++)
			nf += o->fns[f].sec == i;
		if (nf == 0)
			return obj_err(o, "section %s: code without a function symbol", s->name);
		n += nf;
	}
	o->progs = calloc(n ? n : 1, sizeof(*o->progs));
	if (!o->progs)
		return -ENOMEM;
	for (size_t f = 0; f < o->nfns; f++) {
		const struct obj_fn *fn = &o->fns[f];
		const struct obj_sec *s = &o->secs[fn->sec];
		if (strcmp(s->name, ".text") == 0)
			continue;
		if (!fn->global)
			return obj_err(o, "section %s: program %s is static (programs must be global functions)", s->name,
				       fn->name);
		struct stackbpf_program *p = &o->progs[o->nprogs++];
		p->name = fn->name;
		p->section = s->name;
		p->type = (enum stackbpf_prog_type)obj_prog_type(s->name);
		int err = link_one(o, p, f);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------ accessors */

const char *stackbpf_program__name(const struct stackbpf_program *p) { return p ? p->name : NULL; }
const char *stackbpf_program__section(const struct stackbpf_program *p) { return p ? p->section : NULL; }
enum stackbpf_prog_type stackbpf_program__type(const struct stackbpf_program *p)
{
	return p ? p->type : STACKBPF_PROG_UNSPEC;
}
struct stackbpf_prog *stackbpf_program__prog(const struct stackbpf_program *p) { return p ? p->prog : NULL; }
size_t stackbpf_program__func_cnt(const struct stackbpf_program *p) { return p ? p->nfuncs : 0; }
size_t stackbpf_program__line_cnt(const struct stackbpf_program *p) { return p ? p->nlines : 0; }
size_t stackbpf_program__kfunc_cnt(const struct stackbpf_program *p) { return p ? p->nkfuncs : 0; }

const struct stackbpf_func *stackbpf_program__func(const struct stackbpf_program *p, size_t i)
{
	return p && i < p->nfuncs ? &p->funcs[i] : NULL;
}

const struct stackbpf_line *stackbpf_program__line(const struct stackbpf_program *p, size_t i)
{
	return p && i < p->nlines ? &p->lines[i] : NULL;
}

const struct stackbpf_kfunc *stackbpf_program__kfunc(const struct stackbpf_program *p, size_t i)
{
	return p && i < p->nkfuncs ? &p->kfuncs[i] : NULL;
}

const struct stackbpf_line *stackbpf_program__line_of(const struct stackbpf_program *p, size_t insn)
{
	const struct stackbpf_line *best = NULL;
	for (size_t i = 0; p && i < p->nlines && p->lines[i].insn_off <= insn; i++)
		best = &p->lines[i];
	return best;
}
