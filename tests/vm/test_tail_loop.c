/* test_tail_loop.c - tail calls (helper 12 through a prog_array whose values
 * index stackbpf_vm_opts.progs) and bpf_loop callbacks (helper 181, ld_imm64
 * src 4) in the fast interpreter, the checked interpreter and the JIT: chains
 * across programs, Linux's limit of 33 tail calls (empty slots count, indexes
 * beyond max_entries do not), a tail call from a subprogram, bpf_loop with an
 * early exit, its -EINVAL / -E2BIG results, nested loops, and calls with
 * stack arguments inside a callback. Every result is an exact value computed
 * by hand and must be the same in the three engines. */
#include <inttypes.h>

#include "vmtest.h"

enum { ENG_FAST, ENG_CHECKED, ENG_JIT, NENG };
static const char *const eng_name[NENG] = { "fast", "checked", "jit" };

#define LD_MAP(d, idx) INSN(0x18, d, 1, 0, idx), INSN(0, 0, 0, 0, 0)
/* r = the callback `rel` instructions after the next insn slot (src 4) */
#define LD_FUNC(d, rel) INSN(0x18, d, 4, 0, rel), INSN(0, 0, 0, 0, 0)
#define LDX(d, s, o) LDXDW(d, s, o)
#define STX(d, s, o) STXDW(d, s, o)

static struct stackbpf_host *host;
static struct stackbpf_map *jmp;      /* prog_array, 8 slots */
static struct stackbpf_vm *progs[NENG][8];   /* the program tables */
static struct stackbpf_vm *owned[NENG][4];

static struct stackbpf_vm *make(const struct stackbpf_insn *insns, size_t cnt, int eng)
{
	struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, cnt);
	if (!p || stackbpf_prog__set_maps(p, &jmp, 1)) {
		fprintf(stderr, "cannot build the program\n");
		exit(2);
	}
	STACKBPF_OPTS(stackbpf_vm_opts, o, .host = host, .checked = eng == ENG_CHECKED,
		      .engine = eng == ENG_JIT ? STACKBPF_ENGINE_JIT : STACKBPF_ENGINE_INTERP,
		      .progs = progs[eng], .prog_cnt = 8);
	struct stackbpf_vm *vm = stackbpf_vm__new(p, &o);
	stackbpf_prog__free(p);
	if (!vm || (eng == ENG_JIT && !stackbpf_vm__jit_code(vm, NULL))) {
		fprintf(stderr, "cannot prepare the program for %s\n", eng_name[eng]);
		exit(2);
	}
	return vm;
}

static void set_slot(uint32_t slot, uint32_t prog)
{
	if (stackbpf_map__update(jmp, &slot, &prog, STACKBPF_ANY)) {
		fprintf(stderr, "cannot set slot %u\n", slot);
		exit(2);
	}
}

/* run vm with 64 zeroed bytes of memory; expect r0 */
static void expect(struct stackbpf_vm *vm, int eng, uint64_t want, const char *what)
{
	uint64_t mem[8] = { 0 }, r0 = 0;
	int err = stackbpf_vm__run(vm, mem, sizeof(mem), &r0);
	T_OK(err == 0, "%s (%s): run failed %d: %s", what, eng_name[eng], err, stackbpf_vm__errmsg(vm));
	T_OK(r0 == want, "%s (%s): r0 = %" PRIu64 " (0x%" PRIx64 "), want %" PRIu64, what, eng_name[eng], r0, r0,
	     want);
}

/* ---------------------------------------------------------- tail calls */

/* slot 0: mem[0] += 1, then tail call slot 0 (itself); when that falls
 * through, r0 = mem[0] + 1000. One run + 33 tail calls: 1034. */
#define SELF_PROG \
	MOV64_X(6, 1), LDX(2, 6, 0), ALU64_K(0x00, 2, 1), STX(6, 2, 0), \
	MOV64_X(1, 6), LD_MAP(2, 0), MOV64_K(3, 0), CALL_HELPER(12), \
	LDX(0, 6, 0), ALU64_K(0x00, 0, 1000), EXIT()

/* slot 1: mem[8] = 1, tail call slot 2; falls through: 99 */
#define CHAIN_A \
	MOV64_X(6, 1), STDW(6, 8, 1), LD_MAP(2, 0), MOV64_K(3, 2), CALL_HELPER(12), MOV64_K(0, 99), EXIT()
/* slot 2: mem[8] = mem[8] * 10 + 2, tail call slot 3 */
#define CHAIN_B \
	MOV64_X(6, 1), LDX(2, 6, 8), ALU64_K(0x20, 2, 10), ALU64_K(0x00, 2, 2), STX(6, 2, 8), \
	LD_MAP(2, 0), MOV64_K(3, 3), CALL_HELPER(12), MOV64_K(0, 98), EXIT()
/* slot 3: r0 = mem[8] * 10 + 3 (= 123 after A, B) */
#define CHAIN_C \
	LDX(0, 1, 8), ALU64_K(0x20, 0, 10), ALU64_K(0x00, 0, 3), EXIT()

/* N attempts at slot S (r7 counts down), then a tail call to slot 3 (C:
 * returns 3 from zeroed memory), else r0 = 5 */
#define ATTEMPTS(N, S) \
	MOV64_X(6, 1), MOV64_K(7, N), \
	MOV64_X(1, 6), LD_MAP(2, 0), MOV64_K(3, S), CALL_HELPER(12), \
	ALU64_K(0x00, 7, -1), JMP_K(0x50, 7, 0, -7), \
	MOV64_X(1, 6), LD_MAP(2, 0), MOV64_K(3, 3), CALL_HELPER(12), MOV64_K(0, 5), EXIT()

/* main: r6 = 9, r0 = sub(ctx) + r6; sub tail-calls slot 3 (C, returns 3):
 * 12; the tail call replaces sub, whose r6-r9 main keeps */
#define FROM_SUB \
	MOV64_K(6, 9), CALL_LOCAL(2), ALU64_X(0x00, 0, 6), EXIT(), \
	MOV64_K(6, 100), LD_MAP(2, 0), MOV64_K(3, 3), CALL_HELPER(12), MOV64_K(0, 77), EXIT()

static void test_tail_calls(void)
{
	for (int e = 0; e < NENG; e++) {
		progs[e][0] = owned[e][0] = make(PROG(SELF_PROG), e);
		progs[e][1] = owned[e][1] = make(PROG(CHAIN_A), e);
		progs[e][2] = owned[e][2] = make(PROG(CHAIN_B), e);
		progs[e][3] = owned[e][3] = make(PROG(CHAIN_C), e);
	}
	for (uint32_t s = 0; s < 4; s++)
		set_slot(s, s);
	for (int e = 0; e < NENG; e++) {
		expect(progs[e][0], e, 1034, "33 tail calls to itself, the 34th falls through");
		expect(progs[e][1], e, 123, "chain A -> B -> C");
		/* slot 6 is empty (counts), index 8 is beyond max_entries (does not) */
		struct stackbpf_vm *v32 = make(PROG(ATTEMPTS(32, 6)), e);
		struct stackbpf_vm *v33 = make(PROG(ATTEMPTS(33, 6)), e);
		struct stackbpf_vm *vout = make(PROG(ATTEMPTS(40, 8)), e);
		struct stackbpf_vm *vsub = make(PROG(FROM_SUB), e);
		expect(v32, e, 3, "32 empty-slot attempts, then a tail call");
		expect(v33, e, 5, "33 empty-slot attempts use up the limit");
		expect(vout, e, 3, "out-of-range indexes do not count");
		expect(vsub, e, 12, "a tail call from a subprogram returns to main");
		stackbpf_vm__free(v32);
		stackbpf_vm__free(v33);
		stackbpf_vm__free(vout);
		stackbpf_vm__free(vsub);
	}
	/* an empty table entry is an empty slot: A's tail call to slot 2 falls through */
	progs[0][2] = NULL;
	expect(progs[0][1], ENG_FAST, 99, "slot naming a NULL program");
	/* a JIT program cannot continue in an interpreted one */
	progs[ENG_JIT][2] = progs[ENG_FAST][3];
	uint64_t mem[8] = { 0 }, r0 = 0;
	T_EQ_U64(stackbpf_vm__run(progs[ENG_JIT][1], mem, sizeof(mem), &r0), (uint64_t)-EINVAL, "jit -> interp");
	T_EQ_STR(stackbpf_vm__errmsg(progs[ENG_JIT][1]), "insn 5: tail call to a program without native code",
		 "jit -> interp message");
	/* nor the fast interpreter in a program prepared for the checked one */
	progs[ENG_FAST][2] = progs[ENG_CHECKED][2];
	T_EQ_U64(stackbpf_vm__run(progs[ENG_FAST][1], mem, sizeof(mem), &r0), (uint64_t)-EINVAL, "fast -> checked");
	T_EQ_STR(stackbpf_vm__errmsg(progs[ENG_FAST][1]),
		 "insn 5: tail call to a program prepared for the checked interpreter", "fast -> checked message");
	for (int e = 0; e < NENG; e++)
		for (int s = 0; s < 4; s++)
			stackbpf_vm__free(owned[e][s]);
}

/* ------------------------------------------------------------ bpf_loop */

/* main: *(fp-8) = 0; r0 = bpf_loop(N, cb, fp-8, FLAGS); return *(fp-8) * 1000 + r0
 * cb(i, ctx): *ctx += i; return i == STOP */
#define LOOP_MAIN(N, FLAGS, STOP) \
	STDW(10, -8, 0), MOV64_K(1, N), LD_FUNC(2, 10), MOV64_X(3, 10), ALU64_K(0x00, 3, -8), \
	MOV64_K(4, FLAGS), CALL_HELPER(181), MOV64_X(7, 0), LDX(0, 10, -8), ALU64_K(0x20, 0, 1000), \
	ALU64_X(0x00, 0, 7), EXIT(), \
	LDX(3, 2, 0), ALU64_X(0x00, 3, 1), STX(2, 3, 0), MOV64_K(0, 0), JMP_K(0x50, 1, STOP, 1), \
	MOV64_K(0, 1), EXIT()

/* nested: outer 3 iterations, each runs an inner loop of 4 that adds
 * sub8(i, 1..7) = i + 28 to the counter through a 8-argument BPF call and
 * sum_args7 (host, stack arguments 6, 7) */
static const struct stackbpf_insn nested[] = {
	/* 0 main */
	STDW(10, -8, 0), MOV64_K(1, 3), LD_FUNC(2, 7), MOV64_X(3, 10), ALU64_K(0x00, 3, -8),
	MOV64_K(4, 0), CALL_HELPER(181),
	/* 8 */ LDX(0, 10, -8), EXIT(),
	/* 10 outer(i, ctx): bpf_loop(4, inner, ctx, 0) */
	MOV64_X(3, 2), MOV64_K(1, 4), LD_FUNC(2, 5), MOV64_K(4, 0), CALL_HELPER(181),
	MOV64_K(0, 0), EXIT(),
	/* 18 inner(i, ctx): *ctx += sub8(i, 1, 2, 3, 4, 5, 6, 7) + sum_args7(1..7) */
	MOV64_X(6, 2), MOV64_K(2, 1), MOV64_K(3, 2), MOV64_K(4, 3), MOV64_K(5, 4),
	ARG_STI(5, 1), ARG_STI(6, 2), ARG_STI(7, 3), CALL_LOCAL(15),
	/* 27 */ MOV64_X(7, 0), MOV64_K(1, 1), MOV64_K(2, 2), MOV64_K(3, 3), MOV64_K(4, 4), MOV64_K(5, 5),
	ARG_STI(6, 1), ARG_STI(7, 2), CALL_KFUNC(8),
	/* 36 */ ALU64_X(0x00, 0, 7), LDX(3, 6, 0), ALU64_X(0x00, 3, 0), STX(6, 3, 0), MOV64_K(0, 0), EXIT(),
	/* 42 sub8(a1..a8) = a1 + ... + a8 */
	MOV64_X(0, 1), ALU64_X(0x00, 0, 2), ALU64_X(0x00, 0, 3), ALU64_X(0x00, 0, 4), ALU64_X(0x00, 0, 5),
	ARG_LD(1, 1), ALU64_X(0x00, 0, 1), ARG_LD(1, 2), ALU64_X(0x00, 0, 1), ARG_LD(1, 3), ALU64_X(0x00, 0, 1),
	EXIT(),
};

static void test_loops(void)
{
	for (int e = 0; e < NENG; e++) {
		struct stackbpf_vm *v;
		expect(v = make(PROG(LOOP_MAIN(10, 0, 100)), e), e, 45 * 1000 + 10, "10 iterations, sum 0..9");
		stackbpf_vm__free(v);
		expect(v = make(PROG(LOOP_MAIN(10, 0, 4)), e), e, 10 * 1000 + 5, "callback stops at i = 4");
		stackbpf_vm__free(v);
		expect(v = make(PROG(LOOP_MAIN(0, 0, 4)), e), e, 0, "no iteration");
		stackbpf_vm__free(v);
		expect(v = make(PROG(LOOP_MAIN(10, 1, 4)), e), e, (uint64_t)-EINVAL, "flags: -EINVAL");
		stackbpf_vm__free(v);
		expect(v = make(PROG(LOOP_MAIN((1 << 23) + 1, 0, 4)), e), e, (uint64_t)-E2BIG, "2^23 + 1: -E2BIG");
		stackbpf_vm__free(v);
		/* 12 inner iterations, sum of i over 3 x (0..3) = 18, plus 12 x (28 + 140) */
		expect(v = make(nested, sizeof(nested) / sizeof(nested[0]), e), e, 18 + 12 * (28 + 140),
		       "nested loops, stack arguments in a callback");
		stackbpf_vm__free(v);
	}
}

int main(void)
{
	host = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, ho);
	if (!host || stackbpf_host__add_examples(host) || stackbpf_host__add_linux_helpers(host, &ho))
		return 2;
	jmp = stackbpf_map__new(STACKBPF_MAP_PROG_ARRAY, 4, 4, 8, NULL);
	if (!jmp)
		return 2;
	test_tail_calls();
	test_loops();
	stackbpf_map__free(jmp);
	stackbpf_host__free(host);
	return t_done();
}
