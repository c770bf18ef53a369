/* test_tnum.c - tnum operations on chosen values, against results worked out
 * by hand from the value/mask definitions (and exhaustively on 4-bit tnums:
 * every result must contain every concrete result, the kernel's soundness). */
#include "testlib.h"
#include "verifier/scalar.h"

#define T(v, m) ((struct tnum){ .value = (v), .mask = (m) })
#define T_EQ_TNUM(got, v, m, what) do { \
	struct tnum t_t_ = (got); \
	T_OK(t_t_.value == (uint64_t)(v) && t_t_.mask == (uint64_t)(m), \
	     "%s: got (%#" PRIx64 "; %#" PRIx64 "), want (%#" PRIx64 "; %#" PRIx64 ")", (what), \
	     t_t_.value, t_t_.mask, (uint64_t)(v), (uint64_t)(m)); \
} while (0)

/* all members of a tnum restricted to the low 4 bits */
static int members4(struct tnum t, uint64_t *out)
{
	int n = 0;

	for (uint64_t x = 0; x < 16; x++)
		if ((x & ~t.mask) == t.value)
			out[n++] = x;
	return n;
}

static bool contains(struct tnum t, uint64_t x) { return (x & ~t.mask) == t.value; }

int main(void)
{
	/* constructors */
	T_EQ_TNUM(tnum_const(42), 42, 0, "const");
	T_EQ_TNUM(tnum_unknown(), 0, ~0ULL, "unknown");
	T_EQ_TNUM(tnum_range(0, 100), 0, 0x7f, "range 0..100");
	T_EQ_TNUM(tnum_range(5, 5), 5, 0, "range 5..5");
	T_EQ_TNUM(tnum_range(16, 31), 16, 0xf, "range 16..31");
	T_EQ_TNUM(tnum_range(0, ~0ULL), 0, ~0ULL, "range full");
	T_EQ_TNUM(tnum_range(1ULL << 63, ~0ULL), 1ULL << 63, ~0ULL >> 1, "range top half");
	T_EQ_TNUM(tnum_range(101, 0xffffffff), 0, 0xffffffff, "range 101..u32max");

	/* arithmetic */
	T_EQ_TNUM(tnum_add(T(0, 0xff), tnum_const(1)), 0, 0x1ff, "add (0;ff)+1");
	T_EQ_TNUM(tnum_add(tnum_const(40), tnum_const(2)), 42, 0, "add consts");
	T_EQ_TNUM(tnum_add(T(0x10, 0x3), T(0x20, 0x0)), 0x30, 0x3, "add no carry");
	T_EQ_TNUM(tnum_add(T(0, 1), T(0, 1)), 0, 3, "add carry unknown");
	T_EQ_TNUM(tnum_sub(tnum_const(10), tnum_const(3)), 7, 0, "sub consts");
	T_EQ_TNUM(tnum_sub(T(0x10, 0x3), tnum_const(0x10)), 0, 0x3, "sub exact");
	T_EQ_TNUM(tnum_sub(tnum_const(0), T(0, 1)), 0, ~0ULL, "0 - (0|1)");
	T_EQ_TNUM(tnum_neg(tnum_const(5)), (uint64_t)-5, 0, "neg 5");
	T_EQ_TNUM(tnum_and(T(0, ~0ULL), tnum_const(0xff)), 0, 0xff, "and mask");
	T_EQ_TNUM(tnum_and(T(0xf0, 0x0f), T(0x3c, 0)), 0x30, 0x0c, "and partial");
	T_EQ_TNUM(tnum_or(T(0, 0xff), tnum_const(0x100)), 0x100, 0xff, "or");
	T_EQ_TNUM(tnum_or(T(0, 0xff), tnum_const(0x0f)), 0x0f, 0xf0, "or known ones");
	T_EQ_TNUM(tnum_xor(T(0xf0, 0x0f), tnum_const(0xff)), 0x00, 0x0f, "xor");
	T_EQ_TNUM(tnum_xor(T(0xf0, 0x0f), tnum_const(0x1ff)), 0x100, 0x0f, "xor known");
	T_EQ_TNUM(tnum_mul(tnum_const(6), tnum_const(7)), 42, 0, "mul consts");
	T_EQ_TNUM(tnum_mul(T(0, 1), tnum_const(4)), 0, 4, "mul (0|1)*4");
	T_EQ_TNUM(tnum_mul(T(0, 3), tnum_const(2)), 0, 6, "mul (0..3)*2");
	T_EQ_TNUM(tnum_mul(T(1, 2), T(1, 0)), 1, 2, "mul by 1");

	/* shifts */
	T_EQ_TNUM(tnum_lshift(T(0x1, 0x2), 4), 0x10, 0x20, "lsh");
	T_EQ_TNUM(tnum_rshift(T(0x100, 0xf0), 4), 0x10, 0xf, "rsh");
	T_EQ_TNUM(tnum_arshift(T(1ULL << 63, 0), 60, 64), 0xfffffffffffffff8ULL, 0, "arsh64 neg");
	T_EQ_TNUM(tnum_arshift(T(0, 1ULL << 63), 63, 64), 0, ~0ULL, "arsh64 unknown sign");
	T_EQ_TNUM(tnum_arshift(T(0x80000000, 0), 4, 32), 0xf8000000, 0, "arsh32 neg");
	T_EQ_TNUM(tnum_arshift(T(0x1234567880000000ULL, 0), 4, 32), 0xf8000000, 0, "arsh32 ignores upper");

	/* set operations and casts */
	T_EQ_TNUM(tnum_intersect(T(0, 0xff), T(0x10, 0x0f)), 0x10, 0x0f, "intersect");
	T_EQ_TNUM(tnum_union(tnum_const(4), tnum_const(6)), 4, 2, "union 4,6");
	T_EQ_TNUM(tnum_union(T(0, 1), tnum_const(8)), 0, 9, "union");
	T_EQ_TNUM(tnum_cast(T(0x00340078, 0xff00ff00), 2), 0x78, 0xff00, "cast 2");
	T_EQ_TNUM(tnum_cast(T(0x00340078, 0xff00ff00), 8), 0x00340078, 0xff00ff00, "cast 8");
	T_EQ_TNUM(tnum_cast(T(0x00340078, 0xff00ff00), 1), 0x78, 0, "cast 1");
	T_EQ_TNUM(tnum_subreg(T(0xab0000000001ULL, 0xff000000f0ULL)), 1, 0xf0, "subreg");
	T_EQ_TNUM(tnum_clear_subreg(T(0xab0000000001ULL, 0xff000000f0ULL)), 0xab0000000000ULL,
		  0xff00000000ULL, "clear_subreg");
	T_EQ_TNUM(tnum_with_subreg(T(0x100000000ULL, 0xffffffffULL), tnum_const(7)),
		  0x100000007ULL, 0, "with_subreg");
	T_EQ_TNUM(tnum_const_subreg(tnum_unknown(), 9), 9, 0xffffffff00000000ULL, "const_subreg");

	/* predicates */
	T_OK(tnum_is_const(tnum_const(3)) && !tnum_is_const(T(0, 1)), "is_const");
	T_OK(tnum_is_unknown(tnum_unknown()) && !tnum_is_unknown(T(0, ~0ULL >> 1)), "is_unknown");
	T_OK(tnum_is_aligned(T(0x40, 0x30), 16) && !tnum_is_aligned(T(0x40, 0x38), 16), "aligned");
	T_OK(tnum_is_aligned(T(3, 0), 0), "aligned size 0");
	T_OK(tnum_in(T(0, 0xff), T(0x12, 0x0c)) && !tnum_in(T(0, 0xff), T(0x100, 0)), "in");
	T_OK(!tnum_in(T(0x10, 0x0f), T(0x00, 0x0f)), "in: known bit differs");
	T_OK(tnum_equals_const(tnum_const(8), 8) && !tnum_equals_const(T(8, 1), 8), "equals_const");
	T_OK(tnum_overlap(T(0, 0xfe), T(7, 0)) == false, "overlap even vs 7");
	T_OK(tnum_overlap(T(0, 0xfe), T(6, 0)) == true, "overlap even vs 6");

	/* tnum_step: the next member, against brute force on 6-bit tnums */
	T_EQ_U64(tnum_step(T(0x1c, 0), 3), 0x1c, "step below a constant");
	T_EQ_U64(tnum_step(T(0, 0x1c), 5), 8, "step 5 in (0;0x1c)");
	T_EQ_U64(tnum_step(T(0, 0x1c), 8), 12, "step from a member");
	T_EQ_U64(tnum_step(T(0, 0x1c), 28), 28, "step at the top");
	T_EQ_U64(tnum_step(T(0x30, 0x0c), 0x1f), 0x30, "step across a known 1");
	T_EQ_U64(tnum_step(T(0xa2, 0x41), 0xb0), 0xe2, "step over a known 0");
	T_EQ_U64(tnum_step(T(0, ~0ULL), ~0ULL - 1), ~0ULL, "step in unknown");
	{
		int bad = 0;

		for (uint64_t m = 0; m < 64; m++)
			for (uint64_t v = 0; v < 64; v++) {
				if (v & m)
					continue;
				for (uint64_t z = 0; z < 70; z++) {
					uint64_t want = v | m, x;

					if (z < v)
						want = v;
					else
						for (x = z + 1; x <= (v | m); x++)
							if ((x & ~m) == v) {
								want = x;
								break;
							}
					bad += tnum_step(T(v, m), z) != want;
				}
			}
		T_EQ_U64(bad, 0, "tnum_step mismatches against brute force (6-bit)");
	}

	/* exhaustive soundness on 4-bit tnums (all 81 of them, pairwise) */
	{
		struct tnum all[81];
		int n = 0, bad = 0;
		uint64_t ma[16], mb[16];

		for (uint64_t mask = 0; mask < 16; mask++)
			for (uint64_t v = 0; v < 16; v++)
				if (!(v & mask))
					all[n++] = T(v, mask);
		for (int i = 0; i < n; i++) {
			int na = members4(all[i], ma);

			for (int j = 0; j < n; j++) {
				int nb = members4(all[j], mb);
				struct tnum add = tnum_add(all[i], all[j]), sub = tnum_sub(all[i], all[j]);
				struct tnum mul = tnum_mul(all[i], all[j]), and = tnum_and(all[i], all[j]);
				struct tnum or = tnum_or(all[i], all[j]), xor = tnum_xor(all[i], all[j]);
				struct tnum uni = tnum_union(all[i], all[j]);

				for (int a = 0; a < na; a++) {
					for (int b = 0; b < nb; b++) {
						uint64_t x = ma[a], y = mb[b];

						bad += !contains(add, x + y) + !contains(sub, x - y) +
						       !contains(mul, x * y) + !contains(and, x & y) +
						       !contains(or, x | y) + !contains(xor, x ^ y) +
						       !contains(uni, x) + !contains(uni, y);
					}
					bad += !contains(tnum_neg(all[i]), -ma[a]);
				}
				if (tnum_overlap(all[i], all[j]) == false)
					for (int a = 0; a < na; a++)
						bad += contains(all[j], ma[a]);
			}
		}
		T_EQ_U64(n, 81, "4-bit tnums");
		T_EQ_U64(bad, 0, "exhaustive 4-bit soundness violations");
	}
	return t_done();
}
