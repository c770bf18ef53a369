/* pktctx.c - test-run contexts around a packet (see pktctx.h). */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "obj/pktctx.h"

enum { MAX_PACKET = 65536, CTX_ROOM = 256 };

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
	c->data = (uint8_t *)c->base + CTX_ROOM;
	c->data_len = len;
	if (len)
		memcpy(c->data, data, len);
	uint32_t d = (uint32_t)(uintptr_t)c->data, e = (uint32_t)(uintptr_t)(c->data + len);
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
		s->len = (uint32_t)len;
		if (len >= 14)
			memcpy(&s->protocol, c->data + 12, 2);
		s->ifindex = 1;
		s->data = d;
		s->data_end = e;
		c->ctx_len = sizeof(*s);
	}
	return 0;
}

void sbpf_pktctx_free(struct sbpf_pktctx *c)
{
	if (c->base)
		munmap(c->base, c->map_len);
	memset(c, 0, sizeof(*c));
}
