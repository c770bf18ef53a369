/* helpers.c - Linux helper functions by helper id (stackbpf_host__add_linux_helpers):
 * the map, ringbuf, time, random, cpu, pid, trace_printk and skb_load_bytes
 * helpers, as plain C functions the interpreter calls natively.
 *
 *   1 map_lookup_elem(map, key)           value pointer or NULL (prog_array, ringbuf: NULL)
 *   2 map_update_elem(map, key, value, flags)   0 or -errno
 *   3 map_delete_elem(map, key)           0 or -errno
 *   5 ktime_get_ns()                      CLOCK_MONOTONIC in ns
 *   6 trace_printk(fmt, fmt_size, a1, a2, a3)  formats %d %i %u %x %c %p %% (with l,
 *                                         ll, h, hh) into one log line at level 2
 *                                         (newlines dropped); returns the formatted
 *                                         length with newlines, -EINVAL on a bad format
 *   7 get_prandom_u32()                   xorshift64*, seeded per host (opts->seed)
 *   8 get_smp_processor_id()              0 (one CPU)
 *  12 tail_call(ctx, prog_array, index)  run by the engines (vm.c, jit): continue in
 *                                         the program the slot names; fall through
 *                                         when the index is out of range, the slot
 *                                         is empty or 33 tail calls were made
 *  14 get_current_pid_tgid()              tgid << 32 | tid of the calling thread
 *  26 skb_load_bytes(skb, off, to, len)   copies from the packet of a __sk_buff built
 *                                         by the test-run context (obj/pktctx.h)
 * 181 loop(nr, callback, ctx, flags)    run by the engines: callback(i, ctx) for i <
 *                                         nr until it returns non-zero; returns the
 *                                         calls made; -E2BIG (nr > 2^23), -EINVAL (flags)
 * 130 ringbuf_output(map, data, size, flags)  0, -EAGAIN (full), -EINVAL (flags)
 * 131 ringbuf_reserve(map, size, flags)   sample pointer or NULL
 * 132 ringbuf_submit(sample, flags), 133 ringbuf_discard(sample, flags)
 *
 * A map argument is the map's host pointer: the vm turns every map reference
 * (ld_imm64 src 1 through the prog's map table) into a plain ld_imm64 of it. Until the verifier checks map and
 * ringbuf-sample arguments, a program that forges them can crash the host;
 * memory/size pairs are checked by the checked engine. */
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "maps/map_int.h"
#include "vm/host.h"

typedef uint64_t u64;

struct linux_state {
	stackbpf_log_fn log;
	void *log_ctx;
	uint64_t rng;
};

#define MAP(x) ((struct stackbpf_map *)(uintptr_t)(x))
#define PTR(x) ((void *)(uintptr_t)(x))
#define RET(e) ((u64)(int64_t)(e))

static u64 map_lookup_elem(u64 map, u64 key)
{
	struct stackbpf_map *m = MAP(map);
	if (m->type == STACKBPF_MAP_PROG_ARRAY || m->type == STACKBPF_MAP_RINGBUF)
		return 0;
	return (uintptr_t)m->ops->lookup(m, PTR(key), 1);
}

static u64 map_update_elem(u64 map, u64 key, u64 value, u64 flags)
{
	return RET(MAP(map)->ops->update(MAP(map), PTR(key), PTR(value), flags));
}

static u64 map_delete_elem(u64 map, u64 key)
{
	return RET(MAP(map)->ops->delete(MAP(map), PTR(key)));
}

static u64 ktime_get_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000u + (u64)ts.tv_nsec;
}

static u64 get_prandom_u32(u64 ctx)
{
	struct linux_state *st = PTR(ctx);
	st->rng ^= st->rng >> 12;
	st->rng ^= st->rng << 25;
	st->rng ^= st->rng >> 27;
	return (uint32_t)((st->rng * 0x2545F4914F6CDD1Dull) >> 32);
}

static u64 get_smp_processor_id(void) { return 0; }

static u64 get_current_pid_tgid(void)
{
	return (u64)(uint32_t)getpid() << 32 | (uint32_t)gettid();
}

static void put(char *out, size_t outsz, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *out, size_t outsz, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(out + *n, outsz - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = *n + (size_t)k >= outsz ? outsz - 1 : *n + (size_t)k;
}

/* trace_printk's format: at most 3 conversions, no %s (Linux reads strings
 * with probe_read; we cannot check such a pointer yet) */
static int format(char *out, size_t outsz, const char *fmt, const u64 *args)
{
	size_t n = 0, newlines = 0;
	int argi = 0;
#define PUT(...) put(out, outsz, &n, __VA_ARGS__)
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			if (*p != '\n')
				PUT("%c", *p);
			else
				newlines++;   /* the log line has none; the length counts them, as Linux */
			continue;
		}
		p++;
		if (*p == '%') {
			PUT("%%");
			continue;
		}
		int longs = 0, shorts = 0;
		while (*p == 'l')
			longs++, p++;
		while (*p == 'h')
			shorts++, p++;
		if (longs > 2 || shorts > 2 || (longs && shorts) || argi == 3)
			return -EINVAL;
		u64 v = args[argi++];
		if (longs == 0)
			v = shorts == 2 ? (uint8_t)v : shorts == 1 ? (uint16_t)v : (uint32_t)v;
		switch (*p) {
		case 'd': case 'i':
			if (longs == 0)
				PUT("%lld", shorts == 2 ? (long long)(int8_t)v : shorts == 1 ? (long long)(int16_t)v
									      : (long long)(int32_t)v);
			else
				PUT("%lld", (long long)(int64_t)v);
			break;
		case 'u': PUT("%llu", (unsigned long long)v); break;
		case 'x': PUT("%llx", (unsigned long long)v); break;
		case 'X': PUT("%llX", (unsigned long long)v); break;
		case 'c': PUT("%c", (char)v); break;
		case 'p': PUT("0x%llx", (unsigned long long)args[argi - 1]); break;
		default: return -EINVAL;
		}
	}
#undef PUT
	return (int)(n + newlines);
}

static u64 trace_printk(u64 ctx, u64 fmt, u64 fmt_size, u64 a1, u64 a2, u64 a3)
{
	struct linux_state *st = PTR(ctx);
	const char *f = PTR(fmt);
	char line[512];
	u64 args[3] = { a1, a2, a3 };
	if (!f || fmt_size == 0 || f[fmt_size - 1] != '\0')
		return RET(-EINVAL);
	int n = format(line, sizeof(line), f, args);
	if (n < 0)
		return RET(n);
	if (st->log)
		st->log(st->log_ctx, 2, line);
	return (u64)n;
}

static u64 skb_load_bytes(u64 skb, u64 off, u64 to, u64 len)
{
	const uint8_t *s = PTR(skb);
	uint32_t pkt_len, data;
	memcpy(&pkt_len, s + offsetof(struct __sk_buff, len), 4);
	memcpy(&data, s + offsetof(struct __sk_buff, data), 4);
	if (off > INT_MAX || len == 0 || len > pkt_len || off > pkt_len - len) {
		memset(PTR(to), 0, (size_t)len);
		return RET(-EFAULT);
	}
	memcpy(PTR(to), (const uint8_t *)(uintptr_t)data + off, (size_t)len);
	return 0;
}

static u64 ringbuf_output(u64 map, u64 d, u64 size, u64 flags)
{
	return RET(sbpf_ringbuf_output(MAP(map), PTR(d), size, flags));
}

static u64 ringbuf_reserve(u64 map, u64 size, u64 flags)
{
	return (uintptr_t)sbpf_ringbuf_reserve(MAP(map), size, flags);
}

static u64 ringbuf_submit(u64 sample, u64 flags)
{
	(void)flags;
	sbpf_ringbuf_commit(PTR(sample), 0);
	return 0;
}

static u64 ringbuf_discard(u64 sample, u64 flags)
{
	(void)flags;
	sbpf_ringbuf_commit(PTR(sample), 1);
	return 0;
}

/* the engines run these two (vm/host.h); reached natively only through callx */
uint64_t sbpf_helper_tail_call(uint64_t ctx, uint64_t map, uint64_t idx)
{
	(void)ctx, (void)map, (void)idx;
	return RET(-EOPNOTSUPP);
}

uint64_t sbpf_helper_loop(uint64_t nr, uint64_t fn, uint64_t ctx, uint64_t flags)
{
	(void)nr, (void)fn, (void)ctx, (void)flags;
	return RET(-EOPNOTSUPP);
}

enum { A = STACKBPF_ARG_ANYTHING, SC = STACKBPF_ARG_SCALAR, MEM = STACKBPF_ARG_PTR_TO_MEM,
       MEMW = STACKBPF_ARG_PTR_TO_MEM_RW, SZ = STACKBPF_ARG_MEM_SIZE, CTX = STACKBPF_ARG_CTX };

static const struct {
	int32_t id;
	const char *name;
	void *fn;
	unsigned nargs;
	uint8_t types[5];
	uint8_t ret;
	int with_state;
} helpers[] = {
	{ 1, "bpf_map_lookup_elem", (void *)map_lookup_elem, 2, { A, A }, STACKBPF_RET_MEM_OR_NULL, 0 },
	{ 2, "bpf_map_update_elem", (void *)map_update_elem, 4, { A, A, A, SC }, STACKBPF_RET_SCALAR, 0 },
	{ 3, "bpf_map_delete_elem", (void *)map_delete_elem, 2, { A, A }, STACKBPF_RET_SCALAR, 0 },
	{ 5, "bpf_ktime_get_ns", (void *)ktime_get_ns, 0, { 0 }, STACKBPF_RET_SCALAR, 0 },
	{ 6, "bpf_trace_printk", (void *)trace_printk, 5, { MEM, SZ, SC, SC, SC }, STACKBPF_RET_SCALAR, 1 },
	{ 7, "bpf_get_prandom_u32", (void *)get_prandom_u32, 0, { 0 }, STACKBPF_RET_SCALAR, 1 },
	{ 8, "bpf_get_smp_processor_id", (void *)get_smp_processor_id, 0, { 0 }, STACKBPF_RET_SCALAR, 0 },
	{ 12, "bpf_tail_call", (void *)sbpf_helper_tail_call, 3, { CTX, A, SC }, STACKBPF_RET_VOID, 0 },
	{ 14, "bpf_get_current_pid_tgid", (void *)get_current_pid_tgid, 0, { 0 }, STACKBPF_RET_SCALAR, 0 },
	{ 26, "bpf_skb_load_bytes", (void *)skb_load_bytes, 4, { CTX, SC, MEMW, SZ }, STACKBPF_RET_SCALAR, 0 },
	{ 181, "bpf_loop", (void *)sbpf_helper_loop, 4, { SC, A, A, SC }, STACKBPF_RET_SCALAR, 0 },
	{ 130, "bpf_ringbuf_output", (void *)ringbuf_output, 4, { A, MEM, SZ, SC }, STACKBPF_RET_SCALAR, 0 },
	{ 131, "bpf_ringbuf_reserve", (void *)ringbuf_reserve, 3, { A, SC, SC }, STACKBPF_RET_MEM_OR_NULL, 0 },
	{ 132, "bpf_ringbuf_submit", (void *)ringbuf_submit, 2, { A, SC }, STACKBPF_RET_VOID, 0 },
	{ 133, "bpf_ringbuf_discard", (void *)ringbuf_discard, 2, { A, SC }, STACKBPF_RET_VOID, 0 },
};

#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, def) (OPTS_HAS(opts, field) ? (opts)->field : (def))

int stackbpf_host__add_linux_helpers(struct stackbpf_host *host, const struct stackbpf_linux_helpers_opts *opts)
{
	struct linux_state *st = calloc(1, sizeof(*st));
	if (!host || !st) {
		free(st);
		return host ? -ENOMEM : -EINVAL;
	}
	st->log = OPTS_GET(opts, log, NULL);
	st->log_ctx = OPTS_GET(opts, log_ctx, NULL);
	st->rng = OPTS_GET(opts, seed, 0) ^ 0x9E3779B97F4A7C15ull;
	if (!st->rng)
		st->rng = 1;
	int owner = 0;   /* the first function registered with the state owns it */
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		STACKBPF_OPTS(stackbpf_fn_desc, d, .name = helpers[i].name, .fn = helpers[i].fn,
			      .nargs = helpers[i].nargs, .ret_type = helpers[i].ret);
		memcpy(d.arg_types, helpers[i].types, sizeof(helpers[i].types));
		if (helpers[i].with_state) {
			d.ctx = st;
			d.flags = STACKBPF_FN_PASS_CTX | (owner ? 0 : STACKBPF_FN_OWN_CTX);
		}
		int err = stackbpf_host__register_helper(host, helpers[i].id, &d);
		if (err) {
			if (!owner)
				free(st);
			return err;
		}
		if (helpers[i].with_state)
			owner = 1;
	}
	return 0;
}
