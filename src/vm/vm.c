/* vm.c - the vm object: options, pre-decoding a program for one engine
 * (see vm_int.h), running it, and error messages.
 *
 * stackbpf_vm__new validates the program's structure again (cheap, and it
 * keeps the engines safe from malformed control flow), resolves every helper
 * and host-function call against opts->host, maps r11 offsets to slot numbers,
 * and stores each instruction's handler address. Calls that do not resolve
 * and r11 offsets beyond the seven slots become handlers that stop the run
 * with a message, so the engines never check them on the fast path.
 *
 * A vm owns its stacks (8 frames of 512 bytes, zeroed when the vm is created,
 * not before every run) and is not reentrant: use one vm per thread. The
 * host registry must outlive the vm. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/validate.h"
#include "maps/map_int.h"
#include "jit/jit.h"
#include "prog/program.h"
#include "vm/host.h"
#include "vm/vm_int.h"

enum { DEFAULT_MAY_GOTO_BUDGET = 8 * 1024 * 1024 };   /* Linux's BPF_MAX_LOOPS */

/* field of a caller's opts struct, if its sz covers it */
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, def) (OPTS_HAS(opts, field) ? (opts)->field : (def))

int sbpf_vm_fault(struct stackbpf_vm *vm, int err, size_t idx, const char *fmt, ...)
{
	int n = snprintf(vm->errmsg, sizeof(vm->errmsg), "insn %zu: ", idx);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vm->errmsg + n, sizeof(vm->errmsg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (vm->log)
		vm->log(vm->log_ctx, 0, vm->errmsg);
	return err;
}

static void log_error(const struct stackbpf_vm_opts *opts, const char *msg)
{
	stackbpf_log_fn log = OPTS_GET(opts, log, NULL);
	if (log)
		log(OPTS_GET(opts, log_ctx, NULL), 0, msg);
}

/* r11 offset -> slot 0..6, or -1 when out of range */
static int arg_slot(int off)
{
	int k = (off < 0 ? -off : off) / 8;
	return k >= 1 && k <= SBPF_MAX_STACK_ARGS ? k - 1 : -1;
}

/* the latch superinstruction for `rX += K` followed by form f, or 0 */
static const int16_t latch_of[SBPF_NFORMS] = {
#define M(J) [SBPF_OP_##J] = SBPF_X_ADDK_##J,
	SBPF_LATCH_JUMPS(M)
#undef M
};

static void predecode(struct stackbpf_vm *vm, const void *const *labels)
{
	size_t ncalls = 0;
	for (size_t i = 0; i < vm->cnt; i++) {
		const struct stackbpf_insn *in = &vm->insns[i];
		union sbpf_xinsn *x = &vm->code[i];
		enum sbpf_form f = sbpf_decode(in);
		int h = f, slot;
		const struct stackbpf_fn_desc *fd;
		x->dst = in->dst;
		x->src = in->src;
		x->off = in->off;
		x->imm = in->imm;
		switch (sbpf_opinfo[f].shape) {
		case S_LD_IMM64:
			x[1].k64 = (uint64_t)(uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
			if (f == SBPF_OP_LDDW_FUNC) {
				/* a callback: the address of its first pre-decoded insn
				 * (validated: i + 1 + imm is a subprogram start) */
				x[1].k64 = (uintptr_t)&vm->code[i + 1 + (int64_t)in->imm];
				h = SBPF_OP_LDDW;
			}
			x->h = labels[h];
			i++;
			continue;
		case S_ARG_LDX: case S_ARG_STX: case S_ARG_ST:
			slot = arg_slot(in->off);
			if (slot < 0)
				h = SBPF_X_ARG_BAD;
			x->off = (int16_t)slot;
			break;
		case S_CALL: case S_CALL_KFUNC:
			fd = f == SBPF_OP_CALL ? stackbpf_host__helper(vm->host, in->imm)
					       : stackbpf_host__fn(vm->host, in->imm);
			if (!fd) {
				h = SBPF_X_CALL_BAD;
				break;
			}
			if (f == SBPF_OP_CALL && fd->fn == (void *)sbpf_helper_tail_call)
				h = SBPF_X_TAIL_CALL;
			else if (f == SBPF_OP_CALL && fd->fn == (void *)sbpf_helper_loop)
				h = SBPF_X_LOOP;
			vm->calls[ncalls] = fd;
			x->imm = (int32_t)ncalls++;
			break;
		case S_ALU_K: {
			/* i + 1 exists: the last instruction is an exit or a jump */
			enum sbpf_form next = sbpf_decode(&in[1]);
			if (f == SBPF_OP_ADD64_K && next != SBPF_OP_INVALID && latch_of[next])
				h = latch_of[next];
			break;
		}
		default:
			break;
		}
		x->h = labels[h];
	}
	vm->code[vm->cnt].h = labels[SBPF_X_LOOP_NEXT];
}

struct stackbpf_vm *sbpf_vm_tail_target(const struct stackbpf_vm *cur, uint64_t map, uint64_t idx, uint32_t *cnt)
{
	struct stackbpf_map *m = (struct stackbpf_map *)(uintptr_t)map;
	uint32_t key = (uint32_t)idx;   /* Linux: u32 index */
	if (!m || m->type != STACKBPF_MAP_PROG_ARRAY || key >= m->max_entries || *cnt >= SBPF_MAX_TAIL_CALLS)
		return NULL;
	++*cnt;
	const uint32_t *v = m->ops->lookup(m, &key, 0);
	struct stackbpf_vm *t = v && cur->progs && *v < cur->prog_cnt ? cur->progs[*v] : NULL;
	/* an interpreted caller continues in t's pre-decoded code (a JIT
	 * caller needs it only to fail over: cheap, and done once) */
	if (t && !t->decoded)
		sbpf_vm_predecode(t);
	return t;
}

/* map references become plain ld_imm64 of the map (value) address */
static int resolve_map_refs(const struct stackbpf_prog *prog, struct stackbpf_insn *insns, size_t cnt)
{
	for (size_t i = 0; i + 1 < cnt; i++) {
		if (insns[i].code != (SBPF_LD | SBPF_IMM | SBPF_DW))
			continue;
		uint64_t v;
		int r = sbpf_prog_map_ref(prog, &insns[i], &v);
		if (r < 0)
			return r;
		if (r) {
			insns[i].src = 0;
			insns[i].imm = (int32_t)(uint32_t)v;
			insns[i + 1].imm = (int32_t)(uint32_t)(v >> 32);
		}
		i++;
	}
	return 0;
}

struct stackbpf_vm *stackbpf_vm__new(const struct stackbpf_prog *prog, const struct stackbpf_vm_opts *opts)
{
	const struct stackbpf_insn *insns = stackbpf_prog__insns(prog);
	size_t cnt = stackbpf_prog__insn_cnt(prog);
	char err[256];
	if (!prog || (opts && opts->sz < sizeof(size_t))) {
		errno = EINVAL;
		return NULL;
	}
	STACKBPF_OPTS(stackbpf_validate_opts, vopts, .map_cnt = stackbpf_prog__map_cnt(prog));
	int ret = sbpf_validate(insns, cnt, &vopts, err, sizeof(err));
	if (ret) {
		log_error(opts, err);
		errno = -ret;
		return NULL;
	}
	struct stackbpf_vm *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		errno = ENOMEM;
		return NULL;
	}
	vm->cnt = cnt;
	vm->code = calloc(cnt + 1, sizeof(*vm->code));   /* + the bpf_loop return point */
	vm->insns = malloc(cnt * sizeof(*insns));
	vm->calls = calloc(cnt, sizeof(*vm->calls));
	if (!vm->code || !vm->insns || !vm->calls) {
		stackbpf_vm__free(vm);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(vm->insns, insns, cnt * sizeof(*insns));
	if ((ret = resolve_map_refs(prog, vm->insns, cnt))) {
		log_error(opts, "ld_imm64 names a map the program does not have");
		stackbpf_vm__free(vm);
		errno = -ret;
		return NULL;
	}
	vm->host = OPTS_GET(opts, host, NULL);
	vm->may_goto_budget = OPTS_GET(opts, may_goto_budget, 0);
	if (!vm->may_goto_budget)
		vm->may_goto_budget = DEFAULT_MAY_GOTO_BUDGET;
	vm->checked = OPTS_GET(opts, checked, false);
	vm->insn_limit = OPTS_GET(opts, insn_limit, 0);
	vm->log = OPTS_GET(opts, log, NULL);
	vm->log_ctx = OPTS_GET(opts, log_ctx, NULL);
	vm->harden = OPTS_GET(opts, harden, false);
	vm->progs = OPTS_GET(opts, progs, NULL);
	vm->prog_cnt = vm->progs ? OPTS_GET(opts, prog_cnt, 0) : 0;
	vm->engine = vm->checked ? sbpf_engine_checked : sbpf_engine_fast;
	if (OPTS_GET(opts, engine, STACKBPF_ENGINE_INTERP) == STACKBPF_ENGINE_JIT) {
		char jerr[256], msg[300];
		/* validated above: the compiler need not do it again */
		struct sbpf_jit_opts jo = { .harden = vm->harden, .validated = true };
		vm->jit = sbpf_jit_compile(vm->insns, cnt, vm->host, vm->may_goto_budget, &jo, jerr, sizeof(jerr));
		if (vm->jit)
			vm->jit->st.vm = vm;
		if (!vm->jit && vm->log) {
			snprintf(msg, sizeof(msg), "jit: %s; falling back to the interpreter", jerr);
			vm->log(vm->log_ctx, 1, msg);
		}
	}
	/* a vm with native code pre-decodes for the interpreter only when an
	 * interpreted program tail-calls into it (sbpf_vm_tail_target) */
	if (!vm->jit)
		sbpf_vm_predecode(vm);
	return vm;
}

void sbpf_vm_predecode(struct stackbpf_vm *vm)
{
	struct sbpf_run r = { 0 };
	vm->engine(NULL, &r);   /* fetch the engine's label table */
	predecode(vm, r.labels);
	vm->decoded = true;
}

void sbpf_vm_set_engine(struct stackbpf_vm *vm, bool checked)
{
	vm->checked = checked;
	vm->engine = checked ? sbpf_engine_checked : sbpf_engine_fast;
	sbpf_vm_predecode(vm);
	memset(vm->stack, 0, sizeof(vm->stack));
}

void stackbpf_vm__free(struct stackbpf_vm *vm)
{
	if (!vm)
		return;
	sbpf_jit_free(vm->jit);
	free(vm->code);
	free(vm->insns);
	free(vm->calls);
	free(vm->regions);
	free(vm);
}

int stackbpf_vm__add_region(struct stackbpf_vm *vm, const void *addr, size_t len)
{
	if (!vm || !addr || !len || (uintptr_t)addr + len < (uintptr_t)addr)
		return -EINVAL;
	struct sbpf_region *r = realloc(vm->regions, (vm->nregions + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	vm->regions = r;
	r[vm->nregions].lo = (uintptr_t)addr;
	r[vm->nregions].hi = (uintptr_t)addr + len;
	vm->nregions++;
	return 0;
}

int stackbpf_vm__run(struct stackbpf_vm *vm, void *mem, size_t mem_len, uint64_t *r0)
{
	if (!vm || (!mem && mem_len))
		return -EINVAL;
	struct sbpf_run r = { .mem = mem, .len = mem_len };
	vm->errmsg[0] = '\0';
#ifdef SBPF_DEBUG
	for (int f = 1; f <= SBPF_MAX_CALL_FRAMES; f++)
		for (int k = 0; k < SBPF_MAX_STACK_ARGS; k++)
			vm->frames[f].out_args[k] = SBPF_POISON;
#endif
	if (vm->jit) {
		int jerr = sbpf_jit_run(vm->jit, vm->insns, mem, mem_len, r0 ? r0 : &r.r0, vm->errmsg,
					sizeof(vm->errmsg));
		if (jerr && vm->log)
			vm->log(vm->log_ctx, 0, vm->errmsg);
		return jerr;
	}
	int err = vm->engine(vm, &r);
	if (!err && r0)
		*r0 = r.r0;
	return err;
}

const void *stackbpf_vm__jit_code(const struct stackbpf_vm *vm, size_t *size)
{
	if (size)
		*size = vm && vm->jit ? vm->jit->size : 0;
	return vm && vm->jit ? vm->jit->code : NULL;
}

const char *stackbpf_vm__errmsg(const struct stackbpf_vm *vm)
{
	return vm ? vm->errmsg : "";
}
