/* state.c - register and frame state: marking registers, creating, copying
 * and freeing frames and whole verifier states. */
#include "verifier/verifier.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void reg_mark_not_init(struct sbpf_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = NOT_INIT;
}

void reg_mark_unknown(struct sbpf_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = SCALAR_VALUE;
	scalar_mark_unknown(&r->s);
}

void reg_mark_known(struct sbpf_reg *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->type = SCALAR_VALUE;
	scalar_mark_known(&r->s, v);
}

bool reg_is_const(const struct sbpf_reg *r)
{
	return r->type == SCALAR_VALUE && scalar_is_const(&r->s);
}

bool reg_is_ptr(const struct sbpf_reg *r)
{
	return r->type != NOT_INIT && r->type != SCALAR_VALUE;
}

/* ---------------------------------------------------- frame blocks
 * Every undecided branch copies the state, so frames come and go all the
 * time. A frame and its slots are one block; freed blocks are kept per
 * thread by size class (0, 8, 16, 32, 64 slots) for the next copy. (Not
 * under AddressSanitizer: it should see every use after free.) */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_KEEP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_KEEP 0
#endif
#endif
#ifndef POOL_KEEP
#define POOL_KEEP 64
#endif
enum { POOL_CLASSES = 5 };
_Static_assert(4u << (POOL_CLASSES - 1) >= SBPF_MAX_SLOTS, "the largest class holds a full stack");
static _Thread_local struct {
	void *head[POOL_CLASSES];
	uint32_t n[POOL_CLASSES];
} pool;

/* chunks of finished verifications' arenas, kept per thread for the next
 * one: their pages are already mapped (a fresh chunk costs a page fault per
 * 4 KiB) */
struct sbpf_arena {
	struct sbpf_arena *prev;        /* the chunk before (the head is the newest) */
	size_t used, size;
};
enum { ARENA_KEEP = 8u << 20 };
static _Thread_local struct sbpf_arena *arena_cache;
static _Thread_local size_t arena_cached;

/* A thread that keeps blocks frees them when it exits (a pthread key's
 * destructor): an application may verify in threads that come and go. */
static pthread_once_t caches_once = PTHREAD_ONCE_INIT;
static pthread_key_t caches_key;
static bool caches_keyed;
static _Thread_local bool caches_owned;

static void caches_free(void *unused)
{
	(void)unused;
	for (int c = 0; c < POOL_CLASSES; c++)
		while (pool.head[c]) {
			void *p = pool.head[c];
			pool.head[c] = *(void **)p;
			free(p);
		}
	memset(&pool, 0, sizeof(pool));
	while (arena_cache) {
		struct sbpf_arena *a = arena_cache;
		arena_cache = a->prev;
		free(a);
	}
	arena_cached = 0;
	caches_owned = false;
}

static void caches_key_new(void)
{
	caches_keyed = pthread_key_create(&caches_key, caches_free) == 0;
}

/* before this thread keeps a block: false when it cannot promise to free it */
static bool caches_own(void)
{
	if (!caches_owned) {
		pthread_once(&caches_once, caches_key_new);
		/* any non-NULL value: the destructor runs at thread exit */
		caches_owned = caches_keyed && pthread_setspecific(caches_key, &caches_owned) == 0;
	}
	return caches_owned;
}

static uint32_t pool_cap(uint32_t c)
{
	return c ? 4u << c : 0;
}

static uint32_t pool_class(uint32_t nslots)   /* nslots <= SBPF_MAX_SLOTS */
{
	uint32_t c = 0;
	while (c + 1 < POOL_CLASSES && nslots > pool_cap(c))
		c++;
	return c;
}

static struct sbpf_func_state *frame_alloc(uint32_t nslots)
{
	uint32_t c = pool_class(nslots);
	void *p = pool.head[c];
	if (p) {
		pool.head[c] = *(void **)p;
		pool.n[c]--;
		return p;
	}
	return malloc(sizeof(struct sbpf_func_state) + pool_cap(c) * sizeof(struct sbpf_stack_slot));
}

/* a frame copied with its slots keeps them in the same block, right after it */
static bool stack_inline(const struct sbpf_func_state *f)
{
	return f->stack == (const struct sbpf_stack_slot *)(const void *)(f + 1);
}

void func_free(struct sbpf_func_state *f)
{
	if (!f)
		return;
	uint32_t c = 0;
	if (stack_inline(f))
		c = pool_class(f->nslots);
	else
		free(f->stack);
	if (pool.n[c] + 1 > POOL_KEEP || !caches_own()) {
		free(f);
		return;
	}
	*(void **)(void *)f = pool.head[c];
	pool.head[c] = f;
	pool.n[c]++;
}

struct sbpf_func_state *func_new(uint8_t frameno, int32_t callsite, uint32_t subprogno)
{
	struct sbpf_func_state *f = frame_alloc(0);
	if (!f)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->frameno = frameno;
	f->callsite = callsite;
	f->subprogno = subprogno;
	f->regs[SBPF_REG_FP].type = PTR_TO_STACK;
	f->regs[SBPF_REG_FP].frameno = frameno;
	scalar_mark_known(&f->regs[SBPF_REG_FP].s, 0);
	return f;
}


int func_grow_stack(struct sbpf_func_state *f, uint32_t nslots)
{
	if (nslots <= f->nslots)
		return 0;
	struct sbpf_stack_slot *s;
	if (f->nslots && stack_inline(f)) {
		if ((s = malloc(nslots * sizeof(*s))))
			memcpy(s, f->stack, f->nslots * sizeof(*s));
	} else {
		s = realloc(f->stack, nslots * sizeof(*s));
	}
	if (!s)
		return -ENOMEM;
	memset(s + f->nslots, 0, (nslots - f->nslots) * sizeof(*s));
	f->stack = s;
	f->nslots = nslots;
	return 0;
}

static struct sbpf_func_state *func_dup(const struct sbpf_func_state *src)
{
	/* one block: the frame, then its slots (the walk copies states often) */
	struct sbpf_func_state *f = frame_alloc(src->nslots);
	if (!f)
		return NULL;
	*f = *src;
	f->stack = NULL;
	if (src->nslots) {
		f->stack = (struct sbpf_stack_slot *)(void *)(f + 1);
		memcpy(f->stack, src->stack, src->nslots * sizeof(*f->stack));
	}
	return f;
}

/* the jump history and the bounds of the path since the last checkpoint */
static int prec_copy(struct sbpf_vprec *dst, const struct sbpf_vprec *src)
{
	*dst = *src;
	dst->hist = NULL;
	dst->hist_cap = 0;
	if (!src->hist_cnt)
		return 0;
	/* room to grow: the copy is usually walked on */
	uint32_t cap = src->hist_cnt + 16;
	dst->hist = malloc(cap * sizeof(*dst->hist));
	if (!dst->hist)
		return -ENOMEM;
	memcpy(dst->hist, src->hist, src->hist_cnt * sizeof(*dst->hist));
	dst->hist_cap = cap;
	return 0;
}

int vstate_copy(struct sbpf_vstate *dst, const struct sbpf_vstate *src)
{
	memset(dst, 0, offsetof(struct sbpf_vstate, refs));
	dst->curframe = src->curframe;
	dst->may_goto_depth = src->may_goto_depth;
	dst->callback_unroll_depth = src->callback_unroll_depth;
	dst->parent = src->parent;
	if (prec_copy(&dst->prec, &src->prec))
		return -ENOMEM;
	dst->nrefs = src->nrefs;
	memcpy(dst->refs, src->refs, src->nrefs * sizeof(src->refs[0]));
	for (uint32_t i = 0; i <= src->curframe; i++) {
		if (!(dst->frame[i] = func_dup(src->frame[i]))) {
			vstate_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

void vstate_free(struct sbpf_vstate *st)
{
	free(st->prec.hist);
	st->prec.hist = NULL;
	st->prec.hist_cnt = st->prec.hist_cap = 0;
	for (int i = 0; i < SBPF_MAX_CALL_FRAMES; i++) {
		func_free(st->frame[i]);
		st->frame[i] = NULL;
	}
}

/* ------------------------------------------------------------ the arena */

enum { ARENA_CHUNK = 2u << 20 };

static struct sbpf_arena *arena_from_cache(size_t sz)
{
	for (struct sbpf_arena **pa = &arena_cache, *a; (a = *pa); pa = &a->prev)
		if (a->size >= sz) {
			*pa = a->prev;
			arena_cached -= a->size;
			return a;
		}
	return NULL;
}

void *arena_alloc(struct sbpf_env *env, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	struct sbpf_arena *a = env->prec.arena;
	size_t hdr = (sizeof(*a) + 15) & ~(size_t)15;
	if (!a || a->used + size > a->size) {
		/* small programs stay small: 16 KiB first, doubling up to 2 MiB
		 * chunks, which ask for huge pages (far fewer page faults) */
		size_t sz = a ? (a->size * 2 < ARENA_CHUNK ? a->size * 2 : ARENA_CHUNK) : 16u << 10;
		if (sz < size + hdr)
			sz = size + hdr;
		struct sbpf_arena *n = arena_from_cache(sz);
		if (n) {
			sz = n->size;
		} else if (sz >= ARENA_CHUNK) {
			sz = (sz + ARENA_CHUNK - 1) & ~(size_t)(ARENA_CHUNK - 1);
			n = aligned_alloc(ARENA_CHUNK, sz);
#ifdef MADV_HUGEPAGE
			if (n)
				madvise(n, sz, MADV_HUGEPAGE);
#endif
		} else {
			n = malloc(sz);
		}
		if (!n)
			return NULL;
		n->prev = a;
		n->used = hdr;
		n->size = sz;
		env->prec.arena = a = n;
	}
	void *p = (char *)a + a->used;
	a->used += size;
	return p;
}

void arena_free(struct sbpf_env *env)
{
	while (env->prec.arena) {
		struct sbpf_arena *a = env->prec.arena;
		env->prec.arena = a->prev;
		if (arena_cached + a->size <= ARENA_KEEP && caches_own()) {
			a->prev = arena_cache;
			arena_cache = a;
			arena_cached += a->size;
		} else {
			free(a);
		}
	}
}

/* as vstate_copy, every block from the arena (never freed on its own) */
int vstate_copy_arena(struct sbpf_env *env, struct sbpf_vstate *dst, const struct sbpf_vstate *src)
{
	memset(dst, 0, offsetof(struct sbpf_vstate, refs));
	dst->curframe = src->curframe;
	dst->may_goto_depth = src->may_goto_depth;
	dst->callback_unroll_depth = src->callback_unroll_depth;
	dst->parent = src->parent;
	dst->nrefs = src->nrefs;
	memcpy(dst->refs, src->refs, src->nrefs * sizeof(src->refs[0]));
	dst->prec = src->prec;
	dst->prec.hist = NULL;
	dst->prec.hist_cap = 0;
	if (src->prec.hist_cnt) {
		if (!(dst->prec.hist = arena_alloc(env, src->prec.hist_cnt * sizeof(*dst->prec.hist))))
			return -ENOMEM;
		memcpy(dst->prec.hist, src->prec.hist, src->prec.hist_cnt * sizeof(*dst->prec.hist));
	}
	for (uint32_t i = 0; i <= src->curframe; i++) {
		const struct sbpf_func_state *f = src->frame[i];
		struct sbpf_func_state *d = arena_alloc(env, sizeof(*d) + f->nslots * sizeof(*f->stack));
		if (!d)
			return -ENOMEM;
		*d = *f;
		d->stack = NULL;
		if (f->nslots) {
			d->stack = (struct sbpf_stack_slot *)(void *)(d + 1);
			memcpy(d->stack, f->stack, f->nslots * sizeof(*f->stack));
		}
		dst->frame[i] = d;
	}
	return 0;
}
