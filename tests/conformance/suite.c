/* suite.c - run every .data file of a directory as bpf_conformance would, at
 * cpu v4 with every group enabled (callx and packet included), and require
 * each one to PASS.
 *
 *   conformance_suite DIR (--count N | --min N) [--cli] [--skip-if-missing]
 *
 * --count N   the directory must hold exactly N files (--min: at least N)
 * --cli       spawn the real CLI (STACKBPF_CLI) as `stackbpf plugin`, with the
 *             runner's protocol; default: in process, through sbpf_cexec_run
 * --skip-if-missing   exit 77 (ctest skip) when DIR does not exist
 *
 * Prints each file that did not pass, `Passed N out of M tests.`, and the
 * testlib summary line. */
#include "testlib.h"
#include "conformance/runner.h"
#include "isa/opcodes.h"
#include "prog/conformance_exec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const result_names[] = { "PASS", "FAIL", "ERROR", "SKIP" };

static int usage(void)
{
	fprintf(stderr, "usage: conformance_suite DIR (--count N | --min N) [--cli] [--skip-if-missing]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	long want = -1;
	int exact = 0, skip_if_missing = 0;
	struct conf_opts opts = {
		.cpu = 4,
		.groups = G_BASE32 | G_BASE64 | G_ATOMIC32 | G_ATOMIC64 | G_DIVMUL32 | G_DIVMUL64 | G_CALLX | G_PACKET,
	};

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--count") == 0 || strcmp(argv[i], "--min") == 0) && i + 1 < argc) {
			exact = argv[i][2] == 'c';
			want = strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--cli") == 0) {
			opts.cli = STACKBPF_CLI;
		} else if (strcmp(argv[i], "--skip-if-missing") == 0) {
			skip_if_missing = 1;
		} else if (!dir && argv[i][0] != '-') {
			dir = argv[i];
		} else {
			return usage();
		}
	}
	if (!dir || want < 0)
		return usage();

	char **files;
	int n = conf_list_dir(dir, &files);
	if (n == -ENOENT && skip_if_missing) {
		printf("%s is missing: skipped\n", dir);
		return 77;
	}
	if (n < 0) {
		fprintf(stderr, "cannot read %s: %s\n", dir, strerror(-n));
		return 1;
	}
	if (exact)
		T_OK(n == want, "%s holds %d .data files, expected %ld", dir, n, want);
	else
		T_OK(n >= want, "%s holds %d .data files, expected at least %ld", dir, n, want);

	struct stackbpf_host *host = sbpf_cexec_host_new();
	T_OK(host != NULL, "host registry");
	if (!host)
		return t_done();

	int passed = 0, run = 0;
	for (int i = 0; i < n; i++) {
		struct conf_outcome o;
		conf_run_file(files[i], host, &opts, &o);
		const char *name = strrchr(files[i], '/') + 1;
		if (o.result != CONF_SKIP)
			run++;
		if (o.result == CONF_PASS)
			passed++;
		else
			printf("%s: %s: %s%s\n", result_names[o.result], name, o.rejected ? "plugin error: " : "",
			       o.msg);
		T_OK(o.result == CONF_PASS, "%s: %s", name, result_names[o.result]);
	}
	printf("Passed %d out of %d tests.\n", passed, run);
	T_OK(passed == n, "%d of %d files passed", passed, n);

	stackbpf_host__free(host);
	conf_free_list(files, n);
	return t_done();
}
