/* prune.c - state pruning (Linux 6.18's is_state_visited, states_equal,
 * clean_live_states and the loop machinery around them).
 *
 * At prune points (conditional jumps, jump targets, call sites and return
 * points) the current state is compared with the checkpoints kept there.
 * A checkpoint whose paths are all explored (branches == 0) covers the
 * current state when, for the registers live at that insn, every frame's
 * registers, stack slots and stack-argument slots are "within" the old ones
 * (regsafe): an imprecise scalar of the old state matches any scalar, a
 * precise one needs the current range inside it, ids must map one to one.
 * Such a checkpoint is first cleaned: registers dead there become NOT_INIT
 * and dead stack slots STACK_INVALID (live_stack.c). On a match the path
 * ends and the checkpoint's precise scalars are made precise along the
 * current path (propagate_precision).
 *
 * A checkpoint still being explored is an ancestor on a loop: an exactly
 * equal state is an infinite loop; at a may_goto of another depth a state
 * within it ends the path (the budget bounds the loop). Such a "loop" match,
 * or a match with a checkpoint of a loop whose exploration is not finished
 * (its strongly connected component has recorded such matches), compares all
 * scalars as precise and is recorded as a backedge: when the loop's first
 * checkpoint is fully explored, precision is propagated over the backedges
 * until nothing changes (Linux's SCC visits).
 *
 * New checkpoints are added as the kernel does: always at may_goto and when
 * the path's history grew past 40 entries, otherwise after 2 jumps and 8
 * instructions (20 and 100 inside a loop). Checkpoints that keep missing are
 * evicted from the lists. */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum exact_level { NOT_EXACT, EXACT, RANGE_WITHIN };

struct idmap {
	uint32_t old[64], cur[64];
	int n;
};

/* ---------------------------------------------------------------- ids */

static bool check_ids(struct idmap *m, uint32_t o, uint32_t c)
{
	if (!o != !c)
		return false;
	if (!o)
		return true;
	for (int i = 0; i < m->n; i++) {
		if (m->old[i] == o)
			return m->cur[i] == c;
		if (m->cur[i] == c)
			return false;
	}
	if (m->n == 64)
		return false;
	m->old[m->n] = o;
	m->cur[m->n++] = c;
	return true;
}

/* scalars: an id of 0 is a fresh one (unlinked matches anything unused) */
static bool check_scalar_ids(struct sbpf_env *env, struct idmap *m, uint32_t o, uint32_t c)
{
	if (!o)
		o = ++env->prec.tmp_id_gen;
	if (!c)
		c = ++env->prec.tmp_id_gen;
	return check_ids(m, o, c);
}

/* ------------------------------------------------------------ regsafe */

static bool scalar_eq(const struct sbpf_scalar *a, const struct sbpf_scalar *b)
{
	return a->var_off.value == b->var_off.value && a->var_off.mask == b->var_off.mask && a->smin == b->smin &&
	       a->smax == b->smax && a->umin == b->umin && a->umax == b->umax && a->s32_min == b->s32_min &&
	       a->s32_max == b->s32_max && a->u32_min == b->u32_min && a->u32_max == b->u32_max;
}

/* the fields before the id (Linux's memcmp up to var_off / up to id) */
static bool same_ptr_fields(const struct sbpf_reg *o, const struct sbpf_reg *c)
{
	return o->type == c->type && o->off == c->off && o->mem_size == c->mem_size && o->map_ptr == c->map_ptr &&
	       o->flags == c->flags;
}

static bool regs_exact(const struct sbpf_reg *o, const struct sbpf_reg *c, struct idmap *m)
{
	return same_ptr_fields(o, c) && o->frameno == c->frameno && scalar_eq(&o->s, &c->s) &&
	       check_ids(m, o->id, c->id) && check_ids(m, o->ref_obj_id, c->ref_obj_id);
}

static bool regsafe(struct sbpf_env *env, const struct sbpf_reg *o, const struct sbpf_reg *c, struct idmap *m,
		    enum exact_level exact)
{
	if (exact == EXACT)
		return regs_exact(o, c, m);
	if (o->type == NOT_INIT && (exact == NOT_EXACT || c->type == NOT_INIT))
		return true;
	if (o->type != c->type)
		return false;
	switch (BASE_TYPE(o->type)) {
	case SCALAR_VALUE:
		if (!o->precise && exact == NOT_EXACT)
			return true;
		if ((o->id & SBPF_ADD_CONST) != (c->id & SBPF_ADD_CONST))
			return false;
		if ((o->id & SBPF_ADD_CONST) && o->off != c->off)
			return false;
		return scalar_within(&o->s, &c->s) && check_scalar_ids(env, m, o->id, c->id);
	case PTR_TO_MAP_KEY: case PTR_TO_MAP_VALUE: case PTR_TO_MEM:
		return same_ptr_fields(o, c) && scalar_within(&o->s, &c->s) && check_ids(m, o->id, c->id) &&
		       check_ids(m, o->ref_obj_id, c->ref_obj_id);
	case PTR_TO_PACKET_META: case PTR_TO_PACKET:
		/* at least the old range, the same offset, ids kept */
		return pkt_range_safe(o, c) && o->off == c->off && check_ids(m, o->id, c->id) &&
		       scalar_within(&o->s, &c->s);
	case PTR_TO_STACK:
		return regs_exact(o, c, m);
	default:
		return regs_exact(o, c, m);
	}
}

/* ---------------------------------------------------------- stacksafe */

static const struct sbpf_reg *unbound_reg(void)
{
	static struct sbpf_reg r;
	static bool init;
	if (!init) {
		reg_mark_unknown(&r);
		init = true;
	}
	return &r;
}

/* a 64-bit spilled scalar, or all-misc bytes (which read as any scalar) */
static const struct sbpf_reg *scalar_for_slot(const struct sbpf_stack_slot *s)
{
	bool spill64 = true, misc = true;
	for (int i = 0; i < 8; i++) {
		spill64 &= s->types[i] == STACK_SPILL;
		misc &= s->types[i] == STACK_MISC || s->types[i] == STACK_INVALID;
	}
	if (spill64 && s->spilled.type == SCALAR_VALUE)
		return &s->spilled;
	return misc ? unbound_reg() : NULL;
}

static bool stacksafe(struct sbpf_env *env, const struct sbpf_func_state *o, const struct sbpf_func_state *c,
		      struct idmap *m, enum exact_level exact)
{
	for (uint32_t i = 0; i < o->nslots * 8; i++) {
		uint32_t spi = i / 8, b = i % 8;
		uint8_t ot = o->stack[spi].types[b];
		if (exact != NOT_EXACT && (spi >= c->nslots || ot != c->stack[spi].types[b]))
			return false;
		if (ot == STACK_INVALID || ot == STACK_MISC)   /* uninit stack is allowed */
			continue;
		if (spi >= c->nslots)
			return false;
		const struct sbpf_reg *orr = scalar_for_slot(&o->stack[spi]), *crr = scalar_for_slot(&c->stack[spi]);
		if (orr && crr) {
			if (!regsafe(env, orr, crr, m, exact))
				return false;
			i += 7 - b;
			continue;
		}
		uint8_t ct = c->stack[spi].types[b];
		if (ot == STACK_MISC && ct == STACK_ZERO)
			continue;
		if (ot != ct)
			return false;
		if (b != 7)
			continue;
		if (ot == STACK_SPILL && !regsafe(env, &o->stack[spi].spilled, &c->stack[spi].spilled, m, exact))
			return false;
	}
	return true;
}

static uint32_t frame_insn(const struct sbpf_vstate *st, uint32_t i)
{
	return i == st->curframe ? (uint32_t)st->prec.insn_idx : (uint32_t)st->frame[i + 1]->callsite;
}

static bool func_states_equal(struct sbpf_env *env, const struct sbpf_func_state *o, const struct sbpf_func_state *c,
			      uint32_t insn, struct idmap *m, enum exact_level exact)
{
	uint16_t live = insn < env->cnt ? env->live_in[insn] : 0xffff;
	if (exact == EXACT ? o->no_stack_arg_load != c->no_stack_arg_load : (!o->no_stack_arg_load && c->no_stack_arg_load))
		return false;
	/* the combined-stack check is per path: with calls, a deeper frame
	 * is not covered by a shallower one */
	if (env->nsubprogs > 1 && (exact == EXACT ? o->depth != c->depth : c->depth > o->depth))
		return false;
	for (int i = 0; i < SBPF_NREGS; i++)
		if ((live & (1u << i)) && !regsafe(env, &o->regs[i], &c->regs[i], m, exact))
			return false;
	for (int i = 0; i < SBPF_MAX_STACK_ARGS; i++)
		if (!regsafe(env, &o->stack_arg_regs[i], &c->stack_arg_regs[i], m, exact))
			return false;
	return stacksafe(env, o, c, m, exact);
}

static bool states_equal(struct sbpf_env *env, const struct sbpf_vstate *o, const struct sbpf_vstate *c,
			 enum exact_level exact)
{
	if (o->curframe != c->curframe)
		return false;
	struct idmap m = { .n = 0 };
	env->prec.tmp_id_gen = env->id_gen;
	if (o->nrefs != c->nrefs)
		return false;
	for (uint32_t i = 0; i < o->nrefs; i++)
		if (!check_ids(&m, o->refs[i].id, c->refs[i].id))
			return false;
	for (uint32_t i = 0; i <= o->curframe; i++) {
		if (o->frame[i]->callsite != c->frame[i]->callsite)
			return false;
		if (!func_states_equal(env, o->frame[i], c->frame[i], frame_insn(o, i), &m, exact))
			return false;
	}
	return true;
}

static bool reg_identical(const struct sbpf_reg *a, const struct sbpf_reg *b)
{
	return same_ptr_fields(a, b) && a->id == b->id && a->ref_obj_id == b->ref_obj_id && scalar_eq(&a->s, &b->s);
}

/* the registers of the current frame, as Linux's states_maybe_looping. The
 * register that differed last time is compared first: in a loop it is
 * usually the counter, and most calls end there. */
static bool states_maybe_looping(struct sbpf_env *env, const struct sbpf_vstate *o, const struct sbpf_vstate *c)
{
	if (o->curframe != c->curframe)
		return false;
	const struct sbpf_func_state *fo = o->frame[o->curframe], *fc = c->frame[c->curframe];
	uint32_t h = env->prec.loop_hint;
	if (!reg_identical(&fo->regs[h], &fc->regs[h]))
		return false;
	for (uint32_t i = 0; i < SBPF_NREGS; i++)
		if (i != h && !reg_identical(&fo->regs[i], &fc->regs[i])) {
			env->prec.loop_hint = i;
			return false;
		}
	return true;
}

/* ----------------------------------------------------------- SCC visits */

struct backedge {
	struct backedge *next;
	struct sbpf_vstate st;          /* the state that matched; prec.equal_state */
};

struct sbpf_scc_visit {
	struct sbpf_scc_visit *next;
	uint32_t depth, scc;            /* callsites[0..depth) lead to scc */
	uint32_t callsites[SBPF_MAX_CALL_FRAMES];
	const struct sbpf_vstate *entry;
	struct backedge *backedges;
	uint32_t nbackedges;
};

/* Tarjan's algorithm over each insn's successors; only components with a
 * cycle get an id, numbered as they complete */
int scc_init(struct sbpf_env *env)
{
	size_t n = env->cnt;
	uint32_t *idx = calloc(n, sizeof(*idx)), *low = calloc(n, sizeof(*low)), *stk = malloc(n * sizeof(*stk));
	uint32_t *dfs = malloc(n * sizeof(*dfs)), *succ_i = calloc(n, sizeof(*succ_i));
	uint8_t *on = calloc(n, 1);
	env->prec.scc = calloc(n, sizeof(uint32_t));
	int err = 0;
	if (!idx || !low || !stk || !dfs || !succ_i || !on || !env->prec.scc) {
		err = -ENOMEM;
		goto out;
	}
	uint32_t next = 1, sp = 0, nscc = 0;
	for (uint32_t root = 0; root < n; root++) {
		if (idx[root] || env->forms[root] < 0)
			continue;
		uint32_t dp = 0;
		dfs[dp++] = root;
		idx[root] = low[root] = next++;
		stk[sp++] = root;
		on[root] = 1;
		while (dp) {
			uint32_t v = dfs[dp - 1], s[2];
			int ns = insn_successors(env, v, s);
			if (succ_i[v] < (uint32_t)ns) {
				uint32_t w = s[succ_i[v]++];
				if (w >= n)
					continue;
				if (!idx[w]) {
					idx[w] = low[w] = next++;
					stk[sp++] = w;
					on[w] = 1;
					dfs[dp++] = w;
				} else if (on[w] && idx[w] < low[v]) {
					low[v] = idx[w];
				}
				continue;
			}
			dp--;
			if (dp && low[v] < low[dfs[dp - 1]])
				low[dfs[dp - 1]] = low[v];
			if (low[v] != idx[v])
				continue;
			/* v roots a component: a cycle if more than one insn, a self
			 * loop, or a call scheduling a callback (an implicit loop) */
			bool cyc = stk[sp - 1] != v || (env->prune[v] & 4);
			if (!cyc) {
				int k = insn_successors(env, v, s);
				for (int j = 0; j < k; j++)
					cyc |= s[j] == v;
			}
			if (cyc)
				nscc++;
			uint32_t w;
			do {
				w = stk[--sp];
				on[w] = 0;
				if (cyc)
					env->prec.scc[w] = nscc;
			} while (w != v);
		}
	}
out:
	free(idx);
	free(low);
	free(stk);
	free(dfs);
	free(succ_i);
	free(on);
	return err;
}

static void free_backedges(struct sbpf_env *env, struct sbpf_scc_visit *v)
{
	while (v->backedges) {
		struct backedge *b = v->backedges;
		v->backedges = b->next;
		vstate_free(&b->st);
		free(b);
	}
	env->prec.num_backedges -= v->nbackedges;
	v->nbackedges = 0;
}

void scc_free(struct sbpf_env *env)
{
	while (env->prec.visits) {
		struct sbpf_scc_visit *v = env->prec.visits;
		env->prec.visits = v->next;
		free_backedges(env, v);
		free(v);
	}
	free(env->prec.scc);
	env->prec.scc = NULL;
}

/* the SCC of the outermost frame that is in one, and the call sites to it */
static bool scc_chain(const struct sbpf_env *env, const struct sbpf_vstate *st, struct sbpf_scc_visit *key)
{
	memset(key, 0, sizeof(*key));
	for (uint32_t i = 0; i <= st->curframe; i++) {
		uint32_t insn = frame_insn(st, i);
		uint32_t scc = insn < env->cnt ? env->prec.scc[insn] : 0;
		if (scc) {
			key->scc = scc;
			key->depth = i;
			return true;
		}
		if (i == st->curframe)
			return false;
		key->callsites[i] = insn;
	}
	return false;
}

static struct sbpf_scc_visit *scc_lookup(struct sbpf_env *env, const struct sbpf_scc_visit *key, bool create)
{
	for (struct sbpf_scc_visit *v = env->prec.visits; v; v = v->next)
		if (v->scc == key->scc && v->depth == key->depth &&
		    !memcmp(v->callsites, key->callsites, key->depth * sizeof(uint32_t)))
			return v;
	if (!create)
		return NULL;
	struct sbpf_scc_visit *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	*v = *key;
	v->next = env->prec.visits;
	env->prec.visits = v;
	return v;
}

static void log_chain(struct sbpf_env *env, const char *what, const struct sbpf_scc_visit *k)
{
	if (!log_on(env, 2))
		return;
	vlog(env, "SCC %s (", what);
	for (uint32_t i = 0; i < k->depth; i++)
		vlog(env, "%u,", k->callsites[i]);
	vlog(env, "%u)\n", k->scc);
}

static void update_peak_states(struct sbpf_env *env)
{
	uint32_t n = env->cur_states + env->prec.free_list_size + env->prec.num_backedges;
	if (n > env->peak_states)
		env->peak_states = n;
}

static bool incomplete_read_marks(struct sbpf_env *env, const struct sbpf_vstate *st)
{
	struct sbpf_scc_visit key, *v;
	if (!scc_chain(env, st, &key) || !(v = scc_lookup(env, &key, false)))
		return false;
	return v->backedges != NULL;
}

static int maybe_enter_scc(struct sbpf_env *env, const struct sbpf_vstate *st)
{
	struct sbpf_scc_visit key, *v;
	if (!scc_chain(env, st, &key))
		return 0;
	if (!(v = scc_lookup(env, &key, true)))
		return -ENOMEM;
	if (!v->entry) {
		v->entry = st;
		log_chain(env, "enter", &key);
	}
	return 0;
}

static int propagate_backedges(struct sbpf_env *env, struct sbpf_scc_visit *v)
{
	int iter = 0;
	bool changed;
	do {
		if (iter++ > 64) {
			if (log_on(env, 2))
				vlog(env, "propagate_backedges: too many iterations\n");
			for (struct backedge *b = v->backedges; b; b = b->next)
				mark_all_scalars_precise(env, &b->st);
			break;
		}
		changed = false;
		for (struct backedge *b = v->backedges; b; b = b->next) {
			int err = propagate_precision(env, b->st.prec.equal_state, &b->st, &changed);
			if (err)
				return err;
		}
	} while (changed);
	free_backedges(env, v);
	return 0;
}

static int maybe_exit_scc(struct sbpf_env *env, const struct sbpf_vstate *st)
{
	struct sbpf_scc_visit key, *v;
	if (!scc_chain(env, st, &key) || !(v = scc_lookup(env, &key, false)) || v->entry != st)
		return 0;
	log_chain(env, "exit", &key);
	v->entry = NULL;
	update_peak_states(env);
	return propagate_backedges(env, v);
}

static int add_backedge(struct sbpf_env *env, const struct sbpf_vstate *old, uint32_t insn)
{
	struct sbpf_scc_visit key, *v;
	if (!scc_chain(env, old, &key) || !(v = scc_lookup(env, &key, false)))
		return verr(env, -EFAULT, "verifier bug: add backedge: no SCC in verification path, insn_idx %u", insn);
	struct backedge *b = calloc(1, sizeof(*b));
	if (!b || vstate_copy(&b->st, &env->cur)) {
		free(b);
		return -ENOMEM;
	}
	b->st.prec.equal_state = old;
	b->st.prec.insn_idx = (int32_t)insn;
	log_chain(env, "backedge", &key);
	b->next = v->backedges;
	v->backedges = b;
	v->nbackedges++;
	env->prec.num_backedges++;
	update_peak_states(env);
	return 0;
}

/* --------------------------------------------------------- checkpoints */

/* an evicted checkpoint no path needs any more (its memory is the arena's) */
static void maybe_free(struct sbpf_env *env, struct sbpf_explored *e)
{
	if (!e || !e->evicted || e->branches || !e->st.frame[0] || incomplete_read_marks(env, &e->st))
		return;
	memset(e->st.frame, 0, sizeof(e->st.frame));
	e->st.prec.hist = NULL;
	env->prec.free_list_size--;
}

void update_branch_counts(struct sbpf_env *env, struct sbpf_explored *e)
{
	while (e) {
		if (--e->branches > 0)
			break;
		int err = maybe_exit_scc(env, &e->st);
		if (err)
			env->oom = true;
		struct sbpf_explored *parent = e->parent;
		maybe_free(env, e);
		e = parent;
	}
}

static void clean_state(struct sbpf_env *env, struct sbpf_vstate *st)
{
	if (live_stack_query(env, st))
		return;
	st->prec.cleaned = true;
	for (uint32_t i = 0; i <= st->curframe; i++) {
		struct sbpf_func_state *f = st->frame[i];
		uint32_t insn = frame_insn(st, i);
		uint16_t live = insn < env->cnt ? env->live_in[insn] : 0xffff;
		for (int r = 0; r < SBPF_REG_FP; r++)
			if (!(live & (1u << r)))
				reg_mark_not_init(&f->regs[r]);
		for (uint32_t k = 0; k < f->nslots; k++)
			if (!live_stack_alive(env, f->frameno, k)) {
				reg_mark_not_init(&f->stack[k].spilled);
				memset(f->stack[k].types, STACK_INVALID, sizeof(f->stack[k].types));
			}
	}
}

static bool same_callsites(const struct sbpf_vstate *a, const struct sbpf_vstate *b)
{
	if (a->curframe != b->curframe)
		return false;
	for (uint32_t i = 0; i <= a->curframe; i++)
		if (a->frame[i]->callsite != b->frame[i]->callsite)
			return false;
	return true;
}

static uint32_t bucket(const struct sbpf_env *env, uint32_t idx)
{
	return (uint32_t)((int32_t)idx ^ cur_frame(env)->callsite) % (uint32_t)env->cnt;
}

static int jmp_history_here(struct sbpf_env *env, uint32_t idx)
{
	return env->prec.jmp_point[idx] ? push_jmp_history(env, &env->cur, 0, 0) : 0;
}

int prune_point_visited(struct sbpf_env *env, uint32_t idx)
{
	uint8_t mark = env->prune[idx];
	if (!mark)
		return jmp_history_here(env, idx);
	struct sbpf_vstate *cur = &env->cur;
	bool force = (mark & 2) || cur->prec.hist_cnt > 40;
	bool add = force || (env->jmps_processed - env->prev_jmps_processed >= 2 &&
			     env->insn_processed - env->prev_insn_processed >= 8);
	bool may_goto = env->forms[idx] == SBPF_OP_MAY_GOTO;
	struct sbpf_explored **head = &env->explored[bucket(env, idx)];
	uint32_t states_cnt = 0;
	int err;

	/* clean_live_states: explored checkpoints here lose dead registers and slots */
	for (struct sbpf_explored *e = *head; e; e = e->next)
		if (!e->branches && e->st.prec.insn_idx == (int32_t)idx && same_callsites(&e->st, cur) &&
		    !e->st.prec.cleaned && !incomplete_read_marks(env, &e->st))
			clean_state(env, &e->st);

	for (struct sbpf_explored **pe = head, *e; (e = *pe);) {
		states_cnt++;
		if (e->st.prec.insn_idx != (int32_t)idx) {
			pe = &e->next;
			continue;
		}
		bool loop = false;
		if (e->branches) {
			if (may_goto && e->st.may_goto_depth != cur->may_goto_depth &&
			    states_equal(env, &e->st, cur, RANGE_WITHIN)) {
				loop = true;
				goto hit;
			}
			/* a call that schedules a callback: the callback's
			 * iterations converge here, never an infinite loop */
			if (mark & 4) {
				if (states_equal(env, &e->st, cur, RANGE_WITHIN)) {
					loop = true;
					goto hit;
				}
				goto skip_inf_loop_check;
			}
			/* two visits of the same callback differ in their unroll depth */
			if (states_maybe_looping(env, &e->st, cur) && states_equal(env, &e->st, cur, EXACT) &&
			    e->st.may_goto_depth == cur->may_goto_depth &&
			    e->st.callback_unroll_depth == cur->callback_unroll_depth) {
				verr(env, 0, "infinite loop detected at insn %u", idx);
				vlog(env, "cur state:");
				log_state(env, cur_frame(env), true);
				vlog(env, "old state:");
				log_state(env, e->st.frame[cur->curframe], true);
				return -EINVAL;
			}
skip_inf_loop_check:
			/* inside a loop, checkpoints are added less often */
			if (!force && env->jmps_processed - env->prev_jmps_processed < 20 &&
			    env->insn_processed - env->prev_insn_processed < 100)
				add = false;
			goto miss;
		}
		loop = incomplete_read_marks(env, &e->st);
		if (states_equal(env, &e->st, cur, loop ? RANGE_WITHIN : NOT_EXACT)) {
hit:
			e->hit_cnt++;
			if ((err = jmp_history_here(env, idx)) || (err = propagate_precision(env, &e->st, cur, NULL)))
				return err;
			if (loop && (err = add_backedge(env, &e->st, idx)))
				return err;
			return 1;
		}
miss:
		/* a checkpoint that keeps missing is dropped from the list; its
		 * memory stays while paths still descend from it */
		if (add)
			e->miss_cnt++;
		uint32_t n = (mark & 2) && e->branches ? 64 : 3;
		if (e->miss_cnt > e->hit_cnt * n + n) {
			*pe = e->next;
			e->evicted = true;
			env->cur_states--;
			env->prec.free_list_size++;
			maybe_free(env, e);
			continue;
		}
		pe = &e->next;
	}
	if (states_cnt > env->max_states_per_insn)
		env->max_states_per_insn = states_cnt;
	if (!add)
		return jmp_history_here(env, idx);

	struct sbpf_explored *n = arena_alloc(env, sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n, 0, offsetof(struct sbpf_explored, st));
	env->total_states++;
	env->cur_states++;
	update_peak_states(env);
	env->prev_jmps_processed = env->jmps_processed;
	env->prev_insn_processed = env->insn_processed;
	mark_all_scalars_imprecise(cur);
	if (vstate_copy_arena(env, &n->st, cur))
		return -ENOMEM;
	n->st.prec.insn_idx = (int32_t)idx;
	n->branches = 1;
	n->parent = cur->parent;
	n->all = env->all_explored;
	env->all_explored = n;
	if ((err = maybe_enter_scc(env, &n->st)))
		return err;
	cur->parent = n;
	cur->prec.dfs_depth = n->st.prec.dfs_depth + 1;
	cur->prec.first_insn_idx = (int32_t)idx;
	cur->prec.hist_cnt = 0;
	n->next = *head;
	*head = n;
	return jmp_history_here(env, idx);
}

static void maybe_widen(struct sbpf_env *env, const struct sbpf_reg *o, struct sbpf_reg *c, struct idmap *m)
{
	if (o->type != SCALAR_VALUE || c->type != SCALAR_VALUE || o->precise || c->precise || regs_exact(o, c, m))
		return;
	(void)env;
	reg_mark_unknown(c);
}

void may_goto_widen(struct sbpf_env *env, struct sbpf_vstate *queued, uint32_t idx)
{
	const struct sbpf_explored *parent = env->cur.parent;
	const struct sbpf_vstate *prev = NULL;
	if (!parent)
		return;
	/* the checkpoint of an earlier iteration at this may_goto, on this path */
	for (const struct sbpf_explored *e = env->explored[bucket(env, idx)]; e && !prev; e = e->next)
		if (e->st.prec.insn_idx == (int32_t)idx && e->branches && same_callsites(&e->st, &parent->st) &&
		    e->st.prec.dfs_depth < parent->st.prec.dfs_depth)
			prev = &e->st;
	if (!prev)
		return;
	struct idmap m = { .n = 0 };
	env->prec.tmp_id_gen = env->id_gen;
	for (int fr = (int)prev->curframe; fr >= 0; fr--) {
		const struct sbpf_func_state *fo = prev->frame[fr];
		struct sbpf_func_state *fc = queued->frame[fr];
		for (int i = 0; i < SBPF_NREGS; i++)
			maybe_widen(env, &fo->regs[i], &fc->regs[i], &m);
		uint32_t n = fo->nslots < fc->nslots ? fo->nslots : fc->nslots;
		for (uint32_t i = 0; i < n; i++)
			if (fo->stack[i].types[7] == STACK_SPILL && fc->stack[i].types[7] == STACK_SPILL)
				maybe_widen(env, &fo->stack[i].spilled, &fc->stack[i].spilled, &m);
	}
}

void free_explored(struct sbpf_env *env)
{
	env->all_explored = NULL;    /* checkpoints live in the arena */
	scc_free(env);
	arena_free(env);
}
