#ifndef BA_DISPATCH_H
#define BA_DISPATCH_H

#include <stdint.h>
#include "box.h"

/* Walk the (coalesced) box copying rows; nt allows non-temporal stores for long rows. */
void ba_walk(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);

/* The walks, one per instruction set (dispatch.c picks one at run time). */
void ba_walk_baseline(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);
void ba_walk_avx2(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt);

/* Orders non-temporal stores before the call returns. */
static inline void ba_store_fence(void) { __builtin_ia32_sfence(); }

#endif
