/* cmd_run.c - `stackbpf run`: load a program, validate its structure, run it
 * in the checked interpreter with the example host functions, print r0. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isa/opcodes.h"
#include "tools/cli.h"

static const char usage_text[] =
	"usage: stackbpf run IN [--mem FILE | --mem-hex HEX] [--engine interp|jit]\n"
	"                       [--repeat N] [--strict] [--checked] [--json]\n"
	"\n"
	"Run a BPF program and print r0 as 0x<hex> on the last line of stdout.\n"
	"IN is assembly (.s, any syntax, detected) or raw bytecode (.bin: 8-byte\n"
	"little-endian instructions); '-' reads stdin. The program starts with\n"
	"r1 = pointer to the memory, r2 = its length (NULL and 0 without memory),\n"
	"r10 = a 512-byte stack. Its structure is validated first (opcodes, reserved\n"
	"fields, jump and call targets, r11 forms), then it runs in the checked\n"
	"interpreter, which stops with a message naming the instruction, address and\n"
	"size on a bad memory access. Calls may use the example host functions\n"
	"sum_args0..sum_args12 (sum of i*a_i) and mem_sum(a1..a5, mem, mem__sz).\n"
	"\n"
	"options:\n"
	"  --mem FILE       input memory: the bytes of FILE\n"
	"  --mem-hex HEX    input memory as hex byte pairs, spaces optional ('01 02 ff')\n"
	"  --engine ENGINE  interp (default) or jit (not available yet)\n"
	"  --repeat N       run N times (the memory is not reset between runs, as with\n"
	"                   Linux's BPF_PROG_TEST_RUN) and print 'runs: N, ns/run: X'\n"
	"                   on stderr\n"
	"  --strict         kernel-strict: refuse programs that use r11 stack arguments,\n"
	"                   as Linux refuses them without a JIT ('stack args are not\n"
	"                   supported in non-JITed programs')\n"
	"  --checked        check every memory access (what run always does until the\n"
	"                   verifier exists)\n"
	"  --json           print one JSON object instead:\n"
	"                   {\"r0\":\"0x..\",\"runs\":N,\"ns_per_run\":X}\n"
	"  -h, --help       this text\n"
	"\n"
	"exit status: 0 ran, 1 rejected or faulted (message on stderr with the\n"
	"instruction index), 2 bad input or usage.\n"
	"\n"
	"examples:\n"
	"  stackbpf run examples/sum12.s\n"
	"  stackbpf run prog.bin --mem-hex '01 02 03 04' --repeat 1000000\n"
	"  stackbpf run prog.s --mem packet.bin --json\n";

struct run_args {
	const char *in, *mem_file, *mem_hex;
	uint64_t repeat;
	int repeat_given, strict, json, jit;
};

/* "--opt VALUE" or "--opt=VALUE"; returns the value or NULL (error printed) */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (a[n] == '=')
		return a + n + 1;
	if (*i + 1 >= argc) {
		cli_error("%s needs a value (try 'stackbpf run --help')", name);
		return NULL;
	}
	return argv[++*i];
}

static int is_opt(const char *a, const char *name)
{
	size_t n = strlen(name);
	return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

static int parse_args(int argc, char **argv, struct run_args *ra)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (strcmp(a, "--strict") == 0) {
			ra->strict = 1;
		} else if (strcmp(a, "--json") == 0) {
			ra->json = 1;
		} else if (strcmp(a, "--checked") == 0) {
			/* always on until the verifier exists */
		} else if (is_opt(a, "--mem")) {
			if (!(ra->mem_file = opt_value(argc, argv, &i, "--mem")))
				return -EINVAL;
		} else if (is_opt(a, "--mem-hex")) {
			if (!(ra->mem_hex = opt_value(argc, argv, &i, "--mem-hex")))
				return -EINVAL;
		} else if (is_opt(a, "--engine")) {
			if (!(v = opt_value(argc, argv, &i, "--engine")))
				return -EINVAL;
			if (strcmp(v, "jit") == 0) {
				ra->jit = 1;
			} else if (strcmp(v, "interp") != 0) {
				cli_error("--engine: '%s' is not one of interp, jit", v);
				return -EINVAL;
			}
		} else if (is_opt(a, "--repeat")) {
			if (!(v = opt_value(argc, argv, &i, "--repeat")) ||
			    cli_parse_u64("--repeat", v, 1, 1000000000000ull, &ra->repeat))
				return -EINVAL;
			ra->repeat_given = 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			cli_error("unknown option '%s' (try 'stackbpf run --help')", a);
			return -EINVAL;
		} else if (ra->in) {
			cli_error("more than one input: '%s' and '%s'", ra->in, a);
			return -EINVAL;
		} else {
			ra->in = a;
		}
	}
	if (!ra->in) {
		cli_error("run needs an input program (try 'stackbpf run --help')");
		return -EINVAL;
	}
	if (ra->mem_file && ra->mem_hex) {
		cli_error("--mem and --mem-hex exclude each other");
		return -EINVAL;
	}
	return 0;
}

static int load_mem(const struct run_args *ra, uint8_t **mem, size_t *len)
{
	*mem = NULL;
	*len = 0;
	if (ra->mem_file)
		return cli_read_file(ra->mem_file, (char **)mem, len);
	if (ra->mem_hex) {
		char err[128];
		int e = cli_parse_hex(ra->mem_hex, mem, len, err, sizeof(err));
		if (e)
			cli_error("--mem-hex: %s", e == -ENOMEM ? "out of memory" : err);
		return e;
	}
	return 0;
}

/* --strict: the first instruction that needs stack arguments, or -1 */
static long first_stack_arg_use(const struct stackbpf_insn *insns, size_t cnt, const struct stackbpf_host *host)
{
	for (size_t i = 0; i < cnt; i++) {
		enum sbpf_form f = sbpf_decode(&insns[i]);
		if (f == SBPF_OP_INVALID)
			continue;
		uint8_t shape = sbpf_opinfo[f].shape;
		const struct stackbpf_fn_desc *fd;
		if (shape == S_ARG_LDX || shape == S_ARG_STX || shape == S_ARG_ST)
			return (long)i;
		if (shape == S_CALL_KFUNC && (fd = stackbpf_host__fn(host, insns[i].imm)) &&
		    fd->nargs > SBPF_MAX_REG_ARGS)
			return (long)i;
		if (sbpf_form_is_wide(f))
			i++;
	}
	return -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int cmd_run(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return CLI_OK;
		}
	struct run_args ra = { .repeat = 1 };
	if (parse_args(argc, argv, &ra))
		return CLI_BADINPUT;
	if (ra.jit) {
		cli_error("the JIT is not available yet (use --engine interp)");
		return CLI_BADINPUT;
	}

	int rc = CLI_BADINPUT;
	struct stackbpf_host *host = stackbpf_host__new();
	struct stackbpf_insn *insns = NULL;
	struct stackbpf_prog *prog = NULL;
	struct stackbpf_vm *vm = NULL;
	uint8_t *mem = NULL;
	size_t cnt = 0, mem_len = 0;
	const char *msg;

	if (!host || stackbpf_host__add_examples(host)) {
		cli_error("out of memory");
		goto out;
	}
	if (cli_load_program(ra.in, STACKBPF_SYNTAX_AUTO, host, &insns, &cnt))
		goto out;
	if (load_mem(&ra, &mem, &mem_len))
		goto out;
	if (!(prog = stackbpf_prog__from_insns(insns, cnt))) {
		cli_error("%s: cannot create the program", ra.in);
		goto out;
	}
	rc = CLI_REJECTED;
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = host);
	if (stackbpf_prog__validate(prog, &vopts, &msg)) {
		cli_error("%s: %s", ra.in, msg);
		goto out;
	}
	long use = ra.strict ? first_stack_arg_use(insns, cnt, host) : -1;
	if (use >= 0) {
		cli_error("%s: insn %ld: stack args are not supported in non-JITed programs", ra.in, use);
		goto out;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, xopts, .host = host, .checked = true);
	if (!(vm = stackbpf_vm__new(prog, &xopts))) {
		cli_error("%s: cannot prepare the program: %s", ra.in, strerror(errno));
		goto out;
	}
	uint64_t r0 = 0, t0 = now_ns();
	for (uint64_t n = 0; n < ra.repeat; n++) {
		int err = stackbpf_vm__run(vm, mem, mem_len, &r0);
		if (err) {
			cli_error("%s: %s", ra.in, stackbpf_vm__errmsg(vm));
			goto out;
		}
	}
	double ns = (double)(now_ns() - t0) / (double)ra.repeat;
	if (ra.json) {
		printf("{\"r0\":\"0x%" PRIx64 "\",\"runs\":%" PRIu64 ",\"ns_per_run\":%.1f}\n", r0, ra.repeat, ns);
	} else {
		if (ra.repeat_given)
			fprintf(stderr, "runs: %" PRIu64 ", ns/run: %.1f\n", ra.repeat, ns);
		printf("0x%" PRIx64 "\n", r0);
	}
	rc = CLI_OK;
out:
	stackbpf_vm__free(vm);
	stackbpf_prog__free(prog);
	free(insns);
	free(mem);
	stackbpf_host__free(host);
	return rc;
}
