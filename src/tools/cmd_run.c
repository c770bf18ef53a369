/* cmd_run.c - `stackbpf run`: load a program, validate its structure, run it
 * in the checked interpreter with the example host functions, print r0.
 * ELF objects (detected by their magic) are opened with stackbpf_object__open:
 * --prog picks the program, socket/tc/xdp programs get a packet context
 * (obj/pktctx.h), the Linux helpers are registered, --dump-maps prints every
 * map after the run. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isa/opcodes.h"
#include "obj/pktctx.h"
#include "tools/cli.h"

static const char usage_text[] =
	"usage: stackbpf run IN [--mem FILE | --mem-hex HEX] [--engine interp|jit]\n"
	"                       [--repeat N] [--strict] [--checked] [--json]\n"
	"                       [--prog NAME] [--dump-maps]\n"
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
	"IN may also be a BPF ELF object built by clang (-target bpf -O2 -g): its\n"
	"maps and global data are created, __ksym externs bind to the host functions\n"
	"above, and the Linux helpers (maps, ringbuf, ktime, prandom, trace_printk\n"
	"to stderr, skb_load_bytes) are available. socket, tc and xdp programs get\n"
	"r1 = a __sk_buff / xdp_md around the memory (the packet); other programs\n"
	"get r1 = the memory itself.\n"
	"\n"
	"options:\n"
	"  --mem FILE       input memory: the bytes of FILE\n"
	"  --mem-hex HEX    input memory as hex byte pairs, spaces optional ('01 02 ff')\n"
	"  --engine ENGINE  interp (default) or jit (x86-64 native code; no memory\n"
	"                   checks until the verifier exists)\n"
	"  --repeat N       run N times (the memory is not reset between runs, as with\n"
	"                   Linux's BPF_PROG_TEST_RUN) and print 'runs: N, ns/run: X'\n"
	"                   on stderr\n"
	"  --strict         kernel-strict: refuse programs that use r11 stack arguments,\n"
	"                   as Linux refuses them without a JIT ('stack args are not\n"
	"                   supported in non-JITed programs')\n"
	"  --checked        check every memory access (what run always does until the\n"
	"                   verifier exists)\n"
	"  --prog NAME      the program of an ELF object to run (required when it has\n"
	"                   several; --data/--data-hex are aliases of --mem/--mem-hex)\n"
	"  --dump-maps      after the run, print every map of the object (before r0)\n"
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
	const char *in, *mem_file, *mem_hex, *prog;
	uint64_t repeat;
	int repeat_given, strict, json, jit, dump_maps;
};

static int parse_args(int argc, char **argv, struct run_args *ra)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (strcmp(a, "--strict") == 0) {
			ra->strict = 1;
		} else if (strcmp(a, "--json") == 0) {
			ra->json = 1;
		} else if (strcmp(a, "--dump-maps") == 0) {
			ra->dump_maps = 1;
		} else if (cli_is_opt(a, "--prog")) {
			if (!(ra->prog = cli_opt_value(argc, argv, &i, "--prog")))
				return -EINVAL;
		} else if (cli_is_opt(a, "--data")) {
			if (!(ra->mem_file = cli_opt_value(argc, argv, &i, "--data")))
				return -EINVAL;
		} else if (cli_is_opt(a, "--data-hex")) {
			if (!(ra->mem_hex = cli_opt_value(argc, argv, &i, "--data-hex")))
				return -EINVAL;
		} else if (strcmp(a, "--checked") == 0) {
			/* always on until the verifier exists */
		} else if (cli_is_opt(a, "--mem")) {
			if (!(ra->mem_file = cli_opt_value(argc, argv, &i, "--mem")))
				return -EINVAL;
		} else if (cli_is_opt(a, "--mem-hex")) {
			if (!(ra->mem_hex = cli_opt_value(argc, argv, &i, "--mem-hex")))
				return -EINVAL;
		} else if (cli_is_opt(a, "--engine")) {
			if (!(v = cli_opt_value(argc, argv, &i, "--engine")))
				return -EINVAL;
			if (strcmp(v, "jit") == 0) {
				ra->jit = 1;
			} else if (strcmp(v, "interp") != 0) {
				cli_error("--engine: '%s' is not one of interp, jit", v);
				return -EINVAL;
			}
		} else if (cli_is_opt(a, "--repeat")) {
			if (!(v = cli_opt_value(argc, argv, &i, "--repeat")) ||
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

static int is_elf(const char *path)
{
	unsigned char m[4] = { 0 };
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : NULL;
	if (!f)
		return 0;
	size_t n = fread(m, 1, 4, f);
	fclose(f);
	return n == 4 && memcmp(m, "\177ELF", 4) == 0;
}

static void log_trace(void *ctx, int level, const char *msg)
{
	(void)ctx, (void)level;
	fprintf(stderr, "trace: %s\n", msg);
}

/* the program of an ELF object to run, or NULL (error printed) */
static struct stackbpf_program *pick_prog(const struct stackbpf_object *obj, const char *path, const char *name)
{
	size_t n = stackbpf_object__prog_cnt(obj);
	struct stackbpf_program *p = name ? stackbpf_object__find_prog(obj, name) : NULL;
	if (p || (!name && n == 1))
		return p ? p : stackbpf_object__prog(obj, 0);
	char list[1024] = "";
	for (size_t i = 0, len = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					stackbpf_program__name(stackbpf_object__prog(obj, i)));
	if (n == 0)
		cli_error("%s: the object has no programs", path);
	else if (name)
		cli_error("%s: no program '%s' (programs: %s)", path, name, list);
	else
		cli_error("%s: %zu programs, choose one with --prog (programs: %s)", path, n, list);
	return NULL;
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
	if (ra.jit)   /* until the verifier lands */
		fputs("stackbpf: warning: the JIT runs unverified programs without memory checks\n", stderr);

	int rc = CLI_BADINPUT;
	struct stackbpf_host *host = stackbpf_host__new();
	struct stackbpf_insn *insns = NULL;
	struct stackbpf_prog *prog = NULL;
	struct stackbpf_object *obj = NULL;
	struct stackbpf_program *oprog = NULL;
	struct sbpf_pktctx pkt = { 0 };
	void *run_mem;
	size_t run_len;
	struct stackbpf_vm *vm = NULL;
	uint8_t *mem = NULL;
	size_t cnt = 0, mem_len = 0;
	const char *msg;

	if (!host || stackbpf_host__add_examples(host)) {
		cli_error("out of memory");
		goto out;
	}
	if (is_elf(ra.in)) {
		STACKBPF_OPTS(stackbpf_linux_helpers_opts, hopts, .log = log_trace);
		STACKBPF_OPTS(stackbpf_object_opts, oopts, .host = host, .log = cli_log_stderr);
		if (stackbpf_host__add_linux_helpers(host, &hopts)) {
			cli_error("out of memory");
			goto out;
		}
		if (!(obj = stackbpf_object__open(ra.in, &oopts)) || !(oprog = pick_prog(obj, ra.in, ra.prog)))
			goto out;
		insns = malloc(stackbpf_prog__insn_cnt(stackbpf_program__prog(oprog)) * sizeof(*insns) + 1);
		if (!insns) {
			cli_error("out of memory");
			goto out;
		}
		cnt = stackbpf_prog__insn_cnt(stackbpf_program__prog(oprog));
		memcpy(insns, stackbpf_prog__insns(stackbpf_program__prog(oprog)), cnt * sizeof(*insns));
	} else if (ra.prog || ra.dump_maps) {
		cli_error("%s: --prog and --dump-maps need an ELF object", ra.in);
		goto out;
	} else if (cli_load_program(ra.in, STACKBPF_SYNTAX_AUTO, host, &insns, &cnt)) {
		goto out;
	}
	if (load_mem(&ra, &mem, &mem_len))
		goto out;
	if (!(prog = oprog ? stackbpf_prog__clone(stackbpf_program__prog(oprog)) : stackbpf_prog__from_insns(insns, cnt))) {
		cli_error("%s: cannot create the program", ra.in);
		goto out;
	}
	run_mem = mem;
	run_len = mem_len;
	if (oprog && sbpf_pktctx_wanted(stackbpf_program__type(oprog))) {
		int e = sbpf_pktctx_new(&pkt, stackbpf_program__type(oprog), mem, mem_len);
		if (e) {
			cli_error("%s: cannot build the packet context: %s", ra.in,
				  e == -E2BIG ? "packet larger than 65536 bytes" : strerror(-e));
			goto out;
		}
		run_mem = pkt.ctx;
		run_len = pkt.ctx_len;
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
	STACKBPF_OPTS(stackbpf_vm_opts, xopts, .host = host, .checked = true,
		      .engine = ra.jit ? STACKBPF_ENGINE_JIT : STACKBPF_ENGINE_INTERP);
	if (!(vm = stackbpf_vm__new(prog, &xopts))) {
		cli_error("%s: cannot prepare the program: %s", ra.in, strerror(errno));
		goto out;
	}
	if ((obj && stackbpf_object__add_regions(obj, vm)) ||
	    (pkt.data_len && stackbpf_vm__add_region(vm, pkt.data, pkt.data_len))) {
		cli_error("out of memory");
		goto out;
	}
	uint64_t r0 = 0, t0 = now_ns();
	for (uint64_t n = 0; n < ra.repeat; n++) {
		int err = stackbpf_vm__run(vm, run_mem, run_len, &r0);
		if (err) {
			cli_error("%s: %s", ra.in, stackbpf_vm__errmsg(vm));
			goto out;
		}
	}
	double ns = (double)(now_ns() - t0) / (double)ra.repeat;
	for (size_t i = 0; ra.dump_maps && i < stackbpf_object__map_cnt(obj); i++)
		stackbpf_map__dump(stackbpf_object__map(obj, i), stdout);
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
	stackbpf_object__close(obj);
	sbpf_pktctx_free(&pkt);
	free(insns);
	free(mem);
	stackbpf_host__free(host);
	return rc;
}
