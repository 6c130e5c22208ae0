/*
 * The gather walk compiled for AVX-512 (F + BW; only called when the CPU has both, see
 * dispatch.c): a whole line is one 64-byte load and one 64-byte (streaming) store. Pieces
 * shorter than a line use two overlapping copies, not a masked load and store: masked stores
 * measured ~2x slower on AMD Zen 4.
 */
#include "dispatch.h"

#if BA_X86 /* the whole file: on other CPUs only the baseline walk exists */
#include <immintrin.h>
#include "rowcopy.h"

#pragma GCC target("avx512f,avx512bw")

BA_INLINE void span_avx512(uint8_t *d, const uint8_t *s, int64_t n) {
    if (n > 512) { /* long spans: the library's memcpy (rep movsb on such CPUs) is as good */
        memcpy(d, s, (size_t)n);
        return;
    }
    while (n >= 64) {
        _mm512_storeu_si512((void *)d, _mm512_loadu_si512((const void *)s));
        d += 64;
        s += 64;
        n -= 64;
    }
    ba_copy_upto64(d, s, n); /* not a masked store: measured ~2x slower on AMD Zen 4 */
}

BA_INLINE void line_nt_avx512(uint8_t *d, const uint8_t *s) {
    _mm512_stream_si512((void *)d, _mm512_loadu_si512((const void *)s));
}

#define BA_GATHER_NAME ba_gather_walk_avx512
#define BA_SPAN(d, s, n) span_avx512((d), (s), (n))
#define BA_LINE_NT(d, s) line_nt_avx512((d), (s))
#include "gather_walk.h"
#else
typedef int ba_no_avx512_gather; /* ISO C forbids an empty translation unit */
#endif
