/* state.c - register and frame state: marking registers, creating, copying
 * and freeing frames and whole verifier states. */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void reg_mark_not_init(struct sbpf_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = NOT_INIT;
}

void reg_mark_unknown(struct sbpf_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = SCALAR_VALUE;
	scalar_mark_unknown(&r->s);
}

void reg_mark_known(struct sbpf_reg *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->type = SCALAR_VALUE;
	scalar_mark_known(&r->s, v);
}

bool reg_is_const(const struct sbpf_reg *r)
{
	return r->type == SCALAR_VALUE && scalar_is_const(&r->s);
}

bool reg_is_ptr(const struct sbpf_reg *r)
{
	return r->type != NOT_INIT && r->type != SCALAR_VALUE;
}

struct sbpf_func_state *func_new(uint8_t frameno, int32_t callsite, uint32_t subprogno)
{
	struct sbpf_func_state *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->frameno = frameno;
	f->callsite = callsite;
	f->subprogno = subprogno;
	f->regs[SBPF_REG_FP].type = PTR_TO_STACK;
	f->regs[SBPF_REG_FP].frameno = frameno;
	scalar_mark_known(&f->regs[SBPF_REG_FP].s, 0);
	return f;
}

void func_free(struct sbpf_func_state *f)
{
	if (f) {
		free(f->stack);
		free(f);
	}
}

int func_grow_stack(struct sbpf_func_state *f, uint32_t nslots)
{
	if (nslots <= f->nslots)
		return 0;
	struct sbpf_stack_slot *s = realloc(f->stack, nslots * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + f->nslots, 0, (nslots - f->nslots) * sizeof(*s));
	f->stack = s;
	f->nslots = nslots;
	return 0;
}

static struct sbpf_func_state *func_dup(const struct sbpf_func_state *src)
{
	struct sbpf_func_state *f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	*f = *src;
	f->stack = NULL;
	if (src->nslots) {
		f->stack = malloc(src->nslots * sizeof(*f->stack));
		if (!f->stack) {
			free(f);
			return NULL;
		}
		memcpy(f->stack, src->stack, src->nslots * sizeof(*f->stack));
	}
	return f;
}

int vstate_copy(struct sbpf_vstate *dst, const struct sbpf_vstate *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->curframe = src->curframe;
	dst->may_goto_depth = src->may_goto_depth;
	dst->parent = src->parent;
	for (uint32_t i = 0; i <= src->curframe; i++) {
		if (!(dst->frame[i] = func_dup(src->frame[i]))) {
			vstate_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

void vstate_free(struct sbpf_vstate *st)
{
	for (int i = 0; i < SBPF_MAX_CALL_FRAMES; i++) {
		func_free(st->frame[i]);
		st->frame[i] = NULL;
	}
}
