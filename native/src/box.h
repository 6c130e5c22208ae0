/* Internal: argument checks and dimension coalescing shared by the kernels. */
#ifndef BA_BOX_H
#define BA_BOX_H

#include <stdint.h>
#include "bigarrays.h"

/* A box after coalescing: rank >= 1, dimension 0 fastest, up to two stride sets. */
typedef struct ba_box {
    int rank;
    int64_t shape[BA_MAX_RANK];
    int64_t a_strides[BA_MAX_RANK];
    int64_t b_strides[BA_MAX_RANK];
} ba_box;

/*
 * Check that the box lies inside a buffer of nbytes. Sets *empty when some extent is 0 (the
 * call then touches nothing). Returns BA_OK, BA_OUT_OF_BOUNDS or BA_BAD_ARGUMENT.
 */
ba_result ba_check_box(const void *ptr, int64_t nbytes, int64_t offset, const int64_t *strides,
                 const int64_t *shape, int32_t rank, int64_t elem_size, int *empty);

/* Merge dims contiguous in both stride sets and drop extent-1 dims. */
void ba_coalesce(const int64_t *shape, const int64_t *a, const int64_t *b, int32_t rank, ba_box *out);

#endif
