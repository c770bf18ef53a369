/* gen.c - the structured random program generator (see gen.h): snippets
 * emitted over a model of registers and stack slots, so that what a snippet
 * reads is initialised and every access it makes is in bounds on every path.
 *
 * The model is conservative: at a join of two paths a register keeps its
 * kind only when both paths agree; a loop body starts from a model where
 * only "frozen" (read-only) registers are known, so every iteration sees
 * what the first one saw. Calls get their callee generated after main, with
 * the argument kinds the call site passed. */
#include "gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isa/insn.h"

/* ------------------------------------------------------------------ model */

enum kind {
	K_NONE,     /* not initialised, or unknown kind: never read */
	K_SCALAR,
	K_CONST,    /* scalar with known value v */
	K_FP,       /* own frame's stack: fp + off */
	K_BUF,      /* memory: accesses at [lo, hi) relative to the pointer */
	K_CTX,
};

enum { B_RO = 1, B_NOATOMIC = 2, B_PKT = 4, B_STACK = 8 /* another frame's stack: aligned only */ };

struct reg {
	uint8_t k, flags;
	int32_t off, lo, hi;
	int64_t v;
};

enum { MAX_SLOTS = 24 };

struct slot {
	uint8_t init;      /* bit b: byte b (from the slot's lowest address) holds scalar data */
	uint8_t blocked;   /* kind differs between paths: only whole 8-byte stores */
	struct reg spill;  /* a spilled pointer (k != K_NONE) */
};

struct model {
	struct reg r[11];       /* r10: K_FP, never written */
	struct slot s[MAX_SLOTS];
};

struct fn {
	int nargs, depth, start;
	struct reg args[12];
	bool generated;
	bool callback;          /* bpf_loop's: returns 0 or 1 */
};

struct g {
	uint64_t rng;
	const struct gen_opts *o;
	unsigned feat;
	struct gen_prog *p;
	struct model m;
	int nslots;             /* slots usable in the current frame */
	uint16_t frozen;        /* registers a loop body may not write */
	bool in_loop, nocall, callback;
	int depth;              /* call depth of the function being generated */
	int nest;               /* block nesting */
	int budget;             /* snippets left in the current function */
	struct fn fns[GEN_MAX_FUNCS];
	int nfns;
	struct { int insn, fn; } calls[256];
	int ncalls;
	int map_array, map_hash, map_direct;
	int sum_id[13], memsum_id;
	int homes[7];           /* stack slots holding the incoming stack args */
	int nhomes;
	bool oom;
};

static uint64_t rnd64(struct g *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545f4914f6cdd1dULL;
}

static int rnd(struct g *g, int n)
{
	return n <= 1 ? 0 : (int)(rnd64(g) % (uint64_t)n);
}

static bool chance(struct g *g, int pct)
{
	return rnd(g, 100) < pct;
}

static bool has(struct g *g, unsigned f)
{
	return (g->feat & f) != 0;
}

/* an access out of bounds this time? */
static bool edge(struct g *g)
{
	if (!has(g, GEN_EDGE) || !chance(g, 2))
		return false;
	g->p->nedge++;
	return true;
}

/* ------------------------------------------------------------- emission */

static int emit(struct g *g, uint8_t code, int dst, int src, int off, int32_t imm)
{
	struct gen_prog *p = g->p;
	if (p->cnt + 2 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct stackbpf_insn *n = realloc(p->insns, cap * sizeof(*n));
		if (!n) {
			g->oom = true;
			return (int)p->cnt - 1;
		}
		p->insns = n;
		p->cap = cap;
	}
	p->insns[p->cnt] = (struct stackbpf_insn){ .code = code, .dst = (uint8_t)dst, .src = (uint8_t)src,
						   .off = (int16_t)off, .imm = imm };
	return (int)p->cnt++;
}

static void emit_ld64(struct g *g, int dst, int src, uint64_t v)
{
	emit(g, SBPF_LD | SBPF_IMM | SBPF_DW, dst, src, 0, (int32_t)(uint32_t)v);
	emit(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

static int here(struct g *g)
{
	return (int)g->p->cnt;
}

/* point the jump at `at` to the current position */
static void patch(struct g *g, int at)
{
	if (at >= 0 && at < (int)g->p->cnt)
		g->p->insns[at].off = (int16_t)(here(g) - at - 1);
}

static void mov_imm(struct g *g, int r, int32_t v)
{
	emit(g, SBPF_ALU64 | 0xb0, r, 0, 0, v);
	g->m.r[r] = (struct reg){ .k = K_CONST, .v = v };
}

static void mov_reg(struct g *g, int d, int s)
{
	emit(g, SBPF_ALU64 | 0xb0 | 0x08, d, s, 0, 0);
	g->m.r[d] = g->m.r[s];
}

static const uint8_t size_code[4] = { SBPF_B, SBPF_H, SBPF_W, SBPF_DW };

static int size_idx(int bytes)
{
	return bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : 3;
}

/* ---------------------------------------------------------- reg choice */

static bool is_scalar(const struct reg *r)
{
	return r->k == K_SCALAR || r->k == K_CONST;
}

static bool is_ptr(const struct reg *r)
{
	return r->k == K_FP || r->k == K_BUF || r->k == K_CTX;
}

static bool writable(struct g *g, int r)
{
	return r >= 0 && r <= 9 && !(g->frozen & (1u << r));
}

/* a register holding a scalar, or -1 */
static int find_scalar(struct g *g)
{
	int c[10], n = 0;
	for (int r = 0; r < 10; r++)
		if (is_scalar(&g->m.r[r]))
			c[n++] = r;
	return n ? c[rnd(g, n)] : -1;
}

/* a register to write: prefers ones holding nothing or a scalar */
static int pick_dst(struct g *g)
{
	int c[10], n = 0;
	for (int r = 0; r < 10; r++)
		if (writable(g, r) && (!is_ptr(&g->m.r[r]) || chance(g, 5)))
			c[n++] = r;
	if (!n)
		for (int r = 0; r < 10; r++)
			if (writable(g, r))
				c[n++] = r;
	return n ? c[rnd(g, n)] : -1;
}

static const int64_t corner[] = {
	0, 1, -1, 2, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000,
	0x7fffffff, -0x7fffffff - 1, -2, -8, -16, -64, 0x12345678, -0x12345678, 0x55555555,
};

static int32_t rnd_imm(struct g *g)
{
	if (chance(g, 70))
		return (int32_t)corner[rnd(g, (int)(sizeof(corner) / sizeof(corner[0])))];
	return (int32_t)rnd64(g);
}

static uint64_t rnd_imm64(struct g *g)
{
	static const uint64_t c64[] = {
		0x8000000000000000ull, 0x7fffffffffffffffull, 0xffffffff00000000ull, 0x00000000ffffffffull,
		0x100000000ull, 0xffffffffffffffffull, 0x0123456789abcdefull, 0x80000000ull,
	};
	return chance(g, 60) ? c64[rnd(g, 8)] : rnd64(g);
}

/* a scalar register, making one if needed (-1 if nothing is writable) */
static int get_scalar(struct g *g)
{
	int r = find_scalar(g);
	if (r >= 0 && chance(g, 85))
		return r;
	r = pick_dst(g);
	if (r < 0)
		return find_scalar(g);
	if (chance(g, 15)) {
		emit_ld64(g, r, 0, rnd_imm64(g));
		g->m.r[r] = (struct reg){ .k = K_SCALAR };
	} else {
		mov_imm(g, r, rnd_imm(g));
	}
	return r;
}

/* -------------------------------------------------------------- stack */

/* fp-relative byte offset o (negative) -> slot index and byte in slot */
static int slot_of(int o)
{
	return (-o - 1) / 8;
}

static int byte_of(int o)
{
	return o + 8 * (slot_of(o) + 1);
}

static bool stack_readable(struct g *g, int o, int size)
{
	int s = slot_of(o), b = byte_of(o);
	if (o >= 0 || s >= g->nslots || b + size > 8)
		return false;
	const struct slot *sl = &g->m.s[s];
	if (sl->spill.k != K_NONE)
		return size == 8 && b == 0;
	uint8_t mask = (uint8_t)(((1u << size) - 1) << b);
	return !sl->blocked && (sl->init & mask) == mask;
}

/* the register a load of `size` bytes at fp+o gives */
static struct reg stack_value(struct g *g, int o, int size)
{
	const struct slot *sl = &g->m.s[slot_of(o)];
	if (sl->spill.k != K_NONE && size == 8)
		return sl->spill;
	return (struct reg){ .k = K_SCALAR };
}

static bool stack_writable(struct g *g, int o, int size, const struct reg *val)
{
	int s = slot_of(o), b = byte_of(o);
	if (o >= 0 || s >= g->nslots || b + size > 8 || b % size)
		return false;
	const struct slot *sl = &g->m.s[s];
	if (val && is_ptr(val))   /* pointer spills: whole slots, never in loops */
		return size == 8 && !g->in_loop;
	if (g->in_loop && sl->spill.k != K_NONE)
		return false;
	if (size < 8 && (sl->spill.k != K_NONE || sl->blocked))
		return false;
	return true;
}

static void stack_wrote(struct g *g, int o, int size, const struct reg *val)
{
	struct slot *sl = &g->m.s[slot_of(o)];
	if (val && is_ptr(val)) {
		sl->spill = *val;
		sl->init = 0;
		sl->blocked = 0;
		return;
	}
	if (size == 8) {
		sl->blocked = 0;
		sl->spill.k = K_NONE;
	}
	sl->init |= (uint8_t)(((1u << size) - 1) << byte_of(o));
}

/* a random aligned offset of `size` bytes in the frame */
static int rnd_stack_off(struct g *g, int size)
{
	int s = rnd(g, g->nslots);
	int b = size == 8 ? 0 : rnd(g, 8 / size) * size;
	return -8 * (s + 1) + b;
}

/* a fully initialised scalar slot, or -1 */
static int find_init_slot(struct g *g)
{
	int c[MAX_SLOTS], n = 0;
	for (int s = 0; s < g->nslots; s++)
		if (g->m.s[s].init == 0xff && g->m.s[s].spill.k == K_NONE && !g->m.s[s].blocked)
			c[n++] = s;
	return n ? c[rnd(g, n)] : -1;
}

/* ---------------------------------------------------------------- joins */

static struct reg join_reg(const struct reg *a, const struct reg *b)
{
	if (memcmp(a, b, sizeof(*a)) == 0)
		return *a;
	if (is_scalar(a) && is_scalar(b))
		return (struct reg){ .k = K_SCALAR };
	return (struct reg){ .k = K_NONE };
}

static void join(struct model *into, const struct model *other)
{
	for (int r = 0; r < 10; r++)
		into->r[r] = join_reg(&into->r[r], &other->r[r]);
	for (int s = 0; s < MAX_SLOTS; s++) {
		struct slot *a = &into->s[s];
		const struct slot *b = &other->s[s];
		if (a->spill.k != K_NONE || b->spill.k != K_NONE) {
			if (memcmp(&a->spill, &b->spill, sizeof(a->spill)) || a->blocked || b->blocked) {
				a->spill.k = K_NONE;
				a->init = 0;
				a->blocked = 1;
			}
			continue;
		}
		a->init &= b->init;
		a->blocked |= b->blocked;
	}
}

/* ------------------------------------------------------------ snippets */

static void block(struct g *g, int n);

enum {
	A_ADD = 0x00, A_SUB = 0x10, A_MUL = 0x20, A_DIV = 0x30, A_OR = 0x40, A_AND = 0x50, A_LSH = 0x60,
	A_RSH = 0x70, A_NEG = 0x80, A_MOD = 0x90, A_XOR = 0xa0, A_MOV = 0xb0, A_ARSH = 0xc0, A_END = 0xd0,
};

static void s_alu(struct g *g)
{
	static const uint8_t ops[] = { A_ADD, A_SUB, A_MUL, A_DIV, A_OR, A_AND, A_LSH, A_RSH, A_NEG,
				       A_MOD, A_XOR, A_MOV, A_ARSH, A_END };
	int dst = find_scalar(g);
	if (dst < 0 || !writable(g, dst) || chance(g, 20)) {
		dst = pick_dst(g);
		if (dst < 0)
			return;
		if (!is_scalar(&g->m.r[dst]))
			mov_imm(g, dst, rnd_imm(g));
	}
	bool is64 = chance(g, 65);
	uint8_t cls = is64 ? SBPF_ALU64 : SBPF_ALU;
	uint8_t op = ops[rnd(g, (int)sizeof(ops))];
	int bits = is64 ? 64 : 32;
	if (op == A_END) {
		static const int widths[] = { 16, 32, 64 };
		int w = widths[rnd(g, 3)];
		if (is64)   /* bswap */
			emit(g, SBPF_ALU64 | A_END, dst, 0, 0, w);
		else        /* le / be */
			emit(g, SBPF_ALU | A_END | (chance(g, 50) ? 0x08 : 0), dst, 0, 0, w);
	} else if (op == A_NEG) {
		emit(g, cls | A_NEG, dst, 0, 0, 0);
	} else if (op == A_MOV && chance(g, 40)) {
		/* movsx: 64-bit from 8/16/32, 32-bit from 8/16 */
		int src = find_scalar(g);
		int off = is64 ? (8 << rnd(g, 3)) : (8 << rnd(g, 2));
		emit(g, cls | A_MOV | 0x08, dst, src < 0 ? dst : src, off, 0);
	} else if (chance(g, 50)) {
		int src = find_scalar(g);
		int off = (op == A_DIV || op == A_MOD) && chance(g, 40) ? 1 : 0;   /* sdiv / smod */
		if (src < 0)
			src = dst;
		if ((op == A_DIV || op == A_MOD) && chance(g, 30) && writable(g, src) && src != dst) {
			/* the corners: divisor 0 or -1 */
			mov_imm(g, src, chance(g, 50) ? 0 : -1);
			if (chance(g, 50)) {
				emit_ld64(g, dst, 0, is64 ? 0x8000000000000000ull : 0x80000000ull);
			}
		}
		emit(g, cls | op | 0x08, dst, src, off, 0);
	} else {
		int32_t imm = rnd_imm(g);
		int off = 0;
		if (op == A_LSH || op == A_RSH || op == A_ARSH)
			imm = rnd(g, bits);
		if (op == A_DIV || op == A_MOD) {
			if (imm == 0)
				imm = -1;
			off = chance(g, 40) ? 1 : 0;
		}
		emit(g, cls | op, dst, 0, off, imm);
		if (op == A_MOV) {
			g->m.r[dst] = (struct reg){ .k = K_CONST, .v = is64 ? imm : (int64_t)(uint32_t)imm };
			return;
		}
	}
	g->m.r[dst] = (struct reg){ .k = K_SCALAR };
}

/* a load of `size` bytes from a pointer register p at off into a new register */
static void load_from(struct g *g, int p, int off, int size, bool sx)
{
	int d = pick_dst(g);
	if (d < 0)
		return;
	struct reg v = { .k = K_SCALAR };
	if (g->m.r[p].k == K_FP && p == 10)
		v = stack_value(g, off, size);
	emit(g, SBPF_LDX | (sx && size < 8 ? SBPF_MEMSX : SBPF_MEM) | size_code[size_idx(size)], d, p, off, 0);
	g->m.r[d] = v;
}

static const uint8_t atomic_ops[] = { 0x00, 0x40, 0x50, 0xa0 };

/* a store or atomic of a scalar through p at off */
static void store_to(struct g *g, int p, int off, int size, bool atomic)
{
	uint16_t frozen = g->frozen;
	if (p < 10)
		g->frozen |= (uint16_t)(1u << p);   /* the value may not land in the base */
	int src = get_scalar(g);
	g->frozen = frozen;
	if (src < 0 || src == p)
		return;
	if (atomic && (size == 4 || size == 8)) {
		int kind = rnd(g, 6);
		uint8_t code = SBPF_STX | SBPF_ATOMIC | (size == 8 ? SBPF_DW : SBPF_W);
		if (kind < 4) {
			bool fetch = chance(g, 50) && writable(g, src);
			emit(g, code, p, src, off, atomic_ops[kind] | (fetch ? SBPF_ATOMIC_FETCH : 0));
			if (fetch)
				g->m.r[src] = (struct reg){ .k = K_SCALAR };
		} else if (kind == 4 && writable(g, src)) {
			emit(g, code, p, src, off, SBPF_ATOMIC_XCHG);
			g->m.r[src] = (struct reg){ .k = K_SCALAR };
		} else if (writable(g, 0) && src != 0 && p != 0) {   /* r0 is cmpxchg's operand */
			if (!is_scalar(&g->m.r[0]))
				mov_imm(g, 0, rnd_imm(g));
			emit(g, code, p, src, off, SBPF_ATOMIC_CMPXCHG);
			g->m.r[0] = (struct reg){ .k = K_SCALAR };
		}
		return;
	}
	if (chance(g, 30))
		emit(g, SBPF_ST | SBPF_MEM | size_code[size_idx(size)], p, 0, off, rnd_imm(g));
	else
		emit(g, SBPF_STX | SBPF_MEM | size_code[size_idx(size)], p, src, off, 0);
}

/* a stack access through r10 at a fixed offset */
static void s_stack(struct g *g)
{
	int size = 1 << rnd(g, 4);
	if (chance(g, 50))
		size = 8;
	int o = rnd_stack_off(g, size);
	int what = rnd(g, 10);
	if (what < 4 && stack_readable(g, o, size)) {
		load_from(g, 10, o, size, chance(g, 20));
		return;
	}
	if (what < 6 && size == 8) {   /* spill a register, maybe a pointer */
		int r = rnd(g, 10);
		struct reg *v = &g->m.r[r];
		if (v->k != K_NONE && stack_writable(g, o, 8, v)) {
			emit(g, SBPF_STX | SBPF_MEM | SBPF_DW, 10, r, o, 0);
			stack_wrote(g, o, 8, v);
			return;
		}
	}
	if (what < 8 && has(g, GEN_ATOMIC) && (size == 4 || size == 8) && stack_readable(g, o, size) &&
	    g->m.s[slot_of(o)].spill.k == K_NONE && stack_writable(g, o, size, NULL)) {
		store_to(g, 10, o, size, true);
		return;
	}
	if (stack_writable(g, o, size, NULL)) {
		store_to(g, 10, o, size, false);
		stack_wrote(g, o, size, NULL);
	}
}

/* a pointer register of kind K_BUF that may access [0, need), or -1 */
static int find_buf(struct g *g, int need, bool write)
{
	int c[10], n = 0;
	for (int r = 0; r < 10; r++) {
		const struct reg *v = &g->m.r[r];
		if (v->k == K_BUF && v->lo <= 0 && v->hi >= need && (!write || !(v->flags & B_RO)))
			c[n++] = r;
	}
	return n ? c[rnd(g, n)] : -1;
}

/* a fixed-offset access through a memory pointer */
static void s_buf(struct g *g)
{
	int size = 1 << rnd(g, 4);
	bool write = chance(g, 45);
	int p = find_buf(g, size, write);
	if (p < 0)
		return;
	const struct reg *v = &g->m.r[p];
	int lo = v->lo, hi = v->hi - size;
	int off = lo + rnd(g, hi - lo + 1);
	bool atomic = write && has(g, GEN_ATOMIC) && !(v->flags & B_NOATOMIC) && (size >= 4) && chance(g, 40);
	/* aligned from the region's start (lo): atomics and stack need it */
	if (atomic || chance(g, 60) || (v->flags & B_STACK))
		off = lo + ((off - lo) & ~(size - 1));
	if (edge(g)) {
		off = chance(g, 50) ? hi + 1 : lo - 1;
		atomic = false;
	}
	if (write)
		store_to(g, p, off, size, atomic);
	else
		load_from(g, p, off, size, chance(g, 20));
}

/* pointer = pointer + constant, staying inside the region */
static void s_ptr_const(struct g *g)
{
	int p = find_buf(g, 1, false);
	int d = pick_dst(g);
	if (p < 0 || d < 0)
		return;
	struct reg v = g->m.r[p];
	int delta = v.lo + rnd(g, v.hi - v.lo);
	if (d != p)
		mov_reg(g, d, p);
	emit(g, SBPF_ALU64 | A_ADD, d, 0, 0, delta);
	v.lo -= delta;
	v.hi -= delta;
	g->m.r[d] = v;
}

/* a bounded variable offset: `if rX > B goto skip; rQ = P; rQ += rX; access` */
static void s_varoff(struct g *g)
{
	bool on_stack = has(g, GEN_VAROFF) && chance(g, 25);
	int size = on_stack ? 1 : 1 << rnd(g, 4);
	int p = on_stack ? 10 : find_buf(g, size, false);
	if (p < 0)
		return;
	if (!on_stack && (g->m.r[p].flags & B_STACK))
		size = 1;
	if (!on_stack && (g->m.r[p].flags & B_PKT))
		return;   /* Linux: pkt + variable has range 0 until checked again */
	int lo, hi;
	if (on_stack) {
		/* a window of initialised bytes */
		int s = find_init_slot(g);
		if (s < 0)
			return;
		lo = -8 * (s + 1);
		hi = lo + 8;
	} else {
		lo = g->m.r[p].lo;
		hi = g->m.r[p].hi;
	}
	int span = hi - lo - size;   /* room for the variable part */
	if (span < 0)
		return;
	int bound = rnd(g, span + 1);
	struct reg before = g->m.r[p];
	int x = get_scalar(g);
	if (x < 0 || !writable(g, x) || x == p || memcmp(&before, &g->m.r[p], sizeof(before)))
		return;   /* making the scalar took the pointer's register */
	int skip1 = -1, skip2 = -1;
	struct model saved = g->m;
	switch (rnd(g, 6)) {
	case 0: {   /* mask to a power of two minus one */
		int m = 0;
		while ((m << 1 | 1) <= bound)
			m = m << 1 | 1;
		bound = m;
		emit(g, SBPF_ALU64 | A_AND, x, 0, 0, m);
		break;
	}
	case 1:     /* 32-bit: zero-extend, then a 32-bit compare */
		emit(g, SBPF_ALU | A_MOV | 0x08, x, x, 0, 0);
		skip1 = emit(g, SBPF_JMP32 | 0x20 /* jgt */, x, 0, 0, bound);
		break;
	case 2:     /* signed: both ends */
		skip1 = emit(g, SBPF_JMP | 0x60 /* jsgt */, x, 0, 0, bound);
		skip2 = emit(g, SBPF_JMP | 0xc0 /* jslt */, x, 0, 0, 0);
		break;
	case 3: {   /* the bound in a register */
		int b = pick_dst(g);
		if (b < 0 || b == x || b == p)
			goto plain;
		mov_imm(g, b, bound);
		skip1 = emit(g, SBPF_JMP | 0x20 | 0x08, x, b, 0, 0);
		break;
	}
	case 4:     /* inverted: `if rX <= B goto ok; goto skip` */
		emit(g, SBPF_JMP | 0xb0 /* jle */, x, 0, 1, bound);
		skip1 = emit(g, SBPF_JMP | 0x00, 0, 0, 0, 0);
		break;
	default:
	plain:
		skip1 = emit(g, SBPF_JMP | 0x20, x, 0, 0, bound);
		break;
	}
	g->m.r[x] = (struct reg){ .k = K_SCALAR };
	int q = pick_dst(g);
	if (q < 0 || q == x || q == p) {
		q = x;   /* scalar += pointer: the sum in the scalar's register */
		emit(g, SBPF_ALU64 | A_ADD | 0x08, x, p, 0, 0);
	} else {
		mov_reg(g, q, p);
		emit(g, SBPF_ALU64 | A_ADD | 0x08, q, x, 0, 0);
	}
	struct reg pv = g->m.r[p];
	int off = lo + rnd(g, span - bound + 1);
	if (!on_stack && edge(g))
		off = hi - size - bound + 1;   /* the largest x reaches one byte past the end */
	if (on_stack) {
		/* reads of initialised bytes, or a byte store (keeps them initialised) */
		g->m.r[q] = (struct reg){ .k = K_NONE };
		if (chance(g, 50)) {
			load_from(g, q, off, 1, false);
		} else if (!g->in_loop || g->m.s[slot_of(lo)].spill.k == K_NONE) {
			int src = get_scalar(g);
			if (src >= 0 && src != q)
				emit(g, SBPF_STX | SBPF_MEM | SBPF_B, q, src, off, 0);
		}
	} else {
		g->m.r[q] = (struct reg){ .k = K_NONE };
		/* no atomics: a variable offset is not known to be aligned */
		if (!(pv.flags & B_RO) && chance(g, 40))
			store_to(g, q, off, size, false);
		else
			load_from(g, q, off, size, chance(g, 20));
	}
	patch(g, skip1);
	patch(g, skip2);
	saved.r[x] = (struct reg){ .k = K_SCALAR };
	join(&g->m, &saved);
}

/* if / else on a scalar */
static void s_if(struct g *g)
{
	static const uint8_t jops[] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0 };
	int a = get_scalar(g);
	if (a < 0 || g->nest > 3)
		return;
	uint8_t cls = chance(g, 30) ? SBPF_JMP32 : SBPF_JMP;
	uint8_t op = jops[rnd(g, (int)sizeof(jops))];
	int at;
	int b = find_scalar(g);
	if (chance(g, 40) && b >= 0)
		at = emit(g, cls | op | 0x08, a, b, 0, 0);
	else
		at = emit(g, cls | op, a, 0, 0, rnd_imm(g));
	struct model start = g->m;
	g->nest++;
	block(g, 1 + rnd(g, 4));
	if (chance(g, 50)) {
		int over = emit(g, SBPF_JMP | 0x00, 0, 0, 0, 0);
		struct model then_end = g->m;
		patch(g, at);
		g->m = start;
		block(g, 1 + rnd(g, 3));
		patch(g, over);
		join(&g->m, &then_end);
	} else {
		patch(g, at);
		join(&g->m, &start);
	}
	g->nest--;
}

/* ------------------------------------------------------------------ maps */

static int add_map(struct g *g, uint32_t type, uint32_t key, uint32_t value, uint32_t max)
{
	struct gen_prog *p = g->p;
	if (p->nmaps >= GEN_MAX_MAPS)
		return -1;
	struct gen_map *m = &p->maps[p->nmaps];
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->key_size = key;
	m->value_size = value;
	m->max_entries = max;
	if (type == STACKBPF_MAP_HASH) {
		m->ninit = (unsigned)rnd(g, GEN_MAX_INIT + 1);
		for (unsigned i = 0; i < m->ninit; i++) {
			uint32_t k = (uint32_t)(i * 3 + (unsigned)rnd(g, 3));
			memcpy(m->init_key[i], &k, 4);
			for (uint32_t b = 0; b < value; b++)
				m->init_val[i][b] = (uint8_t)rnd64(g);
		}
	}
	return (int)p->nmaps++;
}

static int map_array(struct g *g)
{
	if (g->map_array < 0)
		g->map_array = add_map(g, STACKBPF_MAP_ARRAY, 4, 8u << rnd(g, 3), 2 + (uint32_t)rnd(g, 6));
	return g->map_array;
}

static int map_hash(struct g *g)
{
	if (g->map_hash < 0)
		g->map_hash = add_map(g, STACKBPF_MAP_HASH, 4, 16, 8);
	return g->map_hash;
}

static int map_direct(struct g *g)
{
	if (g->map_direct < 0)
		g->map_direct = add_map(g, STACKBPF_MAP_ARRAY, 4, 16 + 8 * (uint32_t)rnd(g, 6), 1);
	return g->map_direct;
}

/* write a u32 key at a free stack offset; returns the offset or 0 */
static int put_key(struct g *g, const struct gen_map *m)
{
	int o = rnd_stack_off(g, 8);
	if (!stack_writable(g, o, 8, NULL))
		return 0;
	uint32_t key = (uint32_t)rnd(g, (int)m->max_entries + 2);
	if (m->type == STACKBPF_MAP_HASH && chance(g, 60))
		key = (uint32_t)rnd(g, 12);
	if (chance(g, 20)) {
		int r = find_scalar(g);
		if (r >= 0 && writable(g, r)) {
			emit(g, SBPF_ALU64 | A_AND, r, 0, 0, 7);
			g->m.r[r] = (struct reg){ .k = K_SCALAR };
		} else {
			r = -1;
		}
		if (r >= 0) {
			emit(g, SBPF_STX | SBPF_MEM | SBPF_W, 10, r, o, 0);
			stack_wrote(g, o, 4, NULL);
			return o;
		}
	}
	emit(g, SBPF_ST | SBPF_MEM | SBPF_W, 10, 0, o, (int32_t)key);
	stack_wrote(g, o, 4, NULL);
	return o;
}

static void clobber_call(struct g *g)
{
	for (int r = 0; r <= 5; r++)
		g->m.r[r] = (struct reg){ .k = K_NONE };
	g->m.r[0] = (struct reg){ .k = K_SCALAR };
}

static bool can_call(struct g *g)
{
	return !g->nocall && !(g->frozen & 0x3f);
}

static void s_map(struct g *g)
{
	if (!can_call(g))
		return;
	int what = rnd(g, 10);
	if (what < 2) {   /* direct value: ld_imm64 src 2 */
		int d = pick_dst(g);
		int mi = map_direct(g);
		if (d < 0 || mi < 0)
			return;
		uint32_t vs = g->p->maps[mi].value_size;
		uint32_t off = (uint32_t)rnd(g, (int)vs);
		emit_ld64(g, d, SBPF_PSEUDO_MAP_VALUE, (uint64_t)off << 32 | (uint32_t)mi);
		g->m.r[d] = (struct reg){ .k = K_BUF, .lo = -(int32_t)off, .hi = (int32_t)(vs - off) };
		g->p->nmapops++;
		return;
	}
	int mi = chance(g, 50) ? map_array(g) : map_hash(g);
	if (mi < 0)
		return;
	const struct gen_map *m = &g->p->maps[mi];
	int ko = put_key(g, m);
	if (!ko)
		return;
	g->p->nmapops++;
	if (what >= 7) {   /* update or delete */
		int helper = 3;
		if (what < 9) {
			/* the value: value_size bytes of initialised stack */
			int need = (int)m->value_size / 8;
			int base = -1;
			for (int s = 0; s + need <= g->nslots && base < 0; s++) {
				int ok = 1;
				for (int j = s; j < s + need; j++)
					if (slot_of(ko) == j || (g->in_loop && g->m.s[j].spill.k != K_NONE))
						ok = 0;
				if (ok)
					base = s;
			}
			if (base < 0)
				return;
			for (int j = base; j < base + need; j++) {
				int o = -8 * (j + 1);
				if (g->m.s[j].init != 0xff || g->m.s[j].spill.k != K_NONE || g->m.s[j].blocked ||
				    chance(g, 30)) {
					int src = find_scalar(g);
					if (src >= 0 && chance(g, 70))
						emit(g, SBPF_STX | SBPF_MEM | SBPF_DW, 10, src, o, 0);
					else
						emit(g, SBPF_ST | SBPF_MEM | SBPF_DW, 10, 0, o, rnd_imm(g));
					stack_wrote(g, o, 8, NULL);
				}
			}
			emit(g, SBPF_ALU64 | A_MOV | 0x08, 3, 10, 0, 0);
			emit(g, SBPF_ALU64 | A_ADD, 3, 0, 0, -8 * (base + need));
			emit(g, SBPF_ALU64 | A_MOV, 4, 0, 0, rnd(g, 3));
			helper = 2;
		}
		emit(g, SBPF_ALU64 | A_MOV | 0x08, 2, 10, 0, 0);
		emit(g, SBPF_ALU64 | A_ADD, 2, 0, 0, ko);
		emit_ld64(g, 1, SBPF_PSEUDO_MAP_FD, (uint32_t)mi);
		emit(g, SBPF_JMP | 0x80, 0, 0, 0, helper);
		clobber_call(g);
		return;
	}
	emit(g, SBPF_ALU64 | A_MOV | 0x08, 2, 10, 0, 0);
	emit(g, SBPF_ALU64 | A_ADD, 2, 0, 0, ko);
	emit_ld64(g, 1, SBPF_PSEUDO_MAP_FD, (uint32_t)mi);
	emit(g, SBPF_JMP | 0x80, 0, 0, 0, 1);
	clobber_call(g);
	g->m.r[0] = (struct reg){ .k = K_NONE };
	struct model start = g->m;
	int at;
	if (chance(g, 70)) {
		at = emit(g, SBPF_JMP | 0x10, 0, 0, 0, 0);   /* if r0 == 0 goto skip */
	} else {
		emit(g, SBPF_JMP | 0x50, 0, 0, 1, 0);        /* if r0 != 0 goto +1 */
		at = emit(g, SBPF_JMP | 0x00, 0, 0, 0, 0);
	}
	g->m.r[0] = (struct reg){ .k = K_BUF, .lo = 0, .hi = (int32_t)m->value_size };
	if (chance(g, 50) && writable(g, 6 + rnd(g, 4))) {
		int d = 6 + rnd(g, 4);
		if (writable(g, d))
			mov_reg(g, d, 0);
	}
	g->nest++;
	block(g, 1 + rnd(g, 4));
	g->nest--;
	patch(g, at);
	join(&g->m, &start);
}

/* --------------------------------------------------------------- packets */

struct ctx_field {
	uint8_t off, write;
};

/* __sk_buff (socket, tc) and xdp_md fields read as u32; `write` where Linux allows it */
static const struct ctx_field skb_fields[] = {
	{ 8, 2 } /* mark (tc writes) */, { 16, 0 } /* protocol */, { 32, 2 } /* priority */,
	{ 48, 1 }, { 52, 1 }, { 56, 1 }, { 60, 1 }, { 64, 1 } /* cb[0..4] */,
};
static const struct ctx_field xdp_fields[] = { { 12, 0 } /* ingress_ifindex */ };

static int find_kind(struct g *g, int kind)
{
	for (int r = 0; r < 10; r++)
		if (g->m.r[r].k == kind)
			return r;
	return -1;
}

static void s_ctx(struct g *g)
{
	int c = find_kind(g, K_CTX);
	if (c < 0)
		return;
	bool xdp = g->p->type == STACKBPF_PROG_XDP;
	const struct ctx_field *f = xdp ? xdp_fields : skb_fields;
	int n = xdp ? 1 : (int)(sizeof(skb_fields) / sizeof(skb_fields[0]));
	const struct ctx_field *pick = &f[rnd(g, n)];
	bool tc = g->p->type == STACKBPF_PROG_SCHED_CLS;
	if (pick->write && (pick->write == 1 || tc) && chance(g, 40)) {
		int src = get_scalar(g);
		if (src >= 0)
			emit(g, SBPF_STX | SBPF_MEM | SBPF_W, c, src, pick->off, 0);
		return;
	}
	int d = pick_dst(g);
	if (d < 0 || d == c)
		return;
	emit(g, SBPF_LDX | SBPF_MEM | SBPF_W, d, c, pick->off, 0);
	g->m.r[d] = (struct reg){ .k = K_SCALAR };
}

/* n distinct writable registers other than `not`, into out[]; false if too few */
static bool pick_distinct(struct g *g, int n, int not, int *out)
{
	int c[10], k = 0;
	for (int r = 0; r < 10; r++)
		if (writable(g, r) && r != not && !is_ptr(&g->m.r[r]))
			c[k++] = r;
	if (k < n)
		return false;
	for (int i = 0; i < n; i++) {
		int j = i + rnd(g, k - i), t = c[i];
		c[i] = c[j];
		c[j] = t;
		out[i] = c[i];
	}
	return true;
}

/* data / data_end, a range check, then accesses to [0, N) of the packet */
static void s_pkt(struct g *g)
{
	int c = find_kind(g, K_CTX), r[3];
	if (c < 0 || g->p->type == STACKBPF_PROG_SOCKET_FILTER || !pick_distinct(g, 3, c, r))
		return;
	bool xdp = g->p->type == STACKBPF_PROG_XDP;
	int d = r[0], e = r[1], t = r[2];
	emit(g, SBPF_LDX | SBPF_MEM | SBPF_W, d, c, xdp ? 0 : 76, 0);
	emit(g, SBPF_LDX | SBPF_MEM | SBPF_W, e, c, xdp ? 4 : 80, 0);
	int n = 1 + rnd(g, 80);
	emit(g, SBPF_ALU64 | A_MOV | 0x08, t, d, 0, 0);
	emit(g, SBPF_ALU64 | A_ADD, t, 0, 0, n);
	g->m.r[d] = g->m.r[e] = g->m.r[t] = (struct reg){ .k = K_NONE };
	struct model start = g->m;
	int at = emit(g, SBPF_JMP | 0x20 | 0x08, t, e, 0, 0);   /* if t > data_end goto skip */
	g->m.r[d] = (struct reg){ .k = K_BUF, .flags = B_NOATOMIC | B_PKT, .lo = 0, .hi = n };
	g->nest++;
	block(g, 1 + rnd(g, 4));
	g->nest--;
	patch(g, at);
	join(&g->m, &start);
}

/* ----------------------------------------------------------------- loops */

/* the model a loop body starts from: frozen registers keep their kinds,
 * every other one is unknown (a later iteration may have changed it) */
static uint16_t loop_freeze(struct g *g, int counter)
{
	uint16_t old = g->frozen;
	for (int r = 0; r < 10; r++) {
		if (r == counter || (g->frozen & (1u << r)))
			continue;
		struct reg *v = &g->m.r[r];
		if (is_ptr(v) || (is_scalar(v) && chance(g, 50)))
			g->frozen |= (uint16_t)(1u << r);
		else
			*v = (struct reg){ .k = K_NONE };
		if (is_scalar(v) && v->k == K_CONST)
			*v = (struct reg){ .k = K_SCALAR };
	}
	return old;
}

static void s_loop(struct g *g)
{
	if (g->nest > 2)
		return;
	bool may_goto = has(g, GEN_MAY_GOTO) && (!has(g, GEN_LOOPS) || chance(g, 50));
	/* the counter: a callee-saved register when the body may call */
	int c = -1;
	for (int tries = 0; tries < 8 && c < 0; tries++) {
		int r = 6 + rnd(g, 4);
		if (writable(g, r) && !is_ptr(&g->m.r[r]))
			c = r;
	}
	if (c < 0)
		return;
	struct model entry = g->m;
	bool was_in_loop = g->in_loop, was_nocall = g->nocall;
	int count_down = may_goto && chance(g, 60);
	if (count_down) {
		int p = find_buf(g, 1, false);
		if (p >= 0 && p != c)
			emit(g, SBPF_LDX | SBPF_MEM | SBPF_B, c, p, 0, 0);
		else
			mov_imm(g, c, rnd(g, 40));
	} else {
		mov_imm(g, c, 0);
	}
	entry = g->m;
	g->m.r[c] = (struct reg){ .k = K_SCALAR };
	uint16_t old_frozen = loop_freeze(g, c);
	g->frozen |= (uint16_t)(1u << c);
	g->in_loop = true;
	if (g->frozen & 0x3f)
		g->nocall = true;
	int head = here(g), exit_at = -1;
	if (may_goto)
		exit_at = emit(g, SBPF_JMP | 0xe0, 0, 0, 0, 0);
	g->nest++;
	block(g, 1 + rnd(g, 3));
	g->nest--;
	g->frozen = old_frozen;
	if (count_down) {
		emit(g, SBPF_ALU64 | A_SUB, c, 0, 0, 1);
		int at = emit(g, SBPF_JMP | 0x60, c, 0, 0, 0);   /* if c s> 0 goto head */
		g->p->insns[at].off = (int16_t)(head - at - 1);
	} else {
		emit(g, SBPF_ALU64 | A_ADD, c, 0, 0, 1);
		int at = emit(g, (chance(g, 30) ? SBPF_JMP32 : SBPF_JMP) | 0xa0, c, 0, 0,
			      1 + rnd(g, may_goto ? 24 : 6));   /* if c < K goto head */
		g->p->insns[at].off = (int16_t)(head - at - 1);
	}
	patch(g, exit_at);
	g->in_loop = was_in_loop;
	g->nocall = was_nocall;
	g->m.r[c] = (struct reg){ .k = K_SCALAR };
	if (may_goto) {
		entry.r[c] = (struct reg){ .k = K_SCALAR };
		join(&g->m, &entry);
	}
	g->p->nloops++;
}

/* ------------------------------------------------------------------ calls */

/* materialise argument i (0-based) of a call: registers r1..r5 or slot i-4 */
static struct reg arg_value(struct g *g, int i, bool scalar_only, bool in_slot)
{
	/* a pointer to an initialised own stack slot, or a buffer pointer */
	if (!scalar_only && chance(g, 20)) {
		int s = find_init_slot(g);
		int b = find_buf(g, 8, false);
		int t = in_slot ? 0 : i + 1;
		if (b >= 0 && chance(g, 50) && (in_slot || b == t || b > 5)) {
			struct reg v = g->m.r[b];
			if (in_slot)
				emit(g, SBPF_STX | SBPF_MEM | SBPF_DW, 11, b, -8 * (i - 4), 0);
			else if (b != t)
				mov_reg(g, t, b);
			return v;
		}
		if (s >= 0) {
			emit(g, SBPF_ALU64 | A_MOV | 0x08, t, 10, 0, 0);
			emit(g, SBPF_ALU64 | A_ADD, t, 0, 0, -8 * (s + 1));
			struct reg v = { .k = K_BUF, .flags = B_STACK, .lo = 0, .hi = 8 };
			if (in_slot)
				emit(g, SBPF_STX | SBPF_MEM | SBPF_DW, 11, 0, -8 * (i - 4), 0);
			g->m.r[t] = v;
			return v;
		}
	}
	/* re-forward an incoming stack argument */
	if (g->nhomes && chance(g, 50)) {
		int h = g->homes[rnd(g, g->nhomes)];
		int o = -8 * (h + 1);
		if (stack_readable(g, o, 8)) {
			struct reg v = stack_value(g, o, 8);
			if (!(scalar_only && !is_scalar(&v)) && v.k != K_NONE) {
				int t = in_slot ? 0 : i + 1;
				emit(g, SBPF_LDX | SBPF_MEM | SBPF_DW, t, 10, o, 0);
				if (in_slot)
					emit(g, SBPF_STX | SBPF_MEM | SBPF_DW, 11, 0, -8 * (i - 4), 0);
				g->m.r[t] = v;
				return v;
			}
		}
	}
	if (in_slot) {
		int r = find_scalar(g);
		if (r >= 0 && chance(g, 70)) {
			emit(g, SBPF_STX | SBPF_MEM | SBPF_DW, 11, r, -8 * (i - 4), 0);
			return (struct reg){ .k = K_SCALAR };
		}
		emit(g, SBPF_ST | SBPF_MEM | SBPF_DW, 11, 0, -8 * (i - 4), rnd_imm(g));
		return (struct reg){ .k = K_SCALAR };
	}
	int t = i + 1;
	if (is_scalar(&g->m.r[t]) && chance(g, 40))
		return (struct reg){ .k = K_SCALAR };          /* passed through */
	int r = 6 + rnd(g, 4);
	if (is_scalar(&g->m.r[r]) && chance(g, 60)) {
		mov_reg(g, t, r);
	} else if (chance(g, 15)) {
		emit_ld64(g, t, 0, rnd_imm64(g));
	} else {
		mov_imm(g, t, rnd_imm(g));
	}
	g->m.r[t] = (struct reg){ .k = K_SCALAR };
	return g->m.r[t];
}

/* set up n arguments; the kinds go to args[] */
static void set_args(struct g *g, int n, bool scalar_only, struct reg *args)
{
	for (int i = 5; i < n; i++) {   /* slots first: they may read r1..r5 */
		args[i] = arg_value(g, i, scalar_only, true);
		g->p->nr11++;
	}
	for (int i = 0; i < n && i < 5; i++)
		args[i] = arg_value(g, i, scalar_only, false);
}

static int max_args(struct g *g)
{
	return has(g, GEN_STACK_ARGS) ? 12 : 5;
}

static void s_call(struct g *g)
{
	if (!can_call(g) || g->depth >= 3 || g->nfns >= GEN_MAX_FUNCS || g->ncalls >= 256)
		return;
	int n = rnd(g, max_args(g) + 1);
	if (has(g, GEN_STACK_ARGS) && chance(g, 40))
		n = 6 + rnd(g, 7);
	struct reg args[12];
	memset(args, 0, sizeof(args));
	set_args(g, n, false, args);
	/* reuse a function of the same shape sometimes */
	int f = -1;
	for (int i = 0; i < g->nfns && f < 0; i++)
		if (g->fns[i].nargs == n && g->fns[i].depth == g->depth + 1 && !g->fns[i].callback && !memcmp(g->fns[i].args, args, sizeof(args)) &&
		    chance(g, 50))
			f = i;
	if (f < 0) {
		f = g->nfns++;
		g->fns[f] = (struct fn){ .nargs = n, .depth = g->depth + 1, .start = -1 };
		memcpy(g->fns[f].args, args, sizeof(args));
	}
	if (g->fns[f].callback)
		return;   /* unreachable: a callback never matches a call's arguments */
	g->calls[g->ncalls].insn = emit(g, SBPF_JMP | 0x80, 0, SBPF_CALL_LOCAL, 0, 0);
	g->calls[g->ncalls++].fn = f;
	clobber_call(g);
	g->p->ncalls++;
	if (n > g->p->max_args)
		g->p->max_args = n;
}

/* bpf_loop(nr, callback, ctx, 0): the callback gets (index, ctx) */
static void s_bpf_loop(struct g *g)
{
	if (!can_call(g) || g->depth >= 3 || g->nfns >= GEN_MAX_FUNCS || g->ncalls >= 256)
		return;
	struct fn cb = { .nargs = 2, .depth = g->depth + 1, .start = -1, .callback = true };
	cb.args[0] = (struct reg){ .k = K_SCALAR };
	int s = find_init_slot(g);
	if (s >= 0 && chance(g, 70)) {
		emit(g, SBPF_ALU64 | A_MOV | 0x08, 3, 10, 0, 0);
		emit(g, SBPF_ALU64 | A_ADD, 3, 0, 0, -8 * (s + 1));
		cb.args[1] = (struct reg){ .k = K_BUF, .flags = B_STACK, .lo = 0, .hi = 8 };
	} else {
		mov_imm(g, 3, 0);   /* ctx: a stack pointer or NULL */
		cb.args[1] = (struct reg){ .k = K_SCALAR };
	}
	int r = find_scalar(g);
	if (r >= 0 && r != 1 && r != 3 && chance(g, 30)) {
		mov_reg(g, 1, r);
		emit(g, SBPF_ALU64 | A_AND, 1, 0, 0, 7);   /* nr: an unknown 0..7 */
	} else {
		mov_imm(g, 1, rnd(g, 9));
	}
	mov_imm(g, 4, 0);
	int f = g->nfns++;
	g->fns[f] = cb;
	g->calls[g->ncalls].insn = here(g);
	g->calls[g->ncalls++].fn = f;
	emit_ld64(g, 2, SBPF_PSEUDO_FUNC, 0);
	emit(g, SBPF_JMP | 0x80, 0, 0, 0, 181);
	clobber_call(g);
	g->p->ncalls++;
	g->p->nloops++;
}

static void s_host(struct g *g)
{
	if (!can_call(g))
		return;
	struct reg args[12];
	if (g->memsum_id > 0 && chance(g, 25)) {
		/* mem_sum(a1..a5, mem, size): the pair in slots 1 and 2 */
		int s = find_init_slot(g);
		int b = find_buf(g, 1, false);
		int size;
		if (b >= 0 && chance(g, 50)) {
			size = rnd(g, g->m.r[b].hi + 1);
			if (g->m.r[b].lo > 0)
				return;
			emit(g, SBPF_STX | SBPF_MEM | SBPF_DW, 11, b, -8, 0);
		} else if (s >= 0) {
			size = rnd(g, 9);
			emit(g, SBPF_ALU64 | A_MOV | 0x08, 0, 10, 0, 0);
			emit(g, SBPF_ALU64 | A_ADD, 0, 0, 0, -8 * (s + 1));
			emit(g, SBPF_STX | SBPF_MEM | SBPF_DW, 11, 0, -8, 0);
			g->m.r[0] = (struct reg){ .k = K_NONE };
		} else {
			return;
		}
		emit(g, SBPF_ST | SBPF_MEM | SBPF_DW, 11, 0, -16, size);
		for (int i = 0; i < 5; i++)
			args[i] = arg_value(g, i, true, false);
		emit(g, SBPF_JMP | 0x80, 0, SBPF_CALL_KFUNC, 0, g->memsum_id);
		g->p->nr11 += 2;
	} else {
		int n = rnd(g, has(g, GEN_STACK_ARGS) ? 13 : 6);
		if (g->sum_id[n] <= 0)
			return;
		set_args(g, n, true, args);
		emit(g, SBPF_JMP | 0x80, 0, SBPF_CALL_KFUNC, 0, g->sum_id[n]);
		if (n > g->p->max_args)
			g->p->max_args = n;
	}
	clobber_call(g);
	g->p->nhost++;
}

/* ---------------------------------------------------------------- blocks */

static void snippet(struct g *g)
{
	enum { W_ALU, W_STACK, W_BUF, W_PTR, W_VAR, W_IF, W_LOOP, W_CALL, W_HOST, W_MAP, W_CTX, W_PKT, W_CB, NW };
	int w[NW] = { 0 };
	w[W_ALU] = has(g, GEN_ALU) ? 30 : 0;
	w[W_STACK] = has(g, GEN_STACK) ? 20 : 0;
	w[W_BUF] = 15;
	w[W_PTR] = 4;
	w[W_VAR] = 12;
	w[W_IF] = has(g, GEN_BRANCH) && g->nest < 3 ? 10 : 0;
	w[W_LOOP] = has(g, GEN_LOOPS | GEN_MAY_GOTO) && g->nest < 2 ? 3 : 0;
	w[W_CALL] = has(g, GEN_CALLS) && g->depth < 3 ? 5 : 0;
	w[W_HOST] = has(g, GEN_HOST) ? 4 : 0;
	w[W_MAP] = has(g, GEN_MAPS) ? 5 : 0;
	w[W_CTX] = has(g, GEN_PKT) ? 5 : 0;
	w[W_PKT] = has(g, GEN_PKT) && g->nest < 3 ? 6 : 0;
	w[W_CB] = has(g, GEN_CALLBACK) && g->depth < 3 ? 2 : 0;
	int total = 0;
	for (int i = 0; i < NW; i++)
		total += w[i];
	if (!total)
		return;
	int x = rnd(g, total), k = 0;
	while (x >= w[k])
		x -= w[k++];
	switch (k) {
	case W_ALU: s_alu(g); break;
	case W_STACK: s_stack(g); break;
	case W_BUF: s_buf(g); break;
	case W_PTR: s_ptr_const(g); break;
	case W_VAR: s_varoff(g); break;
	case W_IF: s_if(g); break;
	case W_LOOP: s_loop(g); break;
	case W_CALL: s_call(g); break;
	case W_HOST: s_host(g); break;
	case W_MAP: s_map(g); break;
	case W_CTX: s_ctx(g); break;
	case W_PKT: s_pkt(g); break;
	case W_CB: s_bpf_loop(g); break;
	}
}

static void block(struct g *g, int n)
{
	for (int i = 0; i < n && g->budget > 0 && !g->oom && g->p->cnt < 3000; i++) {
		g->budget--;
		snippet(g);
	}
}

/* r0 = a mix of every scalar register and initialised stack slot */
static void epilogue(struct g *g, bool main_fn)
{
	int acc = 0;
	if (!writable(g, 0))
		return;
	mov_imm(g, 0, (int32_t)(g->rng & 0xffff));
	for (int r = 1; r < 10; r++) {
		if (!is_scalar(&g->m.r[r]))
			continue;
		static const uint8_t mix[] = { A_ADD, A_XOR, A_SUB };
		emit(g, SBPF_ALU64 | A_MUL, 0, 0, 0, 31);
		emit(g, SBPF_ALU64 | mix[r % 3] | 0x08, 0, r, 0, 0);
	}
	for (int s = 0; s < g->nslots; s++) {
		struct slot *sl = &g->m.s[s];
		if (sl->spill.k != K_NONE || sl->blocked || !sl->init)
			continue;
		for (int b = 0; b < 8; b++) {
			if (!(sl->init & (1u << b)))
				continue;
			int size = 1;
			while (size < 8 && b % (size * 2) == 0 && ((sl->init >> b) & ((1u << (size * 2)) - 1)) ==
			       (1u << (size * 2)) - 1)
				size *= 2;
			int t = 1 + acc++ % 5;
			emit(g, SBPF_LDX | SBPF_MEM | size_code[size_idx(size)], t, 10, -8 * (s + 1) + b, 0);
			emit(g, SBPF_ALU64 | A_MUL, 0, 0, 0, 33);
			emit(g, SBPF_ALU64 | A_ADD | 0x08, 0, t, 0, 0);
			b += size - 1;
		}
	}
	if (main_fn && g->p->type == STACKBPF_PROG_XDP)
		emit(g, SBPF_ALU64 | A_AND, 0, 0, 0, 3);
	if (g->callback)
		emit(g, SBPF_ALU64 | A_AND, 0, 0, 0, 1);   /* bpf_loop: 0 continue, 1 stop */
	emit(g, SBPF_JMP | 0x90, 0, 0, 0, 0);
}

static void start_function(struct g *g, int nslots)
{
	memset(&g->m, 0, sizeof(g->m));
	g->m.r[10].k = K_FP;
	g->nslots = nslots;
	g->frozen = 0;
	g->in_loop = g->nocall = false;
	g->nest = 0;
	g->nhomes = 0;
}

static void gen_main(struct g *g)
{
	struct gen_prog *p = g->p;
	start_function(g, MAX_SLOTS);
	g->depth = 0;
	g->callback = false;
	if (p->type == STACKBPF_PROG_UNSPEC) {
		g->m.r[1] = (struct reg){ .k = p->mem_size ? K_BUF : K_NONE, .lo = 0, .hi = (int32_t)p->mem_size };
		/* r2 = mem_size; without the input neither is used (Linux's socket
		 * filters get a context in r1 and nothing in r2) */
		g->m.r[2] = (struct reg){ .k = K_SCALAR };
		if (!has(g, GEN_MEM))
			g->m.r[1].k = g->m.r[2].k = K_NONE;
		if (g->m.r[1].k == K_BUF && chance(g, 70))
			mov_reg(g, 6 + rnd(g, 4), 1);
	} else {
		g->m.r[1] = (struct reg){ .k = has(g, GEN_PKT) ? K_CTX : K_NONE };
		if (g->m.r[1].k == K_CTX)
			mov_reg(g, 6, 1);
	}
	/* a few values to start from: constants, and input bytes */
	for (int i = 0, n = rnd(g, 4); i < n; i++) {
		int r = 6 + rnd(g, 4);
		if (g->m.r[r].k == K_NONE)
			mov_imm(g, r, rnd_imm(g));
	}
	int in = find_buf(g, 8, false);
	if (in >= 0)
		g->frozen = (uint16_t)(1u << in);
	for (int i = 0, n = in >= 0 ? 1 + rnd(g, 3) : 0; i < n; i++) {
		int size = 1 << rnd(g, 4);
		load_from(g, in, rnd(g, g->m.r[in].hi - size + 1), size, chance(g, 30));
	}
	g->frozen = 0;
	g->budget = g->o->size ? (int)g->o->size : 4 + rnd(g, 21);
	block(g, g->budget);
	epilogue(g, true);
}

static void gen_fn(struct g *g, int f)
{
	struct fn *fn = &g->fns[f];
	fn->start = here(g);
	fn->generated = true;
	start_function(g, 8);
	g->depth = fn->depth;
	g->callback = fn->callback;
	for (int i = 0; i < fn->nargs && i < 5; i++)
		g->m.r[i + 1] = fn->args[i];
	/* every incoming stack argument first (loads before any r11 store or call),
	 * kept in a callee-saved register or spilled to the own stack */
	for (int i = 5; i < fn->nargs; i++) {
		int k = i - 4;
		int r = 6 + rnd(g, 4);
		if (g->m.r[r].k == K_NONE && chance(g, 40)) {
			emit(g, SBPF_LDX | SBPF_MEM | SBPF_DW, r, 11, 8 * k, 0);
			g->m.r[r] = fn->args[i];
		} else {
			int s = g->nhomes;
			emit(g, SBPF_LDX | SBPF_MEM | SBPF_DW, 0, 11, 8 * k, 0);
			emit(g, SBPF_STX | SBPF_MEM | SBPF_DW, 10, 0, -8 * (s + 1), 0);
			g->m.r[0] = fn->args[i];
			stack_wrote(g, -8 * (s + 1), 8, &fn->args[i]);
			g->homes[g->nhomes++] = s;
		}
	}
	g->m.r[0] = (struct reg){ .k = K_NONE };
	g->budget = 2 + rnd(g, 8);
	block(g, g->budget);
	epilogue(g, false);
}

int gen_program(const struct gen_opts *o, struct gen_prog *p)
{
	struct g *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	g->o = o;
	g->p = p;
	g->rng = o->seed * 0x9e3779b97f4a7c15ull + 0x1234567ull;
	if (!g->rng)
		g->rng = 1;
	g->feat = o->features ? o->features : GEN_ALL;
	g->map_array = g->map_hash = g->map_direct = -1;
	p->seed = o->seed;
	p->features = g->feat;
	p->type = o->type;
	if (p->type == STACKBPF_PROG_UNSPEC) {
		static const uint32_t sizes[] = { 0, 8, 16, 32, 64, 100, 128, 256 };
		p->mem_size = has(g, GEN_MEM) ? sizes[rnd(g, 8)] : 0;
	} else {
		p->mem_size = 14 + (uint32_t)rnd(g, 100);   /* the packet */
	}
	for (uint32_t i = 0; i < GEN_MAX_MEM; i++)
		p->mem[i] = (uint8_t)(chance(g, 30) ? corner[rnd(g, 8)] : (int64_t)rnd64(g));
	if (p->type != STACKBPF_PROG_UNSPEC) {
		p->mem[12] = 0x08;   /* an IPv4 Ethernet frame */
		p->mem[13] = 0x00;
	}
	char name[16];
	for (int n = 0; n <= 12; n++) {
		snprintf(name, sizeof(name), "sum_args%d", n);
		g->sum_id[n] = o->host ? stackbpf_host__find(o->host, name) : -1;
	}
	g->memsum_id = o->host ? stackbpf_host__find(o->host, "mem_sum") : -1;
	if (!o->host)
		g->feat &= ~(unsigned)GEN_HOST;
	gen_main(g);
	for (int f = 0; f < g->nfns && !g->oom; f++)
		gen_fn(g, f);
	for (int i = 0; i < g->ncalls; i++) {   /* calls and ld_imm64 src 4: relative to the next insn */
		int at = g->calls[i].insn;
		p->insns[at].imm = g->fns[g->calls[i].fn].start - at - 1;
	}
	p->nfuncs = (unsigned)g->nfns;
	int err = g->oom ? -ENOMEM : 0;
	free(g);
	if (err)
		gen_free(p);
	return err;
}

void gen_free(struct gen_prog *p)
{
	free(p->insns);
	p->insns = NULL;
	p->cnt = p->cap = 0;
}
