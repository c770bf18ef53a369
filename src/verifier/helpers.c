/* helpers.c - Linux helper prototypes by helper id (Linux 6.18's
 * bpf_func_proto of each helper stackbpf knows: kernel/bpf/helpers.c,
 * kernel/trace/bpf_trace.c, net/core/filter.c), which program types may call
 * them, and which map types they take (check_map_func_compatibility).
 * Host functions' registered prototypes are converted to the same shape, so
 * one argument checker (call_args.c) serves both.
 *
 * Program types: every helper here is in Linux's bpf_base_func_proto for a
 * privileged loader (perfmon: trace_printk, probe_read_*), except
 * skb_load_bytes, which only socket_filter, tc (cls/act) and cgroup_skb
 * programs get. `raw` (stackbpf's own type: r1 = memory, r2 = its length)
 * may call every helper but skb_load_bytes (its context is no sk_buff);
 * see docs/extensions.md. No program has a license: GPL-only helpers are
 * allowed (as for a GPL program). */
#include "verifier/helpers.h"

#include <errno.h>

#define SKB_TYPES (PT(STACKBPF_PROG_SOCKET_FILTER) | PT(STACKBPF_PROG_SCHED_CLS) | PT(STACKBPF_PROG_SCHED_ACT) | \
		   PT(STACKBPF_PROG_CGROUP_SKB))

#define ARGS(...) .arg_type = { __VA_ARGS__ }, .nargs = sizeof((uint16_t[]){ __VA_ARGS__ }) / sizeof(uint16_t)

static const struct sbpf_func_proto protos[] = {
	{ 1, "bpf_map_lookup_elem", RET_PTR_TO_MAP_VALUE_OR_NULL, ARGS(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY),
	  .prog_types = PT_ANY },
	{ 2, "bpf_map_update_elem", RET_INTEGER,
	  ARGS(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING), .prog_types = PT_ANY },
	{ 3, "bpf_map_delete_elem", RET_INTEGER, ARGS(ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY), .prog_types = PT_ANY },
	{ 5, "bpf_ktime_get_ns", RET_INTEGER, .nargs = 0, .prog_types = PT_ANY },
	/* args 3..5 are ARG_DONTCARE in Linux: not checked */
	{ 6, "bpf_trace_printk", RET_INTEGER, ARGS(ARG_PTR_TO_MEM | ARG_MEM_RDONLY, ARG_CONST_SIZE),
	  .prog_types = PT_ANY },
	{ 7, "bpf_get_prandom_u32", RET_INTEGER, .nargs = 0, .prog_types = PT_ANY },
	{ 8, "bpf_get_smp_processor_id", RET_INTEGER, .nargs = 0, .prog_types = PT_ANY },
	{ 12, "bpf_tail_call", RET_VOID, ARGS(ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING), .prog_types = PT_ANY },
	{ 14, "bpf_get_current_pid_tgid", RET_INTEGER, .nargs = 0, .prog_types = PT_ANY },
	{ 26, "bpf_skb_load_bytes", RET_INTEGER,
	  ARGS(ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE), .prog_types = SKB_TYPES },
	{ 112, "bpf_probe_read_user", RET_INTEGER, ARGS(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	  .prog_types = PT_ANY },
	{ 113, "bpf_probe_read_kernel", RET_INTEGER,
	  ARGS(ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING), .prog_types = PT_ANY },
	{ 130, "bpf_ringbuf_output", RET_INTEGER,
	  ARGS(ARG_CONST_MAP_PTR, ARG_PTR_TO_MEM | ARG_MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING),
	  .prog_types = PT_ANY },
	{ 131, "bpf_ringbuf_reserve", RET_PTR_TO_RINGBUF_MEM_OR_NULL,
	  ARGS(ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING), .prog_types = PT_ANY },
	{ 132, "bpf_ringbuf_submit", RET_VOID, ARGS(ARG_PTR_TO_RINGBUF_MEM | ARG_OBJ_RELEASE, ARG_ANYTHING),
	  .prog_types = PT_ANY },
	{ 133, "bpf_ringbuf_discard", RET_VOID, ARGS(ARG_PTR_TO_RINGBUF_MEM | ARG_OBJ_RELEASE, ARG_ANYTHING),
	  .prog_types = PT_ANY },
	{ 181, "bpf_loop", RET_INTEGER,
	  ARGS(ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK | ARG_MAYBE_NULL, ARG_ANYTHING), .prog_types = PT_ANY },
};

const struct sbpf_func_proto *helper_proto(int32_t id)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].id == id)
			return &protos[i];
	return NULL;
}

bool helper_allowed(const struct sbpf_func_proto *p, enum stackbpf_prog_type t)
{
	return (unsigned)t < 64 && (p->prog_types & PT(t));
}

/* Linux's check_map_func_compatibility for the map and helper types stackbpf
 * has: first from the map's side, then from the helper's */
int check_map_func_compat(struct sbpf_env *env, const struct stackbpf_map *map, int32_t func_id)
{
	if (!map)
		return 0;
	uint32_t t = stackbpf_map__type(map);
	bool ok = true;
	switch (t) {
	case STACKBPF_MAP_PROG_ARRAY:
		ok = func_id == 12;
		break;
	case STACKBPF_MAP_RINGBUF:
		ok = func_id == 130 || func_id == 131;
		break;
	default:
		break;
	}
	switch (func_id) {
	case 12:
		ok = ok && t == STACKBPF_MAP_PROG_ARRAY;
		break;
	case 130: case 131:
		ok = ok && t == STACKBPF_MAP_RINGBUF;
		break;
	default:
		break;
	}
	if (ok)
		return 0;
	const struct sbpf_func_proto *p = helper_proto(func_id);
	return verr(env, -EINVAL, "cannot pass map_type %u into func %s#%d", t, p ? p->name : "unknown", func_id);
}

void host_proto(struct sbpf_func_proto *p, const struct stackbpf_fn_desc *d, int id)
{
	static const uint16_t kinds[] = {
		[STACKBPF_ARG_SCALAR] = ARG_HOST_SCALAR,
		[STACKBPF_ARG_ANYTHING] = ARG_ANYTHING,
		[STACKBPF_ARG_PTR_TO_MEM] = ARG_PTR_TO_MEM | ARG_MEM_RDONLY,
		[STACKBPF_ARG_PTR_TO_MEM_RW] = ARG_PTR_TO_MEM | ARG_MEM_WRITE,
		[STACKBPF_ARG_MEM_SIZE] = ARG_CONST_SIZE_OR_ZERO,
		[STACKBPF_ARG_CTX] = ARG_HOST_CTX,
		[STACKBPF_ARG_CONST] = ARG_HOST_CONST,
	};
	*p = (struct sbpf_func_proto){ .id = id, .name = d->name, .prog_types = PT_ANY, .host = true,
				       .nargs = (uint8_t)(d->nargs > SBPF_MAX_FUNC_ARGS ? SBPF_MAX_FUNC_ARGS : d->nargs),
				       .ret_size = d->ret_size };
	for (unsigned i = 0; i < p->nargs; i++)
		p->arg_type[i] = d->arg_types[i] < sizeof(kinds) / sizeof(kinds[0]) ? kinds[d->arg_types[i]] : ARG_NKINDS;
	p->ret_type = d->ret_type == STACKBPF_RET_VOID ? RET_VOID
		    : d->ret_type == STACKBPF_RET_MEM_OR_NULL ? RET_PTR_TO_MEM_OR_NULL : RET_INTEGER;
}
