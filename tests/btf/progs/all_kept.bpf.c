/* all_kept.bpf.c - parameters that all survive: a static function whose
 * three parameters are all used, and a global function (global linkage: the
 * ABI is the prototype, never checked against DWARF). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u32 pick(__u32 a, __u32 b, __u32 sel)
{
	return sel & 1 ? a : b;
}

__noinline int keep_global(int x, int y)
{
	return x + 2 * y;
}

SEC("socket")
int pick_a(struct __sk_buff *skb)
{
	return (int)pick(skb->len, skb->mark, bpf_get_prandom_u32()) + keep_global(skb->len, skb->mark);
}

SEC("socket")
int pick_b(struct __sk_buff *skb)
{
	return (int)pick(skb->hash, skb->priority, skb->len) + keep_global(skb->hash, 3);
}

char LICENSE[] SEC("license") = "GPL";
