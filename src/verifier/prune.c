/* prune.c - state pruning (Linux's is_state_visited and states_equal).
 *
 * At prune points (conditional jumps, jump targets, call sites and return
 * points) the current state is compared with the checkpoints kept there. A
 * checkpoint whose paths are all explored (branches == 0) covers the current
 * state when every register, stack slot and stack-argument slot of every
 * frame is within the old one (regsafe: scalars by scalar_within, pointers by
 * type, offset and variable range); the path then ends ("safe"). A
 * checkpoint still being explored is an ancestor on a loop: an identical
 * state there is an infinite loop. New checkpoints are added as the kernel
 * does: always at may_goto, otherwise after 2 jumps and 8 instructions.
 *
 * With no liveness or precision yet, every register counts; this is sound and
 * prunes less than Linux (noted for the next session). */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct idmap {
	uint32_t old[32], cur[32];
	int n;
};

static bool check_ids(struct idmap *m, uint32_t o, uint32_t c)
{
	if (!o && !c)
		return true;
	if (!o || !c)
		return false;
	for (int i = 0; i < m->n; i++) {
		if (m->old[i] == o)
			return m->cur[i] == c;
		if (m->cur[i] == c)
			return false;
	}
	if (m->n == 32)
		return false;
	m->old[m->n] = o;
	m->cur[m->n++] = c;
	return true;
}

static bool scalar_eq(const struct sbpf_scalar *a, const struct sbpf_scalar *b)
{
	return a->var_off.value == b->var_off.value && a->var_off.mask == b->var_off.mask && a->smin == b->smin &&
	       a->smax == b->smax && a->umin == b->umin && a->umax == b->umax && a->s32_min == b->s32_min &&
	       a->s32_max == b->s32_max && a->u32_min == b->u32_min && a->u32_max == b->u32_max;
}

static bool regsafe(const struct sbpf_reg *o, const struct sbpf_reg *c, struct idmap *m, bool exact)
{
	if (exact) {
		if (o->type != c->type)
			return false;
		if (o->type == NOT_INIT)
			return true;
		return o->off == c->off && o->frameno == c->frameno && o->mem_size == c->mem_size &&
		       o->flags == c->flags && scalar_eq(&o->s, &c->s) && check_ids(m, o->id, c->id);
	}
	if (o->type == NOT_INIT)
		return true;
	if (c->type != o->type)
		return false;
	if (o->type == SCALAR_VALUE)
		/* a link the old state had must exist in the current one too */
		return scalar_within(&o->s, &c->s) && (o->id & SBPF_ADD_CONST) == (c->id & SBPF_ADD_CONST) &&
		       (!(o->id & SBPF_ADD_CONST) || o->off == c->off) &&
		       (!o->id || (c->id && check_ids(m, o->id, c->id)));
	return o->off == c->off && o->frameno == c->frameno && o->mem_size == c->mem_size &&
	       o->flags == c->flags && scalar_within(&o->s, &c->s) && check_ids(m, o->id, c->id);
}

static bool stacksafe(const struct sbpf_func_state *o, const struct sbpf_func_state *c, struct idmap *m,
		      bool exact)
{
	uint32_t n = o->nslots > c->nslots ? o->nslots : c->nslots;
	for (uint32_t spi = 0; spi < n; spi++) {
		const struct sbpf_stack_slot *os = spi < o->nslots ? &o->stack[spi] : NULL;
		const struct sbpf_stack_slot *cs = spi < c->nslots ? &c->stack[spi] : NULL;
		for (int j = 0; j < 8; j++) {
			uint8_t ot = os ? os->types[j] : STACK_INVALID, ct = cs ? cs->types[j] : STACK_INVALID;
			if (exact) {
				if (ot != ct)
					return false;
				continue;
			}
			if (ot == STACK_INVALID || ot == STACK_MISC)
				continue;
			if (ot != ct)
				return false;
		}
		if (os && os->types[7] == STACK_SPILL && !regsafe(&os->spilled, &cs->spilled, m, exact))
			return false;
	}
	return true;
}

static bool func_states_equal(const struct sbpf_func_state *o, const struct sbpf_func_state *c, struct idmap *m,
			      bool exact)
{
	if (o->callsite != c->callsite)
		return false;
	if (exact ? o->no_stack_arg_load != c->no_stack_arg_load : (!o->no_stack_arg_load && c->no_stack_arg_load))
		return false;
	if (exact ? o->depth != c->depth : c->depth > o->depth)
		return false;
	for (int i = 0; i < SBPF_NREGS; i++)
		if (!regsafe(&o->regs[i], &c->regs[i], m, exact))
			return false;
	for (int i = 0; i < SBPF_MAX_STACK_ARGS; i++)
		if (!regsafe(&o->stack_arg_regs[i], &c->stack_arg_regs[i], m, exact))
			return false;
	return stacksafe(o, c, m, exact);
}

static bool states_equal(const struct sbpf_vstate *o, const struct sbpf_vstate *c, bool exact)
{
	if (o->curframe != c->curframe)
		return false;
	struct idmap m = { .n = 0 };
	for (uint32_t i = 0; i <= o->curframe; i++)
		if (!func_states_equal(o->frame[i], c->frame[i], &m, exact))
			return false;
	return true;
}

void update_branch_counts(struct sbpf_env *env, struct sbpf_explored *e)
{
	(void)env;
	for (; e; e = e->parent)
		if (--e->branches > 0)
			break;
}

int is_state_visited(struct sbpf_env *env, uint32_t idx)
{
	uint8_t mark = env->prune[idx];
	if (!mark)
		return 0;
	bool add = (mark & 2) || (env->jmps_processed - env->prev_jmps_processed >= 2 &&
				  env->insn_processed - env->prev_insn_processed >= 8);
	bool may_goto = env->forms[idx] == SBPF_OP_MAY_GOTO;
	for (struct sbpf_explored **pe = &env->explored[idx], *e; (e = *pe);) {
		if (e->branches) {
			if (may_goto && e->st.may_goto_depth != env->cur.may_goto_depth &&
			    states_equal(&e->st, &env->cur, false)) {
				e->hit_cnt++;
				return 1;
			}
			if (states_equal(&e->st, &env->cur, true)) {
				verr(env, 0, "infinite loop detected at insn %u", idx);
				vlog(env, "cur state:");
				log_state(env, cur_frame(env), true);
				return -EINVAL;
			}
		} else if (states_equal(&e->st, &env->cur, false)) {
			e->hit_cnt++;
			return 1;
		}
		/* as Linux: a checkpoint that keeps missing is dropped (its node
		 * stays alive for the branch counts of its descendants) */
		if (add)
			e->miss_cnt++;
		uint32_t n = (mark & 2) && e->branches ? 64 : 3;
		if (e->miss_cnt > e->hit_cnt * n + n) {
			*pe = e->next;
			e->evicted = true;
			vstate_free(&e->st);
			env->cur_states--;
			env->states_per_insn[idx]--;
			continue;
		}
		pe = &e->next;
	}
	if (!add)
		return 0;
	struct sbpf_explored *n = calloc(1, sizeof(*n));
	if (!n || vstate_copy(&n->st, &env->cur)) {
		free(n);
		return -ENOMEM;
	}
	n->branches = 1;
	n->parent = env->cur.parent;
	n->st.parent = NULL;
	env->cur.parent = n;
	n->next = env->explored[idx];
	env->explored[idx] = n;
	n->all = env->all_explored;
	env->all_explored = n;
	env->total_states++;
	if (++env->cur_states > env->peak_states)
		env->peak_states = env->cur_states;
	if (++env->states_per_insn[idx] > env->max_states_per_insn)
		env->max_states_per_insn = env->states_per_insn[idx];
	env->prev_jmps_processed = env->jmps_processed;
	env->prev_insn_processed = env->insn_processed;
	return 0;
}

void free_explored(struct sbpf_env *env)
{
	struct sbpf_explored *e = env->all_explored;
	while (e) {
		struct sbpf_explored *next = e->all;
		vstate_free(&e->st);
		free(e);
		e = next;
	}
	env->all_explored = NULL;
}
