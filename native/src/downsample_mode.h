/*
 * Internal: the mode of 64-bit labels over whole 2x2x1 / 2x2x2 blocks of one output row, the
 * hot path of segmentation pyramids. One implementation per instruction set, chosen once
 * (dispatch.h); every one gives the same bits. Keys are the labels XOR `flip` (the sign bit for
 * signed labels), so unsigned key order is the labels' numeric order and ties go to the lowest.
 */
#ifndef BA_DOWNSAMPLE_MODE_H
#define BA_DOWNSAMPLE_MODE_H

#include <stdint.h>
#include <string.h>

/*
 * rows[0..nrows) (nrows 2 or 4) are the block's input rows; output j reduces elements
 * [x0 + 2j, x0 + 2j + 2) of each row and goes to out + 8j. The caller guarantees that
 * elements [x0, x0 + 2*count) of every row exist: no implementation reads outside them.
 */
typedef void (*ba_mode64_row_fn)(const uint8_t *const rows[4], int nrows, int64_t x0, uint8_t *out, int64_t count, uint64_t flip);

void ba_mode64_row_baseline(const uint8_t *const rows[4], int nrows, int64_t x0, uint8_t *out, int64_t count, uint64_t flip);
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
void ba_mode64_row_avx2(const uint8_t *const rows[4], int nrows, int64_t x0, uint8_t *out, int64_t count, uint64_t flip);
#endif

/*
 * Mode of exactly N keys (4 or 8), fully unrolled: an all-equal check first (most blocks of a
 * segmentation), then each pair compared once (the equality matrix is symmetric), counts and the
 * choice branch-free. The AVX2 row computes the same counts with vector compares.
 */
#define BA_MODE_N(NAME, N)                                                              \
    static inline uint64_t NAME(const uint64_t *v) {                                  \
        uint64_t diff = 0;                                                            \
        for (int i = 1; i < N; i++) diff |= v[i] ^ v[0];                              \
        if (!diff) return v[0];                                                       \
        int c[N];                                                                     \
        for (int i = 0; i < N; i++) c[i] = 1;                                         \
        for (int i = 0; i < N; i++) {                                                 \
            for (int j = i + 1; j < N; j++) {                                         \
                int e = v[i] == v[j];                                                 \
                c[i] += e;                                                            \
                c[j] += e;                                                            \
            }                                                                         \
        }                                                                             \
        uint64_t best = v[0];                                                         \
        int bc = c[0];                                                                \
        for (int i = 1; i < N; i++) {                                                 \
            int better = (c[i] > bc) | ((c[i] == bc) & (v[i] < best));                \
            uint64_t mask = (uint64_t)0 - (uint64_t)better;                           \
            best = (v[i] & mask) | (best & ~mask);                                    \
            bc = better ? c[i] : bc;                                                  \
        }                                                                             \
        return best;                                                                  \
    }
BA_MODE_N(ba_mode4, 4)
BA_MODE_N(ba_mode8, 8)

static inline uint64_t ba_mode_keys(const uint64_t *v, int n) {
    return n == 8 ? ba_mode8(v) : ba_mode4(v);
}

#endif
