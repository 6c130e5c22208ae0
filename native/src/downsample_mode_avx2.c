/* The mode of 64-bit labels over 2x2x1 / 2x2x2 blocks, compiled for AVX2 (only called when the CPU has it, see dispatch.c). */
#include "dispatch.h"
#include "downsample_mode.h"

#if BA_X86 /* the whole file: on other CPUs only the baseline row exists */
#include <immintrin.h>

#pragma GCC target("avx2")

static inline __m256i load4(const uint8_t *p) { return _mm256_loadu_si256((const __m256i *)(const void *)p); }

/* Lanes rotated by one, two, three places. */
#define ROT1(v) _mm256_permute4x64_epi64((v), 0x39)
#define ROT2(v) _mm256_permute4x64_epi64((v), 0x4E)
#define ROT3(v) _mm256_permute4x64_epi64((v), 0x93)

/* The lane-wise unsigned minimum (AVX2 has no unsigned 64-bit compare: flip the sign bits). */
static inline __m256i min_u64(__m256i a, __m256i b) {
    const __m256i sign = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    __m256i a_gt_b = _mm256_cmpgt_epi64(_mm256_xor_si256(a, sign), _mm256_xor_si256(b, sign));
    return _mm256_blendv_epi8(a, b, a_gt_b);
}

/*
 * Mode of one mixed block as the scalar count matrix gives it: keys in lo (row 0: x, x+1; row 1:
 * x, x+1) and, for 2x2x2, hi (rows 2, 3). Each lane's count of equal lanes comes from compares
 * against the rotations of both vectors (cmpeq gives -1 per match); the lanes with the highest
 * count are kept, the others set to all ones, and the unsigned minimum of what is left is the
 * lowest of the most frequent keys. Branch-free.
 */
static inline uint64_t mode_block(__m256i lo, __m256i hi, int eight) {
    const __m256i ones = _mm256_set1_epi64x(-1);
    __m256i lo1 = ROT1(lo), lo2 = ROT2(lo), lo3 = ROT3(lo);
    __m256i clo = _mm256_add_epi64(_mm256_add_epi64(_mm256_cmpeq_epi64(lo, lo1), _mm256_cmpeq_epi64(lo, lo2)), _mm256_cmpeq_epi64(lo, lo3));
    __m256i best;
    if (eight) {
        __m256i hi1 = ROT1(hi), hi2 = ROT2(hi), hi3 = ROT3(hi);
        __m256i chi = _mm256_add_epi64(_mm256_add_epi64(_mm256_cmpeq_epi64(hi, hi1), _mm256_cmpeq_epi64(hi, hi2)), _mm256_cmpeq_epi64(hi, hi3));
        /* Across the halves: lane i of lo against every lane of hi, and the same compares seen from hi. */
        __m256i x0 = _mm256_cmpeq_epi64(lo, hi), x1 = _mm256_cmpeq_epi64(lo, hi1), x2 = _mm256_cmpeq_epi64(lo, hi2), x3 = _mm256_cmpeq_epi64(lo, hi3);
        clo = _mm256_add_epi64(clo, _mm256_add_epi64(_mm256_add_epi64(x0, x1), _mm256_add_epi64(x2, x3)));
        /* lo[i] == hi[i+k] is hi[j] == lo[j-k]: rotate the lo-side results back by k. */
        chi = _mm256_add_epi64(chi, _mm256_add_epi64(_mm256_add_epi64(x0, ROT3(x1)), _mm256_add_epi64(ROT2(x2), ROT1(x3))));
        /* Counts are negated (-(matches)); the most frequent has the lowest: its lanes survive. */
        __m256i m = _mm256_min_epi32(clo, chi); /* counts fit 32 bits: -7..0, high words 0 or -1 alike */
        m = _mm256_min_epi32(m, ROT1(m));
        m = _mm256_min_epi32(m, ROT2(m));
        __m256i klo = _mm256_or_si256(lo, _mm256_xor_si256(_mm256_cmpeq_epi64(clo, m), ones));
        __m256i khi = _mm256_or_si256(hi, _mm256_xor_si256(_mm256_cmpeq_epi64(chi, m), ones));
        best = min_u64(klo, khi);
    } else {
        __m256i m = _mm256_min_epi32(clo, ROT1(clo));
        m = _mm256_min_epi32(m, ROT2(m));
        best = _mm256_or_si256(lo, _mm256_xor_si256(_mm256_cmpeq_epi64(clo, m), ones));
    }
    best = min_u64(best, ROT1(best));
    best = min_u64(best, ROT2(best));
    return (uint64_t)_mm256_extract_epi64(best, 0);
}

/* Block keys (x = its first element) as two vectors: rows 0-1 and rows 2-3 (hi unused when nrows is 2). */
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

static inline uint64_t mixed(const uint8_t *const rows[4], int nrows, int64_t x, __m256i vflip, uint64_t flip) {
    __m256i lo, hi;
    block_keys(rows, nrows, x, vflip, &lo, &hi);
    return mode_block(lo, hi, nrows == 4) ^ flip;
}

void ba_mode64_row_avx2(const uint8_t *const rows[4], int nrows, int64_t x0, uint8_t *out, int64_t count, uint64_t flip) {
    const __m256i vflip = _mm256_set1_epi64x((long long)flip);
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
            if (((m >> (2 * k)) & 3u) == 3u) memcpy(&label, rows[0] + (x + 2 * k) * 8, 8);
            else label = mixed(rows, nrows, x + 2 * k, vflip, flip);
            memcpy(out + (j + k) * 8, &label, 8);
        }
    }
    for (; j < count; j++) {
        uint64_t label = mixed(rows, nrows, x0 + 2 * j, vflip, flip);
        memcpy(out + j * 8, &label, 8);
    }
}
#else
typedef int ba_no_avx2_mode; /* ISO C forbids an empty translation unit */
#endif
