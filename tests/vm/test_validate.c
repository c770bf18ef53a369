/* test_validate.c - every rule of the structural validator, with the exact
 * message (Linux's wording where Linux has one), and programs that pass. */
#include "vmtest.h"

#define REJECT(want, ...) T_EQ_STR(reject_msg(PROG(__VA_ARGS__), NULL), want, want)
#define REJECT_O(o, want, ...) T_EQ_STR(reject_msg(PROG(__VA_ARGS__), o), want, want)
#define ACCEPT(what, ...) T_EQ_STR(reject_msg(PROG(__VA_ARGS__), NULL), "(accepted)", what)

static void test_opcodes_and_reserved(void)
{
	REJECT("insn 0: unknown opcode ff", INSN(0xff, 0, 0, 0, 0), EXIT());
	REJECT("insn 1: unknown opcode 8e", MOV64_K(0, 0), INSN(0x8e, 0, 0, 0, 0), EXIT());
	REJECT("insn 0: unknown opcode 00", INSN(0x00, 0, 0, 0, 0), EXIT());
	REJECT("insn 0: BPF_ALU uses reserved fields", INSN(0x07, 0, 1, 0, 1), EXIT());
	REJECT("insn 0: BPF_ALU uses reserved fields", INSN(0x0f, 0, 1, 0, 1), EXIT());
	REJECT("insn 0: BPF_ALU uses reserved fields", INSN(0x04, 0, 0, 1, 1), EXIT());
	REJECT("insn 0: BPF_ALU uses reserved fields", INSN(0x3f, 0, 1, 2, 0), EXIT());   /* div off 2 */
	REJECT("insn 0: BPF_MOV uses reserved fields", INSN(0xbf, 0, 1, 0, 1), EXIT());
	REJECT("insn 0: BPF_MOV uses reserved fields", INSN(0xbf, 0, 1, 3, 0), EXIT());   /* movsx off 3 */
	REJECT("insn 0: BPF_MOV uses reserved fields", INSN(0xb7, 0, 1, 0, 1), EXIT());
	REJECT("insn 0: BPF_MOV uses reserved fields", INSN(0xbc, 0, 1, 32, 0), EXIT());  /* movsx32 s32 */
	REJECT("insn 0: BPF_NEG uses reserved fields", INSN(0x87, 0, 0, 0, 1), EXIT());
	REJECT("insn 0: BPF_NEG uses reserved fields", INSN(0x84, 0, 1, 0, 0), EXIT());
	REJECT("insn 0: BPF_END uses reserved fields", INSN(0xdc, 0, 0, 0, 8), EXIT());
	REJECT("insn 0: BPF_END uses reserved fields", INSN(0xd4, 0, 0, 1, 16), EXIT());
	REJECT("insn 0: BPF_END uses reserved fields", INSN(0xd7, 0, 1, 0, 32), EXIT());
	REJECT("insn 0: BPF_LDX uses reserved fields", INSN(0x79, 0, 1, 0, 1), EXIT());
	REJECT("insn 0: BPF_ST uses reserved fields", INSN(0x7a, 10, 1, -8, 1), EXIT());
	REJECT("insn 0: BPF_STX uses reserved fields", INSN(0x7b, 10, 1, -8, 1), EXIT());
	REJECT("insn 0: BPF_ATOMIC uses invalid atomic opcode 02", INSN(0xdb, 10, 1, -8, 2), EXIT());
	REJECT("insn 0: BPF_ATOMIC uses invalid atomic opcode 120", INSN(0xc3, 10, 1, -8, 0x120), EXIT());
	REJECT("insn 0: invalid atomic operand size", INSN(0xcb, 10, 1, -8, 0x00), EXIT());
	REJECT("insn 0: invalid atomic operand size", INSN(0xd3, 10, 1, -8, 0xf1), EXIT());
	REJECT("insn 0: BPF_LD_[ABS|IND] uses reserved fields", INSN(0x20, 1, 0, 0, 0), EXIT());
	REJECT("insn 0: BPF_LD_[ABS|IND] uses reserved fields", INSN(0x20, 0, 1, 0, 0), EXIT());
	REJECT("insn 0: BPF_LD_[ABS|IND] uses reserved fields", INSN(0x40, 0, 1, 2, 0), EXIT());
	REJECT("insn 0: BPF_JA uses reserved fields", INSN(0x05, 1, 0, 0, 0), EXIT());
	REJECT("insn 0: BPF_JA uses reserved fields", INSN(0x06, 0, 0, 1, 0), EXIT());
	REJECT("insn 0: BPF_JMP/JMP32 uses reserved fields", INSN(0x15, 0, 1, 0, 0), EXIT());
	REJECT("insn 0: BPF_JMP/JMP32 uses reserved fields", INSN(0x1d, 0, 1, 0, 1), EXIT());
	REJECT("insn 0: BPF_JMP/JMP32 uses reserved fields", INSN(0xe5, 1, 0, 0, 0), EXIT());
	REJECT("insn 0: BPF_CALL uses reserved fields", INSN(0x85, 1, 0, 0, 1), EXIT());
	REJECT("insn 0: BPF_CALL uses reserved fields", INSN(0x85, 0, 3, 0, 1), EXIT());
	REJECT("insn 0: BPF_CALL uses reserved fields", INSN(0x85, 0, 1, 1, 0), EXIT());
	REJECT("insn 0: BPF_CALL uses reserved fields", INSN(0x8d, 1, 0, 0, 1), EXIT());
	REJECT("insn 0: BPF_EXIT uses reserved fields", INSN(0x95, 0, 0, 0, 1));
	REJECT("insn 0: BPF_EXIT uses reserved fields", INSN(0x95, 1, 0, 0, 0));
	REJECT("insn 0: BPF_EXIT uses reserved fields", INSN(0x95, 0, 0, 1, 0));
}

static void test_ld_imm64(void)
{
	REJECT("insn 0: invalid bpf_ld_imm64 insn", INSN(0x18, 0, 0, 0, 1));
	REJECT("insn 0: invalid bpf_ld_imm64 insn", INSN(0x18, 0, 0, 0, 1), EXIT());
	REJECT("insn 0: invalid bpf_ld_imm64 insn", INSN(0x18, 0, 0, 0, 1), INSN(0, 1, 0, 0, 0), EXIT());
	REJECT("insn 0: invalid bpf_ld_imm64 insn", INSN(0x18, 0, 0, 0, 1), INSN(0, 0, 0, 1, 0), EXIT());
	REJECT("insn 0: BPF_LD_IMM64 uses reserved fields", INSN(0x18, 0, 0, 1, 1), INSN(0, 0, 0, 0, 0), EXIT());
	REJECT("insn 0: unrecognized bpf_ld_imm64 insn", INSN(0x18, 0, 7, 0, 1), INSN(0, 0, 0, 0, 0), EXIT());
	/* map references name the prog's map table, which is empty here */
	static const char *const want[7] = {
		NULL, "insn 0: fd 1 is not pointing to valid bpf_map", "insn 0: fd 1 is not pointing to valid bpf_map",
		"insn 0: ld_imm64 pseudo src 3 needs an ELF object",
		/* src 4: a callback at insn 2, so insns 0-1 are a function without exit */
		"insn 1: last insn is not an exit or jmp",
		"insn 0: fd_idx 1 is not pointing to valid bpf_map", "insn 0: fd_idx 1 is not pointing to valid bpf_map",
	};
	for (int src = 1; src <= 6; src++)
		REJECT(want[src], INSN(0x18, 1, src, 0, 1), INSN(0, 0, 0, 0, 0), EXIT());
	ACCEPT("ld_imm64", LD64(0, 0xffffffffffffffff), EXIT());
	/* src 4 (PSEUDO_FUNC): imm = the callback's offset from the next insn, as Linux */
	ACCEPT("callback reference", INSN(0x18, 2, 4, 0, 3), INSN(0, 0, 0, 0, 0), MOV64_K(0, 0), EXIT(),
	       MOV64_K(0, 1), EXIT());
	REJECT("insn 0: call to invalid destination", INSN(0x18, 2, 4, 0, 4), INSN(0, 0, 0, 0, 0), MOV64_K(0, 0),
	       EXIT());
	REJECT("insn 0: call to invalid destination", INSN(0x18, 2, 4, 0, -2), INSN(0, 0, 0, 0, 0), EXIT());
	REJECT("insn 0: call to invalid destination", INSN(0x18, 2, 4, 0, 3), INSN(0, 0, 0, 0, 1), MOV64_K(0, 0),
	       EXIT(), MOV64_K(0, 1), EXIT());
}

/* stack-args.md §2: r11 only as ldx/stx/st DW, loads at positive, stores at
 * negative multiples of 8 */
static void test_r11(void)
{
	REJECT("insn 0: R11 is invalid", INSN(0x07, 11, 0, 0, 1), EXIT());           /* r11 += 1 */
	REJECT("insn 0: R11 is invalid", INSN(0x63, 11, 1, -8, 0), EXIT());          /* u32 store */
	REJECT("insn 0: R11 is invalid", INSN(0x7b, 11, 1, -4, 0), EXIT());          /* store at -4 */
	REJECT("insn 0: R11 is invalid", INSN(0x7b, 11, 1, 8, 0), EXIT());           /* store at +8 */
	REJECT("insn 0: R11 is invalid", INSN(0x79, 0, 11, -8, 0), EXIT());          /* load at -8 */
	REJECT("insn 0: R11 is invalid", INSN(0x61, 0, 11, 8, 0), EXIT());           /* u32 load */
	REJECT("insn 0: R11 is invalid", INSN(0x7b, 11, 1, 0, 0), EXIT());           /* store at +0 */
	REJECT("insn 0: R11 is invalid", INSN(0x7a, 11, 0, -4, 1), EXIT());          /* st imm at -4 */
	REJECT("insn 0: R11 is invalid", INSN(0x7a, 11, 0, 16, 1), EXIT());          /* st imm at +16 */
	REJECT("insn 0: R11 is invalid", INSN(0x79, 0, 11, 0, 0), EXIT());           /* load at +0 */
	REJECT("insn 0: R11 is invalid", INSN(0x79, 0, 11, 12, 0), EXIT());          /* load at +12 */
	REJECT("insn 0: R11 is invalid", INSN(0x91, 0, 11, 8, 0), EXIT());           /* sign-extending load */
	REJECT("insn 0: R11 is invalid", INSN(0xdb, 11, 1, -8, 0), EXIT());          /* atomic */
	REJECT("insn 0: R11 is invalid", INSN(0x7b, 10, 11, -8, 0), EXIT());         /* r11 as STX source */
	REJECT("insn 0: R11 is invalid", INSN(0x7b, 11, 11, -8, 0), EXIT());
	REJECT("insn 0: R11 is invalid", INSN(0x79, 11, 11, 8, 0), EXIT());          /* load into r11 */
	REJECT("insn 0: R11 is invalid", INSN(0xbf, 0, 11, 0, 0), EXIT());           /* r0 = r11 */
	REJECT("insn 0: R11 is invalid", INSN(0x1d, 11, 1, 0, 0), EXIT());           /* jump on r11 */
	REJECT("insn 0: R11 is invalid", INSN(0x95, 11, 0, 0, 0));                   /* unused field */
	REJECT("insn 0: R12 is invalid", INSN(0xbf, 12, 0, 0, 0), EXIT());
	REJECT("insn 0: R15 is invalid", INSN(0x7b, 10, 15, -8, 0), EXIT());
	REJECT("insn 0: R12 is invalid", INSN(0x7b, 12, 1, -8, 0), EXIT());
	ACCEPT("the three r11 forms", ARG_LD(0, 1), ARG_LD(0, 7), ARG_ST(1, 1), ARG_ST(1, 7), ARG_STI(-1, 2),
	       INSN(0x7b, 11, 1, -64, 0), EXIT());
}

static void test_r10(void)
{
	REJECT("insn 0: frame pointer is read only", MOV64_K(10, 0), EXIT());
	REJECT("insn 0: frame pointer is read only", ALU32_X(0x00, 10, 1), EXIT());
	REJECT("insn 0: frame pointer is read only", INSN(0x87, 10, 0, 0, 0), EXIT());
	REJECT("insn 0: frame pointer is read only", INSN(0xdc, 10, 0, 0, 16), EXIT());
	REJECT("insn 0: frame pointer is read only", INSN(0x79, 10, 1, 0, 0), EXIT());
	REJECT("insn 0: frame pointer is read only", LD64(10, 1), EXIT());
	REJECT("insn 0: frame pointer is read only", ARG_LD(10, 1), EXIT());
	REJECT("insn 0: frame pointer is read only", INSN(0xdb, 1, 10, 0, 0x01), EXIT());  /* fetch into r10 */
	REJECT("insn 0: frame pointer is read only", INSN(0xdb, 1, 10, 0, 0xe1), EXIT());  /* xchg */
	REJECT("insn 0: frame pointer is read only", INSN(0xdb, 10, 0, 0, 0x100), EXIT()); /* load-acquire */
	ACCEPT("stores through r10, r10 as a source", STDW(10, -8, 1), STXDW(10, 10, -16),
	       INSN(0xdb, 10, 1, -8, 0), INSN(0xdb, 10, 1, -8, 0xf1), MOV64_X(0, 10), EXIT());
}

static void test_control_flow(void)
{
	REJECT("insn 0: jump out of range from insn 0 to 6", JA(5), EXIT());
	REJECT("insn 0: jump out of range from insn 0 to -1", JA(-2), EXIT());
	REJECT("insn 1: jump out of range from insn 1 to 3", MOV64_K(0, 0), JMP_K(0x10, 0, 0, 1), EXIT());
	REJECT("insn 0: jump out of range from insn 0 to 100001", INSN(0x06, 0, 0, 0, 100000), EXIT());
	REJECT("insn 0: jump out of range from insn 0 to 9", INSN(0xe5, 0, 0, 8, 0), EXIT());
	REJECT("insn 0: jump into the middle of ldimm64 insn 1", JA(1), LD64(0, 1), EXIT());
	REJECT("insn 3: jump into the middle of ldimm64 insn 1", MOV64_K(0, 0), LD64(0, 1), JA(-2), EXIT());
	REJECT("insn 0: call to invalid destination", CALL_LOCAL(-5), EXIT());
	REJECT("insn 0: call to invalid destination", CALL_LOCAL(2), EXIT());
	REJECT("insn 0: jump into the middle of ldimm64 insn 2", CALL_LOCAL(2), EXIT(), LD64(0, 1), EXIT());
	/* subprograms: jumps stay inside, each ends in exit or a jump */
	REJECT("insn 2: jump out of range from insn 2 to 1", CALL_LOCAL(1), EXIT(), JA(-2), EXIT());
	REJECT("insn 0: jump out of range from insn 0 to 3", JA(2), EXIT(), CALL_LOCAL(0), EXIT());
	REJECT("insn 1: last insn is not an exit or jmp", CALL_LOCAL(1), MOV64_K(0, 0), EXIT());
	REJECT("insn 3: last insn is not an exit or jmp", CALL_LOCAL(1), EXIT(), EXIT(), MOV64_K(0, 1));
	REJECT("insn 0: last insn is not an exit or jmp", MOV64_K(0, 0));
	REJECT("insn 1: last insn is not an exit or jmp", MOV64_K(0, 0), JMP_K(0x10, 0, 0, -2));
	REJECT("insn 2: last insn is not an exit or jmp", MOV64_K(0, 0), LD64(0, 1));
	REJECT("insn 0: last insn is not an exit or jmp", CALL_HELPER(2));
	T_EQ_STR(reject_msg(NULL, 0, NULL), "empty program", "empty program");
	ACCEPT("exit not last (bpf_conformance exit-not-last)", MOV64_K(1, 0), JA(2), MOV64_K(2, 0), EXIT(),
	       MOV64_K(0, 0), JA(-4));
	ACCEPT("gotol ends a program", MOV64_K(0, 0), INSN(0x06, 0, 0, 0, -2));
	ACCEPT("jump to self", JA(-1));
	ACCEPT("recursive call", CALL_LOCAL(-1), EXIT());
	ACCEPT("call to insn 0", MOV64_K(0, 0), EXIT(), CALL_LOCAL(-3), EXIT());
	ACCEPT("jump over an ld_imm64", JA(2), LD64(0, 1), EXIT());
}

static void test_calls_and_cpu(void)
{
	struct stackbpf_host *h = test_host();
	STACKBPF_OPTS(stackbpf_validate_opts, with_host, .host = h);
	REJECT_O(&with_host, "insn 0: invalid func unknown#99", CALL_HELPER(99), EXIT());
	REJECT_O(&with_host, "insn 1: unknown host function #999", MOV64_K(0, 0), CALL_KFUNC(999), EXIT());
	REJECT_O(&with_host, "insn 0: unknown host function #0", CALL_KFUNC(0), EXIT());
	T_EQ_STR(reject_msg(PROG(CALL_HELPER(5), CALL_KFUNC(14), EXIT()), &with_host), "(accepted)",
		 "registered calls");
	ACCEPT("calls are not resolved without a host", CALL_HELPER(99), CALL_KFUNC(999), EXIT());

	STACKBPF_OPTS(stackbpf_validate_opts, v3, .cpu = 3);
	STACKBPF_OPTS(stackbpf_validate_opts, v1, .cpu = 1);
	REJECT_O(&v3, "insn 0: sdiv is a cpu v4 instruction (limit v3)", INSN(0x3f, 0, 1, 1, 0), EXIT());
	REJECT_O(&v3, "insn 0: movsx864 is a cpu v4 instruction (limit v3)", INSN(0xbf, 0, 1, 8, 0), EXIT());
	REJECT_O(&v3, "insn 0: ja32 is a cpu v4 instruction (limit v3)", INSN(0x06, 0, 0, 0, -1));
	REJECT_O(&v3, "insn 0: ldxsb is a cpu v4 instruction (limit v3)", INSN(0x91, 0, 10, -8, 0), EXIT());
	REJECT_O(&v1, "insn 0: jlt is a cpu v2 instruction (limit v1)", JMP_K(0xa0, 0, 1, 0), EXIT());
	REJECT_O(&v1, "insn 0: jeq32 is a cpu v3 instruction (limit v1)", INSN(0x16, 0, 0, 0, 0), EXIT());
	REJECT_O(&v1, "insn 0: add is a cpu v3 instruction (limit v1)", INSN(0xdb, 10, 1, -8, 0), EXIT());
	T_EQ_STR(reject_msg(PROG(INSN(0x16, 0, 0, 0, 0), EXIT()), &v3), "(accepted)", "v3 has jmp32");
}

int main(void)
{
	test_opcodes_and_reserved();
	test_ld_imm64();
	test_r11();
	test_r10();
	test_control_flow();
	test_calls_and_cpu();
	stackbpf_host__free(t_host);
	return t_done();
}
