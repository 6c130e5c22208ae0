/*
 * Neuroglancer compressed_segmentation, multi-channel, uint32 and uint64: the C twin of
 * org.bigarrays.codec.CompressedSegmentationCodec (same layout, byte-exact encoder).
 *
 * Layout: one uint32 word per channel (the channel's offset in words from the start), then per
 * channel a grid of blocks (x fastest): first one 2-word header per block (table offset | bits <<
 * 24, values offset; in words from the channel's start), then block by block the packed indices
 * (LSB first, bits in {0,1,2,4,8,16,32}) and the block's sorted distinct values, unless an
 * identical table was already written in this channel, whose offset is then reused.
 *
 * The decoder checks every offset read from the input against the input length before use, so
 * a malformed chunk returns BA_CORRUPT_INPUT and never reads or writes out of bounds.
 */
#include "bigarrays.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TABLE_OFFSET 0xFFFFFFu

static inline uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Geometry shared by decode, encode and the bound; every product checked for overflow. */
typedef struct {
    int64_t sx, sy, sz, bx, by, bz, gx, gy, gz;
    int64_t blocks, block_voxels, vsize, channel_bytes, total_bytes;
} geometry;

static ba_result geometry_of(const int64_t *shape, int32_t channels, const int32_t *block, int32_t wpv, geometry *g) {
    if (!shape || !block || channels < 1 || (wpv != 1 && wpv != 2)) return BA_BAD_ARGUMENT;
    for (int d = 0; d < 3; d++) {
        /* Below 2^31 per axis (what the format's users send); block sizes as Neuroglancer allows. */
        if (shape[d] < 1 || shape[d] > INT32_MAX || block[d] < 1 || block[d] > 1024) return BA_BAD_ARGUMENT;
    }
    g->sx = shape[0]; g->sy = shape[1]; g->sz = shape[2];
    g->bx = block[0]; g->by = block[1]; g->bz = block[2];
    g->gx = ceil_div(g->sx, g->bx); g->gy = ceil_div(g->sy, g->by); g->gz = ceil_div(g->sz, g->bz);
    g->vsize = 4 * (int64_t)wpv;
    g->block_voxels = g->bx * g->by * g->bz; /* at most 2^30 */
    int64_t t;
    if (__builtin_mul_overflow(g->gx, g->gy, &t) || __builtin_mul_overflow(t, g->gz, &g->blocks)) return BA_BAD_ARGUMENT;
    if (__builtin_mul_overflow(g->sx, g->sy, &t) || __builtin_mul_overflow(t, g->sz, &t) ||
        __builtin_mul_overflow(t, g->vsize, &g->channel_bytes) ||
        __builtin_mul_overflow(g->channel_bytes, (int64_t)channels, &g->total_bytes)) return BA_BAD_ARGUMENT;
    return BA_OK;
}

/* ---- decoder ---- */

/* Where decoded voxels go: the sub-box [lo, hi) of the chunk, voxel (x, y, z) of it at
 * out + (x - lo[0]) * s[0] + (y - lo[1]) * s[1] + (z - lo[2]) * s[2] (bytes). The whole chunk into
 * a dense buffer is the box [0, shape) with Fortran strides. */
typedef struct {
    int64_t lo[3], hi[3], s[3];
} dest;

static inline uint8_t *dest_at(uint8_t *out, const dest *d, int64_t x, int64_t y, int64_t z) {
    return out + (x - d->lo[0]) * d->s[0] + (y - d->lo[1]) * d->s[1] + (z - d->lo[2]) * d->s[2];
}

/* Write v to every voxel of [xs, xe) x [ys, ye) x [zs, ze) (inside the destination box). */
static void fill_block(uint8_t *out, const dest *d, int wpv, uint64_t v, int64_t xs, int64_t xe, int64_t ys, int64_t ye,
                       int64_t zs, int64_t ze) {
    const int64_t step = d->s[0], n = xe - xs;
    uint8_t *plane = dest_at(out, d, xs, ys, zs);
    for (int64_t z = zs; z < ze; z++, plane += d->s[2]) {
        uint8_t *row = plane;
        for (int64_t y = ys; y < ye; y++, row += d->s[1]) {
            uint8_t *o = row;
            if (wpv == 1 && step == 4) for (int64_t x = 0; x < n; x++) wr32(o + 4 * x, (uint32_t)v);
            else if (wpv == 2 && step == 8) for (int64_t x = 0; x < n; x++) wr64(o + 8 * x, v);
            else if (wpv == 1) for (int64_t x = 0; x < n; x++, o += step) wr32(o, (uint32_t)v);
            else for (int64_t x = 0; x < n; x++, o += step) wr64(o, v);
        }
    }
}

/* The packed-index loop over [xs, xe) x [ys, ye) x [zs, ze) of the block starting at (bx0, by0,
 * bz0), compiled once per value width (WPV) and once more for a destination dense along x (the
 * usual cutout: a constant step lets the compiler address by index), so the copies are
 * fixed-size. Rows of a block are short (8 voxels typically): pointers and bit positions
 * advance per row, not recomputed. */
#define UNPACK_LOOP(WPV, STEP)                                                                                    \
    for (int64_t z = zs; z < ze; z++, plane += d->s[2], plane_bit += plane_bits) {                              \
        uint8_t *row = plane;                                                                                    \
        uint64_t row_bit = plane_bit;                                                                            \
        for (int64_t y = ys; y < ye; y++, row += d->s[1], row_bit += row_bits) {                                \
            uint8_t *o = row;                                                                                    \
            uint64_t bit = row_bit;                                                                              \
            for (int64_t x = 0; x < n; x++, bit += bits, o += (STEP)) {                                          \
                const uint64_t i = (rd32(values + 4 * (bit >> 5)) >> (bit & 31)) & mask;                          \
                if (checked && i >= table_entries) return BA_CORRUPT_INPUT;                                      \
                if (i > top) top = i;                                                                            \
                if ((WPV) == 1) wr32(o, rd32(table + 4 * i));                                                    \
                else wr64(o, rd64(table + 8 * i));                                                               \
            }                                                                                                    \
        }                                                                                                        \
    }

#define DEFINE_UNPACK(NAME, WPV)                                                                                  \
    static ba_result NAME(uint8_t *out, const geometry *g, const dest *d, const uint8_t *values, const uint8_t *table, \
                    uint64_t table_entries, uint32_t bits, int64_t bx0, int64_t by0, int64_t bz0, int64_t xs,        \
                    int64_t xe, int64_t ys, int64_t ye, int64_t zs, int64_t ze, uint64_t *max_index) {            \
        uint64_t top = 0;                                                                                        \
        const uint64_t mask = bits == 32 ? 0xFFFFFFFFu : ((1u << bits) - 1);                                    \
        const int64_t step = d->s[0], n = xe - xs;                                                               \
        const uint64_t row_bits = (uint64_t)g->bx * bits, plane_bits = row_bits * (uint64_t)g->by;             \
        /* When the table holds every index the bits can express, no per-voxel check is needed. */             \
        const int checked = bits >= 32 || table_entries < (1ull << bits);                                       \
        uint8_t *plane = dest_at(out, d, xs, ys, zs);                                                            \
        uint64_t plane_bit = (uint64_t)(((zs - bz0) * g->by + (ys - by0)) * g->bx + (xs - bx0)) * bits;          \
        if (step == 4 * (WPV)) {                                                                                 \
            UNPACK_LOOP(WPV, 4 * (WPV))                                                                          \
        } else {                                                                                                 \
            UNPACK_LOOP(WPV, step)                                                                               \
        }                                                                                                        \
        *max_index = top;                                                                                        \
        return BA_OK;                                                                                            \
    }
DEFINE_UNPACK(unpack32, 1)
DEFINE_UNPACK(unpack64, 2)

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Decodes the blocks of one channel that meet the destination box, each voxel of the box once;
 * *used receives the words those blocks use (past the last header, values or table entry read),
 * so a whole-chunk caller can reject trailing words as the Java twin does. */
static ba_result decode_channel(const uint8_t *in, uint64_t in_bytes, const geometry *g, int wpv, const dest *d, uint8_t *out,
                                uint64_t *used) {
    if (in_bytes % 4 != 0) return BA_CORRUPT_INPUT;
    const uint64_t words = in_bytes / 4;
    if ((uint64_t)g->blocks * 2 > words) return BA_CORRUPT_INPUT;
    uint64_t end = (uint64_t)g->blocks * 2;
    for (int64_t z0 = d->lo[2] / g->bz; z0 * g->bz < d->hi[2]; z0++)
        for (int64_t y0 = d->lo[1] / g->by; y0 * g->by < d->hi[1]; y0++)
            for (int64_t x0 = d->lo[0] / g->bx; x0 * g->bx < d->hi[0]; x0++) {
                const uint64_t b = (uint64_t)((z0 * g->gy + y0) * g->gx + x0);
                const uint32_t h0 = rd32(in + 8 * b);
                const uint64_t values_off = rd32(in + 8 * b + 4);
                const uint64_t table_off = h0 & MAX_TABLE_OFFSET;
                const uint32_t bits = h0 >> 24;
                if (bits > 32 || (bits & (bits - 1)) != 0) return BA_CORRUPT_INPUT;
                const uint64_t value_words = ((uint64_t)g->block_voxels * bits + 31) / 32;
                if (values_off + value_words > words || table_off >= words) return BA_CORRUPT_INPUT;
                const uint64_t table_entries = (words - table_off) / (uint64_t)wpv;
                if (table_entries == 0) return BA_CORRUPT_INPUT;
                const uint8_t *table = in + 4 * table_off;
                const int64_t bx0 = x0 * g->bx, by0 = y0 * g->by, bz0 = z0 * g->bz;
                /* The block's part inside the destination box (which lies inside the volume). */
                const int64_t xs = max64(bx0, d->lo[0]), xe = min64(bx0 + g->bx, d->hi[0]);
                const int64_t ys = max64(by0, d->lo[1]), ye = min64(by0 + g->by, d->hi[1]);
                const int64_t zs = max64(bz0, d->lo[2]), ze = min64(bz0 + g->bz, d->hi[2]);
                if (bits == 0) {
                    fill_block(out, d, wpv, wpv == 1 ? rd32(table) : rd64(table), xs, xe, ys, ye, zs, ze);
                    if (table_off + (uint64_t)wpv > end) end = table_off + (uint64_t)wpv;
                    continue;
                }
                const uint8_t *values = in + 4 * values_off;
                uint64_t top = 0;
                ba_result r = wpv == 1 ? unpack32(out, g, d, values, table, table_entries, bits, bx0, by0, bz0, xs, xe, ys, ye, zs, ze, &top)
                                 : unpack64(out, g, d, values, table, table_entries, bits, bx0, by0, bz0, xs, xe, ys, ye, zs, ze, &top);
                if (r != BA_OK) return r;
                if (values_off + value_words > end) end = values_off + value_words;
                if (table_off + (top + 1) * (uint64_t)wpv > end) end = table_off + (top + 1) * (uint64_t)wpv;
            }
    *used = end;
    return BA_OK;
}

/* One block's header, checked against the channel's words: where its table and indices are. */
typedef struct {
    const uint8_t *table, *values;
    uint64_t table_off, values_off, value_words, table_entries, mask, top, fill;
    uint32_t bits;
    int checked; /* whether an index can point past the table */
} block_ref;

static ba_result block_at(const uint8_t *in, uint64_t words, const geometry *g, int wpv, uint64_t b, block_ref *k) {
    const uint32_t h0 = rd32(in + 8 * b);
    k->values_off = rd32(in + 8 * b + 4);
    k->table_off = h0 & MAX_TABLE_OFFSET;
    k->bits = h0 >> 24;
    if (k->bits > 32 || (k->bits & (k->bits - 1)) != 0) return BA_CORRUPT_INPUT;
    k->value_words = ((uint64_t)g->block_voxels * k->bits + 31) / 32;
    if (k->values_off + k->value_words > words || k->table_off >= words) return BA_CORRUPT_INPUT;
    k->table_entries = (words - k->table_off) / (uint64_t)wpv;
    if (k->table_entries == 0) return BA_CORRUPT_INPUT;
    k->table = in + 4 * k->table_off;
    k->values = in + 4 * k->values_off;
    k->mask = k->bits == 32 ? 0xFFFFFFFFu : ((1u << k->bits) - 1);
    k->checked = k->bits >= 32 || k->table_entries < (1ull << k->bits);
    k->fill = wpv == 1 ? rd32(k->table) : rd64(k->table);
    k->top = 0;
    return BA_OK;
}

/* n voxels of one block row from bit `bit` on, to o, o + STEP, ...; the block's fields are in
 * locals (values, table, mask, bits, entries, checked): stores through o could alias a block_ref,
 * which would make the compiler reload them every voxel. */
#define ROW_SEGMENT(WPV, STEP)                                                                                    \
    for (int64_t x = 0; x < n; x++, bit += bits) {                                                               \
        const uint64_t i = (rd32(values + 4 * (bit >> 5)) >> (bit & 31)) & mask;                                 \
        if (checked && i >= entries) return BA_CORRUPT_INPUT;                                                    \
        if (i > top) top = i;                                                                                    \
        if ((WPV) == 1) wr32(o + x * (STEP), rd32(table + 4 * i));                                              \
        else wr64(o + x * (STEP), rd64(table + 8 * i));                                                          \
    }

/* Up to this many blocks along x are decoded row by row together. */
#define ROW_GROUP 64

/* decode_channel in output order: for a destination much larger than the chunk (a cutout), row
 * (y, z) of the box is written left to right across the blocks it crosses, so the output is
 * written in runs as long as the chunk's row, page after page, instead of one short row per block
 * row scattered over 8 planes (TLB and write-allocate misses). Same checks, same *used. */
static ba_result decode_channel_rows(const uint8_t *in, uint64_t in_bytes, const geometry *g, int wpv, const dest *d, uint8_t *out,
                                     uint64_t *used) {
    if (in_bytes % 4 != 0) return BA_CORRUPT_INPUT;
    const uint64_t words = in_bytes / 4;
    if ((uint64_t)g->blocks * 2 > words) return BA_CORRUPT_INPUT;
    uint64_t end = (uint64_t)g->blocks * 2;
    const int64_t step = d->s[0];
    block_ref refs[ROW_GROUP];
    for (int64_t z0 = d->lo[2] / g->bz; z0 * g->bz < d->hi[2]; z0++)
        for (int64_t y0 = d->lo[1] / g->by; y0 * g->by < d->hi[1]; y0++)
            for (int64_t xa = d->lo[0] / g->bx; xa * g->bx < d->hi[0]; xa += ROW_GROUP) {
                int nk = 0;
                for (int64_t x0 = xa; x0 < xa + ROW_GROUP && x0 * g->bx < d->hi[0]; x0++, nk++) {
                    ba_result r = block_at(in, words, g, wpv, (uint64_t)((z0 * g->gy + y0) * g->gx + x0), &refs[nk]);
                    if (r != BA_OK) return r;
                }
                const int64_t zs = max64(z0 * g->bz, d->lo[2]), ze = min64(z0 * g->bz + g->bz, d->hi[2]);
                const int64_t ys = max64(y0 * g->by, d->lo[1]), ye = min64(y0 * g->by + g->by, d->hi[1]);
                const int64_t xfirst = max64(xa * g->bx, d->lo[0]);
                for (int64_t z = zs; z < ze; z++)
                    for (int64_t y = ys; y < ye; y++) {
                        uint8_t *o = dest_at(out, d, xfirst, y, z);
                        const uint64_t row = (uint64_t)(((z - z0 * g->bz) * g->by + (y - y0 * g->by)) * g->bx);
                        for (int j = 0; j < nk; j++) {
                            block_ref *k = &refs[j];
                            const int64_t bx0 = (xa + j) * g->bx;
                            const int64_t xs = max64(bx0, d->lo[0]), n = min64(bx0 + g->bx, d->hi[0]) - xs;
                            if (k->bits == 0) {
                                const uint64_t v = k->fill;
                                if (wpv == 1) for (int64_t x = 0; x < n; x++) wr32(o + x * step, (uint32_t)v);
                                else for (int64_t x = 0; x < n; x++) wr64(o + x * step, v);
                            } else {
                                const uint8_t *values = k->values, *table = k->table;
                                const uint64_t mask = k->mask, entries = k->table_entries;
                                const uint32_t bits = k->bits;
                                const int checked = k->checked;
                                uint64_t bit = (row + (uint64_t)(xs - bx0)) * bits, top = k->top;
                                if (wpv == 1 && step == 4) { ROW_SEGMENT(1, 4) }
                                else if (wpv == 2 && step == 8) { ROW_SEGMENT(2, 8) }
                                else if (wpv == 1) { ROW_SEGMENT(1, step) }
                                else { ROW_SEGMENT(2, step) }
                                k->top = top;
                            }
                            o += n * step;
                        }
                    }
                for (int j = 0; j < nk; j++) {
                    const block_ref *k = &refs[j];
                    if (k->bits == 0) {
                        if (k->table_off + (uint64_t)wpv > end) end = k->table_off + (uint64_t)wpv;
                        continue;
                    }
                    if (k->values_off + k->value_words > end) end = k->values_off + k->value_words;
                    if (k->table_off + (k->top + 1) * (uint64_t)wpv > end) end = k->table_off + (k->top + 1) * (uint64_t)wpv;
                }
            }
    *used = end;
    return BA_OK;
}

/* Decodes every channel into out (+ channel_stride per channel); the trailing-words check only
 * when the box is the whole chunk (a sub-box reads only the blocks it meets). */
static ba_result decode_channels(const uint8_t *in, int64_t in_nbytes, const geometry *g, int32_t channels, int wpv,
                                 const dest *d, uint8_t *out, int64_t channel_stride, int by_rows) {
    if (in_nbytes % 4 != 0 || in_nbytes / 4 < channels) return BA_CORRUPT_INPUT;
    const uint64_t words = (uint64_t)in_nbytes / 4;
    uint64_t end = (uint64_t)channels;
    for (int32_t c = 0; c < channels; c++) {
        const uint64_t off = rd32(in + 4 * (uint64_t)c);
        if (off < (uint64_t)channels || off > words) return BA_CORRUPT_INPUT;
        uint64_t used = 0;
        ba_result r = (by_rows ? decode_channel_rows : decode_channel)(in + 4 * off, (uint64_t)in_nbytes - 4 * off, g, wpv, d,
                                                                       out + channel_stride * c, &used);
        if (r != BA_OK) return r;
        if (off + used > end) end = off + used;
    }
    const int whole = d->lo[0] == 0 && d->lo[1] == 0 && d->lo[2] == 0 && d->hi[0] == g->sx && d->hi[1] == g->sy && d->hi[2] == g->sz;
    /* Words after the last one any block uses are trailing bytes: corrupt, as in the Java twin. */
    return !whole || end == words ? BA_OK : BA_CORRUPT_INPUT;
}

ba_result ba_cseg_decode(const void *in_, int64_t in_nbytes, const int64_t *shape, int32_t channels, const int32_t *block,
                         int32_t words_per_value, void *out_, int64_t out_nbytes) {
    geometry g;
    ba_result r = geometry_of(shape, channels, block, words_per_value, &g);
    if (r != BA_OK) return r;
    if (in_nbytes < 0 || out_nbytes < 0 || (in_nbytes > 0 && !in_) || !out_) return BA_BAD_ARGUMENT;
    if (g.total_bytes > out_nbytes) return BA_INSUFFICIENT_SPACE;
    const dest d = {{0, 0, 0}, {g.sx, g.sy, g.sz}, {g.vsize, g.vsize * g.sx, g.vsize * g.sx * g.sy}};
    return decode_channels(in_, in_nbytes, &g, channels, words_per_value, &d, out_, g.channel_bytes, 0);
}

ba_result ba_cseg_decode_box(const void *in_, int64_t in_nbytes, const int64_t *shape, int32_t channels, const int32_t *block,
                             int32_t words_per_value, const int64_t *box_min, const int64_t *box_shape, void *dst_,
                             int64_t dst_nbytes, int64_t dst_offset, const int64_t *dst_strides) {
    geometry g;
    ba_result r = geometry_of(shape, channels, block, words_per_value, &g);
    if (r != BA_OK) return r;
    if (in_nbytes < 0 || dst_nbytes < 0 || dst_offset < 0 || (in_nbytes > 0 && !in_) || !dst_ || !box_min || !box_shape || !dst_strides) {
        return BA_BAD_ARGUMENT;
    }
    dest d;
    /* The last byte written: dst_offset + sum((n_i - 1) * s_i) + vsize, every step checked. */
    int64_t last = dst_offset, t;
    for (int k = 0; k < 4; k++) {
        const int64_t n = k < 3 ? box_shape[k] : channels, s = dst_strides[k];
        if (s < 0 || n < 1) return BA_BAD_ARGUMENT;
        if (k < 3) {
            if (box_min[k] < 0 || box_min[k] > shape[k] - n) return BA_OUT_OF_BOUNDS; /* the box lies inside the chunk */
            d.lo[k] = box_min[k];
            d.hi[k] = box_min[k] + n;
            d.s[k] = s;
        }
        if (__builtin_mul_overflow(n - 1, s, &t) || __builtin_add_overflow(last, t, &last)) return BA_BAD_ARGUMENT;
    }
    if (__builtin_add_overflow(last, g.vsize, &last)) return BA_BAD_ARGUMENT;
    if (last > dst_nbytes) return BA_OUT_OF_BOUNDS;
    /* Block by block where the destination is the chunk's own size or smaller (it stays in cache);
     * row by row across blocks where its rows are longer than the box's (a cutout). */
    const int by_rows = dst_strides[1] > g.vsize * (d.hi[0] - d.lo[0]) || dst_strides[0] != g.vsize;
    return decode_channels(in_, in_nbytes, &g, channels, words_per_value, &d, (uint8_t *)dst_ + dst_offset, dst_strides[3], by_rows);
}

/* ---- encoder ---- */

ba_result ba_cseg_encode_bound(const int64_t *shape, int32_t channels, const int32_t *block, int32_t words_per_value,
                               int64_t *bound) {
    geometry g;
    ba_result r = geometry_of(shape, channels, block, words_per_value, &g);
    if (r != BA_OK) return r;
    if (!bound) return BA_BAD_ARGUMENT;
    /* Per block: 2 header words, at most 32 bits per voxel, a table of at most block_voxels values. */
    int64_t per_block = 2 + g.block_voxels + g.block_voxels * words_per_value, words, bytes;
    if (__builtin_mul_overflow(per_block, g.blocks, &words) || __builtin_mul_overflow(words, (int64_t)channels, &words) ||
        __builtin_add_overflow(words, (int64_t)channels, &words) || __builtin_mul_overflow(words, (int64_t)4, &bytes)) {
        return BA_BAD_ARGUMENT;
    }
    *bound = bytes;
    return BA_OK;
}

/* An open-addressing set of uint64 values; a slot is live when its stamp equals the current one,
 * so starting over for the next block costs nothing. */
typedef struct {
    uint64_t *keys;
    uint32_t *rank, *stamp;
    uint32_t now, shift;
    size_t mask;
} value_set;

static inline size_t hash64(uint64_t v, uint32_t shift) { return (size_t)((v * 0x9E3779B97F4A7C15ull) >> shift); }

/* The slot of v: where it is, or the free slot where it belongs. */
static inline size_t set_slot(const value_set *s, uint64_t v) {
    size_t i = hash64(v, s->shift);
    while (s->stamp[i] == s->now && s->keys[i] != v) i = (i + 1) & s->mask;
    return i;
}

static void sort_u64(uint64_t *a, size_t n) {
    if (n <= 24) { /* blocks of segmentation hold few labels: insertion sort wins there */
        for (size_t i = 1; i < n; i++) {
            uint64_t v = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    /* Median-of-three quicksort, recursing into the smaller side. */
    while (n > 24) {
        uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint64_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i >= j) break;
            uint64_t t = a[i]; a[i] = a[j]; a[j] = t;
            i++; j--;
        }
        size_t left = j + 1;
        if (left < n - left) { sort_u64(a, left); a += left; n -= left; }
        else { sort_u64(a + left, n - left); n = left; }
    }
    sort_u64(a, n);
}

/* Tables written so far in this channel, found by content hash. */
typedef struct { uint64_t hash; int64_t off, len; } table_ref;

static uint64_t hash_table(const uint64_t *t, int64_t n) {
    uint64_t h = 1469598103934665603ull ^ (uint64_t)n;
    for (int64_t i = 0; i < n; i++) h = (h ^ t[i]) * 1099511628211ull;
    return h;
}

typedef struct {
    uint8_t *b;        /* the caller's output (any alignment: words go through memcpy) */
    int64_t n, cap;    /* words written, words available */
} words_out;

static inline uint32_t getw(const words_out *o, int64_t i) { return rd32(o->b + 4 * i); }
static inline void setw(words_out *o, int64_t i, uint32_t v) { wr32(o->b + 4 * i, v); }

/* Append k zero words; returns the index of the first, or -1 when out of space. */
static inline int64_t take(words_out *o, int64_t k) {
    if (k > o->cap - o->n) return -1;
    int64_t at = o->n;
    memset(o->b + 4 * at, 0, (size_t)k * 4);
    o->n += k;
    return at;
}

typedef struct {
    uint64_t *vals, *sorted;
    value_set set;
    table_ref *refs;   /* open addressing by hash; len 0 = empty */
    size_t refs_mask;
} scratch;

static int scratch_init(scratch *s, const geometry *g) {
    memset(s, 0, sizeof *s);
    size_t cap = 1;
    uint32_t bits = 0;
    while (cap < 2 * (size_t)g->block_voxels) { cap <<= 1; bits++; }
    size_t refs = 1;
    while (refs < 2 * (size_t)g->blocks) refs <<= 1;
    s->vals = malloc((size_t)g->block_voxels * 8);
    s->sorted = malloc((size_t)g->block_voxels * 8);
    s->set.keys = malloc(cap * 8);
    s->set.rank = malloc(cap * 4);
    s->set.stamp = calloc(cap, 4);
    s->set.mask = cap - 1;
    s->set.shift = 64 - (bits ? bits : 1);
    s->refs = calloc(refs, sizeof *s->refs);
    s->refs_mask = refs - 1;
    return s->vals && s->sorted && s->set.keys && s->set.rank && s->set.stamp && s->refs;
}

static void scratch_free(scratch *s) {
    free(s->vals);
    free(s->sorted);
    free(s->set.keys);
    free(s->set.rank);
    free(s->set.stamp);
    free(s->refs);
}

static ba_result encode_channel(const uint8_t *in, const geometry *g, int wpv, scratch *s, words_out *out) {
    const int64_t base = out->n;
    if (take(out, 2 * g->blocks) < 0) return BA_INSUFFICIENT_SPACE;
    memset(s->refs, 0, (s->refs_mask + 1) * sizeof *s->refs);
    value_set *set = &s->set;
    int64_t b = 0;
    for (int64_t z0 = 0; z0 < g->gz; z0++)
        for (int64_t y0 = 0; y0 < g->gy; y0++)
            for (int64_t x0 = 0; x0 < g->gx; x0++, b++) {
                const int64_t xs = x0 * g->bx, ys = y0 * g->by, zs = z0 * g->bz;
                const int64_t xe = xs + g->bx < g->sx ? xs + g->bx : g->sx;
                const int64_t ye = ys + g->by < g->sy ? ys + g->by : g->sy;
                const int64_t ze = zs + g->bz < g->sz ? zs + g->bz : g->sz;
                /* The block's values in block order, and its distinct values through the set. */
                if (++set->now == 0) { memset(set->stamp, 0, (set->mask + 1) * 4); set->now = 1; }
                int64_t distinct = 0;
                for (int64_t z = zs; z < ze; z++)
                    for (int64_t y = ys; y < ye; y++) {
                        const uint8_t *p = in + ((z * g->sy + y) * g->sx + xs) * g->vsize;
                        uint64_t *v = s->vals + ((z - zs) * g->by + (y - ys)) * g->bx;
                        uint64_t last = 0;
                        int have_last = 0;
                        for (int64_t x = xs; x < xe; x++, p += g->vsize, v++) {
                            *v = wpv == 1 ? rd32(p) : rd64(p);
                            if (have_last && *v == last) continue; /* runs are common in labels */
                            last = *v;
                            have_last = 1;
                            size_t i = set_slot(set, *v);
                            if (set->stamp[i] != set->now) {
                                set->stamp[i] = set->now;
                                set->keys[i] = *v;
                                s->sorted[distinct++] = *v;
                            }
                        }
                    }
                sort_u64(s->sorted, (size_t)distinct);
                uint32_t bits = 0;
                if (distinct > 1) {
                    uint32_t need = 0;
                    while ((1ull << need) < (uint64_t)distinct) need++;
                    bits = 1;
                    while (bits < need) bits <<= 1;
                }
                const int64_t values_off = out->n - base;
                if (bits) {
                    for (int64_t i = 0; i < distinct; i++) set->rank[set_slot(set, s->sorted[i])] = (uint32_t)i;
                    const int64_t at = take(out, (g->block_voxels * bits + 31) / 32);
                    if (at < 0) return BA_INSUFFICIENT_SPACE;
                    for (int64_t z = zs; z < ze; z++)
                        for (int64_t y = ys; y < ye; y++) {
                            const int64_t idx0 = ((z - zs) * g->by + (y - ys)) * g->bx;
                            for (int64_t x = 0; x < xe - xs; x++) {
                                const uint64_t i = set->rank[set_slot(set, s->vals[idx0 + x])];
                                const uint64_t bit = (uint64_t)(idx0 + x) * bits;
                                const int64_t wi = at + (int64_t)(bit >> 5);
                                setw(out, wi, getw(out, wi) | (uint32_t)(i << (bit & 31)));
                            }
                        }
                }
                const uint64_t h = hash_table(s->sorted, distinct);
                size_t r = (size_t)(h * 0x9E3779B97F4A7C15ull >> 7) & s->refs_mask;
                int64_t table_off = -1;
                for (; s->refs[r].len != 0; r = (r + 1) & s->refs_mask) {
                    const table_ref *t = &s->refs[r];
                    if (t->hash != h || t->len != distinct) continue;
                    const int64_t w = base + t->off;
                    int64_t i = 0;
                    for (; i < distinct; i++) {
                        uint64_t v = wpv == 1 ? getw(out, w + i) : ((uint64_t)getw(out, w + 2 * i) | ((uint64_t)getw(out, w + 2 * i + 1) << 32));
                        if (v != s->sorted[i]) break;
                    }
                    if (i == distinct) { table_off = t->off; break; }
                }
                if (table_off < 0) {
                    const int64_t at = take(out, distinct * wpv);
                    if (at < 0) return BA_INSUFFICIENT_SPACE;
                    table_off = at - base;
                    for (int64_t i = 0; i < distinct; i++) {
                        if (wpv == 1) setw(out, at + i, (uint32_t)s->sorted[i]);
                        else {
                            setw(out, at + 2 * i, (uint32_t)s->sorted[i]);
                            setw(out, at + 2 * i + 1, (uint32_t)(s->sorted[i] >> 32));
                        }
                    }
                    s->refs[r] = (table_ref){h, table_off, distinct}; /* r is the free slot the probe ended on */
                }
                if (table_off > (int64_t)MAX_TABLE_OFFSET || values_off > (int64_t)UINT32_MAX) return BA_TOO_LARGE;
                setw(out, base + 2 * b, (uint32_t)table_off | (bits << 24));
                setw(out, base + 2 * b + 1, (uint32_t)values_off);
            }
    return BA_OK;
}

ba_result ba_cseg_encode(const void *in_, int64_t in_nbytes, const int64_t *shape, int32_t channels, const int32_t *block,
                         int32_t words_per_value, void *out_, int64_t out_nbytes, int64_t *out_written) {
    const uint8_t *in = in_;
    geometry g;
    ba_result r = geometry_of(shape, channels, block, words_per_value, &g);
    if (r != BA_OK) return r;
    if (!in || !out_ || !out_written || out_nbytes < 0) return BA_BAD_ARGUMENT;
    if (in_nbytes < g.total_bytes) return BA_OUT_OF_BOUNDS;
    *out_written = 0;
    words_out out = {out_, 0, out_nbytes / 4};
    if (take(&out, channels) < 0) return BA_INSUFFICIENT_SPACE;
    scratch s;
    if (!scratch_init(&s, &g)) {
        scratch_free(&s);
        return BA_NO_MEMORY;
    }
    for (int32_t c = 0; c < channels && r == BA_OK; c++) {
        if (out.n > (int64_t)UINT32_MAX) r = BA_TOO_LARGE;
        else {
            setw(&out, c, (uint32_t)out.n);
            r = encode_channel(in + g.channel_bytes * c, &g, words_per_value, &s, &out);
        }
    }
    scratch_free(&s);
    if (r == BA_OK) *out_written = out.n * 4;
    return r;
}
