/* check_alu.c - ALU instructions on abstract registers (Linux's check_alu_op,
 * adjust_reg_min_max_vals, adjust_ptr_min_max_vals), for a privileged loader:
 * scalars go through the numeric domain of scalar.h; pointers accept + and -
 * of scalars with Linux's rules and messages; anything else that mixes a
 * pointer in either yields an unknown scalar (pointer leaks are allowed to
 * CAP_BPF) or is refused with the kernel's words. */
#include "verifier/verifier.h"

#include <errno.h>
#include <string.h>

enum { BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40, BPF_AND = 0x50,
       BPF_LSH = 0x60, BPF_RSH = 0x70, BPF_NEG = 0x80, BPF_MOD = 0x90, BPF_XOR = 0xa0, BPF_MOV = 0xb0,
       BPF_ARSH = 0xc0, BPF_END = 0xd0 };

#define MAX_VAR_OFF (1LL << 29)

static const char *const alu_str[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", "?", "?",
};

int check_reg_read(struct sbpf_env *env, int regno)
{
	mark_reg_scratched(env, regno);
	if (cur_frame(env)->regs[regno].type == NOT_INIT)
		return verr(env, -EACCES, "R%d !read_ok", regno);
	return 0;
}

/* Linux's check_reg_sane_offset */
static int sane_offset(struct sbpf_env *env, const struct sbpf_reg *r, uint16_t ptr_type)
{
	const char *t = reg_type_str(ptr_type);
	bool known = scalar_is_const(&r->s);
	int64_t val = (int64_t)scalar_const(&r->s), smin = r->s.smin;
	if (known && (val >= MAX_VAR_OFF || val <= -MAX_VAR_OFF))
		return verr(env, -EACCES, "math between %s pointer and %lld is not allowed", t, (long long)val);
	if (r->off >= MAX_VAR_OFF || r->off <= -MAX_VAR_OFF)
		return verr(env, -EACCES, "%s pointer offset %d is not allowed", t, r->off);
	if (smin == INT64_MIN)
		return verr(env, -EACCES,
			    "math between %s pointer and register with unbounded min value is not allowed", t);
	if (smin >= MAX_VAR_OFF || smin <= -MAX_VAR_OFF)
		return verr(env, -EACCES, "value %lld makes %s pointer be out of bounds", (long long)smin, t);
	return 0;
}

/* dst = ptr OP off, where dst is the instruction's destination register and
 * either ptr or off is that same register's old value */
static int adjust_ptr(struct sbpf_env *env, int dst, uint8_t op, bool is64, const struct sbpf_reg *ptr,
		      const struct sbpf_reg *off, bool dst_is_off)
{
	struct sbpf_reg *d = &cur_frame(env)->regs[dst];
	if (!is64) {
		if (op == BPF_SUB) {
			reg_mark_unknown(d);
			return 0;
		}
		return verr(env, -EACCES, "R%d 32-bit pointer arithmetic prohibited", dst);
	}
	if (ptr->type & PTR_MAYBE_NULL)
		return verr(env, -EACCES, "R%d pointer arithmetic on %s prohibited, null-check it first", dst,
			    reg_type_str(ptr->type));
	switch (BASE_TYPE(ptr->type)) {
	case PTR_TO_CTX: case PTR_TO_STACK: case PTR_TO_MEM:
		break;
	default:
		return verr(env, -EACCES, "R%d pointer arithmetic on %s prohibited", dst, reg_type_str(ptr->type));
	}
	int err = sane_offset(env, off, ptr->type);
	if (!err)
		err = sane_offset(env, ptr, ptr->type);
	if (err)
		return err;
	struct sbpf_reg res = *ptr;
	bool known = scalar_is_const(&off->s);
	int64_t val = (int64_t)scalar_const(&off->s);
	switch (op) {
	case BPF_ADD:
		if (known)
			res.off = (int32_t)((int64_t)ptr->off + val);
		else if (scalar_alu(&res.s, &off->s, BPF_ADD, true, false))
			scalar_mark_unknown(&res.s);
		break;
	case BPF_SUB:
		if (dst_is_off)
			return verr(env, -EACCES, "R%d tried to subtract pointer from scalar", dst);
		if (BASE_TYPE(ptr->type) == PTR_TO_STACK)
			return verr(env, -EACCES, "R%d subtraction from stack pointer prohibited", dst);
		if (known)
			res.off = (int32_t)((int64_t)ptr->off - val);
		else if (scalar_alu(&res.s, &off->s, BPF_SUB, true, false))
			scalar_mark_unknown(&res.s);
		break;
	case BPF_AND: case BPF_OR: case BPF_XOR:
		return verr(env, -EACCES, "R%d bitwise operator %s on pointer prohibited", dst, alu_str[op >> 4]);
	default:
		return verr(env, -EACCES, "R%d pointer arithmetic with %s operator prohibited", dst,
			    alu_str[op >> 4]);
	}
	if ((err = sane_offset(env, &res, ptr->type)))
		return err;
	*d = res;
	return 0;
}

static int check_mov(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f, bool is64)
{
	struct sbpf_func_state *fr = cur_frame(env);
	struct sbpf_reg *d = &fr->regs[in->dst];
	uint8_t shape = sbpf_opinfo[f].shape;
	if (shape == S_ALU_K) {
		if (is64)
			reg_mark_known(d, (uint64_t)(int64_t)in->imm);
		else
			reg_mark_known(d, (uint32_t)in->imm);
		return 0;
	}
	int err = check_reg_read(env, in->src);
	if (err)
		return err;
	struct sbpf_reg src = fr->regs[in->src];
	if (shape == S_MOVSX) {
		struct sbpf_reg res;
		reg_mark_unknown(&res);
		if (src.type == SCALAR_VALUE)
			scalar_movsx(&res.s, &src.s, in->off / 8, is64);
		*d = res;
		return 0;
	}
	if (is64) {
		/* r2 = r1 links two unknown scalars: what a branch learns about
		 * one holds for the other (Linux's scalar ids) */
		if (src.type == SCALAR_VALUE && !src.id && !scalar_is_const(&src.s))
			src.id = fr->regs[in->src].id = ++env->id_gen;
		*d = src;
		return 0;
	}
	/* w = w: the low half of a pointer is a meaningless scalar */
	if (src.type != SCALAR_VALUE) {
		reg_mark_unknown(d);
	} else {
		*d = src;
		d->id = 0;
	}
	scalar_zext32(&d->s);
	return 0;
}

static int check_unary(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f, bool is64)
{
	struct sbpf_reg *d = &cur_frame(env)->regs[in->dst];
	if (d->type != SCALAR_VALUE) {
		reg_mark_unknown(d);
		if (!is64)
			scalar_zext32(&d->s);
		return 0;
	}
	d->id = 0;
	if (sbpf_opinfo[f].shape == S_NEG) {
		struct sbpf_scalar zero;
		scalar_mark_known(&zero, 0);
		if (scalar_alu(&zero, &d->s, BPF_SUB, is64, false))
			scalar_mark_unknown(&zero);
		d->s = zero;
		if (!is64)
			scalar_zext32(&d->s);
		return 0;
	}
	/* le (0xd4) never swaps on a little-endian machine; be and bswap do */
	scalar_bswap(&d->s, in->imm, in->code != 0xd4);
	return 0;
}

int check_alu(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f)
{
	struct sbpf_func_state *fr = cur_frame(env);
	uint8_t shape = sbpf_opinfo[f].shape, op = SBPF_OP(in->code);
	bool is64 = SBPF_CLASS(in->code) == SBPF_ALU64;
	int err;

	mark_reg_scratched(env, in->dst);
	if (op == BPF_MOV)
		return check_mov(env, in, f, is64);
	if ((err = check_reg_read(env, in->dst)))
		return err;
	if (shape == S_NEG || shape == S_END)
		return check_unary(env, in, f, is64);

	if (shape == S_ALU_K) {
		if ((op == BPF_DIV || op == BPF_MOD) && in->imm == 0)
			return verr(env, -EINVAL, "div by zero");
		if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
		    (in->imm < 0 || in->imm >= (is64 ? 64 : 32)))
			return verr(env, -EINVAL, "invalid shift %d", in->imm);
	} else if ((err = check_reg_read(env, in->src))) {
		return err;
	}

	struct sbpf_reg dst = fr->regs[in->dst], src;
	if (shape == S_ALU_K)
		reg_mark_known(&src, (uint64_t)(int64_t)in->imm);
	else
		src = fr->regs[in->src];

	if (dst.type != SCALAR_VALUE && src.type != SCALAR_VALUE) {
		if (op == BPF_SUB) {
			reg_mark_unknown(&fr->regs[in->dst]);
			if (!is64)
				scalar_zext32(&fr->regs[in->dst].s);
			return 0;
		}
		return verr(env, -EACCES, "R%d pointer %s pointer prohibited", in->dst, alu_str[op >> 4]);
	}
	if (dst.type != SCALAR_VALUE)
		return adjust_ptr(env, in->dst, op, is64, &dst, &src, false);
	if (src.type != SCALAR_VALUE)
		return adjust_ptr(env, in->dst, op, is64, &src, &dst, true);

	struct sbpf_reg *d = &fr->regs[in->dst];
	bool sdiv = (op == BPF_DIV || op == BPF_MOD) && in->off == 1;
	d->id = 0;
	if (scalar_alu(&d->s, &src.s, op, is64, sdiv)) {
		scalar_mark_unknown(&d->s);
		if (!is64)
			scalar_zext32(&d->s);
	}
	return 0;
}
