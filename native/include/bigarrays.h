/*
 * libbigarrays: copy kernels for chunked N-d arrays (gather, scatter, fill) and the
 * compressed_segmentation codec.
 *
 * Conventions shared by every kernel:
 *  - shapes are in elements, offsets and strides in bytes, dimension 0 fastest;
 *  - every buffer comes with its size in bytes, and a kernel checks that the whole box lies
 *    inside each buffer before it touches memory: a bad call returns an error, never writes;
 *  - element sizes are any positive byte count (1, 2, 4, 8, or N for N-channel elements);
 *  - sizes are 64-bit (int64_t) everywhere; encoders write into a caller's buffer sized by their
 *    bound function and never allocate the output;
 *  - every function returns a ba_result (except the version/info queries).
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
#define BA_VERSION 2
#define BA_MAX_RANK 8

typedef enum ba_result {
    BA_OK = 0,
    BA_OUT_OF_BOUNDS = 1, /* the box does not lie inside a buffer */
    BA_BAD_ARGUMENT = 2,  /* null pointer, rank, negative size/stride/offset, overflow */
    BA_CORRUPT_INPUT = 3, /* encoded bytes are malformed (a decoder never reads or writes out of bounds then) */
    BA_INSUFFICIENT_SPACE = 4, /* the output buffer is too small (an encoder: smaller than its bound) */
    BA_NO_MEMORY = 5,     /* scratch memory could not be allocated */
    BA_TOO_LARGE = 6,     /* the input cannot be represented in the format (e.g. an offset past 24 bits) */
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

/*
 * Neuroglancer compressed_segmentation (uint32 or uint64 labels; words_per_value 1 or 2).
 * The chunk is shape[0..2] x channels values, x fastest, channel slowest; block is the
 * compressed_segmentation_block_size. Byte-exact with Neuroglancer's and TensorStore's encoders.
 */

/* Decode a chunk (one uint32 offset word per channel, then the channels) into out.
 * Malformed input (also words after the last one any block uses) gives BA_CORRUPT_INPUT and touches nothing outside in and out. */
BA_API int32_t ba_cseg_decode(const void *in, int64_t in_nbytes, const int64_t *shape, int32_t channels,
                              const int32_t *block, int32_t words_per_value, void *out, int64_t out_nbytes);

/* The most bytes ba_cseg_encode can write for this chunk geometry, or -1 on bad arguments. */
BA_API int64_t ba_cseg_encode_bound(const int64_t *shape, int32_t channels, const int32_t *block, int32_t words_per_value);

/* Encode in (in_nbytes = shape product x channels x 4 x words_per_value) into out; the bytes
 * written go to *out_written. BA_TOO_LARGE when a table offset does not fit in 24 bits. */
BA_API int32_t ba_cseg_encode(const void *in, int64_t in_nbytes, const int64_t *shape, int32_t channels,
                              const int32_t *block, int32_t words_per_value, void *out, int64_t out_nbytes,
                              int64_t *out_written);

#ifdef __cplusplus
}
#endif
#endif
