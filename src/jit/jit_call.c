/* jit_call.c - the JIT's calls: host functions (SysV, arguments 6..12 from
 * r9 and the outgoing area), callx through the registry, BPF-to-BPF calls
 * with the frame count, the stack-argument forms (r11), LD_ABS / LD_IND
 * through a C helper, and the two Linux helpers that call back into BPF code:
 * bpf_tail_call and bpf_loop (inline). Layout in jit.h. */
#include <errno.h>

#include "jit/jit_int.h"
#include "vm/host.h"
#include "vm/vm_int.h"

static const uint8_t scratch_args[] = { RDI, RSI, RDX, RCX, R8, R9 };

static void save_args(struct jc *c)
{
	for (size_t k = 0; k < sizeof(scratch_args); k++)
		x86_push(&c->b, scratch_args[k]);
}

static void restore_args(struct jc *c)
{
	for (size_t k = sizeof(scratch_args); k-- > 0;)
		x86_pop(&c->b, scratch_args[k]);
}

/* LD_ABS / LD_IND: r0 = big-endian packet bytes, or end the run with r0 = 0 */
void sbpf_jc_emit_ld_packet(struct jc *c, const struct stackbpf_insn *in, bool ind)
{
	struct x86_buf *b = &c->b;
	save_args(c);   /* r1-r5 and r9 survive, as in the interpreter */
	size_t i = (size_t)(in - c->insns);
	if (ind) {
		x86_mov_rr(b, false, TMP, reg_map[in->src]);
		if (c->harden && in->imm) {
			sbpf_jc_blind_imm(c, RSI, in->imm, false, i);
			x86_alu_rr(b, false, A_ADD, TMP, RSI);
		} else {
			x86_alu_ri(b, false, A_ADD, TMP, in->imm);
		}
		x86_op_rr(b, X_W, 0x63, RSI, TMP);   /* movsxd */
	} else if (c->harden && in->imm) {
		sbpf_jc_blind_imm(c, RSI, in->imm, true, i);
	} else {
		x86_mov_ri(b, RSI, (uint64_t)(int64_t)in->imm);
	}
	x86_mov_ri(b, RDI, ST(saved_rsp));
	x86_mov_ri(b, RDX, (uint64_t)sbpf_size_bytes(in->code));
	sbpf_jc_call_abs(c, (uintptr_t)&sbpf_jit_ld_packet);
	restore_args(c);
	x86_alu_ri(b, true, A_CMP, RAX, -1);
	sbpf_jc_jump(c, CC_E, L_UNWIND0(c));
}

/* ---------------------------------------------------------------- calls */

/* Call fn(a1, a2, args) where args points to the twelve argument values
 * r1..r5, arg 6 (r9), args 7..12 (this frame's outgoing area), copied below
 * rsp; a1/a2 are loaded by the caller into rdi/rsi after this returns the
 * point where they may be set (registers r1-r5 are saved first). */
static void array_call_begin(struct jc *c)
{
	struct x86_buf *b = &c->b;
	x86_alu_ri(b, true, A_SUB, RSP, 96);
	for (size_t k = 0; k < sizeof(scratch_args); k++)
		x86_store_r(b, 8, RSP, 8 * (int32_t)k, scratch_args[k]);
	for (int k = 0; k < 6; k++) {
		x86_load(b, 8, false, TMP, RSP, 96 + 8 * k);
		x86_store_r(b, 8, RSP, 48 + 8 * k, TMP);
	}
}

static void array_call_end(struct jc *c, uintptr_t fn)
{
	sbpf_jc_call_abs(c, fn);
	x86_alu_ri(&c->b, true, A_ADD, RSP, 96);
}

/* around a call of a BPF subprogram, when frames are counted: stop the 9th */
static void depth_enter(struct jc *c, size_t i)
{
	struct x86_buf *b = &c->b;
	if (!c->need_depth)
		return;
	x86_mov_ri(b, TMP, ST(depth));
	x86_op_rm(b, 0, 0x83, A_CMP, TMP, 0);
	x86_byte(b, SBPF_MAX_CALL_FRAMES);
	sbpf_jc_jump(c, CC_AE, sbpf_jc_stub(c, JF_DEPTH, i));
	x86_op_rm(b, 0, 0xff, 0, TMP, 0);   /* inc dword [r11] */
}

static void depth_leave(struct jc *c)
{
	if (!c->need_depth)
		return;
	x86_mov_ri(&c->b, TMP, ST(depth));
	x86_op_rm(&c->b, 0, 0xff, 1, TMP, 0);   /* dec dword [r11] */
}

/* bpf_tail_call(ctx r1, map r2, index r3): sbpf_jit_tail finds the target;
 * it runs as a call of its main subprogram whose r0 this subprogram returns
 * (the same result as Linux's jump: the target replaces this frame). With no
 * target, fall through with r0 = 0. */
static void emit_tail_call(struct jc *c, size_t i)
{
	struct x86_buf *b = &c->b;
	uint32_t none = sbpf_jc_new_label(c);
	x86_push(b, RDI);
	x86_push(b, RDI);   /* two pushes keep rsp 16-byte aligned */
	x86_mov_ri(b, RCX, i);   /* map (r2) and index (r3) are in rsi, rdx already */
	x86_mov_ri(b, RDI, ST(saved_rsp));   /* the state itself */
	sbpf_jc_call_abs(c, (uintptr_t)&sbpf_jit_tail);
	x86_pop(b, RDI);
	x86_pop(b, RDI);
	x86_test_rr(b, true, RAX, RAX);
	sbpf_jc_jump(c, CC_E, none);
	x86_call_r(b, RAX);
	sbpf_jc_epilogue(c, &c->sub[c->cur]);
	sbpf_jc_bind(c, none);
}

/* bpf_loop(nr r1, callback r2, ctx r3, flags r4), inline: callback(i, ctx)
 * for i < nr until it returns non-zero; r0 = the calls made, -EINVAL for
 * flags, -E2BIG beyond SBPF_MAX_LOOPS. The loop keeps i, nr, callback, ctx
 * in 32 bytes below rsp (rsp stays 16-byte aligned). */
static void emit_loop(struct jc *c, size_t i)
{
	struct x86_buf *b = &c->b;
	uint32_t done = sbpf_jc_new_label(c), top = sbpf_jc_new_label(c), out = sbpf_jc_new_label(c);
	x86_mov_ri(b, RAX, (uint64_t)-EINVAL);
	x86_test_rr(b, true, RCX, RCX);
	sbpf_jc_jump(c, CC_NE, done);
	x86_mov_ri(b, RAX, (uint64_t)-E2BIG);
	x86_alu_ri(b, false, A_CMP, RDI, SBPF_MAX_LOOPS);   /* nr is a u32 */
	sbpf_jc_jump(c, CC_A, done);
	x86_mov_ri(b, RAX, 0);
	x86_test_rr(b, false, RDI, RDI);
	sbpf_jc_jump(c, CC_E, done);
	x86_alu_ri(b, true, A_SUB, RSP, 32);
	x86_store_r(b, 8, RSP, 0, RAX);        /* i = 0 */
	x86_mov_rr(b, false, RDI, RDI);
	x86_store_r(b, 8, RSP, 8, RDI);        /* nr */
	x86_store_r(b, 8, RSP, 16, RSI);       /* callback */
	x86_store_r(b, 8, RSP, 24, RDX);       /* ctx */
	sbpf_jc_bind(c, top);
	x86_load(b, 8, false, RDI, RSP, 0);
	x86_load(b, 8, false, RSI, RSP, 24);
	depth_enter(c, i);
	x86_op_rm(b, 0, 0xff, 2, RSP, 16);     /* call [rsp+16] */
	depth_leave(c);
	x86_load(b, 8, false, TMP, RSP, 0);
	x86_alu_ri(b, true, A_ADD, TMP, 1);
	x86_store_r(b, 8, RSP, 0, TMP);
	x86_test_rr(b, true, RAX, RAX);
	sbpf_jc_jump(c, CC_NE, out);
	x86_op_rm(b, X_W, 0x3b, TMP, RSP, 8);  /* cmp r11, [rsp+8] */
	sbpf_jc_jump(c, CC_B, top);
	sbpf_jc_bind(c, out);
	x86_mov_rr(b, true, RAX, TMP);
	x86_alu_ri(b, true, A_ADD, RSP, 32);
	sbpf_jc_bind(c, done);
}

void sbpf_jc_emit_host_call(struct jc *c, const struct stackbpf_insn *in, size_t i, enum sbpf_form f)
{
	struct x86_buf *b = &c->b;
	const struct stackbpf_fn_desc *fd = f == SBPF_OP_CALL ? stackbpf_host__helper(c->host, in->imm)
							       : stackbpf_host__fn(c->host, in->imm);
	if (!fd) {
		sbpf_jc_jump(c, -1, sbpf_jc_stub(c, JF_CALL_BAD, i));
		return;
	}
	if (f == SBPF_OP_CALL && fd->fn == (void *)sbpf_helper_tail_call) {
		emit_tail_call(c, i);
		return;
	}
	if (f == SBPF_OP_CALL && fd->fn == (void *)sbpf_helper_loop) {
		emit_loop(c, i);
		return;
	}
	if (fd->flags & STACKBPF_FN_PASS_CTX) {
		/* ctx comes first and shifts every argument: let the C side do it */
		array_call_begin(c);
		x86_mov_ri(b, RDI, (uintptr_t)fd);
		x86_mov_rr(b, true, RSI, RSP);
		x86_op_rm(b, X_W, 0x8d, RDX, RSP, 40);   /* lea rdx, [rsp+40] */
		array_call_end(c, (uintptr_t)&sbpf_host_call);
	} else {
		sbpf_jc_call_abs(c, (uintptr_t)fd->fn);
	}
	if (fd->flags & STACKBPF_FN_UNWIND_ON_ZERO) {
		x86_test_rr(b, true, RAX, RAX);
		sbpf_jc_jump(c, CC_E, L_UNWIND0(c));
	}
}

/* callx: the helper id is only known at run time; sbpf_jit_callx looks it up
 * and calls it with the argument array, and reports unknown ids and unwinds */
void sbpf_jc_emit_callx(struct jc *c, const struct stackbpf_insn *in, size_t i)
{
	struct x86_buf *b = &c->b;
	x86_mov_rr(b, true, AX, reg_map[in->dst]);
	array_call_begin(c);
	x86_mov_ri(b, RDI, ST(saved_rsp));
	x86_mov_rr(b, true, RSI, AX);
	x86_mov_rr(b, true, RDX, RSP);
	array_call_end(c, (uintptr_t)&sbpf_jit_callx);
	uint32_t ok = sbpf_jc_new_label(c);
	x86_mov_ri(b, TMP, ST(callx_status));
	x86_op_rm(b, 0, 0x83, A_CMP, TMP, 0);
	x86_byte(b, 0);
	sbpf_jc_jump(c, CC_E, ok);
	x86_op_rm(b, 0, 0x83, A_CMP, TMP, 0);
	x86_byte(b, 1);
	sbpf_jc_jump(c, CC_E, L_UNWIND0(c));
	sbpf_jc_jump(c, -1, sbpf_jc_stub(c, JF_CALLX, i));
	sbpf_jc_bind(c, ok);
}

void sbpf_jc_emit_call_local(struct jc *c, const struct stackbpf_insn *in, size_t i)
{
	depth_enter(c, i);
	sbpf_jc_jump(c, -2, L_SUB(c, c->sub_of[i + 1 + (int64_t)in->imm]));
	depth_leave(c);
}


/* r11 forms: slot k = |off| / 8 (1..7); arg 6 lives in r9 */
void sbpf_jc_emit_stack_arg(struct jc *c, const struct stackbpf_insn *in, size_t i, int shape)
{
	struct x86_buf *b = &c->b;
	int k = (in->off < 0 ? -in->off : in->off) / 8;
	if (k < 1 || k > SBPF_MAX_STACK_ARGS) {
		sbpf_jc_jump(c, -1, sbpf_jc_stub(c, JF_ARG_BAD, i));
		return;
	}
	switch (shape) {
	case S_ARG_LDX:
		if (k == 1)
			x86_mov_rr(b, true, reg_map[in->dst], ARG6);
		else if (c->sub[c->cur].framed)
			x86_load(b, 8, false, reg_map[in->dst], RBP, in->off);   /* [rbp+16..56] */
		else   /* above the return address and the pushed registers */
			x86_load(b, 8, false, reg_map[in->dst], RSP, 8 * c->sub[c->cur].nsaved + in->off - 8);
		break;
	case S_ARG_STX:
		if (k == 1)
			x86_mov_rr(b, true, ARG6, reg_map[in->src]);
		else
			x86_store_r(b, 8, RSP, 8 * (k - 2), reg_map[in->src]);
		break;
	default:
		if (k == 1)
			x86_mov_ri(b, ARG6, (uint64_t)(int64_t)in->imm);
		else
			x86_store_i(b, 8, RSP, 8 * (k - 2), in->imm);
		break;
	}
}

