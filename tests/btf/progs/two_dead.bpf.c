/* two_dead.bpf.c - two dead parameters: mix() is declared with 7, its
 * `ctx` (first) and `seed` (fifth) are never used, so clang 14 passes 5. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u64 mix(struct __sk_buff *ctx, __u64 a, __u64 b, __u64 c, __u64 seed, __u64 d, __u64 e)
{
	return (a ^ (b << 1)) + (c << 2) + (d << 3) + (e << 4);
}

SEC("socket")
int mix_a(struct __sk_buff *skb)
{
	return (int)mix(skb, skb->len, skb->mark, skb->priority, bpf_get_prandom_u32(), skb->hash,
			bpf_ktime_get_ns());
}

SEC("socket")
int mix_b(struct __sk_buff *skb)
{
	return (int)mix(skb, skb->hash, skb->len, skb->mark, bpf_ktime_get_ns(), skb->ifindex,
			skb->protocol);
}

char LICENSE[] SEC("license") = "GPL";
