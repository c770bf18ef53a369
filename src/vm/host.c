/* host.c - the host-function registry (stackbpf_host__*), the native call, and
 * the two built-in sets: the documented examples and uBPF's conformance helpers.
 *
 * Example host functions (stackbpf_host__add_examples), registered by name so
 * that programs call them kfunc-style (`call sum_args7`):
 *
 *   sum_args0 .. sum_args12   u64 sum_argsN(u64 a1, ..., u64 aN)
 *       returns sum of i * a_i for i = 1..N, modulo 2^64 (sum_args0 returns 0).
 *       Weighting by position makes any argument-order mistake visible.
 *   mem_sum                   u64 mem_sum(u64 a1, ..., u64 a5, const void *mem, u32 mem__sz)
 *       returns a1 + ... + a5 plus the sum of the mem__sz bytes at mem
 *       (a pointer/size pair passed as stack arguments 6 and 7).
 *
 * Conformance helpers (stackbpf_host__add_conformance_helpers), by helper id,
 * as uBPF's test_helpers.h defines them for bpf_conformance:
 *
 *   0 gather_bytes(a, b, c, d, e) = (a&0xff)<<32 | (b&0xff)<<24 | (c&0xff)<<16 | (d&0xff)<<8 | (e&0xff)
 *   1 memfrob(ptr, n)             xor each of the n bytes at ptr with 42; returns 0
 *   2 no_op()                     returns 0
 *   3 sqrti(x)                    floor(sqrt(x)), exact for every u64
 *   4 strcmp_ext(a, b)            strcmp of two C strings, sign-extended to u64
 *   5 unwind(x)                   returns x; flagged STACKBPF_FN_UNWIND_ON_ZERO, so a
 *                                 call returning 0 ends the program with r0 = 0 */
#include "vm/host.h"
#include "isa/insn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fn_entry {
	struct stackbpf_fn_desc desc;   /* desc.name points to our own copy */
	int32_t helper_id;              /* helpers only */
};

/* entries are allocated one by one so that a description pointer handed out
 * (stackbpf_host__fn, a prepared vm) stays valid while more are registered */
struct fn_table {
	struct fn_entry **v;
	size_t n, cap;
};

struct stackbpf_host {
	struct fn_table fns;      /* id = index + 1 */
	struct fn_table helpers;  /* looked up by helper_id */
};

struct stackbpf_host *stackbpf_host__new(void)
{
	return calloc(1, sizeof(struct stackbpf_host));
}

static void table_free(struct fn_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i]->desc.flags & STACKBPF_FN_OWN_CTX)
			free(t->v[i]->desc.ctx);
		free((char *)t->v[i]->desc.name);
		free(t->v[i]);
	}
	free(t->v);
}

void stackbpf_host__free(struct stackbpf_host *host)
{
	if (!host)
		return;
	table_free(&host->fns);
	table_free(&host->helpers);
	free(host);
}

/* Copy a caller's description (which may come from an older, smaller struct)
 * and check it. */
static int desc_copy(const struct stackbpf_fn_desc *in, struct stackbpf_fn_desc *out, unsigned max_args)
{
	if (!in || in->sz < offsetof(struct stackbpf_fn_desc, nargs) + sizeof(in->nargs))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out, in, in->sz < sizeof(*out) ? in->sz : sizeof(*out));
	out->sz = sizeof(*out);
	if (!out->name || !out->name[0] || !out->fn)
		return -EINVAL;
	if (out->nargs > max_args || ((out->flags & STACKBPF_FN_PASS_CTX) && out->nargs >= SBPF_MAX_FUNC_ARGS))
		return -E2BIG;
	for (unsigned i = 0; i < out->nargs; i++)
		if (out->arg_types[i] > STACKBPF_ARG_CONST)
			return -EINVAL;
	if (out->ret_type > STACKBPF_RET_MEM_OR_NULL)
		return -EINVAL;
	return 0;
}

static int table_add(struct fn_table *t, const struct stackbpf_fn_desc *desc, int32_t helper_id)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct fn_entry **v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	struct fn_entry *e = malloc(sizeof(*e));
	char *name = strdup(desc->name);
	if (!e || !name) {
		free(e);
		free(name);
		return -ENOMEM;
	}
	t->v[t->n++] = e;
	e->desc = *desc;
	e->desc.name = name;
	e->helper_id = helper_id;
	return 0;
}

int stackbpf_host__register(struct stackbpf_host *host, const struct stackbpf_fn_desc *desc)
{
	struct stackbpf_fn_desc d;
	if (!host)
		return -EINVAL;
	int err = desc_copy(desc, &d, SBPF_MAX_FUNC_ARGS);
	if (err)
		return err;
	if (stackbpf_host__find(host, d.name) > 0)
		return -EEXIST;
	if (host->fns.n >= INT32_MAX)
		return -E2BIG;
	err = table_add(&host->fns, &d, 0);
	return err ? err : (int)host->fns.n;
}

int stackbpf_host__register_helper(struct stackbpf_host *host, int32_t helper_id,
				   const struct stackbpf_fn_desc *desc)
{
	struct stackbpf_fn_desc d;
	if (!host || helper_id < 0)
		return -EINVAL;
	int err = desc_copy(desc, &d, SBPF_MAX_REG_ARGS);
	if (err)
		return err;
	if (stackbpf_host__helper(host, helper_id))
		return -EEXIST;
	err = table_add(&host->helpers, &d, helper_id);
	return err ? err : 0;
}

int stackbpf_host__find(const struct stackbpf_host *host, const char *name)
{
	if (!host || !name)
		return -EINVAL;
	for (size_t i = 0; i < host->fns.n; i++)
		if (strcmp(host->fns.v[i]->desc.name, name) == 0)
			return (int)i + 1;
	return -ENOENT;
}

const struct stackbpf_fn_desc *stackbpf_host__fn(const struct stackbpf_host *host, int id)
{
	if (!host || id < 1 || (size_t)id > host->fns.n)
		return NULL;
	return &host->fns.v[id - 1]->desc;
}

const struct stackbpf_fn_desc *stackbpf_host__helper(const struct stackbpf_host *host, int32_t helper_id)
{
	if (!host)
		return NULL;
	for (size_t i = 0; i < host->helpers.n; i++)
		if (host->helpers.v[i]->helper_id == helper_id)
			return &host->helpers.v[i]->desc;
	return NULL;
}

/* ------------------------------------------------------------ native call */

typedef uint64_t u64;

static uint64_t call_n(void *f, unsigned nargs, const uint64_t *r, const uint64_t *s)
{
	switch (nargs) {
	case 0: return ((u64 (*)(void))f)();
	case 1: return ((u64 (*)(u64))f)(r[0]);
	case 2: return ((u64 (*)(u64, u64))f)(r[0], r[1]);
	case 3: return ((u64 (*)(u64, u64, u64))f)(r[0], r[1], r[2]);
	case 4: return ((u64 (*)(u64, u64, u64, u64))f)(r[0], r[1], r[2], r[3]);
	case 5: return ((u64 (*)(u64, u64, u64, u64, u64))f)(r[0], r[1], r[2], r[3], r[4]);
	case 6: return ((u64 (*)(u64, u64, u64, u64, u64, u64))f)(r[0], r[1], r[2], r[3], r[4], s[0]);
	case 7:
		return ((u64 (*)(u64, u64, u64, u64, u64, u64, u64))f)(r[0], r[1], r[2], r[3], r[4], s[0],
									 s[1]);
	case 8:
		return ((u64 (*)(u64, u64, u64, u64, u64, u64, u64, u64))f)(r[0], r[1], r[2], r[3], r[4],
									      s[0], s[1], s[2]);
	case 9:
		return ((u64 (*)(u64, u64, u64, u64, u64, u64, u64, u64, u64))f)(
			r[0], r[1], r[2], r[3], r[4], s[0], s[1], s[2], s[3]);
	case 10:
		return ((u64 (*)(u64, u64, u64, u64, u64, u64, u64, u64, u64, u64))f)(
			r[0], r[1], r[2], r[3], r[4], s[0], s[1], s[2], s[3], s[4]);
	case 11:
		return ((u64 (*)(u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64))f)(
			r[0], r[1], r[2], r[3], r[4], s[0], s[1], s[2], s[3], s[4], s[5]);
	default:
		return ((u64 (*)(u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64))f)(
			r[0], r[1], r[2], r[3], r[4], s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
	}
}

uint64_t sbpf_host_call(const struct stackbpf_fn_desc *d, const uint64_t *r, const uint64_t *s)
{
	if (d->flags & STACKBPF_FN_PASS_CTX) {
		/* ctx first: the program's arguments shift right by one */
		uint64_t a[1 + SBPF_MAX_REG_ARGS + SBPF_MAX_STACK_ARGS];
		a[0] = (uintptr_t)d->ctx;
		memcpy(a + 1, r, SBPF_MAX_REG_ARGS * sizeof(*a));
		memcpy(a + 1 + SBPF_MAX_REG_ARGS, s, SBPF_MAX_STACK_ARGS * sizeof(*a));
		return call_n(d->fn, d->nargs + 1, a, a + SBPF_MAX_REG_ARGS);
	}
	return call_n(d->fn, d->nargs, r, s);
}

/* ------------------------------------------------------- example functions */

static u64 sum_args0(void) { return 0; }
static u64 sum_args1(u64 a1) { return a1; }
static u64 sum_args2(u64 a1, u64 a2) { return sum_args1(a1) + 2 * a2; }
static u64 sum_args3(u64 a1, u64 a2, u64 a3) { return sum_args2(a1, a2) + 3 * a3; }
static u64 sum_args4(u64 a1, u64 a2, u64 a3, u64 a4) { return sum_args3(a1, a2, a3) + 4 * a4; }
static u64 sum_args5(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	return sum_args4(a1, a2, a3, a4) + 5 * a5;
}
static u64 sum_args6(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6)
{
	return sum_args5(a1, a2, a3, a4, a5) + 6 * a6;
}
static u64 sum_args7(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7)
{
	return sum_args6(a1, a2, a3, a4, a5, a6) + 7 * a7;
}
static u64 sum_args8(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8)
{
	return sum_args7(a1, a2, a3, a4, a5, a6, a7) + 8 * a8;
}
static u64 sum_args9(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8, u64 a9)
{
	return sum_args8(a1, a2, a3, a4, a5, a6, a7, a8) + 9 * a9;
}
static u64 sum_args10(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8, u64 a9, u64 a10)
{
	return sum_args9(a1, a2, a3, a4, a5, a6, a7, a8, a9) + 10 * a10;
}
static u64 sum_args11(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8, u64 a9, u64 a10,
		      u64 a11)
{
	return sum_args10(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) + 11 * a11;
}
static u64 sum_args12(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8, u64 a9, u64 a10,
		      u64 a11, u64 a12)
{
	return sum_args11(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) + 12 * a12;
}

static u64 mem_sum(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 mem, u64 mem_sz)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)mem;
	u64 s = a1 + a2 + a3 + a4 + a5;
	for (uint32_t i = 0; p && i < (uint32_t)mem_sz; i++)
		s += p[i];
	return s;
}

int stackbpf_host__add_examples(struct stackbpf_host *host)
{
	static void *const sums[13] = {
		(void *)sum_args0, (void *)sum_args1, (void *)sum_args2, (void *)sum_args3,
		(void *)sum_args4, (void *)sum_args5, (void *)sum_args6, (void *)sum_args7,
		(void *)sum_args8, (void *)sum_args9, (void *)sum_args10, (void *)sum_args11,
		(void *)sum_args12,
	};
	char name[16];
	for (unsigned n = 0; n <= 12; n++) {
		STACKBPF_OPTS(stackbpf_fn_desc, d, .name = name, .fn = sums[n], .nargs = n,
			      .ret_type = STACKBPF_RET_SCALAR);
		snprintf(name, sizeof(name), "sum_args%u", n);
		int id = stackbpf_host__register(host, &d);
		if (id < 0)
			return id;
	}
	STACKBPF_OPTS(stackbpf_fn_desc, m, .name = "mem_sum", .fn = (void *)mem_sum, .nargs = 7,
		      .arg_types = { STACKBPF_ARG_SCALAR, STACKBPF_ARG_SCALAR, STACKBPF_ARG_SCALAR,
				     STACKBPF_ARG_SCALAR, STACKBPF_ARG_SCALAR, STACKBPF_ARG_PTR_TO_MEM,
				     STACKBPF_ARG_MEM_SIZE },
		      .ret_type = STACKBPF_RET_SCALAR);
	int id = stackbpf_host__register(host, &m);
	return id < 0 ? id : 0;
}

/* ---------------------------------------------------- conformance helpers */

static u64 gather_bytes(u64 a, u64 b, u64 c, u64 d, u64 e)
{
	return (a & 0xff) << 32 | (b & 0xff) << 24 | (c & 0xff) << 16 | (d & 0xff) << 8 | (e & 0xff);
}

static u64 memfrob_helper(u64 ptr, u64 n)
{
	uint8_t *p = (uint8_t *)(uintptr_t)ptr;
	for (u64 i = 0; i < n; i++)
		p[i] ^= 42;
	return 0;
}

static u64 no_op(void) { return 0; }

static u64 sqrti(u64 x)
{
	/* bit-by-bit integer square root: floor(sqrt(x)) for every u64 */
	u64 r = 0, bit = 1ull << 62;
	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

static u64 strcmp_ext(u64 a, u64 b)
{
	return (u64)(int64_t)strcmp((const char *)(uintptr_t)a, (const char *)(uintptr_t)b);
}

static u64 unwind(u64 x) { return x; }

int stackbpf_host__add_conformance_helpers(struct stackbpf_host *host)
{
	static const struct {
		const char *name;
		void *fn;
		unsigned nargs;
		uint8_t types[5];
		uint32_t flags;
	} h[] = {
		{ "gather_bytes", (void *)gather_bytes, 5, { 0 }, 0 },
		{ "memfrob", (void *)memfrob_helper, 2,
		  { STACKBPF_ARG_PTR_TO_MEM_RW, STACKBPF_ARG_MEM_SIZE }, 0 },
		{ "no_op", (void *)no_op, 0, { 0 }, 0 },
		{ "sqrti", (void *)sqrti, 1, { 0 }, 0 },
		{ "strcmp_ext", (void *)strcmp_ext, 2, { STACKBPF_ARG_ANYTHING, STACKBPF_ARG_ANYTHING }, 0 },
		{ "unwind", (void *)unwind, 1, { 0 }, STACKBPF_FN_UNWIND_ON_ZERO },
	};
	for (int32_t id = 0; id < (int32_t)(sizeof(h) / sizeof(h[0])); id++) {
		STACKBPF_OPTS(stackbpf_fn_desc, d, .name = h[id].name, .fn = h[id].fn, .nargs = h[id].nargs,
			      .ret_type = STACKBPF_RET_SCALAR, .flags = h[id].flags);
		memcpy(d.arg_types, h[id].types, sizeof(h[id].types));
		int err = stackbpf_host__register_helper(host, id, &d);
		if (err)
			return err;
	}
	return 0;
}
