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
 * Mode of n (<= 8) keys, ties to the lowest: one pass per distinct key (each counted against
 * all n at once), stopping as soon as the keys not yet counted are too few to win. Mixed blocks
 * of a segmentation hold two or three labels, so this is two or three passes.
 */
static inline uint64_t ba_mode_distinct(const uint64_t *v, int n) {
    unsigned left = (1u << n) - 1;
    uint64_t best = v[0];
    int bc = 0;
    while (left) {
        int i = __builtin_ctz(left);
        unsigned eq = 0;
        for (int k = 0; k < n; k++) eq |= (unsigned)(v[k] == v[i]) << k;
        int c = __builtin_popcount(eq);
        if (c > bc || (c == bc && v[i] < best)) { best = v[i]; bc = c; }
        left &= ~eq;
        if (__builtin_popcount(left) < bc) break; /* the rest cannot reach bc */
    }
    return best;
}

#endif
