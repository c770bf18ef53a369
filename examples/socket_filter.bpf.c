/* socket_filter.bpf.c - a socket filter that keeps DNS queries (IPv4 UDP to
 * port 53) whole and drops every other packet; the packet is read with
 * bpf_skb_load_bytes, as socket filters must. As on Linux (a socket, or
 * BPF_PROG_TEST_RUN on an Ethernet frame), the program sees the packet from
 * its IP header: offset 0 is the IP header, skb->len excludes the Ethernet
 * header and skb->protocol holds the Ethernet type. Returns the number of
 * bytes to keep: skb->len or 0.
 *
 *   clang -target bpf -O2 -g -I/usr/include/$(gcc -print-multiarch) -c socket_filter.bpf.c -o socket_filter.o
 *   stackbpf run socket_filter.o --data-hex "$(cat dns_query.hex)"
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
	__u16 dport;
	__u8 ihl_version, proto;
	/* skb->protocol is the Ethernet type; the data start at the IP header */
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &ihl_version, 1) || bpf_skb_load_bytes(skb, 9, &proto, 1) ||
	    proto != IPPROTO_UDP)
		return 0;
	__u32 l4 = (ihl_version & 0xf) * 4;
	if (bpf_skb_load_bytes(skb, l4 + 2, &dport, 2) || dport != bpf_htons(53))
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
