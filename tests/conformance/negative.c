/* negative.c - none of the 60 files of ../shared/conformance/negative may pass,
 * and each must fail in its precise way, through the plugin's code path:
 *
 *   PARSE   the .data file itself is rejected           (exact file:line:col message)
 *   NOPROG  there is no program to run                  (exact message)
 *   ASM     the assembler rejects it                    (exact file:line:col message)
 *   REJECT  validation rejects it (reserved fields)     (exact "insn N: ..." message)
 *   WRONG   a runner self-test with a wrong expectation: it runs and returns the
 *           true value (exact r0)
 *
 *   conformance_negative DIR      (exit 77 when DIR does not exist)
 */
#include "testlib.h"
#include "conformance/runner.h"
#include "isa/opcodes.h"
#include "prog/conformance_exec.h"
#include "text/datafile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum kind { PARSE, NOPROG, ASM, REJECT, WRONG };

static const struct neg {
	const char *file;
	enum kind kind;
	const char *msg;   /* PARSE, NOPROG, ASM: after "DIR/FILE"; REJECT: the whole message */
	uint64_t r0;       /* WRONG: the true value (error.data: see check_error_data) */
} cases[] = {
	{ "empty.data", NOPROG, ": no program (the file has no -- asm or -- raw section)", 0 },
	{ "empty_instructions.data", NOPROG, ": no program (the file has no -- asm or -- raw section)", 0 },
	/* `or %r0, %r10` returns the frame pointer, whatever the -- error says */
	{ "error.data", WRONG, NULL, 0 },
	/* ldxdw at mem+2 of aa bb 11 22 .. 88 cc dd: 0x8877665544332211, not 0x89.. */
	{ "incorrect_return_value_high_bits.data", WRONG, NULL, 0x8877665544332211ull },
	{ "invalid_imm32_dec_range.data", ASM, ":5:12: immediate '2147483648' does not fit in 32 bits", 0 },
	{ "invalid_imm32_hex_range.data", ASM, ":5:12: immediate '0x100000000' does not fit in 32 bits", 0 },
	{ "invalid_label.data", ASM, ":4:4: unknown label 'NOT_A_LABEL'", 0 },
	{ "invalid_lock.data", ASM, ":4:17: unexpected end of line", 0 },
	{ "invalid_lock2.data", ASM, ":4:5: unexpected end of line", 0 },
	{ "invalid_mnemonic.data", ASM, ":5:1: unknown instruction 'ldxq'", 0 },
	{ "invalid_offset.data", ASM, ":4:11: unexpected '%r1'", 0 },
	{ "invalid_offset_range.data", ASM, ":5:15: offset '+0x10000' does not fit in 16 bits", 0 },
	{ "invalid_operand_count.data", ASM, ":4:9: unexpected end of line", 0 },
	{ "invalid_register.data", ASM, ":4:9: invalid register '%r50'", 0 },
	{ "invalid_unknown_directive.data", PARSE,
	  ":4:4: unknown section '-- Unknown directive' (want asm, raw, mem, result, error, c or no register offset)", 0 },
	{ "unused-add64_imm-offset.data", REJECT, "insn 0: BPF_ALU uses reserved fields", 0 },
	{ "unused-add64_imm-src.data", REJECT, "insn 0: BPF_ALU uses reserved fields", 0 },
	{ "unused-add64_reg-imm.data", REJECT, "insn 0: BPF_ALU uses reserved fields", 0 },
	{ "unused-add64_reg-offset.data", REJECT, "insn 0: BPF_ALU uses reserved fields", 0 },
	{ "unused-add_imm-offset.data", REJECT, "insn 0: BPF_ALU uses reserved fields", 0 },
	{ "unused-add_imm-src.data", REJECT, "insn 0: BPF_ALU uses reserved fields", 0 },
	{ "unused-add_reg-imm.data", REJECT, "insn 0: BPF_ALU uses reserved fields", 0 },
	{ "unused-add_reg-offset.data", REJECT, "insn 0: BPF_ALU uses reserved fields", 0 },
	{ "unused-be16-offset.data", REJECT, "insn 0: BPF_END uses reserved fields", 0 },
	{ "unused-be16-src.data", REJECT, "insn 0: BPF_END uses reserved fields", 0 },
	{ "unused-call-dst.data", REJECT, "insn 0: BPF_CALL uses reserved fields", 0 },
	{ "unused-call-offset.data", REJECT, "insn 0: BPF_CALL uses reserved fields", 0 },
	{ "unused-exit-dst.data", REJECT, "insn 0: BPF_EXIT uses reserved fields", 0 },
	{ "unused-exit-imm.data", REJECT, "insn 0: BPF_EXIT uses reserved fields", 0 },
	{ "unused-exit-offset.data", REJECT, "insn 0: BPF_EXIT uses reserved fields", 0 },
	{ "unused-exit-src.data", REJECT, "insn 0: BPF_EXIT uses reserved fields", 0 },
	{ "unused-ja-dst.data", REJECT, "insn 0: BPF_JA uses reserved fields", 0 },
	{ "unused-ja-imm.data", REJECT, "insn 0: BPF_JA uses reserved fields", 0 },
	{ "unused-ja-src.data", REJECT, "insn 0: BPF_JA uses reserved fields", 0 },
	{ "unused-jeq_imm-src.data", REJECT, "insn 0: BPF_JMP/JMP32 uses reserved fields", 0 },
	{ "unused-jeq_reg-imm.data", REJECT, "insn 0: BPF_JMP/JMP32 uses reserved fields", 0 },
	{ "unused-jgt_imm-src.data", REJECT, "insn 0: BPF_JMP/JMP32 uses reserved fields", 0 },
	{ "unused-jgt_reg-imm.data", REJECT, "insn 0: BPF_JMP/JMP32 uses reserved fields", 0 },
	{ "unused-ldxdw-imm.data", REJECT, "insn 0: BPF_LDX uses reserved fields", 0 },
	{ "unused-ldxw-imm.data", REJECT, "insn 0: BPF_LDX uses reserved fields", 0 },
	{ "unused-le16-offset.data", REJECT, "insn 0: BPF_END uses reserved fields", 0 },
	{ "unused-le16-src.data", REJECT, "insn 0: BPF_END uses reserved fields", 0 },
	{ "unused-mov64_imm-offset.data", REJECT, "insn 0: BPF_MOV uses reserved fields", 0 },
	{ "unused-mov64_imm-src.data", REJECT, "insn 0: BPF_MOV uses reserved fields", 0 },
	{ "unused-mov64_reg-imm.data", REJECT, "insn 0: BPF_MOV uses reserved fields", 0 },
	{ "unused-mov64_reg-offset.data", REJECT, "insn 0: BPF_MOV uses reserved fields", 0 },
	{ "unused-mov_imm-offset.data", REJECT, "insn 0: BPF_MOV uses reserved fields", 0 },
	{ "unused-mov_imm-src.data", REJECT, "insn 0: BPF_MOV uses reserved fields", 0 },
	{ "unused-mov_reg-imm.data", REJECT, "insn 0: BPF_MOV uses reserved fields", 0 },
	{ "unused-mov_reg-offset.data", REJECT, "insn 0: BPF_MOV uses reserved fields", 0 },
	{ "unused-neg-imm.data", REJECT, "insn 0: BPF_NEG uses reserved fields", 0 },
	{ "unused-neg-offset.data", REJECT, "insn 0: BPF_NEG uses reserved fields", 0 },
	{ "unused-neg-src.data", REJECT, "insn 0: BPF_NEG uses reserved fields", 0 },
	{ "unused-neg64-imm.data", REJECT, "insn 0: BPF_NEG uses reserved fields", 0 },
	{ "unused-neg64-offset.data", REJECT, "insn 0: BPF_NEG uses reserved fields", 0 },
	{ "unused-neg64-src.data", REJECT, "insn 0: BPF_NEG uses reserved fields", 0 },
	{ "unused-stdw-src.data", REJECT, "insn 0: BPF_ST uses reserved fields", 0 },
	{ "unused-stw-src.data", REJECT, "insn 0: BPF_ST uses reserved fields", 0 },
	{ "unused-stxdw-imm.data", REJECT, "insn 0: BPF_STX uses reserved fields", 0 },
	{ "unused-stxw-imm.data", REJECT, "insn 0: BPF_STX uses reserved fields", 0 },
};
enum { NCASES = sizeof(cases) / sizeof(cases[0]) };

static const struct neg *find_case(const char *file)
{
	for (size_t i = 0; i < NCASES; i++)
		if (strcmp(cases[i].file, file) == 0)
			return &cases[i];
	return NULL;
}

/* error.data is `or %r0, %r10; exit`: its true value is the frame pointer, a
 * host address. Prove it exactly by running the same instructions with
 * `r0 -= r10` before the final exit, which must then return 0. */
static void check_error_data(const char *path, const struct stackbpf_host *host, const struct conf_outcome *o)
{
	struct sbpf_datafile df;
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	char err[512];
	uint64_t r0 = 1;

	T_OK(o->r0 != 0 && o->r0 % 16 == 0, "error.data: r0 0x%" PRIx64 " is not a 16-byte aligned frame pointer",
	     o->r0);
	T_OK(sbpf_datafile_load(path, &df, err, sizeof(err)) == 0, "%s", err);
	T_OK(sbpf_datafile_program(&df, host, &insns, &cnt, err, sizeof(err)) == 0, "%s", err);
	T_EQ_U64(cnt, 2, "error.data instruction count");
	if (cnt == 2 && insns[1].code == 0x95) {
		struct stackbpf_insn probe[3] = { insns[0], { .code = 0x1f, .dst = 0, .src = 10 }, insns[1] };
		T_OK(sbpf_cexec_run(host, probe, 3, NULL, 0, &r0, err, sizeof(err)) == 0, "error.data probe: %s", err);
		T_EQ_U64(r0, 0, "error.data: r0 - r10 at exit");
	}
	free(insns);
	sbpf_datafile_free(&df);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: conformance_negative DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	char **files;
	int n = conf_list_dir(dir, &files);
	if (n == -ENOENT) {
		printf("%s is missing: skipped\n", dir);
		return 77;
	}
	T_OK(n == NCASES, "%s holds %d .data files, expected %d", dir, n, (int)NCASES);

	struct stackbpf_host *host = sbpf_cexec_host_new();
	struct conf_opts opts = {
		.cpu = 4,
		.groups = G_BASE32 | G_BASE64 | G_ATOMIC32 | G_ATOMIC64 | G_DIVMUL32 | G_DIVMUL64 | G_CALLX | G_PACKET,
	};
	int passed = 0, seen = 0;
	for (int i = 0; host && i < n; i++) {
		const char *name = strrchr(files[i], '/') + 1;
		const struct neg *c = find_case(name);
		T_OK(c != NULL, "%s: not in the expectation table", name);
		if (!c)
			continue;
		seen++;

		struct conf_outcome o;
		conf_run_file(files[i], host, &opts, &o);
		T_OK(o.result != CONF_PASS, "%s passed", name);
		passed += o.result == CONF_PASS;

		char want[1024];
		switch (c->kind) {
		case PARSE:
		case NOPROG:
		case ASM:
			snprintf(want, sizeof(want), "%s%s", files[i], c->msg);
			T_OK(o.stage == (c->kind == PARSE ? CONF_STAGE_PARSE : CONF_STAGE_PROGRAM),
			     "%s: stopped at stage %d", name, o.stage);
			T_OK(o.result == (c->kind == NOPROG ? CONF_SKIP : CONF_ERROR), "%s: result %d", name, o.result);
			T_EQ_STR(o.msg, want, name);
			break;
		case REJECT:
			T_OK(o.stage == CONF_STAGE_RUN && o.rejected, "%s: was not rejected by the plugin path", name);
			T_EQ_STR(o.msg, c->msg, name);
			break;
		case WRONG:
			T_OK(o.stage == CONF_STAGE_RUN && !o.rejected && o.result == CONF_FAIL,
			     "%s: should run and mismatch (stage %d, rejected %d: %s)", name, o.stage, o.rejected, o.msg);
			if (strcmp(name, "error.data") == 0)
				check_error_data(files[i], host, &o);
			else
				T_EQ_U64(o.r0, c->r0, name);
			break;
		}
	}
	T_OK(seen == NCASES, "%d of %d expected files seen", seen, (int)NCASES);
	printf("Passed %d out of %d tests (none may pass).\n", passed, n);

	stackbpf_host__free(host);
	conf_free_list(files, n);
	return t_done();
}
