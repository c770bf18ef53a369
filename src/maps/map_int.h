/* map_int.h - internals of the maps: the map object every type shares, and the
 * per-type operations table (one ops struct per type, as Linux's bpf_map_ops).
 *
 * Each map keeps all of its element storage in ONE allocation, `mem`, made
 * when the map is created (hash maps are preallocated, as Linux's default):
 * that block is the map's memory region, so the checked interpreter can
 * accept pointers a helper returned (stackbpf_map__storage) and nothing
 * moves while a program holds such a pointer. */
#ifndef SBPF_MAP_INT_H
#define SBPF_MAP_INT_H

#include <stdint.h>
#include "stackbpf/stackbpf.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524   /* Linux's internal "operation not supported" (ringbuf map ops) */
#endif

struct stackbpf_map;

struct sbpf_map_ops {
	/* check the sizes; return 0 or -EINVAL / -E2BIG and say why in *why */
	int (*check)(const struct stackbpf_map *m, const char **why);
	/* bytes of storage for `mem` */
	uint64_t (*mem_size)(const struct stackbpf_map *m);
	int (*init)(struct stackbpf_map *m);           /* after mem is allocated; may be NULL */
	void (*fini)(struct stackbpf_map *m);          /* may be NULL */
	/* program-side look-up: pointer to the value or NULL; `bump` marks LRU use */
	void *(*lookup)(struct stackbpf_map *m, const void *key, int bump);
	int (*update)(struct stackbpf_map *m, const void *key, const void *value, uint64_t flags);
	int (*delete)(struct stackbpf_map *m, const void *key);
	int (*next_key)(struct stackbpf_map *m, const void *key, void *next);
	/* host-side copy of a value (NULL: lookup + memcpy of value_size) */
	int (*copy_out)(struct stackbpf_map *m, const void *key, void *value);
};

struct stackbpf_map {
	const struct sbpf_map_ops *ops;
	char *name;
	uint32_t type, key_size, value_size, max_entries, map_flags;
	uint8_t *mem;            /* the storage region */
	size_t mem_len;
	void *priv;              /* per-type state (hash buckets, ring positions) */
};

extern const struct sbpf_map_ops sbpf_array_ops, sbpf_percpu_array_ops, sbpf_prog_array_ops;
extern const struct sbpf_map_ops sbpf_hash_ops, sbpf_lru_hash_ops, sbpf_ringbuf_ops;

static inline uint32_t sbpf_round8(uint32_t v) { return (v + 7u) & ~7u; }

/* ringbuf program-side operations (ringbuf.c), used by the helpers */
void *sbpf_ringbuf_reserve(struct stackbpf_map *m, uint64_t size, uint64_t flags);
void sbpf_ringbuf_commit(void *sample, int discard);
int sbpf_ringbuf_output(struct stackbpf_map *m, const void *data, uint64_t size, uint64_t flags);

#endif
