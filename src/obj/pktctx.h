/* pktctx.h - the test-run context around a packet, as Linux's
 * BPF_PROG_TEST_RUN builds it (net/bpf/test_run.c), until the verifier
 * rewrites context accesses: for xdp programs a struct xdp_md, for socket /
 * tc / cgroup_skb programs a struct __sk_buff (Linux's uapi layouts), whose
 * 32-bit data / data_end fields hold the packet's real addresses. That works
 * because context and packet are placed in one mapping below 4 GiB
 * (MAP_32BIT), so `(void *)(long)ctx->data` in a program is the packet.
 * Linux refuses a frame under 14 bytes, and for a __sk_buff an IPv4 / IPv6
 * frame without its whole IP header (sbpf_pktctx_check); sbpf_pktctx_new
 * still builds a context around those (the verifier's tests use short
 * packets): the header pulled is what there is, protocol and pkt_type 0. tc and xdp programs see it whole; socket filters and cgroup_skb
 * programs see it from the network header, as after eth_type_trans on the
 * loopback device: len = size - 14, protocol = the Ethernet type (network
 * order), pkt_type from the destination address (0 host for 00:..:00, 2
 * multicast, 3 other host), ifindex 1, data_meta = data; family,
 * local/remote ip4/ip6 from an IPv4/IPv6 header (skb->sk); the rest 0.
 * xdp_md: data, data_end, data_meta (= data), ingress_ifindex 1.
 * After the run, sbpf_pktctx_out gives what Linux copies to data_out: the
 * whole frame, whose pulled Ethernet header comes back zeroed. */
#ifndef SBPF_OBJ_PKTCTX_H
#define SBPF_OBJ_PKTCTX_H

#include <stddef.h>
#include <stdint.h>
#include "stackbpf/stackbpf.h"

struct sbpf_pktctx {
	void *base;          /* the mapping */
	size_t map_len;
	void *ctx;           /* r1 */
	size_t ctx_len;
	uint8_t *frame;      /* the packet copy, from its Ethernet header */
	size_t frame_len;
	uint8_t *data;       /* what the program sees: frame + pulled */
	size_t data_len;
	size_t pulled;       /* 14 for socket filters and cgroup_skb, else 0 */
};

/* 1 when programs of this type get a packet context */
int sbpf_pktctx_wanted(enum stackbpf_prog_type type);
/* would Linux's BPF_PROG_TEST_RUN take this packet? 0, -EOPNOTSUPP, -E2BIG
 * (over 64 KiB) or -EINVAL (under 14 bytes; __sk_buff: IPv4 under 34 bytes,
 * IPv6 under 54) */
int sbpf_pktctx_check(enum stackbpf_prog_type type, const void *data, size_t len);
/* 0, -EOPNOTSUPP (no packet context for the type), -E2BIG (packet over
 * 64 KiB) or -ENOMEM (no memory below 4 GiB). */
int sbpf_pktctx_new(struct sbpf_pktctx *c, enum stackbpf_prog_type type, const void *data, size_t len);
/* the packet after the run, as BPF_PROG_TEST_RUN's data_out */
void sbpf_pktctx_out(const struct sbpf_pktctx *c, const uint8_t **out, size_t *len);
void sbpf_pktctx_free(struct sbpf_pktctx *c);

#endif
