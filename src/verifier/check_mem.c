/* check_mem.c - loads, stores and atomics (Linux's check_mem_access and
 * friends) for the pointer types that exist so far:
 *
 *   stack  fixed offsets: aligned (stack accesses are always strictly
 *          aligned), inside [-512, 0), spills keep a register's full state
 *          (pointers: 8 bytes; scalars: any size stored at a slot's start,
 *          linked to the register when the value fits, as 6.18), narrow
 *          reads of a spilled scalar give it narrowed, other writes mark
 *          bytes STACK_MISC or STACK_ZERO;
 *          reads of uninitialised stack are allowed (privileged loader) and
 *          give unknown scalars. Variable offsets must be bounded and inside
 *          the frame; a write scrubs every slot it may touch.
 *   mem    the raw program's input and host memory: [0, mem_size) checked
 *          against the pointer's fixed offset plus the bounds of its variable
 *          part, with Linux's messages.
 *   ctx    no program type has a context yet: every access is refused.
 *
 * Also the memory-range arguments of host functions (pointer + size). */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_VAR_OFF (1LL << 29)

static void tnum_str(char *buf, size_t n, struct tnum t)
{
	snprintf(buf, n, "(0x%llx; 0x%llx)", (unsigned long long)t.value, (unsigned long long)t.mask);
}

/* the register state of a loaded value of `size` bytes that holds no
 * tracked information */
static void mark_loaded(struct sbpf_reg *dst, int size, bool sx)
{
	reg_mark_unknown(dst);
	if (size < 8)
		scalar_mark_loaded(&dst->s, size, sx);
}

static void scrub_slot(struct sbpf_stack_slot *s)
{
	if (s->types[7] == STACK_SPILL || s->types[0] == STACK_SPILL) {
		for (int j = 0; j < 8; j++)
			if (s->types[j] == STACK_SPILL)
				s->types[j] = STACK_MISC;
	}
	reg_mark_not_init(&s->spilled);
}

/* Grow the frame to cover `depth` bytes and check the combined stack. */
static int touch_stack(struct sbpf_env *env, struct sbpf_func_state *f, int64_t min_off)
{
	uint32_t depth = (uint32_t)-min_off;
	if (func_grow_stack(f, (depth + 7) / 8))
		return -ENOMEM;
	if (depth > f->depth) {
		f->depth = depth;
		struct sbpf_subprog *sp = &env->subprogs[f->subprogno];
		if (depth > sp->stack_depth)
			sp->stack_depth = depth;
		return check_combined_stack(env);
	}
	return 0;
}

static int stack_bounds(struct sbpf_env *env, const char *name, const struct sbpf_reg *reg, int32_t off,
			int size, const char *extra, int64_t *min_off, int64_t *max_off)
{
	if (scalar_is_const(&reg->s)) {
		*min_off = (int64_t)scalar_const(&reg->s) + off;
		*max_off = *min_off + size;
	} else {
		if (reg->s.smax >= MAX_VAR_OFF || reg->s.smin <= -MAX_VAR_OFF)
			return verr(env, -EACCES, "invalid unbounded variable-offset%s stack %s", extra, name);
		*min_off = reg->s.smin + off;
		*max_off = reg->s.smax + off + size;
	}
	if (*min_off < -SBPF_STACK_SIZE || *min_off >= 0 || *max_off > 0 || size <= 0) {
		if (scalar_is_const(&reg->s))
			return verr(env, -EACCES, "invalid%s stack %s off=%d size=%d", extra, name, off, size);
		char tn[64];
		tnum_str(tn, sizeof(tn), reg->s.var_off);
		return verr(env, -EACCES, "invalid variable-offset%s stack %s var_off=%s off=%d size=%d", extra,
			    name, tn, off, size);
	}
	return 0;
}

static void stack_write_fixed(struct sbpf_env *env, struct sbpf_func_state *f, int64_t min_off, int size,
			      const struct sbpf_reg *val, bool val_zero)
{
	int slot = (int)(-min_off - 1), spi = slot / 8;
	struct sbpf_stack_slot *s = &f->stack[spi];
	if (f == cur_frame(env))
		mark_slot_scratched(env, spi);
	/* a spill: any pointer (8 bytes, checked by the caller), and a scalar
	 * of any size stored at the start of a slot (Linux's
	 * save_register_state: the bytes it covers become STACK_SPILL, the
	 * others of the slot STACK_MISC unless zero or uninitialised) */
	if (val && (val->type != SCALAR_VALUE || slot % 8 == 7)) {
		s->spilled = *val;
		for (int i = 0; i < 8; i++) {
			uint8_t *t = &s->types[7 - i];   /* the byte at min_off + i */
			if (i < size)
				*t = STACK_SPILL;
			else if (*t != STACK_ZERO && *t != STACK_INVALID)
				*t = STACK_MISC;
		}
		return;
	}
	scrub_slot(s);
	for (int i = 0; i < size; i++)
		s->types[(slot - i) % 8] = val_zero ? STACK_ZERO : STACK_MISC;
}

/* Linux's check_stack_read_fixed_off for a register destination; the
 * caller narrows what a load of size < 8 yields (scalar_coerce) */
static void stack_read_fixed(struct sbpf_env *env, struct sbpf_func_state *f, int64_t min_off, int size,
			     bool sx, struct sbpf_reg *dst)
{
	int slot = (int)(-min_off - 1), spi = slot / 8;
	struct sbpf_stack_slot *s = &f->stack[spi];
	if (s->types[7] == STACK_SPILL) {
		int spill_size = 1;
		for (int i = 7; i > 0 && s->types[i - 1] == STACK_SPILL; i--)
			spill_size++;
		if (size == 8 && spill_size == 8) {
			*dst = s->spilled;
			return;
		}
		/* the low bytes of a spilled scalar (little-endian: at the
		 * slot's start) are the register, narrowed */
		if (size <= spill_size && slot % 8 == 7) {
			if (size == 4 && spill_size == 4 && reg_width(&s->spilled) <= 32)
				assign_scalar_id_before_mov(env, &s->spilled);
			*dst = s->spilled;
			if (reg_width(&s->spilled) > size * 8)
				reg_clear_scalar_id(dst);
			return;
		}
		int spill_cnt = 0, zero_cnt = 0;
		for (int i = 0; i < size; i++) {
			uint8_t t = s->types[(slot - i) % 8];
			spill_cnt += t == STACK_SPILL;
			zero_cnt += t == STACK_ZERO;
		}
		if ((spill_cnt == size && reg_is_const(&s->spilled) && scalar_const(&s->spilled.s) == 0) ||
		    zero_cnt == size)
			reg_mark_known(dst, 0);
		else
			mark_loaded(dst, size, sx);
		return;
	}
	bool zero = true;
	for (int i = 0; i < size; i++)
		zero &= s->types[(slot - i) % 8] == STACK_ZERO;
	if (zero)
		reg_mark_known(dst, 0);
	else
		mark_loaded(dst, size, sx);
}

/* mark every byte of [min_off, max_off) of frame f as written with unknown data */
static void stack_write_range(struct sbpf_env *env, struct sbpf_func_state *f, int64_t min_off, int64_t max_off)
{
	for (int64_t a = min_off; a < max_off; a++) {
		int slot = (int)(-a - 1), spi = slot / 8;
		struct sbpf_stack_slot *s = &f->stack[spi];
		scrub_slot(s);
		s->types[slot % 8] = STACK_MISC;
		if (f == cur_frame(env))
			mark_slot_scratched(env, spi);
	}
}

static int stack_access(struct sbpf_env *env, int regno, const struct sbpf_reg *reg, int32_t off, int size,
			int acc, const struct sbpf_reg *val, bool val_zero, struct sbpf_reg *dst, bool sx)
{
	char name[8];
	snprintf(name, sizeof(name), "R%d", regno);
	struct sbpf_func_state *f = env->cur.frame[reg->frameno];
	if (size > 1) {
		struct tnum t = tnum_add(reg->s.var_off, tnum_const((uint64_t)(int64_t)off));
		if (!tnum_is_aligned(t, (uint64_t)size)) {
			char tn[64];
			tnum_str(tn, sizeof(tn), reg->s.var_off);
			return verr(env, -EACCES, "misaligned stack access off %s+%d+%d size %d", tn, reg->off,
				    off - reg->off, size);
		}
	}
	int64_t min_off, max_off;
	int err = stack_bounds(env, name, reg, off, size, acc == ACC_WRITE ? " write to" : " read from",
			       &min_off, &max_off);
	if (!err)
		err = touch_stack(env, f, min_off);
	if (err)
		return err;
	bool fixed = scalar_is_const(&reg->s);
	if (acc == ACC_WRITE) {
		if (val && val->type != SCALAR_VALUE) {
			if (size != 8)
				return verr(env, -EACCES, "invalid size of register spill");
			if (f != cur_frame(env) && BASE_TYPE(val->type) == PTR_TO_STACK)
				return verr(env, -EINVAL, "cannot spill pointers to stack into stack frame of the caller");
		}
		if (fixed)
			stack_write_fixed(env, f, min_off, size, val, val_zero);
		else
			stack_write_range(env, f, min_off, max_off);
		return 0;
	}
	if (!dst)
		return 0;
	if (!fixed) {
		mark_loaded(dst, size, sx);
		return 0;
	}
	const struct sbpf_stack_slot *s = &f->stack[(-min_off - 1) / 8];
	if (f == cur_frame(env))
		mark_slot_scratched(env, (int)((-min_off - 1) / 8));
	if (s->types[7] == STACK_SPILL && size != 8 && s->spilled.type != SCALAR_VALUE)
		return verr(env, -EACCES, "invalid size of register fill");
	stack_read_fixed(env, f, min_off, size, sx, dst);
	/* check_mem_access: b/h/w loads of a scalar zero- or sign-extend it */
	if (size < 8 && dst->type == SCALAR_VALUE)
		scalar_coerce(&dst->s, size, sx);
	return 0;
}

/* Linux's __check_mem_access + check_mem_region_access for PTR_TO_MEM */
static int mem_region(struct sbpf_env *env, const char *name, const struct sbpf_reg *reg, int32_t off,
		      int64_t size, bool zero_ok)
{
	int64_t smin = reg->s.smin;
	uint64_t umax = reg->s.umax;
	uint32_t msz = reg->mem_size;
	if (smin < 0 && (smin == INT64_MIN || off + smin != (int64_t)(int32_t)(off + smin) || smin + off < 0))
		return verr(env, -EACCES,
			    "%s min value is negative, either use unsigned index or do a if (index >=0) check.", name);
#define MEM_OK(o) ((size > 0 || (zero_ok && size == 0)) && (o) >= 0 && (uint64_t)(o) + (uint64_t)size <= msz)
	int64_t lo = smin + off;
	if (!MEM_OK(lo)) {
		verr(env, 0, "invalid access to memory, mem_size=%u off=%d size=%d", msz, (int)lo, (int)size);
		return verr(env, -EACCES, "%s min value is outside of the allowed memory range", name);
	}
	if (umax >= (uint64_t)MAX_VAR_OFF)
		return verr(env, -EACCES, "%s unbounded memory access, make sure to bounds check any such access",
			    name);
	int64_t hi = (int64_t)umax + off;
	if (!MEM_OK(hi)) {
		verr(env, 0, "invalid access to memory, mem_size=%u off=%d size=%d", msz, (int)hi, (int)size);
		return verr(env, -EACCES, "%s max value is outside of the allowed memory range", name);
	}
#undef MEM_OK
	return 0;
}

int check_mem_access(struct sbpf_env *env, int regno, int32_t off, int size, int acc, int value_regno,
		     const int64_t *imm_val, bool sign_extend)
{
	struct sbpf_func_state *fr = cur_frame(env);
	const struct sbpf_reg reg = fr->regs[regno];
	struct sbpf_reg val, loaded;
	bool val_zero = false;
	const struct sbpf_reg *valp = NULL;
	if (acc == ACC_WRITE && value_regno >= 0) {
		struct sbpf_reg *v = &fr->regs[value_regno];
		/* a scalar spilled at the start of a stack slot stays linked to
		 * its register when it fits in the store (Linux's
		 * check_stack_write_fixed_off) */
		if (v->type == SCALAR_VALUE && BASE_TYPE(reg.type) == PTR_TO_STACK && scalar_is_const(&reg.s) &&
		    ((int64_t)scalar_const(&reg.s) + reg.off + off) % 8 == 0) {
			if (reg_width(v) <= 8 * size)
				assign_scalar_id_before_mov(env, v);
		}
		val = *v;
		if (val.type == SCALAR_VALUE && reg_width(&val) > 8 * size)
			reg_clear_scalar_id(&val);
		valp = &val;
		val_zero = reg_is_const(&val) && scalar_const(&val.s) == 0;
	} else if (acc == ACC_WRITE && imm_val) {
		reg_mark_known(&val, (uint64_t)*imm_val);
		valp = &val;
		val_zero = *imm_val == 0;
	}
	reg_mark_not_init(&loaded);
	int err;
	if (reg.type & PTR_MAYBE_NULL || reg.type == SCALAR_VALUE)
		return verr(env, -EACCES, "R%d invalid mem access '%s'", regno, reg_type_str(reg.type));
	switch (BASE_TYPE(reg.type)) {
	case PTR_TO_STACK:
		err = stack_access(env, regno, &reg, off + reg.off, size, acc, valp, val_zero, &loaded,
				   sign_extend);
		break;
	case PTR_TO_MEM: {
		char name[8];
		snprintf(name, sizeof(name), "R%d", regno);
		err = mem_region(env, name, &reg, off + reg.off, size, false);
		if (!err && acc == ACC_READ)
			mark_loaded(&loaded, size, sign_extend);
		break;
	}
	case PTR_TO_CTX:
		return verr(env, -EACCES, "invalid bpf_context access off=%d size=%d", off + reg.off, size);
	default:
		return verr(env, -EACCES, "R%d invalid mem access '%s'", regno, reg_type_str(reg.type));
	}
	if (err)
		return err;
	if (acc == ACC_READ && value_regno >= 0) {
		fr->regs[value_regno] = loaded;
		mark_reg_scratched(env, value_regno);
	}
	return 0;
}

/* atomics, load-acquire and store-release must be naturally aligned on every
 * pointer type (Linux's strict_alignment_once); the stack checks its own */
static int check_align_strict(struct sbpf_env *env, int regno, int32_t off, int size)
{
	const struct sbpf_reg *r = &cur_frame(env)->regs[regno];
	if (r->type == SCALAR_VALUE || BASE_TYPE(r->type) == PTR_TO_STACK || size == 1)
		return 0;
	struct tnum t = tnum_add(r->s.var_off, tnum_const((uint64_t)(int64_t)(r->off + off)));
	if (tnum_is_aligned(t, (uint64_t)size))
		return 0;
	char tn[64];
	tnum_str(tn, sizeof(tn), r->s.var_off);
	return verr(env, -EACCES, "misaligned access off %s+%d+%d size %d", tn, r->off, off, size);
}

static int check_atomic(struct sbpf_env *env, const struct stackbpf_insn *in, uint8_t shape)
{
	int size = sbpf_size_bytes(in->code), err;
	if ((err = check_reg_read(env, in->src)) || (err = check_reg_read(env, in->dst)))
		return err;
	if (shape == S_CMPXCHG && (err = check_reg_read(env, 0)))
		return err;
	if ((err = check_align_strict(env, in->dst, in->off, size)))
		return err;
	int load = shape == S_ATOMIC ? -1 : shape == S_CMPXCHG ? 0 : in->src;
	if ((err = check_mem_access(env, in->dst, in->off, size, ACC_READ, -1, NULL, false)))
		return err;
	if ((err = check_mem_access(env, in->dst, in->off, size, ACC_WRITE, -1, NULL, false)))
		return err;
	if (load >= 0) {
		struct sbpf_reg *r = &cur_frame(env)->regs[load];
		mark_loaded(r, size, false);
		mark_reg_scratched(env, load);
	}
	return 0;
}

int check_ldx_st(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f)
{
	uint8_t shape = sbpf_opinfo[f].shape;
	int size = sbpf_size_bytes(in->code), err;
	switch (shape) {
	case S_LD_IMM64: {
		struct sbpf_reg *d = &cur_frame(env)->regs[in->dst];
		uint64_t v = (uint32_t)in->imm | (uint64_t)(uint32_t)env->insns[env->insn_idx + 1].imm << 32;
		reg_mark_known(d, v);
		mark_reg_scratched(env, in->dst);
		return 0;
	}
	case S_LD_ABS: case S_LD_IND:
		return verr(env, -EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
	case S_LDX: case S_LOAD_ACQ:
		if ((err = check_reg_read(env, in->src)))
			return err;
		if (shape == S_LOAD_ACQ && (err = check_align_strict(env, in->src, in->off, size)))
			return err;
		mark_reg_scratched(env, in->dst);
		return check_mem_access(env, in->src, in->off, size, ACC_READ, in->dst, NULL,
					SBPF_MODE(in->code) == SBPF_MEMSX);
	case S_ST: {
		if ((err = check_reg_read(env, in->dst)))
			return err;
		int64_t imm = in->imm;
		return check_mem_access(env, in->dst, in->off, size, ACC_WRITE, -1, &imm, false);
	}
	case S_STX: case S_STORE_REL:
		if ((err = check_reg_read(env, in->dst)) || (err = check_reg_read(env, in->src)))
			return err;
		if (shape == S_STORE_REL && (err = check_align_strict(env, in->dst, in->off, size)))
			return err;
		return check_mem_access(env, in->dst, in->off, size, ACC_WRITE, in->src, NULL, false);
	case S_ATOMIC: case S_ATOMIC_FETCH: case S_XCHG: case S_CMPXCHG:
		return check_atomic(env, in, shape);
	default:
		return verr(env, -EINVAL, "unknown insn class %d", SBPF_CLASS(in->code));
	}
}

int check_mem_range(struct sbpf_env *env, const struct sbpf_reg *ptr, const char *name,
		    const struct sbpf_reg *size_reg, const char *size_name, bool write)
{
	if (size_reg->type != SCALAR_VALUE)
		return verr(env, -EACCES, "%s type=%s expected=scalar", size_name, reg_type_str(size_reg->type));
	if (size_reg->s.smin < 0)
		return verr(env, -EACCES, "%s min value is negative, either use unsigned or 'var &= const'",
			    size_name);
	if (size_reg->s.umax >= (uint64_t)MAX_VAR_OFF)
		return verr(env, -EACCES, "%s unbounded memory access, use 'var &= const' or 'if (var < const)'",
			    size_name);
	int64_t size = (int64_t)size_reg->s.umax;
	uint16_t t = BASE_TYPE(ptr->type);
	if ((ptr->type & PTR_MAYBE_NULL) || (t != PTR_TO_STACK && t != PTR_TO_MEM))
		return verr(env, -EACCES, "%s type=%s expected=fp, mem", name, reg_type_str(ptr->type));
	if (size == 0)
		return 0;
	if (t == PTR_TO_MEM)
		return mem_region(env, name, ptr, ptr->off, size, true);
	struct sbpf_func_state *f = env->cur.frame[ptr->frameno];
	int64_t min_off, max_off;
	int err = stack_bounds(env, name, ptr, ptr->off, (int)size, " indirect access to", &min_off, &max_off);
	if (!err)
		err = touch_stack(env, f, min_off);
	if (err)
		return err;
	if (write)
		stack_write_range(env, f, min_off, max_off);
	return 0;
}
