/* test_cli_run.c - the `stackbpf run` contract: output lines, --json,
 * --repeat, --mem/--mem-hex, --strict, --engine, exit codes, messages. */
#include "vmtest.h"
#include "testcli.h"

static void write_file(const char *name, const void *data, size_t len)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", t_dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		exit(2);
	}
	fclose(f);
}
#define WRITE_PROG(name, ...) write_file(name, PROG_BYTES(__VA_ARGS__))
#define PROG_BYTES(...) ((const struct stackbpf_insn[]){ __VA_ARGS__ }), sizeof((const struct stackbpf_insn[]){ __VA_ARGS__ })

/* `stackbpf run ARGS` in the scratch directory */
static struct t_out cli(const char *args)
{
	return t_cli("", "run", args);
}

int main(void)
{
	if (t_scratch("vm-run"))
		return 2;
	WRITE_PROG("ret42.bin", MOV64_K(0, 42), EXIT());
	/* r0 = r2 + mem[1] */
	WRITE_PROG("len.bin", INSN(0x71, 0, 1, 1, 0), ALU64_X(0x00, 0, 2), EXIT());
	WRITE_PROG("fault.bin", LD64(1, 0x1000), LDXDW(0, 1, 8), EXIT());
	WRITE_PROG("bad.bin", INSN(0xff, 0, 0, 0, 0), EXIT());
	WRITE_PROG("neg.bin", MOV64_K(0, -1), EXIT());
	/* sum_args7(1..5, 6, 7) = 1+4+9+16+25+36+49 = 140; sum_args7 is id 8 */
	WRITE_PROG("sum7.bin", MOV64_K(1, 1), MOV64_K(2, 2), MOV64_K(3, 3), MOV64_K(4, 4), MOV64_K(5, 5),
		   ARG_STI(6, 1), ARG_STI(7, 2), CALL_KFUNC(8), EXIT());
	/* sum_args6 without its stack argument: the verifier refuses it */
	WRITE_PROG("kfunc6.bin", MOV64_K(1, 1), MOV64_K(2, 0), MOV64_K(3, 0), MOV64_K(4, 0), MOV64_K(5, 0),
		   CALL_KFUNC(7), EXIT());
	WRITE_PROG("kfunc5.bin", MOV64_K(1, 1), MOV64_K(2, 0), MOV64_K(3, 0), MOV64_K(4, 0), MOV64_K(5, 0),
		   CALL_KFUNC(6), EXIT());                                         /* sum_args5 */
	/* mem[0] = 'A', mem[1] += 1; r0 = 7 */
	WRITE_PROG("poke.bin", INSN(0x72, 1, 0, 0, 'A'), INSN(0x71, 2, 1, 1, 0), ALU64_K(0x00, 2, 1),
		   INSN(0x73, 1, 2, 1, 0), MOV64_K(0, 7), EXIT());
	write_file("mem.bin", "\x05\x07\x09", 3);
	/* assembly, calling a host function by name (assembled on the fly) */
	static const char sum7_s[] = "r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\nr6 = 6\n"
				     "*(u64 *)(r11 - 8) = r6\n*(u64 *)(r11 - 16) = 7\ncall sum_args7\nexit\n";
	write_file("sum7.s", sum7_s, sizeof(sum7_s) - 1);
	write_file("odd.bin", "\x95\x00\x00", 3);

	struct t_out o = cli("ret42.bin");
	T_OK(o.status == 0, "ret42 status %d: %s", o.status, o.err);
	T_EQ_STR(o.out, "0x2a\n", "ret42 stdout");
	T_EQ_STR(o.err, "", "ret42 stderr");
	o = cli("neg.bin");
	T_EQ_STR(o.out, "0xffffffffffffffff\n", "r0 = -1");
	o = cli("ret42.bin --json");
	T_OK(o.status == 0 && strncmp(o.out, "{\"r0\":\"0x2a\",\"runs\":1,\"ns_per_run\":", 34) == 0 &&
	     strcmp(o.out + strlen(o.out) - 2, "}\n") == 0, "json: %s", o.out);
	o = cli("--repeat 3 ret42.bin");
	T_OK(o.status == 0 && strncmp(o.err, "runs: 3, ns/run: ", 17) == 0, "repeat stderr: %s", o.err);
	T_EQ_STR(o.out, "0x2a\n", "repeat stdout");
	o = cli("ret42.bin --repeat=2 --json");
	T_OK(strncmp(o.out, "{\"r0\":\"0x2a\",\"runs\":2,", 22) == 0 && o.err[0] == '\0', "repeat json: %s", o.out);
	o = cli("len.bin --mem-hex '0a 0b0c'");
	T_EQ_STR(o.out, "0xe\n", "mem-hex: r2 + mem[1]");
	o = cli("len.bin --mem mem.bin");
	T_EQ_STR(o.out, "0xa\n", "mem file: r2 + mem[1]");
	o = cli("sum7.bin --checked");
	T_EQ_STR(o.out, "0x8c\n", "sum_args7 host call");
	o = cli("sum7.s");
	T_OK(o.status == 0, "sum7.s: %s", o.err);
	T_EQ_STR(o.out, "0x8c\n", "sum7.s: call sum_args7 by name");

	/* the verifier runs first: a rejected program never runs (exit 1, its error) */
	o = cli("fault.bin");
	T_EQ_U64(o.status, 1, "fault status");
	T_EQ_STR(o.err, "stackbpf: fault.bin: R1 invalid mem access 'scalar'\n", "fault: the verifier's error");
	T_EQ_STR(o.out, "", "fault stdout");
	o = cli("fault.bin --checked");
	T_EQ_STR(o.err, "stackbpf: fault.bin: R1 invalid mem access 'scalar'\n", "--checked verifies too");
	o = cli("len.bin");
	T_EQ_U64(o.status, 1, "len.bin reads mem[1] without memory");
	T_EQ_STR(o.err, "stackbpf: len.bin: R1 min value is outside of the allowed memory range\n",
		 "the memory's length is what the verifier checks against");
	o = cli("bad.bin");
	T_EQ_U64(o.status, 1, "bad opcode status");
	T_EQ_STR(o.err, "stackbpf: bad.bin: insn 0: unknown opcode ff\n", "bad opcode message");
	o = cli("sum7.bin --strict");
	T_EQ_U64(o.status, 1, "strict status");
	T_EQ_STR(o.err, "stackbpf: sum7.bin: stack args are not supported in non-JITed programs\n",
		 "strict message");
	o = cli("kfunc6.bin");
	T_EQ_U64(o.status, 1, "a 6-argument host call without argument 6");
	T_EQ_STR(o.err, "stackbpf: kfunc6.bin: callee expects 6 args, stack arg1 is not initialized\n",
		 "stack argument missing");
	o = cli("kfunc5.bin --strict");
	T_OK(o.status == 0 && strcmp(o.out, "0x1\n") == 0, "strict allows 5 args: %d %s", o.status, o.err);

	/* the JIT is the default engine; interp and checked give the same results */
	o = cli("ret42.bin --engine jit");
	T_OK(o.status == 0 && strcmp(o.out, "0x2a\n") == 0, "jit run: %d %s", o.status, o.err);
	T_EQ_STR(o.err, "", "jit: no warning for a verified program");
	o = cli("sum7.bin --engine interp");
	T_EQ_STR(o.out, "0x8c\n", "interpreter");
	o = cli("sum7.bin --harden");
	T_EQ_STR(o.out, "0x8c\n", "--harden");
	o = cli("len.bin --mem-hex '0a 0b0c' --checked --engine jit");
	T_EQ_STR(o.out, "0xe\n", "--checked wins over --engine jit");

	/* --data-out: the memory after the run */
	o = cli("poke.bin --data-hex '00 41 02' --data-out out.bin");
	T_EQ_STR(o.out, "0x7\n", "poke r0");
	char out[16];
	t_read_file("out.bin", out, sizeof(out));
	T_EQ_STR(out, "AB\002", "the modified memory");
	o = cli("poke.bin --data-hex '00' --data-out out.bin");
	T_EQ_U64(o.status, 1, "poke needs 2 bytes");
	T_EQ_STR(o.err, "stackbpf: poke.bin: R1 min value is outside of the allowed memory range\n", "poke message");

	/* a bpf_conformance .data file: its program and memory */
	char args[512];
	snprintf(args, sizeof(args), "%s/data/bpf2bpf_args8.data", STACKBPF_TESTS_DIR);
	o = cli(args);
	T_OK(o.status == 0 && strcmp(o.out, "0xedc\n") == 0, ".data: %d %s %s", o.status, o.out, o.err);

	/* bad input or usage: exit 2 */
	o = cli("ret42.bin --engine interp");
	T_EQ_U64(o.status, 0, "--engine interp");
	o = cli("ret42.bin --engine foo");
	T_EQ_U64(o.status, 2, "bad engine");
	o = cli("");
	T_EQ_U64(o.status, 2, "no input");
	o = cli("ret42.bin --frob");
	T_EQ_U64(o.status, 2, "unknown option");
	T_EQ_STR(o.err, "stackbpf: unknown option '--frob' (try 'stackbpf run --help')\n", "unknown option message");
	o = cli("ret42.bin --repeat 0");
	T_EQ_U64(o.status, 2, "repeat 0");
	o = cli("ret42.bin --mem mem.bin --mem-hex 00");
	T_EQ_U64(o.status, 2, "--mem and --mem-hex");
	o = cli("ret42.bin --mem-hex 0g");
	T_EQ_U64(o.status, 2, "bad hex");
	o = cli("missing.bin");
	T_EQ_U64(o.status, 2, "missing file");
	o = cli("odd.bin");
	T_EQ_U64(o.status, 2, "truncated bytecode");
	o = cli("--help");
	T_OK(o.status == 0 && strstr(o.out, "--mem-hex HEX") && strstr(o.out, "--strict") &&
	     strstr(o.out, "--json") && strstr(o.out, "--repeat N") && strstr(o.out, "examples:"), "help");

	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", t_dir);
	return t_done();
}
