/* ringbuf.c - the BPF ring buffer (kernel/bpf/ringbuf.c semantics) and its
 * host-side consumer.
 *
 * max_entries is the data size: a power of two and a multiple of 4096, key
 * and value sizes 0 (else -EINVAL). A record is an 8-byte header
 * {u32 len | BUSY << 31 | DISCARD << 30, u32 offset of the header in the data
 * area} followed by the sample, the whole rounded up to 8 bytes. Reserve
 * fails (NULL) when flags != 0 or the record would not fit next to the
 * unconsumed ones; submit/discard clear BUSY (DISCARD marks it skipped);
 * output = reserve + copy + submit (-EAGAIN when full, -EINVAL on bad flags).
 *
 * Linux maps the data pages twice so that a record crossing the end stays
 * contiguous. Here the data area is simply twice the size: a record is
 * written and read at the same linear offset (pos & mask), so one crossing
 * the end continues into the second half, and the position accounting keeps
 * live records from overlapping. Layout of the storage block:
 * [struct ring][data: 2 * size]. Host look-up/update/delete: -ENOTSUPP. */
#include <errno.h>
#include <string.h>

#include "maps/map_int.h"

enum {
	RB_BUSY = 1u << 31,
	RB_DISCARD = 1u << 30,
	RB_HDR = 8,
	RB_NO_WAKEUP = 1, RB_FORCE_WAKEUP = 2,
};

struct ring {
	uint64_t cons, prod;
	uint64_t mask;
	uint64_t pad;
};

static struct ring *R(struct stackbpf_map *m) { return (struct ring *)(void *)m->mem; }
static uint8_t *data(struct stackbpf_map *m) { return m->mem + sizeof(struct ring); }

static int rb_check(const struct stackbpf_map *m, const char **why)
{
	if (m->key_size || m->value_size) {
		*why = "ringbuf key_size and value_size must be 0";
		return -EINVAL;
	}
	if ((m->max_entries & (m->max_entries - 1)) || (m->max_entries & 4095)) {
		*why = "ringbuf max_entries must be a power of 2 and a multiple of 4096";
		return -EINVAL;
	}
	return 0;
}

static uint64_t rb_mem(const struct stackbpf_map *m)
{
	return sizeof(struct ring) + 2ull * m->max_entries;
}

static int rb_init(struct stackbpf_map *m)
{
	R(m)->mask = m->max_entries - 1u;
	return 0;
}

static void *rb_lookup(struct stackbpf_map *m, const void *key, int bump)
{
	(void)m, (void)key, (void)bump;
	return NULL;
}

static int rb_update(struct stackbpf_map *m, const void *key, const void *value, uint64_t flags)
{
	(void)m, (void)key, (void)value, (void)flags;
	return -ENOTSUPP;
}

static int rb_delete(struct stackbpf_map *m, const void *key)
{
	(void)m, (void)key;
	return -ENOTSUPP;
}

static int rb_next_key(struct stackbpf_map *m, const void *key, void *next)
{
	(void)m, (void)key, (void)next;
	return -ENOTSUPP;
}

static int rb_copy_out(struct stackbpf_map *m, const void *key, void *value)
{
	(void)m, (void)key, (void)value;
	return -ENOTSUPP;
}

const struct sbpf_map_ops sbpf_ringbuf_ops = {
	.check = rb_check, .mem_size = rb_mem, .init = rb_init, .lookup = rb_lookup,
	.update = rb_update, .delete = rb_delete, .next_key = rb_next_key, .copy_out = rb_copy_out,
};

void *sbpf_ringbuf_reserve(struct stackbpf_map *m, uint64_t size, uint64_t flags)
{
	if (!m || m->type != STACKBPF_MAP_RINGBUF || flags)
		return NULL;
	struct ring *r = R(m);
	if (size > UINT32_MAX / 4)   /* RINGBUF_MAX_RECORD_SZ */
		return NULL;
	uint64_t len = (size + RB_HDR + 7) & ~7ull;
	if (r->prod + len - r->cons > r->mask)   /* as Linux: at most size - 8 in use */
		return NULL;
	uint64_t off = r->prod & r->mask;
	uint8_t *hdr = data(m) + off;
	uint32_t w[2] = { (uint32_t)size | RB_BUSY, (uint32_t)off };
	memcpy(hdr, w, sizeof(w));
	r->prod += len;
	return hdr + RB_HDR;
}

void sbpf_ringbuf_commit(void *sample, int discard)
{
	uint8_t *hdr = (uint8_t *)sample - RB_HDR;
	uint32_t len;
	memcpy(&len, hdr, 4);
	len &= ~RB_BUSY;
	if (discard)
		len |= RB_DISCARD;
	memcpy(hdr, &len, 4);
}

int sbpf_ringbuf_output(struct stackbpf_map *m, const void *src, uint64_t size, uint64_t flags)
{
	if (flags & ~(uint64_t)(RB_NO_WAKEUP | RB_FORCE_WAKEUP))
		return -EINVAL;
	void *p = sbpf_ringbuf_reserve(m, size, 0);
	if (!p)
		return -EAGAIN;
	memcpy(p, src, size);
	sbpf_ringbuf_commit(p, 0);
	return 0;
}

/* walk the committed records from cons; fn == NULL only counts */
static int walk(struct stackbpf_map *m, stackbpf_ringbuf_fn fn, void *ctx, int consume, size_t *cnt,
		size_t *bytes)
{
	if (!m || m->type != STACKBPF_MAP_RINGBUF)
		return -EINVAL;
	struct ring *r = R(m);
	uint64_t pos = r->cons;
	int n = 0;
	*cnt = *bytes = 0;
	while (pos < r->prod) {
		uint32_t len;
		memcpy(&len, data(m) + (pos & r->mask), 4);
		if (len & RB_BUSY)
			break;
		uint32_t size = len & ~RB_DISCARD;
		uint8_t *sample = data(m) + (pos & r->mask) + RB_HDR;
		pos += ((uint64_t)size + RB_HDR + 7) & ~7ull;
		if (!(len & RB_DISCARD)) {
			(*cnt)++;
			*bytes += size;
			if (fn) {
				int err = fn(ctx, sample, size);
				if (consume)
					r->cons = pos;
				if (err < 0)
					return err;
				n++;
				continue;
			}
		}
		if (consume)
			r->cons = pos;
	}
	return n;
}

int stackbpf_ringbuf__consume(struct stackbpf_map *m, stackbpf_ringbuf_fn fn, void *ctx)
{
	size_t cnt, bytes;
	if (!fn)
		return -EINVAL;
	return walk(m, fn, ctx, 1, &cnt, &bytes);
}

int stackbpf_ringbuf__peek(struct stackbpf_map *m, size_t *records, size_t *bytes)
{
	size_t c, b;
	int err = walk(m, NULL, NULL, 0, &c, &b);
	if (err < 0)
		return err;
	if (records)
		*records = c;
	if (bytes)
		*bytes = b;
	return 0;
}
