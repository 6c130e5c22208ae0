/*
 * Neuroglancer compressed_segmentation, single channel and multi-channel, uint32 and uint64.
 * C twin of org.bigarrays.codec.CompressedSegmentationCodec (same layout, byte-exact encoder).
 * NOT yet part of the build: the native library (CMake, bigarrays.h) lives on another branch;
 * the declarations to add to native/include/bigarrays.h are in cseg.h next to this file.
 *
 * Every offset read from the input is checked against the input length before use, so a
 * malformed chunk returns BA_CSEG_CORRUPT and never reads or writes out of bounds.
 */
#include "cseg.h"

#include <stdlib.h>
#include <string.h>

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int ba_cseg_decode_channel(const uint8_t *in, size_t in_bytes, const int64_t shape[3], const int32_t block[3],
                           int words_per_value, uint8_t *out, size_t out_bytes) {
    if (in_bytes % 4 != 0) return BA_CSEG_CORRUPT;
    const uint64_t words = in_bytes / 4;
    const int64_t sx = shape[0], sy = shape[1], sz = shape[2];
    const int64_t bx = block[0], by = block[1], bz = block[2];
    if (bx < 1 || by < 1 || bz < 1 || (words_per_value != 1 && words_per_value != 2)) return BA_CSEG_BAD_ARGUMENT;
    const int64_t vsize = 4 * words_per_value;
    if ((uint64_t)(sx * sy * sz * vsize) > out_bytes) return BA_CSEG_BAD_ARGUMENT;
    const int64_t gx = ceil_div(sx, bx), gy = ceil_div(sy, by), gz = ceil_div(sz, bz);
    const uint64_t blocks = (uint64_t)(gx * gy * gz);
    if (blocks * 2 > words) return BA_CSEG_CORRUPT;
    const uint64_t block_voxels = (uint64_t)(bx * by * bz);
    uint64_t b = 0;
    for (int64_t z0 = 0; z0 < gz; z0++)
        for (int64_t y0 = 0; y0 < gy; y0++)
            for (int64_t x0 = 0; x0 < gx; x0++, b++) {
                const uint32_t h0 = rd32(in + 8 * b);
                const uint64_t values_off = rd32(in + 8 * b + 4);
                const uint64_t table_off = h0 & 0xFFFFFFu;
                const uint32_t bits = h0 >> 24;
                if (bits > 32 || (bits & (bits - 1)) != 0) return BA_CSEG_CORRUPT;
                const uint64_t value_words = (block_voxels * bits + 31) / 32;
                if (values_off + value_words > words || table_off >= words) return BA_CSEG_CORRUPT;
                const uint64_t table_entries = (words - table_off) / (uint64_t)words_per_value;
                if (table_entries == 0) return BA_CSEG_CORRUPT;
                const uint8_t *table = in + 4 * table_off;
                const uint8_t *values = in + 4 * values_off;
                const uint64_t mask = bits == 32 ? 0xFFFFFFFFu : ((1u << bits) - 1);
                const int64_t xs = x0 * bx, ys = y0 * by, zs = z0 * bz;
                const int64_t xe = xs + bx < sx ? xs + bx : sx, ye = ys + by < sy ? ys + by : sy, ze = zs + bz < sz ? zs + bz : sz;
                for (int64_t z = zs; z < ze; z++)
                    for (int64_t y = ys; y < ye; y++) {
                        uint64_t idx = (uint64_t)(((z - zs) * by + (y - ys)) * bx);
                        uint8_t *o = out + ((z * sy + y) * sx + xs) * vsize;
                        for (int64_t x = xs; x < xe; x++, idx++, o += vsize) {
                            uint64_t i = 0;
                            if (bits) {
                                const uint64_t bit = idx * bits;
                                i = (rd32(values + 4 * (bit >> 5)) >> (bit & 31)) & mask;
                                if (i >= table_entries) return BA_CSEG_CORRUPT;
                            }
                            if (words_per_value == 1) wr32(o, rd32(table + 4 * i));
                            else wr64(o, rd64(table + 8 * i));
                        }
                    }
            }
    return BA_CSEG_OK;
}

int ba_cseg_decode(const uint8_t *in, size_t in_bytes, const int64_t shape[3], int channels, const int32_t block[3],
                   int words_per_value, uint8_t *out, size_t out_bytes) {
    if (channels < 1) return BA_CSEG_BAD_ARGUMENT;
    if (in_bytes % 4 != 0 || in_bytes / 4 < (size_t)channels) return BA_CSEG_CORRUPT;
    const size_t words = in_bytes / 4;
    const size_t channel_bytes = (size_t)(shape[0] * shape[1] * shape[2]) * 4 * (size_t)words_per_value;
    if (channel_bytes * (size_t)channels > out_bytes) return BA_CSEG_BAD_ARGUMENT;
    for (int c = 0; c < channels; c++) {
        const size_t off = rd32(in + 4 * (size_t)c);
        if (off < (size_t)channels || off > words) return BA_CSEG_CORRUPT;
        int r = ba_cseg_decode_channel(in + 4 * off, in_bytes - 4 * off, shape, block, words_per_value,
                                       out + channel_bytes * (size_t)c, channel_bytes);
        if (r != BA_CSEG_OK) return r;
    }
    return BA_CSEG_OK;
}

/* ---- encoder ---- */

typedef struct { uint32_t *w; size_t n, cap; } words_t;

static int grow(words_t *v, size_t k) {
    if (v->n + k > v->cap) {
        size_t cap = v->cap ? v->cap : 1024;
        while (cap < v->n + k) cap *= 2;
        uint32_t *w = realloc(v->w, cap * 4);
        if (!w) return 0;
        v->w = w;
        v->cap = cap;
    }
    memset(v->w + v->n, 0, k * 4);
    v->n += k;
    return 1;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Previously written tables of this channel: offset (relative to channel start) and length. */
typedef struct { size_t off, len; uint64_t hash; } table_ref;

static uint64_t hash_table(const uint64_t *t, size_t n) {
    uint64_t h = 1469598103934665603ull ^ n;
    for (size_t i = 0; i < n; i++) h = (h ^ t[i]) * 1099511628211ull;
    return h;
}

static int encode_channel(const uint8_t *in, const int64_t shape[3], const int32_t block[3], int wpv, words_t *out) {
    const size_t base = out->n;
    const int64_t sx = shape[0], sy = shape[1], sz = shape[2], bx = block[0], by = block[1], bz = block[2];
    const int64_t gx = ceil_div(sx, bx), gy = ceil_div(sy, by), gz = ceil_div(sz, bz);
    const size_t blocks = (size_t)(gx * gy * gz), block_voxels = (size_t)(bx * by * bz);
    const int64_t vsize = 4 * wpv;
    int ok = 0;
    uint64_t *vals = malloc(block_voxels * 8), *sorted = malloc(block_voxels * 8);
    table_ref *refs = NULL;
    size_t nrefs = 0, caprefs = 0;
    if (!vals || !sorted || !grow(out, 2 * blocks)) goto done;
    size_t b = 0;
    for (int64_t z0 = 0; z0 < gz; z0++)
        for (int64_t y0 = 0; y0 < gy; y0++)
            for (int64_t x0 = 0; x0 < gx; x0++, b++) {
                const int64_t xs = x0 * bx, ys = y0 * by, zs = z0 * bz;
                const int64_t xe = xs + bx < sx ? xs + bx : sx, ye = ys + by < sy ? ys + by : sy, ze = zs + bz < sz ? zs + bz : sz;
                size_t count = 0;
                for (int64_t z = zs; z < ze; z++)
                    for (int64_t y = ys; y < ye; y++)
                        for (int64_t x = xs; x < xe; x++) {
                            const uint8_t *p = in + ((z * sy + y) * sx + x) * vsize;
                            uint64_t v = wpv == 1 ? rd32(p) : rd64(p);
                            vals[((z - zs) * by + (y - ys)) * bx + (x - xs)] = v;
                            sorted[count++] = v;
                        }
                qsort(sorted, count, 8, cmp_u64);
                size_t distinct = 1;
                for (size_t i = 1; i < count; i++) if (sorted[i] != sorted[distinct - 1]) sorted[distinct++] = sorted[i];
                uint32_t bits = 0;
                if (distinct > 1) {
                    uint32_t need = 0;
                    while ((1ull << need) < distinct) need++;
                    bits = 1;
                    while (bits < need) bits <<= 1;
                }
                const size_t values_off = out->n - base;
                if (bits) {
                    const size_t value_words = (block_voxels * bits + 31) / 32, at = out->n;
                    if (!grow(out, value_words)) goto done;
                    for (int64_t z = zs; z < ze; z++)
                        for (int64_t y = ys; y < ye; y++)
                            for (int64_t x = xs; x < xe; x++) {
                                const size_t idx = (size_t)(((z - zs) * by + (y - ys)) * bx + (x - xs));
                                const uint64_t *hit = bsearch(&vals[idx], sorted, distinct, 8, cmp_u64);
                                const uint64_t i = (uint64_t)(hit - sorted), bit = (uint64_t)idx * bits;
                                out->w[at + (bit >> 5)] |= (uint32_t)(i << (bit & 31));
                            }
                }
                const uint64_t h = hash_table(sorted, distinct);
                size_t table_off = (size_t)-1;
                for (size_t r = 0; r < nrefs && table_off == (size_t)-1; r++) {
                    if (refs[r].hash != h || refs[r].len != distinct) continue;
                    const uint32_t *t = out->w + base + refs[r].off;
                    size_t i = 0;
                    for (; i < distinct; i++) {
                        uint64_t v = wpv == 1 ? t[i] : ((uint64_t)t[2 * i] | ((uint64_t)t[2 * i + 1] << 32));
                        if (v != sorted[i]) break;
                    }
                    if (i == distinct) table_off = refs[r].off;
                }
                if (table_off == (size_t)-1) {
                    table_off = out->n - base;
                    if (!grow(out, distinct * (size_t)wpv)) goto done;
                    for (size_t i = 0; i < distinct; i++) {
                        if (wpv == 1) out->w[base + table_off + i] = (uint32_t)sorted[i];
                        else {
                            out->w[base + table_off + 2 * i] = (uint32_t)sorted[i];
                            out->w[base + table_off + 2 * i + 1] = (uint32_t)(sorted[i] >> 32);
                        }
                    }
                    if (nrefs == caprefs) {
                        caprefs = caprefs ? 2 * caprefs : 64;
                        table_ref *n = realloc(refs, caprefs * sizeof *refs);
                        if (!n) goto done;
                        refs = n;
                    }
                    refs[nrefs++] = (table_ref){table_off, distinct, h};
                }
                if (table_off > 0xFFFFFFu) goto done;
                out->w[base + 2 * b] = (uint32_t)table_off | (bits << 24);
                out->w[base + 2 * b + 1] = (uint32_t)values_off;
            }
    ok = 1;
done:
    free(vals);
    free(sorted);
    free(refs);
    return ok;
}

int ba_cseg_encode(const uint8_t *in, const int64_t shape[3], int channels, const int32_t block[3], int words_per_value,
                   uint8_t **out, size_t *out_bytes) {
    if (channels < 1 || block[0] < 1 || block[1] < 1 || block[2] < 1 || (words_per_value != 1 && words_per_value != 2))
        return BA_CSEG_BAD_ARGUMENT;
    words_t v = {0};
    if (!grow(&v, (size_t)channels)) return BA_CSEG_NO_MEMORY;
    const size_t channel_bytes = (size_t)(shape[0] * shape[1] * shape[2]) * 4 * (size_t)words_per_value;
    for (int c = 0; c < channels; c++) {
        v.w[c] = (uint32_t)v.n;
        if (!encode_channel(in + channel_bytes * (size_t)c, shape, block, words_per_value, &v)) {
            free(v.w);
            return BA_CSEG_NO_MEMORY;
        }
    }
    *out = (uint8_t *)v.w;
    *out_bytes = v.n * 4;
    return BA_CSEG_OK;
}
