/* verifier.c - the main walk (Linux's do_check) and stackbpf_prog__verify.
 *
 * One path at a time: the current state runs instruction by instruction; a
 * conditional jump that the numeric domain cannot decide pushes the taken
 * side on a worklist and continues with the fall-through; a path ends at the
 * exit of main or when pruning finds it covered, and the next pending state
 * is popped. Limits as Linux: 1,000,000 processed instructions (E2BIG) and
 * 8192 pending branches. After the walk: the stack-argument checks that need
 * the whole program (R11, and R13 in --strict). The log, the statistics and
 * the verdict follow the kernel's (see log.c). */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isa/validate.h"

enum { COMPLEXITY_LIMIT_INSNS = 1000000, COMPLEXITY_LIMIT_JMP_SEQ = 8192 };

/* a new entry on the stack of pending branches, NULL with *err set */
static struct sbpf_pending *pending_new(struct sbpf_env *env, int *err)
{
	if (env->nstack >= COMPLEXITY_LIMIT_JMP_SEQ) {
		*err = verr(env, -E2BIG, "The sequence of %zu jumps is too complex.", env->nstack + 1);
		return NULL;
	}
	if (env->nstack == env->capstack) {
		size_t cap = env->capstack ? env->capstack * 2 : 64;
		struct sbpf_pending *p = realloc(env->stack, cap * sizeof(*p));
		if (!p) {
			*err = -ENOMEM;
			return NULL;
		}
		env->stack = p;
		env->capstack = cap;
	}
	return &env->stack[env->nstack];
}

static void pending_push(struct sbpf_env *env, struct sbpf_pending *p, uint32_t insn, uint32_t prev)
{
	p->insn = insn;
	p->prev = prev;
	p->log_pos = env->log_len;
	env->nstack++;
	if (p->st.parent)
		p->st.parent->branches++;
}

int push_stack(struct sbpf_env *env, uint32_t insn, uint32_t prev, const struct sbpf_vstate *st)
{
	int err = 0;
	struct sbpf_pending *p = pending_new(env, &err);
	if (!p)
		return err;
	if (vstate_copy(&p->st, st))
		return -ENOMEM;
	pending_push(env, p, insn, prev);
	return 0;
}

/* as push_stack, but st itself is queued (no copy); *st is left empty */
static int push_stack_move(struct sbpf_env *env, uint32_t insn, uint32_t prev, struct sbpf_vstate *st)
{
	int err = 0;
	struct sbpf_pending *p = pending_new(env, &err);
	if (!p)
		return err;
	p->st = *st;
	memset(st, 0, sizeof(*st));
	pending_push(env, p, insn, prev);
	return 0;
}

int check_combined_stack(struct sbpf_env *env)
{
	uint32_t total = 0;
	for (uint32_t i = 0; i <= env->cur.curframe; i++)
		total += (env->cur.frame[i]->depth + 15) & ~15u;
	if (total > SBPF_STACK_SIZE)
		return verr(env, -EACCES, "combined stack size of %u calls is %u. Too large", env->cur.curframe + 1,
			    total);
	return 0;
}

/* ------------------------------------------------------------ branches */

/* after a null check of id: every register and slot holding it becomes a
 * known 0 (null side) or the pointer without PTR_MAYBE_NULL */
static void mark_one_ptr_or_null(struct sbpf_reg *x, uint32_t id, bool is_null)
{
	if (!(x->type & PTR_MAYBE_NULL) || x->id != id)
		return;
	if (is_null) {
		reg_mark_known(x, 0);
	} else {
		x->type &= ~PTR_MAYBE_NULL;
		x->id = 0;
	}
}

static void mark_ptr_or_null(struct sbpf_vstate *st, uint32_t id, bool is_null)
{
	for (uint32_t i = 0; i <= st->curframe; i++) {
		struct sbpf_func_state *f = st->frame[i];
		for (int r = 0; r < SBPF_NREGS; r++)
			mark_one_ptr_or_null(&f->regs[r], id, is_null);
		for (int r = 0; r < SBPF_MAX_STACK_ARGS; r++)
			mark_one_ptr_or_null(&f->stack_arg_regs[r], id, is_null);
		for (uint32_t k = 0; k < f->nslots; k++)
			if (f->stack[k].types[7] == STACK_SPILL)
				mark_one_ptr_or_null(&f->stack[k].spilled, id, is_null);
	}
}

/* Linux's sync_linked_regs: a branch refined `known`; every scalar linked
 * with it (same id, ignoring the delta flag) learns its value, plus the
 * difference of their deltas */
static void sync_one(struct sbpf_reg *r, const struct sbpf_reg *known)
{
	if (r == known || r->type != SCALAR_VALUE ||
	    (r->id & ~SBPF_ADD_CONST) != (known->id & ~SBPF_ADD_CONST))
		return;
	if ((!(r->id & SBPF_ADD_CONST) && !(known->id & SBPF_ADD_CONST)) || r->off == known->off) {
		*r = *known;
		return;
	}
	int32_t off = r->off, delta = (int32_t)((uint32_t)r->off - (uint32_t)known->off);
	uint32_t id = r->id;
	*r = *known;      /* r keeps its own id, flag and delta */
	r->id = id;
	r->off = off;
	scalar_add_linked(&r->s, delta);
	if (id & SBPF_ADD_CONST32) {
		/* linked through a 32-bit add: the sum is zero-extended */
		scalar_zext32(&r->s);
		scalar_sync(&r->s);
	}
}

/* live: the registers of the current frame live at the jump (6.18 leaves
 * dead copies as they were) */
static void sync_linked_scalars(struct sbpf_vstate *st, const struct sbpf_reg *known, uint16_t live)
{
	if (known->type != SCALAR_VALUE || !known->id)
		return;
	for (uint32_t i = 0; i <= st->curframe; i++) {
		struct sbpf_func_state *f = st->frame[i];
		for (int r = 0; r < SBPF_NREGS; r++)
			if (i != st->curframe || (live & (1u << r)))
				sync_one(&f->regs[r], known);
		for (int r = 0; r < SBPF_MAX_STACK_ARGS; r++)
			sync_one(&f->stack_arg_regs[r], known);
		for (uint32_t k = 0; k < f->nslots; k++)
			if (f->stack[k].types[7] == STACK_SPILL)
				sync_one(&f->stack[k].spilled, known);
	}
}

static int check_cond_jmp(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f)
{
	bool is64 = SBPF_CLASS(in->code) == SBPF_JMP, is_x = sbpf_opinfo[f].shape == S_JCC_X;
	uint8_t op = SBPF_OP(in->code);
	uint32_t target = env->insn_idx + 1 + (uint32_t)(int32_t)in->off;
	int err;
	if ((err = check_reg_read(env, in->dst)) || (is_x && (err = check_reg_read(env, in->src))))
		return err;
	struct sbpf_func_state *fr = cur_frame(env);
	struct sbpf_reg d = fr->regs[in->dst], s;
	if (is_x)
		s = fr->regs[in->src];
	else
		reg_mark_known(&s, (uint64_t)(int64_t)in->imm);

	int taken = -1;
	bool null_check = false;
	bool same = is_x && in->src == in->dst;
	if (d.type == SCALAR_VALUE && s.type == SCALAR_VALUE) {
		taken = same ? scalar_branch_taken_same(&d.s, op, is64) : scalar_branch_taken(&d.s, &s.s, op, is64);
	} else if (is64 && is_x && (taken = pkt_branch_taken(&d, &s, op)) >= 0) {
		/* pkt.c: a packet pointer known at or beyond data_end */
	} else if (reg_is_ptr(&d) || reg_is_ptr(&s)) {
		/* pkt.c: a pointer against 0 (null checks) */
		taken = ptr_branch_taken(&d, &s, op, is64, is_x, &null_check);
	}
	if (taken >= 0) {
		/* the decision rests on the values: they become precise (backtrack.c) */
		if (d.type == SCALAR_VALUE && (err = mark_chain_precision(env, in->dst)))
			return err;
		if (is_x && s.type == SCALAR_VALUE && (err = mark_chain_precision(env, in->src)))
			return err;
	}
	if (taken == 1) {
		env->next_insn = target;
		return 0;
	}
	if (taken == 0)
		return 0;

	/* both sides possible: the taken side is pushed, this path falls through */
	if ((err = prec_push_linked(env, &d, is_x ? &s : NULL)))
		return err;
	struct sbpf_vstate other;
	if (vstate_copy(&other, &env->cur))
		return -ENOMEM;
	struct sbpf_func_state *of = other.frame[other.curframe];
	bool push = true, stay = true;
	if (null_check) {
		/* the null side of an acquired pointer holds no reference (refs.c) */
		if (d.ref_obj_id && d.ref_obj_id == d.id)
			release_reference_nomark(op == 0x10 ? &other : &env->cur, d.id);
		/* JEQ: the taken side is the null one */
		mark_ptr_or_null(&other, d.id, op == 0x10);
		mark_ptr_or_null(&env->cur, d.id, op != 0x10);
	} else if (d.type == SCALAR_VALUE && s.type == SCALAR_VALUE) {
		struct sbpf_scalar td, ts, fd, fs;
		uint16_t live = env->live_in[env->insn_idx];
		if (same) {
			/* "if r1 > r1": one register, refined as the kernel does */
			scalar_refine_same(&td, &fd, &d.s, op, is64);
			ts = td;
			fs = fd;
		} else {
			scalar_refine(&td, &ts, &fd, &fs, &d.s, &s.s, op, is64);
		}
		push = scalar_is_sane(&td) && scalar_is_sane(&ts);
		stay = scalar_is_sane(&fd) && scalar_is_sane(&fs);
		of->regs[in->dst].s = td;
		fr->regs[in->dst].s = fd;
		if (is_x && !same) {
			of->regs[in->src].s = ts;
			fr->regs[in->src].s = fs;
			/* as the kernel: the source's links first, then the destination's */
			sync_linked_scalars(&env->cur, &fr->regs[in->src], live);
			sync_linked_scalars(&other, &of->regs[in->src], live);
		}
		sync_linked_scalars(&env->cur, &fr->regs[in->dst], live);
		sync_linked_scalars(&other, &of->regs[in->dst], live);
	} else {
		/* pkt.c: ranges of packet pointers from comparisons with data_end,
		 * or a maybe-null pointer equal to a non-null one */
		if (!pkt_cond_jmp(env, in, &env->cur, &other))
			ptr_cmp_nullness(in, &env->cur, &other);
	}
	err = 0;
	if (push && stay) {
		err = push_stack_move(env, target, env->insn_idx, &other);
	} else if (push) {
		/* only the taken side is possible: continue there */
		vstate_free(&env->cur);
		env->cur = other;
		memset(&other, 0, sizeof(other));
		env->next_insn = target;
	} else if (!stay) {
		err = -ENOENT;   /* neither side is possible: the path ends */
	}
	vstate_free(&other);
	return err;
}

static int check_may_goto(struct sbpf_env *env, const struct stackbpf_insn *in)
{
	/* the fall-through (loop body) is queued one level deeper; this path
	 * takes the jump (the budget ran out) */
	env->cur.may_goto_depth++;
	int err = push_stack(env, env->insn_idx + 1, env->insn_idx, &env->cur);
	env->cur.may_goto_depth--;
	if (!err)   /* prune.c: imprecise scalars that changed are widened */
		may_goto_widen(env, &env->stack[env->nstack - 1].st, env->insn_idx);
	env->next_insn = env->insn_idx + 1 + (uint32_t)(int32_t)in->off;
	return err;
}

/* ------------------------------------------------------------ the walk */

static int do_insn(struct sbpf_env *env, int *path_done)
{
	const struct stackbpf_insn *in = &env->insns[env->insn_idx];
	enum sbpf_form f = (enum sbpf_form)env->forms[env->insn_idx];
	uint8_t shape = sbpf_opinfo[f].shape;
	uint8_t cls = SBPF_CLASS(in->code);
	if (cls == SBPF_JMP || cls == SBPF_JMP32)
		env->jmps_processed++;
	switch (shape) {
	case S_ALU_K: case S_ALU_X: case S_NEG: case S_END: case S_MOVSX:
		return check_alu(env, in, f);
	case S_ARG_LDX:
		return check_stack_arg_load(env, in);
	case S_ARG_STX: case S_ARG_ST:
		return check_stack_arg_store(env, in, f);
	case S_JA:
		env->next_insn = env->insn_idx + 1 + (uint32_t)(int32_t)in->off;
		return 0;
	case S_JA32:
		env->next_insn = env->insn_idx + 1 + (uint32_t)in->imm;
		return 0;
	case S_JCC_K: case S_JCC_X: {
		int err = check_cond_jmp(env, in, f);
		if (err == -ENOENT) {
			*path_done = 1;
			return 0;
		}
		return err;
	}
	case S_MAY_GOTO:
		return check_may_goto(env, in);
	case S_CALL: case S_CALL_LOCAL: case S_CALL_KFUNC: case S_CALLX:
		return check_call(env, in, f);
	case S_EXIT:
		return check_exit(env, path_done);
	case S_LD_IMM64:
		if (in->src == SBPF_PSEUDO_FUNC)
			return check_ld_func(env, in);   /* calls.c: a callback */
		return check_ldx_st(env, in, f);
	default:
		return check_ldx_st(env, in, f);
	}
}

/* the path ended: pop the next pending state; 1 when none is left */
static int pop_stack(struct sbpf_env *env)
{
	update_branch_counts(env, env->cur.parent);
	if (!env->nstack)
		return 1;
	struct sbpf_pending *p = &env->stack[--env->nstack];
	vstate_free(&env->cur);
	env->cur = p->st;
	env->insn_idx = p->insn;
	env->prev_insn_idx = p->prev;
	if (!log_on(env, 2) && p->log_pos <= env->log_len) {
		/* back to where the branch was pushed: the end of the jump's
		 * line, whose newline an annotation may have overwritten */
		log_reset(env, p->log_pos);
		if (p->log_pos && env->log[p->log_pos - 1] != '\n')
			env->log[p->log_pos - 1] = '\n';
		env->prev_log_pos = 0;
	}
	mark_all_scratched(env);   /* as Linux after an exit: the next line shows the whole state */
	env->print_from = true;
	env->print_from_pop = true;
	return 0;
}

static int do_walk(struct sbpf_env *env);

static int do_check(struct sbpf_env *env)
{
	struct sbpf_func_state *f0 = func_new(0, -1, 0);
	if (!f0)
		return -ENOMEM;
	env->cur.frame[0] = f0;
	ctx_init_regs(env, f0);   /* ctx.c */
	mark_all_scratched(env);
	return do_walk(env);
}

/* the walk from env->cur at env->insn_idx until no path is left (main, then
 * each called global subprogram: calls.c's start_global_subprog) */
static int do_walk(struct sbpf_env *env)
{
	for (;;) {
		uint32_t idx = env->insn_idx;
		if (++env->insn_processed > COMPLEXITY_LIMIT_INSNS)
			return verr(env, -E2BIG, "BPF program is too large. Processed %llu insn",
				    (unsigned long long)env->insn_processed);
		prec_insn_start(env, idx);
		int path_done = 0, err = is_state_visited(env, idx);
		if (err < 0)
			return err;
		if (err == 1) {
			if (log_on(env, 3)) {
				if (env->print_from)
					vlog(env, "\nfrom %u to %u: safe\n", env->prev_insn_idx, idx);
				else
					vlog(env, "%u: safe\n", idx);
			}
			path_done = 1;
		} else {
			if (log_on(env, 2) && env->print_from) {
				vlog(env, "\nfrom %u to %u:", env->prev_insn_idx, idx);
				log_state(env, cur_frame(env), true);
				/* after a pop Linux leaves the state scratched: its
				 * next line ("N: R..") prints it all again */
				if (!env->print_from_pop) {
					env->scratched_regs = 0;
					env->scratched_slots = 0;
				}
			}
			env->print_from = false;
			env->print_from_pop = false;
			log_insn(env, idx);
			env->next_insn = -1;
			if ((err = prec_before_insn(env)) || (err = do_insn(env, &path_done)) ||
			    (err = prec_after_insn(env)))
				return err;
			if (!path_done) {
				env->prev_insn_idx = idx;
				if (env->next_insn >= 0)
					env->insn_idx = (uint32_t)env->next_insn;
				else
					env->insn_idx = idx + (sbpf_form_is_wide((enum sbpf_form)env->forms[idx]) ? 2 : 1);
				continue;
			}
		}
		if ((err = prec_path_end(env)))
			return err;
		if (pop_stack(env))
			return 0;
	}
}

/* --------------------------------------------------------------- API */

static void deliver_log(const struct sbpf_env *env, stackbpf_log_fn log, void *ctx)
{
	if (!log || !env->log)
		return;
	char *s = env->log;
	while (*s) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		log(ctx, 2, s);
		if (!nl)
			break;
		*nl = '\n';
		s = nl + 1;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int prepare(struct sbpf_env *env)
{
	char err[256];
	/* call targets are checked by the walk, where they are reached, with
	 * the kernel's messages (as Linux: unreachable code is refused anyway) */
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = NULL, .map_cnt = stackbpf_prog__map_cnt(env->prog));
	int ret = sbpf_validate(env->insns, env->cnt, &vopts, err, sizeof(err));
	if (ret) {
		/* the validator says "insn N: message"; the kernel log has no prefix */
		const char *msg = err;
		if (strncmp(msg, "insn ", 5) == 0 && strstr(msg, ": "))
			msg = strstr(msg, ": ") + 2;
		return verr(env, ret, "%s", msg);
	}
	env->forms = malloc(env->cnt * sizeof(*env->forms));
	env->prune = calloc(env->cnt, 1);
	env->explored = calloc(env->cnt, sizeof(*env->explored));
	env->states_per_insn = calloc(env->cnt, sizeof(*env->states_per_insn));
	if (!env->forms || !env->prune || !env->explored || !env->states_per_insn)
		return -ENOMEM;
	for (size_t i = 0; i < env->cnt; i++) {
		env->forms[i] = (int16_t)sbpf_decode(&env->insns[i]);
		if (sbpf_form_is_wide((enum sbpf_form)env->forms[i]) && i + 1 < env->cnt)
			env->forms[++i] = -1;
	}
	ret = check_cfg(env);
	if (!ret)
		ret = check_map_values_early(env);   /* check_mem.c: Linux's resolve_pseudo_ldimm64 */
	if (!ret)
		ret = prec_init(env);     /* precision: jump points, stack liveness */
	if (!ret)
		ret = scc_init(env);
	return ret;
}

static void env_free(struct sbpf_env *env)
{
	vstate_free(&env->cur);
	for (size_t i = 0; i < env->nstack; i++)
		vstate_free(&env->stack[i].st);
	free(env->stack);
	free_explored(env);
	prec_free(env);
	free(env->explored);
	free(env->states_per_insn);
	free(env->forms);
	free(env->prune);
	free(env->subprogs);
	free(env->insn_subprog);
	free(env->live_in);
	free(env->log);
}

#define OPT(o, field, def) \
	((o) && (o)->sz >= offsetof(__typeof__(*(o)), field) + sizeof((o)->field) ? (o)->field : (def))

int stackbpf_prog__verify(const struct stackbpf_prog *prog, const struct stackbpf_verify_opts *opts,
			  struct stackbpf_verify_stats *stats)
{
	if (!prog)
		return -EINVAL;
	if (!ctx_prog_type_supported(OPT(opts, prog_type, STACKBPF_PROG_UNSPEC)))
		return -EOPNOTSUPP;
	struct sbpf_env env = {
		.prog = prog,
		.prog_type = OPT(opts, prog_type, STACKBPF_PROG_UNSPEC),
		.insns = stackbpf_prog__insns(prog),
		.cnt = stackbpf_prog__insn_cnt(prog),
		.host = OPT(opts, host, NULL),
		.strict = OPT(opts, strict, false),
		.mem_size = OPT(opts, mem_size, 0),
		.log_level = OPT(opts, log_level, 0),
		.lines = OPT(opts, lines, NULL),
		.line_cnt = OPT(opts, line_cnt, 0),
		.strict_alignment = OPT(opts, strict_alignment, false) && !OPT(opts, any_alignment, false),
	};
	stackbpf_log_fn log = OPT(opts, log, NULL);
	void *log_ctx = OPT(opts, log_ctx, NULL);
	uint64_t t0 = now_ns();
	int err = env.cnt ? prepare(&env) : verr(&env, -EINVAL, "empty program");
	if (!err)
		err = do_check(&env);
	while (!err && (err = start_global_subprog(&env)) > 0)   /* subprogs.c */
		err = do_walk(&env);
	if (!err)
		err = check_max_stack_depth(&env);   /* subprogs.c */
	if (!err)
		err = check_stack_args_final(&env);
	uint64_t ns = now_ns() - t0;

	if (!err && log_on(&env, 1) && !log_on(&env, 2))
		log_reset(&env, 0);
	if (log_on(&env, 4)) {
		vlog(&env, "verification time %llu usec\n", (unsigned long long)(ns / 1000));
		vlog(&env, "stack depth ");
		for (uint32_t i = 0; i < env.nsubprogs; i++)
			vlog(&env, "%s%u", i ? "+" : "", env.subprogs[i].stack_depth);
		vlog(&env, "\n");
	}
	vlog(&env, "processed %llu insns (limit %d) max_states_per_insn %u total_states %u peak_states %u "
		   "mark_read 0\n",
	     (unsigned long long)env.insn_processed, COMPLEXITY_LIMIT_INSNS, env.max_states_per_insn,
	     env.total_states, env.peak_states);
	if (env.oom && !err)
		err = -ENOMEM;
	deliver_log(&env, log, log_ctx);

	if (stats && stats->sz >= offsetof(struct stackbpf_verify_stats, stack_depth)) {
		size_t sz = stats->sz < sizeof(*stats) ? stats->sz : sizeof(*stats);
		memset((char *)stats + sizeof(stats->sz), 0, sz - sizeof(stats->sz));
		stats->accepted = err == 0;
		stats->err = err;
		stats->insns_processed = env.insn_processed;
		stats->total_states = env.total_states;
		stats->peak_states = env.peak_states;
		stats->max_states_per_insn = env.max_states_per_insn;
		stats->verification_ns = ns;
		stats->subprog_cnt = env.nsubprogs;
		if (stats->sz >= sizeof(*stats))
			for (uint32_t i = 0; i < env.nsubprogs && i < STACKBPF_VERIFY_MAX_SUBPROGS; i++)
				stats->stack_depth[i] = env.subprogs[i].stack_depth;
	}
	env_free(&env);
	return err;
}
