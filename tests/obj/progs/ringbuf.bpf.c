/* ringbuf.bpf.c - a tracing-style program emitting events into a ringbuf:
 * one reserved+submitted record, one discarded reservation, one output. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct event {
	__u32 pid;
	__u32 seq;
	__u64 arg;
};

SEC("uprobe/prog:func")
int emit(void *ctx)
{
	__u64 *in = ctx;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 1;
	e->pid = 7;
	e->seq = 1;
	e->arg = in[0];
	bpf_ringbuf_submit(e, 0);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 2;
	bpf_ringbuf_discard(e, 0);
	struct event o = { .pid = 8, .seq = 2, .arg = in[1] };
	if (bpf_ringbuf_output(&events, &o, sizeof(o), 0))
		return 3;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
