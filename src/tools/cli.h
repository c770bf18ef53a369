/* cli.h - what every `stackbpf` subcommand shares: exit codes, file and hex
 * input, program loading, and the option parser conventions. */
#ifndef SBPF_CLI_H
#define SBPF_CLI_H

#include <stddef.h>
#include <stdint.h>
#include "stackbpf/stackbpf.h"

/* exit codes, the same for every subcommand */
enum {
	CLI_OK = 0,         /* success / accepted */
	CLI_REJECTED = 1,   /* program rejected, faulted, or mismatches found */
	CLI_BADINPUT = 2,   /* bad input, bad usage */
};

/* subcommands: int cmd_X(int argc, char **argv), argv[0] = "X" */
int cmd_asm(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_jit(int argc, char **argv);
int cmd_plugin(int argc, char **argv);
int cmd_btf(int argc, char **argv);
int cmd_stat(int argc, char **argv);

/* "stackbpf: <message>" on stderr */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log callback that prints messages on stderr as they are (no prefix) */
void cli_log_stderr(void *ctx, int level, const char *msg);

/* Read a whole file ("-" = stdin). Returns 0 or -errno (message printed). */
int cli_read_file(const char *path, char **buf, size_t *len);
/* Parse hex byte pairs, whitespace optional ("aa bb", "aabb", "aa  bb  ").
 * Returns 0, or -EINVAL with a message naming the offending position. */
int cli_parse_hex(const char *text, uint8_t **out, size_t *len, char *err, size_t errsz);
/* Is argv word `a` the option `name`, as "--name" or "--name=VALUE"? */
int cli_is_opt(const char *a, const char *name);
/* The value of option `name` at argv[*i]: after '=' in the same word, else the
 * next word (*i advances). NULL, with a message, when it is missing. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);
/* Parse an option value that must be a number in [min, max]. */
int cli_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Parse --syntax NAME. */
int cli_parse_syntax(const char *s, enum stackbpf_syntax *syntax);

/* Load a program: `.bin` (or anything that is not text) is raw bytecode, `.s`
 * and other text is assembled with `syntax` (AUTO detects). Errors printed;
 * returns 0 or a negative errno. */
int cli_load_program(const char *path, enum stackbpf_syntax syntax, const struct stackbpf_host *host,
		     struct stackbpf_insn **insns, size_t *cnt);

#endif
