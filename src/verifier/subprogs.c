/* subprogs.c - what the verifier does with subprograms besides walking
 * their calls (calls.c): each called global subprogram verified on its own
 * after main (Linux's do_check_subprogs: frame 0, parameters unknown
 * scalars, incoming stack arguments unknown scalars in the default mode),
 * and the static walk of the call graph after the walk (Linux's
 * check_max_stack_depth: frames, combined stack, private stacks, tail-call
 * reachability for R12). */
#include "verifier/helpers.h"

#include <errno.h>
#include <string.h>

int start_global_subprog(struct sbpf_env *env)
{
	uint32_t k;
	/* the one whose walk just ended passed */
	for (k = 1; k < env->nsubprogs; k++) {
		struct sbpf_subprog *sp = &env->subprogs[k];
		if (sp->verified && !sp->safe) {
			sp->safe = true;
			if (log_on(env, 1))
				vlog(env, "Func#%u ('%s') is safe for any args that match its prototype\n", k,
				     sp->name ? sp->name : "");
		}
	}
	for (k = 1; k < env->nsubprogs; k++)
		if (env->subprogs[k].global && env->subprogs[k].called && !env->subprogs[k].verified)
			break;
	if (k >= env->nsubprogs)
		return 0;
	struct sbpf_subprog *sp = &env->subprogs[k];
	sp->verified = true;
	vstate_free(&env->cur);
	memset(&env->cur, 0, sizeof(env->cur));
	struct sbpf_func_state *f0 = func_new(0, -1, k);
	if (!f0)
		return -ENOMEM;
	for (int r = 1; r <= SBPF_MAX_REG_ARGS && r <= sp->nparams; r++)
		reg_mark_unknown(&f0->regs[r]);
	env->cur.frame[0] = f0;
	env->insn_idx = env->prev_insn_idx = sp->start;
	env->print_from = env->print_from_pop = false;
	if (log_on(env, 1))
		vlog(env, "Validating %s() func#%u...\n", sp->name ? sp->name : "", k);
	mark_all_scratched(env);
	return 1;
}

static uint32_t round16(uint32_t d)
{
	return (d + 15) & ~15u;
}

/* Linux's bpf_enable_priv_stack: tracing-like types get a private stack for
 * each subprogram of 64 bytes or more (x86-64), unless the program tail
 * calls; a subprogram with stack arguments never (R15) */
static bool priv_stack(const struct sbpf_env *env, const struct sbpf_subprog *sp)
{
	switch (env->prog_type) {
	case STACKBPF_PROG_KPROBE: case STACKBPF_PROG_TRACEPOINT: case STACKBPF_PROG_PERF_EVENT:
	case STACKBPF_PROG_RAW_TRACEPOINT:
		break;
	default:
		return false;
	}
	for (uint32_t i = 0; i < env->nsubprogs; i++)
		if (env->subprogs[i].has_tail_call)
			return false;
	return round16(sp->stack_depth) >= 64 && !(sp->in_args + sp->out_need);
}

static bool is_static_call(const struct sbpf_env *env, uint32_t i)
{
	int16_t f = env->forms[i];
	return f >= 0 && (sbpf_opinfo[f].shape == S_CALL_LOCAL ||
			  (sbpf_opinfo[f].shape == S_LD_IMM64 && env->insns[i].src == SBPF_PSEUDO_FUNC));
}

/* Linux's check_max_stack_depth(_subprog) from main: the static call graph
 * (calls and callbacks) at most 8 frames deep, at most 512 bytes of
 * combined stack (private stacks aside), at most 256 bytes below a
 * subprogram that tail calls; marks the subprograms on a chain to a tail
 * call. Linux thereby refuses every recursion; the default mode skips
 * recursive edges (docs/extensions.md), --strict follows them. */
int check_max_stack_depth(struct sbpf_env *env)
{
	uint32_t ret_insn[SBPF_MAX_CALL_FRAMES], ret_prog[SBPF_MAX_CALL_FRAMES];
	uint32_t idx = 0, i = 0, frame = 0, depth = 0;
	bool tail_call_reachable = false;
	struct sbpf_subprog *sp = env->subprogs;
process_func:
	if (idx && sp[idx].has_tail_call && depth >= 256)
		return verr(env, -EACCES,
			    "tail_calls are not allowed when call stack of previous frames is %u bytes. Too large", depth);
	if (!priv_stack(env, &sp[idx])) {
		depth += round16(sp[idx].stack_depth);
		if (depth > SBPF_STACK_SIZE)
			return verr(env, -EACCES, "combined stack size of %u calls is %u. Too large", frame + 1, depth);
	}
continue_func:
	for (; i < sp[idx].end; i++) {
		if (!is_static_call(env, i))
			continue;
		/* the default mode allows recursion (the walk bounds it at 8
		 * frames); Linux's static walk follows it until 8 frames */
		uint32_t callee = env->insn_subprog[i + 1 + (uint32_t)env->insns[i].imm];
		bool recursive = callee == idx;
		for (uint32_t j = 0; j < frame && !recursive; j++)
			recursive = ret_prog[j] == callee;
		if (recursive && !env->strict)
			continue;
		ret_insn[frame] = i + 1;
		ret_prog[frame] = idx;
		i = i + 1 + (uint32_t)env->insns[i].imm;
		idx = env->insn_subprog[i];
		if (sp[idx].has_tail_call)
			tail_call_reachable = true;
		if (++frame >= SBPF_MAX_CALL_FRAMES)
			return verr(env, -E2BIG, "the call stack of %u frames is too deep !", frame);
		goto process_func;
	}
	if (tail_call_reachable)
		for (uint32_t j = 0; j < frame; j++)
			sp[ret_prog[j]].tail_call_reachable = true;
	if (frame == 0)
		return 0;
	if (!priv_stack(env, &sp[idx]))
		depth -= round16(sp[idx].stack_depth);
	frame--;
	i = ret_insn[frame];
	idx = ret_prog[frame];
	goto continue_func;
}
