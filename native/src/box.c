#include "box.h"

#include <stddef.h>

ba_result ba_check_box(const void *ptr, int64_t nbytes, int64_t offset, const int64_t *strides,
                 const int64_t *shape, int32_t rank, int64_t elem_size, int *empty) {
    *empty = 0;
    if (rank < 1 || rank > BA_MAX_RANK || shape == NULL || strides == NULL) return BA_BAD_ARGUMENT;
    if (elem_size <= 0 || offset < 0 || nbytes < 0) return BA_BAD_ARGUMENT;
    int64_t last = offset;
    for (int32_t i = 0; i < rank; i++) {
        if (shape[i] < 0 || strides[i] < 0) return BA_BAD_ARGUMENT;
        if (shape[i] == 0) *empty = 1;
    }
    if (*empty) return BA_OK;
    if (ptr == NULL) return BA_BAD_ARGUMENT;
    for (int32_t i = 0; i < rank; i++) {
        int64_t span;
        if (__builtin_mul_overflow(shape[i] - 1, strides[i], &span)) return BA_BAD_ARGUMENT;
        if (__builtin_add_overflow(last, span, &last)) return BA_BAD_ARGUMENT;
    }
    int64_t end;
    if (__builtin_add_overflow(last, elem_size, &end)) return BA_BAD_ARGUMENT;
    return end <= nbytes ? BA_OK : BA_OUT_OF_BOUNDS;
}

void ba_coalesce(const int64_t *shape, const int64_t *a, const int64_t *b, int32_t rank, ba_box *out) {
    int r = 0;
    for (int32_t i = 0; i < rank; i++) {
        if (shape[i] == 1) continue;
        if (r > 0 && out->a_strides[r - 1] * out->shape[r - 1] == a[i]
                  && out->b_strides[r - 1] * out->shape[r - 1] == b[i]) {
            out->shape[r - 1] *= shape[i];
        } else {
            out->shape[r] = shape[i];
            out->a_strides[r] = a[i];
            out->b_strides[r] = b[i];
            r++;
        }
    }
    if (r == 0) {
        out->shape[0] = 1;
        out->a_strides[0] = 0;
        out->b_strides[0] = 0;
        r = 1;
    }
    out->rank = r;
}
