/* cmd_jit.c - `stackbpf jit`: compile a program to x86-64 and print the code
 * size, and with --dump the native code (capstone) under each BPF instruction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit.h"
#include "prog/conformance_exec.h"
#include "text/datafile.h"
#include "tools/cli.h"
#include "vm/vm_int.h"

static const char usage_text[] =
	"usage: stackbpf jit IN [--dump]\n"
	"\n"
	"Compile a BPF program to x86-64 native code and print its size:\n"
	"  code: N bytes for M instructions\n"
	"IN is assembly (.s, any syntax), raw bytecode (.bin), or a bpf_conformance\n"
	"test (.data: its program); '-' reads stdin.\n"
	"Calls may use uBPF's conformance helpers (ids 0..5) and the example host\n"
	"functions (sum_args0..sum_args12, mem_sum).\n"
	"\n"
	"options:\n"
	"  --dump       also list the native code: the entry trampoline, then each BPF\n"
	"               instruction ('; N: insn', kernel syntax) followed by its native\n"
	"               instructions (offset, bytes, capstone disassembly)\n"
	"  -h, --help   this text\n"
	"\n"
	"exit status: 0 compiled, 1 rejected, 2 bad input or usage.\n"
	"\n"
	"example:\n"
	"  stackbpf jit examples/sum12.s --dump\n";

static void log_reason(void *ctx, int level, const char *msg)
{
	(void)level;
	snprintf((char *)ctx, 256, "%s", msg);
}

/* a bpf_conformance .data file (its program), or what cli_load_program reads */
static int load(const char *path, const struct stackbpf_host *host, struct stackbpf_insn **insns, size_t *cnt)
{
	size_t n = strlen(path);
	if (n < 5 || strcmp(path + n - 5, ".data") != 0)
		return cli_load_program(path, STACKBPF_SYNTAX_AUTO, host, insns, cnt);
	struct sbpf_datafile df;
	char err[512];
	int rc = sbpf_datafile_load(path, &df, err, sizeof(err));
	if (!rc) {
		rc = sbpf_datafile_program(&df, host, insns, cnt, err, sizeof(err));
		sbpf_datafile_free(&df);
	}
	if (rc)
		cli_error("%s", err);
	return rc;
}

int cmd_jit(int argc, char **argv)
{
	const char *in = NULL;
	int dump = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_OK;
		} else if (strcmp(argv[i], "--dump") == 0) {
			dump = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_error("unknown option '%s' (try 'stackbpf jit --help')", argv[i]);
			return CLI_BADINPUT;
		} else if (in) {
			cli_error("more than one input: '%s' and '%s'", in, argv[i]);
			return CLI_BADINPUT;
		} else {
			in = argv[i];
		}
	}
	if (!in) {
		cli_error("jit needs an input program (try 'stackbpf jit --help')");
		return CLI_BADINPUT;
	}
	int rc = CLI_BADINPUT;
	struct stackbpf_host *host = sbpf_cexec_host_new();
	struct stackbpf_insn *insns = NULL;
	struct stackbpf_prog *prog = NULL;
	struct stackbpf_vm *vm = NULL;
	size_t cnt = 0, size = 0;
	const char *msg;
	char reason[256] = "";
	if (!host) {
		cli_error("out of memory");
		goto out;
	}
	if (load(in, host, &insns, &cnt))
		goto out;
	rc = CLI_REJECTED;
	if (!(prog = stackbpf_prog__from_insns(insns, cnt))) {
		cli_error("%s: out of memory", in);
		goto out;
	}
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = host);
	if (stackbpf_prog__validate(prog, &vopts, &msg)) {
		cli_error("%s: %s", in, msg);
		goto out;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, opts, .host = host, .engine = STACKBPF_ENGINE_JIT, .log = log_reason,
		      .log_ctx = reason);
	if (!(vm = stackbpf_vm__new(prog, &opts))) {
		cli_error("%s: cannot prepare the program: %s", in, strerror(errno));
		goto out;
	}
	if (!stackbpf_vm__jit_code(vm, &size)) {
		cli_error("%s: %s", in, reason[0] ? reason : "the JIT did not compile the program");
		goto out;
	}
	printf("code: %zu bytes for %zu instructions\n", size, cnt);
	if (dump)
		sbpf_jit_dump(stdout, vm->jit, insns, host);
	rc = CLI_OK;
out:
	stackbpf_vm__free(vm);
	stackbpf_prog__free(prog);
	free(insns);
	stackbpf_host__free(host);
	return rc;
}
