/* gen.h - a structured random BPF program generator for the differential and
 * soundness tests: programs that mostly verify, deterministic from a seed.
 *
 * A program is built from snippets over a small model of what each register
 * and stack slot holds (scalar, constant, pointer to stack / input memory /
 * map value / packet / context), so that most programs pass the verifier
 * while they still hit its corners: shifts, div/mod by zero and INT_MIN/-1,
 * 32-bit zero extension, sign-extended immediates, movsx, bswap, spills and
 * fills, pointer arithmetic behind bounds checks (`if r2 > 16 goto` before
 * `r1 += r2`), atomics, BPF-to-BPF calls with 0..12 arguments (6..12 through
 * r11, re-forwarded by nested calls), host calls (sum_args0..12, mem_sum),
 * bounded and may_goto loops, bpf_loop callbacks, map look-ups with null checks, packet accesses
 * behind data_end checks. Nothing a program stores or returns depends on a
 * pointer's value, so two engines must agree on r0, memory and maps. */
#ifndef STACKBPF_TESTS_GEN_H
#define STACKBPF_TESTS_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "stackbpf/stackbpf.h"

/* what a program may contain */
enum gen_feature {
	GEN_ALU = 1u << 0,        /* ALU corner cases */
	GEN_STACK = 1u << 1,      /* spills, fills, narrow stack accesses */
	GEN_MEM = 1u << 2,        /* the raw input behind r1 (raw programs) */
	GEN_BRANCH = 1u << 3,     /* if/else on bounds */
	GEN_ATOMIC = 1u << 4,
	GEN_CALLS = 1u << 5,      /* BPF-to-BPF calls with up to 5 arguments */
	GEN_STACK_ARGS = 1u << 6, /* ... and 6..12 arguments through r11 */
	GEN_HOST = 1u << 7,       /* sum_args0..12, mem_sum */
	GEN_LOOPS = 1u << 8,      /* bounded loops */
	GEN_MAY_GOTO = 1u << 9,   /* may_goto loops */
	GEN_MAPS = 1u << 10,      /* map look-ups / updates / direct values */
	GEN_PKT = 1u << 11,       /* context fields and packet data (packet types) */
	GEN_VAROFF = 1u << 12,    /* variable offsets on the stack */
	GEN_EDGE = 1u << 13,      /* now and then an access one byte out of bounds
				   * (such a program must be rejected) */
	GEN_CALLBACK = 1u << 14,  /* bpf_loop with a callback subprogram */
	GEN_ALL = (1u << 15) - 1,
	/* what Linux loads: no r11, no host functions (callbacks need BTF
	 * func_info, which tests/testkernel.h makes) */
	GEN_KERNEL = GEN_ALL & ~(GEN_STACK_ARGS | GEN_HOST),
};

struct gen_opts {
	uint64_t seed;
	unsigned features;                 /* enum gen_feature; 0 = GEN_ALL */
	enum stackbpf_prog_type type;      /* RAW (0), SOCKET_FILTER, SCHED_CLS, XDP */
	unsigned size;                     /* snippets in main; 0 = random 4..24 */
	const struct stackbpf_host *host;  /* resolves sum_argsN / mem_sum ids */
};

enum { GEN_MAX_MAPS = 4, GEN_MAX_INIT = 4, GEN_MAX_MEM = 256, GEN_MAX_FUNCS = 24 };

struct gen_map {
	uint32_t type, key_size, value_size, max_entries;
	/* elements present before the run (hash maps) */
	unsigned ninit;
	uint8_t init_key[GEN_MAX_INIT][8];
	uint8_t init_val[GEN_MAX_INIT][64];
};

struct gen_prog {
	uint64_t seed;
	unsigned features;
	enum stackbpf_prog_type type;
	struct stackbpf_insn *insns;
	size_t cnt, cap;
	/* raw: r1 = mem (mem_size bytes); packet types: the packet */
	uint32_t mem_size;
	uint8_t mem[GEN_MAX_MEM];
	struct gen_map maps[GEN_MAX_MAPS];
	size_t nmaps;
	/* what the program used (statistics) */
	unsigned nfuncs, ncalls, nhost, nloops, nmapops, nr11, nedge;
	int max_args;
};

/* Generate one program; 0, or -ENOMEM. Free with gen_free. */
int gen_program(const struct gen_opts *opts, struct gen_prog *g);
void gen_free(struct gen_prog *g);

/* A reproducer: '#' header lines (seed, type, input bytes, maps), then the
 * program in kernel syntax (it assembles back to the same bytes). */
void gen_write(FILE *out, const struct gen_prog *g, const struct stackbpf_host *host);

/* The host the generator's programs expect: the examples (sum_args0..12,
 * mem_sum) and Linux's helpers. One per process, never freed. */
struct stackbpf_host *gen_host(void);

/* ---- running a generated program (both tests use these) */

struct gen_env {
	struct stackbpf_map *maps[GEN_MAX_MAPS];
	size_t nmaps;
	struct stackbpf_prog *prog;
	uint8_t mem[GEN_MAX_MEM];          /* raw input copy, or the packet */
	uint64_t insn_limit;               /* checked runs; 0 = 50M */
};

/* Fresh maps (with their initial elements) and a prog carrying them; 0 or -errno. */
int gen_env_new(const struct gen_prog *g, struct gen_env *e);
void gen_env_free(struct gen_env *e);
/* Verify g in e: 0 accepted, else the verifier's error (log: the last line, may be NULL). */
int gen_verify(const struct gen_prog *g, struct gen_env *e, char *err, size_t errsz);
/* the same at a log level, with the statistics (st may be NULL) */
int gen_verify_level(const struct gen_prog *g, struct gen_env *e, int level, char *err, size_t errsz,
		     struct stackbpf_verify_stats *st);

/* Verify with the whole log at `level` to out (reproducing a rejection). */
int gen_verify_print(const struct gen_prog *g, struct gen_env *e, int level, FILE *out);

struct gen_result {
	int err;                           /* stackbpf_vm__run's */
	uint64_t r0;
	char msg[256];
};
/* Run on a fresh copy of the input: engine INTERP (checked when `checked`)
 * or JIT; the output memory stays in e->mem (packet: the packet bytes),
 * maps in e->maps. -1000 in res->err when the JIT did not compile. */
void gen_run(const struct gen_prog *g, struct gen_env *e, enum stackbpf_engine engine, bool checked,
	     struct gen_result *res);
/* Compare two environments after a run: memory and every map element;
 * 0 when equal, else a description in why. */
int gen_env_cmp(const struct gen_prog *g, const struct gen_env *a, const struct gen_env *b, char *why,
		size_t whysz);

#endif
