/* bad_maps.bpf.c - a well-formed object whose .maps holds a map type
 * stackbpf does not implement (stack_trace): loading must fail with a message
 * naming the map and its type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 64);
} stacks SEC(".maps");

SEC("kprobe/x")
int use_stacks(void *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&stacks, &k) != 0;
}

char LICENSE[] SEC("license") = "GPL";
