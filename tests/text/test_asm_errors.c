/* test_asm_errors.c - malformed assembly gives exactly one precise
 * "file:line:col: message" and -EINVAL; the malformed-assembly files of
 * ../shared/conformance/negative are all rejected; odd input never crashes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

static char msgs[4][512];
static int nmsgs;

static void log_msg(void *ctx, int level, const char *msg)
{
	(void)ctx;
	T_EQ_U64(level, 0, "errors are logged at level 0");
	if (nmsgs < 4)
		snprintf(msgs[nmsgs], sizeof(msgs[0]), "%s", msg);
	nmsgs++;
}

static int assemble(enum stackbpf_syntax syn, const char *text, size_t len, const struct stackbpf_host *host)
{
	STACKBPF_OPTS(stackbpf_asm_opts, opts, .syntax = syn, .filename = "t.s", .host = host, .log = log_msg);
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	nmsgs = 0;
	msgs[0][0] = '\0';
	int err = stackbpf_asm__text(text, len, &opts, &insns, &cnt);
	free(insns);
	return err;
}

#define L STACKBPF_SYNTAX_LLVM
#define K STACKBPF_SYNTAX_KERNEL
#define C STACKBPF_SYNTAX_CONFORMANCE
#define A STACKBPF_SYNTAX_AUTO

static const struct {
	enum stackbpf_syntax syn;
	const char *text, *msg;
} cases[] = {
	/* bpf_conformance negative cases, in their own words */
	{ C, "mov32 %r0, 2147483648\nexit", "t.s:1:12: immediate '2147483648' does not fit in 32 bits" },
	{ C, "mov32 %r0, 0x100000000\nexit", "t.s:1:12: immediate '0x100000000' does not fit in 32 bits" },
	{ C, "ja NOT_A_LABEL\nexit", "t.s:1:4: unknown label 'NOT_A_LABEL'" },
	{ C, "lock or [%r10-8]\nexit", "t.s:1:17: unexpected end of line" },
	{ C, "lock\nexit", "t.s:1:5: unexpected end of line" },
	{ C, "# Invalid mnemonic\nldxq %r0, %r1\nexit", "t.s:2:1: unknown instruction 'ldxq'" },
	{ C, "ldxb %r0, %r1\nexit", "t.s:1:11: unexpected '%r1'" },
	{ C, "ldxb %r0, [%r1+0x10000]\nexit", "t.s:1:15: offset '+0x10000' does not fit in 16 bits" },
	{ C, "lddw %r0\nexit", "t.s:1:9: unexpected end of line" },
	{ C, "or %r0, %r50\nexit", "t.s:1:9: invalid register '%r50'" },
	{ C, "add %r11, 1", "t.s:1:5: invalid register '%r11'" },
	{ C, "mov %r0, 1\n.8byte 0x95\nfoo: bar %r1", "t.s:3:6: unknown instruction 'bar'" },
	{ C, "r0 = 1", "t.s:1:1: unknown instruction 'r0'" },
	{ C, "call local nowhere", "t.s:1:12: unknown label 'nowhere'" },
	/* LLVM */
	{ L, "r11 += 1", "t.s:1:1: invalid register 'r11'" },
	{ L, "r0 = 0\n  r1 = *(u64 *)(r2 + 8", "t.s:2:23: unexpected end of line" },
	{ L, "r1 = 1 extra", "t.s:1:8: unexpected 'extra'" },
	{ L, "goto nowhere", "t.s:1:6: unknown label 'nowhere'" },
	{ L, "call nowhere", "t.s:1:6: unknown call target 'nowhere'" },
	{ L, "foo:\nfoo:\nexit", "t.s:2:1: duplicate label 'foo'" },
	{ L, "\t.bogus 1", "t.s:1:2: unknown directive '.bogus'" },
	{ L, ".8byte", "t.s:1:7: expected a number after '.8byte'" },
	{ L, ".8byte 1 2", "t.s:1:10: expected ',' or end of line" },
	{ L, "r1 = 0x1ffffffffffffffff ll", "t.s:1:6: immediate '0x1ffffffffffffffff' does not fit in 64 bits" },
	{ L, "w1 += r2", "t.s:1:7: unexpected 'r2'" },
	{ L, "r1 = 4294967296", "t.s:1:6: immediate '4294967296' does not fit in 32 bits" },
	{ L, "r1 = *(u64 *)(r2 + 40000)", "t.s:1:18: offset '+ 40000' does not fit in 16 bits" },
	{ L, "exit /* open\n\n", "t.s:1:6: unterminated '/*' comment" },
	{ L, "if r1 > 5 goto +40000", "t.s:1:16: jump offset '+40000' out of range" },
	{ L, "r0 = atomic_fetch_add((u64 *)(r1 + 0), r3)", "t.s:1:40: operands must name the same register" },
	{ L, "goto 1f\n1:\n goto 1f", "t.s:3:7: unknown label '1f'" },
	{ L, "1: goto 2b", "t.s:1:9: unknown label '2b'" },
	{ L, "r1 = ", "t.s:1:5: unexpected end of line" },
	{ L, "exit; exit exit", "t.s:1:12: unexpected 'exit'" },
	{ L, "r0 = 1 # fine\nr0 = 2 // fine\n/* fine */ r0 = = 3", "t.s:3:17: unexpected '='" },
	{ L, "r0 = sym ll", "t.s:1:6: unexpected 'sym'" },
	{ L, "ld_pseudo r1, 7, 1", "t.s:1:15: unexpected '7'" },
	{ L, "r1 = *(u64 *)(r12 + 8)", "t.s:1:15: invalid register 'r12'" },
	/* kernel */
	{ K, "0: (79) r1 = *(u64 *)(r1 +32)\n1: (07) r1 = *(u64 *)(r1 +32)", "t.s:2:9: the instruction has opcode (79), not (07)" },
	{ K, "0: (79)", "t.s:1:8: expected an instruction after the pc prefix" },
	{ K, "call frobnicate#", "t.s:1:17: unexpected end of line" },
	/* auto detection: a kernel file, an LLVM file, a conformance file */
	{ A, "goto pc+1\nr1 = 0x5 ll\nr2 = zz", "t.s:3:6: unexpected 'zz'" },
	{ A, "mov %r0, 1\njne %r0, 1, +1\nexit x", "t.s:3:6: unexpected 'x'" },
};

static char *read_asm_section(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[512];
	size_t cap = 4096, len = 0;
	char *out = calloc(1, cap);
	int in_asm = 0;
	while (out && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "--", 2) == 0) {
			in_asm = strncmp(line, "-- asm", 6) == 0;
			continue;
		}
		if (in_asm && len + strlen(line) + 1 < cap) {
			memcpy(out + len, line, strlen(line) + 1);
			len += strlen(line);
		}
	}
	fclose(f);
	return out;
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = assemble(cases[i].syn, cases[i].text, strlen(cases[i].text), NULL);
		T_EQ_U64(err, (uint64_t)-EINVAL, cases[i].text);
		T_EQ_U64(nmsgs, 1, "exactly one message");
		T_EQ_STR(msgs[0], cases[i].msg, cases[i].text);
	}

	/* the default file name, no log callback, NULL arguments */
	STACKBPF_OPTS(stackbpf_asm_opts, opts, .log = log_msg);
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	nmsgs = 0;
	T_EQ_U64(stackbpf_asm__text("bad", 3, &opts, &insns, &cnt), (uint64_t)-EINVAL, "default name");
	T_EQ_STR(msgs[0], "<input>:1:1: unknown instruction 'bad'", "default file name");
	T_EQ_U64(stackbpf_asm__text("bad", 3, NULL, &insns, &cnt), (uint64_t)-EINVAL, "no opts");
	T_EQ_U64(stackbpf_asm__text("exit", 4, NULL, NULL, &cnt), (uint64_t)-EINVAL, "NULL insns");
	T_EQ_U64(stackbpf_asm__text(NULL, 0, NULL, &insns, &cnt), 0, "empty text");
	T_EQ_U64(cnt, 0, "empty program");
	free(insns);

	/* `call NAME`: unknown unless a host registry names it */
	T_EQ_U64(assemble(L, "call sum_args12", 15, NULL), (uint64_t)-EINVAL, "no host");
	T_EQ_STR(msgs[0], "t.s:1:6: unknown call target 'sum_args12'", "no host");
	struct stackbpf_host *host = stackbpf_host__new();
	if (host)
		stackbpf_host__add_examples(host);
	T_EQ_U64(assemble(L, "call sum_args12", 15, host), 0, "with host");
	stackbpf_host__free(host);

	/* NUL bytes and binary junk are errors, not crashes */
	static const char junk[] = "r0 = 1\n\0\xff\x01 exit\n";
	T_EQ_U64(assemble(A, junk, sizeof(junk) - 1, NULL), (uint64_t)-EINVAL, "binary junk");
	T_EQ_STR(msgs[0], "t.s:2:1: unknown instruction '\\x00'", "binary junk");

	/* ../shared/conformance/negative: every malformed-assembly file is rejected */
	DIR *d = opendir(STACKBPF_SHARED_DIR "/conformance/negative");
	if (d) {
		struct dirent *e;
		int rejected = 0;
		while ((e = readdir(d))) {
			if (strncmp(e->d_name, "invalid_", 8) != 0)
				continue;
			char path[1024];
			snprintf(path, sizeof(path), "%s/conformance/negative/%s", STACKBPF_SHARED_DIR, e->d_name);
			char *text = read_asm_section(path);
			if (!text)
				continue;
			/* invalid_unknown_directive has no assembly: its bad `--` line is the .data reader's */
			if (text[0]) {
				int err = assemble(C, text, strlen(text), NULL);
				T_OK(err == -EINVAL && nmsgs == 1, "%s must be rejected (got %d)", e->d_name, err);
				fprintf(stderr, "%s: %s\n", e->d_name, msgs[0]);
				rejected += err == -EINVAL;
			}
			free(text);
		}
		closedir(d);
		T_EQ_U64(rejected, 10, "malformed conformance files rejected");
	} else {
		fprintf(stderr, "no %s/conformance/negative: that part skipped\n", STACKBPF_SHARED_DIR);
	}
	return t_done();
}
