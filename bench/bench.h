/* bench.h - what the parts of stackbpf-bench share: the clock, the Linux
 * engine (kernel.c) and the load-cost table (loadcost.c). runner.c has the
 * workloads, the timing loop and the tables. */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stackbpf/stackbpf.h"

#define BENCH_BUF_SIZE 4096

enum bench_clock {
	BENCH_CLOCK_CPU,     /* CLOCK_THREAD_CPUTIME_ID: time the thread ran (default) */
	BENCH_CLOCK_WALL,    /* CLOCK_MONOTONIC */
};

double bench_now_ns(enum bench_clock clock);

/* ---- the Linux engine (kernel.c) */

enum {
	KB_PARAMS = 8,       /* u64 slots of the params map */
	KB_P_ARITH = 0,      /* 10^7 */
	KB_P_MEMRW = 1,      /* 64 passes */
	KB_P_CALLS = 2,      /* 10^6 */
	KB_P_BSORT = 3,      /* n = 255 */
	KB_P_SCRATCH = 5,    /* bsort's offset through memory */
	KB_P_R0 = 7,         /* the program's 64-bit result */
};

struct kbench;
/* 0, or a negative errno with the reason ("bpf() not permitted: ...") in why */
int kbench_open(struct kbench **out, char *why, size_t whysz);
void kbench_close(struct kbench *k);
/* A prog fd (map references patched), or a negative errno with the
 * verifier's last log line in why. *load_us: wall time of BPF_PROG_LOAD
 * (without a log); *processed: the verifier's "processed N insns" (a second,
 * untimed load with the statistics log). Both may be NULL. */
int kbench_load(struct kbench *k, const struct stackbpf_insn *insns, size_t cnt, double *load_us,
		uint64_t *processed, char *why, size_t whysz);
int kbench_set_data(struct kbench *k, const uint8_t *buf);
int kbench_get_data(struct kbench *k, uint8_t *buf);
int kbench_set_params(struct kbench *k, const uint64_t *params);
int kbench_get_params(struct kbench *k, uint64_t *params);
/* BPF_PROG_TEST_RUN `repeat` times; *ns_per_run = the kernel's mean duration */
int kbench_run(struct kbench *k, int prog_fd, uint32_t repeat, double *ns_per_run);

/* ---- load + verify + JIT of generated programs (loadcost.c) */

struct loadcost_row {
	const char *shape;       /* "straight" or "branches" */
	size_t insns;
	double load_us, verify_us, jit_us, total_us;
	double vm_us;            /* stackbpf_vm__new without the JIT (part of jit_us) */
	double kernel_us;        /* BPF_PROG_LOAD of the same program, or < 0 */
	uint64_t kprocessed;     /* the kernel verifier's processed insns */
	uint64_t processed;      /* our verifier's processed insns */
	bool ok;
	char why[160];
};
/* Fill rows (2 shapes x 100, 1k, 10k insns = 6 rows): best of `reps`.
 * k may be NULL (no kernel column). Returns the number of rows. */
size_t loadcost_measure(const struct stackbpf_host *host, struct kbench *k, unsigned reps,
			enum bench_clock clock, struct loadcost_row *rows, size_t max);

#endif
