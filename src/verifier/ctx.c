/* ctx.c - program types and their contexts, as Linux 6.18 defines them
 * (net/core/filter.c *_is_valid_access, kernel/trace/bpf_trace.c
 * kprobe_prog_is_valid_access, verifier.c check_return_code and
 * may_access_direct_pkt_data).
 *
 * Types: socket_filter, tc (sched_cls/act), cgroup_skb, xdp, kprobe,
 * tracepoint, raw_tracepoint, perf_event (raw, ours, has no context).
 * One table per context layout: a row per field (offset, size, how it may be
 * read and written, what a load yields) with a column per program type that
 * shares the layout (struct __sk_buff: socket_filter, tc, cgroup_skb).
 * Field access kinds, the rules bpf_skb_is_valid_access applies:
 *   NARROW  reads of 1, 2 or 4 bytes at an offset aligned to the size inside
 *           the field (narrow loads); writes only the whole 4-byte field
 *   WHOLE   exactly the field (size and offset)
 *   ANY     any size aligned to itself inside the field (cb[], pt_regs,
 *           tracepoint records, raw tracepoint arguments)
 *   DWORDS  8-byte reads at 8-byte offsets inside the field (perf_event regs)
 * The initial state (r1 = ctx; raw: r1 = mem, r2 = its size) and the
 * return-value range checked at the exit of main are here too. */
#include "verifier/verifier.h"

#include <errno.h>
#include <stdio.h>

enum acc { NO = 0, NARROW, WHOLE, ANY, DWORDS };

/* what a load of the field gives (a scalar unless it is a packet pointer) */
enum yield { Y_SCALAR = 0, Y_PKT, Y_PKT_END, Y_PKT_META, Y_SOCK };

struct ctx_field {
	uint16_t off, size;
	uint8_t yield;
	uint8_t rd[3], wr[3];   /* per program type of the layout */
};

/* struct __sk_buff (include/uapi/linux/bpf.h), 192 bytes; columns:
 * socket_filter, tc (sched_cls/act), cgroup_skb */
enum { SKB_SOCK, SKB_TC, SKB_CG };
#define F(o, s, y, r0, r1, r2, w0, w1, w2) { o, s, y, { r0, r1, r2 }, { w0, w1, w2 } }
static const struct ctx_field skb_fields[] = {
	F(0, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),         /* len */
	F(4, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),         /* pkt_type */
	F(8, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NARROW, NARROW), /* mark */
	F(12, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NARROW, NO),    /* queue_mapping */
	F(16, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),        /* protocol */
	F(20, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),        /* vlan_present */
	F(24, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),        /* vlan_tci */
	F(28, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),        /* vlan_proto */
	F(32, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NARROW, NARROW),/* priority */
	F(36, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),        /* ingress_ifindex */
	F(40, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),        /* ifindex */
	F(44, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NARROW, NO),    /* tc_index */
	F(48, 20, Y_SCALAR, ANY, ANY, ANY, ANY, ANY, ANY),             /* cb[5] */
	F(68, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),        /* hash */
	F(72, 4, Y_SCALAR, NO, NARROW, NO, NO, NARROW, NO),            /* tc_classid */
	F(76, 4, Y_PKT, NO, WHOLE, WHOLE, NO, NO, NO),                 /* data */
	F(80, 4, Y_PKT_END, NO, WHOLE, WHOLE, NO, NO, NO),             /* data_end */
	F(84, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),        /* napi_id */
	F(88, 4, Y_SCALAR, NO, NO, NARROW, NO, NO, NO),                /* family */
	F(92, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),                 /* remote_ip4 */
	F(96, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),                 /* local_ip4 */
	F(100, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),                /* remote_ip6[0..3] */
	F(104, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),
	F(108, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),
	F(112, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),
	F(116, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),                /* local_ip6[0..3] */
	F(120, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),
	F(124, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),
	F(128, 4, Y_SCALAR, NO, NO, WHOLE, NO, NO, NO),
	F(132, 4, Y_SCALAR, NO, NO, NARROW, NO, NO, NO),               /* remote_port */
	F(136, 4, Y_SCALAR, NO, NO, NARROW, NO, NO, NO),               /* local_port */
	F(140, 4, Y_PKT_META, NO, WHOLE, NO, NO, NO, NO),              /* data_meta */
	/* 144 flow_keys: flow dissector only */
	F(152, 8, Y_SCALAR, NO, WHOLE, WHOLE, NO, WHOLE, WHOLE),       /* tstamp */
	F(160, 4, Y_SCALAR, NO, NARROW, NO, NO, NO, NO),               /* wire_len */
	F(164, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),       /* gso_segs */
	F(168, 8, Y_SOCK, WHOLE, WHOLE, WHOLE, NO, NO, NO),            /* sk */
	F(176, 4, Y_SCALAR, NARROW, NARROW, NARROW, NO, NO, NO),       /* gso_size */
	F(180, 1, Y_SCALAR, NO, WHOLE, NO, NO, NO, NO),                /* tstamp_type */
	F(184, 8, Y_SCALAR, NO, WHOLE, WHOLE, NO, NO, NO),             /* hwtstamp */
};

/* struct xdp_md, 24 bytes: 4-byte fields, read only (egress_ifindex only for
 * devmap programs, which we do not have) */
static const struct ctx_field xdp_fields[] = {
	F(0, 4, Y_PKT, WHOLE, 0, 0, NO, 0, 0),          /* data */
	F(4, 4, Y_PKT_END, WHOLE, 0, 0, NO, 0, 0),      /* data_end */
	F(8, 4, Y_PKT_META, WHOLE, 0, 0, NO, 0, 0),     /* data_meta */
	F(12, 4, Y_SCALAR, WHOLE, 0, 0, NO, 0, 0),      /* ingress_ifindex */
	F(16, 4, Y_SCALAR, WHOLE, 0, 0, NO, 0, 0),      /* rx_queue_index */
};

/* x86-64 struct pt_regs: 21 8-byte registers, read only, any aligned size */
static const struct ctx_field pt_regs_fields[] = {
	F(0, 168, Y_SCALAR, ANY, 0, 0, NO, 0, 0),
};

/* tracepoint records: read only, past the 8 bytes of common fields, below
 * PERF_MAX_TRACE_SIZE (8192) */
static const struct ctx_field tp_fields[] = {
	F(8, 8184, Y_SCALAR, ANY, 0, 0, NO, 0, 0),
};

/* raw tracepoints: up to MAX_BPF_FUNC_ARGS (12) u64 arguments, read only */
static const struct ctx_field raw_tp_fields[] = {
	F(0, 96, Y_SCALAR, ANY, 0, 0, NO, 0, 0),
};

/* struct bpf_perf_event_data: pt_regs (whole registers only), then
 * sample_period and addr (narrow reads allowed) */
static const struct ctx_field perf_event_fields[] = {
	F(0, 168, Y_SCALAR, DWORDS, 0, 0, NO, 0, 0),
	F(168, 8, Y_SCALAR, ANY, 0, 0, NO, 0, 0),
	F(176, 8, Y_SCALAR, ANY, 0, 0, NO, 0, 0),
};
#undef F

struct ctx_layout {
	const struct ctx_field *fields;
	size_t nfields;
	int column;
};

static bool layout_of(enum stackbpf_prog_type t, struct ctx_layout *l)
{
#define L(a, c) (*l = (struct ctx_layout){ a, sizeof(a) / sizeof(a[0]), c }, true)
	switch (t) {
	case STACKBPF_PROG_SOCKET_FILTER: return L(skb_fields, SKB_SOCK);
	case STACKBPF_PROG_SCHED_CLS: case STACKBPF_PROG_SCHED_ACT: return L(skb_fields, SKB_TC);
	case STACKBPF_PROG_CGROUP_SKB: return L(skb_fields, SKB_CG);
	case STACKBPF_PROG_XDP: return L(xdp_fields, 0);
	case STACKBPF_PROG_KPROBE: return L(pt_regs_fields, 0);
	case STACKBPF_PROG_TRACEPOINT: return L(tp_fields, 0);
	case STACKBPF_PROG_RAW_TRACEPOINT: return L(raw_tp_fields, 0);
	case STACKBPF_PROG_PERF_EVENT: return L(perf_event_fields, 0);
	default: return false;
	}
#undef L
}

bool ctx_prog_type_supported(enum stackbpf_prog_type t)
{
	struct ctx_layout l;
	return t == STACKBPF_PROG_UNSPEC || layout_of(t, &l);
}

/* Linux's may_access_direct_pkt_data without a helper */
bool ctx_may_access_pkt(const struct sbpf_env *env, bool write)
{
	switch (env->prog_type) {
	case STACKBPF_PROG_CGROUP_SKB:
		return !write;
	case STACKBPF_PROG_SCHED_CLS: case STACKBPF_PROG_SCHED_ACT: case STACKBPF_PROG_XDP:
		return true;
	default:
		return false;
	}
}

static bool field_ok(const struct ctx_field *f, uint8_t kind, int off, int size, bool write)
{
	int rel = off - f->off;
	switch (kind) {
	case NARROW:
		if (write)
			return size == 4 && rel == 0;
		return size <= 4 && off % size == 0;
	case WHOLE:
		return size == f->size && rel == 0;
	case ANY:
		return off % size == 0 && rel + size <= f->size;
	case DWORDS:
		return size == 8 && rel % 8 == 0 && rel + size <= f->size;
	default:
		return false;
	}
}

/* is [off, off + size) a valid access of the context; *yield what a load gives */
static bool ctx_valid(const struct sbpf_env *env, int off, int size, bool write, bool ldsx, int *yield)
{
	struct ctx_layout l;
	/* Linux's tp_prog_is_valid_access compares a negative offset with
	 * sizeof(void *) as unsigned: reads before the record pass */
	if (env->prog_type == STACKBPF_PROG_TRACEPOINT && off < 0 && !write) {
		*yield = Y_SCALAR;
		return off % size == 0;
	}
	if (!layout_of(env->prog_type, &l) || off < 0)
		return false;
	for (size_t i = 0; i < l.nfields; i++) {
		const struct ctx_field *f = &l.fields[i];
		if (off < f->off || off >= f->off + f->size)
			continue;
		uint8_t kind = write ? f->wr[l.column] : f->rd[l.column];
		if (!field_ok(f, kind, off, size, write))
			return false;
		/* a sign-extending load of a packet pointer makes no sense */
		if (ldsx && f->yield != Y_SCALAR)
			return false;
		*yield = f->yield;
		return true;
	}
	return false;
}

int check_ctx_access(struct sbpf_env *env, int regno, const struct sbpf_reg *reg, int off, int size, int acc,
		     bool ldsx, struct sbpf_reg *loaded)
{
	/* Linux's __check_ptr_off_reg: a context pointer is used unmodified */
	if (reg->off < 0)
		return verr(env, -EACCES, "negative offset ctx ptr R%d off=%d disallowed", regno, reg->off);
	if (reg->off)
		return verr(env, -EACCES, "dereference of modified ctx ptr R%d off=%d disallowed", regno, reg->off);
	if (!scalar_is_const(&reg->s) || scalar_const(&reg->s)) {
		char tn[64];
		snprintf(tn, sizeof(tn), "(0x%llx; 0x%llx)", (unsigned long long)reg->s.var_off.value,
			 (unsigned long long)reg->s.var_off.mask);
		return verr(env, -EACCES, "variable ctx access var_off=%s disallowed", tn);
	}
	int yield = Y_SCALAR;
	if (!ctx_valid(env, off, size, acc == ACC_WRITE, ldsx, &yield))
		return verr(env, -EACCES, "invalid bpf_context access off=%d size=%d", off, size);
	if (acc != ACC_READ || !loaded)
		return 0;
	static const uint16_t types[] = {
		[Y_PKT] = PTR_TO_PACKET, [Y_PKT_END] = PTR_TO_PACKET_END, [Y_PKT_META] = PTR_TO_PACKET_META,
	};
	if (yield == Y_SCALAR || yield == Y_SOCK) {
		/* sk (sock_common_or_null) is not modelled: an unknown scalar
		 * cannot be dereferenced, so this only refuses more */
		reg_mark_unknown(loaded);
		return 0;
	}
	reg_mark_known(loaded, 0);
	loaded->type = types[yield];
	return 0;
}

/* the registers main starts with: r1 = ctx (raw: the input memory and its
 * size in r2) */
void ctx_init_regs(struct sbpf_env *env, struct sbpf_func_state *f)
{
	struct sbpf_reg *r1 = &f->regs[1];
	if (env->prog_type == STACKBPF_PROG_UNSPEC) {
		r1->type = PTR_TO_MEM;
		r1->mem_size = env->mem_size;
		r1->flags = REG_F_INPUT;
		scalar_mark_known(&r1->s, 0);
		reg_mark_known(&f->regs[2], env->mem_size);
		return;
	}
	reg_mark_known(r1, 0);
	r1->type = PTR_TO_CTX;
}

/* Linux's check_return_code for the exit of main: the program types with a
 * return-value range; the others accept any r0 (a privileged loader may
 * even return a pointer). raw (ours) wants a scalar. */
int check_return_code(struct sbpf_env *env, const struct sbpf_reg *r0)
{
	int32_t lo, hi;
	switch (env->prog_type) {
	case STACKBPF_PROG_UNSPEC:
		if (r0->type != SCALAR_VALUE)
			return verr(env, -EINVAL, "At program exit the register R0 is not a known value (%s)",
				    reg_type_str(r0->type));
		return 0;
	case STACKBPF_PROG_CGROUP_SKB:   /* ingress (expected_attach_type 0) */
		lo = 0;
		hi = 1;
		break;
	default:
		return 0;
	}
	if (r0->type != SCALAR_VALUE)
		return verr(env, -EINVAL, "At program exit the register R0 is not a known value (%s)",
			    reg_type_str(r0->type));
	if (r0->s.smin >= lo && r0->s.smax <= hi)
		return 0;
	log_r0_range(env, "program exit", r0, lo, hi);
	return -EINVAL;
}
