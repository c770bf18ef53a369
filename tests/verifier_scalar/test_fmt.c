/* test_fmt.c - scalars printed exactly as the Linux 6.18 verifier log does
 * (samples from ../shared/docs/formats.md §2 and the kernel's printing rules:
 * decimal within [-512, 512], hex otherwise, merged equal bounds, omitted
 * defaults, var_off only when something is known, id first). */
#include "testlib.h"
#include "verifier/scalar.h"

static char buf[256];

static const char *fmt(const struct sbpf_scalar *s, uint32_t id)
{
	int n = scalar_fmt(buf, sizeof(buf), s, id);

	T_EQ_U64(n, strlen(buf), "return value is the length");
	return buf;
}

static struct sbpf_scalar known(uint64_t v)
{
	struct sbpf_scalar s;

	scalar_mark_known(&s, v);
	return s;
}

int main(void)
{
	struct sbpf_scalar s, u, t_d, t_s, f_d, f_s, k;

	scalar_mark_unknown(&u);
	/* constants */
	s = known(42);
	T_EQ_STR(fmt(&s, 0), "42", "42");
	s = known((uint64_t)-5);
	T_EQ_STR(fmt(&s, 0), "-5", "-5");
	s = known(0x7a11e);
	T_EQ_STR(fmt(&s, 0), "0x7a11e", "0x7a11e");
	s = known(32767);
	T_EQ_STR(fmt(&s, 0), "32767", "S16_MAX is decimal");
	s = known(32768);
	T_EQ_STR(fmt(&s, 0), "0x8000", "a constant above S16_MAX is hex");
	s = known((uint64_t)-32768);
	T_EQ_STR(fmt(&s, 0), "-32768", "S16_MIN is decimal");
	s = known((uint64_t)-32769);
	T_EQ_STR(fmt(&s, 0), "0xffffffffffff7fff", "below S16_MIN is 64-bit hex");
	/* unsigned bounds stay decimal up to U16_MAX, signed ones to S16_MAX */
	s = u;
	s.umax = 65535;
	scalar_sync(&s);
	T_EQ_STR(fmt(&s, 0), "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))",
		 "smax 65535 is hex, so umax merges into it");
	s = u;
	s.umax = 40000;
	s.umin = 1;
	scalar_sync(&s);
	T_EQ_STR(fmt(&s, 0), "scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=0x9c40,var_off=(0x0; 0xffff))",
		 "merged bounds print as the first one does");
	s = known(0);
	T_EQ_STR(fmt(&s, 7), "0", "a constant prints no id");
	/* unknown */
	T_EQ_STR(fmt(&u, 0), "scalar()", "unknown");
	T_EQ_STR(fmt(&u, 3), "scalar(id=3)", "unknown linked");
	/* formats.md: u32 load */
	scalar_mark_loaded(&s, 4, false);
	T_EQ_STR(fmt(&s, 0), "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))", "u32 load");
	/* formats.md: then if r2 > 0x64 (fall-through and taken) */
	k = known(100);
	scalar_refine(&t_d, &t_s, &f_d, &f_s, &s, &k, 0x20, true);
	T_EQ_STR(fmt(&f_d, 0), "scalar(smin=smin32=0,smax=umax=smax32=umax32=100,var_off=(0x0; 0x7f))",
		 "u32 <= 100");
	T_EQ_STR(fmt(&t_d, 0), "scalar(smin=umin=umin32=101,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))",
		 "u32 > 100");
	T_EQ_STR(fmt(&f_d, 2), "scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=100,var_off=(0x0; 0x7f))",
		 "linked");
	/* linked with a delta, as the kernel logs "r8 += 5" after "r8 = r7" */
	scalar_mark_loaded(&s, 2, false);
	k = known(5);
	scalar_alu(&s, &k, 0x00, true, false);
	scalar_fmt_linked(buf, sizeof(buf), &s, 1, 5);
	T_EQ_STR(buf, "scalar(id=1+5,smin=umin=smin32=umin32=5,smax=umax=smax32=umax32=0x10004,var_off=(0x0; 0x1ffff))",
		 "id=1+5");
	s = u;
	s.smin = -20;
	s.smax = 0xffeb;
	scalar_sync(&s);
	scalar_fmt_linked(buf, sizeof(buf), &s, 1, -20);
	T_EQ_STR(buf, "scalar(id=1-20,smin=smin32=-20,smax=smax32=0xffeb)", "id=1-20");
	/* u8 and s8 loads */
	scalar_mark_loaded(&s, 1, false);
	T_EQ_STR(fmt(&s, 0), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))", "u8 load");
	scalar_mark_loaded(&s, 1, true);
	T_EQ_STR(fmt(&s, 0), "scalar(smin=smin32=-128,smax=smax32=127)", "s8 load");
	/* negative range: negatives and unsigned values never merge */
	s = u;
	s.smin = -3;
	s.smax = -1;
	scalar_sync(&s);
	T_EQ_STR(fmt(&s, 0),
		 "scalar(smin=smin32=-3,smax=smax32=-1,umin=0xfffffffffffffffd,umin32=0xfffffffd,"
		 "var_off=(0xfffffffffffffffc; 0x3))", "[-3,-1]");
	/* x < 10 and its fall-through */
	k = known(10);
	scalar_refine(&t_d, &t_s, &f_d, &f_s, &u, &k, 0xa0, true);
	T_EQ_STR(fmt(&t_d, 0), "scalar(smin=smin32=0,smax=umax=smax32=umax32=9,var_off=(0x0; 0xf))", "x < 10");
	T_EQ_STR(fmt(&f_d, 0), "scalar(umin=10)", "x >= 10");
	/* jmp32 refinement */
	scalar_refine(&t_d, &t_s, &f_d, &f_s, &u, &k, 0xa0, false);
	T_EQ_STR(fmt(&t_d, 0),
		 "scalar(smax=0x7fffffff00000009,umax=0xffffffff00000009,smin32=0,smax32=umax32=9,"
		 "var_off=(0x0; 0xffffffff0000000f))", "w < 10");
	/* s32 bounds in hex are not sign-extended */
	s = u;
	s.s32_min = -40000;
	s.s32_max = 1000;
	scalar_sync(&s);
	T_EQ_STR(fmt(&s, 0), "scalar(smin32=0xffff63c0,smax32=1000)", "s32 hex");
	s = u;
	s.s32_min = -1000;
	scalar_sync(&s);
	T_EQ_STR(fmt(&s, 0), "scalar(smin32=-1000)", "s32 decimal");
	/* x s>> 63 */
	s = u;
	k = known(63);
	scalar_alu(&s, &k, 0xc0, true, false);
	T_EQ_STR(fmt(&s, 0), "scalar(smin=smin32=-1,smax=smax32=0)", "arsh 63");
	/* (x & 0xff) + 1 */
	s = u;
	k = known(0xff);
	scalar_alu(&s, &k, 0x50, true, false);
	k = known(1);
	scalar_alu(&s, &k, 0x00, true, false);
	T_EQ_STR(fmt(&s, 0), "scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=256,var_off=(0x0; 0x1ff))",
		 "(x & 0xff) + 1");
	/* a tnum with nothing else: only var_off */
	s = u;
	s.var_off = (struct tnum){ 0x100000000ULL, 0xffffffff00000000ULL ^ 0x100000000ULL };
	T_EQ_STR(fmt(&s, 0), "scalar(var_off=(0x100000000; 0xfffffffe00000000))", "tnum only");
	/* truncation follows snprintf */
	{
		char small[8];
		int n;

		scalar_refine(&t_d, &t_s, &f_d, &f_s, &u, &(struct sbpf_scalar){ .var_off = { 10, 0 },
			      .smin = 10, .smax = 10, .umin = 10, .umax = 10, .s32_min = 10, .s32_max = 10,
			      .u32_min = 10, .u32_max = 10 }, 0xa0, true);
		n = scalar_fmt(small, sizeof(small), &f_d, 0);

		T_EQ_U64(n, strlen("scalar(umin=10)"), "length when truncated");
		T_EQ_STR(small, "scalar(", "truncated text");
		T_EQ_U64(scalar_fmt(NULL, 0, &f_d, 0), strlen("scalar(umin=10)"), "length with no buffer");
	}
	return t_done();
}
