/* stackbpf.h - public API of libstackbpf, a userspace eBPF toolchain and runtime
 * with the r11 stack-argument calling convention (up to 12 arguments).
 *
 * Conventions (as libbpf): objects are opaque, functions are named
 * stackbpf_<object>__<verb>, options travel in structs whose first field `sz`
 * is the caller's sizeof (use STACKBPF_OPTS to declare one), and functions
 * return 0 or a positive count on success and a negative errno on failure.
 * There is no global mutable state: every object is independent and errors are
 * reported through the object that failed (…__errmsg) or a log callback. */
#ifndef STACKBPF_H
#define STACKBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ basics */

/* One BPF instruction, bit-identical to the kernel's struct bpf_insn. */
struct stackbpf_insn {
	uint8_t code;
	uint8_t dst : 4;
	uint8_t src : 4;
	int16_t off;
	int32_t imm;
};

/* Declare and zero an opts struct with its size filled in. */
#define STACKBPF_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

/* Log/error callback: level 0 = error, 1 = warning, 2 = info, 3 = debug.
 * `msg` is one line without the trailing newline. */
typedef void (*stackbpf_log_fn)(void *ctx, int level, const char *msg);

/* ------------------------------------------------------- host functions
 *
 * The embedding application registers C functions that BPF code calls: by name
 * (kfunc-style `call NAME`, src_reg 2, imm = the function's id in the registry)
 * or by kernel helper id (`call N`, src_reg 0). A host function takes 0..12
 * u64 arguments and returns u64; arguments 6..12 come from the caller's r11
 * stack-argument slots, and the call follows the SysV x86-64 ABI, so any C
 * function of that shape works unchanged. */

enum stackbpf_arg_type {
	STACKBPF_ARG_SCALAR = 0,     /* any number */
	STACKBPF_ARG_ANYTHING,       /* any initialised value, pointer or not */
	STACKBPF_ARG_PTR_TO_MEM,     /* readable memory; size in the next MEM_SIZE arg */
	STACKBPF_ARG_PTR_TO_MEM_RW,  /* writable memory; size in the next MEM_SIZE arg */
	STACKBPF_ARG_MEM_SIZE,       /* byte size of the preceding pointer argument */
	STACKBPF_ARG_CTX,            /* the program's context pointer */
	STACKBPF_ARG_CONST,          /* a known constant (kfunc __k) */
};

enum stackbpf_ret_type {
	STACKBPF_RET_SCALAR = 0,
	STACKBPF_RET_VOID,
	STACKBPF_RET_MEM_OR_NULL,    /* pointer to ret_size bytes, or NULL */
};

enum stackbpf_fn_flags {
	/* bpf_conformance "unwind": when the function returns 0 the program
	 * ends at once with r0 = 0 */
	STACKBPF_FN_UNWIND_ON_ZERO = 1u << 0,
	/* the function receives desc->ctx as an extra FIRST C argument, before
	 * the program's arguments (at most 11 of them then) */
	STACKBPF_FN_PASS_CTX = 1u << 1,
	/* the registry free()s desc->ctx when the host is freed */
	STACKBPF_FN_OWN_CTX = 1u << 2,
};

struct stackbpf_fn_desc {
	size_t sz;
	const char *name;            /* required; unique in the registry */
	void *fn;                    /* uint64_t fn(uint64_t a1, ..., uint64_t aN) */
	unsigned nargs;              /* 0..12 */
	uint8_t arg_types[12];       /* enum stackbpf_arg_type per argument */
	uint8_t ret_type;            /* enum stackbpf_ret_type */
	uint32_t ret_size;           /* for STACKBPF_RET_MEM_OR_NULL */
	uint32_t flags;              /* enum stackbpf_fn_flags */
	void *ctx;                   /* for STACKBPF_FN_PASS_CTX */
};

struct stackbpf_host;

struct stackbpf_host *stackbpf_host__new(void);
void stackbpf_host__free(struct stackbpf_host *host);
/* Register a host function by name; returns its registry id (>= 1, the imm of
 * a kfunc-style call) or -EINVAL / -EEXIST / -ENOMEM / -E2BIG. */
int stackbpf_host__register(struct stackbpf_host *host, const struct stackbpf_fn_desc *desc);
/* Register a function under a kernel-style helper id (`call ID`, at most 5 args). */
int stackbpf_host__register_helper(struct stackbpf_host *host, int32_t helper_id,
				   const struct stackbpf_fn_desc *desc);
/* Look-ups: registry id by name (-ENOENT if absent); description by id (NULL). */
int stackbpf_host__find(const struct stackbpf_host *host, const char *name);
const struct stackbpf_fn_desc *stackbpf_host__fn(const struct stackbpf_host *host, int id);
const struct stackbpf_fn_desc *stackbpf_host__helper(const struct stackbpf_host *host, int32_t helper_id);
/* The documented example set used by the CLI, tests and docs:
 * sum_args0..sum_args12 (sum of i*a_i, i = 1..N) and mem_sum. */
int stackbpf_host__add_examples(struct stackbpf_host *host);
/* uBPF's conformance helpers by id: 0 gather_bytes, 1 memfrob, 2 no_op,
 * 3 sqrti, 4 strcmp_ext, 5 unwind (unwind on zero). */
int stackbpf_host__add_conformance_helpers(struct stackbpf_host *host);

/* ------------------------------------------------------------- programs */

struct stackbpf_prog;

/* Copies `cnt` instructions. Structure is not checked here (see __validate). */
struct stackbpf_prog *stackbpf_prog__from_insns(const struct stackbpf_insn *insns, size_t cnt);
/* A copy with the same instructions, map table and functions (NULL: ENOMEM). */
struct stackbpf_prog *stackbpf_prog__clone(const struct stackbpf_prog *prog);
void stackbpf_prog__free(struct stackbpf_prog *prog);
const struct stackbpf_insn *stackbpf_prog__insns(const struct stackbpf_prog *prog);
size_t stackbpf_prog__insn_cnt(const struct stackbpf_prog *prog);

struct stackbpf_map;
struct stackbpf_func;

/* What a program refers to besides its bytes, as Linux's fd_array and BTF
 * func_info: the maps its ld_imm64 instructions name (src 1 / 5: imm = index
 * into `maps`, a CONST_PTR_TO_MAP; src 2 / 6: imm = index, the second imm an
 * offset into the map's value, as for global data), and the functions with
 * their BTF prototypes (the verifier's argument counts). Both arrays are
 * copied; the maps and the names in `funcs` are borrowed and must outlive the
 * prog. The vm resolves map references when it is created. 0 or -ENOMEM. */
int stackbpf_prog__set_maps(struct stackbpf_prog *prog, struct stackbpf_map *const *maps, size_t cnt);
size_t stackbpf_prog__map_cnt(const struct stackbpf_prog *prog);
struct stackbpf_map *stackbpf_prog__map(const struct stackbpf_prog *prog, size_t i);
int stackbpf_prog__set_funcs(struct stackbpf_prog *prog, const struct stackbpf_func *funcs, size_t cnt);
size_t stackbpf_prog__func_cnt(const struct stackbpf_prog *prog);
const struct stackbpf_func *stackbpf_prog__func(const struct stackbpf_prog *prog, size_t i);

/* Structural validation: known opcodes, zero reserved fields, jump and call
 * targets inside the program and not into the middle of an ld_imm64, the three
 * r11 forms only, known helpers/host functions when `host` is given.
 * Returns 0 or -EINVAL, with "insn N: message" in *errmsg (static or owned by
 * the prog; valid until the next call on it). */
struct stackbpf_validate_opts {
	size_t sz;
	const struct stackbpf_host *host;  /* NULL: do not check call targets */
	unsigned cpu;                      /* 0 = any (v4); else reject newer forms */
	/* ld_imm64 map references may name maps 0..map_cnt-1 (prog__validate:
	 * at least the prog's own map table) */
	size_t map_cnt;
};
int stackbpf_prog__validate(struct stackbpf_prog *prog, const struct stackbpf_validate_opts *opts,
			    const char **errmsg);

/* ------------------------------------------------------------ assembler */

enum stackbpf_syntax {
	STACKBPF_SYNTAX_AUTO = 0,
	STACKBPF_SYNTAX_LLVM,        /* llvm-objdump / inline asm */
	STACKBPF_SYNTAX_KERNEL,      /* bpftool / verifier log */
	STACKBPF_SYNTAX_CONFORMANCE, /* bpf_conformance / uBPF */
};

struct stackbpf_asm_opts {
	size_t sz;
	enum stackbpf_syntax syntax;
	const char *filename;                 /* for messages; default "<input>" */
	const struct stackbpf_host *host;     /* resolves `call NAME` to host functions */
	stackbpf_log_fn log;                  /* receives "file:line:col: message" */
	void *log_ctx;
};

/* Assemble `len` bytes of text. On success *insns (malloc'ed) and *cnt are set
 * and 0 is returned; on error -EINVAL and the first error went to opts->log. */
int stackbpf_asm__text(const char *text, size_t len, const struct stackbpf_asm_opts *opts,
		       struct stackbpf_insn **insns, size_t *cnt);

/* Assemble `len` bytes of text into a relocatable BPF ELF object at out_path
 * (ET_REL, EM_BPF, little-endian), as clang would build it from C:
 *   .section NAME        following code goes to program section NAME (xdp,
 *                        socket, tc, kprobe/...); .text for static subprograms
 *   .func NAME(a, b, c)  NAME is a function with these parameters (all u64):
 *                        a BTF FUNC + FUNC_PROTO; `.func NAME()` for none
 *   .license "GPL"       the license section
 * Each function label (declared by .func, a call target, or the first label
 * of a section) gets an STT_FUNC symbol: global in program sections, local
 * in .text. Calls across sections get R_BPF_64_32 relocations; calls to host
 * functions (opts->host) become __ksym externs: an undefined global symbol,
 * a BTF FUNC with extern linkage in DATASEC .ksyms, and the relocation.
 * Returns 0, -EINVAL after logging "file:line:col: message", or -errno. */
int stackbpf_asm__elf(const char *text, size_t len, const struct stackbpf_asm_opts *opts, const char *out_path);

struct stackbpf_disasm_opts {
	size_t sz;
	enum stackbpf_syntax syntax;          /* LLVM or KERNEL (default) or CONFORMANCE */
	const struct stackbpf_host *host;     /* names host-function calls */
};
/* Format instruction `idx` of `insns` (may read idx+1 for ld_imm64) into buf;
 * returns the number of slots it used (1 or 2) or a negative errno. */
int stackbpf_disasm__insn(const struct stackbpf_insn *insns, size_t cnt, size_t idx,
			  const struct stackbpf_disasm_opts *opts, char *buf, size_t bufsz);
/* Print a whole program, one line per instruction ("0: (79) r1 = ..." in kernel
 * syntax, labels and plain lines in LLVM syntax). */
int stackbpf_disasm__prog(FILE *out, const struct stackbpf_insn *insns, size_t cnt,
			  const struct stackbpf_disasm_opts *opts);

/* ----------------------------------------------------------- execution */

struct stackbpf_vm;

enum stackbpf_engine {
	STACKBPF_ENGINE_INTERP = 0,  /* the interpreter (fast, or checked with .checked) */
	STACKBPF_ENGINE_JIT,         /* x86-64 native code, without memory checks
				      * (.checked and .insn_limit do not apply); falls back to
				      * the interpreter, with a logged reason, when it cannot compile */
};

struct stackbpf_vm_opts {
	size_t sz;
	const struct stackbpf_host *host;  /* required for programs that call out */
	uint64_t may_goto_budget;          /* 0 = default, 8M iterations (Linux) */
	bool checked;                      /* validate every memory access */
	stackbpf_log_fn log;
	void *log_ctx;
	/* Stop a run with -ETIME after this many instructions (0 = no limit).
	 * Honoured by the checked engine only (fuzzing, untrusted loops). */
	uint64_t insn_limit;
	enum stackbpf_engine engine;       /* default: the interpreter */
	/* JIT: blind every immediate of the program (mov r, imm ^ key; xor r,
	 * key with a random key per instruction), as Linux's bpf_jit_harden */
	bool harden;
	/* Tail calls (helper 12): the program table. A prog_array value k names
	 * progs[k], as a prog fd does in Linux (stackbpf_map__update(map, &slot,
	 * &k, 0)); NULL entries and k >= prog_cnt are empty slots. The table is
	 * read at run time: it must outlive the vm and may be filled after the
	 * vms are created (a program may tail-call itself). A target runs in the
	 * engine of the program that calls it: an interpreted caller needs a
	 * target prepared for the same interpreter (fast or checked), a JIT
	 * caller a target with native code; otherwise the run stops with -EINVAL. */
	struct stackbpf_vm *const *progs;
	uint32_t prog_cnt;
};

/* Prepare a program for execution (it must have passed validation). */
struct stackbpf_vm *stackbpf_vm__new(const struct stackbpf_prog *prog, const struct stackbpf_vm_opts *opts);
void stackbpf_vm__free(struct stackbpf_vm *vm);
/* Run with r1 = mem, r2 = mem_len (NULL/0 allowed). Returns 0 and sets *r0, or
 * a negative errno when the program faulted (-EFAULT: bad memory access in
 * checked mode, -EOVERFLOW: call depth, -EINVAL: bad call target, -ETIME:
 * insn_limit reached) with a message such as
 * "insn 7: invalid read of 8 bytes at 0x... (not in any region)" in __errmsg.
 * A vm is not reentrant (it owns its stacks): one vm per thread. */
int stackbpf_vm__run(struct stackbpf_vm *vm, void *mem, size_t mem_len, uint64_t *r0);
const char *stackbpf_vm__errmsg(const struct stackbpf_vm *vm);
/* The native code of a vm created with STACKBPF_ENGINE_JIT and its size in
 * bytes, or NULL when the vm interprets. */
const void *stackbpf_vm__jit_code(const struct stackbpf_vm *vm, size_t *size);
/* Let the checked engine accept accesses to [addr, addr + len) as well (map
 * storage, a packet beside its context): 0, -EINVAL or -ENOMEM. */
int stackbpf_vm__add_region(struct stackbpf_vm *vm, const void *addr, size_t len);

/* ------------------------------------------------------------------ maps
 *
 * Maps with Linux's semantics (flags, errnos, max_entries). A program names a
 * map as Linux does (ld_imm64 src 1, imm = index into the prog's map table,
 * stackbpf_prog__set_maps); the vm turns that into the map's host pointer, so
 * the helpers are ordinary C functions. Each map keeps all its storage in one
 * block (hash maps are preallocated), which stackbpf_map__storage returns. */

enum stackbpf_map_type {             /* Linux's numbers */
	STACKBPF_MAP_HASH = 1,
	STACKBPF_MAP_ARRAY = 2,
	STACKBPF_MAP_PROG_ARRAY = 3,     /* tail calls: values index stackbpf_vm_opts.progs */
	STACKBPF_MAP_PERCPU_ARRAY = 6,   /* one CPU: values are value_size bytes */
	STACKBPF_MAP_LRU_HASH = 9,
	STACKBPF_MAP_RINGBUF = 27,
};

enum { STACKBPF_ANY = 0, STACKBPF_NOEXIST = 1, STACKBPF_EXIST = 2 };   /* update flags */
enum { STACKBPF_F_RDONLY_PROG = 1u << 7 };                            /* .rodata maps */

struct stackbpf_map;

struct stackbpf_map_opts {
	size_t sz;
	const char *name;
	uint32_t map_flags;
	uint64_t mem_limit;          /* refuse (-E2BIG) maps needing more bytes; 0 = 256 MiB */
	const char **errmsg;         /* receives a static reason when creation fails */
};

/* NULL with errno EINVAL (bad type or sizes, as Linux), E2BIG or ENOMEM. */
struct stackbpf_map *stackbpf_map__new(uint32_t type, uint32_t key_size, uint32_t value_size,
				       uint32_t max_entries, const struct stackbpf_map_opts *opts);
void stackbpf_map__free(struct stackbpf_map *map);
const char *stackbpf_map__name(const struct stackbpf_map *map);
uint32_t stackbpf_map__type(const struct stackbpf_map *map);
uint32_t stackbpf_map__key_size(const struct stackbpf_map *map);
uint32_t stackbpf_map__value_size(const struct stackbpf_map *map);
uint32_t stackbpf_map__max_entries(const struct stackbpf_map *map);
uint32_t stackbpf_map__flags(const struct stackbpf_map *map);
const char *stackbpf_map_type__name(uint32_t type);    /* "hash", ...; NULL if unknown */
/* Host API, as the bpf() map commands: copy a value out (-ENOENT), update
 * with STACKBPF_ANY/NOEXIST/EXIST (-EEXIST, -ENOENT, -E2BIG, -EINVAL), delete
 * (-ENOENT; arrays -EINVAL), iterate (key NULL = first; -ENOENT at the end).
 * Ringbuf maps answer -ENOTSUPP (524) to all four. */
int stackbpf_map__lookup(struct stackbpf_map *map, const void *key, void *value);
int stackbpf_map__update(struct stackbpf_map *map, const void *key, const void *value, uint64_t flags);
int stackbpf_map__delete(struct stackbpf_map *map, const void *key);
int stackbpf_map__get_next_key(struct stackbpf_map *map, const void *key, void *next_key);
/* The value in place (global data: the section's bytes), or NULL. */
void *stackbpf_map__elem(struct stackbpf_map *map, const void *key);
/* The map's storage block: the region a program may touch through it. */
void *stackbpf_map__storage(const struct stackbpf_map *map, size_t *len);
/* "map NAME: TYPE, key K, value V, max_entries N", then one "  key: .. value: .."
 * line per element in iteration order and "  N element(s)" (ringbuf: records ready). */
int stackbpf_map__dump(struct stackbpf_map *map, FILE *out);

/* Ringbuf consumer: hand every committed record to fn (discarded ones are
 * skipped), in order, and release them; stop early when fn returns < 0.
 * Returns the number of records handed over, or fn's negative value. */
typedef int (*stackbpf_ringbuf_fn)(void *ctx, void *data, size_t size);
int stackbpf_ringbuf__consume(struct stackbpf_map *map, stackbpf_ringbuf_fn fn, void *ctx);
/* Count committed records (and their bytes) without consuming them. */
int stackbpf_ringbuf__peek(struct stackbpf_map *map, size_t *records, size_t *bytes);

/* Linux helpers by helper id: 1-3 map look-up/update/delete, 5 ktime_get_ns,
 * 6 trace_printk (one line per call to `log` at level 2), 7 get_prandom_u32,
 * 8 get_smp_processor_id (0), 14 get_current_pid_tgid, 26 skb_load_bytes,
 * 130-133 ringbuf output/reserve/submit/discard. */
struct stackbpf_linux_helpers_opts {
	size_t sz;
	stackbpf_log_fn log;         /* trace_printk output */
	void *log_ctx;
	uint64_t seed;               /* get_prandom_u32 sequence */
};
int stackbpf_host__add_linux_helpers(struct stackbpf_host *host,
				     const struct stackbpf_linux_helpers_opts *opts);

/* ------------------------------------------------------------ ELF objects
 *
 * A BPF object file built by clang (`clang -target bpf -O2 -g -c`): programs
 * by section with libbpf's section names, static subprograms linked into each
 * program that calls them, BTF (kept as libbpf's struct btf) and .BTF.ext
 * func/line info, BTF-defined maps in .maps, global data (.data, .rodata*,
 * .bss) as one-element array maps, and __ksym extern functions bound to host
 * functions by name. After loading, a program is ordinary bytecode: a map
 * reference is an ld_imm64 with src 1 and the map's index in the object (the
 * prog's map table), a global-data reference src 2 with the index and the
 * offset in the value, a kfunc call a `call` with src_reg 2 and the registry
 * id; the prog also carries the BTF functions (stackbpf_prog__func). */

enum stackbpf_prog_type {            /* Linux's numbers */
	STACKBPF_PROG_UNSPEC = 0,        /* raw: what .s/.bin programs get */
	STACKBPF_PROG_SOCKET_FILTER = 1,
	STACKBPF_PROG_KPROBE = 2,
	STACKBPF_PROG_SCHED_CLS = 3,
	STACKBPF_PROG_SCHED_ACT = 4,
	STACKBPF_PROG_TRACEPOINT = 5,
	STACKBPF_PROG_XDP = 6,
	STACKBPF_PROG_PERF_EVENT = 7,
	STACKBPF_PROG_CGROUP_SKB = 8,
	STACKBPF_PROG_RAW_TRACEPOINT = 17,
	STACKBPF_PROG_TRACING = 26,
	STACKBPF_PROG_LSM = 29,
	STACKBPF_PROG_SYSCALL = 31,
};

/* The program type of a libbpf section name ("xdp", "socket", "tc",
 * "kprobe/...", ...) or "raw" (STACKBPF_PROG_UNSPEC); -ENOENT if unknown. */
int stackbpf_prog_type__from_name(const char *name);

struct stackbpf_object;
struct stackbpf_program;
struct btf;                          /* libbpf's */

struct stackbpf_object_opts {
	size_t sz;
	const char *name;                /* in messages; default: the path ("<memory>") */
	const struct stackbpf_host *host; /* binds __ksym externs; NULL: externs fail */
	stackbpf_log_fn log;             /* receives "NAME: section S: problem" */
	void *log_ctx;
	uint64_t map_mem_limit;          /* per map; 0 = 256 MiB */
};

/* Open and load an object. NULL on failure with errno EINVAL (malformed or
 * unsupported input; the reason went to opts->log), ENOENT, ENOMEM. */
struct stackbpf_object *stackbpf_object__open(const char *path, const struct stackbpf_object_opts *opts);
struct stackbpf_object *stackbpf_object__open_mem(const void *buf, size_t len,
						  const struct stackbpf_object_opts *opts);
void stackbpf_object__close(struct stackbpf_object *obj);
const char *stackbpf_object__name(const struct stackbpf_object *obj);
const char *stackbpf_object__license(const struct stackbpf_object *obj);   /* "" if none */
const struct btf *stackbpf_object__btf(const struct stackbpf_object *obj); /* NULL without .BTF */
size_t stackbpf_object__prog_cnt(const struct stackbpf_object *obj);
struct stackbpf_program *stackbpf_object__prog(const struct stackbpf_object *obj, size_t i);
struct stackbpf_program *stackbpf_object__find_prog(const struct stackbpf_object *obj, const char *name);
size_t stackbpf_object__map_cnt(const struct stackbpf_object *obj);
struct stackbpf_map *stackbpf_object__map(const struct stackbpf_object *obj, size_t i);
struct stackbpf_map *stackbpf_object__find_map(const struct stackbpf_object *obj, const char *name);
/* Give a vm every map's storage as a region (checked engine). */
int stackbpf_object__add_regions(const struct stackbpf_object *obj, struct stackbpf_vm *vm);

/* A function of a program: the entry (index 0) and each linked subprogram,
 * with its BTF FUNC / FUNC_PROTO (nparams -1 when the object has no BTF for it). */
struct stackbpf_func {
	const char *name;
	uint32_t insn_off;               /* first instruction in the linked program */
	uint32_t insn_cnt;
	uint32_t btf_id;                 /* the FUNC type id, 0 = none */
	int nparams;
	const char *param_names[12];     /* "" for unnamed; up to nparams (<= 12 kept) */
	bool global;                     /* BTF linkage global (else static) */
};

/* A source line: from .BTF.ext line_info, for the instructions from insn_off on. */
struct stackbpf_line {
	uint32_t insn_off;
	const char *file;
	const char *src;                 /* the source line text, "" if none */
	uint32_t line, col;
};

/* An extern function (__ksym) the program calls, bound to a host function. */
struct stackbpf_kfunc {
	const char *name;
	int host_id;                     /* registry id: the imm of its calls */
	uint32_t btf_id;                 /* its BTF FUNC (extern linkage), 0 = none */
	int nparams;                     /* from its FUNC_PROTO, -1 without BTF */
};

const char *stackbpf_program__name(const struct stackbpf_program *p);
const char *stackbpf_program__section(const struct stackbpf_program *p);
enum stackbpf_prog_type stackbpf_program__type(const struct stackbpf_program *p);
/* The linked bytecode, owned by the object: validate it, run it. */
struct stackbpf_prog *stackbpf_program__prog(const struct stackbpf_program *p);
size_t stackbpf_program__func_cnt(const struct stackbpf_program *p);
const struct stackbpf_func *stackbpf_program__func(const struct stackbpf_program *p, size_t i);
size_t stackbpf_program__line_cnt(const struct stackbpf_program *p);
const struct stackbpf_line *stackbpf_program__line(const struct stackbpf_program *p, size_t i);
/* The line info covering instruction `insn` (the last record at or before it), or NULL. */
const struct stackbpf_line *stackbpf_program__line_of(const struct stackbpf_program *p, size_t insn);
size_t stackbpf_program__kfunc_cnt(const struct stackbpf_program *p);
const struct stackbpf_kfunc *stackbpf_program__kfunc(const struct stackbpf_program *p, size_t i);

/* ------------------------------------------------- BTF true signatures
 *
 * LLVM before 23 removes dead parameters of static functions (dead-argument
 * elimination) but keeps the source prototype in BTF: the code then passes 5
 * arguments while the FUNC_PROTO lists 6, and Linux with stack arguments
 * rejects the caller ("callee expects 6 args, stack arg1 is not initialized").
 * The check compares each static function's FUNC_PROTO with what the code
 * receives: DWARF locations of the formal parameters at the entry pc (libdw),
 * the registers r1..r5 and r11 slots the function reads before writing, and
 * what every call site sets up. The result is the true signature: the BTF
 * parameters that survive, in ABI order (r1..r5, then stack slots). */

enum { STACKBPF_BTF_MAX_PARAMS = 12 };

enum stackbpf_param_fate {
	STACKBPF_PARAM_KEPT = 0,         /* arrives in a register or stack slot */
	STACKBPF_PARAM_ELIMINATED,       /* the code does not receive it */
	STACKBPF_PARAM_UNKNOWN,          /* no DWARF for it: the code alone decides the count */
};

struct stackbpf_btf_param {
	const char *name;                /* BTF name ("" if unnamed) */
	enum stackbpf_param_fate fate;
	int abi_pos;                     /* KEPT: 0..4 = r1..r5, 5.. = stack arg 1..; else -1 */
	const char *why;                 /* how that was decided (a fixed phrase) */
};

struct stackbpf_btf_func_check {
	const char *name;                /* owned by the object */
	uint32_t func_id, proto_id;      /* BTF FUNC and its FUNC_PROTO */
	bool global;                     /* global linkage: the ABI is the prototype */
	bool has_dwarf;                  /* a DWARF subprogram described it */
	bool mismatch;                   /* the prototype differs from the true signature */
	bool fixable;                    /* btf fix can write the true signature */
	int btf_nparams;
	int true_nparams;                /* what the code receives */
	/* the true signature: true_order[k] = BTF index of the parameter at ABI position k */
	int true_order[STACKBPF_BTF_MAX_PARAMS];
	struct stackbpf_btf_param params[STACKBPF_BTF_MAX_PARAMS];   /* by BTF index */
	int code_reads;                  /* argument positions the code reads before writing (1 + highest) */
	int callers_pass;                /* the fewest arguments any call site sets up; -1 = no call site */
	int call_sites;
};

struct stackbpf_btf_check_opts {
	size_t sz;
	bool no_dwarf;                   /* ignore .debug_info: decide from the code alone */
};

/* Check every BTF function linked into the object's programs. *results (one
 * entry per FUNC, free() it) and *cnt receive the verdicts. Returns the number
 * of mismatching functions (>= 0) or -EINVAL (the object has no .BTF; the
 * reason goes to the object's log; malformed DWARF is reported and ignored),
 * -ENOMEM. */
int stackbpf_object__check_btf(const struct stackbpf_object *obj, const struct stackbpf_btf_check_opts *opts,
			       struct stackbpf_btf_func_check **results, size_t *cnt);

/* The one-line diagnosis of a mismatching function, e.g.
 *   alloc_exit: BTF prototype has 6 parameters, the code receives 5: ctx was
 *   eliminated; Linux with stack arguments rejects its callers: callee expects
 *   6 args, stack arg1 is not initialized
 * (without a trailing newline). Returns what snprintf returns. */
int stackbpf_btf_func_check__describe(const struct stackbpf_btf_func_check *c, char *buf, size_t sz);

/* What Linux's verifier does with a call to the function: the exact message
 * ("callee expects 6 args, stack arg1 is not initialized"), or "" when the
 * argument counts let it through. Returns what snprintf returns. */
int stackbpf_btf_func_check__linux_msg(const struct stackbpf_btf_func_check *c, char *buf, size_t sz);

/* For `verify` and `stat`: when `reject_msg` (the verifier's last log line,
 * may be NULL = any) is explained by a BTF prototype mismatch of a function
 * of `prog`, write the diagnosis into buf and return 1; 0 otherwise;
 * negative errno on failure. */
int stackbpf_program__btf_hint(const struct stackbpf_object *obj, const struct stackbpf_program *prog,
			       const char *reject_msg, char *buf, size_t sz);

/* For the default (non-strict) mode of `verify` and `stat`: a copy of the
 * program's functions (stackbpf_program__func) whose nparams and
 * param_names are the true signatures where they differ from BTF, ready for
 * stackbpf_prog__set_funcs on a clone of the program. *funcs (free() it) and
 * *cnt receive the copy. Returns the number of functions changed (>= 0),
 * -EINVAL (no .BTF) or -ENOMEM. */
int stackbpf_program__true_funcs(const struct stackbpf_object *obj, const struct stackbpf_program *prog,
				 struct stackbpf_func **funcs, size_t *cnt);

struct stackbpf_btf_fix_opts {
	size_t sz;
	bool no_dwarf;                   /* as stackbpf_btf_check_opts */
};

/* Write a copy of the object to out_path whose FUNC_PROTOs carry the true
 * signatures: for every fixable mismatching function a new FUNC_PROTO
 * (parameters dropped or re-ordered, names and types kept) is appended to
 * .BTF and its FUNC points at it; type ids and every other byte of every
 * other section stay as they are. *nfixed (may be NULL) receives the count.
 * Returns 0, -EINVAL (no .BTF, or a mismatch that cannot be fixed: named in
 * the log), -EIO, -ENOMEM. */
int stackbpf_object__fix_btf(const struct stackbpf_object *obj, const char *out_path,
			     const struct stackbpf_btf_fix_opts *opts, size_t *nfixed);

/* ------------------------------------------------------------- verifier
 *
 * Path-sensitive verification as Linux's do_check, with the r11 stack-argument
 * rules (R1-R15 of stack-args.md). The log follows Linux 6.18's format. */

struct stackbpf_verify_opts {
	size_t sz;
	const struct stackbpf_host *host;  /* prototypes of host functions and helpers */
	/* bitmask as Linux's log_level: 1 = the path to the error (a successful
	 * log keeps only the last line), 2 = every path, 4 = statistics lines
	 * ("verification time", "stack depth"); 0 = no log at all */
	int log_level;
	/* behave as Linux: no incoming stack-argument counts without BTF, and
	 * stack arguments are refused in the interpreter (R13) */
	bool strict;
	/* STACKBPF_PROG_UNSPEC (0) = raw, what .s/.bin programs get: r1 =
	 * pointer to mem_size bytes of input (the log prints "mem(sz=N)"),
	 * r2 = mem_size, r0 at exit any scalar. socket_filter, kprobe, tc
	 * (sched_cls/act), xdp, cgroup_skb, tracepoint, raw_tracepoint and
	 * perf_event: r1 = their context (struct __sk_buff, pt_regs, xdp_md,
	 * the trace record or arguments, bpf_perf_event_data) with Linux's
	 * field rules and return ranges; other types (BTF-based tracing,
	 * lsm, syscall) -EOPNOTSUPP. */
	enum stackbpf_prog_type prog_type;
	uint32_t mem_size;                 /* RAW: bytes behind r1 */
	stackbpf_log_fn log;               /* receives the log, one line per call (level 2) */
	void *log_ctx;
	/* source lines of the program (an object's stackbpf_program__line),
	 * sorted by insn_off: the log prints "; <source> @ file.c:12" before
	 * the first instruction of each line, as Linux with line_info */
	const struct stackbpf_line *lines;
	size_t line_cnt;
	/* alignment, as Linux on x86-64 (efficient unaligned access): only the
	 * stack and atomics are checked unless strict_alignment
	 * (BPF_F_STRICT_ALIGNMENT: every access, packet data as if 2 bytes
	 * past an aligned address); any_alignment (BPF_F_ANY_ALIGNMENT)
	 * cancels strict_alignment */
	bool strict_alignment;
	bool any_alignment;
};

enum { STACKBPF_VERIFY_MAX_SUBPROGS = 64 };

struct stackbpf_verify_stats {
	size_t sz;
	bool accepted;                     /* the verdict */
	int err;                           /* what __verify returned */
	uint64_t insns_processed;          /* "processed N insns" */
	uint32_t total_states, peak_states, max_states_per_insn;
	uint64_t verification_ns;
	uint32_t subprog_cnt;
	/* deepest stack access per subprogram, bytes (the first 64) */
	uint32_t stack_depth[STACKBPF_VERIFY_MAX_SUBPROGS];
};

/* Verify `prog`. Returns 0 (accepted), -EACCES (rejected by the walk, as
 * Linux's do_check), -EINVAL (structural: bad instruction, unreachable code,
 * bad r11 form, ...), -EFAULT (a callee's stack argument missing, R5), -E2BIG
 * (too complex: 1M processed instructions, deep calls), -ENOMEM, or
 * -EOPNOTSUPP (program type). `opts` and `stats` may be NULL. */
int stackbpf_prog__verify(const struct stackbpf_prog *prog, const struct stackbpf_verify_opts *opts,
			  struct stackbpf_verify_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
