/* test_checked.c - the checked engine: bad accesses stop cleanly with exact
 * messages, good accesses to every region pass, the instruction limit, and
 * vm__new's own structural check. */
#include "vmtest.h"

static struct run_result checked(const struct stackbpf_insn *insns, size_t cnt, void *mem, size_t len)
{
	return run_one(insns, cnt, true, mem, len, 0, 0);
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void expect_fault(struct run_result r, int err, const char *want, const char *what)
{
	T_OK(r.err == err, "%s: err %d, want %d (%s)", what, r.err, err, r.msg);
	T_EQ_STR(r.msg, want, what);
}

static void test_faults(void)
{
	expect_fault(checked(PROG(LD64(1, 0x1000), LDXDW(0, 1, 8), EXIT()), NULL, 0), -EFAULT,
		     "insn 2: invalid read of 8 bytes at 0x1008 (not in any region)", "read from 0x1008");
	expect_fault(checked(PROG(MOV64_K(1, 0), INSN(0x72, 1, 0, 0, 1), EXIT()), NULL, 0), -EFAULT,
		     "insn 1: invalid write of 1 bytes at 0x0 (not in any region)", "NULL store");
	expect_fault(checked(PROG(LD64(1, 0xfffffffffffffffc), INSN(0x61, 0, 1, 0, 0), EXIT()), NULL, 0), -EFAULT,
		     "insn 2: invalid read of 4 bytes at 0xfffffffffffffffc (not in any region)", "read at the top");
	expect_fault(checked(PROG(LD64(1, 0x2000), INSN(0xdb, 1, 2, 0, 0x01), EXIT()), NULL, 0), -EFAULT,
		     "insn 2: invalid atomic access of 8 bytes at 0x2000 (not in any region)", "atomic");
	expect_fault(checked(PROG(LD64(1, 0x3000), INSN(0xc3, 0, 1, 0, 0x100), EXIT()), NULL, 0), -EFAULT,
		     "insn 2: invalid read of 4 bytes at 0x3000 (not in any region)", "load-acquire");

	/* the input memory: in bounds passes, one byte beyond fails */
	uint8_t mem[16] = { 0 };
	char want[160];
	struct run_result r = checked(PROG(LDXDW(0, 1, 8), STXDW(1, 0, 8), EXIT()), mem, sizeof(mem));
	T_OK(r.err == 0, "last 8 bytes of the input: %s", r.msg);
	snprintf(want, sizeof(want), "insn 0: invalid write of 8 bytes at 0x%" PRIxPTR " (not in any region)",
		 (uintptr_t)mem + 9);
	expect_fault(checked(PROG(STXDW(1, 0, 9), EXIT()), mem, sizeof(mem)), -EFAULT, want, "input + 9");
	snprintf(want, sizeof(want), "insn 0: invalid read of 1 bytes at 0x%" PRIxPTR " (not in any region)",
		 (uintptr_t)mem - 1);
	expect_fault(checked(PROG(INSN(0x71, 0, 1, -1, 0), EXIT()), mem, sizeof(mem)), -EFAULT, want, "input - 1");
	snprintf(want, sizeof(want), "insn 0: invalid read of 2 bytes at 0x%" PRIxPTR " (not in any region)",
		 (uintptr_t)mem + 15);
	expect_fault(checked(PROG(INSN(0x69, 0, 1, 15, 0), EXIT()), mem, sizeof(mem)), -EFAULT, want,
		     "straddles the end");

	/* the stack: 512 bytes below r10; above r10 is nothing (frame 0) */
	r = checked(PROG(STDW(10, -512, 1), LDXDW(0, 10, -512), EXIT()), NULL, 0);
	T_OK(r.err == 0 && r.r0 == 1, "bottom of the stack: %s", r.msg);
	r = checked(PROG(LDXDW(0, 10, -520), EXIT()), NULL, 0);
	T_OK(r.err == -EFAULT && starts(r.msg, "insn 0: invalid read of 8 bytes at 0x") &&
	     strstr(r.msg, " (not in any region)"), "below the stack: %s", r.msg);
	r = checked(PROG(STDW(10, 0, 1), EXIT()), NULL, 0);
	T_OK(r.err == -EFAULT && starts(r.msg, "insn 0: invalid write of 8 bytes at 0x"),
	     "at r10: %s", r.msg);
	/* a callee may use the caller's frame (the chain) but after the return
	 * the callee's frame is gone */
	r = checked(PROG(CALL_LOCAL(2), LDXDW(0, 10, -520), EXIT(), STDW(10, 504, 7), LDXDW(0, 10, 504), EXIT()),
		    NULL, 0);
	T_OK(r.err == -EFAULT && starts(r.msg, "insn 1: invalid read of 8 bytes at 0x"),
	     "dead callee frame: %s", r.msg);
	r = checked(PROG(CALL_LOCAL(2), LDXDW(0, 10, -8), EXIT(), STDW(10, 504, 7), LDXDW(0, 10, 504), EXIT()),
		    NULL, 0);
	T_OK(r.err == 0 && r.r0 == 7, "callee writes the caller's frame at r10+504: %s", r.msg);

	/* atomics must be aligned (Linux) */
	r = checked(PROG(STDW(10, -16, 0), INSN(0xdb, 10, 1, -12, 0), EXIT()), NULL, 0);
	T_OK(r.err == -EFAULT && starts(r.msg, "insn 1: misaligned atomic access of 8 bytes at 0x"),
	     "misaligned atomic: %s", r.msg);
	r = checked(PROG(STDW(10, -16, 0), INSN(0xc3, 10, 1, -12, 0), LDXDW(0, 10, -16), EXIT()), NULL, 0);
	T_OK(r.err == 0, "aligned 32-bit atomic at -12: %s", r.msg);

	/* pointer arguments of host functions are checked too */
	int id = stackbpf_host__find(test_host(), "mem_sum");
	r = checked(PROG(LD64(6, 0x1000), ARG_ST(6, 1), ARG_STI(8, 2), CALL_KFUNC(id), EXIT()), NULL, 0);
	expect_fault(r, -EFAULT, "insn 4: invalid read of 8 bytes at 0x1000 (argument 6 of mem_sum; not in any region)",
		     "mem_sum pointer");
	r = checked(PROG(MOV64_K(1, 0), MOV64_K(2, 5), CALL_HELPER(1), EXIT()), NULL, 0);
	expect_fault(r, -EFAULT, "insn 2: invalid write of 5 bytes at 0x0 (argument 1 of memfrob; not in any region)",
		     "memfrob NULL");
}

static void test_insn_limit(void)
{
	struct run_result r = run_one(PROG(JA(-1)), true, NULL, 0, 0, 1000);
	expect_fault(r, -ETIME, "insn 0: instruction limit of 1000 reached", "endless loop");
	r = run_one(PROG(MOV64_K(0, 1), MOV64_K(0, 2), EXIT()), true, NULL, 0, 0, 3);
	T_OK(r.err == 0 && r.r0 == 2, "3 insns fit a limit of 3: %s", r.msg);
	r = run_one(PROG(MOV64_K(0, 1), MOV64_K(0, 2), EXIT()), true, NULL, 0, 0, 2);
	expect_fault(r, -ETIME, "insn 2: instruction limit of 2 reached", "3 insns, limit 2");
	/* a loop latch (add + jump, one handler) still counts two instructions */
	const struct stackbpf_insn loop[] = { MOV64_K(1, 0), ALU64_K(0x00, 1, 1), JMP_K(0x50, 1, 100, -2), EXIT() };
	r = run_one(loop, 4, true, NULL, 0, 0, 202);
	T_OK(r.err == 0, "202 insns fit a limit of 202: %s", r.msg);
	r = run_one(loop, 4, true, NULL, 0, 0, 201);
	expect_fault(r, -ETIME, "insn 3: instruction limit of 201 reached", "latch loop, limit 201");
	r = run_one(loop, 4, true, NULL, 0, 0, 200);
	expect_fault(r, -ETIME, "insn 2: instruction limit of 200 reached", "latch loop, limit 200");
	r = run_one(loop, 4, true, NULL, 0, 0, 199);
	expect_fault(r, -ETIME, "insn 1: instruction limit of 199 reached", "latch loop, limit 199");
}

static void test_vm_new_validates(void)
{
	struct stackbpf_prog *p = stackbpf_prog__from_insns(PROG(JA(5), EXIT()));
	STACKBPF_OPTS(stackbpf_vm_opts, o, .log = NULL);
	errno = 0;
	T_OK(stackbpf_vm__new(p, &o) == NULL && errno == EINVAL, "vm__new refuses a malformed program");
	stackbpf_prog__free(p);
}

static char last_log[256];
static void capture(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

static void test_log_callback(void)
{
	struct stackbpf_prog *p = stackbpf_prog__from_insns(PROG(JA(5), EXIT()));
	STACKBPF_OPTS(stackbpf_vm_opts, o, .log = capture);
	T_OK(stackbpf_vm__new(p, &o) == NULL, "malformed");
	T_EQ_STR(last_log, "insn 0: jump out of range from insn 0 to 6", "vm__new logs why");
	stackbpf_prog__free(p);
	p = stackbpf_prog__from_insns(PROG(LD64(1, 0x10), LDXDW(0, 1, 0), EXIT()));
	STACKBPF_OPTS(stackbpf_vm_opts, c, .log = capture, .checked = true);
	struct stackbpf_vm *vm = stackbpf_vm__new(p, &c);
	uint64_t r0 = 77;
	T_OK(vm && stackbpf_vm__run(vm, NULL, 0, &r0) == -EFAULT && r0 == 77, "fault leaves r0 alone");
	T_EQ_STR(last_log, "insn 2: invalid read of 8 bytes at 0x10 (not in any region)", "run logs the fault");
	T_EQ_STR(stackbpf_vm__errmsg(vm), "insn 2: invalid read of 8 bytes at 0x10 (not in any region)", "errmsg");
	T_OK(stackbpf_vm__run(vm, NULL, 1, &r0) == -EINVAL, "NULL memory with a length");
	stackbpf_vm__free(vm);
	stackbpf_prog__free(p);
}

/* a bubble sort and an FNV-1a hash over the input: a longer program whose
 * results and final memory must agree between engines */
static void test_engines_agree(void)
{
	uint8_t buf[64];
	for (int i = 0; i < 64; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	/* r0 = fnv1a64(mem[0..len)) */
	struct run_result r = run_both(PROG(LD64(0, 0xcbf29ce484222325), LD64(3, 0x100000001b3), MOV64_K(4, 0),
					    /* 5 */ JMP_X(0x30, 4, 2, 7), MOV64_X(5, 1), ALU64_X(0x00, 5, 4),
					    INSN(0x71, 5, 5, 0, 0), ALU64_X(0xa0, 0, 5), ALU64_X(0x20, 0, 3),
					    ALU64_K(0x00, 4, 1), JA(-8), EXIT()),
				       buf, sizeof(buf));
	uint64_t h = 0xcbf29ce484222325;
	for (int i = 0; i < 64; i++)
		h = (h ^ buf[i]) * 0x100000001b3;
	T_EQ_U64(r.r0, h, "fnv1a over 64 bytes");
	/* bubble sort of the bytes */
	r = run_both(PROG(MOV64_X(3, 2), /* 1: outer */ JMP_K(0xb0, 3, 1, 13), MOV64_K(4, 1),
			  /* 3: inner */ JMP_X(0x30, 4, 3, 9), MOV64_X(5, 1), ALU64_X(0x00, 5, 4),
			  INSN(0x71, 6, 5, -1, 0), INSN(0x71, 7, 5, 0, 0), JMP_X(0xb0, 6, 7, 2),
			  INSN(0x73, 5, 7, -1, 0), INSN(0x73, 5, 6, 0, 0), ALU64_K(0x00, 4, 1), JA(-10),
			  ALU64_K(0x10, 3, 1), JA(-14), MOV64_K(0, 1), EXIT()),
		     buf, sizeof(buf));
	int sorted = 1;
	for (int i = 1; i < 64; i++)
		sorted &= buf[i - 1] <= buf[i];
	T_OK(r.err == 0 && r.r0 == 1 && sorted, "bubble sort: %s", r.msg);
}

int main(void)
{
	test_faults();
	test_insn_limit();
	test_vm_new_validates();
	test_log_callback();
	test_engines_agree();
	stackbpf_host__free(t_host);
	return t_done();
}
