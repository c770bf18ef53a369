/* cmd_verify.c - `stackbpf verify`: run the verifier on a program and print
 * its log (Linux 6.18 format) and, with --json, the statistics. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/datafile.h"
#include "tools/cli.h"

static const char usage_text[] =
	"usage: stackbpf verify IN [--log-level N] [--strict] [--json] [--mem-size N]\n"
	"\n"
	"Verify a program as Linux's verifier would, with the r11 stack-argument\n"
	"rules, and print the verifier log. IN is assembly (.s, any syntax), raw\n"
	"bytecode (.bin) or a bpf_conformance-style .data file. The program type is\n"
	"raw: r1 = pointer to N bytes of input memory, r2 = N, and r0 at exit may be\n"
	"any number. Calls may use the example host functions sum_args0..12 and\n"
	"mem_sum (for .data files also the conformance helpers 0..5).\n"
	"\n"
	"options:\n"
	"  --log-level N   1 (default): the path to the error, or only the\n"
	"                  'processed ...' line when the program is accepted;\n"
	"                  2: every path; 0: no log; add 4 for the statistics\n"
	"                  lines ('verification time', 'stack depth')\n"
	"  --strict        behave as Linux: no stack-argument counts without BTF,\n"
	"                  and no stack arguments without a JIT\n"
	"  --mem-size N    bytes behind r1 (default: the .data file's memory, else 0)\n"
	"  --json          print the statistics as one JSON object after the log:\n"
	"                  {\"verdict\":\"success\",\"error\":\"\",\"insns\":N,\n"
	"                   \"total_states\":N,\"peak_states\":N,\"max_states_per_insn\":N,\n"
	"                   \"duration_ns\":N,\"stack_depth\":[A,B]}\n"
	"  -h, --help      this text\n"
	"\n"
	"exit status: 0 accepted, 1 rejected, 2 bad input or usage.\n"
	"\n"
	"examples:\n"
	"  stackbpf verify prog.s\n"
	"  stackbpf verify prog.s --log-level 2        # every path, with states\n"
	"  stackbpf verify prog.bin --mem-size 64 --json\n"
	"  stackbpf verify tests/data/host_args12.data --strict\n";

struct lines {
	char **v;
	size_t n, cap;
	int oom;
};

static void collect(void *ctx, int level, const char *msg)
{
	(void)level;
	struct lines *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->oom = 1;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(msg)))
		l->oom = 1;
	else
		l->n++;
}

/* the error: the last line before "processed ..." (the line before a
 * "cur state:" dump for infinite loops) */
static const char *error_line(const struct lines *l)
{
	for (size_t i = l->n; i-- > 0;) {
		if (strncmp(l->v[i], "processed ", 10) != 0)
			continue;
		while (i-- > 0)
			if (strncmp(l->v[i], "cur state:", 10) != 0 && strncmp(l->v[i], "stack depth ", 12) != 0 &&
			    strncmp(l->v[i], "verification time ", 18) != 0)
				return l->v[i];
		return "";
	}
	return "";
}

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

int cmd_verify(int argc, char **argv)
{
	const char *in = NULL;
	uint64_t level = 1, mem_size = 0;
	int strict = 0, json = 0, mem_given = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return CLI_OK;
		} else if (strcmp(a, "--strict") == 0) {
			strict = 1;
		} else if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (cli_is_opt(a, "--log-level")) {
			const char *v = cli_opt_value(argc, argv, &i, "--log-level");
			if (!v || cli_parse_u64("--log-level", v, 0, 7, &level))
				return CLI_BADINPUT;
		} else if (cli_is_opt(a, "--mem-size")) {
			const char *v = cli_opt_value(argc, argv, &i, "--mem-size");
			if (!v || cli_parse_u64("--mem-size", v, 0, UINT32_MAX, &mem_size))
				return CLI_BADINPUT;
			mem_given = 1;
		} else if (a[0] == '-' && a[1]) {
			cli_error("verify: unknown option '%s' (try 'stackbpf verify --help')", a);
			return CLI_BADINPUT;
		} else if (!in) {
			in = a;
		} else {
			cli_error("verify: more than one input ('%s' and '%s')", in, a);
			return CLI_BADINPUT;
		}
	}
	if (!in) {
		cli_error("verify needs an input program (try 'stackbpf verify --help')");
		return CLI_BADINPUT;
	}

	int rc = CLI_BADINPUT;
	struct stackbpf_host *host = stackbpf_host__new();
	struct stackbpf_insn *insns = NULL;
	struct stackbpf_prog *prog = NULL;
	struct lines lines = { 0 };
	size_t cnt = 0;
	int is_data = ends_with(in, ".data");
	uint64_t data_mem = 0;
	if (!host || stackbpf_host__add_examples(host) || (is_data && stackbpf_host__add_conformance_helpers(host))) {
		cli_error("out of memory");
		goto out;
	}
	if (is_data ? load_data(in, host, &insns, &cnt, &data_mem)
		    : cli_load_program(in, STACKBPF_SYNTAX_AUTO, host, &insns, &cnt))
		goto out;
	if (!mem_given)
		mem_size = data_mem;
	if (!(prog = stackbpf_prog__from_insns(insns, cnt))) {
		cli_error("out of memory");
		goto out;
	}
	STACKBPF_OPTS(stackbpf_verify_opts, opts, .host = host, .log_level = (int)(level ? level : json ? 1 : 0),
		      .strict = strict, .mem_size = (uint32_t)mem_size, .log = collect, .log_ctx = &lines);
	STACKBPF_OPTS(stackbpf_verify_stats, st);
	int err = stackbpf_prog__verify(prog, &opts, &st);
	if (lines.oom || err == -ENOMEM || err == -EOPNOTSUPP) {
		cli_error("%s: %s", in, strerror(-err));
		goto out;
	}
	if (level)
		for (size_t i = 0; i < lines.n; i++)
			puts(lines.v[i]);
	if (json) {
		printf("{\"verdict\":\"%s\",\"error\":", err ? "failure" : "success");
		json_str(err ? error_line(&lines) : "");
		printf(",\"errno\":%d,\"insns\":%" PRIu64 ",\"total_states\":%u,\"peak_states\":%u,"
		       "\"max_states_per_insn\":%u,\"duration_ns\":%" PRIu64 ",\"stack_depth\":[",
		       -err, st.insns_processed, st.total_states, st.peak_states, st.max_states_per_insn,
		       st.verification_ns);
		for (uint32_t i = 0; i < st.subprog_cnt && i < STACKBPF_VERIFY_MAX_SUBPROGS; i++)
			printf("%s%u", i ? "," : "", st.stack_depth[i]);
		printf("]}\n");
	}
	rc = err ? CLI_REJECTED : CLI_OK;
out:
	for (size_t i = 0; i < lines.n; i++)
		free(lines.v[i]);
	free(lines.v);
	stackbpf_prog__free(prog);
	free(insns);
	stackbpf_host__free(host);
	return rc;
}
