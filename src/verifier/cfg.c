/* cfg.c - the program's shape before the walk (Linux's check_subprogs and
 * check_cfg): subprograms (insn 0 and every local call target), the subprog
 * of each instruction, reachability ("unreachable insn %d"), prune points,
 * each subprogram's incoming stack-argument count, and the registers live
 * before each instruction.
 *
 * Jump ranges, ld_imm64 pairs and the last instruction of each subprogram are
 * already checked by the structural validator (src/isa/validate.c), which runs
 * first. Back-edges are allowed, as for a privileged (CAP_BPF) loader: loops
 * terminate through state pruning or hit the complexity limit.
 *
 * Incoming count (stack-args.md §3.6, §6, §10): --strict takes it, as Linux,
 * only from the subprogram's BTF FUNC_PROTO (the prog's function whose
 * insn_off is the subprogram's start: nparams - 5; no BTF: 0). The default
 * mode (our extension) derives it from the code, the highest r11 slot the
 * subprogram loads, even when BTF says otherwise: LLVM's dead-argument
 * elimination leaves prototypes with more parameters than the code passes.
 * Main has none. Subprograms also start at ld_imm64 src 4 targets
 * (callbacks); a bpf_loop call is a forced checkpoint that calls a callback
 * (prune mark 4). */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int64_t jump_target(const struct stackbpf_insn *in, enum sbpf_form f, uint32_t i)
{
	switch (sbpf_opinfo[f].shape) {
	case S_JA: case S_JCC_K: case S_JCC_X: case S_MAY_GOTO:
		return (int64_t)i + 1 + in->off;
	case S_JA32: case S_CALL_LOCAL:
		return (int64_t)i + 1 + in->imm;
	default:
		return -1;
	}
}

/* ld_imm64 src 4: a callback's address (Linux's bpf_pseudo_func) */
static bool is_ld_func(const struct sbpf_env *env, uint32_t i)
{
	int16_t f = env->forms[i];
	return f >= 0 && sbpf_opinfo[f].shape == S_LD_IMM64 && env->insns[i].src == SBPF_PSEUDO_FUNC;
}

static int find_subprogs(struct sbpf_env *env)
{
	uint8_t *is_start = calloc(env->cnt, 1);
	if (!is_start)
		return -ENOMEM;
	is_start[0] = 1;
	uint32_t n = 1;
	for (uint32_t i = 0; i < env->cnt; i++) {
		int16_t f = env->forms[i];
		if (f < 0 || (sbpf_opinfo[f].shape != S_CALL_LOCAL && !is_ld_func(env, i)))
			continue;
		int64_t t = is_ld_func(env, i) ? (int64_t)i + 1 + env->insns[i].imm
					       : jump_target(&env->insns[i], (enum sbpf_form)f, i);
		if (t >= 0 && (size_t)t < env->cnt && !is_start[t]) {
			is_start[t] = 1;
			n++;
		}
	}
	env->subprogs = calloc(n, sizeof(*env->subprogs));
	env->insn_subprog = calloc(env->cnt, sizeof(*env->insn_subprog));
	if (!env->subprogs || !env->insn_subprog) {
		free(is_start);
		return -ENOMEM;
	}
	uint32_t k = 0;
	for (uint32_t i = 0; i < env->cnt; i++) {
		if (is_start[i]) {
			if (k)
				env->subprogs[k - 1].end = i;
			env->subprogs[k++].start = i;
		}
		env->insn_subprog[i] = k - 1;
	}
	env->subprogs[k - 1].end = (uint32_t)env->cnt;
	env->nsubprogs = n;
	free(is_start);
	return 0;
}

/* Linux's check_abnormal_return, for a program without BTF func_info: no
 * subprogram may tail call or use LD_ABS/LD_IND. Only --strict: the default
 * mode runs them (docs/extensions.md). */
static int check_abnormal_return(struct sbpf_env *env)
{
	if (!env->strict || (env->prog && stackbpf_prog__func_cnt(env->prog)))
		return 0;
	for (uint32_t i = 0; i < env->cnt; i++) {
		int16_t f = env->forms[i];
		if (f < 0 || env->insn_subprog[i] == 0)
			continue;
		uint8_t shape = sbpf_opinfo[f].shape;
		if (shape == S_LD_ABS || shape == S_LD_IND)
			return verr(env, -EINVAL, "LD_ABS is not allowed in subprogs without BTF");
		if (shape == S_CALL && env->insns[i].imm == 12)
			return verr(env, -EINVAL, "tail_call is not allowed in subprogs without BTF");
	}
	return 0;
}

/* depth-first walk from insn 0 over jumps, fall-throughs and calls */
static int check_reachable(struct sbpf_env *env)
{
	uint8_t *seen = calloc(env->cnt, 1);
	uint32_t *todo = malloc(env->cnt * sizeof(*todo));
	if (!seen || !todo) {
		free(seen);
		free(todo);
		return -ENOMEM;
	}
	size_t n = 0;
	todo[n++] = 0;
	seen[0] = 1;
#define VISIT(t) do { if ((t) >= 0 && (size_t)(t) < env->cnt && !seen[t]) { seen[t] = 1; todo[n++] = (uint32_t)(t); } } while (0)
	while (n) {
		uint32_t i = todo[--n];
		int16_t f = env->forms[i];
		if (f < 0)
			continue;
		uint8_t shape = sbpf_opinfo[f].shape;
		int64_t t = jump_target(&env->insns[i], (enum sbpf_form)f, i);
		if (t >= 0)
			VISIT(t);
		if (is_ld_func(env, i))
			VISIT((int64_t)i + 1 + env->insns[i].imm);
		if (shape == S_JA || shape == S_JA32 || shape == S_EXIT)
			continue;
		int64_t next = (int64_t)i + (sbpf_form_is_wide((enum sbpf_form)f) ? 2 : 1);
		VISIT(next);
	}
#undef VISIT
	int err = 0;
	for (uint32_t i = 0; i < env->cnt && !err; i++)
		if (env->forms[i] >= 0 && !seen[i])
			err = verr(env, -EINVAL, "unreachable insn %u", i);
	free(seen);
	free(todo);
	return err;
}

static void mark_prune_points(struct sbpf_env *env)
{
	for (uint32_t i = 0; i < env->cnt; i++) {
		int16_t f = env->forms[i];
		if (f < 0)
			continue;
		int64_t t = jump_target(&env->insns[i], (enum sbpf_form)f, i);
		switch (sbpf_opinfo[f].shape) {
		case S_JCC_K: case S_JCC_X:
			env->prune[i] |= 1;
			break;
		case S_MAY_GOTO:
			env->prune[i] |= 3;
			break;
		case S_JA: case S_JA32:
			if (t >= 0 && (size_t)t < env->cnt)
				env->prune[t] |= 1;
			break;
		case S_CALL_LOCAL:
			env->prune[i] |= 1;
			/* fall through */
		case S_CALL: case S_CALL_KFUNC: case S_CALLX:
			if (sbpf_opinfo[f].shape == S_CALL && env->insns[i].imm == 181)
				env->prune[i] |= 1 | 2 | 4;   /* bpf_loop */
			if (i + 1 < env->cnt)
				env->prune[i + 1] |= 1;
			break;
		default:
			break;
		}
	}
}

/* each subprogram's BTF prototype: name, parameter count, linkage */
static void attach_btf(struct sbpf_env *env)
{
	for (uint32_t k = 0; k < env->nsubprogs; k++)
		env->subprogs[k].nparams = -1;
	size_t n = env->prog ? stackbpf_prog__func_cnt(env->prog) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct stackbpf_func *fn = stackbpf_prog__func(env->prog, i);
		if (!fn || fn->insn_off >= env->cnt || fn->nparams < 0)
			continue;
		struct sbpf_subprog *sp = &env->subprogs[env->insn_subprog[fn->insn_off]];
		if (sp->start != fn->insn_off)
			continue;
		sp->nparams = fn->nparams;
		sp->name = fn->name;
		sp->global = fn->global;
	}
}

static void count_incoming(struct sbpf_env *env)
{
	attach_btf(env);
	if (env->strict)
		for (uint32_t k = 1; k < env->nsubprogs; k++) {
			int n = env->subprogs[k].nparams - SBPF_MAX_REG_ARGS;
			env->subprogs[k].in_args = n <= 0 ? 0 : n > SBPF_MAX_STACK_ARGS ? SBPF_MAX_STACK_ARGS : (uint32_t)n;
		}
	for (uint32_t i = 0; i < env->cnt; i++) {
		int16_t f = env->forms[i];
		if (f < 0)
			continue;
		uint8_t shape = sbpf_opinfo[f].shape;
		if (shape == S_ARG_LDX || shape == S_ARG_STX || shape == S_ARG_ST)
			env->uses_stack_args = true;
		if (shape == S_CALL && env->insns[i].imm == 12)
			env->subprogs[env->insn_subprog[i]].has_tail_call = true;   /* Linux's check_subprogs */
		if (shape != S_ARG_LDX || env->strict)
			continue;
		struct sbpf_subprog *sp = &env->subprogs[env->insn_subprog[i]];
		uint32_t slot = (uint32_t)env->insns[i].off / 8;
		if (env->insn_subprog[i] != 0 && slot <= SBPF_MAX_STACK_ARGS && slot > sp->in_args)
			sp->in_args = slot;
	}
}

/* registers an instruction reads and writes (Linux's compute_insn_live_regs);
 * calls read r1..r5 (all of them: host prototypes are not consulted) and
 * clobber r0..r5 */
static void insn_use_def(const struct stackbpf_insn *in, enum sbpf_form f, uint16_t *use, uint16_t *def)
{
	const uint16_t D = (uint16_t)(1u << in->dst), S = (uint16_t)(1u << in->src), ARGS = 0x3e, R0_5 = 0x3f;
	uint8_t op = SBPF_OP(in->code);
	*use = *def = 0;
	switch (sbpf_opinfo[f].shape) {
	case S_ALU_K: *use = op == 0xb0 ? 0 : D; *def = D; break;
	case S_ALU_X: *use = (uint16_t)((op == 0xb0 ? 0 : D) | S); *def = D; break;
	case S_NEG: case S_END: *use = D; *def = D; break;
	case S_MOVSX: *use = S; *def = D; break;
	case S_LD_IMM64: *def = D; break;
	case S_LD_ABS: *use = 1u << 6; *def = R0_5; break;
	case S_LD_IND: *use = (uint16_t)((1u << 6) | S); *def = R0_5; break;
	case S_LDX: case S_LOAD_ACQ: *use = S; *def = D; break;
	case S_ST: *use = D; break;
	case S_STX: case S_STORE_REL: case S_ATOMIC: *use = D | S; break;
	case S_ATOMIC_FETCH: case S_XCHG: *use = D | S; *def = S; break;
	case S_CMPXCHG: *use = D | S | 1; *def = 1; break;
	case S_JCC_K: *use = D; break;
	case S_JCC_X: *use = D | S; break;
	case S_CALL: case S_CALL_LOCAL: case S_CALL_KFUNC: *use = ARGS; *def = R0_5; break;
	case S_CALLX: *use = (uint16_t)(ARGS | D); *def = R0_5; break;
	case S_EXIT: *use = 1; break;
	case S_ARG_LDX: *def = D; break;
	case S_ARG_STX: *use = S; break;
	default: break;
	}
}

/* Linux 6.18's compute_live_registers: the registers live before each
 * instruction (a backward fixpoint over the instruction graph; a local call
 * falls through, an exit has no successor). The walk uses it where the
 * kernel does: a branch does not refine linked copies that are dead. */
static int compute_live_regs(struct sbpf_env *env)
{
	env->live_in = calloc(env->cnt, sizeof(*env->live_in));
	if (!env->live_in)
		return -ENOMEM;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t k = env->cnt; k-- > 0;) {
			if (env->forms[k] < 0)
				continue;
			enum sbpf_form f = (enum sbpf_form)env->forms[k];
			const struct stackbpf_insn *in = &env->insns[k];
			uint8_t shape = sbpf_opinfo[f].shape;
			uint16_t use, def, out = 0;
			insn_use_def(in, f, &use, &def);
			size_t next = k + (sbpf_form_is_wide(f) ? 2 : 1);
			bool falls = shape != S_EXIT && shape != S_JA && shape != S_JA32;
			if (falls && next < env->cnt)
				out |= env->live_in[next];
			int64_t t = shape == S_CALL_LOCAL ? -1 : jump_target(in, f, (uint32_t)k);
			if (t >= 0 && (size_t)t < env->cnt)
				out |= env->live_in[t];
			uint16_t live = (uint16_t)((out & ~def) | use);
			if (live != env->live_in[k]) {
				env->live_in[k] = live;
				changed = true;
			}
		}
	}
	return 0;
}

int check_cfg(struct sbpf_env *env)
{
	int err = find_subprogs(env);
	if (err)
		return err;
	if (log_on(env, 2))
		for (uint32_t i = 0; i < env->nsubprogs; i++)
			vlog(env, "func#%u @%u\n", i, env->subprogs[i].start);
	if ((err = check_abnormal_return(env)) || (err = check_reachable(env)))
		return err;
	mark_prune_points(env);
	count_incoming(env);
	return compute_live_regs(env);
}
