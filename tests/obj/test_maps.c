/* test_maps.c - map semantics with Linux's errnos (array, percpu_array, hash,
 * lru_hash, prog_array, ringbuf) and the Linux helpers, called the way the
 * interpreter calls them (sbpf_host_call on the registered description). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps/map_int.h"
#include "testlib.h"
#include "vm/host.h"

static struct stackbpf_host *host;
static char last_log[600];
static int log_calls;

static void capture(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
	log_calls++;
}

/* call Linux helper `id` with up to 5 arguments, as a program would */
static uint64_t helper(int32_t id, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	const struct stackbpf_fn_desc *d = stackbpf_host__helper(host, id);
	uint64_t r[5] = { a1, a2, a3, a4, a5 }, s[7] = { 0 };
	if (!d) {
		fprintf(stderr, "helper %d not registered\n", id);
		abort();
	}
	return sbpf_host_call(d, r, s);
}
#define P(x) ((uint64_t)(uintptr_t)(x))

static struct stackbpf_map *mk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max)
{
	struct stackbpf_map *m = stackbpf_map__new(type, ks, vs, max, NULL);
	if (!m) {
		fprintf(stderr, "map type %u: %s\n", type, strerror(errno));
		abort();
	}
	return m;
}

static void test_create_errors(void)
{
	const char *why = NULL;
	STACKBPF_OPTS(stackbpf_map_opts, o, .errmsg = &why);
	errno = 0;
	T_OK(!stackbpf_map__new(STACKBPF_MAP_ARRAY, 8, 4, 1, &o) && errno == EINVAL, "array key_size 8");
	T_EQ_STR(why, "key_size must be 4", "array key_size reason");
	T_OK(!stackbpf_map__new(STACKBPF_MAP_ARRAY, 4, 4, 0, &o) && errno == EINVAL, "max_entries 0");
	T_EQ_STR(why, "max_entries is 0", "max_entries reason");
	T_OK(!stackbpf_map__new(99, 4, 4, 1, &o) && errno == EINVAL, "unknown type");
	T_EQ_STR(why, "unsupported map type", "type reason");
	T_OK(!stackbpf_map__new(STACKBPF_MAP_HASH, 0, 4, 1, &o) && errno == EINVAL, "hash key 0");
	T_EQ_STR(why, "key_size is 0", "hash key reason");
	T_OK(!stackbpf_map__new(STACKBPF_MAP_HASH, 513, 4, 1, &o) && errno == E2BIG, "hash key 513");
	o.mem_limit = 1024;
	T_OK(!stackbpf_map__new(STACKBPF_MAP_ARRAY, 4, 8, 129, &o) && errno == E2BIG, "over mem_limit");
	T_EQ_STR(why, "map needs more memory than the limit", "limit reason");
	struct stackbpf_map *m = stackbpf_map__new(STACKBPF_MAP_ARRAY, 4, 8, 128, &o);
	T_OK(m != NULL, "exactly mem_limit");
	stackbpf_map__free(m);
	o.mem_limit = 0;
	T_OK(!stackbpf_map__new(STACKBPF_MAP_RINGBUF, 0, 0, 4097, &o) && errno == EINVAL, "ringbuf 4097");
	T_EQ_STR(why, "ringbuf max_entries must be a power of 2 and a multiple of 4096", "ringbuf reason");
	T_OK(!stackbpf_map__new(STACKBPF_MAP_RINGBUF, 0, 0, 2048, &o) && errno == EINVAL, "ringbuf 2048");
	T_OK(!stackbpf_map__new(STACKBPF_MAP_RINGBUF, 4, 0, 4096, &o) && errno == EINVAL, "ringbuf key 4");
	T_OK(!stackbpf_map__new(STACKBPF_MAP_PROG_ARRAY, 4, 8, 4, &o) && errno == EINVAL, "prog_array value 8");
}

static void test_array(void)
{
	struct stackbpf_map *m = mk(STACKBPF_MAP_ARRAY, 4, 12, 3);
	uint32_t k = 1, next;
	uint8_t v[12], w[12];
	size_t len;
	stackbpf_map__storage(m, &len);
	T_EQ_U64(len, 48, "array storage: stride round_up(12, 8) * 3");
	memset(v, 0xab, sizeof(v));
	T_EQ_U64(stackbpf_map__lookup(m, &k, w), 0, "lookup 1");
	T_OK(w[0] == 0 && w[11] == 0, "starts zeroed");
	T_EQ_U64(stackbpf_map__update(m, &k, v, STACKBPF_NOEXIST), -EEXIST, "NOEXIST on an array");
	T_EQ_U64(stackbpf_map__update(m, &k, v, 3), -EINVAL, "flags 3");
	T_EQ_U64(stackbpf_map__update(m, &k, v, STACKBPF_EXIST), 0, "EXIST");
	T_EQ_U64(stackbpf_map__lookup(m, &k, w), 0, "lookup after update");
	T_OK(memcmp(v, w, 12) == 0, "value round trip");
	k = 3;
	T_EQ_U64(stackbpf_map__update(m, &k, v, STACKBPF_ANY), -E2BIG, "index 3 of 3");
	T_EQ_U64(stackbpf_map__lookup(m, &k, w), -ENOENT, "lookup index 3");
	T_EQ_U64(stackbpf_map__delete(m, &k), -EINVAL, "array delete");
	T_EQ_U64(stackbpf_map__get_next_key(m, NULL, &next), 0, "first key");
	T_EQ_U64(next, 0, "first key is 0");
	k = 1;
	T_EQ_U64(stackbpf_map__get_next_key(m, &k, &next), 0, "next of 1");
	T_EQ_U64(next, 2, "next of 1 is 2");
	k = 2;
	T_EQ_U64(stackbpf_map__get_next_key(m, &k, &next), -ENOENT, "next of last");
	k = 77;
	T_EQ_U64(stackbpf_map__get_next_key(m, &k, &next), 0, "next of out of range");
	T_EQ_U64(next, 0, "out of range restarts at 0");
	/* program side: the pointer is inside the storage */
	k = 2;
	uint8_t *p = (uint8_t *)(uintptr_t)helper(1, P(m), P(&k), 0, 0, 0);
	T_OK(p == (uint8_t *)stackbpf_map__storage(m, NULL) + 32, "bpf_map_lookup_elem pointer");
	k = 5;
	T_EQ_U64(helper(1, P(m), P(&k), 0, 0, 0), 0, "bpf_map_lookup_elem out of range: NULL");
	T_EQ_U64(helper(2, P(m), P(&k), P(v), 0, 0), (uint64_t)-E2BIG, "bpf_map_update_elem -E2BIG");
	T_EQ_U64(helper(3, P(m), P(&k), 0, 0, 0), (uint64_t)-EINVAL, "bpf_map_delete_elem on array");
	stackbpf_map__free(m);

	m = mk(STACKBPF_MAP_PERCPU_ARRAY, 4, 4, 2);
	uint32_t val = 0x11223344, out = 0;
	k = 1;
	T_EQ_U64(stackbpf_map__update(m, &k, &val, STACKBPF_ANY), 0, "percpu update");
	T_EQ_U64(stackbpf_map__lookup(m, &k, &out), 0, "percpu lookup");
	T_EQ_U64(out, 0x11223344, "percpu value (one CPU)");
	T_EQ_STR(stackbpf_map_type__name(stackbpf_map__type(m)), "percpu_array", "type name");
	stackbpf_map__free(m);
}

static void test_prog_array(void)
{
	struct stackbpf_map *m = mk(STACKBPF_MAP_PROG_ARRAY, 4, 4, 2);
	uint32_t k = 0, v = 7, out = 0;
	T_EQ_U64(stackbpf_map__update(m, &k, &v, STACKBPF_NOEXIST), -EINVAL, "prog_array NOEXIST");
	T_EQ_U64(stackbpf_map__update(m, &k, &v, STACKBPF_ANY), 0, "prog_array ANY");
	T_EQ_U64(stackbpf_map__lookup(m, &k, &out), 0, "prog_array lookup");
	T_EQ_U64(out, 7, "prog_array value");
	k = 1;
	T_EQ_U64(stackbpf_map__lookup(m, &k, &out), -ENOENT, "empty slot");
	T_EQ_U64(stackbpf_map__delete(m, &k), -ENOENT, "delete empty slot");
	k = 5;
	T_EQ_U64(stackbpf_map__delete(m, &k), -E2BIG, "delete out of range");
	T_EQ_U64(stackbpf_map__update(m, &k, &v, STACKBPF_ANY), -E2BIG, "update out of range");
	k = 0;
	T_EQ_U64(helper(1, P(m), P(&k), 0, 0, 0), 0, "programs cannot look into a prog_array");
	T_EQ_U64(stackbpf_map__delete(m, &k), 0, "delete slot 0");
	T_EQ_U64(stackbpf_map__lookup(m, &k, &out), -ENOENT, "slot 0 empty again");
	stackbpf_map__free(m);
}

static void test_hash(void)
{
	struct stackbpf_map *m = mk(STACKBPF_MAP_HASH, 4, 8, 2);
	uint32_t k1 = 1, k2 = 2, k3 = 3, next;
	uint64_t v = 10, out;
	T_EQ_U64(stackbpf_map__update(m, &k1, &v, STACKBPF_NOEXIST), 0, "insert 1");
	T_EQ_U64(stackbpf_map__update(m, &k1, &v, STACKBPF_NOEXIST), -EEXIST, "NOEXIST on present");
	T_EQ_U64(stackbpf_map__update(m, &k2, &v, STACKBPF_EXIST), -ENOENT, "EXIST on missing");
	T_EQ_U64(stackbpf_map__update(m, &k2, &v, 4), -EINVAL, "flags 4 (BPF_F_LOCK without a lock)");
	v = 20;
	T_EQ_U64(stackbpf_map__update(m, &k2, &v, STACKBPF_ANY), 0, "insert 2");
	T_EQ_U64(stackbpf_map__update(m, &k3, &v, STACKBPF_ANY), -E2BIG, "full");
	v = 11;
	T_EQ_U64(stackbpf_map__update(m, &k1, &v, STACKBPF_ANY), 0, "replace while full");
	T_EQ_U64(stackbpf_map__lookup(m, &k1, &out), 0, "lookup 1");
	T_EQ_U64(out, 11, "replaced value");
	T_EQ_U64(stackbpf_map__delete(m, &k3), -ENOENT, "delete missing");
	T_EQ_U64(stackbpf_map__lookup(m, &k3, &out), -ENOENT, "lookup missing");
	/* iteration sees both keys, once each */
	uint32_t seen = 0, cur;
	int n = 0;
	for (int e = stackbpf_map__get_next_key(m, NULL, &cur); e == 0;
	     e = stackbpf_map__get_next_key(m, &cur, &cur), n++)
		seen |= 1u << cur;
	T_EQ_U64(n, 2, "two keys iterated");
	T_EQ_U64(seen, 0x6, "keys 1 and 2");
	T_EQ_U64(stackbpf_map__get_next_key(m, &k3, &next), 0, "next of a missing key");
	T_OK(next == 1 || next == 2, "restarts at the first key (got %u)", next);
	T_EQ_U64(stackbpf_map__delete(m, &k2), 0, "delete 2");
	v = 30;
	T_EQ_U64(stackbpf_map__update(m, &k3, &v, STACKBPF_NOEXIST), 0, "room again");
	uint64_t *pv = (uint64_t *)(uintptr_t)helper(1, P(m), P(&k3), 0, 0, 0);
	size_t len;
	uint8_t *st = stackbpf_map__storage(m, &len);
	T_OK(pv && (uint8_t *)pv >= st && (uint8_t *)(pv + 1) <= st + len && *pv == 30, "value pointer in storage");
	T_EQ_U64(helper(2, P(m), P(&k2), P(&v), STACKBPF_EXIST, 0), (uint64_t)-ENOENT, "helper EXIST on missing");
	T_EQ_U64(helper(3, P(m), P(&k2), 0, 0, 0), (uint64_t)-ENOENT, "helper delete missing");
	T_EQ_U64(helper(3, P(m), P(&k3), 0, 0, 0), 0, "helper delete");
	stackbpf_map__free(m);
}

static void test_lru(void)
{
	struct stackbpf_map *m = mk(STACKBPF_MAP_LRU_HASH, 4, 8, 3);
	uint64_t v = 0, out;
	for (uint32_t k = 1; k <= 3; k++) {
		v = k * 100;
		T_EQ_U64(stackbpf_map__update(m, &k, &v, STACKBPF_ANY), 0, "lru insert");
	}
	uint32_t k = 1;
	T_OK(helper(1, P(m), P(&k), 0, 0, 0) != 0, "program look-up of 1 (now most recent)");
	k = 4;
	T_EQ_U64(stackbpf_map__update(m, &k, &v, STACKBPF_NOEXIST), 0, "insert 4 into a full lru: no E2BIG");
	k = 2;
	T_EQ_U64(stackbpf_map__lookup(m, &k, &out), -ENOENT, "2 (least recent) evicted");
	k = 3;
	T_EQ_U64(stackbpf_map__lookup(m, &k, &out), 0, "3 kept (host look-up does not bump)");
	k = 5;
	T_EQ_U64(stackbpf_map__update(m, &k, &v, STACKBPF_ANY), 0, "insert 5");
	k = 3;
	T_EQ_U64(stackbpf_map__lookup(m, &k, &out), -ENOENT, "3 evicted next");
	k = 1;
	T_EQ_U64(stackbpf_map__lookup(m, &k, &out), 0, "1 kept");
	T_EQ_U64(out, 100, "1's value");
	k = 9;
	T_EQ_U64(stackbpf_map__update(m, &k, &v, STACKBPF_EXIST), -ENOENT, "lru EXIST on missing");
	stackbpf_map__free(m);
}

struct got {
	int n;
	uint8_t buf[8192];
	size_t len;
	size_t sizes[8];
};

static int collect(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;
	if (g->n < 8)
		g->sizes[g->n] = size;
	memcpy(g->buf + g->len, data, size);
	g->len += size;
	return ++g->n == 100 ? -42 : 0;
}

static void test_ringbuf(void)
{
	struct stackbpf_map *m = mk(STACKBPF_MAP_RINGBUF, 0, 0, 4096);
	uint32_t k = 0;
	uint8_t v[8];
	T_EQ_U64(stackbpf_map__lookup(m, &k, v), -ENOTSUPP, "ringbuf host lookup");
	T_EQ_U64(stackbpf_map__update(m, &k, v, 0), -ENOTSUPP, "ringbuf host update");
	T_EQ_U64(helper(131, P(m), 16, 1, 0, 0), 0, "reserve with flags: NULL");
	uint8_t *a = (uint8_t *)(uintptr_t)helper(131, P(m), 5, 0, 0, 0);
	uint8_t *b = (uint8_t *)(uintptr_t)helper(131, P(m), 3, 0, 0, 0);
	T_OK(a && b && b - a == 16, "records are 8-byte header + size rounded up to 8");
	memcpy(a, "hello", 5);
	memcpy(b, "xyz", 3);
	struct got g = { 0 };
	helper(132, P(b), 0, 0, 0, 0);   /* b committed, a still busy */
	T_EQ_U64(stackbpf_ringbuf__consume(m, collect, &g), 0, "a busy record stops the consumer");
	helper(133, P(a), 0, 0, 0, 0);   /* discard a */
	T_EQ_U64(stackbpf_ringbuf__consume(m, collect, &g), 1, "discarded record skipped");
	T_OK(g.len == 3 && memcmp(g.buf, "xyz", 3) == 0, "record bytes");
	T_EQ_U64(helper(130, P(m), P("abc"), 3, 4, 0), (uint64_t)-EINVAL, "output flags 4");
	T_EQ_U64(helper(130, P(m), P("abcdef"), 6, 1, 0), 0, "output NO_WAKEUP");
	size_t recs = 0, bytes = 0;
	T_EQ_U64(stackbpf_ringbuf__peek(m, &recs, &bytes), 0, "peek");
	T_OK(recs == 1 && bytes == 6, "one record of 6 bytes ready");
	memset(&g, 0, sizeof(g));
	T_EQ_U64(stackbpf_ringbuf__consume(m, collect, &g), 1, "consume output");
	T_OK(g.len == 6 && memcmp(g.buf, "abcdef", 6) == 0, "output bytes");
	/* capacity: at most size - 1 bytes in use, records rounded to 8 */
	uint8_t *big = (uint8_t *)(uintptr_t)helper(131, P(m), 4088, 0, 0, 0);
	T_OK(big == NULL, "4088 + 8 = 4096 bytes do not fit a 4096-byte ring");
	big = (uint8_t *)(uintptr_t)helper(131, P(m), 4080, 0, 0, 0);
	T_OK(big != NULL, "4080 + 8 bytes fit");
	T_EQ_U64(helper(130, P(m), P("a"), 1, 0, 0), (uint64_t)-EAGAIN, "output into a full ring");
	helper(132, P(big), 0, 0, 0, 0);
	memset(&g, 0, sizeof(g));
	T_EQ_U64(stackbpf_ringbuf__consume(m, collect, &g), 1, "consume the big one");
	T_EQ_U64(g.sizes[0], 4080, "its size");
	/* wrap around the end several times; the bytes stay intact */
	int ok = 1;
	for (int round = 0; round < 9; round++) {
		uint8_t pat[1500];
		memset(pat, 'a' + round, sizeof(pat));
		if (helper(130, P(m), P(pat), sizeof(pat), 0, 0) != 0)
			ok = 0;
		memset(&g, 0, sizeof(g));
		if (stackbpf_ringbuf__consume(m, collect, &g) != 1 || g.len != 1500 || memcmp(g.buf, pat, 1500))
			ok = 0;
	}
	T_OK(ok, "records crossing the end read back intact");
	/* a callback error stops and is returned */
	for (int i = 0; i < 3; i++)
		helper(130, P(m), P("q"), 1, 0, 0);
	memset(&g, 0, sizeof(g));
	g.n = 98;
	T_EQ_U64(stackbpf_ringbuf__consume(m, collect, &g), -42, "callback error returned");
	T_EQ_U64(stackbpf_ringbuf__consume(m, collect, &g), 1, "the rest is still there");
	FILE *f = tmpfile();
	helper(130, P(m), P("q"), 1, 0, 0);
	stackbpf_map__dump(m, f);
	rewind(f);
	char text[256] = "";
	T_OK(fread(text, 1, sizeof(text) - 1, f) > 0, "dump");
	T_EQ_STR(text, "map : ringbuf, key 0, value 0, max_entries 4096\n  1 record(s) ready, 1 byte(s)\n", "ringbuf dump");
	fclose(f);
	stackbpf_map__free(m);
}

static void test_helpers(void)
{
	uint64_t t1 = helper(5, 0, 0, 0, 0, 0), t2 = helper(5, 0, 0, 0, 0, 0);
	T_OK(t1 > 0 && t2 >= t1, "ktime_get_ns is monotonic");
	T_EQ_U64(helper(8, 0, 0, 0, 0, 0), 0, "one CPU");
	uint64_t pt = helper(14, 0, 0, 0, 0, 0);
	T_EQ_U64(pt >> 32, (uint64_t)getpid(), "tgid");
	T_EQ_U64((uint32_t)pt, (uint64_t)gettid(), "pid (thread id)");
	/* prandom: a sequence fixed by the seed */
	struct stackbpf_host *h2 = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, o2, .seed = 42);
	T_EQ_U64(stackbpf_host__add_linux_helpers(h2, &o2), 0, "second host");
	struct stackbpf_host *save = host;
	uint64_t a[3], b[3];
	for (int i = 0; i < 3; i++)
		a[i] = helper(7, 0, 0, 0, 0, 0);
	host = h2;
	for (int i = 0; i < 3; i++)
		b[i] = helper(7, 0, 0, 0, 0, 0);
	host = save;
	T_OK(a[0] == b[0] && a[1] == b[1] && a[2] == b[2], "same seed, same sequence");
	T_OK(a[0] != a[1] && a[0] <= UINT32_MAX && a[1] <= UINT32_MAX, "u32 values that change");
	stackbpf_host__free(h2);
	/* trace_printk */
	static const char f1[] = "x=%d y=%u z=%x c=%c\n";
	T_EQ_U64(helper(6, P(f1), sizeof(f1), (uint64_t)-5, 7, 255), (uint64_t)-EINVAL, "four conversions");
	static const char f2[] = "x=%d y=%lu z=%llx\n";
	log_calls = 0;
	T_EQ_U64(helper(6, P(f2), sizeof(f2), (uint32_t)-5, 7, 0x1ffffffffull), 21, "trace_printk length (with the newline)");
	T_EQ_STR(last_log, "x=-5 y=7 z=1ffffffff", "trace_printk line");
	T_EQ_U64(log_calls, 1, "one log line");
	static const char f3[] = "%s";
	T_EQ_U64(helper(6, P(f3), sizeof(f3), 0, 0, 0), (uint64_t)-EINVAL, "%s refused");
	T_EQ_U64(helper(6, P(f2), sizeof(f2) - 1, 0, 0, 0), (uint64_t)-EINVAL, "format not NUL-terminated");
	static const char f4[] = "%hhd %hd 100%%";
	T_EQ_U64(helper(6, P(f4), sizeof(f4), 0x1ff, 0x18000, 0), 14, "h/hh");
	T_EQ_STR(last_log, "-1 -32768 100%", "h/hh line");
}

int main(void)
{
	host = stackbpf_host__new();
	STACKBPF_OPTS(stackbpf_linux_helpers_opts, ho, .log = capture, .seed = 42);
	if (!host || stackbpf_host__add_linux_helpers(host, &ho))
		return 1;
	T_EQ_U64(stackbpf_host__add_linux_helpers(host, &ho), -EEXIST, "registering twice");
	test_create_errors();
	test_array();
	test_prog_array();
	test_hash();
	test_lru();
	test_ringbuf();
	test_helpers();
	stackbpf_host__free(host);
	return t_done();
}
