/* host.h - internals of the host-function registry shared with the interpreter.
 *
 * The registry keeps two tables: named functions (ids 1..n, the imm of a
 * kfunc-style call) and helpers by kernel-style id. Each entry keeps its own
 * copy of the description (and of the name). sbpf_host_call() performs the
 * native call: a switch on the argument count casts the pointer to the exact
 * C type `uint64_t (*)(uint64_t, ... N times)`, which is what the SysV x86-64
 * ABI (and every other C ABI) expects for N integer arguments. */
#ifndef SBPF_VM_HOST_H
#define SBPF_VM_HOST_H

#include <stdint.h>
#include "stackbpf/stackbpf.h"

/* Call `desc->fn` with desc->nargs arguments: 1..5 from regs[0..4] (r1..r5),
 * 6..12 from stack[0..6] (the caller's outgoing stack-argument slots). */
uint64_t sbpf_host_call(const struct stackbpf_fn_desc *desc, const uint64_t *regs, const uint64_t *stack);

/* Linux helpers the engines run themselves (they call back into the
 * program): vm.c and the JIT recognise their descriptions by these function
 * addresses. Called natively (callx) they do nothing and return -EOPNOTSUPP. */
uint64_t sbpf_helper_tail_call(uint64_t ctx, uint64_t map, uint64_t idx);
uint64_t sbpf_helper_loop(uint64_t nr, uint64_t fn, uint64_t ctx, uint64_t flags);

#endif
