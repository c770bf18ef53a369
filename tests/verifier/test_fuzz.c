/* test_fuzz.c - random programs through the verifier (it must never crash or
 * leak, under ASan/UBSan), and every accepted one through the checked
 * interpreter: an accepted program may not fault (soundness). The programs
 * are built from the instruction table with small offsets and immediates so
 * that many of them get past the first instructions; a fixed seed keeps runs
 * reproducible (`vt_fuzz N SEED` for more). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/opcodes.h"
#include "vt.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static int pick_reg(void)
{
	return (int)rnd(11);   /* r11 only through the stack-argument forms */
}

static size_t gen(struct stackbpf_insn *p, size_t max, int nhost)
{
	size_t n = 0, want;
	/* a prologue that initialises most registers: numbers, stack pointers */
	for (int r = 0; r <= 9; r++) {
		if (r == 1 && rnd(2))
			continue;                   /* keep the input pointer */
		if (rnd(3) == 0)
			p[n++] = (struct stackbpf_insn){ .code = 0xbf, .dst = (uint8_t)r, .src = 10 };
		else
			p[n++] = (struct stackbpf_insn){ .code = 0xb7, .dst = (uint8_t)r, .imm = (int32_t)rnd(16) };
		if (p[n - 1].src == 10)
			p[n++] = (struct stackbpf_insn){ .code = 0x07, .dst = (uint8_t)r, .imm = -8 * (1 + (int)rnd(4)) };
	}
	want = n + 1 + rnd((uint32_t)(max - n - 3));
	while (n < want) {
		enum sbpf_form f = (enum sbpf_form)rnd(SBPF_NFORMS);
		if (rnd(8) == 0)        /* favour stack arguments and calls */
			f = rnd(2) ? (enum sbpf_form)(SBPF_OP_ARG_LDX + (int)rnd(3)) :
			    rnd(2) ? SBPF_OP_CALL_KFUNC : SBPF_OP_CALL_LOCAL;
		struct stackbpf_insn in = { 0 };
		sbpf_form_encode(f, &in);
		uint8_t shape = sbpf_opinfo[f].shape;
		in.dst = (uint8_t)pick_reg();
		in.src = sbpf_opinfo[f].match == M_SRC ? in.src : (uint8_t)pick_reg();
		in.off = (int16_t)(8 * ((int)rnd(17) - 8) + (rnd(4) == 0 ? (int)rnd(8) : 0));
		if (sbpf_opinfo[f].match != M_IMM)
			in.imm = rnd(3) ? (int32_t)rnd(80) - 16 : (int32_t)rnd(1u << 31);
		switch (shape) {
		case S_JA: case S_JCC_K: case S_JCC_X: case S_MAY_GOTO:
			/* mostly forward: loops are rare and short */
			in.off = (int16_t)(rnd(10) ? (int)rnd(4) : -1 - (int)rnd(3));
			break;
		case S_JA32: case S_CALL_LOCAL:
			in.imm = (int32_t)rnd(6) - 2;
			break;
		case S_CALL_KFUNC:
			in.imm = 1 + (int32_t)rnd((uint32_t)nhost);
			break;
		case S_CALL:
			in.imm = (int32_t)rnd(8);
			break;
		case S_ARG_LDX: case S_ARG_STX: case S_ARG_ST:
			in.off = (int16_t)(shape == S_ARG_LDX ? 8 * (1 + (int)rnd(8)) : -8 * (1 + (int)rnd(8)));
			break;
		case S_ALU_K: case S_ALU_X:
			if (rnd(2))
				in.dst = (uint8_t)rnd(10);
			break;
		default:
			break;
		}
		/* fields the form does not use stay zero (the MATCH field keeps its value) */
		uint8_t uses = sbpf_shape_uses[shape], m = sbpf_opinfo[f].match;
		if (!(uses & F_DST) && m != M_DST11)
			in.dst = 0;
		if (!(uses & F_SRC) && m != M_SRC && m != M_SRC11)
			in.src = 0;
		if (!(uses & F_OFF) && m != M_OFF)
			in.off = 0;
		if (!(uses & F_IMM) && m != M_IMM)
			in.imm = 0;
		if (shape != S_ST && shape != S_STX && shape != S_ATOMIC && in.dst == 10 && rnd(32))
			in.dst = (uint8_t)rnd(10);   /* r10 is mostly a base, rarely a target */
		sbpf_form_encode(f, &in);         /* the opcode and the MATCH field */
		if (m == M_DST11)
			in.dst = 11;
		if (m == M_SRC11)
			in.src = 11;
		if (shape == S_LD_IMM64 && f != SBPF_OP_LDDW && rnd(8))
			continue;                     /* pseudo sources need an object */
		if (sbpf_form_is_wide(f)) {
			if (n + 2 >= max)
				continue;
			p[n++] = in;
			p[n++] = (struct stackbpf_insn){ .imm = (int32_t)rnd(100) };
			continue;
		}
		p[n++] = in;
	}
	p[n++] = (struct stackbpf_insn){ .code = 0xb7, .imm = 0 };
	p[n++] = (struct stackbpf_insn){ .code = 0x95 };
	/* mostly keep control inside main, and calls to one subprogram after it
	 * (r0 = r1; exit): otherwise most programs only test the CFG checks */
	size_t main_end = n;
	bool called = false;
	for (size_t i = 0; i < main_end; i++) {
		const struct stackbpf_insn *in = &p[i];
		uint8_t cls = in->code & 7, op = in->code & 0xf0;
		bool jmp = (cls == 5 || cls == 6) && op != 0x80 && op != 0x90;
		if (in->code == 0x18) {
			i++;
			continue;
		}
		if (jmp && rnd(16)) {
			bool ja32 = cls == 6 && op == 0;
			long t = (long)i + 1 + (ja32 ? p[i].imm : p[i].off);
			/* loops: now and then (each costs the verifier up to 1M insns) */
			if (t < 0 || t >= (long)main_end || (t <= (long)i && rnd(8))) {
				if (ja32)
					p[i].imm = 0;
				else
					p[i].off = 0;
			}
		} else if (in->code == 0x85 && in->src == 1 && rnd(16)) {
			p[i].imm = (int32_t)(main_end - i - 1);
			called = true;
		}
	}
	if (called) {   /* the subprogram exists only when something calls it */
		p[n++] = (struct stackbpf_insn){ .code = 0xbf, .dst = 0, .src = 1 };
		p[n++] = (struct stackbpf_insn){ .code = 0x95 };
	}
	return n;
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 10000;
	if (argc > 2)
		rng = strtoull(argv[2], NULL, 0) | 1;
	int nhost = 0;
	while (stackbpf_host__fn(vt_host(), nhost + 1))
		nhost++;
	int accepted = 0, faults = 0, timeouts = 0;
	static struct vt_log log;
	for (int i = 0; i < count; i++) {
		struct stackbpf_insn prog[64];
		size_t n = gen(prog, 60, nhost);
		uint32_t mem_size = rnd(3) * 32;
		STACKBPF_OPTS(stackbpf_verify_stats, st);
		int err = vt_verify(prog, n, mem_size, rnd(8) == 0, rnd(16) == 0 ? 2 : 1, &log, &st);
		if (getenv("VT_FUZZ_SLOW") && st.insns_processed > 100000)
			printf("program %d: %llu insns processed: %s\n", i, (unsigned long long)st.insns_processed, log.err);
		if (err) {
			if (getenv("VT_FUZZ_REASONS"))
				printf("reason: %s\n", log.err);
			if (getenv("VT_FUZZ_DUMP") && strstr(log.err, getenv("VT_FUZZ_DUMP"))) {
				STACKBPF_OPTS(stackbpf_disasm_opts, d0, .host = vt_host());
				stackbpf_disasm__prog(stdout, prog, n, &d0);
				return 0;
			}
			continue;
		}
		accepted++;
		struct stackbpf_prog *p = stackbpf_prog__from_insns(prog, n);
		STACKBPF_OPTS(stackbpf_vm_opts, vo, .host = vt_host(), .checked = true, .insn_limit = 2000000);
		struct stackbpf_vm *vm = stackbpf_vm__new(p, &vo);
		uint8_t mem[64] = { 1, 2, 3 };
		uint64_t r0;
		if (vm)
			stackbpf_vm__add_region(vm, t_buf, sizeof(t_buf));
		int rerr = vm ? stackbpf_vm__run(vm, mem_size ? mem : NULL, mem_size, &r0) : -1;
		if (rerr == -ETIME) {
			timeouts++;   /* a may_goto loop runs 8M times: not a fault */
		} else if (rerr) {
			faults++;
			if (faults <= 5) {
				fprintf(stderr, "program %d accepted but faults: %s\n", i, vm ? stackbpf_vm__errmsg(vm) : "");
				STACKBPF_OPTS(stackbpf_disasm_opts, dopts, .host = vt_host());
				stackbpf_disasm__prog(stderr, prog, n, &dopts);
			}
		}
		stackbpf_vm__free(vm);
		stackbpf_prog__free(p);
	}
	printf("%d programs, %d accepted, %d faulted, %d stopped at the instruction limit\n", count, accepted, faults,
	       timeouts);
	T_OK(faults == 0, "%d accepted programs faulted", faults);
	T_OK(accepted > count / 100, "only %d accepted: the generator needs tuning", accepted);
	return t_done();
}
