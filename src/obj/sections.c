/* sections.c - program types from section names, with libbpf's conventions
 * (libbpf.c section_defs): an entry marked `+` matches the name alone or the
 * name followed by "/anything" (kprobe/do_sys_open); the others match exactly. */
#include <errno.h>
#include <string.h>

#include "obj/obj_int.h"

static const struct {
	const char *name;
	enum stackbpf_prog_type type;
	bool plus;
} sec_defs[] = {
	{ "socket", STACKBPF_PROG_SOCKET_FILTER, false },
	{ "kprobe", STACKBPF_PROG_KPROBE, true },
	{ "kretprobe", STACKBPF_PROG_KPROBE, true },
	{ "uprobe", STACKBPF_PROG_KPROBE, true },
	{ "uretprobe", STACKBPF_PROG_KPROBE, true },
	{ "uprobe.s", STACKBPF_PROG_KPROBE, true },
	{ "uretprobe.s", STACKBPF_PROG_KPROBE, true },
	{ "kprobe.multi", STACKBPF_PROG_KPROBE, true },
	{ "kretprobe.multi", STACKBPF_PROG_KPROBE, true },
	{ "ksyscall", STACKBPF_PROG_KPROBE, true },
	{ "kretsyscall", STACKBPF_PROG_KPROBE, true },
	{ "usdt", STACKBPF_PROG_KPROBE, true },
	{ "tc", STACKBPF_PROG_SCHED_CLS, true },
	{ "classifier", STACKBPF_PROG_SCHED_CLS, false },
	{ "action", STACKBPF_PROG_SCHED_ACT, false },
	{ "tracepoint", STACKBPF_PROG_TRACEPOINT, true },
	{ "tp", STACKBPF_PROG_TRACEPOINT, true },
	{ "raw_tracepoint", STACKBPF_PROG_RAW_TRACEPOINT, true },
	{ "raw_tp", STACKBPF_PROG_RAW_TRACEPOINT, true },
	{ "raw_tracepoint.w", STACKBPF_PROG_RAW_TRACEPOINT, true },
	{ "raw_tp.w", STACKBPF_PROG_RAW_TRACEPOINT, true },
	{ "tp_btf", STACKBPF_PROG_TRACING, true },
	{ "fentry", STACKBPF_PROG_TRACING, true },
	{ "fexit", STACKBPF_PROG_TRACING, true },
	{ "fmod_ret", STACKBPF_PROG_TRACING, true },
	{ "fentry.s", STACKBPF_PROG_TRACING, true },
	{ "fexit.s", STACKBPF_PROG_TRACING, true },
	{ "fmod_ret.s", STACKBPF_PROG_TRACING, true },
	{ "iter", STACKBPF_PROG_TRACING, true },
	{ "iter.s", STACKBPF_PROG_TRACING, true },
	{ "lsm", STACKBPF_PROG_LSM, true },
	{ "lsm.s", STACKBPF_PROG_LSM, true },
	{ "xdp", STACKBPF_PROG_XDP, false },
	{ "xdp.frags", STACKBPF_PROG_XDP, false },
	{ "perf_event", STACKBPF_PROG_PERF_EVENT, false },
	{ "cgroup_skb/ingress", STACKBPF_PROG_CGROUP_SKB, false },
	{ "cgroup_skb/egress", STACKBPF_PROG_CGROUP_SKB, false },
	{ "cgroup/skb", STACKBPF_PROG_CGROUP_SKB, false },
	{ "syscall", STACKBPF_PROG_SYSCALL, false },
};

int obj_prog_type(const char *s)
{
	for (size_t i = 0; i < sizeof(sec_defs) / sizeof(sec_defs[0]); i++) {
		size_t n = strlen(sec_defs[i].name);
		if (strncmp(s, sec_defs[i].name, n) != 0)
			continue;
		if (s[n] == '\0' || (sec_defs[i].plus && s[n] == '/'))
			return (int)sec_defs[i].type;
	}
	return -1;
}

const char *obj_known_sections(void)
{
	return "socket, tc, xdp, kprobe/..., kretprobe/..., uprobe/..., uretprobe/..., tracepoint/..., "
	       "raw_tracepoint/..., fentry/..., perf_event, syscall, ...";
}

int stackbpf_prog_type__from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	if (strcmp(name, "raw") == 0)
		return STACKBPF_PROG_UNSPEC;
	int t = obj_prog_type(name);
	return t < 0 ? -ENOENT : t;
}
