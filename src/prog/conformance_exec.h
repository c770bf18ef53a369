/* conformance_exec.h - THE way stackbpf runs a program as a bpf_conformance
 * plugin does: `stackbpf plugin` and the conformance tests both go through it.
 *
 * Like uBPF's plugin it applies structural validation only (no verifier), then
 * runs the checked interpreter, which stops cleanly on any memory access
 * outside the stack, the input memory and what helpers return. Programs may
 * call uBPF's conformance helpers by id (0 gather_bytes .. 5 unwind) and the
 * example host functions by name (sum_args0..12, mem_sum). */
#ifndef SBPF_PROG_CONFORMANCE_EXEC_H
#define SBPF_PROG_CONFORMANCE_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include "stackbpf/stackbpf.h"

/* A new registry holding the conformance helpers and the example host
 * functions, or NULL when out of memory. Free with stackbpf_host__free(). */
struct stackbpf_host *sbpf_cexec_host_new(void);

/* Validate and run `insns` with r1 = mem, r2 = mem_len (mem is writable and may
 * be NULL when mem_len is 0). Returns 0 with *r0 set, or a negative errno with a
 * one-line message in err: the validator's ("insn 3: ...") when the program is
 * rejected (-EINVAL), the interpreter's when it faults at run time. */
int sbpf_cexec_run(const struct stackbpf_host *host, const struct stackbpf_insn *insns, size_t cnt,
		   void *mem, size_t mem_len, uint64_t *r0, char *err, size_t errsz);

#endif
