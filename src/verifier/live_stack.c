/* live_stack.c - which stack slots may still be read (Linux 6.18's
 * kernel/bpf/liveness.c, in its own words).
 *
 * While the walk runs, every instruction it processes records, per call
 * chain (the call sites leading to a subprogram plus the subprogram), the
 * slots it may read and the slots it surely writes (whole aligned 8-byte
 * stores; the intersection over all visits). A backward data-flow fixpoint
 * over the subprogram's instructions then gives the slots live before each
 * instruction; a callee's reads and writes of its callers' stacks pass to
 * the call site in the caller's chain. The fixpoint runs when a path ends
 * and when a subprogram returns, as in Linux; a checkpoint whose paths are
 * all explored is then cleaned (prune.c): dead slots become STACK_INVALID,
 * which any current state matches.
 *
 * Accesses the walk cannot attribute to one slot are conservative: a
 * variable-offset access reads every slot of its range, and a pointer to the
 * stack passed to a helper or host function may read every slot above it. */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct chain {
	uint32_t curframe;
	uint32_t callsites[SBPF_MAX_CALL_FRAMES];   /* [i]: the call that made frame i+1 */
	uint32_t starts[SBPF_MAX_CALL_FRAMES];      /* subprog start of each frame */
};

struct masks {
	uint64_t may_read, must_write, must_write_acc, live_before;
};

struct instance {
	struct chain key;
	uint32_t start, n;              /* the subprogram's insns */
	bool updated, must_write_dropped;
	struct masks *frames[SBPF_MAX_CALL_FRAMES];
	uint8_t *must_write_set;        /* per insn: MW_* */
};

/* an insn's must_write: never committed, committed, or committed and
 * empty in every frame (a commit without writes then changes nothing) */
enum { MW_UNSET, MW_SET, MW_NONE };

struct sbpf_live {
	struct instance **inst;
	size_t n, cap;
	struct instance *cur;           /* of env->cur, found at each insn */
	uint64_t write_acc[SBPF_MAX_CALL_FRAMES];
	bool wrote;                     /* write_acc is not all zero */
	struct instance *query[SBPF_MAX_CALL_FRAMES];
	uint32_t query_curframe, query_insn;
};

static void chain_of(const struct sbpf_env *env, const struct sbpf_vstate *st, uint32_t frameno, struct chain *c)
{
	memset(c, 0, sizeof(*c));
	c->curframe = frameno;
	for (uint32_t i = 0; i <= frameno; i++) {
		c->starts[i] = env->subprogs[st->frame[i]->subprogno].start;
		if (i < frameno)
			c->callsites[i] = (uint32_t)st->frame[i + 1]->callsite;
	}
}

static bool same_chain(const struct chain *a, const struct chain *b)
{
	if (a->curframe != b->curframe)
		return false;
	for (uint32_t i = 0; i <= a->curframe; i++)
		if (a->starts[i] != b->starts[i] || (i < a->curframe && a->callsites[i] != b->callsites[i]))
			return false;
	return true;
}

/* same_chain(k, chain_of(st)) without building the chain (every insn asks) */
static bool chain_is_of(const struct sbpf_env *env, const struct sbpf_vstate *st, const struct chain *k)
{
	if (k->curframe != st->curframe)
		return false;
	for (uint32_t i = 0; i <= k->curframe; i++)
		if (k->starts[i] != env->subprogs[st->frame[i]->subprogno].start ||
		    (i < k->curframe && k->callsites[i] != (uint32_t)st->frame[i + 1]->callsite))
			return false;
	return true;
}

static struct instance *lookup(struct sbpf_env *env, const struct chain *c)
{
	struct sbpf_live *l = env->prec.live;
	for (size_t i = l->n; i-- > 0;)
		if (same_chain(&l->inst[i]->key, c))
			return l->inst[i];
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct instance **p = realloc(l->inst, cap * sizeof(*p));
		if (!p)
			return NULL;
		l->inst = p;
		l->cap = cap;
	}
	struct instance *in = calloc(1, sizeof(*in));
	uint32_t sp = env->insn_subprog[c->starts[c->curframe]];
	if (!in)
		return NULL;
	in->key = *c;
	in->start = env->subprogs[sp].start;
	in->n = env->subprogs[sp].end - in->start;
	in->must_write_set = calloc(in->n ? in->n : 1, sizeof(*in->must_write_set));
	if (!in->must_write_set) {
		free(in);
		return NULL;
	}
	l->inst[l->n++] = in;
	return in;
}

static struct masks *frame_masks(struct instance *in, uint32_t frame, uint32_t idx, bool alloc)
{
	if (frame > in->key.curframe || idx < in->start || idx >= in->start + in->n)
		return NULL;
	if (!in->frames[frame]) {
		if (!alloc || !(in->frames[frame] = calloc(in->n, sizeof(struct masks))))
			return NULL;
	}
	return &in->frames[frame][idx - in->start];
}

int live_stack_init(struct sbpf_env *env)
{
	env->prec.live = calloc(1, sizeof(struct sbpf_live));
	return env->prec.live ? 0 : -ENOMEM;
}

void live_stack_free(struct sbpf_env *env)
{
	struct sbpf_live *l = env->prec.live;
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		for (int f = 0; f < SBPF_MAX_CALL_FRAMES; f++)
			free(l->inst[i]->frames[f]);
		free(l->inst[i]->must_write_set);
		free(l->inst[i]);
	}
	free(l->inst);
	free(l);
	env->prec.live = NULL;
}

void live_stack_insn_start(struct sbpf_env *env)
{
	struct sbpf_live *l = env->prec.live;
	if (!l->cur || !chain_is_of(env, &env->cur, &l->cur->key)) {
		struct chain c;
		chain_of(env, &env->cur, env->cur.curframe, &c);
		l->cur = lookup(env, &c);
	}
	if (l->wrote)
		memset(l->write_acc, 0, sizeof(l->write_acc));
	l->wrote = false;
}

static int mark_read(struct instance *in, uint32_t frame, uint32_t idx, uint64_t mask)
{
	if (!in)
		return -ENOMEM;
	struct masks *m = frame_masks(in, frame, idx, true);
	if (!m)
		return frame > in->key.curframe ? 0 : -ENOMEM;
	uint64_t nr = m->may_read | mask;
	if (nr != m->may_read && (nr | m->live_before) != m->live_before)
		in->updated = true;
	m->may_read = nr;
	return 0;
}

/* slots covering bytes [lo, hi) below the frame pointer (lo < hi <= 0) */
static uint64_t slot_mask(int64_t lo, int64_t hi)
{
	uint64_t m = 0;
	if (lo < -SBPF_STACK_SIZE)
		lo = -SBPF_STACK_SIZE;
	for (int64_t b = lo; b < hi && b < 0; b++)
		m |= 1ull << ((-b - 1) / 8);
	return m;
}

int live_stack_read(struct sbpf_env *env, int frame, int boff, int size)
{
	return mark_read(env->prec.live->cur, (uint32_t)frame, env->insn_idx, slot_mask(boff, boff + size));
}

void live_stack_write(struct sbpf_env *env, int frame, int boff, int size)
{
	if (size == 8 && boff % 8 == 0 && frame >= 0 && frame < SBPF_MAX_CALL_FRAMES) {
		env->prec.live->write_acc[frame] |= 1ull << ((-boff - 1) / 8);
		env->prec.live->wrote = true;
	}
}

int live_stack_mark_access(struct sbpf_env *env, int regno, int16_t off, int size, bool read, bool write)
{
	(void)write;   /* a variable-offset write writes no slot for sure */
	const struct sbpf_reg *r = &cur_frame(env)->regs[regno];
	if (!read || r->type != PTR_TO_STACK)
		return 0;
	int64_t lo = r->s.smin + r->off + off, hi = r->s.smax + r->off + off + size;
	if (lo > 0 || hi < -SBPF_STACK_SIZE)
		return 0;
	return mark_read(env->prec.live->cur, r->frameno, env->insn_idx, slot_mask(lo, hi > 0 ? 0 : hi));
}

int live_stack_call(struct sbpf_env *env, bool local)
{
	if (local)
		return 0;
	const struct sbpf_func_state *f = cur_frame(env);
	for (int i = 0; i < 5 + SBPF_MAX_STACK_ARGS; i++) {
		const struct sbpf_reg *r = i < 5 ? &f->regs[i + 1] : &f->stack_arg_regs[i - 5];
		if (r->type != PTR_TO_STACK)
			continue;
		int64_t lo = r->s.smin + r->off;
		int err;
		if (lo < 0 && (err = mark_read(env->prec.live->cur, r->frameno, env->insn_idx, slot_mask(lo, 0))))
			return err;
	}
	return 0;
}

static int commit(struct instance *in, uint32_t idx, const uint64_t *acc, bool wrote)
{
	if (!in || idx < in->start || idx >= in->start + in->n)
		return 0;
	uint32_t rel = idx - in->start;
	if (!wrote && in->must_write_set[rel] == MW_NONE)
		return 0;
	bool none = true;
	for (uint32_t fr = 0; fr <= in->key.curframe; fr++) {
		uint64_t mask = acc[fr];
		if (!mask && !in->must_write_set[rel])
			continue;   /* (never committed: its must_write is still 0) */
		struct masks *m = frame_masks(in, fr, idx, true);
		if (!m)
			return -ENOMEM;
		uint64_t old = m->must_write;
		if (in->must_write_set[rel])
			mask &= old;
		if (old != mask) {
			m->must_write = mask;
			in->updated = true;
		}
		if (old & ~mask)
			in->must_write_dropped = true;
		none = none && !mask;
	}
	in->must_write_set[rel] = none ? MW_NONE : MW_SET;
	return 0;
}

int live_stack_commit(struct sbpf_env *env)
{
	struct sbpf_live *l = env->prec.live;
	return commit(l->cur, env->insn_idx, l->write_acc, l->wrote);
}

/* successors of idx inside its subprogram (calls fall through) */
int insn_successors(const struct sbpf_env *env, uint32_t idx, uint32_t s[2])
{
	int16_t f = env->forms[idx];
	if (f < 0)
		return 0;
	const struct stackbpf_insn *in = &env->insns[idx];
	int n = 0;
	switch (sbpf_opinfo[f].shape) {
	case S_EXIT:
		return 0;
	case S_JA:
		s[n++] = idx + 1 + (uint32_t)(int32_t)in->off;
		return n;
	case S_JA32:
		s[n++] = idx + 1 + (uint32_t)in->imm;
		return n;
	case S_JCC_K: case S_JCC_X: case S_MAY_GOTO:
		s[n++] = idx + 1;
		s[n++] = idx + 1 + (uint32_t)(int32_t)in->off;
		return n;
	default:
		s[n++] = idx + (sbpf_form_is_wide((enum sbpf_form)f) ? 2 : 1);
		return n;
	}
}

static bool update_insn(struct sbpf_env *env, struct instance *in, uint32_t fr, uint32_t idx)
{
	uint32_t s[2];
	int n = insn_successors(env, idx, s);
	if (!n)
		return false;
	struct masks *m = &in->frames[fr][idx - in->start];
	uint64_t after = 0, acc = ~0ull;
	for (int i = 0; i < n; i++) {
		if (s[i] < in->start || s[i] >= in->start + in->n) {
			acc = 0;
			continue;
		}
		const struct masks *sm = &in->frames[fr][s[i] - in->start];
		after |= sm->live_before;
		acc &= sm->must_write_acc;
	}
	acc |= m->must_write;
	uint64_t before = (after & ~m->must_write) | m->may_read;
	bool changed = before != m->live_before || acc != m->must_write_acc;
	m->live_before = before;
	m->must_write_acc = acc;
	return changed;
}

static int update_instance(struct sbpf_env *env, struct instance *in)
{
	if (in->must_write_dropped)
		for (uint32_t fr = 0; fr <= in->key.curframe; fr++)
			if (in->frames[fr])
				for (uint32_t i = 0; i < in->n; i++)
					in->frames[fr][i].must_write_acc = 0;
	for (bool changed = true; changed;) {
		changed = false;
		for (uint32_t fr = 0; fr <= in->key.curframe; fr++)
			if (in->frames[fr])
				for (uint32_t i = in->n; i-- > 0;)
					changed |= update_insn(env, in, fr, in->start + i);
	}
	if (!in->key.curframe)
		return 0;
	/* the callee's effect on its callers' stacks, at the call site */
	struct chain up = in->key;
	up.curframe--;
	up.callsites[up.curframe] = 0;
	struct instance *outer = lookup(env, &up);
	if (!outer)
		return -ENOMEM;
	uint32_t callsite = in->key.callsites[up.curframe];
	uint64_t acc[SBPF_MAX_CALL_FRAMES] = { 0 };
	for (uint32_t fr = 0; fr < in->key.curframe; fr++) {
		struct masks *m = frame_masks(in, fr, in->start, false);
		if (!m)
			continue;
		acc[fr] = m->must_write_acc;
		int err = mark_read(outer, fr, callsite, m->live_before);
		if (err)
			return err;
	}
	return commit(outer, callsite, acc, true);
}

int live_stack_update(struct sbpf_env *env)
{
	struct sbpf_live *l = env->prec.live;
	/* innermost chains first: their effects flow to the callers */
	for (int depth = SBPF_MAX_CALL_FRAMES - 1; depth >= 0; depth--)
		for (size_t i = 0; i < l->n; i++) {
			struct instance *in = l->inst[i];
			if (in->key.curframe != (uint32_t)depth || !in->updated)
				continue;
			in->updated = false;
			int err = update_instance(env, in);
			in->must_write_dropped = false;
			if (err)
				return err;
		}
	return 0;
}

int live_stack_query(struct sbpf_env *env, const struct sbpf_vstate *st)
{
	struct sbpf_live *l = env->prec.live;
	for (uint32_t fr = 0; fr <= st->curframe; fr++) {
		struct chain c;
		chain_of(env, st, fr, &c);
		if (!(l->query[fr] = lookup(env, &c)))
			return -ENOMEM;
	}
	l->query_curframe = st->curframe;
	l->query_insn = (uint32_t)st->prec.insn_idx;
	return 0;
}

static bool live_before(struct instance *in, uint32_t idx, uint32_t frame, uint32_t spi)
{
	struct masks *m = frame_masks(in, frame, idx, false);
	return m && ((m->live_before >> spi) & 1);
}

bool live_stack_alive(struct sbpf_env *env, uint32_t frameno, uint32_t spi)
{
	struct sbpf_live *l = env->prec.live;
	struct instance *top = l->query[l->query_curframe];
	if (spi >= 64)
		return true;
	if (live_before(top, l->query_insn, frameno, spi))
		return true;
	for (uint32_t i = frameno; i < l->query_curframe; i++) {
		uint32_t cs = top->key.callsites[i];
		bool cb = cs < env->cnt && (env->prune[cs] & 4);
		if (live_before(l->query[i], cb ? cs : cs + 1, frameno, spi))
			return true;
	}
	return false;
}
