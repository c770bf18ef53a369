/* test_cli.c - `stackbpf verify`: exit codes, the log on stdout, --json,
 * --strict, --strict-alignment, --mem-size, --help, bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static char out[1 << 16];

/* run the CLI with args (a shell fragment); stdout in out; exit status */
static int cli(const char *args)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "%s verify %s 2>/dev/null", STACKBPF_CLI, args);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *write_tmp(const char *name, const char *text)
{
	static char path[8][256];
	static int k;
	char *p = path[k++ % 8];
	snprintf(p, 256, "/tmp/stackbpf_vt_%d_%s", (int)getpid(), name);
	FILE *f = fopen(p, "w");
	if (!f)
		return p;
	fputs(text, f);
	fclose(f);
	return p;
}

int main(void)
{
	char args[1024];
	const char *good = write_tmp("good.s", "r0 = r2\nexit\n");
	const char *bad = write_tmp("bad.s", "r0 = r3\nexit\n");
	const char *sa = write_tmp("sa.s", "r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\n"
					    "*(u64 *)(r11 - 8) = 1\ncall sum_args6\nexit\n");
	const char *junk = write_tmp("junk.s", "this is not bpf\n");
	const char *unaligned = write_tmp("ua.s", "r0 = *(u32 *)(r1 + 1)\nexit\n");
	const char *aligned = write_tmp("al.s", "r0 = *(u32 *)(r1 + 4)\nexit\n");

	snprintf(args, sizeof(args), "%s", good);
	T_EQ_U64(cli(args), 0, "accepted exit code");
	T_EQ_STR(out, "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n",
		 "accepted: level-1 log");

	snprintf(args, sizeof(args), "%s", bad);
	T_EQ_U64(cli(args), 1, "rejected exit code");
	T_OK(strstr(out, "0: (bf) r0 = r3\nR3 !read_ok\nprocessed 1 insns") != NULL, "rejected log: %s", out);

	snprintf(args, sizeof(args), "%s --log-level 0 --json", bad);
	T_EQ_U64(cli(args), 1, "json exit code");
	const char *want = "{\"verdict\":\"failure\",\"error\":\"R3 !read_ok\",\"errno\":13,\"insns\":1,";
	T_OK(strncmp(out, want, strlen(want)) == 0, "json: %s", out);

	snprintf(args, sizeof(args), "%s --json --log-level=0 --mem-size 64", good);
	T_EQ_U64(cli(args), 0, "json accepted");
	T_OK(strstr(out, "\"verdict\":\"success\"") && strstr(out, "\"stack_depth\":[0]}"), "json: %s", out);

	snprintf(args, sizeof(args), "%s", sa);
	T_EQ_U64(cli(args), 0, "stack args accepted by default");
	snprintf(args, sizeof(args), "%s --strict", sa);
	T_EQ_U64(cli(args), 1, "stack args refused with --strict");
	T_OK(strstr(out, "stack args are not supported in non-JITed programs\n") != NULL, "strict: %s", out);

	/* --strict-alignment: BPF_F_STRICT_ALIGNMENT, every access checked */
	snprintf(args, sizeof(args), "%s --mem-size 8", unaligned);
	T_EQ_U64(cli(args), 0, "unaligned load accepted by default (x86-64)");
	snprintf(args, sizeof(args), "%s --mem-size 8 --strict-alignment", unaligned);
	T_EQ_U64(cli(args), 1, "unaligned load refused with --strict-alignment");
	T_OK(strstr(out, "0: (61) r0 = *(u32 *)(r1 +1)\nmisaligned access off 0+0+1 size 4\nprocessed 1 insns") != NULL,
	     "strict alignment: %s", out);
	snprintf(args, sizeof(args), "%s --mem-size 8 --strict-alignment", aligned);
	T_EQ_U64(cli(args), 0, "aligned load accepted with --strict-alignment");

	snprintf(args, sizeof(args), "%s/data/mem_sum_input.data --log-level 1", STACKBPF_TESTS_DIR);
	T_EQ_U64(cli(args), 0, ".data file with memory");

	snprintf(args, sizeof(args), "%s --log-level 2", good);
	T_EQ_U64(cli(args), 0, "level 2");
	T_OK(strncmp(out, "func#0 @0\n0: R1=mem(sz=0) R2=0 R10=fp0\n0: (bf) r0 = r2", 48) == 0, "level 2: %s", out);

	T_EQ_U64(cli("--help"), 0, "--help");
	T_OK(strstr(out, "usage: stackbpf verify") && strstr(out, "examples:"), "help text");
	T_OK(strstr(out, "[--strict-alignment]") && strstr(out, "\n  --strict-alignment\n"), "help: --strict-alignment");
	snprintf(args, sizeof(args), "%s", junk);
	T_EQ_U64(cli(args), 2, "bad input");
	T_EQ_U64(cli("/nonexistent/x.s"), 2, "missing file");
	T_EQ_U64(cli(""), 2, "no input");
	snprintf(args, sizeof(args), "%s --log-level 9", good);
	T_EQ_U64(cli(args), 2, "bad log level");
	snprintf(args, sizeof(args), "%s --bogus", good);
	T_EQ_U64(cli(args), 2, "unknown option");
	unlink(good);
	unlink(bad);
	unlink(sa);
	unlink(junk);
	unlink(unaligned);
	unlink(aligned);
	return t_done();
}
