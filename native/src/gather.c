#include <stdlib.h>

#include "bigarrays.h"
#include "box.h"
#include "dispatch.h"

/* Outputs at least this large get non-temporal stores (they do not stay in cache anyway). */
#ifndef BA_GATHER_NT_MIN_DST_BYTES
#define BA_GATHER_NT_MIN_DST_BYTES (8LL << 20)
#endif
/* Sources whose row pieces fit on the stack; more take one malloc per call. */
#define BA_GATHER_STACK_PIECES 64

ba_result ba_gather(int32_t nsrc, const void *const *srcs, const int64_t *src_nbytes, const int64_t *src_offsets,
                    const int64_t *src_strides, const int64_t *extents,
                    void *dst, int64_t dst_nbytes, int64_t dst_offset, const int64_t *dst_strides,
                    const int64_t *shape, int32_t rank, int64_t elem_size) {
    if (nsrc < 0 || rank < 1 || rank > BA_MAX_RANK || shape == NULL) return BA_BAD_ARGUMENT;
    if (nsrc > 0 && (srcs == NULL || src_nbytes == NULL || src_offsets == NULL || src_strides == NULL || extents == NULL)) {
        return BA_BAD_ARGUMENT;
    }
    /* The extents tile dimension 0 of the slab exactly. */
    int64_t sum = 0;
    for (int32_t k = 0; k < nsrc; k++) {
        if (extents[k] < 0 || __builtin_add_overflow(sum, extents[k], &sum)) return BA_BAD_ARGUMENT;
    }
    if (sum != shape[0]) return BA_BAD_ARGUMENT;
    int empty_dst;
    ba_result rc = ba_check_box(dst, dst_nbytes, dst_offset, dst_strides, shape, rank, elem_size, &empty_dst);
    if (rc != BA_OK) return rc;
    /* Every source's box: its extent along dim 0, the slab's extents along the others. */
    int64_t piece_shape[BA_MAX_RANK];
    for (int32_t i = 0; i < rank; i++) piece_shape[i] = shape[i];
    for (int32_t k = 0; k < nsrc; k++) {
        piece_shape[0] = extents[k];
        int empty;
        rc = ba_check_box(srcs[k], src_nbytes[k], src_offsets[k], src_strides + (int64_t)k * rank, piece_shape, rank,
                          elem_size, &empty);
        if (rc != BA_OK) return rc;
    }
    if (empty_dst) return BA_OK;
    ba_piece stack_pieces[BA_GATHER_STACK_PIECES];
    ba_piece *pieces = stack_pieces;
    if (nsrc > BA_GATHER_STACK_PIECES) {
        pieces = malloc((size_t)nsrc * sizeof *pieces);
        if (pieces == NULL) return BA_NO_MEMORY;
    }
    ba_gather_args g = {
        .rank = rank, .nsrc = nsrc, .e = elem_size, .shape = shape, .srcs = srcs, .src_offsets = src_offsets,
        .src_strides = src_strides, .extents = extents, .dst = (uint8_t *)dst + dst_offset, .dst_strides = dst_strides,
    };
    ba_gather_walk(&g, pieces, dst_nbytes >= BA_GATHER_NT_MIN_DST_BYTES);
    if (pieces != stack_pieces) free(pieces);
    return BA_OK;
}
