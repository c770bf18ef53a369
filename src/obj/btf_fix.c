/* btf_fix.c - `btf fix`: write a copy of an object whose FUNC_PROTOs carry
 * the true signatures stackbpf_object__check_btf derived, as LLVM 23 emits
 * them.
 *
 * Only .BTF changes. For each function to fix a new FUNC_PROTO (the kept
 * parameters in ABI order, their names and types unchanged) is appended with
 * libbpf's btf__add_func_proto / btf__add_func_param and the FUNC record is
 * pointed at it. Appending keeps every type id (which .BTF.ext func_info and
 * CO-RE records name) and the byte position of every existing type (which
 * .rel.BTF patches); the old prototype stays, unreferenced. libelf then
 * replaces the .BTF section's data in place, or at the end of the file when
 * it grew (ELF_F_LAYOUT: every other section keeps its offset and bytes). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include "obj/obj_int.h"

#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, def) (OPTS_HAS(opts, field) ? (opts)->field : (def))

/* append the true prototype of c to b and point its FUNC at it */
static int fix_one(struct btf *b, const struct stackbpf_btf_func_check *c)
{
	const struct btf_type *old = btf__type_by_id(b, c->proto_id);
	if (!old || !btf_is_func_proto(old) || btf_vlen(old) != (unsigned)c->btf_nparams)
		return -EINVAL;
	int id = btf__add_func_proto(b, (int)old->type);
	if (id < 0)
		return id;
	for (int k = 0; k < c->true_nparams; k++) {
		old = btf__type_by_id(b, c->proto_id);     /* adding may move the types */
		const struct btf_param pa = btf_params(old)[c->true_order[k]];
		/* adding a string may move the string table: copy the name first */
		const char *nm = btf__name_by_offset(b, pa.name_off);
		char *name = strdup(nm ? nm : "");
		if (!name)
			return -ENOMEM;
		int e = btf__add_func_param(b, name, (int)pa.type);
		free(name);
		if (e < 0)
			return e;
	}
	/* libbpf has no setter for a FUNC's prototype; the type is ours to edit
	 * once the btf is modifiable (which btf__add_* made it) */
	struct btf_type *fn = (struct btf_type *)btf__type_by_id(b, c->func_id);
	if (!fn || !btf_is_func(fn))
		return -EINVAL;
	fn->type = (uint32_t)id;
	return 0;
}

/* the new .BTF bytes; *nfixed = functions fixed */
static int build_btf(struct stackbpf_object *o, const struct stackbpf_btf_fix_opts *opts, struct btf **out,
		     size_t *nfixed)
{
	STACKBPF_OPTS(stackbpf_btf_check_opts, copts, .no_dwarf = OPTS_GET(opts, no_dwarf, false));
	struct stackbpf_btf_func_check *res;
	size_t n;
	int r = stackbpf_object__check_btf(o, &copts, &res, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (res[i].mismatch && !res[i].fixable) {
			r = obj_err(o, "function %s: the true signature is not known (%s), cannot fix it", res[i].name,
				    res[i].has_dwarf ? "DWARF and the code disagree" : "no DWARF");
			free(res);
			return r;
		}
	const struct obj_sec *s = &o->secs[o->btf_sec];
	libbpf_print_fn_t prev = libbpf_set_print(NULL);
	struct btf *b = btf__new(s->data, (uint32_t)s->size);
	libbpf_set_print(prev);
	if (!b) {
		free(res);
		return -ENOMEM;
	}
	*nfixed = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (!res[i].mismatch)
			continue;
		int e = fix_one(b, &res[i]);
		if (e < 0) {
			r = e == -ENOMEM ? e : obj_err(o, "function %s: cannot rewrite its FUNC_PROTO", res[i].name);
			break;
		}
		(*nfixed)++;
	}
	free(res);
	if (r < 0) {
		btf__free(b);
		return r;
	}
	*out = b;
	return 0;
}

/* write the object with .BTF replaced by raw[0..size) */
static int write_object(struct stackbpf_object *o, const char *path, const void *raw, size_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return obj_err(o, "%s: %s", path, strerror(errno));
	int err = 0;
	if (write(fd, o->buf, o->len) != (ssize_t)o->len) {
		close(fd);
		return obj_err(o, "%s: write failed", path);
	}
	Elf *e = elf_begin(fd, ELF_C_RDWR, NULL);
	Elf_Scn *scn = e ? elf_getscn(e, o->secs[o->btf_sec].idx) : NULL;
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	GElf_Shdr sh;
	GElf_Ehdr eh;
	if (!d || !gelf_getshdr(scn, &sh) || !gelf_getehdr(e, &eh)) {
		err = obj_err(o, "%s: libelf: %s", path, elf_errmsg(-1));
		goto out;
	}
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	if (size > sh.sh_size) {
		/* grown: after everything else */
		uint64_t end = eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize;
		if (end < o->len)
			end = o->len;
		for (size_t i = 0; i < o->nsecs; i++) {
			const GElf_Shdr *x = &o->secs[i].sh;
			if (x->sh_type != SHT_NOBITS && x->sh_offset + x->sh_size > end)
				end = x->sh_offset + x->sh_size;
		}
		sh.sh_offset = (end + 7) & ~(uint64_t)7;
	}
	sh.sh_size = size;
	d->d_buf = (void *)raw;
	d->d_size = size;
	d->d_off = 0;
	if (!gelf_update_shdr(scn, &sh) || !elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY) ||
	    elf_update(e, ELF_C_WRITE) < 0)
		err = obj_err(o, "%s: libelf cannot write it: %s", path, elf_errmsg(-1));
out:
	if (e)
		elf_end(e);
	if (close(fd) && !err)
		err = obj_err(o, "%s: %s", path, strerror(errno));
	return err ? -EIO : 0;
}

int stackbpf_object__fix_btf(const struct stackbpf_object *obj, const char *out_path,
			     const struct stackbpf_btf_fix_opts *opts, size_t *nfixed)
{
	struct stackbpf_object *o = (struct stackbpf_object *)obj;   /* for its log */
	size_t fixed = 0;
	if (nfixed)
		*nfixed = 0;
	if (!o || !out_path)
		return -EINVAL;
	if (!o->btf || o->btf_sec < 0)
		return obj_err(o, "no .BTF section: nothing to fix");
	struct btf *b = NULL;
	int r = build_btf(o, opts, &b, &fixed);
	if (r < 0)
		return r;
	uint32_t size = 0;
	const void *raw = btf__raw_data(b, &size);
	if (!raw) {
		btf__free(b);
		return -ENOMEM;
	}
	elf_version(EV_CURRENT);
	r = write_object(o, out_path, raw, size);
	btf__free(b);
	if (!r && nfixed)
		*nfixed = fixed;
	return r;
}
