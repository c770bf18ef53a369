/* jit.c - BPF to x86-64 translation (layout in jit.h); calls are emitted by
 * jit_call.c.
 *
 * One switch over the forms of opcodes.def (grouped by shape) emits each
 * instruction. Frames follow Linux's x86-64 JIT: `push rbp; mov rbp, rsp;
 * sub rsp, depth; push <r6-r9 the subprogram mentions>; sub rsp, outgoing`,
 * plus padding so that rsp is 16-byte aligned at every native call. A
 * subprogram that makes no call and never mentions r10 gets no frame at all
 * (a leaf is its body and `ret`; it reads stack arguments 7..12 at rsp). The BPF stack of a
 * frame is only as deep as its r10-relative accesses reach, or 512 bytes when
 * r10 escapes into another register.
 *
 * Jumps are sized by iterating to a fixpoint, as Linux does: pass 0 makes every
 * jump long; each later pass makes a jump short when the previous pass's
 * distance fits in 8 bits. The bytes of a pass are final when its addresses
 * equal the previous pass's. Without padding sizes only shrink and the
 * passes converge; the NOPs that align loop heads can grow when the code
 * before them shrinks, so a short jump may stop fitting: it then stays long
 * for good, and as that happens at most once per jump the passes still
 * converge.
 * After pass 0 the executable mapping is allocated (pass 0 is the largest), so
 * later passes know the final address and call host functions with a rel32
 * `call` when they are in reach.
 *
 * Calls of BPF subprograms carry no depth check when the call graph is
 * acyclic and at most 8 frames deep; otherwise a counter in the jit state
 * stops the 9th frame as the interpreter does. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "isa/validate.h"
#include "jit/jit_int.h"
#include "vm/host.h"

static void fail(struct jc *c, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errsz, fmt, ap);
	va_end(ap);
}

/* array p with room for `need` elements of `elem` bytes: p itself, a larger
 * copy (*cap updated), or NULL when out of memory (p is left as it was) */
static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *q = realloc(p, n * elem);
	if (q)
		*cap = n;
	return q;
}

/* ------------------------------------------------------------ labels, jumps */

uint32_t sbpf_jc_new_label(struct jc *c)
{
	uint32_t *lab = grow(c->lab, &c->caplab, c->nlab + 1, sizeof(*c->lab));
	if (!lab) {
		fail(c, "out of memory");
		return 0;
	}
	c->lab = lab;
	c->lab[c->nlab] = 0;
	return (uint32_t)c->nlab++;
}

void sbpf_jc_bind(struct jc *c, uint32_t l)
{
	if (l < c->nlab)   /* else out of memory, already reported */
		c->lab[l] = (uint32_t)c->b.len;
}

/* previous pass's address of label l (0 in pass 0: unused there) */
static int64_t prev_label(const struct jc *c, uint32_t l)
{
	return c->pass > 0 && l < c->pnlab ? c->plab[l] : 0;
}

/* a jump site: `cc` < 0 is jmp, -2 is call (rel32 only) */
void sbpf_jc_jump(struct jc *c, int cc, uint32_t l)
{
	uint32_t *jend = grow(c->jend, &c->capjmp, c->njmp + 1, sizeof(*c->jend));
	if (!jend) {
		fail(c, "out of memory");
		return;
	}
	c->jend = jend;
	struct jsite *js = grow(c->js, &c->capjs, c->njmp + 1, sizeof(*c->js));
	if (!js) {
		fail(c, "out of memory");
		return;
	}
	c->js = js;
	size_t id = c->njmp++;
	bool sh = false;
	if (c->pass > 0 && cc != -2 && id < c->pnjmp && !(id < c->capstay && c->stay_long[id]))
		sh = x86_fits8(prev_label(c, l) - c->pjend[id]);
	js[id] = (struct jsite){ l, (uint8_t)(sh ? 1 : cc == -2 ? 2 : 0) };
	size_t len = sh ? 2 : cc < 0 ? 5 : 6;
	int64_t disp = prev_label(c, l) - (int64_t)(c->b.len + len);
	if (sh) {
		x86_byte(&c->b, (uint8_t)(cc == -1 ? 0xeb : 0x70 + cc));
		x86_byte(&c->b, (uint8_t)disp);
	} else {
		if (cc >= 0)
			x86_byte(&c->b, 0x0f);
		x86_byte(&c->b, (uint8_t)(cc == -1 ? 0xe9 : cc == -2 ? 0xe8 : 0x80 + cc));
		x86_imm(&c->b, (uint32_t)disp, 4);
	}
	c->jend[id] = (uint32_t)c->b.len;
}

/* call a C function: rel32 when the final address is known and in reach */
void sbpf_jc_call_abs(struct jc *c, uintptr_t fn)
{
	int64_t reach = (int64_t)INT32_MAX - 2 * (int64_t)c->jit->map_size;
	int64_t dist = (int64_t)(fn - c->base);
	if (c->base && dist > -reach && dist < reach) {
		x86_byte(&c->b, 0xe8);
		x86_imm(&c->b, (uint32_t)(fn - (c->base + c->b.len + 4)), 4);
		return;
	}
	x86_mov_ri(&c->b, TMP, fn);
	x86_call_r(&c->b, TMP);
}

/* an out-of-line fault stub; returns its label */
uint32_t sbpf_jc_stub(struct jc *c, enum sbpf_jit_fault kind, size_t idx)
{
	struct stub *stubs = grow(c->stubs, &c->capstub, c->nstub + 1, sizeof(*c->stubs));
	if (!stubs) {
		fail(c, "out of memory");
		return 0;
	}
	c->stubs = stubs;
	uint32_t l = sbpf_jc_new_label(c);
	c->stubs[c->nstub++] = (struct stub){ l, (uint32_t)kind | (uint32_t)idx << 8 };
	return l;
}

/* ------------------------------------------------------------------ analysis */

/* a call of the Linux helper the engines run themselves (vm/host.h) */
static bool is_builtin(const struct jc *c, const struct stackbpf_insn *in, const void *fn)
{
	const struct stackbpf_fn_desc *fd;
	return sbpf_decode(in) == SBPF_OP_CALL && (fd = stackbpf_host__helper(c->host, in->imm)) &&
	       fd->fn == fn;
}

/* the subprogram a callback reference (ld_imm64 src 4) or a call names */
static int64_t callee_of(const struct stackbpf_insn *in, size_t i)
{
	enum sbpf_form f = sbpf_decode(in);
	return f == SBPF_OP_CALL_LOCAL || f == SBPF_OP_LDDW_FUNC ? (int64_t)i + 1 + in->imm : -1;
}

/* the target of a jump, or -1 */
static int64_t jump_target(const struct stackbpf_insn *in, enum sbpf_form f, size_t i)
{
	switch (sbpf_opinfo[f].shape) {
	case S_JA: case S_JCC_K: case S_JCC_X: case S_MAY_GOTO:
		return (int64_t)i + 1 + in->off;
	case S_JA32:
		return (int64_t)i + 1 + in->imm;
	default:
		return -1;
	}
}

/* is register `r` the base of this memory access? */
static int mem_base(const struct stackbpf_insn *in, int shape)
{
	switch (shape) {
	case S_LDX: case S_LOAD_ACQ:
		return in->src;
	case S_ST: case S_STX: case S_ATOMIC: case S_ATOMIC_FETCH: case S_XCHG: case S_CMPXCHG: case S_STORE_REL:
		return in->dst;
	default:
		return -1;
	}
}

static void analyse_sub(struct jc *c, struct subprog *sp, bool is_main)
{
	bool uses_fp = false, has_call = false;
	uint32_t depth = 0, out = 0;
	unsigned mention = 0;
	for (uint32_t i = sp->start; i < sp->end; i++) {
		const struct stackbpf_insn *in = &c->insns[i];
		enum sbpf_form f = sbpf_decode(in);
		int shape = sbpf_opinfo[f].shape, uses = sbpf_shape_uses[shape];
		int base = mem_base(in, shape);
		if ((uses & F_DST) && in->dst < SBPF_NREGS)
			mention |= 1u << in->dst;
		if ((uses & F_SRC) && in->src < SBPF_NREGS)
			mention |= 1u << in->src;
		if ((uses & F_DST && in->dst == SBPF_REG_FP) || (uses & F_SRC && in->src == SBPF_REG_FP)) {
			uses_fp = true;
			int size = sbpf_size_bytes(in->code);
			bool other = (uses & F_DST && in->dst == SBPF_REG_FP && base != in->dst) ||
				     (uses & F_SRC && in->src == SBPF_REG_FP && base != in->src);
			if (other || in->off >= 0 || in->off + size > 0)
				depth = SBPF_STACK_SIZE;
			else if ((uint32_t)-in->off > depth)
				depth = (uint32_t)-in->off;
		}
		switch (shape) {
		case S_CALL: case S_CALL_KFUNC: case S_CALLX: case S_CALL_LOCAL: case S_LD_ABS: case S_LD_IND:
			has_call = true;
			if (is_builtin(c, in, (const void *)sbpf_helper_tail_call))
				sp->tail = true;
			break;
		case S_ARG_STX: case S_ARG_ST: {
			uint32_t k = (uint32_t)(-in->off / 8);
			if (k >= 2 && k <= SBPF_MAX_STACK_ARGS && (k - 1) * 8 > out)
				out = (k - 1) * 8;
			break;
		}
		default:
			break;
		}
		if (sbpf_form_is_wide(f))
			i++;
	}
	if (depth > SBPF_STACK_SIZE)
		depth = SBPF_STACK_SIZE;
	sp->depth = (depth + 7) & ~7u;
	sp->nsaved = 0;
	if (sp->tail)   /* the target's main keeps no r6-r9 of ours */
		mention |= 0xfu << 6;
	for (int r = 6; r <= 9 && !is_main; r++)
		if (mention & 1u << r)
			sp->saved[sp->nsaved++] = reg_map[r];
	/* a leaf that never mentions r10 needs no frame, even to read args 7..12 */
	sp->framed = uses_fp || has_call || out;
	uint32_t total = sp->depth + 8u * sp->nsaved + out;
	sp->below = out + (total % 16 ? 8 : 0);
}

/* deepest frame chain from subprogram s; false on recursion */
static bool walk_calls(struct jc *c, uint32_t s)
{
	struct subprog *sp = &c->sub[s];
	if (sp->state == 1)
		return false;
	if (sp->state == 2)
		return true;
	sp->state = 1;
	uint32_t deepest = 0;
	for (uint32_t i = sp->start; i < sp->end; i++) {
		const struct stackbpf_insn *in = &c->insns[i];
		enum sbpf_form f = sbpf_decode(in);
		if (callee_of(in, i) >= 0) {   /* a callback runs one frame deeper too */
			uint32_t t = c->sub_of[callee_of(in, i)];
			if (!walk_calls(c, t))
				return false;
			if (c->sub[t].frames > deepest)
				deepest = c->sub[t].frames;
		}
		if (sbpf_form_is_wide(f))
			i++;
	}
	sp->frames = 1 + deepest;
	sp->state = 2;
	return true;
}

static bool analyse(struct jc *c)
{
	bool *entry = calloc(c->cnt + 1, sizeof(*entry));
	c->sub_of = calloc(c->cnt + 1, sizeof(*c->sub_of));
	if (!entry || !c->sub_of) {
		free(entry);
		return false;
	}
	c->loop_head = calloc(c->cnt + 1, sizeof(*c->loop_head));
	if (!c->loop_head) {
		free(entry);
		return false;
	}
	bool main_called = false;   /* then main must keep r6-r9 for its BPF caller */
	bool tail = false;
	for (size_t i = 0; i < c->cnt; i++) {
		enum sbpf_form f = sbpf_decode(&c->insns[i]);
		int64_t t = callee_of(&c->insns[i], i), j = jump_target(&c->insns[i], f, i);
		if (j >= 0 && j <= (int64_t)i && (size_t)j < c->cnt)
			c->loop_head[j] = true;
		if (t >= 0) {
			entry[t] = true;
			main_called |= t == 0;
		}
		tail |= is_builtin(c, &c->insns[i], (const void *)sbpf_helper_tail_call);
		if (sbpf_form_is_wide(f))
			i++;
	}
	entry[0] = true;
	for (size_t i = 0; i < c->cnt; i++)
		c->nsub += entry[i];
	c->sub = calloc(c->nsub, sizeof(*c->sub));
	if (!c->sub) {
		free(entry);
		return false;
	}
	size_t s = 0;
	for (size_t i = 0; i < c->cnt; i++) {
		if (entry[i] && i) {
			c->sub[s].end = (uint32_t)i;
			s++;
		}
		if (entry[i])
			c->sub[s].start = (uint32_t)i;
		c->sub_of[i] = (uint32_t)s;
	}
	c->sub[s].end = (uint32_t)c->cnt;
	free(entry);
	for (size_t k = 0; k < c->nsub; k++)
		analyse_sub(c, &c->sub[k], k == 0 && !main_called);
	/* a tail call continues at its frame's depth: keep the count */
	c->need_depth = !walk_calls(c, 0) || c->sub[0].frames > SBPF_MAX_CALL_FRAMES || tail;
	return true;
}

/* ------------------------------------------------------- frames, trampoline */

static void prologue(struct jc *c, const struct subprog *sp)
{
	struct x86_buf *b = &c->b;
	if (sp->framed) {
		x86_push(b, RBP);
		x86_mov_rr(b, true, RBP, RSP);
		if (sp->nsaved == 0) {
			if (sp->depth + sp->below)
				x86_alu_ri(b, true, A_SUB, RSP, (int32_t)(sp->depth + sp->below));
			return;
		}
		if (sp->depth)
			x86_alu_ri(b, true, A_SUB, RSP, (int32_t)sp->depth);
	}
	for (int k = 0; k < sp->nsaved; k++)
		x86_push(b, sp->saved[k]);
	if (sp->framed && sp->below)
		x86_alu_ri(b, true, A_SUB, RSP, (int32_t)sp->below);
}

void sbpf_jc_epilogue(struct jc *c, const struct subprog *sp)
{
	struct x86_buf *b = &c->b;
	if (sp->framed && sp->nsaved && sp->below)
		x86_alu_ri(b, true, A_ADD, RSP, (int32_t)sp->below);
	for (int k = sp->nsaved - 1; k >= 0; k--)
		x86_pop(b, sp->saved[k]);
	if (sp->framed)
		x86_byte(b, 0xc9);   /* leave */
	x86_ret(b);
}

static const uint8_t callee_saved[] = { RBX, R12, R13, R14, R15 };

static void trampoline(struct jc *c)
{
	struct x86_buf *b = &c->b;
	x86_push(b, RBP);
	x86_mov_rr(b, true, RBP, RSP);
	for (size_t k = 0; k < sizeof(callee_saved); k++)
		x86_push(b, callee_saved[k]);
	x86_alu_ri(b, true, A_SUB, RSP, TR_AREA);
	x86_mov_ri(b, RAX, 0);
	for (int k = 0; k < 6; k++)   /* main's stack arguments 7..12 read as 0 */
		x86_store_r(b, 8, RSP, 8 * k, RAX);
	x86_mov_ri(b, TMP, ST(saved_rsp));
	x86_store_r(b, 8, TMP, 0, RSP);
	x86_load(b, 8, false, BUDGET, TMP, ST_OFF(budget) - ST_OFF(saved_rsp));
	/* the interpreter starts with every register but r1, r2, r10 zero */
	static const uint8_t zero[] = { RDX, RCX, R8, R9, RBX, R13, R14, R15 };
	for (size_t k = 0; k < sizeof(zero); k++)
		x86_mov_ri(b, zero[k], 0);
	sbpf_jc_jump(c, -2, L_SUB(c, 0));
	sbpf_jc_bind(c, L_TEXIT(c));
	x86_alu_ri(b, true, A_ADD, RSP, TR_AREA);
	for (size_t k = sizeof(callee_saved); k-- > 0;)
		x86_pop(b, callee_saved[k]);
	x86_pop(b, RBP);
	x86_ret(b);
	sbpf_jc_bind(c, L_UNWIND0(c));
	x86_mov_ri(b, TMP, ST(saved_rsp));
	x86_load(b, 8, false, RSP, TMP, 0);
	x86_mov_ri(b, RAX, 0);
	sbpf_jc_jump(c, -1, L_TEXIT(c));
	sbpf_jc_bind(c, L_FAULT(c));
	x86_mov_ri(b, RAX, ST(saved_rsp));
	x86_store_r(b, 4, RAX, ST_OFF(fault) - ST_OFF(saved_rsp), TMP);
	x86_load(b, 8, false, RSP, RAX, 0);
	x86_mov_ri(b, RAX, 0);
	sbpf_jc_jump(c, -1, L_TEXIT(c));
}

/* ------------------------------------------------------------ --harden */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* insn i's key: random per program, the same in every pass (sizes must not
 * change between passes); never 0 and never an imm8 */
static uint64_t key_of(const struct jc *c, size_t i)
{
	uint64_t k = splitmix64(c->key_seed + i);
	if (x86_fits8((int32_t)(uint32_t)k))
		k ^= 0x40000000u;
	return k;
}

/* r = imm (sign-extended to 64 bits when sext, else zero-extended) without
 * imm in the code: mov r32, imm ^ k; xor r32, k [; movsxd r, r32] */
void sbpf_jc_blind_imm(struct jc *c, int r, int32_t imm, bool sext, size_t i)
{
	uint32_t k = (uint32_t)key_of(c, i);
	x86_mov_r32i(&c->b, r, (uint32_t)imm ^ k);
	x86_alu_ri(&c->b, false, A_XOR, r, (int32_t)k);
	if (sext)
		x86_op_rr(&c->b, X_W, 0x63, r, r);   /* movsxd r, r32 */
}

/* ------------------------------------------------------------ ALU helpers */

static void zext32(struct jc *c, int r) { x86_mov_rr(&c->b, false, r, r); }

/* dst = dst / or % divisor (in TMP), unsigned or signed, without the
 * zero / -1 cases (handled by the caller) */
static void div_core(struct jc *c, bool w, bool is_signed, bool is_mod, int d)
{
	struct x86_buf *b = &c->b;
	int res = is_mod ? RDX : RAX;
	if (d != RAX)
		x86_mov_rr(b, true, AX, RAX);
	if (d != RDX)
		x86_push(b, RDX);
	if (d != RAX)
		x86_mov_rr(b, true, RAX, d);
	if (is_signed) {
		if (w)
			x86_byte(b, 0x48);
		x86_byte(b, 0x99);               /* cqo / cdq */
	} else {
		x86_mov_ri(b, RDX, 0);
	}
	x86_op_rr(b, w ? X_W : 0, 0xf7, is_signed ? 7 : 6, TMP);   /* (i)div */
	if (d != res)
		x86_mov_rr(b, true, TMP, res);
	if (d != RDX)
		x86_pop(b, RDX);
	if (d != RAX)
		x86_mov_rr(b, true, RAX, AX);
	if (d != res)
		x86_mov_rr(b, true, d, TMP);
}

/* the result of x / 0 (0) or x % 0 (x, truncated to 32 bits for ALU32) */
static void div_by_zero(struct jc *c, bool w, bool is_mod, int d)
{
	if (!is_mod)
		x86_mov_ri(&c->b, d, 0);
	else if (!w)
		zext32(c, d);
}

/* x s/ -1 = -x and x s% -1 = 0 (no #DE on INT_MIN) */
static void div_by_m1(struct jc *c, bool w, bool is_mod, int d)
{
	if (is_mod)
		x86_mov_ri(&c->b, d, 0);
	else
		x86_op_rr(&c->b, w ? X_W : 0, 0xf7, 3, d);   /* neg */
}

static void emit_div(struct jc *c, const struct stackbpf_insn *in, bool w, bool is_mod, bool k)
{
	struct x86_buf *b = &c->b;
	bool is_signed = in->off == 1;
	int d = reg_map[in->dst];
	if (k) {
		/* the divisor is known: no run-time check */
		int64_t v = w ? (int64_t)in->imm : is_signed ? (int64_t)in->imm : (int64_t)(uint32_t)in->imm;
		if (v == 0) {
			div_by_zero(c, w, is_mod, d);
			return;
		}
		if (is_signed && v == -1) {
			div_by_m1(c, w, is_mod, d);
			return;
		}
		if (!is_signed && v > 0 && (v & (v - 1)) == 0) {
			/* v <= 2^31, so v - 1 fits an imm32 */
			int n = __builtin_ctzll((unsigned long long)v);
			if (is_mod)
				n ? x86_alu_ri(b, w, A_AND, d, (int32_t)(v - 1)) : x86_mov_ri(b, d, 0);
			else if (n)
				x86_shift_ri(b, w, SH_SHR, d, (uint8_t)n);
			else if (!w)
				zext32(c, d);
			return;
		}
		x86_mov_ri(b, TMP, w ? (uint64_t)v : (uint32_t)v);
		div_core(c, w, is_signed, is_mod, d);
		return;
	}
	int s = reg_map[in->src];
	uint32_t lzero = sbpf_jc_new_label(c), lm1 = sbpf_jc_new_label(c), ldone = sbpf_jc_new_label(c);
	x86_mov_rr(b, w, TMP, s);
	x86_test_rr(b, w, TMP, TMP);
	sbpf_jc_jump(c, CC_E, lzero);
	if (is_signed) {
		x86_alu_ri(b, w, A_CMP, TMP, -1);
		sbpf_jc_jump(c, CC_E, lm1);
	}
	div_core(c, w, is_signed, is_mod, d);
	sbpf_jc_jump(c, -1, ldone);
	sbpf_jc_bind(c, lzero);
	div_by_zero(c, w, is_mod, d);
	if (is_signed) {
		sbpf_jc_jump(c, -1, ldone);
		sbpf_jc_bind(c, lm1);
		div_by_m1(c, w, is_mod, d);
	}
	sbpf_jc_bind(c, ldone);
}

static enum x86_shift shift_of(uint8_t code)
{
	return SBPF_OP(code) == 0x60 ? SH_SHL : SBPF_OP(code) == 0x70 ? SH_SHR : SH_SAR;
}

static void emit_shift(struct jc *c, const struct stackbpf_insn *in, bool w, bool k)
{
	struct x86_buf *b = &c->b;
	enum x86_shift op = shift_of(in->code);
	int d = reg_map[in->dst], s = reg_map[in->src];
	if (k) {
		uint8_t n = (uint8_t)(in->imm & (w ? 63 : 31));
		if (n)
			x86_shift_ri(b, w, op, d, n);
		else if (!w)
			zext32(c, d);
		return;
	}
	if (c->bmi2) {
		x86_shiftx(b, w, op, d, d, s);
	} else if (s == RCX) {
		x86_shift_rcl(b, w, op, d);
	} else {
		x86_mov_rr(b, true, TMP, RCX);
		x86_mov_rr(b, true, RCX, s);
		x86_shift_rcl(b, w, op, d == RCX ? TMP : d);
		x86_mov_rr(b, true, RCX, TMP);
	}
}

static enum x86_alu alu_of(uint8_t code)
{
	switch (SBPF_OP(code)) {
	case 0x00: return A_ADD;
	case 0x10: return A_SUB;
	case 0x40: return A_OR;
	case 0x50: return A_AND;
	default: return A_XOR;
	}
}

static void emit_alu(struct jc *c, const struct stackbpf_insn *in, bool w, bool k)
{
	struct x86_buf *b = &c->b;
	int d = reg_map[in->dst], s = k ? 0 : reg_map[in->src];
	switch (SBPF_OP(in->code)) {
	case 0x00: case 0x10: case 0x40: case 0x50: case 0xa0:
		if (!k)
			x86_alu_rr(b, w, alu_of(in->code), d, s);
		else if (in->imm == 0 && SBPF_OP(in->code) != 0x50)
			w ? (void)0 : zext32(c, d);
		else
			x86_alu_ri(b, w, alu_of(in->code), d, in->imm);
		break;
	case 0x20:
		if (!k) {
			x86_op_rr(b, w ? X_W : 0, 0x0faf, d, s);
		} else if (x86_fits8(in->imm)) {
			x86_op_rr(b, w ? X_W : 0, 0x6b, d, d);
			x86_byte(b, (uint8_t)in->imm);
		} else {
			x86_op_rr(b, w ? X_W : 0, 0x69, d, d);
			x86_imm(b, (uint32_t)in->imm, 4);
		}
		break;
	case 0x30: emit_div(c, in, w, false, k); break;
	case 0x90: emit_div(c, in, w, true, k); break;
	case 0x60: case 0x70: case 0xc0: emit_shift(c, in, w, k); break;
	case 0xb0:
		if (k)
			x86_mov_ri(b, d, w ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm);
		else if (!w || d != s)
			x86_mov_rr(b, w, d, s);
		break;
	default:
		fail(c, "insn %zu: no native code for opcode 0x%02x", (size_t)(in - c->insns), in->code);
	}
}

static void emit_end(struct jc *c, enum sbpf_form f, int d)
{
	struct x86_buf *b = &c->b;
	switch (f) {
	case SBPF_OP_LE16:
		x86_op_rr(b, 0, 0x0fb7, d, d);
		break;
	case SBPF_OP_LE32:
		zext32(c, d);
		break;
	case SBPF_OP_BE16: case SBPF_OP_BSWAP16:
		x86_op_rr(b, X_66, 0xc1, SH_ROR, d);   /* ror r16, 8 */
		x86_byte(b, 8);
		x86_op_rr(b, 0, 0x0fb7, d, d);
		break;
	case SBPF_OP_BE32: case SBPF_OP_BSWAP32: case SBPF_OP_BE64: case SBPF_OP_BSWAP64: {
		bool w = f == SBPF_OP_BE64 || f == SBPF_OP_BSWAP64;
		if (w || d >= 8)
			x86_byte(b, (uint8_t)(0x40 | (w ? 8 : 0) | (d >= 8)));
		x86_byte(b, 0x0f);
		x86_byte(b, (uint8_t)(0xc8 + (d & 7)));
		break;
	}
	default:   /* LE64: nothing to do on a little-endian host */
		break;
	}
}

/* --------------------------------------------------------------- memory */

static const uint8_t atomic_op[16] = {   /* lock <op> r/m, r by BPF atomic op >> 4 */
	[SBPF_ATOMIC_ADD >> 4] = 0x01, [SBPF_ATOMIC_OR >> 4] = 0x09,
	[SBPF_ATOMIC_AND >> 4] = 0x21, [SBPF_ATOMIC_XOR >> 4] = 0x31,
};

static void emit_atomic(struct jc *c, const struct stackbpf_insn *in, int shape)
{
	struct x86_buf *b = &c->b;
	bool w = SBPF_SIZE(in->code) == SBPF_DW;
	unsigned f = w ? X_W : 0;
	int d = reg_map[in->dst], s = reg_map[in->src];
	uint8_t op = atomic_op[(in->imm & 0xf0) >> 4];
	switch (shape) {
	case S_ATOMIC:
		x86_op_rm(b, X_LOCK | f, op, s, d, in->off);
		return;
	case S_XCHG:
		x86_op_rm(b, f, 0x87, s, d, in->off);
		return;
	case S_CMPXCHG:
		x86_op_rm(b, X_LOCK | f, 0x0fb1, s, d, in->off);
		if (!w)
			zext32(c, RAX);
		return;
	default:
		break;
	}
	if ((in->imm & ~SBPF_ATOMIC_FETCH) == SBPF_ATOMIC_ADD) {
		x86_op_rm(b, X_LOCK | f, 0x0fc1, s, d, in->off);   /* lock xadd */
		return;
	}
	/* fetch or/and/xor: a cmpxchg loop on rax, r0 kept in r10 */
	int base = d == RAX ? AX : d, val = s == RAX ? AX : s;
	uint32_t loop = sbpf_jc_new_label(c);
	x86_mov_rr(b, true, AX, RAX);
	x86_load(b, w ? 8 : 4, false, RAX, base, in->off);
	sbpf_jc_bind(c, loop);
	x86_mov_rr(b, true, TMP, RAX);
	x86_op_rr(b, f, op, val, TMP);
	x86_op_rm(b, X_LOCK | f, 0x0fb1, TMP, base, in->off);
	sbpf_jc_jump(c, CC_NE, loop);
	if (s != RAX) {
		x86_mov_rr(b, w, s, RAX);
		x86_mov_rr(b, true, RAX, AX);
	} else if (!w) {
		zext32(c, RAX);
	}
}

/* ---------------------------------------------------------------- jumps */

static const uint8_t jcc_cc[16] = {
	[0x1] = CC_E, [0x2] = CC_A, [0x3] = CC_AE, [0x4] = CC_NE, [0x5] = CC_NE, [0x6] = CC_G,
	[0x7] = CC_GE, [0xa] = CC_B, [0xb] = CC_BE, [0xc] = CC_L, [0xd] = CC_LE,
};

static void emit_jcc(struct jc *c, const struct stackbpf_insn *in, size_t i, bool k)
{
	struct x86_buf *b = &c->b;
	if (in->off == 0)
		return;   /* no side effect */
	bool w = SBPF_CLASS(in->code) == SBPF_JMP;
	int d = reg_map[in->dst];
	bool jset = SBPF_OP(in->code) == 0x40;
	if (!k)
		jset ? x86_test_rr(b, w, d, reg_map[in->src]) : x86_alu_rr(b, w, A_CMP, d, reg_map[in->src]);
	else if (in->imm == 0 && !jset)
		x86_test_rr(b, w, d, d);   /* same flags as cmp d, 0 */
	else
		jset ? x86_test_ri(b, w, d, in->imm) : x86_alu_ri(b, w, A_CMP, d, in->imm);
	sbpf_jc_jump(c, jcc_cc[SBPF_OP(in->code) >> 4], (uint32_t)(i + 1 + (int64_t)in->off));
}

/* ------------------------------------------------------------ one insn */

/* The immediate forms, with the immediate rebuilt in AX (or the destination)
 * and the register form emitted, as Linux's bpf_jit_blind_constants does.
 * Returns false when the instruction has no immediate to hide. */
static bool emit_blinded(struct jc *c, size_t i, int shape)
{
	const struct stackbpf_insn *in = &c->insns[i];
	struct stackbpf_insn x = *in;
	struct x86_buf *b = &c->b;
	bool w = sbpf_code_is64(in->code);
	int d = in->dst < SBPF_NREGS ? reg_map[in->dst] : 0;
	if (in->imm == 0 && shape != S_LD_IMM64)
		return false;
	x.src = VAX;
	x.code |= 0x08;   /* BPF_X: the register form */
	switch (shape) {
	case S_ALU_K:
		if (SBPF_OP(in->code) == 0xb0) {   /* mov */
			sbpf_jc_blind_imm(c, d, in->imm, w, i);
			return true;
		}
		sbpf_jc_blind_imm(c, AX, in->imm, w, i);
		emit_alu(c, &x, w, false);
		return true;
	case S_JCC_K:
		if (in->off == 0)
			return false;
		sbpf_jc_blind_imm(c, AX, in->imm, SBPF_CLASS(in->code) == SBPF_JMP, i);
		emit_jcc(c, &x, i, false);
		return true;
	case S_ST:
		sbpf_jc_blind_imm(c, AX, in->imm, true, i);
		x86_store_r(b, sbpf_size_bytes(in->code), d, in->off, AX);
		return true;
	case S_ARG_ST: {
		int k = -in->off / 8;
		if (k < 1 || k > SBPF_MAX_STACK_ARGS)
			return false;   /* the fault stub */
		sbpf_jc_blind_imm(c, AX, in->imm, true, i);
		if (k == 1)
			x86_mov_rr(b, true, ARG6, AX);
		else
			x86_store_r(b, 8, RSP, 8 * (k - 2), AX);
		return true;
	}
	case S_LD_IMM64: {
		if (sbpf_decode(in) != SBPF_OP_LDDW)
			return false;
		uint64_t v = (uint64_t)(uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
		uint64_t k = key_of(c, i) ^ (uint64_t)key_of(c, i + 1) << 32;
		x86_movabs(b, d, v ^ k);
		x86_movabs(b, TMP, k);
		x86_alu_rr(b, true, A_XOR, d, TMP);
		return true;
	}
	default:
		return false;
	}
}

static void emit_insn(struct jc *c, size_t i, enum sbpf_form f)
{
	const struct stackbpf_insn *in = &c->insns[i];
	struct x86_buf *b = &c->b;
	int shape = sbpf_opinfo[f].shape;
	int d = in->dst < SBPF_NREGS ? reg_map[in->dst] : 0, s = in->src < SBPF_NREGS ? reg_map[in->src] : 0;
	int size = sbpf_size_bytes(in->code);
	if (c->harden && emit_blinded(c, i, shape))
		return;
	switch (shape) {
	case S_ALU_K: case S_ALU_X:
		emit_alu(c, in, sbpf_code_is64(in->code), shape == S_ALU_K);
		break;
	case S_NEG:
		x86_op_rr(b, sbpf_code_is64(in->code) ? X_W : 0, 0xf7, 3, d);
		break;
	case S_MOVSX: {
		static const struct { unsigned flags; uint32_t op; } mx[] = {
			[SBPF_OP_MOVSX32_8 - SBPF_OP_MOVSX32_8] = { X_BYTE, 0x0fbe },
			[SBPF_OP_MOVSX32_16 - SBPF_OP_MOVSX32_8] = { 0, 0x0fbf },
			[SBPF_OP_MOVSX64_8 - SBPF_OP_MOVSX32_8] = { X_W | X_BYTE, 0x0fbe },
			[SBPF_OP_MOVSX64_16 - SBPF_OP_MOVSX32_8] = { X_W, 0x0fbf },
			[SBPF_OP_MOVSX64_32 - SBPF_OP_MOVSX32_8] = { X_W, 0x63 },
		};
		x86_op_rr(b, mx[f - SBPF_OP_MOVSX32_8].flags, mx[f - SBPF_OP_MOVSX32_8].op, d, s);
		break;
	}
	case S_END:
		emit_end(c, f, d);
		break;
	case S_LD_IMM64:
		if (f == SBPF_OP_LDDW_FUNC) {   /* a callback: its native address */
			uint32_t l = L_SUB(c, c->sub_of[i + 1 + (int64_t)in->imm]);
			struct afix *af = grow(c->afix, &c->capafix, c->nafix + 1, sizeof(*c->afix));
			if (!af) {
				fail(c, "out of memory");
				break;
			}
			c->afix = af;
			af[c->nafix++] = (struct afix){ (uint32_t)b->len + 2, l };
			x86_movabs(b, d, c->base + (uint64_t)prev_label(c, l));
			break;
		}
		if (f != SBPF_OP_LDDW) {
			sbpf_jc_jump(c, -1, sbpf_jc_stub(c, JF_LDDW, i));
			break;
		}
		x86_mov_ri(b, d, (uint64_t)(uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32);
		break;
	case S_LD_ABS: case S_LD_IND:
		sbpf_jc_emit_ld_packet(c, in, shape == S_LD_IND);
		break;
	case S_LDX:
		x86_load(b, size, SBPF_MODE(in->code) == SBPF_MEMSX, d, s, in->off);
		break;
	case S_LOAD_ACQ:
		x86_load(b, size, false, d, s, in->off);
		break;
	case S_ST:
		x86_store_i(b, size, d, in->off, in->imm);
		break;
	case S_STX: case S_STORE_REL:
		x86_store_r(b, size, d, in->off, s);
		break;
	case S_ATOMIC: case S_ATOMIC_FETCH: case S_XCHG: case S_CMPXCHG:
		emit_atomic(c, in, shape);
		break;
	case S_JA:
		if (in->off)
			sbpf_jc_jump(c, -1, (uint32_t)(i + 1 + (int64_t)in->off));
		break;
	case S_JA32:
		if (in->imm)
			sbpf_jc_jump(c, -1, (uint32_t)(i + 1 + (int64_t)in->imm));
		break;
	case S_JCC_K: case S_JCC_X:
		emit_jcc(c, in, i, shape == S_JCC_K);
		break;
	case S_MAY_GOTO:
		/* Linux: jump when the budget is spent, else count down */
		if (in->off == 0) {
			x86_alu_ri(b, true, A_SUB, BUDGET, 1);
			x86_op_rr(b, X_W, 0x83, 2, BUDGET);   /* adc r12, 0: stays 0 once spent */
			x86_byte(b, 0);
			break;
		}
		x86_test_rr(b, true, BUDGET, BUDGET);
		sbpf_jc_jump(c, CC_E, (uint32_t)(i + 1 + (int64_t)in->off));
		x86_op_rr(b, X_W, 0xff, 1, BUDGET);   /* dec r12 */
		break;
	case S_CALL: case S_CALL_KFUNC:
		sbpf_jc_emit_host_call(c, in, i, f);
		break;
	case S_CALLX:
		sbpf_jc_emit_callx(c, in, i);
		break;
	case S_CALL_LOCAL:
		sbpf_jc_emit_call_local(c, in, i);
		break;
	case S_EXIT:
		sbpf_jc_epilogue(c, &c->sub[c->cur]);
		break;
	case S_ARG_LDX: case S_ARG_STX: case S_ARG_ST:
		sbpf_jc_emit_stack_arg(c, in, i, shape);
		break;
	default:
		fail(c, "insn %zu: no native code for opcode 0x%02x", i, in->code);
	}
}

/* ---------------------------------------------------------------- passes */

static void emit_pass(struct jc *c)
{
	c->b.len = 0;
	c->njmp = 0;
	c->nafix = 0;
	c->nstub = 0;
	c->nlab = 0;
	for (size_t k = 0; k < c->cnt + 4 + c->nsub; k++)
		sbpf_jc_new_label(c);
	if (c->failed)
		return;
	trampoline(c);
	c->jit->body_off = (uint32_t)c->b.len;
	for (size_t s = 0; s < c->nsub && !c->failed; s++) {
		const struct subprog *sp = &c->sub[s];
		c->cur = (uint32_t)s;
		sbpf_jc_bind(c, L_SUB(c, s));
		prologue(c, sp);
		for (size_t i = sp->start; i < sp->end && !c->failed; i++) {
			enum sbpf_form f = sbpf_decode(&c->insns[i]);
			if (c->loop_head[i])
				x86_align(&c->b, LOOP_ALIGN);
			sbpf_jc_bind(c, (uint32_t)i);
			emit_insn(c, i, f);
			if (sbpf_form_is_wide(f))
				sbpf_jc_bind(c, (uint32_t)++i);
		}
	}
	sbpf_jc_bind(c, (uint32_t)c->cnt);
	c->jit->stubs_off = (uint32_t)c->b.len;
	for (size_t k = 0; k < c->nstub; k++) {
		const struct stub *st = &c->stubs[k];
		sbpf_jc_bind(c, st->label);
		x86_mov_ri(&c->b, TMP, st->code);
		sbpf_jc_jump(c, -1, L_FAULT(c));
	}
	if (c->b.err)
		fail(c, "out of memory");
}

/* short jumps of this pass whose distance does not fit after all (a loop
 * head's padding grew): long from now on */
static void keep_long(struct jc *c)
{
	for (size_t id = 0; id < c->njmp; id++) {
		if (c->js[id].sh != 1 || x86_fits8((int64_t)c->lab[c->js[id].label] - c->jend[id]))
			continue;
		if (id >= c->capstay) {
			size_t cap = c->njmp;
			uint8_t *p = realloc(c->stay_long, cap);
			if (!p) {
				fail(c, "out of memory");
				return;
			}
			memset(p + c->capstay, 0, cap - c->capstay);
			c->stay_long = p;
			c->capstay = cap;
		}
		c->stay_long[id] = 1;
	}
}

/* After a pass (not pass 0) whose addresses moved: when the next pass would
 * size every jump as this one did, it would lay out the same bytes with this
 * pass's addresses, so patch them in instead of running it. True when the
 * bytes are final. */
static bool patch_if_stable(struct jc *c)
{
	if (c->pass == 0 || c->failed || c->b.err)
		return false;
	for (size_t id = 0; id < c->njmp; id++) {
		bool stay = id < c->capstay && c->stay_long[id];
		if (c->js[id].sh != 2 && (!stay && x86_fits8((int64_t)c->lab[c->js[id].label] - c->jend[id])) != c->js[id].sh)
			return false;
	}
	for (size_t id = 0; id < c->njmp; id++) {
		int64_t disp = (int64_t)c->lab[c->js[id].label] - c->jend[id];
		if (c->js[id].sh == 1)
			c->b.p[c->jend[id] - 1] = (uint8_t)disp;
		else
			for (int k = 0; k < 4; k++)
				c->b.p[c->jend[id] - 4 + k] = (uint8_t)((uint64_t)disp >> 8 * k);
	}
	for (size_t k = 0; k < c->nafix; k++) {
		uint64_t v = c->base + c->lab[c->afix[k].label];
		for (int j = 0; j < 8; j++)
			c->b.p[c->afix[k].pos + j] = (uint8_t)(v >> 8 * j);
	}
	return true;
}

#define SWAP(T, a, b) do { T t_ = (a); (a) = (b); (b) = t_; } while (0)

/* swap this pass's addresses into prev; true when they did not change */
static bool settle(struct jc *c)
{
	bool same = c->pass > 0 && c->nlab == c->pnlab && c->njmp == c->pnjmp &&
		    !memcmp(c->lab, c->plab, c->nlab * sizeof(*c->lab)) &&
		    !memcmp(c->jend, c->pjend, c->njmp * sizeof(*c->jend));
	SWAP(uint32_t *, c->lab, c->plab);
	SWAP(size_t, c->caplab, c->capplab);
	SWAP(uint32_t *, c->jend, c->pjend);
	SWAP(size_t, c->capjmp, c->cappjmp);
	c->pnlab = c->nlab;
	c->pnjmp = c->njmp;
	return same;
}

/* --harden's per-program key */
static uint64_t random_seed(void)
{
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed = splitmix64((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32 ^ (uintptr_t)&seed);
	}
	return seed;
}

static bool cpu_has_bmi2(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	return __builtin_cpu_supports("bmi2");
#else
	return false;
#endif
}

struct sbpf_jit *sbpf_jit_compile(const struct stackbpf_insn *insns, size_t cnt, const struct stackbpf_host *host,
				  uint64_t may_goto_budget, const struct sbpf_jit_opts *opts, char *err, size_t errsz)
{
	struct jc c = { .insns = insns, .cnt = cnt, .host = host, .err = err, .errsz = errsz };
	struct sbpf_jit *jit = calloc(1, sizeof(*jit));
	char verr[256] = "empty program";
	snprintf(err, errsz, "out of memory");
	if (!jit)
		return NULL;
	c.jit = jit;
	c.bmi2 = !(opts && opts->no_bmi2) && cpu_has_bmi2();
	c.harden = opts && opts->harden;
	if (c.harden)
		c.key_seed = random_seed();
	if (!insns || !cnt || (!(opts && opts->validated) && sbpf_validate(insns, cnt, NULL, verr, sizeof(verr)))) {
		snprintf(err, errsz, "%s", verr);
		free(jit);
		return NULL;
	}
	jit->st.budget = may_goto_budget;
	jit->st.host = host;
	jit->cnt = cnt;
	if (!analyse(&c))
		goto fail;
	/* pass 0: every jump long, host calls indirect: the largest size */
	c.pass = 0;
	emit_pass(&c);
	settle(&c);
	if (c.failed)
		goto fail;
	jit->code = sbpf_jit_mem_alloc(c.b.len, &jit->map_size, (const void *)(uintptr_t)&sbpf_jit_compile);
	if (!jit->code) {
		fail(&c, "cannot map %zu bytes of code", c.b.len);
		goto fail;
	}
	c.base = (uintptr_t)jit->code;
	bool done = false;
	for (c.pass = 1; c.pass < 64 && !done && !c.failed; c.pass++) {
		emit_pass(&c);
		keep_long(&c);
		bool patched = !c.failed && patch_if_stable(&c);
		done = settle(&c) || patched;
	}
	if (!c.failed && !done)
		fail(&c, "jump sizes did not converge");
	if (c.failed)
		goto fail;
	/* settle() moved this pass's labels into plab */
	jit->insn_off = malloc((cnt + 1) * sizeof(*jit->insn_off));
	if (!jit->insn_off)
		goto fail;
	memcpy(jit->insn_off, c.plab, (cnt + 1) * sizeof(*jit->insn_off));
	jit->unwind_off = c.plab[L_UNWIND0(&c)];
	jit->fault_off = c.plab[L_FAULT(&c)];
	jit->main_off = c.plab[L_SUB(&c, 0)];
	jit->block_off = malloc((cnt + 1) * sizeof(*jit->block_off));
	if (!jit->block_off)
		goto fail;
	memcpy(jit->block_off, c.plab, (cnt + 1) * sizeof(*jit->block_off));
	for (size_t s = 0; s < c.nsub; s++)
		jit->block_off[c.sub[s].start] = c.plab[L_SUB(&c, s)];
	memcpy(jit->code, c.b.p, c.b.len);
	jit->size = c.b.len;
	if (sbpf_jit_mem_seal(jit->code, jit->map_size)) {
		fail(&c, "mprotect: %s", strerror(errno));
		goto fail;
	}
	jit->entry = (uint64_t (*)(void *, uint64_t))(uintptr_t)jit->code;
	free(c.b.p);
	free(c.lab);
	free(c.plab);
	free(c.jend);
	free(c.pjend);
	free(c.sub);
	free(c.sub_of);
	free(c.loop_head);
	free(c.stay_long);
	free(c.stubs);
	free(c.js);
	free(c.afix);
	return jit;
fail:
	free(c.b.p);
	free(c.lab);
	free(c.plab);
	free(c.jend);
	free(c.pjend);
	free(c.sub);
	free(c.sub_of);
	free(c.loop_head);
	free(c.stay_long);
	free(c.stubs);
	free(c.js);
	free(c.afix);
	sbpf_jit_free(jit);
	return NULL;
}

void sbpf_jit_free(struct sbpf_jit *jit)
{
	if (!jit)
		return;
	sbpf_jit_mem_free(jit->code, jit->map_size);
	free(jit->insn_off);
	free(jit->block_off);
	free(jit);
}
