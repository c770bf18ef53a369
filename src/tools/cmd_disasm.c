/* cmd_disasm.c - `stackbpf disasm`: print a program in kernel, LLVM or
 * bpf_conformance syntax. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

static void disasm_usage(FILE *out)
{
	fputs("usage: stackbpf disasm [--llvm | --syntax kernel|llvm|conformance] IN\n"
	      "\n"
	      "Print a program one instruction per line. IN is raw bytecode (.bin, or\n"
	      "any file that is not text) or assembly (.s, assembled first).\n"
	      "\n"
	      "options:\n"
	      "  (default)    kernel / verifier-log syntax, with pc and opcode:\n"
	      "                 0: (79) r1 = *(u64 *)(r1 +32)\n"
	      "                 1: (25) if r1 > 0x64 goto pc+2\n"
	      "               example: stackbpf disasm prog.bin\n"
	      "  --llvm       LLVM syntax (llvm-objdump, inline asm), with labels:\n"
	      "                 r1 = *(u64 *)(r1 + 32)\n"
	      "                 if r1 > 100 goto L4\n"
	      "               example: stackbpf disasm --llvm prog.bin\n"
	      "  --syntax S   kernel, llvm or conformance (bpf_conformance / uBPF:\n"
	      "               ldxdw %r1, [%r1+32])\n"
	      "               example: stackbpf disasm --syntax conformance prog.bin\n"
	      "  -h, --help   show this help\n"
	      "\n"
	      "Instructions with reserved fields set or unknown opcodes print as\n"
	      "`.8byte 0x...`; `stackbpf asm` reads every output back to the same bytes.\n"
	      "Exit 0 on success, 2 on bad input or usage.\n", out);
}

int cmd_disasm(int argc, char **argv)
{
	enum stackbpf_syntax syntax = STACKBPF_SYNTAX_KERNEL;
	const char *in = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			disasm_usage(stdout);
			return CLI_OK;
		} else if (strcmp(a, "--llvm") == 0) {
			syntax = STACKBPF_SYNTAX_LLVM;
		} else if (cli_is_opt(a, "--syntax")) {
			const char *v = cli_opt_value(argc, argv, &i, "--syntax");
			if (!v || cli_parse_syntax(v, &syntax))
				return CLI_BADINPUT;
			if (syntax == STACKBPF_SYNTAX_AUTO)
				syntax = STACKBPF_SYNTAX_KERNEL;
		} else if (a[0] == '-' && a[1]) {
			cli_error("disasm: unknown option '%s' (try 'stackbpf disasm --help')", a);
			return CLI_BADINPUT;
		} else if (!in) {
			in = a;
		} else {
			cli_error("disasm: more than one input file ('%s' and '%s')", in, a);
			return CLI_BADINPUT;
		}
	}
	if (!in) {
		disasm_usage(stderr);
		return CLI_BADINPUT;
	}
	struct stackbpf_host *host = stackbpf_host__new();
	if (host)
		stackbpf_host__add_examples(host);
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	int rc = CLI_OK;
	if (cli_load_program(in, STACKBPF_SYNTAX_AUTO, host, &insns, &cnt)) {
		rc = CLI_BADINPUT;
	} else {
		STACKBPF_OPTS(stackbpf_disasm_opts, opts, .syntax = syntax, .host = host);
		if (stackbpf_disasm__prog(stdout, insns, cnt, &opts)) {
			cli_error("cannot write the listing");
			rc = CLI_BADINPUT;
		}
	}
	free(insns);
	stackbpf_host__free(host);
	return rc;
}
