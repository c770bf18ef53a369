/* call_args.c - the one argument checker of helper and host-function calls
 * (Linux's check_func_arg, check_reg_type, check_func_arg_reg_off,
 * check_mem_size_reg and check_helper_mem_access): each argument's register
 * state (r1..r5, or the caller's stack-argument slot for args 6..12) against
 * its kind, with Linux's messages. Arguments are named as Linux's
 * reg_arg_name: "R3", or "*(R11-8)" for arg 6.
 *
 * The verifier models a privileged (CAP_BPF + CAP_PERFMON) loader, as the
 * rest of stackbpf: ARG_ANYTHING takes pointers too, and helpers may read
 * uninitialised stack. */
#include "verifier/helpers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { MAX_VAR_SIZE = 1 << 29 };   /* Linux's BPF_MAX_VAR_SIZ */

/* compatible register types per argument kind (Linux's compatible_reg_types),
 * and the list the error prints */
struct reg_types {
	uint16_t types[8];
	uint8_t n;
	const char *expected;
};

static const struct reg_types mem_types = {
	{ PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM,
	  PTR_TO_MEM | MEM_RINGBUF },
	7, "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_" };
static const struct reg_types scalar_types = { { SCALAR_VALUE }, 1, "scalar" };
static const struct reg_types map_ptr_types = { { CONST_PTR_TO_MAP }, 1, "map_ptr" };
static const struct reg_types ctx_types = { { PTR_TO_CTX }, 1, "ctx" };
static const struct reg_types ringbuf_types = { { PTR_TO_MEM | MEM_RINGBUF }, 1, "ringbuf_mem" };
static const struct reg_types func_types = { { PTR_TO_FUNC }, 1, "func" };
static const struct reg_types stack_types = { { PTR_TO_STACK }, 1, "fp" };

static const struct reg_types *compatible(unsigned base)
{
	switch (base) {
	case ARG_PTR_TO_MAP_KEY: case ARG_PTR_TO_MAP_VALUE: case ARG_PTR_TO_MEM:
		return &mem_types;
	case ARG_CONST_SIZE: case ARG_CONST_SIZE_OR_ZERO: case ARG_CONST_ALLOC_SIZE_OR_ZERO:
		return &scalar_types;
	case ARG_CONST_MAP_PTR: return &map_ptr_types;
	case ARG_PTR_TO_CTX: return &ctx_types;
	case ARG_PTR_TO_RINGBUF_MEM: return &ringbuf_types;
	case ARG_PTR_TO_FUNC: return &func_types;
	case ARG_PTR_TO_STACK: return &stack_types;
	default: return NULL;
	}
}

static bool is_null(const struct sbpf_reg *r)
{
	return reg_is_const(r) && scalar_const(&r->s) == 0;
}

/* the raw program's input stands in for its context */
static bool is_raw_ctx(const struct sbpf_reg *r)
{
	return r->type == PTR_TO_MEM && (r->flags & REG_F_INPUT);
}

static int check_reg_type(struct sbpf_env *env, const char *name, const struct sbpf_reg *r, uint16_t arg)
{
	const struct reg_types *c = compatible(ARG_BASE(arg));
	if (!c)
		return verr(env, -EFAULT, "verifier internal error: unsupported arg type %d", arg);
	uint16_t t = r->type;
	if (arg & ARG_MEM_RDONLY)
		t &= (uint16_t)~MEM_RDONLY;
	if (arg & ARG_MAYBE_NULL)
		t &= (uint16_t)~PTR_MAYBE_NULL;
	if (ARG_BASE(arg) == ARG_PTR_TO_CTX && is_raw_ctx(r))
		return 0;
	for (unsigned i = 0; i < c->n; i++)
		if (t == c->types[i])
			return 0;
	return verr(env, -EACCES, "%s type=%s expected=%s", name, reg_type_str(r->type), c->expected);
}

static void tnum_str(char *buf, size_t n, struct tnum t)
{
	snprintf(buf, n, "(0x%llx; 0x%llx)", (unsigned long long)t.value, (unsigned long long)t.mask);
}

/* Linux's __check_ptr_off_reg with fixed_off_ok = false */
static int check_ptr_off_zero(struct sbpf_env *env, const char *name, const struct sbpf_reg *r)
{
	if (r->off)
		return verr(env, -EACCES, "dereference of modified %s ptr %s off=%d disallowed", reg_type_str(r->type),
			    name, r->off);
	if (!scalar_is_const(&r->s) || scalar_const(&r->s)) {
		char tn[64];
		tnum_str(tn, sizeof(tn), r->s.var_off);
		return verr(env, -EACCES, "variable %s access var_off=%s disallowed", reg_type_str(r->type), tn);
	}
	return 0;
}

/* Linux's check_func_arg_reg_off */
static int check_arg_reg_off(struct sbpf_env *env, const char *name, const struct sbpf_reg *r, uint16_t arg)
{
	if (ARG_BASE(arg) == ARG_PTR_TO_CTX)
		return check_ptr_off_zero(env, name, r);
	if (arg & ARG_OBJ_RELEASE) {
		if (r->off)
			return verr(env, -EINVAL,
				    "%s must have zero offset when passed to release func or trusted arg to kfunc", name);
		return check_ptr_off_zero(env, name, r);
	}
	switch (BASE_TYPE(r->type)) {
	case PTR_TO_STACK: case PTR_TO_PACKET: case PTR_TO_PACKET_META: case PTR_TO_MAP_KEY:
	case PTR_TO_MAP_VALUE: case PTR_TO_MEM: case SCALAR_VALUE:
		return 0;
	default:
		return check_ptr_off_zero(env, name, r);
	}
}

/* [ptr, ptr + size_reg) as memory a helper reads or writes (Linux's
 * check_helper_mem_access): check_mem.c's check_mem_range, for every
 * memory kind (stack, mem, map key/value, packet) */
static int helper_mem_access(struct sbpf_env *env, const struct sbpf_reg *ptr, const char *name,
			     const struct sbpf_reg *size_reg, const char *size_name, bool write)
{
	return check_mem_range(env, ptr, name, size_reg, size_name, write);
}

static int fixed_mem_access(struct sbpf_env *env, const struct sbpf_reg *ptr, const char *name, uint64_t size,
			    bool write)
{
	struct sbpf_reg sz;
	reg_mark_known(&sz, size);
	return helper_mem_access(env, ptr, name, &sz, "size", write);
}

/* Linux's mark_chain_precision for argument i: a register, or (args 6..12)
 * the caller's stack-argument slot (mark_stack_arg_precision); backtrack.c */
static int mark_arg_precise(struct sbpf_env *env, int i)
{
	return i < SBPF_MAX_REG_ARGS ? mark_chain_precision(env, i + 1)
				     : mark_stack_arg_precision(env, i - SBPF_MAX_REG_ARGS);
}

/* Linux's check_mem_size_reg: `r` is the size of the memory in argument i-1 */
static int check_mem_size(struct sbpf_env *env, const struct sbpf_func_proto *p, int i, const struct sbpf_reg *r,
			  const char *name, bool zero_ok)
{
	char pname[16];
	if (i == 0)
		return verr(env, -EFAULT, "verifier internal error: size argument without memory");
	if (r->s.smin < 0)
		return verr(env, -EACCES, "%s min value is negative, either use unsigned or 'var &= const'", name);
	if (r->s.umin == 0 && !zero_ok)
		return verr(env, -EACCES, "%s invalid zero-sized read: u64=[%lld,%lld]", name, (long long)r->s.umin,
			    (long long)r->s.umax);
	if (r->s.umax >= MAX_VAR_SIZE)
		return verr(env, -EACCES, "%s unbounded memory access, use 'var &= const' or 'if (var < const)'", name);
	const struct sbpf_reg *ptr = call_arg_reg(env, i - 1);
	arg_name(pname, sizeof(pname), i - 1);
	int err;
	if (is_null(ptr) && r->s.umax == 0 && zero_ok)
		err = 0;   /* a zero-byte read from NULL */
	else if (ptr->type == SCALAR_VALUE)
		return verr(env, -EACCES, "%s type=%s expected=fp", pname, reg_type_str(ptr->type));
	else
		err = helper_mem_access(env, ptr, pname, r, name, (p->arg_type[i - 1] & ARG_MEM_WRITE) != 0);
	return err ? err : mark_arg_precise(env, i);
}

/* Linux's get_constant_map_key: an array map's key spilled on the stack as
 * a known constant (or zero bytes) lets bpf_map_lookup_elem return a value
 * that cannot be NULL; -1 when it is not known. A spilled constant becomes
 * precise (*err on failure). */
static int64_t constant_map_key(struct sbpf_env *env, const struct sbpf_reg *key, uint32_t key_size, int *err)
{
	if (key->type != PTR_TO_STACK || !scalar_is_const(&key->s))
		return -1;
	int64_t off = key->off + (int64_t)scalar_const(&key->s);
	if (off >= 0 || off < -SBPF_STACK_SIZE)
		return -1;
	struct sbpf_func_state *f = env->cur.frame[key->frameno];
	int slot = (int)(-off - 1), spi = slot / 8, k = slot % 8;
	if ((uint32_t)spi >= f->nslots)
		return -1;
	const struct sbpf_stack_slot *s = &f->stack[spi];
	uint32_t zero = 0, spill = 0;
	for (int j = k; j >= 0 && s->types[j] == STACK_ZERO; j--)
		zero++;
	if (zero >= key_size)
		return 0;
	if (s->types[7] != STACK_SPILL || s->spilled.type != SCALAR_VALUE)
		return -1;
	for (int j = k; j >= 0 && s->types[j] == STACK_SPILL; j--)
		spill++;
	if (spill != key_size || !scalar_is_const(&s->spilled.s))
		return -1;
	int64_t v = (int64_t)scalar_const(&s->spilled.s);
	*err = mark_stack_slot_precision(env, key->frameno, spi);
	return v;
}

static int check_host_kind(struct sbpf_env *env, int i, const char *name, const struct sbpf_reg *r, uint16_t arg)
{
	switch (arg) {
	case ARG_HOST_SCALAR:
		if (r->type != SCALAR_VALUE)
			return verr(env, -EINVAL, "%s is not a scalar", name);
		return 0;
	case ARG_HOST_CONST:
		if (!reg_is_const(r))
			return verr(env, -EINVAL, "%s must be a known constant", name);
		return mark_arg_precise(env, i);
	case ARG_HOST_CTX:
		if ((r->type == PTR_TO_CTX || is_raw_ctx(r)) && r->off == 0 && scalar_is_const(&r->s) &&
		    scalar_const(&r->s) == 0)
			return 0;
		return verr(env, -EINVAL, "arg#%d expected pointer to ctx, but got %s", i, reg_type_str(r->type));
	default:
		return verr(env, -EINVAL, "unsupported argument type %u", arg);
	}
}

static int check_func_arg(struct sbpf_env *env, const struct sbpf_func_proto *p, int i, struct sbpf_call_meta *meta)
{
	uint16_t arg = p->arg_type[i];
	unsigned base = ARG_BASE(arg);
	char name[16];
	int err;
	if (base == ARG_DONTCARE)
		return 0;
	if (i < SBPF_MAX_REG_ARGS && (err = check_reg_read(env, i + 1)))
		return err;
	const struct sbpf_reg *r = call_arg_reg(env, i);
	arg_name(name, sizeof(name), i);
	if (base == ARG_ANYTHING)
		return 0;
	if (base >= ARG_HOST_SCALAR)
		return check_host_kind(env, i, name, r, arg);
	if (!((arg & ARG_MAYBE_NULL) && is_null(r))) {
		if ((err = check_reg_type(env, name, r, arg)) || (err = check_arg_reg_off(env, name, r, arg)))
			return err;
	}
	if (arg & ARG_OBJ_RELEASE) {
		if (!r->ref_obj_id && !is_null(r))
			return verr(env, -EINVAL, "%s must be referenced when passed to release function", name);
		meta->release_regno = i + 1;
	}
	if (r->ref_obj_id) {
		if (meta->ref_obj_id)
			return verr(env, -EFAULT, "verifier internal error: more than one arg with ref_obj_id %s %u %u",
				    name, r->ref_obj_id, meta->ref_obj_id);
		meta->ref_obj_id = r->ref_obj_id;
	}
	switch (base) {
	case ARG_CONST_MAP_PTR:
		meta->map = r->map_ptr;
		return 0;
	case ARG_PTR_TO_MAP_KEY: {
		if (!meta->map)
			return verr(env, -EFAULT, "verifier internal error: invalid map_ptr to access map->key");
		uint32_t ks = stackbpf_map__key_size(meta->map), t = stackbpf_map__type(meta->map);
		if ((err = fixed_mem_access(env, r, name, ks, false)))
			return err;
		if (t == STACKBPF_MAP_ARRAY || t == STACKBPF_MAP_PERCPU_ARRAY)
			meta->const_map_key = constant_map_key(env, r, ks, &err);
		return err;
	}
	case ARG_PTR_TO_MAP_VALUE:
		if (!meta->map)
			return verr(env, -EFAULT, "verifier internal error: invalid map_ptr to access map->value");
		return fixed_mem_access(env, r, name, stackbpf_map__value_size(meta->map), (arg & ARG_MEM_WRITE) != 0);
	case ARG_CONST_SIZE:
	case ARG_CONST_SIZE_OR_ZERO:
		return check_mem_size(env, p, i, r, name, base == ARG_CONST_SIZE_OR_ZERO);
	case ARG_CONST_ALLOC_SIZE_OR_ZERO:
		if (!scalar_is_const(&r->s))
			return verr(env, -EACCES, "%s is not a known constant'", name);
		meta->mem_size = scalar_const(&r->s);
		return mark_arg_precise(env, i);
	case ARG_PTR_TO_FUNC:
		meta->subprogno = (int)r->mem_size;
		return 0;
	default:
		return 0;
	}
}

int check_func_args(struct sbpf_env *env, const struct sbpf_func_proto *p, struct sbpf_call_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	meta->const_map_key = -1;
	meta->subprogno = -1;
	for (int i = 0; i < p->nargs; i++) {
		int err = check_func_arg(env, p, i, meta);
		if (err)
			return err;
	}
	return 0;
}
