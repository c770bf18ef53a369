/* jit.h - the x86-64 JIT's internal interface: compiling a vm's program to
 * native code (jit.c), executable memory (jit_mem.c), running it and turning
 * its exits into the interpreter's results and messages (jit_rt.c), and the
 * capstone listing (jit_dump.c).
 *
 * Native layout (Linux's x86-64 JIT, stack-args.md §4.1): r0=rax r1=rdi
 * r2=rsi r3=rdx r4=rcx r5=r8 r6=rbx r7=r13 r8=r14 r9=r15 r10=rbp; stack
 * argument 6 travels in r9, 7..12 at [rsp+0..40] in the caller and
 * [rbp+16..56] in the callee (rsp-relative in a frameless leaf); host
 * functions are called per SysV with rsp 16-byte aligned; r12 holds the
 * may_goto budget of the whole run (tail-called programs share it);
 * r10 and r11 are scratch. The code begins with a SysV entry trampoline
 * `u64 entry(void *mem, u64 len)` that saves the callee-saved registers,
 * records its stack pointer in the jit state (faults and early exits unwind
 * to it), and calls the main program with 16-byte stack alignment. */
#ifndef SBPF_JIT_JIT_H
#define SBPF_JIT_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stackbpf/stackbpf.h"

/* why native code stopped early (state.fault) */
enum sbpf_jit_fault {
	JF_NONE = 0,
	JF_DEPTH,      /* BPF-to-BPF call beyond 8 frames */
	JF_CALL_BAD,   /* helper / host function not registered */
	JF_CALLX,      /* callx to an unknown helper id (val) */
	JF_ARG_BAD,    /* r11 slot beyond the seven stack arguments */
	JF_LDDW,       /* ld_imm64 pseudo source */
	JF_TAIL,       /* tail call to a program without native code */
};

/* Run-time state the native code reaches through an absolute address. */
struct sbpf_jit_state {
	uint64_t saved_rsp;     /* the trampoline's rsp, for unwinding */
	uint64_t budget;        /* may_goto budget at entry */
	void *mem;              /* LD_ABS / LD_IND packet */
	uint64_t len;
	const struct stackbpf_host *host;   /* callx look-ups */
	uint32_t depth;         /* frames in use, when the program needs the count */
	uint32_t fault;         /* enum sbpf_jit_fault | insn index << 8 */
	uint32_t callx_status;  /* after a callx: 0 ok, 1 unwind (r0 = 0), 2 unknown id */
	uint64_t fault_val;     /* the unknown callx id */
	const struct stackbpf_vm *vm;   /* the vm owning this code (tail calls, messages), or NULL */
	/* tail calls (jit_rt.c: sbpf_jit_tail): the run's first state, the
	 * attempts it counted and the states it entered (where a fault may be) */
	struct sbpf_jit_state *root;
	uint32_t tail_cnt, nchain;
	struct sbpf_jit_state *chain[33];
};

struct sbpf_jit {
	uint8_t *code;          /* read+execute after compilation */
	size_t size;            /* bytes of code */
	size_t map_size;
	uint64_t (*entry)(void *mem, uint64_t len);
	uint32_t *insn_off;     /* per BPF insn (cnt + 1 entries): offset of its code */
	uint32_t *block_off;    /* the same, but a subprogram's entry starts at its prologue */
	size_t cnt;
	uint32_t body_off;      /* where the first subprogram starts (after the trampoline) */
	uint32_t unwind_off;    /* trampoline: end the run with r0 = 0 */
	uint32_t fault_off;     /* trampoline: record a fault and end the run */
	uint32_t stubs_off;     /* where the out-of-line fault stubs start */
	uint32_t main_off;      /* the main subprogram's prologue: a tail call's entry */
	struct sbpf_jit_state st;
};

/* internal compile options (tests force the portable paths) */
struct sbpf_jit_opts {
	bool no_bmi2;           /* shifts through cl instead of shlx/shrx/sarx */
	bool harden;            /* blind the program's immediates (random key per insn) */
	bool validated;         /* the caller ran sbpf_validate on insns: skip it */
};

/* Compile a validated program. Returns the jit or NULL with a message in err
 * ("insn N: ..." when an instruction cannot be compiled). */
struct sbpf_jit *sbpf_jit_compile(const struct stackbpf_insn *insns, size_t cnt, const struct stackbpf_host *host,
				  uint64_t may_goto_budget, const struct sbpf_jit_opts *opts, char *err, size_t errsz);
void sbpf_jit_free(struct sbpf_jit *jit);

/* Run: 0 with *r0, or a negative errno with the interpreter's message in err. */
int sbpf_jit_run(struct sbpf_jit *jit, const struct stackbpf_insn *insns, void *mem, size_t len, uint64_t *r0,
		 char *err, size_t errsz);

/* C helpers called from native code */
uint64_t sbpf_jit_ld_packet(struct sbpf_jit_state *st, int64_t off, uint64_t size);
/* callx: look up helper `id` and call it with args (r1..r5, then stack
 * arguments 6..12); sets st->callx_status */
uint64_t sbpf_jit_callx(struct sbpf_jit_state *st, uint64_t id, const uint64_t *args);
/* tail call from the code of st at insn `idx`: the native entry of the
 * target's main subprogram (its state prepared to continue this run), 0 to
 * fall through, or the caller's unwind path after recording a JF_TAIL fault */
uint64_t sbpf_jit_tail(struct sbpf_jit_state *st, uint64_t map, uint64_t key, uint64_t idx);

/* executable memory: allocate RW, then seal RX (never both) */
void *sbpf_jit_mem_alloc(size_t size, size_t *map_size, const void *near);
int sbpf_jit_mem_seal(void *p, size_t map_size);
void sbpf_jit_mem_free(void *p, size_t map_size);

/* Listing: each BPF instruction (kernel syntax) followed by its native code. */
int sbpf_jit_dump(FILE *out, const struct sbpf_jit *jit, const struct stackbpf_insn *insns,
		  const struct stackbpf_host *host);

#endif
