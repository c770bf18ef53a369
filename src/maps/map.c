/* map.c - the map object (stackbpf_map__*): creation with Linux's argument
 * checks, the host-side API, the text dump used by `run --dump-maps`, and the
 * three array-shaped types: array, percpu_array and prog_array.
 *
 * Array semantics follow kernel/bpf/arraymap.c: the key is a u32 index, every
 * element always exists (update with NOEXIST: -EEXIST; delete: -EINVAL),
 * an index past max_entries is -E2BIG on update and "not found" on look-up,
 * values are stored at a stride of round_up(value_size, 8) and start zeroed.
 * percpu_array models ONE CPU: the host sees value_size bytes, as the program
 * does. prog_array holds u32 program slots (host-side updates only, flags must
 * be BPF_ANY as Linux's fd arrays); tail calls are not wired yet. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_int.h"

enum { DEFAULT_MEM_LIMIT = 256u << 20 };

static const struct {
	uint32_t type;
	const char *name;
	const struct sbpf_map_ops *ops;
} map_types[] = {
	{ STACKBPF_MAP_HASH, "hash", &sbpf_hash_ops },
	{ STACKBPF_MAP_ARRAY, "array", &sbpf_array_ops },
	{ STACKBPF_MAP_PROG_ARRAY, "prog_array", &sbpf_prog_array_ops },
	{ STACKBPF_MAP_PERCPU_ARRAY, "percpu_array", &sbpf_percpu_array_ops },
	{ STACKBPF_MAP_LRU_HASH, "lru_hash", &sbpf_lru_hash_ops },
	{ STACKBPF_MAP_RINGBUF, "ringbuf", &sbpf_ringbuf_ops },
};

const char *stackbpf_map_type__name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (map_types[i].type == type)
			return map_types[i].name;
	return NULL;
}

#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, def) (OPTS_HAS(opts, field) ? (opts)->field : (def))

static void set_why(const struct stackbpf_map_opts *opts, const char *why)
{
	const char **out = OPTS_GET(opts, errmsg, NULL);
	if (out)
		*out = why;
}

enum { SBPF_KMALLOC_MAX_SIZE = 4u << 20 };

struct stackbpf_map *stackbpf_map__new(uint32_t type, uint32_t key_size, uint32_t value_size,
				       uint32_t max_entries, const struct stackbpf_map_opts *opts)
{
	const struct sbpf_map_ops *ops = NULL;
	const char *why = NULL;
	int err = -EINVAL;
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (map_types[i].type == type)
			ops = map_types[i].ops;
	struct stackbpf_map *m = calloc(1, sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->ops = ops;
	m->type = type;
	m->key_size = key_size;
	m->value_size = value_size;
	m->max_entries = max_entries;
	m->map_flags = OPTS_GET(opts, map_flags, 0);
	const char *name = OPTS_GET(opts, name, NULL);
	m->name = strdup(name ? name : "");
	if (!m->name) {
		err = -ENOMEM;
		why = "out of memory";
		goto fail;
	}
	if (!ops) {
		why = "unsupported map type";
		goto fail;
	}
	if (max_entries == 0) {
		why = "max_entries is 0";
		goto fail;
	}
	if (value_size > SBPF_KMALLOC_MAX_SIZE || key_size > SBPF_KMALLOC_MAX_SIZE) {
		err = -E2BIG;   /* as Linux: no element larger than one kmalloc */
		why = "key_size or value_size is larger than 4194304";
		goto fail;
	}
	if ((err = ops->check(m, &why)))
		goto fail;
	uint64_t size = ops->mem_size(m);
	uint64_t limit = OPTS_GET(opts, mem_limit, 0);
	if (!limit)
		limit = DEFAULT_MEM_LIMIT;
	if (size > limit) {
		err = -E2BIG;
		why = "map needs more memory than the limit";
		goto fail;
	}
	m->mem_len = (size_t)size;
	m->mem = calloc(1, m->mem_len ? m->mem_len : 1);
	if (!m->mem) {
		err = -ENOMEM;
		why = "out of memory";
		goto fail;
	}
	if (ops->init && (err = ops->init(m))) {
		why = "out of memory";
		goto fail;
	}
	return m;
fail:
	set_why(opts, why);
	m->ops = NULL;   /* fini must not run on a half-built map */
	stackbpf_map__free(m);
	errno = -err;
	return NULL;
}

void stackbpf_map__free(struct stackbpf_map *m)
{
	if (!m)
		return;
	if (m->ops && m->ops->fini)
		m->ops->fini(m);
	free(m->priv);
	free(m->mem);
	free(m->name);
	free(m);
}

const char *stackbpf_map__name(const struct stackbpf_map *m) { return m ? m->name : NULL; }
uint32_t stackbpf_map__type(const struct stackbpf_map *m) { return m ? m->type : 0; }
uint32_t stackbpf_map__key_size(const struct stackbpf_map *m) { return m ? m->key_size : 0; }
uint32_t stackbpf_map__value_size(const struct stackbpf_map *m) { return m ? m->value_size : 0; }
uint32_t stackbpf_map__max_entries(const struct stackbpf_map *m) { return m ? m->max_entries : 0; }
uint32_t stackbpf_map__flags(const struct stackbpf_map *m) { return m ? m->map_flags : 0; }

void *stackbpf_map__storage(const struct stackbpf_map *m, size_t *len)
{
	if (len)
		*len = m ? m->mem_len : 0;
	return m ? m->mem : NULL;
}

int stackbpf_map__lookup(struct stackbpf_map *m, const void *key, void *value)
{
	if (!m || !value || (!key && m->key_size))
		return -EINVAL;
	if (m->ops->copy_out)
		return m->ops->copy_out(m, key, value);
	void *v = m->ops->lookup(m, key, 0);
	if (!v)
		return -ENOENT;
	memcpy(value, v, m->value_size);
	return 0;
}

void *stackbpf_map__elem(struct stackbpf_map *m, const void *key)
{
	if (!m || (!key && m->key_size) || m->ops->copy_out)
		return NULL;
	return m->ops->lookup(m, key, 0);
}

int stackbpf_map__update(struct stackbpf_map *m, const void *key, const void *value, uint64_t flags)
{
	if (!m || (!key && m->key_size) || (!value && m->value_size))
		return -EINVAL;
	return m->ops->update(m, key, value, flags);
}

int stackbpf_map__delete(struct stackbpf_map *m, const void *key)
{
	if (!m || (!key && m->key_size))
		return -EINVAL;
	return m->ops->delete(m, key);
}

int stackbpf_map__get_next_key(struct stackbpf_map *m, const void *key, void *next_key)
{
	if (!m || !next_key)
		return -EINVAL;
	return m->ops->next_key(m, key, next_key);
}

/* ------------------------------------------------------------------ dump */

static void hex(FILE *out, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		fprintf(out, "%s%02x", i ? " " : "", p[i]);
}

int stackbpf_map__dump(struct stackbpf_map *m, FILE *out)
{
	if (!m || !out)
		return -EINVAL;
	const char *tn = stackbpf_map_type__name(m->type);
	fprintf(out, "map %s: %s, key %u, value %u, max_entries %u\n", m->name, tn, m->key_size, m->value_size,
		m->max_entries);
	if (m->type == STACKBPF_MAP_RINGBUF) {
		size_t n = 0, bytes = 0;
		int err = stackbpf_ringbuf__peek(m, &n, &bytes);
		if (err)
			return err;
		fprintf(out, "  %zu record(s) ready, %zu byte(s)\n", n, bytes);
		return 0;
	}
	uint8_t *key = malloc(m->key_size + 1u), *next = malloc(m->key_size + 1u);
	uint8_t *val = malloc(m->value_size + 1u);
	int err = key && next && val ? 0 : -ENOMEM, n = 0;
	for (int first = 1; !err; first = 0) {
		int e = stackbpf_map__get_next_key(m, first ? NULL : key, next);
		if (e == -ENOENT)
			break;
		if ((err = e))
			break;
		memcpy(key, next, m->key_size);
		if (stackbpf_map__lookup(m, key, val))
			continue;   /* an empty prog_array slot */
		fputs("  key: ", out);
		hex(out, key, m->key_size);
		fputs("  value: ", out);
		hex(out, val, m->value_size);
		fputc('\n', out);
		n++;
	}
	if (!err)
		fprintf(out, "  %d element(s)\n", n);
	free(key);
	free(next);
	free(val);
	return err;
}

/* ------------------------------------------------------------------ arrays */

static int array_check(const struct stackbpf_map *m, const char **why)
{
	if (m->key_size != 4) {
		*why = "key_size must be 4";
		return -EINVAL;
	}
	if (m->value_size == 0) {
		*why = "value_size is 0";
		return -EINVAL;
	}
	return 0;
}

static uint64_t array_mem(const struct stackbpf_map *m)
{
	return (uint64_t)sbpf_round8(m->value_size) * m->max_entries;
}

static void *array_lookup(struct stackbpf_map *m, const void *key, int bump)
{
	(void)bump;
	uint32_t i;
	memcpy(&i, key, 4);
	return i < m->max_entries ? m->mem + (size_t)i * sbpf_round8(m->value_size) : NULL;
}

static int array_update(struct stackbpf_map *m, const void *key, const void *value, uint64_t flags)
{
	uint32_t i;
	if (flags > STACKBPF_EXIST)
		return -EINVAL;
	memcpy(&i, key, 4);
	if (i >= m->max_entries)
		return -E2BIG;
	if (flags == STACKBPF_NOEXIST)
		return -EEXIST;
	memcpy(array_lookup(m, key, 0), value, m->value_size);
	return 0;
}

static int array_delete(struct stackbpf_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

static int array_next_key(struct stackbpf_map *m, const void *key, void *next)
{
	uint32_t i = UINT32_MAX, n;
	if (key)
		memcpy(&i, key, 4);
	if (i >= m->max_entries)
		n = 0;
	else if (i == m->max_entries - 1)
		return -ENOENT;
	else
		n = i + 1;
	memcpy(next, &n, 4);
	return 0;
}

const struct sbpf_map_ops sbpf_array_ops = {
	.check = array_check, .mem_size = array_mem, .lookup = array_lookup,
	.update = array_update, .delete = array_delete, .next_key = array_next_key,
};

/* one CPU: the same storage as an array */
const struct sbpf_map_ops sbpf_percpu_array_ops = {
	.check = array_check, .mem_size = array_mem, .lookup = array_lookup,
	.update = array_update, .delete = array_delete, .next_key = array_next_key,
};

/* prog_array: slot i is {u32 used, u32 value} */
static int prog_array_check(const struct stackbpf_map *m, const char **why)
{
	if (m->key_size != 4 || m->value_size != 4) {
		*why = "key_size and value_size must be 4";
		return -EINVAL;
	}
	return 0;
}

static uint64_t prog_array_mem(const struct stackbpf_map *m) { return 8ull * m->max_entries; }

static uint32_t *prog_slot(struct stackbpf_map *m, const void *key)
{
	uint32_t i;
	memcpy(&i, key, 4);
	return i < m->max_entries ? (uint32_t *)(void *)(m->mem + 8ull * i) : NULL;
}

static void *prog_array_lookup(struct stackbpf_map *m, const void *key, int bump)
{
	(void)bump;
	uint32_t *s = prog_slot(m, key);
	return s && s[0] ? &s[1] : NULL;
}

static int prog_array_update(struct stackbpf_map *m, const void *key, const void *value, uint64_t flags)
{
	if (flags != STACKBPF_ANY)
		return -EINVAL;
	uint32_t *s = prog_slot(m, key);
	if (!s)
		return -E2BIG;
	s[0] = 1;
	memcpy(&s[1], value, 4);
	return 0;
}

static int prog_array_delete(struct stackbpf_map *m, const void *key)
{
	uint32_t *s = prog_slot(m, key);
	if (!s)
		return -E2BIG;
	if (!s[0])
		return -ENOENT;
	s[0] = s[1] = 0;
	return 0;
}

const struct sbpf_map_ops sbpf_prog_array_ops = {
	.check = prog_array_check, .mem_size = prog_array_mem, .lookup = prog_array_lookup,
	.update = prog_array_update, .delete = prog_array_delete, .next_key = array_next_key,
};
