/* clean5.bpf.c - nothing to find: a static function with 5 parameters, all
 * used, so its BTF prototype is its ABI and `btf check` must not flag it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u64 weigh(__u64 a, __u64 b, __u64 c, __u64 d, __u64 e)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e;
}

SEC("socket")
int weigh_a(struct __sk_buff *skb)
{
	return (int)weigh(skb->len, skb->mark, skb->priority, skb->hash, bpf_get_prandom_u32());
}

SEC("socket")
int weigh_b(struct __sk_buff *skb)
{
	return (int)weigh(skb->hash, skb->len, skb->mark, skb->ifindex, bpf_ktime_get_ns());
}

char LICENSE[] SEC("license") = "GPL";
