/* const_arg.bpf.c - a parameter every caller passes the same constant: clang
 * 14 propagates the 7 into scale() (interprocedural constant propagation),
 * the parameter becomes dead and is eliminated; DWARF describes `k` as a
 * constant rather than a register. 6 declared, 5 passed. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u64 scale(__u64 a, __u64 k, __u64 b, __u64 c, __u64 d, __u64 e)
{
	return a * k + b + c + d + e;
}

SEC("socket")
int scale_a(struct __sk_buff *skb)
{
	return (int)scale(skb->len, 7, skb->mark, skb->hash, skb->priority, bpf_get_prandom_u32());
}

SEC("socket")
int scale_b(struct __sk_buff *skb)
{
	return (int)scale(skb->hash, 7, skb->len, skb->mark, skb->ifindex, bpf_ktime_get_ns());
}

char LICENSE[] SEC("license") = "GPL";
