/* cli_prog.h - loading and verifying the program of `stackbpf run` and
 * `stackbpf jit`: assembly (.s), raw bytecode (.bin), a bpf_conformance test
 * (.data: program and memory, uBPF's conformance helpers) or a BPF ELF object
 * (--prog NAME picks the program; the Linux helpers are registered). */
#ifndef SBPF_CLI_PROG_H
#define SBPF_CLI_PROG_H

#include <stddef.h>
#include <stdint.h>
#include "stackbpf/stackbpf.h"

struct cli_prog {
	struct stackbpf_host *host;
	struct stackbpf_object *obj;       /* ELF input */
	struct stackbpf_program *oprog;    /* its chosen program */
	struct stackbpf_prog *prog;        /* what runs (a copy for ELF input) */
	enum stackbpf_prog_type type;      /* UNSPEC for .s/.bin/.data */
	uint8_t *mem;                      /* .data: its memory (malloc'ed) */
	size_t mem_len;
};

/* an ELF object (by its magic)? */
int cli_is_elf(const char *path);

/* Load `path`; `name` is --prog (ELF only). 0, or a negative errno with the
 * message printed. Free with cli_prog_free (also after a failure). */
int cli_prog_load(const char *path, const char *name, struct cli_prog *p);
void cli_prog_free(struct cli_prog *p);

/* Verify with r1 = mem_size bytes (raw programs); strict as `verify --strict`.
 * 0 accepted, 1 the verifier does not know the program type yet (a warning
 * ending in `then` was printed), -1 rejected (the verifier's error was
 * printed as "stackbpf: PATH: ERROR"). */
int cli_prog_verify(const char *path, struct cli_prog *p, uint32_t mem_size, int strict, const char *then);

#endif
