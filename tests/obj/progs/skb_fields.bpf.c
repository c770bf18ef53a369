/* skb_fields.bpf.c - what a test run puts in the __sk_buff: a socket filter
 * and a tc program returning len, protocol, pkt_type and ifindex packed in
 * one value (the kernel parity test compares them with Linux's). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline int fields(struct __sk_buff *skb)
{
	return (int)(skb->len | skb->protocol << 8 | skb->pkt_type << 24 | skb->ifindex << 28);
}

SEC("socket")
int sock_fields(struct __sk_buff *skb)
{
	return fields(skb);
}

SEC("tc")
int tc_fields(struct __sk_buff *skb)
{
	return fields(skb);
}

char LICENSE[] SEC("license") = "GPL";
