/* backtrack.c - precision tracking (Linux's jmp_history, backtrack_insn and
 * mark_chain_precision).
 *
 * Scalars are imprecise by default: pruning treats an imprecise scalar of a
 * checkpoint as "any value". When a scalar's exact value matters (a branch
 * the numeric domain decides, pointer + scalar, a stored zero, a helper's
 * constant or size argument) mark_chain_precision walks the path back, one
 * instruction at a time, through the jump history of the current state and
 * then of each checkpoint before it, and marks precise every register, stack
 * slot and stack-argument slot the value was computed from, in the
 * checkpoints (the current state does not need marks: it is never compared
 * as an old state).
 *
 * The jump history records each non-sequential step (the instruction and the
 * one it came from) and, per instruction, which stack slot a spill or fill
 * used (HIST_F_STACK) or which stack-argument slot an r11 load or store used
 * (HIST_F_STACK_ARG, stack-args.md §3.9: a load sets the bit of the slot in
 * the caller's frame, a store clears it and sets its source register).
 *
 * Log lines (level 2) as Linux 6.18:
 *   mark_precise: frame0: last_idx 5 first_idx 0 subseq_idx -1
 *   mark_precise: frame0: regs=r1 stack= before 4: (bf) r1 = r6
 *   mark_precise: frame0: parent state regs=r1 stack=:  R1=... */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PEND_NONE, PEND_STORE, PEND_ARG_STORE };
enum { BT_SLOW = 0x8000 };
#define REGMASK_ARGS 0x3eu     /* r1..r5 */

/* ------------------------------------------------------------ history */

int push_jmp_history(struct sbpf_env *env, struct sbpf_vstate *st, uint32_t flags, uint64_t linked)
{
	struct sbpf_vprec *p = &st->prec;
	if (env->prec.cur_hist >= 0 && st == &env->cur) {
		struct sbpf_hist *h = &p->hist[env->prec.cur_hist];
		h->flags |= flags;
		if (linked)
			h->linked = linked;
		return 0;
	}
	if (p->hist_cnt == p->hist_cap) {
		uint32_t cap = p->hist_cap ? p->hist_cap * 2 : 8;
		struct sbpf_hist *h = realloc(p->hist, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		p->hist = h;
		p->hist_cap = cap;
	}
	struct sbpf_hist *h = &p->hist[p->hist_cnt];
	h->idx = env->insn_idx;
	h->prev_idx = env->prev_insn_idx;
	h->flags = flags;
	h->linked = linked;
	if (st == &env->cur)
		env->prec.cur_hist = (int32_t)p->hist_cnt;
	p->hist_cnt++;
	return 0;
}

static const struct sbpf_hist *hist_entry(const struct sbpf_vstate *st, uint32_t end, uint32_t idx)
{
	return end && st->prec.hist[end - 1].idx == idx ? &st->prec.hist[end - 1] : NULL;
}

/* the insn before i on this state's path; -1 when the state's first insn
 * was reached (Linux's get_prev_insn_idx) */
static int64_t prev_insn(const struct sbpf_vstate *st, uint32_t i, uint32_t *cnt)
{
	if ((int32_t)i == st->prec.first_insn_idx) {
		if (*cnt == 0)
			return -1;
		if (*cnt == 1 && st->prec.hist[0].idx == i)
			return -1;
	}
	if (*cnt && st->prec.hist[*cnt - 1].idx == i) {
		(*cnt)--;
		return st->prec.hist[*cnt].prev_idx;
	}
	return (int64_t)i - 1;
}

/* --------------------------------------------------------- the masks */

static bool bt_empty(const struct sbpf_bt *bt)
{
	uint64_t m = 0;
	for (uint32_t i = 0; i <= bt->frame; i++)
		m |= bt->reg[i] | bt->stack[i] | bt->sarg[i];
	return m == 0;
}

static void fmt_regs(char *buf, size_t sz, uint32_t mask)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < 32 && o < sz; i++)
		if (mask & (1u << i))
			o += (size_t)snprintf(buf + o, sz - o, "%sr%d", o ? "," : "", i);
}

static void fmt_stack(char *buf, size_t sz, uint64_t mask)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < 64 && o < sz; i++)
		if (mask & (1ull << i))
			o += (size_t)snprintf(buf + o, sz - o, "%s%d", o ? "," : "", -(i + 1) * 8);
}

/* linked scalars packed as Linux does: 10 bits per entry (3 frameno, 6
 * spi/regno, 1 is_reg) above a 4-bit count */
enum { LR_MAX = 6 };
struct linked { int cnt; uint8_t frameno[LR_MAX], num[LR_MAX]; bool is_reg[LR_MAX]; };

static uint64_t linked_pack(const struct linked *l)
{
	uint64_t v = 0;
	for (int i = 0; i < l->cnt; i++)
		v = (v << 10) | l->frameno[i] | (uint64_t)l->num[i] << 3 | (uint64_t)l->is_reg[i] << 9;
	return v << 4 | (uint64_t)l->cnt;
}

static void linked_unpack(uint64_t v, struct linked *l)
{
	l->cnt = (int)(v & 15);
	v >>= 4;
	for (int i = 0; i < l->cnt; i++) {
		l->frameno[i] = v & 7;
		l->num[i] = (v >> 3) & 63;
		l->is_reg[i] = (v >> 9) & 1;
		v >>= 10;
	}
}

static void bt_sync_linked(struct sbpf_bt *bt, const struct sbpf_hist *h)
{
	if (!h || !h->linked)
		return;
	struct linked l;
	linked_unpack(h->linked, &l);
	bool any = false;
	for (int i = 0; i < l.cnt && !any; i++)
		any = l.is_reg[i] ? (bt->reg[l.frameno[i]] >> l.num[i]) & 1 : (bt->stack[l.frameno[i]] >> l.num[i]) & 1;
	if (!any)
		return;
	for (int i = 0; i < l.cnt; i++) {
		if (l.is_reg[i])
			bt->reg[l.frameno[i]] |= 1u << l.num[i];
		else
			bt->stack[l.frameno[i]] |= 1ull << l.num[i];
	}
}

static void collect_one(struct linked *l, const struct sbpf_reg *r, uint32_t id, int frameno, int num, bool is_reg)
{
	if (r->type != SCALAR_VALUE || (r->id & ~SBPF_ADD_CONST) != id || l->cnt == LR_MAX)
		return;
	l->frameno[l->cnt] = (uint8_t)frameno;
	l->num[l->cnt] = (uint8_t)num;
	l->is_reg[l->cnt++] = is_reg;
}

static void collect_linked(struct sbpf_env *env, uint32_t id, struct linked *l)
{
	const struct sbpf_vstate *st = &env->cur;
	id &= ~SBPF_ADD_CONST;
	for (int i = (int)st->curframe; i >= 0; i--) {
		const struct sbpf_func_state *f = st->frame[i];
		uint16_t live = (uint32_t)i == st->curframe ? env->live_in[env->insn_idx] : 0xffff;
		for (int j = 0; j < SBPF_REG_FP; j++)
			if (live & (1u << j))
				collect_one(l, &f->regs[j], id, i, j, true);
		for (uint32_t k = 0; k < f->nslots && k < 64; k++)
			if (f->stack[k].types[7] == STACK_SPILL)
				collect_one(l, &f->stack[k].spilled, id, i, (int)k, false);
	}
}

int prec_push_linked(struct sbpf_env *env, const struct sbpf_reg *dst, const struct sbpf_reg *src)
{
	struct linked l = { .cnt = 0 };
	if (src && src->type == SCALAR_VALUE && src->id)
		collect_linked(env, src->id, &l);
	if (dst->type == SCALAR_VALUE && dst->id)
		collect_linked(env, dst->id, &l);
	if (l.cnt > 1)
		return push_jmp_history(env, &env->cur, 0, linked_pack(&l));
	return 0;
}

/* ---------------------------------------------------- backtrack_insn */

static bool calls_callback(const struct sbpf_env *env, int64_t idx)
{
	return idx >= 0 && (size_t)idx < env->cnt && (env->prune[idx] & 4);
}

static bool is_pseudo_call(const struct stackbpf_insn *in)
{
	return in->code == 0x85 && in->src == 1;
}

static void log_bt_line(struct sbpf_env *env, const struct sbpf_bt *bt, uint32_t idx)
{
	char r[64], s[400], d[160];
	fmt_regs(r, sizeof(r), bt->reg[bt->frame]);
	fmt_stack(s, sizeof(s), bt->stack[bt->frame]);
	STACKBPF_OPTS(stackbpf_disasm_opts, dopts, .syntax = STACKBPF_SYNTAX_KERNEL, .host = env->host);
	if (stackbpf_disasm__insn(env->insns, env->cnt, idx, &dopts, d, sizeof(d)) < 0)
		snprintf(d, sizeof(d), "(%02x) ?", env->insns[idx].code);
	vlog(env, "mark_precise: frame%u: regs=%s stack=%s before %u: %s\n", bt->frame, r, s, idx, d);
}

/* -ENOTSUPP (Linux's): give up and mark everything precise */
enum { E_NOTSUPP = 524 };

static int backtrack_insn(struct sbpf_env *env, uint32_t idx, int64_t subseq, const struct sbpf_hist *h,
			  struct sbpf_bt *bt, bool log2)
{
	const struct stackbpf_insn *in = &env->insns[idx];
	if (env->forms[idx] < 0)
		return 0;
	uint8_t shape = sbpf_opinfo[env->forms[idx]].shape;
	uint8_t cls = in->code & 7, op = in->code & 0xf0, mode = in->code & 0xe0;
	uint32_t dreg = in->dst, sreg = in->src, f = bt->frame;
	if (log2)
		log_bt_line(env, bt, idx);
	if (h)
		bt_sync_linked(bt, h);
#define REG_SET(r) ((bt->reg[f] >> (r)) & 1)
	if (shape == S_ARG_LDX) {
		if (!REG_SET(dreg))
			return 0;
		bt->reg[f] &= ~(1u << dreg);
		if (h && (h->flags & HIST_F_STACK_ARG) && f > 0)
			bt->sarg[f - 1] |= (uint8_t)(1u << ((h->flags >> HIST_F_SPI_SHIFT) & HIST_F_SPI_MASK));
		return 0;
	}
	if (shape == S_ARG_STX || shape == S_ARG_ST) {
		if (!h || !(h->flags & HIST_F_STACK_ARG))
			return 0;
		uint32_t spi = (h->flags >> HIST_F_SPI_SHIFT) & HIST_F_SPI_MASK;
		if (!((bt->sarg[f] >> spi) & 1))
			return 0;
		bt->sarg[f] &= (uint8_t)~(1u << spi);
		if (shape == S_ARG_STX)
			bt->reg[f] |= 1u << sreg;
		return 0;
	}
	if (cls == 0x04 || cls == 0x07) {   /* ALU, ALU64 */
		if (!REG_SET(dreg))
			return 0;
		if (op == 0xd0 || op == 0x80)      /* END, NEG */
			return 0;
		if (op == 0xb0) {                  /* MOV */
			bt->reg[f] &= ~(1u << dreg);
			if ((in->code & 0x08) && sreg != SBPF_REG_FP)
				bt->reg[f] |= 1u << sreg;
		} else if ((in->code & 0x08) && sreg != SBPF_REG_FP) {
			bt->reg[f] |= 1u << sreg;
		}
	} else if (cls == 0x01 || shape == S_LOAD_ACQ) {   /* LDX */
		if (!REG_SET(dreg))
			return 0;
		bt->reg[f] &= ~(1u << dreg);
		if (!h || !(h->flags & HIST_F_STACK))
			return 0;
		bt->stack[h->flags & HIST_F_FRAMENO] |= 1ull << ((h->flags >> HIST_F_SPI_SHIFT) & HIST_F_SPI_MASK);
	} else if (cls == 0x03 || cls == 0x02) {   /* STX, ST */
		if (REG_SET(dreg))
			return -E_NOTSUPP;
		if (!h || !(h->flags & HIST_F_STACK))
			return 0;
		uint32_t fr = h->flags & HIST_F_FRAMENO, spi = (h->flags >> HIST_F_SPI_SHIFT) & HIST_F_SPI_MASK;
		if (!((bt->stack[fr] >> spi) & 1))
			return 0;
		bt->stack[fr] &= ~(1ull << spi);
		if (cls == 0x03)
			bt->reg[f] |= 1u << sreg;
	} else if (cls == 0x05 || cls == 0x06) {   /* JMP, JMP32 */
		if (is_pseudo_call(in)) {
			uint32_t t = idx + 1 + (uint32_t)in->imm;
			uint32_t sp = t < env->cnt ? env->insn_subprog[t] : 0;
			if (sp < env->nsubprogs && env->subprogs[sp].global) {
				bt->reg[f] &= ~1u;     /* a global subprog sets r0 */
				return 0;
			}
			if ((bt->reg[f] & ~REGMASK_ARGS) || bt->stack[f] || bt->sarg[f] || f == 0)
				return -EFAULT;
			for (int r = 1; r <= 5; r++)
				if (REG_SET(r)) {
					bt->reg[f] &= ~(1u << r);
					bt->reg[f - 1] |= 1u << r;
				}
			bt->frame--;
			return 0;
		}
		if (calls_callback(env, idx) && (int64_t)idx != subseq - 1) {
			/* back from a callback to the helper that called it */
			if ((bt->reg[f] & ~REGMASK_ARGS) || bt->stack[f] || f == 0)
				return -EFAULT;
			bt->reg[f] &= ~REGMASK_ARGS;
			bt->frame--;
			return 0;
		}
		if (op == 0x80) {            /* helper, kfunc or host call */
			if (in->src == 2 && in->imm == 0)
				return -E_NOTSUPP;
			bt->reg[f] &= ~1u;
			if (bt->reg[f] & REGMASK_ARGS)
				return -EFAULT;
		} else if (op == 0x90) {     /* exit: into the callee, backwards */
			if (calls_callback(env, subseq))
				bt->reg[f] &= ~REGMASK_ARGS;
			if (bt->reg[f] & REGMASK_ARGS)
				return -EFAULT;
			bool r0 = subseq - 1 >= 0 && is_pseudo_call(&env->insns[subseq - 1]) && REG_SET(0);
			bt->reg[f] &= ~1u;
			if (f + 1 >= SBPF_MAX_CALL_FRAMES)
				return -EFAULT;
			bt->frame++;
			if (r0)
				bt->reg[bt->frame] |= 1u;
			return 0;
		} else if (in->code & 0x08) {   /* dreg <cond> sreg */
			if (!REG_SET(dreg) && !REG_SET(sreg))
				return 0;
			bt->reg[f] |= 1u << sreg | 1u << dreg;
		}
	} else if (cls == 0x00) {     /* LD: imm64, abs, ind */
		if (!REG_SET(dreg))
			return 0;
		bt->reg[f] &= ~(1u << dreg);
		if (mode == 0x20 || mode == 0x40)
			return -E_NOTSUPP;
	}
#undef REG_SET
	if (h)
		bt_sync_linked(bt, h);
	return 0;
}

/* what backtrack_insn can do at insn i without a history entry: the
 * registers whose marks it reads, or BT_SLOW when it must always run
 * (calls, exits, callbacks). Everything else needs a history entry (stack
 * slots, stack-argument slots, linked scalars). */
static uint16_t bt_touch_of(const struct sbpf_env *env, uint32_t i)
{
	const struct stackbpf_insn *in = &env->insns[i];
	if (env->forms[i] < 0)
		return 0;
	uint8_t shape = sbpf_opinfo[env->forms[i]].shape;
	uint8_t cls = in->code & 7, op = in->code & 0xf0;
	uint16_t d = (uint16_t)(1u << in->dst), s = (uint16_t)(1u << in->src);
	if (shape == S_ARG_LDX)
		return d;
	if (shape == S_ARG_STX || shape == S_ARG_ST)
		return 0;
	if (cls == 0x04 || cls == 0x07)
		return op == 0xd0 || op == 0x80 ? 0 : d;
	if (cls == 0x05 || cls == 0x06) {
		if (is_pseudo_call(in) || calls_callback(env, i) || op == 0x80 || op == 0x90)
			return BT_SLOW;
		return (in->code & 0x08) ? (uint16_t)(d | s) : 0;
	}
	return d;   /* LD, LDX, ST, STX */
}

/* ------------------------------------------------ mark_chain_precision */

static struct sbpf_vstate *parent_of(const struct sbpf_vstate *st)
{
	return st->parent ? &st->parent->st : NULL;
}

static void force_one(struct sbpf_env *env, struct sbpf_reg *r, int frame, const char *what, int n)
{
	if (r->type != SCALAR_VALUE || r->precise)
		return;
	r->precise = true;
	if (log_on(env, 2))
		vlog(env, "force_precise: frame%d: forcing %s%d to be precise\n", frame, what, n);
}

void mark_all_scalars_precise(struct sbpf_env *env, struct sbpf_vstate *st)
{
	if (log_on(env, 2))
		vlog(env, "mark_precise: frame%u: falling back to forcing all scalars precise\n", st->curframe);
	for (st = parent_of(st); st; st = parent_of(st)) {
		for (uint32_t i = 0; i <= st->curframe; i++) {
			struct sbpf_func_state *f = st->frame[i];
			if (!f)
				continue;
			for (int j = 0; j < SBPF_REG_FP; j++)
				force_one(env, &f->regs[j], (int)i, "r", j);
			for (uint32_t k = 0; k < f->nslots; k++)
				if (f->stack[k].types[7] == STACK_SPILL)
					force_one(env, &f->stack[k].spilled, (int)i, "fp", -(int)(k + 1) * 8);
			for (int k = 0; k < SBPF_MAX_STACK_ARGS; k++)
				force_one(env, &f->stack_arg_regs[k], (int)i, "*(R11-", (k + 1) * 8);
		}
	}
}

void mark_all_scalars_imprecise(struct sbpf_vstate *st)
{
	for (uint32_t i = 0; i <= st->curframe; i++) {
		struct sbpf_func_state *f = st->frame[i];
		for (int j = 0; j < SBPF_REG_FP; j++)
			if (f->regs[j].type == SCALAR_VALUE)
				f->regs[j].precise = false;
		for (uint32_t k = 0; k < f->nslots; k++)
			if (f->stack[k].types[7] == STACK_SPILL && f->stack[k].spilled.type == SCALAR_VALUE)
				f->stack[k].spilled.precise = false;
		for (int k = 0; k < SBPF_MAX_STACK_ARGS; k++)
			if (f->stack_arg_regs[k].type == SCALAR_VALUE)
				f->stack_arg_regs[k].precise = false;
	}
}

/* mark the scalars bt asks for in a parent state; drop what is not a scalar
 * or already precise (its own parents have it) */
static void mark_in_parent(struct sbpf_env *env, struct sbpf_vstate *st, struct sbpf_bt *bt, bool *changed)
{
	for (int fr = (int)bt->frame; fr >= 0; fr--) {
		struct sbpf_func_state *f = st->frame[fr];
		for (int i = 0; i < 32; i++) {
			if (!((bt->reg[fr] >> i) & 1))
				continue;
			struct sbpf_reg *r = &f->regs[i];
			if (r->type != SCALAR_VALUE || r->precise) {
				bt->reg[fr] &= ~(1u << i);
			} else {
				r->precise = true;
				*changed = true;
			}
		}
		for (int i = 0; i < 64; i++) {
			if (!((bt->stack[fr] >> i) & 1))
				continue;
			if ((uint32_t)i >= f->nslots || f->stack[i].types[7] != STACK_SPILL ||
			    f->stack[i].spilled.type != SCALAR_VALUE || f->stack[i].spilled.precise) {
				bt->stack[fr] &= ~(1ull << i);
				continue;
			}
			f->stack[i].spilled.precise = true;
			*changed = true;
		}
		for (int i = 0; i < SBPF_MAX_STACK_ARGS; i++) {
			if (!((bt->sarg[fr] >> i) & 1))
				continue;
			struct sbpf_reg *r = &f->stack_arg_regs[i];
			if (r->type != SCALAR_VALUE || r->precise) {
				bt->sarg[fr] &= (uint8_t)~(1u << i);
			} else {
				r->precise = true;
				*changed = true;
			}
		}
		if (log_on(env, 2)) {
			char rb[64], sb[400];
			fmt_regs(rb, sizeof(rb), bt->reg[fr]);
			fmt_stack(sb, sizeof(sb), bt->stack[fr]);
			vlog(env, "mark_precise: frame%d: parent state regs=%s stack=%s: ", fr, rb, sb);
			log_state(env, f, true);
		}
	}
}

static bool start_is_cur(const struct sbpf_env *env, const struct sbpf_vstate *st)
{
	return st == &env->cur;
}

/* a walk reached insn i (its effect undone, cnt history entries left)
 * needing no more than the last complete walk needed where that one
 * started: from here on it marks nothing new (marks only grow).
 * The walk may be in the current state or in a checkpoint: the memo lives
 * until the path ends, so a checkpoint with the memo's parent and first insn
 * was copied from the current state after the memo was made, with the same
 * history up to it. */
static bool memo_covers(const struct sbpf_env *env, const struct sbpf_vstate *st, int64_t i, uint32_t cnt,
			const struct sbpf_bt *bt)
{
	const struct sbpf_prec_env *p = &env->prec;
	if (!p->memo.valid || p->memo.last != i || p->memo.cnt != cnt || p->memo.parent != st->parent ||
	    p->memo.first != st->prec.first_insn_idx || p->memo.frame != bt->frame)
		return false;
	for (uint32_t f = 0; f <= bt->frame; f++)
		if ((bt->reg[f] & ~p->memo.bt.reg[f]) || (bt->stack[f] & ~p->memo.bt.stack[f]) ||
		    (bt->sarg[f] & ~p->memo.bt.sarg[f]))
			return false;
	return true;
}

static void memo_save(struct sbpf_env *env, bool use, const struct sbpf_bt *start)
{
	struct sbpf_prec_env *p = &env->prec;
	if (!use)
		return;
	p->memo.valid = true;
	p->memo.parent = env->cur.parent;
	p->memo.first = env->cur.prec.first_insn_idx;
	p->memo.last = env->cur.prec.insn_idx;
	p->memo.cnt = env->cur.prec.hist_cnt;
	p->memo.frame = start->frame;
	p->memo.bt = *start;
}

static int mark_chain(struct sbpf_env *env, struct sbpf_vstate *start, int regno, bool *changed)
{
	struct sbpf_bt *bt = &env->prec.bt;
	struct sbpf_vstate *st = start;
	int64_t first = st->prec.first_insn_idx, last = st->prec.insn_idx, subseq = -1;
	bool tmp = false, skip_first = true, log2 = log_on(env, 2);
	if (!changed)
		changed = &tmp;
	bt->frame = start->curframe;
	if (regno >= 0) {
		if (st->frame[bt->frame]->regs[regno].type != SCALAR_VALUE)
			return 0;
		bt->reg[bt->frame] |= 1u << regno;
	}
	if (bt_empty(bt))
		return 0;
	/* the memo: only for the current state, without a log (the log shows
	 * every step) */
	struct sbpf_bt bt0 = *bt;
	bool use_memo = !log2 && start_is_cur(env, st);
	const uint16_t *touch = env->prec.bt_touch;
	for (;;) {
		uint32_t cnt = st->prec.hist_cnt;
		if (log2)
			vlog(env, "mark_precise: frame%u: last_idx %lld first_idx %lld subseq_idx %lld \n", bt->frame,
			     (long long)last, (long long)first, (long long)subseq);
		if (last < 0) {
			/* the entry of a global subprog verified on its own */
			if (st->curframe == 0 && st->frame[0]->subprogno > 0 && !bt->stack[0] && !bt->sarg[0] &&
			    !(bt->reg[0] & ~REGMASK_ARGS)) {
				for (int i = 1; i <= 5; i++)
					if ((bt->reg[0] >> i) & 1) {
						bt->reg[0] &= ~(1u << i);
						if (st->frame[0]->regs[i].type == SCALAR_VALUE) {
							st->frame[0]->regs[i].precise = true;
							*changed = true;
						}
					}
				return 0;
			}
			memset(bt, 0, sizeof(*bt));
			return verr(env, -EFAULT, "verifier bug: backtracking func entry");
		}
		/* where the fast path below must stop: the insn the memo covers */
		int64_t memo_i = use_memo && env->prec.memo.valid ? env->prec.memo.last : -1;
		for (int64_t i = last;;) {
			int err = 0;
			if (!skip_first && !log2) {
				/* the fast path: step over the insns before i that leave
				 * bt as it is (no history entry, no register of bt
				 * written, not the state's first insn nor the memo's) */
				uint32_t stop = cnt ? st->prec.hist[cnt - 1].idx : UINT32_MAX;
				uint16_t m = BT_SLOW | bt->reg[bt->frame];
				while (i > 0 && i != stop && i != first && i != memo_i && !(touch[i] & m)) {
					subseq = i;
					i--;
				}
			}
			const struct sbpf_hist *h = hist_entry(st, cnt, (uint32_t)i);
			if (skip_first) {
				skip_first = false;
			} else if (h || log2 || (touch[i] & (BT_SLOW | bt->reg[bt->frame]))) {
				/* (the others leave bt as it is: the fast path) */
				err = backtrack_insn(env, (uint32_t)i, subseq, h, bt, log2);
				if (err == -E_NOTSUPP) {
					mark_all_scalars_precise(env, start);
					memset(bt, 0, sizeof(*bt));
					return 0;
				}
				if (err) {
					memset(bt, 0, sizeof(*bt));
					return verr(env, err, "verifier bug: backtracking insn %lld", (long long)i);
				}
				if (bt_empty(bt)) {
					memo_save(env, use_memo, &bt0);
					return 0;
				}
			}
			if (use_memo && memo_covers(env, st, i, cnt, bt)) {
				memo_save(env, use_memo, &bt0);
				memset(bt, 0, sizeof(*bt));
				return 0;
			}
			subseq = i;
			i = prev_insn(st, (uint32_t)i, &cnt);
			if (i < 0)
				break;
			if ((size_t)i >= env->cnt) {
				memset(bt, 0, sizeof(*bt));
				return verr(env, -EFAULT, "verifier bug: backtracking idx %lld", (long long)i);
			}
		}
		st = parent_of(st);
		if (!st)
			break;
		mark_in_parent(env, st, bt, changed);
		if (bt_empty(bt)) {
			memo_save(env, use_memo, &bt0);
			return 0;
		}
		subseq = first;
		last = st->prec.last_insn_idx;
		first = st->prec.first_insn_idx;
	}
	if (!bt_empty(bt)) {
		mark_all_scalars_precise(env, start);
		memset(bt, 0, sizeof(*bt));
	}
	return 0;
}

int mark_chain_precision(struct sbpf_env *env, int regno)
{
	return mark_chain(env, &env->cur, regno, NULL);
}

int mark_stack_arg_precision(struct sbpf_env *env, int spi)
{
	struct sbpf_func_state *f = cur_frame(env);
	if (spi < 0 || spi >= SBPF_MAX_STACK_ARGS || f->stack_arg_regs[spi].type != SCALAR_VALUE)
		return 0;
	env->prec.bt.frame = env->cur.curframe;
	env->prec.bt.sarg[env->cur.curframe] |= (uint8_t)(1u << spi);
	return mark_chain(env, &env->cur, -1, NULL);
}

/* (vcalls) the same for stack slot spi of frame frameno: a spilled constant
 * a helper relied on (Linux's bt_set_frame_slot + mark_chain_precision_batch
 * in get_constant_map_key) */
int mark_stack_slot_precision(struct sbpf_env *env, int frameno, int spi)
{
	if (frameno < 0 || (uint32_t)frameno > env->cur.curframe || spi < 0 || spi >= 64)
		return 0;
	env->prec.bt.frame = env->cur.curframe;
	env->prec.bt.stack[frameno] |= 1ull << spi;
	return mark_chain(env, &env->cur, -1, NULL);
}

int propagate_precision(struct sbpf_env *env, const struct sbpf_vstate *old, struct sbpf_vstate *cur,
			bool *changed)
{
	struct sbpf_bt *bt = &env->prec.bt;
	for (int fr = (int)old->curframe; fr >= 0; fr--) {
		const struct sbpf_func_state *f = old->frame[fr];
		bool first = true;
		for (int i = 0; i < SBPF_REG_FP; i++) {
			if (f->regs[i].type != SCALAR_VALUE || !f->regs[i].precise)
				continue;
			if (log_on(env, 2))
				vlog(env, first ? "frame %d: propagating r%d" : ",r%d", first ? fr : i, i);
			bt->reg[fr] |= 1u << i;
			first = false;
		}
		for (uint32_t i = 0; i < f->nslots && i < 64; i++) {
			const struct sbpf_stack_slot *s = &f->stack[i];
			if (s->types[7] != STACK_SPILL || s->spilled.type != SCALAR_VALUE || !s->spilled.precise)
				continue;
			if (log_on(env, 2)) {
				if (first)
					vlog(env, "frame %d: propagating fp%d", fr, -(int)(i + 1) * 8);
				else
					vlog(env, ",fp%d", -(int)(i + 1) * 8);
			}
			bt->stack[fr] |= 1ull << i;
			first = false;
		}
		for (int i = 0; i < SBPF_MAX_STACK_ARGS; i++)
			if (f->stack_arg_regs[i].type == SCALAR_VALUE && f->stack_arg_regs[i].precise)
				bt->sarg[fr] |= (uint8_t)(1u << i);
		if (!first && log_on(env, 2))
			vlog(env, "\n");
	}
	int err = mark_chain(env, cur, -1, changed);
	return err < 0 ? err : 0;
}

/* ------------------------------------------------------ the main walk */

int prec_init(struct sbpf_env *env)
{
	struct sbpf_prec_env *p = &env->prec;
	p->cur_hist = -1;
	p->jmp_point = calloc(env->cnt, 1);
	p->bt_touch = malloc(env->cnt * sizeof(*p->bt_touch) + 1);
	if (!p->jmp_point || !p->bt_touch)
		return -ENOMEM;
	for (uint32_t i = 0; i < env->cnt; i++) {
		int16_t f = env->forms[i];
		if (f < 0)
			continue;
		const struct stackbpf_insn *in = &env->insns[i];
		int64_t t = -1;
		uint32_t next = i + (sbpf_form_is_wide((enum sbpf_form)f) ? 2 : 1);
		switch (sbpf_opinfo[f].shape) {
		case S_JA: case S_JCC_K: case S_JCC_X: case S_MAY_GOTO:
			t = (int64_t)i + 1 + in->off;
			break;
		case S_JA32:
			t = (int64_t)i + 1 + in->imm;
			break;
		case S_CALL_LOCAL:
			t = (int64_t)i + 1 + in->imm;
			/* fall through */
		case S_CALL: case S_CALL_KFUNC: case S_CALLX:
			if (next < env->cnt)
				p->jmp_point[next] = 1;
			break;
		case S_LD_IMM64:
			/* a callback's address (vcalls): Linux's visit_func_call_insn
			 * makes the callback's start a BRANCH target, the next insn
			 * a prune and jump point */
			if (in->src != SBPF_PSEUDO_FUNC)
				break;
			t = (int64_t)i + 1 + in->imm;
			if (next < env->cnt) {
				p->jmp_point[next] = 1;
				env->prune[next] |= 1;
			}
			break;
		default:
			break;
		}
		/* as Linux's push_insn for a BRANCH edge: a jump target is a
		 * prune point as well */
		if (t >= 0 && (size_t)t < env->cnt) {
			p->jmp_point[t] = 1;
			env->prune[t] |= 1;
		}
	}
	/* after the loop above: callbacks are marked in env->prune */
	for (uint32_t i = 0; i < env->cnt; i++)
		p->bt_touch[i] = bt_touch_of(env, i);
	env->cur.prec.first_insn_idx = 0;
	env->cur.prec.last_insn_idx = -1;
	return live_stack_init(env);
}

void prec_free(struct sbpf_env *env)
{
	free(env->prec.jmp_point);
	free(env->prec.bt_touch);
	env->prec.jmp_point = NULL;
	env->prec.bt_touch = NULL;
	live_stack_free(env);
}

void prec_insn_start(struct sbpf_env *env, uint32_t idx)
{
	env->prec.cur_hist = -1;
	env->cur.prec.last_insn_idx = env->insn_processed <= 1 ? -1 : (int32_t)env->prev_insn_idx;
	env->cur.prec.insn_idx = (int32_t)idx;
}

static int access_size(uint8_t code)
{
	static const int sz[4] = { 4, 2, 1, 8 };
	return sz[(code >> 3) & 3];
}

/* a stack access through register regno + off with a constant offset:
 * its frame, byte offset (negative) and slot */
static bool stack_slot_of(struct sbpf_env *env, int regno, int16_t off, int *frame, int *boff)
{
	const struct sbpf_reg *r = &cur_frame(env)->regs[regno];
	if (r->type != PTR_TO_STACK || !scalar_is_const(&r->s))
		return false;
	int64_t o = (int64_t)scalar_const(&r->s) + r->off + off;
	if (o >= 0 || o < -SBPF_STACK_SIZE)
		return false;
	*frame = r->frameno;
	*boff = (int)o;
	return true;
}

/* the history flag of a fill (Linux's check_stack_read_fixed_off): the
 * register is restored from a spill */
static bool is_fill(const struct sbpf_func_state *f, int boff, int size)
{
	int slot = -boff - 1, spi = slot / 8;
	if ((uint32_t)spi >= f->nslots || f->stack[spi].types[7] != STACK_SPILL)
		return false;
	const struct sbpf_stack_slot *s = &f->stack[spi];
	int spill = 1;
	for (int i = 7; i > 0 && s->types[i - 1] == STACK_SPILL; i--)
		spill++;
	if (size == 8 && spill == 8)
		return true;
	if (s->spilled.type != SCALAR_VALUE)
		return false;
	if (size <= spill && boff % 8 == 0)
		return true;
	int spills = 0;
	for (int i = 0; i < size; i++)
		spills += s->types[(slot - i) % 8] == STACK_SPILL;
	return spills == size && scalar_is_const(&s->spilled.s) && scalar_const(&s->spilled.s) == 0;
}

/* ALU: pointer + scalar makes the scalar precise; so does a precise
 * destination (Linux's adjust_reg_min_max_vals) */
static int alu_precision(struct sbpf_env *env, const struct stackbpf_insn *in)
{
	uint8_t op = in->code & 0xf0;
	if (!(in->code & 0x08) || op == 0xb0 || op == 0x80 || op == 0xd0)
		return 0;
	const struct sbpf_reg *d = &cur_frame(env)->regs[in->dst], *s = &cur_frame(env)->regs[in->src];
	if (d->type == NOT_INIT || s->type == NOT_INIT)
		return 0;
	if (s->type != SCALAR_VALUE)
		return d->type == SCALAR_VALUE ? mark_chain_precision(env, in->dst) : 0;
	if (d->type != SCALAR_VALUE || d->precise)
		return mark_chain_precision(env, in->src);
	return 0;
}

int prec_before_insn(struct sbpf_env *env)
{
	struct sbpf_prec_env *p = &env->prec;
	const struct stackbpf_insn *in = &env->insns[env->insn_idx];
	int16_t form = env->forms[env->insn_idx];
	p->pend_kind = PEND_NONE;
	p->frame_before = env->cur.curframe;
	live_stack_insn_start(env);
	if (form < 0)
		return 0;
	int frame, boff, err;
	switch (sbpf_opinfo[form].shape) {
	case S_ALU_X:
		return alu_precision(env, in);
	case S_LDX: case S_LOAD_ACQ:
		if (!stack_slot_of(env, in->src, in->off, &frame, &boff))
			return live_stack_mark_access(env, in->src, in->off, access_size(in->code), true, false);
		if ((err = live_stack_read(env, frame, boff, access_size(in->code))))
			return err;
		if ((uint32_t)frame <= env->cur.curframe && is_fill(env->cur.frame[frame], boff, access_size(in->code)))
			return push_jmp_history(env, &env->cur,
						HIST_F_STACK | (uint32_t)((-boff - 1) / 8) << HIST_F_SPI_SHIFT | (uint32_t)frame, 0);
		return 0;
	case S_STX: case S_ST: case S_STORE_REL:
		if (!stack_slot_of(env, in->dst, in->off, &frame, &boff))
			return live_stack_mark_access(env, in->dst, in->off, access_size(in->code), false, true);
		/* a zero stored off a slot boundary: STACK_ZERO needs the zero precise */
		if (sbpf_opinfo[form].shape == S_STX && boff % 8 != 0) {
			const struct sbpf_reg *v = &cur_frame(env)->regs[in->src];
			if (reg_is_const(v) && scalar_const(&v->s) == 0 && (err = mark_chain_precision(env, in->src)))
				return err;
		}
		live_stack_write(env, frame, boff, access_size(in->code));
		p->pend_kind = PEND_STORE;
		p->pend_frame = frame;
		p->pend_spi = (-boff - 1) / 8;
		p->pend_byte = (-boff - 1) % 8;
		return 0;
	case S_ATOMIC: case S_ATOMIC_FETCH: case S_XCHG: case S_CMPXCHG:
		if (stack_slot_of(env, in->dst, in->off, &frame, &boff))
			return live_stack_read(env, frame, boff, access_size(in->code));
		return live_stack_mark_access(env, in->dst, in->off, access_size(in->code), true, true);
	case S_ARG_LDX:
		if (env->cur.curframe > 0)
			return push_jmp_history(env, &env->cur,
						HIST_F_STACK_ARG | (uint32_t)(in->off / 8 - 1) << HIST_F_SPI_SHIFT |
							(env->cur.curframe - 1),
						0);
		return 0;
	case S_ARG_STX: case S_ARG_ST:
		p->pend_kind = PEND_ARG_STORE;
		p->pend_spi = -in->off / 8 - 1;
		return 0;
	case S_CALL: case S_CALL_KFUNC: case S_CALLX: case S_CALL_LOCAL:
		return live_stack_call(env, sbpf_opinfo[form].shape == S_CALL_LOCAL);
	default:
		return 0;
	}
}

int prec_after_insn(struct sbpf_env *env)
{
	struct sbpf_prec_env *p = &env->prec;
	int err = live_stack_commit(env);
	if (err)
		return err;
	if (p->pend_kind == PEND_STORE && (uint32_t)p->pend_frame <= env->cur.curframe) {
		const struct sbpf_func_state *f = env->cur.frame[p->pend_frame];
		if ((uint32_t)p->pend_spi < f->nslots && f->stack[p->pend_spi].types[p->pend_byte] == STACK_SPILL &&
		    (err = push_jmp_history(env, &env->cur,
					    HIST_F_STACK | (uint32_t)p->pend_spi << HIST_F_SPI_SHIFT | (uint32_t)p->pend_frame,
					    0)))
			return err;
	} else if (p->pend_kind == PEND_ARG_STORE && p->pend_spi >= 0 && p->pend_spi < SBPF_MAX_STACK_ARGS) {
		if ((err = push_jmp_history(env, &env->cur,
					    HIST_F_STACK_ARG | (uint32_t)p->pend_spi << HIST_F_SPI_SHIFT | env->cur.curframe,
					    0)))
			return err;
	}
	p->pend_kind = PEND_NONE;
	/* as Linux's check_cond_jmp_op: the state after a conditional jump
	 * is printed now (the next insn may be pruned) */
	int16_t form = env->forms[env->insn_idx];
	if (form >= 0 && (sbpf_opinfo[form].shape == S_JCC_K || sbpf_opinfo[form].shape == S_JCC_X))
		log_insn_state(env);
	if (env->cur.curframe < p->frame_before)
		return live_stack_update(env);    /* returned from a subprogram */
	return 0;
}

int prec_path_end(struct sbpf_env *env)
{
	env->prec.memo.valid = false;    /* another path comes next */
	return live_stack_update(env);
}
