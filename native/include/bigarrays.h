/*
 * libbigarrays: copy kernels for chunked N-d arrays (gather, scatter, fill).
 *
 * Conventions shared by every kernel:
 *  - shapes are in elements, offsets and strides in bytes, dimension 0 fastest;
 *  - every buffer comes with its size in bytes, and a kernel checks that the whole box lies
 *    inside each buffer before it touches memory: a bad call returns an error, never writes;
 *  - element sizes are any positive byte count (1, 2, 4, 8, or N for N-channel elements).
 */
#ifndef BIGARRAYS_H
#define BIGARRAYS_H

#include <stdint.h>

#if defined(BIGARRAYS_BUILDING)
#  define BA_API __attribute__((visibility("default")))
#else
#  define BA_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bump BA_VERSION whenever a signature or a result code changes; Java checks it on load. */
#define BA_VERSION 1
#define BA_MAX_RANK 8

typedef enum ba_result {
    BA_OK = 0,
    BA_OUT_OF_BOUNDS = 1, /* the box does not lie inside a buffer */
    BA_BAD_ARGUMENT = 2,  /* null pointer, rank, negative size/stride/offset, overflow */
} ba_result;

/* The ABI version of this library (BA_VERSION at build time). */
BA_API int32_t ba_version(void);

/* Which copy path the CPU gets: "avx2" or "baseline". */
BA_API const char *ba_simd_path(void);

/*
 * Copy the box `shape` (rank dims) from src to dst. Element (i0..ir-1) is read at
 * src + src_offset + sum(i_k * src_strides[k]) and written at the same formula for dst.
 * The two boxes must not overlap. Returns a ba_result.
 */
BA_API int32_t ba_copy(const void *src, int64_t src_nbytes, int64_t src_offset, const int64_t *src_strides,
                       void *dst, int64_t dst_nbytes, int64_t dst_offset, const int64_t *dst_strides,
                       const int64_t *shape, int32_t rank, int64_t elem_size);

/*
 * Set every element of the box to `pattern`: its low min(elem_size, 8) bytes little-endian,
 * then zero bytes for elements wider than 8 bytes. Returns a ba_result.
 */
BA_API int32_t ba_fill(void *dst, int64_t dst_nbytes, int64_t dst_offset, const int64_t *dst_strides,
                       const int64_t *shape, int32_t rank, int64_t elem_size, uint64_t pattern);

#ifdef __cplusplus
}
#endif
#endif
