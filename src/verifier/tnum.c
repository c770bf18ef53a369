/* tnum.c - tracked numbers: a value/mask pair describing which bits of a
 * 64-bit number are known, with the arithmetic of Linux's kernel/bpf/tnum.c.
 * A bit set in mask is unknown; value holds the known bits (value & mask == 0). */
#include "verifier/scalar.h"

#define TNUM(v, m) ((struct tnum){ .value = (v), .mask = (m) })

struct tnum tnum_const(uint64_t v) { return TNUM(v, 0); }
struct tnum tnum_unknown(void) { return TNUM(0, ~0ULL); }

/* Index of the highest set bit, 1-based; 0 for 0 (the kernel's fls64). */
static unsigned fls64(uint64_t x)
{
	return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

/* Smallest tnum holding [min, max]: the bits above the highest differing bit
 * are known. */
struct tnum tnum_range(uint64_t min, uint64_t max)
{
	unsigned bits = fls64(min ^ max);
	uint64_t delta;

	if (bits > 63)
		return tnum_unknown();
	delta = (1ULL << bits) - 1;
	return TNUM(min & ~delta, delta);
}

struct tnum tnum_lshift(struct tnum a, uint8_t shift)
{
	shift &= 63;
	return TNUM(a.value << shift, a.mask << shift);
}

struct tnum tnum_rshift(struct tnum a, uint8_t shift)
{
	shift &= 63;
	return TNUM(a.value >> shift, a.mask >> shift);
}

/* Arithmetic shift: an unknown sign bit spreads its unknown-ness, exactly
 * like a known one spreads its value. 32-bit form works on the subregister. */
struct tnum tnum_arshift(struct tnum a, uint8_t shift, uint8_t insn_bitness)
{
	if (insn_bitness == 32) {
		shift &= 31;
		return TNUM((uint32_t)((int32_t)(uint32_t)a.value >> shift),
			    (uint32_t)((int32_t)(uint32_t)a.mask >> shift));
	}
	shift &= 63;
	return TNUM((uint64_t)((int64_t)a.value >> shift),
		    (uint64_t)((int64_t)a.mask >> shift));
}

/* Carries out of unknown bits are unknown: compare the sum with all unknown
 * bits at 0 and at 1; every bit that differs (or was unknown) is unknown. */
struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sm = a.mask + b.mask, sv = a.value + b.value;
	uint64_t chi = (sm + sv) ^ sv;
	uint64_t mu = chi | a.mask | b.mask;

	return TNUM(sv & ~mu, mu);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t alpha = dv + a.mask, beta = dv - b.mask;
	uint64_t mu = (alpha ^ beta) | a.mask | b.mask;

	return TNUM(dv & ~mu, mu);
}

struct tnum tnum_neg(struct tnum a) { return tnum_sub(TNUM(0, 0), a); }

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t alpha = a.value | a.mask, beta = b.value | b.mask;
	uint64_t v = a.value & b.value;

	return TNUM(v, alpha & beta & ~v);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask | b.mask;

	return TNUM(v, mu & ~v);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;

	return TNUM(v & ~mu, mu);
}

/* Long multiplication over the bits of a: a known 1 adds b, an unknown bit
 * takes the union of adding and not adding b, a known 0 adds nothing. */
static struct tnum mul_loop(struct tnum a, struct tnum b)
{
	struct tnum acc = TNUM(0, 0);

	while (a.value || a.mask) {
		/* nothing more can change acc once every bit b could still reach
		 * (its lowest possible 1 and up) is unknown in acc: b's zero low
		 * bits leave acc's low bits and carries alone (and b == 0 adds
		 * nothing) -- an exact early out */
		uint64_t bb = b.value | b.mask;
		if (!bb || (acc.mask | ((bb & -bb) - 1)) == ~0ULL)
			break;
		if (a.value & 1)
			acc = tnum_add(acc, b);
		else if (a.mask & 1)
			acc = tnum_union(acc, tnum_add(acc, b));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return acc;
}

struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	/* a loop multiplies the same two tnums on every pass (a hash times its
	 * prime): the last product is remembered, per thread */
	static _Thread_local struct { struct tnum a, b, r; bool valid; } last;

	if (!a.mask && !b.mask)   /* two constants: the loop gives their product */
		return TNUM(a.value * b.value, 0);
	if (last.valid && last.a.value == a.value && last.a.mask == a.mask && last.b.value == b.value &&
	    last.b.mask == b.mask)
		return last.r;
	struct tnum r = mul_loop(a, b);
	last.a = a;
	last.b = b;
	last.r = r;
	last.valid = true;
	return r;
}

/* Bits known in either input (the two describe the same number). */
struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask & b.mask;

	return TNUM(v & ~mu, mu);
}

/* Bits known, and equal, in both inputs (the number is one or the other). */
struct tnum tnum_union(struct tnum a, struct tnum b)
{
	uint64_t v = a.value & b.value;
	uint64_t mu = (a.value ^ b.value) | a.mask | b.mask;

	return TNUM(v & ~mu, mu);
}

struct tnum tnum_cast(struct tnum a, uint8_t size)
{
	uint64_t keep = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;

	return TNUM(a.value & keep, a.mask & keep);
}

struct tnum tnum_subreg(struct tnum a) { return tnum_cast(a, 4); }

struct tnum tnum_clear_subreg(struct tnum a)
{
	return tnum_lshift(tnum_rshift(a, 32), 32);
}

struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg)
{
	return tnum_or(tnum_clear_subreg(reg), tnum_subreg(subreg));
}

struct tnum tnum_const_subreg(struct tnum a, uint32_t value)
{
	return tnum_with_subreg(a, tnum_const(value));
}

/* Byte swaps of the low 2, 4 or 8 bytes (the rest of the result is 0). */
struct tnum tnum_bswap16(struct tnum a)
{
	return TNUM(__builtin_bswap16((uint16_t)a.value), __builtin_bswap16((uint16_t)a.mask));
}

struct tnum tnum_bswap32(struct tnum a)
{
	return TNUM(__builtin_bswap32((uint32_t)a.value), __builtin_bswap32((uint32_t)a.mask));
}

struct tnum tnum_bswap64(struct tnum a)
{
	return TNUM(__builtin_bswap64(a.value), __builtin_bswap64(a.mask));
}

/* The smallest member of t greater than z (t's largest member if there is
 * none; t's smallest if z is below it). Above the highest bit where z leaves
 * t's pattern, a member must copy z; that bit decides whether the next member
 * keeps z's upper part (t has a known 1 where z has 0) or needs it raised by
 * one, counting in t's unknown positions only (z has a 1 where t has a known
 * 0, or z itself is a member). */
uint64_t tnum_step(struct tnum t, uint64_t z)
{
	uint64_t tmax = t.value | t.mask, j, diff, above, up;
	unsigned k;

	if (z >= tmax)
		return tmax;
	if (z < t.value)
		return t.value;
	j = t.value | (z & t.mask);          /* z forced into t's pattern */
	if (j > z) {
		diff = ~z & t.value;             /* known 1s where z has 0 */
		k = fls64(diff);
		above = k >= 64 ? 0 : ~0ULL << k;
		return (z & above) | (t.value & ~above);
	}
	diff = z & ~t.value & ~t.mask;       /* known 0s where z has 1 (none: z is a member) */
	k = fls64(diff);
	above = ~0ULL << k;                  /* k < 64 here: z < tmax */
	/* unknown positions from z, known ones set so the carry runs through */
	up = ((z & t.mask & above) | (~t.mask & above)) + (1ULL << k);
	return (up & t.mask) | t.value;
}

bool tnum_is_const(struct tnum a) { return !a.mask; }
bool tnum_is_unknown(struct tnum a) { return !~a.mask; }

bool tnum_is_aligned(struct tnum a, uint64_t size)
{
	if (!size)
		return true;
	return !((a.value | a.mask) & (size - 1));
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	return a.value == (b.value & ~a.mask);
}

bool tnum_equals_const(struct tnum a, uint64_t b)
{
	return tnum_is_const(a) && a.value == b;
}

bool tnum_overlap(struct tnum a, struct tnum b)
{
	uint64_t mu = ~a.mask & ~b.mask;

	return (a.value & mu) == (b.value & mu);
}
