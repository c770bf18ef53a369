/* runner.c - stackbpf-bench: times the benchmark programs of bench/progs in
 * the interpreter and the JIT beside their C versions (bench/native.c) and prints a table.
 *
 * Each case NAME is progs/NAME.s (LLVM syntax, assembled here with
 * stackbpf_asm__text against a host registry holding the example functions)
 * and the C functions o2_NAME / nv_NAME (gcc -O2 / -O2 -fno-tree-vectorize).
 * Every engine first runs once on the same input: all must return the same r0
 * and leave the same buffer, or the runner stops with exit 1 before printing
 * any timing. Then each engine is timed with CLOCK_MONOTONIC over `reps`
 * samples of about 10 ms (a batch of runs, or one long run) and the best
 * sample counts. Cases whose cost depends on the input (bsort) get the buffer
 * restored before every run, outside the timed interval.
 *
 * This is a program that prints numbers, not a test: it is not registered
 * with ctest, and missing a target is reported, not an error. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stackbpf/stackbpf.h"
#include "native.h"

#ifndef STACKBPF_BENCH_PROGS
#define STACKBPF_BENCH_PROGS "bench/progs"
#endif

#define BUF_SIZE 4096
#define SAMPLE_NS 10e6        /* aim for samples of about 10 ms */
#define MAX_BATCH 100000

enum group { WORKLOAD, STACKARG };

struct bench_case {
	const char *name;        /* progs/<name>.s */
	enum group group;
	const char *unit;        /* one unit of work */
	double units;            /* units of work per run */
	bool reset_each_run;     /* the input decides the cost: restore it before every run */
	double target_ns;        /* WORKLOAD: interpreter target per unit (issue 2) */
	double ubpf_ns;          /* WORKLOAD: uBPF interpreter per unit (../shared/docs/anchors.md) */
	const char *what;        /* STACKARG: how the arguments travel */
	const char *base;        /* STACKARG: the 5-argument case of the same kind */
	bench_native_fn o2, nv;
};

#define NAT(name) o2_##name, nv_##name
static const struct bench_case cases[] = {
	{ "arith", WORKLOAD, "iteration", 1e7, false, 8, 24.2, NULL, NULL, NAT(arith) },
	{ "memrw", WORKLOAD, "load+store", 64 * 511, false, 12, 37.1, NULL, NULL, NAT(memrw) },
	{ "calls", WORKLOAD, "call", 1e6, false, 16, 49.2, NULL, NULL, NAT(calls) },
	{ "fnv1a", WORKLOAD, "byte", BUF_SIZE, false, 9, 27.9, NULL, NULL, NAT(fnv1a) },
	{ "bsort", WORKLOAD, "step", 255 * 256 / 2, true, 16, 49.8, NULL, NULL, NAT(bsort) },
	{ "call5", STACKARG, "call", 1e6, false, 0, 0, "BPF-to-BPF, r1-r5", "call5", NAT(call5) },
	{ "call6", STACKARG, "call", 1e6, false, 0, 0, "BPF-to-BPF, arg 6 via r11", "call5", NAT(call6) },
	{ "call8", STACKARG, "call", 1e6, false, 0, 0, "BPF-to-BPF, args 6-8 via r11", "call5", NAT(call8) },
	{ "call12", STACKARG, "call", 1e6, false, 0, 0, "BPF-to-BPF, args 6-12 via r11", "call5", NAT(call12) },
	{ "struct12", STACKARG, "call", 1e6, false, 0, 0, "BPF-to-BPF, args 5-12 in a stack struct",
	  "call5", NAT(struct12) },
	{ "host5", STACKARG, "call", 1e6, false, 0, 0, "host sum_args5, r1-r5", "host5", NAT(host5) },
	{ "host6", STACKARG, "call", 1e6, false, 0, 0, "host sum_args6, arg 6 via r11", "host5", NAT(host6) },
	{ "host8", STACKARG, "call", 1e6, false, 0, 0, "host sum_args8, args 6-8 via r11", "host5", NAT(host8) },
	{ "host12", STACKARG, "call", 1e6, false, 0, 0, "host sum_args12, args 6-12 via r11", "host5",
	  NAT(host12) },
};
#undef NAT
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* what one case measured */
struct result {
	bool selected;
	uint64_t r0;
	double o2_ns, nv_ns, interp_ns, jit_ns;   /* per run */
	size_t insn_cnt;
	struct stackbpf_prog *prog;
	struct stackbpf_vm *vm;
	struct stackbpf_vm *jvm;          /* the same program in the JIT */
};

struct options {
	const char *progs;
	const char *only;
	unsigned reps;
	bool json;
};

/* ------------------------------------------------------------- helpers */

static void log_stderr(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	fprintf(stderr, "%s\n", msg);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The input: 4 KiB of xorshift64 output, the same for every engine. */
static void fill_pattern(uint8_t *buf)
{
	uint64_t x = 0x2545f4914f6cdd1dull;

	for (size_t i = 0; i < BUF_SIZE; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(buf + i, &x, 8);
	}
}

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
			errno = EIO;
		}
	}
	fclose(f);
	return buf;
}

/* Assemble, validate and prepare progs/<name>.s. Prints the reason and
 * returns -1 on failure. */
static int load_case(const struct options *o, const struct stackbpf_host *host, const struct bench_case *c,
		     struct result *r)
{
	char path[4096];
	struct stackbpf_insn *insns = NULL;
	const char *errmsg = NULL;
	size_t len = 0;
	char *text;
	int err;

	snprintf(path, sizeof(path), "%s/%s.s", o->progs, c->name);
	text = read_text(path, &len);
	if (!text) {
		fprintf(stderr, "stackbpf-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	STACKBPF_OPTS(stackbpf_asm_opts, aopts, .syntax = STACKBPF_SYNTAX_LLVM, .filename = path,
		      .host = host, .log = log_stderr);
	err = stackbpf_asm__text(text, len, &aopts, &insns, &r->insn_cnt);
	free(text);
	if (err) {
		fprintf(stderr, "stackbpf-bench: %s: assembly failed (%s)\n", path, strerror(-err));
		return -1;
	}
	r->prog = stackbpf_prog__from_insns(insns, r->insn_cnt);
	free(insns);
	if (!r->prog) {
		fprintf(stderr, "stackbpf-bench: %s: out of memory\n", path);
		return -1;
	}
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = host);
	err = stackbpf_prog__validate(r->prog, &vopts, &errmsg);
	if (err) {
		fprintf(stderr, "stackbpf-bench: %s: %s\n", path, errmsg ? errmsg : strerror(-err));
		return -1;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, mopts, .host = host, .checked = false, .log = log_stderr);
	r->vm = stackbpf_vm__new(r->prog, &mopts);
	if (!r->vm) {
		fprintf(stderr, "stackbpf-bench: %s: cannot prepare the program: %s\n", path, strerror(errno));
		return -1;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, jopts, .host = host, .engine = STACKBPF_ENGINE_JIT, .log = log_stderr);
	r->jvm = stackbpf_vm__new(r->prog, &jopts);
	if (!r->jvm || !stackbpf_vm__jit_code(r->jvm, NULL)) {
		fprintf(stderr, "stackbpf-bench: %s: the JIT did not compile the program\n", path);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- engines */

enum engine { E_O2, E_NV, E_INTERP, E_JIT };
static const char *const engine_name[] = { "native -O2", "native -O2 -fno-tree-vectorize", "interpreter", "jit" };

/* One run; exits on an interpreter fault (a benchmark must not fault). */
static uint64_t run_once(const struct bench_case *c, struct result *r, enum engine e, uint8_t *buf)
{
	uint64_t r0 = 0;
	int err;

	switch (e) {
	case E_O2:
		return c->o2(buf, BUF_SIZE);
	case E_NV:
		return c->nv(buf, BUF_SIZE);
	case E_INTERP:
	case E_JIT:
		err = stackbpf_vm__run(e == E_JIT ? r->jvm : r->vm, buf, BUF_SIZE, &r0);
		if (err) {
			fprintf(stderr, "stackbpf-bench: %s: the %s failed: %s\n", c->name, engine_name[e],
				stackbpf_vm__errmsg(e == E_JIT ? r->jvm : r->vm));
			exit(1);
		}
		break;
	}
	return r0;
}

/* Every engine once on the same input: same r0, same buffer afterwards. */
static int check_case(const struct bench_case *c, struct result *r, uint8_t *buf, const uint8_t *pattern)
{
	uint8_t want_mem[BUF_SIZE];
	uint64_t r0;

	memcpy(buf, pattern, BUF_SIZE);
	r->r0 = run_once(c, r, E_O2, buf);
	memcpy(want_mem, buf, BUF_SIZE);
	for (enum engine e = E_NV; e <= E_JIT; e++) {
		memcpy(buf, pattern, BUF_SIZE);
		r0 = run_once(c, r, e, buf);
		if (r0 != r->r0) {
			fprintf(stderr, "stackbpf-bench: %s: %s returned 0x%llx, native -O2 0x%llx\n", c->name,
				engine_name[e], (unsigned long long)r0, (unsigned long long)r->r0);
			return -1;
		}
		if (memcmp(buf, want_mem, BUF_SIZE) != 0) {
			size_t i = 0;

			while (buf[i] == want_mem[i])
				i++;
			fprintf(stderr, "stackbpf-bench: %s: %s left byte %zu = 0x%02x, native -O2 0x%02x\n",
				c->name, engine_name[e], i, buf[i], want_mem[i]);
			return -1;
		}
	}
	return 0;
}

/* Best time of one run, in ns, over `reps` samples. */
static double time_case(const struct bench_case *c, struct result *r, enum engine e, unsigned reps, uint8_t *buf,
			const uint8_t *pattern)
{
	double best = INFINITY, t, once;
	unsigned batch;

	memcpy(buf, pattern, BUF_SIZE);
	t = now_ns();
	run_once(c, r, e, buf);
	once = now_ns() - t;
	batch = once >= SAMPLE_NS ? 1 : (unsigned)fmin(MAX_BATCH, ceil(SAMPLE_NS / fmax(once, 1)));
	for (unsigned rep = 0; rep < reps; rep++) {
		double total = 0;

		if (c->reset_each_run) {
			for (unsigned k = 0; k < batch; k++) {
				memcpy(buf, pattern, BUF_SIZE);
				t = now_ns();
				run_once(c, r, e, buf);
				total += now_ns() - t;
			}
		} else {
			t = now_ns();
			for (unsigned k = 0; k < batch; k++)
				run_once(c, r, e, buf);
			total = now_ns() - t;
		}
		best = fmin(best, total / batch);
	}
	return best;
}

/* -------------------------------------------------------------- output */

static void cpu_model(char *out, size_t outsz)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(out, outsz, "unknown cpu");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			snprintf(out, outsz, "%s", colon + 2);
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

/* The 1-minute load average, or -1. Beyond ncpu - 0.5 (the runner itself
 * counts about 1), other work is competing for the CPUs and spoils timings. */
static double load_average(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double l = -1;

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

static void warn_if_busy(double load)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (ncpu > 0 && load > (double)ncpu - 0.5)
		fprintf(stderr, "stackbpf-bench: warning: load average %.2f on %ld CPUs, the figures are unreliable\n",
			load, ncpu);
}

#if defined(__clang__)
#define COMPILER "clang " __clang_version__
#else
#define COMPILER "gcc " __VERSION__
#endif

static double native_best(const struct result *r)
{
	return fmin(r->o2_ns, r->nv_ns);
}

static const struct result *find_result(const struct result *res, const char *name)
{
	for (size_t i = 0; i < NCASES; i++)
		if (strcmp(cases[i].name, name) == 0)
			return res[i].selected ? &res[i] : NULL;
	return NULL;
}

static void print_table(const struct options *o, const struct result *res)
{
	char cpu[128];
	bool any_w = false, any_s = false;

	for (size_t i = 0; i < NCASES; i++) {
		any_w |= res[i].selected && cases[i].group == WORKLOAD;
		any_s |= res[i].selected && cases[i].group == STACKARG;
	}
	cpu_model(cpu, sizeof(cpu));
	printf("stackbpf-bench: %s; native = %s, best of -O2 and -O2 -fno-tree-vectorize;\n", cpu, COMPILER);
	printf("interp = stackbpf unchecked interpreter, jit = stackbpf x86-64 JIT; each figure is the best of %u samples.\n",
	       o->reps);
	if (any_w) {
		printf("\n%-6s %-11s %8s %8s %7s %7s %5s %7s %8s %8s %7s\n", "bench", "unit", "native", "interp", "ratio",
		       "target", "met", "uBPF", "speedup", "jit", "ratio");
		printf("%-6s %-11s %8s %8s %7s %7s %5s %7s %8s %8s %7s\n", "", "", "ns/unit", "ns/unit", "int/nat",
		       "ns", "", "interp", "vs uBPF", "ns/unit", "jit/nat");
		for (size_t i = 0; i < NCASES; i++) {
			const struct bench_case *c = &cases[i];
			const struct result *r = &res[i];
			double nat, in;

			if (!r->selected || c->group != WORKLOAD)
				continue;
			nat = native_best(r) / c->units;
			in = r->interp_ns / c->units;
			printf("%-6s %-11s %8.3f %8.3f %6.1fx %7.0f %5s %7.1f %7.2fx %8.3f %6.2fx\n", c->name, c->unit, nat,
			       in, in / nat, c->target_ns, in <= c->target_ns ? "yes" : "NO", c->ubpf_ns, c->ubpf_ns / in,
			       r->jit_ns / c->units, r->jit_ns / c->units / nat);
		}
		printf("(native -O2 / -O2 -fno-tree-vectorize ns/unit:");
		for (size_t i = 0; i < NCASES; i++)
			if (res[i].selected && cases[i].group == WORKLOAD)
				printf(" %s %.3f/%.3f", cases[i].name, res[i].o2_ns / cases[i].units,
				       res[i].nv_ns / cases[i].units);
		printf(")\n");
	}
	if (any_s) {
		printf("\nstack arguments: 10^6 calls per run, ns per call including the loop\n");
		printf("%-9s %-40s %7s %7s %8s %9s %7s %8s\n", "case", "arguments", "native", "interp", "int/nat",
		       "+interp", "jit", "jit/nat");
		for (size_t i = 0; i < NCASES; i++) {
			const struct bench_case *c = &cases[i];
			const struct result *r = &res[i], *b;
			double nat, in;

			if (!r->selected || c->group != STACKARG)
				continue;
			b = find_result(res, c->base);
			nat = native_best(r) / c->units;
			in = r->interp_ns / c->units;
			printf("%-9s %-40s %7.3f %7.3f %7.1fx", c->name, c->what, nat, in, in / nat);
			if (b && b != r)
				printf(" %+8.2f", in - b->interp_ns / c->units);
			else
				printf(" %8s", "-");
			printf(" %7.3f %7.2fx\n", r->jit_ns / c->units, r->jit_ns / c->units / nat);
		}
		printf("(+interp: interpreter ns/call beyond the 5-argument case of the same kind)\n");
	}
}

static void print_json(const struct options *o, const struct result *res)
{
	char cpu[128];
	bool first = true;

	cpu_model(cpu, sizeof(cpu));
	printf("{\"cpu\":\"%s\",\"native_compiler\":\"%s\",\"reps\":%u,\"loadavg\":%.2f,\"cases\":[", cpu,
	       COMPILER, o->reps, load_average());
	for (size_t i = 0; i < NCASES; i++) {
		const struct bench_case *c = &cases[i];
		const struct result *r = &res[i];
		double nat, in;

		if (!r->selected)
			continue;
		nat = native_best(r) / c->units;
		in = r->interp_ns / c->units;
		printf("%s\n {\"name\":\"%s\",\"group\":\"%s\",\"unit\":\"%s\",\"units_per_run\":%.0f,"
		       "\"prog_insns\":%zu,\"r0\":\"0x%llx\",\"native_o2_ns\":%.4f,\"native_novec_ns\":%.4f,"
		       "\"native_ns\":%.4f,\"interp_ns\":%.4f,\"ratio\":%.3f,\"jit_ns\":%.4f,\"jit_ratio\":%.3f",
		       first ? "" : ",", c->name, c->group == WORKLOAD ? "workload" : "stackargs", c->unit, c->units,
		       r->insn_cnt, (unsigned long long)r->r0, r->o2_ns / c->units, r->nv_ns / c->units, nat, in,
		       in / nat, r->jit_ns / c->units, r->jit_ns / c->units / nat);
		if (c->group == WORKLOAD)
			printf(",\"target_ns\":%.1f,\"meets_target\":%s,\"ubpf_interp_ns\":%.1f,"
			       "\"speedup_vs_ubpf\":%.3f",
			       c->target_ns, in <= c->target_ns ? "true" : "false", c->ubpf_ns, c->ubpf_ns / in);
		printf("}");
		first = false;
	}
	printf("\n]}\n");
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: stackbpf-bench [--only NAME[,NAME...]] [--reps N] [--json] [--progs DIR]\n"
		"\n"
		"Times each benchmark program (DIR/NAME.s) in the stackbpf interpreter and JIT beside\n"
		"the same computation in C (gcc -O2 and -O2 -fno-tree-vectorize) and prints\n"
		"ns per unit of work, the ratio interpreter/native, the issue-2 target and the\n"
		"uBPF interpreter figure (../shared/docs/anchors.md); then the stack-argument\n"
		"microbench.\n"
		"Before timing, every engine must return the same r0 and leave the same memory\n"
		"(a mismatch is an error, exit 1).\n"
		"\n"
		"  --only NAMES  run only these cases (comma-separated); names:\n"
		"                workloads: arith memrw calls fnv1a bsort\n"
		"                stack args: call5 call6 call8 call12 struct12 host5 host6 host8 host12\n"
		"  --reps N      samples per engine and case, the best counts (default 5)\n"
		"  --json        one JSON object instead of the tables\n"
		"  --progs DIR   where the .s programs are (default %s)\n"
		"  --help        this text\n"
		"\n"
		"example: stackbpf-bench --only arith,call12 --reps 3\n",
		STACKBPF_BENCH_PROGS);
}

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (strcmp(a, "--only") == 0 || strcmp(a, "--reps") == 0 || strcmp(a, "--progs") == 0) {
			if (!val) {
				fprintf(stderr, "stackbpf-bench: %s needs a value\n", a);
				return -1;
			}
			i++;
			if (strcmp(a, "--only") == 0) {
				o->only = val;
			} else if (strcmp(a, "--progs") == 0) {
				o->progs = val;
			} else {
				char *end;
				unsigned long n = strtoul(val, &end, 10);

				if (*val < '0' || *val > '9' || *end || n < 1 || n > 1000) {
					fprintf(stderr, "stackbpf-bench: --reps wants a number from 1 to 1000, not '%s'\n",
						val);
					return -1;
				}
				o->reps = (unsigned)n;
			}
		} else {
			fprintf(stderr, "stackbpf-bench: unknown option '%s' (see --help)\n", a);
			return -1;
		}
	}
	if (o->only) {
		for (const char *p = o->only; *p;) {
			size_t len = strcspn(p, ",");
			bool known = false;

			for (size_t i = 0; i < NCASES; i++)
				known |= strlen(cases[i].name) == len && strncmp(p, cases[i].name, len) == 0;
			if (!known) {
				fprintf(stderr, "stackbpf-bench: --only: no case named '%.*s' (see --help)\n", (int)len,
					p);
				return -1;
			}
			p += len;
			if (*p == ',')
				p++;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .progs = STACKBPF_BENCH_PROGS, .reps = 5 };
	struct result res[NCASES] = { 0 };
	uint8_t *buf = aligned_alloc(64, BUF_SIZE), *pattern = aligned_alloc(64, BUF_SIZE);
	struct stackbpf_host *host = stackbpf_host__new();
	int status = 0, err;

	if (parse_args(argc, argv, &o)) {
		status = 2;
		goto out;
	}
	if (!buf || !pattern || !host) {
		fprintf(stderr, "stackbpf-bench: out of memory\n");
		status = 1;
		goto out;
	}
	err = stackbpf_host__add_examples(host);
	if (err < 0) {
		fprintf(stderr, "stackbpf-bench: cannot register the example host functions: %s\n", strerror(-err));
		status = 1;
		goto out;
	}
	fill_pattern(pattern);

	/* load and cross-check everything before timing anything */
	for (size_t i = 0; i < NCASES; i++) {
		res[i].selected = !o.only || in_list(o.only, cases[i].name);
		if (!res[i].selected)
			continue;
		if (load_case(&o, host, &cases[i], &res[i]) || check_case(&cases[i], &res[i], buf, pattern)) {
			status = 1;
			goto out;
		}
	}
	for (size_t i = 0; i < NCASES; i++) {
		if (!res[i].selected)
			continue;
		res[i].o2_ns = time_case(&cases[i], &res[i], E_O2, o.reps, buf, pattern);
		res[i].nv_ns = time_case(&cases[i], &res[i], E_NV, o.reps, buf, pattern);
		res[i].interp_ns = time_case(&cases[i], &res[i], E_INTERP, o.reps, buf, pattern);
		res[i].jit_ns = time_case(&cases[i], &res[i], E_JIT, o.reps, buf, pattern);
	}
	warn_if_busy(load_average());
	if (o.json)
		print_json(&o, res);
	else
		print_table(&o, res);
out:
	for (size_t i = 0; i < NCASES; i++) {
		if (res[i].vm)
			stackbpf_vm__free(res[i].vm);
		stackbpf_vm__free(res[i].jvm);
		if (res[i].prog)
			stackbpf_prog__free(res[i].prog);
	}
	stackbpf_host__free(host);
	free(buf);
	free(pattern);
	return status;
}
