#include <string.h>

#include "bigarrays.h"
#include "box.h"

/* Write one element: the pattern's low bytes little-endian, zeros beyond 8 bytes. */
static inline void put_elem(uint8_t *d, const uint8_t pat[8], int64_t e) {
    if (e <= 8) {
        memcpy(d, pat, (size_t)e);
    } else {
        memcpy(d, pat, 8);
        memset(d + 8, 0, (size_t)(e - 8));
    }
}

static int is_repeated_byte(const uint8_t pat[8], int64_t e) {
    for (int64_t i = 1; i < e; i++) {
        if ((i < 8 ? pat[i] : 0) != pat[0]) return 0;
    }
    return 1;
}

/* A contiguous row: first element, then double the filled prefix (period e divides it). */
static void fill_row(uint8_t *d, int64_t n, int64_t e, const uint8_t pat[8], int repeated) {
    int64_t total = n * e;
    if (repeated) {
        memset(d, pat[0], (size_t)total);
        return;
    }
    put_elem(d, pat, e);
    int64_t done = e;
    while (done < total) {
        int64_t chunk = done < total - done ? done : total - done;
        memcpy(d + done, d, (size_t)chunk);
        done += chunk;
    }
}

ba_result ba_fill(void *dst, int64_t dst_nbytes, int64_t dst_offset, const int64_t *dst_strides,
                  const int64_t *shape, int32_t rank, int64_t elem_size, uint64_t pattern) {
    int empty;
    ba_result rc = ba_check_box(dst, dst_nbytes, dst_offset, dst_strides, shape, rank, elem_size, &empty);
    if (rc != BA_OK || empty) return rc;
    uint8_t pat[8];
    for (int i = 0; i < 8; i++) pat[i] = (uint8_t)(pattern >> (8 * i));
    const int repeated = is_repeated_byte(pat, elem_size);
    ba_box b;
    ba_coalesce(shape, dst_strides, dst_strides, rank, &b);
    const int r = b.rank;
    const int64_t n0 = b.shape[0], ds0 = b.b_strides[0];
    uint8_t *d = (uint8_t *)dst + dst_offset;
    int64_t idx[BA_MAX_RANK] = {0};
    for (;;) {
        if (ds0 == elem_size) {
            fill_row(d, n0, elem_size, pat, repeated);
        } else {
            for (int64_t i = 0; i < n0; i++) put_elem(d + i * ds0, pat, elem_size);
        }
        int k = 1;
        for (; k < r; k++) {
            d += b.b_strides[k];
            if (++idx[k] < b.shape[k]) break;
            d -= b.b_strides[k] * b.shape[k];
            idx[k] = 0;
        }
        if (k >= r) break;
    }
    return BA_OK;
}
