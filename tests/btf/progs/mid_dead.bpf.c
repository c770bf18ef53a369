/* mid_dead.bpf.c - dead parameters in the middle: record() takes 6, its
 * `flags` is never used, so clang 14 passes 5 (BTF still lists 6);
 * tag() takes 4 and ignores `unused`, so 3 arrive (no stack arguments
 * involved: Linux accepts it with the wrong BTF types). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} acc SEC(".maps");

static __noinline int record(__u32 slot, __u64 len, __u32 flags, __u64 proto, __u64 mark, __u64 stamp)
{
	__u64 *v = bpf_map_lookup_elem(&acc, &slot);
	if (!v)
		return 0;
	*v += len + proto + mark + (stamp & 1);
	return 1;
}

static __noinline __u64 tag(__u64 a, __u64 unused, __u64 b, __u64 c)
{
	return a * 3 + b * 5 + c;
}

SEC("socket")
int count_len(struct __sk_buff *skb)
{
	return record(skb->len & 3, skb->len, skb->priority, skb->protocol, skb->mark, bpf_ktime_get_ns()) +
	       (int)tag(skb->len, skb->hash, skb->mark, skb->queue_mapping);
}

SEC("socket")
int count_mark(struct __sk_buff *skb)
{
	return record(skb->mark & 3, skb->len * 2, skb->hash, skb->vlan_tci, skb->mark, bpf_get_prandom_u32()) +
	       (int)tag(skb->mark, skb->len, skb->priority, skb->ifindex);
}

char LICENSE[] SEC("license") = "GPL";
