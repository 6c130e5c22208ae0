/* Internal: the gather of one output slab from sources side by side along dimension 0. */
#ifndef BA_GATHER_H
#define BA_GATHER_H

#include <stdint.h>
#include "bigarrays.h"

/* A checked ba_gather call: dst already points at the slab's first element. */
typedef struct ba_gather_args {
    int rank;
    int64_t nsrc;
    int64_t e;
    const int64_t *shape;        /* shape[0] is the sum of the extents */
    const void *const *srcs;
    const int64_t *src_offsets;
    const int64_t *src_strides;  /* nsrc x rank */
    const int64_t *extents;
    uint8_t *dst;
    const int64_t *dst_strides;
} ba_gather_args;

/* One source's part of an output row: bytes s[0..n) go to the row at its turn. */
typedef struct ba_piece {
    const uint8_t *s;
    int64_t n;
} ba_piece;

#endif
