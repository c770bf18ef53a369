/* check_alu.c - ALU instructions on abstract registers (Linux's check_alu_op,
 * adjust_reg_min_max_vals, adjust_ptr_min_max_vals), for a privileged loader:
 * scalars go through the numeric domain of scalar.h; pointers accept + and -
 * of scalars with Linux's rules and messages; anything else that mixes a
 * pointer in either yields an unknown scalar (pointer leaks are allowed to
 * CAP_BPF) or is refused with the kernel's words. */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdint.h>
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

int reg_width(const struct sbpf_reg *r)
{
	return r->s.umax ? 64 - __builtin_clzll(r->s.umax) : 0;
}

void reg_clear_scalar_id(struct sbpf_reg *r)
{
	r->id = 0;
	r->off = 0;
}

void assign_scalar_id_before_mov(struct sbpf_env *env, struct sbpf_reg *r)
{
	if (r->type != SCALAR_VALUE)
		return;
	if (r->id & SBPF_ADD_CONST)
		reg_clear_scalar_id(r);
	if (!r->id && !scalar_is_const(&r->s))
		r->id = ++env->id_gen;
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
	if (!scalar_is_sane(&off->s)) {
		/* bounds from a dead branch: a meaningless scalar, as Linux */
		reg_mark_unknown(d);
		return 0;
	}
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
	bool known = scalar_is_const(&off->s);
	int64_t val = (int64_t)scalar_const(&off->s);
	switch (BASE_TYPE(ptr->type)) {
	case PTR_TO_CTX: case PTR_TO_STACK: case PTR_TO_MEM: case PTR_TO_MAP_VALUE: case PTR_TO_MAP_KEY:
	case PTR_TO_PACKET: case PTR_TO_PACKET_META: case PTR_TO_FUNC:
		break;
	case CONST_PTR_TO_MAP:
		if (known && val == 0 && op == BPF_ADD)
			break;
		/* fall through */
	default:
		return verr(env, -EACCES, "R%d pointer arithmetic on %s prohibited", dst, reg_type_str(ptr->type));
	}
	int err = sane_offset(env, off, ptr->type);
	if (!err)
		err = sane_offset(env, ptr, ptr->type);
	if (err)
		return err;
	struct sbpf_reg res = *ptr;
	bool pkt = BASE_TYPE(ptr->type) == PTR_TO_PACKET || BASE_TYPE(ptr->type) == PTR_TO_PACKET_META;
	switch (op) {
	case BPF_ADD:
		if (known) {
			res.off = (int32_t)((int64_t)ptr->off + val);
			break;
		}
		if (scalar_alu(&res.s, &off->s, BPF_ADD, true, false))
			scalar_mark_unknown(&res.s);
		if (pkt) {
			/* a new variable offset: a new packet base without range */
			res.id = ++env->id_gen;
			res.mem_size = 0;
		}
		break;
	case BPF_SUB:
		if (dst_is_off)
			return verr(env, -EACCES, "R%d tried to subtract pointer from scalar", dst);
		if (BASE_TYPE(ptr->type) == PTR_TO_STACK)
			return verr(env, -EACCES, "R%d subtraction from stack pointer prohibited", dst);
		if (known) {
			res.off = (int32_t)((int64_t)ptr->off - val);
			break;
		}
		if (scalar_alu(&res.s, &off->s, BPF_SUB, true, false))
			scalar_mark_unknown(&res.s);
		if (pkt) {
			/* the range stays good when the subtrahend is >= 0 */
			res.id = ++env->id_gen;
			if (off->s.smin < 0)
				res.mem_size = 0;
		}
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
		assign_scalar_id_before_mov(env, &fr->regs[in->src]);
		*d = fr->regs[in->src];
		return 0;
	}
	/* w = w: the low half of a pointer is a meaningless scalar */
	if (src.type != SCALAR_VALUE) {
		reg_mark_unknown(d);
		scalar_zext32(&d->s);
		scalar_sync(&d->s);
		return 0;
	}
	/* a value that fits in 32 bits stays linked to its source */
	bool fits = reg_width(&src) <= 32;
	if (fits)
		assign_scalar_id_before_mov(env, &fr->regs[in->src]);
	*d = fr->regs[in->src];
	if (!fits)
		reg_clear_scalar_id(d);
	scalar_alu(&d->s, &src.s, BPF_MOV, false, false);   /* zero-extend, re-sync */
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
	reg_clear_scalar_id(d);
	if (sbpf_opinfo[f].shape == S_NEG) {
		struct sbpf_scalar v = d->s;
		if (scalar_alu(&d->s, &v, BPF_NEG, is64, false))
			scalar_mark_unknown(&d->s);
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
	struct sbpf_scalar zero;
	if ((op == BPF_AND || op == BPF_OR) && scalar_is_const(&src.s)) {
		bool wide = d->s.smin == -1 && d->s.smax == 0;
		if (scalar_fork_sign_mask(&d->s, &zero, &src.s, op)) {
			/* 6.18's maybe_fork_scalars: a [-1, 0] register goes on
			 * as -1; the 0 case re-executes this instruction */
			struct sbpf_reg keep = *d;
			if (wide)
				reg_clear_scalar_id(&keep);
			d->s = zero;
			err = push_stack(env, env->insn_idx, env->insn_idx, &env->cur);
			*d = keep;
			if (err)
				return err;
		}
	}
	uint32_t id = d->id;
	bool fits32 = reg_width(d) <= 32;
	/* not tracked (div, mod, variable shifts): unknown in all 64 bits, even
	 * for a 32-bit op, as 6.18 leaves it (`w7 s/= w7 ; R7=scalar()`) */
	if (scalar_alu(&d->s, &src.s, op, is64, sdiv))
		scalar_mark_unknown(&d->s);
	/* r8 = r7; r8 += K (or -= K, 64- or 32-bit when r8 fits in 32 bits)
	 * keeps the link with a delta: once, and only for a delta in s32 */
	struct tnum sv = is64 ? src.s.var_off : tnum_subreg(src.s.var_off);
	if ((op == BPF_ADD || op == BPF_SUB) && id && tnum_is_const(sv) && !(id & SBPF_ADD_CONST) &&
	    (is64 || fits32)) {
		int64_t val = is64 ? (int64_t)sv.value : (int64_t)(int32_t)(uint32_t)sv.value;
		if (val < INT32_MIN || val > INT32_MAX || (op == BPF_SUB && val == INT32_MIN)) {
			reg_clear_scalar_id(d);
		} else {
			d->id = id | (is64 ? SBPF_ADD_CONST64 : SBPF_ADD_CONST32);
			d->off = (int32_t)(op == BPF_SUB ? -val : val);
		}
	} else {
		reg_clear_scalar_id(d);
	}
	return 0;
}
