/* jit_mem.c - executable memory for the JIT, W^X: pages are mapped
 * read+write, filled, then switched to read+execute with mprotect; no page is
 * ever writable and executable at once. The mapping is placed near `near`
 * (the library's code) when the kernel allows, so that calls to host
 * functions fit a rel32 displacement. */
#include "jit/jit.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

void *sbpf_jit_mem_alloc(size_t size, size_t *map_size, const void *near)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = (size + page - 1) / page * page;
	if (!n)
		n = page;
	/* a hint 64 MiB below `near`; plain hint, never MAP_FIXED */
	uintptr_t hint = (uintptr_t)near > (64u << 20) ? ((uintptr_t)near - (64u << 20)) & ~(uintptr_t)(page - 1) : 0;
	void *p = mmap((void *)hint, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	*map_size = n;
	return p;
}

int sbpf_jit_mem_seal(void *p, size_t map_size)
{
	return mprotect(p, map_size, PROT_READ | PROT_EXEC) ? -1 : 0;
}

void sbpf_jit_mem_free(void *p, size_t map_size)
{
	if (p)
		munmap(p, map_size);
}
