/* native.c - the benchmark programs in C, the baseline the interpreter is
 * measured against. Each function computes exactly what progs/NAME.s computes,
 * with the same algorithm and the same loop structure (no shortcuts on either
 * side); the runner checks that both return the same value and leave the same
 * memory before it prints any timing.
 *
 * Compiled twice by bench/CMakeLists.txt: -O2 with BENCH_PREFIX=o2_ and
 * -O2 -fno-tree-vectorize with BENCH_PREFIX=nv_. Callees are kept out of line
 * and opaque to interprocedural optimisation (gcc: noipa; clang: noinline on
 * an external function), so every call really passes its arguments. */
#include <stdint.h>
#include "native.h"

#ifndef BENCH_PREFIX
#error "compile with -DBENCH_PREFIX=o2_ (or nv_)"
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define NAT(name) CAT(BENCH_PREFIX, name)

#if defined(__clang__)
#define OPAQUE __attribute__((noinline))
#else
#define OPAQUE __attribute__((noipa))
#endif

typedef uint64_t u64;
typedef uint32_t u32;

/* ------------------------------------------------------------ workloads */

u64 NAT(arith)(uint8_t *mem, u64 len)
{
	u64 x = len, h = 0;

	(void)mem;
	for (u64 i = 0; i < 10000000; i++) {
		x = x * 6364136223846793005ull + i;
		h ^= x;
	}
	return h;
}

u64 NAT(memrw)(uint8_t *mem, u64 len)
{
	u64 *w = (u64 *)(void *)mem, acc = 0;

	(void)len;
	for (u64 p = 0; p < 64; p++) {
		for (u64 i = 0; i < 511; i++) {
			acc += w[i];
			w[i] = acc;
		}
	}
	return acc;
}

u64 NAT(leaf5)(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);
OPAQUE u64 NAT(leaf5)(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	return (((a1 + a2) ^ a3) + a4) ^ a5;
}

u64 NAT(calls)(uint8_t *mem, u64 len)
{
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++)
		acc = NAT(leaf5)(acc, i, 3, 4, 5);
	return acc;
}

u64 NAT(fnv1a)(uint8_t *mem, u64 len)
{
	u64 h = 0xcbf29ce484222325ull;

	for (u64 i = 0; i < len; i++) {
		h ^= mem[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

u64 NAT(bsort)(uint8_t *mem, u64 len)
{
	u32 *a = (u32 *)(void *)mem;
	u64 h = 0;

	(void)len;
	for (u64 n = 255; n != 0; n--) {
		for (u64 j = 0; j < n; j++) {
			u32 x = a[j], y = a[j + 1];
			if (x > y) {
				a[j] = y;
				a[j + 1] = x;
			}
		}
	}
	for (u64 j = 0; j < 256; j++)
		h = h * 31 + a[j];
	return h;
}

/* ---------------------------------------- stack-argument microbench */

/* BPF-to-BPF leaves: a1 + a2 ^ a3 + a4 ^ a5 + a6 ..., left to right */
u64 NAT(leaf6)(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6);
OPAQUE u64 NAT(leaf6)(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6)
{
	return ((((a1 + a2) ^ a3) + a4) ^ a5) + a6;
}

u64 NAT(leaf8)(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8);
OPAQUE u64 NAT(leaf8)(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8)
{
	return ((((((a1 + a2) ^ a3) + a4) ^ a5) + a6) ^ a7) + a8;
}

u64 NAT(leaf12)(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8, u64 a9, u64 a10,
		u64 a11, u64 a12);
OPAQUE u64 NAT(leaf12)(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8, u64 a9, u64 a10,
		       u64 a11, u64 a12)
{
	return ((((((((((a1 + a2) ^ a3) + a4) ^ a5) + a6) ^ a7) + a8) ^ a9) + a10) ^ a11) + a12;
}

/* the workaround without stack arguments: a5..a12 behind a pointer */
struct args8 {
	u64 a5, a6, a7, a8, a9, a10, a11, a12;
};

u64 NAT(leaf_s)(u64 a1, u64 a2, u64 a3, u64 a4, const struct args8 *s);
OPAQUE u64 NAT(leaf_s)(u64 a1, u64 a2, u64 a3, u64 a4, const struct args8 *s)
{
	return ((((((((((a1 + a2) ^ a3) + a4) ^ s->a5) + s->a6) ^ s->a7) + s->a8) ^ s->a9) + s->a10) ^
		s->a11) + s->a12;
}

u64 NAT(call5)(uint8_t *mem, u64 len)
{
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++)
		acc = NAT(leaf5)(acc, i, 3, 4, 5);
	return acc;
}

u64 NAT(call6)(uint8_t *mem, u64 len)
{
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++)
		acc = NAT(leaf6)(acc, i, 3, 4, 5, 6);
	return acc;
}

u64 NAT(call8)(uint8_t *mem, u64 len)
{
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++)
		acc = NAT(leaf8)(acc, i, 3, 4, 5, 6, 7, 8);
	return acc;
}

u64 NAT(call12)(uint8_t *mem, u64 len)
{
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++)
		acc = NAT(leaf12)(acc, i, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
	return acc;
}

u64 NAT(struct12)(uint8_t *mem, u64 len)
{
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++) {
		struct args8 s = { 5, 6, 7, 8, 9, 10, 11, 12 };
		acc = NAT(leaf_s)(acc, i, 3, 4, &s);
	}
	return acc;
}

/* host functions: the registry's own sum_argsN (src/vm/host.c), the functions
 * the BPF programs' host calls reach, called out of line through a pointer
 * read once before the loop (native.h: bench_host_fns), so both sides run the
 * same callee and differ only in the call site. */
u64 NAT(host5)(uint8_t *mem, u64 len)
{
	u64 (*f)(u64, u64, u64, u64, u64) = bench_host_fns.sum_args5;
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++)
		acc = f(acc, i, 3, 4, 5);
	return acc;
}

u64 NAT(host6)(uint8_t *mem, u64 len)
{
	u64 (*f)(u64, u64, u64, u64, u64, u64) = bench_host_fns.sum_args6;
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++)
		acc = f(acc, i, 3, 4, 5, 6);
	return acc;
}

u64 NAT(host8)(uint8_t *mem, u64 len)
{
	u64 (*f)(u64, u64, u64, u64, u64, u64, u64, u64) = bench_host_fns.sum_args8;
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++)
		acc = f(acc, i, 3, 4, 5, 6, 7, 8);
	return acc;
}

u64 NAT(host12)(uint8_t *mem, u64 len)
{
	u64 (*f)(u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64) = bench_host_fns.sum_args12;
	u64 acc = len;

	(void)mem;
	for (u64 i = 0; i < 1000000; i++)
		acc = f(acc, i, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
	return acc;
}
