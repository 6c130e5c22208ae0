/*
 * Two builds of libbigarrays side by side in one process (dlopen), for a before/after check of
 * the C kernels that does not depend on the machine being quiet: each kernel is called on the
 * same buffers by build A then build B, alternating, and the best (minimum) thread CPU time per
 * call of each is kept. Prints, per kernel, A's and B's best time and B's speed relative to A.
 *
 *   cc -O2 -o /tmp/compare_libs native/bench/compare_libs.c -ldl
 *   /tmp/compare_libs OLD/libbigarrays.so NEW/libbigarrays.so [rounds]
 *
 * Only calls whose signatures are the same in ABI versions 3 and 4 (the encoders write into a
 * buffer sized here, not by their bound functions, whose signature changed in 4).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int32_t (*copy_fn)(const void *, int64_t, int64_t, const int64_t *, void *, int64_t, int64_t, const int64_t *,
                           const int64_t *, int32_t, int64_t);
typedef int32_t (*gather_fn)(int32_t, const void *const *, const int64_t *, const int64_t *, const int64_t *, const int64_t *,
                             void *, int64_t, int64_t, const int64_t *, const int64_t *, int32_t, int64_t);
typedef int32_t (*fill_fn)(void *, int64_t, int64_t, const int64_t *, const int64_t *, int32_t, int64_t, uint64_t);
typedef int32_t (*cseg_dec_fn)(const void *, int64_t, const int64_t *, int32_t, const int32_t *, int32_t, void *, int64_t);
typedef int32_t (*cseg_enc_fn)(const void *, int64_t, const int64_t *, int32_t, const int32_t *, int32_t, void *, int64_t, int64_t *);
typedef int32_t (*cpso_dec_fn)(const void *, int64_t, const int64_t *, int32_t, void *, int64_t);
typedef int32_t (*cpso_enc_fn)(const void *, int64_t, const int64_t *, int32_t, void *, int64_t, int64_t *);
typedef int32_t (*ds_fn)(const void *, int64_t, const int64_t *, int32_t, int32_t, int32_t, uint64_t, const int64_t *,
                         const int64_t *, void *, int64_t);

typedef struct lib {
    copy_fn copy;
    gather_fn gather;
    fill_fn fill;
    cseg_dec_fn cseg_dec;
    cseg_enc_fn cseg_enc;
    cpso_dec_fn cpso_dec;
    cpso_enc_fn cpso_enc;
    ds_fn ds;
} lib;

static void *sym(void *h, const char *name) {
    void *p = dlsym(h, name);
    if (!p) { fprintf(stderr, "%s: %s\n", name, dlerror()); exit(2); }
    return p;
}

static lib open_lib(const char *path) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "%s\n", dlerror()); exit(2); }
    lib l = {sym(h, "ba_copy"), sym(h, "ba_gather"), sym(h, "ba_fill"), sym(h, "ba_cseg_decode"), sym(h, "ba_cseg_encode"),
             sym(h, "ba_cpso_decode"), sym(h, "ba_cpso_encode"), sym(h, "ba_downsample")};
    return l;
}

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

/* The state of every case: buffers built once, shared by both libraries. */
enum { N = 64 };
static uint8_t *chunk8, *out512, *labels64, *labels32, *cseg_enc, *cpso_enc, *back, *em, *ds_out;
static int64_t cseg_n, cpso_n;
static const uint8_t *srcs[8];
static int64_t src_nbytes[8], src_offsets[8], src_strides[8 * 3], extents[8];

static void setup(const lib *l) {
    chunk8 = malloc(N * N * N);
    for (int i = 0; i < N * N * N; i++) chunk8[i] = (uint8_t)rnd();
    out512 = calloc((size_t)512 * 512 * 64, 1); /* a 512 x 512 x 64 slab of a 512^3 uint8 cutout: 16 MiB */
    for (int k = 0; k < 8; k++) {
        srcs[k] = chunk8;
        src_nbytes[k] = N * N * N;
        src_offsets[k] = 0;
        src_strides[k * 3] = 1; src_strides[k * 3 + 1] = N; src_strides[k * 3 + 2] = N * N;
        extents[k] = N;
    }
    /* Segmentation-like uint64 labels: a few per 8^3 block (slabs along x). */
    labels64 = malloc((size_t)N * N * N * 8);
    labels32 = malloc((size_t)N * N * N * 4);
    for (int64_t z = 0, i = 0; z < N; z++)
        for (int64_t y = 0; y < N; y++)
            for (int64_t x = 0; x < N; x++, i++) {
                uint64_t v = 1000 + (uint64_t)(x / 13) + 7 * (uint64_t)(y / 17) + 31 * (uint64_t)(z / 11);
                memcpy(labels64 + 8 * i, &v, 8);
                uint32_t w = (uint32_t)v;
                memcpy(labels32 + 4 * i, &w, 4);
            }
    const int64_t shape[3] = {N, N, N};
    const int32_t block[3] = {8, 8, 8};
    cseg_enc = malloc(8 << 20);
    if (l->cseg_enc(labels64, N * N * N * 8, shape, 1, block, 2, cseg_enc, 8 << 20, &cseg_n) != 0) { fprintf(stderr, "cseg encode\n"); exit(2); }
    cpso_enc = malloc(8 << 20);
    if (l->cpso_enc(labels32, N * N * N * 4, shape, 4, cpso_enc, 8 << 20, &cpso_n) != 0) { fprintf(stderr, "cpso encode\n"); exit(2); }
    back = malloc((size_t)N * N * N * 8);
    em = malloc((size_t)256 * 256 * 64 * 8);
    for (int64_t i = 0; i < 256 * 256 * 64 * 8; i++) em[i] = (uint8_t)(rnd() & 0x3);
    ds_out = malloc((size_t)128 * 128 * 32 * 8);
}

/* One call of case c with library l. */
static void run(int c, const lib *l) {
    const int64_t shape[3] = {N, N, N}, cs[3] = {1, N, N * N};
    const int32_t block[3] = {8, 8, 8};
    int32_t r = 0;
    switch (c) {
    case 0: { /* ba_copy: one 64^3 chunk into a 512^3 cutout's slab (64-byte rows) */
        const int64_t ds[3] = {1, 512, 512 * 512};
        r = l->copy(chunk8, N * N * N, 0, cs, out512, (int64_t)512 * 512 * 64, 64 + 512 * 64, ds, shape, 3, 1);
        break;
    }
    case 1: { /* ba_gather: a row of 8 chunks 64^3 into the 16 MiB slab (raster order, non-temporal) */
        const int64_t ds[3] = {1, 512, 512 * 512}, gs[3] = {512, N, N};
        r = l->gather(8, (const void *const *)srcs, src_nbytes, src_offsets, src_strides, extents, out512, (int64_t)512 * 512 * 64, 0, ds, gs, 3, 1);
        break;
    }
    case 2: { /* ba_fill of a 64^3 box in the slab */
        const int64_t ds[3] = {1, 512, 512 * 512};
        r = l->fill(out512, (int64_t)512 * 512 * 64, 0, ds, shape, 3, 1, 7);
        break;
    }
    case 3: r = l->cseg_dec(cseg_enc, cseg_n, shape, 1, block, 2, back, N * N * N * 8); break;
    case 4: { int64_t w; r = l->cseg_enc(labels64, N * N * N * 8, shape, 1, block, 2, cseg_enc + (4 << 20), 4 << 20, &w); break; }
    case 5: r = l->cpso_dec(cpso_enc, cpso_n, shape, 4, back, N * N * N * 4); break;
    case 6: { /* downsample mean uint8 256x256x64 by 2x2x2 */
        const int64_t in_shape[4] = {256, 256, 64, 1}, f[3] = {2, 2, 2}, ph[3] = {0, 0, 0};
        r = l->ds(em, 256 * 256 * 64, in_shape, 0, 0, 0, 0, f, ph, ds_out, 128 * 128 * 32);
        break;
    }
    case 7: { /* downsample mode uint64 128x128x32 by 2x2x2 */
        const int64_t in_shape[4] = {128, 128, 32, 1}, f[3] = {2, 2, 2}, ph[3] = {0, 0, 0};
        r = l->ds(em, 128 * 128 * 32 * 8, in_shape, 6, 1, 0, 0, f, ph, ds_out, 64 * 64 * 16 * 8);
        break;
    }
    }
    if (r != 0) { fprintf(stderr, "case %d returned %d\n", c, r); exit(2); }
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s A.so B.so [rounds]\n", argv[0]); return 2; }
    const int rounds = argc > 3 ? atoi(argv[3]) : 30;
    lib libs[2] = {open_lib(argv[1]), open_lib(argv[2])};
    setup(&libs[0]);
    static const char *names[] = {"copy 64^3 u8 chunk into slab", "gather row of 8 64^3 u8 (16 MiB, nt)", "fill 64^3 u8 box",
                                  "cseg decode 64^3 u64 (8^3 blocks)", "cseg encode 64^3 u64", "compresso decode 64^3 u32",
                                  "downsample mean u8 256x256x64", "downsample mode u64 128x128x32"};
    const int cases = 8;
    double best[8][2];
    for (int c = 0; c < cases; c++) best[c][0] = best[c][1] = 1e30;
    for (int round = 0; round < rounds; round++) {
        for (int c = 0; c < cases; c++) {
            for (int k = 0; k < 2; k++) {
                const int which = (round & 1) ? 1 - k : k; /* alternate which goes first */
                run(c, &libs[which]); /* warm */
                const double t0 = cpu_now();
                run(c, &libs[which]);
                const double t = cpu_now() - t0;
                if (t < best[c][which]) best[c][which] = t;
            }
        }
    }
    printf("%-40s %12s %12s %8s\n", "kernel (best thread CPU time per call)", "A us", "B us", "B speed");
    double logsum = 0;
    for (int c = 0; c < cases; c++) {
        printf("%-40s %12.1f %12.1f %8.3f\n", names[c], best[c][0] * 1e6, best[c][1] * 1e6, best[c][0] / best[c][1]);
        logsum += __builtin_log(best[c][0] / best[c][1]);
    }
    printf("geometric mean B speed: %.3f\n", __builtin_exp(logsum / cases));
    return 0;
}
