/* scalar_branch.c - conditional jumps on two scalars, as Linux 6.18:
 * is_scalar_branch_taken (is the outcome decided by the bounds?) and
 * regs_refine_cond_op + reg_set_min_max (what each side of the jump learns
 * about both operands). */
#include "verifier/scalar.h"

enum {
	J_EQ = 0x10, J_GT = 0x20, J_GE = 0x30, J_SET = 0x40, J_NE = 0x50, J_SGT = 0x60,
	J_SGE = 0x70, J_LT = 0xa0, J_LE = 0xb0, J_SLT = 0xc0, J_SLE = 0xd0,
	J_NSET = 0x48,          /* "not JSET": the fall-through of JSET (BPF_JSET | BPF_X) */
};

static bool is_const(const struct sbpf_scalar *s, bool is32)
{
	return tnum_is_const(is32 ? tnum_subreg(s->var_off) : s->var_off);
}

static uint64_t const_val(const struct sbpf_scalar *s, bool is32)
{
	return is32 ? (uint32_t)s->var_off.value : s->var_off.value;
}

/* Operand bounds in the jump's width, widened to 64 bits. */
struct view {
	struct tnum t;
	uint64_t umin, umax;
	int64_t smin, smax;
};

static struct view view_of(const struct sbpf_scalar *s, bool is32)
{
	struct view v;

	if (is32) {
		v.t = tnum_subreg(s->var_off);
		v.umin = s->u32_min;
		v.umax = s->u32_max;
		v.smin = s->s32_min;
		v.smax = s->s32_max;
	} else {
		v.t = s->var_off;
		v.umin = s->umin;
		v.umax = s->umax;
		v.smin = s->smin;
		v.smax = s->smax;
	}
	return v;
}

/* Equality impossible? (the JEQ-false / JNE-true test) */
static bool never_equal(const struct sbpf_scalar *r1, const struct sbpf_scalar *r2,
			const struct view *a, const struct view *b, bool is32)
{
	if (!tnum_overlap(a->t, b->t))
		return true;
	if (a->umin > b->umax || a->umax < b->umin)
		return true;
	if (a->smin > b->smax || a->smax < b->smin)
		return true;
	if (!is32) {
		if (r1->u32_min > r2->u32_max || r1->u32_max < r2->u32_min)
			return true;
		if (r1->s32_min > r2->s32_max || r1->s32_max < r2->s32_min)
			return true;
	}
	return false;
}

int scalar_branch_taken(const struct sbpf_scalar *dst, const struct sbpf_scalar *src, uint8_t op, bool is64)
{
	bool is32 = !is64;
	struct view a = view_of(dst, is32), b = view_of(src, is32);

	switch (op & 0xf0) {
	case J_EQ:
		if (tnum_is_const(a.t) && tnum_is_const(b.t))
			return a.t.value == b.t.value;
		if (never_equal(dst, src, &a, &b, is32))
			return 0;
		break;
	case J_NE:
		if (tnum_is_const(a.t) && tnum_is_const(b.t))
			return a.t.value != b.t.value;
		if (never_equal(dst, src, &a, &b, is32))
			return 1;
		break;
	case J_SET:
		if (!is_const(src, is32)) {
			struct view tmp = a;

			if (!is_const(dst, is32))
				return -1;
			a = b;
			b = tmp;
		}
		if ((~a.t.mask & a.t.value) & b.t.value)
			return 1;
		if (!((a.t.mask | a.t.value) & b.t.value))
			return 0;
		break;
	case J_GT:
		if (a.umin > b.umax)
			return 1;
		if (a.umax <= b.umin)
			return 0;
		break;
	case J_SGT:
		if (a.smin > b.smax)
			return 1;
		if (a.smax <= b.smin)
			return 0;
		break;
	case J_LT:
		if (a.umax < b.umin)
			return 1;
		if (a.umin >= b.umax)
			return 0;
		break;
	case J_SLT:
		if (a.smax < b.smin)
			return 1;
		if (a.smin >= b.smax)
			return 0;
		break;
	case J_GE:
		if (a.umin >= b.umax)
			return 1;
		if (a.umax < b.umin)
			return 0;
		break;
	case J_SGE:
		if (a.smin >= b.smax)
			return 1;
		if (a.smax < b.smin)
			return 0;
		break;
	case J_LE:
		if (a.umax <= b.umin)
			return 1;
		if (a.umin > b.umax)
			return 0;
		break;
	case J_SLE:
		if (a.smax <= b.smin)
			return 1;
		if (a.smin > b.smax)
			return 0;
		break;
	}
	return -1;
}

int scalar_branch_taken_same(const struct sbpf_scalar *reg, uint8_t op, bool is64)
{
	return scalar_branch_taken(reg, reg, op, is64);
}

/* The condition that holds on the fall-through side. */
static uint8_t rev_op(uint8_t op)
{
	switch (op) {
	case J_EQ: return J_NE;
	case J_NE: return J_EQ;
	case J_SET: return J_NSET;
	case J_NSET: return J_SET;
	case J_GT: return J_LE;
	case J_LE: return J_GT;
	case J_GE: return J_LT;
	case J_LT: return J_GE;
	case J_SGT: return J_SLE;
	case J_SLE: return J_SGT;
	case J_SGE: return J_SLT;
	case J_SLT: return J_SGE;
	}
	return op;
}

/* The same condition with the operands swapped. */
static uint8_t flip_op(uint8_t op)
{
	switch (op) {
	case J_GT: return J_LT;
	case J_GE: return J_LE;
	case J_SGT: return J_SLT;
	case J_SGE: return J_SLE;
	}
	return op;
}

static void swap_regs(struct sbpf_scalar **a, struct sbpf_scalar **b)
{
	struct sbpf_scalar *t = *a;

	*a = *b;
	*b = t;
}

static uint64_t u64min(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t u64max(uint64_t a, uint64_t b) { return a > b ? a : b; }
static int64_t s64min(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t s64max(int64_t a, int64_t b) { return a > b ? a : b; }
static uint32_t u32min(uint32_t a, uint32_t b) { return a < b ? a : b; }
static uint32_t u32max(uint32_t a, uint32_t b) { return a > b ? a : b; }
static int32_t s32min(int32_t a, int32_t b) { return a < b ? a : b; }
static int32_t s32max(int32_t a, int32_t b) { return a > b ? a : b; }

/* __mark_reg_unbounded: all eight bounds to their type's limits. */
static void unbound(struct sbpf_scalar *s)
{
	s->smin = INT64_MIN;
	s->smax = INT64_MAX;
	s->umin = 0;
	s->umax = UINT64_MAX;
	s->s32_min = INT32_MIN;
	s->s32_max = INT32_MAX;
	s->u32_min = 0;
	s->u32_max = UINT32_MAX;
}

/* regs_refine_cond_op: make r1 OP r2 hold on both registers. Like the
 * kernel, a ±1 at a type's edge wraps; such a side is then contradictory
 * (empty) and reported by the sanity check. */
static void refine(struct sbpf_scalar *r1, struct sbpf_scalar *r2, uint8_t op, bool is32)
{
	struct tnum t;
	uint64_t val;

	if (op == J_GE || op == J_GT || op == J_SGE || op == J_SGT) {
		op = flip_op(op);
		swap_regs(&r1, &r2);
	}
	switch (op) {
	case J_EQ:
		if (is32) {
			r1->u32_min = u32max(r1->u32_min, r2->u32_min);
			r1->u32_max = u32min(r1->u32_max, r2->u32_max);
			r1->s32_min = s32max(r1->s32_min, r2->s32_min);
			r1->s32_max = s32min(r1->s32_max, r2->s32_max);
			r2->u32_min = r1->u32_min;
			r2->u32_max = r1->u32_max;
			r2->s32_min = r1->s32_min;
			r2->s32_max = r1->s32_max;
			t = tnum_intersect(tnum_subreg(r1->var_off), tnum_subreg(r2->var_off));
			r1->var_off = tnum_with_subreg(r1->var_off, t);
			r2->var_off = tnum_with_subreg(r2->var_off, t);
		} else {
			r1->umin = u64max(r1->umin, r2->umin);
			r1->umax = u64min(r1->umax, r2->umax);
			r1->smin = s64max(r1->smin, r2->smin);
			r1->smax = s64min(r1->smax, r2->smax);
			r2->umin = r1->umin;
			r2->umax = r1->umax;
			r2->smin = r1->smin;
			r2->smax = r1->smax;
			r1->var_off = tnum_intersect(r1->var_off, r2->var_off);
			r2->var_off = r1->var_off;
		}
		break;
	case J_NE:
		if (!is_const(r2, is32))
			swap_regs(&r1, &r2);
		if (!is_const(r2, is32))
			break;
		val = const_val(r2, is32);
		/* a constant at the edge of r1's range moves the edge */
		if (is32) {
			if (r1->u32_min == (uint32_t)val)
				r1->u32_min++;
			if (r1->u32_max == (uint32_t)val)
				r1->u32_max--;
			if (r1->s32_min == (int32_t)(uint32_t)val)
				r1->s32_min = (int32_t)((uint32_t)r1->s32_min + 1);
			if (r1->s32_max == (int32_t)(uint32_t)val)
				r1->s32_max = (int32_t)((uint32_t)r1->s32_max - 1);
		} else {
			if (r1->umin == val)
				r1->umin++;
			if (r1->umax == val)
				r1->umax--;
			if (r1->smin == (int64_t)val)
				r1->smin = (int64_t)((uint64_t)r1->smin + 1);
			if (r1->smax == (int64_t)val)
				r1->smax = (int64_t)((uint64_t)r1->smax - 1);
		}
		break;
	case J_SET:
		if (!is_const(r2, is32))
			swap_regs(&r1, &r2);
		if (!is_const(r2, is32))
			break;
		val = const_val(r2, is32);
		/* "r1 & val" is non-zero: only a single bit says which bit */
		if (!val || (val & (val - 1)))
			break;
		if (is32) {
			t = tnum_or(tnum_subreg(r1->var_off), tnum_const(val));
			r1->var_off = tnum_with_subreg(r1->var_off, t);
		} else {
			r1->var_off = tnum_or(r1->var_off, tnum_const(val));
		}
		break;
	case J_NSET:
		if (!is_const(r2, is32))
			swap_regs(&r1, &r2);
		if (!is_const(r2, is32))
			break;
		val = const_val(r2, is32);
		/* as 6.18: forget the ranges before narrowing the tnum, so a
		 * dead branch cannot produce contradicting bounds */
		unbound(r1);
		if (is32) {
			t = tnum_and(tnum_subreg(r1->var_off), tnum_const(~val));
			r1->var_off = tnum_with_subreg(r1->var_off, t);
		} else {
			r1->var_off = tnum_and(r1->var_off, tnum_const(~val));
		}
		break;
	case J_LE:
		if (is32) {
			r1->u32_max = u32min(r1->u32_max, r2->u32_max);
			r2->u32_min = u32max(r1->u32_min, r2->u32_min);
		} else {
			r1->umax = u64min(r1->umax, r2->umax);
			r2->umin = u64max(r1->umin, r2->umin);
		}
		break;
	case J_LT:
		if (is32) {
			r1->u32_max = u32min(r1->u32_max, r2->u32_max - 1);
			r2->u32_min = u32max(r1->u32_min + 1, r2->u32_min);
		} else {
			r1->umax = u64min(r1->umax, r2->umax - 1);
			r2->umin = u64max(r1->umin + 1, r2->umin);
		}
		break;
	case J_SLE:
		if (is32) {
			r1->s32_max = s32min(r1->s32_max, r2->s32_max);
			r2->s32_min = s32max(r1->s32_min, r2->s32_min);
		} else {
			r1->smax = s64min(r1->smax, r2->smax);
			r2->smin = s64max(r1->smin, r2->smin);
		}
		break;
	case J_SLT:
		if (is32) {
			r1->s32_max = s32min(r1->s32_max, (int32_t)((uint32_t)r2->s32_max - 1));
			r2->s32_min = s32max((int32_t)((uint32_t)r1->s32_min + 1), r2->s32_min);
		} else {
			r1->smax = s64min(r1->smax, (int64_t)((uint64_t)r2->smax - 1));
			r2->smin = s64max((int64_t)((uint64_t)r1->smin + 1), r2->smin);
		}
		break;
	}
}

/* On a contradiction the kernel logs "REG INVARIANTS VIOLATION" and resets
 * the bounds (__mark_reg_unbounded, var_off kept); we do the same and tell
 * the caller. */
static bool check_sane(struct sbpf_scalar *s)
{
	if (scalar_is_sane(s))
		return true;
	unbound(s);
	return false;
}

int scalar_refine_same(struct sbpf_scalar *true_reg, struct sbpf_scalar *false_reg,
		       const struct sbpf_scalar *reg, uint8_t op, bool is64)
{
	bool ok = true;

	op &= 0xf0;
	*true_reg = *reg;
	*false_reg = *reg;
	refine(false_reg, false_reg, rev_op(op), !is64);
	scalar_sync(false_reg);
	refine(true_reg, true_reg, op, !is64);
	scalar_sync(true_reg);
	ok &= check_sane(true_reg);
	ok &= check_sane(false_reg);
	return ok ? 0 : -1;
}

int scalar_refine(struct sbpf_scalar *true_dst, struct sbpf_scalar *true_src,
		  struct sbpf_scalar *false_dst, struct sbpf_scalar *false_src,
		  const struct sbpf_scalar *dst, const struct sbpf_scalar *src, uint8_t op, bool is64)
{
	bool ok = true;

	op &= 0xf0;
	*true_dst = *dst;
	*true_src = *src;
	*false_dst = *dst;
	*false_src = *src;

	refine(false_dst, false_src, rev_op(op), !is64);
	scalar_sync(false_dst);
	scalar_sync(false_src);
	refine(true_dst, true_src, op, !is64);
	scalar_sync(true_dst);
	scalar_sync(true_src);

	ok &= check_sane(true_dst);
	ok &= check_sane(true_src);
	ok &= check_sane(false_dst);
	ok &= check_sane(false_src);
	return ok ? 0 : -1;
}
