/*
 * Two builds of ba_gather on a whole cutout, as a cutout calls it: a 512^3 uint8 (or 256^3
 * uint64) output of 128 MiB, one gather per row of chunks, the chunks taken in turn from 40
 * chunk buffers (so they are not all in cache). Build A then build B, alternating; best and
 * median thread CPU time of each. compare_libs.c's gather case writes a 16 MiB slab from one
 * hot chunk, where the output stays in cache; this one does not.
 *
 *   cc -O2 -o /tmp/gather_cutout native/bench/gather_cutout.c -ldl
 *   /tmp/gather_cutout OLD/libbigarrays.so NEW/libbigarrays.so [rounds] [elem size 1|8] [chunk edge] [box edge]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
typedef int32_t (*gather_fn)(int32_t, const void *const *, const int64_t *, const int64_t *, const int64_t *, const int64_t *,
                             void *, int64_t, int64_t, const int64_t *, const int64_t *, int32_t, int64_t);
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
    int rounds = argc > 3 ? atoi(argv[3]) : 10;
    int64_t e = argc > 4 ? atoi(argv[4]) : 1; /* 1: uint8 512^3; 8: uint64 256^3 */
    int64_t C = argc > 5 ? atoi(argv[5]) : 64;
    int64_t B = argc > 6 ? atoi(argv[6]) : e == 1 ? 512 : 256, nx = B / C, NP = 40;
    gather_fn g[2];
    for (int i = 0; i < 2; i++) { void *h = dlopen(argv[1 + i], RTLD_NOW | RTLD_LOCAL); if (!h) { fprintf(stderr, "%s\n", dlerror()); return 2; } g[i] = (gather_fn)dlsym(h, "ba_gather"); }
    int64_t cb = C * C * C * e;
    uint8_t **pool = malloc(NP * sizeof *pool);
    for (int i = 0; i < NP; i++) { pool[i] = aligned_alloc(64, cb); memset(pool[i], i, cb); }
    int64_t ob = B * B * B * e;
    uint8_t *out = aligned_alloc(64, ob); memset(out, 1, ob);
    const void *srcs[64]; int64_t nb[64], off[64], ss[64 * 3], ext[64];
    double t[2][100];
    int p = 0;
    for (int r = 0; r < rounds; r++) for (int v = 0; v < 2; v++) {
        double t0 = now();
        for (int64_t z = 0; z < nx; z++) for (int64_t y = 0; y < nx; y++) {
            for (int k = 0; k < nx; k++) { srcs[k] = pool[p++ % NP]; nb[k] = cb; off[k] = 0; ss[k*3] = e; ss[k*3+1] = C*e; ss[k*3+2] = C*C*e; ext[k] = C; }
            int64_t ds[3] = {e, B * e, B * B * e}, sh[3] = {B, C, C};
            int32_t rc = g[v](nx, srcs, nb, off, ss, ext, out, ob, (z * C * B * B + y * C * B) * e, ds, sh, 3, e);
            if (rc) { fprintf(stderr, "rc %d\n", rc); return 1; }
        }
        t[v][r] = now() - t0;
    }
    for (int v = 0; v < 2; v++) qsort(t[v], rounds, sizeof(double), cmp);
    printf("e=%ld c%ld: A best %.2f ms median %.2f | B best %.2f ms median %.2f | B speed best %.2f median %.2f\n", (long)e, (long)C, t[0][0]*1e3, t[0][rounds/2]*1e3, t[1][0]*1e3, t[1][rounds/2]*1e3, t[0][0]/t[1][0], t[0][rounds/2]/t[1][rounds/2]);
    return 0;
}
