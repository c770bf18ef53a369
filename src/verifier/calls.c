/* calls.c - calls and returns: BPF-to-BPF calls (a new frame, at most 8,
 * r1..r5 passed, r0..r5 of the caller clobbered, args 6..12 through the
 * caller's stack-argument slots), host functions checked against their
 * registered prototype (struct stackbpf_fn_desc: scalars, constants,
 * memory + size pairs, ctx; arguments 6..12 from the slots), Linux helpers by
 * id (refused until their prototypes exist), and exit (r0 must be set; a
 * subprogram returns r0 to its caller, never a stack pointer). */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdio.h>

static void clear_caller_saved(struct sbpf_env *env, struct sbpf_func_state *f)
{
	for (int r = 0; r <= SBPF_MAX_REG_ARGS; r++) {
		reg_mark_not_init(&f->regs[r]);
		mark_reg_scratched(env, r);
	}
}

static bool is_ctx_arg(const struct sbpf_reg *r)
{
	if (r->type == PTR_TO_CTX)
		return r->off == 0 && scalar_is_const(&r->s) && scalar_const(&r->s) == 0;
	return r->type == PTR_TO_MEM && (r->flags & REG_F_INPUT) && r->off == 0 && scalar_is_const(&r->s) &&
	       scalar_const(&r->s) == 0;
}

static int check_host_args(struct sbpf_env *env, const struct stackbpf_fn_desc *d)
{
	char name[16], size_name[16];
	for (unsigned i = 0; i < d->nargs; i++) {
		const struct sbpf_reg *r = call_arg_reg(env, (int)i);
		int err;
		arg_name(name, sizeof(name), (int)i);
		if (i < SBPF_MAX_REG_ARGS && (err = check_reg_read(env, (int)i + 1)))
			return err;
		switch (d->arg_types[i]) {
		case STACKBPF_ARG_SCALAR:
		case STACKBPF_ARG_MEM_SIZE:   /* checked with its pointer; alone it is a number */
			if (r->type != SCALAR_VALUE)
				return verr(env, -EINVAL, "%s is not a scalar", name);
			break;
		case STACKBPF_ARG_ANYTHING:
			break;
		case STACKBPF_ARG_CONST:
			if (!reg_is_const(r))
				return verr(env, -EINVAL, "%s must be a known constant", name);
			break;
		case STACKBPF_ARG_CTX:
			if (!is_ctx_arg(r))
				return verr(env, -EINVAL, "arg#%u expected pointer to ctx, but got %s", i,
					    reg_type_str(r->type));
			break;
		case STACKBPF_ARG_PTR_TO_MEM:
		case STACKBPF_ARG_PTR_TO_MEM_RW: {
			if (i + 1 >= d->nargs || d->arg_types[i + 1] != STACKBPF_ARG_MEM_SIZE)
				return verr(env, -EINVAL, "%s: memory argument %s has no size argument after it",
					    d->name, name);
			const struct sbpf_reg *sz = call_arg_reg(env, (int)i + 1);
			arg_name(size_name, sizeof(size_name), (int)i + 1);
			if (i + 1 < SBPF_MAX_REG_ARGS && (err = check_reg_read(env, (int)i + 2)))
				return err;
			err = check_mem_range(env, r, name, sz, size_name, d->arg_types[i] == STACKBPF_ARG_PTR_TO_MEM_RW);
			if (err)
				return err;
			i++;
			break;
		}
		default:
			return verr(env, -EINVAL, "%s: unsupported argument type %u", d->name, d->arg_types[i]);
		}
	}
	return 0;
}

static int check_host_call(struct sbpf_env *env, const struct stackbpf_insn *in, bool by_id)
{
	const struct stackbpf_fn_desc *d =
		by_id ? stackbpf_host__helper(env->host, in->imm) : stackbpf_host__fn(env->host, in->imm);
	if (!d) {
		if (!by_id)
			return verr(env, -EINVAL, "unknown host function #%d", in->imm);
		const char *lname = sbpf_helper_name(in->imm);
		if (lname)
			return verr(env, -EINVAL, "program of this type cannot use helper %s#%d", lname, in->imm);
		return verr(env, -EINVAL, "invalid func unknown#%d", in->imm);
	}
	struct sbpf_func_state *f = cur_frame(env);
	struct sbpf_subprog *sp = &env->subprogs[f->subprogno];
	int err;
	if (d->nargs > SBPF_MAX_FUNC_ARGS)
		return verr(env, -EINVAL, "Function %s has %u > %d args", d->name, d->nargs, SBPF_MAX_FUNC_ARGS);
	if (d->nargs > SBPF_MAX_REG_ARGS) {
		env->uses_stack_args = true;
		if ((err = check_outgoing_stack_args(env, d->nargs)))
			return err;
		if (d->nargs - SBPF_MAX_REG_ARGS > sp->out_need)
			sp->out_need = d->nargs - SBPF_MAX_REG_ARGS;
	}
	if ((err = check_host_args(env, d)))
		return err;
	clear_caller_saved(env, f);
	switch (d->ret_type) {
	case STACKBPF_RET_VOID:
		break;
	case STACKBPF_RET_MEM_OR_NULL:
		f->regs[0].type = PTR_TO_MEM | PTR_MAYBE_NULL;
		f->regs[0].mem_size = d->ret_size;
		f->regs[0].id = ++env->id_gen;
		scalar_mark_known(&f->regs[0].s, 0);
		break;
	default:
		reg_mark_unknown(&f->regs[0]);
		break;
	}
	invalidate_outgoing_stack_args(f);
	if (sp->in_args)
		f->no_stack_arg_load = true;
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
		return verr(env, -E2BIG, "the call stack of %u frames is too deep !", st->curframe + 2);
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
		return check_host_call(env, in, true);
	case S_CALL_KFUNC:
		return check_host_call(env, in, false);
	case S_CALL_LOCAL:
		return check_local_call(env, in);
	default:
		return verr(env, -EINVAL, "BPF_CALL uses reserved fields");
	}
}

int check_exit(struct sbpf_env *env, int *done)
{
	struct sbpf_vstate *st = &env->cur;
	int err = check_reg_read(env, 0);
	*done = 0;
	if (err)
		return err;
	struct sbpf_func_state *callee = cur_frame(env);
	const struct sbpf_reg *r0 = &callee->regs[0];
	if (st->curframe == 0) {
		if (r0->type != SCALAR_VALUE)
			return verr(env, -EINVAL, "At program exit the register R0 is not a known value (%s)",
				    reg_type_str(r0->type));
		*done = 1;
		return 0;
	}
	if (BASE_TYPE(r0->type) == PTR_TO_STACK)
		return verr(env, -EINVAL, "cannot return stack pointer to the caller frame");
	struct sbpf_func_state *caller = st->frame[st->curframe - 1];
	caller->regs[0] = *r0;
	invalidate_outgoing_stack_args(caller);
	if (log_on(env, 3)) {
		vlog(env, "returning from callee:\n");
		log_state(env, callee, true);
		vlog(env, "to caller at %d:\n", callee->callsite + 1);
		log_state(env, caller, true);
	}
	env->next_insn = (uint32_t)callee->callsite + 1;
	func_free(callee);
	st->frame[st->curframe--] = NULL;
	env->scratched_regs = 1;   /* r0 */
	env->scratched_slots = 0;
	env->print_from = true;
	return 0;
}
