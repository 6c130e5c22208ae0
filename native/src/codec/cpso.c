/*
 * compresso (seung-lab/compresso format versions 0 and 1, as CloudVolume writes it): the C twin
 * of org.bigarrays.codec.CompressoFormat, whose comment describes the stream. Same checks, same
 * bytes from the encoder (compresso.compress's defaults: steps 4x4x1, else 8x8x1 when the
 * distinct windows outnumber what 16-bit run entries index; connectivity 4; version 1).
 *
 * The decoder checks every count read from the header against the bytes left before it sizes
 * anything with it, and every index before it follows it, so a malformed stream returns
 * BA_CORRUPT_INPUT and never reads or writes out of bounds. Scratch memory is bounded by the
 * chunk (a few bytes per voxel) and by the input, never by a header field alone.
 *
 * Integers in the stream are little-endian; like cseg.c this reads them with memcpy, so it
 * assumes a little-endian host (all our targets).
 */
#include "bigarrays.h"

#include <stdlib.h>
#include <string.h>

#define CPSO_HEADER 36
#define CPSO_MAX_EXTENT 0xFFFF

static inline uint64_t rd(const uint8_t *p, int w) {
    switch (w) {
    case 1: return p[0];
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static inline void wr(uint8_t *p, int w, uint64_t v) {
    switch (w) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: { uint16_t t = (uint16_t)v; memcpy(p, &t, 2); break; }
    case 4: { uint32_t t = (uint32_t)v; memcpy(p, &t, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

/* Bytes per window for a step product of 1..64. */
static int window_width(int64_t p) { return p <= 8 ? 1 : p <= 16 ? 2 : p <= 32 ? 4 : 8; }

/* Bytes per version-1 index entry (compresso: 2*sx*sy below 2^8-1, 2^16-1, 2^32-1). */
static int index_width(int64_t sx, int64_t sy) {
    int64_t worst = 2 * sx * sy;
    return worst < 0xFF ? 1 : worst < 0xFFFF ? 2 : worst < 0xFFFFFFFFll ? 4 : 8;
}

/* Shape and label width as both directions need them; voxels below 2^32 so components fit uint32. */
static ba_result check_geometry(const int64_t *shape, int32_t width, int64_t *voxels) {
    if (!shape || (width != 1 && width != 2 && width != 4 && width != 8)) return BA_BAD_ARGUMENT;
    for (int d = 0; d < 3; d++) if (shape[d] < 1 || shape[d] > CPSO_MAX_EXTENT) return BA_BAD_ARGUMENT;
    *voxels = shape[0] * shape[1] * shape[2]; /* < 2^48 */
    if (*voxels >= (int64_t)UINT32_MAX) return BA_BAD_ARGUMENT;
    return BA_OK;
}

static inline uint32_t uf_find(uint32_t *par, uint32_t a) {
    while (par[a] != a) { par[a] = par[par[a]]; a = par[a]; }
    return a;
}

/* The smaller label stays the root, so a component's root is its first provisional label. */
static inline void uf_union(uint32_t *par, uint32_t a, uint32_t b) {
    a = uf_find(par, a);
    b = uf_find(par, b);
    if (a < b) par[b] = a;
    else if (b < a) par[a] = b;
}

/*
 * Connected components of the non-boundary voxels (4-connected per z slice, or 6-connected),
 * numbered from 1 by the raster position of their first voxel, which is how compresso's
 * two-pass labelling numbers them (the Java twin flood-fills from each first voxel instead; the
 * tests hold both to the same bytes). Two passes: provisional labels in raster order with
 * union-find on the -x/-y(/-z) neighbours, then renumbering in order of the roots, each of which
 * is its component's first provisional label, hence first voxel. comp gets 0 for boundary
 * voxels; par and ren hold voxels + 1 entries; per_slice[z] gets the components first met in
 * slice z. Returns the count.
 */
static uint32_t components(const uint8_t *bnd, int64_t sx, int64_t sy, int64_t sz, int six, uint32_t *comp,
                           uint32_t *per_slice, uint32_t *par, uint32_t *ren) {
    const int64_t sxy = sx * sy;
    uint32_t next = 0;
    for (int64_t z = 0, i = 0; z < sz; z++) {
        for (int64_t y = 0; y < sy; y++) {
            for (int64_t x = 0; x < sx; x++, i++) {
                if (bnd[i]) { comp[i] = 0; continue; }
                uint32_t l = 0;
                if (x > 0 && !bnd[i - 1]) l = comp[i - 1];
                if (y > 0 && !bnd[i - sx]) {
                    const uint32_t u = comp[i - sx];
                    if (!l) l = u; else if (u != l) uf_union(par, l, u);
                }
                if (six && z > 0 && !bnd[i - sxy]) {
                    const uint32_t u = comp[i - sxy];
                    if (!l) l = u; else if (u != l) uf_union(par, l, u);
                }
                if (!l) { l = ++next; par[l] = l; }
                comp[i] = l;
            }
        }
        per_slice[z] = next; /* the last provisional label of slice z, for now */
    }
    uint32_t count = 0;
    for (uint32_t k = 1; k <= next; k++) {
        const uint32_t r = uf_find(par, k);
        ren[k] = r == k ? ++count : ren[r];
    }
    /* Roots are numbered in raster order: the components first met in slice z are its own roots. */
    uint32_t first = 1;
    for (int64_t z = 0; z < sz; z++) {
        const uint32_t last = per_slice[z];
        uint32_t roots = 0;
        for (uint32_t k = first; k <= last; k++) roots += par[k] == k;
        per_slice[z] = roots;
        first = last + 1;
    }
    ren[0] = 0; /* boundary voxels */
    const int64_t voxels = sxy * sz;
    for (int64_t i = 0; i < voxels; i++) comp[i] = ren[comp[i]];
    return count;
}

/* ---- decoder ---- */

typedef struct {
    uint32_t *window, *comp, *par, *ren, *per_slice;
    uint8_t *bnd;
    uint64_t *values, *loc_start;
} dec_scratch;

static void dec_free(dec_scratch *s) {
    free(s->window); free(s->comp); free(s->par); free(s->ren); free(s->per_slice);
    free(s->bnd); free(s->values); free(s->loc_start);
}

static ba_result decode(const uint8_t *in, uint64_t n, const int64_t *shape, int w, uint8_t *out, dec_scratch *s) {
    if (n < CPSO_HEADER) return BA_CORRUPT_INPUT;
    if (in[0] != 'c' || in[1] != 'p' || in[2] != 's' || in[3] != 'o') return BA_CORRUPT_INPUT;
    const int version = in[4];
    if (version > 1 || in[5] != w) return BA_CORRUPT_INPUT;
    const int64_t sx = (int64_t)rd(in + 6, 2), sy = (int64_t)rd(in + 8, 2), sz = (int64_t)rd(in + 10, 2);
    if (sx != shape[0] || sy != shape[1] || sz != shape[2]) return BA_CORRUPT_INPUT;
    const int64_t xs = in[12], ys = in[13], zs = in[14], steps = xs * ys * zs;
    if (steps < 1 || steps > 64) return BA_CORRUPT_INPUT;
    const uint64_t id_size = rd(in + 15, 8), value_size = rd(in + 23, 4), loc_size = rd(in + 27, 8);
    const int conn = in[35];
    if (conn != 4 && conn != 6) return BA_CORRUPT_INPUT;
    if (version == 1 && conn == 6) return BA_CORRUPT_INPUT;
    const int ww = window_width(steps), iw = version == 1 ? index_width(sx, sy) : 0;
    /* Sections in order, each count checked against the bytes left (count <= rest / width: no overflow). */
    uint64_t rest = n - CPSO_HEADER;
    if (id_size > rest / (uint64_t)w) return BA_CORRUPT_INPUT;
    rest -= id_size * (uint64_t)w;
    if (value_size > rest / (uint64_t)ww) return BA_CORRUPT_INPUT;
    rest -= value_size * (uint64_t)ww;
    if (loc_size > rest / (uint64_t)w) return BA_CORRUPT_INPUT;
    rest -= loc_size * (uint64_t)w;
    const uint64_t index_bytes = 2 * (uint64_t)sz * (uint64_t)iw;
    if (index_bytes > rest) return BA_CORRUPT_INPUT;
    rest -= index_bytes;
    if (rest % (uint64_t)ww != 0 || value_size == 0) return BA_CORRUPT_INPUT;
    const uint8_t *ids = in + CPSO_HEADER, *vals = ids + id_size * (uint64_t)w, *locs = vals + value_size * (uint64_t)ww;
    const uint8_t *wins = locs + loc_size * (uint64_t)w, *index = in + n - index_bytes;

    const int64_t sxy = sx * sy, voxels = sxy * sz;
    const int64_t nx = (sx + xs - 1) / xs, ny = (sy + ys - 1) / ys, nz = (sz + zs - 1) / zs;
    const uint64_t blocks = (uint64_t)(nx * ny * nz);
    s->window = calloc(blocks, sizeof *s->window);
    s->values = malloc(value_size * sizeof *s->values);
    s->bnd = malloc((size_t)voxels);
    s->comp = malloc((size_t)voxels * sizeof *s->comp);
    s->par = malloc((size_t)(voxels + 1) * sizeof *s->par);
    s->ren = malloc((size_t)(voxels + 1) * sizeof *s->ren);
    s->per_slice = malloc((size_t)sz * sizeof *s->per_slice);
    s->loc_start = malloc((size_t)sz * sizeof *s->loc_start);
    if (!s->window || !s->values || !s->bnd || !s->comp || !s->par || !s->ren || !s->per_slice || !s->loc_start) return BA_NO_MEMORY;

    /* Runs -> one value index per block. */
    uint64_t b = 0;
    for (const uint8_t *p = wins; p < index; p += ww) {
        const uint64_t e = rd(p, ww), v = e >> 1;
        if (e & 1) {
            if (v == 0 || v > blocks - b) return BA_CORRUPT_INPUT; /* compresso never writes an empty run */
            b += v;
        } else {
            if (b >= blocks || v >= value_size) return BA_CORRUPT_INPUT;
            s->window[b++] = (uint32_t)v;
        }
    }
    if (b != blocks) return BA_CORRUPT_INPUT;

    for (uint64_t k = 0; k < value_size; k++) s->values[k] = rd(vals + k * (uint64_t)ww, ww);
    for (int64_t z = 0, i = 0; z < sz; z++) {
        const int64_t zb = nx * ny * (z / zs), zo = xs * ys * (z % zs);
        for (int64_t y = 0; y < sy; y++) {
            const int64_t yb = zb + nx * (y / ys), yo = zo + xs * (y % ys);
            /* Walk the row's blocks with counters: no division per voxel. */
            int64_t blk = yb, xo = 0;
            uint64_t m = s->values[s->window[blk]];
            for (int64_t x = 0; x < sx; x++, i++) {
                s->bnd[i] = (uint8_t)((m >> (yo + xo)) & 1);
                if (++xo == xs && x + 1 < sx) { xo = 0; m = s->values[s->window[++blk]]; }
            }
        }
    }

    const uint32_t count = components(s->bnd, sx, sy, sz, conn == 6, s->comp, s->per_slice, s->par, s->ren);
    if (count != id_size) return BA_CORRUPT_INPUT;
    for (int64_t i = 0; i < voxels; i++) {
        const uint32_t c = s->comp[i];
        wr(out + i * w, w, c ? rd(ids + (uint64_t)(c - 1) * (uint64_t)w, w) : 0);
    }

    const uint8_t *bnd = s->bnd;
    uint64_t li = 0;
    for (int64_t z = 0, i = 0; z < sz; z++) {
        s->loc_start[z] = li;
        for (int64_t y = 0; y < sy; y++) {
            for (int64_t x = 0; x < sx; x++, i++) {
                if (!bnd[i]) continue;
                int64_t from;
                if (x > 0 && !bnd[i - 1]) from = i - 1;
                else if (y > 0 && !bnd[i - sx]) from = i - sx;
                else if (conn == 6 && z > 0 && !bnd[i - sxy]) from = i - sxy;
                else {
                    if (li >= loc_size) return BA_CORRUPT_INPUT;
                    const uint64_t c = rd(locs + li++ * (uint64_t)w, w);
                    /* Forward copies must name a non-boundary voxel: a boundary one is not decoded yet. */
                    switch (c) {
                    case 0: from = x > 0 ? i - 1 : -1; break;
                    case 1: from = x < sx - 1 && !bnd[i + 1] ? i + 1 : -1; break;
                    case 2: from = y > 0 ? i - sx : -1; break;
                    case 3: from = y < sy - 1 && !bnd[i + sx] ? i + sx : -1; break;
                    case 4: from = z > 0 ? i - sxy : -1; break;
                    case 5: from = z < sz - 1 && !bnd[i + sxy] ? i + sxy : -1; break;
                    case 6:
                        if (li >= loc_size) return BA_CORRUPT_INPUT;
                        wr(out + i * w, w, rd(locs + li++ * (uint64_t)w, w));
                        continue;
                    default:
                        wr(out + i * w, w, c - 7);
                        continue;
                    }
                    if (from < 0) return BA_CORRUPT_INPUT;
                }
                memcpy(out + i * w, out + from * w, (size_t)w);
            }
        }
    }
    if (li != loc_size) return BA_CORRUPT_INPUT;
    if (version == 1) {
        for (int64_t z = 0; z < sz; z++) {
            const uint64_t cnt = rd(index + z * iw, iw), nloc = rd(index + (sz + z) * iw, iw);
            const uint64_t expect = z == 0 ? s->loc_start[0] : s->loc_start[z] - s->loc_start[z - 1];
            if (cnt != s->per_slice[z] || nloc != expect) return BA_CORRUPT_INPUT;
        }
    }
    return BA_OK;
}

ba_result ba_cpso_decode(const void *in, int64_t in_nbytes, const int64_t *shape, int32_t width, void *out, int64_t out_nbytes) {
    int64_t voxels;
    ba_result r = check_geometry(shape, width, &voxels);
    if (r != BA_OK) return r;
    if (in_nbytes < 0 || (!in && in_nbytes > 0) || !out || out_nbytes < 0) return BA_BAD_ARGUMENT;
    if (out_nbytes < voxels * width) return BA_INSUFFICIENT_SPACE;
    dec_scratch s = {0};
    r = decode(in, (uint64_t)in_nbytes, shape, width, out, &s);
    dec_free(&s);
    return r;
}

/* ---- encoder ---- */

static int64_t blocks_of(const int64_t *shape, int64_t xs, int64_t ys, int64_t zs) {
    return ((shape[0] + xs - 1) / xs) * ((shape[1] + ys - 1) / ys) * ((shape[2] + zs - 1) / zs);
}

ba_result ba_cpso_encode_bound(const int64_t *shape, int32_t width, int64_t *bound) {
    int64_t voxels;
    ba_result r = check_geometry(shape, width, &voxels);
    if (r != BA_OK) return r;
    if (!bound) return BA_BAD_ARGUMENT;
    /* ids + locations: a component per non-boundary voxel, at most 2 entries per boundary voxel;
     * windows: at most one value and one run entry per block, for either step grid. */
    int64_t w441 = 2 * blocks_of(shape, 4, 4, 1) * 2, w881 = 2 * blocks_of(shape, 8, 8, 1) * 8;
    *bound = CPSO_HEADER + 2 * voxels * width + (w441 > w881 ? w441 : w881) + 2 * shape[2] * index_width(shape[0], shape[1]);
    return BA_OK;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    uint8_t *bnd;
    uint32_t *comp, *par, *ren, *per_slice;
    uint64_t *mask, *values, *runs, *loc_start;
    uint64_t *slot_key, cap; /* the hash set of masks: cap slots, a power of two >= 2 x blocks */
    uint32_t *slot_index;
} enc_scratch;

/* The slot of a mask that is in the set. */
static inline uint64_t slot_of(const enc_scratch *s, uint64_t m) {
    uint64_t h = (m * 0x9E3779B97F4A7C15ull) >> 20 & (s->cap - 1);
    while (s->slot_key[h] != m) h = (h + 1) & (s->cap - 1);
    return h;
}

static void enc_free(enc_scratch *s) {
    free(s->bnd); free(s->comp); free(s->par); free(s->ren); free(s->per_slice);
    free(s->mask); free(s->values); free(s->runs); free(s->loc_start); free(s->slot_key); free(s->slot_index);
}

/* Windows for steps xs x ys x 1: sorted distinct masks into values, run entries into runs.
 * Returns 0 when an index exceeds what a run entry holds (then the caller tries 8x8x1). */
static int windows(const enc_scratch *s, int64_t sx, int64_t sy, int64_t sz, int64_t xs, int64_t ys,
                   uint64_t *nvalues, uint64_t *nruns) {
    const int64_t nx = (sx + xs - 1) / xs, ny = (sy + ys - 1) / ys, blocks = nx * ny * sz;
    memset(s->mask, 0, (size_t)blocks * sizeof *s->mask);
    for (int64_t z = 0, i = 0; z < sz; z++) {
        const int64_t zb = nx * ny * z;
        for (int64_t y = 0; y < sy; y++) {
            const int64_t yb = zb + nx * (y / ys), yo = xs * (y % ys);
            int64_t blk = yb, xo = 0;
            for (int64_t x = 0; x < sx; x++, i++) {
                if (s->bnd[i]) s->mask[blk] |= 1ull << (yo + xo);
                if (++xo == xs) { xo = 0; blk++; }
            }
        }
    }
    const int ww = window_width(xs * ys);
    /* Distinct masks through a hash set (segmentation has few), then sorted; the set then maps
     * each mask to its index. */
    const uint64_t cap = s->cap, none = UINT32_MAX;
    memset(s->slot_index, 0xFF, (size_t)cap * sizeof *s->slot_index);
    uint64_t d = 0;
    for (int64_t k = 0; k < blocks; k++) {
        const uint64_t m = s->mask[k];
        uint64_t h = (m * 0x9E3779B97F4A7C15ull) >> 20 & (cap - 1);
        while (s->slot_index[h] != none && s->slot_key[h] != m) h = (h + 1) & (cap - 1);
        if (s->slot_index[h] == none) { s->slot_key[h] = m; s->slot_index[h] = 0; s->values[d++] = m; }
    }
    qsort(s->values, (size_t)d, sizeof *s->values, cmp_u64);
    const uint64_t max_run = ww == 8 ? UINT64_MAX / 2 : ((1ull << (8 * ww)) - 1) / 2;
    if (d - 1 > max_run) return 0;
    for (uint64_t k = 0; k < d; k++) s->slot_index[slot_of(s, s->values[k])] = (uint32_t)k;
    uint64_t zeros = 0, r = 0;
    for (int64_t k = 0; k < blocks; k++) {
        const uint64_t index = s->slot_index[slot_of(s, s->mask[k])];
        if (index == 0) {
            if (++zeros == max_run) { s->runs[r++] = (zeros << 1) | 1; zeros = 0; }
            continue;
        }
        if (zeros) { s->runs[r++] = (zeros << 1) | 1; zeros = 0; }
        s->runs[r++] = index << 1;
    }
    if (zeros) s->runs[r++] = (zeros << 1) | 1;
    *nvalues = d;
    *nruns = r;
    return 1;
}

/* The location entries of one boundary voxel that needs them (0, 1 or 2), as compresso with the
 * z index chooses them; returns how many were written to e. */
static int location(const uint8_t *in, const uint8_t *bnd, int w, int64_t i, int64_t x, int64_t y, int64_t sx,
                    int64_t sy, uint64_t max, uint64_t e[2]) {
    const uint64_t v = rd(in + i * w, w);
    if (x < sx - 1 && !bnd[i + 1] && rd(in + (i + 1) * w, w) == v) { e[0] = 1; return 1; }
    if (y < sy - 1 && !bnd[i + sx] && rd(in + (i + sx) * w, w) == v) { e[0] = 3; return 1; }
    if (v > max - 7) { e[0] = 6; e[1] = v; return 2; }
    e[0] = v + 7;
    return 1;
}

static ba_result encode(const uint8_t *in, const int64_t *shape, int w, uint8_t *out, uint64_t cap, int64_t *written,
                      enc_scratch *s) {
    const int64_t sx = shape[0], sy = shape[1], sz = shape[2], sxy = sx * sy, voxels = sxy * sz;
    const int64_t blocks = blocks_of(shape, 4, 4, 1); /* the finer grid has the most blocks */
    s->bnd = malloc((size_t)voxels);
    s->comp = malloc((size_t)voxels * sizeof *s->comp);
    s->par = malloc((size_t)(voxels + 1) * sizeof *s->par);
    s->ren = malloc((size_t)(voxels + 1) * sizeof *s->ren);
    s->per_slice = malloc((size_t)sz * sizeof *s->per_slice);
    s->loc_start = malloc((size_t)sz * sizeof *s->loc_start);
    s->mask = malloc((size_t)blocks * sizeof *s->mask);
    s->values = malloc((size_t)blocks * sizeof *s->values);
    s->runs = malloc((size_t)blocks * sizeof *s->runs);
    for (s->cap = 16; s->cap < 2 * (uint64_t)blocks; s->cap <<= 1) {}
    s->slot_key = malloc((size_t)s->cap * sizeof *s->slot_key);
    s->slot_index = malloc((size_t)s->cap * sizeof *s->slot_index);
    if (!s->bnd || !s->comp || !s->par || !s->ren || !s->per_slice || !s->loc_start || !s->mask || !s->values || !s->runs || !s->slot_key || !s->slot_index) return BA_NO_MEMORY;

    for (int64_t z = 0, i = 0; z < sz; z++)
        for (int64_t y = 0; y < sy; y++)
            for (int64_t x = 0; x < sx; x++, i++) {
                const uint64_t v = rd(in + i * w, w);
                s->bnd[i] = (x < sx - 1 && v != rd(in + (i + 1) * w, w)) || (y < sy - 1 && v != rd(in + (i + sx) * w, w));
            }
    const uint32_t count = components(s->bnd, sx, sy, sz, 0, s->comp, s->per_slice, s->par, s->ren);

    const uint64_t max = w == 8 ? UINT64_MAX : (1ull << (8 * w)) - 1;
    uint64_t nloc = 0, e[2];
    for (int64_t z = 0, i = 0; z < sz; z++) {
        s->loc_start[z] = nloc;
        for (int64_t y = 0; y < sy; y++)
            for (int64_t x = 0; x < sx; x++, i++) {
                if (!s->bnd[i] || (x > 0 && !s->bnd[i - 1]) || (y > 0 && !s->bnd[i - sx])) continue;
                nloc += (uint64_t)location(in, s->bnd, w, i, x, y, sx, sy, max, e);
            }
    }

    int64_t xs = 4, ys = 4;
    uint64_t nvalues, nruns;
    if (!windows(s, sx, sy, sz, 4, 4, &nvalues, &nruns)) {
        xs = ys = 8;
        windows(s, sx, sy, sz, 8, 8, &nvalues, &nruns); /* 64-bit run entries index anything */
    }
    const int ww = window_width(xs * ys), iw = index_width(sx, sy);
    const uint64_t size = CPSO_HEADER + ((uint64_t)count + nloc) * (uint64_t)w + (nvalues + nruns) * (uint64_t)ww
                          + 2 * (uint64_t)sz * (uint64_t)iw;
    if (size > cap) return BA_INSUFFICIENT_SPACE;

    memcpy(out, "cpso", 4);
    out[4] = 1; /* version 1: with the z index */
    out[5] = (uint8_t)w;
    wr(out + 6, 2, (uint64_t)sx); wr(out + 8, 2, (uint64_t)sy); wr(out + 10, 2, (uint64_t)sz);
    out[12] = (uint8_t)xs; out[13] = (uint8_t)ys; out[14] = 1;
    wr(out + 15, 8, count); wr(out + 23, 4, nvalues); wr(out + 27, 8, nloc);
    out[35] = 4;
    uint8_t *p = out + CPSO_HEADER;
    /* Components are numbered by first appearance, so a raster scan meets their ids in order. */
    uint32_t seen = 0;
    for (int64_t i = 0; i < voxels && seen < count; i++) {
        if (s->comp[i] == seen + 1) { wr(p, w, rd(in + i * w, w)); p += w; seen++; }
    }
    for (uint64_t k = 0; k < nvalues; k++) { wr(p, ww, s->values[k]); p += ww; }
    for (int64_t z = 0, i = 0; z < sz; z++)
        for (int64_t y = 0; y < sy; y++)
            for (int64_t x = 0; x < sx; x++, i++) {
                if (!s->bnd[i] || (x > 0 && !s->bnd[i - 1]) || (y > 0 && !s->bnd[i - sx])) continue;
                const int k = location(in, s->bnd, w, i, x, y, sx, sy, max, e);
                for (int j = 0; j < k; j++) { wr(p, w, e[j]); p += w; }
            }
    for (uint64_t k = 0; k < nruns; k++) { wr(p, ww, s->runs[k]); p += ww; }
    for (int64_t z = 0; z < sz; z++) { wr(p, iw, s->per_slice[z]); p += iw; }
    for (int64_t z = 0; z < sz; z++) { wr(p, iw, z == 0 ? s->loc_start[0] : s->loc_start[z] - s->loc_start[z - 1]); p += iw; }
    *written = (int64_t)size;
    return BA_OK;
}

ba_result ba_cpso_encode(const void *in, int64_t in_nbytes, const int64_t *shape, int32_t width, void *out, int64_t out_nbytes,
                         int64_t *out_written) {
    int64_t voxels;
    ba_result r = check_geometry(shape, width, &voxels);
    if (r != BA_OK) return r;
    if (!in || !out || !out_written || in_nbytes < 0 || out_nbytes < 0) return BA_BAD_ARGUMENT;
    if (in_nbytes < voxels * width) return BA_OUT_OF_BOUNDS;
    enc_scratch s = {0};
    r = encode(in, shape, width, out, (uint64_t)out_nbytes, out_written, &s);
    enc_free(&s);
    return r;
}
