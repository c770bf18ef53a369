/* test_disasm_strings.c - exact disassembly text, in kernel (verifier log)
 * syntax as Linux's kernel/bpf/disasm.c prints it, in LLVM syntax as
 * llvm-objdump-22 --no-print-imm-hex prints it, and in bpf_conformance syntax;
 * plus the line format of stackbpf_disasm__prog. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stackbpf/stackbpf.h"
#include "testlib.h"

#define I(c, d, s, o, i) { .code = c, .dst = d, .src = s, .off = o, .imm = i }

static const struct {
	struct stackbpf_insn in[2];
	const char *kernel, *llvm, *conf;
} cases[] = {
	{ { I(0x79, 1, 1, 32, 0) }, "(79) r1 = *(u64 *)(r1 +32)", "r1 = *(u64 *)(r1 + 32)", "ldxdw %r1, [%r1+32]" },
	{ { I(0x61, 2, 1, 0, 0) }, "(61) r2 = *(u32 *)(r1 +0)", "w2 = *(u32 *)(r1 + 0)", "ldxw %r2, [%r1+0]" },
	{ { I(0x91, 4, 10, -8, 0) }, "(91) r4 = *(s8 *)(r10 -8)", "r4 = *(s8 *)(r10 - 8)", "ldxsb %r4, [%r10-8]" },
	{ { I(0x62, 10, 0, -4, 0) }, "(62) *(u32 *)(r10 -4) = 0", "*(u32 *)(r10 - 4) = 0", "stw [%r10-4], 0" },
	{ { I(0x7a, 10, 0, -8, 7) }, "(7a) *(u64 *)(r10 -8) = 7", "*(u64 *)(r10 - 8) = 7", "stdw [%r10-8], 7" },
	{ { I(0x73, 10, 1, -1, 0) }, "(73) *(u8 *)(r10 -1) = r1", "*(u8 *)(r10 - 1) = w1", "stxb [%r10-1], %r1" },
	{ { I(0xbf, 2, 10, 0, 0) }, "(bf) r2 = r10", "r2 = r10", "mov %r2, %r10" },
	{ { I(0x07, 2, 0, 0, -4) }, "(07) r2 += -4", "r2 += -4", "add %r2, -4" },
	{ { I(0xb4, 0, 0, 0, 5) }, "(b4) w0 = 5", "w0 = 5", "mov32 %r0, 5" },
	{ { I(0x27, 1, 0, 0, 3) }, "(27) r1 *= 3", "r1 *= 3", "mul %r1, 3" },
	{ { I(0x3f, 1, 3, 1, 0) }, "(3f) r1 s/= r3", "r1 s/= r3", "sdiv %r1, %r3" },
	{ { I(0x94, 1, 0, 1, 3) }, "(94) w1 s%= 3", "w1 s%= 3", "smod32 %r1, 3" },
	{ { I(0xbf, 1, 4, 8, 0) }, "(bf) r1 = (s8)r4", "r1 = (s8)r4", "movsx864 %r1, %r4" },
	{ { I(0xbc, 1, 3, 16, 0) }, "(bc) w1 = (s16)w3", "w1 = (s16)w3", "movsx1632 %r1, %r3" },
	{ { I(0x84, 3, 0, 0, 0) }, "(84) w3 = -w3", "w3 = -w3", "neg32 %r3" },
	{ { I(0xdc, 1, 0, 0, 16) }, "(dc) r1 = be16 r1", "r1 = be16 r1", "be16 %r1" },
	{ { I(0xd7, 2, 0, 0, 16) }, "(d7) r2 = bswap16 r2", "r2 = bswap16 r2", "bswap16 %r2" },
	{ { I(0x18, 1, 0, 0, 0x55667788), I(0, 0, 0, 0, 0x11223344) }, "(18) r1 = 0x1122334455667788",
	  "r1 = 0x1122334455667788 ll", "lddw %r1, 0x1122334455667788" },
	{ { I(0x18, 1, 1, 0, 3), I(0, 0, 0, 0, 0) }, "(18) ld_pseudo r1, 1, 0x3", "ld_pseudo r1, 1, 0x3",
	  ".8byte 0x0000000300001118, 0x0000000000000000" },
	{ { I(0x20, 0, 0, 0, 4) }, "(20) r0 = *(u32 *)skb[4]", "r0 = *(u32 *)skb[4]", "ldabsw 4" },
	{ { I(0x50, 0, 1, 0, 2) }, "(50) r0 = *(u8 *)skb[r1 + 2]", "r0 = *(u8 *)skb[r1 + 2]", "ldindb %r1, 2" },
	{ { I(0x48, 0, 3, 0, 0) }, "(48) r0 = *(u16 *)skb[r3 + 0]", "r0 = *(u16 *)skb[r3]", "ldindh %r3, 0" },
	{ { I(0xdb, 1, 2, 0, 0) }, "(db) lock *(u64 *)(r1 +0) += r2", "lock *(u64 *)(r1 + 0) += r2",
	  "lock add [%r1+0], %r2" },
	{ { I(0xc3, 1, 2, -8, 0x40) }, "(c3) lock *(u32 *)(r1 -8) |= r2", "lock *(u32 *)(r1 - 8) |= w2",
	  "lock or32 [%r1-8], %r2" },
	{ { I(0xdb, 6, 7, 0, 0x01) }, "(db) r7 = atomic64_fetch_add((u64 *)(r6 +0), r7)",
	  "r7 = atomic_fetch_add((u64 *)(r6 + 0), r7)", "lock fetch add [%r6+0], %r7" },
	{ { I(0xc3, 6, 7, 4, 0x41) }, "(c3) r7 = atomic_fetch_or((u32 *)(r6 +4), r7)",
	  "w7 = atomic_fetch_or((u32 *)(r6 + 4), w7)", "lock fetch or32 [%r6+4], %r7" },
	{ { I(0xdb, 6, 7, 0, 0xe1) }, "(db) r7 = atomic64_xchg((u64 *)(r6 +0), r7)", "r7 = xchg_64(r6 + 0, r7)",
	  "lock xchg [%r6+0], %r7" },
	{ { I(0xc3, 6, 7, 0, 0xe1) }, "(c3) r7 = atomic_xchg((u32 *)(r6 +0), r7)", "w7 = xchg32_32(r6 + 0, w7)",
	  "lock xchg32 [%r6+0], %r7" },
	{ { I(0xdb, 6, 7, 0, 0xf1) }, "(db) r0 = atomic64_cmpxchg((u64 *)(r6 +0), r0, r7)",
	  "r0 = cmpxchg_64(r6 + 0, r0, r7)", "lock cmpxchg [%r6+0], %r7" },
	{ { I(0xc3, 6, 7, 0, 0xf1) }, "(c3) r0 = atomic_cmpxchg((u32 *)(r6 +0), r0, r7)",
	  "w0 = cmpxchg32_32(r6 + 0, w0, w7)", "lock cmpxchg32 [%r6+0], %r7" },
	{ { I(0xdb, 6, 8, 0, 0x100) }, "(db) r6 = load_acquire((u64 *)(r8 +0))", "r6 = load_acquire((u64 *)(r8 + 0))",
	  "load_acquire64 %r6, [%r8+0]" },
	{ { I(0xcb, 1, 2, 2, 0x110) }, "(cb) store_release((u16 *)(r1 +2), r2)", "store_release((u16 *)(r1 + 2), w2)",
	  "store_release16 [%r1+2], %r2" },
	{ { I(0x05, 0, 0, 2, 0) }, "(05) goto pc+2", "goto +2", "ja +2" },
	{ { I(0x06, 0, 0, 0, -3) }, "(06) gotol pc-3", "gotol -3", "ja32 -3" },
	{ { I(0xe5, 0, 0, 1, 0) }, "(e5) may_goto pc+1", "may_goto +1", "may_goto +1" },
	{ { I(0x25, 2, 0, 2, 100) }, "(25) if r2 > 0x64 goto pc+2", "if r2 > 100 goto +2", "jgt %r2, 100, +2" },
	{ { I(0x15, 1, 0, -1, -1) }, "(15) if r1 == 0xffffffff goto pc-1", "if r1 == -1 goto -1",
	  "jeq %r1, -1, -1" },
	{ { I(0xce, 1, 2, 0, 0) }, "(ce) if w1 s< w2 goto pc+0", "if w1 s< w2 goto +0", "jslt32 %r1, %r2, +0" },
	{ { I(0x45, 1, 0, 1, 3) }, "(45) if r1 & 0x3 goto pc+1", "if r1 & 3 goto +1", "jset %r1, 3, +1" },
	{ { I(0x85, 0, 0, 0, 1) }, "(85) call bpf_map_lookup_elem#1", "call 1", "call 1" },
	{ { I(0x85, 0, 0, 0, 99999) }, "(85) call unknown#99999", "call 99999", "call 99999" },
	{ { I(0x85, 0, 1, 0, 1) }, "(85) call pc+1", "call pc+1", "call local +1" },
	{ { I(0x85, 0, 2, 0, 7) }, "(85) call kernel-function#7", "call kernel-function#7", "call runtime 7" },
	{ { I(0x8d, 3, 0, 0, 0) }, "(8d) callx r3", "callx r3", "call %r3" },
	{ { I(0x95, 0, 0, 0, 0) }, "(95) exit", "exit", "exit" },
	/* the three stack-argument forms */
	{ { I(0x7b, 11, 1, -16, 0) }, "(7b) *(u64 *)(r11 -16) = r1", "*(u64 *)(r11 - 16) = r1", "stxdw [%r11-16], %r1" },
	{ { I(0x7a, 11, 0, -8, 4) }, "(7a) *(u64 *)(r11 -8) = 4", "*(u64 *)(r11 - 8) = 4", "stdw [%r11-8], 4" },
	{ { I(0x79, 1, 11, 8, 0) }, "(79) r1 = *(u64 *)(r11 +8)", "r1 = *(u64 *)(r11 + 8)", "ldxdw %r1, [%r11+8]" },
	/* reserved fields set, unknown opcode */
	{ { I(0x07, 0, 0, 1, 1) }, "(07) .8byte 0x0000000100010007", ".8byte 0x0000000100010007",
	  ".8byte 0x0000000100010007" },
	{ { I(0xff, 0, 0, 0, 0) }, "(ff) .8byte 0x00000000000000ff", ".8byte 0x00000000000000ff",
	  ".8byte 0x00000000000000ff" },
};

static const char prog_kernel[] =
	"0: (b7) r1 = 5\n"
	"1: (85) call pc+1\n"
	"2: (95) exit\n"
	"3: (18) r0 = 0x100000002\n"
	"5: (25) if r1 > 0x64 goto pc-6\n"
	"6: (95) exit\n";
static const char prog_llvm[] =
	"L0:\n"
	"\tr1 = 5\n"
	"\tcall L3\n"
	"\texit\n"
	"L3:\n"
	"\tr0 = 0x100000002 ll\n"
	"\tif r1 > 100 goto L0\n"
	"\texit\n";

int main(void)
{
	static const enum stackbpf_syntax syns[] = {
		STACKBPF_SYNTAX_KERNEL, STACKBPF_SYNTAX_LLVM, STACKBPF_SYNTAX_CONFORMANCE,
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want[3] = { cases[i].kernel, cases[i].llvm, cases[i].conf };
		size_t n = cases[i].in[0].code == 0x18 ? 2 : 1;
		for (int k = 0; k < 3; k++) {
			char buf[128];
			STACKBPF_OPTS(stackbpf_disasm_opts, opts, .syntax = syns[k]);
			int r = stackbpf_disasm__insn(cases[i].in, n, 0, &opts, buf, sizeof(buf));
			T_EQ_U64(r, n, "slots");
			T_EQ_STR(buf, want[k], "disasm");
		}
	}

	/* defaults and errors of __insn */
	char buf[64];
	struct stackbpf_insn ex = { .code = 0x95 };
	T_EQ_U64(stackbpf_disasm__insn(&ex, 1, 0, NULL, buf, sizeof(buf)), 1, "NULL opts");
	T_EQ_STR(buf, "(95) exit", "kernel syntax by default");
	T_EQ_U64(stackbpf_disasm__insn(&ex, 1, 1, NULL, buf, sizeof(buf)), (uint64_t)-EINVAL, "idx past the end");
	T_EQ_U64(stackbpf_disasm__insn(&ex, 1, 0, NULL, buf, 4), (uint64_t)-ENOSPC, "small buffer");

	/* whole programs */
	struct stackbpf_insn prog[] = {
		{ .code = 0xb7, .dst = 1, .imm = 5 }, { .code = 0x85, .src = 1, .imm = 1 }, { .code = 0x95 },
		{ .code = 0x18, .imm = 2 }, { .imm = 1 }, { .code = 0x25, .dst = 1, .off = -6, .imm = 100 },
		{ .code = 0x95 },
	};
	for (int k = 0; k < 2; k++) {
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);
		STACKBPF_OPTS(stackbpf_disasm_opts, opts, .syntax = syns[k]);
		T_EQ_U64(stackbpf_disasm__prog(mem, prog, 7, &opts), 0, "disasm__prog");
		fclose(mem);
		T_EQ_STR(text, k ? prog_llvm : prog_kernel, "program listing");
		free(text);
	}
	return t_done();
}
