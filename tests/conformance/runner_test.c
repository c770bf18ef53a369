/* runner_test.c - the verdicts of the test runner (runner.c), which follow
 * bpf_conformance: SKIP for a disabled cpu version or group and for files
 * without an expectation, PASS/FAIL on r0 or on the exact error text, ERROR
 * when the plugin fails a test that expects a value. */
#include "testlib.h"
#include "conformance/runner.h"
#include "isa/opcodes.h"
#include "prog/conformance_exec.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { DEFAULT_GROUPS = G_BASE32 | G_BASE64 | G_ATOMIC32 | G_ATOMIC64 | G_DIVMUL32 | G_DIVMUL64 };

/* write `text` to a temporary .data file, run it, remove it */
static void run_text(const char *text, unsigned cpu, unsigned groups, const struct stackbpf_host *host,
		     struct conf_outcome *o)
{
	char path[] = "/tmp/stackbpf-runner-XXXXXX.data";
	int fd = mkstemps(path, 5);
	T_OK(fd >= 0, "mkstemps");
	if (fd < 0)
		return;
	T_OK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
	close(fd);
	struct conf_opts opts = { .cpu = cpu, .groups = groups };
	conf_run_file(path, host, &opts, o);
	unlink(path);
}

int main(void)
{
	struct stackbpf_host *host = sbpf_cexec_host_new();
	struct conf_outcome o;

	/* sdiv is cpu v4, group divmul64: 7 s/ 2 = 3 */
	static const char sdiv[] = "-- asm\nmov %r0, 7\nsdiv %r0, 2\nexit\n-- result\n0x3\n";
	run_text(sdiv, 3, DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_SKIP && o.stage == CONF_STAGE_NEEDS, "sdiv at v3: result %d stage %d", o.result, o.stage);
	T_EQ_STR(o.msg, "needs cpu v4 and groups 0x22 (enabled: v3, 0x3f)", "sdiv at v3");
	run_text(sdiv, 4, DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_PASS, "sdiv at v4: %s", o.msg);
	T_EQ_U64(o.r0, 3, "7 s/ 2");

	/* callx (call %r2) is group callx, off by default: sqrti(9) = 3 */
	static const char callx[] = "-- asm\nmov %r1, 9\nmov %r2, 3\ncall %r2\nexit\n-- result\n0x3\n";
	run_text(callx, 4, DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_SKIP, "callx without its group: result %d", o.result);
	T_EQ_STR(o.msg, "needs cpu v4 and groups 0x42 (enabled: v4, 0x3f)", "callx without its group");
	run_text(callx, 4, DEFAULT_GROUPS | G_CALLX, host, &o);
	T_OK(o.result == CONF_PASS, "callx with its group: %s", o.msg);

	/* an expected error matches exactly, trailing blanks aside */
	run_text("-- raw\n95 00 00 00 01 00 00 00\n-- error\ninsn 0: BPF_EXIT uses reserved fields  \n", 4,
		 DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_PASS && o.rejected, "expected error: result %d", o.result);
	run_text("-- raw\n95 00 00 00 01 00 00 00\n-- error\ninsn 0: something else\n", 4, DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_FAIL && o.rejected, "other error: result %d", o.result);
	T_EQ_STR(o.msg, "insn 0: BPF_EXIT uses reserved fields", "the plugin's message is kept");
	/* a failure where a value was expected is ERROR */
	run_text("-- raw\n95 00 00 00 01 00 00 00\n-- result\n0\n", 4, DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_ERROR && o.rejected, "failure without -- error: result %d", o.result);
	/* a value where an error was expected is FAIL */
	run_text("-- asm\nmov %r0, 5\nexit\n-- error\nboom\n", 4, DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_FAIL && !o.rejected, "value instead of error: result %d", o.result);
	T_EQ_STR(o.msg, "returned 0x5, expected the error 'boom'", "value instead of error");
	/* wrong value in the high bits: all 64 bits are compared */
	run_text("-- asm\nlddw %r0, 0x100000005\nexit\n-- result\n0x5\n", 4, DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_FAIL, "high bits differ: result %d", o.result);
	T_EQ_STR(o.msg, "returned 0x100000005, expected 0x5", "high bits differ");
	/* no expectation at all: SKIP, as bpf_conformance */
	run_text("-- asm\nmov %r0, 5\nexit\n", 4, DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_SKIP && o.stage == CONF_STAGE_PROGRAM, "no expectation: result %d", o.result);
	T_OK(strstr(o.msg, ": no -- result or -- error section") != NULL, "no expectation: %s", o.msg);
	/* memory is passed as r1/r2 */
	run_text("-- asm\nldxh %r0, [%r1+1]\nadd %r0, %r2\nexit\n-- mem\n01 02 03\n-- result\n0x305\n", 4,
		 DEFAULT_GROUPS, host, &o);
	T_OK(o.result == CONF_PASS, "memory: %s", o.msg);
	T_EQ_U64(o.r0, 0x305, "0x0302 + 3");

	stackbpf_host__free(host);
	return t_done();
}
