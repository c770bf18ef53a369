/* socket_filter.bpf.c - a socket filter keeping IPv4 TCP packets whole and
 * dropping everything else; counts seen packets in an array map. The data
 * start at the IP header (Linux's test run pulls the Ethernet header). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("socket")
int tcp_only(struct __sk_buff *skb)
{
	__u8 proto = 0;
	__u32 k;
	if (skb->protocol != __builtin_bswap16(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 9, &proto, 1) < 0)
		return 0;
	k = proto == IPPROTO_TCP;
	__u64 *v = bpf_map_lookup_elem(&seen, &k);
	if (v)
		*v += 1;
	return k ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
