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
void stackbpf_prog__free(struct stackbpf_prog *prog);
const struct stackbpf_insn *stackbpf_prog__insns(const struct stackbpf_prog *prog);
size_t stackbpf_prog__insn_cnt(const struct stackbpf_prog *prog);

/* Structural validation: known opcodes, zero reserved fields, jump and call
 * targets inside the program and not into the middle of an ld_imm64, the three
 * r11 forms only, known helpers/host functions when `host` is given.
 * Returns 0 or -EINVAL, with "insn N: message" in *errmsg (static or owned by
 * the prog; valid until the next call on it). */
struct stackbpf_validate_opts {
	size_t sz;
	const struct stackbpf_host *host;  /* NULL: do not check call targets */
	unsigned cpu;                      /* 0 = any (v4); else reject newer forms */
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

#ifdef __cplusplus
}
#endif
#endif
