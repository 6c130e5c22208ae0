/* Declarations to add to native/include/bigarrays.h when cseg.c joins the native library. */
#ifndef BIGARRAYS_CSEG_H
#define BIGARRAYS_CSEG_H
#include <stddef.h>
#include <stdint.h>

enum { BA_CSEG_OK = 0, BA_CSEG_CORRUPT = -1, BA_CSEG_BAD_ARGUMENT = -2, BA_CSEG_NO_MEMORY = -3 };

/* Decode a multi-channel chunk (channel-offset header) of shape[x,y,z] x channels into out
 * (Fortran order, channel slowest). words_per_value: 1 = uint32, 2 = uint64. */
int ba_cseg_decode(const uint8_t *in, size_t in_bytes, const int64_t shape[3], int channels, const int32_t block[3],
                   int words_per_value, uint8_t *out, size_t out_bytes);

/* Decode one channel (no header). */
int ba_cseg_decode_channel(const uint8_t *in, size_t in_bytes, const int64_t shape[3], const int32_t block[3],
                           int words_per_value, uint8_t *out, size_t out_bytes);

/* Encode a chunk; *out is malloc'ed (free with free()), *out_bytes its length. Byte-exact with
 * Neuroglancer/TensorStore. Returns BA_CSEG_NO_MEMORY also when a table offset exceeds 24 bits. */
int ba_cseg_encode(const uint8_t *in, const int64_t shape[3], int channels, const int32_t block[3], int words_per_value,
                   uint8_t **out, size_t *out_bytes);
#endif
