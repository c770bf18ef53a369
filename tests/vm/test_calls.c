/* test_calls.c - frames, BPF-to-BPF calls, r11 stack arguments, host
 * functions and helpers, callx, may_goto, LD_ABS/LD_IND, unwind, and the
 * host registry API. */
#include "vmtest.h"

struct builder {
	struct stackbpf_insn v[256];
	size_t n;
};
static void emit(struct builder *b, struct stackbpf_insn in) { b->v[b->n++] = in; }
static void emit_ld64(struct builder *b, uint8_t reg, uint64_t k)
{
	emit(b, INSN(0x18, reg, 0, 0, (int32_t)(uint32_t)k));
	emit(b, INSN(0, 0, 0, 0, (int32_t)(uint32_t)(k >> 32)));
}

/* argument i (1-based) of the order tests: distinct, full 64-bit values */
static uint64_t arg_val(unsigned i) { return 0x0101010101010101ull * i + 3 * i + 1; }
static uint64_t weighted_sum(unsigned n)
{
	uint64_t s = 0;
	for (unsigned i = 1; i <= n; i++)
		s += i * arg_val(i);
	return s;
}

/* caller side: r1..r5 and the stack arguments 6..n (odd slots by STX,
 * even ones through a register too, so both store forms appear) */
static void emit_args(struct builder *b, unsigned n)
{
	for (unsigned i = 1; i <= 5 && i <= n; i++)
		emit_ld64(b, (uint8_t)i, arg_val(i));
	for (unsigned k = 1; k + 5 <= n; k++) {
		emit_ld64(b, 6, arg_val(k + 5));
		emit(b, ARG_ST(6, k));
	}
}

/* callee: r0 = sum of i * arg_i, reading args 6..n from r11 */
static void emit_weighted_callee(struct builder *b, unsigned n)
{
	emit(b, MOV64_K(0, 0));
	for (unsigned k = 1; k + 5 <= n; k++) {      /* incoming loads first, as Linux requires */
		emit(b, ARG_LD(6, k));
		emit(b, ALU64_K(0x20, 6, (int32_t)(k + 5)));
		emit(b, ALU64_X(0x00, 0, 6));
	}
	for (unsigned i = 1; i <= 5 && i <= n; i++) {
		emit(b, MOV64_X(6, i));
		emit(b, ALU64_K(0x20, 6, (int32_t)i));
		emit(b, ALU64_X(0x00, 0, 6));
	}
	emit(b, EXIT());
}

static void test_bpf2bpf_args(void)
{
	for (unsigned n = 0; n <= 12; n++) {
		struct builder b = { .n = 0 };
		emit_args(&b, n);
		size_t call = b.n;
		emit(&b, CALL_LOCAL(1));           /* callee right after the exit */
		emit(&b, EXIT());
		emit_weighted_callee(&b, n);
		(void)call;
		char what[64];
		snprintf(what, sizeof(what), "bpf2bpf call with %u args", n);
		T_EQ_U64(exec(b.v, b.n), weighted_sum(n), what);
	}
}

static void test_host_args(void)
{
	for (unsigned n = 0; n <= 12; n++) {
		char name[16];
		snprintf(name, sizeof(name), "sum_args%u", n);
		int id = stackbpf_host__find(test_host(), name);
		T_OK(id == (int)n + 1, "%s has id %d, want %u", name, id, n + 1);
		struct builder b = { .n = 0 };
		emit_args(&b, n);
		emit(&b, CALL_KFUNC(id));
		emit(&b, EXIT());
		char what[64];
		snprintf(what, sizeof(what), "host call %s", name);
		T_EQ_U64(exec(b.v, b.n), weighted_sum(n), what);
	}
	/* a negative immediate stored into a slot is sign-extended to 64 bits */
	int id7 = stackbpf_host__find(test_host(), "sum_args7");
	T_EQ_U64(exec(PROG(MOV64_K(1, 0), MOV64_K(2, 0), MOV64_K(3, 0), MOV64_K(4, 0), MOV64_K(5, 0),
			   ARG_STI(-2, 1), ARG_STI(1, 2), CALL_KFUNC(id7), EXIT())),
		 6 * (uint64_t)-2 + 7, "ST imm -2 into a slot");
}

/* the callee forwards all 12 arguments to the host function unchanged */
static void test_forwarding(void)
{
	struct builder b = { .n = 0 };
	emit_args(&b, 12);
	emit(&b, CALL_LOCAL(1));
	emit(&b, EXIT());
	for (unsigned k = 1; k <= 7; k++) {           /* incoming -> own stack */
		emit(&b, ARG_LD(0, k));
		emit(&b, STXDW(10, 0, -8 * (int)k));
	}
	for (unsigned k = 1; k <= 7; k++) {           /* own stack -> outgoing */
		emit(&b, LDXDW(0, 10, -8 * (int)k));
		emit(&b, ARG_ST(0, k));
	}
	emit(&b, CALL_KFUNC(stackbpf_host__find(test_host(), "sum_args12")));
	emit(&b, EXIT());
	T_EQ_U64(exec(b.v, b.n), weighted_sum(12), "12 args forwarded through a callee to a host function");

	/* frame 0 has no caller: r11+8k reads 0 */
	T_EQ_U64(exec(PROG(MOV64_K(0, 5), ARG_LD(0, 7), EXIT())), 0, "main reads r11+56 as 0");

	/* a callee that passes 6 args on while its own incoming slot stays put:
	 * f(x..., a6) calls sum_args6(r1..r5, a6 + 1) and then reads its a6 again */
	int id6 = stackbpf_host__find(test_host(), "sum_args6");
	T_EQ_U64(exec(PROG(MOV64_K(1, 1), MOV64_K(2, 0), MOV64_K(3, 0), MOV64_K(4, 0), MOV64_K(5, 0),
			   ARG_STI(100, 1), CALL_LOCAL(1), EXIT(),
			   ARG_LD(6, 1), MOV64_X(7, 6), ALU64_K(0x00, 7, 1), ARG_ST(7, 1), CALL_KFUNC(id6),
			   ARG_LD(1, 1), ALU64_X(0x00, 0, 1), EXIT())),
		 1 + 6 * 101 + 100, "incoming slots survive the callee's own calls");
}

static void test_mem_sum(void)
{
	int id = stackbpf_host__find(test_host(), "mem_sum");
	T_OK(id == 14, "mem_sum id %d", id);
	/* args 6/7: a pointer to 8 stack bytes and their size */
	T_EQ_U64(exec(PROG(LD64(1, 0x0102030405060708), STXDW(10, 1, -8), MOV64_X(6, 10), ALU64_K(0x00, 6, -8),
			   ARG_ST(6, 1), ARG_STI(8, 2), MOV64_K(1, 1), MOV64_K(2, 2), MOV64_K(3, 3), MOV64_K(4, 4),
			   MOV64_K(5, 5), CALL_KFUNC(id), EXIT())),
		 15 + 36, "mem_sum over the stack");
	/* the input memory as arg 6, its length as arg 7 */
	uint8_t mem[5] = { 10, 20, 30, 40, 250 };
	struct run_result r = run_both(PROG(ARG_ST(1, 1), ARG_ST(2, 2), MOV64_K(1, 0), MOV64_K(2, 0), MOV64_K(3, 0),
					    MOV64_K(4, 0), MOV64_K(5, 7), CALL_KFUNC(id), EXIT()),
				       mem, sizeof(mem));
	T_OK(r.err == 0, "mem_sum input: %s", r.msg);
	T_EQ_U64(r.r0, 7 + 350, "mem_sum over the input");
	/* size 0: nothing read, NULL allowed */
	T_EQ_U64(exec(PROG(ARG_STI(0, 1), ARG_STI(0, 2), MOV64_K(1, 1), MOV64_K(2, 1), MOV64_K(3, 1),
			   MOV64_K(4, 1), MOV64_K(5, 1), CALL_KFUNC(id), EXIT())), 5, "mem_sum size 0");
}

static void test_frames(void)
{
	/* r6-r9 preserved, r0 returned, callee writes r6-r9 */
	T_EQ_U64(exec(PROG(MOV64_K(6, 6), MOV64_K(7, 7), MOV64_K(8, 8), MOV64_K(9, 9), CALL_LOCAL(8),
			   MOV64_X(1, 6), ALU64_X(0x20, 1, 7), ALU64_X(0x20, 1, 8), ALU64_X(0x20, 1, 9),
			   ALU64_X(0x00, 0, 1), EXIT(), JA(-1), JA(-1),
			   /* callee at 13 */
			   MOV64_K(6, 0), MOV64_K(7, 0), MOV64_K(8, 0), MOV64_K(9, 0), MOV64_K(0, 1), EXIT())),
		 6 * 7 * 8 * 9 + 1, "r6-r9 preserved across a call");
	/* each frame has its own 512 bytes; r10 moves down by 512 */
	T_EQ_U64(exec(PROG(MOV64_X(6, 10), CALL_LOCAL(3), ALU64_X(0x10, 6, 0), MOV64_X(0, 6), EXIT(),
			   MOV64_X(0, 10), EXIT())),
		 512, "callee r10 = caller r10 - 512");
	T_EQ_U64(exec(PROG(STDW(10, -8, 1), CALL_LOCAL(2), LDXDW(0, 10, -8), EXIT(),
			   STDW(10, -8, 2), EXIT())),
		 1, "callee stack is separate");
	/* a callee may write through a pointer into its caller's stack */
	T_EQ_U64(exec(PROG(STDW(10, -8, 1), MOV64_X(1, 10), ALU64_K(0x00, 1, -8), CALL_LOCAL(2),
			   LDXDW(0, 10, -8), EXIT(), STDW(1, 0, 5), EXIT())),
		 5, "callee writes the caller's stack");

	/* depth: main + 7 nested calls is the limit (8 frames) */
	for (int n = 5; n <= 7; n++) {
		struct run_result r = run_both(PROG(MOV64_K(1, n), MOV64_K(0, 0), CALL_LOCAL(1), EXIT(),
						    /* 4: f(r1) */ JMP_K(0x10, 1, 0, 3), ALU64_K(0x10, 1, 1),
						    CALL_LOCAL(-3), ALU64_K(0x00, 0, 1), EXIT()),
					       NULL, 0);
		char what[64];
		snprintf(what, sizeof(what), "call chain of %d frames", n + 2);
		if (n + 2 <= 8) {
			T_OK(r.err == 0, "%s: %s", what, r.msg);
			T_EQ_U64(r.r0, (uint64_t)n, what);
		} else {
			T_OK(r.err == -EOVERFLOW, "%s: err %d", what, r.err);
			T_EQ_STR(r.msg, "insn 6: the call stack of 9 frames is too deep", what);
		}
	}
#ifdef SBPF_DEBUG
	/* debug builds clobber r1-r5 and poison every outgoing slot after a call */
	T_EQ_U64(exec(PROG(MOV64_K(3, 3), CALL_LOCAL(2), MOV64_X(0, 3), EXIT(), EXIT())), 0xdeadbeefdeadbeef,
		 "r3 clobbered after a call (debug)");
	T_EQ_U64(exec(PROG(ARG_STI(42, 1), CALL_LOCAL(3), CALL_LOCAL(2), EXIT(), EXIT(), ARG_LD(0, 1), EXIT())),
		 0xdeadbeefdeadbeef, "slot dead after the first call (debug)");
#endif
	T_EQ_U64(exec(PROG(ARG_STI(42, 1), CALL_LOCAL(1), EXIT(), ARG_LD(0, 1), EXIT())), 42, "slot read by callee");
}

static void test_stack_arg_range(void)
{
	/* r11-64 is the 8th slot: structurally valid, a fault at run time */
	struct run_result r = run_both(PROG(MOV64_K(0, 0), ARG_STI(1, 8), EXIT()), NULL, 0);
	T_OK(r.err == -EFAULT, "slot 8 write: err %d", r.err);
	T_EQ_STR(r.msg, "insn 1: invalid write of 8 bytes at r11-64 (stack argument 8; at most 7)", "slot 8 write");
	r = run_both(PROG(ARG_LD(0, 9), EXIT()), NULL, 0);
	T_EQ_STR(r.msg, "insn 0: invalid read of 8 bytes at r11+72 (stack argument 9; at most 7)", "slot 9 read");
}

static void test_may_goto(void)
{
	/* r0 counts the iterations may_goto allows */
	const struct stackbpf_insn loop[] = { MOV64_K(0, 0), INSN(0xe5, 0, 0, 2, 0), ALU64_K(0x00, 0, 1), JA(-3),
					      EXIT() };
	for (int checked = 0; checked <= 1; checked++) {
		struct run_result r = run_one(loop, 5, checked, NULL, 0, 5, 0);
		T_EQ_U64(r.r0, 5, "may_goto budget 5");
		r = run_one(loop, 5, checked, NULL, 0, 0, 0);
		T_EQ_U64(r.r0, 8 * 1024 * 1024, "may_goto default budget 8M");
		r = run_one(loop, 5, checked, NULL, 0, 1, 0);
		T_EQ_U64(r.r0, 1, "may_goto budget 1");
	}
	/* the budget is per run, shared by all frames: 3 in main + 2 in a callee */
	struct run_result r = run_one(PROG(MOV64_K(0, 0), CALL_LOCAL(4), INSN(0xe5, 0, 0, 2, 0), ALU64_K(0x00, 0, 1),
					   JA(-3), EXIT(),
					   INSN(0xe5, 0, 0, 3, 0), ALU64_K(0x00, 0, 100), JMP_K(0x20, 0, 150, 1),
					   JA(-4), EXIT()),
				      false, NULL, 0, 5, 0);
	T_EQ_U64(r.r0, 200 + 3, "may_goto budget shared across frames");
}

/* volatile, so the expected strcmp value is libc's, not the compiler's */
static const char *volatile str_cba = "cba", *volatile str_abd = "abd";

static void test_callx_and_helpers(void)
{
	T_EQ_U64(exec(PROG(MOV64_K(1, 49), MOV64_K(2, 3), INSN(0x8d, 2, 0, 0, 0), EXIT())), 7, "callx r2 = sqrti");
	struct run_result r = run_both(PROG(MOV64_K(2, 99), INSN(0x8d, 2, 0, 0, 0), EXIT()), NULL, 0);
	T_OK(r.err == -EINVAL, "callx unknown: %d", r.err);
	T_EQ_STR(r.msg, "insn 1: callx to unknown helper 99", "callx unknown");
	r = run_both(PROG(MOV64_K(2, -1), INSN(0x8d, 2, 0, 0, 0), EXIT()), NULL, 0);
	T_EQ_STR(r.msg, "insn 1: callx to unknown helper -1", "callx -1");
	/* unwind: helper 5 returning 0 ends the program with r0 = 0 */
	T_EQ_U64(exec(PROG(MOV64_K(1, 0), CALL_HELPER(5), MOV64_K(0, 2), EXIT())), 0, "unwind on 0");
	T_EQ_U64(exec(PROG(MOV64_K(1, 7), CALL_HELPER(5), MOV64_K(0, 2), EXIT())), 2, "no unwind on 7");
	T_EQ_U64(exec(PROG(MOV64_K(1, -1), MOV64_K(2, 5), INSN(0x8d, 2, 0, 0, 0), MOV64_K(0, 2), EXIT())), 2,
		 "callx unwind -1 (bpf_conformance callx.data)");
	T_EQ_U64(exec(PROG(MOV64_K(1, 0), MOV64_K(2, 5), CALL_LOCAL(2), MOV64_K(0, 2), EXIT(),
			   INSN(0x8d, 2, 0, 0, 0), EXIT())), 0, "unwind from a callee ends the program");
	/* the conformance helpers */
	T_EQ_U64(exec(PROG(MOV64_K(1, 0x101), MOV64_K(2, 2), MOV64_K(3, 3), MOV64_K(4, 4), MOV64_K(5, 0x705),
			   CALL_HELPER(0), EXIT())), 0x0102030405, "gather_bytes");
	T_EQ_U64(exec(PROG(LD64(1, 0x0102030405060708), STXDW(10, 1, -8), MOV64_X(1, 10), ALU64_K(0x00, 1, -8),
			   MOV64_K(2, 8), CALL_HELPER(1), LDXDW(0, 10, -8), EXIT())),
		 0x0102030405060708 ^ 0x2a2a2a2a2a2a2a2a, "memfrob");
	T_EQ_U64(exec(PROG(MOV64_K(0, 9), CALL_HELPER(2), EXIT())), 0, "no_op");
	T_EQ_U64(exec(PROG(LD64(1, 0x6162630000000000 >> 40), STXDW(10, 1, -8), LD64(1, 0x646261), STXDW(10, 1, -16),
			   MOV64_X(1, 10), ALU64_K(0x00, 1, -8), MOV64_X(2, 10), ALU64_K(0x00, 2, -16),
			   CALL_HELPER(4), EXIT())),
		 (uint64_t)(int64_t)strcmp(str_cba, str_abd), "strcmp_ext");
	const struct stackbpf_fn_desc *sq = stackbpf_host__helper(test_host(), 3);
	uint64_t (*sqrti)(uint64_t) = (uint64_t (*)(uint64_t))sq->fn;
	T_EQ_U64(sqrti(0), 0, "sqrti 0");
	T_EQ_U64(sqrti(15), 3, "sqrti 15");
	T_EQ_U64(sqrti(16), 4, "sqrti 16");
	T_EQ_U64(sqrti(1ull << 62), 1ull << 31, "sqrti 2^62");
	T_EQ_U64(sqrti(UINT64_MAX), 0xffffffff, "sqrti max");
	T_EQ_U64(sqrti(0xfffffffe00000001), 0xffffffff, "sqrti (2^32-1)^2");
	T_EQ_U64(sqrti(0xfffffffe00000000), 0xfffffffe, "sqrti (2^32-1)^2 - 1");
}

static void test_ld_abs_ind(void)
{
	uint8_t pkt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct { const char *what; struct stackbpf_insn ld; uint64_t want; } c[] = {
		{ "ldabsw 2", INSN(0x20, 0, 0, 0, 2), 0x03040506 },
		{ "ldabsh 6", INSN(0x28, 0, 0, 0, 6), 0x0708 },
		{ "ldabsb 7", INSN(0x30, 0, 0, 0, 7), 8 },
		{ "ldabsw 5 out of bounds", INSN(0x20, 0, 0, 0, 5), 0 },
		{ "ldabsb -1 out of bounds", INSN(0x30, 0, 0, 0, -1), 0 },
		{ "ldindw r6=1 +2", INSN(0x40, 0, 6, 0, 2), 0x04050607 },
		{ "ldindh r6=1 +5", INSN(0x48, 0, 6, 0, 5), 0x0708 },
		{ "ldindb r6=1 -1", INSN(0x50, 0, 6, 0, -1), 1 },
		{ "ldindb r6=1 +7 out of bounds", INSN(0x50, 0, 6, 0, 7), 0 },
		{ "ldindw r6=1 -2 out of bounds", INSN(0x40, 0, 6, 0, -2), 0 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		/* r0 = 99 first: an out-of-bounds load must end the program with 0 */
		struct run_result r = run_both(PROG(MOV64_K(6, 1), MOV64_K(0, 99), c[i].ld, EXIT()), pkt, sizeof(pkt));
		T_OK(r.err == 0, "%s: %s", c[i].what, r.msg);
		T_EQ_U64(r.r0, c[i].want, c[i].what);
	}
	struct run_result r = run_both(PROG(MOV64_K(0, 99), INSN(0x30, 0, 0, 0, 0), ALU64_K(0x00, 0, 1), EXIT()),
				       NULL, 0);
	T_EQ_U64(r.r0, 0, "ldabsb without memory ends with 0");
	r = run_both(PROG(INSN(0x20, 0, 0, 0, 4), ALU64_K(0x00, 0, 1), EXIT()), pkt, sizeof(pkt));
	T_EQ_U64(r.r0, 0x05060709, "ldabsw continues in bounds");
}

static uint64_t seven(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f, uint64_t g)
{
	return a + b + c + d + e + f + g;
}
static uint64_t five(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) { return a - b - c - d - e; }

static void test_registry(void)
{
	struct stackbpf_host *h = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_fn_desc, d7, .name = "seven", .fn = (void *)seven, .nargs = 7);
	STACKBPF_OPTS(stackbpf_fn_desc, d5, .name = "five", .fn = (void *)five, .nargs = 5);
	T_EQ_U64(stackbpf_host__register(h, &d7), 1, "first id is 1");
	T_EQ_U64(stackbpf_host__register(h, &d5), 2, "second id is 2");
	T_EQ_U64(stackbpf_host__register(h, &d5), (uint64_t)-EEXIST, "duplicate name");
	STACKBPF_OPTS(stackbpf_fn_desc, d13, .name = "thirteen", .fn = (void *)seven, .nargs = 13);
	T_EQ_U64(stackbpf_host__register(h, &d13), (uint64_t)-E2BIG, "13 args");
	STACKBPF_OPTS(stackbpf_fn_desc, dnull, .name = "null", .nargs = 1);
	T_EQ_U64(stackbpf_host__register(h, &dnull), (uint64_t)-EINVAL, "no function");
	STACKBPF_OPTS(stackbpf_fn_desc, dnoname, .fn = (void *)five, .nargs = 1);
	T_EQ_U64(stackbpf_host__register(h, &dnoname), (uint64_t)-EINVAL, "no name");
	STACKBPF_OPTS(stackbpf_fn_desc, dtype, .name = "badtype", .fn = (void *)five, .nargs = 1,
		      .arg_types = { 99 });
	T_EQ_U64(stackbpf_host__register(h, &dtype), (uint64_t)-EINVAL, "bad arg type");
	T_EQ_U64(stackbpf_host__register_helper(h, 7, &d7), (uint64_t)-E2BIG, "helper with 7 args");
	T_EQ_U64(stackbpf_host__register_helper(h, 7, &d5), 0, "helper 7");
	T_EQ_U64(stackbpf_host__register_helper(h, 7, &d5), (uint64_t)-EEXIST, "helper 7 again");
	T_EQ_U64(stackbpf_host__register_helper(h, -1, &d5), (uint64_t)-EINVAL, "helper -1");
	T_EQ_U64(stackbpf_host__find(h, "five"), 2, "find five");
	T_EQ_U64(stackbpf_host__find(h, "six"), (uint64_t)-ENOENT, "find six");
	T_EQ_STR(stackbpf_host__fn(h, 1)->name, "seven", "fn 1");
	T_OK(stackbpf_host__fn(h, 3) == NULL && stackbpf_host__fn(h, 0) == NULL, "fn 0 and 3 absent");
	T_EQ_STR(stackbpf_host__helper(h, 7)->name, "five", "helper 7 name");
	T_OK(stackbpf_host__helper(h, 8) == NULL, "helper 8 absent");
	/* registering more must not move earlier descriptions */
	const struct stackbpf_fn_desc *first = stackbpf_host__fn(h, 1);
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		STACKBPF_OPTS(stackbpf_fn_desc, d, .name = name, .fn = (void *)five, .nargs = 5);
		stackbpf_host__register(h, &d);
	}
	T_OK(stackbpf_host__fn(h, 1) == first && strcmp(first->name, "seven") == 0, "descriptions stay put");
	T_EQ_U64(stackbpf_host__find(h, "f99"), 102, "f99 id");

	/* a 7-argument host function called from BPF; and a helper by id */
	struct stackbpf_prog *p = stackbpf_prog__from_insns(
		PROG(MOV64_K(1, 1), MOV64_K(2, 2), MOV64_K(3, 3), MOV64_K(4, 4), MOV64_K(5, 5), ARG_STI(6, 1),
		     ARG_STI(70, 2), CALL_KFUNC(1), MOV64_X(6, 0), MOV64_K(1, 100), MOV64_K(2, 1), MOV64_K(3, 2),
		     MOV64_K(4, 3), MOV64_K(5, 4), CALL_HELPER(7), ALU64_X(0x00, 0, 6), EXIT()));
	STACKBPF_OPTS(stackbpf_validate_opts, vo, .host = h);
	const char *msg;
	T_OK(stackbpf_prog__validate(p, &vo, &msg) == 0, "validate with host");
	STACKBPF_OPTS(stackbpf_vm_opts, o, .host = h);
	struct stackbpf_vm *vm = stackbpf_vm__new(p, &o);
	uint64_t r0 = 0;
	T_OK(vm && stackbpf_vm__run(vm, NULL, 0, &r0) == 0, "run with own host");
	T_EQ_U64(r0, 91 + 90, "seven(1..5, 6, 70) + five(100, 1, 2, 3, 4)");
	stackbpf_vm__free(vm);
	stackbpf_prog__free(p);
	p = stackbpf_prog__from_insns(PROG(MOV64_K(1, 100), MOV64_K(2, 1), MOV64_K(3, 2), MOV64_K(4, 3),
					   MOV64_K(5, 4), CALL_HELPER(7), EXIT()));
	vm = stackbpf_vm__new(p, &o);
	T_OK(vm && stackbpf_vm__run(vm, NULL, 0, &r0) == 0, "run helper 7");
	T_EQ_U64(r0, 90, "helper 7 = five(100, 1, 2, 3, 4)");
	stackbpf_vm__free(vm);
	stackbpf_prog__free(p);
	p = stackbpf_prog__from_insns(PROG(MOV64_K(1, 1), MOV64_K(2, 2), MOV64_K(3, 3), MOV64_K(4, 4),
					   MOV64_K(5, 5), ARG_STI(6, 1), ARG_STI(70, 2), CALL_KFUNC(1), EXIT()));
	vm = stackbpf_vm__new(p, &o);
	T_OK(vm && stackbpf_vm__run(vm, NULL, 0, &r0) == 0, "run seven");
	T_EQ_U64(r0, 91, "seven(1..5, 6, 70)");
	stackbpf_vm__free(vm);
	/* without a host (or with another one) the call fails at run time */
	STACKBPF_OPTS(stackbpf_vm_opts, none);
	vm = stackbpf_vm__new(p, &none);
	T_OK(vm && stackbpf_vm__run(vm, NULL, 0, &r0) == -EINVAL, "unregistered call fails");
	T_EQ_STR(stackbpf_vm__errmsg(vm), "insn 7: unknown host function #1", "unregistered kfunc message");
	stackbpf_vm__free(vm);
	stackbpf_prog__free(p);
	stackbpf_host__free(h);
}

int main(void)
{
	test_bpf2bpf_args();
	test_host_args();
	test_forwarding();
	test_mem_sum();
	test_frames();
	test_stack_arg_range();
	test_may_goto();
	test_callx_and_helpers();
	test_ld_abs_ind();
	test_registry();
	stackbpf_host__free(t_host);
	return t_done();
}
