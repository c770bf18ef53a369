/* pkt.c - what comparisons of packet pointers teach (Linux's
 * try_match_pkt_pointers, find_good_pkt_pointers, mark_pkt_end and
 * is_pkt_ptr_branch_taken).
 *
 * A packet pointer's `range` (kept in sbpf_reg.mem_size, as an int32) is the
 * number of bytes past the pointer's id base known to lie below data_end:
 * `if (r2 > data_end)` with r2 = data + 8 gives every pointer with r2's id
 * range 8 on the fall-through side. The same holds for data_meta against an
 * unmodified data pointer. A pointer known to be at or beyond data_end gets
 * range AT_PKT_END (-1) or BEYOND_PKT_END (-2), which later decides
 * comparisons of that pointer with data_end. */
#include "verifier/verifier.h"

enum { BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JLT = 0xa0, BPF_JLE = 0xb0 };
enum { AT_PKT_END = -1, BEYOND_PKT_END = -2, MAX_PACKET_OFF = 0xffff };

static bool is_init_pkt(const struct sbpf_reg *r)
{
	return r->type == PTR_TO_PACKET && r->off == 0 && scalar_is_const(&r->s) && scalar_const(&r->s) == 0;
}

static uint8_t flip(uint8_t op)
{
	switch (op) {
	case BPF_JGT: return BPF_JLT;
	case BPF_JLT: return BPF_JGT;
	case BPF_JGE: return BPF_JLE;
	case BPF_JLE: return BPF_JGE;
	default: return op;
	}
}

static void good_one(struct sbpf_reg *r, uint16_t type, uint32_t id, int32_t range)
{
	if (r->type == type && r->id == id && (int32_t)r->mem_size < range)
		r->mem_size = (uint32_t)range;
}

/* every pointer of p's type and id in st: bytes up to p's offset are in the
 * packet (one more when p < end is known strictly) */
static void find_good_pkt_pointers(struct sbpf_vstate *st, const struct sbpf_reg *p, bool right_open)
{
	if (p->off < 0 || (p->off == 0 && right_open))
		return;
	if (p->s.umax > MAX_PACKET_OFF || p->s.umax + (uint64_t)p->off > MAX_PACKET_OFF)
		return;
	int32_t range = p->off + (right_open ? 1 : 0);
	uint16_t type = p->type;
	uint32_t id = p->id;
	for (uint32_t i = 0; i <= st->curframe; i++) {
		struct sbpf_func_state *f = st->frame[i];
		for (int r = 0; r < SBPF_NREGS; r++)
			good_one(&f->regs[r], type, id, range);
		for (int r = 0; r < SBPF_MAX_STACK_ARGS; r++)
			good_one(&f->stack_arg_regs[r], type, id, range);
		for (uint32_t k = 0; k < f->nslots; k++)
			if (f->stack[k].types[7] == STACK_SPILL)
				good_one(&f->stack[k].spilled, type, id, range);
	}
}

static void mark_pkt_end(struct sbpf_vstate *st, int regno, bool beyond)
{
	struct sbpf_reg *r = &st->frame[st->curframe]->regs[regno];
	if (r->type == PTR_TO_PACKET)
		r->mem_size = (uint32_t)(int32_t)(beyond ? BEYOND_PKT_END : AT_PKT_END);
}

bool pkt_cond_jmp(struct sbpf_env *env, const struct stackbpf_insn *in, struct sbpf_vstate *fall,
		  struct sbpf_vstate *taken)
{
	(void)env;
	if (SBPF_CLASS(in->code) != SBPF_JMP || !SBPF_SRCX(in->code))
		return false;
	const struct sbpf_func_state *f = fall->frame[fall->curframe];
	const struct sbpf_reg *d = &f->regs[in->dst], *s = &f->regs[in->src];
	uint8_t op = SBPF_OP(in->code);
	int preg;
	const struct sbpf_reg *p;
	/* the moving pointer p' on the left: "p' OP end" */
	if ((d->type == PTR_TO_PACKET && s->type == PTR_TO_PACKET_END) ||
	    (d->type == PTR_TO_PACKET_META && is_init_pkt(s))) {
		p = d;
		preg = in->dst;
	} else if ((d->type == PTR_TO_PACKET_END && s->type == PTR_TO_PACKET) ||
		   (is_init_pkt(d) && s->type == PTR_TO_PACKET_META)) {
		p = s;
		preg = in->src;
		op = flip(op);
	} else {
		return false;
	}
	if (op != BPF_JGT && op != BPF_JGE && op != BPF_JLT && op != BPF_JLE)
		return false;
	struct sbpf_reg pv = *p;
	switch (op) {
	case BPF_JGT:   /* fall: p' <= end */
		find_good_pkt_pointers(fall, &pv, false);
		mark_pkt_end(taken, preg, true);
		break;
	case BPF_JLT:   /* taken: p' < end */
		find_good_pkt_pointers(taken, &pv, true);
		mark_pkt_end(fall, preg, false);
		break;
	case BPF_JGE:   /* fall: p' < end */
		find_good_pkt_pointers(fall, &pv, true);
		mark_pkt_end(taken, preg, false);
		break;
	case BPF_JLE:   /* taken: p' <= end */
		find_good_pkt_pointers(taken, &pv, false);
		mark_pkt_end(fall, preg, true);
		break;
	}
	return true;
}

static bool is_pkt_any(const struct sbpf_reg *r)
{
	return r->type == PTR_TO_PACKET || r->type == PTR_TO_PACKET_META || r->type == PTR_TO_PACKET_END;
}

int pkt_branch_taken(const struct sbpf_reg *d, const struct sbpf_reg *s, uint8_t op)
{
	const struct sbpf_reg *p;
	if (!is_pkt_any(d) || !is_pkt_any(s))
		return -1;
	if (s->type == PTR_TO_PACKET_END) {
		p = d;
	} else if (d->type == PTR_TO_PACKET_END) {
		p = s;
		op = flip(op);
	} else {
		return -1;
	}
	int32_t range = (int32_t)p->mem_size;
	if (range >= 0)
		return -1;
	switch (op) {
	case BPF_JLE: case BPF_JGT:
		if (range == BEYOND_PKT_END)
			return op == BPF_JGT;
		break;
	case BPF_JLT: case BPF_JGE:
		return op == BPF_JGE;
	}
	return -1;
}

/* ------------------------------------------------- pointers against NULL */

/* Linux's reg_not_null */
static bool reg_not_null(const struct sbpf_reg *r)
{
	if (r->type & PTR_MAYBE_NULL)
		return false;
	uint16_t b = BASE_TYPE(r->type);
	return b == PTR_TO_MAP_VALUE || b == PTR_TO_MAP_KEY || b == PTR_TO_MEM || b == CONST_PTR_TO_MAP;
}

int ptr_branch_taken(const struct sbpf_reg *d, const struct sbpf_reg *s, uint8_t op, bool is64, bool is_x,
		     bool *null_check)
{
	enum { BPF_JEQ = 0x10, BPF_JNE = 0x50 };
	*null_check = false;
	if (s->type != SCALAR_VALUE || !reg_is_ptr(d))
		return -1;
	struct tnum v = is64 ? s->s.var_off : tnum_subreg(s->s.var_off);
	if (!tnum_is_const(v) || v.value != 0 || (op != BPF_JEQ && op != BPF_JNE))
		return -1;
	if ((d->type & PTR_MAYBE_NULL) && is64 && !is_x) {
		*null_check = true;
		return -1;
	}
	if (!reg_not_null(d))
		return -1;
	return op == BPF_JNE;
}

void ptr_cmp_nullness(const struct stackbpf_insn *in, struct sbpf_vstate *fall, struct sbpf_vstate *taken)
{
	enum { BPF_JEQ = 0x10, BPF_JNE = 0x50 };
	uint8_t op = SBPF_OP(in->code);
	if (SBPF_CLASS(in->code) != SBPF_JMP || !SBPF_SRCX(in->code) || (op != BPF_JEQ && op != BPF_JNE))
		return;
	const struct sbpf_func_state *f = fall->frame[fall->curframe];
	const struct sbpf_reg *d = &f->regs[in->dst], *s = &f->regs[in->src];
	if (!reg_is_ptr(d) || !reg_is_ptr(s) || !(d->type & PTR_MAYBE_NULL) == !(s->type & PTR_MAYBE_NULL))
		return;
	struct sbpf_vstate *eq = op == BPF_JEQ ? taken : fall;
	int regno = (s->type & PTR_MAYBE_NULL) ? in->src : in->dst;
	eq->frame[eq->curframe]->regs[regno].type &= (uint16_t)~PTR_MAYBE_NULL;
}

bool pkt_range_safe(const struct sbpf_reg *old, const struct sbpf_reg *cur)
{
	int32_t o = (int32_t)old->mem_size, c = (int32_t)cur->mem_size;
	if (o < 0 || c < 0)
		return o == c;
	return o <= c;
}
