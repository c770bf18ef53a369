/* hash.c - hash and lru_hash maps, preallocated as Linux's default.
 *
 * All max_entries elements live in the map's one storage block, each laid out
 * as [header | key (rounded to 8) | value (rounded to 8)]; a bucket array of
 * element numbers (n+1, 0 = none) chains them, a free list hands them out.
 * Semantics follow kernel/bpf/hashtab.c: flags ANY/NOEXIST/EXIST (others
 * -EINVAL), NOEXIST on a present key -EEXIST, EXIST on a missing key
 * -ENOENT, a new key in a full hash -E2BIG, delete of a missing key -ENOENT,
 * get_next_key walks bucket by bucket and starts over at the first element
 * when the key is absent.
 *
 * lru_hash never fails with -E2BIG: a new key in a full map evicts the least
 * recently used element. Recency is exact here (a doubly linked list; program
 * look-ups and updates move an element to the front, host look-ups do not, as
 * Linux's lookup_elem_sys), where Linux approximates it per CPU. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_int.h"

struct helem {
	uint32_t next;            /* next in bucket (or free list), element number + 1 */
	uint32_t hash;
	uint32_t lru_prev, lru_next;  /* element number + 1 */
	uint32_t used, pad;
};

struct htab {
	uint32_t nbuckets;        /* power of two */
	uint32_t free_head;       /* element number + 1 */
	uint32_t count;
	uint32_t lru_head, lru_tail;  /* most / least recently used */
	int lru;
	uint32_t buckets[];
};

static uint32_t elem_size(const struct stackbpf_map *m)
{
	return (uint32_t)sizeof(struct helem) + sbpf_round8(m->key_size) + sbpf_round8(m->value_size);
}

static struct helem *E(struct stackbpf_map *m, uint32_t n1)
{
	return (struct helem *)(void *)(m->mem + (size_t)(n1 - 1) * elem_size(m));
}

static uint8_t *ekey(struct helem *e) { return (uint8_t *)(e + 1); }
static uint8_t *evalue(struct stackbpf_map *m, struct helem *e) { return ekey(e) + sbpf_round8(m->key_size); }

static uint32_t hash_bytes(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int hash_check(const struct stackbpf_map *m, const char **why)
{
	if (m->key_size == 0 || m->value_size == 0) {
		*why = m->key_size == 0 ? "key_size is 0" : "value_size is 0";
		return -EINVAL;
	}
	if (m->key_size > 512) {   /* MAX_BPF_STACK, as Linux */
		*why = "key_size is larger than 512";
		return -E2BIG;
	}
	if (m->max_entries > (1u << 24)) {
		*why = "max_entries is larger than 16777216";
		return -E2BIG;
	}
	return 0;
}

static uint64_t hash_mem(const struct stackbpf_map *m)
{
	return (uint64_t)elem_size(m) * m->max_entries;
}

static int hash_init_common(struct stackbpf_map *m, int lru)
{
	uint32_t nb = 1;
	while (nb < m->max_entries)
		nb <<= 1;
	struct htab *h = calloc(1, sizeof(*h) + (size_t)nb * sizeof(uint32_t));
	if (!h)
		return -ENOMEM;
	h->nbuckets = nb;
	h->lru = lru;
	for (uint32_t i = m->max_entries; i >= 1; i--) {
		E(m, i)->next = h->free_head;
		h->free_head = i;
	}
	m->priv = h;
	return 0;
}

static int hash_init(struct stackbpf_map *m) { return hash_init_common(m, 0); }
static int lru_init(struct stackbpf_map *m) { return hash_init_common(m, 1); }

/* element number + 1 holding key, or 0; *prev_link points at the link to it */
static uint32_t find(struct stackbpf_map *m, const void *key, uint32_t hash, uint32_t **link)
{
	struct htab *h = m->priv;
	uint32_t *l = &h->buckets[hash & (h->nbuckets - 1)];
	for (; *l; l = &E(m, *l)->next) {
		struct helem *e = E(m, *l);
		if (e->hash == hash && memcmp(ekey(e), key, m->key_size) == 0) {
			if (link)
				*link = l;
			return *l;
		}
	}
	return 0;
}

static void lru_unlink(struct stackbpf_map *m, uint32_t n)
{
	struct htab *h = m->priv;
	struct helem *e = E(m, n);
	if (e->lru_prev)
		E(m, e->lru_prev)->lru_next = e->lru_next;
	else
		h->lru_head = e->lru_next;
	if (e->lru_next)
		E(m, e->lru_next)->lru_prev = e->lru_prev;
	else
		h->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = 0;
}

static void lru_push_front(struct stackbpf_map *m, uint32_t n)
{
	struct htab *h = m->priv;
	struct helem *e = E(m, n);
	e->lru_prev = 0;
	e->lru_next = h->lru_head;
	if (h->lru_head)
		E(m, h->lru_head)->lru_prev = n;
	h->lru_head = n;
	if (!h->lru_tail)
		h->lru_tail = n;
}

static void *hash_lookup(struct stackbpf_map *m, const void *key, int bump)
{
	struct htab *h = m->priv;
	uint32_t n = find(m, key, hash_bytes(key, m->key_size), NULL);
	if (!n)
		return NULL;
	if (h->lru && bump) {
		lru_unlink(m, n);
		lru_push_front(m, n);
	}
	return evalue(m, E(m, n));
}

static void remove_elem(struct stackbpf_map *m, uint32_t *link)
{
	struct htab *h = m->priv;
	uint32_t n = *link;
	struct helem *e = E(m, n);
	*link = e->next;
	if (h->lru)
		lru_unlink(m, n);
	memset(e, 0, elem_size(m));
	e->next = h->free_head;
	h->free_head = n;
	h->count--;
}

static int hash_update(struct stackbpf_map *m, const void *key, const void *value, uint64_t flags)
{
	struct htab *h = m->priv;
	if (flags > STACKBPF_EXIST)
		return -EINVAL;
	uint32_t hash = hash_bytes(key, m->key_size);
	uint32_t n = find(m, key, hash, NULL);
	if (n && flags == STACKBPF_NOEXIST)
		return -EEXIST;
	if (!n && flags == STACKBPF_EXIST)
		return -ENOENT;
	if (n) {
		memcpy(evalue(m, E(m, n)), value, m->value_size);
		if (h->lru) {
			lru_unlink(m, n);
			lru_push_front(m, n);
		}
		return 0;
	}
	if (!h->free_head) {
		if (!h->lru)
			return -E2BIG;
		/* evict the least recently used element */
		struct helem *old = E(m, h->lru_tail);
		uint32_t *link = NULL;
		find(m, ekey(old), old->hash, &link);
		remove_elem(m, link);
	}
	n = h->free_head;
	struct helem *e = E(m, n);
	h->free_head = e->next;
	e->hash = hash;
	e->used = 1;
	memcpy(ekey(e), key, m->key_size);
	memcpy(evalue(m, e), value, m->value_size);
	uint32_t *b = &h->buckets[hash & (h->nbuckets - 1)];
	e->next = *b;
	*b = n;
	h->count++;
	if (h->lru)
		lru_push_front(m, n);
	return 0;
}

static int hash_delete(struct stackbpf_map *m, const void *key)
{
	uint32_t *link = NULL;
	if (!find(m, key, hash_bytes(key, m->key_size), &link))
		return -ENOENT;
	remove_elem(m, link);
	return 0;
}

static int hash_next_key(struct stackbpf_map *m, const void *key, void *next)
{
	struct htab *h = m->priv;
	uint32_t b = 0;
	if (key) {
		uint32_t hash = hash_bytes(key, m->key_size);
		uint32_t n = find(m, key, hash, NULL);
		if (n) {
			struct helem *e = E(m, n);
			if (e->next) {
				memcpy(next, ekey(E(m, e->next)), m->key_size);
				return 0;
			}
			b = (hash & (h->nbuckets - 1)) + 1;
		}
	}
	for (; b < h->nbuckets; b++)
		if (h->buckets[b]) {
			memcpy(next, ekey(E(m, h->buckets[b])), m->key_size);
			return 0;
		}
	return -ENOENT;
}

const struct sbpf_map_ops sbpf_hash_ops = {
	.check = hash_check, .mem_size = hash_mem, .init = hash_init, .lookup = hash_lookup,
	.update = hash_update, .delete = hash_delete, .next_key = hash_next_key,
};

const struct sbpf_map_ops sbpf_lru_hash_ops = {
	.check = hash_check, .mem_size = hash_mem, .init = lru_init, .lookup = hash_lookup,
	.update = hash_update, .delete = hash_delete, .next_key = hash_next_key,
};
