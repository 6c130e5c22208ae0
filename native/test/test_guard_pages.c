/*
 * Property: no kernel reads or writes a byte outside its buffers. Every buffer here is placed
 * against a page mapped PROT_NONE, its last byte just before the guard page (overruns) or its
 * first byte just after one (underruns), so a single byte read or written outside it is a
 * SIGSEGV, not a silent pass (ASan does not watch mmap'ed memory; the guard pages do, in every
 * build). Runs:
 *  - the decoders of untrusted bytes, ba_cseg_decode and ba_cpso_decode, on exact-size valid
 *    chunks, every (or, for long ones, many) truncations of them, damaged copies and garbage,
 *    into outputs of exactly the chunk's size, and one byte short;
 *  - the kernels that read a caller's buffer (ba_copy, ba_gather, ba_downsample) and write one
 *    (those and ba_fill) on boxes that end exactly at a buffer's end, and with one byte less,
 *    including outputs of 8 MiB and more (the non-temporal paths).
 * ctest runs it on each instruction set (the _baseline and _avx2 variants) and under ASan+UBSan.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS under -std=c11 */
#include <sys/mman.h>
#include <unistd.h>

#include "test_util.h"

typedef struct guarded {
    uint8_t *map;
    size_t len;
    uint8_t *p;
} guarded;

/* n bytes (n >= 0) between two PROT_NONE pages: ending at the upper one (tail) or starting at the lower one. */
static uint8_t *guard_alloc(guarded *g, int64_t n, int tail) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t data = ((size_t)n + page - 1) / page * page + (n == 0 ? page : 0);
    g->len = data + 2 * page;
    g->map = mmap(NULL, g->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(g->map != MAP_FAILED, "mmap of %zu bytes", g->len);
    CHECK(mprotect(g->map, page, PROT_NONE) == 0 && mprotect(g->map + page + data, page, PROT_NONE) == 0, "mprotect");
    g->p = tail ? g->map + page + data - n : g->map + page;
    return g->p;
}

static uint8_t *guard_copy(guarded *g, const uint8_t *src, int64_t n, int tail) {
    uint8_t *p = guard_alloc(g, n, tail);
    if (n > 0) memcpy(p, src, (size_t)n);
    return p;
}

static void guard_free(guarded *g) { munmap(g->map, g->len); }

/* The byte just past a non-empty box: offset + elem_size + sum((shape - 1) * stride). */
static int64_t box_end(int64_t offset, const int64_t *strides, const int64_t *shape, int rank, int64_t e) {
    int64_t end = offset + e;
    for (int i = 0; i < rank; i++) end += (shape[i] - 1) * strides[i];
    return end;
}

static void random_labels(uint8_t *p, int64_t n, int width, int labels) {
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = labels ? (uint64_t)rnd_below(labels) * 0x10001ull + 3 : rnd();
        memcpy(p + i * width, &v, (size_t)width); /* little-endian: the low bytes */
    }
}

typedef ba_result (*decode_fn)(const uint8_t *in, int64_t n, uint8_t *out, int64_t out_n, const void *geometry);

/* Decode exact-size copies of enc (and its truncations and damaged copies) into exact-size outputs. */
static int decoded = 0, refused = 0;

static void decode_guarded(decode_fn decode, const void *geo, const uint8_t *enc, int64_t n, int64_t out_n,
                           const uint8_t *expect, int tail) {
    guarded gi, go;
    uint8_t *in = guard_copy(&gi, enc, n, tail), *out = guard_alloc(&go, out_n, !tail);
    ba_result r = decode(in, n, out, out_n, geo);
    if (expect) {
        CHECK(r == BA_OK, "exact-size valid input gave %d", r);
        CHECK(memcmp(out, expect, (size_t)out_n) == 0, "decoded bytes differ");
    } else {
        CHECK(r == BA_OK || r == BA_CORRUPT_INPUT, "damaged input of %lld bytes gave %d", (long long)n, r);
        if (r == BA_OK) decoded++; else refused++;
    }
    guard_free(&gi);
    guard_free(&go);
}

static void damaged_inputs(decode_fn decode, const void *geo, const uint8_t *enc, int64_t n, int64_t out_n,
                           const uint8_t *raw) {
    for (int tail = 0; tail < 2; tail++) decode_guarded(decode, geo, enc, n, out_n, raw, tail);
    /* One byte short of the output: refused before anything is written. */
    guarded gi, go;
    uint8_t *in = guard_copy(&gi, enc, n, 1), *out = guard_alloc(&go, out_n - 1, 1);
    CHECK(decode(in, n, out, out_n - 1, geo) == BA_INSUFFICIENT_SPACE, "output one byte short");
    guard_free(&gi);
    guard_free(&go);
    /* Truncations: every length of a short stream; of a long one the shortest, the longest and some between. */
    for (int64_t len = 0; len < n; len++) {
        if (n > 256 && len > 64 && len < n - 64 && rnd_below(16) != 0) continue;
        decode_guarded(decode, geo, enc, len, out_n, NULL, (int)(len & 1));
    }
    uint8_t *bad = malloc((size_t)n + 1);
    CHECK(bad != NULL, "out of memory");
    for (int k = 0; k < 60; k++) {
        memcpy(bad, enc, (size_t)n);
        switch (k % 4) {
        case 0: /* bit flips */
            for (int f = 0; f < 1 + k % 3; f++) bad[rnd_below(n)] ^= (uint8_t)(1u << rnd_below(8));
            break;
        case 1: { /* a 32-bit word (an offset, a count, a header field) set to an extreme or random value */
            const uint32_t vals[] = {0, 1, 0xFFFFFFFFu, 0x80000000u, (uint32_t)n, (uint32_t)(n / 4), (uint32_t)rnd()};
            uint32_t v = vals[rnd_below(7)];
            int64_t at = n >= 4 ? rnd_below(n - 3) : 0;
            if (n >= 4) memcpy(bad + at, &v, 4);
            break;
        }
        case 2: /* a byte set anywhere, often in the header */
            bad[rnd_below(k % 8 == 2 && n > 40 ? 40 : n)] = (uint8_t)rnd();
            break;
        default: /* garbage of the same length */
            fill_random(bad, n);
        }
        decode_guarded(decode, geo, bad, n, out_n, NULL, k & 1);
    }
    free(bad);
}

/* ---- compressed_segmentation ---- */

typedef struct cseg_geo {
    int64_t shape[3];
    int32_t block[3], channels, wpv;
} cseg_geo;

static ba_result cseg_decode(const uint8_t *in, int64_t n, uint8_t *out, int64_t out_n, const void *geo) {
    const cseg_geo *g = geo;
    return ba_cseg_decode(in, n, g->shape, g->channels, g->block, g->wpv, out, out_n);
}

static void cseg_cases(void) {
    for (int trial = 0; trial < 80; trial++) {
        cseg_geo g = {{1 + rnd_below(12), 1 + rnd_below(12), 1 + rnd_below(6)},
                      {(int32_t)(1 + rnd_below(8)), (int32_t)(1 + rnd_below(8)), (int32_t)(1 + rnd_below(4))},
                      (int32_t)(1 + rnd_below(2)), (int32_t)(1 + rnd_below(2))};
        const int64_t n = g.shape[0] * g.shape[1] * g.shape[2] * g.channels, bytes = n * 4 * g.wpv;
        uint8_t *raw = malloc((size_t)bytes);
        CHECK(raw != NULL, "out of memory");
        random_labels(raw, n, 4 * g.wpv, trial % 4 == 0 ? 0 : (int)(1 + rnd_below(trial % 3 == 0 ? 70 : 5)));
        int64_t bound = 0, written = 0;
        CHECK(ba_cseg_encode_bound(g.shape, g.channels, g.block, g.wpv, &bound) == BA_OK, "bound");
        /* The encoder too, into an exact-bound output against a guard page, from an exact-size input. */
        guarded gi, go;
        uint8_t *in = guard_copy(&gi, raw, bytes, 1), *enc = guard_alloc(&go, bound, 1);
        CHECK(ba_cseg_encode(in, bytes, g.shape, g.channels, g.block, g.wpv, enc, bound, &written) == BA_OK, "encode");
        uint8_t *copy = malloc((size_t)written);
        CHECK(copy != NULL, "out of memory");
        memcpy(copy, enc, (size_t)written);
        guard_free(&go);
        /* An output exactly the encoding's size, and one word short (refused, nothing written past it). */
        enc = guard_alloc(&go, written, 1);
        CHECK(ba_cseg_encode(in, bytes, g.shape, g.channels, g.block, g.wpv, enc, written, &written) == BA_OK, "exact-size encode");
        guard_free(&go);
        enc = guard_alloc(&go, written - 4, 1);
        int64_t w2;
        CHECK(ba_cseg_encode(in, bytes, g.shape, g.channels, g.block, g.wpv, enc, written - 4, &w2) == BA_INSUFFICIENT_SPACE, "short encode");
        guard_free(&go);
        guard_free(&gi);
        damaged_inputs(cseg_decode, &g, copy, written, bytes, raw);
        free(copy);
        free(raw);
    }
}

/* ---- compresso ---- */

typedef struct cpso_geo {
    int64_t shape[3];
    int32_t width;
} cpso_geo;

static ba_result cpso_decode(const uint8_t *in, int64_t n, uint8_t *out, int64_t out_n, const void *geo) {
    const cpso_geo *g = geo;
    return ba_cpso_decode(in, n, g->shape, g->width, out, out_n);
}

static void cpso_cases(void) {
    for (int trial = 0; trial < 60; trial++) {
        cpso_geo g = {{1 + rnd_below(14), 1 + rnd_below(14), 1 + rnd_below(4)}, (int32_t)(1 << rnd_below(4))};
        const int64_t n = g.shape[0] * g.shape[1] * g.shape[2], bytes = n * g.width;
        uint8_t *raw = malloc((size_t)bytes);
        CHECK(raw != NULL, "out of memory");
        /* Few labels in runs (boundaries and components), or noise (every voxel a boundary). */
        if (trial % 3 == 0) random_labels(raw, n, g.width, 0);
        else {
            for (int64_t i = 0; i < n; i++) {
                uint64_t v = (uint64_t)((i / (1 + trial % 5)) % (1 + trial % 4)) * 77 + (trial & 1 ? UINT64_MAX - 3 : 0);
                memcpy(raw + i * g.width, &v, (size_t)g.width);
            }
        }
        int64_t bound = 0, written = 0;
        CHECK(ba_cpso_encode_bound(g.shape, g.width, &bound) == BA_OK, "bound");
        guarded gi, go;
        uint8_t *in = guard_copy(&gi, raw, bytes, 1), *enc = guard_alloc(&go, bound, 1);
        CHECK(ba_cpso_encode(in, bytes, g.shape, g.width, enc, bound, &written) == BA_OK, "encode");
        uint8_t *copy = malloc((size_t)written);
        CHECK(copy != NULL, "out of memory");
        memcpy(copy, enc, (size_t)written);
        guard_free(&go);
        enc = guard_alloc(&go, written - 1, 1);
        int64_t w2;
        CHECK(ba_cpso_encode(in, bytes, g.shape, g.width, enc, written - 1, &w2) == BA_INSUFFICIENT_SPACE, "short encode");
        guard_free(&go);
        guard_free(&gi);
        damaged_inputs(cpso_decode, &g, copy, written, bytes, raw);
        free(copy);
        free(raw);
    }
}

/* ---- copy and fill ---- */

static void copy_fill_cases(void) {
    for (int iter = 0; iter < 400; iter++) {
        const int big = iter % 100 == 0; /* >= 8 MiB outputs: the non-temporal stores */
        int rank = big ? 3 : 1 + (int)rnd_below(4);
        int64_t e = big ? 1 : 1 + rnd_below(9);
        int64_t shape[BA_MAX_RANK], ss[BA_MAX_RANK], ds[BA_MAX_RANK], so, dof;
        for (int i = 0; i < rank; i++) shape[i] = big ? (i == 0 ? 512 + rnd_below(256) : 130) : 1 + rnd_below(9);
        random_layout(shape, rank, e, ss, &so);
        random_layout(shape, rank, e, ds, &dof);
        if (big) { /* dense: long rows */
            so = dof = 0;
            ss[0] = ds[0] = e;
            for (int i = 1; i < rank; i++) ss[i] = ds[i] = ds[i - 1] * shape[i - 1];
        }
        const int64_t send = box_end(so, ss, shape, rank, e), dend = box_end(dof, ds, shape, rank, e);
        uint8_t *ref_src = malloc((size_t)send), *ref_dst = calloc((size_t)dend, 1);
        CHECK(ref_src && ref_dst, "out of memory");
        fill_random(ref_src, send);
        reference_copy(ref_src, so, ss, ref_dst, dof, ds, shape, rank, e);
        const int tail = iter & 1;
        guarded gs, gd;
        uint8_t *src = guard_copy(&gs, ref_src, send, tail), *dst = guard_alloc(&gd, dend, tail);
        CHECK(ba_copy(src, send, so, ss, dst, dend, dof, ds, shape, rank, e) == BA_OK, "exact-size copy");
        /* Bytes between elements are 0 in both: the reference started from zeros, mmap gives zeros. */
        CHECK(memcmp(dst, ref_dst, (size_t)dend) == 0, "copy differs from the reference");
        CHECK(ba_fill(dst, dend, dof, ds, shape, rank, e, rnd()) == BA_OK, "exact-size fill");
        guard_free(&gs);
        guard_free(&gd);
        /* One byte less than the box: refused, whichever side of the buffer the guard is on. */
        src = guard_copy(&gs, ref_src, send - 1, tail);
        dst = guard_alloc(&gd, dend, tail);
        CHECK(ba_copy(src, send - 1, so, ss, dst, dend, dof, ds, shape, rank, e) == BA_OUT_OF_BOUNDS, "short source");
        guard_free(&gs);
        guard_free(&gd);
        src = guard_copy(&gs, ref_src, send, tail);
        dst = guard_alloc(&gd, dend - 1, tail);
        CHECK(ba_copy(src, send, so, ss, dst, dend - 1, dof, ds, shape, rank, e) == BA_OUT_OF_BOUNDS, "short destination");
        CHECK(ba_fill(dst, dend - 1, dof, ds, shape, rank, e, 1) == BA_OUT_OF_BOUNDS, "short fill");
        guard_free(&gs);
        guard_free(&gd);
        free(ref_src);
        free(ref_dst);
    }
}

/* ---- gather ---- */

#define MAX_SRC 70 /* more than the 64 pieces kept on the stack */

static void gather_cases(void) {
    static guarded gs[MAX_SRC];
    static const uint8_t *srcs[MAX_SRC];
    static uint8_t *ref[MAX_SRC];
    static int64_t nbytes[MAX_SRC], offsets[MAX_SRC], extents[MAX_SRC], strides[MAX_SRC * BA_MAX_RANK];
    for (int iter = 0; iter < 300; iter++) {
        const int big = iter % 75 == 0, many = iter % 50 == 1;
        const int rank = big ? 3 : 1 + (int)rnd_below(4);
        const int64_t e = big ? (iter & 1 ? 1 : 8) : 1 + rnd_below(9);
        const int nsrc = many ? MAX_SRC : big ? 1 + (int)rnd_below(4) : (int)rnd_below(8);
        int64_t shape[BA_MAX_RANK], ds[BA_MAX_RANK], dof = 0;
        int64_t x = 0;
        for (int k = 0; k < nsrc; k++) {
            extents[k] = big ? 40 + rnd_below(300) : rnd_below(5) == 0 ? 0 : 1 + rnd_below(many ? 3 : 20);
            x += extents[k];
        }
        shape[0] = x;
        for (int i = 1; i < rank; i++) shape[i] = big ? (i == 1 ? 100 : (9 << 20) / (x * e * 100) + 1) : 1 + rnd_below(6);
        if (big) {
            ds[0] = e;
            for (int i = 1; i < rank; i++) ds[i] = ds[i - 1] * shape[i - 1];
        } else {
            random_layout(shape, rank, e, ds, &dof);
        }
        const int tail = iter & 1;
        for (int k = 0; k < nsrc; k++) {
            int64_t ps[BA_MAX_RANK];
            memcpy(ps, shape, sizeof ps);
            ps[0] = extents[k] ? extents[k] : 1;
            random_layout(ps, rank, e, strides + k * rank, &offsets[k]);
            if (big) {
                offsets[k] = 0;
                strides[k * rank] = e;
                for (int i = 1; i < rank; i++) strides[k * rank + i] = strides[k * rank + i - 1] * ps[i - 1];
            }
            nbytes[k] = box_end(offsets[k], strides + k * rank, ps, rank, e);
            ref[k] = malloc((size_t)nbytes[k]);
            CHECK(ref[k] != NULL, "out of memory");
            fill_random(ref[k], nbytes[k]);
            srcs[k] = guard_copy(&gs[k], ref[k], nbytes[k], tail);
        }
        const int64_t dn = x > 0 ? box_end(dof, ds, shape, rank, e) : 0;
        uint8_t *expect = calloc((size_t)(dn ? dn : 1), 1);
        CHECK(expect != NULL, "out of memory");
        int64_t d = dof;
        for (int k = 0; k < nsrc; k++) {
            int64_t ps[BA_MAX_RANK];
            memcpy(ps, shape, sizeof ps);
            ps[0] = extents[k];
            if (extents[k] > 0) reference_copy(ref[k], offsets[k], strides + k * rank, expect, d, ds, ps, rank, e);
            d += extents[k] * ds[0];
        }
        guarded gd;
        uint8_t *dst = guard_alloc(&gd, dn, tail);
        ba_result r = ba_gather(nsrc, (const void *const *)srcs, nbytes, offsets, strides, extents, dst, dn, dof, ds, shape, rank, e);
        CHECK(r == BA_OK, "exact-size gather of %d sources gave %d", nsrc, r);
        CHECK(memcmp(dst, expect, (size_t)dn) == 0, "gather differs from the reference");
        guard_free(&gd);
        if (x > 0) {
            /* The destination one byte short, then one source one byte short (its guard moved in). */
            dst = guard_alloc(&gd, dn - 1, tail);
            r = ba_gather(nsrc, (const void *const *)srcs, nbytes, offsets, strides, extents, dst, dn - 1, dof, ds, shape, rank, e);
            CHECK(r == BA_OUT_OF_BOUNDS, "short destination gave %d", r);
            guard_free(&gd);
            int k = (int)rnd_below(nsrc);
            while (extents[k] == 0) k = (k + 1) % nsrc;
            guard_free(&gs[k]);
            srcs[k] = guard_copy(&gs[k], ref[k], nbytes[k] - 1, tail);
            nbytes[k]--;
            dst = guard_alloc(&gd, dn, tail);
            r = ba_gather(nsrc, (const void *const *)srcs, nbytes, offsets, strides, extents, dst, dn, dof, ds, shape, rank, e);
            CHECK(r == BA_OUT_OF_BOUNDS, "short source gave %d", r);
            guard_free(&gd);
        }
        for (int k = 0; k < nsrc; k++) {
            guard_free(&gs[k]);
            free(ref[k]);
        }
        free(expect);
    }
}

/* ---- downsample ---- */

static const int64_t DT_SIZE[] = {1, 1, 2, 2, 4, 4, 8, 8, 4, 8, 1};

static void downsample_cases(void) {
    for (int iter = 0; iter < 400; iter++) {
        const ba_dtype dt = (ba_dtype)rnd_below(11);
        const ba_ds_method method = (ba_ds_method)rnd_below(5);
        const int64_t es = DT_SIZE[dt];
        int64_t shape[4], factor[3], phase[3], m[3];
        int64_t in_n = es, out_n = es;
        for (int d = 0; d < 3; d++) {
            /* Factors 2,2,1 / 2,2,2 often: the fast paths read whole rows. */
            factor[d] = iter % 3 == 0 ? (d < 2 ? 2 : 1 + (iter & 1)) : 1 + rnd_below(4);
            phase[d] = iter % 4 == 0 ? rnd_below(factor[d]) : 0;
            shape[d] = 1 + rnd_below(d == 0 ? 40 : 9);
            m[d] = (phase[d] + shape[d] + factor[d] - 1) / factor[d];
            in_n *= shape[d];
            out_n *= m[d];
        }
        shape[3] = 1 + rnd_below(2);
        in_n *= shape[3];
        out_n *= shape[3];
        const int sparse = (int)rnd_below(4) == 0;
        const int tail = iter & 1;
        guarded gi, go;
        uint8_t *in = guard_alloc(&gi, in_n, tail), *out = guard_alloc(&go, out_n, !tail);
        for (int64_t i = 0; i < in_n; i++) in[i] = (uint8_t)(rnd_below(3) == 0 ? rnd() : 0); /* repeats for mode/median */
        ba_result r = ba_downsample(in, in_n, shape, dt, method, sparse, 0, factor, phase, out, out_n);
        CHECK(r == BA_OK, "exact-size downsample (type %d, method %d) gave %d", dt, method, r);
        CHECK(ba_downsample(in, in_n - 1, shape, dt, method, sparse, 0, factor, phase, out, out_n) == BA_OUT_OF_BOUNDS, "short input");
        CHECK(ba_downsample(in, in_n, shape, dt, method, sparse, 0, factor, phase, out, out_n - 1) == BA_OUT_OF_BOUNDS, "short output");
        guard_free(&gi);
        guard_free(&go);
    }
}

int main(void) {
    cseg_cases();
    cpso_cases();
    copy_fill_cases();
    gather_cases();
    downsample_cases();
    printf("guard pages: no access outside any buffer (%d damaged inputs decoded, %d refused; walks %s / %s)\n", decoded,
           refused, ba_simd_path(), ba_gather_path());
    return 0;
}
