/* insn.h - the raw BPF instruction word and the encoding constants (RFC 9669 + Linux).
 *
 * Everything here is about bits; what an opcode *means* lives in opcodes.def. */
#ifndef SBPF_INSN_H
#define SBPF_INSN_H

#include <stdint.h>
#include <stddef.h>
#include "stackbpf/stackbpf.h"   /* struct stackbpf_insn: the kernel's struct bpf_insn */

_Static_assert(sizeof(struct stackbpf_insn) == 8, "bpf insn must be 8 bytes");

/* instruction classes */
enum {
	SBPF_LD = 0x00, SBPF_LDX = 0x01, SBPF_ST = 0x02, SBPF_STX = 0x03,
	SBPF_ALU = 0x04, SBPF_JMP = 0x05, SBPF_JMP32 = 0x06, SBPF_ALU64 = 0x07,
};
#define SBPF_CLASS(code) ((code) & 0x07)
#define SBPF_SIZE(code)  ((code) & 0x18)
#define SBPF_MODE(code)  ((code) & 0xe0)
#define SBPF_OP(code)    ((code) & 0xf0)
#define SBPF_SRCX(code)  ((code) & 0x08)

/* load/store sizes and modes */
enum { SBPF_W = 0x00, SBPF_H = 0x08, SBPF_B = 0x10, SBPF_DW = 0x18 };
enum {
	SBPF_IMM = 0x00, SBPF_ABS = 0x20, SBPF_IND = 0x40, SBPF_MEM = 0x60,
	SBPF_MEMSX = 0x80, SBPF_ATOMIC = 0xc0,
};

/* atomic operations (in imm) */
enum {
	SBPF_ATOMIC_FETCH = 0x01,
	SBPF_ATOMIC_ADD = 0x00, SBPF_ATOMIC_OR = 0x40, SBPF_ATOMIC_AND = 0x50,
	SBPF_ATOMIC_XOR = 0xa0, SBPF_ATOMIC_XCHG = 0xe1, SBPF_ATOMIC_CMPXCHG = 0xf1,
	SBPF_LOAD_ACQ = 0x100, SBPF_STORE_REL = 0x110,
};

/* call kinds (src_reg of 0x85) and ld_imm64 pseudo sources */
enum { SBPF_CALL_HELPER = 0, SBPF_CALL_LOCAL = 1, SBPF_CALL_KFUNC = 2 };
enum {
	SBPF_PSEUDO_NONE = 0, SBPF_PSEUDO_MAP_FD = 1, SBPF_PSEUDO_MAP_VALUE = 2,
	SBPF_PSEUDO_BTF_ID = 3, SBPF_PSEUDO_FUNC = 4, SBPF_PSEUDO_MAP_IDX = 5,
	SBPF_PSEUDO_MAP_IDX_VALUE = 6,
};

/* registers */
enum {
	SBPF_NREGS = 11,          /* r0..r10 */
	SBPF_REG_FP = 10,
	SBPF_REG_PARAMS = 11,     /* r11: stack-argument base (BPF_REG_PARAMS) */
};

/* limits shared by every stage */
enum {
	SBPF_STACK_SIZE = 512,            /* bytes per frame */
	SBPF_MAX_CALL_FRAMES = 8,
	SBPF_MAX_REG_ARGS = 5,
	SBPF_MAX_FUNC_ARGS = 12,
	SBPF_MAX_STACK_ARGS = 7,          /* args 6..12 */
};

/* bytes accessed by a load/store of this size code */
static inline int sbpf_size_bytes(uint8_t code)
{
	switch (SBPF_SIZE(code)) {
	case SBPF_B: return 1;
	case SBPF_H: return 2;
	case SBPF_W: return 4;
	default: return 8;
	}
}

/* "u8", "u16", "u32" or "u64" for a load/store of this size code */
static inline const char *sbpf_size_name(uint8_t code)
{
	switch (sbpf_size_bytes(code)) {
	case 1: return "u8";
	case 2: return "u16";
	case 4: return "u32";
	default: return "u64";
	}
}

#endif
