/* stack_args.c - the r11 stack-argument rules of stack-args.md §3 and §9:
 *
 *   R2  a store's slot is at most 7 (off >= -56)
 *   R3  a load's slot is at most the subprogram's incoming count
 *   R4  loads come before any r11 store or call of the same frame
 *       (no_stack_arg_load, set by stores, and by calls in a subprogram that
 *       has incoming arguments)
 *   R5  at a call, arguments 6..n exist in the caller's slots (-EFAULT)
 *   R6  every slot of the caller dies at each call (invalidate_*)
 *   R11 a subprogram writes no more slots than its calls need (after the walk)
 *   R12 no subprogram on a call chain to a bpf_tail_call has stack arguments
 *       (incoming or outgoing; after the walk)
 *   R13 --strict: stack arguments need a JIT, which the interpreter is not
 * (R1, the instruction shapes, is structural: src/isa/validate.c.)
 *
 * A store copies the whole register state into the slot, a load copies the
 * caller's slot verbatim (possibly NOT_INIT: the use fails later, `R0 !read_ok`). */
#include "verifier/verifier.h"

#include <errno.h>

int check_stack_arg_load(struct sbpf_env *env, const struct stackbpf_insn *in)
{
	struct sbpf_func_state *f = cur_frame(env);
	int spi = in->off / 8 - 1;
	uint32_t in_args = env->subprogs[f->subprogno].in_args;
	mark_reg_scratched(env, in->dst);
	if (f->no_stack_arg_load)
		return verr(env, -EACCES, "r11 load must be before any r11 store or call insn");
	if ((env->cur.curframe == 0 && f->subprogno == 0) || (uint32_t)spi + 1 > in_args)
		return verr(env, -EACCES, "invalid read from stack arg off %d depth %u", in->off, 8 * in_args);
	if (env->cur.curframe == 0)
		reg_mark_unknown(&f->regs[in->dst]);   /* a global subprogram verified on its own */
	else
		f->regs[in->dst] = env->cur.frame[env->cur.curframe - 1]->stack_arg_regs[spi];
	return 0;
}

int check_stack_arg_store(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f)
{
	struct sbpf_func_state *fr = cur_frame(env);
	int spi = -in->off / 8 - 1;
	if (spi >= SBPF_MAX_STACK_ARGS)
		return verr(env, -EINVAL, "stack arg write offset %d exceeds max %d stack args", in->off,
			    SBPF_MAX_STACK_ARGS);
	struct sbpf_reg v;
	if (sbpf_opinfo[f].shape == S_ARG_STX) {
		int err = check_reg_read(env, in->src);
		if (err)
			return err;
		v = fr->regs[in->src];
	} else {
		reg_mark_known(&v, (uint64_t)(int64_t)in->imm);
	}
	fr->stack_arg_regs[spi] = v;
	fr->no_stack_arg_load = true;
	struct sbpf_subprog *sp = &env->subprogs[fr->subprogno];
	if ((uint32_t)spi + 1 > sp->max_out)
		sp->max_out = (uint32_t)spi + 1;
	return 0;
}

int check_outgoing_stack_args(struct sbpf_env *env, uint32_t nargs)
{
	const struct sbpf_func_state *f = cur_frame(env);
	for (uint32_t i = SBPF_MAX_REG_ARGS; i < nargs; i++)
		if (f->stack_arg_regs[i - SBPF_MAX_REG_ARGS].type == NOT_INIT)
			return verr(env, -EFAULT, "callee expects %u args, stack arg%u is not initialized", nargs,
				    i - SBPF_MAX_REG_ARGS + 1);
	return 0;
}

void invalidate_outgoing_stack_args(struct sbpf_func_state *f)
{
	for (int i = 0; i < SBPF_MAX_STACK_ARGS; i++)
		reg_mark_not_init(&f->stack_arg_regs[i]);
}

const struct sbpf_reg *call_arg_reg(struct sbpf_env *env, int i)
{
	const struct sbpf_func_state *f = cur_frame(env);
	return i < SBPF_MAX_REG_ARGS ? &f->regs[i + 1] : &f->stack_arg_regs[i - SBPF_MAX_REG_ARGS];
}

int check_stack_args_final(struct sbpf_env *env)
{
	for (uint32_t i = 0; i < env->nsubprogs; i++) {
		const struct sbpf_subprog *sp = &env->subprogs[i];
		if (sp->max_out > sp->out_need)
			return verr(env, -EINVAL, "func#%u writes %u stack arg slots, but calls only require %u", i,
				    sp->max_out, sp->out_need);
	}
	for (uint32_t i = 0; i < env->nsubprogs; i++) {
		const struct sbpf_subprog *sp = &env->subprogs[i];
		if ((sp->tail_call_reachable || sp->has_tail_call) && sp->in_args + sp->out_need)
			return verr(env, -EINVAL, "tail_calls are not allowed in programs with stack args");
	}
	if (env->strict && env->uses_stack_args)
		return verr(env, -EINVAL, "stack args are not supported in non-JITed programs");
	return 0;
}
