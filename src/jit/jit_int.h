/* jit_int.h - internals shared by the JIT's translation units: the compiler
 * state (struct jc), the register map, labels and jumps, frames (jit.c), and
 * the emitters of calls (jit_call.c). */
#ifndef SBPF_JIT_INT_H
#define SBPF_JIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jit/jit.h"
#include "jit/x86_emit.h"
#include "isa/opcodes.h"

/* BPF register -> x86 register (r11 has no register) */
/* BPF register -> x86 register; index 11 (VAX) is not a BPF register but the
 * scratch a blinded immediate is rebuilt in (Linux's BPF_REG_AX) */
enum { AX = R10, TMP = R11, BUDGET = R12, ARG6 = R9, VAX = SBPF_NREGS };
static const uint8_t reg_map[SBPF_NREGS + 1] = { RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP, AX };
enum { TR_AREA = 56 };   /* trampoline: main's incoming args 7..12 (48 bytes) + 8 to align */

struct subprog {
	uint32_t start, end;
	uint32_t depth;      /* BPF stack bytes, a multiple of 8 */
	uint32_t below;      /* outgoing area + padding, under the pushed registers */
	uint8_t nsaved;
	uint8_t saved[4];    /* x86 registers pushed (r6-r9 it mentions) */
	bool framed;
	bool tail;           /* makes a tail call */
	uint8_t state;       /* call-graph walk: 0 new, 1 on the path, 2 done */
	uint32_t frames;     /* deepest chain of frames starting here */
};

struct stub { uint32_t label, code; };

/* Loop heads (targets of backward jumps) start 32-byte aligned, padded with
 * NOPs, so that a small loop sits in as few fetch blocks as possible. On the
 * bench machine (AMD EPYC) 32 beat 16 and 64 and no alignment across the
 * five workloads (memrw with 16: up to 1.9x slower; bsort unaligned: 1.11x). */
enum { LOOP_ALIGN = 32 };

struct jc {
	const struct stackbpf_insn *insns;
	size_t cnt;
	const struct stackbpf_host *host;
	struct sbpf_jit *jit;
	struct x86_buf b;
	int pass;
	uintptr_t base;                 /* final address of the code (0 in pass 0) */
	uint32_t *lab, *plab;           /* label addresses, this pass and the previous */
	size_t nlab, caplab, pnlab, capplab;
	uint32_t *jend, *pjend;         /* end of each jump site */
	size_t njmp, capjmp, pnjmp, cappjmp;
	struct jsite { uint32_t label; uint8_t sh; } *js;   /* each jump site's target, short or not */
	size_t capjs;
	uint8_t *stay_long;             /* per jump site: long from now on (jit.c) */
	size_t capstay;
	struct afix { uint32_t pos, label; } *afix;        /* movabs of a label's address: imm64 at pos */
	size_t nafix, capafix;
	struct subprog *sub;
	size_t nsub;
	uint32_t *sub_of;               /* insn -> subprogram */
	bool *loop_head;                /* insn: the target of a backward jump (code aligned) */
	struct stub *stubs;
	size_t nstub, capstub;
	bool need_depth, bmi2, harden;
	uint64_t key_seed;              /* --harden: per-insn keys derive from it */
	uint32_t cur;                   /* subprogram being emitted */
	char *err;
	size_t errsz;
	bool failed;
};

/* fixed labels after the cnt + 1 instruction labels */
#define L_UNWIND0(c) ((uint32_t)(c)->cnt + 1)   /* end the run with r0 = 0 */
#define L_TEXIT(c) ((uint32_t)(c)->cnt + 2)     /* the trampoline's return */
#define L_FAULT(c) ((uint32_t)(c)->cnt + 3)     /* record r11d as the fault, unwind */
#define L_SUB(c, s) ((uint32_t)(c)->cnt + 4 + (uint32_t)(s))
#define ST(field) ((uintptr_t)&c->jit->st.field)
#define ST_OFF(field) ((int32_t)offsetof(struct sbpf_jit_state, field))

/* labels and jumps (jit.c): a new label, bind it here, jump to it (`cc` < 0:
 * jmp, -2: call rel32), call a C function, an out-of-line fault stub */
uint32_t sbpf_jc_new_label(struct jc *c);
void sbpf_jc_bind(struct jc *c, uint32_t l);
void sbpf_jc_jump(struct jc *c, int cc, uint32_t l);
void sbpf_jc_call_abs(struct jc *c, uintptr_t fn);
uint32_t sbpf_jc_stub(struct jc *c, enum sbpf_jit_fault kind, size_t idx);
/* a subprogram's epilogue (ends in ret) */
void sbpf_jc_epilogue(struct jc *c, const struct subprog *sp);
/* --harden: r = imm without imm in the code (jit.c) */
void sbpf_jc_blind_imm(struct jc *c, int r, int32_t imm, bool sext, size_t i);

/* calls (jit_call.c) */
void sbpf_jc_emit_ld_packet(struct jc *c, const struct stackbpf_insn *in, bool ind);
void sbpf_jc_emit_host_call(struct jc *c, const struct stackbpf_insn *in, size_t i, enum sbpf_form f);
void sbpf_jc_emit_callx(struct jc *c, const struct stackbpf_insn *in, size_t i);
void sbpf_jc_emit_call_local(struct jc *c, const struct stackbpf_insn *in, size_t i);
void sbpf_jc_emit_stack_arg(struct jc *c, const struct stackbpf_insn *in, size_t i, int shape);

#endif
