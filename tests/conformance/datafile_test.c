/* datafile_test.c - the .data reader (src/text/datafile.c): sections, both
 * raw forms, memory, results, errors with file:line:col, and the cpu
 * version / groups a program needs. */
#include "testlib.h"
#include "isa/opcodes.h"
#include "text/datafile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *text, struct sbpf_datafile *df, char *err, size_t errsz)
{
	return sbpf_datafile_parse("t.data", text, strlen(text), df, err, errsz);
}

static void expect_error(const char *text, const char *want)
{
	struct sbpf_datafile df;
	char err[256];
	int rc = parse(text, &df, err, sizeof(err));
	T_OK(rc == -EINVAL, "parse of an invalid file returned %d (%s)", rc, want);
	T_EQ_STR(err, want, "parse error message");
	T_OK(df.path == NULL && df.asm_text == NULL, "a failed parse leaves the struct empty");
}

static void test_full(void)
{
	static const char text[] =
		"# header comment\r\n"
		"-- asm\r\n"
		"r0 = *(u8 *)(r1 + 2)   # a comment\r\n"
		"exit\r\n"
		"-- mem\r\n"
		"00 01\r\n"
		"  aa FF   # two lines\r\n"
		"-- result\r\n"
		"0xAA\r\n"
		"-- no register offset\r\n"
		"anything here is ignored\r\n"
		"-- c\r\n"
		"int x = 1; // --> not a section\r\n";
	struct sbpf_datafile df;
	char err[256] = "";
	T_OK(parse(text, &df, err, sizeof(err)) == 0, "full file: %s", err);
	T_EQ_U64(df.asm_line, 2, "asm_line");
	T_EQ_U64(df.mem_line, 5, "mem_line");
	T_EQ_U64(df.result_line, 8, "result_line");
	T_EQ_U64(df.raw_line, 0, "raw_line");
	T_EQ_U64(df.error_line, 0, "error_line");
	T_EQ_U64(df.result, 0xaa, "result");
	T_EQ_U64(df.mem_len, 4, "mem_len");
	T_OK(df.mem && memcmp(df.mem, "\x00\x01\xaa\xff", 4) == 0, "mem bytes");
	/* the asm text keeps the file's line numbers: line 3 is the first insn */
	T_EQ_STR(df.asm_text, "\n\nr0 = *(u8 *)(r1 + 2)   \nexit\n\n\n\n\n\n\n\n\n\n", "asm text");

	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	T_OK(sbpf_datafile_program(&df, NULL, &insns, &cnt, err, sizeof(err)) == 0, "assemble: %s", err);
	T_EQ_U64(cnt, 2, "insn count");
	if (cnt == 2) {
		T_EQ_U64(insns[0].code, 0x71, "ldxb");
		T_EQ_U64(insns[0].src, 1, "ldxb src");
		T_EQ_U64(insns[0].off, 2, "ldxb off");
		T_EQ_U64(insns[1].code, 0x95, "exit");
	}
	free(insns);
	sbpf_datafile_free(&df);
}

static void test_raw(void)
{
	static const char text[] =
		"-- asm\n"
		"r0 = 1\n"
		"exit\n"
		"-- raw\n"
		"0x5566778800000018\n"
		"1234605616436508552\n"         /* 0x1122334455667788: a whole insn as decimal */
		"95 00 00 00 00 00 00 00\n"
		"-- result\n"
		"-1\n"
		"-- error\n"
		"Some text   \n";
	struct sbpf_datafile df;
	char err[256] = "";
	T_OK(parse(text, &df, err, sizeof(err)) == 0, "raw file: %s", err);
	T_EQ_U64(df.raw_cnt, 3, "raw count");
	T_EQ_U64(df.result, UINT64_MAX, "decimal -1 wraps");
	T_EQ_STR(df.error, "Some text", "error text, trailing blanks stripped");
	T_EQ_U64(df.error_line, 10, "error_line");

	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	T_OK(sbpf_datafile_program(&df, NULL, &insns, &cnt, err, sizeof(err)) == 0, "raw program: %s", err);
	T_EQ_U64(cnt, 3, "raw wins over asm");
	if (cnt == 3) {
		T_EQ_U64(insns[0].code, 0x18, "raw word 0: opcode = low byte");
		T_EQ_U64(insns[0].imm, 0x55667788, "raw word 0: imm = high half");
		T_EQ_U64(insns[1].code, 0x88, "raw decimal word: low byte");
		T_EQ_U64((uint32_t)insns[1].imm, 0x11223344, "raw decimal word: imm");
		T_EQ_U64(insns[2].code, 0x95, "raw byte pairs");
	}
	free(insns);
	sbpf_datafile_free(&df);

	/* an empty -- error section is an expected error of "" */
	T_OK(parse("-- raw\n95 00 00 00 00 00 00 00\n-- error\n", &df, err, sizeof(err)) == 0, "%s", err);
	T_EQ_STR(df.error, "", "empty error section");
	T_EQ_U64(df.result_line, 0, "no result");
	sbpf_datafile_free(&df);
}

static void test_no_program(void)
{
	struct sbpf_datafile df;
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	char err[256] = "";

	T_OK(parse("# nothing\n-- result\n0x0\n", &df, err, sizeof(err)) == 0, "%s", err);
	T_OK(sbpf_datafile_program(&df, NULL, &insns, &cnt, err, sizeof(err)) == -ENOENT, "no sections");
	T_EQ_STR(err, "t.data: no program (the file has no -- asm or -- raw section)", "no program message");
	sbpf_datafile_free(&df);

	T_OK(parse("-- result\n1\n-- asm\n# only a comment\n\n", &df, err, sizeof(err)) == 0, "%s", err);
	T_OK(sbpf_datafile_program(&df, NULL, &insns, &cnt, err, sizeof(err)) == -ENOENT, "empty asm");
	T_EQ_STR(err, "t.data:3: no program (the -- asm section is empty)", "empty asm message");
	sbpf_datafile_free(&df);

	T_OK(parse("", &df, err, sizeof(err)) == 0, "an empty file parses: %s", err);
	T_OK(df.asm_text && df.asm_len == 0, "empty asm text");
	sbpf_datafile_free(&df);
}

static void test_errors(void)
{
	expect_error("-- asm\nexit\n-- Unknown directive\n",
		     "t.data:3:4: unknown section '-- Unknown directive' (want asm, raw, mem, result, error, c or "
		     "no register offset)");
	expect_error("-- result\n1\n-- mem\n00\n-- result\n2\n", "t.data:5:4: duplicate section '-- result' (first at line 1)");
	expect_error("-- mem\n00 01\n02 0x3\n", "t.data:3:4: expected a hex byte pair in -- mem, got '0x3'");
	expect_error("-- mem\n0 1\n", "t.data:2:1: expected a hex byte pair in -- mem, got '0'");
	expect_error("-- raw\n95 00 00 00 00 00 00\n",
		     "t.data:2: a raw line holds one 64-bit value or 8 hex byte pairs, found 7 items");
	expect_error("-- raw\n95 00 00 00 00 00 00 0g\n", "t.data:2:22: expected a hex byte pair, got '0g'");
	expect_error("-- raw\n  0x12345678123456789\n",
		     "t.data:2:3: instruction does not fit in 64 bits: '0x12345678123456789' (want a 64-bit "
		     "instruction as 0x-hex or decimal)");
	expect_error("-- raw\nexit\n",
		     "t.data:2:1: bad raw instruction: 'exit' (want a 64-bit instruction as 0x-hex or decimal)");
	expect_error("-- result\n0x1g\n", "t.data:2:1: bad result (want 0x-hex or decimal): '0x1g'");
	expect_error("-- result\n18446744073709551616\n",
		     "t.data:2:1: result does not fit in 64 bits: '18446744073709551616'");
	expect_error("-- result\n1\n2\n", "t.data:3: -- result holds one value; a second one was found");
	expect_error("-- result\n1 2\n", "t.data:2:3: unexpected '2' after the result");
	expect_error("-- error\nfirst\nsecond\n", "t.data:3: -- error holds one line; a second one was found");
	expect_error("# ok\nmov %r0, 1\n-- asm\n",
		     "t.data:2:1: text outside any section (a section starts with a line such as '-- asm')");
}

/* the cpu version and groups a program needs, from opcodes.def */
static void test_needs(void)
{
	static const struct {
		struct stackbpf_insn insn;
		unsigned cpu, groups;
		const char *what;
	} cases[] = {
		{ { .code = 0xb7 }, 1, G_BASE64, "mov64" },
		{ { .code = 0xb4 }, 1, G_BASE32, "mov32" },
		{ { .code = 0xa5 }, 2, G_BASE64, "jlt" },
		{ { .code = 0x16 }, 3, G_BASE32, "jeq32" },
		{ { .code = 0xc3 }, 3, G_ATOMIC32, "lock add32" },
		{ { .code = 0xdb, .imm = 0xf1 }, 3, G_ATOMIC64, "cmpxchg" },
		{ { .code = 0x3f, .off = 1 }, 4, G_DIVMUL64, "sdiv64" },
		{ { .code = 0x2c }, 1, G_DIVMUL32, "mul32" },
		{ { .code = 0x8d }, 4, G_CALLX, "callx" },
		{ { .code = 0x30 }, 1, G_PACKET, "ldabsb" },
		{ { .code = 0xff }, 1, 0, "unknown opcode adds nothing" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stackbpf_insn prog[2] = { cases[i].insn, { .code = 0x95 } };
		unsigned cpu, groups;
		sbpf_datafile_needs(prog, 2, &cpu, &groups);
		T_EQ_U64(cpu, cases[i].cpu, cases[i].what);
		T_EQ_U64(groups, cases[i].groups | G_BASE64, cases[i].what);  /* + exit */
	}
	/* the second slot of an ld_imm64 is data, not an opcode: 0xd7 here would
	 * otherwise claim cpu v4 (bswap) */
	struct stackbpf_insn lddw[3] = { { .code = 0x18 }, { .code = 0xd7, .imm = 16 }, { .code = 0x95 } };
	unsigned cpu, groups;
	sbpf_datafile_needs(lddw, 3, &cpu, &groups);
	T_EQ_U64(cpu, 1, "lddw second slot skipped");
	T_EQ_U64(groups, G_BASE64, "lddw groups");
}

int main(void)
{
	test_full();
	test_raw();
	test_no_program();
	test_errors();
	test_needs();
	return t_done();
}
