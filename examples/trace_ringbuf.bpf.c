/* trace_ringbuf.bpf.c - a tracing-style program: every call emits an event
 * (pid/tgid, timestamp, the first two arguments) into a ring buffer and
 * counts the events it could not emit in a global variable (.bss). In
 * stackbpf, a kprobe program gets r1 = the input memory, here two u64
 * "arguments" standing in for pt_regs.
 *
 *   clang -target bpf -O2 -g -I/usr/include/$(gcc -print-multiarch) -c trace_ringbuf.bpf.c -o trace_ringbuf.o
 *   stackbpf run trace_ringbuf.o --dump-maps --mem-hex '2a00000000000000 0700000000000000'
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u64 pid_tgid;
	__u64 ts_ns;
	__u64 arg0, arg1;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

__u64 dropped;   /* .bss */

SEC("kprobe/example")
int trace_call(__u64 *args)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	e->pid_tgid = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_ns();
	e->arg0 = args[0];
	e->arg1 = args[1];
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
