/* The copy walk for any CPU (on x86-64: SSE2 only). */
#include "rowcopy.h"

BA_INLINE void big_row_memcpy(uint8_t *d, const uint8_t *s, int64_t n, int nt) {
    (void)nt;
    memcpy(d, s, (size_t)n);
}

BA_DEFINE_WALK(ba_walk_baseline, big_row_memcpy)
