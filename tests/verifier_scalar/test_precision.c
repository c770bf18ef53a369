/* test_precision.c - exact results of the scalar domain on classic cases,
 * worked out by hand from Linux 6.18's rules: masks, constant folding,
 * shifts, sign extension, loads, unsigned/signed/32-bit jump refinement,
 * decided branches, and the operations 6.18 leaves unknown. */
#include "testlib.h"
#include "verifier/scalar.h"

#define ADD 0x00
#define SUB 0x10
#define MUL 0x20
#define DIV 0x30
#define OR 0x40
#define AND 0x50
#define LSH 0x60
#define RSH 0x70
#define NEG 0x80
#define MOD 0x90
#define XOR 0xa0
#define MOV 0xb0
#define ARSH 0xc0
#define END 0xd0
#define JEQ 0x10
#define JGT 0x20
#define JGE 0x30
#define JSET 0x40
#define JNE 0x50
#define JSGT 0x60
#define JSGE 0x70
#define JLT 0xa0
#define JLE 0xb0
#define JSLT 0xc0
#define JSLE 0xd0

/* expected full state: umin umax smin smax u32min u32max s32min s32max value mask */
struct want {
	uint64_t umin, umax;
	int64_t smin, smax;
	uint32_t u32_min, u32_max;
	int32_t s32_min, s32_max;
	uint64_t value, mask;
};

static void expect(const struct sbpf_scalar *s, struct want w, const char *what, int line)
{
	bool ok = s->umin == w.umin && s->umax == w.umax && s->smin == w.smin && s->smax == w.smax &&
		  s->u32_min == w.u32_min && s->u32_max == w.u32_max && s->s32_min == w.s32_min &&
		  s->s32_max == w.s32_max && s->var_off.value == w.value && s->var_off.mask == w.mask;

	T_OK(ok, "line %d %s: got u[%#" PRIx64 ",%#" PRIx64 "] s[%" PRId64 ",%" PRId64 "] u32[%#x,%#x] "
	     "s32[%d,%d] (%#" PRIx64 "; %#" PRIx64 ")", line, what, s->umin, s->umax, s->smin, s->smax,
	     s->u32_min, s->u32_max, s->s32_min, s->s32_max, s->var_off.value, s->var_off.mask);
}
#define EXPECT(s, what, ...) expect((s), (struct want){ __VA_ARGS__ }, (what), __LINE__)

static struct sbpf_scalar known(uint64_t v)
{
	struct sbpf_scalar s;

	scalar_mark_known(&s, v);
	return s;
}

static struct sbpf_scalar unknown(void)
{
	struct sbpf_scalar s;

	scalar_mark_unknown(&s);
	return s;
}

static struct sbpf_scalar urange(uint64_t lo, uint64_t hi)
{
	struct sbpf_scalar s = unknown();

	s.umin = lo;
	s.umax = hi;
	scalar_sync(&s);
	return s;
}

static struct sbpf_scalar srange(int64_t lo, int64_t hi)
{
	struct sbpf_scalar s = unknown();

	s.smin = lo;
	s.smax = hi;
	scalar_sync(&s);
	return s;
}

static struct sbpf_scalar alu(struct sbpf_scalar d, uint8_t op, struct sbpf_scalar s, bool is64)
{
	T_EQ_U64(scalar_alu(&d, &s, op, is64, false), 0, "scalar_alu returns 0");
	return d;
}

#define U64M UINT64_MAX
#define S64MIN INT64_MIN
#define S64MAX INT64_MAX
#define U32M UINT32_MAX
#define S32MIN INT32_MIN
#define S32MAX INT32_MAX

int main(void)
{
	struct sbpf_scalar r, t_d, t_s, f_d, f_s, u = unknown();

	/* x & 0xff -> [0, 255] */
	r = alu(u, AND, known(0xff), true);
	EXPECT(&r, "x & 0xff", 0, 255, 0, 255, 0, 255, 0, 255, 0, 0xff);
	/* w & 0xffff (32-bit) of unknown: zero-extended */
	r = alu(u, AND, known(0xffff), false);
	EXPECT(&r, "w & 0xffff", 0, 0xffff, 0, 0xffff, 0, 0xffff, 0, 0xffff, 0, 0xffff);
	/* (x & 0xff) + 1 -> [1, 256], var_off (0; 0x1ff) */
	r = alu(alu(u, AND, known(0xff), true), ADD, known(1), true);
	EXPECT(&r, "(x&0xff)+1", 1, 256, 1, 256, 1, 256, 1, 256, 0, 0x1ff);
	/* constant folding */
	r = alu(known(40), ADD, known(2), true);
	EXPECT(&r, "40+2", 42, 42, 42, 42, 42, 42, 42, 42, 42, 0);
	r = alu(known(6), MUL, known(7), true);
	EXPECT(&r, "6*7", 42, 42, 42, 42, 42, 42, 42, 42, 42, 0);
	r = alu(known(0xf0), XOR, known(0xff), true);
	EXPECT(&r, "0xf0^0xff", 0xf, 0xf, 0xf, 0xf, 0xf, 0xf, 0xf, 0xf, 0xf, 0);
	r = alu(known(1), LSH, known(63), true);
	EXPECT(&r, "1<<63", 1ULL << 63, 1ULL << 63, S64MIN, S64MIN, 0, 0, 0, 0, 1ULL << 63, 0);
	r = alu(known(0xffffffff), ADD, known(1), false);
	EXPECT(&r, "w 0xffffffff+1 wraps to 0", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	r = alu(known(5), NEG, known(0), true);
	EXPECT(&r, "-5", (uint64_t)-5, (uint64_t)-5, -5, -5, (uint32_t)-5, (uint32_t)-5, -5, -5, (uint64_t)-5, 0);
	r = alu(known(5), NEG, known(0), false);
	EXPECT(&r, "w -5", 0xfffffffb, 0xfffffffb, 0xfffffffb, 0xfffffffb, 0xfffffffb, 0xfffffffb, -5, -5,
	       0xfffffffb, 0);
	r = alu(known((uint64_t)-8), ARSH, known(1), true);
	EXPECT(&r, "-8 s>> 1", (uint64_t)-4, (uint64_t)-4, -4, -4, (uint32_t)-4, (uint32_t)-4, -4, -4,
	       (uint64_t)-4, 0);
	/* ranges */
	r = alu(urange(10, 20), SUB, urange(0, 5), true);
	EXPECT(&r, "[10,20]-[0,5]", 5, 20, 5, 20, 5, 20, 5, 20, 0, 0x1f);
	r = alu(urange(0, 10), MUL, urange(0, 10), true);
	EXPECT(&r, "[0,10]*[0,10]", 0, 100, 0, 100, 0, 100, 0, 100, 0, 0x7f);
	r = alu(srange(-3, 2), MUL, srange(-4, 5), true);
	/* signed corners: -3*-4=12 .. -3*5=-15; unsigned wraps */
	EXPECT(&r, "[-3,2]*[-4,5]", 0, U64M, -15, 12, 0, U32M, -15, 12, 0, U64M);
	r = alu(alu(u, AND, known(0xff), true), LSH, known(4), true);
	EXPECT(&r, "(x&0xff)<<4", 0, 0xff0, 0, 0xff0, 0, 0xff0, 0, 0xff0, 0, 0xff0);
	r = alu(u, RSH, known(60), true);
	EXPECT(&r, "x>>60", 0, 15, 0, 15, 0, 15, 0, 15, 0, 0xf);
	r = alu(u, ARSH, known(63), true);
	EXPECT(&r, "x s>>63", 0, U64M, -1, 0, 0, U32M, -1, 0, 0, U64M);
	r = alu(u, RSH, known(28), false);
	EXPECT(&r, "w>>28", 0, 15, 0, 15, 0, 15, 0, 15, 0, 0xf);
	r = alu(urange(0, 0x7fffffff), LSH, known(32), true);
	EXPECT(&r, "[0,0x7fffffff]<<32", 0, 0x7fffffff00000000ULL, 0, 0x7fffffff00000000LL, 0, 0, 0, 0, 0,
	       0x7fffffff00000000ULL);
	r = alu(urange(0, 0xff), OR, known(0x100), true);
	EXPECT(&r, "[0,255]|0x100", 0x100, 0x1ff, 0x100, 0x1ff, 0x100, 0x1ff, 0x100, 0x1ff, 0x100, 0xff);
	/* 32-bit add on a value with unknown upper half keeps only the subreg */
	r = alu(u, ADD, known(1), false);
	EXPECT(&r, "w += 1", 0, U32M, 0, U32M, 0, U32M, S32MIN, S32MAX, 0, U32M);
	/* 64-bit copy, 32-bit copy */
	r = alu(u, MOV, urange(3, 9), true);
	EXPECT(&r, "mov", 3, 9, 3, 9, 3, 9, 3, 9, 0, 0xf);
	r = alu(known(0x1234), MOV, srange(-1, 1), false);
	EXPECT(&r, "w = [-1,1]", 0, U32M, 0, U32M, 0, U32M, -1, 1, 0, U32M);

	/* maybe_fork_scalars: [-1, 0] before &= K / |= K splits into -1 and 0 */
	{
		struct sbpf_scalar d = alu(u, ARSH, known(63), true), zero, k = known(0x1f0);

		T_OK(scalar_fork_sign_mask(&d, &zero, &k, AND), "[-1,0] & K forks");
		EXPECT(&d, "fork: -1 side", U64M, U64M, -1, -1, U32M, U32M, -1, -1, U64M, 0);
		EXPECT(&zero, "fork: 0 side", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
		d = alu(d, AND, k, true);
		EXPECT(&d, "-1 & 0x1f0", 0x1f0, 0x1f0, 0x1f0, 0x1f0, 0x1f0, 0x1f0, 0x1f0, 0x1f0, 0x1f0, 0);
		d = alu(u, ARSH, known(63), true);
		T_OK(!scalar_fork_sign_mask(&d, &zero, &k, XOR), "no fork for xor");
		T_OK(!scalar_fork_sign_mask(&d, &zero, &u, OR), "no fork for a variable src");
		d = alu(u, ARSH, known(31), false);   /* w s>>= 31: s32 [-1, 0] */
		T_OK(scalar_fork_sign_mask(&d, &zero, &k, OR), "w [-1,0] | K forks on the subreg");
		T_EQ_U64(d.var_off.value, 0xffffffff, "32-bit fork: -1 side subreg");
		T_EQ_U64(d.var_off.mask, 0, "32-bit fork: upper half known 0 here");
		T_EQ_U64(zero.u32_max, 0, "32-bit fork: 0 side");
		d = urange(0, 1);
		T_OK(!scalar_fork_sign_mask(&d, &zero, &k, AND), "no fork for [0,1]");
	}

	/* what 6.18 does not track: div, mod (signed or not), variable shifts */
	{
		struct sbpf_scalar d = urange(0, 100), k = known(10);

		T_EQ_U64(scalar_alu(&d, &k, DIV, true, false), -1, "div: unknown");
		EXPECT(&d, "div result", 0, U64M, S64MIN, S64MAX, 0, U32M, S32MIN, S32MAX, 0, U64M);
		d = urange(0, 100);
		T_EQ_U64(scalar_alu(&d, &k, MOD, false, true), -1, "smod32: unknown");
		EXPECT(&d, "smod32 result", 0, U64M, S64MIN, S64MAX, 0, U32M, S32MIN, S32MAX, 0, U64M);
		d = known(1);
		k = urange(0, 3);
		T_EQ_U64(scalar_alu(&d, &k, LSH, true, false), -1, "variable shift: unknown");
		d = known(1);
		k = known(64);
		T_EQ_U64(scalar_alu(&d, &k, LSH, true, false), -1, "shift by 64: unknown");
		d = known(1);
		k = known(32);
		T_EQ_U64(scalar_alu(&d, &k, RSH, false, false), -1, "w shift by 32: unknown");
	}
	/* byte swaps move known bytes; 16/32 truncate */
	{
		struct sbpf_scalar d = known(0x1234);

		scalar_bswap(&d, 16, true);
		EXPECT(&d, "be16 0x1234", 0x3412, 0x3412, 0x3412, 0x3412, 0x3412, 0x3412, 0x3412, 0x3412, 0x3412, 0);
		d = known(0xaabbccdd11223344ULL);
		scalar_bswap(&d, 16, false);
		EXPECT(&d, "le16 truncates", 0x3344, 0x3344, 0x3344, 0x3344, 0x3344, 0x3344, 0x3344, 0x3344, 0x3344, 0);
		d = alu(u, RSH, known(4), true);
		d = alu(d, AND, known(0xfff), true);
		scalar_bswap(&d, 16, true);
		EXPECT(&d, "be16 of [0,0xfff]", 0, 0xff0f, 0, 0xff0f, 0, 0xff0f, 0, 0xff0f, 0, 0xff0f);
		d = alu(u, AND, known(0xff), true);
		scalar_bswap(&d, 64, true);
		EXPECT(&d, "bswap64 of [0,255]", 0, 0xff00000000000000ULL, S64MIN, 0x7f00000000000000LL, 0, 0, 0, 0, 0,
		       0xff00000000000000ULL);
		d = u;
		scalar_bswap(&d, 64, false);
		EXPECT(&d, "le64 is a no-op", 0, U64M, S64MIN, S64MAX, 0, U32M, S32MIN, S32MAX, 0, U64M);
	}

	/* movsx */
	scalar_movsx(&r, &(struct sbpf_scalar){ 0 }, 1, true);     /* zero struct = const 0 */
	EXPECT(&r, "(s8)0", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	{
		struct sbpf_scalar k = known(0x80);

		scalar_movsx(&r, &k, 1, true);
		EXPECT(&r, "(s8)0x80", (uint64_t)-128, (uint64_t)-128, -128, -128, (uint32_t)-128,
		       (uint32_t)-128, -128, -128, (uint64_t)-128, 0);
		scalar_movsx(&r, &k, 1, false);
		EXPECT(&r, "w = (s8)0x80", 0xffffff80, 0xffffff80, 0xffffff80, 0xffffff80, 0xffffff80,
		       0xffffff80, -128, -128, 0xffffff80, 0);
		k = urange(0x80, 0xff);
		scalar_movsx(&r, &k, 1, true);
		EXPECT(&r, "(s8)[0x80,0xff]", (uint64_t)-128, U64M, -128, -1, (uint32_t)-128, U32M, -128, -1,
		       (uint64_t)-128, 0x7f);
		k = urange(0, 100);
		scalar_movsx(&r, &k, 2, true);
		EXPECT(&r, "(s16)[0,100]", 0, 100, 0, 100, 0, 100, 0, 100, 0, 0x7f);
		scalar_movsx(&r, &u, 1, true);
		EXPECT(&r, "(s8)unknown", 0, U64M, -128, 127, 0, U32M, -128, 127, 0, U64M);
	}

	/* loads */
	scalar_mark_loaded(&r, 1, false);
	EXPECT(&r, "u8 load", 0, 255, 0, 255, 0, 255, 0, 255, 0, 0xff);
	scalar_mark_loaded(&r, 4, false);
	EXPECT(&r, "u32 load", 0, U32M, 0, U32M, 0, U32M, S32MIN, S32MAX, 0, U32M);
	scalar_mark_loaded(&r, 2, true);
	EXPECT(&r, "s16 load", 0, U64M, -32768, 32767, 0, U32M, -32768, 32767, 0, U64M);
	scalar_mark_loaded(&r, 8, false);
	EXPECT(&r, "u64 load", 0, U64M, S64MIN, S64MAX, 0, U32M, S32MIN, S32MAX, 0, U64M);

	/* narrowing existing scalars */
	r = known(0x1234);
	scalar_coerce(&r, 1, false);
	EXPECT(&r, "(u8)0x1234", 0x34, 0x34, 0x34, 0x34, 0x34, 0x34, 0x34, 0x34, 0x34, 0);
	r = known(0x80);
	scalar_coerce(&r, 1, true);
	EXPECT(&r, "(s8)0x80", (uint64_t)-128, (uint64_t)-128, -128, -128, (uint32_t)-128, (uint32_t)-128,
	       -128, -128, (uint64_t)-128, 0);
	r = urange(0x100000010ULL, 0x100000020ULL);
	scalar_coerce(&r, 4, false);
	EXPECT(&r, "(u32)[0x100000010,0x100000020]", 0x10, 0x20, 0x10, 0x20, 0x10, 0x20, 0x10, 0x20, 0, 0x3f);
	r = urange(0xff, 0x100);
	scalar_coerce(&r, 1, false);
	EXPECT(&r, "(u8)[0xff,0x100]", 0, 255, 0, 255, 0, 255, 0, 255, 0, 0xff);
	/* linked register delta (values from the 6.18.y log: r8 = r7 + 5 after
	 * "if r7 < 10" learned r7 in [0,9]) */
	r = urange(0, 9);
	scalar_add_linked(&r, 5);
	EXPECT(&r, "[0,9] linked +5", 5, 14, 5, 14, 5, 14, 5, 14, 0, 0xf);
	r = urange(0, 30);
	scalar_add_linked(&r, -20);
	EXPECT(&r, "[0,30] linked -20", 0, U64M, -20, 10, 0, U32M, -20, 10, 0, U64M);
	r = urange(10, 20);
	scalar_add_linked(&r, -5);
	T_EQ_U64(r.umin, 5, "linked umin");
	T_EQ_U64(r.umax, 15, "linked umax");
	T_EQ_U64(r.smin, 5, "linked smin");
	T_EQ_U64(r.smax, 15, "linked smax");

	/* if x < 10: true umax=9, false umin=10 */
	/* x < 0 cannot hold: the kernel's refinement gives the constant 0
	 * umin 1, and the sync's single-value rule turns it back into 0 */
	T_EQ_U64(scalar_refine(&t_d, &t_s, &f_d, &f_s, &u, &(struct sbpf_scalar){ 0 }, JLT, true), 0,
		 "x < 0: no contradiction left");
	EXPECT(&t_s, "x < 0: the 0", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	EXPECT(&f_d, "x >= 0 false side", 0, U64M, S64MIN, S64MAX, 0, U32M, S32MIN, S32MAX, 0, U64M);
	/* a contradiction the sync cannot repair is reported, bounds reset */
	{
		struct sbpf_scalar a = urange(10, 20), b = known(5);

		a.u32_min = 30;     /* inconsistent on purpose */
		a.u32_max = 40;
		T_EQ_U64(scalar_refine(&t_d, &t_s, &f_d, &f_s, &a, &b, JGT, true), (uint64_t)-1,
			 "contradicting input: reported");
	}
	{
		struct sbpf_scalar ten = known(10);

		T_EQ_U64(scalar_refine(&t_d, &t_s, &f_d, &f_s, &u, &ten, JLT, true), 0, "x < 10 refine");
		EXPECT(&t_d, "x < 10 true", 0, 9, 0, 9, 0, 9, 0, 9, 0, 0xf);
		EXPECT(&f_d, "x < 10 false", 10, U64M, S64MIN, S64MAX, 0, U32M, S32MIN, S32MAX, 0, U64M);
		EXPECT(&t_s, "10 stays", 10, 10, 10, 10, 10, 10, 10, 10, 10, 0);
		/* jmp32: if w < 10 */
		scalar_refine(&t_d, &t_s, &f_d, &f_s, &u, &ten, JLT, false);
		EXPECT(&t_d, "w < 10 true", 0, 0xffffffff00000009ULL, S64MIN, 0x7fffffff00000009LL, 0, 9, 0, 9,
		       0, 0xffffffff0000000fULL);
		/* the low half is >= 10 in every value, so are umin and smin's low halves */
		EXPECT(&f_d, "w < 10 false", 10, U64M, S64MIN + 10, S64MAX, 10, U32M, S32MIN, S32MAX, 0, U64M);
		/* signed: if x s> 10 */
		scalar_refine(&t_d, &t_s, &f_d, &f_s, &u, &ten, JSGT, true);
		EXPECT(&t_d, "x s> 10 true", 11, S64MAX, 11, S64MAX, 0, U32M, S32MIN, S32MAX, 0, S64MAX);
		EXPECT(&f_d, "x s> 10 false", 0, U64M, S64MIN, 10, 0, U32M, S32MIN, S32MAX, 0, U64M);
		/* JEQ: the true side learns the constant */
		scalar_refine(&t_d, &t_s, &f_d, &f_s, &u, &ten, JEQ, true);
		EXPECT(&t_d, "x == 10 true", 10, 10, 10, 10, 10, 10, 10, 10, 10, 0);
		/* the u32 load then if r > 100: the formats.md sample */
		scalar_mark_loaded(&r, 4, false);
		{
			struct sbpf_scalar h = known(100);

			scalar_refine(&t_d, &t_s, &f_d, &f_s, &r, &h, JGT, true);
			EXPECT(&f_d, "u32 <= 100", 0, 100, 0, 100, 0, 100, 0, 100, 0, 0x7f);
			EXPECT(&t_d, "u32 > 100", 101, U32M, 101, U32M, 101, U32M, S32MIN, S32MAX, 0, U32M);
		}
		/* JNE at the edge moves it */
		r = urange(0, 10);
		{
			struct sbpf_scalar z = known(0);

			scalar_refine(&t_d, &t_s, &f_d, &f_s, &r, &z, JNE, true);
			EXPECT(&t_d, "[0,10] != 0", 1, 10, 1, 10, 1, 10, 1, 10, 0, 0xf);
			EXPECT(&f_d, "[0,10] == 0", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
		}
		/* JSET with a single bit: the true side knows the bit */
		{
			struct sbpf_scalar b = known(4), c = urange(0, 7);

			scalar_refine(&t_d, &t_s, &f_d, &f_s, &c, &b, JSET, true);
			EXPECT(&t_d, "[0,7] & 4 true", 4, 7, 4, 7, 4, 7, 4, 7, 4, 3);
			EXPECT(&f_d, "[0,7] & 4 false", 0, 3, 0, 3, 0, 3, 0, 3, 0, 3);
		}
		/* two variables: a <= b learns both sides */
		{
			struct sbpf_scalar a = urange(0, 100), b = urange(20, 50);

			scalar_refine(&t_d, &t_s, &f_d, &f_s, &a, &b, JLE, true);
			EXPECT(&t_d, "a <= b: a", 0, 50, 0, 50, 0, 50, 0, 50, 0, 0x3f);
			EXPECT(&f_d, "a > b: a", 21, 100, 21, 100, 21, 100, 21, 100, 0, 0x7f);
			EXPECT(&f_s, "a > b: b", 20, 50, 20, 50, 20, 50, 20, 50, 0, 0x3f);
		}
	}

	/* decided branches */
	{
		struct sbpf_scalar ten = known(10), a = urange(0, 9), b = urange(10, 20), c = urange(5, 15);
		struct sbpf_scalar even = alu(u, AND, known(0xfe), true), seven = known(7);

		T_EQ_U64(scalar_branch_taken(&a, &ten, JLT, true), 1, "[0,9] < 10");
		T_EQ_U64(scalar_branch_taken(&b, &ten, JLT, true), 0, "[10,20] < 10");
		T_EQ_U64(scalar_branch_taken(&c, &ten, JLT, true), (uint64_t)-1, "[5,15] < 10");
		T_EQ_U64(scalar_branch_taken(&b, &ten, JGE, true), 1, "[10,20] >= 10");
		T_EQ_U64(scalar_branch_taken(&a, &ten, JEQ, true), 0, "[0,9] == 10");
		T_EQ_U64(scalar_branch_taken(&a, &ten, JNE, true), 1, "[0,9] != 10");
		T_EQ_U64(scalar_branch_taken(&even, &seven, JEQ, true), 0, "even == 7 (tnum)");
		T_EQ_U64(scalar_branch_taken(&even, &seven, JNE, true), 1, "even != 7 (tnum)");
		T_EQ_U64(scalar_branch_taken(&even, &seven, JLT, true), (uint64_t)-1, "even < 7");
		T_EQ_U64(scalar_branch_taken(&even, &(struct sbpf_scalar){ 0 }, JSET, true), 0, "x & 0");
		T_EQ_U64(scalar_branch_taken(&even, &seven, JSET, true), (uint64_t)-1, "even & 7");
		{
			struct sbpf_scalar one = known(1);

			T_EQ_U64(scalar_branch_taken(&even, &one, JSET, true), 0, "even & 1");
		}
		{
			struct sbpf_scalar m1 = known((uint64_t)-1), s = srange(-5, -1);

			T_EQ_U64(scalar_branch_taken(&s, &ten, JSLT, true), 1, "[-5,-1] s< 10");
			T_EQ_U64(scalar_branch_taken(&s, &ten, JLT, true), 0, "[-5,-1] u< 10");
			T_EQ_U64(scalar_branch_taken(&s, &m1, JSLE, true), 1, "[-5,-1] s<= -1");
			T_EQ_U64(scalar_branch_taken(&s, &m1, JSGT, false), 0, "w [-5,-1] s> -1");
		}
		/* jmp32 on values whose upper halves differ */
		{
			struct sbpf_scalar hi = known(0x100000005ULL), five = known(5);

			T_EQ_U64(scalar_branch_taken(&hi, &five, JEQ, false), 1, "w 0x100000005 == 5");
			T_EQ_U64(scalar_branch_taken(&hi, &five, JEQ, true), 0, "0x100000005 == 5");
		}
	}

	/* a register compared with itself: 6.18.y decides it from the bounds
	 * alone and refines through one aliased register */
	{
		struct sbpf_scalar a = urange(0, 10), k = known(7);

		T_EQ_U64(scalar_branch_taken_same(&a, JGE, true), (uint64_t)-1, "[0,10] >= itself: undecided");
		T_EQ_U64(scalar_branch_taken_same(&k, JGE, true), 1, "7 >= 7");
		T_EQ_U64(scalar_branch_taken_same(&k, JNE, false), 0, "7 != 7");
		T_EQ_U64(scalar_refine_same(&t_d, &f_d, &a, JGE, true), 0, "refine r >= r");
		EXPECT(&t_d, "r >= r true", 0, 10, 0, 10, 0, 10, 0, 10, 0, 0xf);
		EXPECT(&f_d, "r >= r false (r < r)", 1, 9, 1, 9, 1, 9, 1, 9, 0, 0xf);
		a = urange(5, 6);
		T_EQ_U64(scalar_refine_same(&t_d, &f_d, &a, JGT, true), 0, "r > r on [5,6]");
		EXPECT(&t_d, "r > r on [5,6] (dead side, as the kernel)", 6, 6, 6, 6, 6, 6, 6, 6, 6, 0);
	}
	/* sync: a u64 range and a tnum sharing one value make a constant */
	r = alu(u, AND, known(0x1c), true);
	{
		struct sbpf_scalar five = known(5), nine = known(9);

		scalar_refine(&t_d, &t_s, &f_d, &f_s, &r, &five, JLT, true);
		r = f_d;
		EXPECT(&r, "[5,28] & (0;0x1c) stays", 5, 28, 5, 28, 5, 28, 5, 28, 0, 0x1c);
		scalar_refine(&t_d, &t_s, &f_d, &f_s, &r, &nine, JGT, true);
		EXPECT(&f_d, "[5,9] & (0;0x1c) is 8", 8, 8, 8, 8, 8, 8, 8, 8, 8, 0);
	}
	/* sync: an s32 range wrapping the u32 ends, met by the u32 range on
	 * one side only (the kernel's 32-bit sign-boundary rule) */
	r = u;
	r.umin = 1;
	r.umax = 0xfffffffe;
	r.s32_min = -16384;
	r.s32_max = 0;
	scalar_sync(&r);
	EXPECT(&r, "s32 [-16384,0] & u32 >= 1", 0xffffc000, 0xfffffffe, 0xffffc000, 0xfffffffe, 0xffffc000,
	       0xfffffffe, -16384, -2, 0xffffc000, 0x3fff);
	/* JSET false side forgets the ranges before narrowing the tnum */
	r = urange(2, 7);
	{
		struct sbpf_scalar one = known(1);

		scalar_refine(&t_d, &t_s, &f_d, &f_s, &r, &one, JSET, true);
		EXPECT(&f_d, "[2,7] & 1 == 0", 0, 6, 0, 6, 0, 6, 0, 6, 0, 6);
		EXPECT(&t_d, "[2,7] & 1 != 0", 2, 7, 2, 7, 2, 7, 2, 7, 1, 6);
	}
	/* sync: signed range inside one half implies the unsigned one */
	r = srange(-3, -1);
	EXPECT(&r, "[-3,-1]", (uint64_t)-3, U64M, -3, -1, (uint32_t)-3, U32M, -3, -1, (uint64_t)-4, 3);
	/* pruning */
	{
		struct sbpf_scalar old = urange(0, 100), cur = urange(10, 20);

		T_OK(scalar_within(&old, &cur), "[10,20] within [0,100]");
		T_OK(!scalar_within(&cur, &old), "[0,100] not within [10,20]");
		T_OK(scalar_within(&u, &old), "anything within unknown");
	}
	T_OK(scalar_is_sane(&u), "unknown is sane");
	{
		struct sbpf_scalar bad = urange(3, 5);

		bad.umin = 6;
		T_OK(!scalar_is_sane(&bad), "umin > umax is not sane");
		bad = known(5);
		bad.var_off = tnum_const(6);
		T_OK(!scalar_is_sane(&bad), "const tnum out of sync");
	}
	return t_done();
}
