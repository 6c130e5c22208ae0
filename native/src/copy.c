#include "bigarrays.h"
#include "box.h"
#include "dispatch.h"

/* Destinations at least this large get non-temporal stores for long rows (beyond cache). */
#define BA_NT_MIN_DST_BYTES (8LL << 20)

ba_result ba_copy(const void *src, int64_t src_nbytes, int64_t src_offset, const int64_t *src_strides,
                  void *dst, int64_t dst_nbytes, int64_t dst_offset, const int64_t *dst_strides,
                  const int64_t *shape, int32_t rank, int64_t elem_size) {
    int empty_src, empty_dst;
    ba_result rc = ba_check_box(src, src_nbytes, src_offset, src_strides, shape, rank, elem_size, &empty_src);
    if (rc != BA_OK) return rc;
    rc = ba_check_box(dst, dst_nbytes, dst_offset, dst_strides, shape, rank, elem_size, &empty_dst);
    if (rc != BA_OK) return rc;
    if (empty_src) return BA_OK;
    ba_box b;
    ba_coalesce(shape, src_strides, dst_strides, rank, &b);
    ba_walk(&b, (const uint8_t *)src + src_offset, (uint8_t *)dst + dst_offset, elem_size,
            dst_nbytes >= BA_NT_MIN_DST_BYTES);
    return BA_OK;
}
