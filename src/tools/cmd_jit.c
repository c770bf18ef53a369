/* cmd_jit.c - `stackbpf jit`: verify a program, compile it to x86-64, print
 * the code size, and with --dump the native code (capstone) under each BPF
 * instruction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit.h"
#include "tools/cli.h"
#include "tools/cli_prog.h"
#include "vm/vm_int.h"

static const char usage_text[] =
	"usage: stackbpf jit IN [--prog NAME] [--dump] [--harden] [--strict]\n"
	"\n"
	"Verify a BPF program, compile it to x86-64 native code and print its size:\n"
	"  code: N bytes for M instructions\n"
	"IN is assembly (.s, any syntax), raw bytecode (.bin), a bpf_conformance\n"
	"test (.data: its program; uBPF's conformance helpers) or a BPF ELF object\n"
	"(the Linux helpers; --prog names the program when it has several); '-'\n"
	"reads stdin. Calls may use the example host functions (sum_args0..sum_args12,\n"
	"mem_sum). A program the verifier rejects is not compiled (its error is\n"
	"printed, exit 1); one the JIT cannot compile is reported with the reason.\n"
	"\n"
	"options:\n"
	"  --prog NAME  the program of an ELF object\n"
	"  --dump       also list the native code: the entry trampoline, then each BPF\n"
	"               instruction ('; N: insn', kernel syntax, N its index) followed\n"
	"               by its native instructions (offset, bytes, capstone disassembly)\n"
	"  --harden     blind the program's immediates (as Linux's bpf_jit_harden)\n"
	"  --strict     verify as Linux does (see 'stackbpf verify --help')\n"
	"  -h, --help   this text\n"
	"\n"
	"exit status: 0 compiled, 1 rejected, 2 bad input or usage.\n"
	"\n"
	"examples:\n"
	"  stackbpf jit examples/sum12.s --dump\n"
	"  stackbpf jit prog.bpf.o --prog xdp_main --dump\n";

static void log_reason(void *ctx, int level, const char *msg)
{
	if (level == 1)
		snprintf((char *)ctx, 256, "%s", msg);
}

int cmd_jit(int argc, char **argv)
{
	const char *in = NULL, *name = NULL;
	int dump = 0, harden = 0, strict = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_OK;
		} else if (strcmp(a, "--dump") == 0) {
			dump = 1;
		} else if (strcmp(a, "--harden") == 0) {
			harden = 1;
		} else if (strcmp(a, "--strict") == 0) {
			strict = 1;
		} else if (cli_is_opt(a, "--prog")) {
			if (!(name = cli_opt_value(argc, argv, &i, "--prog")))
				return CLI_BADINPUT;
		} else if (a[0] == '-' && a[1] != '\0') {
			cli_error("unknown option '%s' (try 'stackbpf jit --help')", a);
			return CLI_BADINPUT;
		} else if (in) {
			cli_error("more than one input: '%s' and '%s'", in, a);
			return CLI_BADINPUT;
		} else {
			in = a;
		}
	}
	if (!in) {
		cli_error("jit needs an input program (try 'stackbpf jit --help')");
		return CLI_BADINPUT;
	}
	int rc = CLI_BADINPUT;
	struct cli_prog c;
	struct stackbpf_vm *vm = NULL;
	size_t size = 0;
	const char *msg;
	char reason[256] = "";
	if (cli_prog_load(in, name, &c))
		goto out;
	rc = CLI_REJECTED;
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = c.host);
	if (stackbpf_prog__validate(c.prog, &vopts, &msg)) {
		cli_error("%s: %s", in, msg);
		goto out;
	}
	if (cli_prog_verify(in, &c, (uint32_t)c.mem_len, strict, "compiling it unverified") < 0)
		goto out;
	STACKBPF_OPTS(stackbpf_vm_opts, opts, .host = c.host, .engine = STACKBPF_ENGINE_JIT, .harden = harden != 0,
		      .log = log_reason, .log_ctx = reason);
	if (!(vm = stackbpf_vm__new(c.prog, &opts))) {
		cli_error("%s: cannot prepare the program: %s", in, strerror(errno));
		goto out;
	}
	if (!stackbpf_vm__jit_code(vm, &size)) {
		cli_error("%s: %s", in, reason[0] ? reason : "the JIT did not compile the program");
		goto out;
	}
	size_t cnt = stackbpf_prog__insn_cnt(c.prog);
	printf("code: %zu bytes for %zu instructions\n", size, cnt);
	if (dump)
		sbpf_jit_dump(stdout, vm->jit, stackbpf_prog__insns(c.prog), c.host);
	rc = CLI_OK;
out:
	stackbpf_vm__free(vm);
	cli_prog_free(&c);
	return rc;
}
