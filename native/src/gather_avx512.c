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
    if (n <= 64) {
        ba_copy_upto64(d, s, n); /* not a masked store: measured ~2x slower on AMD Zen 4 */
        return;
    }
    if (n > 512) { /* long spans: the library's memcpy (rep movsb on such CPUs) is as good */
        memcpy(d, s, (size_t)n);
        return;
    }
    /*
     * 65..512 bytes: whole lines, then the last line overlapping. Written with a line count the
     * compiler cannot turn into a memcpy call: GCC made the plain loop a `rep movsq`, whose
     * start-up cost a 64-byte piece pays every time (measured: the gather of 64³ uint8 chunks
     * spent a third of its time there).
     */
    const __m512i last = _mm512_loadu_si512((const void *)(s + n - 64));
    const int64_t lines = (n - 1) >> 6;
    for (int64_t i = 0; i < lines; i++) {
        __m512i v = _mm512_loadu_si512((const void *)(s + 64 * i));
        __asm__("" : "+v"(v)); /* keeps the loop a vector loop */
        _mm512_storeu_si512((void *)(d + 64 * i), v);
    }
    _mm512_storeu_si512((void *)(d + n - 64), last);
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
