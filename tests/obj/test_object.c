/* test_object.c - clang-built fixtures (tests/obj/progs/NAME.bpf.c) loaded and
 * run: programs by section, linked static subprograms with their BTF
 * prototypes and line info, BTF-defined maps, global data, __ksym externs
 * bound to host functions, ringbuf records; every program validated and run
 * in the checked interpreter with the maps (and packet) as its only extra
 * memory. Each fixture is checked as built by clang 14 and, when present,
 * by clang-22 -mcpu=v4. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj/pktctx.h"
#include "testlib.h"

static struct stackbpf_host *host;
static const char *dir;            /* fixture directory being checked */
static char errbuf[1024];

static void capture(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(errbuf, sizeof(errbuf), "%s", msg);
}

static struct stackbpf_object *open_fixture(const char *name, const struct stackbpf_host *h)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	STACKBPF_OPTS(stackbpf_object_opts, o, .host = h, .log = capture, .name = name);
	errbuf[0] = '\0';
	struct stackbpf_object *obj = stackbpf_object__open(path, &o);
	T_OK(obj != NULL, "%s: open: %s", path, errbuf);
	return obj;
}

/* validate + run in the checked engine; packet programs get their context */
static int run(struct stackbpf_object *obj, const char *prog, const void *mem, size_t len, uint64_t *r0)
{
	struct stackbpf_program *p = stackbpf_object__find_prog(obj, prog);
	if (!p)
		return -ENOENT;
	const char *msg;
	STACKBPF_OPTS(stackbpf_validate_opts, vo, .host = host);
	int err = stackbpf_prog__validate(stackbpf_program__prog(p), &vo, &msg);
	if (err) {
		fprintf(stderr, "%s: %s\n", prog, msg);
		return err;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, xo, .host = host, .checked = true);
	struct stackbpf_vm *vm = stackbpf_vm__new(stackbpf_program__prog(p), &xo);
	struct sbpf_pktctx pkt = { 0 };
	void *rm = (void *)mem;
	size_t rl = len;
	if (!vm || stackbpf_object__add_regions(obj, vm))
		return -ENOMEM;
	if (sbpf_pktctx_wanted(stackbpf_program__type(p))) {
		if ((err = sbpf_pktctx_check(stackbpf_program__type(p), mem, len)) ||
		    (err = sbpf_pktctx_new(&pkt, stackbpf_program__type(p), mem, len))) {
			stackbpf_vm__free(vm);
			return err;
		}
		if (len && stackbpf_vm__add_region(vm, pkt.data, pkt.data_len))
			return -ENOMEM;
		rm = pkt.ctx;
		rl = pkt.ctx_len;
	}
	err = stackbpf_vm__run(vm, rm, rl, r0);
	if (err)
		fprintf(stderr, "%s: %s\n", prog, stackbpf_vm__errmsg(vm));
	sbpf_pktctx_free(&pkt);
	stackbpf_vm__free(vm);
	return err;
}

static uint64_t lookup_u64(struct stackbpf_object *obj, const char *map, uint32_t key)
{
	uint64_t v = 0xdead;
	if (stackbpf_map__lookup(stackbpf_object__find_map(obj, map), &key, &v))
		return 0xdead;
	return v;
}

static void test_xdp_count(void)
{
	struct stackbpf_object *obj = open_fixture("xdp_count.bpf.o", host);
	if (!obj)
		return;
	T_EQ_U64(stackbpf_object__prog_cnt(obj), 1, "one program");
	struct stackbpf_program *p = stackbpf_object__prog(obj, 0);
	T_EQ_STR(stackbpf_program__name(p), "xdp_count", "name");
	T_EQ_STR(stackbpf_program__section(p), "xdp", "section");
	T_EQ_U64(stackbpf_program__type(p), STACKBPF_PROG_XDP, "type");
	T_EQ_STR(stackbpf_object__license(obj), "GPL", "license");
	T_EQ_U64(stackbpf_object__map_cnt(obj), 1, "one map");
	struct stackbpf_map *m = stackbpf_object__find_map(obj, "counts");
	T_OK(m && stackbpf_map__type(m) == STACKBPF_MAP_HASH && stackbpf_map__key_size(m) == 4 &&
	     stackbpf_map__value_size(m) == 8 && stackbpf_map__max_entries(m) == 16, "counts: hash 4/8/16");
	uint8_t pkt[64] = { 0 };
	uint64_t r0 = 0;
	pkt[23] = 6;
	T_EQ_U64(run(obj, "xdp_count", pkt, sizeof(pkt), &r0), 0, "run 1");
	T_EQ_U64(r0, 2, "XDP_PASS");
	T_EQ_U64(run(obj, "xdp_count", pkt, sizeof(pkt), &r0), 0, "run 2");
	pkt[23] = 17;
	T_EQ_U64(run(obj, "xdp_count", pkt, sizeof(pkt), &r0), 0, "run 3");
	T_EQ_U64(run(obj, "xdp_count", pkt, 23, &r0), 0, "short packet");
	T_EQ_U64(r0, 1, "XDP_DROP");
	T_EQ_U64(lookup_u64(obj, "counts", 6), 2, "two TCP packets");
	T_EQ_U64(lookup_u64(obj, "counts", 17), 1, "one UDP packet");
	uint32_t k, n = 0;
	for (int e = stackbpf_map__get_next_key(m, NULL, &k); e == 0; e = stackbpf_map__get_next_key(m, &k, &k))
		n++;
	T_EQ_U64(n, 2, "two keys");
	stackbpf_object__close(obj);
}

static void test_socket_filter(void)
{
	struct stackbpf_object *obj = open_fixture("socket_filter.bpf.o", host);
	if (!obj)
		return;
	struct stackbpf_program *p = stackbpf_object__find_prog(obj, "tcp_only");
	T_OK(p && stackbpf_program__type(p) == STACKBPF_PROG_SOCKET_FILTER, "socket filter type");
	uint8_t pkt[60] = { 0 };
	uint64_t r0 = 1;
	pkt[12] = 0x08, pkt[13] = 0x00, pkt[23] = 6;
	T_EQ_U64(run(obj, "tcp_only", pkt, sizeof(pkt), &r0), 0, "tcp");
	T_EQ_U64(r0, 46, "TCP kept whole (skb->len: the frame without its Ethernet header)");
	pkt[23] = 17;
	T_EQ_U64(run(obj, "tcp_only", pkt, sizeof(pkt), &r0), 0, "udp");
	T_EQ_U64(r0, 0, "UDP dropped");
	pkt[12] = 0x86, pkt[13] = 0xdd;
	T_EQ_U64(run(obj, "tcp_only", pkt, sizeof(pkt), &r0), 0, "ipv6");
	T_EQ_U64(r0, 0, "IPv6 dropped");
	pkt[12] = 0x08, pkt[13] = 0x00, pkt[23] = 6;
	/* as Linux's test run: an IPv4 frame must hold the whole IP header */
	T_EQ_U64(run(obj, "tcp_only", pkt, 33, &r0), (uint64_t)-EINVAL, "33-byte IPv4 frame refused");
	T_EQ_U64(run(obj, "tcp_only", pkt, 13, &r0), (uint64_t)-EINVAL, "13 bytes: no Ethernet header");
	r0 = 0;
	T_EQ_U64(run(obj, "tcp_only", pkt, 34, &r0), 0, "34-byte IPv4 frame");
	T_EQ_U64(r0, 20, "TCP: skb->len 20");
	T_EQ_U64(lookup_u64(obj, "seen", 1), 2, "two TCP seen");
	T_EQ_U64(lookup_u64(obj, "seen", 0), 1, "one other IPv4 seen");
	stackbpf_object__close(obj);
}

static void test_globals(void)
{
	struct stackbpf_object *obj = open_fixture("globals.bpf.o", host);
	if (!obj)
		return;
	T_EQ_U64(stackbpf_object__map_cnt(obj), 3, "three data maps");
	struct stackbpf_map *ro = stackbpf_object__find_map(obj, ".rodata");
	struct stackbpf_map *da = stackbpf_object__find_map(obj, ".data");
	struct stackbpf_map *bss = stackbpf_object__find_map(obj, ".bss");
	T_OK(ro && da && bss, "maps named after their sections");
	if (!ro || !da || !bss)
		return;
	T_EQ_U64(stackbpf_map__value_size(ro), 24, ".rodata: factor + table");
	T_EQ_U64(stackbpf_map__flags(ro), STACKBPF_F_RDONLY_PROG, ".rodata read-only for programs");
	T_EQ_U64(stackbpf_map__max_entries(da), 1, "one element");
	uint32_t zero = 0;
	uint64_t *counter = stackbpf_map__elem(da, &zero);
	uint8_t *b = stackbpf_map__elem(bss, &zero);
	T_EQ_U64(*counter, 100, "initial .data");
	uint32_t in = 6;
	uint64_t r0 = 0;
	T_EQ_U64(run(obj, "globals", &in, 4, &r0), 0, "run 1");
	T_EQ_U64(r0, 30, "table[6 & 3] from .rodata");
	T_EQ_U64(*counter, 103, "counter += factor");
	uint32_t last;
	uint64_t hits;
	memcpy(&last, b, 4);
	memcpy(&hits, b + 8, 8);
	T_OK(last == 6 && hits == 1, ".bss: last_in 6, hits 1 (got %u, %llu)", last, (unsigned long long)hits);
	in = 3;
	*(uint64_t *)stackbpf_map__elem(ro, &zero) = 10;   /* the host may still change .rodata */
	T_EQ_U64(run(obj, "globals", &in, 4, &r0), 0, "run 2");
	T_EQ_U64(r0, 40, "table[3]");
	T_EQ_U64(*counter, 113, "factor changed by the host");
	memcpy(&hits, b + 8, 8);
	T_EQ_U64(hits, 2, "hits 2");
	stackbpf_object__close(obj);
}

static void check_func(const struct stackbpf_func *f, const char *name, uint32_t off, int nparams,
		       const char *const *params, bool global)
{
	T_OK(f != NULL, "func %s exists", name);
	if (!f)
		return;
	T_EQ_STR(f->name, name, "func name");
	T_EQ_U64(f->insn_off, off, name);
	T_EQ_U64(f->nparams, nparams, name);
	T_OK(f->btf_id > 0, "%s has a BTF FUNC", name);
	T_OK(f->global == global, "%s linkage", name);
	for (int i = 0; i < nparams; i++)
		T_EQ_STR(f->param_names[i], params[i], name);
}

static void test_subprog5(void)
{
	struct stackbpf_object *obj = open_fixture("subprog5.bpf.o", host);
	if (!obj)
		return;
	T_EQ_U64(stackbpf_object__prog_cnt(obj), 2, "two programs");
	T_OK(stackbpf_object__btf(obj) != NULL, "BTF kept");
	struct stackbpf_program *p = stackbpf_object__find_prog(obj, "sum5");
	struct stackbpf_program *q = stackbpf_object__find_prog(obj, "only_mix");
	T_OK(p && q, "both found");
	if (!p || !q)
		return;
	T_EQ_U64(stackbpf_program__type(p), STACKBPF_PROG_RAW_TRACEPOINT, "raw_tp/sum5");
	T_EQ_U64(stackbpf_program__type(q), STACKBPF_PROG_KPROBE, "kprobe/do_nothing");
	static const char *const ctx[] = { "ctx" }, *const abcde[] = { "a", "b", "c", "d", "e" };
	T_EQ_U64(stackbpf_program__func_cnt(p), 3, "sum5 + weigh5 + mix2");
	check_func(stackbpf_program__func(p, 0), "sum5", 0, 1, ctx, true);
	check_func(stackbpf_program__func(p, 1), "weigh5", 7, 5, abcde, false);
	check_func(stackbpf_program__func(p, 2), "mix2", 18, 2, abcde, false);
	T_EQ_U64(stackbpf_prog__insn_cnt(stackbpf_program__prog(p)), 22, "7 + 11 + 4 instructions");
	const struct stackbpf_insn *in = stackbpf_prog__insns(stackbpf_program__prog(p));
	T_OK(in[5].code == 0x85 && in[5].src == 1 && in[5].imm == 1, "sum5 calls weigh5 at 7");
	T_OK(in[16].code == 0x85 && in[16].src == 1 && in[16].imm == 1, "weigh5 calls mix2 at 18");
	T_EQ_U64(stackbpf_program__func_cnt(q), 2, "only_mix + mix2");
	check_func(stackbpf_program__func(q, 1), "mix2", 4, 2, abcde, false);
	uint64_t args[5] = { 1, 2, 3, 4, 5 }, r0 = 0;
	T_EQ_U64(run(obj, "sum5", args, sizeof(args), &r0), 0, "run sum5");
	T_EQ_U64(r0, 1441, "mix2(1+4+9, 16+25)");
	T_EQ_U64(run(obj, "only_mix", args, sizeof(args), &r0), 0, "run only_mix");
	T_EQ_U64(r0, 102, "mix2(1, 2)");
	/* line info follows the functions */
	const struct stackbpf_line *l = stackbpf_program__line_of(p, 0);
	T_OK(l && strstr(l->file, "subprog5.bpf.c") && l->line == 21, "sum5 insn 0: line %u", l ? l->line : 0);
	T_OK(l && strstr(l->src, "weigh5(p[0], p[1], p[2], p[3], p[4])"), "sum5 insn 0 source: '%s'", l ? l->src : "");
	l = stackbpf_program__line_of(p, 18);
	T_OK(l && l->line == 7 && strstr(l->src, "__u64 mix2(__u64 a, __u64 b)"), "mix2 at 18: line %u '%s'", l ? l->line : 0,
	     l ? l->src : "");
	l = stackbpf_program__line_of(q, 4);
	T_OK(l && l->line == 7, "mix2 in only_mix at 4: line %u", l ? l->line : 0);
	size_t nl = stackbpf_program__line_cnt(p);
	int sorted = nl > 3;
	for (size_t i = 1; i < nl; i++)
		sorted &= stackbpf_program__line(p, i - 1)->insn_off <= stackbpf_program__line(p, i)->insn_off;
	T_OK(sorted, "line records sorted by instruction (%zu records)", nl);
	stackbpf_object__close(obj);
}

/* a prog_array's .values initialiser: slot k holds the index of the
 * program it names (stackbpf_vm_opts.progs is the object's programs) */
static void test_prog_array_values(void)
{
	struct stackbpf_object *obj = open_fixture("tailcall.bpf.o", host);
	if (!obj)
		return;
	struct stackbpf_map *m = stackbpf_object__find_map(obj, "jmp");
	T_OK(m && stackbpf_map__type(m) == STACKBPF_MAP_PROG_ARRAY, "jmp is a prog_array");
	size_t step1 = 99, step2 = 99;
	for (size_t i = 0; i < stackbpf_object__prog_cnt(obj); i++) {
		const char *n = stackbpf_program__name(stackbpf_object__prog(obj, i));
		if (strcmp(n, "step1") == 0)
			step1 = i;
		if (strcmp(n, "step2") == 0)
			step2 = i;
	}
	uint32_t want[4] = { UINT32_MAX, (uint32_t)step1, (uint32_t)step2, UINT32_MAX }, got = 0;
	for (uint32_t k = 0; m && k < 4; k++) {
		int e = stackbpf_map__lookup(m, &k, &got);
		if (want[k] == UINT32_MAX)
			T_OK(e == -ENOENT, "empty slot %u: %d", k, e);
		else
			T_OK(e == 0 && got == want[k], "slot %u: %d, program %u (want %u)", k, e, got, want[k]);
	}
	stackbpf_object__close(obj);
}

static void test_ksym(void)
{
	struct stackbpf_object *obj = open_fixture("ksym_call.bpf.o", host);
	if (!obj)
		return;
	struct stackbpf_program *p = stackbpf_object__prog(obj, 0);
	T_EQ_U64(stackbpf_program__type(p), STACKBPF_PROG_TRACEPOINT, "tracepoint");
	T_EQ_U64(stackbpf_program__kfunc_cnt(p), 1, "one kfunc");
	const struct stackbpf_kfunc *k = stackbpf_program__kfunc(p, 0);
	int id = stackbpf_host__find(host, "sum_args3");
	T_OK(k && strcmp(k->name, "sum_args3") == 0 && k->host_id == id && k->nparams == 3 && k->btf_id > 0,
	     "sum_args3 bound, 3 BTF params");
	const struct stackbpf_insn *in = stackbpf_prog__insns(stackbpf_program__prog(p));
	T_OK(in[3].code == 0x85 && in[3].src == 2 && in[3].imm == id, "call rewritten to src 2, imm = id");
	uint64_t args[4] = { 0xdead, 1, 2, 3 }, r0 = 0;   /* ctx[1..3] */
	T_EQ_U64(run(obj, "call_host", args, sizeof(args), &r0), 0, "run");
	T_EQ_U64(r0, 14, "1 + 2*2 + 3*3");
	stackbpf_object__close(obj);

	/* binding failures */
	char path[512];
	snprintf(path, sizeof(path), "%s/ksym_call.bpf.o", dir);
	STACKBPF_OPTS(stackbpf_object_opts, o, .log = capture, .name = "ksym_call.bpf.o");
	errno = 0;
	T_OK(!stackbpf_object__open(path, &o) && errno == EINVAL, "no host");
	T_EQ_STR(errbuf, "ksym_call.bpf.o: section tracepoint/syscalls/sys_enter_getpid: insn 3: extern function "
		 "sum_args3: no host functions to bind it to", "no host message");
	struct stackbpf_host *h = stackbpf_host__new();
	o.host = h;
	T_OK(!stackbpf_object__open(path, &o), "empty host");
	T_EQ_STR(errbuf, "ksym_call.bpf.o: section tracepoint/syscalls/sys_enter_getpid: insn 3: extern function "
		 "sum_args3 (__ksym): no host function of that name", "unknown name message");
	STACKBPF_OPTS(stackbpf_fn_desc, d, .name = "sum_args3", .fn = (void *)stackbpf_host__fn(host, id)->fn,
		      .nargs = 2);
	stackbpf_host__register(h, &d);
	T_OK(!stackbpf_object__open(path, &o), "arity mismatch");
	T_EQ_STR(errbuf, "ksym_call.bpf.o: section tracepoint/syscalls/sys_enter_getpid: insn 3: extern function "
		 "sum_args3: BTF prototype has 3 parameters, the host function takes 2", "arity message");
	stackbpf_host__free(h);
}

struct event {
	uint32_t pid, seq;
	uint64_t arg;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct event *ev = ctx;
	if (size != sizeof(*ev))
		return -1;
	memcpy(&ev[ev[3].seq++], data, size);
	return 0;
}

static void test_ringbuf(void)
{
	struct stackbpf_object *obj = open_fixture("ringbuf.bpf.o", host);
	if (!obj)
		return;
	struct stackbpf_map *rb = stackbpf_object__find_map(obj, "events");
	T_OK(rb && stackbpf_map__type(rb) == STACKBPF_MAP_RINGBUF && stackbpf_map__max_entries(rb) == 4096,
	     "ringbuf map 4096");
	T_EQ_U64(stackbpf_program__type(stackbpf_object__find_prog(obj, "emit")), STACKBPF_PROG_KPROBE,
		 "uprobe/prog:func is a kprobe-type program");
	uint64_t in[2] = { 0x1111, 0x2222 }, r0 = 9;
	T_EQ_U64(run(obj, "emit", in, sizeof(in), &r0), 0, "run");
	T_EQ_U64(r0, 0, "all three ring operations succeeded");
	struct event ev[4] = { 0 };
	T_EQ_U64(stackbpf_ringbuf__consume(rb, on_event, ev), 2, "two records (one discarded)");
	T_OK(ev[0].pid == 7 && ev[0].seq == 1 && ev[0].arg == 0x1111, "reserved+submitted record");
	T_OK(ev[1].pid == 8 && ev[1].seq == 2 && ev[1].arg == 0x2222, "output record");
	stackbpf_object__close(obj);
}

static void test_maps_all(void)
{
	struct stackbpf_object *obj = open_fixture("maps_all.bpf.o", host);
	if (!obj)
		return;
	static const struct {
		const char *name;
		uint32_t type, ks, vs, max, flags;
	} want[] = {
		{ "arr", STACKBPF_MAP_ARRAY, 4, 8, 4, 0 },
		{ "pcpu", STACKBPF_MAP_PERCPU_ARRAY, 4, 16, 2, 0 },
		{ "h", STACKBPF_MAP_HASH, 8, 3, 1000, 1 /* BPF_F_NO_PREALLOC, kept */ },
		{ "lru", STACKBPF_MAP_LRU_HASH, 4, 4, 2, 0 },
		{ "jumps", STACKBPF_MAP_PROG_ARRAY, 4, 4, 8, 0 },
		{ "rb", STACKBPF_MAP_RINGBUF, 0, 0, 65536, 0 },
	};
	T_EQ_U64(stackbpf_object__map_cnt(obj), 6, "six maps");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct stackbpf_map *m = stackbpf_object__find_map(obj, want[i].name);
		T_OK(m != NULL, "map %s", want[i].name);
		T_OK(stackbpf_map__type(m) == want[i].type && stackbpf_map__key_size(m) == want[i].ks &&
		     stackbpf_map__value_size(m) == want[i].vs && stackbpf_map__max_entries(m) == want[i].max &&
		     stackbpf_map__flags(m) == want[i].flags,
		     "%s: type %u key %u value %u max %u flags %u", want[i].name, stackbpf_map__type(m),
		     stackbpf_map__key_size(m), stackbpf_map__value_size(m), stackbpf_map__max_entries(m),
		     stackbpf_map__flags(m));
	}
	uint32_t in[2] = { 1, 21 }, k = 1, lv;
	uint64_t r0 = 1, pv[2] = { 9, 9 };
	T_EQ_U64(run(obj, "touch", in, sizeof(in), &r0), 0, "run");
	T_EQ_U64(r0, 0, "touched");
	uint8_t pair[8];
	T_EQ_U64(stackbpf_map__lookup(stackbpf_object__find_map(obj, "arr"), &k, pair), 0, "arr[1]");
	T_OK(pair[0] == 21 && pair[4] == 7, "arr[1] = {21, 7}");
	T_EQ_U64(stackbpf_map__lookup(stackbpf_object__find_map(obj, "pcpu"), &k, pv), 0, "pcpu[1]");
	T_OK(pv[0] == 0 && pv[1] == 42, "pcpu[1] = {0, 42}: got {%llu, %llu}", (unsigned long long)pv[0],
	     (unsigned long long)pv[1]);
	in[0] = 4;
	T_EQ_U64(run(obj, "touch", in, sizeof(in), &r0), 0, "run with index 4");
	T_EQ_U64(r0, (uint32_t)-1, "arr has 4 entries: lookup of 4 is NULL");
	struct stackbpf_map *lru = stackbpf_object__find_map(obj, "lru");
	k = 1;
	T_EQ_U64(stackbpf_map__lookup(lru, &k, &lv), -ENOENT, "lru: key 1 evicted");
	k = 3;
	T_EQ_U64(stackbpf_map__lookup(lru, &k, &lv), 0, "lru: key 3 present");
	T_EQ_U64(lv, 21, "lru value");
	stackbpf_object__close(obj);
}

static void check_dir(const char *d)
{
	dir = d;
	printf("fixtures: %s\n", d);
	test_xdp_count();
	test_socket_filter();
	test_prog_array_values();
	test_globals();
	test_subprog5();
	test_ksym();
	test_ringbuf();
	test_maps_all();
}

int main(void)
{
	if (!OBJ_FIXTURES[0]) {
		printf("clang cannot target bpf: skipped\n");
		return 77;
	}
	host = stackbpf_host__new();
	if (!host || stackbpf_host__add_examples(host) || stackbpf_host__add_linux_helpers(host, NULL))
		return 1;
	check_dir(OBJ_FIXTURES);
	if (OBJ_FIXTURES_V4[0])
		check_dir(OBJ_FIXTURES_V4);
	else
		printf("clang-22 not installed: -mcpu=v4 fixtures not checked\n");
	stackbpf_host__free(host);
	return t_done();
}
