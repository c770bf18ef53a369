/* validate.h - structural validation of a bytecode program (no data flow).
 *
 * Checks, table-driven from opcodes.def: every instruction decodes, reserved
 * fields are zero, registers exist (r11 only in the three stack-argument forms
 * of stack-args.md §2), r10 is never written, ld_imm64 has its second slot,
 * jump and call targets stay inside their subprogram and never land in the
 * middle of an ld_imm64, each subprogram ends with exit or a jump, and, when
 * asked, helper/host-function calls resolve and forms fit a cpu version.
 * Messages use Linux's verifier wording, prefixed "insn N: ". */
#ifndef SBPF_VALIDATE_H
#define SBPF_VALIDATE_H

#include <stddef.h>
#include "stackbpf/stackbpf.h"

/* Largest program accepted (instruction slots). */
enum { SBPF_MAX_INSNS = 1 << 24 };

/* Returns 0, or -EINVAL with the first problem in err (always NUL-terminated),
 * or -ENOMEM. `opts` may be NULL. */
int sbpf_validate(const struct stackbpf_insn *insns, size_t cnt, const struct stackbpf_validate_opts *opts,
		  char *err, size_t errsz);

#endif
