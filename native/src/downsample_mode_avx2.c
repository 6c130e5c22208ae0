/* The mode of 64-bit labels over 2x2x1 / 2x2x2 blocks, compiled for AVX2 (only called when the CPU has it, see dispatch.c). */
#include "dispatch.h"
#include "downsample_mode.h"

#if BA_X86 /* the whole file: on other CPUs only the baseline row exists */
#include <immintrin.h>

#pragma GCC target("avx2,popcnt")

static inline __m256i load4(const uint8_t *p) { return _mm256_loadu_si256((const __m256i *)(const void *)p); }

static inline unsigned eq_mask(__m256i a, __m256i b) {
    return (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(a, b)));
}

/*
 * One mixed block: its keys are lanes of lo (row 0: x, x+1; row 1: x, x+1) and hi (rows 2, 3),
 * already XORed with flip. Distinct keys counted with one broadcast compare each, as
 * ba_mode_distinct does lane by lane.
 */
static inline uint64_t mode_block(__m256i lo, __m256i hi, int n) {
    uint64_t v[8];
    _mm256_storeu_si256((__m256i *)(void *)v, lo);
    _mm256_storeu_si256((__m256i *)(void *)(v + 4), hi);
    unsigned left = (1u << n) - 1;
    uint64_t best = v[0];
    int bc = 0;
    while (left) {
        int i = __builtin_ctz(left);
        __m256i b = _mm256_set1_epi64x((long long)v[i]);
        unsigned eq = (eq_mask(lo, b) | (eq_mask(hi, b) << 4)) & ((1u << n) - 1);
        int c = __builtin_popcount(eq);
        if (c > bc || (c == bc && v[i] < best)) { best = v[i]; bc = c; }
        left &= ~eq;
        if (__builtin_popcount(left) < bc) break;
    }
    return best;
}

/* Block j's keys (x = its first element) as two vectors: rows 0-1 and rows 2-3 (zero lanes when nrows is 2). */
static inline void block_keys(const uint8_t *const rows[4], int nrows, int64_t x, __m256i flip, __m256i *lo, __m256i *hi) {
    __m128i r0 = _mm_loadu_si128((const __m128i *)(const void *)(rows[0] + x * 8));
    __m128i r1 = _mm_loadu_si128((const __m128i *)(const void *)(rows[1] + x * 8));
    *lo = _mm256_xor_si256(_mm256_set_m128i(r1, r0), flip);
    if (nrows == 4) {
        __m128i r2 = _mm_loadu_si128((const __m128i *)(const void *)(rows[2] + x * 8));
        __m128i r3 = _mm_loadu_si128((const __m128i *)(const void *)(rows[3] + x * 8));
        *hi = _mm256_xor_si256(_mm256_set_m128i(r3, r2), flip);
    } else {
        *hi = _mm256_setzero_si256();
    }
}

void ba_mode64_row_avx2(const uint8_t *const rows[4], int nrows, int64_t x0, uint8_t *out, int64_t count, uint64_t flip) {
    const __m256i vflip = _mm256_set1_epi64x((long long)flip);
    const int n = 2 * nrows;
    int64_t j = 0;
    /* Two outputs (four elements of each row, one 32-byte load) at a time: each lane compared
     * with its block's first element of row 0; where both blocks are one label (most of a
     * segmentation), the two labels are stored as they are. */
    for (; j + 2 <= count; j += 2) {
        const int64_t x = x0 + 2 * j;
        __m256i a = load4(rows[0] + x * 8);
        __m256i first = _mm256_permute4x64_epi64(a, 0xA0); /* lanes a0 a0 a2 a2 */
        __m256i eq = _mm256_cmpeq_epi64(a, first);
        for (int r = 1; r < nrows; r++) eq = _mm256_and_si256(eq, _mm256_cmpeq_epi64(load4(rows[r] + x * 8), first));
        unsigned m = (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(eq));
        if (m == 0xF) {
            _mm_storeu_si128((__m128i *)(void *)(out + j * 8), _mm256_castsi256_si128(_mm256_permute4x64_epi64(a, 0x08)));
            continue;
        }
        for (int k = 0; k < 2; k++) {
            uint64_t label;
            if (((m >> (2 * k)) & 3u) == 3u) {
                memcpy(&label, rows[0] + (x + 2 * k) * 8, 8);
            } else {
                __m256i lo, hi;
                block_keys(rows, nrows, x + 2 * k, vflip, &lo, &hi);
                label = mode_block(lo, hi, n) ^ flip;
            }
            memcpy(out + (j + k) * 8, &label, 8);
        }
    }
    for (; j < count; j++) {
        __m256i lo, hi;
        block_keys(rows, nrows, x0 + 2 * j, vflip, &lo, &hi);
        uint64_t label = mode_block(lo, hi, n) ^ flip;
        memcpy(out + j * 8, &label, 8);
    }
}
#else
typedef int ba_no_avx2_mode; /* ISO C forbids an empty translation unit */
#endif
