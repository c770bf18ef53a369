/* test_log.c - the verifier log, byte for byte against Linux 6.18's format
 * (the captured samples of formats.md §2, with the raw program type's r1/r2),
 * and the API: statistics, errno per kind of rejection, opts/stats sizes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt.h"

static struct vt_log lg;

static int verify_text(const char *text, uint32_t mem, int level, struct stackbpf_verify_stats *st)
{
	struct stackbpf_insn *insns;
	size_t cnt;
	STACKBPF_OPTS(stackbpf_asm_opts, ao, .host = vt_host());
	if (stackbpf_asm__text(text, strlen(text), &ao, &insns, &cnt)) {
		T_OK(0, "does not assemble: %s", text);
		return -999;
	}
	int err = vt_verify(insns, cnt, mem, false, level, &lg, st);
	free(insns);
	return err;
}

/* the level-1 failure sample, with a misaligned read instead of a map */
static void test_level1_failure(void)
{
	int err = verify_text("*(u32 *)(r10 - 4) = 0\n r2 = r10\n r2 += -4\n r0 = *(u64 *)(r2 + 0)\n exit\n", 8, 1,
			      NULL);
	T_EQ_U64(err, -EACCES, "level 1 failure errno");
	T_EQ_STR(lg.text,
		 "0: R1=mem(sz=8) R2=8 R10=fp0\n"
		 "0: (62) *(u32 *)(r10 -4) = 0          ; R10=fp0 fp-8=0000????\n"
		 "1: (bf) r2 = r10                      ; R2=fp0 R10=fp0\n"
		 "2: (07) r2 += -4                      ; R2=fp-4\n"
		 "3: (79) r0 = *(u64 *)(r2 +0)\n"
		 "misaligned stack access off 0+-4+0 size 8\n"
		 "processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n",
		 "level 1 failure log");
}

/* the level-2 bpf2bpf sample, verbatim except r1/r2 of the raw type */
static void test_level2_call(void)
{
	int err = verify_text("r1 = 5\n call f\n exit\nf:\n r1 *= 3\n r0 = r1\n exit\n", 0, 2, NULL);
	T_EQ_U64(err, 0, "level 2 call errno");
	T_EQ_STR(lg.text,
		 "func#0 @0\n"
		 "func#1 @3\n"
		 "0: R1=mem(sz=0) R2=0 R10=fp0\n"
		 "0: (b7) r1 = 5                        ; R1=5\n"
		 "1: (85) call pc+1\n"
		 "caller:\n"
		 " R10=fp0\n"
		 "callee:\n"
		 " frame1: R1=5 R2=0 R10=fp0\n"
		 "3: frame1: R1=5 R2=0 R10=fp0\n"
		 "3: (27) r1 *= 3                       ; frame1: R1=15\n"
		 "4: (bf) r0 = r1                       ; frame1: R0=15 R1=15\n"
		 "5: (95) exit\n"
		 "returning from callee:\n"
		 " frame1: R0=15 R1=15 R2=0 R10=fp0\n"
		 "to caller at 2:\n"
		 " R0=15 R10=fp0\n"
		 "\n"
		 "from 5 to 2: R0=15 R10=fp0\n"
		 "2: (95) exit\n"
		 "processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n",
		 "level 2 call log");
}

/* a successful level-1 log keeps only the statistics line */
static void test_level1_success(void)
{
	int err = verify_text("r0 = 1\n if r0 > 0 goto +1\n r0 = 2\n exit\n", 0, 1, NULL);
	T_EQ_U64(err, 0, "level 1 success");
	T_EQ_STR(lg.text,
		 "processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n",
		 "level 1 success log");
	err = verify_text("r0 = 1\n exit\n", 0, 0, NULL);
	T_EQ_STR(lg.text, "", "level 0: no log");
}

/* level 1 after a branch: the popped path's state is appended to the jump's
 * line (the log was rewound to where the branch was pushed) */
static void test_level1_branch(void)
{
	int err = verify_text("r1 = *(u8 *)(r1 + 0)\n if r1 > 7 goto +2\n r0 = 0\n exit\n r0 = r3\n exit\n", 4, 1,
			      NULL);
	T_EQ_U64(err, -EACCES, "level 1 branch errno");
	T_EQ_STR(lg.text,
		 "0: R1=mem(sz=4) R2=4 R10=fp0\n"
		 "0: (71) r1 = *(u8 *)(r1 +0)           ; R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,"
		 "var_off=(0x0; 0xff))\n"
		 "1: (25) if r1 > 0x7 goto pc+2\n"
		 "4: R1=scalar(smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R2=4 "
		 "R10=fp0\n"
		 "4: (bf) r0 = r3\n"
		 "R3 !read_ok\n"
		 "processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n",
		 "level 1 branch log");
}

static void test_stats_lines(void)
{
	struct stackbpf_verify_stats st = { .sz = sizeof(st) };
	int err = verify_text("*(u64 *)(r10 - 16) = 0\n call f\n exit\nf:\n *(u32 *)(r10 - 4) = 1\n r0 = 0\n exit\n", 0,
			      1 | 4, &st);
	T_EQ_U64(err, 0, "stats errno");
	const char *vt = strstr(lg.text, "verification time ");
	T_OK(vt && strstr(vt, " usec\nstack depth 16+4\nprocessed 6 insns (limit 1000000)"), "stats lines: %s", lg.text);
	T_OK(st.accepted, "stats verdict");
	T_EQ_U64(st.err, 0, "stats err");
	T_EQ_U64(st.insns_processed, 6, "stats insns");
	T_EQ_U64(st.subprog_cnt, 2, "stats subprogs");
	T_EQ_U64(st.stack_depth[0], 16, "stack depth main");
	T_EQ_U64(st.stack_depth[1], 4, "stack depth f");
	T_OK(st.verification_ns > 0, "verification time");
}

static void test_errnos(void)
{
	struct stackbpf_verify_stats st = { .sz = sizeof(st) };
	T_EQ_U64(verify_text("exit\n", 0, 1, &st), -EACCES, "R0 !read_ok");
	T_OK(!st.accepted && st.err == -EACCES, "stats of a rejection");
	T_EQ_U64(verify_text("r0 = 0\n exit\n r0 = 1\n exit\n", 0, 1, NULL), -EINVAL, "unreachable");
	T_EQ_U64(verify_text(".8byte 0x0000000100000b07\n r0 = 0\n exit\n", 0, 1, NULL), -EINVAL, "R11 is invalid");
	T_EQ_U64(verify_text("r1 = 0\n r2 = 0\n r3 = 0\n r4 = 0\n r5 = 0\n call f\n exit\n"
			     "f:\n r0 = *(u64 *)(r11 + 8)\n exit\n", 0, 1, NULL),
		 -EFAULT, "R5 is EFAULT");
	T_EQ_STR(lg.err, "callee expects 6 args, stack arg1 is not initialized", "R5 message");
	T_EQ_U64(verify_text("r0 = 0\nl:\n r0 += 1\n goto l\n", 0, 0, &st), -E2BIG, "too many insns");
	T_EQ_U64(st.insns_processed, 1000001, "processed at the limit");
	T_EQ_U64(verify_text("*(u64 *)(r11 - 8) = 1\n r0 = 0\n exit\n", 0, 1, NULL), -EINVAL, "R11 errno");
}

static void test_api_edges(void)
{
	struct stackbpf_insn prog[] = { { .code = 0xb7, .imm = 3 }, { .code = 0x95 } };
	struct stackbpf_prog *p = stackbpf_prog__from_insns(prog, 2);
	T_EQ_U64(stackbpf_prog__verify(p, NULL, NULL), 0, "NULL opts and stats");
	/* an older, shorter opts struct: only sz and host */
	struct stackbpf_verify_opts small = { .sz = offsetof(struct stackbpf_verify_opts, log_level) };
	T_EQ_U64(stackbpf_prog__verify(p, &small, NULL), 0, "short opts");
	STACKBPF_OPTS(stackbpf_verify_opts, xdp, .prog_type = STACKBPF_PROG_XDP);
	T_EQ_U64(stackbpf_prog__verify(p, &xdp, NULL), 0, "xdp program type");
	STACKBPF_OPTS(stackbpf_verify_opts, tp, .prog_type = STACKBPF_PROG_TRACING);
	T_EQ_U64(stackbpf_prog__verify(p, &tp, NULL), -EOPNOTSUPP, "unsupported program type");
	T_EQ_U64(stackbpf_prog__verify(NULL, NULL, NULL), -EINVAL, "NULL prog");
	stackbpf_prog__free(p);
	struct stackbpf_prog *empty = stackbpf_prog__from_insns(prog, 0);
	if (empty) {
		T_EQ_U64(stackbpf_prog__verify(empty, NULL, NULL), -EINVAL, "empty program");
		stackbpf_prog__free(empty);
	}
}

/* two paths that store the same slot contents meet: the second is pruned at
 * the join ("N: safe"); with a pointer in one slot and a scalar in the other
 * it is not (stack_args.vt: prune_distinguishes_slot_types) */
static void test_prune_with_slots(void)
{
	static const char prog[] =
		"r7 = *(u8 *)(r1 + 0)\n r6 = 3\n if r7 == 0 goto other\n *(u64 *)(r11 - 8) = r6\n r7 = 0\n"
		" r8 = 0\n r8 = 0\n r8 = 0\n r8 = 0\n r8 = 0\n r8 = 0\n r8 = 0\n goto join\n"
		"other:\n *(u64 *)(r11 - 8) = r6\n r7 = 0\n r8 = 0\n goto join\n"
		"join:\n r1 = 0\n r2 = 0\n r3 = 0\n r4 = 0\n r5 = 0\n call sum_args6\n exit\n";
	struct stackbpf_verify_stats st = { .sz = sizeof(st) };
	T_EQ_U64(verify_text(prog, 8, 2, &st), 0, "prune with slots");
	T_OK(strstr(lg.text, "\n17: safe\n") != NULL, "pruned at the join: %s", lg.text);
	T_EQ_U64(st.total_states, 1, "one checkpoint");
	T_EQ_U64(st.insns_processed, 25, "processed with pruning");
}

int main(void)
{
	test_prune_with_slots();
	test_level1_failure();
	test_level2_call();
	test_level1_success();
	test_level1_branch();
	test_stats_lines();
	test_errnos();
	test_api_edges();
	return t_done();
}
