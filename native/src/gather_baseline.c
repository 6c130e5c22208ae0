/* The gather walk for any CPU: on x86-64 SSE2 (non-temporal 16-byte stores), elsewhere memcpy. */
#include "dispatch.h"
#if BA_X86
#include <emmintrin.h>
#endif
#include "rowcopy.h"

BA_INLINE void span_baseline(uint8_t *d, const uint8_t *s, int64_t n) {
    if (n <= 64) ba_copy_upto64(d, s, n);
    else memcpy(d, s, (size_t)n);
}

BA_INLINE void line_nt_baseline(uint8_t *d, const uint8_t *s) {
#if BA_X86
    for (int i = 0; i < 64; i += 16) _mm_stream_si128((__m128i *)(void *)(d + i), _mm_loadu_si128((const __m128i *)(const void *)(s + i)));
#else
    memcpy(d, s, 64);
#endif
}

#define BA_GATHER_NAME ba_gather_walk_baseline
#define BA_SPAN(d, s, n) span_baseline((d), (s), (n))
#define BA_LINE_NT(d, s) line_nt_baseline((d), (s))
#include "gather_walk.h"
