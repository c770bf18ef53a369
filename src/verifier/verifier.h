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
	/* PTR_TO_MEM: size; PTR_TO_PACKET/_META: range as an int32 (pkt.c:
	 * bytes known below data_end, -1/-2 at/beyond it); PTR_TO_FUNC: subprogno */
	uint32_t mem_size;
	bool precise;           /* precision tracking (backtrack.c) */
	const struct stackbpf_map *map_ptr;  /* CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE/KEY */
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
	bool in_callback_fn;    /* calls.c: a bpf_loop callback frame (r0 in [0, 1] at exit) */
	uint32_t callback_depth;/* calls.c: callback iterations verified from this frame */
	uint8_t frameno;
	int32_t callsite;       /* insn of the call that created the frame, -1 main */
	uint32_t subprogno;
	uint32_t depth;         /* deepest stack byte this frame touched (bytes) */
	uint32_t nslots;        /* allocated slots */
	struct sbpf_stack_slot *stack;   /* nslots entries; slot i = fp-8(i+1) */
};

struct sbpf_explored;

/* a reference held by a path (refs.c): acquired at insn_idx */
enum { SBPF_MAX_REFS = 64 };
struct sbpf_ref {
	uint32_t id, insn_idx;
};

/* ---------------------------------------- precision and jump history
 * (backtrack.c, prune.c, live_stack.c; Linux's jmp_history, backtrack_state,
 * SCC visits and stack liveness) */

/* one jump-history entry: insn idx was reached from prev_idx; flags say
 * which stack slot (or stack-argument slot) it spilled or filled */
struct sbpf_hist {
	uint32_t idx, prev_idx;
	uint32_t flags;                 /* HIST_F_* | spi << 3 | frameno */
	uint64_t linked;                /* linked scalars at a branch (packed) */
};
enum {
	HIST_F_FRAMENO = 7, HIST_F_SPI_SHIFT = 3, HIST_F_SPI_MASK = 63,
	HIST_F_STACK = 1u << 9,         /* spill / fill of stack slot spi of frameno */
	HIST_F_STACK_ARG = 1u << 10,    /* r11 load (caller's slot) / store (own slot) */
};

struct sbpf_vstate;
/* per state: its history since the previous checkpoint, and the insns that
 * bound it (Linux's first_insn_idx / last_insn_idx / insn_idx) */
struct sbpf_vprec {
	struct sbpf_hist *hist;
	uint32_t hist_cnt, hist_cap;
	int32_t insn_idx, first_insn_idx, last_insn_idx;
	bool cleaned;                   /* dead registers and slots cleared */
	uint32_t dfs_depth;             /* checkpoints before it on its path */
	const struct sbpf_vstate *equal_state;   /* a backedge: the state it matched */
};

/* registers / stack slots / stack-argument slots still to mark, per frame */
struct sbpf_bt {
	uint32_t frame;
	uint32_t reg[SBPF_MAX_CALL_FRAMES];
	uint64_t stack[SBPF_MAX_CALL_FRAMES];
	uint8_t sarg[SBPF_MAX_CALL_FRAMES];
};

struct sbpf_scc_visit;
struct sbpf_live;
struct sbpf_prec_env {
	struct sbpf_bt bt;
	int32_t cur_hist;               /* history entry of the current insn, -1 none */
	uint8_t *jmp_point;             /* per insn: reached by a jump, call or return */
	/* per insn: the registers backtrack_insn acts on when the insn has no
	 * history entry (BT_SLOW: calls, exits, callbacks always), so that
	 * mark_chain steps over the others without decoding them */
	uint16_t *bt_touch;
	uint32_t *scc;                  /* per insn: its strongly connected component, 0 none */
	struct sbpf_scc_visit *visits;
	uint32_t num_backedges;
	uint32_t free_list_size;        /* evicted checkpoints not freed yet */
	struct sbpf_live *live;         /* stack-slot liveness (live_stack.c) */
	struct sbpf_arena *arena;       /* checkpoints' memory (state.c), freed at the end */
	uint32_t tmp_id_gen;            /* states_equal: ids for unlinked scalars */
	uint32_t loop_hint;             /* prune.c: the register states_maybe_looping checks first */
	/* the last complete walk from the current state (mark_chain, without a
	 * log): where it started and with which masks; a later walk that gets
	 * there with no more to mark can stop (it would mark nothing new) */
	struct {
		const struct sbpf_explored *parent;
		int32_t first, last;
		uint32_t cnt, frame;
		struct sbpf_bt bt;
		bool valid;
	} memo;
	/* the current insn's stack access, for its history entry after it ran */
	int pend_kind, pend_frame, pend_spi, pend_byte;
	uint32_t frame_before;          /* curframe before the insn (returns) */
};

struct sbpf_vstate {
	struct sbpf_func_state *frame[SBPF_MAX_CALL_FRAMES];
	uint32_t curframe;
	uint32_t may_goto_depth;
	uint32_t callback_unroll_depth; /* calls.c: bpf_loop callback visits on this path (Linux's) */
	struct sbpf_explored *parent;   /* the last checkpoint on this path */
	uint32_t nrefs;                 /* refs.c: acquired references, as Linux's state->refs */
	struct sbpf_ref refs[SBPF_MAX_REFS];
	struct sbpf_vprec prec;         /* precision: history, bounds (backtrack.c) */
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
	/* calls: BTF prototype (cfg.c), global (verified on its own), callback,
	 * holds a bpf_tail_call, on a call chain to a tail call (R12) */
	int nparams;                    /* -1: no BTF */
	const char *name;
	bool global, is_cb, has_tail_call, tail_call_reachable, called, verified, safe;
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
	uint8_t *prune;                 /* per insn: 1 prune point, 2 force checkpoint, 4 calls a callback (bpf_loop) */
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
	bool strict_alignment;          /* BPF_F_STRICT_ALIGNMENT and not any_alignment (check_mem.c) */

	/* source lines for the log (log.c: log_linfo); the last one printed */
	const struct stackbpf_line *lines;
	size_t line_cnt;
	const struct stackbpf_line *prev_linfo;

	struct sbpf_prec_env prec;      /* precision tracking (backtrack.c) */
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
/* checkpoints: memory from the verification's arena (chunks of up to
 * 2 MiB, huge pages where the kernel gives them), released by arena_free */
void *arena_alloc(struct sbpf_env *env, size_t size);
int vstate_copy_arena(struct sbpf_env *env, struct sbpf_vstate *dst, const struct sbpf_vstate *src);
void arena_free(struct sbpf_env *env);
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
void log_linfo(struct sbpf_env *env, uint32_t idx); /* "; <source> @ file.c:N" */
void mark_reg_scratched(struct sbpf_env *env, int regno);
void mark_slot_scratched(struct sbpf_env *env, int spi);
void mark_all_scratched(struct sbpf_env *env);
void log_reset(struct sbpf_env *env, size_t pos);
/* "At <where> the register R0 has smin=.. smax=.. should have been in [lo, hi]" */
void log_r0_range(struct sbpf_env *env, const char *where, const struct sbpf_reg *r0, int lo, int hi);
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
/* before the walk, as Linux's resolve_pseudo_ldimm64: every ld_imm64 of a
 * map value (src 2/6) names a one-element array and an offset inside it */
int check_map_values_early(struct sbpf_env *env);
/* a memory range [ptr, ptr + size) passed to a host function */
int check_mem_range(struct sbpf_env *env, const struct sbpf_reg *ptr, const char *name,
		    const struct sbpf_reg *size_reg, const char *size_name, bool write);

/* -------------------------------------------------------------- ctx.c */

/* BPF_F_WRONLY_PROG: the program may not read the map's values */
enum { SBPF_F_WRONLY_PROG = 1u << 8 };
/* a program type whose context the verifier models (raw included) */
bool ctx_prog_type_supported(enum stackbpf_prog_type t);
/* Linux's may_access_direct_pkt_data (no helper): tc, xdp read+write, cgroup_skb read */
bool ctx_may_access_pkt(const struct sbpf_env *env, bool write);
/* a load/store of [off, off + size) of the context through regno (reg: its
 * state, off includes reg->off); *loaded receives what a load gives */
int check_ctx_access(struct sbpf_env *env, int regno, const struct sbpf_reg *reg, int off, int size, int acc,
		     bool ldsx, struct sbpf_reg *loaded);
/* main's initial r1 (and raw's r2) */
void ctx_init_regs(struct sbpf_env *env, struct sbpf_func_state *f);
/* r0 at the exit of main, per program type (Linux's check_return_code) */
int check_return_code(struct sbpf_env *env, const struct sbpf_reg *r0);

/* -------------------------------------------------------------- pkt.c */

/* a conditional jump comparing packet pointers (Linux's
 * try_match_pkt_pointers): refines `fall` (fall-through) and `taken`;
 * false when d/s are not such a pair */
bool pkt_cond_jmp(struct sbpf_env *env, const struct stackbpf_insn *in, struct sbpf_vstate *fall,
		  struct sbpf_vstate *taken);
/* regsafe for packet ranges: at least the old range; AT/BEYOND_PKT_END
 * (negative) only match themselves */
bool pkt_range_safe(const struct sbpf_reg *old, const struct sbpf_reg *cur);
/* Linux's is_pkt_ptr_branch_taken: 1 taken, 0 not, -1 unknown */
int pkt_branch_taken(const struct sbpf_reg *d, const struct sbpf_reg *s, uint8_t op);
/* a pointer compared with 0 (Linux's is_branch_taken for pointers): decided
 * for pointers that cannot be NULL; *null_check when d may be NULL and the
 * jump is "if rX ==/!= 0" (64-bit, immediate) */
int ptr_branch_taken(const struct sbpf_reg *d, const struct sbpf_reg *s, uint8_t op, bool is64, bool is_x,
		     bool *null_check);
/* "if rA ==/!= rB" with one maybe-null and one non-null pointer: the
 * maybe-null one is not NULL where they are equal */
void ptr_cmp_nullness(const struct stackbpf_insn *in, struct sbpf_vstate *fall, struct sbpf_vstate *taken);

/* ------------------------------------------------------------ calls.c */

/* subprogs.c: after main, set up the walk of the next called global
 * subprogram (frame 0, parameters unknown scalars); 1: set up, 0: none
 * left, <0 error */
int start_global_subprog(struct sbpf_env *env);
/* subprogs.c: after the walk, Linux's check_max_stack_depth (frames and
 * combined stack over the static call graph, tail-call reachability) */
int check_max_stack_depth(struct sbpf_env *env);
/* ld_imm64 src 4: a PTR_TO_FUNC to the subprogram at insn+imm+1 */
int check_ld_func(struct sbpf_env *env, const struct stackbpf_insn *in);
/* refs.c: the null side of a check of an acquired pointer drops its reference */
void release_reference_nomark(struct sbpf_vstate *st, uint32_t id);
/* refs.c: prune.c's refsafe: same references (ids through the state's idmap) */
bool refs_equal(const struct sbpf_vstate *o, const struct sbpf_vstate *c);

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

/* At a prune point (is_state_visited, below): 1: the current state is
 * covered by an explored one (path ends); 0: continue; <0: error (infinite
 * loop, ENOMEM) */
int prune_point_visited(struct sbpf_env *env, uint32_t insn_idx);
void update_branch_counts(struct sbpf_env *env, struct sbpf_explored *e);
/* may_goto: the queued loop body forgets imprecise scalars that changed
 * since the previous iteration's checkpoint (Linux's widen_imprecise_scalars) */
void may_goto_widen(struct sbpf_env *env, struct sbpf_vstate *queued, uint32_t idx);
int scc_init(struct sbpf_env *env);         /* strongly connected components */
void scc_free(struct sbpf_env *env);
void free_explored(struct sbpf_env *env);

/* ---------------------------------------------------------- backtrack.c */

int prec_init(struct sbpf_env *env);                /* after check_cfg */
void prec_free(struct sbpf_env *env);
/* the main walk: at the top of each insn (before pruning), after its log
 * line (before it runs: precision of ALU operands, stack fills), after it ran */
void prec_insn_start(struct sbpf_env *env, uint32_t idx);
int prec_before_insn(struct sbpf_env *env);
int prec_after_insn(struct sbpf_env *env);
/* the path ended (exit or pruned), before the next pending state is popped */
int prec_path_end(struct sbpf_env *env);
/* Linux's mark_chain_precision: regno of the current frame must be precise */
int mark_chain_precision(struct sbpf_env *env, int regno);
/* the same for the current frame's outgoing stack-argument slot spi */
int mark_stack_arg_precision(struct sbpf_env *env, int spi);
/* the same for stack slot spi of frame frameno (vcalls: constant map keys) */
int mark_stack_slot_precision(struct sbpf_env *env, int frameno, int spi);
/* Linux's push_jmp_history for the current insn */
int push_jmp_history(struct sbpf_env *env, struct sbpf_vstate *st, uint32_t flags, uint64_t linked);

/* Linux's is_state_visited, at every insn: most are no prune point and only
 * record a jump into the history (inline: the walk asks at every insn) */
static inline int is_state_visited(struct sbpf_env *env, uint32_t idx)
{
	if (env->prune[idx])
		return prune_point_visited(env, idx);
	return env->prec.jmp_point[idx] ? push_jmp_history(env, &env->cur, 0, 0) : 0;
}
/* a conditional jump both ways: record the scalars linked with dst/src */
int prec_push_linked(struct sbpf_env *env, const struct sbpf_reg *dst, const struct sbpf_reg *src);
/* precision of the scalars precise in old, onto cur's checkpoints */
int propagate_precision(struct sbpf_env *env, const struct sbpf_vstate *old, struct sbpf_vstate *cur,
			bool *changed);
void mark_all_scalars_imprecise(struct sbpf_vstate *st);
void mark_all_scalars_precise(struct sbpf_env *env, struct sbpf_vstate *st);

/* --------------------------------------------------------- live_stack.c */

/* successors of insn idx inside its subprogram (calls fall through) */
int insn_successors(const struct sbpf_env *env, uint32_t idx, uint32_t s[2]);
int live_stack_init(struct sbpf_env *env);
void live_stack_free(struct sbpf_env *env);
void live_stack_insn_start(struct sbpf_env *env);
int live_stack_read(struct sbpf_env *env, int frame, int boff, int size);
void live_stack_write(struct sbpf_env *env, int frame, int boff, int size);
int live_stack_mark_access(struct sbpf_env *env, int regno, int16_t off, int size, bool read, bool write);
int live_stack_call(struct sbpf_env *env, bool local);
int live_stack_commit(struct sbpf_env *env);
int live_stack_update(struct sbpf_env *env);
/* queries for one state: live_stack_query first, then live_stack_alive */
int live_stack_query(struct sbpf_env *env, const struct sbpf_vstate *st);
bool live_stack_alive(struct sbpf_env *env, uint32_t frameno, uint32_t spi);

/* -------------------------------------------------------- verifier.c */

int push_stack(struct sbpf_env *env, uint32_t insn, uint32_t prev, const struct sbpf_vstate *st);
/* combined stack of the current frames (dynamic check) */
int check_combined_stack(struct sbpf_env *env);

#endif
