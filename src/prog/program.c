/* program.c - the program object: an owned copy of the instructions, the
 * maps and BTF functions it refers to, and the entry point of structural
 * validation (the rules live in isa/validate.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isa/opcodes.h"
#include "isa/validate.h"
#include "prog/program.h"
#include "stackbpf/stackbpf.h"

struct stackbpf_prog {
	struct stackbpf_insn *insns;
	size_t cnt;
	struct stackbpf_map **maps;
	size_t nmaps;
	struct stackbpf_func *funcs;
	size_t nfuncs;
	char errmsg[256];
};

struct stackbpf_prog *stackbpf_prog__from_insns(const struct stackbpf_insn *insns, size_t cnt)
{
	if ((!insns && cnt) || cnt > SBPF_MAX_INSNS)
		return NULL;
	struct stackbpf_prog *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->insns = malloc(cnt ? cnt * sizeof(*insns) : 1);
	if (!p->insns) {
		free(p);
		return NULL;
	}
	if (cnt)
		memcpy(p->insns, insns, cnt * sizeof(*insns));
	p->cnt = cnt;
	return p;
}

void stackbpf_prog__free(struct stackbpf_prog *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	free(prog->maps);
	free(prog->funcs);
	free(prog);
}

const struct stackbpf_insn *stackbpf_prog__insns(const struct stackbpf_prog *prog)
{
	return prog ? prog->insns : NULL;
}

size_t stackbpf_prog__insn_cnt(const struct stackbpf_prog *prog)
{
	return prog ? prog->cnt : 0;
}

int stackbpf_prog__validate(struct stackbpf_prog *prog, const struct stackbpf_validate_opts *opts,
			    const char **errmsg)
{
	if (!prog) {
		if (errmsg)
			*errmsg = "no program";
		return -EINVAL;
	}
	STACKBPF_OPTS(stackbpf_validate_opts, o);
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	o.sz = sizeof(o);
	if (o.map_cnt < prog->nmaps)
		o.map_cnt = prog->nmaps;
	int err = sbpf_validate(prog->insns, prog->cnt, &o, prog->errmsg, sizeof(prog->errmsg));
	if (errmsg)
		*errmsg = err == -ENOMEM ? "out of memory" : prog->errmsg;
	return err;
}

/* copy `cnt` elements of `size` bytes into *dst (NULL when cnt is 0) */
static int set_array(void **dst, size_t *dcnt, const void *src, size_t cnt, size_t size)
{
	void *a = NULL;
	if (cnt) {
		if (!src || !(a = malloc(cnt * size)))
			return src ? -ENOMEM : -EINVAL;
		memcpy(a, src, cnt * size);
	}
	free(*dst);
	*dst = a;
	*dcnt = cnt;
	return 0;
}

int stackbpf_prog__set_maps(struct stackbpf_prog *prog, struct stackbpf_map *const *maps, size_t cnt)
{
	return prog ? set_array((void **)&prog->maps, &prog->nmaps, maps, cnt, sizeof(*maps)) : -EINVAL;
}

size_t stackbpf_prog__map_cnt(const struct stackbpf_prog *prog) { return prog ? prog->nmaps : 0; }

struct stackbpf_map *stackbpf_prog__map(const struct stackbpf_prog *prog, size_t i)
{
	return prog && i < prog->nmaps ? prog->maps[i] : NULL;
}

int stackbpf_prog__set_funcs(struct stackbpf_prog *prog, const struct stackbpf_func *funcs, size_t cnt)
{
	return prog ? set_array((void **)&prog->funcs, &prog->nfuncs, funcs, cnt, sizeof(*funcs)) : -EINVAL;
}

size_t stackbpf_prog__func_cnt(const struct stackbpf_prog *prog) { return prog ? prog->nfuncs : 0; }

const struct stackbpf_func *stackbpf_prog__func(const struct stackbpf_prog *prog, size_t i)
{
	return prog && i < prog->nfuncs ? &prog->funcs[i] : NULL;
}

int sbpf_prog_map_ref(const struct stackbpf_prog *prog, const struct stackbpf_insn *in, uint64_t *val)
{
	enum sbpf_form f = sbpf_decode(in);
	bool value = f == SBPF_OP_LDDW_MAP_VALUE || f == SBPF_OP_LDDW_MAP_IDX_VALUE;
	if (!value && f != SBPF_OP_LDDW_MAP_FD && f != SBPF_OP_LDDW_MAP_IDX)
		return 0;
	struct stackbpf_map *m = stackbpf_prog__map(prog, (uint32_t)in[0].imm);
	if (!m)
		return -ENOENT;
	if (!value) {
		*val = (uintptr_t)m;
		return 1;
	}
	uint32_t off = (uint32_t)in[1].imm;
	size_t size = 0;
	uint8_t *base = stackbpf_map__storage(m, &size);
	if (!base || off >= stackbpf_map__value_size(m) || stackbpf_map__max_entries(m) != 1)
		return -EINVAL;
	*val = (uintptr_t)(base + off);
	return 1;
}

struct stackbpf_prog *stackbpf_prog__clone(const struct stackbpf_prog *prog)
{
	struct stackbpf_prog *p = prog ? stackbpf_prog__from_insns(prog->insns, prog->cnt) : NULL;
	if (p && (stackbpf_prog__set_maps(p, prog->maps, prog->nmaps) ||
		  stackbpf_prog__set_funcs(p, prog->funcs, prog->nfuncs))) {
		stackbpf_prog__free(p);
		p = NULL;
	}
	return p;
}
