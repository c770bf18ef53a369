/* loadcost.c - the cost of getting a program ready to run: generated programs
 * of 100, 1k and 10k instructions (straight-line, and with a forward branch
 * every fourth instruction) timed through each phase of the public API:
 *   load    stackbpf_prog__from_insns + stackbpf_prog__validate
 *   verify  stackbpf_prog__verify (raw program, r1 = 4 KiB of memory)
 *   jit     stackbpf_vm__new with STACKBPF_ENGINE_JIT (the vm's own checks,
 *           its pre-decoding, and the x86-64 compile)
 * and, when bpf() is permitted, Linux's BPF_PROG_LOAD (verify + JIT) of the
 * same program as a socket filter whose memory is a map value.
 *
 * The programs are simple valid code: every register starts as a load from
 * the input (an unknown scalar to the verifier), the body cycles through ALU
 * operations, stack spills and fills and loads from the input, and a branch
 * only skips one ALU instruction on unknown values, so the verifier's pruning
 * joins the two paths at once (processed insns stay close to the size). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* encoders for the few forms the generator uses */
static struct stackbpf_insn ins(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct stackbpf_insn i = { .code = code, .dst = dst, .src = src, .off = off, .imm = imm };

	return i;
}

#define ALU64_X(op, d, s) ins(0x0f | (op), d, s, 0, 0)     /* BPF_ALU64 | BPF_X | op */
#define ALU64_K(op, d, k) ins(0x07 | (op), d, 0, 0, k)     /* BPF_ALU64 | BPF_K | op */
#define LDX64(d, s, o) ins(0x79, d, s, o, 0)
#define STX64(d, s, o) ins(0x7b, d, s, o, 0)
#define JGT_X(d, s, o) ins(0x2d, d, s, o, 0)
enum { OP_ADD = 0x00, OP_SUB = 0x10, OP_MUL = 0x20, OP_OR = 0x40, OP_AND = 0x50, OP_RSH = 0x70,
       OP_XOR = 0xa0, OP_MOV = 0xb0 };

/* n insns; branches: a `if rA > rB goto +1` at every fourth slot. kernel: r1
 * is loaded as the value of map 0 first (ld_imm64 src 2), as the kernel
 * needs; ours gets the memory in r1 at entry. */
static struct stackbpf_insn *generate(size_t n, bool branches, bool kernel)
{
	static const struct { uint8_t op, dst, src; } body[] = {
		{ OP_ADD, 0, 6 }, { OP_XOR, 7, 0 }, { OP_MUL, 8, 9 }, { OP_SUB, 9, 3 }, { OP_MOV, 2, 7 },
		{ OP_RSH, 2, 0 }, { OP_OR, 3, 2 }, { OP_AND, 4, 5 }, { OP_ADD, 5, 8 }, { OP_XOR, 6, 4 },
	};
	struct stackbpf_insn *p = calloc(n, sizeof(*p));
	size_t i = 0, k = 0;

	if (!p || n < 24)
		return free(p), NULL;
	if (kernel) {
		p[i++] = ins(0x18, 1, 2, 0, 0);   /* r1 = map 0 value (fd patched by kbench_load) */
		p[i++] = ins(0, 0, 0, 0, 0);
	}
	for (uint8_t r = 0; r <= 9; r++)
		if (r != 1)
			p[i++] = LDX64(r, 1, (int16_t)(8 * r));
	for (int16_t s = 1; s <= 4; s++)   /* the four stack slots the body fills from */
		p[i++] = STX64(10, 0, (int16_t)(-8 * s));
	while (i < n - 1) {
		size_t slot = i;

		if (branches && slot % 4 == 0 && i + 2 < n - 1) {
			p[i++] = JGT_X((uint8_t)(2 + k % 8), (uint8_t)(9 - k % 5), 1);
			p[i++] = ALU64_X(OP_ADD, 0, (uint8_t)(2 + k % 8));
		} else if (slot % 7 == 3) {
			p[i++] = STX64(10, (uint8_t)(k % 10 == 1 ? 0 : k % 10), (int16_t)(-8 * (1 + k % 4)));
		} else if (slot % 7 == 5 && k >= 8) {
			p[i++] = LDX64((uint8_t)(2 + k % 8), 10, (int16_t)(-8 * (1 + (k - 4) % 4)));
		} else if (slot % 11 == 6) {
			p[i++] = LDX64((uint8_t)(2 + k % 8), 1, (int16_t)(8 * (k % 512)));
		} else if (body[k % 10].op == OP_RSH) {
			p[i++] = ALU64_K(OP_RSH, body[k % 10].dst, 3);
		} else {
			p[i++] = ALU64_X(body[k % 10].op, body[k % 10].dst, body[k % 10].src);
		}
		k++;
	}
	p[i++] = ins(0x95, 0, 0, 0, 0);   /* exit */
	return p;
}

static enum bench_clock lc_clock;

static double now_us(void)
{
	return bench_now_ns(lc_clock) / 1e3;
}

static void measure_one(const struct stackbpf_host *host, struct kbench *k, unsigned reps, struct loadcost_row *row,
			bool branches)
{
	struct stackbpf_insn *insns = generate(row->insns, branches, false);
	struct stackbpf_insn *kinsns = k ? generate(row->insns, branches, true) : NULL;

	row->load_us = row->verify_us = row->jit_us = row->total_us = row->vm_us = INFINITY;
	row->kernel_us = k ? INFINITY : -1;
	row->ok = insns != NULL;
	if (!insns)
		snprintf(row->why, sizeof(row->why), "out of memory");
	for (unsigned rep = 0; rep < reps && row->ok; rep++) {
		STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = host);
		STACKBPF_OPTS(stackbpf_verify_opts, xopts, .host = host, .mem_size = BENCH_BUF_SIZE);
		STACKBPF_OPTS(stackbpf_vm_opts, jopts, .host = host, .engine = STACKBPF_ENGINE_JIT);
		struct stackbpf_verify_stats st = { .sz = sizeof(st) };
		struct stackbpf_prog *prog;
		struct stackbpf_vm *vm = NULL;
		const char *msg = NULL;
		double t0, t1, t2, t3;
		int err;

		t0 = now_us();
		prog = stackbpf_prog__from_insns(insns, row->insns);
		err = prog ? stackbpf_prog__validate(prog, &vopts, &msg) : -ENOMEM;
		t1 = now_us();
		if (!err)
			err = stackbpf_prog__verify(prog, &xopts, &st);
		t2 = now_us();
		if (!err && !(vm = stackbpf_vm__new(prog, &jopts)))
			err = -errno;
		t3 = now_us();
		if (!err && !stackbpf_vm__jit_code(vm, NULL))
			err = -ENOEXEC;
		if (err) {
			snprintf(row->why, sizeof(row->why), "%s", msg ? msg : strerror(-err));
			row->ok = false;
		} else {
			row->load_us = fmin(row->load_us, t1 - t0);
			row->verify_us = fmin(row->verify_us, t2 - t1);
			row->jit_us = fmin(row->jit_us, t3 - t2);
			row->total_us = fmin(row->total_us, t3 - t0);
			row->processed = st.insns_processed;
		}
		stackbpf_vm__free(vm);
		if (!err) {
			/* the same vm without the JIT: what of `jit` is not the compile */
			STACKBPF_OPTS(stackbpf_vm_opts, iopts, .host = host);

			t0 = now_us();
			vm = stackbpf_vm__new(prog, &iopts);
			t1 = now_us();
			if (vm)
				row->vm_us = fmin(row->vm_us, t1 - t0);
			stackbpf_vm__free(vm);
		}
		stackbpf_prog__free(prog);
	}
	for (unsigned rep = 0; rep < reps && kinsns && row->ok; rep++) {
		char why[160];
		double us;
		int fd = kbench_load(k, kinsns, row->insns, &us, rep ? NULL : &row->kprocessed, why, sizeof(why));

		if (fd < 0) {
			row->kernel_us = -1;
			break;
		}
		row->kernel_us = fmin(row->kernel_us, us);
		close(fd);
	}
	free(insns);
	free(kinsns);
}

size_t loadcost_measure(const struct stackbpf_host *host, struct kbench *k, unsigned reps,
			enum bench_clock clock, struct loadcost_row *rows, size_t max)
{
	static const size_t sizes[] = { 100, 1000, 10000 };
	size_t n = 0;

	lc_clock = clock;
	for (int b = 0; b < 2; b++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]) && n < max; s++) {
			struct loadcost_row *row = &rows[n++];

			memset(row, 0, sizeof(*row));
			row->shape = b ? "branches" : "straight";
			row->insns = sizes[s];
			measure_one(host, k, reps, row, b != 0);
		}
	}
	return n;
}
