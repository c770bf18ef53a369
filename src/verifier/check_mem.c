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
#include "verifier/helpers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_VAR_OFF (1LL << 29)

/* a pointer's variable part as 6.18's misalignment messages print it: a
 * constant as a number ("0+0+-6"), otherwise "(value; mask)" */
static void tnum_str(char *buf, size_t n, struct tnum t)
{
	if (!t.mask)
		snprintf(buf, n, "%lld", (long long)t.value);
	else
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

/* "R<regno>" without snprintf: every access names its register (the name
 * only shows in an error, so this must be cheap) */
static void reg_name(char name[8], int regno)
{
	if (regno < 0 || regno > 99) {
		snprintf(name, 8, "R%d", regno);
		return;
	}
	int n = 0;
	name[n++] = 'R';
	if (regno >= 10)
		name[n++] = (char)('0' + regno / 10);
	name[n++] = (char)('0' + regno % 10);
	name[n] = '\0';
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
	reg_name(name, regno);
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

/* Linux's __check_mem_access: [off, off + size) inside `limit` bytes, or the
 * message of the region's kind (reg->type) and -EACCES */
static int region_access(struct sbpf_env *env, const char *name, const struct sbpf_reg *reg, int64_t off,
			 int64_t size, uint32_t limit, bool zero_ok)
{
	if ((size > 0 || (zero_ok && size == 0)) && off >= 0 && (uint64_t)off + (uint64_t)size <= limit)
		return 0;
	switch (reg->type) {
	case PTR_TO_MAP_KEY:
		return verr(env, -EACCES, "invalid access to map key, key_size=%u off=%d size=%d", limit, (int)off,
			    (int)size);
	case PTR_TO_MAP_VALUE:
		return verr(env, -EACCES, "invalid access to map value, value_size=%u off=%d size=%d", limit,
			    (int)off, (int)size);
	case PTR_TO_PACKET: case PTR_TO_PACKET_META: case PTR_TO_PACKET_END:
		return verr(env, -EACCES, "invalid access to packet, off=%d size=%d, %s(id=%u,off=%d,r=%d)", (int)off,
			    (int)size, name, reg->id, (int)off, (int)limit);
	default:
		return verr(env, -EACCES, "invalid access to memory, mem_size=%u off=%d size=%d", limit, (int)off,
			    (int)size);
	}
}

/* Linux's check_mem_region_access: the fixed offset plus the bounds of the
 * variable part inside `limit` bytes (memory, map values and keys) */
static int mem_region(struct sbpf_env *env, const char *name, const struct sbpf_reg *reg, int32_t off,
		      int64_t size, bool zero_ok, uint32_t limit)
{
	int64_t smin = reg->s.smin;
	uint64_t umax = reg->s.umax;
	if (smin < 0 && (smin == INT64_MIN || off + smin != (int64_t)(int32_t)(off + smin) || smin + off < 0))
		return verr(env, -EACCES,
			    "%s min value is negative, either use unsigned index or do a if (index >=0) check.", name);
	if (region_access(env, name, reg, smin + off, size, limit, zero_ok))
		return verr(env, -EACCES, "%s min value is outside of the allowed memory range", name);
	if (umax >= (uint64_t)MAX_VAR_OFF)
		return verr(env, -EACCES, "%s unbounded memory access, make sure to bounds check any such access",
			    name);
	if (region_access(env, name, reg, (int64_t)umax + off, size, limit, zero_ok))
		return verr(env, -EACCES, "%s max value is outside of the allowed memory range", name);
	return 0;
}

/* Linux's check_packet_access: the fixed offset against the range proven
 * by comparisons with data_end (reg.mem_size holds the range, negative:
 * at or beyond data_end); the variable part was accounted for when the
 * range was learned */
static int packet_access(struct sbpf_env *env, const char *name, const struct sbpf_reg *reg, int32_t off,
			 int64_t size, bool zero_ok)
{
	if (reg->s.smin < 0)
		return verr(env, -EACCES,
			    "%s min value is negative, either use unsigned index or do a if (index >=0) check.", name);
	int32_t range = (int32_t)reg->mem_size;
	if (range < 0 || region_access(env, name, reg, off, size, (uint32_t)range, zero_ok))
		return verr(env, -EACCES, "%s offset is outside of the packet", name);
	return 0;
}

/* Linux's check_map_access_type (BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG) */
static int map_access_type(struct sbpf_env *env, const struct sbpf_reg *reg, int32_t off, int64_t size, int acc)
{
	uint32_t flags = stackbpf_map__flags(reg->map_ptr), vs = stackbpf_map__value_size(reg->map_ptr);
	if (acc == ACC_WRITE && (flags & STACKBPF_F_RDONLY_PROG))
		return verr(env, -EACCES, "write into map forbidden, value_size=%u off=%d size=%d", vs, off,
			    (int)size);
	if (acc == ACC_READ && (flags & SBPF_F_WRONLY_PROG))
		return verr(env, -EACCES, "read from map forbidden, value_size=%u off=%d size=%d", vs, off,
			    (int)size);
	return 0;
}

/* Linux's check_ptr_alignment: only in strict mode (BPF_F_STRICT_ALIGNMENT,
 * or once for atomics); the stack has its own, always strict, check.
 * Packet data is checked as if it started NET_IP_ALIGN (2) bytes past an
 * aligned address. */
static int check_ptr_alignment(struct sbpf_env *env, const struct sbpf_reg *reg, int32_t off, int size,
			       bool strict_once)
{
	const char *desc = "";
	if (!(env->strict_alignment || strict_once) || size == 1)
		return 0;
	char tn[64];
	tnum_str(tn, sizeof(tn), reg->s.var_off);
	switch (BASE_TYPE(reg->type)) {
	case PTR_TO_PACKET: case PTR_TO_PACKET_META: {
		struct tnum t = tnum_add(reg->s.var_off, tnum_const((uint64_t)(int64_t)(2 + reg->off + off)));
		if (tnum_is_aligned(t, (uint64_t)size))
			return 0;
		return verr(env, -EACCES, "misaligned packet access off %d+%s+%d+%d size %d", 2, tn, reg->off, off,
			    size);
	}
	case PTR_TO_STACK:
		return 0;    /* stack_access */
	case PTR_TO_MAP_KEY: desc = "key "; break;
	case PTR_TO_MAP_VALUE: desc = "value "; break;
	case PTR_TO_CTX: desc = "context "; break;
	default: break;
	}
	struct tnum t = tnum_add(reg->s.var_off, tnum_const((uint64_t)(int64_t)(reg->off + off)));
	if (tnum_is_aligned(t, (uint64_t)size))
		return 0;
	return verr(env, -EACCES, "misaligned %saccess off %s+%d+%d size %d", desc, tn, reg->off, off, size);
}

/* Linux's bpf_map_direct_read: a read-only (BPF_F_RDONLY_PROG) one-element
 * array is read as constants, as Linux does for frozen maps (libbpf freezes
 * .rodata; here a read-only map counts as frozen: the host must not change
 * it after verification). true when *loaded got the value. */
static bool rdonly_map_read(const struct sbpf_reg *reg, int32_t off, int size, bool sx, struct sbpf_reg *loaded)
{
	const struct stackbpf_map *m = reg->map_ptr;
	size_t len = 0;
	if (!scalar_is_const(&reg->s) || !(stackbpf_map__flags(m) & STACKBPF_F_RDONLY_PROG) ||
	    stackbpf_map__type(m) != STACKBPF_MAP_ARRAY || stackbpf_map__max_entries(m) != 1)
		return false;
	const uint8_t *base = stackbpf_map__storage(m, &len);
	uint64_t at = (uint64_t)(int64_t)off + scalar_const(&reg->s), v = 0;
	if (!base || at + (uint64_t)size > len)
		return false;
	memcpy(&v, base + at, (size_t)size);   /* little-endian host */
	if (sx && size < 8) {
		int sh = 64 - 8 * size;
		v = (uint64_t)((int64_t)(v << sh) >> sh);
	}
	reg_mark_known(loaded, v);
	return true;
}

/* loads and stores through a pointer other than the stack; off includes reg->off */
static int mem_access_ptr(struct sbpf_env *env, int regno, const struct sbpf_reg *reg, int32_t off, int size,
			  int acc, struct sbpf_reg *loaded, bool sx)
{
	char name[8];
	reg_name(name, regno);
	int err;
	switch (BASE_TYPE(reg->type)) {
	case PTR_TO_MEM:
		if (acc == ACC_WRITE && (reg->type & MEM_RDONLY))
			return verr(env, -EACCES, "R%d cannot write into %s", regno, reg_type_str(reg->type));
		err = mem_region(env, name, reg, off, size, false, reg->mem_size);
		break;
	case PTR_TO_MAP_VALUE:
		if ((err = map_access_type(env, reg, off, size, acc)))
			return err;
		err = mem_region(env, name, reg, off, size, false, stackbpf_map__value_size(reg->map_ptr));
		if (!err && acc == ACC_READ && rdonly_map_read(reg, off, size, sx, loaded))
			return 0;
		break;
	case PTR_TO_MAP_KEY:
		if (acc == ACC_WRITE)
			return verr(env, -EACCES, "write to change key R%d not allowed", regno);
		err = mem_region(env, name, reg, off, size, false, stackbpf_map__key_size(reg->map_ptr));
		break;
	case PTR_TO_PACKET: case PTR_TO_PACKET_META:
		if (acc == ACC_WRITE && !ctx_may_access_pkt(env, true))
			return verr(env, -EACCES, "cannot write into packet");
		err = packet_access(env, name, reg, off, size, false);
		break;
	case PTR_TO_CTX:
		err = check_ctx_access(env, regno, reg, off, size, acc, sx, loaded);
		/* a scalar field: b/h/w loads zero- or sign-extend */
		if (!err && acc == ACC_READ && loaded->type == SCALAR_VALUE)
			mark_loaded(loaded, size, sx);
		return err;
	default:
		return verr(env, -EACCES, "R%d invalid mem access '%s'", regno, reg_type_str(reg->type));
	}
	if (!err && acc == ACC_READ)
		mark_loaded(loaded, size, sx);
	return err;
}

static int mem_access(struct sbpf_env *env, int regno, int32_t off, int size, int acc, int value_regno,
		      const int64_t *imm_val, bool sign_extend, bool strict_once)
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
	if ((err = check_ptr_alignment(env, &reg, off, size, strict_once)))
		return err;
	if (BASE_TYPE(reg.type) == PTR_TO_STACK)
		err = stack_access(env, regno, &reg, off + reg.off, size, acc, valp, val_zero, &loaded,
				   sign_extend);
	else
		err = mem_access_ptr(env, regno, &reg, off + reg.off, size, acc, &loaded, sign_extend);
	if (err)
		return err;
	if (acc == ACC_READ && value_regno >= 0) {
		fr->regs[value_regno] = loaded;
		mark_reg_scratched(env, value_regno);
	}
	return 0;
}

int check_mem_access(struct sbpf_env *env, int regno, int32_t off, int size, int acc, int value_regno,
		     const int64_t *imm_val, bool sign_extend)
{
	return mem_access(env, regno, off, size, acc, value_regno, imm_val, sign_extend, false);
}

/* Linux's atomic_ptr_type_ok: no atomics on the context or packet data */
static int atomic_ptr_ok(struct sbpf_env *env, int regno, bool load)
{
	const struct sbpf_reg *r = &cur_frame(env)->regs[regno];
	uint16_t t = r->type;
	if (t != PTR_TO_CTX && t != PTR_TO_PACKET && t != PTR_TO_PACKET_META && t != PTR_TO_PACKET_END)
		return 0;
	return verr(env, -EACCES, "BPF_ATOMIC %s R%d %s is not allowed", load ? "loads from" : "stores into", regno,
		    reg_type_str(t));
}

static int check_atomic(struct sbpf_env *env, const struct stackbpf_insn *in, uint8_t shape)
{
	int size = sbpf_size_bytes(in->code), err;
	if ((err = check_reg_read(env, in->src)) || (err = check_reg_read(env, in->dst)))
		return err;
	if (shape == S_CMPXCHG && (err = check_reg_read(env, 0)))
		return err;
	if ((err = atomic_ptr_ok(env, in->dst, false)))
		return err;
	int load = shape == S_ATOMIC ? -1 : shape == S_CMPXCHG ? 0 : in->src;
	if ((err = mem_access(env, in->dst, in->off, size, ACC_READ, -1, NULL, false, true)))
		return err;
	if ((err = mem_access(env, in->dst, in->off, size, ACC_WRITE, -1, NULL, false, true)))
		return err;
	if (load >= 0) {
		struct sbpf_reg *r = &cur_frame(env)->regs[load];
		mark_loaded(r, size, false);
		mark_reg_scratched(env, load);
	}
	return 0;
}

/* the value of map m at off as an ld_imm64 may name it (array_map_direct_value_addr) */
static int map_value_ref_ok(struct sbpf_env *env, const struct stackbpf_map *m, uint32_t off)
{
	if (off >= MAX_VAR_OFF)
		return verr(env, -EINVAL, "direct value offset of %u is not allowed", off);
	if (stackbpf_map__type(m) != STACKBPF_MAP_ARRAY)
		return verr(env, -EINVAL, "no direct value access support for this map type");
	if (stackbpf_map__max_entries(m) != 1 || off >= stackbpf_map__value_size(m))
		return verr(env, -EINVAL, "invalid access to map value pointer, value_size=%u off=%u",
			    stackbpf_map__value_size(m), off);
	return 0;
}

/* ld_imm64: a constant, or (src 1/5) a map, or (src 2/6) the value of a
 * one-element array map plus an offset (Linux's resolve_pseudo_ldimm64
 * and check_ld_imm) */
static int check_ld_imm64(struct sbpf_env *env, const struct stackbpf_insn *in)
{
	struct sbpf_reg *d = &cur_frame(env)->regs[in->dst];
	const struct stackbpf_insn *hi = &env->insns[env->insn_idx + 1];
	mark_reg_scratched(env, in->dst);
	if (in->src == SBPF_PSEUDO_FUNC)
		return check_ld_func(env, in);
	if (in->src != SBPF_PSEUDO_MAP_FD && in->src != SBPF_PSEUDO_MAP_IDX && in->src != SBPF_PSEUDO_MAP_VALUE &&
	    in->src != SBPF_PSEUDO_MAP_IDX_VALUE) {
		reg_mark_known(d, (uint32_t)in->imm | (uint64_t)(uint32_t)hi->imm << 32);
		return 0;
	}
	const struct stackbpf_map *m = stackbpf_prog__map(env->prog, (uint32_t)in->imm);
	if (!m)
		return verr(env, -EBADF, "fd %d is not pointing to valid bpf_map", in->imm);
	reg_mark_known(d, 0);
	d->map_ptr = m;
	if (in->src == SBPF_PSEUDO_MAP_FD || in->src == SBPF_PSEUDO_MAP_IDX) {
		d->type = CONST_PTR_TO_MAP;
		return 0;
	}
	int err = map_value_ref_ok(env, m, (uint32_t)hi->imm);
	if (err)
		return err;
	d->type = PTR_TO_MAP_VALUE;
	d->off = (int32_t)hi->imm;
	return 0;
}

int check_map_values_early(struct sbpf_env *env)
{
	for (size_t i = 0; i + 1 < env->cnt; i++) {
		const struct stackbpf_insn *in = &env->insns[i];
		if (env->forms[i] < 0 || !sbpf_form_is_wide((enum sbpf_form)env->forms[i]))
			continue;
		if (in->src == SBPF_PSEUDO_MAP_VALUE || in->src == SBPF_PSEUDO_MAP_IDX_VALUE) {
			const struct stackbpf_map *m = stackbpf_prog__map(env->prog, (uint32_t)in->imm);
			int err = m ? map_value_ref_ok(env, m, (uint32_t)env->insns[i + 1].imm)
				    : verr(env, -EBADF, "fd %d is not pointing to valid bpf_map", in->imm);
			if (err)
				return err;
		}
		i++;
	}
	return 0;
}

/* Linux's check_ld_abs: legacy packet loads of socket filters and tc
 * programs; r6 must be the unmodified context, r0 gets an unknown value and
 * r1..r5 are clobbered (the load may end the program) */
static int check_ld_abs(struct sbpf_env *env, const struct stackbpf_insn *in, bool ind)
{
	enum stackbpf_prog_type t = env->prog_type;
	struct sbpf_func_state *f = cur_frame(env);
	int err;
	if (t != STACKBPF_PROG_SOCKET_FILTER && t != STACKBPF_PROG_SCHED_CLS && t != STACKBPF_PROG_SCHED_ACT)
		return verr(env, -EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
	if ((err = check_reg_read(env, 6)) || (err = check_resource_leak(env, "BPF_LD_[ABS|IND]")))
		return err;
	const struct sbpf_reg *r6 = &f->regs[6];
	if (r6->type != PTR_TO_CTX)
		return verr(env, -EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
	if (ind && (err = check_reg_read(env, in->src)))
		return err;
	if (r6->off < 0)
		return verr(env, -EACCES, "negative offset ctx ptr R6 off=%d disallowed", r6->off);
	if (r6->off)
		return verr(env, -EACCES, "dereference of modified ctx ptr R6 off=%d disallowed", r6->off);
	if (!scalar_is_const(&r6->s) || scalar_const(&r6->s)) {
		char tn[64];
		tnum_str(tn, sizeof(tn), r6->s.var_off);
		return verr(env, -EACCES, "variable ctx access var_off=%s disallowed", tn);
	}
	for (int r = 0; r <= SBPF_MAX_REG_ARGS; r++) {
		reg_mark_not_init(&f->regs[r]);
		mark_reg_scratched(env, r);
	}
	reg_mark_unknown(&f->regs[0]);
	return 0;
}

int check_ldx_st(struct sbpf_env *env, const struct stackbpf_insn *in, enum sbpf_form f)
{
	uint8_t shape = sbpf_opinfo[f].shape;
	int size = sbpf_size_bytes(in->code), err;
	switch (shape) {
	case S_LD_IMM64:
		return check_ld_imm64(env, in);
	case S_LD_ABS: case S_LD_IND:
		return check_ld_abs(env, in, shape == S_LD_IND);
	case S_LDX: case S_LOAD_ACQ:
		if ((err = check_reg_read(env, in->src)))
			return err;
		mark_reg_scratched(env, in->dst);
		/* load-acquire: the access first, then the pointer type (6.18's
		 * check_atomic_load) */
		if ((err = mem_access(env, in->src, in->off, size, ACC_READ, in->dst, NULL,
				      SBPF_MODE(in->code) == SBPF_MEMSX, shape == S_LOAD_ACQ)))
			return err;
		return shape == S_LOAD_ACQ ? atomic_ptr_ok(env, in->src, true) : 0;
	case S_ST: {
		if ((err = check_reg_read(env, in->dst)))
			return err;
		int64_t imm = in->imm;
		return check_mem_access(env, in->dst, in->off, size, ACC_WRITE, -1, &imm, false);
	}
	case S_STX: case S_STORE_REL:
		if ((err = check_reg_read(env, in->dst)) || (err = check_reg_read(env, in->src)))
			return err;
		if ((err = mem_access(env, in->dst, in->off, size, ACC_WRITE, in->src, NULL, false, shape == S_STORE_REL)))
			return err;
		return shape == S_STORE_REL ? atomic_ptr_ok(env, in->dst, false) : 0;
	case S_ATOMIC: case S_ATOMIC_FETCH: case S_XCHG: case S_CMPXCHG:
		return check_atomic(env, in, shape);
	default:
		return verr(env, -EINVAL, "unknown insn class %d", SBPF_CLASS(in->code));
	}
}

/* Linux's check_helper_mem_access: [ptr, ptr + size) for a helper or host
 * function; size_reg's maximum is the size (its minimum was checked >= 0) */
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
	if ((ptr->type & PTR_MAYBE_NULL) || (t != PTR_TO_STACK && t != PTR_TO_MEM && t != PTR_TO_MAP_VALUE &&
					     t != PTR_TO_MAP_KEY && t != PTR_TO_PACKET && t != PTR_TO_PACKET_META))
		return verr(env, -EACCES, "%s type=%s expected=fp, pkt, pkt_meta, map_key, map_value, mem", name,
			    reg_type_str(ptr->type));
	if (size == 0 && t == PTR_TO_STACK) {
		/* vcalls, as the kernel (6.18): a zero-size stack range still
		 * needs its start inside the frame */
		int64_t o = (int64_t)ptr->off + (scalar_is_const(&ptr->s) ? (int64_t)scalar_const(&ptr->s) : ptr->s.smin);
		if (o < -SBPF_STACK_SIZE || o >= 0)
			return verr(env, -EACCES, "invalid%s stack %s off=%d size=0", write ? " write to" : " read from",
				    name, ptr->off);
		return 0;
	}
	if (size == 0)
		return 0;
	int acc = write ? ACC_WRITE : ACC_READ;
	int err;
	switch (t) {
	case PTR_TO_MEM:
		if (write && (ptr->type & MEM_RDONLY))
			return verr(env, -EACCES, "%s cannot write into %s", name, reg_type_str(ptr->type));
		return mem_region(env, name, ptr, ptr->off, size, true, ptr->mem_size);
	case PTR_TO_MAP_VALUE:
		if ((err = map_access_type(env, ptr, ptr->off, size, acc)))
			return err;
		return mem_region(env, name, ptr, ptr->off, size, true, stackbpf_map__value_size(ptr->map_ptr));
	case PTR_TO_MAP_KEY:
		if (write)
			return verr(env, -EACCES, "write to change key %s not allowed", name);
		return mem_region(env, name, ptr, ptr->off, size, true, stackbpf_map__key_size(ptr->map_ptr));
	case PTR_TO_PACKET: case PTR_TO_PACKET_META:
		if (!ctx_may_access_pkt(env, write))
			return verr(env, -EACCES, "helper access to the packet is not allowed");
		return packet_access(env, name, ptr, ptr->off, size, true);
	default:
		break;
	}
	struct sbpf_func_state *f = env->cur.frame[ptr->frameno];
	int64_t min_off, max_off;
	/* the kernel's helper stack accesses say "read from"/"write to" (6.18) */
	err = stack_bounds(env, name, ptr, ptr->off, (int)size, write ? " write to" : " read from", &min_off, &max_off);
	if (!err)
		err = touch_stack(env, f, min_off);
	if (err)
		return err;
	if (write)
		stack_write_range(env, f, min_off, max_off);
	return 0;
}
