/* plugin_protocol.c - the bpf_conformance plugin protocol of the real CLI
 * (STACKBPF_CLI): `stackbpf plugin [<memory-hex>] [options]`, program as hex on
 * stdin, r0 in hex on stdout and exit 0, or a message on stderr and a non-zero
 * exit. Every case asserts the exit status and the exact stdout and stderr. */
#include "testlib.h"
#include "conformance/runner.h"
#include "prog/conformance_exec.h"

#include <stdlib.h>
#include <string.h>

#define EXIT_OK "95  00  00  00  00  00  00  00  "
#define MOV_R0_42 "b7  00  00  00  2a  00  00  00  "

/* Spawn `CLI plugin ARGS...` (args NULL-terminated) with stdin_text and check
 * the exit status and the exact stdout and stderr. */
static void check(const char *what, const char *const *args, const char *stdin_text, int want_status,
		  const char *want_out, const char *want_err)
{
	const char *argv[16] = { STACKBPF_CLI, "plugin" };
	int n = 2;
	for (int i = 0; args && args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	int status = -1;
	char *out = NULL, *err = NULL;
	int rc = conf_spawn(argv, stdin_text, &status, &out, &err);
	T_OK(rc == 0, "%s: spawning %s failed: %s", what, STACKBPF_CLI, strerror(-rc));
	if (rc == 0) {
		T_OK(status == want_status, "%s: exit status %d, want %d (stderr: %s)", what, status, want_status, err);
		if (want_out)
			T_EQ_STR(out, want_out, what);
		if (want_err)
			T_EQ_STR(err, want_err, what);
	}
	free(out);
	free(err);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* a 12-argument host call, assembled here with the plugin's own registry so the
 * host-function ids agree with the CLI's */
static void check_sum_args12(void)
{
	static const char src[] =
		"r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\n"
		"*(u64 *)(r11 - 8) = 6\n*(u64 *)(r11 - 16) = 7\n*(u64 *)(r11 - 24) = 8\n"
		"*(u64 *)(r11 - 32) = 9\n*(u64 *)(r11 - 40) = 10\n*(u64 *)(r11 - 48) = 11\n"
		"*(u64 *)(r11 - 56) = 12\ncall sum_args12\nexit\n";
	struct stackbpf_host *host = sbpf_cexec_host_new();
	struct stackbpf_insn *insns = NULL;
	size_t cnt = 0;
	STACKBPF_OPTS(stackbpf_asm_opts, opts, .syntax = STACKBPF_SYNTAX_LLVM, .host = host);
	int rc = host ? stackbpf_asm__text(src, sizeof(src) - 1, &opts, &insns, &cnt) : -1;
	T_OK(rc == 0, "assembling the sum_args12 call");
	if (rc == 0) {
		char *hex = conf_hex_encode(insns, cnt * sizeof(*insns));
		/* 1*1 + 2*2 + ... + 12*12 = 650 = 0x28a */
		check("sum_args12(1..12) through the CLI", NULL, hex, 0, "0x28a\n", "");
		free(hex);
	}
	free(insns);
	stackbpf_host__free(host);
}

int main(void)
{
	/* the runner's exact encodings: "xx  " per byte, a newline after the program */
	check("mov r0, 42", NULL, MOV_R0_42 EXIT_OK "\n", 0, "0x2a\n", "");
	/* ldxw r0, [r1]: little-endian read of the memory argument */
	check("memory argument", ARGS("01  02  03  04  "), "61  10  00  00  00  00  00  00  " EXIT_OK "\n", 0,
	      "0x4030201\n", "");
	/* mov r0, r2: r2 is the memory length (bpf_conformance's mem-len.data) */
	check("r2 = memory length", ARGS("00  00  00  01  00  00  00  02  "), "bf  20  00  00  00  00  00  00  " EXIT_OK,
	      0, "0x8\n", "");
	check("no memory: r2 = 0", NULL, "bf 20 00 00 00 00 00 00 " EXIT_OK, 0, "0x0\n", "");
	/* older runners pass an empty memory argument and an empty options string */
	check("empty memory and options arguments", ARGS("", ""), "bf 20 00 00 00 00 00 00 " EXIT_OK, 0, "0x0\n", "");
	/* the memory is a writable copy: stb [r1], 0x7f; ldxb r0, [r1] */
	check("memory is writable", ARGS("00  "),
	      "72 01 00 00 7f 00 00 00 71 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00", 0, "0x7f\n", "");
	check("compact hex", NULL, "b70000002a00000095000000000000", 2, "",
	      "stackbpf: plugin: program on stdin: 15 bytes is not a whole number of 8-byte instructions\n");
	check("compact hex, whole", NULL, "b70000002a0000009500000000000000\n", 0, "0x2a\n", "");
	check("full 64-bit r0", NULL,
	      "18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11 " EXIT_OK, 0, "0x1122334455667788\n", "");
	check("ignored --debug, --interpret", ARGS("--debug", "--interpret"), MOV_R0_42 EXIT_OK, 0, "0x2a\n", "");
	check("--profile takes a value", ARGS("--profile", "safe"), MOV_R0_42 EXIT_OK, 0, "0x2a\n", "");
	check("--engine interp", ARGS("--engine", "interp"), MOV_R0_42 EXIT_OK, 0, "0x2a\n", "");
	check("--engine jit", ARGS("--engine", "jit"), MOV_R0_42 EXIT_OK, 0, "0x2a\n", "");
	check("--jit", ARGS("--jit"), MOV_R0_42 EXIT_OK, 0, "0x2a\n", "");
	check("--program instead of stdin", ARGS("--program", MOV_R0_42 EXIT_OK), "", 0, "0x2a\n", "");

	/* refusals: exit 2 with a message, nothing on stdout */
	check("--engine=bogus", ARGS("--engine=bogus"), MOV_R0_42 EXIT_OK, 2, "",
	      "stackbpf: plugin: --engine: 'bogus' is not one of interp, jit\n");
	check("--engine without value", ARGS("--engine"), MOV_R0_42 EXIT_OK, 2, "",
	      "stackbpf: plugin: --engine needs a value (try 'stackbpf plugin --help')\n");
	check("--elf", ARGS("--elf"), MOV_R0_42 EXIT_OK, 2, "",
	      "stackbpf: plugin: --elf: ELF input is not supported yet\n");
	check("two memory arguments", ARGS("00  ", "01  "), MOV_R0_42 EXIT_OK, 2, "",
	      "stackbpf: plugin: unexpected argument '01  ' (the memory was already given; "
	      "try 'stackbpf plugin --help')\n");
	check("bad memory hex", ARGS("0g  "), MOV_R0_42 EXIT_OK, 2, "",
	      "stackbpf: plugin: memory argument: bad hex at offset 0: expected two hex digits, got '0g'\n");
	check("bad program hex", NULL, "b7  00  zz", 2, "",
	      "stackbpf: plugin: program on stdin: bad hex at offset 8: expected two hex digits, got 'zz'\n");
	check("empty stdin", NULL, "", 2, "",
	      "stackbpf: plugin: program on stdin: no program (expected hex bytes, 8 per instruction)\n");

	/* the program is rejected or faults: exit 1, the bare message on stderr
	 * (a runner compares it with a test's `-- error` section) */
	check("reserved field", NULL, "95 00 00 00 01 00 00 00", 1, "", "insn 0: BPF_EXIT uses reserved fields\n");
	check("read without memory", NULL, "79 10 00 00 00 00 00 00 " EXIT_OK, 1, "",
	      "insn 0: invalid read of 8 bytes at 0x0 (not in any region)\n");

	check_sum_args12();

	/* --help: exit 0 with the usage on stdout */
	{
		const char *argv[] = { STACKBPF_CLI, "plugin", "--help", NULL };
		int status = -1;
		char *out = NULL, *err = NULL;
		T_OK(conf_spawn(argv, "", &status, &out, &err) == 0, "spawn --help");
		T_OK(status == 0, "--help exit status %d", status);
		T_OK(out && strncmp(out, "usage: stackbpf plugin [MEMORY-HEX] [--engine interp|jit]", 57) == 0,
		     "--help starts with the usage line: %.60s", out ? out : "");
		T_OK(out && strstr(out, "echo 'b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00' | stackbpf plugin\n  0x2a\n"),
		     "--help shows the example and its output");
		T_EQ_STR(err, "", "--help stderr");
		free(out);
		free(err);
	}
	return t_done();
}
