/* test_jit_diff.c - differential test: every .data program of a directory runs
 * in the checked interpreter and in the JIT (through the public API with
 * STACKBPF_ENGINE_JIT, and compiled again without BMI2 shifts), each on its
 * own copy of the memory; error, message, r0 and the final memory must agree.
 *
 * usage: jit_diff DIR [--min N] [--skip-if-missing]
 * Programs that do not assemble or validate are skipped (negative tests), and
 * so are programs the checked interpreter stops on a bad memory access or the
 * instruction limit: native code has no memory checks until the verifier
 * exists (faults the JIT does report, such as an r11 slot beyond the seventh,
 * are compared). --min N fails the test when fewer than N programs were compared. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit.h"
#include "prog/conformance_exec.h"
#include "testlib.h"
#include "text/datafile.h"

struct outcome {
	int err;
	uint64_t r0;
	char msg[256];
	uint8_t *mem;
};

static struct stackbpf_host *host;
static unsigned compared, skipped_invalid, skipped_fault;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_engine(const struct stackbpf_prog *p, const struct sbpf_datafile *df, int engine, bool no_bmi2,
		       struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->mem = df->mem_len ? malloc(df->mem_len) : NULL;
	if (df->mem_len)
		memcpy(o->mem, df->mem, df->mem_len);
	if (no_bmi2) {
		/* the portable shift path, through the internal API */
		struct sbpf_jit_opts jo = { .no_bmi2 = true };
		struct sbpf_jit *jit = sbpf_jit_compile(stackbpf_prog__insns(p), stackbpf_prog__insn_cnt(p), host,
							8 * 1024 * 1024, &jo, o->msg, sizeof(o->msg));
		if (!jit) {
			o->err = -1000;
			return;
		}
		o->msg[0] = '\0';
		o->err = sbpf_jit_run(jit, stackbpf_prog__insns(p), o->mem, df->mem_len, &o->r0, o->msg, sizeof(o->msg));
		sbpf_jit_free(jit);
		return;
	}
	STACKBPF_OPTS(stackbpf_vm_opts, opts, .host = host, .checked = engine == STACKBPF_ENGINE_INTERP,
		      .engine = engine, .insn_limit = engine == STACKBPF_ENGINE_INTERP ? 100000000 : 0);
	struct stackbpf_vm *vm = stackbpf_vm__new(p, &opts);
	if (!vm) {
		o->err = -errno;
		return;
	}
	if (engine == STACKBPF_ENGINE_JIT && !stackbpf_vm__jit_code(vm, NULL)) {
		o->err = -1000;
		snprintf(o->msg, sizeof(o->msg), "not compiled");
	} else {
		o->err = stackbpf_vm__run(vm, o->mem, df->mem_len, &o->r0);
		snprintf(o->msg, sizeof(o->msg), "%s", stackbpf_vm__errmsg(vm));
	}
	stackbpf_vm__free(vm);
}

static void check_file(const char *path)
{
	struct sbpf_datafile df;
	char err[512];
	struct stackbpf_insn *insns = NULL;
	size_t cnt;
	if (sbpf_datafile_load(path, &df, err, sizeof(err))) {
		printf("skipped, invalid: %s\n", err);
		skipped_invalid++;
		return;
	}
	if (sbpf_datafile_program(&df, host, &insns, &cnt, err, sizeof(err))) {
		printf("skipped, invalid: %s\n", err);
		skipped_invalid++;
		sbpf_datafile_free(&df);
		return;
	}
	struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, cnt);
	const char *msg;
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .host = host);
	if (!p || stackbpf_prog__validate(p, &vopts, &msg)) {
		printf("skipped, invalid: %s\n", path);
		skipped_invalid++;
		goto out;
	}
	struct outcome ref, jit;
	run_engine(p, &df, STACKBPF_ENGINE_INTERP, false, &ref);
	if (ref.err == -ETIME || (ref.err == -EFAULT && (strstr(ref.msg, "not in any region") ||
							 strstr(ref.msg, "misaligned")))) {
		printf("skipped, the interpreter stops it: %s: %s\n", path, ref.msg);
		skipped_fault++;
		free(ref.mem);
		goto out;
	}
	for (int variant = 0; variant < 2; variant++) {
		run_engine(p, &df, STACKBPF_ENGINE_JIT, variant == 1, &jit);
		T_OK(jit.err == ref.err && jit.r0 == ref.r0 && strcmp(jit.msg, ref.msg) == 0 &&
			     (!df.mem_len || memcmp(jit.mem, ref.mem, df.mem_len) == 0),
		     "%s%s: interpreter err %d r0 0x%" PRIx64 " '%s'; jit err %d r0 0x%" PRIx64 " '%s'%s", path,
		     variant ? " (no bmi2)" : "", ref.err, ref.r0, ref.msg, jit.err, jit.r0, jit.msg,
		     df.mem_len && memcmp(jit.mem, ref.mem, df.mem_len) ? " (memory differs)" : "");
		free(jit.mem);
	}
	compared++;
	free(ref.mem);
out:
	stackbpf_prog__free(p);
	free(insns);
	sbpf_datafile_free(&df);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	unsigned min = 1;
	bool skip_missing = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--min") == 0 && i + 1 < argc)
			min = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--skip-if-missing") == 0)
			skip_missing = true;
		else
			dir = argv[i];
	}
	if (!dir) {
		fprintf(stderr, "usage: jit_diff DIR [--min N] [--skip-if-missing]\n");
		return 2;
	}
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return skip_missing ? 77 : 1;
	}
	host = sbpf_cexec_host_new();
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".data") == 0) {
			names = realloc(names, (n + 1) * sizeof(*names));
			names[n] = malloc(strlen(dir) + len + 2);
			sprintf(names[n++], "%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		check_file(names[i]);
		free(names[i]);
	}
	free(names);
	stackbpf_host__free(host);
	printf("%zu files: %u compared on both engines, %u invalid (skipped), %u memory faults (skipped)\n", n,
	       compared, skipped_invalid, skipped_fault);
	T_OK(compared >= min, "only %u programs compared, want at least %u", compared, min);
	return t_done();
}
