/* test_jit_forms.c - every form of opcodes.def, JIT against interpreter, over
 * every register combination and corner-case immediates and values.
 *
 * Each generated program saves r1 (the output memory), fills a scratch area
 * on the stack, loads r0..r9 with corner values (INT64_MIN, -1, 0,
 * 0x80000000, UINT32_MAX, INT32_MIN sign-extended, ...; two rotations),
 * runs the one instruction under test, then copies the ten registers, a flag
 * (set when a jump falls through) and the scratch area to the memory. Memory
 * forms get their base register pointed at the scratch area (and cleared
 * afterwards, so no address reaches the output). Calls, exit and the r11
 * forms are covered by test_jit_calls and the .data programs; the test checks
 * that every other form of the table was exercised here. */
#include <stdlib.h>

#include "isa/opcodes.h"
#include "jit/jit.h"
#include "stackbpf/stackbpf.h"
#include "testlib.h"

#define INSN(c, d, s, o, i) ((struct stackbpf_insn){ .code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) })

enum { OUT_WORDS = 17, REGS_AT = -160, FLAG_AT = -80, SCRATCH_AT = -72 };

static const uint64_t corner[10] = {
	0x8000000000000000ull, 0xffffffffffffffffull, 0, 0x80000000ull, 0xffffffffull,
	0x123456789abcdef0ull, 1, 0xffffffff80000000ull, 33, 0x7fffffffffffffffull,
};
static const int32_t imms[] = { 0, 1, -1, 2, 3, 7, 8, 16, 31, 32, 33, 63, 64, 0x7f, -129, INT32_MIN, INT32_MAX };

static struct stackbpf_host *host;
static bool covered[SBPF_NFORMS];
static unsigned programs;

struct prog { struct stackbpf_insn v[128]; size_t n; };
static void emit(struct prog *p, struct stackbpf_insn in) { p->v[p->n++] = in; }
static void ld64(struct prog *p, int r, uint64_t k)
{
	emit(p, INSN(0x18, r, 0, 0, (int32_t)(uint32_t)k));
	emit(p, INSN(0, 0, 0, 0, (int32_t)(uint32_t)(k >> 32)));
}

/* the prologue: save r1, zero the flag, fill scratch, load r0..r9 */
static void prologue(struct prog *p, int rot)
{
	p->n = 0;
	emit(p, INSN(0x7b, 10, 1, -8, 0));
	emit(p, INSN(0x7a, 10, 0, FLAG_AT, 0));
	for (int k = 0; k < 6; k++) {
		ld64(p, 2, corner[(k + 3) % 10] ^ 0x0102030405060708ull * (uint64_t)k);
		emit(p, INSN(0x7b, 10, 2, (int16_t)(SCRATCH_AT + 8 * k), 0));
	}
	for (int r = 0; r < 10; r++)
		ld64(p, r, corner[(r + rot) % 10]);
}

/* the epilogue: registers to the stack, then the 17 words to the memory */
static void epilogue(struct prog *p)
{
	for (int r = 0; r < 10; r++)
		emit(p, INSN(0x7b, 10, r, (int16_t)(REGS_AT + 8 * r), 0));
	emit(p, INSN(0x79, 1, 10, -8, 0));
	for (int w = 0; w < OUT_WORDS; w++) {
		emit(p, INSN(0x79, 2, 10, (int16_t)(REGS_AT + 8 * w), 0));
		emit(p, INSN(0x7b, 1, 2, (int16_t)(8 * w), 0));
	}
	emit(p, INSN(0x95, 0, 0, 0, 0));
}

struct outcome { int err; uint64_t r0; uint8_t mem[8 * OUT_WORDS]; char msg[256]; };

static void pattern(uint8_t *m)
{
	for (int i = 0; i < 8 * OUT_WORDS; i++)
		m[i] = (uint8_t)(i * 37 + 11);
}

static void run_interp(const struct prog *p, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	pattern(o->mem);
	struct stackbpf_prog *pr = stackbpf_prog__from_insns(p->v, p->n);
	STACKBPF_OPTS(stackbpf_vm_opts, opts, .host = host, .checked = true);
	struct stackbpf_vm *vm = stackbpf_vm__new(pr, &opts);
	if (!vm) {
		o->err = -1000;
	} else {
		o->err = stackbpf_vm__run(vm, o->mem, sizeof(o->mem), &o->r0);
		snprintf(o->msg, sizeof(o->msg), "%s", stackbpf_vm__errmsg(vm));
	}
	stackbpf_vm__free(vm);
	stackbpf_prog__free(pr);
}

static void run_jit(const struct prog *p, bool no_bmi2, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	pattern(o->mem);
	struct sbpf_jit_opts jo = { .no_bmi2 = no_bmi2 };
	struct sbpf_jit *jit = sbpf_jit_compile(p->v, p->n, host, 8u << 20, &jo, o->msg, sizeof(o->msg));
	if (!jit) {
		o->err = -1001;
		return;
	}
	o->msg[0] = '\0';
	o->err = sbpf_jit_run(jit, p->v, o->mem, sizeof(o->mem), &o->r0, o->msg, sizeof(o->msg));
	sbpf_jit_free(jit);
}

static void check(const struct prog *p, enum sbpf_form f, const struct stackbpf_insn *in, int rot)
{
	struct outcome ref, jit;
	programs++;
	covered[f] = true;
	run_interp(p, &ref);
	/* the portable path differs only for shifts by a register */
	int op = SBPF_OP(sbpf_opinfo[f].code);
	bool shift_x = sbpf_opinfo[f].shape == S_ALU_X && (op == 0x60 || op == 0x70 || op == 0xc0);
	for (int v = 0; v < (shift_x ? 2 : 1); v++) {
		run_jit(p, v == 1, &jit);
		bool same = jit.err == ref.err && jit.r0 == ref.r0 && !memcmp(jit.mem, ref.mem, sizeof(ref.mem)) &&
			    !strcmp(jit.msg, ref.msg);
		if (!same) {
			int w = 0;
			while (w < OUT_WORDS && !memcmp(jit.mem + 8 * w, ref.mem + 8 * w, 8))
				w++;
			uint64_t a = 0, b = 0;
			if (w < OUT_WORDS) {
				memcpy(&a, ref.mem + 8 * w, 8);
				memcpy(&b, jit.mem + 8 * w, 8);
			}
			T_OK(0, "%s%s dst r%d src r%d off %d imm %d (rotation %d): interpreter err %d r0 0x%" PRIx64
				" '%s' word %d 0x%" PRIx64 "; jit err %d r0 0x%" PRIx64 " '%s' word 0x%" PRIx64,
			     sbpf_opinfo[f].name, v ? " (no bmi2)" : "", in->dst, in->src, in->off, in->imm, rot,
			     ref.err, ref.r0, ref.msg, w, a, jit.err, jit.r0, jit.msg, b);
		} else {
			t_pass++;
		}
	}
}

/* one register-only instruction (plus its ld_imm64 second slot) */
static void reg_case(enum sbpf_form f, struct stackbpf_insn in, uint32_t hi)
{
	for (int rot = 0; rot < 10; rot += 5) {
		struct prog p;
		prologue(&p, rot);
		emit(&p, in);
		if (sbpf_form_is_wide(f))
			emit(&p, INSN(0, 0, 0, 0, (int32_t)hi));
		epilogue(&p);
		check(&p, f, &in, rot);
	}
}

/* a jump: falls through to set the flag, or skips it */
static void jump_case(enum sbpf_form f, struct stackbpf_insn in)
{
	for (int rot = 0; rot < 10; rot += 5) {
		struct prog p;
		prologue(&p, rot);
		emit(&p, in);
		emit(&p, INSN(0x7a, 10, 0, FLAG_AT, 1));
		epilogue(&p);
		check(&p, f, &in, rot);
	}
}

/* base register b -> scratch area; the instruction; b cleared unless the
 * instruction wrote it */
static void mem_case(enum sbpf_form f, struct stackbpf_insn in, int b, bool writes_base)
{
	for (int rot = 0; rot < 10; rot += 5) {
		struct prog p;
		prologue(&p, rot);
		emit(&p, INSN(0xbf, b, 10, 0, 0));
		emit(&p, INSN(0x07, b, 0, 0, SCRATCH_AT));
		emit(&p, in);
		if (!writes_base)
			emit(&p, INSN(0xb7, b, 0, 0, 0));
		epilogue(&p);
		check(&p, f, &in, rot);
	}
}

static void form_cases(enum sbpf_form f)
{
	const struct sbpf_opinfo *oi = &sbpf_opinfo[f];
	struct stackbpf_insn in = { 0 };
	sbpf_form_encode(f, &in);
	int size = sbpf_size_bytes(oi->code);
	switch (oi->shape) {
	case S_ALU_K:
		for (int d = 0; d < 10; d++)
			for (size_t k = 0; k < sizeof(imms) / sizeof(imms[0]); k++) {
				in.dst = (uint8_t)d;
				in.imm = imms[k];
				reg_case(f, in, 0);
			}
		break;
	case S_ALU_X: case S_MOVSX:
		for (int d = 0; d < 10; d++)
			for (int s = 0; s < 10; s++) {
				in.dst = (uint8_t)d;
				in.src = (uint8_t)s;
				reg_case(f, in, 0);
			}
		break;
	case S_NEG: case S_END:
		for (int d = 0; d < 10; d++) {
			in.dst = (uint8_t)d;
			reg_case(f, in, 0);
		}
		break;
	case S_LD_IMM64:
		if (f != SBPF_OP_LDDW)
			break;
		for (int d = 0; d < 10; d++)
			for (int k = 0; k < 10; k++) {
				in.dst = (uint8_t)d;
				in.imm = (int32_t)(uint32_t)corner[k];
				reg_case(f, in, (uint32_t)(corner[(k + d) % 10] >> 32));
			}
		break;
	case S_LD_ABS:
		for (size_t k = 0; k < sizeof(imms) / sizeof(imms[0]); k++) {
			in.imm = imms[k];
			reg_case(f, in, 0);
		}
		for (int k = 100; k < 140; k += 3) {
			in.imm = k;
			reg_case(f, in, 0);
		}
		break;
	case S_LD_IND:
		for (int s = 0; s < 10; s++)
			for (int k = -40; k < 140; k += 13) {
				in.src = (uint8_t)s;
				in.imm = k;
				reg_case(f, in, 0);
			}
		break;
	case S_JCC_K:
		for (int d = 0; d < 10; d++)
			for (size_t k = 0; k < sizeof(imms) / sizeof(imms[0]); k++) {
				in.dst = (uint8_t)d;
				in.imm = imms[k];
				in.off = 1;
				jump_case(f, in);
			}
		break;
	case S_JCC_X:
		for (int d = 0; d < 10; d++)
			for (int s = 0; s < 10; s++) {
				in.dst = (uint8_t)d;
				in.src = (uint8_t)s;
				in.off = 1;
				jump_case(f, in);
			}
		break;
	case S_JA: case S_MAY_GOTO:
		for (int off = 0; off <= 1; off++) {
			in.off = (int16_t)off;
			jump_case(f, in);
		}
		break;
	case S_JA32:
		for (int imm = 0; imm <= 1; imm++) {
			in.imm = imm;
			jump_case(f, in);
		}
		break;
	case S_LDX: case S_LOAD_ACQ: {
		const int offs[] = { 8, 40 + 8 - size, 16 + (size == 1 ? 3 : size == 2 ? 2 : 0) };
		for (int b = 0; b < 10; b++)
			for (int d = 0; d < 10; d++)
				for (int k = 0; k < 3; k++) {
					in.src = (uint8_t)b;
					in.dst = (uint8_t)d;
					in.off = (int16_t)offs[k];
					mem_case(f, in, b, d == b);
				}
		break;
	}
	case S_ST: {
		const int32_t vals[] = { -1, 0x12345678, INT32_MIN, 0x80 };
		for (int b = 0; b < 10; b++)
			for (int k = 0; k < 4; k++) {
				in.dst = (uint8_t)b;
				in.off = (int16_t)(k & 1 ? 8 : 40 + 8 - size);
				in.imm = vals[k];
				mem_case(f, in, b, false);
			}
		break;
	}
	case S_STX: case S_STORE_REL: case S_ATOMIC: case S_ATOMIC_FETCH: case S_XCHG: case S_CMPXCHG:
		for (int b = 0; b < 10; b++)
			for (int s = 0; s < 10; s++) {
				if (s == b)
					continue;   /* the value would be an address */
				in.dst = (uint8_t)b;
				in.src = (uint8_t)s;
				in.off = (int16_t)(s & 1 ? 8 : 40 + 8 - size);
				mem_case(f, in, b, oi->shape == S_CMPXCHG && b == 0);
			}
		break;
	default:
		break;   /* calls, exit, r11 forms: elsewhere */
	}
}

int main(void)
{
	host = stackbpf_host__new();
	for (int f = 0; f < SBPF_NFORMS; f++)
		form_cases((enum sbpf_form)f);
	unsigned missing = 0;
	for (int f = 0; f < SBPF_NFORMS; f++) {
		int shape = sbpf_opinfo[f].shape;
		bool elsewhere = shape == S_CALL || shape == S_CALL_LOCAL || shape == S_CALL_KFUNC || shape == S_CALLX ||
				 shape == S_EXIT || shape == S_ARG_LDX || shape == S_ARG_STX || shape == S_ARG_ST ||
				 (shape == S_LD_IMM64 && f != SBPF_OP_LDDW);
		if (!covered[f] && !elsewhere) {
			fprintf(stderr, "form %s not exercised\n", sbpf_opinfo[f].name);
			missing++;
		}
	}
	T_EQ_U64(missing, 0, "forms not exercised");
	printf("%u programs, each on the interpreter and on the JIT (shifts by a register also without BMI2)\n",
	       programs);
	stackbpf_host__free(host);
	return t_done();
}
