/* test_precision.c - precision tracking line for line against Linux 6.18.
 *
 * Each case's expected lines are the running kernel's own level-2 log of the
 * same instructions (loaded as a socket filter on 6.18.44 and pasted here),
 * with two differences of program type and kernel internals: the kernel's
 * `R1=ctx()` is our raw type's `R1=mem(sz=0) R2=0`, and the kernel's extra
 * liveness dumps ("Live regs before insn:" and its stack-liveness lines
 * "(0) frame 0 insn N +live ...") are left out. Compared: every other line,
 * in order, mark_precise / SCC / "propagating" lines and the final
 * statistics line included.
 *
 *   loop_counter  a counter compared each iteration: backtracking through
 *                 the loop's jump history and the parent checkpoints
 *   spill_fill    a register filled from a slot a constant was spilled to
 *   call_return   r0 of a static subprog: into the callee and back to the
 *                 caller's r6 through r1
 *   linked        a branch on a copy: the linked register becomes precise
 *   prune_prop    a pruned path propagates the checkpoint's precise r7
 *
 * The stack-argument chain has no kernel to capture from here (this kernel
 * has no r11 arguments): stack_arg_chain checks the lines stack-args.md §3.9
 * describes (the callee's `r1 = *(u64 *)(r11 +8)` sets the caller's slot,
 * which the caller's `*(u64 *)(r11 -8) = 4` then clears; no slot field in
 * the log lines). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt.h"

struct pcase {
	const char *name;
	const char *text;
	const char *lines[80];
};

static const struct pcase cases[] = {
	{ "loop_counter",
	  /* a counter compared each iteration: precision through the loop's history and the parent checkpoints; the SCC of the loop */
	  "r6 = *(u64 *)(r10 - 8)\n" "r7 = 0\n" "loop:\n" "r7 += 1\n" "r0 = r7\n" "if r7 < 4 goto loop\n" "r0 = 0\n" "exit\n",
	  {
		"func#0 @0",
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (79) r6 = *(u64 *)(r10 -8)         ; R6=scalar() R10=fp0",
		"1: (b7) r7 = 0                        ; R7=0",
		"2: (07) r7 += 1                       ; R7=1",
		"3: (bf) r0 = r7                       ; R0=1 R7=1",
		"4: (a5) if r7 < 0x4 goto pc-3",
		"mark_precise: frame0: last_idx 4 first_idx 0 subseq_idx -1 ",
		"mark_precise: frame0: regs=r7 stack= before 3: (bf) r0 = r7",
		"mark_precise: frame0: regs=r7 stack= before 2: (07) r7 += 1",
		"mark_precise: frame0: regs=r7 stack= before 1: (b7) r7 = 0",
		"4: R7=1",
		"2: (07) r7 += 1                       ; R7=2",
		"3: (bf) r0 = r7                       ; R0=2 R7=2",
		"4: (a5) if r7 < 0x4 goto pc-3",
		"mark_precise: frame0: last_idx 4 first_idx 0 subseq_idx -1 ",
		"mark_precise: frame0: regs=r7 stack= before 3: (bf) r0 = r7",
		"mark_precise: frame0: regs=r7 stack= before 2: (07) r7 += 1",
		"mark_precise: frame0: regs=r7 stack= before 4: (a5) if r7 < 0x4 goto pc-3",
		"mark_precise: frame0: regs=r7 stack= before 3: (bf) r0 = r7",
		"mark_precise: frame0: regs=r7 stack= before 2: (07) r7 += 1",
		"mark_precise: frame0: regs=r7 stack= before 1: (b7) r7 = 0",
		"4: R7=2",
		"SCC enter (1)",
		"2: (07) r7 += 1                       ; R7=3",
		"3: (bf) r0 = r7                       ; R0=3 R7=3",
		"4: (a5) if r7 < 0x4 goto pc-3",
		"mark_precise: frame0: last_idx 4 first_idx 2 subseq_idx -1 ",
		"mark_precise: frame0: regs=r7 stack= before 3: (bf) r0 = r7",
		"mark_precise: frame0: regs=r7 stack= before 2: (07) r7 += 1",
		"mark_precise: frame0: parent state regs=r7 stack=:  R0=2 R1=mem(sz=0) R2=0 R6=scalar() R7=P2 R10=fp0",
		"mark_precise: frame0: last_idx 4 first_idx 0 subseq_idx 2 ",
		"mark_precise: frame0: regs=r7 stack= before 4: (a5) if r7 < 0x4 goto pc-3",
		"mark_precise: frame0: regs=r7 stack= before 3: (bf) r0 = r7",
		"mark_precise: frame0: regs=r7 stack= before 2: (07) r7 += 1",
		"mark_precise: frame0: regs=r7 stack= before 4: (a5) if r7 < 0x4 goto pc-3",
		"mark_precise: frame0: regs=r7 stack= before 3: (bf) r0 = r7",
		"mark_precise: frame0: regs=r7 stack= before 2: (07) r7 += 1",
		"mark_precise: frame0: regs=r7 stack= before 1: (b7) r7 = 0",
		"4: R7=3",
		"2: (07) r7 += 1                       ; R7=4",
		"3: (bf) r0 = r7                       ; R0=4 R7=4",
		"4: (a5) if r7 < 0x4 goto pc-3",
		"mark_precise: frame0: last_idx 4 first_idx 2 subseq_idx -1 ",
		"mark_precise: frame0: regs=r7 stack= before 3: (bf) r0 = r7",
		"mark_precise: frame0: regs=r7 stack= before 2: (07) r7 += 1",
		"mark_precise: frame0: regs=r7 stack= before 4: (a5) if r7 < 0x4 goto pc-3",
		"mark_precise: frame0: regs=r7 stack= before 3: (bf) r0 = r7",
		"mark_precise: frame0: regs=r7 stack= before 2: (07) r7 += 1",
		"mark_precise: frame0: parent state regs= stack=:  R0=2 R1=mem(sz=0) R2=0 R6=scalar() R7=P2 R10=fp0",
		"4: R7=4",
		"5: (b7) r0 = 0                        ; R0=0",
		"6: (95) exit",
		"SCC exit (1)",
		"processed 16 insns (limit 1000000) max_states_per_insn 1 total_states 1 peak_states 1 mark_read 0",
		NULL } },
	{ "spill_fill",
	  /* r8 filled from fp-8, which a constant in r7 was spilled to: regs -> stack slot -> register */
	  "r6 = *(u8 *)(r10 - 16)\n" "r7 = 5\n" "*(u64 *)(r10 - 8) = r7\n" "r8 = *(u64 *)(r10 - 8)\n" "r8 += r6\n" "r8 &= 7\n" "r3 = r10\n" "r3 += -64\n" "r3 += r8\n" "r0 = *(u8 *)(r3 + 0)\n" "exit\n",
	  {
		"func#0 @0",
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (71) r6 = *(u8 *)(r10 -16)         ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"1: (b7) r7 = 5                        ; R7=5",
		"2: (7b) *(u64 *)(r10 -8) = r7         ; R7=5 R10=fp0 fp-8=5",
		"3: (79) r8 = *(u64 *)(r10 -8)         ; R8=5 R10=fp0 fp-8=5",
		"4: (0f) r8 += r6                      ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R8=scalar(smin=umin=smin32=umin32=5,smax=umax=smax32=umax32=260,var_off=(0x0; 0x1ff))",
		"5: (57) r8 &= 7                       ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))",
		"6: (bf) r3 = r10                      ; R3=fp0 R10=fp0",
		"7: (07) r3 += -64                     ; R3=fp-64",
		"8: (0f) r3 += r8",
		"mark_precise: frame0: last_idx 8 first_idx 0 subseq_idx -1 ",
		"mark_precise: frame0: regs=r8 stack= before 7: (07) r3 += -64",
		"mark_precise: frame0: regs=r8 stack= before 6: (bf) r3 = r10",
		"mark_precise: frame0: regs=r8 stack= before 5: (57) r8 &= 7",
		"mark_precise: frame0: regs=r8 stack= before 4: (0f) r8 += r6",
		"mark_precise: frame0: regs=r6,r8 stack= before 3: (79) r8 = *(u64 *)(r10 -8)",
		"mark_precise: frame0: regs=r6 stack=-8 before 2: (7b) *(u64 *)(r10 -8) = r7",
		"mark_precise: frame0: regs=r6,r7 stack= before 1: (b7) r7 = 5",
		"mark_precise: frame0: regs=r6 stack= before 0: (71) r6 = *(u8 *)(r10 -16)",
		"9: R3=fp(off=-64,smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7)) R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))",
		"9: (71) r0 = *(u8 *)(r3 +0)           ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R3=fp(off=-64,smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))",
		"10: (95) exit",
		"processed 11 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
		NULL } },
	{ "call_return",
	  /* r0 returned by a static subprog: into the callee (frame1), through its r1 back to the caller's r6 */
	  "r2 = 0\n" "r6 = 3\n" "r1 = r6\n" "call sub\n" "r2 = r10\n" "r2 += -32\n" "r2 += r0\n" "r0 = *(u8 *)(r2 + 0)\n" "exit\n" "sub:\n" "r0 = r1\n" "r0 += 1\n" "exit\n",
	  {
		"func#0 @0",
		"func#1 @9",
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (b7) r2 = 0                        ; R2=0",
		"1: (b7) r6 = 3                        ; R6=3",
		"2: (bf) r1 = r6                       ; R1=3 R6=3",
		"3: (85) call pc+5",
		"caller:",
		" R6=3 R10=fp0",
		"callee:",
		" frame1: R1=3 R2=0 R10=fp0",
		"9: frame1: R1=3 R2=0 R10=fp0",
		"9: (bf) r0 = r1                       ; frame1: R0=3 R1=3",
		"10: (07) r0 += 1                      ; frame1: R0=4",
		"11: (95) exit",
		"returning from callee:",
		" frame1: R0=4 R1=3 R2=0 R10=fp0",
		"to caller at 4:",
		" R0=4 R6=3 R10=fp0",
		"",
		"from 11 to 4: R0=4 R6=3 R10=fp0",
		"4: (bf) r2 = r10                      ; R2=fp0 R10=fp0",
		"5: (07) r2 += -32                     ; R2=fp-32",
		"6: (0f) r2 += r0",
		"mark_precise: frame0: last_idx 6 first_idx 4 subseq_idx -1 ",
		"mark_precise: frame0: regs=r0 stack= before 5: (07) r2 += -32",
		"mark_precise: frame0: regs=r0 stack= before 4: (bf) r2 = r10",
		"mark_precise: frame0: parent state regs=r0 stack=:  R0=P4 R6=3 R10=fp0",
		"mark_precise: frame0: last_idx 11 first_idx 0 subseq_idx 4 ",
		"mark_precise: frame0: regs=r0 stack= before 11: (95) exit",
		"mark_precise: frame1: regs=r0 stack= before 10: (07) r0 += 1",
		"mark_precise: frame1: regs=r0 stack= before 9: (bf) r0 = r1",
		"mark_precise: frame1: regs=r1 stack= before 3: (85) call pc+5",
		"mark_precise: frame0: regs=r1 stack= before 2: (bf) r1 = r6",
		"mark_precise: frame0: regs=r6 stack= before 1: (b7) r6 = 3",
		"7: R0=4 R2=fp-28",
		"7: (71) r0 = *(u8 *)(r2 +0)           ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R2=fp-28",
		"8: (95) exit",
		"processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0",
		NULL } },
	{ "linked",
	  /* r7 = r6 linked: the branch on r7 is recorded, so precision of r6 reaches r7 */
	  "r6 = *(u8 *)(r10 - 8)\n" "r7 = r6\n" "if r7 > 10 goto out\n" "r3 = r10\n" "r3 += -32\n" "r3 += r6\n" "r0 = *(u8 *)(r3 + 0)\n" "exit\n" "out:\n" "r0 = 0\n" "exit\n",
	  {
		"func#0 @0",
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (71) r6 = *(u8 *)(r10 -8)          ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"1: (bf) r7 = r6                       ; R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))",
		"2: (25) if r7 > 0xa goto pc+5         ; R7=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))",
		"3: (bf) r3 = r10                      ; R3=fp0 R10=fp0",
		"4: (07) r3 += -32                     ; R3=fp-32",
		"5: (0f) r3 += r6",
		"mark_precise: frame0: last_idx 5 first_idx 0 subseq_idx -1 ",
		"mark_precise: frame0: regs=r6 stack= before 4: (07) r3 += -32",
		"mark_precise: frame0: regs=r6 stack= before 3: (bf) r3 = r10",
		"mark_precise: frame0: regs=r6 stack= before 2: (25) if r7 > 0xa goto pc+5",
		"mark_precise: frame0: regs=r6,r7 stack= before 1: (bf) r7 = r6",
		"mark_precise: frame0: regs=r6 stack= before 0: (71) r6 = *(u8 *)(r10 -8)",
		"6: R3=fp(off=-32,smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf)) R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))",
		"6: (71) r0 = *(u8 *)(r3 +0)           ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R3=fp(off=-32,smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))",
		"7: (95) exit",
		"",
		"from 2 to 8: R1=mem(sz=0) R2=0 R6=scalar(id=1,smin=umin=smin32=umin32=11,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=scalar(id=1,smin=umin=smin32=umin32=11,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"8: R1=mem(sz=0) R2=0 R6=scalar(id=1,smin=umin=smin32=umin32=11,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=scalar(id=1,smin=umin=smin32=umin32=11,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"8: (b7) r0 = 0                        ; R0=0",
		"9: (95) exit",
		"processed 10 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0",
		NULL } },
	{ "prune_prop",
	  /* a state pruned against a checkpoint with a precise r7 ("frame 0: propagating r7") */
	  "r6 = *(u8 *)(r10 - 8)\n" "r7 = 0\n" "if r6 > 3 goto a\n" "r7 = 8\n" "a:\n" "r0 = *(u64 *)(r10 - 16)\n" "if r0 > 2 goto b\n" "r0 = 1\n" "b:\n" "r3 = r10\n" "r3 += -32\n" "r3 += r7\n" "r0 = *(u8 *)(r3 + 0)\n" "r0 = 0\n" "exit\n",
	  {
		"func#0 @0",
		"0: R1=mem(sz=0) R2=0 R10=fp0",
		"0: (71) r6 = *(u8 *)(r10 -8)          ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0",
		"1: (b7) r7 = 0                        ; R7=0",
		"2: (25) if r6 > 0x3 goto pc+1         ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3))",
		"3: (b7) r7 = 8                        ; R7=8",
		"4: (79) r0 = *(u64 *)(r10 -16)        ; R0=scalar() R10=fp0",
		"5: (25) if r0 > 0x2 goto pc+1         ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=2,var_off=(0x0; 0x3))",
		"6: (b7) r0 = 1                        ; R0=1",
		"7: (bf) r3 = r10                      ; R3=fp0 R10=fp0",
		"8: (07) r3 += -32                     ; R3=fp-32",
		"9: (0f) r3 += r7",
		"mark_precise: frame0: last_idx 9 first_idx 7 subseq_idx -1 ",
		"mark_precise: frame0: regs=r7 stack= before 8: (07) r3 += -32",
		"mark_precise: frame0: regs=r7 stack= before 7: (bf) r3 = r10",
		"mark_precise: frame0: parent state regs=r7 stack=:  R0=1 R1=mem(sz=0) R2=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3)) R7=P8 R10=fp0",
		"mark_precise: frame0: last_idx 6 first_idx 0 subseq_idx 7 ",
		"mark_precise: frame0: regs=r7 stack= before 6: (b7) r0 = 1",
		"mark_precise: frame0: regs=r7 stack= before 5: (25) if r0 > 0x2 goto pc+1",
		"mark_precise: frame0: regs=r7 stack= before 4: (79) r0 = *(u64 *)(r10 -16)",
		"mark_precise: frame0: regs=r7 stack= before 3: (b7) r7 = 8",
		"10: R3=fp-24 R7=8",
		"10: (71) r0 = *(u8 *)(r3 +0)          ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R3=fp-24",
		"11: (b7) r0 = 0                       ; R0=0",
		"12: (95) exit",
		"frame 0: propagating r7",
		"mark_precise: frame0: last_idx 7 first_idx 0 subseq_idx -1 ",
		"mark_precise: frame0: regs=r7 stack= before 5: (25) if r0 > 0x2 goto pc+1",
		"mark_precise: frame0: regs=r7 stack= before 4: (79) r0 = *(u64 *)(r10 -16)",
		"mark_precise: frame0: regs=r7 stack= before 3: (b7) r7 = 8",
		"",
		"from 5 to 7: safe",
		"",
		"from 2 to 4: R1=mem(sz=0) R2=0 R6=scalar(smin=umin=smin32=umin32=4,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=0 R10=fp0",
		"4: R1=mem(sz=0) R2=0 R6=scalar(smin=umin=smin32=umin32=4,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=0 R10=fp0",
		"4: (79) r0 = *(u64 *)(r10 -16)        ; R0=scalar() R10=fp0",
		"5: (25) if r0 > 0x2 goto pc+1         ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=2,var_off=(0x0; 0x3))",
		"6: (b7) r0 = 1                        ; R0=1",
		"7: (bf) r3 = r10                      ; R3=fp0 R10=fp0",
		"8: (07) r3 += -32                     ; R3=fp-32",
		"9: (0f) r3 += r7",
		"mark_precise: frame0: last_idx 9 first_idx 7 subseq_idx -1 ",
		"mark_precise: frame0: regs=r7 stack= before 8: (07) r3 += -32",
		"mark_precise: frame0: regs=r7 stack= before 7: (bf) r3 = r10",
		"mark_precise: frame0: parent state regs=r7 stack=:  R0=1 R1=mem(sz=0) R2=0 R6=scalar(smin=umin=smin32=umin32=4,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=P0 R10=fp0",
		"mark_precise: frame0: last_idx 6 first_idx 0 subseq_idx 7 ",
		"mark_precise: frame0: regs=r7 stack= before 6: (b7) r0 = 1",
		"mark_precise: frame0: regs=r7 stack= before 5: (25) if r0 > 0x2 goto pc+1",
		"mark_precise: frame0: regs=r7 stack= before 4: (79) r0 = *(u64 *)(r10 -16)",
		"mark_precise: frame0: regs=r7 stack= before 2: (25) if r6 > 0x3 goto pc+1",
		"mark_precise: frame0: regs=r7 stack= before 1: (b7) r7 = 0",
		"10: R3=fp-32 R7=0",
		"10: (71) r0 = *(u8 *)(r3 +0)          ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R3=fp-32",
		"11: (b7) r0 = 0                       ; R0=0",
		"12: (95) exit",
		"frame 0: propagating r7",
		"mark_precise: frame0: last_idx 7 first_idx 0 subseq_idx -1 ",
		"mark_precise: frame0: regs=r7 stack= before 5: (25) if r0 > 0x2 goto pc+1",
		"mark_precise: frame0: regs=r7 stack= before 4: (79) r0 = *(u64 *)(r10 -16)",
		"mark_precise: frame0: regs=r7 stack= before 2: (25) if r6 > 0x3 goto pc+1",
		"mark_precise: frame0: regs=r7 stack= before 1: (b7) r7 = 0",
		"",
		"from 5 to 7: safe",
		"processed 24 insns (limit 1000000) max_states_per_insn 1 total_states 2 peak_states 2 mark_read 0",
		NULL } },
};

/* the mark_precise lines of our log for the stack-argument chain */
static const char *const sarg_text =
	"r6 = *(u8 *)(r10 - 8)\n" "if r6 > 3 goto a\n" "*(u64 *)(r11 - 8) = 4\n" "goto b\n"
	"a:\n" "*(u64 *)(r11 - 8) = 6\n" "b:\n" "call sub\n" "r0 = 0\n" "exit\n"
	"sub:\n" "r1 = *(u64 *)(r11 + 8)\n" "r2 = r10\n" "r2 += -16\n" "r2 += r1\n" "r0 = *(u8 *)(r2 + 0)\n" "exit\n";
static const char *const sarg_lines[] = {
	"mark_precise: frame1: last_idx 11 first_idx 0 subseq_idx -1 ",
	"mark_precise: frame1: regs=r1 stack= before 10: (07) r2 += -16",
	"mark_precise: frame1: regs=r1 stack= before 9: (bf) r2 = r10",
	"mark_precise: frame1: regs=r1 stack= before 8: (79) r1 = *(u64 *)(r11 +8)",
	"mark_precise: frame1: regs= stack= before 5: (85) call pc+2",
	"mark_precise: frame0: regs= stack= before 3: (05) goto pc+1",
	"mark_precise: frame0: regs= stack= before 2: (7a) *(u64 *)(r11 -8) = 4",
	"mark_precise: frame1: last_idx 11 first_idx 0 subseq_idx -1 ",
	"mark_precise: frame1: regs=r1 stack= before 10: (07) r2 += -16",
	"mark_precise: frame1: regs=r1 stack= before 9: (bf) r2 = r10",
	"mark_precise: frame1: regs=r1 stack= before 8: (79) r1 = *(u64 *)(r11 +8)",
	"mark_precise: frame1: regs= stack= before 5: (85) call pc+2",
	"mark_precise: frame0: regs= stack= before 4: (7a) *(u64 *)(r11 -8) = 6",
	NULL,
};

static struct vt_log lg;

static struct stackbpf_insn *assemble(const char *text, size_t *n)
{
	struct stackbpf_insn *insns = NULL;
	STACKBPF_OPTS(stackbpf_asm_opts, ao, .host = vt_host());
	if (stackbpf_asm__text(text, strlen(text), &ao, &insns, n))
		return NULL;
	return insns;
}

/* the next line of the log at *p (without the newline) into buf */
static bool next_line(const char **p, char *buf, size_t sz)
{
	if (!**p)
		return false;
	const char *e = strchr(*p, '\n');
	size_t len = e ? (size_t)(e - *p) : strlen(*p);
	snprintf(buf, sz, "%.*s", (int)len, *p);
	*p += len + (e ? 1 : 0);
	return true;
}

static void check_case(const struct pcase *c)
{
	size_t n = 0;
	struct stackbpf_insn *insns = assemble(c->text, &n);
	T_OK(insns != NULL, "%s: assembles", c->name);
	if (!insns)
		return;
	int err = vt_verify(insns, n, 0, false, 2, &lg, NULL);
	free(insns);
	T_OK(err == 0, "%s: accepted (%d)", c->name, err);
	const char *p = lg.text;
	char line[4096];
	int i = 0;
	for (; c->lines[i]; i++) {
		if (!next_line(&p, line, sizeof(line))) {
			T_OK(0, "%s: line %d missing, want \"%s\"", c->name, i + 1, c->lines[i]);
			return;
		}
		if (strcmp(line, c->lines[i])) {
			T_OK(0, "%s: line %d: got \"%s\", want \"%s\"", c->name, i + 1, line, c->lines[i]);
			printf("full log:\n%s\n", lg.text);
			return;
		}
	}
	T_OK(!next_line(&p, line, sizeof(line)), "%s: %d lines, then \"%s\"", c->name, i, line);
}

static void check_stack_arg_chain(void)
{
	size_t n = 0;
	struct stackbpf_insn *insns = assemble(sarg_text, &n);
	T_OK(insns != NULL, "stack_arg_chain: assembles");
	if (!insns)
		return;
	int err = vt_verify(insns, n, 0, false, 2, &lg, NULL);
	free(insns);
	T_OK(err == 0, "stack_arg_chain: accepted (%d)", err);
	const char *p = lg.text;
	char line[4096];
	int i = 0;
	while (next_line(&p, line, sizeof(line))) {
		if (strncmp(line, "mark_precise: ", 14))
			continue;
		if (!sarg_lines[i]) {
			T_OK(0, "stack_arg_chain: extra line \"%s\"", line);
			return;
		}
		T_OK(!strcmp(line, sarg_lines[i]), "stack_arg_chain: mark_precise line %d: got \"%s\", want \"%s\"", i + 1,
		     line, sarg_lines[i]);
		i++;
	}
	T_OK(sarg_lines[i] == NULL, "stack_arg_chain: %d mark_precise lines, want more", i);
	/* the second path (slot = 6) is pruned after the call returns */
	T_OK(strstr(lg.text, "\nfrom 13 to 6: safe\n") != NULL, "stack_arg_chain: pruned after the return");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	check_stack_arg_chain();
	return t_done();
}
