/* btf.c - the object's BTF: .BTF through libbpf (btf__new), .BTF.ext func_info
 * and line_info with a small reader of the documented format (libbpf parses
 * .BTF.ext too, but keeps the records private), the FUNC / FUNC_PROTO of each
 * function, and BTF-defined maps in .maps.
 *
 * .BTF.ext layout (Documentation/bpf/btf.rst): a header {u16 magic 0xeB9F,
 * u8 version 1, u8 flags, u32 hdr_len, u32 func_info_off, u32 func_info_len,
 * u32 line_info_off, u32 line_info_len, ...}; offsets count from the end of
 * the header. Each info block is {u32 rec_size} followed by per-section
 * groups {u32 sec_name_off, u32 num_info, num_info records of rec_size}.
 * func_info records are {u32 insn_off (bytes), u32 type_id}; line_info
 * records {u32 insn_off, u32 file_name_off, u32 line_off, u32 line_col}, the
 * line in line_col >> 10 and the column in line_col & 0x3ff.
 *
 * A map in .maps is a variable whose struct type describes it, as libbpf's
 * bpf_helpers.h macros write it: __uint(name, N) is `int (*name)[N]` (N is the
 * array's element count), __type(name, T) is `T *name` (its size is
 * sizeof(T)). Members: type, max_entries, map_flags, key_size, value_size,
 * key, value, pinning (ignored), numa_node (ignored). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include "obj/obj_int.h"

const char *obj_btf_str(const struct stackbpf_object *o, uint32_t off)
{
	const char *s = o->btf ? btf__name_by_offset(o->btf, off) : NULL;
	return s ? s : "";
}

int obj_load_btf(struct stackbpf_object *o)
{
	if (o->btf_sec < 0)
		return 0;
	const struct obj_sec *s = &o->secs[o->btf_sec];
	if (!s->data || s->size == 0 || s->size > UINT32_MAX)
		return obj_err(o, "section .BTF: empty or too large");
	/* libbpf would print its own diagnosis of a malformed .BTF on stderr;
	 * ours below says the same in one line. (libbpf's printer is process
	 * global: a libbpf message of another thread during this call is lost.) */
	libbpf_print_fn_t old = libbpf_set_print(NULL);
	o->btf = btf__new(s->data, (uint32_t)s->size);
	int e = errno;
	libbpf_set_print(old);
	if (!o->btf) {
		o->btf = NULL;
		if (e == ENOMEM)
			return -ENOMEM;
		return obj_err(o, "section .BTF: libbpf cannot parse it (%s)", strerror(e));
	}
	return 0;
}

uint32_t obj_btf_func_by_name(const struct stackbpf_object *o, const char *name)
{
	if (!o->btf)
		return 0;
	int id = btf__find_by_name_kind(o->btf, name, BTF_KIND_FUNC);
	return id > 0 ? (uint32_t)id : 0;
}

void obj_btf_func_proto(const struct stackbpf_object *o, uint32_t func_id, struct stackbpf_func *f)
{
	f->nparams = -1;
	f->btf_id = 0;
	const struct btf_type *t = o->btf && func_id ? btf__type_by_id(o->btf, func_id) : NULL;
	if (!t || !btf_is_func(t))
		return;
	const struct btf_type *p = btf__type_by_id(o->btf, t->type);
	if (!p || !btf_is_func_proto(p))
		return;
	f->btf_id = func_id;
	f->global = btf_vlen(t) != BTF_FUNC_STATIC;
	f->nparams = btf_vlen(p);
	const struct btf_param *pa = btf_params(p);
	for (int i = 0; i < f->nparams && i < 12; i++)
		f->param_names[i] = obj_btf_str(o, pa[i].name_off);
}

/* ------------------------------------------------------------ .BTF.ext */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* walk one info block; kind 0 = func_info, 1 = line_info */
static int read_info(struct stackbpf_object *o, const uint8_t *p, uint32_t len, int kind)
{
	const char *what = kind ? "line_info" : "func_info";
	uint32_t min = kind ? 16 : 8;
	if (len == 0)
		return 0;
	if (len < 4)
		return obj_err(o, "section .BTF.ext: %s: truncated", what);
	uint32_t rec = rd32(p);
	if (rec < min || rec % 4)
		return obj_err(o, "section .BTF.ext: %s: bad record size %u", what, rec);
	for (uint32_t at = 4; at < len;) {
		if (len - at < 8)
			return obj_err(o, "section .BTF.ext: %s: truncated group header", what);
		const char *sname = btf__name_by_offset(o->btf, rd32(p + at));
		uint32_t n = rd32(p + at + 4);
		at += 8;
		if (!sname)
			return obj_err(o, "section .BTF.ext: %s: bad section name offset", what);
		if (n == 0 || (uint64_t)n * rec > len - at)
			return obj_err(o, "section .BTF.ext: %s for %s: %u records overrun the block", what, sname,
				       n);
		struct obj_sec *s = NULL;
		for (size_t i = 0; i < o->nsecs && !s; i++)
			if (o->secs[i].kind == SEC_PROG && strcmp(o->secs[i].name, sname) == 0)
				s = &o->secs[i];
		if (!s)
			return obj_err(o, "section .BTF.ext: %s for section %s, which is not a program section", what,
				       sname);
		if (kind ? s->linfo != NULL : s->finfo != NULL)
			return obj_err(o, "section .BTF.ext: %s: section %s appears twice", what, sname);
		void *v = calloc(n, kind ? sizeof(struct ext_line) : sizeof(struct ext_func));
		if (!v)
			return -ENOMEM;
		if (kind) {
			s->linfo = v;
			s->nlinfo = n;
		} else {
			s->finfo = v;
			s->nfinfo = n;
		}
		for (uint32_t i = 0; i < n; i++, at += rec) {
			uint32_t off = rd32(p + at);
			if (off % 8 || off / 8 >= s->size / 8)
				return obj_err(o, "section .BTF.ext: %s for %s: record %u: bad insn_off %u", what, sname,
					       i, off);
			if (kind) {
				s->linfo[i] = (struct ext_line){ off / 8, rd32(p + at + 4), rd32(p + at + 8),
								 rd32(p + at + 12) };
			} else {
				uint32_t id = rd32(p + at + 4);
				const struct btf_type *t = btf__type_by_id(o->btf, id);
				if (!t || !btf_is_func(t))
					return obj_err(o, "section .BTF.ext: func_info for %s: record %u: type %u is not "
						       "a FUNC", sname, i, id);
				s->finfo[i] = (struct ext_func){ off / 8, id };
			}
		}
	}
	return 0;
}

int obj_load_btf_ext(struct stackbpf_object *o)
{
	if (o->btf_ext_sec < 0)
		return 0;
	const struct obj_sec *s = &o->secs[o->btf_ext_sec];
	const uint8_t *p = s->data;
	if (!o->btf)
		return obj_err(o, "section .BTF.ext: present without .BTF");
	if (!p || s->size < 24)
		return obj_err(o, "section .BTF.ext: truncated header (%zu bytes)", s->size);
	uint16_t magic;
	memcpy(&magic, p, 2);
	if (magic != 0xeB9F || p[2] != 1)
		return obj_err(o, "section .BTF.ext: bad magic 0x%04x or version %u", magic, p[2]);
	uint32_t hdr = rd32(p + 4);
	if (hdr < 24 || hdr > s->size)
		return obj_err(o, "section .BTF.ext: bad header length %u", hdr);
	const uint8_t *body = p + hdr;
	size_t body_len = s->size - hdr;
	for (int kind = 0; kind < 2; kind++) {
		uint32_t off = rd32(p + 8 + 8 * kind), len = rd32(p + 12 + 8 * kind);
		if (off > body_len || len > body_len - off)
			return obj_err(o, "section .BTF.ext: %s [%u, +%u) lies outside the section",
				       kind ? "line_info" : "func_info", off, len);
		int err = read_info(o, body + off, len, kind);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------ .maps */

/* skip typedefs and modifiers */
static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id, uint32_t *out_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	for (int depth = 0; t && (btf_is_mod(t) || btf_is_typedef(t)) && depth < 32; depth++) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out_id)
		*out_id = id;
	return t;
}

/* __uint(name, N): `int (*name)[N]` */
static int member_uint(struct stackbpf_object *o, const char *map, const char *field, uint32_t type, uint32_t *v)
{
	const struct btf_type *t = skip_mods(o->btf, type, NULL);
	if (!t || !btf_is_ptr(t))
		return obj_err(o, "section .maps: map %s: field %s is not __uint(): not a pointer", map, field);
	const struct btf_type *a = skip_mods(o->btf, t->type, NULL);
	if (!a || !btf_is_array(a))
		return obj_err(o, "section .maps: map %s: field %s is not __uint(): not a pointer to an array", map,
			       field);
	*v = btf_array(a)->nelems;
	return 0;
}

/* __type(name, T): `T *name`, its size */
static int member_type_size(struct stackbpf_object *o, const char *map, const char *field, uint32_t type,
			    uint32_t *v)
{
	const struct btf_type *t = skip_mods(o->btf, type, NULL);
	if (!t || !btf_is_ptr(t))
		return obj_err(o, "section .maps: map %s: field %s is not __type(): not a pointer", map, field);
	long long sz = btf__resolve_size(o->btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return obj_err(o, "section .maps: map %s: field %s: cannot size its type", map, field);
	*v = (uint32_t)sz;
	return 0;
}

struct map_def {
	uint32_t type, max_entries, map_flags, key_size, value_size;
	bool has_key, has_value, has_values;
	uint32_t values_off;        /* byte offset of the .values member */
};

static int parse_map_def(struct stackbpf_object *o, const char *name, uint32_t type_id, struct map_def *d)
{
	const struct btf_type *st = skip_mods(o->btf, type_id, NULL);
	if (!st || !btf_is_struct(st))
		return obj_err(o, "section .maps: map %s: its type is not a struct", name);
	const struct btf_member *m = btf_members(st);
	for (int i = 0; i < btf_vlen(st); i++, m++) {
		const char *f = obj_btf_str(o, m->name_off);
		uint32_t v = 0, ksz = 0;
		int err = 0;
		if (strcmp(f, "type") == 0) {
			err = member_uint(o, name, f, m->type, &d->type);
		} else if (strcmp(f, "max_entries") == 0) {
			err = member_uint(o, name, f, m->type, &d->max_entries);
		} else if (strcmp(f, "map_flags") == 0) {
			err = member_uint(o, name, f, m->type, &d->map_flags);
		} else if (strcmp(f, "key_size") == 0 || strcmp(f, "value_size") == 0) {
			int is_key = f[0] == 'k';
			if ((err = member_uint(o, name, f, m->type, &v)))
				return err;
			uint32_t *dst = is_key ? &d->key_size : &d->value_size;
			bool *has = is_key ? &d->has_key : &d->has_value;
			if (*has && *dst != v)
				return obj_err(o, "section .maps: map %s: conflicting %s %u and %u", name, f, *dst, v);
			*dst = v;
			*has = true;
		} else if (strcmp(f, "key") == 0 || strcmp(f, "value") == 0) {
			int is_key = f[0] == 'k';
			if ((err = member_type_size(o, name, f, m->type, &ksz)))
				return err;
			uint32_t *dst = is_key ? &d->key_size : &d->value_size;
			bool *has = is_key ? &d->has_key : &d->has_value;
			if (*has && *dst != ksz)
				return obj_err(o, "section .maps: map %s: conflicting %s_size %u and %s of %u bytes", name,
					       f, *dst, f, ksz);
			*dst = ksz;
			*has = true;
		} else if (strcmp(f, "pinning") == 0 || strcmp(f, "numa_node") == 0) {
			err = member_uint(o, name, f, m->type, &v);
		} else if (strcmp(f, "values") == 0) {
			d->has_values = true;       /* an array of program pointers */
			d->values_off = btf_member_bit_offset(st, (uint32_t)i) / 8;
		} else {
			return obj_err(o, "section .maps: map %s: unknown field '%s'", name, f);
		}
		if (err)
			return err;
	}
	return 0;
}

int obj_load_btf_maps(struct stackbpf_object *o)
{
	if (o->maps_sec < 0)
		return 0;
	const struct obj_sec *ms = &o->secs[o->maps_sec];
	if (!o->btf)
		return obj_err(o, "section .maps: needs .BTF to describe its maps");
	int ds = btf__find_by_name_kind(o->btf, ".maps", BTF_KIND_DATASEC);
	if (ds <= 0)
		return ms->size ? obj_err(o, "section .maps: no DATASEC .maps in .BTF") : 0;
	const struct btf_type *sec = btf__type_by_id(o->btf, (uint32_t)ds);
	const struct btf_var_secinfo *vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(o->btf, vs->type);
		if (!var || !btf_is_var(var))
			return obj_err(o, "section .maps: DATASEC entry %d is not a VAR", i);
		const char *name = obj_btf_str(o, var->name_off);
		/* the variable's offset from its ELF symbol, as libbpf */
		int64_t off = -1;
		for (size_t k = 1; k < o->nsyms && off < 0; k++) {
			GElf_Sym sym;
			const char *sn;
			if (obj_sym(o, k, &sym, &sn) == 0 && sym.st_shndx == ms->idx && strcmp(sn, name) == 0 &&
			    GELF_ST_TYPE(sym.st_info) == STT_OBJECT)
				off = (int64_t)sym.st_value;
		}
		if (off < 0)
			return obj_err(o, "section .maps: map %s: no symbol for it", name);
		if ((uint64_t)off >= ms->size)
			return obj_err(o, "section .maps: map %s: symbol offset %lld beyond the section", name,
				       (long long)off);
		struct map_def d = { 0 };
		int err = parse_map_def(o, name, var->type, &d);
		if (err)
			return err;
		if (!stackbpf_map_type__name(d.type))
			return obj_err(o, "section .maps: map %s: map type %u is not supported (array, percpu_array, "
				       "hash, lru_hash, prog_array, ringbuf)", name, d.type);
		if (d.has_values && d.type != STACKBPF_MAP_PROG_ARRAY)
			return obj_err(o, "section .maps: map %s: initial values (.values) are supported for "
				       "prog_array only", name);
		if (d.has_values && !d.has_value)
			d.value_size = 4;           /* as libbpf: the values are program fds */
		const char *why = "";
		STACKBPF_OPTS(stackbpf_map_opts, mo, .name = name, .map_flags = d.map_flags, .errmsg = &why,
			      .mem_limit = o->map_mem_limit);
		struct stackbpf_map *m = stackbpf_map__new(d.type, d.key_size, d.value_size, d.max_entries, &mo);
		if (!m) {
			if (errno == ENOMEM)
				return -ENOMEM;
			return obj_err(o, "section .maps: map %s: %s (%s, key %u, value %u, max_entries %u)", name, why,
				       stackbpf_map_type__name(d.type), d.key_size, d.value_size, d.max_entries);
		}
		if ((err = obj_add_map(o, m, (size_t)o->maps_sec, (uint64_t)off)))
			return err;
		if (d.has_values) {
			struct obj_map *om = &o->maps[o->nmaps - 1];
			om->values_off = (uint64_t)off + d.values_off;
			om->values_end = (uint64_t)off + vs->size;
		}
	}
	return 0;
}
