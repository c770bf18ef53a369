/* test_jit_cli.c - the `stackbpf jit` command (size line, --dump listing with
 * BPF instruction indexes and capstone text, errors) and `stackbpf run
 * --engine jit`, through the real binary. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

struct out { int status; char text[16384]; };

static struct out sh(const char *cmd)
{
	struct out o = { 0 };
	FILE *p = popen(cmd, "r");
	if (!p) {
		o.status = -1;
		return o;
	}
	size_t n = fread(o.text, 1, sizeof(o.text) - 1, p);
	o.text[n] = '\0';
	int st = pclose(p);
	o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return o;
}

int main(void)
{
	char dir[] = "/tmp/jit_cli_XXXXXX", path[64], cmd[512];
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/p.s", dir);
	FILE *f = fopen(path, "w");
	fputs("r0 = 42\nr1 = 3\nr0 += r1\nexit\n", f);
	fclose(f);

	snprintf(cmd, sizeof(cmd), "%s jit %s 2>&1", STACKBPF_CLI, path);
	struct out o = sh(cmd);
	T_EQ_U64(o.status, 0, "jit status");
	unsigned size = 0;
	char tail[64] = "";
	T_OK(sscanf(o.text, "code: %u bytes for 4 instruction%63[^\n]", &size, tail) == 2 && !strcmp(tail, "s"),
	     "size line: %s", o.text);

	snprintf(cmd, sizeof(cmd), "%s jit %s --dump 2>&1", STACKBPF_CLI, path);
	o = sh(cmd);
	T_EQ_U64(o.status, 0, "dump status");
	const char *a = strstr(o.text, "; 0: (b7) r0 = 42\n");
	const char *c = strstr(o.text, "; 2: (0f) r0 += r1\n");
	T_OK(strstr(o.text, "; entry trampoline\n") != NULL, "trampoline header");
	T_OK(a && strstr(a, "b8 2a 00 00 00") && strstr(a, "mov eax, 0x2a"), "insn 0 and its code:\n%s", o.text);
	T_OK(c && strstr(c, "48 01 f8") && strstr(c, "add rax, rdi"), "insn 2 and its code");
	const char *e = strstr(o.text, "; 3: (95) exit\n");
	unsigned at = 0;
	char bytes[64] = "";
	/* the last native instruction: `ret` (c3), ending at the reported size */
	T_OK(e && sscanf(e + strlen("; 3: (95) exit\n"), " %x: %63s ret", &at, bytes) == 2 && !strcmp(bytes, "c3") &&
		     at + 1 == size,
	     "exit is `ret` at the end of the code (at 0x%x, size %u)", at, size);

	/* a .data file: its program, with the trampoline's labelled blocks */
	snprintf(cmd, sizeof(cmd), "%s jit %s/data/bpf2bpf_args8.data --dump 2>&1", STACKBPF_CLI, STACKBPF_TESTS_DIR);
	o = sh(cmd);
	T_EQ_U64(o.status, 0, ".data status");
	T_OK(strstr(o.text, "; early end (r0 = 0)\n") && strstr(o.text, "; fault exit\n") &&
		     strstr(o.text, "; subprogram at insn 0: prologue\n") &&
		     strstr(o.text, "; 9: (85) call pc+1\n") && strstr(o.text, "; 5: (7a) *(u64 *)(r11 -8) = 106\n") &&
		     strstr(o.text, "mov r9d, 0x6a\n"),
	     ".data listing:\n%s", o.text);
	/* only verified programs are compiled: LD_ABS is not for raw programs */
	snprintf(cmd, sizeof(cmd), "%s jit %s/data/ld_abs.data 2>&1", STACKBPF_CLI, STACKBPF_TESTS_DIR);
	o = sh(cmd);
	T_EQ_U64(o.status, 1, "rejected .data");
	char want[512];
	snprintf(want, sizeof(want),
		 "stackbpf: %s/data/ld_abs.data: BPF_LD_[ABS|IND] instructions not allowed for this program type\n",
		 STACKBPF_TESTS_DIR);
	T_EQ_STR(o.text, want, "the verifier's error");
	/* --harden: the same size class, no immediate of the program in the code */
	snprintf(cmd, sizeof(cmd), "%s jit %s/data/bpf2bpf_args8.data --harden --dump 2>&1", STACKBPF_CLI,
		 STACKBPF_TESTS_DIR);
	o = sh(cmd);
	T_EQ_U64(o.status, 0, "--harden status");
	T_OK(strstr(o.text, "; 5: (7a) *(u64 *)(r11 -8) = 106\n") && !strstr(o.text, "mov r9d, 0x6a\n") &&
		     strstr(o.text, "mov r9, r10\n"),
	     "--harden listing:\n%s", o.text);

	snprintf(cmd, sizeof(cmd), "%s run %s --engine jit 2>&1", STACKBPF_CLI, path);
	o = sh(cmd);
	T_EQ_U64(o.status, 0, "run --engine jit");
	T_EQ_STR(o.text, "0x2d\n", "run --engine jit output (verified first: no warning)");

	snprintf(cmd, sizeof(cmd), "%s jit 2>&1", STACKBPF_CLI);
	o = sh(cmd);
	T_EQ_U64(o.status, 2, "no input");
	T_EQ_STR(o.text, "stackbpf: jit needs an input program (try 'stackbpf jit --help')\n", "no input message");
	snprintf(cmd, sizeof(cmd), "%s jit %s --bogus 2>&1", STACKBPF_CLI, path);
	o = sh(cmd);
	T_EQ_U64(o.status, 2, "bad option");
	snprintf(cmd, sizeof(cmd), "printf '\\x95\\x00\\x00\\x00\\x00\\x00\\x00\\x01' > %s/bad.bin && %s jit %s/bad.bin 2>&1",
		 dir, STACKBPF_CLI, dir);
	o = sh(cmd);
	T_EQ_U64(o.status, 1, "rejected program");

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 2;
	return t_done();
}
