/* datafile.h - reader of bpf_conformance `.data` test files.
 *
 * A .data file is line oriented; `#` starts a comment and a line starting with
 * `--` opens a section:
 *
 *   -- asm                 assembly (any dialect the assembler detects)
 *   -- raw                 the program as bytecode, one instruction per line:
 *                          a 64-bit value (0x-hex or decimal, low byte = opcode)
 *                          or 8 hex byte pairs ("85 01 00 00 00 00 00 00")
 *   -- mem                 input memory: hex byte pairs, may span lines
 *   -- result              expected r0 (hex when it contains 0x, else decimal)
 *   -- error               expected error message (one line, may be empty)
 *   -- c, -- no register offset   ignored
 *
 * `-- raw` wins over `-- asm` when both are present. Every problem is reported
 * as "file:line[:col]: message". The parser only reads the file; turning the
 * assembly into instructions is sbpf_datafile_program(). */
#ifndef SBPF_TEXT_DATAFILE_H
#define SBPF_TEXT_DATAFILE_H

#include <stddef.h>
#include <stdint.h>
#include "stackbpf/stackbpf.h"

/* A section that is absent has line 0; otherwise `*_line` is the line of its
 * `--` header. */
struct sbpf_datafile {
	char *path;                   /* for messages */
	int asm_line;
	char *asm_text;               /* the file with every non-asm line blanked, so
					 assembler messages carry the file's line numbers */
	size_t asm_len;
	int raw_line;
	struct stackbpf_insn *raw;
	size_t raw_cnt;
	int mem_line;
	uint8_t *mem;
	size_t mem_len;
	int result_line;
	uint64_t result;
	int error_line;
	char *error;                  /* "" when the section is empty */
};

/* Parse `len` bytes of `text`; `path` names the file in messages. Returns 0, or
 * -EINVAL (message in err) / -ENOMEM. On failure *df is left empty. */
int sbpf_datafile_parse(const char *path, const char *text, size_t len, struct sbpf_datafile *df,
			char *err, size_t errsz);
/* Read and parse a file: 0, -errno from the file system, -EINVAL or -ENOMEM. */
int sbpf_datafile_load(const char *path, struct sbpf_datafile *df, char *err, size_t errsz);
void sbpf_datafile_free(struct sbpf_datafile *df);

/* The program: the raw section if any, else the assembled asm section (host
 * resolves `call NAME` of host functions; may be NULL). Returns 0 with *insns
 * (malloc'ed, may be freed with free()) and *cnt >= 1, -ENOENT when the file
 * has no instructions, or -EINVAL with the assembler's first message. */
int sbpf_datafile_program(const struct sbpf_datafile *df, const struct stackbpf_host *host,
			  struct stackbpf_insn **insns, size_t *cnt, char *err, size_t errsz);

/* What a program needs, from the opcode table (as bpf_conformance derives it):
 * the highest cpu version (1..4) and the or of the conformance groups
 * (enum sbpf_group) of its instructions. Unknown opcodes add nothing. */
void sbpf_datafile_needs(const struct stackbpf_insn *insns, size_t cnt, unsigned *cpu, unsigned *groups);

#endif
