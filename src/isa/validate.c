/* validate.c - structural validation of bytecode (see validate.h).
 *
 * Two passes. The first walks the instructions in order and checks each one
 * on its own: decoding, registers, reserved fields, ld_imm64 pairs, cpu
 * version, call resolution; it also marks subprogram entries (local call
 * targets). The second checks control flow against those subprograms as
 * Linux's check_subprogs() does: every jump stays inside its subprogram and
 * does not land on the second slot of an ld_imm64, and the last instruction of
 * each subprogram is an exit or an unconditional jump.
 *
 * Design decision, ld_imm64 pseudo sources: src 0 is a plain 64-bit constant;
 * src 1/2/5/6 name a map of the prog's map table by index (Linux's messages
 * when the index has no map); BTF ids and function references (3, 4) need an
 * ELF object loader that rewrites them, so they are rejected with
 * "ld_imm64 pseudo src N needs an ELF object". */
#include "isa/validate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "isa/opcodes.h"

/* Linux's message for a non-zero reserved field, by shape */
static const char *const reserved_msg[SBPF_NSHAPES] = {
	[S_ALU_K] = "BPF_ALU uses reserved fields",
	[S_ALU_X] = "BPF_ALU uses reserved fields",
	[S_NEG] = "BPF_NEG uses reserved fields",
	[S_END] = "BPF_END uses reserved fields",
	[S_MOVSX] = "BPF_MOV uses reserved fields",
	[S_LD_IMM64] = "BPF_LD_IMM64 uses reserved fields",
	[S_LD_ABS] = "BPF_LD_[ABS|IND] uses reserved fields",
	[S_LD_IND] = "BPF_LD_[ABS|IND] uses reserved fields",
	[S_LDX] = "BPF_LDX uses reserved fields",
	[S_ST] = "BPF_ST uses reserved fields",
	[S_STX] = "BPF_STX uses reserved fields",
	[S_ATOMIC] = "BPF_STX uses reserved fields",
	[S_ATOMIC_FETCH] = "BPF_STX uses reserved fields",
	[S_XCHG] = "BPF_STX uses reserved fields",
	[S_CMPXCHG] = "BPF_STX uses reserved fields",
	[S_LOAD_ACQ] = "BPF_STX uses reserved fields",
	[S_STORE_REL] = "BPF_STX uses reserved fields",
	[S_JA] = "BPF_JA uses reserved fields",
	[S_JA32] = "BPF_JA uses reserved fields",
	[S_JCC_K] = "BPF_JMP/JMP32 uses reserved fields",
	[S_JCC_X] = "BPF_JMP/JMP32 uses reserved fields",
	[S_CALL] = "BPF_CALL uses reserved fields",
	[S_CALL_LOCAL] = "BPF_CALL uses reserved fields",
	[S_CALL_KFUNC] = "BPF_CALL uses reserved fields",
	[S_CALLX] = "BPF_CALL uses reserved fields",
	[S_EXIT] = "BPF_EXIT uses reserved fields",
	[S_MAY_GOTO] = "BPF_JMP/JMP32 uses reserved fields",
	[S_ARG_LDX] = "BPF_LDX uses reserved fields",
	[S_ARG_STX] = "BPF_STX uses reserved fields",
	[S_ARG_ST] = "BPF_ST uses reserved fields",
};

/* which register a shape writes (besides memory): r10 may not be written */
enum { W_DST = 1, W_SRC = 2 };
static const uint8_t shape_writes[SBPF_NSHAPES] = {
	[S_ALU_K] = W_DST, [S_ALU_X] = W_DST, [S_NEG] = W_DST, [S_END] = W_DST,
	[S_MOVSX] = W_DST, [S_LD_IMM64] = W_DST, [S_LDX] = W_DST, [S_ARG_LDX] = W_DST,
	[S_LOAD_ACQ] = W_DST, [S_ATOMIC_FETCH] = W_SRC, [S_XCHG] = W_SRC,
};

static const char *reserved_text(enum sbpf_form f)
{
	const struct sbpf_opinfo *o = &sbpf_opinfo[f];
	if ((o->shape == S_ALU_K || o->shape == S_ALU_X) && SBPF_OP(o->code) == 0xb0)
		return "BPF_MOV uses reserved fields";
	return reserved_msg[o->shape];
}

struct vstate {
	const struct stackbpf_insn *insns;
	size_t cnt;
	const struct stackbpf_host *host;
	unsigned cpu;
	size_t map_cnt;
	char *err;
	size_t errsz;
};

static int fail(struct vstate *v, size_t idx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct vstate *v, size_t idx, const char *fmt, ...)
{
	int n = snprintf(v->err, v->errsz, "insn %zu: ", idx);
	if (n >= 0 && (size_t)n < v->errsz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(v->err + n, v->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The instruction names no form. If its opcode byte belongs to some form, the
 * field that tells forms apart holds a value none of them uses: report it the
 * way Linux does for that instruction class. */
static int explain_undecodable(struct vstate *v, size_t i)
{
	const struct stackbpf_insn *in = &v->insns[i];
	int first = -1, imm_is_rmw = 0;
	for (int f = 0; f < SBPF_NFORMS; f++) {
		const struct sbpf_opinfo *o = &sbpf_opinfo[f];
		if (o->code == in->code && first < 0)
			first = f;
		if ((o->shape == S_ATOMIC || o->shape == S_ATOMIC_FETCH || o->shape == S_XCHG ||
		     o->shape == S_CMPXCHG) && o->mval == in->imm)
			imm_is_rmw = 1;
	}
	if (first < 0)
		return fail(v, i, "unknown opcode %02x", in->code);
	switch (sbpf_opinfo[first].shape) {
	case S_LD_IMM64:
		return fail(v, i, "unrecognized bpf_ld_imm64 insn");
	case S_ATOMIC: case S_ATOMIC_FETCH: case S_XCHG: case S_CMPXCHG:
	case S_LOAD_ACQ: case S_STORE_REL:
		if (imm_is_rmw)
			return fail(v, i, "invalid atomic operand size");
		return fail(v, i, "BPF_ATOMIC uses invalid atomic opcode %02x", (unsigned)in->imm);
	default:
		return fail(v, i, "%s", reserved_text((enum sbpf_form)first));
	}
}

/* Registers: r0..r10, and r11 only in the three stack-argument forms with an
 * offset of the right sign that is a multiple of 8 (stack-args.md §2). */
static int check_regs(struct vstate *v, size_t i, enum sbpf_form f)
{
	const struct stackbpf_insn *in = &v->insns[i];
	uint8_t shape = sbpf_opinfo[f].shape;
	int dst11 = shape == S_ARG_STX || shape == S_ARG_ST;
	int src11 = shape == S_ARG_LDX;

	if (in->dst > SBPF_REG_FP && !dst11)
		return fail(v, i, "R%d is invalid", in->dst);
	/* (forms whose src is a selector, like ld_imm64 and call, only decode
	 * for their few values, all below 11) */
	if (in->src > SBPF_REG_FP && !src11)
		return fail(v, i, "R%d is invalid", in->src);
	if (dst11 && (in->off >= 0 || in->off % 8))
		return fail(v, i, "R11 is invalid");
	if (src11 && (in->off <= 0 || in->off % 8))
		return fail(v, i, "R11 is invalid");
	if (((shape_writes[shape] & W_DST) && in->dst == SBPF_REG_FP) ||
	    ((shape_writes[shape] & W_SRC) && in->src == SBPF_REG_FP))
		return fail(v, i, "frame pointer is read only");
	return 0;
}

/* Fields the shape does not use must be zero; the MATCH field holds MVAL
 * already (that is how the form was decoded). */
static int check_reserved(struct vstate *v, size_t i, enum sbpf_form f)
{
	const struct stackbpf_insn *in = &v->insns[i];
	const struct sbpf_opinfo *o = &sbpf_opinfo[f];
	uint8_t uses = sbpf_shape_uses[o->shape];
	int bad = (!(uses & F_DST) && o->match != M_DST11 && in->dst != 0) ||
		  (!(uses & F_SRC) && o->match != M_SRC && o->match != M_SRC11 && in->src != 0) ||
		  (!(uses & F_OFF) && o->match != M_OFF && in->off != 0) ||
		  (!(uses & F_IMM) && o->match != M_IMM && in->imm != 0);
	return bad ? fail(v, i, "%s", reserved_text(f)) : 0;
}

static int check_call(struct vstate *v, size_t i, enum sbpf_form f, uint8_t *is_start)
{
	const struct stackbpf_insn *in = &v->insns[i];
	switch (sbpf_opinfo[f].shape) {
	case S_CALL:
		if (v->host && !stackbpf_host__helper(v->host, in->imm))
			return fail(v, i, "invalid func unknown#%d", in->imm);
		return 0;
	case S_CALL_KFUNC:
		if (v->host && !stackbpf_host__fn(v->host, in->imm))
			return fail(v, i, "unknown host function #%d", in->imm);
		return 0;
	case S_CALL_LOCAL: {
		int64_t t = (int64_t)i + 1 + in->imm;
		if (t < 0 || t >= (int64_t)v->cnt)
			return fail(v, i, "call to invalid destination");
		is_start[t] = 1;
		return 0;
	}
	default:
		return 0;
	}
}

static int check_insn(struct vstate *v, size_t i, enum sbpf_form f, uint8_t *is_start, uint8_t *is_slot2)
{
	const struct stackbpf_insn *in = &v->insns[i];
	if (f == SBPF_OP_INVALID)
		return explain_undecodable(v, i);
	const struct sbpf_opinfo *o = &sbpf_opinfo[f];
	int err = check_regs(v, i, f);
	if (!err)
		err = check_reserved(v, i, f);
	if (err)
		return err;
	if (v->cpu && v->cpu < 4 && o->cpu > v->cpu)
		return fail(v, i, "%s is a cpu v%d instruction (limit v%u)", o->conf, o->cpu, v->cpu);
	if (o->shape == S_LD_IMM64) {
		const struct stackbpf_insn *hi = in + 1;
		if (i + 1 >= v->cnt || hi->code || hi->dst || hi->src || hi->off)
			return fail(v, i, "invalid bpf_ld_imm64 insn");
		if (in->src == SBPF_PSEUDO_MAP_FD || in->src == SBPF_PSEUDO_MAP_VALUE)
			if ((uint32_t)in->imm >= v->map_cnt)
				return fail(v, i, "fd %d is not pointing to valid bpf_map", in->imm);
		if (in->src == SBPF_PSEUDO_MAP_IDX || in->src == SBPF_PSEUDO_MAP_IDX_VALUE)
			if ((uint32_t)in->imm >= v->map_cnt)
				return fail(v, i, "fd_idx %d is not pointing to valid bpf_map", in->imm);
		if (in->src == SBPF_PSEUDO_BTF_ID || in->src > SBPF_PSEUDO_MAP_IDX_VALUE)
			return fail(v, i, "ld_imm64 pseudo src %d needs an ELF object", in->src);
		if (in->src == SBPF_PSEUDO_FUNC) {
			/* a callback: imm is the subprogram's offset from the next insn, as a call's */
			int64_t t = (int64_t)i + 1 + in->imm;
			if (t < 0 || t >= (int64_t)v->cnt || hi->imm)
				return fail(v, i, "call to invalid destination");
			is_start[t] = 1;
		}
		is_slot2[i + 1] = 1;
	}
	return check_call(v, i, f, is_start);
}

/* jump target of a jump form, or 0 with *is_jump = 0 */
static int64_t jump_target(const struct stackbpf_insn *in, enum sbpf_form f, size_t i, int *is_jump)
{
	*is_jump = 1;
	switch (sbpf_opinfo[f].shape) {
	case S_JA: case S_JCC_K: case S_JCC_X: case S_MAY_GOTO:
		return (int64_t)i + 1 + in->off;
	case S_JA32:
		return (int64_t)i + 1 + in->imm;
	case S_CALL_LOCAL:
		return (int64_t)i + 1 + in->imm;
	default:
		*is_jump = 0;
		return 0;
	}
}

static int check_flow(struct vstate *v, const int16_t *forms, const uint8_t *is_start, const uint8_t *is_slot2)
{
	for (size_t start = 0, end; start < v->cnt; start = end) {
		end = start + 1;     /* end of the subprogram beginning at start */
		while (end < v->cnt && !is_start[end])
			end++;
		for (size_t i = start; i < end; i++) {
			if (is_slot2[i])
				continue;
			int is_jump;
			int64_t t = jump_target(&v->insns[i], forms[i], i, &is_jump);
			if (!is_jump)
				continue;
			int is_call = sbpf_opinfo[forms[i]].shape == S_CALL_LOCAL;
			if (!is_call && (t < (int64_t)start || t >= (int64_t)end))
				return fail(v, i, "jump out of range from insn %zu to %lld", i, (long long)t);
			if (is_slot2[t])
				return fail(v, i, "jump into the middle of ldimm64 insn %lld", (long long)t - 1);
		}
		size_t last = end - 1;
		uint8_t shape = is_slot2[last] ? SBPF_NSHAPES : sbpf_opinfo[forms[last]].shape;
		if (shape != S_EXIT && shape != S_JA && shape != S_JA32)
			return fail(v, last, "last insn is not an exit or jmp");
	}
	return 0;
}

int sbpf_validate(const struct stackbpf_insn *insns, size_t cnt, const struct stackbpf_validate_opts *opts,
		  char *err, size_t errsz)
{
	struct vstate v = { insns, cnt, NULL, 0, 0, err, errsz };
	if (opts && opts->sz >= offsetof(struct stackbpf_validate_opts, host) + sizeof(opts->host))
		v.host = opts->host;
	if (opts && opts->sz >= offsetof(struct stackbpf_validate_opts, cpu) + sizeof(opts->cpu))
		v.cpu = opts->cpu;
	if (opts && opts->sz >= offsetof(struct stackbpf_validate_opts, map_cnt) + sizeof(opts->map_cnt))
		v.map_cnt = opts->map_cnt;
	if (errsz)
		err[0] = '\0';
	if (cnt == 0) {
		snprintf(err, errsz, "empty program");
		return -EINVAL;
	}
	if (cnt > SBPF_MAX_INSNS) {
		snprintf(err, errsz, "program too large: %zu insns (max %d)", cnt, SBPF_MAX_INSNS);
		return -EINVAL;
	}
	/* per slot: decoded form, subprogram entry?, second half of ld_imm64? */
	int16_t *forms = malloc(cnt * sizeof(*forms));
	uint8_t *marks = calloc(2, cnt);
	if (!forms || !marks) {
		free(forms);
		free(marks);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	uint8_t *is_start = marks, *is_slot2 = marks + cnt;
	int ret = 0;
	for (size_t i = 0; i < cnt && !ret; i++) {
		forms[i] = SBPF_OP_INVALID;
		if (is_slot2[i])
			continue;
		forms[i] = (int16_t)sbpf_decode(&insns[i]);
		ret = check_insn(&v, i, (enum sbpf_form)forms[i], is_start, is_slot2);
	}
	if (!ret)
		ret = check_flow(&v, forms, is_start, is_slot2);
	free(forms);
	free(marks);
	return ret;
}
