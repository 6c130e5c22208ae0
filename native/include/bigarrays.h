/*
 * libbigarrays: copy kernels for chunked N-d arrays (gather, scatter, fill) and the
 * compressed_segmentation, compresso and png codecs.
 *
 * Conventions shared by every kernel:
 *  - shapes are in elements, offsets and strides in bytes, dimension 0 fastest;
 *  - every buffer comes with its size in bytes, and a kernel checks that the whole box lies
 *    inside each buffer before it touches memory: a bad call returns an error, never writes;
 *  - element sizes are any positive byte count (1, 2, 4, 8, or N for N-channel elements);
 *  - sizes are 64-bit (int64_t) everywhere; encoders write into a caller's buffer sized by their
 *    bound function and never allocate the output;
 *  - every function returns a ba_result (except the version/path queries); bounds and sizes come
 *    back through out-parameters;
 *  - every function states its thread safety; none keeps state between calls except the CPU
 *    probe, which runs once (see dispatch.c).
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
#define BA_VERSION 5
#define BA_MAX_RANK 8

/* What every function returns (org.bigarrays.nativ.NativeResult mirrors it, value for value). */
typedef enum ba_result {
    BA_OK = 0,
    BA_OUT_OF_BOUNDS = 1, /* the box does not lie inside a buffer */
    BA_BAD_ARGUMENT = 2,  /* null pointer, rank, negative size/stride/offset, overflow */
    BA_CORRUPT_INPUT = 3, /* encoded bytes are malformed (a decoder never reads or writes out of bounds then) */
    BA_INSUFFICIENT_SPACE = 4, /* the output buffer is too small (an encoder: smaller than its bound) */
    BA_NO_MEMORY = 5,     /* scratch memory could not be allocated */
    BA_TOO_LARGE = 6,     /* the input cannot be represented in the format (e.g. an offset past 24 bits) */
} ba_result;

/* Element types of ba_downsample. */
typedef enum ba_dtype {
    BA_DT_U8 = 0, BA_DT_I8 = 1, BA_DT_U16 = 2, BA_DT_I16 = 3, BA_DT_U32 = 4, BA_DT_I32 = 5,
    BA_DT_U64 = 6, BA_DT_I64 = 7, BA_DT_F32 = 8, BA_DT_F64 = 9, BA_DT_BOOL = 10
} ba_dtype;

/* Methods of ba_downsample. */
typedef enum ba_ds_method { BA_DS_MEAN = 0, BA_DS_MODE = 1, BA_DS_MEDIAN = 2, BA_DS_MIN = 3, BA_DS_MAX = 4 } ba_ds_method;

/* The ABI version of this library (BA_VERSION at build time). Thread-safe. */
BA_API int32_t ba_version(void);

/* The same, as data: a loader can read it without linking a call (cheaper at start-up). */
BA_API extern const int32_t ba_abi_version;

/* Which copy walk the CPU gets: "avx2" or "baseline". Thread-safe (the first call of any kernel
 * probes the CPU once; BIGARRAYS_NO_AVX2=1 / BIGARRAYS_NO_AVX512=1 in the environment then force
 * the lower paths, for tests). */
BA_API const char *ba_simd_path(void);

/* Which gather walk the CPU gets: "avx512", "avx2" or "baseline". Thread-safe (as ba_simd_path). */
BA_API const char *ba_gather_path(void);

/*
 * Copy the box `shape` (rank dims) from src to dst. Element (i0..ir-1) is read at
 * src + src_offset + sum(i_k * src_strides[k]) and written at the same formula for dst.
 * The two boxes must not overlap.
 * Thread-safe: concurrent calls may share src, not a dst box.
 */
BA_API ba_result ba_copy(const void *src, int64_t src_nbytes, int64_t src_offset, const int64_t *src_strides,
                         void *dst, int64_t dst_nbytes, int64_t dst_offset, const int64_t *dst_strides,
                         const int64_t *shape, int32_t rank, int64_t elem_size);

/*
 * Gather one output slab from sources side by side along dimension 0 (a row of chunks): source
 * k supplies output elements [x_k, x_k + extents[k]) along dim 0, where x_0 = 0 and
 * x_{k+1} = x_k + extents[k] (the extents sum to shape[0]), and the whole slab along the other
 * dims. Its element (i0..ir-1), i0 counted from x_k, is read at srcs[k] + src_offsets[k] +
 * sum(i_j * src_strides[k * rank + j]) from a buffer of src_nbytes[k] bytes; output element
 * (x, i1..) is written at dst + dst_offset + x * dst_strides[0] + sum(i_j * dst_strides[j]).
 * Short pieces are copied in output raster order (each row from the sources in turn); long
 * pieces into a large dst_nbytes go source by source per plane with non-temporal stores. Every
 * source's box and the destination's are checked first.
 * Sources must not overlap the destination. BA_NO_MEMORY when more than 64 sources need scratch
 * that cannot be allocated.
 * Thread-safe: concurrent calls may share sources, not a dst box.
 */
BA_API ba_result ba_gather(int32_t nsrc, const void *const *srcs, const int64_t *src_nbytes, const int64_t *src_offsets,
                           const int64_t *src_strides, const int64_t *extents,
                           void *dst, int64_t dst_nbytes, int64_t dst_offset, const int64_t *dst_strides,
                           const int64_t *shape, int32_t rank, int64_t elem_size);

/*
 * Set every element of the box to `pattern`: its low min(elem_size, 8) bytes little-endian,
 * then zero bytes for elements wider than 8 bytes.
 * Thread-safe: concurrent calls must not share a dst box.
 */
BA_API ba_result ba_fill(void *dst, int64_t dst_nbytes, int64_t dst_offset, const int64_t *dst_strides,
                         const int64_t *shape, int32_t rank, int64_t elem_size, uint64_t pattern);

/*
 * Neuroglancer compressed_segmentation (uint32 or uint64 labels; words_per_value 1 or 2).
 * The chunk is shape[0..2] x channels values, x fastest, channel slowest; block is the
 * compressed_segmentation_block_size. Byte-exact with Neuroglancer's and TensorStore's encoders.
 */

/* Decode a chunk (one uint32 offset word per channel, then the channels) into out.
 * Malformed input (also words after the last one any block uses) gives BA_CORRUPT_INPUT and
 * touches nothing outside in and out; BA_INSUFFICIENT_SPACE when out is smaller than the chunk.
 * Thread-safe; allocates nothing. */
BA_API ba_result ba_cseg_decode(const void *in, int64_t in_nbytes, const int64_t *shape, int32_t channels,
                                const int32_t *block, int32_t words_per_value, void *out, int64_t out_nbytes);

/* Decode only the sub-box box_min .. box_min + box_shape (inside the chunk's shape) of every
 * channel straight into a strided destination: voxel (x, y, z) of channel c of the chunk is
 * written at dst + dst_offset + (x - box_min[0]) * dst_strides[0] + (y - box_min[1]) *
 * dst_strides[1] + (z - box_min[2]) * dst_strides[2] + c * dst_strides[3], once; only the blocks
 * that meet the box are read. The whole destination box is checked against dst_nbytes first
 * (BA_OUT_OF_BOUNDS, also for a box outside the chunk; BA_BAD_ARGUMENT for negative strides or
 * overflow). Malformed input in the blocks read gives BA_CORRUPT_INPUT and touches nothing
 * outside in and the destination box; trailing words are checked only when the box is the whole
 * chunk. Thread-safe; allocates nothing. */
BA_API ba_result ba_cseg_decode_box(const void *in, int64_t in_nbytes, const int64_t *shape, int32_t channels,
                                    const int32_t *block, int32_t words_per_value, const int64_t *box_min,
                                    const int64_t *box_shape, void *dst, int64_t dst_nbytes, int64_t dst_offset,
                                    const int64_t *dst_strides);

/* The most bytes ba_cseg_encode can write for this chunk geometry, into *bound (untouched
 * unless BA_OK; BA_BAD_ARGUMENT on a bad geometry or when the bound overflows). Thread-safe. */
BA_API ba_result ba_cseg_encode_bound(const int64_t *shape, int32_t channels, const int32_t *block, int32_t words_per_value,
                                      int64_t *bound);

/* Encode in (in_nbytes = shape product x channels x 4 x words_per_value) into out; the bytes
 * written go to *out_written. BA_TOO_LARGE when a table offset does not fit in 24 bits;
 * BA_INSUFFICIENT_SPACE (nothing written past out_nbytes) when out is too small.
 * Thread-safe; allocates scratch (BA_NO_MEMORY if that fails). */
BA_API ba_result ba_cseg_encode(const void *in, int64_t in_nbytes, const int64_t *shape, int32_t channels,
                                const int32_t *block, int32_t words_per_value, void *out, int64_t out_nbytes,
                                int64_t *out_written);

/*
 * compresso (seung-lab's segmentation codec, format versions 0 and 1, as CloudVolume writes it):
 * one channel of shape[0..2] labels (each extent 1..65535, fewer than 2^32 voxels), `width`
 * bytes each (1, 2, 4 or 8), x fastest. The C twin of org.bigarrays.codec.CompressoFormat.
 */

/* Decode in into out (shape product x width bytes; nothing past them is written). The header
 * must give this shape and width; malformed or inconsistent streams (runs not covering the
 * block grid, component count != ids, unused locations, a disagreeing z index...) give
 * BA_CORRUPT_INPUT and touch nothing outside in and out; BA_INSUFFICIENT_SPACE when out is
 * smaller than the chunk. Thread-safe; allocates scratch (about 13 bytes per voxel; BA_NO_MEMORY if
 * that fails). */
BA_API ba_result ba_cpso_decode(const void *in, int64_t in_nbytes, const int64_t *shape, int32_t width, void *out,
                                int64_t out_nbytes);

/* The most bytes ba_cpso_encode writes for this geometry, into *bound (untouched unless BA_OK;
 * BA_BAD_ARGUMENT on a bad geometry). Thread-safe. */
BA_API ba_result ba_cpso_encode_bound(const int64_t *shape, int32_t width, int64_t *bound);

/* Encode in (shape product x width bytes) as compresso.compress does by default (connectivity
 * 4, version 1, steps 4x4x1, or 8x8x1 when 16-bit run entries cannot index the distinct
 * windows): the same bytes. *out_written gets the size; BA_INSUFFICIENT_SPACE (nothing
 * written past out_nbytes) when out is smaller than that. Thread-safe; allocates scratch
 * (BA_NO_MEMORY if that fails). */
BA_API ba_result ba_cpso_encode(const void *in, int64_t in_nbytes, const int64_t *shape, int32_t width, void *out,
                                int64_t out_nbytes, int64_t *out_written);

/*
 * png (Neuroglancer's png encoding: a chunk [x, y, z] is one image x wide and y*z high, channels
 * interleaved per pixel; the chunk is planar, channel slowest) through libspng, which this library
 * loads with dlopen("libspng.so.0") on first use instead of linking it: without libspng every
 * other function works and these report it. 1-4 channels (gray, gray+alpha, RGB, RGBA), 8- or
 * 16-bit samples (16-bit in host order in the chunk). Thread-safe.
 */

/* 1 when libspng.so.0 is loaded (0.7 or newer), else 0. */
BA_API int32_t ba_png_available(void);

/* libspng's version string, or NULL when it is not loaded. */
BA_API const char *ba_png_library(void);

/* Decode the png in into the planar chunk out (width x height x channels samples). The header
 * must give exactly this size, colour type and bit depth (palette images are refused), checked
 * before libspng allocates for the image; damaged data, a mismatch or a short image give
 * BA_CORRUPT_INPUT with a one-line reason in err (NUL-terminated, at most err_nbytes bytes), and
 * nothing outside out is written. check_crc 0 skips libspng's CRC checks (the caller checked them).
 * BA_INSUFFICIENT_SPACE when out is smaller than the chunk; BA_BAD_ARGUMENT on a bad geometry or
 * when libspng is not loaded (err says so). Allocates libspng's state and, for 2-4 channels, one
 * row (the whole image when it is interlaced). */
BA_API ba_result ba_png_decode(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels,
                               int32_t bit_depth, int32_t check_crc, void *out, int64_t out_nbytes, char *err,
                               int64_t err_nbytes);

/* 1 when libdeflate.so.0 is loaded (1.5 or newer, for ba_png_decode_libdeflate), else 0. */
BA_API int32_t ba_png_libdeflate_available(void);

/* ba_png_decode for a non-interlaced png, faster: the IDATs inflated at once by libdeflate (which
 * this library loads with dlopen("libdeflate.so.0")) into one scratch of height * (1 + row bytes),
 * then unfiltered into out. Does not check CRCs (the caller does). The same checks and results as
 * ba_png_decode, and also BA_CORRUPT_INPUT for a zlib stream that inflates to more or fewer bytes
 * than the image, bytes after it, or a filter type past 4 (out untouched then); BA_BAD_ARGUMENT
 * (err says why) for an interlaced image or when libdeflate is not loaded: ba_png_decode takes
 * those. The scratch (and, for several IDATs, a copy of their data) and libdeflate's decompressor
 * are kept per thread up to 8 MiB, freed when the thread exits. */
BA_API ba_result ba_png_decode_libdeflate(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels,
                                          int32_t bit_depth, void *out, int64_t out_nbytes, char *err, int64_t err_nbytes);

/* Encode the planar chunk in as a png at deflate level 0-9 into out; the bytes written go to
 * *out_written. BA_INSUFFICIENT_SPACE (nothing written) when out is smaller than the png;
 * BA_OUT_OF_BOUNDS when in is smaller than the chunk; BA_BAD_ARGUMENT on a bad geometry or level,
 * or when libspng is not loaded; BA_NO_MEMORY when libspng fails. */
BA_API ba_result ba_png_encode(const void *in, int64_t in_nbytes, int32_t width, int32_t height, int32_t channels,
                               int32_t bit_depth, int32_t level, void *out, int64_t out_nbytes, int64_t *out_written);

/*
 * Downsampling (image pyramids), TensorStore's downsample semantics. The input is a dense
 * Fortran-order array in_shape[0..3] = [nx, ny, nz, channels] of `dtype` elements; along each
 * axis its first element sits `phase[d]` voxels after the start of the first block
 * (0 <= phase < factor), blocks being `factor[d]` input voxels wide. Output element j along an
 * axis is computed from the input voxels [j*factor - phase, (j+1)*factor - phase) clipped to
 * [0, n) (edge blocks are partial); the output is dense Fortran [mx, my, mz, channels] with
 * m = ceil((phase + n) / factor). Channels are independent.
 * Methods: BA_DS_MEAN (integers: the exact mean rounded to nearest, ties to even; floats: the
 * mean computed in double in x-fastest order, rounded once; bool: mode), BA_DS_MODE (most
 * frequent value, ties to the lowest), BA_DS_MEDIAN (the lower median), BA_DS_MIN, BA_DS_MAX.
 * Values are ordered numerically (floats by IEEE total order: -NaN < -inf < -0 < +0 < +inf < NaN).
 * With `sparse` set, elements whose bits equal `fill` (its low element-size bytes) are left out
 * of a block unless the whole block is fill. In and out must not overlap.
 * Returns BA_BAD_ARGUMENT on a bad dtype/method/factor/phase or size overflow, BA_OUT_OF_BOUNDS
 * when in_nbytes or out_nbytes is smaller than the arrays, BA_NO_MEMORY when scratch fails.
 * Thread-safe; allocates scratch for the sorting methods (one block of 8-byte keys).
 */
BA_API ba_result ba_downsample(const void *in, int64_t in_nbytes, const int64_t *in_shape, ba_dtype dtype,
                               ba_ds_method method, int32_t sparse, uint64_t fill, const int64_t *factor,
                               const int64_t *phase, void *out, int64_t out_nbytes);

#ifdef __cplusplus
}
#endif
#endif
