/* pktctx.h - a minimal test-run context around a packet, until the verifier
 * rewrites context accesses: for xdp programs a struct xdp_md, for socket /
 * tc / cgroup_skb programs a struct __sk_buff (Linux's uapi layouts), whose
 * 32-bit data / data_end fields hold the packet's real addresses. That works
 * because context and packet are placed in one mapping below 4 GiB
 * (MAP_32BIT), so `(void *)(long)ctx->data` in a program is the packet.
 * __sk_buff fields set: len, protocol (the Ethernet type, network order),
 * pkt_type 0, ifindex 1, data, data_end; the rest are 0. xdp_md: data,
 * data_end, data_meta (= data), ingress_ifindex 1. */
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
	uint8_t *data;       /* the packet copy */
	size_t data_len;
};

/* 1 when programs of this type get a packet context */
int sbpf_pktctx_wanted(enum stackbpf_prog_type type);
/* 0, -EOPNOTSUPP (no packet context for the type), -E2BIG (packet over
 * 64 KiB) or -ENOMEM (no memory below 4 GiB). */
int sbpf_pktctx_new(struct sbpf_pktctx *c, enum stackbpf_prog_type type, const void *data, size_t len);
void sbpf_pktctx_free(struct sbpf_pktctx *c);

#endif
