/* test_data.c - the verifier over every .data program of tests/data (with
 * the file's input memory size and the conformance helpers) and over the
 * bench programs (the .s files of bench/progs, 4 KiB of input). The programs that must be
 * rejected are listed below with the reason; every other program must be
 * accepted and, when the file states a result, return it in the checked
 * interpreter. Prints one verdict line per program. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/datafile.h"
#include "vt.h"

static const struct {
	const char *file, *msg;
} rejected[] = {
	/* Linux's limits, kept in the default mode */
	{ "callee_stack_and_args.data", "combined stack size of 2 calls is 528. Too large" },
	{ "err_call_depth9.data", "the call stack of 9 frames is too deep" },
	/* not supported by Linux's verifier either */
	{ "callx_helpers.data", "BPF_CALL uses reserved fields" },
	{ "callx_unwind.data", "BPF_CALL uses reserved fields" },
	{ "ld_abs.data", "BPF_LD_[ABS|IND] instructions not allowed for this program type" },
	{ "ld_abs_out_of_bounds.data", "BPF_LD_[ABS|IND] instructions not allowed for this program type" },
	{ "ld_ind.data", "BPF_LD_[ABS|IND] instructions not allowed for this program type" },
	/* stack-argument errors the interpreter reports at run time */
	{ "err_r11_alu.data", "R11 is invalid" },
	{ "err_r11_slot8.data", "invalid read from stack arg off 64 depth 0" },
	{ "err_r11_store_positive.data", "R11 is invalid" },
	/* the bench programs loop 10^6..10^7 times on a precise counter: Linux
	 * refuses them too (each iteration is a different state) */
	{ "arith.s", "BPF program is too large. Processed 1000001 insn" },
	{ "call12.s", "BPF program is too large. Processed 1000001 insn" },
	{ "call5.s", "BPF program is too large. Processed 1000001 insn" },
	{ "call6.s", "BPF program is too large. Processed 1000001 insn" },
	{ "call8.s", "BPF program is too large. Processed 1000001 insn" },
	{ "calls.s", "BPF program is too large. Processed 1000001 insn" },
	{ "host12.s", "BPF program is too large. Processed 1000001 insn" },
	{ "host5.s", "BPF program is too large. Processed 1000001 insn" },
	{ "host6.s", "BPF program is too large. Processed 1000001 insn" },
	{ "host8.s", "BPF program is too large. Processed 1000001 insn" },
	{ "struct12.s", "BPF program is too large. Processed 1000001 insn" },
	/* and they walk the buffer up to an end pointer compared with `!=`:
	 * pointer comparisons teach Linux nothing, so the walk runs past the end */
	{ "bsort.s", "R1 min value is outside of the allowed memory range" },
	{ "fnv1a.s", "R1 min value is outside of the allowed memory range" },
	{ "memrw.s", "R5 min value is outside of the allowed memory range" },
};

/* ../shared/conformance (bpf_conformance, not in the repo): Linux refuses
 * the 12 out-of-range shift immediates, and callx */
static const struct {
	const char *file, *msg;
} conf_rejected[] = {
	{ "arsh32-imm-high.data", "invalid shift 48" }, { "arsh32-imm-neg.data", "invalid shift -16" },
	{ "arsh64-imm-high.data", "invalid shift 124" }, { "arsh64-imm-neg.data", "invalid shift -4" },
	{ "lsh32-imm-high.data", "invalid shift 60" }, { "lsh32-imm-neg.data", "invalid shift -4" },
	{ "lsh64-imm-high.data", "invalid shift 68" }, { "lsh64-imm-neg.data", "invalid shift -60" },
	{ "rsh32-imm-high.data", "invalid shift 40" }, { "rsh32-imm-neg.data", "invalid shift -24" },
	{ "rsh64-imm-high.data", "invalid shift 68" }, { "rsh64-imm-neg.data", "invalid shift -60" },
	{ "callx.data", "BPF_CALL uses reserved fields" },
};

static bool in_conformance;

static const char *expected_msg(const char *file)
{
	if (in_conformance) {
		for (size_t i = 0; i < sizeof(conf_rejected) / sizeof(conf_rejected[0]); i++)
			if (strcmp(conf_rejected[i].file, file) == 0)
				return conf_rejected[i].msg;
		return NULL;
	}
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		if (strcmp(rejected[i].file, file) == 0)
			return rejected[i].msg;
	return NULL;
}

static struct stackbpf_host *data_host(void)
{
	static struct stackbpf_host *h;
	if (!h) {
		h = stackbpf_host__new();
		if (!h || stackbpf_host__add_examples(h) || stackbpf_host__add_conformance_helpers(h))
			exit(2);
	}
	return h;
}

static int accepted_cnt, rejected_cnt;

static void check_program(const char *name, const struct stackbpf_insn *insns, size_t cnt, uint8_t *mem,
			  size_t mem_len, bool has_result, uint64_t result)
{
	static struct vt_log log;
	static const char too_large[] = "BPF program is too large. Processed 1000001 insn";
	const char *want = expected_msg(name);
	struct stackbpf_prog *p = stackbpf_prog__from_insns(insns, cnt);
	memset(&log, 0, sizeof(log));
	/* a million-instruction log is slow to format: check those by errno */
	bool big = want && strcmp(want, too_large) == 0;
	STACKBPF_OPTS(stackbpf_verify_opts, o, .host = data_host(), .log_level = big ? 0 : 1,
		      .mem_size = (uint32_t)mem_len, .log = vt_log_cb, .log_ctx = &log);
	STACKBPF_OPTS(stackbpf_verify_stats, st);
	int err = stackbpf_prog__verify(p, &o, &st);
	if (big && err == -E2BIG && st.insns_processed == 1000001)
		snprintf(log.err, sizeof(log.err), "%s", too_large);
	else
		vt_check_shortcuts(name, p, o, err, log.err, &st);
	printf("%-32s %s%s%s\n", name, err ? "rejected: " : "accepted", err ? log.err : "", "");
	if (want) {
		rejected_cnt++;
		T_OK(err != 0, "%s: accepted, want \"%s\"", name, want);
		T_OK(err == 0 || strcmp(log.err, want) == 0, "%s: got \"%s\", want \"%s\"", name, log.err, want);
	} else {
		accepted_cnt++;
		T_OK(err == 0, "%s: rejected: %s\n%s", name, log.err, log.text);
		if (!err) {
			STACKBPF_OPTS(stackbpf_vm_opts, vo, .host = data_host(), .checked = true);
			struct stackbpf_vm *vm = stackbpf_vm__new(p, &vo);
			uint64_t r0 = 0;
			int rerr = vm ? stackbpf_vm__run(vm, mem, mem_len, &r0) : -ENOMEM;
			T_OK(rerr == 0, "%s: accepted but faults: %s", name, vm ? stackbpf_vm__errmsg(vm) : "no vm");
			if (has_result)
				T_EQ_U64(r0, result, name);
			stackbpf_vm__free(vm);
		}
	}
	stackbpf_prog__free(p);
}

static int names_of(const char *dir, const char *suffix, char **names, int max)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d)) && n < max;) {
		size_t l = strlen(e->d_name), s = strlen(suffix);
		if (l > s && strcmp(e->d_name + l - s, suffix) == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	for (int i = 1; i < n; i++)          /* insertion sort: stable output */
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	return n;
}

static void run_data(const char *dir)
{
	char *names[512], path[1024], err[256];
	int n = names_of(dir, ".data", names, 512);
	T_OK(n > 50, "%s has %d programs", dir, n);
	for (int i = 0; i < n; i++) {
		struct sbpf_datafile df;
		struct stackbpf_insn *insns = NULL;
		size_t cnt = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (sbpf_datafile_load(path, &df, err, sizeof(err)) ||
		    sbpf_datafile_program(&df, data_host(), &insns, &cnt, err, sizeof(err))) {
			T_OK(0, "%s: %s", names[i], err);
		} else {
			check_program(names[i], insns, cnt, df.mem, df.mem_len, df.result_line != 0, df.result);
			sbpf_datafile_free(&df);
		}
		free(insns);
		free(names[i]);
	}
	if (in_conformance)
		return;
	/* every rejection listed above names an existing file */
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
		size_t l = strlen(rejected[i].file);
		snprintf(path, sizeof(path), "%s/%s%s", l > 2 && strcmp(rejected[i].file + l - 2, ".s") == 0 ?
			 STACKBPF_TESTS_DIR "/../bench/progs" : dir, rejected[i].file, "");
		FILE *f = fopen(path, "r");
		T_OK(f != NULL, "listed file %s does not exist", rejected[i].file);
		if (f)
			fclose(f);
	}
}

static void run_bench(void)
{
	char *names[64], path[1024];
	const char *dir = STACKBPF_TESTS_DIR "/../bench/progs";
	int n = names_of(dir, ".s", names, 64);
	T_OK(n >= 5, "bench/progs has %d programs", n);
	static uint8_t mem[4096];
	for (int i = 0; i < 4096; i++)
		mem[i] = (uint8_t)(i * 37 + 11);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		FILE *f = fopen(path, "r");
		char *text = calloc(1, 1 << 20);
		size_t len = f && text ? fread(text, 1, (1 << 20) - 1, f) : 0;
		if (f)
			fclose(f);
		struct stackbpf_insn *insns = NULL;
		size_t cnt = 0;
		STACKBPF_OPTS(stackbpf_asm_opts, ao, .host = data_host());
		if (!len || stackbpf_asm__text(text, len, &ao, &insns, &cnt))
			T_OK(0, "%s does not assemble", names[i]);
		else
			check_program(names[i], insns, cnt, mem, sizeof(mem), false, 0);
		free(insns);
		free(text);
		free(names[i]);
	}
}

int main(void)
{
	run_data(STACKBPF_TESTS_DIR "/data");
	run_bench();
	printf("%d accepted, %d rejected as listed\n", accepted_cnt, rejected_cnt);
	DIR *d = opendir(STACKBPF_SHARED_DIR "/conformance/tests");
	if (d) {
		closedir(d);
		accepted_cnt = rejected_cnt = 0;
		in_conformance = true;
		run_data(STACKBPF_SHARED_DIR "/conformance/tests");
		printf("bpf_conformance: %d accepted, %d rejected as listed\n", accepted_cnt, rejected_cnt);
		T_EQ_U64(rejected_cnt, sizeof(conf_rejected) / sizeof(conf_rejected[0]), "conformance rejections");
	} else {
		printf("bpf_conformance: %s not found, skipped\n", STACKBPF_SHARED_DIR "/conformance/tests");
	}
	return t_done();
}
