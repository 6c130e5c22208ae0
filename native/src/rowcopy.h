/*
 * Internal: the row copies and the N-d copy walk, written once and compiled per instruction set:
 * the copy walk by walk_baseline.c and walk_avx2.c (BA_DEFINE_WALK), the row copies also by the
 * gather walks (gather_baseline.c, gather_avx2.c, gather_avx512.c). Fixed-width copies: a row of
 * 4..64 bytes is copied with two overlapping constant-size copies, which the compiler turns into
 * plain loads and stores (measured ~40% faster than a runtime-length memcpy call).
 */
#ifndef BA_ROWCOPY_H
#define BA_ROWCOPY_H

#include <stdint.h>
#include <string.h>
#include "box.h"
#include "dispatch.h"

#define BA_INLINE static inline __attribute__((always_inline))

BA_INLINE void ba_copy_upto64(uint8_t *d, const uint8_t *s, int64_t n) {
    if (n >= 32) {
        memcpy(d, s, 32);
        memcpy(d + n - 32, s + n - 32, 32);
    } else if (n >= 16) {
        memcpy(d, s, 16);
        memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n >= 2) {
        memcpy(d, s, 2);
        memcpy(d + n - 2, s + n - 2, 2);
    } else if (n == 1) {
        d[0] = s[0];
    }
}

/* Copy of one element of any size. */
BA_INLINE void ba_copy_elem(uint8_t *d, const uint8_t *s, int64_t e) {
    switch (e) {
    case 1: d[0] = s[0]; break;
    case 2: memcpy(d, s, 2); break;
    case 4: memcpy(d, s, 4); break;
    case 8: memcpy(d, s, 8); break;
    default:
        if (e <= 64) ba_copy_upto64(d, s, e);
        else memcpy(d, s, (size_t)e);
    }
}

/* One row of n0 elements from s to d; `big_row` copies a long contiguous row (memcpy or non-temporal). */
#define BA_ROW(d, s, BIG_ROW)                                                                \
    do {                                                                                     \
        if (contiguous) {                                                                    \
            if (row <= 64) ba_copy_upto64(d, s, row);                                        \
            else BIG_ROW(d, s, row, nt);                                                     \
        } else {                                                                             \
            switch (e) {                                                                     \
            case 1: for (int64_t i = 0; i < n0; i++) (d)[i * ds0] = (s)[i * ss0]; break;     \
            case 2: for (int64_t i = 0; i < n0; i++) memcpy((d) + i * ds0, (s) + i * ss0, 2); break; \
            case 4: for (int64_t i = 0; i < n0; i++) memcpy((d) + i * ds0, (s) + i * ss0, 4); break; \
            case 8: for (int64_t i = 0; i < n0; i++) memcpy((d) + i * ds0, (s) + i * ss0, 8); break; \
            default: for (int64_t i = 0; i < n0; i++) ba_copy_elem((d) + i * ds0, (s) + i * ss0, e); \
            }                                                                                \
        }                                                                                    \
    } while (0)

/*
 * The N-d walk in destination raster order: a tight loop over the planes' rows (dims 0 and 1),
 * then an odometer over dims 2 and up.
 */
#define BA_DEFINE_WALK(NAME, BIG_ROW)                                                         \
    void NAME(const ba_box *b, const uint8_t *s, uint8_t *d, int64_t e, int nt) {            \
        const int r = b->rank;                                                               \
        const int64_t n0 = b->shape[0], ss0 = b->a_strides[0], ds0 = b->b_strides[0];       \
        const int64_t n1 = r > 1 ? b->shape[1] : 1;                                          \
        const int64_t ss1 = r > 1 ? b->a_strides[1] : 0, ds1 = r > 1 ? b->b_strides[1] : 0; \
        const int contiguous = ss0 == e && ds0 == e;                                         \
        const int64_t row = n0 * e;                                                          \
        int64_t idx[BA_MAX_RANK] = {0};                                                      \
        for (;;) {                                                                           \
            const uint8_t *s1 = s;                                                           \
            uint8_t *d1 = d;                                                                 \
            for (int64_t j = 0; j < n1; j++, s1 += ss1, d1 += ds1) BA_ROW(d1, s1, BIG_ROW); \
            int k = 2;                                                                       \
            for (; k < r; k++) {                                                             \
                s += b->a_strides[k];                                                        \
                d += b->b_strides[k];                                                        \
                if (++idx[k] < b->shape[k]) break;                                           \
                s -= b->a_strides[k] * b->shape[k];                                          \
                d -= b->b_strides[k] * b->shape[k];                                          \
                idx[k] = 0;                                                                  \
            }                                                                                \
            if (k >= r) break;                                                               \
        }                                                                                    \
    }

#endif
