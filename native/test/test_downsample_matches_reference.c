/*
 * Property: ba_downsample equals a naive per-voxel reference (values gathered per block and
 * reduced with typed arithmetic, not keys) for every data type, method, factors 1..4, phases,
 * odd shapes, channels and sparse mode, over noise and over piecewise-constant labels (runs); the
 * fast paths (2x2x1, 2x2x2; the 64-bit mode row per CPU, see the _baseline and _avx2 runs) are
 * hit often. Bad calls
 * (short buffers, bad factor/phase/type) return an error and leave the output untouched.
 */
#include <math.h>

#include "test_util.h"

__extension__ typedef __int128 i128;

static const int64_t ES[] = {1, 1, 2, 2, 4, 4, 8, 8, 4, 8, 1};

static int is_signed(int dt) { return dt == BA_DT_I8 || dt == BA_DT_I16 || dt == BA_DT_I32 || dt == BA_DT_I64; }
static int is_float(int dt) { return dt == BA_DT_F32 || dt == BA_DT_F64; }

static uint64_t load(const uint8_t *p, int64_t es) {
    uint64_t v = 0;
    memcpy(&v, p, (size_t)es);
    return v;
}

static double fval(int dt, uint64_t raw) {
    if (dt == BA_DT_F32) { float f; uint32_t b = (uint32_t)raw; memcpy(&f, &b, 4); return f; }
    double d; memcpy(&d, &raw, 8); return d;
}

static int64_t sval(int dt, uint64_t raw) {
    switch (dt) {
        case BA_DT_I8: return (int8_t)raw;
        case BA_DT_I16: return (int16_t)raw;
        case BA_DT_I32: return (int32_t)raw;
        default: return (int64_t)raw;
    }
}

static int g_dt;
/* Typed comparison: numeric; floats with -0 before +0 (no NaN in these inputs). */
static int cmp_typed(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    if (is_float(g_dt)) {
        double dx = fval(g_dt, x), dy = fval(g_dt, y);
        if (dx < dy) return -1;
        if (dx > dy) return 1;
        return (signbit(dy) != 0) - (signbit(dx) != 0);
    }
    if (is_signed(g_dt)) { int64_t sx = sval(g_dt, x), sy = sval(g_dt, y); return (sx > sy) - (sx < sy); }
    return (x > y) - (x < y);
}

static uint64_t store_double(int dt, double d) {
    if (dt == BA_DT_F32) { float f = (float)d; uint32_t b; memcpy(&b, &f, 4); return b; }
    uint64_t b; memcpy(&b, &d, 8); return b;
}

static uint64_t reference_block(int dt, int method, uint64_t *v, int64_t n, uint64_t fill, int64_t es) {
    if (n == 0) return fill;
    g_dt = dt;
    if (method == BA_DS_MEAN && dt == BA_DT_BOOL) method = BA_DS_MODE;
    qsort(v, (size_t)n, sizeof *v, cmp_typed);
    uint64_t mask = es == 8 ? ~0ULL : (1ULL << (8 * es)) - 1;
    switch (method) {
        case BA_DS_MIN: return v[0];
        case BA_DS_MAX: return v[n - 1];
        case BA_DS_MEDIAN: return v[(n - 1) / 2];
        case BA_DS_MODE: {
            uint64_t best = v[0]; int64_t bc = 0;
            for (int64_t i = 0; i < n;) {
                int64_t j = i + 1;
                while (j < n && v[j] == v[i]) j++;
                if (j - i > bc) { bc = j - i; best = v[i]; }
                i = j;
            }
            return best;
        }
        default: break;
    }
    if (is_float(dt)) {
        /* sum in x-fastest block order: the caller passed v unsorted copy in `order` */
        return 0; /* replaced by the caller */
    }
    i128 s = 0;
    for (int64_t i = 0; i < n; i++) s += is_signed(dt) ? (i128)sval(dt, v[i]) : (i128)v[i];
    i128 q = s / n, r = s % n; /* C truncates: make it floor */
    if (r < 0) { q -= 1; r += n; }
    if (2 * r > n || (2 * r == n && (q & 1))) q++;
    return (uint64_t)q & mask;
}

int main(void) {
    for (int iter = 0; iter < 4000; iter++) {
        int dt = (int)rnd_below(11);
        int method = (int)rnd_below(5);
        if (rnd_below(3) == 0) { /* the hot cases, often: their fast paths */
            static const int HOT[4][2] = {{BA_DT_U8, BA_DS_MEAN}, {BA_DT_U64, BA_DS_MODE}, {BA_DT_U32, BA_DS_MODE}, {BA_DT_I64, BA_DS_MODE}};
            int h = (int)rnd_below(4);
            dt = HOT[h][0];
            method = HOT[h][1];
        }
        int sparse = rnd_below(3) == 0;
        int64_t es = ES[dt];
        int64_t f[3], ph[3], n[4], m[3];
        int fastish = rnd_below(2) == 0;
        for (int d = 0; d < 3; d++) {
            f[d] = fastish ? (d < 2 ? 2 : 1 + rnd_below(2)) : 1 + rnd_below(4);
            ph[d] = rnd_below(f[d]);
            n[d] = d == 0 && rnd_below(4) == 0 ? 30 + rnd_below(70) : 1 + rnd_below(9); /* long rows: the SIMD fast path */
            m[d] = (ph[d] + n[d] + f[d] - 1) / f[d];
        }
        n[3] = 1 + rnd_below(3);
        int64_t cnt = n[0] * n[1] * n[2] * n[3], ocnt = m[0] * m[1] * m[2] * n[3];
        uint8_t *in = malloc((size_t)(cnt * es)), *out = malloc((size_t)(ocnt * es + 8)), *want = malloc((size_t)(ocnt * es + 8));
        CHECK(in && out && want, "oom");
        /* Few distinct values (ties, fill runs), from a small palette of the type. */
        uint64_t palette[5];
        for (int i = 0; i < 5; i++) {
            uint64_t r = rnd();
            if (dt == BA_DT_BOOL) r &= 1;
            else if (dt == BA_DT_F32) { float fv = (float)((int64_t)(r % 2001) - 1000) / 8.0f; if (i == 4) fv = -0.0f; uint32_t b; memcpy(&b, &fv, 4); r = b; }
            else if (dt == BA_DT_F64) { double dv = (double)((int64_t)(r % 2000001) - 1000000) / 3.0; memcpy(&r, &dv, 8); }
            palette[i] = es == 8 ? r : r & ((1ULL << (8 * es)) - 1);
        }
        /* Either noise over the palette (mostly mixed blocks), or piecewise-constant boxes of random
         * size as in a segmentation (runs along x, whole uniform blocks, and blocks on box edges). */
        int runs = rnd_below(2) == 0;
        int64_t bs[3] = {1 + rnd_below(7), 1 + rnd_below(7), 1 + rnd_below(4)};
        for (int64_t i = 0; i < cnt; i++) {
            int64_t x = i % n[0], y = i / n[0] % n[1], z = i / (n[0] * n[1]) % n[2], c = i / (n[0] * n[1] * n[2]);
            uint64_t v = runs ? palette[(x / bs[0] + 3 * (y / bs[1]) + 7 * (z / bs[2]) + c) % 5] : palette[rnd_below(5)];
            memcpy(in + i * es, &v, (size_t)es);
        }
        uint64_t fill = palette[0];
        fill_random(out, ocnt * es + 8);
        memcpy(want + ocnt * es, out + ocnt * es, 8);
        uint64_t *vals = malloc(sizeof(uint64_t) * (size_t)(f[0] * f[1] * f[2]));
        CHECK(vals != NULL, "oom");
        for (int64_t c = 0; c < n[3]; c++)
            for (int64_t jz = 0; jz < m[2]; jz++)
                for (int64_t jy = 0; jy < m[1]; jy++)
                    for (int64_t jx = 0; jx < m[0]; jx++) {
                        int64_t k = 0;
                        double dsum = 0;
                        int64_t j[3] = {jx, jy, jz};
                        int64_t lo[3], hi[3];
                        for (int d = 0; d < 3; d++) {
                            lo[d] = j[d] * f[d] - ph[d]; hi[d] = lo[d] + f[d];
                            if (lo[d] < 0) lo[d] = 0;
                            if (hi[d] > n[d]) hi[d] = n[d];
                        }
                        for (int64_t z = lo[2]; z < hi[2]; z++)
                            for (int64_t y = lo[1]; y < hi[1]; y++)
                                for (int64_t x = lo[0]; x < hi[0]; x++) {
                                    uint64_t v = load(in + (((c * n[2] + z) * n[1] + y) * n[0] + x) * es, es);
                                    if (sparse && v == fill) continue;
                                    vals[k++] = v;
                                    if (is_float(dt)) dsum += fval(dt, v);
                                }
                        uint64_t r = reference_block(dt, method, vals, k, fill, es);
                        if (k > 0 && method == BA_DS_MEAN && is_float(dt)) r = store_double(dt, dsum / (double)k);
                        memcpy(want + (((c * m[2] + jz) * m[1] + jy) * m[0] + jx) * es, &r, (size_t)es);
                    }
        int rc = ba_downsample(in, cnt * es, n, dt, method, sparse, fill, f, ph, out, ocnt * es + 8);
        CHECK(rc == BA_OK, "case %d: rc %d", iter, rc);
        CHECK(memcmp(out, want, (size_t)(ocnt * es + 8)) == 0,
              "case %d: runs %d dtype %d method %d sparse %d factor %lld,%lld,%lld phase %lld,%lld,%lld shape %lld,%lld,%lld,%lld differs",
              iter, runs, dt, method, sparse, (long long)f[0], (long long)f[1], (long long)f[2], (long long)ph[0], (long long)ph[1],
              (long long)ph[2], (long long)n[0], (long long)n[1], (long long)n[2], (long long)n[3]);
        /* Bad calls: one byte short, phase == factor, factor 0, unknown type: error, output untouched. */
        memcpy(want, out, (size_t)(ocnt * es));
        CHECK(ba_downsample(in, cnt * es, n, dt, method, sparse, fill, f, ph, out, ocnt * es - 1) == BA_OUT_OF_BOUNDS, "short out");
        CHECK(ba_downsample(in, cnt * es - 1, n, dt, method, sparse, fill, f, ph, out, ocnt * es) == BA_OUT_OF_BOUNDS, "short in");
        int64_t badph[3] = {f[0], 0, 0}, badf[3] = {0, 1, 1}, zero[3] = {0, 0, 0};
        CHECK(ba_downsample(in, cnt * es, n, dt, method, sparse, fill, f, badph, out, ocnt * es) == BA_BAD_ARGUMENT, "phase");
        CHECK(ba_downsample(in, cnt * es, n, dt, method, sparse, fill, badf, zero, out, ocnt * es) == BA_BAD_ARGUMENT, "factor");
        CHECK(ba_downsample(in, cnt * es, n, 11, method, sparse, fill, f, ph, out, ocnt * es) == BA_BAD_ARGUMENT, "dtype");
        CHECK(ba_downsample(in, cnt * es, n, dt, 5, sparse, fill, f, ph, out, ocnt * es) == BA_BAD_ARGUMENT, "method");
        CHECK(memcmp(out, want, (size_t)(ocnt * es)) == 0, "case %d: a bad call wrote", iter);
        free(vals);
        free(in);
        free(out);
        free(want);
    }
    printf("downsample matches reference\n");
    return 0;
}
