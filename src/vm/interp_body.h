/* interp_body.h - THE interpreter, written once and compiled twice by interp.c:
 * with CHECKED 0 as the fast engine (no per-access checks; for verified or
 * trusted programs) and with CHECKED 1 as the checked engine (every load,
 * store and atomic is checked against the regions the program was given:
 * the entry memory and the stacks of the current call chain; an instruction
 * limit is honoured). Define ENGINE (the function name) and CHECKED first.
 *
 * Dispatch is direct threaded: vm.c stored in each pre-decoded instruction the
 * address of its label here (one label per form of opcodes.def, plus a few
 * extra handlers), so every handler ends in `goto *ip->h`. Registers live in
 * a local array; r11 is not a register but the frame's stack-argument slots.
 * Loop latches (`rX += K` + conditional jump, see vm_int.h) run as one
 * handler that still counts two instructions against the limit. */

int ENGINE(struct stackbpf_vm *vm, struct sbpf_run *run)
{
	static const void *const labels[SBPF_NHANDLERS] = {
#define X(ID, ...) [SBPF_OP_##ID] = &&L_##ID,
#include "isa/opcodes.def"
#undef X
		[SBPF_X_ARG_BAD] = &&L_ARG_BAD,
		[SBPF_X_CALL_BAD] = &&L_CALL_BAD,
		[SBPF_X_SLOT2] = &&L_SLOT2,
		[SBPF_X_TAIL_CALL] = &&L_TAIL_CALL,
		[SBPF_X_LOOP] = &&L_LOOP,
		[SBPF_X_LOOP_NEXT] = &&L_LOOP_NEXT,
#define M(J) [SBPF_X_ADDK_##J] = &&L_ADDK_##J,
		SBPF_LATCH_JUMPS(M)
#undef M
	};
	if (!vm) {
		run->labels = labels;
		return 0;
	}

	uint64_t reg[16] = { 0 };
	/* the program whose code runs: vm, or the target of a tail call (the
	 * stacks, frames and regions stay vm's) */
	const struct stackbpf_vm *cv = vm;
	const union sbpf_xinsn *base = vm->code;
	const union sbpf_xinsn *ip = base;
	uint32_t tail_cnt = 0;
	/* current frame; frames[0] is a sentinel "caller" of the main frame, whose
	 * zero slots are what r11+8k reads in main */
	struct sbpf_frame *fr = &vm->frames[1];
	uint64_t budget = vm->may_goto_budget;
	uint8_t *const stack_top = vm->stack + sizeof(vm->stack);
	const struct stackbpf_fn_desc *fd;
	uint64_t addr;
#if CHECKED
	uint64_t limit = vm->insn_limit ? vm->insn_limit : UINT64_MAX;
	const uint64_t mlo = (uintptr_t)run->mem, mhi = mlo + run->len;
	uint64_t slo = (uintptr_t)(stack_top - SBPF_STACK_SIZE);
	const uint64_t shi = (uintptr_t)stack_top;
	unsigned fsize = 0;
	const char *fkind = "";
#endif

	reg[1] = (uintptr_t)run->mem;
	reg[2] = run->len;
	reg[10] = (uintptr_t)stack_top;

#define D reg[ip->dst]
#define S reg[ip->src]
#define IMM ((uint64_t)(int64_t)ip->imm)      /* imm sign-extended to 64 bits */
#define U32(x) ((uint32_t)(x))
#define S32(x) ((int32_t)(uint32_t)(x))
#define IDX ((size_t)(ip - base))
#if CHECKED
#define TICK() do { if (limit-- == 0) goto insn_limit; } while (0)
#define DISPATCH() do { TICK(); goto *ip->h; } while (0)
#define IN(a, n, lo, hi) ((a) >= (lo) && (a) < (hi) && (uint64_t)(n) <= (hi) - (a))
#define CHECK(a, n, kind) do { \
	if (!IN(a, n, mlo, mhi) && !IN(a, n, slo, shi) && !sbpf_vm_in_regions(vm, a, n)) { \
		fsize = (n); fkind = (kind); goto mem_fault; } \
} while (0)
#define CHECK_ATOMIC(a, n, kind) do { \
	CHECK(a, n, kind); \
	if ((a) & ((n) - 1)) { fsize = (n); fkind = (kind); goto misaligned; } \
} while (0)
#else
#define TICK() ((void)0)
#define DISPATCH() goto *ip->h
#define CHECK(a, n, kind) ((void)0)
#define CHECK_ATOMIC(a, n, kind) ((void)0)
#endif
#define NEXT() do { ip++; DISPATCH(); } while (0)
#define JUMP_IF(c) do { ip += (c) ? 1 + (ptrdiff_t)ip->off : 1; DISPATCH(); } while (0)
#define PTR(T, a) ((T *)(uintptr_t)(a))
#ifdef SBPF_DEBUG
	/* after a call returns: r1-r5 are dead, and so is every outgoing slot */
#define CLOBBER_AFTER_CALL() do { \
	for (int k_ = 1; k_ <= 5; k_++) reg[k_] = SBPF_POISON; \
	for (int k_ = 0; k_ < SBPF_MAX_STACK_ARGS; k_++) fr->out_args[k_] = SBPF_POISON; \
} while (0)
#else
#define CLOBBER_AFTER_CALL() ((void)0)
#endif

	DISPATCH();

	/* ---------------------------------------------------------- ALU */
#define ALU(ID, OP) \
	L_##ID##64_K: D = D OP IMM; NEXT(); \
	L_##ID##64_X: D = D OP S; NEXT(); \
	L_##ID##32_K: D = U32(U32(D) OP U32(ip->imm)); NEXT(); \
	L_##ID##32_X: D = U32(U32(D) OP U32(S)); NEXT();
	ALU(ADD, +)
	ALU(SUB, -)
	ALU(MUL, *)
	ALU(OR, |)
	ALU(AND, &)
	ALU(XOR, ^)
#undef ALU
	/* shift amounts are masked to the operand width, as Linux's interpreter */
	L_LSH64_K: D <<= ip->imm & 63; NEXT();
	L_LSH64_X: D <<= S & 63; NEXT();
	L_LSH32_K: D = U32(U32(D) << (ip->imm & 31)); NEXT();
	L_LSH32_X: D = U32(U32(D) << (S & 31)); NEXT();
	L_RSH64_K: D >>= ip->imm & 63; NEXT();
	L_RSH64_X: D >>= S & 63; NEXT();
	L_RSH32_K: D = U32(D) >> (ip->imm & 31); NEXT();
	L_RSH32_X: D = U32(D) >> (S & 31); NEXT();
	L_ARSH64_K: D = (uint64_t)((int64_t)D >> (ip->imm & 63)); NEXT();
	L_ARSH64_X: D = (uint64_t)((int64_t)D >> (S & 63)); NEXT();
	L_ARSH32_K: D = U32(S32(D) >> (ip->imm & 31)); NEXT();
	L_ARSH32_X: D = U32(S32(D) >> (S & 31)); NEXT();

	/* division by zero gives 0, modulo by zero keeps dst (32-bit: its low
	 * half, zero-extended); INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0 */
	L_DIV64_K: D = ip->imm ? D / IMM : 0; NEXT();
	L_DIV64_X: D = S ? D / S : 0; NEXT();
	L_DIV32_K: D = ip->imm ? U32(D) / U32(ip->imm) : 0; NEXT();
	L_DIV32_X: D = U32(S) ? U32(D) / U32(S) : 0; NEXT();
	L_MOD64_K: D = ip->imm ? D % IMM : D; NEXT();
	L_MOD64_X: D = S ? D % S : D; NEXT();
	L_MOD32_K: D = ip->imm ? U32(D) % U32(ip->imm) : U32(D); NEXT();
	L_MOD32_X: D = U32(S) ? U32(D) % U32(S) : U32(D); NEXT();
#define SDIV64(b) do { int64_t b_ = (b); \
	D = b_ == 0 ? 0 : b_ == -1 ? 0 - D : (uint64_t)((int64_t)D / b_); NEXT(); } while (0)
#define SDIV32(b) do { int32_t b_ = (b); \
	D = b_ == 0 ? 0 : b_ == -1 ? U32(0u - U32(D)) : U32(S32(D) / b_); NEXT(); } while (0)
#define SMOD64(b) do { int64_t b_ = (b); \
	D = b_ == 0 ? D : b_ == -1 ? 0 : (uint64_t)((int64_t)D % b_); NEXT(); } while (0)
#define SMOD32(b) do { int32_t b_ = (b); \
	D = b_ == 0 ? U32(D) : b_ == -1 ? 0 : U32(S32(D) % b_); NEXT(); } while (0)
	L_SDIV64_K: SDIV64(ip->imm);
	L_SDIV64_X: SDIV64((int64_t)S);
	L_SDIV32_K: SDIV32(ip->imm);
	L_SDIV32_X: SDIV32(S32(S));
	L_SMOD64_K: SMOD64(ip->imm);
	L_SMOD64_X: SMOD64((int64_t)S);
	L_SMOD32_K: SMOD32(ip->imm);
	L_SMOD32_X: SMOD32(S32(S));
#undef SDIV64
#undef SDIV32
#undef SMOD64
#undef SMOD32

	L_MOV64_K: D = IMM; NEXT();
	L_MOV64_X: D = S; NEXT();
	L_MOV32_K: D = U32(ip->imm); NEXT();
	L_MOV32_X: D = U32(S); NEXT();
	L_MOVSX32_8: D = U32((int32_t)(int8_t)S); NEXT();
	L_MOVSX32_16: D = U32((int32_t)(int16_t)S); NEXT();
	L_MOVSX64_8: D = (uint64_t)(int64_t)(int8_t)S; NEXT();
	L_MOVSX64_16: D = (uint64_t)(int64_t)(int16_t)S; NEXT();
	L_MOVSX64_32: D = (uint64_t)(int64_t)(int32_t)S; NEXT();
	L_NEG64: D = 0 - D; NEXT();
	L_NEG32: D = U32(0u - U32(D)); NEXT();

	/* byte order: le/be convert to that order (truncating to the width),
	 * bswap always swaps */
	L_LE16: D = sbpf_to_le16((uint16_t)D); NEXT();
	L_LE32: D = sbpf_to_le32(U32(D)); NEXT();
	L_LE64: D = sbpf_to_le64(D); NEXT();
	L_BE16: D = sbpf_to_be16((uint16_t)D); NEXT();
	L_BE32: D = sbpf_to_be32(U32(D)); NEXT();
	L_BE64: D = sbpf_to_be64(D); NEXT();
	L_BSWAP16: D = __builtin_bswap16((uint16_t)D); NEXT();
	L_BSWAP32: D = __builtin_bswap32(U32(D)); NEXT();
	L_BSWAP64: D = __builtin_bswap64(D); NEXT();

	/* ------------------------------------------------ 64-bit immediates */
	L_LDDW: D = ip[1].k64; ip += 2; DISPATCH();
	L_LDDW_MAP_FD: L_LDDW_MAP_VALUE: L_LDDW_BTF_ID: L_LDDW_FUNC: L_LDDW_MAP_IDX:
	L_LDDW_MAP_IDX_VALUE:
		return sbpf_vm_fault(vm, -EINVAL, IDX, "ld_imm64 pseudo src %d needs an ELF object", ip->src);

	/* ------------------------------------- legacy packet loads (Linux) */
	{
		int64_t poff;
		unsigned psize;
	L_LDABSW: poff = ip->imm; psize = 4; goto ld_packet;
	L_LDABSH: poff = ip->imm; psize = 2; goto ld_packet;
	L_LDABSB: poff = ip->imm; psize = 1; goto ld_packet;
	L_LDINDW: poff = S32(U32(S) + U32(ip->imm)); psize = 4; goto ld_packet;
	L_LDINDH: poff = S32(U32(S) + U32(ip->imm)); psize = 2; goto ld_packet;
	L_LDINDB: poff = S32(U32(S) + U32(ip->imm)); psize = 1; goto ld_packet;
	ld_packet:
		/* out of bounds ends the program with r0 = 0, as Linux */
		if (poff < 0 || (uint64_t)poff + psize > run->len) {
			reg[0] = 0;
			goto done;
		}
		{
			const uint8_t *p = (const uint8_t *)run->mem + poff;
			reg[0] = psize == 4 ? sbpf_be32_load(p) : psize == 2 ? sbpf_be16_load(p) : p[0];
		}
		NEXT();
	}

	/* ------------------------------------------------- loads and stores */
#define LDX(ID, T, EXT) \
	L_##ID: addr = S + (uint64_t)(int64_t)ip->off; CHECK(addr, sizeof(T), "read"); \
		D = (EXT)sbpf_load_##T(addr); NEXT();
	LDX(LDXB, uint8_t, uint64_t)
	LDX(LDXH, uint16_t, uint64_t)
	LDX(LDXW, uint32_t, uint64_t)
	LDX(LDXDW, uint64_t, uint64_t)
	LDX(LDXSB, uint8_t, int8_t)
	LDX(LDXSH, uint16_t, int16_t)
	LDX(LDXSW, uint32_t, int32_t)
#undef LDX
#define STORE(ID, T, VAL) \
	L_##ID: addr = D + (uint64_t)(int64_t)ip->off; CHECK(addr, sizeof(T), "write"); \
		sbpf_store_##T(addr, (T)(VAL)); NEXT();
	STORE(STB, uint8_t, ip->imm)
	STORE(STH, uint16_t, ip->imm)
	STORE(STW, uint32_t, ip->imm)
	STORE(STDW, uint64_t, IMM)
	STORE(STXB, uint8_t, S)
	STORE(STXH, uint16_t, S)
	STORE(STXW, uint32_t, S)
	STORE(STXDW, uint64_t, S)
#undef STORE

	/* ---------------------------------------------------------- atomics */
#define ATOMIC(ID, T, OPFN, FETCH) \
	L_##ID: addr = D + (uint64_t)(int64_t)ip->off; CHECK_ATOMIC(addr, sizeof(T), "atomic access"); { \
		T old_ = OPFN(PTR(T, addr), (T)S, __ATOMIC_SEQ_CST); \
		if (FETCH) S = old_; \
	} NEXT();
	ATOMIC(AADD32, uint32_t, __atomic_fetch_add, 0)
	ATOMIC(AADD64, uint64_t, __atomic_fetch_add, 0)
	ATOMIC(AOR32, uint32_t, __atomic_fetch_or, 0)
	ATOMIC(AOR64, uint64_t, __atomic_fetch_or, 0)
	ATOMIC(AAND32, uint32_t, __atomic_fetch_and, 0)
	ATOMIC(AAND64, uint64_t, __atomic_fetch_and, 0)
	ATOMIC(AXOR32, uint32_t, __atomic_fetch_xor, 0)
	ATOMIC(AXOR64, uint64_t, __atomic_fetch_xor, 0)
	ATOMIC(AFADD32, uint32_t, __atomic_fetch_add, 1)
	ATOMIC(AFADD64, uint64_t, __atomic_fetch_add, 1)
	ATOMIC(AFOR32, uint32_t, __atomic_fetch_or, 1)
	ATOMIC(AFOR64, uint64_t, __atomic_fetch_or, 1)
	ATOMIC(AFAND32, uint32_t, __atomic_fetch_and, 1)
	ATOMIC(AFAND64, uint64_t, __atomic_fetch_and, 1)
	ATOMIC(AFXOR32, uint32_t, __atomic_fetch_xor, 1)
	ATOMIC(AFXOR64, uint64_t, __atomic_fetch_xor, 1)
	ATOMIC(AXCHG32, uint32_t, __atomic_exchange_n, 1)
	ATOMIC(AXCHG64, uint64_t, __atomic_exchange_n, 1)
#undef ATOMIC
	/* r0 = the old value, whether or not it equalled r0 */
#define CMPXCHG(ID, T) \
	L_##ID: addr = D + (uint64_t)(int64_t)ip->off; CHECK_ATOMIC(addr, sizeof(T), "atomic access"); { \
		T exp_ = (T)reg[0]; \
		__atomic_compare_exchange_n(PTR(T, addr), &exp_, (T)S, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
		reg[0] = exp_; \
	} NEXT();
	CMPXCHG(ACMPXCHG32, uint32_t)
	CMPXCHG(ACMPXCHG64, uint64_t)
#undef CMPXCHG
#define LOAD_ACQ(ID, T) \
	L_##ID: addr = S + (uint64_t)(int64_t)ip->off; CHECK_ATOMIC(addr, sizeof(T), "read"); \
		D = __atomic_load_n(PTR(T, addr), __ATOMIC_ACQUIRE); NEXT();
#define STORE_REL(ID, T) \
	L_##ID: addr = D + (uint64_t)(int64_t)ip->off; CHECK_ATOMIC(addr, sizeof(T), "write"); \
		__atomic_store_n(PTR(T, addr), (T)S, __ATOMIC_RELEASE); NEXT();
	LOAD_ACQ(LOAD_ACQ8, uint8_t)
	LOAD_ACQ(LOAD_ACQ16, uint16_t)
	LOAD_ACQ(LOAD_ACQ32, uint32_t)
	LOAD_ACQ(LOAD_ACQ64, uint64_t)
	STORE_REL(STORE_REL8, uint8_t)
	STORE_REL(STORE_REL16, uint16_t)
	STORE_REL(STORE_REL32, uint32_t)
	STORE_REL(STORE_REL64, uint64_t)
#undef LOAD_ACQ
#undef STORE_REL

	/* ------------------------------------------------------------ jumps */
#define JCC(ID, OP, T64, T32) \
	L_##ID##_K: JUMP_IF((T64)D OP (T64)IMM); \
	L_##ID##_X: JUMP_IF((T64)D OP (T64)S); \
	L_##ID##32_K: JUMP_IF((T32)U32(D) OP (T32)U32(ip->imm)); \
	L_##ID##32_X: JUMP_IF((T32)U32(D) OP (T32)U32(S));
	JCC(JEQ, ==, uint64_t, uint32_t)
	JCC(JNE, !=, uint64_t, uint32_t)
	JCC(JGT, >, uint64_t, uint32_t)
	JCC(JGE, >=, uint64_t, uint32_t)
	JCC(JLT, <, uint64_t, uint32_t)
	JCC(JLE, <=, uint64_t, uint32_t)
	JCC(JSET, &, uint64_t, uint32_t)
	JCC(JSGT, >, int64_t, int32_t)
	JCC(JSGE, >=, int64_t, int32_t)
	JCC(JSLT, <, int64_t, int32_t)
	JCC(JSLE, <=, int64_t, int32_t)
#undef JCC
	/* loop latches (vm_int.h): the add, then the jump's own handler */
#define M(J) L_ADDK_##J: D += IMM; ip++; TICK(); goto L_##J;
	SBPF_LATCH_JUMPS(M)
#undef M
	L_JA: ip += 1 + (ptrdiff_t)ip->off; DISPATCH();
	L_JA32: ip += 1 + (ptrdiff_t)ip->imm; DISPATCH();
	/* Linux: jump when the budget is exhausted, else count down */
	L_MAY_GOTO:
		if (budget == 0) {
			ip += 1 + (ptrdiff_t)ip->off;
			DISPATCH();
		}
		budget--;
		NEXT();

	/* ------------------------------------------------------------ calls */
	L_CALL: L_CALL_KFUNC:
		fd = cv->calls[ip->imm];
		goto host_call;
	L_CALLX: {
		uint64_t id = D;
		fd = id <= INT32_MAX ? stackbpf_host__helper(cv->host, (int32_t)id) : NULL;
		if (!fd)
			return sbpf_vm_fault(vm, -EINVAL, IDX, "callx to unknown helper %" PRId64, (int64_t)id);
	}
	host_call: {
		/* r1-r5, then arguments 6..12 from this frame's outgoing slots */
#if CHECKED
		for (unsigned k = 0; k + 1 < fd->nargs; k++) {
			uint8_t t = fd->arg_types[k];
			uint64_t p = k < 5 ? reg[1 + k] : fr->out_args[k - 5];
			uint64_t n = k + 1 < 5 ? reg[2 + k] : fr->out_args[k - 4];
			if ((t == STACKBPF_ARG_PTR_TO_MEM || t == STACKBPF_ARG_PTR_TO_MEM_RW) &&
			    fd->arg_types[k + 1] == STACKBPF_ARG_MEM_SIZE && n &&
			    !IN(p, n, mlo, mhi) && !IN(p, n, slo, shi) && !sbpf_vm_in_regions(vm, p, n))
				return sbpf_vm_fault(vm, -EFAULT, IDX,
						     "invalid %s of %" PRIu64 " bytes at 0x%" PRIx64
						     " (argument %u of %s; not in any region)",
						     t == STACKBPF_ARG_PTR_TO_MEM ? "read" : "write", n, p, k + 1, fd->name);
		}
#endif
		uint64_t ret = sbpf_host_call(fd, &reg[1], fr->out_args);
		reg[0] = ret;
		CLOBBER_AFTER_CALL();
		if (ret == 0 && (fd->flags & STACKBPF_FN_UNWIND_ON_ZERO))
			goto done;
		NEXT();
	}
	L_CALL_BAD: {
		const struct stackbpf_insn *in = &cv->insns[IDX];
		if (in->src == SBPF_CALL_KFUNC)
			return sbpf_vm_fault(vm, -EINVAL, IDX, "unknown host function #%d", in->imm);
		return sbpf_vm_fault(vm, -EINVAL, IDX, "invalid func unknown#%d", in->imm);
	}
	L_CALL_LOCAL:
		if (fr == &vm->frames[SBPF_MAX_CALL_FRAMES])
			return sbpf_vm_fault(vm, -EOVERFLOW, IDX, "the call stack of %d frames is too deep",
					     SBPF_MAX_CALL_FRAMES + 1);
		fr->ret = ip + 1;
		fr->ret_vm = cv;
		memcpy(fr->saved, &reg[6], sizeof(fr->saved));
		fr++;
		reg[10] -= SBPF_STACK_SIZE;
#if CHECKED
		slo -= SBPF_STACK_SIZE;
#endif
		ip += 1 + (ptrdiff_t)ip->imm;
		DISPATCH();
	L_EXIT:
		if (fr == &vm->frames[1])
			goto done;
		fr--;
		memcpy(&reg[6], fr->saved, sizeof(fr->saved));
		reg[10] += SBPF_STACK_SIZE;
#if CHECKED
		slo += SBPF_STACK_SIZE;
#endif
		ip = fr->ret;
		cv = fr->ret_vm;
		base = cv->code;
		CLOBBER_AFTER_CALL();
		DISPATCH();

	/* bpf_tail_call(ctx, prog_array, index): continue in the target's code,
	 * in this frame (vm.c: sbpf_vm_tail_target); fall through with r0 = 0 */
	L_TAIL_CALL: {
		const struct stackbpf_vm *t = sbpf_vm_tail_target(cv, reg[2], reg[3], &tail_cnt);
		if (!t) {
			reg[0] = 0;
			CLOBBER_AFTER_CALL();
			NEXT();
		}
		if (t->engine != vm->engine)
			return sbpf_vm_fault(vm, -EINVAL, IDX, "tail call to a program prepared for the %s interpreter",
					     t->checked ? "checked" : "fast");
		cv = t;
		base = ip = t->code;
		DISPATCH();
	}
	/* bpf_loop(nr, callback, ctx, flags): the frame keeps the loop; each
	 * callback returns to code[cnt] (L_LOOP_NEXT) */
	L_LOOP: {
		uint32_t nr = (uint32_t)reg[1];
		if (reg[4] || nr > SBPF_MAX_LOOPS || nr == 0) {
			reg[0] = reg[4] ? (uint64_t)-EINVAL : nr ? (uint64_t)-E2BIG : 0;
			CLOBBER_AFTER_CALL();
			NEXT();
		}
#if CHECKED
		if (reg[2] < (uintptr_t)base || reg[2] >= (uintptr_t)(base + cv->cnt) ||
		    (reg[2] - (uintptr_t)base) % sizeof(*base))
			return sbpf_vm_fault(vm, -EINVAL, IDX, "bpf_loop callback 0x%" PRIx64 " is not a function",
					     reg[2]);
#endif
		fr->loop_call = ip;
		fr->loop_fn = reg[2];
		fr->loop_ctx = reg[3];
		fr->loop_i = 0;
		fr->loop_nr = nr;
		reg[1] = 0;
		reg[2] = fr->loop_ctx;
		goto loop_enter;
	}
	L_LOOP_NEXT:
		fr->loop_i++;
		ip = fr->loop_call;
		if (reg[0] || fr->loop_i >= fr->loop_nr) {
			reg[0] = fr->loop_i;
			NEXT();
		}
		reg[1] = fr->loop_i;
		reg[2] = fr->loop_ctx;
	loop_enter:
		if (fr == &vm->frames[SBPF_MAX_CALL_FRAMES])
			return sbpf_vm_fault(vm, -EOVERFLOW, IDX, "the call stack of %d frames is too deep",
					     SBPF_MAX_CALL_FRAMES + 1);
		fr->ret = &cv->code[cv->cnt];
		fr->ret_vm = cv;
		memcpy(fr->saved, &reg[6], sizeof(fr->saved));
		fr++;
		reg[10] -= SBPF_STACK_SIZE;
#if CHECKED
		slo -= SBPF_STACK_SIZE;
#endif
		ip = (const union sbpf_xinsn *)(uintptr_t)fr[-1].loop_fn;
		DISPATCH();

	/* --------------------------------------- stack arguments (r11) */
	/* off holds the slot number 0..6 (vm.c); a callee reads its caller's
	 * outgoing slots, a caller writes its own */
	L_ARG_LDX: D = fr[-1].out_args[ip->off]; NEXT();
	L_ARG_STX: fr->out_args[ip->off] = S; NEXT();
	L_ARG_ST: fr->out_args[ip->off] = IMM; NEXT();
	L_ARG_BAD: {
		const struct stackbpf_insn *in = &cv->insns[IDX];
		return sbpf_vm_fault(vm, -EFAULT, IDX,
				     "invalid %s of 8 bytes at r11%+d (stack argument %d; at most %d)",
				     in->off > 0 ? "read" : "write", in->off, (in->off > 0 ? in->off : -in->off) / 8,
				     SBPF_MAX_STACK_ARGS);
	}
	L_SLOT2:
		return sbpf_vm_fault(vm, -EINVAL, IDX, "executed the second half of an ld_imm64");

#if CHECKED
mem_fault:
	return sbpf_vm_fault(vm, -EFAULT, IDX, "invalid %s of %u bytes at 0x%" PRIx64 " (not in any region)",
			     fkind, fsize, addr);
misaligned:
	return sbpf_vm_fault(vm, -EFAULT, IDX, "misaligned %s of %u bytes at 0x%" PRIx64, fkind, fsize, addr);
insn_limit:
	return sbpf_vm_fault(vm, -ETIME, IDX, "instruction limit of %" PRIu64 " reached", vm->insn_limit);
#endif
done:
	run->r0 = reg[0];
	return 0;

#undef D
#undef S
#undef IMM
#undef U32
#undef S32
#undef IDX
#undef IN
#undef DISPATCH
#undef TICK
#undef CHECK
#undef CHECK_ATOMIC
#undef NEXT
#undef JUMP_IF
#undef PTR
#undef CLOBBER_AFTER_CALL
}
