/* scalar.c - the scalar abstract domain: marking, reg_bounds_sync (the
 * tnum <-> 64-bit <-> 32-bit deductions) and the ALU transfer functions of
 * adjust_scalar_min_max_vals, movsx and loads, as Linux 6.18 computes them.
 *
 * As in 6.18, these produce a fully unknown result (scalar_alu returns -1):
 * DIV and MOD (range tracking for them landed after 6.18) and shifts whose
 * amount is not a constant below the operation's width. */
#include "verifier/scalar.h"

#define U32_MAX UINT32_MAX
#define U64_MAX UINT64_MAX
#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX
#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX

enum {
	OP_ADD = 0x00, OP_SUB = 0x10, OP_MUL = 0x20, OP_DIV = 0x30, OP_OR = 0x40,
	OP_AND = 0x50, OP_LSH = 0x60, OP_RSH = 0x70, OP_NEG = 0x80, OP_MOD = 0x90,
	OP_XOR = 0xa0, OP_MOV = 0xb0, OP_ARSH = 0xc0, OP_END = 0xd0,
};

static inline uint64_t umin64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t umax64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline int64_t smin64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t smax64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline uint32_t umin32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t umax32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static inline int32_t smin32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline int32_t smax32(int32_t a, int32_t b) { return a > b ? a : b; }

/* ---- marking ------------------------------------------------------------ */

void scalar_mark_known(struct sbpf_scalar *s, uint64_t v)
{
	s->var_off = tnum_const(v);
	s->smin = s->smax = (int64_t)v;
	s->umin = s->umax = v;
	s->s32_min = s->s32_max = (int32_t)(uint32_t)v;
	s->u32_min = s->u32_max = (uint32_t)v;
}

static void mark64_unbounded(struct sbpf_scalar *s)
{
	s->smin = S64_MIN;
	s->smax = S64_MAX;
	s->umin = 0;
	s->umax = U64_MAX;
}

static void mark32_unbounded(struct sbpf_scalar *s)
{
	s->s32_min = S32_MIN;
	s->s32_max = S32_MAX;
	s->u32_min = 0;
	s->u32_max = U32_MAX;
}

void scalar_mark_unknown(struct sbpf_scalar *s)
{
	s->var_off = tnum_unknown();
	mark64_unbounded(s);
	mark32_unbounded(s);
}

/* __mark_reg32_known: the subregister becomes v; the upper half of var_off
 * and the 64-bit bounds are left as they are (a later sync reconciles). */
void scalar_mark_known32(struct sbpf_scalar *s, uint32_t v)
{
	s->var_off = tnum_const_subreg(s->var_off, v);
	s->s32_min = s->s32_max = (int32_t)v;
	s->u32_min = s->u32_max = v;
}

bool scalar_is_const(const struct sbpf_scalar *s) { return tnum_is_const(s->var_off); }
uint64_t scalar_const(const struct sbpf_scalar *s) { return s->var_off.value; }

/* ---- reg_bounds_sync ------------------------------------------------------ */

static void update_bounds32(struct sbpf_scalar *s)
{
	struct tnum t = tnum_subreg(s->var_off);

	s->s32_min = smax32(s->s32_min, (int32_t)(uint32_t)(t.value | (t.mask & 0x80000000u)));
	s->s32_max = smin32(s->s32_max, (int32_t)(uint32_t)(t.value | (t.mask & 0x7fffffffu)));
	s->u32_min = umax32(s->u32_min, (uint32_t)t.value);
	s->u32_max = umin32(s->u32_max, (uint32_t)(t.value | t.mask));
}

static void update_bounds64(struct sbpf_scalar *s)
{
	struct tnum t = s->var_off;
	uint64_t next, tmax = t.value | t.mask;
	bool umin_in;

	s->smin = smax64(s->smin, (int64_t)(t.value | (t.mask & (1ULL << 63))));
	s->smax = smin64(s->smax, (int64_t)(t.value | (t.mask & ~(1ULL << 63))));
	s->umin = umax64(s->umin, t.value);
	s->umax = umin64(s->umax, tmax);

	/* the u64 range and the tnum may share a single value: a constant */
	next = tnum_step(t, s->umin);
	umin_in = (s->umin & ~t.mask) == t.value;
	if (umin_in && next > s->umax)
		scalar_mark_known(s, s->umin);          /* only umin */
	else if (!umin_in && next == tmax)
		scalar_mark_known(s, tmax);             /* only the tnum's largest */
	else if (!umin_in && next <= s->umax && tnum_step(t, next) > s->umax)
		scalar_mark_known(s, next);             /* one member inside */
}

static void update_bounds(struct sbpf_scalar *s)
{
	update_bounds32(s);
	update_bounds64(s);
}

/* 64-bit bounds -> 32-bit bounds, and u32 <-> s32. */
static void deduce_bounds32(struct sbpf_scalar *s)
{
	/* same upper 32 bits over the whole u64 range: low halves form a range */
	if ((s->umin >> 32) == (s->umax >> 32)) {
		s->u32_min = umax32(s->u32_min, (uint32_t)s->umin);
		s->u32_max = umin32(s->u32_max, (uint32_t)s->umax);
		if ((int32_t)s->umin <= (int32_t)s->umax) {
			s->s32_min = smax32(s->s32_min, (int32_t)s->umin);
			s->s32_max = smin32(s->s32_max, (int32_t)s->umax);
		}
	}
	if (((uint64_t)s->smin >> 32) == ((uint64_t)s->smax >> 32)) {
		if ((uint32_t)s->smin <= (uint32_t)s->smax) {
			s->u32_min = umax32(s->u32_min, (uint32_t)s->smin);
			s->u32_max = umin32(s->u32_max, (uint32_t)s->smax);
		}
		if ((int32_t)s->smin <= (int32_t)s->smax) {
			s->s32_min = smax32(s->s32_min, (int32_t)s->smin);
			s->s32_max = smin32(s->s32_max, (int32_t)s->smax);
		}
	}
	/* upper halves are two consecutive numbers and the low halves go from
	 * negative to non-negative: still one s32 range */
	if ((uint32_t)(s->umin >> 32) + 1 == (uint32_t)(s->umax >> 32) &&
	    (int32_t)s->umin < 0 && (int32_t)s->umax >= 0) {
		s->s32_min = smax32(s->s32_min, (int32_t)s->umin);
		s->s32_max = smin32(s->s32_max, (int32_t)s->umax);
	}
	if ((uint32_t)((uint64_t)s->smin >> 32) + 1 == (uint32_t)((uint64_t)s->smax >> 32) &&
	    (int32_t)s->smin < 0 && (int32_t)s->smax >= 0) {
		s->s32_min = smax32(s->s32_min, (int32_t)s->smin);
		s->s32_max = smin32(s->s32_max, (int32_t)s->smax);
	}
	/* u32 range on one side of the sign bit is also an s32 range */
	if ((int32_t)s->u32_min <= (int32_t)s->u32_max) {
		s->s32_min = smax32(s->s32_min, (int32_t)s->u32_min);
		s->s32_max = smin32(s->s32_max, (int32_t)s->u32_max);
	}
	if ((uint32_t)s->s32_min <= (uint32_t)s->s32_max) {
		s->u32_min = umax32((uint32_t)s->s32_min, s->u32_min);
		s->u32_max = umin32((uint32_t)s->s32_max, s->u32_max);
	} else {
		/* as for 64 bits below: the s32 range wraps across the u32
		 * ends; a u32 range meeting one piece only shrinks both */
		if (s->u32_max < (uint32_t)s->s32_min) {
			s->s32_min = (int32_t)s->u32_min;
			s->u32_max = umin32(s->u32_max, (uint32_t)s->s32_max);
		} else if ((uint32_t)s->s32_max < s->u32_min) {
			s->s32_max = (int32_t)s->u32_max;
			s->u32_min = umax32(s->u32_min, (uint32_t)s->s32_min);
		}
	}
}

/* u64 <-> s64. */
static void deduce_bounds64(struct sbpf_scalar *s)
{
	if ((int64_t)s->umin <= (int64_t)s->umax) {
		s->smin = smax64(s->smin, (int64_t)s->umin);
		s->smax = smin64(s->smax, (int64_t)s->umax);
	}
	if ((uint64_t)s->smin <= (uint64_t)s->smax) {
		s->umin = umax64((uint64_t)s->smin, s->umin);
		s->umax = umin64((uint64_t)s->smax, s->umax);
	} else {
		/* the s64 range wraps across the u64 ends; if the u64 range
		 * meets only one of its two pieces, both shrink to that piece */
		if (s->umax < (uint64_t)s->smin) {
			s->smin = (int64_t)s->umin;
			s->umax = umin64(s->umax, (uint64_t)s->smax);
		} else if ((uint64_t)s->smax < s->umin) {
			s->smax = (int64_t)s->umax;
			s->umin = umax64(s->umin, (uint64_t)s->smin);
		}
	}
}

/* 32-bit bounds -> 64-bit bounds. */
static void deduce_mixed_bounds(struct sbpf_scalar *s)
{
	uint64_t nu_min, nu_max;
	int64_t ns_min, ns_max;
	const uint64_t hi = ~0xffffffffULL;

	nu_min = (s->umin & hi) | s->u32_min;
	nu_max = (s->umax & hi) | s->u32_max;
	s->umin = umax64(s->umin, nu_min);
	s->umax = umin64(s->umax, nu_max);
	ns_min = (int64_t)(((uint64_t)s->smin & hi) | s->u32_min);
	ns_max = (int64_t)(((uint64_t)s->smax & hi) | s->u32_max);
	s->smin = smax64(s->smin, ns_min);
	s->smax = smin64(s->smax, ns_max);

	if ((uint32_t)s->s32_min <= (uint32_t)s->s32_max) {
		nu_min = (s->umin & hi) | (uint32_t)s->s32_min;
		nu_max = (s->umax & hi) | (uint32_t)s->s32_max;
		s->umin = umax64(s->umin, nu_min);
		s->umax = umin64(s->umax, nu_max);
		ns_min = (int64_t)(((uint64_t)s->smin & hi) | (uint32_t)s->s32_min);
		ns_max = (int64_t)(((uint64_t)s->smax & hi) | (uint32_t)s->s32_max);
		s->smin = smax64(s->smin, ns_min);
		s->smax = smin64(s->smax, ns_max);
	}

	/* after a sign-extending load: the value is in [S32_MIN, S32_MAX] and
	 * its low half is non-negative, so the upper half cannot be all ones */
	if (s->s32_min >= 0 && s->smin >= S32_MIN && s->smax <= S32_MAX) {
		s->smin = s->s32_min;
		s->smax = s->s32_max;
		s->umin = (uint64_t)s->s32_min;
		s->umax = (uint64_t)s->s32_max;
		s->var_off = tnum_intersect(s->var_off,
					    tnum_range((uint64_t)s->smin, (uint64_t)s->smax));
	}
}

static void deduce_bounds(struct sbpf_scalar *s)
{
	deduce_bounds32(s);
	deduce_bounds64(s);
	deduce_mixed_bounds(s);
}

/* Known bits from the unsigned bounds. */
static void bound_offset(struct sbpf_scalar *s)
{
	struct tnum t64 = tnum_intersect(s->var_off, tnum_range(s->umin, s->umax));
	struct tnum t32 = tnum_intersect(tnum_subreg(t64), tnum_range(s->u32_min, s->u32_max));

	s->var_off = tnum_or(tnum_clear_subreg(t64), t32);
}

static bool scalar_same(const struct sbpf_scalar *a, const struct sbpf_scalar *b)
{
	return a->var_off.value == b->var_off.value && a->var_off.mask == b->var_off.mask &&
	       a->smin == b->smin && a->smax == b->smax && a->umin == b->umin && a->umax == b->umax &&
	       a->s32_min == b->s32_min && a->s32_max == b->s32_max && a->u32_min == b->u32_min &&
	       a->u32_max == b->u32_max;
}

/* states the whole sync leaves exactly as they are: a constant with every
 * bound equal to it (scalar_mark_known), and the fully unknown scalar */
static bool sync_is_noop(const struct sbpf_scalar *s)
{
	if (!s->var_off.mask) {
		uint64_t v = s->var_off.value;
		return s->umin == v && s->umax == v && s->smin == (int64_t)v && s->smax == (int64_t)v &&
		       s->u32_min == (uint32_t)v && s->u32_max == (uint32_t)v &&
		       s->s32_min == (int32_t)(uint32_t)v && s->s32_max == (int32_t)(uint32_t)v;
	}
	return !~s->var_off.mask && !s->var_off.value && s->umin == 0 && s->umax == U64_MAX &&
	       s->smin == S64_MIN && s->smax == S64_MAX && s->u32_min == 0 && s->u32_max == U32_MAX &&
	       s->s32_min == S32_MIN && s->s32_max == S32_MAX;
}

void scalar_sync(struct sbpf_scalar *s)
{
	if (sync_is_noop(s))
		return;
	update_bounds(s);
	/* three rounds, as 6.18.y; deduce_bounds is a function of the scalar
	 * alone, so once a round changes nothing the later ones would not */
	for (int round = 0; round < 3; round++) {
		struct sbpf_scalar prev = *s;
		deduce_bounds(s);
		if (scalar_same(&prev, s))
			break;
	}
	bound_offset(s);
	update_bounds(s);
}

bool scalar_is_sane(const struct sbpf_scalar *s)
{
	if (s->umin > s->umax || s->smin > s->smax || s->u32_min > s->u32_max ||
	    s->s32_min > s->s32_max)
		return false;
	if (tnum_is_const(s->var_off)) {
		uint64_t v = s->var_off.value;

		if (s->umin != v || s->umax != v || s->smin != (int64_t)v || s->smax != (int64_t)v)
			return false;
	}
	if (tnum_is_const(tnum_subreg(s->var_off))) {
		uint32_t v = (uint32_t)s->var_off.value;

		if (s->u32_min != v || s->u32_max != v || s->s32_min != (int32_t)v ||
		    s->s32_max != (int32_t)v)
			return false;
	}
	return true;
}

/* zext_32_to_64: the 64-bit view becomes the zero-extended subregister. */
void scalar_zext32(struct sbpf_scalar *s)
{
	s->var_off = tnum_subreg(s->var_off);
	s->umin = s->u32_min;
	s->umax = s->u32_max;
	if (s->s32_min >= 0 && s->s32_max >= 0) {
		s->smin = s->s32_min;
		s->smax = s->s32_max;
	} else {
		s->smin = 0;
		s->smax = U32_MAX;
	}
}

/* ---- ALU transfer functions ---------------------------------------------- */

static void add32(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	int32_t lo, hi;
	bool min_of, max_of;

	if (__builtin_add_overflow(d->s32_min, s->s32_min, &lo) ||
	    __builtin_add_overflow(d->s32_max, s->s32_max, &hi)) {
		d->s32_min = S32_MIN;
		d->s32_max = S32_MAX;
	} else {
		d->s32_min = lo;
		d->s32_max = hi;
	}
	/* all sums wrap or none does: the range stays contiguous */
	min_of = __builtin_add_overflow(d->u32_min, s->u32_min, &d->u32_min);
	max_of = __builtin_add_overflow(d->u32_max, s->u32_max, &d->u32_max);
	if (!min_of && max_of) {
		d->u32_min = 0;
		d->u32_max = U32_MAX;
	}
}

static void add64(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	int64_t lo, hi;
	bool min_of, max_of;

	if (__builtin_add_overflow(d->smin, s->smin, &lo) ||
	    __builtin_add_overflow(d->smax, s->smax, &hi)) {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	} else {
		d->smin = lo;
		d->smax = hi;
	}
	min_of = __builtin_add_overflow(d->umin, s->umin, &d->umin);
	max_of = __builtin_add_overflow(d->umax, s->umax, &d->umax);
	if (!min_of && max_of) {
		d->umin = 0;
		d->umax = U64_MAX;
	}
}

static void sub32(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	int32_t lo, hi;
	bool min_uf, max_uf;

	if (__builtin_sub_overflow(d->s32_min, s->s32_max, &lo) ||
	    __builtin_sub_overflow(d->s32_max, s->s32_min, &hi)) {
		d->s32_min = S32_MIN;
		d->s32_max = S32_MAX;
	} else {
		d->s32_min = lo;
		d->s32_max = hi;
	}
	min_uf = __builtin_sub_overflow(d->u32_min, s->u32_max, &d->u32_min);
	max_uf = __builtin_sub_overflow(d->u32_max, s->u32_min, &d->u32_max);
	if (min_uf && !max_uf) {
		d->u32_min = 0;
		d->u32_max = U32_MAX;
	}
}

static void sub64(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	int64_t lo, hi;
	bool min_uf, max_uf;

	if (__builtin_sub_overflow(d->smin, s->smax, &lo) ||
	    __builtin_sub_overflow(d->smax, s->smin, &hi)) {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	} else {
		d->smin = lo;
		d->smax = hi;
	}
	min_uf = __builtin_sub_overflow(d->umin, s->umax, &d->umin);
	max_uf = __builtin_sub_overflow(d->umax, s->umin, &d->umax);
	if (min_uf && !max_uf) {
		d->umin = 0;
		d->umax = U64_MAX;
	}
}

static void mul32(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	int32_t p[4];
	uint32_t lo, hi;

	if (__builtin_mul_overflow(d->u32_max, s->u32_max, &hi) ||
	    __builtin_mul_overflow(d->u32_min, s->u32_min, &lo)) {
		d->u32_min = 0;
		d->u32_max = U32_MAX;
	} else {
		d->u32_min = lo;
		d->u32_max = hi;
	}
	if (__builtin_mul_overflow(d->s32_min, s->s32_min, &p[0]) ||
	    __builtin_mul_overflow(d->s32_min, s->s32_max, &p[1]) ||
	    __builtin_mul_overflow(d->s32_max, s->s32_min, &p[2]) ||
	    __builtin_mul_overflow(d->s32_max, s->s32_max, &p[3])) {
		d->s32_min = S32_MIN;
		d->s32_max = S32_MAX;
	} else {
		d->s32_min = smin32(smin32(p[0], p[1]), smin32(p[2], p[3]));
		d->s32_max = smax32(smax32(p[0], p[1]), smax32(p[2], p[3]));
	}
}

static void mul64(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	int64_t p[4];
	uint64_t lo, hi;

	if (__builtin_mul_overflow(d->umax, s->umax, &hi) ||
	    __builtin_mul_overflow(d->umin, s->umin, &lo)) {
		d->umin = 0;
		d->umax = U64_MAX;
	} else {
		d->umin = lo;
		d->umax = hi;
	}
	if (__builtin_mul_overflow(d->smin, s->smin, &p[0]) ||
	    __builtin_mul_overflow(d->smin, s->smax, &p[1]) ||
	    __builtin_mul_overflow(d->smax, s->smin, &p[2]) ||
	    __builtin_mul_overflow(d->smax, s->smax, &p[3])) {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	} else {
		d->smin = smin64(smin64(p[0], p[1]), smin64(p[2], p[3]));
		d->smax = smax64(smax64(p[0], p[1]), smax64(p[2], p[3]));
	}
}

/* u32 result range -> s32 range when it does not cross the sign bit. */
static void s32_from_u32(struct sbpf_scalar *d)
{
	if ((int32_t)d->u32_min <= (int32_t)d->u32_max) {
		d->s32_min = (int32_t)d->u32_min;
		d->s32_max = (int32_t)d->u32_max;
	} else {
		d->s32_min = S32_MIN;
		d->s32_max = S32_MAX;
	}
}

static void s64_from_u64(struct sbpf_scalar *d)
{
	if ((int64_t)d->umin <= (int64_t)d->umax) {
		d->smin = (int64_t)d->umin;
		d->smax = (int64_t)d->umax;
	} else {
		d->smin = S64_MIN;
		d->smax = S64_MAX;
	}
}

/* and/or/xor: var_off already holds the result's tnum. */
static void bitop32(struct sbpf_scalar *d, const struct sbpf_scalar *s, uint8_t op)
{
	struct tnum t = tnum_subreg(d->var_off);

	if (tnum_is_const(tnum_subreg(s->var_off)) && tnum_is_const(t)) {
		scalar_mark_known32(d, (uint32_t)t.value);
		return;
	}
	if (op == OP_AND) {
		d->u32_min = (uint32_t)t.value;
		d->u32_max = umin32(d->u32_max, s->u32_max);
	} else if (op == OP_OR) {
		d->u32_min = umax32(d->u32_min, s->u32_min);
		d->u32_max = (uint32_t)(t.value | t.mask);
	} else {
		d->u32_min = (uint32_t)t.value;
		d->u32_max = (uint32_t)(t.value | t.mask);
	}
	s32_from_u32(d);
}

static void bitop64(struct sbpf_scalar *d, const struct sbpf_scalar *s, uint8_t op)
{
	struct tnum t = d->var_off;

	if (tnum_is_const(s->var_off) && tnum_is_const(t)) {
		scalar_mark_known(d, t.value);
		return;
	}
	if (op == OP_AND) {
		d->umin = t.value;
		d->umax = umin64(d->umax, s->umax);
	} else if (op == OP_OR) {
		d->umin = umax64(d->umin, s->umin);
		d->umax = t.value | t.mask;
	} else {
		d->umin = t.value;
		d->umax = t.value | t.mask;
	}
	s64_from_u64(d);
	update_bounds(d);
}

static void lsh32_bounds(struct sbpf_scalar *d, uint64_t umin_val, uint64_t umax_val)
{
	d->s32_min = S32_MIN;
	d->s32_max = S32_MAX;
	/* if the top bit might be shifted out, nothing is known */
	if (umax_val > 31 || d->u32_max > 1ULL << (31 - umax_val)) {
		d->u32_min = 0;
		d->u32_max = U32_MAX;
	} else {
		d->u32_min <<= umin_val;
		d->u32_max <<= umax_val;
	}
}

static void lsh32(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	struct tnum sub = tnum_subreg(d->var_off);

	lsh32_bounds(d, s->u32_min, s->u32_max);
	d->var_off = tnum_subreg(tnum_lshift(sub, (uint8_t)s->u32_min));
	mark64_unbounded(d);
	update_bounds32(d);
}

static void lsh64(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	uint64_t umin_val = s->umin, umax_val = s->umax;

	/* <<32 (the sign-extension idiom "<<32 s>>32") moves the s32 range
	 * up intact: no sign flips */
	if (umin_val == 32 && umax_val == 32) {
		d->smax = (int64_t)((uint64_t)(int64_t)d->s32_max << 32);
		d->smin = (int64_t)((uint64_t)(int64_t)d->s32_min << 32);
	} else {
		d->smax = S64_MAX;
		d->smin = S64_MIN;
	}
	if (d->umax > 1ULL << (63 - umax_val)) {
		d->umin = 0;
		d->umax = U64_MAX;
	} else {
		d->umin <<= umin_val;
		d->umax <<= umax_val;
	}
	lsh32_bounds(d, umin_val, umax_val);
	d->var_off = tnum_lshift(d->var_off, (uint8_t)umin_val);
	update_bounds(d);
}

static void rsh32(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	struct tnum sub = tnum_subreg(d->var_off);

	d->s32_min = S32_MIN;
	d->s32_max = S32_MAX;
	d->var_off = tnum_rshift(sub, (uint8_t)s->u32_min);
	d->u32_min >>= s->u32_max;
	d->u32_max >>= s->u32_min;
	mark64_unbounded(d);
	update_bounds32(d);
}

static void rsh64(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	d->smin = S64_MIN;
	d->smax = S64_MAX;
	d->var_off = tnum_rshift(d->var_off, (uint8_t)s->umin);
	d->umin >>= s->umax;
	d->umax >>= s->umin;
	mark32_unbounded(d);
	update_bounds(d);
}

static void arsh32(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	unsigned sh = s->u32_min;   /* constant: umin == umax */

	d->s32_min >>= sh;
	d->s32_max >>= sh;
	d->var_off = tnum_arshift(tnum_subreg(d->var_off), (uint8_t)sh, 32);
	d->u32_min = 0;
	d->u32_max = U32_MAX;
	mark64_unbounded(d);
	update_bounds32(d);
}

static void arsh64(struct sbpf_scalar *d, const struct sbpf_scalar *s)
{
	unsigned sh = (unsigned)s->umin;

	d->smin >>= sh;
	d->smax >>= sh;
	d->var_off = tnum_arshift(d->var_off, (uint8_t)sh, 64);
	d->umin = 0;
	d->umax = U64_MAX;
	mark32_unbounded(d);
	update_bounds(d);
}

/* is_safe_to_compute_dst_reg_range */
static bool computable(const struct sbpf_scalar *src, uint8_t op, bool is64)
{
	bool src_const;

	switch (op) {
	case OP_ADD: case OP_SUB: case OP_NEG: case OP_AND: case OP_XOR:
	case OP_OR: case OP_MUL: case OP_MOV:
		return true;
	case OP_LSH: case OP_RSH: case OP_ARSH:
		if (is64)
			src_const = tnum_is_const(src->var_off) && src->smin == src->smax &&
				    src->umin == src->umax;
		else
			src_const = tnum_is_const(tnum_subreg(src->var_off)) &&
				    src->s32_min == src->s32_max && src->u32_min == src->u32_max;
		return src_const && src->umax < (is64 ? 64u : 32u);
	default:
		return false;
	}
}

int scalar_alu(struct sbpf_scalar *dst, const struct sbpf_scalar *src, uint8_t op, bool is64, bool sdiv)
{
	struct sbpf_scalar s = *src, old;

	(void)sdiv;     /* 6.18 tracks neither signed nor unsigned div/mod */
	op &= 0xf0;
	if (!computable(&s, op, is64)) {
		scalar_mark_unknown(dst);
		return -1;
	}
	switch (op) {
	case OP_ADD:
		add32(dst, &s);
		add64(dst, &s);
		dst->var_off = tnum_add(dst->var_off, s.var_off);
		break;
	case OP_SUB:
		sub32(dst, &s);
		sub64(dst, &s);
		dst->var_off = tnum_sub(dst->var_off, s.var_off);
		break;
	case OP_NEG:
		old = *dst;
		scalar_mark_known(dst, 0);
		sub32(dst, &old);
		sub64(dst, &old);
		dst->var_off = tnum_neg(old.var_off);
		break;
	case OP_MUL:
		dst->var_off = tnum_mul(dst->var_off, s.var_off);
		mul32(dst, &s);
		mul64(dst, &s);
		break;
	case OP_AND:
		dst->var_off = tnum_and(dst->var_off, s.var_off);
		bitop32(dst, &s, op);
		bitop64(dst, &s, op);
		break;
	case OP_OR:
		dst->var_off = tnum_or(dst->var_off, s.var_off);
		bitop32(dst, &s, op);
		bitop64(dst, &s, op);
		break;
	case OP_XOR:
		dst->var_off = tnum_xor(dst->var_off, s.var_off);
		bitop32(dst, &s, op);
		bitop64(dst, &s, op);
		break;
	case OP_LSH:
		if (is64)
			lsh64(dst, &s);
		else
			lsh32(dst, &s);
		break;
	case OP_RSH:
		if (is64)
			rsh64(dst, &s);
		else
			rsh32(dst, &s);
		break;
	case OP_ARSH:
		if (is64)
			arsh64(dst, &s);
		else
			arsh32(dst, &s);
		break;
	case OP_MOV:
		*dst = s;
		if (is64)
			return 0;     /* a 64-bit copy is not re-synced */
		break;
	}
	if (!is64)
		scalar_zext32(dst);
	scalar_sync(dst);
	return 0;
}

/* maybe_fork_scalars */
bool scalar_fork_sign_mask(struct sbpf_scalar *dst, struct sbpf_scalar *zero,
			   const struct sbpf_scalar *src, uint8_t op)
{
	op &= 0xf0;
	if ((op != OP_AND && op != OP_OR) || !tnum_is_const(src->var_off))
		return false;
	if (dst->smin == -1 && dst->smax == 0) {
		*zero = *dst;
		scalar_mark_known(zero, 0);
		scalar_mark_known(dst, ~0ULL);
		return true;
	}
	if (dst->s32_min == -1 && dst->s32_max == 0) {
		*zero = *dst;
		scalar_mark_known32(zero, 0);
		scalar_mark_known32(dst, ~0U);
		return true;
	}
	return false;
}

/* ---- sign extension (movsx, ldsx) ----------------------------------------- */

/* coerce_reg_to_size_sx's fallback: the range of the narrow signed type. */
static void sext64_default(struct sbpf_scalar *d, int size)
{
	int64_t lo = size == 1 ? INT8_MIN : size == 2 ? INT16_MIN : INT32_MIN;

	d->smin = d->s32_min = (int32_t)lo;
	d->smax = d->s32_max = (int32_t)(-lo - 1);
	d->umin = 0;
	d->u32_min = 0;
	d->umax = U64_MAX;
	d->u32_max = U32_MAX;
	d->var_off = tnum_unknown();
}

static int64_t sext(uint64_t v, int size)
{
	return size == 1 ? (int8_t)v : size == 2 ? (int16_t)v : (int32_t)v;
}

/* coerce_reg_to_size_sx: 64-bit register = (s8|s16|s32) low bytes. */
static void coerce_sx64(struct sbpf_scalar *d, int size)
{
	unsigned bits = (unsigned)size * 8;
	int64_t a, b, lo, hi;

	if (tnum_is_const(d->var_off)) {
		scalar_mark_known(d, (uint64_t)sext(d->var_off.value, size));
		return;
	}
	if (((uint64_t)d->smax >> bits) != ((uint64_t)d->smin >> bits)) {
		sext64_default(d, size);
		return;
	}
	a = sext((uint64_t)d->smax, size);
	b = sext((uint64_t)d->smin, size);
	hi = smax64(a, b);
	lo = smin64(a, b);
	if ((hi >= 0) != (lo >= 0)) {
		sext64_default(d, size);
		return;
	}
	d->smin = lo;
	d->smax = hi;
	d->s32_min = (int32_t)lo;
	d->s32_max = (int32_t)hi;
	d->umin = (uint64_t)lo;
	d->umax = (uint64_t)hi;
	d->u32_min = (uint32_t)lo;
	d->u32_max = (uint32_t)hi;
	d->var_off = tnum_range((uint64_t)lo, (uint64_t)hi);
}

/* coerce_subreg_to_size_sx: subregister = (s8|s16) low bytes. */
static void coerce_sx32(struct sbpf_scalar *d, int size)
{
	unsigned bits = (unsigned)size * 8;
	int32_t a, b, lo, hi;

	if (tnum_is_const(d->var_off)) {
		uint64_t v = (uint64_t)sext(d->var_off.value, size);

		d->var_off = tnum_const(v);
		d->s32_min = d->s32_max = (int32_t)v;
		d->u32_min = d->u32_max = (uint32_t)v;
		return;
	}
	if (((uint32_t)d->s32_max >> bits) != ((uint32_t)d->s32_min >> bits)) {
		d->s32_min = size == 1 ? INT8_MIN : INT16_MIN;
		d->s32_max = size == 1 ? INT8_MAX : INT16_MAX;
		d->u32_min = 0;
		d->u32_max = U32_MAX;
		d->var_off = tnum_subreg(tnum_unknown());
		return;
	}
	a = (int32_t)sext((uint32_t)d->s32_max, size);
	b = (int32_t)sext((uint32_t)d->s32_min, size);
	hi = smax32(a, b);
	lo = smin32(a, b);
	if ((lo >= 0) != (hi >= 0)) {
		d->s32_min = size == 1 ? INT8_MIN : INT16_MIN;
		d->s32_max = size == 1 ? INT8_MAX : INT16_MAX;
		d->u32_min = 0;
		d->u32_max = U32_MAX;
		d->var_off = tnum_subreg(tnum_unknown());
		return;
	}
	d->s32_min = lo;
	d->s32_max = hi;
	d->u32_min = (uint32_t)lo;
	d->u32_max = (uint32_t)hi;
	d->var_off = tnum_subreg(tnum_range((uint64_t)(int64_t)lo, (uint64_t)(int64_t)hi));
}

void scalar_movsx(struct sbpf_scalar *dst, const struct sbpf_scalar *src, int size, bool is64)
{
	*dst = *src;
	if (is64) {
		coerce_sx64(dst, size);
		return;
	}
	if (size >= 4) {            /* w = (s32)w is a plain 32-bit move */
		scalar_zext32(dst);
		scalar_sync(dst);
		return;
	}
	coerce_sx32(dst, size);
	scalar_zext32(dst);
	scalar_sync(dst);
}

/* ---- byte swaps, loads ---------------------------------------------------- */

static void coerce_zx(struct sbpf_scalar *d, int size);

/* scalar_byte_swap */
void scalar_bswap(struct sbpf_scalar *dst, int bits, bool swap)
{
	if (swap) {
		if (bits == 16)
			dst->var_off = tnum_bswap16(dst->var_off);
		else if (bits == 32)
			dst->var_off = tnum_bswap32(dst->var_off);
		else
			dst->var_off = tnum_bswap64(dst->var_off);
		mark64_unbounded(dst);      /* the range is scrambled */
		mark32_unbounded(dst);
	}
	if (bits == 16 || bits == 32)
		coerce_zx(dst, bits / 8);
	scalar_sync(dst);
}

/* coerce_reg_to_size: keep the low size bytes, zero-extended. */
static void coerce_zx(struct sbpf_scalar *d, int size)
{
	uint64_t mask = (1ULL << (size * 8)) - 1;

	d->var_off = tnum_cast(d->var_off, (uint8_t)size);
	if ((d->umin & ~mask) == (d->umax & ~mask)) {
		d->umin &= mask;
		d->umax &= mask;
	} else {
		d->umin = 0;
		d->umax = mask;
	}
	d->smin = (int64_t)d->umin;
	d->smax = (int64_t)d->umax;
	if (size < 4)
		mark32_unbounded(d);
	scalar_sync(d);
}

void scalar_coerce(struct sbpf_scalar *s, int size, bool sign_extend)
{
	if (size >= 8 || size <= 0)
		return;
	if (sign_extend)
		coerce_sx64(s, size);
	else
		coerce_zx(s, size);
}

void scalar_mark_loaded(struct sbpf_scalar *dst, int size, bool sign_extend)
{
	/* one result per size and extension (every load from memory the
	 * verifier knows nothing about): computed once per thread */
	static _Thread_local struct { struct sbpf_scalar s; bool valid; } known[2][9];
	if (size < 1 || size > 8) {
		scalar_mark_unknown(dst);
		scalar_coerce(dst, size, sign_extend);
		return;
	}
	if (!known[sign_extend][size].valid) {
		scalar_mark_unknown(&known[sign_extend][size].s);
		scalar_coerce(&known[sign_extend][size].s, size, sign_extend);
		known[sign_extend][size].valid = true;
	}
	*dst = known[sign_extend][size].s;
}

void scalar_add_linked(struct sbpf_scalar *s, int32_t delta)
{
	struct sbpf_scalar k;

	scalar_mark_known(&k, (uint64_t)(int64_t)delta);
	add32(s, &k);
	add64(s, &k);
	s->var_off = tnum_add(s->var_off, k.var_off);
	scalar_sync(s);
}

/* ---- pruning ------------------------------------------------------------- */

bool scalar_within(const struct sbpf_scalar *old, const struct sbpf_scalar *cur)
{
	return old->umin <= cur->umin && old->umax >= cur->umax &&
	       old->smin <= cur->smin && old->smax >= cur->smax &&
	       old->u32_min <= cur->u32_min && old->u32_max >= cur->u32_max &&
	       old->s32_min <= cur->s32_min && old->s32_max >= cur->s32_max &&
	       tnum_in(old->var_off, cur->var_off);
}
