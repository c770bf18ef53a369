/* maps_all.bpf.c - one BTF-defined map of every supported type, described
 * both ways libbpf allows (__type and __uint key_size/value_size), and a
 * program that touches the array-like ones. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pair {
	__u32 a;
	__u16 b;
};   /* 8 bytes with padding */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct pair);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, 4);
	__uint(value_size, 16);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1000);
	__type(key, __u64);
	__type(value, char[3]);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} rb SEC(".maps");

SEC("raw_tp/maps")
int touch(__u32 *ctx)
{
	__u32 k = ctx[0], v = ctx[1];
	struct pair *p = bpf_map_lookup_elem(&arr, &k);
	if (!p)
		return -1;
	p->a = v;
	p->b = 7;
	__u64 *q = bpf_map_lookup_elem(&pcpu, &k);
	if (q)
		q[1] = v * 2;
	/* three keys into a 2-entry lru: the first is evicted */
	for (__u32 i = 1; i <= 3; i++)
		bpf_map_update_elem(&lru, &i, &v, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
