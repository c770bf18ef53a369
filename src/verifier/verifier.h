/* verifier.h - internals of the verifier shared by its files: the abstract
 * state (registers, stack slots, stack-argument slots, frames), the
 * environment of one verification, and the functions each file provides.
 *
 * The model follows Linux's bpf_verifier.h: a register is NOT_INIT, a scalar
 * (struct sbpf_scalar, scalar.h) or a pointer with a fixed offset `off` plus a
 * variable part kept in the same sbpf_scalar; a frame holds r0..r10, 512 bytes
 * of stack tracked per 8-byte slot (a spilled register or one type per byte),
 * the outgoing stack-argument slots (stack_arg_regs, args 6..12) and the
 * no_stack_arg_load flag (stack-args.md §3.1). A verifier state is the chain
 * of frames of one path.
 *
 * Pointer kinds as Linux: ctx, stack, mem, map pointer / value / key, packet
 * (meta, data, end) and callback functions, with Linux's type flags. */
#ifndef SBPF_VERIFIER_H
#define SBPF_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/opcodes.h"
#include "stackbpf/stackbpf.h"
#include "verifier/scalar.h"

/* ------------------------------------------------------------ registers */

enum sbpf_reg_type {
	NOT_INIT = 0,
	SCALAR_VALUE,
	PTR_TO_CTX,        /* the program's context (ctx.c: fields per program type) */
	PTR_TO_STACK,      /* a frame's stack: frameno + off */
	PTR_TO_MEM,        /* mem_size bytes: the raw program's input, host memory, ringbuf samples */
	CONST_PTR_TO_MAP,  /* map_ptr: ld_imm64 src 1 */
	PTR_TO_MAP_VALUE,  /* map_ptr's value (value_size bytes): lookups, ld_imm64 src 2 */
	PTR_TO_MAP_KEY,    /* map_ptr's key (callbacks) */
	PTR_TO_PACKET_META,/* xdp data_meta; range as PTR_TO_PACKET */
	PTR_TO_PACKET,     /* packet data: `range` bytes proven below data_end */
	PTR_TO_PACKET_END, /* data_end: only for comparisons */
	PTR_TO_FUNC,       /* ld_imm64 src 4: a callback subprogram (subprogno) */
	SBPF_NREG_TYPES,
};
/* flags or-ed into the type, as Linux's type flags */
enum {
	PTR_MAYBE_NULL = 1 << 8,
	MEM_RDONLY = 1 << 9,       /* read-only memory (.rodata, ...) */
	MEM_RINGBUF = 1 << 10,     /* a ringbuf sample (ringbuf_mem) */
};
#define BASE_TYPE(t) ((t) & 0xff)
/* flag or-ed into a scalar's id: linked with a constant delta, kept in `off`
 * (Linux's BPF_ADD_CONST: after r8 = r7; r8 += 5, r8 is "id=1+5") */
#define SBPF_ADD_CONST64 (1u << 31)
#define SBPF_ADD_CONST32 (1u << 30)        /* w8 += K: the delta is on the low half */
#define SBPF_ADD_CONST (SBPF_ADD_CONST64 | SBPF_ADD_CONST32)

/* reg flags */
enum {
	REG_F_INPUT = 1 << 0,   /* PTR_TO_MEM: the raw program's input (accepted as ctx) */
};

struct sbpf_reg {
	uint16_t type;          /* enum sbpf_reg_type | PTR_MAYBE_NULL */
	uint8_t frameno;        /* PTR_TO_STACK: whose stack */
	uint8_t flags;          /* REG_F_* */
	int32_t off;            /* pointers: fixed offset; linked scalars: delta */
	uint32_t id;            /* maybe-null pointers: null-check group; scalars: link */
	uint32_t ref_obj_id;    /* reference tracking: the acquired object this points into */
	uint32_t mem_size;      /* PTR_TO_MEM; PTR_TO_PACKET*: range; PTR_TO_FUNC: subprogno */
	const struct stackbpf_map *map_ptr;  /* CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE/KEY */
	bool precise;           /* precision tracking (later) */
	struct sbpf_scalar s;   /* scalar value, or a pointer's variable offset */
};

/* ----------------------------------------------------------------- stack */

enum sbpf_slot_type { STACK_INVALID = 0, STACK_SPILL, STACK_MISC, STACK_ZERO };

/* One 8-byte slot: types[k] describes the byte at fp - 8*(spi+1) + 7 - k,
 * i.e. index 0 is the highest address, as Linux's slot_type[]. */
struct sbpf_stack_slot {
	struct sbpf_reg spilled;
	uint8_t types[8];
};

enum { SBPF_MAX_SLOTS = SBPF_STACK_SIZE / 8 };

struct sbpf_func_state {
	struct sbpf_reg regs[SBPF_NREGS];
	struct sbpf_reg stack_arg_regs[SBPF_MAX_STACK_ARGS];  /* outgoing args 6..12 */
	bool no_stack_arg_load;
	uint8_t frameno;
	int32_t callsite;       /* insn of the call that created the frame, -1 main */
	uint32_t subprogno;
	uint32_t depth;         /* deepest stack byte this frame touched (bytes) */
	uint32_t nslots;        /* allocated slots */
	struct sbpf_stack_slot *stack;   /* nslots entries; slot i = fp-8(i+1) */
};

struct sbpf_explored;

struct sbpf_vstate {
	struct sbpf_func_state *frame[SBPF_MAX_CALL_FRAMES];
	uint32_t curframe;
	uint32_t may_goto_depth;
	struct sbpf_explored *parent;   /* the last checkpoint on this path */
};

/* A checkpoint kept at a prune point. */
struct sbpf_explored {
	struct sbpf_explored *next;     /* same insn */
	struct sbpf_explored *all;      /* every checkpoint, for freeing */
	struct sbpf_explored *parent;
	uint32_t branches;              /* live paths still descending from it */
	uint32_t hit_cnt, miss_cnt;     /* for evicting useless checkpoints */
	bool evicted;                   /* unlinked from its insn's list, st freed */
	struct sbpf_vstate st;
};

/* ------------------------------------------------------------- program */

struct sbpf_subprog {
	uint32_t start, end;            /* [start, end) */
	uint32_t in_args;               /* incoming stack args (extended: highest r11 load) */
	uint32_t out_need;              /* largest outgoing count a call from it needs */
	uint32_t max_out;               /* highest outgoing slot written */
	uint32_t stack_depth;           /* deepest stack access (bytes) */
	bool uses_stack_args;
};

/* pending branch */
struct sbpf_pending {
	struct sbpf_vstate st;
	uint32_t insn, prev;
	size_t log_pos;
};

struct sbpf_env {
	const struct stackbpf_prog *prog;   /* map table (stackbpf_prog__map), BTF funcs */
	enum stackbpf_prog_type prog_type;
	const struct stackbpf_insn *insns;
	size_t cnt;
	const struct stackbpf_host *host;
	bool strict;
	uint32_t mem_size;
	int log_level;                  /* bitmask: 1, 2, 4 (stats) */

	int16_t *forms;                 /* decoded form per slot (-1: 2nd ld_imm64 slot) */
	uint8_t *prune;                 /* per insn: 1 prune point, 2 force checkpoint */
	struct sbpf_subprog *subprogs;
	uint32_t nsubprogs;
	uint32_t *insn_subprog;         /* subprog of each insn */
	uint16_t *live_in;              /* registers live before each insn (bit per reg) */

	struct sbpf_vstate cur;
	uint32_t insn_idx, prev_insn_idx;
	int64_t next_insn;              /* set by a jump, call or return; -1: fall through */
	bool print_from;                /* level 2: print "from X to Y:" before the next insn */
	bool print_from_pop;            /* ... after a pop: the whole state twice, as Linux */
	uint32_t id_gen;
	struct sbpf_pending *stack;     /* worklist of pending branches */
	size_t nstack, capstack;
	struct sbpf_explored **explored;/* per insn */
	struct sbpf_explored *all_explored;
	uint32_t *states_per_insn;

	/* statistics */
	uint64_t insn_processed, prev_insn_processed;
	uint64_t jmps_processed, prev_jmps_processed;
	uint32_t total_states, cur_states, peak_states, max_states_per_insn;
	bool uses_stack_args;           /* any r11 access or host call with > 5 args */

	/* log (log.c) */
	char *log;
	size_t log_len, log_cap;
	size_t prev_log_pos, prev_insn_print_pos;
	uint32_t scratched_regs;        /* bit per register of the current frame */
	uint64_t scratched_slots;       /* bit per stack slot of the current frame */
	bool oom;
};

#define cur_frame(env) ((env)->cur.frame[(env)->cur.curframe])

/* ------------------------------------------------------------ state.c */

void reg_mark_not_init(struct sbpf_reg *r);
void reg_mark_unknown(struct sbpf_reg *r);
void reg_mark_known(struct sbpf_reg *r, uint64_t v);
bool reg_is_const(const struct sbpf_reg *r);      /* known scalar */
bool reg_is_ptr(const struct sbpf_reg *r);
struct sbpf_func_state *func_new(uint8_t frameno, int32_t callsite, uint32_t subprogno);
void func_free(struct sbpf_func_state *f);
int func_grow_stack(struct sbpf_func_state *f, uint32_t nslots);   /* 0 / -ENOMEM */
int vstate_copy(struct sbpf_vstate *dst, const struct sbpf_vstate *src);
void vstate_free(struct sbpf_vstate *st);

/* -------------------------------------------------------------- log.c */

bool log_on(const struct sbpf_env *env, int level_bit);
void vlog(struct sbpf_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the error: printed at any level >= 1; returns err */
int verr(struct sbpf_env *env, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *reg_type_str(uint16_t type);
void log_reg(struct sbpf_env *env, const struct sbpf_func_state *f, const struct sbpf_reg *r);
void log_state(struct sbpf_env *env, const struct sbpf_func_state *f, bool print_all);
void log_insn(struct sbpf_env *env, uint32_t idx);
void log_insn_state(struct sbpf_env *env);    /* annotation or "N:" state line */
void mark_reg_scratched(struct sbpf_env *env, int regno);
void mark_slot_scratched(struct sbpf_env *env, int spi);
void mark_all_scratched(struct sbpf_env *env);
void log_reset(struct sbpf_env *env, size_t pos);
/* name of argument i (0-based) of a call: "R3" or "*(R11-8)" */
void arg_name(char *buf, size_t size, int i);

/* -------------------------------------------------------------- cfg.c */

/* subprograms, reachability, prune points, incoming stack-arg counts */
int check_cfg(struct sbpf_env *env);

/* --------------------------------------------------------- check_alu.c */

int check_alu(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f);
int check_reg_read(struct sbpf_env *env, int regno);    /* "R%d !read_ok" */
/* bits the scalar's unsigned maximum needs (Linux's get_reg_width) */
int reg_width(const struct sbpf_reg *r);
/* before rX = rY, a spill or a fill: give an unknown scalar an id so the
 * copies are linked (and drop a "+delta" link: it does not chain) */
void assign_scalar_id_before_mov(struct sbpf_env *env, struct sbpf_reg *r);
void reg_clear_scalar_id(struct sbpf_reg *r);

/* --------------------------------------------------------- check_mem.c */

enum { ACC_READ, ACC_WRITE };
/* load/store through register `regno` + off; value_regno is the register
 * loaded into (ACC_READ) or stored (ACC_WRITE), or -1 for an immediate store
 * (imm in *imm_val). */
int check_mem_access(struct sbpf_env *env, int regno, int32_t off, int size, int acc,
		     int value_regno, const int64_t *imm_val, bool sign_extend);
int check_ldx_st(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f);
/* a memory range [ptr, ptr + size) passed to a host function */
int check_mem_range(struct sbpf_env *env, const struct sbpf_reg *ptr, const char *name,
		    const struct sbpf_reg *size_reg, const char *size_name, bool write);

/* ------------------------------------------------------------ calls.c */

int check_call(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f);
/* exit from a subprogram; *done = 1 when the path ended (exit of main) */
int check_exit(struct sbpf_env *env, int *done);

/* ------------------------------------------------------- stack_args.c */

int check_stack_arg_load(struct sbpf_env *env, const struct stackbpf_insn *in);
int check_stack_arg_store(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f);
/* args 6..nargs present in the caller's slots (R5) */
int check_outgoing_stack_args(struct sbpf_env *env, uint32_t nargs);
void invalidate_outgoing_stack_args(struct sbpf_func_state *f);
/* the register state of call argument i (0-based) in the current frame */
const struct sbpf_reg *call_arg_reg(struct sbpf_env *env, int i);
/* after the walk: R11 (over-written slots) and, strict, R13 */
int check_stack_args_final(struct sbpf_env *env);

/* ------------------------------------------------------------ prune.c */

/* 1: the current state is covered by an explored one (path ends);
 * 0: continue; <0: error (infinite loop, ENOMEM) */
int is_state_visited(struct sbpf_env *env, uint32_t insn_idx);
void update_branch_counts(struct sbpf_env *env, struct sbpf_explored *e);
void free_explored(struct sbpf_env *env);

/* -------------------------------------------------------- verifier.c */

int push_stack(struct sbpf_env *env, uint32_t insn, uint32_t prev, const struct sbpf_vstate *st);
/* combined stack of the current frames (dynamic check) */
int check_combined_stack(struct sbpf_env *env);

#endif
