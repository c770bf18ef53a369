/* interp.c - the two interpreter engines, both generated from interp_body.h:
 * sbpf_engine_fast (no access checks) and sbpf_engine_checked (every memory
 * access checked, instruction limit). Also the small memory and byte-order
 * primitives the body uses. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "vm/host.h"
#include "vm/vm_int.h"

/* unaligned little-endian-host loads and stores (one mov on x86-64) */
#define SBPF_MEMOPS(T) \
	static inline T sbpf_load_##T(uint64_t a) { T v; memcpy(&v, (const void *)(uintptr_t)a, sizeof(v)); return v; } \
	static inline void sbpf_store_##T(uint64_t a, T v) { memcpy((void *)(uintptr_t)a, &v, sizeof(v)); }
SBPF_MEMOPS(uint8_t)
SBPF_MEMOPS(uint16_t)
SBPF_MEMOPS(uint32_t)
SBPF_MEMOPS(uint64_t)
#undef SBPF_MEMOPS

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint16_t sbpf_to_le16(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t sbpf_to_le32(uint32_t x) { return __builtin_bswap32(x); }
static inline uint64_t sbpf_to_le64(uint64_t x) { return __builtin_bswap64(x); }
static inline uint16_t sbpf_to_be16(uint16_t x) { return x; }
static inline uint32_t sbpf_to_be32(uint32_t x) { return x; }
static inline uint64_t sbpf_to_be64(uint64_t x) { return x; }
#else
static inline uint16_t sbpf_to_le16(uint16_t x) { return x; }
static inline uint32_t sbpf_to_le32(uint32_t x) { return x; }
static inline uint64_t sbpf_to_le64(uint64_t x) { return x; }
static inline uint16_t sbpf_to_be16(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t sbpf_to_be32(uint32_t x) { return __builtin_bswap32(x); }
static inline uint64_t sbpf_to_be64(uint64_t x) { return __builtin_bswap64(x); }
#endif

/* big-endian packet loads (LD_ABS / LD_IND) */
static inline uint64_t sbpf_be16_load(const uint8_t *p) { return (uint64_t)p[0] << 8 | p[1]; }
static inline uint64_t sbpf_be32_load(const uint8_t *p)
{
	return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
}

#define CHECKED 0
#define ENGINE sbpf_engine_fast
#include "vm/interp_body.h"
#undef CHECKED
#undef ENGINE

#define CHECKED 1
#define ENGINE sbpf_engine_checked
#include "vm/interp_body.h"
#undef CHECKED
#undef ENGINE
