/* jit_mem.c - executable memory for the JIT, W^X: pages are mapped
 * read+write, filled, then switched to read+execute with mprotect; no page is
 * ever writable and executable at once.
 *
 * Placement: fresh mappings are carved downwards from ~2 MiB below `near`
 * (the library's code) with MAP_FIXED_NOREPLACE, so that calls to host
 * functions are short rel32 calls the branch predictor handles as well as
 * native ones; when that range is taken the kernel places the mapping
 * anywhere. MAP_POPULATE faults the pages in with the mmap.
 *
 * Recycling: a freed mapping goes back to RW (never executable again),
 * is filled with int3 so no stale code survives in it, and is kept in a small
 * per-process pool that later allocations of a fitting size take first: no
 * mmap, no page faults, no munmap. */
#include "jit/jit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

enum {
	POOL_SLOTS = 16,                 /* mappings kept for reuse */
	POOL_MAX_MAP = 256 << 10,        /* larger mappings are unmapped when freed */
	NEAR_GAP = 2 << 20,              /* first mapping ends this far below `near` */
	NEAR_SPAN = 512 << 20,           /* carve no further than this below `near` */
};

static struct {
	pthread_mutex_t lock;
	void *p[POOL_SLOTS];
	size_t size[POOL_SLOTS];
	size_t n;
	uintptr_t cursor;                /* next near mapping ends here (0: not set) */
	uintptr_t floor;                 /* ... and starts no lower than this */
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

static size_t page_size(void)
{
	static size_t page;
	if (!page)
		page = (size_t)sysconf(_SC_PAGESIZE);
	return page;
}

/* a pooled mapping of at least n bytes and at most 4n (smallest fit), or NULL */
static void *pool_take(size_t n, size_t *map_size)
{
	size_t best = POOL_SLOTS;
	for (size_t k = 0; k < pool.n; k++)
		if (pool.size[k] >= n && pool.size[k] / 4 <= n && (best == POOL_SLOTS || pool.size[k] < pool.size[best]))
			best = k;
	if (best == POOL_SLOTS)
		return NULL;
	void *p = pool.p[best];
	*map_size = pool.size[best];
	pool.n--;
	pool.p[best] = pool.p[pool.n];
	pool.size[best] = pool.size[pool.n];
	return p;
}

/* a fresh RW mapping, near `near` when the range below it is free */
static void *map_fresh(size_t n, const void *near)
{
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
	uintptr_t page = page_size();
	if (!pool.cursor && !pool.floor && (uintptr_t)near > (uintptr_t)NEAR_SPAN + NEAR_GAP) {
		pool.cursor = ((uintptr_t)near - NEAR_GAP) & ~(page - 1);
		pool.floor = pool.cursor - NEAR_SPAN;
	}
	if (pool.cursor && pool.cursor - pool.floor >= n) {
		void *want = (void *)(pool.cursor - n);
		void *p = mmap(want, n, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == want) {
			pool.cursor -= n;
			return p;
		}
		if (p != MAP_FAILED)   /* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
			munmap(p, n);
		pool.cursor = 0;       /* the range is taken: stop trying */
		pool.floor = 1;        /* (non-zero: never set the cursor again) */
	}
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, flags, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void *sbpf_jit_mem_alloc(size_t size, size_t *map_size, const void *near)
{
	size_t page = page_size();
	size_t n = (size + page - 1) / page * page;
	if (!n)
		n = page;
	pthread_mutex_lock(&pool.lock);
	void *p = pool_take(n, map_size);
	if (!p) {
		p = map_fresh(n, near);
		*map_size = n;
	}
	pthread_mutex_unlock(&pool.lock);
	return p;
}

int sbpf_jit_mem_seal(void *p, size_t map_size)
{
	return mprotect(p, map_size, PROT_READ | PROT_EXEC) ? -1 : 0;
}

void sbpf_jit_mem_free(void *p, size_t map_size)
{
	if (!p)
		return;
	/* never executable again, then no stale code: int3 everywhere */
	if (map_size <= POOL_MAX_MAP && !mprotect(p, map_size, PROT_READ | PROT_WRITE)) {
		memset(p, 0xcc, map_size);
		pthread_mutex_lock(&pool.lock);
		bool kept = pool.n < POOL_SLOTS;
		if (kept) {
			pool.p[pool.n] = p;
			pool.size[pool.n++] = map_size;
		}
		pthread_mutex_unlock(&pool.lock);
		if (kept)
			return;
	}
	munmap(p, map_size);
}
