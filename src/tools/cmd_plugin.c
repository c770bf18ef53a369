/* cmd_plugin.c - `stackbpf plugin`: the bpf_conformance plugin protocol.
 *
 * The bpf_conformance runner spawns the plugin once per test as
 *     plugin [<memory-hex>] [options...]
 * with the program on stdin as hex bytes ("b7  00  00  ..."), and reads r0 in
 * hex from stdout (exit 0) or an error message (non-zero exit). The program
 * runs through sbpf_cexec_run(), the path the conformance tests use too. */
#include "tools/cli.h"
#include "prog/conformance_exec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char plugin_help[] =
	"usage: stackbpf plugin [MEMORY-HEX] [--engine interp|jit] [OPTIONS]\n"
	"\n"
	"Act as a bpf_conformance plugin: read a program as hex bytes on stdin (8 bytes\n"
	"per instruction, little-endian struct bpf_insn; spaces optional), run it, print\n"
	"r0 in hex on stdout and exit 0. On failure print a message on stderr and exit\n"
	"1 (program rejected or faulted) or 2 (bad input or usage).\n"
	"\n"
	"The program starts with r1 = a copy of MEMORY-HEX (hex byte pairs, as the\n"
	"runner writes them: \"aa  bb  cc  \"), r2 = its length (NULL and 0 without it),\n"
	"r10 = a 512-byte stack. As uBPF's plugin, it applies structural validation\n"
	"only (no verifier) and runs the checked interpreter, which stops with a\n"
	"message on any out-of-bounds access. Calls may use uBPF's test helpers by id\n"
	"(0 gather_bytes, 1 memfrob, 2 no_op, 3 sqrti, 4 strcmp_ext, 5 unwind) and the\n"
	"example host functions by name (sum_args0..sum_args12, mem_sum).\n"
	"\n"
	"options:\n"
	"  --engine interp|jit   execution engine (default interp; jit = x86-64 native\n"
	"                        code, without memory checks until the verifier exists)\n"
	"  --interpret, --jit    uBPF's spellings of --engine interp / --engine jit\n"
	"  --program HEX         take the program from HEX instead of stdin\n"
	"  --elf                 ELF input on stdin (not supported yet)\n"
	"  other --options       ignored, as uBPF ignores --debug (--profile takes a value)\n"
	"\n"
	"examples:\n"
	"  $ echo 'b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00' | stackbpf plugin\n"
	"  0x2a\n"
	"  $ echo '61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00' | stackbpf plugin '01  02  03  04  '\n"
	"  0x4030201\n"
	"  # the runner puts MEMORY-HEX first, so give it a wrapper script:\n"
	"  $ printf '#!/bin/sh\\nexec stackbpf plugin \"$@\"\\n' > plugin.sh && chmod +x plugin.sh\n"
	"  $ bpf_conformance_runner --test_file_directory tests --plugin_path ./plugin.sh \\\n"
	"        --cpu_version v4\n";

/* Decode hex text into instructions; 0 or a CLI exit code (message printed). */
static int parse_program(const char *what, const char *hex, struct stackbpf_insn **insns, size_t *cnt)
{
	uint8_t *bytes;
	size_t len;
	char err[160];
	if (cli_parse_hex(hex, &bytes, &len, err, sizeof(err))) {
		cli_error("%s: %s", what, err);
		return CLI_BADINPUT;
	}
	if (len == 0 || len % 8) {
		if (len == 0)
			cli_error("%s: no program (expected hex bytes, 8 per instruction)", what);
		else
			cli_error("%s: %zu bytes is not a whole number of 8-byte instructions", what, len);
		free(bytes);
		return CLI_BADINPUT;
	}
	*insns = (struct stackbpf_insn *)(void *)bytes;  /* malloc'ed: aligned for any type */
	*cnt = len / 8;
	return CLI_OK;
}

/* Needs a value: returns it, or NULL after printing an error. */
static const char *option_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		cli_error("plugin: %s needs a value (try 'stackbpf plugin --help')", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

/* --engine jit: as sbpf_cexec_run, but native code (no memory checks) */
static int jit_run(const struct stackbpf_host *host, const struct stackbpf_insn *insns, size_t cnt, void *mem,
		   size_t mem_len, uint64_t *r0, char *err, size_t errsz)
{
	const char *msg = NULL;
	struct stackbpf_vm *vm = NULL;
	struct stackbpf_prog *prog = stackbpf_prog__from_insns(insns, cnt);
	int rc = -ENOMEM;
	snprintf(err, errsz, "out of memory");
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = host);
	STACKBPF_OPTS(stackbpf_vm_opts, opts, .host = host, .engine = STACKBPF_ENGINE_JIT);
	if (prog && (rc = stackbpf_prog__validate(prog, &vopts, &msg)))
		snprintf(err, errsz, "%s", msg ? msg : "invalid program");
	else if (prog && !(vm = stackbpf_vm__new(prog, &opts)))
		rc = -ENOMEM;
	else if (vm && (rc = stackbpf_vm__run(vm, mem_len ? mem : NULL, mem_len, r0)))
		snprintf(err, errsz, "%s", stackbpf_vm__errmsg(vm));
	stackbpf_vm__free(vm);
	stackbpf_prog__free(prog);
	return rc;
}

int cmd_plugin(int argc, char **argv)
{
	const char *memhex = NULL, *proghex = NULL, *engine = "interp";

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(plugin_help, stdout);
			return CLI_OK;
		} else if (strcmp(a, "--engine") == 0) {
			if (!(engine = option_value(argc, argv, &i)))
				return CLI_BADINPUT;
		} else if (strncmp(a, "--engine=", 9) == 0) {
			engine = a + 9;
		} else if (strcmp(a, "--interpret") == 0) {
			engine = "interp";
		} else if (strcmp(a, "--jit") == 0) {
			engine = "jit";
		} else if (strcmp(a, "--program") == 0) {
			if (!(proghex = option_value(argc, argv, &i)))
				return CLI_BADINPUT;
		} else if (strcmp(a, "--profile") == 0) {
			if (!option_value(argc, argv, &i))
				return CLI_BADINPUT;
		} else if (strcmp(a, "--elf") == 0) {
			cli_error("plugin: --elf: ELF input is not supported yet");
			return CLI_BADINPUT;
		} else if (strncmp(a, "--", 2) == 0) {
			/* unknown runner options (--debug, ...) are ignored, as uBPF does */
		} else if (a[0] == '\0') {
			/* older runners pass empty memory / options arguments */
		} else if (!memhex) {
			memhex = a;
		} else {
			cli_error("plugin: unexpected argument '%s' (the memory was already given; "
				  "try 'stackbpf plugin --help')", a);
			return CLI_BADINPUT;
		}
	}
	if (strcmp(engine, "interp") != 0 && strcmp(engine, "jit") != 0) {
		cli_error("plugin: --engine: '%s' is not one of interp, jit", engine);
		return CLI_BADINPUT;
	}

	uint8_t *mem = NULL;
	size_t mem_len = 0;
	char err[512];
	if (memhex && cli_parse_hex(memhex, &mem, &mem_len, err, sizeof(err))) {
		cli_error("plugin: memory argument: %s", err);
		return CLI_BADINPUT;
	}

	char *stdin_text = NULL;
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0, stdin_len;
	int rc;
	if (proghex) {
		rc = parse_program("plugin: --program", proghex, &insns, &cnt);
	} else if (cli_read_file("-", &stdin_text, &stdin_len)) {
		rc = CLI_BADINPUT;
	} else {
		rc = parse_program("plugin: program on stdin", stdin_text, &insns, &cnt);
	}
	free(stdin_text);
	if (rc) {
		free(mem);
		return rc;
	}

	struct stackbpf_host *host = sbpf_cexec_host_new();
	uint64_t r0;
	if (!host) {
		cli_error("plugin: out of memory");
		rc = CLI_REJECTED;
	} else if ((strcmp(engine, "jit") == 0 ? jit_run(host, insns, cnt, mem, mem_len, &r0, err, sizeof(err))
					      : sbpf_cexec_run(host, insns, cnt, mem, mem_len, &r0, err, sizeof(err)))) {
		/* the bare message: a runner compares it with a test's `-- error` */
		fprintf(stderr, "%s\n", err);
		rc = CLI_REJECTED;
	} else {
		printf("0x%" PRIx64 "\n", r0);
		rc = CLI_OK;
	}
	stackbpf_host__free(host);
	free(insns);
	free(mem);
	return rc;
}
