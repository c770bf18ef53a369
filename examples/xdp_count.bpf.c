/* xdp_count.bpf.c - XDP packet counter: packets and bytes per IPv4 protocol
 * in a hash map; frames too short for an IPv4 header are dropped, the rest
 * pass. Build, run on one TCP frame and print the map:
 *
 *   clang -target bpf -O2 -g -I/usr/include/$(gcc -print-multiarch) -c xdp_count.bpf.c -o xdp_count.o
 *   stackbpf run xdp_count.o --dump-maps --data-hex "$(cat tcp_frame.hex)"
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);              /* IPv4 protocol number */
	__type(value, struct counter);
} proto_stats SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 key = ip->protocol;
	struct counter *c = bpf_map_lookup_elem(&proto_stats, &key);
	if (!c) {
		struct counter zero = { 0 };
		bpf_map_update_elem(&proto_stats, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&proto_stats, &key);
		if (!c)
			return XDP_PASS;
	}
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, end - data);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
