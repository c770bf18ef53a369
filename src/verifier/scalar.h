/* scalar.h - the verifier's abstract domain for numbers, as Linux models it:
 * a tnum (known bits) plus signed/unsigned 64- and 32-bit bounds, kept
 * consistent by the same deductions Linux makes (reg_bounds_sync and friends).
 * It follows Linux 6.18.y as shipped (6.18.44 here, with its stable backports:
 * byte-swap tracking, the [-1, 0] fork, single-value tnum/range deduction,
 * JSET range reset); tests/verifier_scalar/test_kernel.c checks it against
 * the running kernel's log, value for value.
 *
 * This is a pure library: no verifier state, no logging side effects. The walk
 * (verifier.c and friends) calls it for every ALU op, every conditional jump
 * (is a branch decided? what does each side learn?) and to print a scalar in the
 * kernel's log format. */
#ifndef SBPF_SCALAR_H
#define SBPF_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* tnum: value/mask, as kernel/bpf/tnum.c. A bit set in mask is unknown; for
 * known bits, value holds them. Invariant: (value & mask) == 0. */
struct tnum {
	uint64_t value;
	uint64_t mask;
};

struct tnum tnum_const(uint64_t v);
struct tnum tnum_unknown(void);
struct tnum tnum_range(uint64_t min, uint64_t max);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_neg(struct tnum a);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
struct tnum tnum_lshift(struct tnum a, uint8_t shift);
struct tnum tnum_rshift(struct tnum a, uint8_t shift);
struct tnum tnum_arshift(struct tnum a, uint8_t shift, uint8_t insn_bitness);
struct tnum tnum_intersect(struct tnum a, struct tnum b);
struct tnum tnum_union(struct tnum a, struct tnum b);
struct tnum tnum_cast(struct tnum a, uint8_t size);        /* truncate to size bytes */
struct tnum tnum_subreg(struct tnum a);                    /* low 32 bits */
struct tnum tnum_clear_subreg(struct tnum a);              /* high 32 bits only */
struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg);
struct tnum tnum_const_subreg(struct tnum a, uint32_t value);
struct tnum tnum_bswap16(struct tnum a);                  /* swap the low 2 bytes, rest 0 */
struct tnum tnum_bswap32(struct tnum a);
struct tnum tnum_bswap64(struct tnum a);
bool tnum_is_const(struct tnum a);
bool tnum_is_unknown(struct tnum a);
bool tnum_is_aligned(struct tnum a, uint64_t size);
bool tnum_in(struct tnum a, struct tnum b);                /* b is a subset of a */
bool tnum_equals_const(struct tnum a, uint64_t b);
uint64_t tnum_step(struct tnum t, uint64_t z);           /* smallest member of t above z */
bool tnum_overlap(struct tnum a, struct tnum b);          /* may a and b hold the same number */

/* A scalar's full abstract value. */
struct sbpf_scalar {
	struct tnum var_off;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32_min, s32_max;
	uint32_t u32_min, u32_max;
};

void scalar_mark_known(struct sbpf_scalar *s, uint64_t v);     /* __mark_reg_known */
void scalar_mark_unknown(struct sbpf_scalar *s);               /* __mark_reg_unknown */
/* __mark_reg32_known: the subreg (tnum and 32-bit bounds) becomes v; the upper
 * tnum half and the 64-bit bounds are left as they were. */
void scalar_mark_known32(struct sbpf_scalar *s, uint32_t v);
bool scalar_is_const(const struct sbpf_scalar *s);             /* tnum_is_const(var_off) */
uint64_t scalar_const(const struct sbpf_scalar *s);            /* var_off.value */
/* reg_bounds_sync: bounds from the tnum (and a constant when the u64 range and
 * the tnum share one value), three rounds of 32/64 and signed/unsigned
 * deductions, the tnum from the bounds, the bounds from the tnum again. */
void scalar_sync(struct sbpf_scalar *s);
/* Bounds that contradict each other (e.g. umin > umax): Linux's
 * reg_bounds_sanity_check; the caller reports it. */
bool scalar_is_sane(const struct sbpf_scalar *s);
/* zext_32_to_64: the 64-bit view becomes the zero-extended low 32 bits (tnum
 * and bounds), without a sync (call scalar_sync after, as the kernel does). */
void scalar_zext32(struct sbpf_scalar *s);

/* ALU op codes as in the instruction (BPF_ADD = 0x00 ... BPF_END = 0xd0).
 * dst = dst OP src on abstract values, as adjust_scalar_min_max_vals (32-bit
 * ops when !is64, zero-extended and synced; `sdiv` is the v4 signed div/mod).
 * Returns 0, or -1 when the result is not tracked: dst is then fully unknown
 * (all 64 bits, as 6.18.y leaves even a 32-bit op; do not zero-extend it).
 * Not tracked in 6.18.y: DIV and MOD, signed or not (constant-divisor
 * tracking came later), shifts whose amount is not a constant below 32/64,
 * and BPF_END here (use scalar_bswap). BPF_MOV is accepted (a copy; 32-bit:
 * zero-extended and re-synced, as check_alu_op), BPF_NEG ignores src. Shifts
 * by an out-of-range constant are the caller's error ("invalid shift %d"). */
int scalar_alu(struct sbpf_scalar *dst, const struct sbpf_scalar *src, uint8_t op, bool is64, bool sdiv);
/* maybe_fork_scalars (6.18.y): before dst &= K or dst |= K (op BPF_AND/BPF_OR,
 * src's tnum a constant), a dst whose signed range is exactly [-1, 0] (the
 * 64-bit one, else the 32-bit one) is split in two. Returns true with *zero =
 * the 0 case (the caller pushes it as a new state that re-executes this
 * instruction) and dst turned into the -1 case, on which the caller then runs
 * scalar_alu() as usual. Returns false and changes nothing otherwise. */
bool scalar_fork_sign_mask(struct sbpf_scalar *dst, struct sbpf_scalar *zero,
			   const struct sbpf_scalar *src, uint8_t op);
/* dst = (s8|s16|s32) src (movsx), `size` in bytes; is64 picks the 64-bit form. */
void scalar_movsx(struct sbpf_scalar *dst, const struct sbpf_scalar *src, int size, bool is64);
/* dst = bswap/be/le of `bits` (16, 32, 64); `swap` tells whether a swap happens
 * on a little-endian host (be: yes, le: no, bswap: yes). As the kernel's
 * scalar_byte_swap: a swap permutes the tnum's bytes and drops the bounds,
 * 16/32 truncate to that size (also le16/le32, which do not swap), then sync. */
void scalar_bswap(struct sbpf_scalar *dst, int bits, bool swap);
/* Value loaded from memory of `size` bytes, optionally sign-extended (ldsx):
 * unknown within the range of that size. */
void scalar_mark_loaded(struct sbpf_scalar *dst, int size, bool sign_extend);
/* Narrow an existing scalar to its low `size` (1, 2, 4) bytes, zero- or
 * sign-extended: what check_mem_access does to any scalar a narrow load
 * yields (coerce_reg_to_size / coerce_reg_to_size_sx), e.g. reading part of
 * a spilled constant. size 8 leaves s unchanged. */
void scalar_coerce(struct sbpf_scalar *s, int size, bool sign_extend);
/* sync_linked_regs for a register linked with a constant delta
 * (BPF_ADD_CONST, "id=1+5"): s = (the refined register) + delta, then a sync
 * (6.18.y prints the synced tnum: [0,9] + 5 is var_off=(0x0; 0xf)). */
void scalar_add_linked(struct sbpf_scalar *s, int32_t delta);

/* Conditional jumps: op is the JMP op (BPF_JEQ = 0x10 ... BPF_JSLE = 0xd0).
 * is_branch_taken: 1 = always taken, 0 = never taken, -1 = unknown. */
int scalar_branch_taken(const struct sbpf_scalar *dst, const struct sbpf_scalar *src, uint8_t op, bool is64);
/* The same for a register compared with itself ("if r1 > r1"). 6.18.y (the
 * kernel this tracks) has no special case: it is is_branch_taken(r, r), so
 * "r1 >= r1" is only decided when r1 is a constant. (Later kernels decide all
 * ops but JSET here and skip the refinement.) */
int scalar_branch_taken_same(const struct sbpf_scalar *reg, uint8_t op, bool is64);
/* reg_set_min_max for a register against itself, as 6.18.y does it: the
 * refinement runs with both operands aliasing one register (so "r < r" on
 * the false side of "r >= r" narrows r to [umin+1, umax-1]). Returns as
 * scalar_refine(). */
int scalar_refine_same(struct sbpf_scalar *true_reg, struct sbpf_scalar *false_reg,
		       const struct sbpf_scalar *reg, uint8_t op, bool is64);
/* reg_set_min_max: refine both operands for the taken side (true_*) and the
 * fall-through side (false_*); the inputs are copied in first. Returns -1 if a
 * side came out contradictory (bounds out of order / tnum out of sync: the
 * kernel's "REG INVARIANTS VIOLATION"); like 6.18 the offending outputs then
 * have their bounds reset to unbounded (var_off kept), so the caller may go on
 * as the kernel does or prune that side. Cannot happen when
 * scalar_branch_taken() returned -1 for the same operands, except in the
 * corner cases the kernel itself hits. 0 otherwise. */
int scalar_refine(struct sbpf_scalar *true_dst, struct sbpf_scalar *true_src,
		  struct sbpf_scalar *false_dst, struct sbpf_scalar *false_src,
		  const struct sbpf_scalar *dst, const struct sbpf_scalar *src, uint8_t op, bool is64);

/* Is `cur` contained in `old` (range_within + tnum_in), for state pruning. */
bool scalar_within(const struct sbpf_scalar *old, const struct sbpf_scalar *cur);

/* Print in the kernel 6.18 log format, exactly as print_scalar_ranges/
 * verbose_snum do: a constant as decimal ("42", "-5") or hex when large
 * ("0x7a11e"; decimal: unsigned <= 65535, signed in [-32768, 32767]); otherwise
 * "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))" with the
 * kernel's merging of equal fields ("smin=umin=0", "smax=umax=smax32=umax32=100")
 * and omission of default bounds. `id` (linked scalars) prints as "id=N," first
 * when non-zero (not for constants, as the kernel). The precise mark "P" that
 * the kernel prints before a scalar is the caller's. Returns the length
 * (snprintf semantics). */
int scalar_fmt(char *buf, size_t size, const struct sbpf_scalar *s, uint32_t id);
/* The same for a register linked with a constant delta (BPF_ADD_CONST): the
 * id prints as "id=1+5" / "id=1-20" (the kernel's "%+d", also "+0"). */
int scalar_fmt_linked(char *buf, size_t size, const struct sbpf_scalar *s, uint32_t id, int32_t delta);

#endif
