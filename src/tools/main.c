/* main.c - the `stackbpf` command: dispatches to one subcommand per file. */
#include <stdio.h>
#include <string.h>

#include "tools/cli.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "asm", cmd_asm, "assemble LLVM, kernel or bpf_conformance syntax to bytecode" },
	{ "disasm", cmd_disasm, "print bytecode in kernel (default) or LLVM syntax" },
	{ "run", cmd_run, "execute a program and print r0" },
	{ "verify", cmd_verify, "verify a program as Linux would; print the verifier log" },
	{ "stat", cmd_stat, "verifier statistics of objects, veristat-compatible (tables, CSV, compare)" },
	{ "jit", cmd_jit, "compile a program to x86-64; print its size and, with --dump, the code" },
	{ "btf", cmd_btf, "check BTF prototypes against the code (dead-parameter mismatch); fix or dump them" },
	{ "plugin", cmd_plugin, "act as a bpf_conformance plugin (program on stdin)" },
};

static void usage(FILE *out)
{
	fputs("usage: stackbpf COMMAND [OPTIONS] ...\n"
	      "\n"
	      "A userspace eBPF toolchain and runtime with the r11 stack-argument\n"
	      "calling convention (BPF-to-BPF and host calls with up to 12 arguments).\n"
	      "\n"
	      "commands:\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "`stackbpf COMMAND --help` explains a command's options, with examples.\n"
	      "Exit codes: 0 success, 1 program rejected or faulted, 2 bad input or usage.\n"
	      "\n"
	      "example:\n"
	      "  stackbpf run examples/sum12.s        # a 12-argument call; prints r0\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_BADINPUT;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s' (try 'stackbpf --help')", argv[1]);
	return CLI_BADINPUT;
}
