/* test_walk.c - how the walk uses the numeric domain, line for line against
 * Linux 6.18: each case's expected lines are the kernel's own level-2 log of
 * the same instructions (loaded as a socket filter on 6.18.44 and pasted
 * here), with the one difference of program type: the kernel's `R1=ctx()`
 * is our raw type's `R1=mem(sz=0) R2=0`. Compared: every instruction line
 * (with its `; R..` annotation), every `N: R..` state line and every
 * `from X to Y:` line, in order.
 *
 *   div32_untracked...   a 32-bit div leaves all 64 bits unknown; w = w
 *                        zero-extends and syncs; neg; "if r0 >= r0"
 *   fork_sign_mask       r &= K on [-1, 0] forks: -1 goes on, 0 re-executes
 *   linked_add_const     r8 = r7 + 5 (id=1+5), w9 = w7 - 3 (id=1-3): a
 *                        branch on r7 refines both, with their deltas
 *   narrow_fills         u8/s8/s16/u32/s32/u16 reads of spilled scalars
 *   narrow_spills...     scalars stored at the start of a slot with fewer
 *                        than 8 bytes are spills too ("fp-8=????0")
 *   dead_copy_not_refined  a linked copy dead at the branch keeps its range */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt.h"

struct wcase {
	const char *name;
	const char *text;
	const char *lines[24];
};

static const struct wcase cases[] = {
	{ "div32_untracked_and_mov32_neg_same_reg_jump",
	  "r7 = *(u32 *)(r10 - 8)\n" "w7 s/= w7\n" "r3 = *(u64 *)(r10 - 16)\n" "w4 = w3\n" "r5 = *(u8 *)(r10 - 24)\n" "r5 = -r5\n" "w5 = -w5\n" "r0 = *(u64 *)(r10 - 32)\n" "if r0 >= r0 goto +1\n" "r0 = 0\n" "exit\n",
	  {
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (61) r7 = *(u32 *)(r10 -8)         ; R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R10=fp0",
		"1: (3c) w7 s/= w7                     ; R7=scalar()",
		"2: (79) r3 = *(u64 *)(r10 -16)        ; R3=scalar() R10=fp0",
		"3: (bc) w4 = w3                       ; R3=scalar() R4=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))",
		"4: (71) r5 = *(u8 *)(r10 -24)         ; R5=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"5: (87) r5 = -r5                      ; R5=scalar(smin=smin32=-255,smax=smax32=0)",
		"6: (84) w5 = -w5                      ; R5=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))",
		"7: (79) r0 = *(u64 *)(r10 -32)        ; R0=scalar() R10=fp0",
		"8: (3d) if r0 >= r0 goto pc+1         ; R0=scalar(umin=1,umax=0xfffffffffffffffe)",
		"9: (b7) r0 = 0                        ; R0=0",
		"10: (95) exit",
		"from 8 to 10: R0=scalar() R1=mem(sz=0) R2=0 R3=scalar() R4=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R5=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=scalar() R10=fp0",
		"10: R0=scalar() R1=mem(sz=0) R2=0 R3=scalar() R4=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R5=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=scalar() R10=fp0",
		"10: (95) exit",
		NULL } },
	{ "fork_sign_mask",
	  "r6 = *(u8 *)(r10 - 8)\n" "r6 <<= 63\n" "r6 s>>= 63\n" "r6 &= 12\n" "r0 = r6\n" "exit\n",
	  {
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (71) r6 = *(u8 *)(r10 -8)          ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"1: (67) r6 <<= 63                     ; R6=scalar(smax=smax32=umax32=0,umax=0x8000000000000000,smin32=0,var_off=(0x0; 0x8000000000000000))",
		"2: (c7) r6 s>>= 63                    ; R6=scalar(smin=smin32=-1,smax=smax32=0)",
		"3: (57) r6 &= 12                      ; R6=12",
		"4: (bf) r0 = r6                       ; R0=12 R6=12",
		"5: (95) exit",
		"from 3 to 3: R1=mem(sz=0) R2=0 R6=0 R10=fp0",
		"3: R1=mem(sz=0) R2=0 R6=0 R10=fp0",
		"3: (57) r6 &= 12                      ; R6=0",
		"4: (bf) r0 = r6                       ; R0=0 R6=0",
		"5: (95) exit",
		NULL } },
	{ "linked_add_const",
	  "r7 = *(u8 *)(r10 - 8)\n" "r8 = r7\n" "r8 += 5\n" "w9 = w7\n" "w9 -= 3\n" "r0 = 0\n" "if r7 > 9 goto +1\n" "r0 = r8\n" "r0 += r9\n" "exit\n",
	  {
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (71) r7 = *(u8 *)(r10 -8)          ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"1: (bf) r8 = r7                       ; R7=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R8=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))",
		"2: (07) r8 += 5                       ; R8=scalar(id=1+5,smin=umin=smin32=umin32=5,smax=umax=smax32=umax32=260,var_off=(0x0; 0x1ff))",
		"3: (bc) w9 = w7                       ; R7=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R9=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))",
		"4: (14) w9 -= 3                       ; R9=scalar(id=1-3,smin=0,smax=umax=0xffffffff,smin32=-3,smax32=252,var_off=(0x0; 0xffffffff))",
		"5: (b7) r0 = 0                        ; R0=0",
		"6: (25) if r7 > 0x9 goto pc+1         ; R7=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=9,var_off=(0x0; 0xf))",
		"7: (bf) r0 = r8                       ; R0=scalar(id=2,smin=umin=smin32=umin32=5,smax=umax=smax32=umax32=14,var_off=(0x0; 0xf)) R8=scalar(id=2,smin=umin=smin32=umin32=5,smax=umax=smax32=umax32=14,var_off=(0x0; 0xf))",
		"8: (0f) r0 += r9                      ; R0=scalar(smin=umin=5,smax=umax=0x10000000d,smin32=umin32=2,smax32=umax32=20,var_off=(0x0; 0x10000001f)) R9=scalar(id=1-3,smin=0,smax=umax=0xffffffff,smin32=-3,smax32=6,var_off=(0x0; 0xffffffff))",
		"9: (95) exit",
		"from 6 to 8: R0=0 R1=mem(sz=0) R2=0 R7=scalar(id=1,smin=umin=smin32=umin32=10,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R8=scalar(id=1+5,smin=umin=smin32=umin32=15,smax=umax=smax32=umax32=260,var_off=(0x0; 0x1ff)) R9=scalar(id=1-3,smin=umin=smin32=umin32=7,smax=umax=smax32=umax32=252,var_off=(0x0; 0xff)) R10=fp0",
		"8: R0=0 R1=mem(sz=0) R2=0 R7=scalar(id=1,smin=umin=smin32=umin32=10,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R8=scalar(id=1+5,smin=umin=smin32=umin32=15,smax=umax=smax32=umax32=260,var_off=(0x0; 0x1ff)) R9=scalar(id=1-3,smin=umin=smin32=umin32=7,smax=umax=smax32=umax32=252,var_off=(0x0; 0xff)) R10=fp0",
		"8: (0f) r0 += r9                      ; R0=scalar(smin=umin=smin32=umin32=7,smax=umax=smax32=umax32=252,var_off=(0x0; 0xff)) R9=scalar(id=1-3,smin=umin=smin32=umin32=7,smax=umax=smax32=umax32=252,var_off=(0x0; 0xff))",
		"9: (95) exit",
		NULL } },
	{ "narrow_fills",
	  "r6 = 0x1234\n" "*(u64 *)(r10 - 8) = r6\n" "r3 = *(u8 *)(r10 - 8)\n" "r4 = *(s8 *)(r10 - 8)\n" "r5 = *(s16 *)(r10 - 8)\n" "r7 = *(u32 *)(r10 - 8)\n" "r8 = *(u8 *)(r10 - 7)\n" "r9 = *(u32 *)(r10 - 24)\n" "*(u64 *)(r10 - 16) = r9\n" "r0 = *(s32 *)(r10 - 16)\n" "r6 = *(u16 *)(r10 - 16)\n" "r0 = 0\n" "exit\n",
	  {
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (b7) r6 = 4660                     ; R6=4660",
		"1: (7b) *(u64 *)(r10 -8) = r6         ; R6=4660 R10=fp0 fp-8=4660",
		"2: (71) r3 = *(u8 *)(r10 -8)          ; R3=52 R10=fp0 fp-8=4660",
		"3: (91) r4 = *(s8 *)(r10 -8)          ; R4=52 R10=fp0 fp-8=4660",
		"4: (89) r5 = *(s16 *)(r10 -8)         ; R5=4660 R10=fp0 fp-8=4660",
		"5: (61) r7 = *(u32 *)(r10 -8)         ; R7=4660 R10=fp0 fp-8=4660",
		"6: (71) r8 = *(u8 *)(r10 -7)          ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0 fp-8=4660",
		"7: (61) r9 = *(u32 *)(r10 -24)        ; R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R10=fp0",
		"8: (7b) *(u64 *)(r10 -16) = r9        ; R9=scalar(id=1,smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R10=fp0 fp-16=scalar(id=1,smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))",
		"9: (81) r0 = *(s32 *)(r10 -16)        ; R0=scalar(id=1,smin=0xffffffff80000000,smax=0x7fffffff) R10=fp0 fp-16=scalar(id=1,smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))",
		"10: (69) r6 = *(u16 *)(r10 -16)       ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R10=fp0 fp-16=scalar(id=1,smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))",
		"11: (b7) r0 = 0                       ; R0=0",
		"12: (95) exit",
		NULL } },
	{ "narrow_spills",
	  "*(u32 *)(r10 - 8) = 0\n" "*(u16 *)(r10 - 16) = 7\n" "r2 = 9\n" "*(u8 *)(r10 - 24) = r2\n" "r3 = *(u64 *)(r10 - 8)\n" "r4 = *(u16 *)(r10 - 16)\n" "r0 = *(u32 *)(r10 - 8)\n" "exit\n",
	  {
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (62) *(u32 *)(r10 -8) = 0          ; R10=fp0 fp-8=????0",
		"1: (6a) *(u16 *)(r10 -16) = 7         ; R10=fp0 fp-16=??????7",
		"2: (b7) r2 = 9                        ; R2=9",
		"3: (73) *(u8 *)(r10 -24) = r2         ; R2=9 R10=fp0 fp-24=???????9",
		"4: (79) r3 = *(u64 *)(r10 -8)         ; R3=scalar() R10=fp0 fp-8=????0",
		"5: (69) r4 = *(u16 *)(r10 -16)        ; R4=7 R10=fp0 fp-16=??????7",
		"6: (61) r0 = *(u32 *)(r10 -8)         ; R0=0 R10=fp0 fp-8=????0",
		"7: (95) exit",
		NULL } },
	{ "narrow_spill_over_spill",
	  "r6 = *(u64 *)(r10 - 32)\n" "*(u64 *)(r10 - 8) = r6\n" "*(u32 *)(r10 - 8) = 5\n" "*(u32 *)(r10 - 16) = 0\n" "*(u8 *)(r10 - 16) = 3\n" "r0 = 0\n" "exit\n",
	  {
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (79) r6 = *(u64 *)(r10 -32)        ; R6=scalar() R10=fp0",
		"1: (7b) *(u64 *)(r10 -8) = r6         ; R6=scalar(id=1) R10=fp0 fp-8=scalar(id=1)",
		"2: (62) *(u32 *)(r10 -8) = 5          ; R10=fp0 fp-8=mmmm5",
		"3: (62) *(u32 *)(r10 -16) = 0         ; R10=fp0 fp-16=????0",
		"4: (72) *(u8 *)(r10 -16) = 3          ; R10=fp0 fp-16=????mmm3",
		"5: (b7) r0 = 0                        ; R0=0",
		"6: (95) exit",
		NULL } },
	{ "dead_copy_not_refined",
	  "r0 = *(u8 *)(r10 - 8)\n" "r6 = r0\n" "r4 = r6\n" "r0 = 1\n" "if r6 > 9 goto +1\n" "r0 = r6\n" "exit\n",
	  {
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (71) r0 = *(u8 *)(r10 -8)          ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"1: (bf) r6 = r0                       ; R0=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))",
		"2: (bf) r4 = r6                       ; R4=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))",
		"3: (b7) r0 = 1                        ; R0=1",
		"4: (25) if r6 > 0x9 goto pc+1         ; R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=9,var_off=(0x0; 0xf))",
		"5: (bf) r0 = r6                       ; R0=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=9,var_off=(0x0; 0xf)) R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=9,var_off=(0x0; 0xf))",
		"6: (95) exit",
		"from 4 to 6: R0=1 R1=mem(sz=0) R2=0 R4=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=1,smin=umin=smin32=umin32=10,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"6: R0=1 R1=mem(sz=0) R2=0 R4=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=1,smin=umin=smin32=umin32=10,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"6: (95) exit",
		NULL } },
};

static struct vt_log lg;

static void run(const struct wcase *c)
{
	struct stackbpf_insn *insns;
	size_t cnt;
	STACKBPF_OPTS(stackbpf_asm_opts, ao);
	if (stackbpf_asm__text(c->text, strlen(c->text), &ao, &insns, &cnt)) {
		T_OK(0, "%s: does not assemble", c->name);
		return;
	}
	int err = vt_verify(insns, cnt, 0, false, 2, &lg, NULL);
	free(insns);
	char what[160];
	snprintf(what, sizeof(what), "%s: accepted", c->name);
	T_EQ_U64(err, 0, what);
	size_t k = 0;
	for (const char *l = lg.text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		int a;
		bool keep = (len > 5 && !strncmp(l, "from ", 5)) || (sscanf(l, "%d: ", &a) == 1 && strchr(l, ':') < l + len);
		if (keep) {
			char got[2048];
			snprintf(got, sizeof(got), "%.*s", (int)len, l);
			snprintf(what, sizeof(what), "%s: line %zu", c->name, k);
			T_EQ_STR(got, c->lines[k] ? c->lines[k] : "(end)", what);
			if (c->lines[k])
				k++;
		}
		l += len + (nl ? 1 : 0);
	}
	T_OK(!c->lines[k], "%s: log ends at line %zu of the kernel's", c->name, k);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run(&cases[i]);
	return t_done();
}
