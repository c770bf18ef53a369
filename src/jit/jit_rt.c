/* jit_rt.c - running JIT code: the entry call, the C helpers native code
 * calls (LD_ABS/LD_IND packet loads, callx look-ups, tail-call targets), and
 * turning a fault recorded by native code into the interpreter's error and
 * message. */
#include "jit/jit.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "isa/insn.h"
#include "vm/host.h"
#include "vm/vm_int.h"

uint64_t sbpf_jit_ld_packet(struct sbpf_jit_state *st, int64_t off, uint64_t size)
{
	/* out of bounds: UINT64_MAX, which no 1/2/4-byte load can produce */
	if (off < 0 || (uint64_t)off + size > st->len)
		return UINT64_MAX;
	const uint8_t *p = (const uint8_t *)st->mem + off;
	uint64_t v = 0;
	for (uint64_t k = 0; k < size; k++)
		v = v << 8 | p[k];
	return v;
}

uint64_t sbpf_jit_callx(struct sbpf_jit_state *st, uint64_t id, const uint64_t *args)
{
	const struct stackbpf_fn_desc *fd = id <= INT32_MAX ? stackbpf_host__helper(st->host, (int32_t)id) : NULL;
	if (!fd) {
		st->callx_status = 2;
		st->fault_val = id;
		return 0;
	}
	uint64_t r = sbpf_host_call(fd, args, args + SBPF_MAX_REG_ARGS);
	st->callx_status = r == 0 && (fd->flags & STACKBPF_FN_UNWIND_ON_ZERO);
	return r;
}

#define JIT_OF(st) ((struct sbpf_jit *)(void *)((char *)(st) - offsetof(struct sbpf_jit, st)))

uint64_t sbpf_jit_tail(struct sbpf_jit_state *st, uint64_t map, uint64_t key, uint64_t idx)
{
	struct sbpf_jit_state *root = st->root;
	const struct stackbpf_vm *t = st->vm ? sbpf_vm_tail_target(st->vm, map, key, &root->tail_cnt) : NULL;
	if (!t)
		return 0;
	if (!t->jit) {
		st->fault = JF_TAIL | (uint32_t)idx << 8;
		return (uintptr_t)(JIT_OF(st)->code + JIT_OF(st)->unwind_off);
	}
	struct sbpf_jit_state *ts = &t->jit->st;
	if (ts != st) {
		ts->saved_rsp = st->saved_rsp;
		ts->mem = st->mem;
		ts->len = st->len;
		ts->root = root;
	}
	ts->depth = st->depth;
	ts->fault = JF_NONE;
	if (ts != root && root->nchain < sizeof(root->chain) / sizeof(root->chain[0]))
		root->chain[root->nchain++] = ts;
	return (uintptr_t)(t->jit->code + t->jit->main_off);
}

int sbpf_jit_run(struct sbpf_jit *jit, const struct stackbpf_insn *insns, void *mem, size_t len, uint64_t *r0,
		 char *err, size_t errsz)
{
	struct sbpf_jit_state *st = &jit->st;
	st->mem = mem;
	st->len = len;
	st->depth = 1;
	st->fault = JF_NONE;
	st->root = st;
	st->tail_cnt = st->nchain = 0;
	uint64_t v = jit->entry(mem, len);
	/* a fault ends the run: it is in this state or in a tail call's */
	for (uint32_t k = 0; st->fault == JF_NONE && k < jit->st.nchain; k++)
		if (jit->st.chain[k]->fault != JF_NONE) {
			st = jit->st.chain[k];
			insns = st->vm->insns;
		}
	if (st->fault == JF_NONE) {
		*r0 = v;
		return 0;
	}
	uint32_t idx = st->fault >> 8;
	const struct stackbpf_insn *in = &insns[idx];
	int n = snprintf(err, errsz, "insn %" PRIu32 ": ", idx);
	if (n < 0 || (size_t)n >= errsz)
		n = 0;
	err += n;
	errsz -= (size_t)n;
	switch (st->fault & 0xff) {
	case JF_DEPTH:
		snprintf(err, errsz, "the call stack of %d frames is too deep", SBPF_MAX_CALL_FRAMES + 1);
		return -EOVERFLOW;
	case JF_CALL_BAD:
		if (in->src == SBPF_CALL_KFUNC)
			snprintf(err, errsz, "unknown host function #%d", in->imm);
		else
			snprintf(err, errsz, "invalid func unknown#%d", in->imm);
		return -EINVAL;
	case JF_CALLX:
		snprintf(err, errsz, "callx to unknown helper %" PRId64, (int64_t)st->fault_val);
		return -EINVAL;
	case JF_ARG_BAD:
		snprintf(err, errsz, "invalid %s of 8 bytes at r11%+d (stack argument %d; at most %d)",
			 in->off > 0 ? "read" : "write", in->off, (in->off > 0 ? in->off : -in->off) / 8,
			 SBPF_MAX_STACK_ARGS);
		return -EFAULT;
	case JF_TAIL:
		snprintf(err, errsz, "tail call to a program without native code");
		return -EINVAL;
	default:
		snprintf(err, errsz, "ld_imm64 pseudo src %d needs an ELF object", in->src);
		return -EINVAL;
	}
}
