/* test_cli.c - `stackbpf run` on ELF objects: --prog (and the error naming
 * the choices), packet contexts for xdp/socket programs, raw memory for the
 * others, --dump-maps output, verification first, exit codes and messages for
 * bad objects, `jit --prog`; .s/.bin inputs keep their behaviour
 * (tests/vm/test_cli_run.c). */
#include "stackbpf/stackbpf.h"
#include "testlib.h"
#include "testcli.h"

/* `stackbpf run ARGS` in the scratch directory; $F stands for the fixture directory */
static struct t_out cli(const char *args)
{
	char env[1024];
	snprintf(env, sizeof(env), "F='%s' &&", OBJ_FIXTURES);
	return t_cli(env, "run", args);
}

#define ARGS5 "--mem-hex '01000000 00000000 02000000 00000000 03000000 00000000 04000000 00000000 05000000 00000000'"

static const char *env_f(void)
{
	static char env[1024];
	snprintf(env, sizeof(env), "F='%s' &&", OBJ_FIXTURES);
	return env;
}

int main(void)
{
	if (!OBJ_FIXTURES[0]) {
		printf("clang cannot target bpf: skipped\n");
		return 77;
	}
	if (t_scratch("obj-cli"))
		return 2;
	struct t_out o = cli("$F/subprog5.bpf.o " ARGS5);
	T_EQ_U64(o.status, 2, "several programs, no --prog");
	/* the message names the path as given (the shell expanded $F) */
	char want[1024];
	snprintf(want, sizeof(want),
		 "stackbpf: %s/subprog5.bpf.o: 2 programs, choose one with --prog (programs: sum5, only_mix)\n",
		 OBJ_FIXTURES);
	T_EQ_STR(o.err, want, "choices named");
	o = cli("$F/subprog5.bpf.o --prog sum5 " ARGS5);
	T_EQ_U64(o.status, 0, "sum5");
	T_EQ_STR(o.out, "0x5a1\n", "1441");
	o = cli("$F/subprog5.bpf.o --prog nope " ARGS5);
	T_EQ_U64(o.status, 2, "unknown program");
	snprintf(want, sizeof(want), "stackbpf: %s/subprog5.bpf.o: no program 'nope' (programs: sum5, only_mix)\n",
		 OBJ_FIXTURES);
	T_EQ_STR(o.err, want, "unknown program message");

	/* jit on an ELF object: the same choice of program */
	o = t_cli(env_f(), "jit", "$F/subprog5.bpf.o");
	T_EQ_U64(o.status, 2, "jit: several programs, no --prog");
	snprintf(want, sizeof(want),
		 "stackbpf: %s/subprog5.bpf.o: 2 programs, choose one with --prog (programs: sum5, only_mix)\n",
		 OBJ_FIXTURES);
	T_EQ_STR(o.err, want, "jit: choices named");
	o = t_cli(env_f(), "jit", "$F/subprog5.bpf.o --prog sum5 --dump");
	T_EQ_U64(o.status, 0, "jit --prog sum5");
	T_OK(strncmp(o.out, "code: ", 6) == 0 && strstr(o.out, "\n; entry trampoline\n") &&
	     strstr(o.out, "\n; 0: "), "jit listing: %s", o.out);

	/* xdp: the memory is the packet; --dump-maps before r0 */
	o = cli("$F/xdp_count.bpf.o --dump-maps --data-hex '"
		"000102030405060708090a0b0c0d0e0f1011121314151606 0000000000000000'");
	T_EQ_U64(o.status, 0, "xdp run");
	T_EQ_STR(o.out,
		 "map counts: hash, key 4, value 8, max_entries 16\n"
		 "  key: 06 00 00 00  value: 01 00 00 00 00 00 00 00\n"
		 "  1 element(s)\n"
		 "0x2\n", "xdp output");
	/* --data-out: the packet after the run (xdp_count leaves it as it was) */
	o = cli("$F/xdp_count.bpf.o --data-hex '4142434445464748494a4b4c4d4e' --data-out pkt.out");
	T_EQ_U64(o.status, 0, "xdp --data-out");
	char pkt[64];
	t_read_file("pkt.out", pkt, sizeof(pkt));
	T_EQ_STR(pkt, "ABCDEFGHIJKLMN", "the packet written out");
	/* as Linux's BPF_PROG_TEST_RUN: a frame holds an Ethernet header */
	o = cli("$F/xdp_count.bpf.o --mem-hex '00'");
	T_EQ_U64(o.status, 2, "xdp 1-byte packet refused");
	snprintf(want, sizeof(want),
		 "stackbpf: %s/xdp_count.bpf.o: cannot build the packet context: packet too short (an Ethernet "
		 "header, and for a __sk_buff the whole IPv4/IPv6 header)\n", OBJ_FIXTURES);
	T_EQ_STR(o.err, want, "xdp 1-byte packet: the message");
	o = cli("$F/xdp_count.bpf.o --repeat 3 --json --dump-maps --mem-hex '0000000000000000000000000000'");
	T_EQ_U64(o.status, 0, "xdp short packet");
	T_OK(strstr(o.out, "  0 element(s)\n{\"r0\":\"0x1\",\"runs\":3,") != NULL, "dropped, nothing counted: %s", o.out);

	/* global data dump */
	o = cli("$F/globals.bpf.o --dump-maps --mem-hex '05000000'");
	T_EQ_U64(o.status, 0, "globals");
	T_EQ_STR(o.out,
		 "map .rodata: array, key 4, value 24, max_entries 1\n"
		 "  key: 00 00 00 00  value: 03 00 00 00 00 00 00 00 0a 00 00 00 14 00 00 00 1e 00 00 00 28 00 00 00\n"
		 "  1 element(s)\n"
		 "map .data: array, key 4, value 8, max_entries 1\n"
		 "  key: 00 00 00 00  value: 67 00 00 00 00 00 00 00\n"
		 "  1 element(s)\n"
		 "map .bss: array, key 4, value 16, max_entries 1\n"
		 "  key: 00 00 00 00  value: 05 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00\n"
		 "  1 element(s)\n"
		 "0x14\n", "globals output");

	/* a kfunc bound to the example host functions; ringbuf summary */
	/* (a tracepoint's first 8 bytes are not the program's, as in Linux: the
	 * fixture reads ctx[1..3]) */
	o = cli("$F/ksym_call.bpf.o --mem-hex '0000000000000000 0100000000000000 0200000000000000 0300000000000000'");
	T_EQ_U64(o.status, 0, "ksym: runs");
	T_EQ_STR(o.out, "0xe\n", "ksym: sum_args3(1, 2, 3) = 1 + 2*2 + 3*3");
	T_EQ_STR(o.err, "", "ksym: no message");
	o = cli("$F/ringbuf.bpf.o --dump-maps --mem-hex '0100000000000000 0200000000000000'");
	T_EQ_STR(o.out, "map events: ringbuf, key 0, value 0, max_entries 4096\n  2 record(s) ready, 32 byte(s)\n0x0\n",
		 "ringbuf");

	/* trace_printk lines go to stderr; .rodata.str1.1 is a map too */
	o = cli("$F/printk.bpf.o --mem-hex '0000000000000000 0500000000000000 ff00000000000000'");
	T_EQ_U64(o.status, 0, "printk: runs");
	T_EQ_STR(o.err, "trace: x=5 y=ff\n", "printk: the trace line on stderr");
	T_EQ_STR(o.out, "0x62\n", "printk: \"stackbpf\"[5] = 'b'");

	/* the __sk_buff of a test run: len | protocol << 8 | pkt_type << 24 |
	 * ifindex << 28. socket: 20 bytes after the Ethernet header; tc: 34 */
	o = cli("$F/skb_fields.bpf.o --prog sock_fields --data-hex "
		"'ffffffffffff 000000000001 0800 4500 0014 0000 4000 4006 0000 0a000001 0a000002'");
	T_EQ_STR(o.out, "0x12000814\n", "socket: len 20, ETH_P_IP, PACKET_MULTICAST (broadcast), ifindex 1");
	o = cli("$F/skb_fields.bpf.o --prog tc_fields --data-hex "
		"'000000000000 000000000001 0800 4500 0014 0000 4000 4006 0000 0a000001 0a000002'");
	T_EQ_STR(o.out, "0x10000822\n", "tc: len 34, ETH_P_IP, PACKET_HOST, ifindex 1");
	o = cli("$F/skb_fields.bpf.o --prog sock_fields --data-hex '000000000002 000000000001 0800 4500'");
	T_EQ_U64(o.status, 2, "an IPv4 frame without its whole IP header is refused, as Linux");

	/* tail calls through a prog_array initialised in .maps (.values) */
	o = cli("$F/tailcall.bpf.o --prog entry --dump-maps --data-hex '000000000002 000000000001 0806 0001'");
	T_EQ_STR(o.out,
		 "map jmp: prog_array, key 4, value 4, max_entries 4\n"
		 "  key: 01 00 00 00  value: 00 00 00 00\n"
		 "  key: 02 00 00 00  value: 01 00 00 00\n"
		 "  2 element(s)\n"
		 "0x463\n", "entry -> step1 -> step2: 1, 1, 2, 3 (slot 3 empty: falls through)");
	o = cli("$F/tailcall.bpf.o --prog entry --engine interp --data-hex '000000000002 000000000001 0806 0001'");
	T_EQ_STR(o.out, "0x463\n", "tail calls in the interpreter");
	o = cli("$F/tailcall.bpf.o --prog entry --checked --data-hex '000000000002 000000000001 0806 0001'");
	T_EQ_STR(o.out, "0x463\n", "tail calls in the checked interpreter");
	o = cli("$F/tailcall.bpf.o --prog step1 --data-hex '000000000002 000000000001 0806 0001'");
	T_EQ_STR(o.out, "0x17\n", "step1 -> step2: 23");

	/* a bad object: exit 2, the loader's message */
	o = cli("$F/bad_maps.bpf.o");
	T_EQ_U64(o.status, 2, "bad maps");
	snprintf(want, sizeof(want),
		 "%s/bad_maps.bpf.o: section .maps: map stacks: map type 7 is not supported (array, percpu_array, "
		 "hash, lru_hash, prog_array, ringbuf)\n", OBJ_FIXTURES);
	T_EQ_STR(o.err, want, "bad maps message");
	/* a context shorter than the program reads is zero-padded (4096 bytes) */
	o = cli("$F/globals.bpf.o --mem-hex '05' --checked");
	T_OK(o.status == 0 && strcmp(o.out, "0x14\n") == 0, "short context, checked: %d %s", o.status, o.err);
	o = cli("$F/globals.bpf.o --mem-hex '05'");
	T_OK(o.status == 0 && strcmp(o.out, "0x14\n") == 0, "short context, jit: %d %s", o.status, o.err);

	/* examples/: exact results on crafted frames */
#define ETH "000000000002 000000000001 0800 "
#define IP_TCP "45 00 0028 0000 4000 40 06 0000 0a000001 0a000002 "
#define IP_UDP53 "45 00 0028 0000 4000 40 11 0000 0a000001 0a000002 c000 0035 0014 0000 "
	char args[1024];
	snprintf(args, sizeof(args), "%s/xdp_count.o --dump-maps --data-hex '" ETH IP_TCP "0000'", OBJ_EXAMPLES);
	o = cli(args);
	T_EQ_STR(o.out,
		 "map proto_stats: hash, key 4, value 16, max_entries 256\n"
		 "  key: 06 00 00 00  value: 01 00 00 00 00 00 00 00 24 00 00 00 00 00 00 00\n"
		 "  1 element(s)\n"
		 "0x2\n", "example xdp_count: one TCP packet of 36 bytes");
	snprintf(args, sizeof(args), "%s/socket_filter.o --data-hex '" ETH IP_UDP53 "00000000 00000000 00000000'",
		 OBJ_EXAMPLES);
	o = cli(args);
	T_EQ_STR(o.out, "0x28\n", "example socket_filter keeps a DNS query: 40 bytes after the Ethernet header");
	snprintf(args, sizeof(args), "%s/socket_filter.o --data-hex '" ETH IP_TCP "00000000'", OBJ_EXAMPLES);
	o = cli(args);
	T_EQ_STR(o.out, "0x0\n", "example socket_filter drops TCP");
	/* --data-out of a socket filter: the whole frame, its Ethernet header
	 * zeroed (Linux's test run pushes it back as zeroes) */
	snprintf(args, sizeof(args), "%s/socket_filter.o --data-out sf.out --data-hex '" ETH IP_TCP "'", OBJ_EXAMPLES);
	o = cli(args);
	T_EQ_U64(o.status, 0, "socket_filter --data-out");
	{
		unsigned char b[64] = { 0 };
		char path[160];
		snprintf(path, sizeof(path), "%s/sf.out", t_dir);
		FILE *f = fopen(path, "rb");
		size_t n = f ? fread(b, 1, sizeof(b), f) : 0;
		if (f)
			fclose(f);
		static const unsigned char want_out[34] = { [14] = 0x45, [16] = 0x00, [17] = 0x28, [20] = 0x40,
							     [22] = 0x40, [23] = 0x06, [26] = 10, [29] = 1,
							     [30] = 10, [33] = 2 };
		T_OK(n == 34 && memcmp(b, want_out, 34) == 0, "data_out: 14 zero bytes, then the IP header (%zu bytes)", n);
	}
	snprintf(args, sizeof(args), "%s/trace_ringbuf.o --dump-maps --mem-hex '2a00000000000000 0700000000000000'",
		 OBJ_EXAMPLES);
	o = cli(args);
	T_EQ_STR(o.out,
		 "map .bss: array, key 4, value 8, max_entries 1\n"
		 "  key: 00 00 00 00  value: 00 00 00 00 00 00 00 00\n"
		 "  1 element(s)\n"
		 "map events: ringbuf, key 0, value 0, max_entries 65536\n"
		 "  1 record(s) ready, 32 byte(s)\n"
		 "0x0\n", "example trace_ringbuf");

	/* .s keeps its behaviour; ELF-only options are refused there */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "printf 'r0 = 7\\nexit\\n' > '%s/p.s'", t_dir);
	T_OK(system(cmd) == 0, "write p.s");
	o = cli("p.s");
	T_EQ_STR(o.out, "0x7\n", ".s still runs");
	o = cli("p.s --prog x");
	T_EQ_U64(o.status, 2, "--prog on .s");
	T_EQ_STR(o.err, "stackbpf: p.s: --prog and --dump-maps need an ELF object\n", "--prog on .s message");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_dir);
	if (system(cmd) != 0)
		return 2;
	return t_done();
}
