/* native.h - the C versions of the benchmark programs (bench/native.c).
 *
 * native.c is compiled twice, with -O2 (prefix o2_) and with
 * -O2 -fno-tree-vectorize (prefix nv_); each case NAME of progs/NAME.s has a
 * function of the same shape as the BPF entry: r1 = mem, r2 = len, returns r0. */
#ifndef BENCH_NATIVE_H
#define BENCH_NATIVE_H

#include <stdint.h>

typedef uint64_t (*bench_native_fn)(uint8_t *mem, uint64_t len);

/* every case, in table order: the five workloads, then the stack-argument microbench */
#define BENCH_NATIVE_CASES(X) \
	X(arith) X(memrw) X(calls) X(fnv1a) X(bsort) \
	X(call5) X(call6) X(call8) X(call12) X(struct12) \
	X(host5) X(host6) X(host8) X(host12)

/* The host cases' native baseline calls the very C functions the host calls
 * of the BPF programs reach (the registry's sum_argsN in src/vm/host.c), out
 * of line through a pointer the runner fills in before anything runs. */
struct bench_host_fns {
	uint64_t (*sum_args5)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
	uint64_t (*sum_args6)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
	uint64_t (*sum_args8)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
	uint64_t (*sum_args12)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
};
extern struct bench_host_fns bench_host_fns;

#define BENCH_NATIVE_DECLARE(name) \
	uint64_t o2_##name(uint8_t *mem, uint64_t len); \
	uint64_t nv_##name(uint8_t *mem, uint64_t len);
BENCH_NATIVE_CASES(BENCH_NATIVE_DECLARE)
#undef BENCH_NATIVE_DECLARE

#endif
