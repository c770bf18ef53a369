/* cmd_run.c - `stackbpf run`: load a program (.s, .bin, a bpf_conformance
 * .data file, or a BPF ELF object), verify it, run it (the JIT by default,
 * else the fast or checked interpreter) and print r0.
 *
 * A program the verifier rejects never runs: the verifier's error is printed
 * and the exit status is 1. Program types the verifier cannot check yet
 * (-EOPNOTSUPP) run in the checked interpreter, with a warning. ELF objects
 * (detected by their magic) are opened with stackbpf_object__open: --prog
 * picks the program, socket/tc/xdp programs get a packet context
 * (obj/pktctx.h), the Linux helpers are registered, --dump-maps prints every
 * map after the run and --data-out writes the (possibly modified) packet. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isa/opcodes.h"
#include "obj/pktctx.h"
#include "tools/cli.h"
#include "tools/cli_prog.h"

static const char usage_text[] =
	"usage: stackbpf run IN [--mem FILE | --mem-hex HEX] [--engine jit|interp]\n"
	"                       [--checked] [--repeat N] [--strict] [--json]\n"
	"                       [--prog NAME] [--dump-maps] [--data-out FILE]\n"
	"\n"
	"Verify a BPF program, run it and print r0 as 0x<hex> on the last line of\n"
	"stdout. IN is assembly (.s, any syntax, detected), raw bytecode (.bin: 8-byte\n"
	"little-endian instructions), a bpf_conformance test (.data: its program and\n"
	"memory, with uBPF's conformance helpers) or a BPF ELF object; '-' reads\n"
	"stdin. The program starts with r1 = pointer to the memory, r2 = its length\n"
	"(NULL and 0 without memory), r10 = a 512-byte stack.\n"
	"\n"
	"The verifier checks the program first (r1 is memory of the given length);\n"
	"a rejected program does not run: the verifier's error is printed and the\n"
	"exit status is 1. It then runs as x86-64 native code (the JIT), or in the\n"
	"interpreter with --engine interp, or in the checked interpreter with\n"
	"--checked (every memory access checked; a bad one stops the run with a\n"
	"message naming the instruction, address and size). Stack arguments (r11)\n"
	"are an extension both engines support. Calls may use the example host\n"
	"functions sum_args0..sum_args12 (sum of i*a_i) and mem_sum(a1..a5, mem,\n"
	"mem__sz).\n"
	"\n"
	"IN may also be a BPF ELF object built by clang (-target bpf -O2 -g): its\n"
	"maps and global data are created, __ksym externs bind to the host functions\n"
	"above, and the Linux helpers (maps, ringbuf, ktime, prandom, trace_printk\n"
	"to stderr, skb_load_bytes, tail_call, loop) are available. socket, tc and\n"
	"xdp programs get r1 = a __sk_buff / xdp_md around the memory (the packet,\n"
	"an Ethernet frame), built as Linux's BPF_PROG_TEST_RUN does: socket filters\n"
	"and cgroup_skb programs see it from the network header (skb->len without\n"
	"the 14-byte Ethernet header, whose bytes --data-out writes back zeroed).\n"
	"A packet Linux refuses (under 14 bytes; an IPv4/IPv6 frame without its\n"
	"whole IP header for a __sk_buff) is refused with exit status 2; without\n"
	"--data the packet is empty. Other programs get r1 = the memory itself\n"
	"(zero-padded to 4096 bytes, the largest context the verifier allows).\n"
	"Program types the verifier does\n"
	"not know yet run in the checked interpreter, with a warning.\n"
	"\n"
	"options:\n"
	"  --mem FILE       input memory: the bytes of FILE (--data FILE: the same)\n"
	"  --mem-hex HEX    input memory as hex byte pairs, spaces optional ('01 02 ff')\n"
	"                   (--data-hex HEX: the same)\n"
	"  --engine ENGINE  jit (default; falls back to the interpreter, with a\n"
	"                   warning, for what it cannot compile) or interp\n"
	"  --checked        run in the checked interpreter\n"
	"  --harden         JIT: blind every immediate of the program with a random\n"
	"                   key (as Linux's bpf_jit_harden)\n"
	"  --repeat N       run N times (the memory is not reset between runs, as with\n"
	"                   Linux's BPF_PROG_TEST_RUN) and print 'runs: N, ns/run: X'\n"
	"                   on stderr\n"
	"  --strict         kernel-strict: verify as 'stackbpf verify --strict' (no\n"
	"                   stack-argument counts without BTF; r11 stack arguments\n"
	"                   refused: 'stack args are not supported in non-JITed\n"
	"                   programs'), and refuse them as well in a program that\n"
	"                   runs unverified in the interpreter\n"
	"  --prog NAME      the program of an ELF object to run (required when it has\n"
	"                   several)\n"
	"  --dump-maps      after the run, print every map of the object (before r0)\n"
	"  --data-out FILE  after the run, write the memory (the packet of a socket,\n"
	"                   tc or xdp program) to FILE\n"
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
	"  stackbpf run xdp.bpf.o --prog xdp_pass --data pkt.bin --data-out out.bin\n";

enum { ENG_JIT, ENG_INTERP, ENG_CHECKED };
/* bytes of context a non-packet ELF program gets at least (Linux's largest
 * test-run contexts: PERF_MAX_TRACE_SIZE for tracepoints) */
enum { CTX_PAD = 4096 };

struct run_args {
	const char *in, *mem_file, *mem_hex, *prog, *data_out;
	uint64_t repeat;
	int repeat_given, strict, json, engine, dump_maps, harden;
};

static int parse_engine(const char *v, struct run_args *ra)
{
	if (strcmp(v, "jit") == 0)
		ra->engine = ra->engine == ENG_CHECKED ? ENG_CHECKED : ENG_JIT;
	else if (strcmp(v, "interp") == 0)
		ra->engine = ra->engine == ENG_CHECKED ? ENG_CHECKED : ENG_INTERP;
	else {
		cli_error("--engine: '%s' is not one of jit, interp", v);
		return -EINVAL;
	}
	return 0;
}

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
		} else if (strcmp(a, "--harden") == 0) {
			ra->harden = 1;
		} else if (strcmp(a, "--checked") == 0) {
			ra->engine = ENG_CHECKED;
		} else if (cli_is_opt(a, "--prog")) {
			if (!(ra->prog = cli_opt_value(argc, argv, &i, "--prog")))
				return -EINVAL;
		} else if (cli_is_opt(a, "--data-out")) {
			if (!(ra->data_out = cli_opt_value(argc, argv, &i, "--data-out")))
				return -EINVAL;
		} else if (cli_is_opt(a, "--data") || cli_is_opt(a, "--mem")) {
			if (!(ra->mem_file = cli_opt_value(argc, argv, &i, cli_is_opt(a, "--data") ? "--data" : "--mem")))
				return -EINVAL;
		} else if (cli_is_opt(a, "--data-hex") || cli_is_opt(a, "--mem-hex")) {
			if (!(ra->mem_hex = cli_opt_value(argc, argv, &i,
							  cli_is_opt(a, "--data-hex") ? "--data-hex" : "--mem-hex")))
				return -EINVAL;
		} else if (cli_is_opt(a, "--engine")) {
			if (!(v = cli_opt_value(argc, argv, &i, "--engine")) || parse_engine(v, ra))
				return -EINVAL;
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
	if (ra->mem_file) {
		free(*mem);
		*mem = NULL;
		return cli_read_file(ra->mem_file, (char **)mem, len);
	}
	if (ra->mem_hex) {
		char err[128];
		free(*mem);
		*mem = NULL;
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

/* the JIT's fallback reason (level 1 messages at vm creation) */
static void log_fallback(void *ctx, int level, const char *msg)
{
	if (level == 1)
		snprintf((char *)ctx, 256, "%s", msg);
}

static int write_out(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f)) {
		cli_error("%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -EIO;
	}
	return 0;
}

/* 1 when the object has a prog_array (tail calls need the prog table) */
static int has_prog_array(const struct stackbpf_object *obj)
{
	for (size_t i = 0; i < stackbpf_object__map_cnt(obj); i++)
		if (stackbpf_map__type(stackbpf_object__map(obj, i)) == STACKBPF_MAP_PROG_ARRAY)
			return 1;
	return 0;
}

/* the tail-call table of an ELF object: table[i] runs the object's program
 * i (its index is what a prog_array slot holds), prepared like the program
 * that runs (`self`, already in the table). As libbpf loads every program
 * of an object, each is verified; one the verifier does not know yet
 * leaves its slot empty. 0, or -1 (message printed). */
static int fill_prog_table(const char *path, struct cli_prog *c, struct stackbpf_vm **table,
			   const struct stackbpf_vm_opts *xopts, int strict)
{
	for (size_t i = 0; i < stackbpf_object__prog_cnt(c->obj); i++) {
		const struct stackbpf_program *op = stackbpf_object__prog(c->obj, i);
		if (op == c->oprog || table[i])
			continue;
		struct cli_prog q = { .host = c->host, .obj = c->obj, .oprog = (struct stackbpf_program *)op,
				      .type = stackbpf_program__type(op) };
		const char *msg;
		STACKBPF_OPTS(stackbpf_validate_opts, valopts, .host = c->host);
		if (!(q.prog = stackbpf_prog__clone(stackbpf_program__prog(op)))) {
			cli_error("out of memory");
			return -1;
		}
		int v = stackbpf_prog__validate(q.prog, &valopts, &msg) ? -2
			: cli_prog_verify(path, &q, CTX_PAD, strict, "its prog_array slots stay empty");
		if (v == -2)
			cli_error("%s: program %s: %s", path, stackbpf_program__name(op), msg);
		if (v == 0 && !(table[i] = stackbpf_vm__new(q.prog, xopts)))
			cli_error("%s: cannot prepare program %s: %s", path, stackbpf_program__name(op),
				  strerror(errno));
		stackbpf_prog__free(q.prog);
		if (v < 0 || (v == 0 && !table[i]) || (table[i] && stackbpf_object__add_regions(c->obj, table[i])))
			return -1;
	}
	return 0;
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

	int rc = CLI_BADINPUT;
	struct cli_prog c = { 0 };
	struct sbpf_pktctx pkt = { 0 };
	struct stackbpf_vm *vm = NULL, **table = NULL;
	size_t ntable = 0;
	void *run_mem;
	size_t run_len;
	char reason[256] = "";

	if (!cli_is_elf(ra.in) && (ra.prog || ra.dump_maps)) {
		cli_error("%s: --prog and --dump-maps need an ELF object", ra.in);
		goto out;
	}
	if (cli_prog_load(ra.in, ra.prog, &c) || load_mem(&ra, &c.mem, &c.mem_len))
		goto out;
	run_mem = c.mem;
	run_len = c.mem_len;
	if (c.oprog && sbpf_pktctx_wanted(c.type)) {
		/* a packet given is checked as Linux's test run checks it;
		 * without one the program runs on an empty packet */
		int e = ra.mem_file || ra.mem_hex ? sbpf_pktctx_check(c.type, c.mem, c.mem_len) : 0;
		if (!e)
			e = sbpf_pktctx_new(&pkt, c.type, c.mem, c.mem_len);
		if (e) {
			cli_error("%s: cannot build the packet context: %s", ra.in,
				  e == -E2BIG    ? "packet larger than 65536 bytes"
				  : e == -EINVAL ? "packet too short (an Ethernet header, and for a __sk_buff the whole IPv4/IPv6 header)"
						 : strerror(-e));
			goto out;
		}
		run_mem = pkt.ctx;
		run_len = pkt.ctx_len;
	} else if (c.oprog && c.mem_len < CTX_PAD) {
		/* the memory is the context, which the verifier sizes by the
		 * program type: zeroes behind it, so no access leaves it */
		uint8_t *m = calloc(1, CTX_PAD);
		if (!m) {
			cli_error("out of memory");
			goto out;
		}
		if (c.mem_len)
			memcpy(m, c.mem, c.mem_len);
		free(c.mem);
		run_mem = c.mem = m;
		run_len = CTX_PAD;
	}
	rc = CLI_REJECTED;
	const char *msg;
	STACKBPF_OPTS(stackbpf_validate_opts, valopts, .host = c.host);
	if (stackbpf_prog__validate(c.prog, &valopts, &msg)) {
		cli_error("%s: %s", ra.in, msg);
		goto out;
	}
	int v = cli_prog_verify(ra.in, &c, (uint32_t)run_len, ra.strict, "running it in the checked interpreter");
	if (v < 0)
		goto out;
	int engine = v ? ENG_CHECKED : ra.engine;
	STACKBPF_OPTS(stackbpf_vm_opts, xopts, .host = c.host, .checked = engine == ENG_CHECKED,
		      .engine = engine == ENG_JIT ? STACKBPF_ENGINE_JIT : STACKBPF_ENGINE_INTERP,
		      .log = log_fallback, .log_ctx = reason, .harden = ra.harden != 0);
	if (c.obj && has_prog_array(c.obj)) {
		ntable = stackbpf_object__prog_cnt(c.obj);
		if (!(table = calloc(ntable, sizeof(*table)))) {
			cli_error("out of memory");
			goto out;
		}
		xopts.progs = table;
		xopts.prog_cnt = (uint32_t)ntable;
	}
	if (!(vm = stackbpf_vm__new(c.prog, &xopts))) {
		cli_error("%s: cannot prepare the program: %s", ra.in, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < ntable; i++)
		if (stackbpf_object__prog(c.obj, i) == c.oprog)
			table[i] = vm;
	if (table && fill_prog_table(ra.in, &c, table, &xopts, ra.strict))
		goto out;
	int native = stackbpf_vm__jit_code(vm, NULL) != NULL;
	if (engine == ENG_JIT && !native)
		fprintf(stderr, "stackbpf: warning: %s: %s\n", ra.in, reason[0] ? reason : "the JIT failed");
	const struct stackbpf_insn *insns = stackbpf_prog__insns(c.prog);
	long use = ra.strict && !native ? first_stack_arg_use(insns, stackbpf_prog__insn_cnt(c.prog), c.host) : -1;
	if (use >= 0) {
		cli_error("%s: insn %ld: stack args are not supported in non-JITed programs", ra.in, use);
		goto out;
	}
	if (c.obj && stackbpf_object__add_regions(c.obj, vm)) {
		cli_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < (table ? ntable : 1); i++) {
		struct stackbpf_vm *t = table ? table[i] : vm;
		if (t && pkt.data_len && stackbpf_vm__add_region(t, pkt.data, pkt.data_len)) {
			cli_error("out of memory");
			goto out;
		}
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
	if (ra.data_out) {
		const uint8_t *outp = c.mem;
		size_t outn = c.mem_len;
		if (pkt.ctx)
			sbpf_pktctx_out(&pkt, &outp, &outn);
		if (write_out(ra.data_out, outp, outn))
			goto out;
	}
	for (size_t i = 0; ra.dump_maps && i < stackbpf_object__map_cnt(c.obj); i++)
		stackbpf_map__dump(stackbpf_object__map(c.obj, i), stdout);
	if (ra.json) {
		printf("{\"r0\":\"0x%" PRIx64 "\",\"runs\":%" PRIu64 ",\"ns_per_run\":%.1f}\n", r0, ra.repeat, ns);
	} else {
		if (ra.repeat_given)
			fprintf(stderr, "runs: %" PRIu64 ", ns/run: %.1f\n", ra.repeat, ns);
		printf("0x%" PRIx64 "\n", r0);
	}
	rc = CLI_OK;
out:
	for (size_t i = 0; i < ntable; i++)
		if (table[i] != vm)
			stackbpf_vm__free(table[i]);
	free(table);
	stackbpf_vm__free(vm);
	sbpf_pktctx_free(&pkt);
	cli_prog_free(&c);
	return rc;
}
