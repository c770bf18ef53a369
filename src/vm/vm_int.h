/* vm_int.h - internals shared by the vm object (vm.c) and the interpreter
 * engines (interp.c + interp_body.h).
 *
 * stackbpf_vm__new pre-decodes the program into an array of union sbpf_xinsn,
 * one per instruction slot, so instruction i stays at index i. Each entry holds
 * the address of its handler in the chosen engine (direct threading: the
 * dispatch is a single `goto *ip->h`) and the operands the handler needs,
 * already adjusted (stack-argument slot numbers, call-table indexes). The
 * second slot of an ld_imm64 holds the whole 64-bit constant. */
#ifndef SBPF_VM_INT_H
#define SBPF_VM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "isa/opcodes.h"
#include "stackbpf/stackbpf.h"

union sbpf_xinsn {
	struct {
		const void *h;   /* handler label in the engine */
		uint8_t dst, src;
		int16_t off;     /* jump offset, memory offset, or stack-argument slot 0..6 */
		int32_t imm;     /* immediate, or index into vm->calls for host calls */
	};
	uint64_t k64;        /* second slot of an ld_imm64: the constant */
};
_Static_assert(sizeof(union sbpf_xinsn) == 16, "pre-decoded insn must stay 16 bytes");

/* Loop latches: `rX += K` followed by a 64-bit conditional jump, the last two
 * instructions of nearly every loop, run as one superinstruction (it falls
 * straight into the jump's code instead of dispatching). The jump keeps its
 * own slot, so jumps to it still work. */
#define SBPF_LATCH_JUMPS(M) \
	M(JEQ_K) M(JEQ_X) M(JNE_K) M(JNE_X) M(JGT_K) M(JGT_X) M(JGE_K) M(JGE_X) \
	M(JLT_K) M(JLT_X) M(JLE_K) M(JLE_X) M(JSET_K) M(JSET_X) M(JSGT_K) M(JSGT_X) \
	M(JSGE_K) M(JSGE_X) M(JSLT_K) M(JSLT_X) M(JSLE_K) M(JSLE_X)

/* handlers beyond the forms of opcodes.def */
enum {
	SBPF_X_ARG_BAD = SBPF_NFORMS,  /* r11 slot beyond the 7 stack arguments */
	SBPF_X_CALL_BAD,               /* helper / host function not registered */
	SBPF_X_SLOT2,                  /* second half of an ld_imm64 (never reached) */
	SBPF_X_TAIL_CALL,              /* call 12 (bpf_tail_call of the Linux helpers) */
	SBPF_X_LOOP,                   /* call 181 (bpf_loop of the Linux helpers) */
	SBPF_X_LOOP_NEXT,              /* code[cnt]: where a bpf_loop callback returns */
#define M(J) SBPF_X_ADDK_##J,
	SBPF_LATCH_JUMPS(M)
#undef M
	SBPF_NHANDLERS,
};

/* One call frame: where to return, the caller's r6-r9, and the frame's
 * outgoing stack-argument slots (its callee reads them as r11+8k). */
struct sbpf_frame {
	const union sbpf_xinsn *ret;
	const struct stackbpf_vm *ret_vm;   /* whose code `ret` is in (tail calls switch code) */
	uint64_t saved[4];
	uint64_t out_args[SBPF_MAX_STACK_ARGS];
	/* a bpf_loop this frame is running: the call, the callback, its ctx,
	 * the iteration and the count */
	const union sbpf_xinsn *loop_call;
	uint64_t loop_fn, loop_ctx;
	uint32_t loop_i, loop_nr;
};

/* Linux's limits: MAX_TAIL_CALL_CNT, BPF_MAX_LOOPS */
enum { SBPF_MAX_TAIL_CALLS = 33, SBPF_MAX_LOOPS = 1 << 23 };

struct sbpf_run {
	void *mem;
	size_t len;
	uint64_t r0;
	const void *const *labels;  /* label table, when the engine is asked for it */
};

typedef int (*sbpf_engine_fn)(struct stackbpf_vm *vm, struct sbpf_run *run);

struct stackbpf_vm {
	union sbpf_xinsn *code;
	struct stackbpf_insn *insns;              /* the original, for messages */
	size_t cnt;
	const struct stackbpf_host *host;
	const struct stackbpf_fn_desc **calls;    /* resolved call targets */
	uint64_t may_goto_budget;
	uint64_t insn_limit;                      /* 0 = none */
	bool checked;
	bool decoded;                             /* code[] is filled (sbpf_vm_predecode) */
	sbpf_engine_fn engine;
	stackbpf_log_fn log;
	void *log_ctx;
	char errmsg[256];
	struct stackbpf_vm *const *progs;         /* tail-call program table (opts) */
	uint32_t prog_cnt;
	bool harden;
	struct sbpf_jit *jit;                     /* native code (STACKBPF_ENGINE_JIT), or NULL */
	struct sbpf_region { uint64_t lo, hi; } *regions;   /* stackbpf_vm__add_region */
	size_t nregions;
	struct sbpf_frame frames[1 + SBPF_MAX_CALL_FRAMES];   /* [0]: sentinel, zero slots */
	_Alignas(16) uint8_t stack[SBPF_MAX_CALL_FRAMES * SBPF_STACK_SIZE];
};

/* the two engines, generated from interp_body.h; called with vm == NULL they
 * only store their label table in run->labels */
int sbpf_engine_fast(struct stackbpf_vm *vm, struct sbpf_run *run);
int sbpf_engine_checked(struct stackbpf_vm *vm, struct sbpf_run *run);

/* Record "insn N: message" in vm->errmsg, pass it to the log callback, and
 * return err (a negative errno). */
int sbpf_vm_fault(struct stackbpf_vm *vm, int err, size_t idx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), cold, noinline));

/* Switch a vm to the other engine (re-decoding for it) and zero its stacks, so
 * that the next run starts as in a fresh vm at the same addresses: lets
 * differential tests compare the engines even when pointers reach r0. */
void sbpf_vm_set_engine(struct stackbpf_vm *vm, bool checked);

/* Fill code[] for vm->engine. A vm with native code skips it when created and
 * has it done the first time an interpreted program tail-calls into it. */
void sbpf_vm_predecode(struct stackbpf_vm *vm);

/* checked engine: [a, a + n) inside a region added with stackbpf_vm__add_region */
static inline bool sbpf_vm_in_regions(const struct stackbpf_vm *vm, uint64_t a, uint64_t n)
{
	for (size_t i = 0; i < vm->nregions; i++)
		if (a >= vm->regions[i].lo && a < vm->regions[i].hi && n <= vm->regions[i].hi - a)
			return true;
	return false;
}

/* The target of a tail call through prog_array `map` at `idx` from a program
 * of vm `cur`, with Linux's order: an index beyond max_entries falls through
 * (NULL) without counting; then a run that made SBPF_MAX_TAIL_CALLS already
 * falls through; else the attempt counts (*cnt + 1) and an empty slot, or a
 * value beyond cur's program table, falls through. */
struct stackbpf_vm *sbpf_vm_tail_target(const struct stackbpf_vm *cur, uint64_t map, uint64_t idx, uint32_t *cnt);

/* value written into dead stack-argument slots and clobbered r1-r5 in debug builds */
#define SBPF_POISON 0xdeadbeefdeadbeefull

#endif
