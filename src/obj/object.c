/* object.c - opening a BPF ELF object (stackbpf_object__*): libelf reads the
 * file, this file checks the header, classifies every section, attaches
 * relocation sections to their targets, collects the functions of the
 * executable sections, creates the global-data maps, then hands over to
 * btf.c (BTF, .BTF.ext, .maps) and link.c (programs). It also holds the
 * public accessors and close.
 *
 * Nothing in the file is trusted: every offset, size and index is checked
 * before use, and a problem becomes one precise message
 * ("x.o: section .maps: ...") and -EINVAL, never a crash. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "obj/obj_int.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, def) (OPTS_HAS(opts, field) ? (opts)->field : (def))

int obj_err(struct stackbpf_object *o, const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s: ", o->name ? o->name : "<memory>");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (o->log)
		o->log(o->log_ctx, 0, msg);
	return -EINVAL;
}

int obj_sym(const struct stackbpf_object *o, size_t i, GElf_Sym *sym, const char **name)
{
	if (!o->symtab || i >= o->nsyms || !gelf_getsym(o->symtab, (int)i, sym))
		return -EINVAL;
	if (name) {
		*name = elf_strptr(o->elf, o->strtab_idx, sym->st_name);
		if (!*name)
			return -EINVAL;
	}
	return 0;
}

int obj_sec_of_shndx(const struct stackbpf_object *o, size_t shndx)
{
	for (size_t i = 0; i < o->nsecs; i++)
		if (o->secs[i].idx == shndx)
			return (int)i;
	return -1;
}

int obj_add_map(struct stackbpf_object *o, struct stackbpf_map *m, size_t sec, uint64_t sec_off)
{
	struct obj_map *v = realloc(o->maps, (o->nmaps + 1) * sizeof(*v));
	if (!v) {
		stackbpf_map__free(m);
		return -ENOMEM;
	}
	o->maps = v;
	v[o->nmaps++] = (struct obj_map){ .map = m, .sec = sec, .sec_off = sec_off };
	return 0;
}

static bool has_prefix(const char *s, const char *p)
{
	size_t n = strlen(p);
	return strncmp(s, p, n) == 0 && (s[n] == '\0' || s[n] == '.');
}

/* ------------------------------------------------------------ sections */

static int read_sections(struct stackbpf_object *o)
{
	size_t shnum, shstrndx;
	if (elf_getshdrnum(o->elf, &shnum) || elf_getshdrstrndx(o->elf, &shstrndx))
		return obj_err(o, "cannot read the section table: %s", elf_errmsg(-1));
	o->secs = calloc(shnum ? shnum : 1, sizeof(*o->secs));
	if (!o->secs)
		return -ENOMEM;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(o->elf, scn))) {
		struct obj_sec *s = &o->secs[o->nsecs];
		if (o->nsecs >= shnum)
			return obj_err(o, "more sections than the header announces");
		s->idx = elf_ndxscn(scn);
		s->map = -1;
		if (!gelf_getshdr(scn, &s->sh))
			return obj_err(o, "section %zu: bad header: %s", s->idx, elf_errmsg(-1));
		s->name = elf_strptr(o->elf, shstrndx, s->sh.sh_name);
		if (s->sh.sh_type != SHT_NOBITS && s->sh.sh_type != SHT_NULL &&
		    (s->sh.sh_offset > o->len || s->sh.sh_size > o->len - s->sh.sh_offset)) {
			char num[32];
			snprintf(num, sizeof(num), "%zu", s->idx);
			return obj_err(o, "section %s: [%lu, +%lu) lies beyond the end of the file (%zu bytes): truncated?",
				       s->name ? s->name : num, (unsigned long)s->sh.sh_offset,
				       (unsigned long)s->sh.sh_size, o->len);
		}
		if (!s->name)
			return obj_err(o, "section %zu: bad name offset %u", s->idx, (unsigned)s->sh.sh_name);
		o->nsecs++;
		if (s->sh.sh_type == SHT_NOBITS) {
			s->size = s->sh.sh_size;
		} else if (s->sh.sh_type != SHT_NULL) {
			Elf_Data *d = elf_getdata(scn, NULL);
			if (!d && s->sh.sh_size)
				return obj_err(o, "section %s: cannot read its data: %s", s->name, elf_errmsg(-1));
			s->data = d ? d->d_buf : NULL;
			s->size = d ? d->d_size : 0;
			if (s->size && !s->data)
				return obj_err(o, "section %s: no data", s->name);
			if (s->sh.sh_type == SHT_REL || s->sh.sh_type == SHT_SYMTAB) {
				/* kept as Elf_Data for gelf_getrel / gelf_getsym */
				if (s->sh.sh_type == SHT_SYMTAB) {
					if (o->symtab)
						return obj_err(o, "section %s: a second symbol table", s->name);
					if (s->sh.sh_entsize != sizeof(Elf64_Sym))
						return obj_err(o, "section %s: bad entry size %lu", s->name,
							       (unsigned long)s->sh.sh_entsize);
					o->symtab = d;
					o->nsyms = s->size / sizeof(Elf64_Sym);
					o->strtab_idx = s->sh.sh_link;
				} else {
					s->rel = d;
				}
			}
		}
	}
	return 0;
}

static int classify(struct stackbpf_object *o)
{
	for (size_t i = 0; i < o->nsecs; i++) {
		struct obj_sec *s = &o->secs[i];
		const GElf_Shdr *h = &s->sh;
		if (h->sh_type == SHT_PROGBITS && (h->sh_flags & SHF_EXECINSTR)) {
			if (s->size % 8)
				return obj_err(o, "section %s: size %zu is not a multiple of 8", s->name, s->size);
			s->kind = SEC_PROG;
			if (s->size && strcmp(s->name, ".text") != 0 && obj_prog_type(s->name) < 0)
				return obj_err(o, "section %s: unknown program type (libbpf section names: %s)", s->name,
					       obj_known_sections());
		} else if (strcmp(s->name, ".maps") == 0) {
			s->kind = SEC_MAPS;
			o->maps_sec = (int)i;
		} else if (strcmp(s->name, "maps") == 0 && s->size) {
			return obj_err(o, "section maps: legacy map definitions are not supported "
				       "(use BTF-defined maps in .maps)");
		} else if ((has_prefix(s->name, ".data") || has_prefix(s->name, ".rodata") ||
			    has_prefix(s->name, ".bss")) && (h->sh_flags & SHF_ALLOC)) {
			s->kind = SEC_DATA;
		} else if (strcmp(s->name, ".BTF") == 0) {
			s->kind = SEC_BTF;
			o->btf_sec = (int)i;
		} else if (strcmp(s->name, ".BTF.ext") == 0) {
			s->kind = SEC_BTF_EXT;
			o->btf_ext_sec = (int)i;
		} else if (strcmp(s->name, "license") == 0) {
			s->kind = SEC_LICENSE;
		}
	}
	/* relocation sections: attach to their targets */
	for (size_t i = 0; i < o->nsecs; i++) {
		struct obj_sec *r = &o->secs[i];
		if (r->sh.sh_type == SHT_RELA)
			return obj_err(o, "section %s: RELA relocations are not used by BPF", r->name);
		if (r->sh.sh_type != SHT_REL)
			continue;
		int t = obj_sec_of_shndx(o, r->sh.sh_info);
		if (t < 0)
			return obj_err(o, "section %s: applies to section %u, which does not exist", r->name,
				       (unsigned)r->sh.sh_info);
		struct obj_sec *ts = &o->secs[t];
		if (ts->kind != SEC_PROG && ts->kind != SEC_MAPS)
			continue;   /* DWARF, BTF: not needed to run */
		if (r->sh.sh_entsize != sizeof(Elf64_Rel))
			return obj_err(o, "section %s: bad entry size %lu", r->name, (unsigned long)r->sh.sh_entsize);
		if (r->sh.sh_link != 0 && (!o->symtab || obj_sec_of_shndx(o, r->sh.sh_link) < 0 ||
					   o->secs[obj_sec_of_shndx(o, r->sh.sh_link)].data != o->symtab->d_buf))
			return obj_err(o, "section %s: its symbol table is not the object's", r->name);
		if (ts->rel)
			return obj_err(o, "section %s: a second relocation section for %s", r->name, ts->name);
		ts->rel = r->rel;
		ts->nrel = r->size / sizeof(Elf64_Rel);
	}
	return 0;
}

static int read_license(struct stackbpf_object *o)
{
	for (size_t i = 0; i < o->nsecs; i++) {
		struct obj_sec *s = &o->secs[i];
		if (s->kind != SEC_LICENSE || !s->data)
			continue;
		size_t n = strnlen((const char *)s->data, s->size);
		o->license = strndup((const char *)s->data, n);
		return o->license ? 0 : -ENOMEM;
	}
	o->license = strdup("");
	return o->license ? 0 : -ENOMEM;
}

/* .data / .rodata* / .bss*: one-element arrays holding the section's bytes */
static int make_data_maps(struct stackbpf_object *o)
{
	for (size_t i = 0; i < o->nsecs; i++) {
		struct obj_sec *s = &o->secs[i];
		if (s->kind != SEC_DATA || s->size == 0)
			continue;
		if (s->size > UINT32_MAX - 8)
			return obj_err(o, "section %s: %zu bytes is too large for a map value", s->name, s->size);
		const char *why = "";
		STACKBPF_OPTS(stackbpf_map_opts, mo, .name = s->name, .errmsg = &why,
			      .mem_limit = o->map_mem_limit,
			      .map_flags = has_prefix(s->name, ".rodata") ? STACKBPF_F_RDONLY_PROG : 0);
		struct stackbpf_map *m = stackbpf_map__new(STACKBPF_MAP_ARRAY, 4, (uint32_t)s->size, 1, &mo);
		if (!m)
			return errno == ENOMEM ? -ENOMEM : obj_err(o, "section %s: cannot create its map: %s", s->name, why);
		if (s->data)
			memcpy(stackbpf_map__storage(m, NULL), s->data, s->size);
		s->map = (int)o->nmaps;
		int err = obj_add_map(o, m, i, 0);
		if (err)
			return err;
	}
	return 0;
}

/* .rel.maps: the programs a prog_array's .values initialiser names; slot
 * k gets the index of the program in the object, which is what `stackbpf
 * run` passes as the vm's prog table (stackbpf_vm_opts.progs) */
static int init_prog_arrays(struct stackbpf_object *o)
{
	if (o->maps_sec < 0)
		return 0;
	const struct obj_sec *ms = &o->secs[o->maps_sec];
	for (size_t i = 0; i < ms->nrel; i++) {
		GElf_Rel rel;
		if (!gelf_getrel(ms->rel, (int)i, &rel))
			return obj_err(o, "section .rel.maps: relocation %zu cannot be read", i);
		const GElf_Rel *r = &rel;
		struct obj_map *om = NULL;
		for (size_t k = 0; k < o->nmaps && !om; k++)
			if (o->maps[k].values_end && r->r_offset >= o->maps[k].values_off &&
			    r->r_offset < o->maps[k].values_end)
				om = &o->maps[k];
		const char *mname = om ? stackbpf_map__name(om->map) : "";
		if (!om)
			return obj_err(o, "section .rel.maps: relocation %zu at offset %llu is not in the .values of "
				       "a prog_array", i, (unsigned long long)r->r_offset);
		if ((r->r_offset - om->values_off) % 8)
			return obj_err(o, "section .rel.maps: map %s: relocation at offset %llu is not at a slot",
				       mname, (unsigned long long)r->r_offset);
		uint32_t slot = (uint32_t)((r->r_offset - om->values_off) / 8);
		GElf_Sym sym;
		const char *sn = NULL;
		if (obj_sym(o, GELF_R_SYM(r->r_info), &sym, &sn) || !sn)
			return obj_err(o, "section .rel.maps: map %s: slot %u: bad symbol %llu", mname, slot,
				       (unsigned long long)GELF_R_SYM(r->r_info));
		uint32_t idx = UINT32_MAX;
		for (size_t k = 0; k < o->nprogs && idx == UINT32_MAX; k++)
			if (strcmp(o->progs[k].name, sn) == 0)
				idx = (uint32_t)k;
		if (idx == UINT32_MAX)
			return obj_err(o, "section .rel.maps: map %s: slot %u: '%s' is not a program of the object",
				       mname, slot, sn);
		int e = stackbpf_map__update(om->map, &slot, &idx, STACKBPF_ANY);
		if (e)
			return obj_err(o, "section .rel.maps: map %s: slot %u: %s", mname, slot,
				       e == -E2BIG ? "beyond max_entries" : strerror(-e));
	}
	return 0;
}

static int fn_cmp(const void *a, const void *b)
{
	const struct obj_fn *x = a, *y = b;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* every STT_FUNC symbol of an executable section */
static int collect_functions(struct stackbpf_object *o)
{
	if (!o->symtab)
		return 0;
	if (obj_sec_of_shndx(o, o->strtab_idx) < 0)
		return obj_err(o, "symbol table: string table section %zu does not exist", o->strtab_idx);
	o->fns = calloc(o->nsyms ? o->nsyms : 1, sizeof(*o->fns));
	if (!o->fns)
		return -ENOMEM;
	for (size_t i = 1; i < o->nsyms; i++) {
		GElf_Sym sym;
		const char *name;
		if (obj_sym(o, i, &sym, &name))
			return obj_err(o, "symbol %zu: unreadable or bad name", i);
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
		    sym.st_shndx >= SHN_LORESERVE)
			continue;
		int si = obj_sec_of_shndx(o, sym.st_shndx);
		if (si < 0 || o->secs[si].kind != SEC_PROG)
			return obj_err(o, "function %s: not in an executable section", name);
		struct obj_sec *s = &o->secs[si];
		if (sym.st_value % 8 || sym.st_size % 8 || sym.st_size == 0 || sym.st_value > s->size ||
		    sym.st_size > s->size - sym.st_value)
			return obj_err(o, "section %s: function %s: bad offset %lu or size %lu", s->name, name,
				       (unsigned long)sym.st_value, (unsigned long)sym.st_size);
		o->fns[o->nfns++] = (struct obj_fn){
			.name = name, .sec = (size_t)si, .off = (uint32_t)(sym.st_value / 8),
			.cnt = (uint32_t)(sym.st_size / 8), .global = GELF_ST_BIND(sym.st_info) != STB_LOCAL,
		};
	}
	qsort(o->fns, o->nfns, sizeof(*o->fns), fn_cmp);
	for (size_t i = 1; i < o->nfns; i++) {
		const struct obj_fn *a = &o->fns[i - 1], *b = &o->fns[i];
		if (a->sec == b->sec && a->off + a->cnt > b->off)
			return obj_err(o, "section %s: functions %s and %s overlap", o->secs[a->sec].name, a->name,
				       b->name);
	}
	return 0;
}

/* ------------------------------------------------------------ open/close */

struct stackbpf_object *stackbpf_object__open_mem(const void *buf, size_t len,
						  const struct stackbpf_object_opts *opts)
{
	struct stackbpf_object *o = calloc(1, sizeof(*o));
	int err = -ENOMEM;
	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	const char *name = OPTS_GET(opts, name, NULL);
	o->name = strdup(name ? name : "<memory>");
	o->log = OPTS_GET(opts, log, NULL);
	o->log_ctx = OPTS_GET(opts, log_ctx, NULL);
	o->host = OPTS_GET(opts, host, NULL);
	o->map_mem_limit = OPTS_GET(opts, map_mem_limit, 0);
	o->maps_sec = o->btf_sec = o->btf_ext_sec = -1;
	o->buf = malloc(len ? len : 1);
	if (!o->name || !o->buf)
		goto fail;
	if (len)
		memcpy(o->buf, buf, len);
	o->len = len;
	if (len >= 4 && memcmp(buf, ELFMAG, 4) == 0 && len < sizeof(Elf64_Ehdr)) {
		err = obj_err(o, "truncated: %zu bytes, an ELF header needs %zu", len, sizeof(Elf64_Ehdr));
		goto fail;
	}
	elf_version(EV_CURRENT);
	o->elf = elf_memory((char *)o->buf, len);
	if (!o->elf || elf_kind(o->elf) != ELF_K_ELF) {
		err = obj_err(o, "not an ELF file%s", len < EI_NIDENT ? " (truncated)" : "");
		goto fail;
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(o->elf, &eh)) {
		err = obj_err(o, "bad ELF header: %s", elf_errmsg(-1));
		goto fail;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		err = obj_err(o, "not a 64-bit little-endian ELF file");
		goto fail;
	}
	if (eh.e_machine != EM_BPF || eh.e_type != ET_REL) {
		err = obj_err(o, "not a BPF relocatable object (e_machine %u, e_type %u)", (unsigned)eh.e_machine,
			      (unsigned)eh.e_type);
		goto fail;
	}
	if (eh.e_shnum == 0 || eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > len ||
	    (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > len - eh.e_shoff) {
		err = obj_err(o, "section header table (%u entries at offset %lu) lies beyond the end of the file "
			      "(%zu bytes): truncated?", (unsigned)eh.e_shnum, (unsigned long)eh.e_shoff, len);
		goto fail;
	}
	if ((err = read_sections(o)) || (err = classify(o)) || (err = read_license(o)) ||
	    (err = collect_functions(o)) || (err = obj_load_btf(o)) || (err = obj_load_btf_ext(o)) ||
	    (err = make_data_maps(o)) || (err = obj_load_btf_maps(o)) || (err = obj_link_programs(o)) ||
	    (err = init_prog_arrays(o)))
		goto fail;
	return o;
fail:
	if (err == -ENOMEM)
		obj_err(o, "out of memory");
	stackbpf_object__close(o);
	errno = -err;
	return NULL;
}

struct stackbpf_object *stackbpf_object__open(const char *path, const struct stackbpf_object_opts *opts)
{
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f) {
		int e = path ? errno : EINVAL;
		stackbpf_log_fn log = OPTS_GET(opts, log, NULL);
		if (log) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s: %s", path ? path : "(null)", strerror(e));
			log(OPTS_GET(opts, log_ctx, NULL), 0, msg);
		}
		errno = e;
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *nb = cap < (1u << 30) ? realloc(buf, cap * 2) : NULL;
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int rerr = ferror(f);
	fclose(f);
	if (!buf || rerr) {
		free(buf);
		errno = buf ? EIO : ENOMEM;
		return NULL;
	}
	struct stackbpf_object_opts o2 = { .sz = sizeof(o2) };
	if (opts)
		memcpy(&o2, opts, opts->sz < sizeof(o2) ? opts->sz : sizeof(o2));
	o2.sz = sizeof(o2);
	if (!o2.name)
		o2.name = path;
	struct stackbpf_object *o = stackbpf_object__open_mem(buf, n, &o2);
	int e = errno;
	free(buf);
	errno = e;
	return o;
}

void stackbpf_object__close(struct stackbpf_object *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nprogs; i++)
		obj_program_free(&o->progs[i]);
	free(o->progs);
	for (size_t i = 0; i < o->nmaps; i++)
		stackbpf_map__free(o->maps[i].map);
	free(o->maps);
	for (size_t i = 0; i < o->nsecs; i++) {
		free(o->secs[i].rel_at);
		free(o->secs[i].finfo);
		free(o->secs[i].linfo);
	}
	free(o->secs);
	free(o->fns);
	btf__free(o->btf);
	if (o->elf)
		elf_end(o->elf);
	free(o->buf);
	free(o->license);
	free(o->name);
	free(o);
}

/* ------------------------------------------------------------ accessors */

const char *stackbpf_object__name(const struct stackbpf_object *o) { return o ? o->name : NULL; }
const char *stackbpf_object__license(const struct stackbpf_object *o) { return o ? o->license : NULL; }
const struct btf *stackbpf_object__btf(const struct stackbpf_object *o) { return o ? o->btf : NULL; }
size_t stackbpf_object__prog_cnt(const struct stackbpf_object *o) { return o ? o->nprogs : 0; }
size_t stackbpf_object__map_cnt(const struct stackbpf_object *o) { return o ? o->nmaps : 0; }

struct stackbpf_program *stackbpf_object__prog(const struct stackbpf_object *o, size_t i)
{
	return o && i < o->nprogs ? &o->progs[i] : NULL;
}

struct stackbpf_program *stackbpf_object__find_prog(const struct stackbpf_object *o, const char *name)
{
	for (size_t i = 0; o && name && i < o->nprogs; i++)
		if (strcmp(o->progs[i].name, name) == 0)
			return &o->progs[i];
	return NULL;
}

struct stackbpf_map *stackbpf_object__map(const struct stackbpf_object *o, size_t i)
{
	return o && i < o->nmaps ? o->maps[i].map : NULL;
}

struct stackbpf_map *stackbpf_object__find_map(const struct stackbpf_object *o, const char *name)
{
	for (size_t i = 0; o && name && i < o->nmaps; i++)
		if (strcmp(stackbpf_map__name(o->maps[i].map), name) == 0)
			return o->maps[i].map;
	return NULL;
}

int stackbpf_object__add_regions(const struct stackbpf_object *o, struct stackbpf_vm *vm)
{
	if (!o || !vm)
		return -EINVAL;
	for (size_t i = 0; i < o->nmaps; i++) {
		size_t len;
		void *p = stackbpf_map__storage(o->maps[i].map, &len);
		int err = stackbpf_vm__add_region(vm, p, len);
		if (err)
			return err;
	}
	return 0;
}
