/* test_roundtrip.c - asm(disasm(x)) == x for every form of opcodes.def, in
 * kernel, LLVM and (where it can be written) bpf_conformance syntax: single
 * instructions, whole programs with labels, automatic syntax detection,
 * host-function calls by name, and encodings that print as .8byte. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"
#include "forms.h"
#include "text/text.h"

static char last_error[512];

static void log_msg(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_error, sizeof(last_error), "%s", msg);
}

static const char *syntax_name[] = { "auto", "llvm", "kernel", "conformance" };

/* assemble text and compare with want[0..n) */
static void check_asm(const char *text, enum stackbpf_syntax syn, const struct stackbpf_host *host,
		      const struct stackbpf_insn *want, size_t n, const char *what)
{
	STACKBPF_OPTS(stackbpf_asm_opts, opts, .syntax = syn, .host = host, .log = log_msg);
	struct stackbpf_insn *got = NULL;
	size_t cnt = 0;
	last_error[0] = '\0';
	int err = stackbpf_asm__text(text, strlen(text), &opts, &got, &cnt);
	int same = !err && cnt == n && memcmp(got, want, n * 8) == 0;
	char a[256] = "", b[256] = "";
	hex_insns(a, sizeof(a), want, n);
	if (!err)
		hex_insns(b, sizeof(b), got, cnt);
	T_OK(same, "%s [%s]: \"%s\" -> %s%s (want %s)", what, syntax_name[syn], text, err ? "error: " : b,
	     last_error, a);
	free(got);
}

int main(void)
{
	static const enum stackbpf_syntax syns[] = {
		STACKBPF_SYNTAX_KERNEL, STACKBPF_SYNTAX_LLVM, STACKBPF_SYNTAX_CONFORMANCE,
	};
	int conf_missing = 0;

	/* 1. every form, every variant, one instruction at a time */
	for (int f = 0; f < SBPF_NFORMS; f++) {
		for (int v = 0; v < GEN_VARIANTS; v++) {
			struct stackbpf_insn in[2];
			int n = gen_form((enum sbpf_form)f, v, 0, in);
			for (size_t k = 0; k < 3; k++) {
				char text[256];
				STACKBPF_OPTS(stackbpf_disasm_opts, dopts, .syntax = syns[k]);
				int slots = stackbpf_disasm__insn(in, (size_t)n, 0, &dopts, text, sizeof(text));
				T_EQ_U64(slots, n, "slots");
				if (!strncmp(text, ".8byte", 6) && syns[k] == STACKBPF_SYNTAX_CONFORMANCE) {
					/* the one thing conformance syntax cannot say: ld_imm64 pseudo sources */
					T_OK(sbpf_opinfo[f].shape == S_LD_IMM64 && sbpf_opinfo[f].mval != 0,
					     "%s has no conformance syntax", sbpf_opinfo[f].name);
					conf_missing += v == 0;
				}
				T_OK(strstr(text, ".8byte") == NULL || syns[k] == STACKBPF_SYNTAX_CONFORMANCE,
				     "%s v%d printed raw: %s", sbpf_opinfo[f].name, v, text);
				check_asm(text, syns[k], NULL, in, (size_t)n, sbpf_opinfo[f].name);
			}
		}
	}
	T_EQ_U64(conf_missing, 6, "ld_imm64 pseudo forms without conformance syntax");

	/* 2. whole programs: every form, with labels, in each syntax and via auto detection */
	size_t cap = SBPF_NFORMS * GEN_VARIANTS * 2 + 1, n = 0;
	struct stackbpf_insn *prog = calloc(cap, sizeof(*prog));
	for (int v = 0; v < GEN_VARIANTS; v++)
		for (int f = 0; f < SBPF_NFORMS; f++)
			if (sbpf_template((enum sbpf_form)f, D_CONF))
				n += (size_t)gen_form((enum sbpf_form)f, v, 1, &prog[n]);
	prog[n++] = (struct stackbpf_insn){ .code = 0x95 };
	for (size_t k = 0; k < 3; k++) {
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);
		STACKBPF_OPTS(stackbpf_disasm_opts, dopts, .syntax = syns[k]);
		T_OK(stackbpf_disasm__prog(mem, prog, n, &dopts) == 0, "disasm__prog");
		fclose(mem);
		T_OK(strstr(text, ".8byte") == NULL, "no raw words in the %s listing", syntax_name[syns[k]]);
		STACKBPF_OPTS(stackbpf_asm_opts, aopts, .syntax = syns[k], .log = log_msg);
		for (int pass = 0; pass < 2; pass++) {
			struct stackbpf_insn *got = NULL;
			size_t cnt = 0;
			last_error[0] = '\0';
			int err = stackbpf_asm__text(text, len, &aopts, &got, &cnt);
			T_OK(!err && cnt == n && memcmp(got, prog, n * 8) == 0, "program round trip in %s (%s): %s",
			     syntax_name[syns[k]], pass ? "auto-detected" : "explicit", last_error);
			free(got);
			aopts.syntax = STACKBPF_SYNTAX_AUTO;
		}
		free(text);
	}
	free(prog);

	/* 3. encodings no syntax has print as .8byte and still read back */
	static const struct stackbpf_insn raw[] = {
		{ .code = 0x07, .off = 1, .imm = 1 },          /* add64 imm with an offset */
		{ .code = 0x95, .dst = 1 },                    /* exit with a dst */
		{ .code = 0xff },                              /* no such opcode */
		{ .code = 0x3f, .dst = 1, .src = 2, .off = 2 },/* div with off 2 */
		{ .code = 0x85, .src = 2, .off = 3, .imm = 7 },/* kfunc call with a BTF fd index */
		{ .code = 0x18, .dst = 1, .imm = 5 },          /* ld_imm64 without its second slot */
	};
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		size_t cnt = i + 1 == sizeof(raw) / sizeof(raw[0]) ? 1 : 1;
		for (size_t k = 0; k < 3; k++) {
			char text[128];
			STACKBPF_OPTS(stackbpf_disasm_opts, dopts, .syntax = syns[k]);
			T_EQ_U64(stackbpf_disasm__insn(&raw[i], cnt, 0, &dopts, text, sizeof(text)), 1, "raw slots");
			T_OK(strstr(text, ".8byte 0x") != NULL, "raw insn %zu prints as .8byte: %s", i, text);
			check_asm(text, syns[k], NULL, &raw[i], 1, "raw");
		}
	}

	/* 4. host functions by name, with a registry */
	struct stackbpf_host *host = stackbpf_host__new();
	T_OK(host && stackbpf_host__add_examples(host) == 0, "host registry");
	int id7 = host ? stackbpf_host__find(host, "sum_args7") : -1;
	T_OK(id7 > 0, "sum_args7 registered");
	if (id7 > 0) {
		struct stackbpf_insn call = { .code = 0x85, .src = 2, .imm = id7 };
		char text[128], want[64];
		STACKBPF_OPTS(stackbpf_disasm_opts, kopts, .syntax = STACKBPF_SYNTAX_KERNEL, .host = host);
		STACKBPF_OPTS(stackbpf_disasm_opts, lopts, .syntax = STACKBPF_SYNTAX_LLVM, .host = host);
		stackbpf_disasm__insn(&call, 1, 0, &kopts, text, sizeof(text));
		snprintf(want, sizeof(want), "(85) call sum_args7#%d", id7);
		T_EQ_STR(text, want, "kernel kfunc call");
		check_asm(text, STACKBPF_SYNTAX_KERNEL, NULL, &call, 1, "kfunc by NAME#ID without a host");
		stackbpf_disasm__insn(&call, 1, 0, &lopts, text, sizeof(text));
		T_EQ_STR(text, "call sum_args7", "llvm kfunc call");
		check_asm(text, STACKBPF_SYNTAX_LLVM, host, &call, 1, "kfunc by name");
		check_asm("call sum_args7", STACKBPF_SYNTAX_CONFORMANCE, host, &call, 1, "kfunc by name");
	}
	stackbpf_host__free(host);
	return t_done();
}
