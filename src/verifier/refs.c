/* refs.c - reference tracking (Linux 6.18's acquire_reference,
 * release_reference, check_reference_leak): a path holds the references its
 * acquiring calls (bpf_ringbuf_reserve) returned; a release (submit,
 * discard) drops one and turns every copy of the pointer, in every frame,
 * spill and stack-argument slot, into an unknown scalar; the null side of a
 * null check drops it without marking; main's exit and a tail call refuse a
 * path that still holds one. References belong to the whole state (as in
 * Linux since 6.14), so they cross BPF-to-BPF calls and callbacks. */
#include "verifier/helpers.h"

#include <errno.h>

int acquire_reference(struct sbpf_env *env, uint32_t insn_idx)
{
	struct sbpf_vstate *st = &env->cur;
	if (st->nrefs >= SBPF_MAX_REFS)
		return verr(env, -ENOMEM, "too many acquired references (%d)", SBPF_MAX_REFS);
	uint32_t id = ++env->id_gen;
	st->refs[st->nrefs++] = (struct sbpf_ref){ .id = id, .insn_idx = insn_idx };
	return (int)id;
}

static bool drop_ref(struct sbpf_vstate *st, uint32_t id)
{
	for (uint32_t i = 0; i < st->nrefs; i++) {
		if (st->refs[i].id != id)
			continue;
		for (uint32_t j = i + 1; j < st->nrefs; j++)
			st->refs[j - 1] = st->refs[j];
		st->nrefs--;
		return true;
	}
	return false;
}

void release_reference_nomark(struct sbpf_vstate *st, uint32_t id)
{
	drop_ref(st, id);
}

static void invalidate(struct sbpf_reg *r, uint32_t id)
{
	if (r->type != SCALAR_VALUE && r->type != NOT_INIT && r->ref_obj_id == id)
		reg_mark_unknown(r);
}

int release_reference(struct sbpf_env *env, uint32_t ref_obj_id)
{
	struct sbpf_vstate *st = &env->cur;
	if (!drop_ref(st, ref_obj_id))
		return -EINVAL;
	for (uint32_t i = 0; i <= st->curframe; i++) {
		struct sbpf_func_state *f = st->frame[i];
		for (int r = 0; r < SBPF_NREGS; r++)
			invalidate(&f->regs[r], ref_obj_id);
		for (int r = 0; r < SBPF_MAX_STACK_ARGS; r++)
			invalidate(&f->stack_arg_regs[r], ref_obj_id);
		for (uint32_t k = 0; k < f->nslots; k++)
			if (f->stack[k].types[7] == STACK_SPILL)
				invalidate(&f->stack[k].spilled, ref_obj_id);
	}
	return 0;
}

int check_resource_leak(struct sbpf_env *env, const char *prefix)
{
	const struct sbpf_vstate *st = &env->cur;
	for (uint32_t i = 0; i < st->nrefs; i++)
		verr(env, 0, "Unreleased reference id=%u alloc_insn=%u", st->refs[i].id, st->refs[i].insn_idx);
	if (st->nrefs)
		return verr(env, -EINVAL, "%s would lead to reference leak", prefix);
	return 0;
}

/* Linux's refsafe: the same references, acquired at the same places (ids
 * differ between paths only through the id map, which prune.c keeps for
 * registers; references compare by count and allocation site here) */
bool refs_equal(const struct sbpf_vstate *o, const struct sbpf_vstate *c)
{
	if (o->nrefs != c->nrefs)
		return false;
	for (uint32_t i = 0; i < o->nrefs; i++)
		if (o->refs[i].insn_idx != c->refs[i].insn_idx)
			return false;
	return true;
}
