/* runner.c - stackbpf-bench: times the benchmark programs of bench/progs in
 * our JIT and interpreter and in Linux's JIT beside their C versions
 * (bench/native.c), then the cost of load + verify + JIT (loadcost.c), and
 * prints the tables and the issue-5 targets.
 *
 * Each case NAME is progs/NAME.s (LLVM syntax, assembled here with
 * stackbpf_asm__text against a host registry holding the example functions)
 * and the C functions o2_NAME / nv_NAME (gcc -O2 / -O2 -fno-tree-vectorize).
 * A workload also has progs/kernel/NAME.s, the same computation in the form
 * Linux's verifier accepts, run through BPF_PROG_TEST_RUN (kernel.c).
 * Every engine first runs once on the same input: ours must return the same
 * r0 and leave the same buffer as native -O2, or the runner stops with exit 1
 * before printing any timing (a kernel mismatch only marks its column n/a).
 * Then the engines are timed in turn, round robin, over `reps` samples of
 * about 5 ms each (a batch of runs, or one long run), and the best sample
 * counts. Cases whose cost depends on the input (bsort) get the buffer
 * restored before every run; the restoring is timed alone and subtracted.
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

#include "bench.h"
#include "native.h"

#ifndef STACKBPF_BENCH_PROGS
#define STACKBPF_BENCH_PROGS "bench/progs"
#endif

#define SAMPLE_NS 5e6         /* aim for samples of about 5 ms */
#define MAX_BATCH 100000
#define JIT_TARGET 1.10       /* issue 5: JIT / best native, per workload */
#define JIT_GEO_TARGET 1.05   /* ... and their geometric mean */
#define CALL12_TARGET 1.15    /* 12-argument calls, JIT / native */
#define LOAD1K_TARGET_US 1000 /* load + verify + JIT of 1k insns */

enum group { WORKLOAD, STACKARG };

/* figures measured elsewhere on a machine of the same kind (anchors.md), ns/unit */
struct anchor {
	double native, linux_jit, ubpf_jit, ubpf_interp;
};

struct bench_case {
	const char *name;        /* progs/<name>.s (and progs/kernel/<name>.s for workloads) */
	enum group group;
	const char *unit;        /* one unit of work */
	double units;            /* units of work per run */
	bool reset_each_run;     /* the input decides the cost: restore it before every run */
	double target_ns;        /* WORKLOAD: interpreter target per unit (issue 2) */
	struct anchor anchor;    /* WORKLOAD */
	const char *what;        /* STACKARG: how the arguments travel */
	const char *base;        /* STACKARG: the 5-argument case of the same kind */
	double call_target;      /* STACKARG: JIT/native target, 0 = none */
	bench_native_fn o2, nv;
};

#define NAT(name) o2_##name, nv_##name
#define NOANCHOR { 0, 0, 0, 0 }
static const struct bench_case cases[] = {
	{ "arith", WORKLOAD, "iteration", 1e7, false, 8, { 0.955, 0.953, 1.038, 24.2 }, NULL, NULL, 0, NAT(arith) },
	{ "memrw", WORKLOAD, "load+store", 64 * 511, false, 12, { 0.494, 0.693, 0.499, 37.1 }, NULL, NULL, 0,
	  NAT(memrw) },
	{ "calls", WORKLOAD, "call", 1e6, false, 16, { 1.014, 8.713, 1.289, 49.2 }, NULL, NULL, 0, NAT(calls) },
	{ "fnv1a", WORKLOAD, "byte", BENCH_BUF_SIZE, false, 9, { 0.935, 0.956, 1.010, 27.9 }, NULL, NULL, 0,
	  NAT(fnv1a) },
	{ "bsort", WORKLOAD, "step", 255 * 256 / 2, true, 16, { 0.448, 0.846, 0.593, 49.8 }, NULL, NULL, 0,
	  NAT(bsort) },
	{ "call5", STACKARG, "call", 1e6, false, 0, NOANCHOR, "BPF-to-BPF, r1-r5", "call5", 0, NAT(call5) },
	{ "call6", STACKARG, "call", 1e6, false, 0, NOANCHOR, "BPF-to-BPF, arg 6 via r11", "call5", 0, NAT(call6) },
	{ "call8", STACKARG, "call", 1e6, false, 0, NOANCHOR, "BPF-to-BPF, args 6-8 via r11", "call5", 0, NAT(call8) },
	{ "call12", STACKARG, "call", 1e6, false, 0, NOANCHOR, "BPF-to-BPF, args 6-12 via r11", "call5", CALL12_TARGET,
	  NAT(call12) },
	{ "struct12", STACKARG, "call", 1e6, false, 0, NOANCHOR, "BPF-to-BPF, args 5-12 in a stack struct", "call5", 0,
	  NAT(struct12) },
	{ "host5", STACKARG, "call", 1e6, false, 0, NOANCHOR, "host sum_args5, r1-r5", "host5", 0, NAT(host5) },
	{ "host6", STACKARG, "call", 1e6, false, 0, NOANCHOR, "host sum_args6, arg 6 via r11", "host5", 0, NAT(host6) },
	{ "host8", STACKARG, "call", 1e6, false, 0, NOANCHOR, "host sum_args8, args 6-8 via r11", "host5", 0,
	  NAT(host8) },
	{ "host12", STACKARG, "call", 1e6, false, 0, NOANCHOR, "host sum_args12, args 6-12 via r11", "host5",
	  CALL12_TARGET, NAT(host12) },
};
#undef NAT
#undef NOANCHOR
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* the bounds the kernel variants read from the params map (kernel/NAME.s) */
static const uint64_t kernel_params[KB_PARAMS] = {
	[KB_P_ARITH] = 10000000, [KB_P_MEMRW] = 64, [KB_P_CALLS] = 1000000, [KB_P_BSORT] = 255,
};

enum engine { E_O2, E_NV, E_JIT, E_INTERP, E_KERNEL, E_COUNT };
static const char *const engine_name[] = { "native -O2", "native -O2 -fno-tree-vectorize", "jit", "interpreter",
					   "Linux JIT" };

/* what one case measured */
struct result {
	bool selected;
	uint64_t r0;
	double ns[E_COUNT];               /* per run, best sample; NAN = not measured */
	unsigned batch[E_COUNT];          /* runs per sample */
	double restore_ns;                /* reset_each_run: restoring the input, per run */
	size_t insn_cnt, kinsn_cnt;
	double kload_us;                  /* BPF_PROG_LOAD of the kernel variant */
	uint64_t kprocessed;              /* its "processed N insns" */
	struct stackbpf_prog *prog;
	struct stackbpf_vm *vm;           /* the unchecked interpreter */
	struct stackbpf_vm *jvm;          /* the same program in the JIT */
	int kfd;                          /* the kernel variant, or -1 */
	char kwhy[200];                   /* why there is no kernel figure */
};

struct options {
	const char *progs;
	const char *only;
	unsigned reps;
	bool json, no_kernel, no_loadcost;
	enum bench_clock clock;
};

struct env {
	struct options o;
	struct kbench *kb;
	char kb_why[200];
	double kover_batch, kover_single;  /* kernel test-run cost of an empty program, ns per run */
	uint8_t *buf, *pattern;
};

struct bench_host_fns bench_host_fns;

/* ------------------------------------------------------------- helpers */

static void log_stderr(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	fprintf(stderr, "%s\n", msg);
}

double bench_now_ns(enum bench_clock clock)
{
	struct timespec ts;

	clock_gettime(clock == BENCH_CLOCK_CPU ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The input: 4 KiB of xorshift64 output, the same for every engine. */
static void fill_pattern(uint8_t *buf)
{
	uint64_t x = 0x2545f4914f6cdd1dull;

	for (size_t i = 0; i < BENCH_BUF_SIZE; i += 8) {
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

/* Assemble DIR/NAME.s; 0 or -1 after printing why. */
static int assemble(const char *dir, const char *name, const struct stackbpf_host *host,
		    struct stackbpf_insn **insns, size_t *cnt)
{
	char path[4096];
	size_t len = 0;
	char *text;
	int err;

	snprintf(path, sizeof(path), "%s/%s.s", dir, name);
	text = read_text(path, &len);
	if (!text) {
		fprintf(stderr, "stackbpf-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	STACKBPF_OPTS(stackbpf_asm_opts, aopts, .syntax = STACKBPF_SYNTAX_LLVM, .filename = path, .host = host,
		      .log = log_stderr);
	err = stackbpf_asm__text(text, len, &aopts, insns, cnt);
	free(text);
	if (err) {
		fprintf(stderr, "stackbpf-bench: %s: assembly failed (%s)\n", path, strerror(-err));
		return -1;
	}
	return 0;
}

/* Assemble, validate and prepare progs/<name>.s for our two engines.
 * Prints the reason and returns -1 on failure. */
static int load_case(const struct options *o, const struct stackbpf_host *host, const struct bench_case *c,
		     struct result *r)
{
	struct stackbpf_insn *insns = NULL;
	const char *errmsg = NULL;
	int err;

	if (assemble(o->progs, c->name, host, &insns, &r->insn_cnt))
		return -1;
	r->prog = stackbpf_prog__from_insns(insns, r->insn_cnt);
	free(insns);
	if (!r->prog) {
		fprintf(stderr, "stackbpf-bench: %s: out of memory\n", c->name);
		return -1;
	}
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = host);
	err = stackbpf_prog__validate(r->prog, &vopts, &errmsg);
	if (err) {
		fprintf(stderr, "stackbpf-bench: %s: %s\n", c->name, errmsg ? errmsg : strerror(-err));
		return -1;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, mopts, .host = host, .checked = false, .log = log_stderr);
	r->vm = stackbpf_vm__new(r->prog, &mopts);
	if (!r->vm) {
		fprintf(stderr, "stackbpf-bench: %s: cannot prepare the program: %s\n", c->name, strerror(errno));
		return -1;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, jopts, .host = host, .engine = STACKBPF_ENGINE_JIT, .log = log_stderr);
	r->jvm = stackbpf_vm__new(r->prog, &jopts);
	if (!r->jvm || !stackbpf_vm__jit_code(r->jvm, NULL)) {
		fprintf(stderr, "stackbpf-bench: %s: the JIT did not compile the program\n", c->name);
		return -1;
	}
	return 0;
}

/* The kernel variant of a workload: progs/kernel/<name>.s into Linux. Leaves
 * r->kfd = -1 and the reason in r->kwhy when there is none. */
static void load_kernel_case(struct env *env, const struct stackbpf_host *host, const struct bench_case *c,
			     struct result *r)
{
	struct stackbpf_insn *insns = NULL;
	char dir[4096], why[200];
	int fd;

	r->kfd = -1;
	if (c->group != WORKLOAD) {
		snprintf(r->kwhy, sizeof(r->kwhy), "n/a");
		return;
	}
	if (!env->kb) {
		snprintf(r->kwhy, sizeof(r->kwhy), "%s", env->kb_why);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/kernel", env->o.progs);
	if (assemble(dir, c->name, host, &insns, &r->kinsn_cnt)) {
		snprintf(r->kwhy, sizeof(r->kwhy), "n/a (no kernel/%s.s)", c->name);
		return;
	}
	fd = kbench_load(env->kb, insns, r->kinsn_cnt, &r->kload_us, &r->kprocessed, why, sizeof(why));
	free(insns);
	if (fd < 0) {
		fprintf(stderr, "stackbpf-bench: %s: Linux refused kernel/%s.s: %s\n", c->name, c->name, why);
		snprintf(r->kwhy, sizeof(r->kwhy), "n/a (refused)");
		return;
	}
	r->kfd = fd;
}

/* ------------------------------------------------------------- engines */

static void die_kernel(const struct bench_case *c, int err)
{
	fprintf(stderr, "stackbpf-bench: %s: bpf() (test run or map access) failed: %s\n", c->name, strerror(-err));
	exit(1);
}

/* One run; exits on a fault (a benchmark must not fault). For the kernel,
 * the run's in-kernel duration goes to *kns and r0 is read back from the
 * params map only when want_r0. */
static uint64_t run_once(struct env *env, const struct bench_case *c, struct result *r, enum engine e,
			 uint8_t *buf, double *kns, bool want_r0)
{
	uint64_t r0 = 0, params[KB_PARAMS];
	double ns = 0;
	int err;

	switch (e) {
	case E_O2:
		return c->o2(buf, BENCH_BUF_SIZE);
	case E_NV:
		return c->nv(buf, BENCH_BUF_SIZE);
	case E_INTERP:
	case E_JIT:
		err = stackbpf_vm__run(e == E_JIT ? r->jvm : r->vm, buf, BENCH_BUF_SIZE, &r0);
		if (err) {
			fprintf(stderr, "stackbpf-bench: %s: the %s failed: %s\n", c->name, engine_name[e],
				stackbpf_vm__errmsg(e == E_JIT ? r->jvm : r->vm));
			exit(1);
		}
		return r0;
	case E_KERNEL:
	case E_COUNT:
		err = kbench_run(env->kb, r->kfd, 1, &ns);
		if (err)
			die_kernel(c, err);
		if (kns)
			*kns = ns;
		if (want_r0) {
			if ((err = kbench_get_params(env->kb, params)))
				die_kernel(c, err);
			r0 = params[KB_P_R0];
		}
		return r0;
	}
	return 0;
}

/* The buffer an engine works on: ours and native use buf, the kernel its map. */
static int put_input(struct env *env, enum engine e, uint8_t *buf, const uint8_t *src)
{
	if (e == E_KERNEL)
		return kbench_set_data(env->kb, src);
	memcpy(buf, src, BENCH_BUF_SIZE);
	return 0;
}

/* Every engine once on the same input: same r0, same buffer afterwards.
 * Ours must agree (-1 otherwise); a disagreeing kernel loses its column. */
static int check_case(struct env *env, const struct bench_case *c, struct result *r)
{
	uint8_t want_mem[BENCH_BUF_SIZE];
	uint8_t *buf = env->buf;
	uint64_t r0;

	memcpy(buf, env->pattern, BENCH_BUF_SIZE);
	r->r0 = run_once(env, c, r, E_O2, buf, NULL, true);
	memcpy(want_mem, buf, BENCH_BUF_SIZE);
	for (enum engine e = E_NV; e < E_COUNT; e++) {
		if (e == E_KERNEL && r->kfd < 0)
			continue;
		int err = put_input(env, e, buf, env->pattern);

		if (err)
			die_kernel(c, err);
		r0 = run_once(env, c, r, e, buf, NULL, true);
		if (e == E_KERNEL && (err = kbench_get_data(env->kb, buf)))
			die_kernel(c, err);
		if (r0 != r->r0 || memcmp(buf, want_mem, BENCH_BUF_SIZE) != 0) {
			size_t i = 0;
			char msg[200];

			while (i < BENCH_BUF_SIZE - 1 && buf[i] == want_mem[i])
				i++;
			if (r0 != r->r0)
				snprintf(msg, sizeof(msg), "returned 0x%llx, native -O2 0x%llx", (unsigned long long)r0,
					 (unsigned long long)r->r0);
			else
				snprintf(msg, sizeof(msg), "left byte %zu = 0x%02x, native -O2 0x%02x", i, buf[i],
					 want_mem[i]);
			fprintf(stderr, "stackbpf-bench: %s: %s %s\n", c->name, engine_name[e], msg);
			if (e != E_KERNEL)
				return -1;
			snprintf(r->kwhy, sizeof(r->kwhy), "n/a (wrong result)");
			close(r->kfd);
			r->kfd = -1;
		}
	}
	return 0;
}

/* One sample: mean ns of `batch` runs. */
static double sample(struct env *env, const struct bench_case *c, struct result *r, enum engine e, unsigned batch)
{
	enum bench_clock clk = env->o.clock;
	double t, total = 0, ns;
	int err;

	if (e == E_KERNEL) {
		if (!c->reset_each_run) {
			if ((err = kbench_run(env->kb, r->kfd, batch, &ns)))
				die_kernel(c, err);
			return ns - env->kover_batch;
		}
		for (unsigned k = 0; k < batch; k++) {
			if ((err = kbench_set_data(env->kb, env->pattern)))
				die_kernel(c, err);
			run_once(env, c, r, e, env->buf, &ns, false);
			total += ns;
		}
		return total / batch - env->kover_single;
	}
	t = bench_now_ns(clk);
	for (unsigned k = 0; k < batch; k++) {
		if (c->reset_each_run)
			memcpy(env->buf, env->pattern, BENCH_BUF_SIZE);
		run_once(env, c, r, e, env->buf, NULL, false);
	}
	total = bench_now_ns(clk) - t;
	return total / batch - (c->reset_each_run ? r->restore_ns : 0);
}

/* Restoring the input alone, per run, best of reps: subtracted from the
 * samples of reset_each_run cases. */
static double restore_cost(struct env *env, unsigned reps)
{
	double best = INFINITY;

	for (unsigned rep = 0; rep < reps; rep++) {
		double t = bench_now_ns(env->o.clock);

		for (unsigned k = 0; k < 10000; k++) {
			memcpy(env->buf, env->pattern, BENCH_BUF_SIZE);
			__asm__ volatile("" : : "r"(env->buf) : "memory");
		}
		best = fmin(best, (bench_now_ns(env->o.clock) - t) / 10000);
	}
	return best;
}

/* Runs per sample so that one sample takes about SAMPLE_NS. */
static unsigned calibrate(struct env *env, const struct bench_case *c, struct result *r, enum engine e)
{
	double once, t, kns = 0;

	put_input(env, e, env->buf, env->pattern);
	t = bench_now_ns(BENCH_CLOCK_WALL);
	run_once(env, c, r, e, env->buf, &kns, false);
	once = e == E_KERNEL ? kns : bench_now_ns(BENCH_CLOCK_WALL) - t;
	return once >= SAMPLE_NS ? 1 : (unsigned)fmin(MAX_BATCH, ceil(SAMPLE_NS / fmax(once, 1)));
}

/* Time every engine of one case, round robin over the samples. */
static void time_case(struct env *env, const struct bench_case *c, struct result *r)
{
	for (enum engine e = 0; e < E_COUNT; e++) {
		r->ns[e] = NAN;
		if (e == E_KERNEL && r->kfd < 0)
			continue;
		r->batch[e] = calibrate(env, c, r, e);
		r->ns[e] = INFINITY;
	}
	if (c->reset_each_run)
		r->restore_ns = restore_cost(env, env->o.reps);
	for (unsigned rep = 0; rep < env->o.reps; rep++) {
		for (enum engine e = 0; e < E_COUNT; e++) {
			if (isnan(r->ns[e]))
				continue;
			if (!c->reset_each_run)
				put_input(env, e, env->buf, env->pattern);
			r->ns[e] = fmin(r->ns[e], sample(env, c, r, e, r->batch[e]));
		}
	}
}

/* The kernel's fixed cost per test run: an empty program, in a batch and
 * one run per call (as bsort runs), best of reps. */
static void kernel_overhead(struct env *env, const struct stackbpf_host *host)
{
	struct stackbpf_insn *insns = NULL;
	char dir[4096], why[200];
	size_t cnt;
	int fd;

	env->kover_batch = env->kover_single = 0;
	snprintf(dir, sizeof(dir), "%s/kernel", env->o.progs);
	if (assemble(dir, "empty", host, &insns, &cnt))
		return;
	fd = kbench_load(env->kb, insns, cnt, NULL, NULL, why, sizeof(why));
	free(insns);
	if (fd < 0) {
		fprintf(stderr, "stackbpf-bench: Linux refused kernel/empty.s: %s\n", why);
		return;
	}
	env->kover_batch = env->kover_single = INFINITY;
	for (unsigned rep = 0; rep < env->o.reps; rep++) {
		double ns, sum = 0;

		if (kbench_run(env->kb, fd, 100000, &ns) == 0)
			env->kover_batch = fmin(env->kover_batch, ns);
		for (unsigned k = 0; k < 1000; k++) {
			if (kbench_run(env->kb, fd, 1, &ns) == 0)
				sum += ns;
		}
		env->kover_single = fmin(env->kover_single, sum / 1000);
	}
	if (!isfinite(env->kover_batch))
		env->kover_batch = 0;
	if (!isfinite(env->kover_single))
		env->kover_single = 0;
	close(fd);
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

/* first line of a small text file, or "unknown" */
static void read_line(const char *path, char *out, size_t outsz)
{
	FILE *f = fopen(path, "r");

	snprintf(out, outsz, "unknown");
	if (f) {
		if (fgets(out, (int)outsz, f))
			out[strcspn(out, "\n")] = '\0';
		fclose(f);
	}
}

/* The 1-minute load average, or -1. */
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

#if defined(__clang__)
#define STR2(x) #x
#define STR(x) STR2(x)
#define COMPILER "clang " STR(__clang_major__) "." STR(__clang_minor__) "." STR(__clang_patchlevel__)
#else
#define COMPILER "gcc " __VERSION__
#endif

static double native_best(const struct result *r)
{
	return fmin(r->ns[E_O2], r->ns[E_NV]);
}

static const struct result *find_result(const struct result *res, const char *name)
{
	for (size_t i = 0; i < NCASES; i++)
		if (strcmp(cases[i].name, name) == 0)
			return res[i].selected ? &res[i] : NULL;
	return NULL;
}

static const char *yes_no(bool met)
{
	return met ? "met" : "NOT MET";
}

/* "  0.955  1.00x" or the reason */
static void print_engine(const struct result *r, enum engine e, double units, double nat, int width)
{
	if (isnan(r->ns[e])) {
		printf("  %-*s", width, r->kfd < 0 && e == E_KERNEL ? r->kwhy : "n/a");
		return;
	}
	printf("  %*.3f %6.2fx", width - 7, r->ns[e] / units, r->ns[e] / units / nat);
}

static void print_header(const struct env *env)
{
	char cpu[128], rel[64], srso[128];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	cpu_model(cpu, sizeof(cpu));
	read_line("/proc/sys/kernel/osrelease", rel, sizeof(rel));
	read_line("/sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow", srso, sizeof(srso));
	printf("stackbpf-bench: %s (%ld CPUs, load average %.2f), Linux %s (SRSO: %s)\n", cpu, ncpu,
	       load_average(), rel, srso);
	printf("native = %s at -O2 and at -O2 -fno-tree-vectorize; best of %u samples of ~5 ms per figure, "
	       "engines interleaved;\n",
	       COMPILER, env->o.reps);
	printf("clock: %s. Ratios are to the best native.\n",
	       env->o.clock == BENCH_CLOCK_CPU ? "thread CPU time (CLOCK_THREAD_CPUTIME_ID; --clock wall for "
						"CLOCK_MONOTONIC)"
					      : "CLOCK_MONOTONIC");
}

static double print_workloads(const struct env *env, const struct result *res, double *geo_linux, size_t *n_linux)
{
	double geo = 0, lgeo = 0, ageo_u = 0, ageo_l = 0;
	size_t n = 0, ln = 0;
	int kw = 15;   /* the Linux column: wide enough for its reason */

	for (size_t i = 0; i < NCASES; i++)
		if (res[i].selected && cases[i].group == WORKLOAD && isnan(res[i].ns[E_KERNEL]) &&
		    (int)strlen(res[i].kwhy) > kw)
			kw = (int)strlen(res[i].kwhy);
	printf("\n1. workloads: ns per unit of work (ratio to the best native)\n");
	printf("%-6s %-10s %7s %7s  %15s  %15s  %*s  %9s %9s\n", "bench", "unit", "-O2", "-novec", "stackbpf jit",
	       "stackbpf interp", kw, "Linux JIT", "uBPF jit*", "Linux*");
	for (size_t i = 0; i < NCASES; i++) {
		const struct bench_case *c = &cases[i];
		const struct result *r = &res[i];
		double nat;

		if (!r->selected || c->group != WORKLOAD)
			continue;
		nat = native_best(r) / c->units;
		printf("%-6s %-10s %7.3f %7.3f", c->name, c->unit, r->ns[E_O2] / c->units, r->ns[E_NV] / c->units);
		print_engine(r, E_JIT, c->units, nat, 15);
		print_engine(r, E_INTERP, c->units, nat, 15);
		print_engine(r, E_KERNEL, c->units, nat, kw);
		printf("  %8.2fx %8.2fx\n", c->anchor.ubpf_jit / c->anchor.native,
		       c->anchor.linux_jit / c->anchor.native);
		geo += log(r->ns[E_JIT] / c->units / nat);
		ageo_u += log(c->anchor.ubpf_jit / c->anchor.native);
		ageo_l += log(c->anchor.linux_jit / c->anchor.native);
		n++;
		if (!isnan(r->ns[E_KERNEL])) {
			lgeo += log(r->ns[E_KERNEL] / c->units / nat);
			ln++;
		}
	}
	if (!n)
		return NAN;
	printf("%-6s %-10s %7s %7s  %8s %6.2fx  %15s", "geomean", "", "", "", "", exp(geo / (double)n), "");
	if (ln == n)
		printf("  %*s %6.2fx", kw - 7, "", exp(lgeo / (double)ln));
	else
		printf("  %*s", kw, "");
	printf("  %8.2fx %8.2fx\n", exp(ageo_u / (double)n), exp(ageo_l / (double)n));
	printf("* from ../shared/docs/anchors.md (measured on a machine of the same kind, not in this run): "
	       "uBPF JIT and Linux 6.18 JIT / native.\n");
	if (env->kb) {
		printf("Linux JIT: progs/kernel/NAME.s (the same computation in the form Linux's verifier accepts: "
		       "may_goto at loop heads,\n"
		       "  bounds from a map; see each file) as a socket filter through BPF_PROG_TEST_RUN; the "
		       "in-kernel duration per run\n"
		       "  minus an empty program's (%.1f ns per run in a batch, %.1f ns for a single run as bsort "
		       "uses between input resets).\n",
		       env->kover_batch, env->kover_single);
		printf("  kernel variants, insns / BPF_PROG_LOAD us / processed insns:");
		for (size_t i = 0; i < NCASES; i++)
			if (res[i].selected && cases[i].group == WORKLOAD && res[i].kfd >= 0)
				printf(" %s %zu/%.0f/%llu", cases[i].name, res[i].kinsn_cnt, res[i].kload_us,
				       (unsigned long long)res[i].kprocessed);
		printf("\n");
	}
	if (geo_linux)
		*geo_linux = ln == n ? exp(lgeo / (double)ln) : NAN;
	if (n_linux)
		*n_linux = ln;
	return exp(geo / (double)n);
}

static void print_stackargs(const struct result *res)
{
	bool any = false;

	for (size_t i = 0; i < NCASES; i++)
		any |= res[i].selected && cases[i].group == STACKARG;
	if (!any)
		return;
	printf("\n2. stack arguments: 10^6 calls per run, ns per call including the loop\n");
	printf("%-9s %-40s %7s %7s %7s %7s %7s %8s %8s\n", "case", "arguments", "native", "jit", "jit/nat",
	       "interp", "int/nat", "+interp", "target");
	for (size_t i = 0; i < NCASES; i++) {
		const struct bench_case *c = &cases[i];
		const struct result *r = &res[i], *b;
		double nat, in, jit;

		if (!r->selected || c->group != STACKARG)
			continue;
		b = find_result(res, c->base);
		nat = native_best(r) / c->units;
		in = r->ns[E_INTERP] / c->units;
		jit = r->ns[E_JIT] / c->units;
		printf("%-9s %-40s %7.3f %7.3f %6.2fx %7.2f %6.1fx", c->name, c->what, nat, jit, jit / nat, in,
		       in / nat);
		if (b && b != r)
			printf(" %+8.2f", in - b->ns[E_INTERP] / c->units);
		else
			printf(" %8s", "-");
		if (c->call_target > 0)
			printf(" <=%.2fx %s", c->call_target, yes_no(jit / nat <= c->call_target));
		printf("\n");
	}
	printf("(native: gcc calls of noipa C functions with the same signatures; for hostN the native loop calls "
	       "the registry's own\n"
	       " sum_argsN from src/vm/host.c through a function pointer, the very function the JIT's host call "
	       "reaches, so both\n"
	       " sides run the same callee. +interp: interpreter ns/call beyond the 5-argument case of the same "
	       "kind.)\n");
}

static void print_loadcost(const struct loadcost_row *rows, size_t n, bool kernel)
{
	printf("\n3. load + verify + JIT of generated programs, us (best of the samples)\n");
	printf("%-9s %6s %9s %9s %9s %7s %9s %10s %11s %10s\n", "shape", "insns", "load", "verify", "jit", "(vm)",
	       "total", "processed", "Linux load", "processed");
	for (size_t i = 0; i < n; i++) {
		const struct loadcost_row *w = &rows[i];

		if (!w->ok) {
			printf("%-9s %6zu  failed: %s\n", w->shape, w->insns, w->why);
			continue;
		}
		printf("%-9s %6zu %9.1f %9.1f %9.1f %7.1f %9.1f %10llu", w->shape, w->insns, w->load_us, w->verify_us,
		       w->jit_us, w->vm_us, w->total_us, (unsigned long long)w->processed);
		if (w->kernel_us >= 0)
			printf(" %11.1f %10llu\n", w->kernel_us, (unsigned long long)w->kprocessed);
		else
			printf(" %11s\n", kernel ? "refused" : "n/a");
	}
	printf("(load = stackbpf_prog__from_insns + __validate; verify = stackbpf_prog__verify; jit = "
	       "stackbpf_vm__new with the JIT\n"
	       " engine: its checks, pre-decoding and the x86-64 compile with mmap + mprotect of the code; (vm) = "
	       "the part of jit\n"
	       " that is not the compile (stackbpf_vm__new with the interpreter). Linux load = BPF_PROG_LOAD "
	       "(verify + JIT) of the\n"
	       " same program as a socket filter with r1 set to a map value.)\n");
}

static void print_targets(const struct result *res, double geo, const struct loadcost_row *rows, size_t nrows)
{
	const struct result *c12 = find_result(res, "call12"), *h12 = find_result(res, "host12");

	printf("\n4. targets (issue 5)\n");
	for (size_t i = 0; i < NCASES; i++) {
		const struct bench_case *c = &cases[i];
		const struct result *r = &res[i];
		double ratio;

		if (!r->selected || c->group != WORKLOAD)
			continue;
		ratio = r->ns[E_JIT] / native_best(r);
		printf("  jit %-6s <= %.2fx best native: %5.2fx  %s\n", c->name, JIT_TARGET, ratio,
		       yes_no(ratio <= JIT_TARGET));
	}
	if (!isnan(geo))
		printf("  jit geometric mean <= %.2fx:       %5.2fx  %s\n", JIT_GEO_TARGET, geo,
		       yes_no(geo <= JIT_GEO_TARGET));
	if (c12) {
		double ratio = c12->ns[E_JIT] / native_best(c12);

		printf("  12-arg BPF-to-BPF call <= %.2fx:    %5.2fx  %s\n", CALL12_TARGET, ratio,
		       yes_no(ratio <= CALL12_TARGET));
	}
	if (h12) {
		double ratio = h12->ns[E_JIT] / native_best(h12);

		printf("  12-arg host call <= %.2fx:          %5.2fx  %s\n", CALL12_TARGET, ratio,
		       yes_no(ratio <= CALL12_TARGET));
	}
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].insns == 1000)
			printf("  1k-insn load+verify+JIT < 1 ms (%s): %7.1f us  %s\n", rows[i].shape,
			       rows[i].ok ? rows[i].total_us : NAN,
			       yes_no(rows[i].ok && rows[i].total_us < LOAD1K_TARGET_US));
	for (size_t i = 0; i < NCASES; i++) {
		const struct bench_case *c = &cases[i];
		const struct result *r = &res[i];
		double in;

		if (!r->selected || c->group != WORKLOAD)
			continue;
		in = r->ns[E_INTERP] / c->units;
		printf("  interpreter %-6s <= %2.0f ns (issue 2): %6.2f ns  %s (uBPF interpreter %.1f ns*, %.2fx "
		       "faster)\n",
		       c->name, c->target_ns, in, yes_no(in <= c->target_ns), c->anchor.ubpf_interp,
		       c->anchor.ubpf_interp / in);
	}
}

static void print_json(const struct env *env, const struct result *res, const struct loadcost_row *rows,
		       size_t nrows)
{
	char cpu[128];
	bool first = true;

	cpu_model(cpu, sizeof(cpu));
	printf("{\"cpu\":\"%s\",\"native_compiler\":\"%s\",\"reps\":%u,\"loadavg\":%.2f,\"clock\":\"%s\","
	       "\"kernel\":%s,\"kernel_overhead_ns\":%.2f,\"cases\":[",
	       cpu, COMPILER, env->o.reps, load_average(), env->o.clock == BENCH_CLOCK_CPU ? "cpu" : "wall",
	       env->kb ? "true" : "false", env->kover_batch);
	for (size_t i = 0; i < NCASES; i++) {
		const struct bench_case *c = &cases[i];
		const struct result *r = &res[i];
		double nat;

		if (!r->selected)
			continue;
		nat = native_best(r) / c->units;
		printf("%s\n {\"name\":\"%s\",\"group\":\"%s\",\"unit\":\"%s\",\"units_per_run\":%.0f,"
		       "\"prog_insns\":%zu,\"r0\":\"0x%llx\",\"native_o2_ns\":%.4f,\"native_novec_ns\":%.4f,"
		       "\"native_ns\":%.4f,\"jit_ns\":%.4f,\"jit_ratio\":%.3f,\"interp_ns\":%.4f,\"interp_ratio\":%.3f",
		       first ? "" : ",", c->name, c->group == WORKLOAD ? "workload" : "stackargs", c->unit, c->units,
		       r->insn_cnt, (unsigned long long)r->r0, r->ns[E_O2] / c->units, r->ns[E_NV] / c->units, nat,
		       r->ns[E_JIT] / c->units, r->ns[E_JIT] / c->units / nat, r->ns[E_INTERP] / c->units,
		       r->ns[E_INTERP] / c->units / nat);
		if (!isnan(r->ns[E_KERNEL]))
			printf(",\"linux_jit_ns\":%.4f,\"linux_jit_ratio\":%.3f,\"linux_insns\":%zu,\"linux_load_us\":%.1f",
			       r->ns[E_KERNEL] / c->units, r->ns[E_KERNEL] / c->units / nat, r->kinsn_cnt, r->kload_us);
		else if (c->group == WORKLOAD)
			printf(",\"linux_jit\":\"n/a (%s)\"", r->kwhy);
		printf("}");
		first = false;
	}
	printf("\n],\"loadcost\":[");
	for (size_t i = 0; i < nrows; i++)
		printf("%s\n {\"shape\":\"%s\",\"insns\":%zu,\"ok\":%s,\"load_us\":%.2f,\"verify_us\":%.2f,"
		       "\"jit_us\":%.2f,\"vm_us\":%.2f,\"total_us\":%.2f,\"processed\":%llu,\"linux_load_us\":%.2f,"
		       "\"linux_processed\":%llu}",
		       i ? "," : "", rows[i].shape, rows[i].insns, rows[i].ok ? "true" : "false",
		       rows[i].ok ? rows[i].load_us : -1, rows[i].ok ? rows[i].verify_us : -1,
		       rows[i].ok ? rows[i].jit_us : -1, rows[i].ok ? rows[i].vm_us : -1, rows[i].ok ? rows[i].total_us : -1,
		       (unsigned long long)rows[i].processed, rows[i].kernel_us,
		       (unsigned long long)rows[i].kprocessed);
	printf("\n]}\n");
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: stackbpf-bench [--only NAME[,NAME...]] [--reps N] [--clock cpu|wall] [--json]\n"
		"                      [--no-kernel] [--no-loadcost] [--progs DIR]\n"
		"\n"
		"Times each benchmark program (DIR/NAME.s) in the stackbpf JIT and interpreter, and\n"
		"its kernel variant (DIR/kernel/NAME.s) in Linux's JIT through BPF_PROG_TEST_RUN when\n"
		"bpf() is permitted, beside the same computation in C (gcc -O2 and -O2\n"
		"-fno-tree-vectorize); prints ns per unit of work and the ratio to the best native,\n"
		"the stack-argument microbench, the cost of load + verify + JIT of generated\n"
		"programs of 100, 1k and 10k insns, and the issue-5 targets met or not.\n"
		"Before timing, every engine must return the same r0 and leave the same memory\n"
		"(a mismatch of ours is an error, exit 1; the kernel's drops its column).\n"
		"\n"
		"  --only NAMES   run only these cases (comma-separated); names:\n"
		"                 workloads: arith memrw calls fnv1a bsort\n"
		"                 stack args: call5 call6 call8 call12 struct12 host5 host6 host8 host12\n"
		"  --reps N       samples per engine and case, the best counts (default 15)\n"
		"  --clock C      cpu: thread CPU time (default; robust on a busy machine), wall: monotonic\n"
		"  --json         one JSON object instead of the tables\n"
		"  --no-kernel    do not use bpf()\n"
		"  --no-loadcost  skip the load + verify + JIT table\n"
		"  --progs DIR    where the .s programs are (default %s)\n"
		"  --help         this text\n"
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

static int check_only(const char *only)
{
	for (const char *p = only; *p;) {
		size_t len = strcspn(p, ",");
		bool known = false;

		for (size_t i = 0; i < NCASES; i++)
			known |= strlen(cases[i].name) == len && strncmp(p, cases[i].name, len) == 0;
		if (!known) {
			fprintf(stderr, "stackbpf-bench: --only: no case named '%.*s' (see --help)\n", (int)len, p);
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
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
		} else if (strcmp(a, "--no-kernel") == 0) {
			o->no_kernel = true;
		} else if (strcmp(a, "--no-loadcost") == 0) {
			o->no_loadcost = true;
		} else if (strcmp(a, "--only") == 0 || strcmp(a, "--reps") == 0 || strcmp(a, "--progs") == 0 ||
			   strcmp(a, "--clock") == 0) {
			if (!val) {
				fprintf(stderr, "stackbpf-bench: %s needs a value\n", a);
				return -1;
			}
			i++;
			if (strcmp(a, "--only") == 0) {
				o->only = val;
			} else if (strcmp(a, "--progs") == 0) {
				o->progs = val;
			} else if (strcmp(a, "--clock") == 0) {
				if (strcmp(val, "cpu") && strcmp(val, "wall")) {
					fprintf(stderr, "stackbpf-bench: --clock wants cpu or wall, not '%s'\n", val);
					return -1;
				}
				o->clock = strcmp(val, "cpu") == 0 ? BENCH_CLOCK_CPU : BENCH_CLOCK_WALL;
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
	return o->only ? check_only(o->only) : 0;
}

static int fill_host_fns(const struct stackbpf_host *host)
{
	static const char *const names[] = { "sum_args5", "sum_args6", "sum_args8", "sum_args12" };
	void *fns[4];

	for (size_t i = 0; i < 4; i++) {
		const struct stackbpf_fn_desc *d = stackbpf_host__fn(host, stackbpf_host__find(host, names[i]));

		if (!d || !d->fn)
			return -1;
		fns[i] = d->fn;
	}
	/* object pointer to function pointer through memcpy: same size on every target we build for */
	memcpy(&bench_host_fns.sum_args5, &fns[0], sizeof(void *));
	memcpy(&bench_host_fns.sum_args6, &fns[1], sizeof(void *));
	memcpy(&bench_host_fns.sum_args8, &fns[2], sizeof(void *));
	memcpy(&bench_host_fns.sum_args12, &fns[3], sizeof(void *));
	return 0;
}

static int setup(struct env *env, struct stackbpf_host *host)
{
	int err = stackbpf_host__add_examples(host);

	if (err < 0 || fill_host_fns(host)) {
		fprintf(stderr, "stackbpf-bench: cannot register the example host functions: %s\n",
			strerror(err < 0 ? -err : ENOENT));
		return -1;
	}
	fill_pattern(env->pattern);
	if (env->o.no_kernel) {
		snprintf(env->kb_why, sizeof(env->kb_why), "n/a (--no-kernel)");
	} else if (kbench_open(&env->kb, env->kb_why, sizeof(env->kb_why)) < 0) {
		fprintf(stderr, "stackbpf-bench: no Linux column: %s\n", env->kb_why);
		snprintf(env->kb_why, sizeof(env->kb_why), "n/a (bpf() not permitted)");
		env->kb = NULL;
	} else if (kbench_set_params(env->kb, kernel_params)) {
		snprintf(env->kb_why, sizeof(env->kb_why), "n/a (params map: %s)", strerror(errno));
		kbench_close(env->kb);
		env->kb = NULL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct env env = { .o = { .progs = STACKBPF_BENCH_PROGS, .reps = 15, .clock = BENCH_CLOCK_CPU } };
	struct result res[NCASES] = { 0 };
	struct loadcost_row rows[8];
	struct stackbpf_host *host = stackbpf_host__new();
	size_t nrows = 0;
	int status = 0;
	double geo = NAN;

	env.buf = aligned_alloc(64, BENCH_BUF_SIZE);
	env.pattern = aligned_alloc(64, BENCH_BUF_SIZE);
	for (size_t i = 0; i < NCASES; i++)
		res[i].kfd = -1;
	if (parse_args(argc, argv, &env.o)) {
		status = 2;
		goto out;
	}
	if (!env.buf || !env.pattern || !host) {
		fprintf(stderr, "stackbpf-bench: out of memory\n");
		status = 1;
		goto out;
	}
	if (setup(&env, host)) {
		status = 1;
		goto out;
	}

	/* load and cross-check everything before timing anything */
	for (size_t i = 0; i < NCASES; i++) {
		res[i].selected = !env.o.only || in_list(env.o.only, cases[i].name);
		if (!res[i].selected)
			continue;
		if (load_case(&env.o, host, &cases[i], &res[i])) {
			status = 1;
			goto out;
		}
		load_kernel_case(&env, host, &cases[i], &res[i]);
		if (check_case(&env, &cases[i], &res[i])) {
			status = 1;
			goto out;
		}
	}
	if (env.kb)
		kernel_overhead(&env, host);
	for (size_t i = 0; i < NCASES; i++)
		if (res[i].selected)
			time_case(&env, &cases[i], &res[i]);
	if (!env.o.json) {
		/* what is measured is printed before the load-cost phase starts */
		print_header(&env);
		geo = print_workloads(&env, res, NULL, NULL);
		print_stackargs(res);
		fflush(stdout);
	}
	if (!env.o.no_loadcost)
		nrows = loadcost_measure(host, env.kb, env.o.reps, env.o.clock, rows, sizeof(rows) / sizeof(rows[0]));
	if (env.o.json) {
		print_json(&env, res, rows, nrows);
		goto out;
	}
	if (nrows)
		print_loadcost(rows, nrows, env.kb != NULL);
	print_targets(res, geo, rows, nrows);
out:
	for (size_t i = 0; i < NCASES; i++) {
		stackbpf_vm__free(res[i].vm);
		stackbpf_vm__free(res[i].jvm);
		if (res[i].prog)
			stackbpf_prog__free(res[i].prog);
		if (res[i].kfd >= 0)
			close(res[i].kfd);
	}
	kbench_close(env.kb);
	stackbpf_host__free(host);
	free(env.buf);
	free(env.pattern);
	return status;
}
