#ifndef BA_DISPATCH_H
#define BA_DISPATCH_H

#include <stdint.h>
#include "box.h"

/* x86 code (the AVX2 walk, cpuid, sfence) is compiled only for x86; elsewhere the baseline walk runs. */
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#  define BA_X86 1
#else
#  define BA_X86 0
#endif

/* Walk the (coalesced) box copying rows; nt allows non-temporal stores for long rows. */
void ba_walk(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);

/* The walks, one per instruction set (dispatch.c picks one at run time). */
void ba_walk_baseline(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);
#if BA_X86
void ba_walk_avx2(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);

/* Orders non-temporal stores before the call returns. */
static inline void ba_store_fence(void) { __builtin_ia32_sfence(); }
#endif

#endif
