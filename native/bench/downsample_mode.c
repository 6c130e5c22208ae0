/*
 * The mode kernel alone on segmentation-like uint64 labels: an nx x ny x nz volume of boxes of
 * bx x by x bz voxels, one label each (the layout of PyramidBuildBench's segmentation), reduced
 * by 2,2,fz. Prints the best of 7 calls in thread CPU time (steady on a shared machine) and
 * wall time, and a hash of the output (equal hashes: equal outputs across builds).
 *
 *   cc -O2 -Inative/include -o /tmp/downsample_mode native/bench/downsample_mode.c \
 *       java/core/target/native-build/libbigarrays_static.a
 *   /tmp/downsample_mode 512 512 256 10 12 6     # mip 0 -> 1 of the benchmark: every block one label
 *   /tmp/downsample_mode 256 256 128 5 6 3       # mip 1 -> 2: 47% of the blocks mixed
 *   BIGARRAYS_NO_AVX2=1 /tmp/downsample_mode ...  # the baseline row
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bigarrays.h"

static double now(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s NX NY NZ BX BY BZ [FZ]\n", argv[0]);
        return 2;
    }
    int64_t nx = atoll(argv[1]), ny = atoll(argv[2]), nz = atoll(argv[3]);
    int64_t bx = atoll(argv[4]), by = atoll(argv[5]), bz = atoll(argv[6]), fz = argc > 7 ? atoll(argv[7]) : 2;
    if (nx < 2 || ny < 2 || nz < 1 || bx < 1 || by < 1 || bz < 1 || fz < 1 || fz > 2) {
        fprintf(stderr, "expected NX, NY >= 2, NZ, BX, BY, BZ >= 1 and FZ 1 or 2\n");
        return 2;
    }
    int64_t n = nx * ny * nz, in_nbytes = n * 8;
    int64_t out_nbytes = ((nx + 1) / 2) * ((ny + 1) / 2) * ((nz + fz - 1) / fz) * 8;
    uint64_t *in = malloc((size_t)in_nbytes), *out = malloc((size_t)out_nbytes);
    if (!in || !out) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    int64_t i = 0;
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) in[i++] = 1 + (uint64_t)(x / bx) + 100 * (uint64_t)(y / by) + 10000 * (uint64_t)(z / bz);
    const int64_t shape[4] = {nx, ny, nz, 1}, f[3] = {2, 2, fz}, ph[3] = {0, 0, 0};
    double best_cpu = 1e30, best_wall = 1e30;
    for (int r = 0; r < 7; r++) {
        double c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
        ba_result rc = ba_downsample(in, in_nbytes, shape, BA_DT_U64, BA_DS_MODE, 0, 0, f, ph, out, out_nbytes);
        double c = now(CLOCK_THREAD_CPUTIME_ID) - c0, w = now(CLOCK_MONOTONIC) - w0;
        if (rc != BA_OK) {
            fprintf(stderr, "ba_downsample returned %d\n", (int)rc);
            return 1;
        }
        if (c < best_cpu) best_cpu = c;
        if (w < best_wall) best_wall = w;
    }
    uint64_t h = 0;
    for (int64_t j = 0; j < out_nbytes / 8; j++) h = h * 31 + out[j];
    printf("mode uint64 %lldx%lldx%lld, boxes %lldx%lldx%lld, factor 2,2,%lld: cpu %.1f ms (%.2f GB/s of input), wall %.1f ms, hash %016llx\n",
           (long long)nx, (long long)ny, (long long)nz, (long long)bx, (long long)by, (long long)bz, (long long)fz, best_cpu * 1e3,
           (double)in_nbytes / best_cpu / 1e9, best_wall * 1e3, (unsigned long long)h);
    free(in);
    free(out);
    return 0;
}
