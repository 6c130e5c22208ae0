/* The gather walk compiled for AVX2 (only called when the CPU has it, see dispatch.c). */
#include "dispatch.h"

#if BA_X86 /* the whole file: on other CPUs only the baseline walk exists */
#include <immintrin.h>
#include "rowcopy.h"

#pragma GCC target("avx2")

BA_INLINE void span_avx2(uint8_t *d, const uint8_t *s, int64_t n) {
    if (n <= 64) ba_copy_upto64(d, s, n);
    else memcpy(d, s, (size_t)n);
}

BA_INLINE void line_nt_avx2(uint8_t *d, const uint8_t *s) {
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)s);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(s + 32));
    _mm256_stream_si256((__m256i *)(void *)d, a);
    _mm256_stream_si256((__m256i *)(void *)(d + 32), b);
}

#define BA_GATHER_NAME ba_gather_walk_avx2
#define BA_SPAN(d, s, n) span_avx2((d), (s), (n))
#define BA_LINE_NT(d, s) line_nt_avx2((d), (s))
#include "gather_walk.h"
#else
typedef int ba_no_avx2_gather; /* ISO C forbids an empty translation unit */
#endif
