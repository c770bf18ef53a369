/* verify_bench.c - stackbpf-vbench: our verifier against Linux's on the same
 * bytes. For each program: processed instructions, states and verification
 * time (best of several runs) from stackbpf_prog__verify and from the running
 * kernel's BPF_PROG_LOAD at log level 4 (BPF_LOG_STATS: "processed N insns",
 * "verification time N usec"), with the ratios and the issue-3 targets (our
 * time <= 0.5x the kernel's, processed insns <= 1.1x).
 *
 * The programs are the bench workloads (the .s files of bench/progs) and the largest
 * programs of tests/data. They expect r1 = a 4 KiB buffer and r2 = 4096, which
 * no kernel program type gives, so both verifiers get the same prologue:
 * r1 = the value of a 1-element array map of 4096-byte values (looked up and
 * null-checked), r2 = 4096. Programs with r11 stack arguments or host
 * function calls have no kernel figures (the kernel here has no stack
 * arguments and does not know our host functions): the reason is printed.
 * A program that prints numbers, not a test (see bench/README.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stackbpf/stackbpf.h"

#if defined(__linux__) && __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>
#define HAVE_BPF 1
#endif

#ifndef STACKBPF_BENCH_PROGS
#define STACKBPF_BENCH_PROGS "bench/progs"
#endif
#ifndef STACKBPF_TESTS_DATA
#define STACKBPF_TESTS_DATA "tests/data"
#endif

enum { VALUE_SIZE = 4096, PROLOGUE = 11 };

static const char *const bench_progs[] = { "arith", "memrw", "calls", "fnv1a", "bsort", "call12", "host12" };
/* the largest programs of tests/data (by instructions) */
static const char *const data_progs[] = { "forward_reversed12.data", "two_callees_arities.data",
					  "forward_three_levels.data", "may_goto_loop.data", "may_goto_budget.data" };

struct result {
	bool ok;                 /* verified (or rejected) at all */
	int err;
	uint64_t insns, states, ns;
	char why[96];            /* no figures: why */
};

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	if (s) {
		s[n] = '\0';
		*len = (size_t)n;
	}
	return s;
}

/* the "-- asm" section of a bpf_conformance-style .data file */
static char *data_asm(char *text, size_t *len)
{
	char *a = strstr(text, "-- asm\n");
	if (!a)
		return NULL;
	a += 7;
	char *e = strstr(a, "\n-- ");
	if (e)
		e[1] = '\0';
	*len = strlen(a);
	return a;
}

static struct stackbpf_insn I(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct stackbpf_insn i = { .code = code, .dst = dst, .src = src, .off = off, .imm = imm };
	return i;
}

/* prologue + body; map_imm is the map reference (our index or the kernel's fd) */
static struct stackbpf_insn *with_prologue(const struct stackbpf_insn *body, size_t n, int32_t map_imm)
{
	struct stackbpf_insn *p = malloc((n + PROLOGUE) * sizeof(*p));
	if (!p)
		return NULL;
	size_t k = 0;
	p[k++] = I(0x62, 10, 0, -4, 0);          /* *(u32 *)(r10 - 4) = 0 */
	p[k++] = I(0xbf, 2, 10, 0, 0);           /* r2 = r10 */
	p[k++] = I(0x07, 2, 0, 0, -4);           /* r2 += -4 */
	p[k++] = I(0x18, 1, 1, 0, map_imm);      /* r1 = map */
	p[k++] = I(0x00, 0, 0, 0, 0);
	p[k++] = I(0x85, 0, 0, 0, 1);            /* call bpf_map_lookup_elem */
	p[k++] = I(0x55, 0, 0, 2, 0);            /* if r0 != 0 goto +2 */
	p[k++] = I(0xb7, 0, 0, 0, 0);            /* r0 = 0 */
	p[k++] = I(0x95, 0, 0, 0, 0);            /* exit */
	p[k++] = I(0xbf, 1, 0, 0, 0);            /* r1 = r0 */
	p[k++] = I(0xb7, 2, 0, 0, VALUE_SIZE);   /* r2 = 4096 */
	memcpy(p + k, body, n * sizeof(*p));
	return p;
}

/* why the kernel cannot load these bytes, or NULL */
static const char *kernel_skip(const struct stackbpf_insn *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i].dst == 11 || p[i].src == 11)
			return "r11 stack arguments (not in this kernel)";
		if (p[i].code == 0x85 && p[i].src != 1 && (p[i].src != 0 || p[i].imm > 211))
			return "host function calls";
		if (p[i].code == 0x18)
			i++;
	}
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void ours(const struct stackbpf_insn *body, size_t n, struct stackbpf_host *host, struct stackbpf_map *map,
		 int reps, struct result *r)
{
	struct stackbpf_insn *p = with_prologue(body, n, 0);
	struct stackbpf_prog *prog = p ? stackbpf_prog__from_insns(p, n + PROLOGUE) : NULL;
	free(p);
	if (!prog || stackbpf_prog__set_maps(prog, &map, 1)) {
		snprintf(r->why, sizeof(r->why), "out of memory");
		stackbpf_prog__free(prog);
		return;
	}
	r->ok = true;
	r->ns = UINT64_MAX;
	for (int i = 0; i < reps; i++) {
		STACKBPF_OPTS(stackbpf_verify_opts, o, .host = host, .mem_size = VALUE_SIZE);
		struct stackbpf_verify_stats st = { .sz = sizeof(st) };
		uint64_t t0 = now_ns();
		r->err = stackbpf_prog__verify(prog, &o, &st);
		uint64_t t = now_ns() - t0;
		if (t < r->ns)
			r->ns = t;
		r->insns = st.insns_processed;
		r->states = st.total_states;
	}
	stackbpf_prog__free(prog);
}

#ifdef HAVE_BPF
static char klog[1 << 16];

static int kmap(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = VALUE_SIZE;
	a.max_entries = 1;
	return (int)syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

static long stat_of(const char *log, const char *key)
{
	const char *p = strstr(log, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void kernel(const struct stackbpf_insn *body, size_t n, int mapfd, int reps, struct result *r)
{
	const char *skip = kernel_skip(body, n);
	if (skip) {
		snprintf(r->why, sizeof(r->why), "%s", skip);
		return;
	}
	if (mapfd < 0) {
		snprintf(r->why, sizeof(r->why), "bpf() not permitted (errno %d)", errno);
		return;
	}
	struct stackbpf_insn *p = with_prologue(body, n, mapfd);
	if (!p)
		return;
	r->ns = UINT64_MAX;
	for (int i = 0; i < reps; i++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		a.insns = (uint64_t)(uintptr_t)p;
		a.insn_cnt = (uint32_t)(n + PROLOGUE);
		a.license = (uint64_t)(uintptr_t)"GPL";
		a.log_buf = (uint64_t)(uintptr_t)klog;
		a.log_size = sizeof(klog);
		a.log_level = 4;   /* BPF_LOG_STATS */
		klog[0] = '\0';
		int fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
		r->err = fd < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
		long us = stat_of(klog, "verification time "), insns = stat_of(klog, "processed ");
		if (us < 0 || insns < 0) {
			snprintf(r->why, sizeof(r->why), "no statistics in the kernel's log (errno %d)", -r->err);
			free(p);
			return;
		}
		r->ok = true;
		if ((uint64_t)us * 1000 < r->ns)
			r->ns = (uint64_t)us * 1000;
		r->insns = (uint64_t)insns;
		r->states = (uint64_t)stat_of(klog, "total_states ");
	}
	free(p);
}
#endif

static const char *verdict(const struct result *r)
{
	return !r->ok ? "-" : r->err ? "reject" : "accept";
}

int main(int argc, char **argv)
{
	const char *progs = STACKBPF_BENCH_PROGS, *data = STACKBPF_TESTS_DATA;
	const char *only = NULL;
	bool no_kernel = false;
	int reps = 5;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--progs") && i + 1 < argc)
			progs = argv[++i];
		else if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 1;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--no-kernel"))
			no_kernel = true;
		else {
			fprintf(stderr, "usage: stackbpf-vbench [--progs DIR] [--data DIR] [--reps N] [--only NAME] [--no-kernel]\n"
					"  --only NAME   just this program (e.g. memrw, may_goto_loop.data)\n"
					"  --no-kernel   skip the kernel's figures (for profiling our verifier)\n");
			return 2;
		}
	}
	struct stackbpf_host *host = stackbpf_host__new();
	struct stackbpf_map *map = stackbpf_map__new(STACKBPF_MAP_ARRAY, 4, VALUE_SIZE, 1, NULL);
	if (!host || !map || stackbpf_host__add_examples(host) || stackbpf_host__add_linux_helpers(host, NULL)) {
		fprintf(stderr, "stackbpf-vbench: out of memory\n");
		return 1;
	}
	int mapfd = -1;
#ifdef HAVE_BPF
	mapfd = kmap();
#endif
	printf("verification: stackbpf vs Linux (same bytes: a map-value prologue, then the program), best of %d\n\n",
	       reps);
	printf("%-24s %6s | %-7s %-7s | %9s %9s %6s | %11s %11s %6s | %s\n", "program", "insns", "ours", "kernel",
	       "processed", "kernel", "ratio", "time us", "kernel us", "ratio", "targets (time <= 0.5x, insns <= 1.1x)");
	int total = (int)(sizeof(bench_progs) / sizeof(bench_progs[0]) + sizeof(data_progs) / sizeof(data_progs[0]));
	for (int t = 0; t < total; t++) {
		bool is_bench = t < (int)(sizeof(bench_progs) / sizeof(bench_progs[0]));
		const char *name = is_bench ? bench_progs[t] : data_progs[t - (int)(sizeof(bench_progs) / sizeof(bench_progs[0]))];
		if (only && strcmp(only, name))
			continue;
		char path[1024];
		snprintf(path, sizeof(path), is_bench ? "%s/%s.s" : "%s/%s", is_bench ? progs : data, name);
		size_t len = 0;
		char *text = read_file(path, &len), *src = text;
		if (text && !is_bench)
			src = data_asm(text, &len);
		struct stackbpf_insn *body = NULL;
		size_t n = 0;
		STACKBPF_OPTS(stackbpf_asm_opts, ao, .filename = path, .host = host);
		if (!src || stackbpf_asm__text(src, len, &ao, &body, &n)) {
			printf("%-24s (cannot read or assemble %s)\n", name, path);
			free(text);
			continue;
		}
		free(text);
		struct result o = { 0 }, k = { 0 };
		ours(body, n, host, map, reps, &o);
#ifdef HAVE_BPF
		if (no_kernel)
			snprintf(k.why, sizeof(k.why), "--no-kernel");
		else
			kernel(body, n, mapfd, reps, &k);
#else
		snprintf(k.why, sizeof(k.why), "no <linux/bpf.h>");
#endif
		free(body);
		printf("%-24s %6zu | %-7s %-7s | %9llu ", name, n + PROLOGUE, verdict(&o), verdict(&k),
		       (unsigned long long)o.insns);
		if (!k.ok) {
			printf("%9s %6s | %11.1f %11s %6s | kernel: %s\n", "-", "-", o.ns / 1e3, "-", "-", k.why);
			continue;
		}
		double ri = k.insns ? (double)o.insns / (double)k.insns : 0, rt = k.ns ? (double)o.ns / (double)k.ns : 0;
		printf("%9llu %5.2fx | %11.1f %11.1f %5.2fx | time %s, insns %s\n", (unsigned long long)k.insns, ri,
		       o.ns / 1e3, k.ns / 1e3, rt, rt <= 0.5 ? "met" : "NOT MET", ri <= 1.1 ? "met" : "NOT MET");
	}
	printf("\nThe kernel's time is its own \"verification time\" (BPF_LOG_STATS, whole microseconds);\n"
	       "ours is stackbpf_prog__verify's wall time. Both reject the 10^6..10^7-iteration loops on a\n"
	       "precise counter at the 1M-instruction limit, as Linux does without may_goto.\n");
	stackbpf_map__free(map);
	stackbpf_host__free(host);
#ifdef HAVE_BPF
	if (mapfd >= 0)
		close(mapfd);
#endif
	return 0;
}
