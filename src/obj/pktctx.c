/* pktctx.c - test-run contexts around a packet (see pktctx.h). */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "obj/pktctx.h"

enum { MAX_PACKET = 65536, CTX_ROOM = 256, ETH_HDR = 14 };

int sbpf_pktctx_wanted(enum stackbpf_prog_type type)
{
	return type == STACKBPF_PROG_XDP || type == STACKBPF_PROG_SOCKET_FILTER ||
	       type == STACKBPF_PROG_SCHED_CLS || type == STACKBPF_PROG_SCHED_ACT ||
	       type == STACKBPF_PROG_CGROUP_SKB;
}

/* a mapping whose every byte has an address below 4 GiB */
static void *map_low(size_t len)
{
	void *p;
#ifdef MAP_32BIT
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p != MAP_FAILED && (uintptr_t)p + len <= (1ull << 32))
		return p;
	if (p != MAP_FAILED)
		munmap(p, len);
#endif
	for (uintptr_t hint = 0x10000000u; hint < 0xf0000000u; hint += 0x10000000u) {
		p = mmap((void *)hint, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		if ((uintptr_t)p + len <= (1ull << 32))
			return p;
		munmap(p, len);
	}
	return NULL;
}

/* eth_type_trans on the loopback device (address 00:00:00:00:00:00, no
 * broadcast address): the packet type from the destination address */
static uint32_t eth_pkt_type(const uint8_t *dst)
{
	static const uint8_t zero[6];
	if (memcmp(dst, zero, 6) == 0)
		return 0;                   /* PACKET_HOST */
	return (dst[0] & 1) ? 2 : 3;        /* PACKET_MULTICAST, PACKET_OTHERHOST */
}

/* eth_type_trans's protocol: the Ethernet type from 0x0600 on, else
 * ETH_P_802_3 (raw IPX: payload starting 0xffff) or ETH_P_802_2 */
static uint32_t eth_protocol(const uint8_t *frame, size_t len)
{
	uint16_t t = (uint16_t)(frame[12] << 8 | frame[13]);
	if (t < 0x0600)
		t = len >= 16 && frame[14] == 0xff && frame[15] == 0xff ? 0x0001 : 0x0004;
	return (uint32_t)(uint16_t)(t >> 8 | t << 8);   /* network order in the low 16 bits */
}

/* the socket fields test_run fills from the IP header (skb->sk) */
static void sk_fields(struct __sk_buff *s, const uint8_t *l3, size_t l3_len)
{
	if (s->protocol == 0x0008 && l3_len >= 20) {         /* ETH_P_IP */
		s->family = 2;                                /* AF_INET */
		memcpy(&s->local_ip4, l3 + 12, 4);
		memcpy(&s->remote_ip4, l3 + 16, 4);
	} else if (s->protocol == 0xdd86 && l3_len >= 40) { /* ETH_P_IPV6 */
		s->family = 10;                               /* AF_INET6 */
		memcpy(s->local_ip6, l3 + 8, 16);
		memcpy(s->remote_ip6, l3 + 24, 16);
	}
}

int sbpf_pktctx_check(enum stackbpf_prog_type type, const void *data, size_t len)
{
	if (!sbpf_pktctx_wanted(type))
		return -EOPNOTSUPP;
	if (len > MAX_PACKET)
		return -E2BIG;
	if (len < ETH_HDR)
		return -EINVAL;
	/* Linux's skb test run also wants the whole IPv4 / IPv6 header of an
	 * IPv4 / IPv6 frame (it fills the socket's addresses from it) */
	if (type != STACKBPF_PROG_XDP) {
		uint32_t proto = eth_protocol(data, len);
		if ((proto == 0x0008 && len < ETH_HDR + 20) || (proto == 0xdd86 && len < ETH_HDR + 40))
			return -EINVAL;
	}
	return 0;
}

int sbpf_pktctx_new(struct sbpf_pktctx *c, enum stackbpf_prog_type type, const void *data, size_t len)
{
	memset(c, 0, sizeof(*c));
	if (!sbpf_pktctx_wanted(type))
		return -EOPNOTSUPP;
	if (len > MAX_PACKET)
		return -E2BIG;
	c->map_len = CTX_ROOM + MAX_PACKET;
	c->base = map_low(c->map_len);
	if (!c->base)
		return -ENOMEM;
	c->ctx = c->base;
	c->frame = (uint8_t *)c->base + CTX_ROOM;
	c->frame_len = len;
	if (len)
		memcpy(c->frame, data, len);
	/* tc keeps the Ethernet header (is_l2); socket filters and cgroup_skb
	 * programs start at the network header */
	int l2 = type == STACKBPF_PROG_XDP || type == STACKBPF_PROG_SCHED_CLS || type == STACKBPF_PROG_SCHED_ACT;
	c->pulled = l2 ? 0 : len < ETH_HDR ? len : ETH_HDR;
	c->data = c->frame + c->pulled;
	c->data_len = len - c->pulled;
	uint32_t d = (uint32_t)(uintptr_t)c->data, e = (uint32_t)(uintptr_t)(c->data + c->data_len);
	if (type == STACKBPF_PROG_XDP) {
		struct xdp_md *x = c->ctx;
		x->data = d;
		x->data_end = e;
		x->data_meta = d;
		x->ingress_ifindex = 1;
		c->ctx_len = sizeof(*x);
	} else {
		_Static_assert(sizeof(struct __sk_buff) <= CTX_ROOM, "context room");
		struct __sk_buff *s = c->ctx;
		s->len = (uint32_t)c->data_len;
		s->ifindex = 1;
		s->data = d;
		s->data_end = e;
		s->data_meta = d;
		if (len >= ETH_HDR) {
			s->protocol = eth_protocol(c->frame, len);
			s->pkt_type = eth_pkt_type(c->frame);
			sk_fields(s, c->frame + ETH_HDR, len - ETH_HDR);
		}
		c->ctx_len = sizeof(*s);
	}
	return 0;
}

void sbpf_pktctx_out(const struct sbpf_pktctx *c, const uint8_t **out, size_t *len)
{
	/* test_run pushes the pulled header back, zeroed, before copying out */
	if (c->pulled)
		memset(c->frame, 0, c->pulled);
	*out = c->frame;
	*len = c->frame_len;
}

void sbpf_pktctx_free(struct sbpf_pktctx *c)
{
	if (c->base)
		munmap(c->base, c->map_len);
	memset(c, 0, sizeof(*c));
}
