/* test_llvm_mc.c - the assembler against llvm-mc-22: every form LLVM can
 * write, generated from opcodes.def and printed by our LLVM disassembler, plus
 * the hand-written corpus/llvm_syntax.s, must give the same bytes from
 * `llvm-mc-22 -triple bpfel -mcpu=v4` and from stackbpf_asm__text.
 * Exits 77 (skip) when llvm-mc-22 is not installed. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"
#include "forms.h"

/* forms LLVM's syntax cannot write (it prints kfunc calls as `call N`,
 * which means a helper) */
static const enum sbpf_form llvm_cannot[] = { SBPF_OP_CALL_KFUNC };

static int llvm_can(enum sbpf_form f)
{
	for (size_t i = 0; i < sizeof(llvm_cannot) / sizeof(llvm_cannot[0]); i++)
		if (llvm_cannot[i] == f)
			return 0;
	return 1;
}

static char tmpdir[64];

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

/* assemble `path` with llvm-mc and return the .text bytes */
static char *llvm_mc(const char *path, size_t *len)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "llvm-mc-22 -triple bpfel -mcpu=v4 -filetype=obj '%s' -o %s/out.o && "
		 "llvm-objcopy-22 -O binary --only-section=.text %s/out.o %s/out.bin",
		 path, tmpdir, tmpdir, tmpdir);
	if (system(cmd) != 0)
		return NULL;
	snprintf(cmd, sizeof(cmd), "%s/out.bin", tmpdir);
	return slurp(cmd, len);
}

static void log_msg(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	fprintf(stderr, "asm: %s\n", msg);
}

/* compare llvm-mc and stackbpf on one file; returns our instructions */
static struct stackbpf_insn *compare_file(const char *path, size_t *cnt)
{
	size_t tlen, blen;
	char *text = slurp(path, &tlen);
	T_OK(text != NULL, "cannot read %s", path);
	if (!text)
		return NULL;
	char *ref = llvm_mc(path, &blen);
	T_OK(ref != NULL, "llvm-mc-22 failed on %s", path);
	STACKBPF_OPTS(stackbpf_asm_opts, opts, .syntax = STACKBPF_SYNTAX_LLVM, .filename = path, .log = log_msg);
	struct stackbpf_insn *insns = NULL;
	int err = stackbpf_asm__text(text, tlen, &opts, &insns, cnt);
	T_OK(err == 0, "stackbpf_asm__text(%s) = %d", path, err);
	if (ref && !err) {
		T_EQ_U64(*cnt * 8, blen, "byte count");
		size_t n = *cnt * 8 < blen ? *cnt * 8 : blen;
		for (size_t i = 0; i < n; i += 8) {
			if (memcmp((char *)insns + i, ref + i, 8) != 0) {
				char a[64], b[64];
				hex_insns(a, sizeof(a), (struct stackbpf_insn *)((char *)insns + i), 1);
				hex_insns(b, sizeof(b), (struct stackbpf_insn *)(ref + i), 1);
				T_OK(0, "%s: insn %zu: stackbpf %s, llvm-mc %s", path, i / 8, a, b);
			} else {
				T_OK(1, "same");
			}
		}
	}
	free(text);
	free(ref);
	if (err)
		return NULL;
	return insns;
}

int main(void)
{
	if (system("llvm-mc-22 --version >/dev/null 2>&1") != 0 ||
	    system("llvm-objcopy-22 --version >/dev/null 2>&1") != 0) {
		printf("llvm-mc-22 or llvm-objcopy-22 not found: skipped\n");
		return 77;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sbpf-llvm-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;

	/* 1. every form, three variants each, printed as LLVM text by us */
	struct stackbpf_insn *prog = calloc(SBPF_NFORMS * 3 * 2 + 1, sizeof(*prog));
	size_t n = 0;
	for (int f = 0; f < SBPF_NFORMS; f++)
		for (int v = 0; v < 3 && llvm_can((enum sbpf_form)f); v++)
			n += (size_t)gen_form((enum sbpf_form)f, v, 1, &prog[n]);
	prog[n++] = (struct stackbpf_insn){ .code = 0x95 };
	char path[128];
	snprintf(path, sizeof(path), "%s/forms.s", tmpdir);
	FILE *out = fopen(path, "w");
	STACKBPF_OPTS(stackbpf_disasm_opts, dopts, .syntax = STACKBPF_SYNTAX_LLVM);
	T_OK(out && stackbpf_disasm__prog(out, prog, n, &dopts) == 0, "write %s", path);
	if (out)
		fclose(out);
	size_t cnt = 0;
	struct stackbpf_insn *ours = compare_file(path, &cnt);
	if (ours) {
		T_OK(cnt == n && memcmp(ours, prog, n * 8) == 0, "the corpus reads back to the generated insns");
		/* coverage: every form but the listed exceptions is in the corpus */
		int seen[SBPF_NFORMS] = { 0 };
		for (size_t i = 0; i < cnt; i++) {
			enum sbpf_form f = sbpf_decode(&ours[i]);
			if (f != SBPF_OP_INVALID) {
				seen[f] = 1;
				if (sbpf_form_is_wide(f))
					i++;
			}
		}
		for (int f = 0; f < SBPF_NFORMS; f++)
			T_OK(seen[f] == llvm_can((enum sbpf_form)f), "form %s %s the llvm-mc corpus",
			     sbpf_opinfo[f].name, seen[f] ? "unexpectedly in" : "missing from");
	}
	free(ours);
	free(prog);

	/* 2. hand-written LLVM syntax: labels, 1f/1b, comments, directives, `;` */
	ours = compare_file(STACKBPF_TESTS_DIR "/text/corpus/llvm_syntax.s", &cnt);
	T_OK(ours && cnt > 60, "llvm_syntax.s assembled (%zu insns)", cnt);
	free(ours);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return t_done();
}
