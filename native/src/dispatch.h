/*
 * Internal: the per-CPU implementations of the walks, chosen once (libdeflate's shape). The first
 * kernel call probes the CPU once (cpuid, and the BIGARRAYS_NO_AVX2 / BIGARRAYS_NO_AVX512
 * overrides the tests use) and picks one ba_impl table; every later call loads that pointer and
 * calls through it. There is no other CPU-state cache.
 */
#ifndef BA_DISPATCH_H
#define BA_DISPATCH_H

#include <stdint.h>
#include "box.h"
#include "gather.h"
#include "downsample_mode.h"

/* x86 code (the AVX2/AVX-512 walks, cpuid, sfence) is compiled only for x86; elsewhere the baseline walk runs. */
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#  define BA_X86 1
#else
#  define BA_X86 0
#endif

/* Walk the (coalesced) box copying rows; nt allows non-temporal stores for long rows. */
typedef void (*ba_walk_fn)(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);
/* Fill the gather slab; `pieces` is scratch for nsrc entries; nt allows non-temporal stores. */
typedef void (*ba_gather_walk_fn)(const ba_gather_args *g, ba_piece *pieces, int nt);

/* One instruction set's walks and their names (for ba_simd_path / ba_gather_path). */
typedef struct ba_impl {
    ba_walk_fn walk;
    ba_gather_walk_fn gather_walk;
    ba_mode64_row_fn mode64_row;
    const char *walk_name;
    const char *gather_name;
} ba_impl;

/* The table for this CPU: probed on the first call, the same pointer ever after. Thread-safe. */
const ba_impl *ba_impl_get(void);

/* The walks through the chosen table; non-temporal stores are fenced before they return. */
void ba_walk(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);
void ba_gather_walk(const ba_gather_args *g, ba_piece *pieces, int nt);

/* The walks, one per instruction set (only ba_impl_get picks among them). */
void ba_walk_baseline(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);
void ba_gather_walk_baseline(const ba_gather_args *g, ba_piece *pieces, int nt);
#if BA_X86
void ba_walk_avx2(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);
void ba_gather_walk_avx2(const ba_gather_args *g, ba_piece *pieces, int nt);
void ba_gather_walk_avx512(const ba_gather_args *g, ba_piece *pieces, int nt);

/* Orders non-temporal stores before the call returns. */
static inline void ba_store_fence(void) { __builtin_ia32_sfence(); }
#endif

#endif
