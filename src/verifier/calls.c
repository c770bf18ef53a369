/* calls.c - calls and returns (Linux's check_helper_call, check_kfunc_call,
 * check_func_call, push_callback_call, prepare_func_exit):
 *
 *   helpers   `call ID`: Linux's prototype (helpers.c) unless the host
 *             registered a function of another name under that id (then
 *             its prototype: uBPF-style helper sets); program types, map
 *             compatibility, references (refs.c), bpf_loop callbacks,
 *             bpf_tail_call (no leaked references; R12 after the walk)
 *   host      `call NAME` (src 2, kfunc-like): the registered prototype;
 *             arguments 6..12 from the caller's stack-argument slots (R5, R9)
 *   local     a new frame (at most 8); r1..r5 passed, args 6..12 through
 *             the caller's slots; strict BTF argument counts (R7, R8)
 *   exit      r0 set; a subprogram returns r0 to its caller, never a stack
 *             pointer; a callback returns to its bpf_loop call with r0 in
 *             [0, 1]; main's exit refuses leaked references.
 * The argument checks themselves are call_args.c. */
#include "verifier/helpers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { BPF_FUNC_MAX_ID = 212,   /* Linux 6.18's __BPF_FUNC_MAX_ID */
       FUNC_TAIL_CALL = 12, FUNC_LOOP = 181 };

static void clear_caller_saved(struct sbpf_env *env, struct sbpf_func_state *f)
{
	for (int r = 0; r <= SBPF_MAX_REG_ARGS; r++) {
		reg_mark_not_init(&f->regs[r]);
		mark_reg_scratched(env, r);
	}
}

/* after any call: the caller's outgoing slots die (R6); in a subprogram
 * with incoming arguments no r11 load may follow (R4) */
static void after_call(struct sbpf_env *env, struct sbpf_func_state *f)
{
	invalidate_outgoing_stack_args(f);
	if (env->subprogs[f->subprogno].in_args)
		f->no_stack_arg_load = true;
}

/* the prototype a `call ID` is checked against; *p_out is filled for a host
 * function; NULL: error already reported */
static const struct sbpf_func_proto *find_helper(struct sbpf_env *env, int32_t id, struct sbpf_func_proto *host)
{
	const struct sbpf_func_proto *p = helper_proto(id);
	const struct stackbpf_fn_desc *d = stackbpf_host__helper(env->host, id);
	if (d && (!p || !d->name || strcmp(d->name, p->name) != 0)) {
		host_proto(host, d, id);
		host->host = false;   /* helper-style: at most 5 args, registers only */
		return host;
	}
	const char *name = p ? p->name : sbpf_helper_name(id);
	if (id < 0 || id >= BPF_FUNC_MAX_ID) {
		verr(env, -EINVAL, "invalid func %s#%d", name ? name : "unknown", id);
		return NULL;
	}
	if (!p || !helper_allowed(p, env->prog_type)) {
		verr(env, -EINVAL, "program of this type cannot use helper %s#%d", name ? name : "unknown", id);
		return NULL;
	}
	return p;
}

/* bpf_loop: verify the callback in a frame of its own (Linux's
 * push_callback_call + set_loop_callback_state), pushed as a pending path
 * that returns to this call */
static int push_loop_callback(struct sbpf_env *env, int subprogno)
{
	struct sbpf_vstate cb;
	struct sbpf_func_state *caller = cur_frame(env);
	if (env->cur.curframe + 1 >= SBPF_MAX_CALL_FRAMES)
		return verr(env, -E2BIG, "the call stack of %u frames is too deep", env->cur.curframe + 2);
	if (subprogno < 0 || (uint32_t)subprogno >= env->nsubprogs)
		return verr(env, -EFAULT, "verifier internal error: bad callback subprog %d", subprogno);
	env->subprogs[subprogno].is_cb = true;
	if (vstate_copy(&cb, &env->cur))
		return -ENOMEM;
	struct sbpf_func_state *callee = func_new((uint8_t)(cb.curframe + 1), (int32_t)env->insn_idx, (uint32_t)subprogno);
	if (!callee) {
		vstate_free(&cb);
		return -ENOMEM;
	}
	reg_mark_unknown(&callee->regs[1]);          /* the index */
	callee->regs[2] = caller->regs[3];           /* the ctx */
	callee->in_callback_fn = true;
	cb.callback_unroll_depth++;
	cb.frame[cb.curframe]->callback_depth++;
	cb.frame[++cb.curframe] = callee;
	caller->callback_depth = 0;
	int err = push_stack(env, env->subprogs[subprogno].start, env->insn_idx, &cb);
	vstate_free(&cb);
	return err;
}

static void mark_tail_call_chain(struct sbpf_env *env)
{
	env->subprogs[cur_frame(env)->subprogno].has_tail_call = true;
	for (uint32_t i = 0; i <= env->cur.curframe; i++)
		env->subprogs[env->cur.frame[i]->subprogno].tail_call_reachable = true;
}

/* Linux's record_func_map: the map a map helper or tail call was given */
static int record_func_map(struct sbpf_env *env, int32_t id, const struct stackbpf_map *map)
{
	if (id != FUNC_TAIL_CALL && id != 1 && id != 2 && id != 3)
		return 0;
	if (!map)
		return verr(env, -EFAULT, "verifier internal error: expected map for helper call");
	if ((stackbpf_map__flags(map) & STACKBPF_F_RDONLY_PROG) && (id == 2 || id == 3))
		return verr(env, -EACCES, "write into map forbidden");
	return 0;
}

/* Linux's record_func_key: a tail call's prog_array (the message has no
 * newline in Linux and runs into the "processed" line; ours ends its line),
 * and a known index in range is precise */
static int record_func_key(struct sbpf_env *env, int32_t id, const struct stackbpf_map *map)
{
	if (id != FUNC_TAIL_CALL)
		return 0;
	if (!map || stackbpf_map__type(map) != STACKBPF_MAP_PROG_ARRAY)
		return verr(env, -EINVAL, "expected prog array map for tail call");
	const struct sbpf_reg *r3 = &cur_frame(env)->regs[3];
	if (!reg_is_const(r3) || scalar_const(&r3->s) >= stackbpf_map__max_entries(map))
		return 0;
	return mark_chain_precision(env, 3);
}

/* Linux's nr_cpu_ids on this machine (possible CPUs) */
static uint32_t nr_cpu_ids(void)
{
	unsigned lo = 0, hi = 0;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int n = f ? fscanf(f, "%u-%u", &lo, &hi) : 0;
	if (f)
		fclose(f);
	if (n == 2)
		return hi + 1;
	if (n == 1)
		return lo + 1;
	long c = sysconf(_SC_NPROCESSORS_CONF);
	return c > 0 ? (uint32_t)c : 1;
}

/* Linux's do_refine_retval_range: get_smp_processor_id() is in [0, nr_cpu_ids) */
static void refine_retval(struct sbpf_reg *r0, int32_t id)
{
	if (id != 8)
		return;
	uint32_t max = nr_cpu_ids() - 1;
	r0->s.umin = r0->s.u32_min = 0;
	r0->s.smin = r0->s.s32_min = 0;
	r0->s.umax = r0->s.u32_max = max;
	r0->s.smax = r0->s.s32_max = (int32_t)max;
	scalar_sync(&r0->s);
}

static int set_return(struct sbpf_env *env, const struct sbpf_func_proto *p, const struct sbpf_call_meta *meta)
{
	struct sbpf_reg *r0 = &cur_frame(env)->regs[0];
	switch (p->ret_type) {
	case RET_VOID:
		return 0;
	case RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (!meta->map)
			return verr(env, -EFAULT, "verifier internal error: unexpected null map_ptr");
		reg_mark_known(r0, 0);
		r0->type = PTR_TO_MAP_VALUE;
		r0->map_ptr = meta->map;
		if (!(p->id == 1 && meta->const_map_key >= 0 &&
		      (uint64_t)meta->const_map_key < stackbpf_map__max_entries(meta->map)))
			r0->type |= PTR_MAYBE_NULL;
		break;
	case RET_PTR_TO_RINGBUF_MEM_OR_NULL:
		reg_mark_known(r0, 0);
		r0->type = PTR_TO_MEM | MEM_RINGBUF | PTR_MAYBE_NULL;
		r0->mem_size = (uint32_t)meta->mem_size;
		break;
	case RET_PTR_TO_MEM_OR_NULL:
		reg_mark_known(r0, 0);
		r0->type = PTR_TO_MEM | PTR_MAYBE_NULL;
		r0->mem_size = p->ret_size;
		break;
	default:
		reg_mark_unknown(r0);
		if (!p->host)
			refine_retval(r0, p->id);
		return 0;
	}
	if (r0->type & PTR_MAYBE_NULL)
		r0->id = ++env->id_gen;
	if (p->ret_type == RET_PTR_TO_RINGBUF_MEM_OR_NULL) {
		int id = acquire_reference(env, env->insn_idx);
		if (id < 0)
			return id;
		r0->id = r0->ref_obj_id = (uint32_t)id;
	}
	return 0;
}

static int check_call_proto(struct sbpf_env *env, const struct sbpf_func_proto *p)
{
	struct sbpf_func_state *f = cur_frame(env);
	struct sbpf_subprog *sp = &env->subprogs[f->subprogno];
	struct sbpf_call_meta meta;
	int err;
	if (p->nargs > SBPF_MAX_REG_ARGS) {
		env->uses_stack_args = true;
		if ((err = check_outgoing_stack_args(env, p->nargs)))
			return err;
		if ((uint32_t)p->nargs - SBPF_MAX_REG_ARGS > sp->out_need)
			sp->out_need = (uint32_t)p->nargs - SBPF_MAX_REG_ARGS;
	}
	if ((err = check_func_args(env, p, &meta)))
		return err;
	if (!p->host && ((err = record_func_map(env, p->id, meta.map)) || (err = record_func_key(env, p->id, meta.map))))
		return err;
	if (meta.release_regno) {
		err = -EINVAL;
		if (meta.ref_obj_id)
			err = release_reference(env, meta.ref_obj_id);
		else if (reg_is_const(call_arg_reg(env, meta.release_regno - 1)))
			err = 0;   /* releasing NULL */
		if (err)
			return verr(env, err, "func %s#%d reference has not been acquired before", p->name, p->id);
	}
	if (!p->host) {
		switch (p->id) {
		case FUNC_TAIL_CALL:
			if ((err = check_resource_leak(env, "tail_call")))
				return err;
			mark_tail_call_chain(env);
			break;
		case FUNC_LOOP: {
			const struct sbpf_reg *nr = &f->regs[1];
			/* zero flags let Linux inline the loop (update_loop_inline_state,
			 * as observed on 6.18: r4 = 0 becomes precise); the iteration
			 * count decides when the walk stops: precise */
			if (reg_is_const(&f->regs[4]) && scalar_const(&f->regs[4].s) == 0 &&
			    (err = mark_chain_precision(env, 4)))
				return err;
			if ((err = mark_chain_precision(env, 1)))
				return err;
			if (f->callback_depth < nr->s.umax)
				err = push_loop_callback(env, meta.subprogno);
			else {
				f->callback_depth = 0;
				if (log_on(env, 2))
					vlog(env, "frame%u bpf_loop iteration limit reached\n", env->cur.curframe);
			}
			if (err)
				return err;
			break;
		}
		default:
			break;
		}
	}
	clear_caller_saved(env, f);
	if ((err = set_return(env, p, &meta)))
		return err;
	if (!p->host && (err = check_map_func_compat(env, meta.map, p->id)))
		return err;
	after_call(env, f);
	return 0;
}

static int check_host_call(struct sbpf_env *env, const struct stackbpf_insn *in)
{
	const struct stackbpf_fn_desc *d = stackbpf_host__fn(env->host, in->imm);
	if (!d)
		return verr(env, -EINVAL, "unknown host function #%d", in->imm);
	if (d->nargs > SBPF_MAX_FUNC_ARGS)
		return verr(env, -EINVAL, "Function %s has %u > %d args", d->name, d->nargs, SBPF_MAX_FUNC_ARGS);
	for (unsigned i = 0; i < d->nargs; i++) {
		bool mem = d->arg_types[i] == STACKBPF_ARG_PTR_TO_MEM || d->arg_types[i] == STACKBPF_ARG_PTR_TO_MEM_RW;
		if (mem && (i + 1 >= d->nargs || d->arg_types[i + 1] != STACKBPF_ARG_MEM_SIZE)) {
			char name[16];
			arg_name(name, sizeof(name), (int)i);
			return verr(env, -EINVAL, "%s: memory argument %s has no size argument after it", d->name, name);
		}
	}
	struct sbpf_func_proto p;
	host_proto(&p, d, in->imm);
	return check_call_proto(env, &p);
}

static int check_helper_call(struct sbpf_env *env, const struct stackbpf_insn *in)
{
	struct sbpf_func_proto host;
	const struct sbpf_func_proto *p = find_helper(env, in->imm, &host);
	return p ? check_call_proto(env, p) : -EINVAL;
}

/* R7/R8 for a callee with a BTF prototype (Linux's btf_prepare_func_args) */
static int check_btf_params(struct sbpf_env *env, uint32_t callee_sp)
{
	const struct sbpf_subprog *sp = &env->subprogs[callee_sp];
	const char *name = sp->name ? sp->name : "";
	if (sp->nparams > SBPF_MAX_FUNC_ARGS) {
		verr(env, -EFAULT, "kernel supports at most %d parameters, function %s has %d", SBPF_MAX_FUNC_ARGS,
		     name, sp->nparams);
		return -EFAULT;
	}
	if (env->strict && sp->global && sp->nparams > SBPF_MAX_REG_ARGS) {
		verr(env, -EINVAL, "global function %s has %d > %d args, stack args not supported", name, sp->nparams,
		     SBPF_MAX_REG_ARGS);
		return verr(env, -EINVAL, "Caller passes invalid args into func#%u ('%s')", callee_sp, name);
	}
	return 0;
}

/* a call to a global function (Linux's check_func_call for globals): its
 * arguments must be set (stackbpf's prototypes carry counts, not types: any
 * initialised value passes), it is verified on its own after main
 * (start_global_subprog), and the caller continues with r0 unknown */
static int check_global_call(struct sbpf_env *env, uint32_t callee_sp)
{
	struct sbpf_subprog *sp = &env->subprogs[callee_sp];
	struct sbpf_func_state *caller = cur_frame(env);
	struct sbpf_subprog *csp = &env->subprogs[caller->subprogno];
	const char *name = sp->name ? sp->name : "";
	uint32_t nargs = (uint32_t)sp->nparams;
	int err;
	if (sp->in_args && SBPF_MAX_REG_ARGS + sp->in_args > nargs)
		nargs = SBPF_MAX_REG_ARGS + sp->in_args;
	if (nargs > SBPF_MAX_REG_ARGS && (err = check_outgoing_stack_args(env, nargs)))
		return err;
	for (uint32_t i = 0; i < nargs && i < SBPF_MAX_FUNC_ARGS; i++) {
		if (call_arg_reg(env, (int)i)->type != NOT_INIT)
			continue;
		char an[16];
		arg_name(an, sizeof(an), (int)i);
		verr(env, -EINVAL, "%s is not a scalar", an);
		return verr(env, -EINVAL, "Caller passes invalid args into func#%u ('%s')", callee_sp, name);
	}
	if (nargs > SBPF_MAX_REG_ARGS) {
		env->uses_stack_args = true;
		if (nargs - SBPF_MAX_REG_ARGS > csp->out_need)
			csp->out_need = nargs - SBPF_MAX_REG_ARGS;
	}
	if (log_on(env, 1))
		vlog(env, "Func#%u ('%s') is global and assumed valid.\n", callee_sp, name);
	sp->called = true;
	clear_caller_saved(env, caller);
	reg_mark_unknown(&caller->regs[0]);
	after_call(env, caller);
	return 0;
}

static int check_local_call(struct sbpf_env *env, const struct stackbpf_insn *in)
{
	struct sbpf_vstate *st = &env->cur;
	struct sbpf_func_state *caller = cur_frame(env);
	uint32_t target = env->insn_idx + 1 + (uint32_t)in->imm;
	uint32_t callee_sp = env->insn_subprog[target];
	struct sbpf_subprog *csp = &env->subprogs[caller->subprogno];
	uint32_t in_args = env->subprogs[callee_sp].in_args;
	int err;
	if (st->curframe + 1 >= SBPF_MAX_CALL_FRAMES)
		return verr(env, -E2BIG, "the call stack of %u frames is too deep", st->curframe + 2);
	if ((err = check_btf_params(env, callee_sp)))
		return err;
	if (env->subprogs[callee_sp].global)
		return check_global_call(env, callee_sp);
	if (in_args && (err = check_outgoing_stack_args(env, SBPF_MAX_REG_ARGS + in_args)))
		return err;
	if (in_args > csp->out_need)
		csp->out_need = in_args;
	if (csp->in_args)
		caller->no_stack_arg_load = true;
	struct sbpf_func_state *callee = func_new((uint8_t)(st->curframe + 1), (int32_t)env->insn_idx, callee_sp);
	if (!callee)
		return -ENOMEM;
	for (int r = 1; r <= SBPF_MAX_REG_ARGS; r++)
		callee->regs[r] = caller->regs[r];
	clear_caller_saved(env, caller);
	st->frame[++st->curframe] = callee;
	if (log_on(env, 3)) {
		vlog(env, "caller:\n");
		log_state(env, caller, true);
		vlog(env, "callee:\n");
		log_state(env, callee, true);
	}
	mark_all_scratched(env);
	env->next_insn = target;
	return 0;
}

int check_call(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f)
{
	switch (sbpf_opinfo[f].shape) {
	case S_CALL:
		return check_helper_call(env, in);
	case S_CALL_KFUNC:
		return check_host_call(env, in);
	case S_CALL_LOCAL:
		return check_local_call(env, in);
	default:
		return verr(env, -EINVAL, "BPF_CALL uses reserved fields");
	}
}

int check_ld_func(struct sbpf_env *env, const struct stackbpf_insn *in)
{
	uint32_t target = env->insn_idx + 1 + (uint32_t)in->imm;
	struct sbpf_reg *r = &cur_frame(env)->regs[in->dst];
	mark_reg_scratched(env, in->dst);
	if (target >= env->cnt || env->subprogs[env->insn_subprog[target]].start != target)
		return verr(env, -EINVAL, "verifier internal error: no subprog starts at insn %u", target);
	uint32_t sp = env->insn_subprog[target];
	/* Linux needs BTF func_info for callbacks; without BTF only --strict refuses */
	if (env->strict && env->subprogs[sp].nparams < 0)
		return verr(env, -EINVAL, "missing btf func_info");
	if (env->subprogs[sp].global)
		return verr(env, -EINVAL, "callback function not static");
	reg_mark_known(r, 0);
	r->type = PTR_TO_FUNC;
	r->mem_size = sp;
	return 0;
}

int check_exit(struct sbpf_env *env, int *done)
{
	struct sbpf_vstate *st = &env->cur;
	int err;
	*done = 0;
	/* as Linux's process_bpf_exit_full: leaks first, then r0; a subprogram
	 * may return without r0 (its caller fails when it reads it) */
	if (st->curframe == 0 && (err = check_resource_leak(env, "BPF_EXIT instruction in main prog")))
		return err;
	if (st->curframe == 0 && (err = check_reg_read(env, 0)))
		return err;
	struct sbpf_func_state *callee = cur_frame(env);
	const struct sbpf_reg *r0 = &callee->regs[0];
	if (st->curframe == 0 && callee->subprogno) {
		/* a global subprogram verified on its own */
		if (r0->type != SCALAR_VALUE)
			return verr(env, -EINVAL, "At subprogram exit the register R0 is not a scalar value (%s)",
				    reg_type_str(r0->type));
		*done = 1;
		return 0;
	}
	if (st->curframe == 0) {
		if ((err = check_return_code(env, r0)))   /* ctx.c: per program type */
			return err;
		*done = 1;
		return 0;
	}
	if (BASE_TYPE(r0->type) == PTR_TO_STACK)
		return verr(env, -EINVAL, "cannot return stack pointer to the caller");
	struct sbpf_func_state *caller = st->frame[st->curframe - 1];
	bool cb = callee->in_callback_fn;
	if (cb) {
		if (r0->type != SCALAR_VALUE)
			return verr(env, -EACCES, "R0 not a scalar value");
		if ((err = mark_chain_precision(env, 0)))
			return err;
		if (r0->s.smin < 0 || r0->s.smax > 1) {
			log_r0_range(env, "callback return", r0, 0, 1);
			return -EINVAL;
		}
	} else {
		caller->regs[0] = *r0;
	}
	invalidate_outgoing_stack_args(caller);
	uint32_t ret = (uint32_t)callee->callsite + (cb ? 0 : 1);
	if (log_on(env, 3)) {
		vlog(env, "returning from callee:\n");
		log_state(env, callee, true);
		vlog(env, "to caller at %u:\n", ret);
		log_state(env, caller, true);
	}
	env->next_insn = ret;
	func_free(callee);
	st->frame[st->curframe--] = NULL;
	env->scratched_regs = 1;   /* r0 */
	env->scratched_slots = 0;
	env->print_from = true;
	return 0;
}
