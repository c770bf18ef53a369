/* helpers.h - function prototypes as the verifier sees them (Linux's struct
 * bpf_func_proto): argument and return kinds of Linux helpers (helpers.c,
 * one table by helper id) and of host functions (their registered
 * struct stackbpf_fn_desc, converted), checked by one argument checker
 * (call_args.c); references acquired and released by calls (refs.c). */
#ifndef SBPF_VERIFIER_HELPERS_H
#define SBPF_VERIFIER_HELPERS_H

#include "verifier/verifier.h"

/* base argument kinds, as Linux's enum bpf_arg_type */
enum sbpf_arg_type {
	ARG_DONTCARE = 0,        /* not checked */
	ARG_CONST_MAP_PTR,       /* ld_imm64 src 1 */
	ARG_PTR_TO_MAP_KEY,      /* key_size bytes of the preceding map */
	ARG_PTR_TO_MAP_VALUE,    /* value_size bytes of the preceding map */
	ARG_PTR_TO_MEM,          /* memory; its size is the next argument */
	ARG_CONST_SIZE,          /* size of the preceding memory, > 0 */
	ARG_CONST_SIZE_OR_ZERO,  /* size of the preceding memory, >= 0 */
	ARG_CONST_ALLOC_SIZE_OR_ZERO, /* a known constant: the size of the returned memory */
	ARG_PTR_TO_CTX,
	ARG_ANYTHING,            /* any initialised value */
	ARG_PTR_TO_RINGBUF_MEM,  /* a ringbuf sample */
	ARG_PTR_TO_FUNC,         /* ld_imm64 src 4: a callback */
	ARG_PTR_TO_STACK,
	/* host functions (kfunc-like): their own wording */
	ARG_HOST_SCALAR,         /* "%s is not a scalar" */
	ARG_HOST_CONST,          /* "%s must be a known constant" (kfunc __k) */
	ARG_HOST_CTX,            /* "arg#%d expected pointer to ctx, but got %s" */
	ARG_NKINDS,
};
/* flags or-ed into an argument kind, as Linux's (values are ours) */
enum {
	ARG_MAYBE_NULL = 1 << 8,
	ARG_MEM_RDONLY = 1 << 9,   /* the callee only reads the memory */
	ARG_MEM_UNINIT = 1 << 10,  /* the callee fills the memory: it may be uninitialised */
	ARG_MEM_WRITE = 1 << 11,   /* the callee writes the memory */
	ARG_OBJ_RELEASE = 1 << 12, /* the callee releases the reference */
};
#define ARG_BASE(t) ((t) & 0xff)
#define ARG_PTR_TO_UNINIT_MEM (ARG_PTR_TO_MEM | ARG_MEM_WRITE | ARG_MEM_UNINIT)

enum sbpf_ret_type {
	RET_INTEGER = 0,
	RET_VOID,
	RET_PTR_TO_MAP_VALUE_OR_NULL,
	RET_PTR_TO_RINGBUF_MEM_OR_NULL,  /* acquires a reference */
	RET_PTR_TO_MEM_OR_NULL,          /* host functions: ret_size bytes */
};

/* which program types may call a helper: a bit per type (enum stackbpf_prog_type) */
#define PT(t) (1ull << (t))
#define PT_ANY (~0ull)

struct sbpf_func_proto {
	int32_t id;                       /* helper id (or host registry id) */
	const char *name;
	uint8_t ret_type;
	uint8_t nargs;
	uint16_t arg_type[SBPF_MAX_FUNC_ARGS];
	uint32_t ret_size;                /* RET_PTR_TO_MEM_OR_NULL */
	uint64_t prog_types;              /* PT() bits of the types that may call it */
	bool host;                        /* a host function: kfunc rules for args 6..12 */
};

/* helpers.c */
/* Linux's prototype of helper `id`, or NULL when stackbpf has none */
const struct sbpf_func_proto *helper_proto(int32_t id);
bool helper_allowed(const struct sbpf_func_proto *p, enum stackbpf_prog_type t);
/* Linux's check_map_func_compatibility: "cannot pass map_type ..." */
int check_map_func_compat(struct sbpf_env *env, const struct stackbpf_map *map, int32_t func_id);
/* a host function's registered prototype in the verifier's terms */
void host_proto(struct sbpf_func_proto *p, const struct stackbpf_fn_desc *d, int id);

/* what checking the arguments of one call learned (Linux's bpf_call_arg_meta) */
struct sbpf_call_meta {
	const struct stackbpf_map *map;   /* ARG_CONST_MAP_PTR */
	int64_t const_map_key;            /* array map key known at verification, or -1 */
	uint64_t mem_size;                /* ARG_CONST_ALLOC_SIZE_OR_ZERO */
	int release_regno;                /* 1-based argument index of the released pointer, 0 none */
	uint32_t ref_obj_id;              /* reference carried by an argument */
	int subprogno;                    /* ARG_PTR_TO_FUNC, -1 none */
};

/* call_args.c: Linux's check_func_arg over args 0..nargs-1 (6..12 from the
 * caller's stack-argument slots) */
int check_func_args(struct sbpf_env *env, const struct sbpf_func_proto *p, struct sbpf_call_meta *meta);

/* refs.c: references held by a path (Linux's reference state) */
int acquire_reference(struct sbpf_env *env, uint32_t insn_idx);   /* the new id, or <0 */
/* drop the reference and turn every pointer into it (all frames, spills,
 * stack-argument slots) into unknown scalars; -EINVAL if it is not held */
int release_reference(struct sbpf_env *env, uint32_t ref_obj_id);
/* main's exit or a tail call: "Unreleased reference id=%d alloc_insn=%d",
 * then "%s would lead to reference leak" */
int check_resource_leak(struct sbpf_env *env, const char *prefix);

#endif
