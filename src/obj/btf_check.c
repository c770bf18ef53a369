/* btf_check.c - BTF true signatures: does each static function's FUNC_PROTO
 * describe what its code really receives?
 *
 * LLVM before 23 runs dead-argument elimination on static functions and
 * keeps the source prototype in BTF. Three witnesses tell the truth:
 *
 *   DWARF   each formal parameter's location at the entry pc (libdw on the
 *           object's own .debug_info; in a relocatable BPF object every
 *           address is a section offset, which is what we compare): a
 *           register r1..r5 (DWARF reg N is BPF rN) or an r11 slot means the
 *           parameter arrives there; no location, a list not covering the
 *           entry, or a constant means it was eliminated
 *   code    the argument registers r1..r5 and r11 slots the function reads
 *           before writing them (backward liveness over its CFG in the linked
 *           bytecode): the code receives at least that many
 *   callers what every call site sets up (registers written on every path
 *           to the call, r11 slots stored): the code receives at most that
 *
 * Global functions keep their ABI (LLVM never changes them) and are clean by
 * definition. Without DWARF the count comes from the code alone and the names
 * of the eliminated parameters stay unknown (not fixable). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "isa/insn.h"
#include "isa/opcodes.h"
#include "obj/obj_int.h"

#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, def) (OPTS_HAS(opts, field) ? (opts)->field : (def))

enum { NPOS = STACKBPF_BTF_MAX_PARAMS, ALL_REGS = 0x7ff, ARG_REGS = 0x3e /* r1..r5 */ };

/* ------------------------------------------------------------ the code */

/* what one instruction reads and writes */
struct ud {
	uint16_t use, def;          /* register bits r0..r10 */
	int nsucc;
	uint32_t succ[2];
	int slot_load;              /* r11 + 8*k load: k (1..), else 0 */
	int slot_store;             /* r11 - 8*k store: k (1..), else 0 */
	bool call, local_call;
	uint32_t call_target;       /* local call: target insn */
};

static int helper_nargs(int32_t id)
{
	for (size_t i = 0; i < sbpf_helper_name_cnt; i++)
		if (sbpf_helper_names[i].id == id)
			return sbpf_helper_names[i].nargs;
	return 5;
}

static uint16_t regs_upto(int n)
{
	uint16_t m = 0;
	for (int r = 1; r <= n && r <= 5; r++)
		m |= (uint16_t)(1u << r);
	return m;
}

/* arguments a call at insn i passes in registers (for the callee's liveness) */
static int call_nargs(const struct stackbpf_program *p, const struct stackbpf_insn *v, uint32_t i)
{
	if (v[i].src == SBPF_CALL_HELPER)
		return helper_nargs(v[i].imm);
	if (v[i].src == SBPF_CALL_KFUNC) {
		for (size_t k = 0; k < p->nkfuncs; k++)
			if (p->kfuncs[k].host_id == v[i].imm)
				return p->kfuncs[k].nparams < 0 ? 5 : p->kfuncs[k].nparams;
		return 5;
	}
	uint32_t t = i + 1 + (uint32_t)v[i].imm;
	for (size_t k = 0; k < p->nfuncs; k++)
		if (p->funcs[k].insn_off == t)
			return p->funcs[k].nparams < 0 ? 5 : p->funcs[k].nparams;
	return 5;
}

static void insn_ud(const struct stackbpf_program *p, const struct stackbpf_insn *v, uint32_t i, uint32_t end,
		    struct ud *u)
{
	const struct stackbpf_insn *in = &v[i];
	uint8_t cls = SBPF_CLASS(in->code), op = SBPF_OP(in->code);
	uint16_t dst = (uint16_t)(in->dst < 11 ? 1u << in->dst : 0), src = (uint16_t)(in->src < 11 ? 1u << in->src : 0);
	memset(u, 0, sizeof(*u));
	u->nsucc = 1;
	u->succ[0] = i + 1;
	switch (cls) {
	case SBPF_ALU:
	case SBPF_ALU64:
		if (op == 0xb0) {                           /* mov */
			u->use = SBPF_SRCX(in->code) ? src : 0;
		} else {
			u->use = dst | (SBPF_SRCX(in->code) && op != 0x80 && op != 0xd0 ? src : 0);
		}
		u->def = dst;
		return;
	case SBPF_LDX:
		if (in->src == SBPF_REG_PARAMS) {
			u->slot_load = in->off > 0 && in->off % 8 == 0 ? in->off / 8 : 0;
		} else {
			u->use = src;
		}
		u->def = dst;
		return;
	case SBPF_ST:
	case SBPF_STX:
		if (in->dst == SBPF_REG_PARAMS) {
			u->slot_store = in->off < 0 && in->off % 8 == 0 ? -in->off / 8 : 0;
			u->use = cls == SBPF_STX ? src : 0;
			return;
		}
		u->use = dst | (cls == SBPF_STX ? src : 0);
		if (cls == SBPF_STX && SBPF_MODE(in->code) == SBPF_ATOMIC) {
			if (in->imm == SBPF_ATOMIC_CMPXCHG) {
				u->use |= 1;
				u->def = 1;
			} else if (in->imm & SBPF_ATOMIC_FETCH || in->imm == SBPF_LOAD_ACQ) {
				u->def = src;
			}
			if (in->imm == SBPF_LOAD_ACQ) {
				u->use = src;
				u->def = dst;
			}
		}
		return;
	case SBPF_LD:
		if (SBPF_MODE(in->code) == SBPF_IMM) {
			u->def = dst;
			u->succ[0] = i + 2;
		} else {                                    /* legacy abs/ind: reads r6 (skb) */
			u->use = (uint16_t)(1u << 6) | (SBPF_MODE(in->code) == SBPF_IND ? src : 0);
			u->def = 1 | ARG_REGS;
		}
		return;
	default:                                            /* JMP, JMP32 */
		break;
	}
	if (op == 0x90 && cls == SBPF_JMP) {                /* exit */
		u->use = 1;
		u->nsucc = 0;
		return;
	}
	if (op == 0x80 && cls == SBPF_JMP) {                /* call */
		u->call = true;
		u->use = regs_upto(call_nargs(p, v, i));
		u->def = 1 | ARG_REGS;
		if (in->src == SBPF_CALL_LOCAL) {
			u->local_call = true;
			u->call_target = i + 1 + (uint32_t)in->imm;
		}
		return;
	}
	int64_t off = cls == SBPF_JMP32 && op == 0x00 ? in->imm : in->off;
	uint32_t t = (uint32_t)((int64_t)i + 1 + off);
	if (op == 0x00) {                                   /* ja */
		u->succ[0] = t;
		return;
	}
	u->use = dst | (SBPF_SRCX(in->code) ? src : 0);
	u->succ[u->nsucc++] = t;
	(void)end;
}

/* argument positions the function [start, start+cnt) of p reads before
 * writing them: 1 + the highest of r1..r5 live at entry, or 5 + the highest
 * r11 slot it loads */
static int code_reads(const struct stackbpf_program *p, uint32_t start, uint32_t cnt)
{
	const struct stackbpf_insn *v = stackbpf_prog__insns(p->prog);
	size_t total = stackbpf_prog__insn_cnt(p->prog);
	if (cnt == 0 || start >= total || cnt > total - start)
		return 0;
	uint16_t *live = calloc(cnt, sizeof(*live));
	if (!live)
		return -ENOMEM;
	int slots = 0;
	for (bool changed = true; changed;) {
		changed = false;
		for (uint32_t k = cnt; k-- > 0;) {
			struct ud u;
			insn_ud(p, v, start + k, start + cnt, &u);
			if (u.slot_load > slots)
				slots = u.slot_load;
			uint16_t out = 0;
			for (int s = 0; s < u.nsucc; s++)
				if (u.succ[s] >= start && u.succ[s] < start + cnt)
					out |= live[u.succ[s] - start];
			uint16_t in = (uint16_t)(u.use | (out & ~u.def));
			if (in != live[k]) {
				live[k] = in;
				changed = true;
			}
		}
	}
	int n = 0;
	for (int r = 1; r <= 5; r++)
		if (live[0] & (1u << r))
			n = r;
	free(live);
	return slots ? 5 + slots : n;
}

/* For every local call in function [start, start+cnt) of p whose target is
 * insn `callee`: the arguments it sets up (r1..rk written on every path to
 * it, then r11 slots 1..j stored). Lowers *pass to the fewest, counts sites.
 * At the function's entry r1 (a program's context) or r1..r5 (a subprogram's
 * own arguments) count as written. */
static int call_sites(const struct stackbpf_program *p, uint32_t start, uint32_t cnt, bool entry, uint32_t callee,
		      int *pass, int *sites)
{
	const struct stackbpf_insn *v = stackbpf_prog__insns(p->prog);
	size_t total = stackbpf_prog__insn_cnt(p->prog);
	if (cnt == 0 || start >= total || cnt > total - start)
		return 0;
	/* bits 0..10 registers written, 11..17 r11 slots 1..7 stored; must-analysis */
	uint32_t *in = malloc(cnt * sizeof(*in));
	bool *seen = calloc(cnt, sizeof(*seen));
	if (!in || !seen) {
		free(in);
		free(seen);
		return -ENOMEM;
	}
	for (uint32_t k = 0; k < cnt; k++)
		in[k] = 0x3ffff;
	in[0] = (1u << SBPF_REG_FP) | (entry ? 2u : ARG_REGS);
	seen[0] = true;
	for (bool changed = true; changed;) {
		changed = false;
		for (uint32_t k = 0; k < cnt; k++) {
			if (!seen[k])
				continue;
			struct ud u;
			insn_ud(p, v, start + k, start + cnt, &u);
			uint32_t out = in[k] | u.def;
			if (u.call)
				out = (out & ~(uint32_t)(0x7f << 11) & ~(uint32_t)ARG_REGS) | 1;
			if (u.slot_store >= 1 && u.slot_store <= 7)
				out |= 1u << (10 + u.slot_store);
			for (int s = 0; s < u.nsucc; s++) {
				if (u.succ[s] < start || u.succ[s] >= start + cnt)
					continue;
				uint32_t t = u.succ[s] - start;
				uint32_t m = seen[t] ? in[t] & out : out;
				if (!seen[t] || m != in[t]) {
					in[t] = m;
					seen[t] = true;
					changed = true;
				}
			}
		}
	}
	for (uint32_t k = 0; k < cnt; k++) {
		struct ud u;
		insn_ud(p, v, start + k, start + cnt, &u);
		if (!seen[k] || !u.local_call || u.call_target != callee)
			continue;
		int n = 0;
		while (n < 5 && in[k] & (1u << (n + 1)))
			n++;
		if (n == 5)
			while (n < 12 && in[k] & (1u << (11 + n - 5)))
				n++;
		if (*pass < 0 || n < *pass)
			*pass = n;
		(*sites)++;
	}
	free(in);
	free(seen);
	return 0;
}

/* ------------------------------------------------------------ DWARF */

enum dw_kind { DW_NONE, DW_REG, DW_SLOT, DW_CONST, DW_FRAME, DW_BAD };

struct dw_param {
	const char *name;           /* valid while the Dwarf is open */
	enum dw_kind kind;
	int pos;                    /* DW_REG: 0..4 (r1..r5); DW_SLOT: 5.. */
	const char *why;
};

struct dw_func {
	struct dw_param p[NPOS];
	int n;
	bool found, too_many;
	const char *err;            /* libdw's message when reading failed */
};

/* the location expression of a parameter at the entry pc */
static void classify_expr(const Dwarf_Op *e, size_t n, struct dw_param *dp)
{
	if (n == 0) {
		dp->kind = DW_NONE;
		dp->why = "empty DWARF location at entry";
		return;
	}
	uint8_t a = e[0].atom;
	uint64_t reg = UINT64_MAX;
	if (a >= DW_OP_reg0 && a <= DW_OP_reg31)
		reg = a - DW_OP_reg0;
	else if (a == DW_OP_regx)
		reg = e[0].number;
	else if (a == DW_OP_entry_value || a == DW_OP_GNU_entry_value)
		reg = UINT64_MAX - 1;               /* the value it had at entry: a register */
	if (reg >= 1 && reg <= 5) {
		dp->kind = DW_REG;
		dp->pos = (int)reg - 1;
		dp->why = "DWARF: in a register at entry";
		return;
	}
	if (a == DW_OP_breg11 && (int64_t)e[0].number > 0 && e[0].number % 8 == 0 && e[0].number / 8 <= 7) {
		dp->kind = DW_SLOT;
		dp->pos = 4 + (int)(e[0].number / 8);
		dp->why = "DWARF: in an r11 stack slot at entry";
		return;
	}
	if (a == DW_OP_fbreg || a == DW_OP_breg10) {
		/* spilled to the frame for the whole function (its address is
		 * taken): received, in a register the others leave free */
		dp->kind = DW_FRAME;
		dp->why = "DWARF: in the frame (address taken), received";
		return;
	}
	if (reg == UINT64_MAX - 1) {
		dp->kind = DW_NONE;
		dp->why = "DWARF: only an entry value";
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (e[i].atom == DW_OP_stack_value) {
			dp->kind = DW_CONST;
			dp->why = "DWARF: a constant (every caller passed the same value)";
			return;
		}
	dp->kind = DW_NONE;
	dp->why = "DWARF: not in an argument register at entry";
}

static void read_param(Dwarf_Die *die, Dwarf_Addr entry, struct dw_param *dp)
{
	Dwarf_Attribute at;
	dp->name = dwarf_diename(die);
	if (!dp->name)
		dp->name = "";
	dp->pos = -1;
	if (!dwarf_attr_integrate(die, DW_AT_location, &at)) {
		Dwarf_Attribute cv;
		dp->kind = dwarf_attr_integrate(die, DW_AT_const_value, &cv) ? DW_CONST : DW_NONE;
		dp->why = dp->kind == DW_CONST ? "DWARF: a constant (every caller passed the same value)"
					       : "no DWARF location";
		return;
	}
	Dwarf_Op *e = NULL;
	size_t n = 0;
	int r = dwarf_getlocation_addr(&at, entry, &e, &n, 1);
	if (r < 0) {
		dp->kind = DW_BAD;
		dp->why = "unreadable DWARF location";
		return;
	}
	if (r == 0) {
		dp->kind = DW_NONE;
		dp->why = "DWARF location list does not cover the entry";
		return;
	}
	classify_expr(e, n, dp);
}

/* the subprogram named `name`; the one at `entry_off` (section offset in
 * bytes) when the object has several of that name */
static void read_dwarf_func(Dwarf *dw, const char *name, uint64_t entry_off, struct dw_func *out)
{
	memset(out, 0, sizeof(*out));
	Dwarf_Off off = 0, next;
	size_t hsz;
	bool exact = false;
	int rc = 0;
	while (!exact && (rc = dwarf_nextcu(dw, off, &next, &hsz, NULL, NULL, NULL)) == 0) {
		Dwarf_Die cu, ch;
		if (!dwarf_offdie(dw, off + hsz, &cu)) {
			out->err = dwarf_errmsg(-1);
			break;
		}
		off = next;
		if (dwarf_child(&cu, &ch) != 0)
			continue;
		do {
			if (dwarf_tag(&ch) != DW_TAG_subprogram)
				continue;
			const char *n = dwarf_diename(&ch);
			Dwarf_Addr lo;
			if (!n || strcmp(n, name) != 0 || dwarf_lowpc(&ch, &lo) != 0)
				continue;
			if (out->found && lo != entry_off)
				continue;
			exact = lo == entry_off;
			out->found = true;
			out->n = 0;
			out->too_many = false;
			Dwarf_Die pd;
			if (dwarf_child(&ch, &pd) != 0)
				continue;
			do {
				if (dwarf_tag(&pd) != DW_TAG_formal_parameter)
					continue;
				if (out->n == NPOS) {
					out->too_many = true;
					break;
				}
				read_param(&pd, lo, &out->p[out->n]);
				if (out->p[out->n++].kind == DW_BAD)
					out->err = dwarf_errmsg(-1);
			} while (dwarf_siblingof(&pd, &pd) == 0);
		} while (!exact && dwarf_siblingof(&ch, &ch) == 0);
	}
	if (rc < 0)
		out->err = dwarf_errmsg(-1);
}

/* libdw on the object's own Elf; NULL without DWARF. Unreadable DWARF is
 * reported (the log) and the code alone decides. */
static Dwarf *open_dwarf(struct stackbpf_object *o)
{
	bool has = false;
	for (size_t i = 0; i < o->nsecs; i++)
		if (o->secs[i].name && strcmp(o->secs[i].name, ".debug_info") == 0)
			has = true;
	if (!has)
		return NULL;
	Dwarf *dw = dwarf_begin_elf(o->elf, DWARF_C_READ, NULL);
	if (!dw)
		obj_err(o, ".debug_info: libdw cannot read it (%s); deciding from the code alone", dwarf_errmsg(-1));
	return dw;
}

/* ------------------------------------------------------------ verdicts */

struct fn_ref {                 /* one linked copy of a function */
	const struct stackbpf_program *p;
	const struct stackbpf_func *f;
	size_t idx;
};

static void mark(struct stackbpf_btf_func_check *c, int i, enum stackbpf_param_fate fate, int pos, const char *why)
{
	c->params[i].fate = fate;
	c->params[i].abi_pos = pos;
	c->params[i].why = why;
}

/* the true signature from DWARF, checked against the code */
static void decide_dwarf(struct stackbpf_btf_func_check *c, const struct dw_func *d)
{
	int n = c->btf_nparams;
	bool named = true;
	for (int i = 0; i < n; i++)
		if (!c->params[i].name[0])
			named = false;
	for (int i = 0; i < n; i++) {
		const struct dw_param *dp = NULL;
		if (named) {
			for (int k = 0; k < d->n; k++)
				if (strcmp(d->p[k].name, c->params[i].name) == 0)
					dp = &d->p[k];
		} else if (d->n == n) {
			dp = &d->p[i];
		}
		if (!dp) {
			mark(c, i, STACKBPF_PARAM_UNKNOWN, -1, "no DWARF parameter of that name");
			continue;
		}
		if (dp->kind == DW_REG || dp->kind == DW_SLOT || dp->kind == DW_FRAME)
			mark(c, i, STACKBPF_PARAM_KEPT, dp->kind == DW_FRAME ? -1 : dp->pos, dp->why);
		else
			mark(c, i, STACKBPF_PARAM_ELIMINATED, -1, dp->why);
	}
	/* a register claimed twice, or a position past what any caller sets up
	 * while the code never reads it: the register was not really passed */
	for (int i = 0; i < n; i++) {
		struct stackbpf_btf_param *pa = &c->params[i];
		if (pa->fate != STACKBPF_PARAM_KEPT)
			continue;
		for (int k = 0; k < i; k++)
			if (c->params[k].fate == STACKBPF_PARAM_KEPT && c->params[k].abi_pos == pa->abi_pos)
				mark(c, i, STACKBPF_PARAM_UNKNOWN, -1, "DWARF: register claimed by two parameters");
		if (pa->fate == STACKBPF_PARAM_KEPT && pa->abi_pos >= c->code_reads && c->callers_pass >= 0 &&
		    pa->abi_pos >= c->callers_pass)
			mark(c, i, STACKBPF_PARAM_ELIMINATED, -1, "its register is never read and no caller sets it");
	}
}

/* order the kept parameters by ABI position; count; decide mismatch and
 * whether a fix can express it */
/* kept parameters DWARF places in the frame get the positions the others
 * leave free, in source order (dead-argument elimination drops parameters,
 * it never reorders them); false when that cannot be done */
static bool fill_positions(struct stackbpf_btf_func_check *c)
{
	int n = c->btf_nparams, kept = 0;
	bool used[NPOS] = { false };
	for (int i = 0; i < n && i < NPOS; i++)
		if (c->params[i].fate == STACKBPF_PARAM_KEPT) {
			kept++;
			if (c->params[i].abi_pos >= 0 && c->params[i].abi_pos < NPOS)
				used[c->params[i].abi_pos] = true;
		}
	int next = 0;
	for (int i = 0; i < n && i < NPOS; i++) {
		if (c->params[i].fate != STACKBPF_PARAM_KEPT || c->params[i].abi_pos >= 0)
			continue;
		while (next < kept && used[next])
			next++;
		if (next >= kept)
			return false;
		/* the free slot must lie between its neighbours' known positions */
		for (int k = 0; k < i; k++)
			if (c->params[k].fate == STACKBPF_PARAM_KEPT && c->params[k].abi_pos > next)
				return false;
		c->params[i].abi_pos = next;
		used[next++] = true;
	}
	return true;
}

static void finish(struct stackbpf_btf_func_check *c)
{
	int n = c->btf_nparams, kept = 0, unknown = 0;
	bool order_changed = false, dense = true;
	if (c->has_dwarf && !fill_positions(c))
		for (int i = 0; i < n && i < NPOS; i++)
			if (c->params[i].fate == STACKBPF_PARAM_KEPT && c->params[i].abi_pos < 0)
				mark(c, i, STACKBPF_PARAM_UNKNOWN, -1, "DWARF: received, but in which register is unclear");
	for (int pos = 0; pos < NPOS; pos++) {
		int who = -1;
		for (int i = 0; i < n && i < NPOS; i++)
			if (c->params[i].fate == STACKBPF_PARAM_KEPT && c->params[i].abi_pos == pos)
				who = i;
		if (who < 0)
			continue;
		if (pos != kept)
			dense = false;
		c->true_order[kept++] = who;
	}
	for (int i = 0; i < n && i < NPOS; i++)
		if (c->params[i].fate == STACKBPF_PARAM_UNKNOWN)
			unknown++;
	for (int k = 1; k < kept; k++)
		if (c->true_order[k] < c->true_order[k - 1])
			order_changed = true;
	if (!c->has_dwarf || unknown) {
		/* the code alone: it receives what every caller sets up, at least
		 * what it reads */
		int t = c->callers_pass >= 0 ? c->callers_pass : n;
		if (t < c->code_reads)
			t = c->code_reads;
		c->true_nparams = t < n ? t : n;
		c->mismatch = c->true_nparams != n;
		c->fixable = false;
		for (int i = 0; i < n && i < NPOS; i++)
			c->true_order[i] = i;
		return;
	}
	c->true_nparams = kept;
	/* DWARF says fewer than the code reads: DWARF is not the whole truth
	 * (hand-written code, __naked): trust the prototype */
	if (kept < c->code_reads) {
		c->true_nparams = n;
		c->mismatch = false;
		c->fixable = false;
		for (int i = 0; i < n && i < NPOS; i++) {
			mark(c, i, STACKBPF_PARAM_UNKNOWN, -1, "the code reads more arguments than DWARF describes");
			c->true_order[i] = i;
		}
		return;
	}
	c->mismatch = kept != n || order_changed;
	c->fixable = c->mismatch && dense;
}

static int check_one(const struct stackbpf_object *o, Dwarf *dw, const struct fn_ref *refs, size_t nrefs,
		     struct stackbpf_btf_func_check *c, const char **dwarf_err)
{
	const struct stackbpf_func *f = refs[0].f;
	const struct btf_type *ft = btf__type_by_id(o->btf, f->btf_id);
	memset(c, 0, sizeof(*c));
	c->name = f->name;
	c->func_id = f->btf_id;
	c->proto_id = ft ? ft->type : 0;
	c->global = f->global;
	c->btf_nparams = f->nparams;
	c->true_nparams = f->nparams;
	c->callers_pass = -1;
	for (int i = 0; i < NPOS; i++) {
		c->params[i].name = i < f->nparams ? f->param_names[i] : "";
		c->params[i].abi_pos = i < f->nparams ? i : -1;
		c->params[i].why = "as in BTF";
		c->true_order[i] = i < f->nparams ? i : -1;
	}
	if (c->global || f->nparams > NPOS)
		return 0;               /* the ABI is the prototype */
	int r = code_reads(refs[0].p, f->insn_off, f->insn_cnt);
	if (r < 0)
		return r;
	c->code_reads = r;
	/* call sites in every function of every program that links it */
	for (size_t k = 0; k < nrefs; k++) {
		const struct stackbpf_program *p = refs[k].p;
		for (size_t j = 0; j < p->nfuncs; j++) {
			int e = call_sites(p, p->funcs[j].insn_off, p->funcs[j].insn_cnt, j == 0, refs[k].f->insn_off,
					   &c->callers_pass, &c->call_sites);
			if (e)
				return e;
		}
	}
	struct dw_func d;
	if (dw) {
		const struct obj_fn *of = NULL;
		for (size_t i = 0; i < o->nfns; i++)
			if (strcmp(o->fns[i].name, f->name) == 0)
				of = &o->fns[i];
		read_dwarf_func(dw, f->name, of ? (uint64_t)of->off * 8 : 0, &d);
		c->has_dwarf = d.found && !d.too_many && !d.err;
		if (d.err && !*dwarf_err)
			*dwarf_err = d.err;
	}
	for (int i = 0; i < f->nparams; i++)
		mark(c, i, STACKBPF_PARAM_UNKNOWN, -1, "no DWARF");
	if (c->has_dwarf)
		decide_dwarf(c, &d);
	finish(c);
	return 0;
}

int stackbpf_object__check_btf(const struct stackbpf_object *o, const struct stackbpf_btf_check_opts *opts,
			       struct stackbpf_btf_func_check **results, size_t *cnt)
{
	*results = NULL;
	*cnt = 0;
	if (!o)
		return -EINVAL;
	if (!o->btf)
		return obj_err((struct stackbpf_object *)o, "no .BTF section: nothing to check");
	bool no_dwarf = OPTS_GET(opts, no_dwarf, false);
	/* every distinct FUNC linked as a subprogram, with all its copies */
	size_t cap = 0, nres = 0;
	for (size_t i = 0; i < o->nprogs; i++)
		cap += o->progs[i].nfuncs;
	struct fn_ref *refs = calloc(cap ? cap : 1, sizeof(*refs));
	struct stackbpf_btf_func_check *res = calloc(cap ? cap : 1, sizeof(*res));
	size_t nrefs = 0;
	if (!refs || !res) {
		free(refs);
		free(res);
		return -ENOMEM;
	}
	for (size_t i = 0; i < o->nprogs; i++)
		for (size_t j = 1; j < o->progs[i].nfuncs; j++)
			if (o->progs[i].funcs[j].btf_id && o->progs[i].funcs[j].nparams >= 0)
				refs[nrefs++] = (struct fn_ref){ &o->progs[i], &o->progs[i].funcs[j], j };
	Dwarf *dw = no_dwarf ? NULL : open_dwarf((struct stackbpf_object *)o);
	int err = 0, bad = 0;
	const char *dwarf_err = NULL;
	struct fn_ref *group = calloc(nrefs ? nrefs : 1, sizeof(*group));
	bool *done = calloc(nrefs ? nrefs : 1, sizeof(*done));
	if (!group || !done)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < nrefs; i++) {
		if (done[i])
			continue;
		size_t ng = 0;
		for (size_t k = i; k < nrefs; k++)
			if (!done[k] && refs[k].f->btf_id == refs[i].f->btf_id) {
				done[k] = true;
				group[ng++] = refs[k];
			}
		err = check_one(o, dw, group, ng, &res[nres], &dwarf_err);
		if (!err && res[nres].mismatch)
			bad++;
		nres++;
	}
	if (dwarf_err)
		obj_err((struct stackbpf_object *)o, ".debug_info: libdw cannot read it (%s); deciding from the code alone",
			dwarf_err);
	if (dw)
		dwarf_end(dw);
	free(group);
	free(done);
	free(refs);
	if (err) {
		free(res);
		return err;
	}
	*results = res;
	*cnt = nres;
	return bad;
}

/* ------------------------------------------------------------ messages */

int stackbpf_btf_func_check__linux_msg(const struct stackbpf_btf_func_check *c, char *buf, size_t sz)
{
	int p = c->btf_nparams, t = c->true_nparams;
	if (!c->mismatch || p <= SBPF_MAX_REG_ARGS || t >= p)
		return snprintf(buf, sz, "%s", "");
	int first = t > SBPF_MAX_REG_ARGS ? t - SBPF_MAX_REG_ARGS + 1 : 1;
	return snprintf(buf, sz, "callee expects %d args, stack arg%d is not initialized", p, first);
}

/* "a", "a and b", "a, b and c" of the parameters with `fate` */
static size_t list_names(const struct stackbpf_btf_func_check *c, enum stackbpf_param_fate fate, char *buf, size_t sz)
{
	int idx[NPOS], n = 0;
	for (int i = 0; i < c->btf_nparams && i < NPOS; i++)
		if (c->params[i].fate == fate)
			idx[n++] = i;
	size_t at = 0;
	buf[0] = 0;
	for (int k = 0; k < n; k++) {
		const char *sep = k == 0 ? "" : k == n - 1 ? " and " : ", ";
		char nm[32];
		if (c->params[idx[k]].name[0])
			snprintf(nm, sizeof(nm), "%s", c->params[idx[k]].name);
		else
			snprintf(nm, sizeof(nm), "parameter %d", idx[k] + 1);
		int w = snprintf(buf + at, sz - at, "%s%s", sep, nm);
		if (w < 0 || (size_t)w >= sz - at)
			break;
		at += (size_t)w;
	}
	return (size_t)n;
}

int stackbpf_btf_func_check__describe(const struct stackbpf_btf_func_check *c, char *buf, size_t sz)
{
	char what[256], lin[96];
	int p = c->btf_nparams, t = c->true_nparams;
	if (!c->mismatch)
		return snprintf(buf, sz, "%s: BTF prototype has %d parameter%s, the code receives them as declared",
				c->name, p, p == 1 ? "" : "s");
	if (!c->has_dwarf || !c->fixable) {
		snprintf(what, sizeof(what), " (%s: which parameters were eliminated is unknown)",
			 c->has_dwarf ? "DWARF does not say" : "no DWARF");
	} else {
		char names[192];
		size_t n = list_names(c, STACKBPF_PARAM_ELIMINATED, names, sizeof(names));
		if (n)
			snprintf(what, sizeof(what), ": %s %s eliminated", names, n == 1 ? "was" : "were");
		else
			what[0] = 0;
		if (t == p || n == 0) {
			size_t at = strlen(what);
			at += (size_t)snprintf(what + at, sizeof(what) - at, "%s in another order:", n ? "," : "");
			for (int k = 0; k < t && at < sizeof(what); k++)
				at += (size_t)snprintf(what + at, sizeof(what) - at, "%s%s", k ? ", " : " ",
						       c->params[c->true_order[k]].name);
		}
	}
	stackbpf_btf_func_check__linux_msg(c, lin, sizeof(lin));
	if (lin[0])
		return snprintf(buf, sz, "%s: BTF prototype has %d parameters, the code receives %d%s; Linux with stack "
				"arguments rejects its callers: %s", c->name, p, t, what, lin);
	return snprintf(buf, sz, "%s: BTF prototype has %d parameters, the code receives %d%s; Linux accepts the "
			"calls (no stack arguments) but checks them against the wrong parameter types", c->name, p, t,
			what);
}

int stackbpf_program__btf_hint(const struct stackbpf_object *obj, const struct stackbpf_program *prog,
			       const char *reject_msg, char *buf, size_t sz)
{
	if (!obj || !prog || !buf || !sz)
		return -EINVAL;
	buf[0] = 0;
	if (!obj->btf)
		return 0;
	int want = -1;
	if (reject_msg) {
		int k;
		if (sscanf(reject_msg, "callee expects %d args, stack arg%d", &want, &k) != 2)
			return 0;
	}
	struct stackbpf_btf_func_check *res;
	size_t n;
	int r = stackbpf_object__check_btf(obj, NULL, &res, &n);
	if (r < 0)
		return r;
	int found = 0;
	for (size_t i = 0; i < n && !found; i++) {
		if (!res[i].mismatch || (want >= 0 && res[i].btf_nparams != want))
			continue;
		for (size_t j = 1; j < prog->nfuncs; j++)
			if (prog->funcs[j].btf_id == res[i].func_id) {
				stackbpf_btf_func_check__describe(&res[i], buf, sz);
				found = 1;
				break;
			}
	}
	free(res);
	return found;
}

int stackbpf_program__true_funcs(const struct stackbpf_object *obj, const struct stackbpf_program *prog,
				 struct stackbpf_func **funcs, size_t *cnt)
{
	if (!funcs || !cnt)
		return -EINVAL;
	*funcs = NULL;
	*cnt = 0;
	if (!obj || !prog)
		return -EINVAL;
	struct stackbpf_btf_func_check *res;
	size_t n;
	int r = stackbpf_object__check_btf(obj, NULL, &res, &n);
	if (r < 0)
		return r;
	struct stackbpf_func *v = malloc((prog->nfuncs ? prog->nfuncs : 1) * sizeof(*v));
	if (!v) {
		free(res);
		return -ENOMEM;
	}
	int changed = 0;
	for (size_t j = 0; j < prog->nfuncs; j++) {
		v[j] = prog->funcs[j];
		for (size_t i = 0; i < n; i++) {
			const struct stackbpf_btf_func_check *c = &res[i];
			if (!c->mismatch || c->func_id != v[j].btf_id || j == 0)
				continue;
			v[j].nparams = c->true_nparams;
			for (int k = 0; k < NPOS; k++)
				v[j].param_names[k] = k < c->true_nparams && c->fixable ? c->params[c->true_order[k]].name
						      : k < c->true_nparams ? prog->funcs[j].param_names[k] : NULL;
			changed++;
		}
	}
	free(res);
	*funcs = v;
	*cnt = prog->nfuncs;
	return changed;
}
