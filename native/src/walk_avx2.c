/*
 * The copy walk compiled for AVX2 (only called when the CPU has it, see dispatch.c). Long rows
 * into a large destination use non-temporal stores for the whole 64-byte lines they cover: the
 * output of a big cutout does not fit in cache, and streaming stores skip the read-for-ownership.
 */
#include "dispatch.h"
#include "rowcopy.h"

#if BA_X86 /* the whole file: on other CPUs only the baseline walk exists */
#include <immintrin.h>

#pragma GCC target("avx2")

BA_INLINE void big_row_avx2(uint8_t *d, const uint8_t *s, int64_t n, int nt) {
    if (!nt || n < 256) {
        memcpy(d, s, (size_t)n);
        return;
    }
    int64_t head = (int64_t)((64 - ((uintptr_t)d & 63)) & 63);
    ba_copy_upto64(d, s, head);
    d += head;
    s += head;
    n -= head;
    while (n >= 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)s);
        __m256i b = _mm256_loadu_si256((const __m256i *)(s + 32));
        _mm256_stream_si256((__m256i *)d, a);
        _mm256_stream_si256((__m256i *)(d + 32), b);
        d += 64;
        s += 64;
        n -= 64;
    }
    ba_copy_upto64(d, s, n);
}

BA_DEFINE_WALK(ba_walk_avx2, big_row_avx2)
#else
typedef int ba_no_avx2_walk; /* ISO C forbids an empty translation unit */
#endif
