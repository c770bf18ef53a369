/* test_sound.c - randomized soundness of the scalar domain.
 *
 * Every abstract scalar here is built around a concrete witness it must
 * contain (constants, tnums, unsigned/signed/32-bit ranges, then a random
 * walk of ALU ops and branch refinements applied to both the abstract value
 * and its witness). For each ALU op, 32- and 64-bit, we draw concrete operands
 * inside the abstract operands, run the op with BPF semantics (x/0 = 0,
 * x%0 = x, shifts masked, 32-bit results zero-extended) and require the
 * result to lie within every bound and the tnum of the abstract result.
 * The same holds for scalar_refine (a pair satisfying the condition lies in
 * the true side, otherwise in the false side), scalar_branch_taken (never
 * contradicts a concrete pair), movsx, loads, zext and scalar_within. */
#include <stdlib.h>
#include "testlib.h"
#include "verifier/scalar.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)     /* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

static bool member(const struct sbpf_scalar *s, uint64_t x)
{
	return x >= s->umin && x <= s->umax && (int64_t)x >= s->smin && (int64_t)x <= s->smax &&
	       (uint32_t)x >= s->u32_min && (uint32_t)x <= s->u32_max &&
	       (int32_t)(uint32_t)x >= s->s32_min && (int32_t)(uint32_t)x <= s->s32_max &&
	       (x & ~s->var_off.mask) == s->var_off.value;
}

/* interesting concrete values: small, edges, random, random width */
static uint64_t pick_value(void)
{
	static const uint64_t edge[] = {
		0, 1, 2, 7, 8, 31, 32, 63, 64, 255, 256, 0x7fff, 0x8000, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, ~0ULL - 1, (uint64_t)-128, (uint64_t)-129,
		0xffffffff80000000ULL, 0x17fffffffULL,
	};

	switch (below(5)) {
	case 0: return edge[below(sizeof(edge) / sizeof(edge[0]))];
	case 1: return below(600);
	case 2: return (uint64_t)-(int64_t)below(600);
	case 3: return rnd() >> below(64);
	default: return rnd();
	}
}

static uint64_t wiggle(uint64_t x)     /* a nearby value, either side */
{
	uint64_t d = below(3) == 0 ? rnd() >> below(64) : below(1000);

	return below(2) ? x + d : x - d;
}

/* a random draw from inside s; falls back to the witness */
static uint64_t sample(const struct sbpf_scalar *s, uint64_t witness)
{
	for (int tries = 0; tries < 8; tries++) {
		uint64_t x;

		switch (below(7)) {
		case 0: x = s->umin; break;
		case 1: x = s->umax; break;
		case 2: x = (uint64_t)s->smin; break;
		case 3: x = (uint64_t)s->smax; break;
		case 4: x = s->var_off.value | (rnd() & s->var_off.mask); break;
		case 5: x = s->umin + below(s->umax - s->umin + 1 ? s->umax - s->umin + 1 : ~0ULL); break;
		default: x = wiggle(witness); break;
		}
		if (member(s, x))
			return x;
	}
	return witness;
}

static int bad_sync, bad_alu[2][14], bad_misc, bad_branch, bad_refine, n_alu[2][14];
static long checks;

static void check(bool ok, int *counter)
{
	checks++;
	if (!ok)
		++*counter;
}

/* BPF semantics of an ALU op (op = high nibble, 0x00..0xc0). */
static uint64_t concrete(uint8_t op, uint64_t x, uint64_t y, bool is64, bool sdiv)
{
	if (is64) {
		switch (op) {
		case 0x00: return x + y;
		case 0x10: return x - y;
		case 0x20: return x * y;
		case 0x30:
			if (!y)
				return 0;
			if (!sdiv)
				return x / y;
			if ((int64_t)y == -1)
				return -x;
			return (uint64_t)((int64_t)x / (int64_t)y);
		case 0x40: return x | y;
		case 0x50: return x & y;
		case 0x60: return x << (y & 63);
		case 0x70: return x >> (y & 63);
		case 0x80: return -x;
		case 0x90:
			if (!y)
				return x;
			if (!sdiv)
				return x % y;
			if ((int64_t)y == -1)
				return 0;
			return (uint64_t)((int64_t)x % (int64_t)y);
		case 0xa0: return x ^ y;
		case 0xb0: return y;
		case 0xc0: return (uint64_t)((int64_t)x >> (y & 63));
		}
	} else {
		uint32_t a = (uint32_t)x, b = (uint32_t)y;

		switch (op) {
		case 0x00: return (uint32_t)(a + b);
		case 0x10: return (uint32_t)(a - b);
		case 0x20: return (uint32_t)(a * b);
		case 0x30:
			if (!b)
				return 0;
			if (!sdiv)
				return a / b;
			if ((int32_t)b == -1)
				return (uint32_t)-a;
			return (uint32_t)((int32_t)a / (int32_t)b);
		case 0x40: return a | b;
		case 0x50: return a & b;
		case 0x60: return (uint32_t)(a << (b & 31));
		case 0x70: return a >> (b & 31);
		case 0x80: return (uint32_t)-a;
		case 0x90:
			if (!b)
				return a;
			if (!sdiv)
				return a % b;
			if ((int32_t)b == -1)
				return 0;
			return (uint32_t)((int32_t)a % (int32_t)b);
		case 0xa0: return a ^ b;
		case 0xb0: return b;
		case 0xc0: return (uint32_t)((int32_t)a >> (b & 31));
		}
	}
	return 0;
}

static bool cond(uint8_t op, uint64_t x, uint64_t y, bool is64)
{
	if (!is64) {
		x = (uint32_t)x;
		y = (uint32_t)y;
		switch (op) {
		case 0x60: return (int32_t)x > (int32_t)y;
		case 0x70: return (int32_t)x >= (int32_t)y;
		case 0xc0: return (int32_t)x < (int32_t)y;
		case 0xd0: return (int32_t)x <= (int32_t)y;
		}
	}
	switch (op) {
	case 0x10: return x == y;
	case 0x20: return x > y;
	case 0x30: return x >= y;
	case 0x40: return (x & y) != 0;
	case 0x50: return x != y;
	case 0x60: return (int64_t)x > (int64_t)y;
	case 0x70: return (int64_t)x >= (int64_t)y;
	case 0xa0: return x < y;
	case 0xb0: return x <= y;
	case 0xc0: return (int64_t)x < (int64_t)y;
	case 0xd0: return (int64_t)x <= (int64_t)y;
	}
	return false;
}

static const uint8_t jmp_ops[] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0 };
static const uint8_t alu_ops[] = { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0 };

static void make(struct sbpf_scalar *s, uint64_t *w, int depth);

/* one random step of a walk: ALU op or branch refinement, kept sound */
static void walk_step(struct sbpf_scalar *s, uint64_t *w, int depth)
{
	struct sbpf_scalar o, t_d, t_s, f_d, f_s;
	uint64_t y;
	bool is64 = below(3) != 0;

	if (below(2)) {
		uint8_t op = alu_ops[below(13)];

		if (op == 0x30 || op == 0x90)
			op = 0x50;
		if (op >= 0x60 && op <= 0x70 && below(2)) {
			y = below(is64 ? 64 : 32);
			scalar_mark_known(&o, y);
		} else if (op == 0xc0 || op == 0x60 || op == 0x70) {
			y = below(is64 ? 64 : 32);
			scalar_mark_known(&o, y);
		} else {
			make(&o, &y, depth + 1);
		}
		if (scalar_alu(s, &o, op, is64, false) < 0)
			scalar_mark_unknown(s);
		*w = concrete(op, *w, y, is64, false);
	} else {
		uint8_t op = jmp_ops[below(11)];

		if (below(2)) {
			y = below(2) ? wiggle(*w) : pick_value();
			scalar_mark_known(&o, y);
		} else {
			make(&o, &y, depth + 1);
		}
		scalar_refine(&t_d, &t_s, &f_d, &f_s, s, &o, op, is64);
		*s = cond(op, *w, y, is64) ? t_d : f_d;
	}
	check(member(s, *w) && scalar_is_sane(s), &bad_sync);
}

/* a random abstract scalar containing the witness *w */
static void make(struct sbpf_scalar *s, uint64_t *w, int depth)
{
	uint64_t x = pick_value(), a, b;

	scalar_mark_unknown(s);
	switch (below(9)) {
	case 0:
		scalar_mark_known(s, x);
		break;
	case 1:
		break;
	case 2: {    /* tnum */
		uint64_t m = rnd() & rnd();

		if (below(2))
			m &= ~0ULL >> below(64);
		s->var_off = (struct tnum){ x & ~m, m };
		break;
	}
	case 3:      /* unsigned range */
		a = x - below(2) * (rnd() >> below(64));
		b = x + below(2) * (rnd() >> below(64));
		s->umin = a <= x ? a : 0;
		s->umax = b >= x ? b : ~0ULL;
		break;
	case 4:      /* signed range */
		a = x - below(2) * (rnd() >> below(64));
		b = x + below(2) * (rnd() >> below(64));
		s->smin = (int64_t)a <= (int64_t)x ? (int64_t)a : INT64_MIN;
		s->smax = (int64_t)b >= (int64_t)x ? (int64_t)b : INT64_MAX;
		break;
	case 5:      /* u32 range, upper half known or not */
		a = (uint32_t)x - (uint32_t)below(2) * (uint32_t)(rnd() >> below(64));
		b = (uint32_t)x + (uint32_t)below(2) * (uint32_t)(rnd() >> below(64));
		s->u32_min = (uint32_t)a <= (uint32_t)x ? (uint32_t)a : 0;
		s->u32_max = (uint32_t)b >= (uint32_t)x ? (uint32_t)b : UINT32_MAX;
		if (below(2))
			s->var_off = (struct tnum){ x & ~0xffffffffULL, 0xffffffff };
		break;
	case 6:      /* s32 range */
		a = (uint32_t)x - (uint32_t)below(2) * (uint32_t)(rnd() >> below(64));
		b = (uint32_t)x + (uint32_t)below(2) * (uint32_t)(rnd() >> below(64));
		s->s32_min = (int32_t)a <= (int32_t)x ? (int32_t)a : INT32_MIN;
		s->s32_max = (int32_t)b >= (int32_t)x ? (int32_t)b : INT32_MAX;
		break;
	case 7:      /* small non-negative range */
		x = below(300);
		s->umin = below(2) ? below(x + 1) : 0;
		s->umax = x + below(300);
		break;
	default:     /* load */
		{
			static const int sizes[] = { 1, 2, 4, 8 };
			int sz = sizes[below(4)];
			bool sx = sz < 8 && below(2);

			scalar_mark_loaded(s, sz, sx);
			if (sz < 8)
				x = sx ? (uint64_t)(sz == 1 ? (int8_t)x : sz == 2 ? (int16_t)x : (int32_t)x)
				       : x & ((1ULL << (sz * 8)) - 1);
		}
		break;
	}
	scalar_sync(s);
	check(member(s, x) && scalar_is_sane(s), &bad_sync);
	*w = x;
	if (depth < 2)
		for (int k = (int)below(4); k > 0; k--)
			walk_step(s, w, depth);
}

static void test_alu(int iters)
{
	for (int it = 0; it < iters; it++) {
		for (int opi = 0; opi < 13; opi++) {
			uint8_t op = alu_ops[opi];
			bool is64 = it & 1, sdiv = (op == 0x30 || op == 0x90) && below(2);
			struct sbpf_scalar a, b, r;
			uint64_t wa, wb;

			make(&a, &wa, 0);
			if ((op == 0x60 || op == 0x70 || op == 0xc0) && below(4)) {
				wb = below(is64 ? 64 : 32);
				scalar_mark_known(&b, wb);
			} else if ((op == 0x30 || op == 0x90) && below(2)) {
				wb = below(2) ? below(20) : pick_value();
				scalar_mark_known(&b, wb);
			} else {
				make(&b, &wb, 0);
			}
			r = a;
			if (scalar_alu(&r, &b, op, is64, sdiv) < 0) {
				/* must also leave dst unknown */
				struct sbpf_scalar u;

				scalar_mark_unknown(&u);
				check(memcmp(&u, &r, sizeof(u)) == 0, &bad_alu[is64][opi]);
			}
			n_alu[is64][opi]++;
			for (int k = 0; k < 8; k++) {
				uint64_t x = k ? sample(&a, wa) : wa, y = k ? sample(&b, wb) : wb;
				uint64_t z = concrete(op, x, y, is64, sdiv);

				/* the abstract op's operands are only defined for
				 * in-range shifts (the verifier rejects others) */
				check(member(&r, z) && scalar_is_sane(&r), &bad_alu[is64][opi]);
			}
		}
		/* bswap / be / le */
		{
			struct sbpf_scalar a, r;
			uint64_t wa;
			int bits = 16 << below(3);
			bool swap = below(2);

			make(&a, &wa, 0);
			r = a;
			scalar_bswap(&r, bits, swap);
			for (int k = 0; k < 6; k++) {
				uint64_t x = k ? sample(&a, wa) : wa, z;

				if (bits == 16)
					z = swap ? __builtin_bswap16((uint16_t)x) : (uint16_t)x;
				else if (bits == 32)
					z = swap ? __builtin_bswap32((uint32_t)x) : (uint32_t)x;
				else
					z = swap ? __builtin_bswap64(x) : x;
				check(member(&r, z) && scalar_is_sane(&r), &bad_misc);
			}
		}
	}
}

static void test_movsx_loads(int iters)
{
	static const int sizes[] = { 1, 2, 4 };

	for (int it = 0; it < iters; it++) {
		struct sbpf_scalar a, r;
		uint64_t wa;
		bool is64 = it & 1;
		int size = sizes[below(is64 ? 3 : 2)];

		make(&a, &wa, 0);
		scalar_movsx(&r, &a, size, is64);
		for (int k = 0; k < 6; k++) {
			uint64_t x = k ? sample(&a, wa) : wa, z;
			int64_t sv = size == 1 ? (int8_t)x : size == 2 ? (int16_t)x : (int32_t)x;

			z = is64 ? (uint64_t)sv : (uint32_t)sv;
			check(member(&r, z) && scalar_is_sane(&r), &bad_misc);
		}
		/* loads: any memory contents */
		{
			static const int lsz[] = { 1, 2, 4, 8 };
			int sz = lsz[below(4)];
			bool sx = sz < 8 && below(2);
			uint64_t m = pick_value(), z;

			scalar_mark_loaded(&r, sz, sx);
			if (sz == 8)
				z = m;
			else if (sx)
				z = (uint64_t)(sz == 1 ? (int8_t)m : sz == 2 ? (int16_t)m : (int32_t)m);
			else
				z = m & ((1ULL << (sz * 8)) - 1);
			check(member(&r, z) && scalar_is_sane(&r), &bad_misc);
		}
		/* narrowing an existing scalar (partial read of a spilled value) */
		{
			static const int csz[] = { 1, 2, 4, 8 };
			int sz = csz[below(4)];
			bool sx = below(2);

			r = a;
			scalar_coerce(&r, sz, sx);
			for (int k = 0; k < 6; k++) {
				uint64_t x = k ? sample(&a, wa) : wa, z = x;

				if (sz < 8)
					z = sx ? (uint64_t)(sz == 1 ? (int8_t)x : sz == 2 ? (int16_t)x : (int32_t)x)
					       : x & ((1ULL << (sz * 8)) - 1);
				check(member(&r, z) && scalar_is_sane(&r), &bad_misc);
			}
		}
		/* linked registers: b = a + delta, learned back from a */
		{
			int32_t delta = (int32_t)rnd();

			r = a;
			scalar_add_linked(&r, delta);
			for (int k = 0; k < 4; k++) {
				uint64_t x = k ? sample(&a, wa) : wa;

				check(member(&r, x + (uint64_t)(int64_t)delta), &bad_misc);
			}
		}
		/* the [-1, 0] fork: every value is on one side or the other */
		{
			struct sbpf_scalar m1 = a, zero, k;

			scalar_mark_known(&k, pick_value());
			if (scalar_fork_sign_mask(&m1, &zero, &k, below(2) ? 0x50 : 0x40))
				for (int j = 0; j < 6; j++) {
					uint64_t x = j ? sample(&a, wa) : wa;

					check(member(&m1, x) || member(&zero, x), &bad_misc);
				}
		}
		/* zext32 */
		r = a;
		scalar_zext32(&r);
		scalar_sync(&r);
		check(member(&r, (uint32_t)wa) && scalar_is_sane(&r), &bad_misc);
		/* within: every member of cur is a member of old */
		{
			struct sbpf_scalar b;
			uint64_t wb;

			make(&b, &wb, 0);
			if (scalar_within(&a, &b)) {
				for (int k = 0; k < 6; k++)
					check(member(&a, k ? sample(&b, wb) : wb), &bad_misc);
			}
			check(scalar_within(&a, &a), &bad_misc);
		}
	}
}

static void test_branches(int iters)
{
	for (int it = 0; it < iters; it++) {
		for (int opi = 0; opi < 11; opi++) {
			uint8_t op = jmp_ops[opi];
			bool is64 = it & 1;
			struct sbpf_scalar a, b, td, ts, fd, fs;
			uint64_t wa, wb;
			int taken;

			make(&a, &wa, 0);
			switch (below(4)) {
			case 0:     /* constant near or at the witness or an edge */
				wb = below(2) ? wiggle(wa) : below(2) ? a.umin : (uint64_t)a.smax;
				scalar_mark_known(&b, wb);
				break;
			case 1:
				wb = 1ULL << below(64);      /* single bit, for JSET */
				scalar_mark_known(&b, wb);
				break;
			default:
				make(&b, &wb, 0);
			}
			/* a register against itself */
			taken = scalar_branch_taken_same(&a, op, is64);
			scalar_refine_same(&td, &fd, &a, op, is64);
			for (int k = 0; k < 4; k++) {
				uint64_t x = k ? sample(&a, wa) : wa;
				bool c = cond(op, x, x, is64);

				check(taken < 0 || taken == (int)c, &bad_branch);
				check(member(c ? &td : &fd, x), &bad_refine);
			}
			taken = scalar_branch_taken(&a, &b, op, is64);
			scalar_refine(&td, &ts, &fd, &fs, &a, &b, op, is64);
			for (int k = 0; k < 10; k++) {
				uint64_t x = k ? sample(&a, wa) : wa, y = k ? sample(&b, wb) : wb;
				bool c = cond(op, x, y, is64);

				check(taken < 0 || taken == (int)c, &bad_branch);
				if (c)
					check(member(&td, x) && member(&ts, y), &bad_refine);
				else
					check(member(&fd, x) && member(&fs, y), &bad_refine);
			}
		}
	}
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 8000;
	static const char *names[] = { "add", "sub", "mul", "div", "or", "and", "lsh", "rsh",
				       "neg", "mod", "xor", "mov", "arsh" };

	test_alu(iters);
	test_movsx_loads(iters);
	test_branches(iters / 2);
	for (int w = 0; w < 2; w++)
		for (int i = 0; i < 13; i++)
			T_OK(bad_alu[w][i] == 0, "%s%s: %d of %d abstract ops unsound", names[i],
			     w ? "64" : "32", bad_alu[w][i], n_alu[w][i]);
	T_OK(bad_sync == 0, "sync/walk: %d unsound", bad_sync);
	T_OK(bad_misc == 0, "movsx/loads/zext/within/bswap: %d unsound", bad_misc);
	T_OK(bad_branch == 0, "branch_taken: %d wrong", bad_branch);
	T_OK(bad_refine == 0, "refine: %d unsound", bad_refine);
	printf("%ld concrete checks; per ALU op and width: %d abstract ops x 8 concrete pairs\n", checks,
	       n_alu[1][0]);
	return t_done();
}
