/* test_jit_calls.c - JIT calls: a 12-argument host call (sum_args12) and a
 * 12-argument BPF-to-BPF call with argument-order checks, arguments
 * re-forwarded from a callee to a host function, 16-byte stack alignment at
 * every native call (a probe host function at several depths and argument
 * counts), r6-r9 across calls, the 8-frame limit, may_goto budgets, callx,
 * unwinding helpers and LD_ABS from nested frames: each result is checked
 * against a value computed here and against the interpreter. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isa/insn.h"
#include "stackbpf/stackbpf.h"
#include "testlib.h"

#define INSN(c, d, s, o, i) ((struct stackbpf_insn){ .code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) })
#define EXIT() INSN(0x95, 0, 0, 0, 0)
#define MOV_K(d, i) INSN(0xb7, d, 0, 0, i)
#define MOV_X(d, s) INSN(0xbf, d, s, 0, 0)
#define ADD_X(d, s) INSN(0x0f, d, s, 0, 0)
#define ADD_K(d, i) INSN(0x07, d, 0, 0, i)
#define MUL_K(d, i) INSN(0x27, d, 0, 0, i)
#define CALL_LOCAL(rel) INSN(0x85, 0, 1, 0, rel)
#define CALL_KFUNC(id) INSN(0x85, 0, 2, 0, id)
#define CALL_HELPER(id) INSN(0x85, 0, 0, 0, id)
#define ARG_LD(d, k) INSN(0x79, d, 11, 8 * (k), 0)
#define ARG_ST(s, k) INSN(0x7b, 11, s, -8 * (k), 0)
#define ARG_STI(i, k) INSN(0x7a, 11, 0, -8 * (k), i)

struct builder { struct stackbpf_insn v[512]; size_t n; };
static void emit(struct builder *b, struct stackbpf_insn in) { b->v[b->n++] = in; }
static void emit_ld64(struct builder *b, uint8_t reg, uint64_t k)
{
	emit(b, INSN(0x18, reg, 0, 0, (int32_t)(uint32_t)k));
	emit(b, INSN(0, 0, 0, 0, (int32_t)(uint32_t)(k >> 32)));
}

static struct stackbpf_host *host;

/* ---------------------------------------------------------- probes */

static uint64_t misaligned_calls;

/* At entry rsp + 8 is 16-byte aligned (SysV), so after `push rbp` the frame
 * address is 16-byte aligned exactly when the caller aligned the stack. The
 * probes are only ever called through pointers, so the compiler cannot relax
 * this; the check sits in the probe itself (a helper it calls could be called
 * misaligned on purpose: gcc drops the realignment for callees it knows). */
#define FRAME_MISALIGNED() (((uintptr_t)__builtin_frame_address(0) & 15) != 0)

static uint64_t align_probe0(void)
{
	misaligned_calls += FRAME_MISALIGNED();
	return 1;
}

static uint64_t align_probe12(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
			      uint64_t a7, uint64_t a8, uint64_t a9, uint64_t a10, uint64_t a11, uint64_t a12)
{
	misaligned_calls += FRAME_MISALIGNED();
	return a1 + 2 * a2 + 3 * a3 + 4 * a4 + 5 * a5 + 6 * a6 + 7 * a7 + 8 * a8 + 9 * a9 + 10 * a10 + 11 * a11 +
	       12 * a12;
}

static int reg(const char *name, void *fn, unsigned nargs)
{
	struct stackbpf_fn_desc d = { .sz = sizeof(d), .name = name, .fn = fn, .nargs = nargs };
	return stackbpf_host__register(host, &d);
}

/* -------------------------------------------------------- running */

struct res { int err; uint64_t r0; char msg[256]; };

static bool resolve_calls = true;   /* validate call targets against the host first */

static struct res run(const struct stackbpf_insn *insns, size_t cnt, int engine, uint64_t budget, void *mem,
		      size_t len)
{
	struct res r = { 0 };
	struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, cnt);
	const char *msg = "";
	STACKBPF_OPTS(stackbpf_validate_opts, vo, .host = resolve_calls ? host : NULL);
	if (!p || stackbpf_prog__validate(p, &vo, &msg)) {
		r.err = -1000;
		snprintf(r.msg, sizeof(r.msg), "validate: %s", msg);
		stackbpf_prog__free(p);
		return r;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, o, .host = host, .engine = engine, .may_goto_budget = budget);
	struct stackbpf_vm *vm = stackbpf_vm__new(p, &o);
	if (!vm || (engine == STACKBPF_ENGINE_JIT && !stackbpf_vm__jit_code(vm, NULL))) {
		r.err = -1001;
		snprintf(r.msg, sizeof(r.msg), "not compiled");
	} else {
		r.err = stackbpf_vm__run(vm, mem, len, &r.r0);
		snprintf(r.msg, sizeof(r.msg), "%s", stackbpf_vm__errmsg(vm));
	}
	stackbpf_vm__free(vm);
	stackbpf_prog__free(p);
	return r;
}

/* run in the JIT, compare with the interpreter, return the JIT's result */
static struct res both_at(int line, const struct builder *b, uint64_t budget)
{
	struct res j = run(b->v, b->n, STACKBPF_ENGINE_JIT, budget, NULL, 0);
	struct res i = run(b->v, b->n, STACKBPF_ENGINE_INTERP, budget, NULL, 0);
	T_OK(j.err == i.err && j.r0 == i.r0 && strcmp(j.msg, i.msg) == 0,
	     "line %d: jit err %d r0 0x%" PRIx64 " '%s', interpreter err %d r0 0x%" PRIx64 " '%s'", line, j.err, j.r0,
	     j.msg, i.err, i.r0, i.msg);
	return j;
}
#define both(b, budget) both_at(__LINE__, b, budget)

static uint64_t arg_val(unsigned i) { return 0x0101010101010101ull * i + 3 * i + 1; }
static uint64_t weighted(unsigned n)
{
	uint64_t s = 0;
	for (unsigned i = 1; i <= n; i++)
		s += i * arg_val(i);
	return s;
}

/* r1..r5 and stack args 6..n: odd ones from r6, even ones as imm (small) */
static void emit_args(struct builder *b, unsigned n)
{
	for (unsigned i = 1; i <= n && i <= 5; i++)
		emit_ld64(b, (uint8_t)i, arg_val(i));
	for (unsigned i = 6; i <= n; i++) {
		emit_ld64(b, 6, arg_val(i));
		emit(b, ARG_ST(6, i - 5));
	}
}

/* ------------------------------------------------------------ tests */

static void host12(void)
{
	struct builder b = { .n = 0 };
	emit_args(&b, 12);
	emit(&b, CALL_KFUNC(stackbpf_host__find(host, "sum_args12")));
	emit(&b, EXIT());
	struct res r = both(&b, 0);
	T_EQ_U64(r.r0, weighted(12), "sum_args12 through the JIT");

	/* negative immediates are sign-extended into arg 6 (r9) and arg 12 ([rsp+40]) */
	b.n = 0;
	for (int i = 1; i <= 5; i++)
		emit(&b, MOV_K((uint8_t)i, 0));
	for (int k = 1; k <= 7; k++)
		emit(&b, ARG_STI(-k, k));
	emit(&b, CALL_KFUNC(stackbpf_host__find(host, "sum_args12")));
	emit(&b, EXIT());
	uint64_t want = 0;
	for (int k = 1; k <= 7; k++)
		want += (uint64_t)(5 + k) * (uint64_t)(int64_t)-k;
	T_EQ_U64(both(&b, 0).r0, want, "negative stack immediates");
}

/* main calls f(a1..a12); f computes sum(i * a_i) from r1-r5 and r11+8..+56 */
static void bpf2bpf12(void)
{
	struct builder b = { .n = 0 };
	emit_args(&b, 12);
	size_t call = b.n;
	emit(&b, CALL_LOCAL(0));
	emit(&b, EXIT());
	b.v[call].imm = (int32_t)(b.n - call - 1);
	emit(&b, MOV_K(0, 0));
	for (int i = 1; i <= 12; i++) {
		if (i <= 5)
			emit(&b, MOV_X(6, (uint8_t)i));
		else
			emit(&b, ARG_LD(6, i - 5));
		emit(&b, MUL_K(6, i));
		emit(&b, ADD_X(0, 6));
	}
	emit(&b, EXIT());
	T_EQ_U64(both(&b, 0).r0, weighted(12), "12-argument BPF-to-BPF call");

	/* the callee re-forwards its arguments 1..10 to sum_args10: loads first
	 * (r6-r9 = args 6..9, r0 = arg 10), then the outgoing stores */
	b.n = 0;
	emit_args(&b, 12);
	call = b.n;
	emit(&b, CALL_LOCAL(0));
	emit(&b, ADD_K(0, 1));
	emit(&b, EXIT());
	b.v[call].imm = (int32_t)(b.n - call - 1);
	for (int k = 1; k <= 4; k++)
		emit(&b, ARG_LD((uint8_t)(5 + k), k));
	emit(&b, ARG_LD(0, 5));
	for (int k = 1; k <= 4; k++)
		emit(&b, ARG_ST((uint8_t)(5 + k), k));
	emit(&b, ARG_ST(0, 5));
	emit(&b, CALL_KFUNC(stackbpf_host__find(host, "sum_args10")));
	emit(&b, EXIT());
	uint64_t want = 0;
	for (unsigned i = 1; i <= 10; i++)
		want += i * arg_val(i);
	T_EQ_U64(both(&b, 0).r0, want + 1, "callee re-forwards 10 arguments to a host function");
}

/* the probe from main, from a 3-deep callee with an odd-sized stack use, and
 * with 12 arguments; also from a callee that saves r6-r9 */
static void alignment(void)
{
	int p0 = reg("align_probe0", (void *)align_probe0, 0), p12 = reg("align_probe12", (void *)align_probe12, 12);
	T_OK(p0 > 0 && p12 > 0, "probes registered");
	misaligned_calls = 0;
	struct builder b = { .n = 0 };
	emit(&b, CALL_KFUNC(p0));                  /* 0: main */
	emit(&b, MOV_K(6, 7));                     /* 1 */
	emit(&b, CALL_LOCAL(2));                   /* 2 -> 5 */
	emit(&b, ADD_X(0, 6));                     /* 3: r6 survived: +7 */
	emit(&b, EXIT());                          /* 4 */
	emit(&b, INSN(0x7a, 10, 0, -24, 1));       /* 5: f1: *(u64 *)(r10 - 24) = 1 */
	emit(&b, MOV_K(6, 100));                   /* 6: clobbers r6, restored on return */
	emit(&b, CALL_LOCAL(1));                   /* 7 -> 9 */
	emit(&b, EXIT());                          /* 8 */
	emit(&b, MOV_K(7, 3));                     /* 9: f2 */
	emit(&b, CALL_KFUNC(p0));                  /* 10 */
	emit_args(&b, 12);
	emit(&b, CALL_KFUNC(p12));
	emit(&b, EXIT());
	struct res r = both(&b, 0);
	T_EQ_U64(r.r0, weighted(12) + 7, "probe result");
	T_EQ_U64(misaligned_calls, 0, "native calls with a misaligned stack");
}

/* f(n) = n ? f(n - 1) + 1 : 0, called with n: n frames below main */
static void depth(void)
{
	for (int n = 5; n <= 7; n++) {
		struct builder b = { .n = 0 };
		emit(&b, MOV_K(1, n));
		emit(&b, CALL_LOCAL(1));
		emit(&b, EXIT());
		emit(&b, MOV_K(0, 0));                  /* 3: f */
		emit(&b, INSN(0x15, 1, 0, 3, 0));       /* 4: if r1 == 0 goto 8 */
		emit(&b, ADD_K(1, -1));                 /* 5 */
		emit(&b, CALL_LOCAL(-4));               /* 6: f(n - 1) */
		emit(&b, ADD_K(0, 1));                  /* 7 */
		emit(&b, EXIT());                       /* 8 */
		struct res r = both(&b, 0);
		if (n <= 6) {   /* main + f(n) .. f(0) = n + 2 frames */
			T_OK(r.err == 0 && r.r0 == (uint64_t)n, "recursion %d deep: err %d r0 %" PRIu64, n, r.err, r.r0);
		} else {
			T_EQ_U64((uint64_t)-r.err, EOVERFLOW, "9th frame: -EOVERFLOW");
			T_EQ_STR(r.msg, "insn 6: the call stack of 9 frames is too deep", "depth message");
		}
	}
}

/* may_goto: a loop that counts until the budget is spent */
static void may_goto(void)
{
	struct builder b = { .n = 0 };
	emit(&b, MOV_K(0, 0));
	emit(&b, INSN(0xe5, 0, 0, 2, 0));   /* may_goto +2 */
	emit(&b, ADD_K(0, 1));
	emit(&b, INSN(0x05, 0, 0, -3, 0));  /* goto -3 */
	emit(&b, EXIT());
	T_EQ_U64(both(&b, 5).r0, 5, "budget 5");
	T_EQ_U64(both(&b, 1000000).r0, 1000000, "budget 1000000");
	T_EQ_U64(both(&b, 0).r0, 8u << 20, "default budget 8M");
}

/* callx by helper id, an unknown id, and unwind (helper 5) from a callee */
static void callx_unwind(void)
{
	struct builder b = { .n = 0 };
	emit(&b, MOV_K(1, 3));
	emit(&b, MOV_K(2, 4));
	emit(&b, MOV_K(3, 5));
	emit(&b, MOV_K(4, 6));
	emit(&b, MOV_K(5, 7));
	emit(&b, MOV_K(8, 0));
	emit(&b, INSN(0x8d, 8, 0, 0, 0));      /* callx r8: gather_bytes */
	emit(&b, EXIT());
	T_EQ_U64(both(&b, 0).r0, 0x0304050607ull, "callx gather_bytes");
	b.v[5] = MOV_K(8, 99);
	struct res r = both(&b, 0);
	T_EQ_U64((uint64_t)-r.err, EINVAL, "callx unknown: -EINVAL");
	T_EQ_STR(r.msg, "insn 6: callx to unknown helper 99", "callx message");

	b.n = 0;
	emit(&b, CALL_LOCAL(2));                /* 0 */
	emit(&b, MOV_K(0, 77));                 /* 1: skipped by the unwind */
	emit(&b, EXIT());                       /* 2 */
	emit(&b, MOV_K(1, 0));                  /* 3: f */
	emit(&b, CALL_HELPER(5));               /* unwind(0): ends the program, r0 = 0 */
	emit(&b, MOV_K(0, 5));
	emit(&b, EXIT());
	r = both(&b, 0);
	T_OK(r.err == 0 && r.r0 == 0, "unwind from a callee: err %d r0 %" PRIu64, r.err, r.r0);
	b.v[3] = MOV_K(1, 9);
	r = both(&b, 0);
	T_OK(r.err == 0 && r.r0 == 77, "no unwind on 9: err %d r0 %" PRIu64, r.err, r.r0);
}

/* LD_ABS out of bounds in a callee ends the run with r0 = 0; r1-r5 survive */
static void ld_abs(void)
{
	uint8_t pkt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct builder b = { .n = 0 };
	emit(&b, MOV_K(3, 1000));
	emit(&b, INSN(0x20, 0, 0, 0, 2));        /* r0 = ntohl(pkt[2..5]) */
	emit(&b, ADD_X(0, 3));                   /* r3 kept */
	emit(&b, EXIT());
	struct res j = run(b.v, b.n, STACKBPF_ENGINE_JIT, 0, pkt, sizeof(pkt));
	T_EQ_U64(j.r0, 0x03040506ull + 1000, "ld_abs w");
	b.v[1].imm = 5;
	j = run(b.v, b.n, STACKBPF_ENGINE_JIT, 0, pkt, sizeof(pkt));
	struct res i = run(b.v, b.n, STACKBPF_ENGINE_INTERP, 0, pkt, sizeof(pkt));
	T_OK(j.err == 0 && j.r0 == 0 && i.r0 == 0, "ld_abs out of bounds: r0 0x%" PRIx64, j.r0);
}

static uint64_t ctx_sum11(void *ctx, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
			  uint64_t a7, uint64_t a8, uint64_t a9, uint64_t a10, uint64_t a11)
{
	return *(uint64_t *)ctx * 1000000 + a1 + 2 * a2 + 3 * a3 + 4 * a4 + 5 * a5 + 6 * a6 + 7 * a7 + 8 * a8 +
	       9 * a9 + 10 * a10 + 11 * a11;
}

/* a host function that takes a context pointer before 11 program arguments */
static void pass_ctx(void)
{
	static uint64_t ctx = 42;
	struct stackbpf_fn_desc d = { .sz = sizeof(d), .name = "ctx_sum11", .fn = (void *)ctx_sum11, .nargs = 11,
				      .flags = STACKBPF_FN_PASS_CTX, .ctx = &ctx };
	int id = stackbpf_host__register(host, &d);
	T_OK(id > 0, "ctx_sum11 registered: %d", id);
	struct builder b = { .n = 0 };
	emit_args(&b, 11);
	emit(&b, CALL_KFUNC(id));
	emit(&b, EXIT());
	T_EQ_U64(both(&b, 0).r0, 42000000 + weighted(11), "ctx first, then 11 arguments");
}

/* main calls itself: it must keep r6 for its BPF caller like any subprogram */
static void recursive_main(void)
{
	struct builder b = { .n = 0 };
	emit(&b, INSN(0x55, 3, 0, 2, 0));       /* 0: if r3 != 0 goto 3 */
	emit(&b, MOV_K(3, 1));                  /* 1: first entry only */
	emit(&b, MOV_K(1, 5));                  /* 2: n = 5 */
	emit(&b, INSN(0x15, 1, 0, 5, 0));       /* 3: if r1 == 0 goto 9 */
	emit(&b, MOV_X(6, 1));                  /* 4 */
	emit(&b, ADD_K(1, -1));                 /* 5 */
	emit(&b, CALL_LOCAL(-7));               /* 6: main(n - 1) */
	emit(&b, ADD_X(0, 6));                  /* 7 */
	emit(&b, EXIT());                       /* 8 */
	emit(&b, MOV_K(0, 0));                  /* 9 */
	emit(&b, EXIT());                       /* 10 */
	T_EQ_U64(both(&b, 0).r0, 15, "5 + 4 + 3 + 2 + 1 through a recursive main");
}

/* calls that do not resolve stop the run when reached, as in the interpreter */
static void unknown_calls(void)
{
	resolve_calls = false;
	struct builder b = { .n = 0 };
	emit(&b, MOV_K(0, 1));
	emit(&b, INSN(0x15, 2, 0, 1, 0));      /* if r2 == 0 goto +1: always */
	emit(&b, CALL_HELPER(1234));           /* never reached */
	emit(&b, CALL_HELPER(1234));
	emit(&b, EXIT());
	struct res r = both(&b, 0);
	T_EQ_U64((uint64_t)-r.err, EINVAL, "unknown helper: -EINVAL");
	T_EQ_STR(r.msg, "insn 3: invalid func unknown#1234", "unknown helper message");
	b.v[3] = CALL_KFUNC(999);
	r = both(&b, 0);
	T_EQ_STR(r.msg, "insn 3: unknown host function #999", "unknown host function message");
	b.v[3] = MOV_K(0, 2);
	r = both(&b, 0);
	T_OK(r.err == 0 && r.r0 == 2, "the unresolved call not reached: err %d r0 %" PRIu64, r.err, r.r0);
	resolve_calls = true;
}

int main(void)
{
	host = stackbpf_host__new();
	if (!host || stackbpf_host__add_examples(host) || stackbpf_host__add_conformance_helpers(host)) {
		fprintf(stderr, "cannot build the host registry\n");
		return 2;
	}
	host12();
	bpf2bpf12();
	alignment();
	depth();
	may_goto();
	callx_unwind();
	ld_abs();
	pass_ctx();
	recursive_main();
	unknown_calls();
	stackbpf_host__free(host);
	return t_done();
}
