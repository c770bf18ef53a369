/* cmd_verify.c - `stackbpf verify`: run the verifier on a program (assembly,
 * bytecode, a .data file) or on the programs of an ELF object, print its log
 * (Linux 6.18 format, with source lines from .BTF.ext) and, with --json, the
 * statistics. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/datafile.h"
#include "tools/stat.h"

static const char usage_text[] =
	"usage: stackbpf verify IN [--prog NAME] [--type SECTION] [--log-level N]\n"
	"                          [--strict] [--strict-alignment] [--json]\n"
	"                          [--mem-size N]\n"
	"\n"
	"Verify a program as Linux's verifier would, with the r11 stack-argument\n"
	"rules, and print the verifier log.\n"
	"\n"
	"IN is a BPF ELF object (clang -target bpf -O2 -g, or `stackbpf asm --elf`):\n"
	"every program is verified (--prog picks one) with the program type of its\n"
	"section (xdp, socket, tc, kprobe/..., as libbpf), its maps, global data and\n"
	"linked subprograms, calls to the Linux helpers and the example host\n"
	"functions; the log shows the source lines of .BTF.ext line info as Linux\n"
	"does (\"; int x = ctx->len; @ file.c:12\"). With several programs, each log\n"
	"follows a line \"Program NAME (section SECTION):\" and ends with a blank line.\n"
	"\n"
	"IN may also be assembly (.s, any syntax), raw bytecode (.bin) or a\n"
	"bpf_conformance-style .data file. Such a program is raw (r1 = pointer to N\n"
	"bytes of input memory, r2 = N, r0 at exit any number) unless --type names a\n"
	"section; calls may use the example host functions sum_args0..12 and mem_sum\n"
	"(for .data files also the conformance helpers 0..5).\n"
	"\n"
	"options:\n"
	"  --prog NAME     verify only this program of the object\n"
	"  --type SECTION  program type of a .s/.bin/.data program, as a libbpf\n"
	"                  section name (xdp, socket, tc, kprobe, ...; raw: default)\n"
	"  --log-level N   1 (default): the path to the error, or only the\n"
	"                  'processed ...' line when the program is accepted;\n"
	"                  2: every path; 0: no log; add 4 for the statistics\n"
	"                  lines ('verification time', 'stack depth')\n"
	"  --strict        behave as Linux: argument counts only from BTF, and no\n"
	"                  stack arguments without a JIT\n"
	"  --strict-alignment\n"
	"                  check the alignment of every memory access, as Linux\n"
	"                  with BPF_F_STRICT_ALIGNMENT (packet data as if it\n"
	"                  started 2 bytes past an aligned address); default:\n"
	"                  as x86-64, only stack and atomic accesses are checked\n"
	"  --mem-size N    raw programs: bytes behind r1 (default: the .data file's\n"
	"                  memory, else 0)\n"
	"  --json          after the log, one JSON object per program on one line:\n"
	"                  {\"prog\":\"xdp_count\",\"section\":\"xdp\",\"verdict\":\"success\",\n"
	"                   \"error\":\"\",\"errno\":0,\"insns\":N,\"total_states\":N,\n"
	"                   \"peak_states\":N,\"max_states_per_insn\":N,\"duration_ns\":N,\n"
	"                   \"prog_type\":\"xdp\",\"stack_depth\":[A,B]}\n"
	"                  (\"prog\" and \"section\" only for objects; \"error\" is the\n"
	"                  log's last line before the statistics when rejected;\n"
	"                  stack_depth: bytes per subprogram, main program first)\n"
	"  -h, --help      this text\n"
	"\n"
	"exit status: 0 every program accepted, 1 a program rejected, 2 bad input or\n"
	"usage (unreadable or malformed file, unknown program or type).\n"
	"\n"
	"When a function's BTF prototype is not its true signature (clang before\n"
	"LLVM 23 drops dead parameters from the code, not from BTF), stderr says so:\n"
	"\"hint: ...\" when that is why the program is rejected (--strict, as Linux),\n"
	"\"warning: ...\" when stackbpf accepts it using the code's argument count.\n"
	"\n"
	"examples:\n"
	"  stackbpf verify xdp_count.o                      # every program\n"
	"  stackbpf verify xdp_count.o --prog xdp_count --log-level 2\n"
	"  stackbpf verify prog.s --type xdp\n"
	"  stackbpf verify prog.bin --mem-size 64 --json\n"
	"  stackbpf verify tests/data/host_args12.data --strict\n";

struct verify_args {
	const char *in, *prog, *type;
	uint64_t level, mem_size;
	bool strict, json, mem_given, strict_alignment;
};

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* .data: program and memory size from the file */
static int load_data(const char *path, struct stackbpf_host *host, struct stackbpf_insn **insns, size_t *cnt,
		     uint64_t *mem_size)
{
	struct sbpf_datafile df;
	char err[256];
	int e = sbpf_datafile_load(path, &df, err, sizeof(err));
	if (e) {
		cli_error("%s", err);
		return e;
	}
	e = sbpf_datafile_program(&df, host, insns, cnt, err, sizeof(err));
	if (e)
		cli_error("%s", err);
	*mem_size = df.mem_len;
	sbpf_datafile_free(&df);
	return e;
}

static int parse_args(int argc, char **argv, struct verify_args *a)
{
	a->level = 1;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *v;
		if (strcmp(s, "--strict") == 0) {
			a->strict = true;
		} else if (strcmp(s, "--strict-alignment") == 0) {
			a->strict_alignment = true;
		} else if (strcmp(s, "--json") == 0) {
			a->json = true;
		} else if (cli_is_opt(s, "--log-level")) {
			if (!(v = cli_opt_value(argc, argv, &i, "--log-level")) ||
			    cli_parse_u64("--log-level", v, 0, 7, &a->level))
				return -1;
		} else if (cli_is_opt(s, "--mem-size")) {
			if (!(v = cli_opt_value(argc, argv, &i, "--mem-size")) ||
			    cli_parse_u64("--mem-size", v, 0, UINT32_MAX, &a->mem_size))
				return -1;
			a->mem_given = true;
		} else if (cli_is_opt(s, "--prog")) {
			if (!(a->prog = cli_opt_value(argc, argv, &i, "--prog")))
				return -1;
		} else if (cli_is_opt(s, "--type")) {
			if (!(a->type = cli_opt_value(argc, argv, &i, "--type")))
				return -1;
		} else if (s[0] == '-' && s[1]) {
			cli_error("verify: unknown option '%s' (try 'stackbpf verify --help')", s);
			return -1;
		} else if (!a->in) {
			a->in = s;
		} else {
			cli_error("verify: more than one input ('%s' and '%s')", a->in, s);
			return -1;
		}
	}
	if (!a->in) {
		cli_error("verify needs an input program (try 'stackbpf verify --help')");
		return -1;
	}
	return 0;
}

/* Verify one program and print its log and JSON line. Returns CLI_OK,
 * CLI_REJECTED or CLI_BADINPUT (program type not supported, no memory). */
static int verify_one(const struct verify_args *a, const struct stackbpf_prog *prog, const struct sv_target *t,
		      const struct stackbpf_object *obj, const struct stackbpf_program *oprog)
{
	const char *name = oprog ? stackbpf_program__name(oprog) : NULL;
	const char *section = oprog ? stackbpf_program__section(oprog) : NULL;
	struct sv_log log = { 0 };
	STACKBPF_OPTS(stackbpf_verify_stats, st);
	int err = sv_verify(prog, t, &log, &st);
	int rc = err ? CLI_REJECTED : CLI_OK;
	fflush(stdout);   /* messages on stderr after what precedes them */
	if (err == -ENOMEM) {
		cli_error("%s: %s", a->in, strerror(ENOMEM));
		rc = CLI_BADINPUT;
	} else if (err == -EOPNOTSUPP) {
		cli_error("%s%s%s: the verifier does not support program type %s yet", a->in, name ? ": " : "",
			  name ? name : "", sv_prog_type_str(t->prog_type));
		rc = CLI_BADINPUT;
	} else {
		if (a->level)
			for (size_t i = 0; i < log.n; i++)
				puts(log.v[i]);
		/* a BTF prototype that is not the true signature: why Linux
		 * rejects it (--strict), or a warning when stackbpf accepts */
		if (obj && err)
			sv_print_btf_hint(obj, oprog, a->in, sv_log_error(&log), "hint");
		else if (obj && !a->strict)
			sv_print_btf_hint(obj, oprog, a->in, NULL, "warning");
		if (a->json) {
			putchar('{');
			if (name) {
				printf("\"prog\":");
				json_str(name);
				printf(",\"section\":");
				json_str(section);
				putchar(',');
			}
			printf("\"verdict\":\"%s\",\"error\":", err ? "failure" : "success");
			json_str(err ? sv_log_error(&log) : "");
			printf(",\"errno\":%d,\"insns\":%" PRIu64 ",\"total_states\":%u,\"peak_states\":%u,"
			       "\"max_states_per_insn\":%u,\"duration_ns\":%" PRIu64 ",\"prog_type\":\"%s\","
			       "\"stack_depth\":[",
			       -err, st.insns_processed, st.total_states, st.peak_states, st.max_states_per_insn,
			       st.verification_ns, sv_prog_type_str(t->prog_type));
			for (uint32_t i = 0; i < st.subprog_cnt && i < STACKBPF_VERIFY_MAX_SUBPROGS; i++)
				printf("%s%u", i ? "," : "", st.stack_depth[i]);
			printf("]}\n");
		}
	}
	sv_log_free(&log);
	return rc;
}

static int list_progs(const struct stackbpf_object *obj, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < stackbpf_object__prog_cnt(obj) && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
					stackbpf_program__name(stackbpf_object__prog(obj, i)));
	return 0;
}

static int verify_object(const struct verify_args *a, struct stackbpf_host *host)
{
	if (a->type || a->mem_given) {
		cli_error("%s: %s applies to .s/.bin/.data programs; an object's programs take their type from "
			  "their section", a->in, a->type ? "--type" : "--mem-size");
		return CLI_BADINPUT;
	}
	struct stackbpf_object *obj = sv_object_open(a->in, host);
	if (!obj)
		return CLI_BADINPUT;
	size_t n = stackbpf_object__prog_cnt(obj);
	bool bad = false;
	char list[1024];
	if (a->prog && !stackbpf_object__find_prog(obj, a->prog)) {
		list_progs(obj, list, sizeof(list));
		cli_error("%s: no program '%s' (programs: %s)", a->in, a->prog, n ? list : "none");
		bad = true;
	} else if (n == 0) {
		cli_error("%s: the object has no programs", a->in);
		bad = true;
	}
	int rc = bad ? CLI_BADINPUT : CLI_OK;
	for (size_t i = 0; !bad && i < n; i++) {
		const struct stackbpf_program *p = stackbpf_object__prog(obj, i);
		const char *name = stackbpf_program__name(p);
		if (a->prog && strcmp(a->prog, name) != 0)
			continue;
		bool header = !a->prog && n > 1 && a->level;
		if (header)
			printf("Program %s (section %s):\n", name, stackbpf_program__section(p));
		struct sv_target t = {
			.host = host,
			.prog_type = stackbpf_program__type(p),
			.lines = stackbpf_program__line_cnt(p) ? stackbpf_program__line(p, 0) : NULL,
			.line_cnt = stackbpf_program__line_cnt(p),
			.log_level = (int)(a->level ? a->level : a->json ? 1 : 0),
			.strict = a->strict,
			.strict_alignment = a->strict_alignment,
		};
		int r = verify_one(a, stackbpf_program__prog(p), &t, obj, p);
		if (header)
			putchar('\n');
		if (r > rc)
			rc = r;
	}
	stackbpf_object__close(obj);
	return rc;
}

static int verify_raw(const struct verify_args *a, struct stackbpf_host *host)
{
	int type = STACKBPF_PROG_UNSPEC;
	if (a->prog) {
		cli_error("%s: --prog needs an ELF object", a->in);
		return CLI_BADINPUT;
	}
	if (a->type && (type = stackbpf_prog_type__from_name(a->type)) < 0) {
		cli_error("verify: unknown program type '%s' (a libbpf section name: socket, tc, xdp, kprobe, "
			  "tracepoint, raw_tracepoint, perf_event, syscall, ...; or raw)", a->type);
		return CLI_BADINPUT;
	}
	struct stackbpf_insn *insns = NULL;
	struct stackbpf_prog *prog = NULL;
	size_t cnt = 0;
	uint64_t data_mem = 0;
	int rc = CLI_BADINPUT;
	bool is_data = ends_with(a->in, ".data");
	if (is_data && stackbpf_host__add_conformance_helpers(host)) {
		cli_error("out of memory");
		return CLI_BADINPUT;
	}
	if (is_data ? load_data(a->in, host, &insns, &cnt, &data_mem)
		    : cli_load_program(a->in, STACKBPF_SYNTAX_AUTO, host, &insns, &cnt))
		goto out;
	if (!(prog = stackbpf_prog__from_insns(insns, cnt))) {
		cli_error("out of memory");
		goto out;
	}
	struct sv_target t = {
		.host = host,
		.prog_type = type,
		.log_level = (int)(a->level ? a->level : a->json ? 1 : 0),
		.strict = a->strict,
		.strict_alignment = a->strict_alignment,
		.mem_size = (uint32_t)(a->mem_given ? a->mem_size : data_mem),
	};
	rc = verify_one(a, prog, &t, NULL, NULL);
out:
	stackbpf_prog__free(prog);
	free(insns);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return CLI_OK;
		}
	struct verify_args a = { 0 };
	if (parse_args(argc, argv, &a))
		return CLI_BADINPUT;
	bool elf = sv_is_elf(a.in);
	struct stackbpf_host *host = sv_host_new(elf);
	if (!host)
		return CLI_BADINPUT;
	int rc = elf ? verify_object(&a, host) : verify_raw(&a, host);
	stackbpf_host__free(host);
	return rc;
}
