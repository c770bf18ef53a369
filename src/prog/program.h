/* program.h - what the engines need from a program beyond its bytes. */
#ifndef SBPF_PROGRAM_H
#define SBPF_PROGRAM_H

#include <stdint.h>

#include "stackbpf/stackbpf.h"

/* The value an ld_imm64 map reference (src 1/5: the map, src 2/6: an address
 * inside its single value) stands for, through the prog's map table.
 * Returns 1 with *val set, 0 when `in` is no map reference, -ENOENT for an
 * index with no map, -EINVAL for a value reference outside the value or into
 * a map with more than one element. */
int sbpf_prog_map_ref(const struct stackbpf_prog *prog, const struct stackbpf_insn *in, uint64_t *val);

#endif
